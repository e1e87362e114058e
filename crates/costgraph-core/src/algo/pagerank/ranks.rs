//! What PageRank computes and how it is checked: the parameters, the result, and the plain `f64`
//! reference every kernel is verified against.

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
    pub(super) ranks: Vec<f32>,
    pub(super) iterations: u32,
    pub(super) last_change: f64,
    pub(super) damping: f64,
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
