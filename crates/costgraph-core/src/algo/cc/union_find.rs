//! `union-find`: sequential connected components, the COST baseline. One thread, no parallel
//! runtime anywhere on its path.
//!
//! Rem's union-find with splicing and union by index ([`dsu::rem_union`]), so the root of each
//! set is its smallest node id and one final sweep ([`dsu::flatten`]) yields canonical labels.
//! On a symmetric graph it adds Afforest's neighbour sampling (Sutton, Ben-Nun, Barak, IPDPS
//! 2018) on one thread: union every node with its first [`SAMPLE`] neighbours, guess the largest
//! set by sampling, then union the remaining neighbours of the nodes outside it only. Skipping is
//! sound because an edge is missed only when both its ends were already in the largest set; it
//! needs the reverse of every arc, so a directed (non-symmetric) input gets a plain union over
//! every arc instead, which is also correct (components are those of the undirected view).
//!
//! Work: `O(n + m α(n))` in the worst case, and on graphs with a giant component close to
//! `O(n + SAMPLE·n)` because the giant component's arcs are never read. Depth: the same (sequential).
//! Union-find: Tarjan 1975; the COST baseline: McSherry, Isard, Murray, HotOS 2015.
//!
//! Choices, measured on Graph500 Kronecker graphs (scale 20 and 22, edge factor 16): two sampled
//! neighbours per node, in one pass over the nodes. One neighbour leaves the giant component
//! fragmented, so far more nodes must be finished (about 4× slower); three gain nothing over two;
//! two separate sampling rounds as in gapbs cost a second pass. Plain Rem over the arcs `v < u`
//! (each undirected edge once, no sampling) reads every arc and is slower. Unchecked indexing in
//! [`dsu::rem_union`] gained nothing measurable, so the code stays safe. The current figures:
//! BENCHMARKS.md.

use super::Components;
use super::dsu::{flatten, most_frequent, rem_union, singletons};
use crate::graph::{Csr, NodeId};

/// Neighbours of every node united in the sampling phase.
pub const SAMPLE: usize = 2;

/// Connected components of the `n` nodes joined by `edges` (an edge list, any orientation), in
/// canonical form: plain Rem over every edge, then one flattening sweep. Work `O(n + m α(n))`.
/// What a user holding a changing edge list recomputes from scratch.
pub fn union_find_edges(n: usize, edges: &[(NodeId, NodeId)]) -> Components {
    let mut parent = singletons(n);
    for &(u, v) in edges {
        rem_union(&mut parent, u, v);
    }
    flatten(&mut parent);
    Components::from_canonical(parent)
}

/// Connected components of the undirected view of `csr`, in canonical form.
pub fn union_find(csr: &Csr) -> Components {
    let n = csr.num_nodes();
    let offsets = csr.offsets();
    let targets = csr.targets();
    let mut parent = singletons(n);
    if csr.is_symmetric() {
        for u in 0..n {
            let start = offsets[u] as usize;
            let end = (offsets[u + 1] as usize).min(start + SAMPLE);
            for &v in &targets[start..end] {
                rem_union(&mut parent, u as u32, v);
            }
        }
        flatten(&mut parent);
        if let Some(giant) = most_frequent(n, |i| parent[i]) {
            for u in 0..n {
                if parent[u] == giant {
                    continue;
                }
                let (start, end) = (offsets[u] as usize, offsets[u + 1] as usize);
                for &v in &targets[(start + SAMPLE).min(end)..end] {
                    rem_union(&mut parent, u as u32, v);
                }
            }
        }
    } else {
        for u in 0..n {
            for &v in &targets[offsets[u] as usize..offsets[u + 1] as usize] {
                rem_union(&mut parent, u as u32, v);
            }
        }
    }
    flatten(&mut parent);
    Components::from_canonical(parent)
}
