//! PageRank: the stationary distribution of a random surfer who follows a uniformly chosen
//! out-arc with probability `damping` (0.85) and otherwise jumps to a uniformly chosen node.
//!
//! Dangling nodes (out-degree 0) follow the usual definition (Langville and Meyer, "Deeper inside
//! PageRank", 2004): their rank is spread uniformly over all nodes, as if they linked to every
//! node. One iteration computes, for every node `v`,
//!
//! ```text
//! rank'(v) = (1 - d) / n  +  d * dangling / n  +  d * sum over arcs u -> v of rank(u) / outdeg(u)
//! ```
//!
//! where `dangling` is the total rank of the dangling nodes, so the ranks keep summing to 1.
//! Ranks start at `1 / n`. A self loop is an ordinary arc; parallel arcs (kept only when a graph
//! is built without deduplication) count once each.
//!
//! Cost: O(n + m) work per iteration, O(k (n + m)) for `k` iterations. The sequential kernels
//! have that depth too; [`Blocked::pagerank_par`] has depth O(k (b (m / 256 + max in-degree) +
//! n / 256)) for `b` source blocks.
//! The paper is McSherry, Isard and Murray, "Scalability! But at what COST?" (HotOS 2015): its
//! Tables 2 and 4 run 20 iterations on twitter_rv on one thread, 300 s in vertex order and 110 s
//! in Hilbert-curve order; [`Params::default`] runs the same 20 iterations.
//!
//! The kernels keep ranks in `f32` (half the memory traffic of `f64`); sums over the whole graph
//! (dangling mass, change) are `f64`. [`Ranks::verify`] checks the result against an `f64`
//! sequential [`reference`] within [`VERIFY_L1`].
//!
//! Implementations, all sharing one iteration skeleton (the per-node update is the same code),
//! each keeping its random accesses within a core's L2 cache:
//! - [`Blocked::pagerank`]: pull over the in-arcs ([`InEdges`]: the transpose of a directed graph,
//!   built once outside the timed computation) in vertex order, tiled by source block, one
//!   thread; [`Blocked::pagerank_par`], the same on rayon;
//! - [`push()`]: scatter over out-arcs in vertex order through propagation-blocking bins, one
//!   thread, no preparation;
//! - [`HilbertTiles::pagerank`]: scatter over the arcs in Hilbert-curve order
//!   ([`crate::graph::hilbert`]), packed into 16-bit offsets within `2^16 x 2^16` tiles.

use serde::Serialize;

use crate::graph::{Csr, NodeId};

/// The largest normalised L1 distance from the `f64` reference that [`Ranks::verify`] accepts
/// (the ranks and the reference both sum to 1, so this is the L1 distance itself).
pub const VERIFY_L1: f64 = 1e-4;

/// How to run PageRank.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Params {
    /// The probability of following an arc rather than jumping (0.85).
    pub damping: f64,
    /// The number of iterations to run (at most, with a tolerance).
    pub iterations: u32,
    /// Stop early once an iteration changes the ranks by at most this much (L1).
    pub tolerance: Option<f64>,
}

impl Default for Params {
    /// Damping 0.85, 20 iterations, no early stop: the COST paper's experiment.
    fn default() -> Self {
        Params { damping: 0.85, iterations: 20, tolerance: None }
    }
}

/// The parameters this process runs PageRank with ([`Params::current`]).
static CURRENT: std::sync::OnceLock<Params> = std::sync::OnceLock::new();

impl Params {
    /// Checks the parameters: damping in (0, 1), at least one iteration, a positive finite
    /// tolerance. Returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !(self.damping > 0.0 && self.damping < 1.0) {
            return Err(format!("the damping factor must be between 0 and 1, not {}", self.damping));
        }
        if self.iterations == 0 {
            return Err("PageRank needs at least one iteration".into());
        }
        if self.tolerance.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
            return Err(format!("the tolerance must be a positive number, not {}", self.tolerance.unwrap_or(0.0)));
        }
        Ok(())
    }

    /// Sets the parameters every PageRank implementation of this process uses (what `run
    /// --iterations --damping --tolerance` asks), once, before any runs; a later call is ignored.
    pub fn set_current(params: Params) {
        let _ = CURRENT.set(params);
    }

    /// The parameters set by [`Params::set_current`], else the defaults.
    pub fn current() -> Params {
        CURRENT.get().copied().unwrap_or_default()
    }
}

/// The PageRank of every node, with how it was computed.
#[derive(Clone, Debug)]
pub struct Ranks {
    ranks: Vec<f32>,
    iterations: u32,
    last_change: f64,
    damping: f64,
}

/// A short description of a [`Ranks`] result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RanksSummary {
    /// Iterations run.
    pub iterations: u32,
    /// Sum of the ranks (1 up to rounding).
    pub sum: f64,
    /// The node with the highest rank (the smallest id among ties), if there are nodes.
    pub top_node: Option<NodeId>,
    /// Its rank.
    pub top_rank: f64,
    /// L1 distance between the ranks before and after the last iteration.
    pub last_change: f64,
}

