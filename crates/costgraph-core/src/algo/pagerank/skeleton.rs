//! The iteration skeleton every PageRank kernel shares: the per-node update, the jump and
//! dangling terms, the double-buffered contributions, the stopping rule.

use super::ranks::{Params, Ranks};
use crate::graph::Csr;

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
    pub(super) fn split_at(self, mid: usize) -> (Slots<'a>, Slots<'a>) {
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
pub(super) fn iterate(csr: &Csr, params: &Params, mut sweep: impl FnMut(&[f32], Slots<'_>, f32) -> Totals) -> Ranks {
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
pub(super) fn chunks(offsets: &[u64], work: u64) -> Vec<std::ops::Range<usize>> {
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
