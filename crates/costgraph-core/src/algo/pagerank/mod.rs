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
//! have that depth too; [`InEdges::pagerank_par`] has depth O(n + k (c + max in-degree + n / c))
//! for chunks of `c` = 2^16 arcs plus nodes (the O(n) is the sequential set-up of the degrees).
//! The paper is McSherry, Isard and Murray, "Scalability! But at what COST?" (HotOS 2015): its
//! Tables 2 and 4 run 20 iterations on twitter_rv on one thread, 300 s in vertex order and 110 s
//! in Hilbert-curve order; [`Params::default`] runs the same 20 iterations.
//!
//! The kernels keep ranks in `f32` (half the memory traffic of `f64`); sums over the whole graph
//! (dangling mass, change) are `f64`. [`Ranks::verify`] checks the result against an `f64`
//! sequential [`reference`] within [`VERIFY_L1`].
//!
//! Implementations, all sharing one iteration skeleton (the per-node update is the same code):
//! - [`InEdges::pagerank`]: pull over in-arcs in vertex order, one thread (the transpose of a
//!   directed graph is built once by [`InEdges::of`], outside the timed computation);
//! - [`push`]: scatter over out-arcs in vertex order, one thread, no transpose;
//! - [`HilbertTiles::pagerank`]: scatter over the arcs in Hilbert-curve order
//!   ([`crate::graph::hilbert`]), packed into 16-bit offsets within `2^16 x 2^16` tiles;
//! - [`InEdges::pagerank_par`]: pull on rayon, in chunks of nodes balanced by in-arcs.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;
use serde::Serialize;

use crate::Error;
use crate::graph::budget::{Budget, try_zeroed};
use crate::graph::hilbert::{self, Arc};
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

/// Adds `contrib[u]` into `sums[v]` for every arc `u -> v` (via `scatter`), then updates every
/// node from its sum and clears the sums: the push and Hilbert kernels.
fn scatter_then_update(
    sums: &mut [f32],
    contrib: &[f32],
    slots: Slots<'_>,
    base: f32,
    damping: f32,
    scatter: impl FnOnce(&mut [f32], &[f32]),
) -> Totals {
    scatter(sums, contrib);
    slots.update(base, damping, |v| std::mem::take(&mut sums[v]))
}

/// PageRank by pushing along out-arcs in vertex order, one thread, no preparation.
pub fn push(csr: &Csr, params: &Params) -> Ranks {
    let mut sums = vec![0.0f32; csr.num_nodes()];
    iterate(csr, params, |contrib, slots, base| {
        scatter_then_update(&mut sums, contrib, slots, base, params.damping as f32, |sums, contrib| {
            for (u, w) in csr.offsets().windows(2).enumerate() {
                let c = contrib[u];
                for &v in &csr.targets()[w[0] as usize..w[1] as usize] {
                    sums[v as usize] += c;
                }
            }
        })
    })
}

/// Tiles of [`HilbertTiles`] are `2^TILE_BITS` nodes on a side: the ranks read and the sums
/// written by one tile (256 KiB each in `f32`) stay in a core's L2 cache.
const TILE_BITS: u32 = 16;
/// The offsets of a node in its tile.
const TILE_MASK: NodeId = (1 << TILE_BITS) - 1;
/// Arcs packed per parallel task by [`HilbertTiles::of`].
const PACK_CHUNK: usize = 1 << 16;

/// The arcs in Hilbert-curve order, packed for the kernel. The curve visits every aligned
/// `2^16 x 2^16` tile of the adjacency matrix in one contiguous run, so the arcs fall into runs
/// that share the high 16 bits of source and target; each arc is stored as its two 16-bit
/// offsets in its tile: 4 bytes per arc, as many as a CSR target, where the `[src, dst]` pairs of
/// the `.cgr` section take 8.
pub struct HilbertTiles<'a> {
    csr: &'a Csr,
    /// Per tile: first source, first target, end of its arcs in `packed`.
    tiles: Vec<(NodeId, NodeId, usize)>,
    /// `dst offset << 16 | src offset` per arc, in curve order.
    packed: Vec<u32>,
}

/// A run of consecutive arcs packed by [`pack`]: its length, and where in it each tile's arcs
/// begin (first source, first target, position).
struct Packed {
    len: usize,
    starts: Vec<(NodeId, NodeId, usize)>,
}