impl PartialEq for Ranks {
    /// Bitwise equality of the ranks (and equal metadata): what "the same result" means for a
    /// deterministic kernel. Use [`Ranks::verify`] to compare results of different kernels.
    fn eq(&self, other: &Self) -> bool {
        self.iterations == other.iterations
            && self.last_change.to_bits() == other.last_change.to_bits()
            && self.damping.to_bits() == other.damping.to_bits()
            && self.ranks.len() == other.ranks.len()
            && self.ranks.iter().zip(&other.ranks).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for Ranks {}

impl Ranks {
    /// A result computed elsewhere (a distributed run gathers one): the rank of every node after
    /// `iterations` iterations with `damping`, the last of which changed the ranks by
    /// `last_change` (L1).
    pub fn new(ranks: Vec<f32>, iterations: u32, last_change: f64, damping: f64) -> Self {
        Ranks { ranks, iterations, last_change, damping }
    }

    /// The rank of every node.
    pub fn ranks(&self) -> &[f32] {
        &self.ranks
    }

    /// Iterations run.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// L1 distance between the ranks before and after the last iteration.
    pub fn last_change(&self) -> f64 {
        self.last_change
    }

    /// Iterations, sum, top node and the last change.
    pub fn summary(&self) -> RanksSummary {
        let top = self.ranks.iter().enumerate().fold(None, |best: Option<(usize, f32)>, (v, &r)| match best {
            Some((_, b)) if b >= r => best,
            _ => Some((v, r)),
        });
        RanksSummary {
            iterations: self.iterations,
            sum: self.ranks.iter().map(|&r| r as f64).sum(),
            top_node: top.map(|(v, _)| v as NodeId),
            top_rank: top.map_or(0.0, |(_, r)| r as f64),
            last_change: self.last_change,
        }
    }

    /// Checks the ranks: one per node, finite and non-negative, summing to 1 within
    /// [`VERIFY_L1`], and within L1 distance [`VERIFY_L1`] of the `f64` [`reference`] run for the
    /// same number of iterations with the same damping. Returns what is wrong.
    pub fn verify(&self, csr: &Csr) -> Result<(), String> {
        let n = csr.num_nodes();
        if self.ranks.len() != n {
            return Err(format!("{} ranks for {n} nodes", self.ranks.len()));
        }
        if let Some(v) = self.ranks.iter().position(|r| !r.is_finite() || *r < 0.0) {
            return Err(format!("rank of node {v} is {}", self.ranks[v]));
        }
        if n == 0 {
            return Ok(());
        }
        let sum: f64 = self.ranks.iter().map(|&r| r as f64).sum();
        if (sum - 1.0).abs() > VERIFY_L1 {
            return Err(format!("ranks sum to {sum}, not 1 (tolerance {VERIFY_L1})"));
        }
        let expected = reference(csr, self.damping, self.iterations);
        let l1: f64 = self.ranks.iter().zip(&expected).map(|(&r, &e)| (r as f64 - e).abs()).sum();
        if l1 > VERIFY_L1 {
            return Err(format!(
                "ranks differ from the f64 reference by {l1:.3e} (L1, after {} iterations; tolerance {VERIFY_L1})",
                self.iterations
            ));
        }
        Ok(())
    }
}

/// PageRank in `f64`, written as plainly as possible: the oracle [`Ranks::verify`] compares with.
/// Pushes along out-arcs; O(iterations (n + m)), one thread.
pub fn reference(csr: &Csr, damping: f64, iterations: u32) -> Vec<f64> {
    let n = csr.num_nodes();
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..iterations {
        let mut next = vec![0.0; n];
        let mut dangling = 0.0;
        for u in 0..n as NodeId {
            let out = csr.neighbors(u);
            if out.is_empty() {
                dangling += rank[u as usize];
            }
            for &v in out {
                next[v as usize] += rank[u as usize] / out.len() as f64;
            }
        }
        let base = (1.0 - damping) / n as f64 + damping * dangling / n as f64;
        for r in &mut next {
            *r = base + damping * *r;
        }
        rank = next;
    }
    rank
}

/// What one sweep over (part of) the nodes adds up.
#[derive(Clone, Copy, Default)]
pub struct Totals {
    /// L1 change of the ranks.
    pub change: f64,
    /// Total new rank of the dangling nodes.
    pub dangling: f64,
}

impl std::ops::Add for Totals {
    type Output = Totals;
    fn add(self, o: Totals) -> Totals {
        Totals { change: self.change + o.change, dangling: self.dangling + o.dangling }
    }
}

/// The per-node state a sweep writes, for a contiguous range of nodes (or a worker's own nodes,
/// in costgraph's timely PageRank).
pub struct Slots<'a> {
    /// Each node's rank, written by the sweep.
    pub rank: &'a mut [f32],
    /// `rank / out-degree` for the next iteration (0 for dangling nodes).
    pub contrib: &'a mut [f32],
    /// `1 / out-degree` (0 for dangling nodes).
    pub inv_degree: &'a [f32],
}

impl<'a> Slots<'a> {
    fn split_at(self, mid: usize) -> (Slots<'a>, Slots<'a>) {
        let (r0, r1) = self.rank.split_at_mut(mid);
        let (c0, c1) = self.contrib.split_at_mut(mid);
        let (i0, i1) = self.inv_degree.split_at(mid);
        (Slots { rank: r0, contrib: c0, inv_degree: i0 }, Slots { rank: r1, contrib: c1, inv_degree: i1 })
    }

