//! The transpose of a directed graph, its in-arcs, as a `.cgr` stores it once so that pull
//! kernels need not rebuild it every run (`costgraph convert --with-transpose`).
//!
//! The in-arcs are built out of core: one pass counts the in-degrees (the `8 (n + 1)` bytes of
//! in-offsets), then the destinations are cut into ranges whose in-arcs fit the memory budget,
//! and for each range one pass over the out-arcs in node order fills the range's in-lists, each
//! in increasing source order, and hands them over ([`for_each_range`]). A graph whose in-arcs
//! fit takes two passes; one of `k` times the budget, `k + 1`.
//!
//! A stored transpose is checked on open like every section ([`super::adjacency::check_reversed`]): lists sorted, sources
//! below `n`, as many in-arcs as arcs, and the sums of a strong hash of every arc `(u, v)` taken
//! over the out-lists and over the in-lists equal (so every arc is there, with overwhelming
//! probability): O(n + m) work in parallel, no extra memory.

use super::{Adjacency, Budget, Csr, NodeId};
use crate::{Error, Result};

/// The in-offsets of `csr`: `n + 1` entries from 0 to `m`, node `v`'s in-arcs at
/// `offsets[v]..offsets[v + 1]`. One pass over the targets; `8 (n + 1)` bytes, checked against
/// `budget`.
pub fn in_offsets(csr: &Csr, budget: &Budget) -> Result<Vec<u64>> {
    let n = csr.num_nodes();
    budget.check("the transpose's in-offsets", 8 * (n as u64 + 1))?;
    let mut offsets = super::budget::try_zeroed::<u64>(n + 1, "the transpose's in-offsets")?;
    for &v in csr.targets() {
        offsets[v as usize + 1] += 1;
    }
    for v in 0..n {
        offsets[v + 1] += offsets[v];
    }
    Ok(offsets)
}

/// Hands `emit` the in-lists of `csr` (in-offsets from [`in_offsets`]) in destination order, a
/// range of destinations at a time, all their sources concatenated, each list in increasing
/// source order; the ranges' in-arcs take at most what `budget` leaves beyond the in-offsets
/// (one destination's in-arcs at least). One pass over the out-arcs per range.
pub fn for_each_range(
    csr: &Csr,
    offsets: &[u64],
    budget: &Budget,
    emit: impl FnMut(&[NodeId]) -> Result<()>,
) -> Result<()> {
    // 4 bytes per in-arc of the range and 8 per node for its cursor, counted as 12 per arc.
    let room = (budget.bytes().saturating_sub(8 * offsets.len() as u64) / 12).max(1);
    ranges_of(csr, offsets, room, emit)
}

/// [`for_each_range`] with ranges of at most `room` in-arcs (one node's at least).
fn ranges_of(csr: &Csr, offsets: &[u64], room: u64, mut emit: impl FnMut(&[NodeId]) -> Result<()>) -> Result<()> {
    let n = csr.num_nodes();
    let mut start = 0;
    while start < n {
        // The longest range from `start` whose in-arcs fit `room` (at least one node).
        let limit = offsets[start] + room;
        let end = offsets.partition_point(|&o| o <= limit).clamp(start + 1, n + 1) - 1;
        let end = end.max(start + 1);
        let base = offsets[start];
        let len = (offsets[end] - base) as usize;
        let mut sources = super::budget::try_zeroed::<NodeId>(len, "the transpose's in-arcs")?;
        let mut cursor: Vec<u64> = offsets[start..end].iter().map(|&o| o - base).collect();
        let range = start as NodeId..end as NodeId;
        for u in 0..n as NodeId {
            for &v in csr.neighbors(u) {
                if range.contains(&v) {
                    let at = &mut cursor[(v - range.start) as usize];
                    sources[*at as usize] = u;
                    *at += 1;
                }
            }
        }
        emit(&sources)?;
        csr.release_mapped_pages();
        start = end;
    }
    Ok(())
}

/// The in-arcs of `csr` in memory: [`in_offsets`] and every range of [`for_each_range`].
pub fn build(csr: &Csr, budget: &Budget) -> Result<Adjacency> {
    let offsets = in_offsets(csr, budget)?;
    let mut sources = Vec::new();
    sources.try_reserve_exact(csr.targets().len()).map_err(|_| Error::invalid("out of memory for the transpose"))?;
    for_each_range(csr, &offsets, &budget.less(4 * csr.num_arcs()), |part| {
        sources.extend_from_slice(part);
        Ok(())
    })?;
    Ok(Adjacency::assemble(super::Array::owned(offsets), super::Array::owned(sources), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, EdgeList};
    use crate::testing::{self, Rng};

    #[test]
    fn ranges_of_any_size_give_the_sorted_in_lists() {
        let edges = testing::random_edges(&mut Rng::new(5), 3000, 400, 300);
        let g = Csr::from_edges(&EdgeList::new(500, edges, true), BuildOptions::directed());
        let whole = build(&g, &Budget::default()).unwrap();
        for v in 0..500u32 {
            let mut want: Vec<NodeId> = (0..500u32).filter(|&u| g.neighbors(u).contains(&v)).collect();
            want.dedup();
            assert_eq!(whole.neighbors(v), &want[..], "in-list of {v}");
        }
        super::super::adjacency::check_reversed(g.lists(), &whole).unwrap();
        let offsets = in_offsets(&g, &Budget::default()).unwrap();
        for room in [1, 2, 7, 100, 5000] {
            let mut sources = Vec::new();
            let mut calls = 0;
            ranges_of(&g, &offsets, room, |part| {
                sources.extend_from_slice(part);
                calls += 1;
                Ok(())
            })
            .unwrap();
            assert_eq!(sources, whole.targets(), "room {room}");
            // Each range but one holding a node above the room is full to within one node's in-arcs.
            let max_in = (0..500).map(|v| offsets[v + 1] - offsets[v]).max().unwrap();
            assert!(calls as u64 >= g.num_arcs() / (room + max_in), "room {room}: {calls} ranges");
        }
    }
}