/// Packs `points` (arcs in curve order, as many as `out` holds) into `out`.
fn pack(points: impl Iterator<Item = (NodeId, NodeId)>, out: &mut [u32]) -> Packed {
    let mut starts: Vec<(NodeId, NodeId, usize)> = Vec::new();
    for (i, (slot, (u, v))) in out.iter_mut().zip(points).enumerate() {
        let tile = (u & !TILE_MASK, v & !TILE_MASK);
        if starts.last().is_none_or(|&(s, d, _)| (s, d) != tile) {
            starts.push((tile.0, tile.1, i));
        }
        *slot = (v & TILE_MASK) << TILE_BITS | (u & TILE_MASK);
    }
    Packed { len: out.len(), starts }
}

/// Appends to `starts` where the tiles of consecutive runs begin, the runs following `at` packed
/// arcs: a tile continued from one run into the next stays one tile.
fn join(starts: &mut Vec<(NodeId, NodeId, usize)>, mut at: usize, runs: impl IntoIterator<Item = Packed>) {
    for run in runs {
        for (src, dst, start) in run.starts {
            if starts.last().is_none_or(|&(s, d, _)| (s, d) != (src, dst)) {
                starts.push((src, dst, at + start));
            }
        }
        at += run.len;
    }
}

/// The tiles `(first source, first target, end)` of `len` packed arcs whose tiles begin at
/// `starts` (from [`join`]).
fn ends(mut starts: Vec<(NodeId, NodeId, usize)>, len: usize) -> Vec<(NodeId, NodeId, usize)> {
    for k in 0..starts.len() {
        starts[k].2 = starts.get(k + 1).map_or(len, |next| next.2);
    }
    starts
}

impl<'a> HilbertTiles<'a> {
    /// Packs `arcs` (the arcs of `csr` in Hilbert-curve order, from [`Csr::hilbert_arcs`] or
    /// [`crate::graph::hilbert::hilbert_arcs`]): O(m) work in parallel on the current rayon pool.
    ///
    /// # Panics
    /// When an endpoint is not a node of `csr` (the `.cgr` reader and [`Csr::with_hilbert_arcs`]
    /// refuse such arcs).
    pub fn of(csr: &'a Csr, arcs: &[Arc]) -> crate::Result<Self> {
        let n = csr.num_nodes();
        assert!(arcs.par_iter().all(|&[u, v]| (u as usize) < n && (v as usize) < n), "arcs must be nodes of the graph");
        let mut packed = try_zeroed::<u32>(arcs.len(), "the Hilbert tiles' packed arcs")?;
        let runs: Vec<Packed> = arcs
            .par_chunks(PACK_CHUNK)
            .zip(packed.par_chunks_mut(PACK_CHUNK))
            .map(|(chunk, out)| pack(chunk.iter().map(|&[u, v]| (u, v)), out))
            .collect();
        let mut starts = Vec::new();
        join(&mut starts, 0, runs);
        Ok(HilbertTiles { csr, tiles: ends(starts, packed.len()), packed })
    }

    /// Sorts the arcs of `csr` into Hilbert-curve order straight into their packed form
    /// ([`hilbert::sort_groups`]: the curve positions of each bin are decoded and packed while
    /// in cache, never held as `[src, dst]` pairs), within `budget` beyond the 4 bytes per arc
    /// of the result: O(m) work in parallel on the current rayon pool.
    pub fn sort(csr: &'a Csr, budget: &Budget) -> crate::Result<Self> {
        struct Packing;
        impl hilbert::Finish for Packing {
            type Out = u32;
            type Summary = Packed;
            fn run(&self, points: impl Iterator<Item = (NodeId, NodeId)>, out: &mut [u32]) -> Packed {
                pack(points, out)
            }
        }
        let (mut starts, mut packed) = (Vec::new(), Vec::new());
        hilbert::sort_groups(csr, budget, &Packing, |group, runs| {
            let at = packed.len();
            if packed.is_empty() {
                packed = group;
            } else {
                packed.try_reserve(group.len()).map_err(|_| Error::invalid("out of memory for the Hilbert tiles"))?;
                packed.extend_from_slice(&group);
            }
            join(&mut starts, at, runs);
            Ok(())
        })?;
        Ok(HilbertTiles { csr, tiles: ends(starts, packed.len()), packed })
    }

    /// PageRank scattering along the arcs in Hilbert-curve order, one thread.
    pub fn pagerank(&self, params: &Params) -> Ranks {
        let mut sums = vec![0.0f32; self.csr.num_nodes()];
        iterate(self.csr, params, |contrib, slots, base| {
            scatter_then_update(&mut sums, contrib, slots, base, params.damping as f32, |sums, contrib| {
                let mut start = 0;
                for &(src, dst, end) in &self.tiles {
                    let from = &contrib[src as usize..];
                    let to = &mut sums[dst as usize..];
                    for &p in &self.packed[start..end] {
                        to[(p >> TILE_BITS) as usize] += from[(p & TILE_MASK) as usize];
                    }
                    start = end;
                }
            })
        })
    }
}