    /// Sets each node's rank to `base + damping * sum_of(i)` (`i` counted from the start of the
    /// range) and its contribution for the next iteration; the one update every kernel shares.
    #[inline(always)]
    pub fn update(self, base: f32, damping: f32, mut sum_of: impl FnMut(usize) -> f32) -> Totals {
        let mut totals = Totals::default();
        for (i, ((rank, contrib), &inv)) in
            self.rank.iter_mut().zip(self.contrib.iter_mut()).zip(self.inv_degree).enumerate()
        {
            let r = base + damping * sum_of(i);
            totals.change += (r - *rank).abs() as f64;
            *rank = r;
            *contrib = r * inv;
            if inv == 0.0 {
                totals.dangling += r as f64;
            }
        }
        totals
    }
}

/// `1 / degree`, or 0 for a dangling node (degree 0): a node's share of its rank per out-arc.
#[inline]
pub fn inv_degree(degree: u64) -> f32 {
    if degree == 0 { 0.0 } else { 1.0 / degree as f32 }
}

/// The rank every node gets before its in-arcs: the jump `(1 - d) / n` plus the dangling mass
/// spread over the `n` nodes, `d * dangling / n`.
#[inline]
pub fn base(damping: f64, dangling: f64, n: usize) -> f32 {
    ((1.0 - damping) / n as f64 + damping * dangling / n as f64) as f32
}

/// The iteration skeleton every kernel shares: initial ranks, the jump-and-dangling term, the
/// double-buffered contributions, the stopping rule. `sweep(contrib, slots, base)` computes one
/// iteration for all nodes from the current contributions.
fn iterate(csr: &Csr, params: &Params, mut sweep: impl FnMut(&[f32], Slots<'_>, f32) -> Totals) -> Ranks {
    let n = csr.num_nodes();
    let damping = params.damping;
    let mut ranks = Ranks::new(vec![1.0 / n as f32; n], 0, 0.0, damping);
    let inv_degree: Vec<f32> = csr.offsets().windows(2).map(|w| inv_degree(w[1] - w[0])).collect();
    let mut contrib: Vec<f32> = inv_degree.iter().map(|&inv| inv / n as f32).collect();
    let mut next = vec![0.0f32; n];
    let mut dangling = inv_degree.iter().filter(|&&inv| inv == 0.0).count() as f64 / n as f64;
    while ranks.iterations < params.iterations && n > 0 {
        let base = base(damping, dangling, n);
        let slots = Slots { rank: &mut ranks.ranks, contrib: &mut next, inv_degree: &inv_degree };
        let totals = sweep(&contrib, slots, base);
        std::mem::swap(&mut contrib, &mut next);
        dangling = totals.dangling;
        ranks.last_change = totals.change;
        ranks.iterations += 1;
        if params.tolerance.is_some_and(|tol| totals.change <= tol) {
            break;
        }
    }
    ranks
}

/// Cuts the nodes of a CSR with these `offsets` into contiguous ranges of about `work` arcs plus
/// nodes each (at least one range when there are nodes).
fn chunks(offsets: &[u64], work: u64) -> Vec<std::ops::Range<usize>> {
    let n = offsets.len() - 1;
    let cost = |v: usize| offsets[v] + v as u64;
    let parts = cost(n).div_ceil(work).max(1);
    let mut bounds: Vec<usize> = (0..=parts)
        .map(|p| {
            let goal = cost(n) * p / parts;
            // The first node whose cost reaches the goal (cost is increasing).
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if cost(mid) < goal { lo = mid + 1 } else { hi = mid }
            }
            lo
        })
        .collect();
    bounds.dedup();
    bounds.windows(2).map(|w| w[0]..w[1]).collect()
}

mod blocked;
mod hilbert_tiles;
mod in_edges;
mod push;
pub use blocked::{Blocked, block_bits};
pub use hilbert_tiles::HilbertTiles;
pub use in_edges::InEdges;
pub use push::{BINS_BYTES, push};

#[cfg(test)]
mod tests;