/// The in-arcs of a graph in CSR form, for the pull kernels: borrowed from the graph when it is
/// symmetric, otherwise its transpose, built once.
pub struct InEdges<'a> {
    csr: &'a Csr,
    offsets: Cow<'a, [u64]>,
    sources: Cow<'a, [NodeId]>,
}

/// Arcs (plus nodes) per chunk of [`InEdges::pagerank_par`] and of the transpose.
const CHUNK_WORK: u64 = 1 << 16;

impl<'a> InEdges<'a> {
    /// The in-arcs of `csr`: the graph itself when symmetric, else its transpose built in
    /// parallel (O(n + m) work: count, prefix sum, scatter, then each in-list sorted so the
    /// result does not depend on the thread count).
    pub fn of(csr: &'a Csr) -> Self {
        if csr.is_symmetric() {
            return InEdges { csr, offsets: Cow::Borrowed(csr.offsets()), sources: Cow::Borrowed(csr.targets()) };
        }
        let n = csr.num_nodes();
        let in_degree: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
        csr.targets().par_chunks(CHUNK_WORK as usize).for_each(|chunk| {
            for &v in chunk {
                in_degree[v as usize].fetch_add(1, Relaxed);
            }
        });
        let mut offsets = Vec::with_capacity(n + 1);
        let mut total = 0;
        offsets.push(0);
        for d in &in_degree {
            total += d.load(Relaxed);
            offsets.push(total);
        }
        let cursor: Vec<AtomicU64> = offsets[..n].iter().map(|&o| AtomicU64::new(o)).collect();
        let sources: Vec<std::sync::atomic::AtomicU32> =
            (0..total).map(|_| std::sync::atomic::AtomicU32::new(0)).collect();
        chunks(csr.offsets(), CHUNK_WORK).par_iter().for_each(|nodes| {
            for u in nodes.clone() {
                for &v in csr.neighbors(u as NodeId) {
                    let at = cursor[v as usize].fetch_add(1, Relaxed);
                    sources[at as usize].store(u as NodeId, Relaxed);
                }
            }
        });
        let mut sources: Vec<NodeId> = sources.into_iter().map(|s| s.into_inner()).collect();
        let bounds = chunks(&offsets, CHUNK_WORK);
        let mut parts = Vec::with_capacity(bounds.len());
        let mut rest = sources.as_mut_slice();
        for nodes in &bounds {
            let (part, tail) = rest.split_at_mut((offsets[nodes.end] - offsets[nodes.start]) as usize);
            parts.push((nodes.clone(), part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(nodes, part)| {
            let first = offsets[nodes.start];
            for v in nodes {
                part[(offsets[v] - first) as usize..(offsets[v + 1] - first) as usize].sort_unstable();
            }
        });
        InEdges { csr, offsets: Cow::Owned(offsets), sources: Cow::Owned(sources) }
    }

    /// PageRank by pulling over in-arcs in vertex order, one thread.
    pub fn pagerank(&self, params: &Params) -> Ranks {
        iterate(self.csr, params, |contrib, slots, base| self.pull(0, contrib, slots, base, params.damping as f32))
    }

    /// PageRank by pulling over in-arcs on the current rayon pool: the nodes are cut into
    /// contiguous chunks of about equal work (in-arcs plus nodes), updated in parallel. The cut
    /// does not depend on the thread count, and the chunks' totals are added in order, so the
    /// result does not either.
    pub fn pagerank_par(&self, params: &Params) -> Ranks {
        let bounds = chunks(&self.offsets, CHUNK_WORK);
        iterate(self.csr, params, |contrib, mut slots, base| {
            let mut parts = Vec::with_capacity(bounds.len());
            for nodes in &bounds {
                let (part, rest) = slots.split_at(nodes.len());
                parts.push((nodes.start, part));
                slots = rest;
            }
            let totals: Vec<Totals> = parts
                .into_par_iter()
                .map(|(first, part)| self.pull(first, contrib, part, base, params.damping as f32))
                .collect();
            totals.into_iter().fold(Totals::default(), |a, b| a + b)
        })
    }

    /// Updates the nodes `first..first + slots.len()` from the sums of their in-arcs'
    /// contributions.
    #[inline(always)]
    fn pull(&self, first: usize, contrib: &[f32], slots: Slots<'_>, base: f32, damping: f32) -> Totals {
        let offsets = &self.offsets[first..];
        slots.update(base, damping, |i| {
            let mut sum = 0.0f32;
            for &u in &self.sources[offsets[i] as usize..offsets[i + 1] as usize] {
                sum += contrib[u as usize];
            }
            sum
        })
    }
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

#[cfg(test)]
mod tests;
