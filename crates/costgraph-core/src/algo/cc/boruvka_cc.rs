//! `boruvka-cc`: parallel connected components by Borůvka-style hooking and contraction (Borůvka
//! 1926; the hook-and-contract scheme of Shiloach–Vishkin 1982), with rayon. The clean reference
//! for a dataflow version: every step is a bulk map, filter or min-reduction over edges.
//!
//! 1. every node hooks to its smallest neighbour (or stays a root), read straight off the CSR;
//!    pointer jumping turns the hook forest into component labels;
//! 2. the arcs between different components become a contracted edge list `(a, b)`, `a < b`;
//! 3. while edges remain: every component `b` finds its smallest neighbouring component `a`
//!    (`fetch_min`) and hooks to it if smaller; pointer jumping flattens the new hooks; edges are
//!    relabelled and the ones now inside a component dropped.
//!
//! Hooks always point to smaller ids, so there are no cycles and the final roots are the smallest
//! ids of their components (canonical labels). Every component with an edge hooks or is hooked
//! to, so the number of such components at least halves per round: `O(log n)` rounds, work
//! `O((n + m) log n)` in the worst case (edges shrink as they fall inside components), depth
//! `O(log² n)`. A directed input is read as a set of arcs, which is fine for connectivity.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use super::Components;
use super::dsu::{compress, find};
use crate::graph::{Csr, NodeId};

/// Nodes per rayon task in the per-node loops.
const GRAIN: usize = 1024;

/// Connected components of the undirected view of `csr`, in canonical form, on the current rayon
/// pool.
pub fn boruvka_cc(csr: &Csr) -> Components {
    let n = csr.num_nodes();
    let parent: Vec<AtomicU32> = (0..n as NodeId)
        .into_par_iter()
        .with_min_len(GRAIN)
        .map(|u| AtomicU32::new(csr.neighbors(u).iter().copied().fold(u, NodeId::min)))
        .collect();
    compress(&parent);
    let symmetric = csr.is_symmetric();
    let label = |u: NodeId| parent[u as usize].load(Relaxed);
    let mut edges: Vec<(NodeId, NodeId)> = (0..n as NodeId)
        .into_par_iter()
        .with_min_len(GRAIN)
        .flat_map_iter(|u| {
            let a = label(u);
            csr.neighbors(u).iter().filter(move |&&v| !symmetric || v > u).filter_map(move |&v| {
                let b = label(v);
                (a != b).then(|| (a.min(b), a.max(b)))
            })
        })
        .collect();
    let best: Vec<AtomicU32> = (0..n as NodeId).into_par_iter().map(AtomicU32::new).collect();
    while !edges.is_empty() {
        // Every write below is guarded by a plain load: most edges change nothing, and skipping
        // the read-modify-write keeps the hot components' cache lines shared between threads.
        edges.par_iter().for_each(|&(_, b)| {
            if best[b as usize].load(Relaxed) != b {
                best[b as usize].store(b, Relaxed);
            }
        });
        edges.par_iter().for_each(|&(a, b)| {
            if best[b as usize].load(Relaxed) > a {
                best[b as usize].fetch_min(a, Relaxed);
            }
        });
        edges.par_iter().for_each(|&(_, b)| {
            let hook = best[b as usize].load(Relaxed);
            if parent[b as usize].load(Relaxed) != hook {
                parent[b as usize].store(hook, Relaxed);
            }
        });
        edges.par_iter().for_each(|&(a, b)| {
            for x in [a, b] {
                let root = find(&parent, x);
                if parent[x as usize].load(Relaxed) != root {
                    parent[x as usize].store(root, Relaxed);
                }
            }
        });
        edges = edges
            .into_par_iter()
            .filter_map(|(a, b)| {
                let (a, b) = (label(a), label(b));
                (a != b).then(|| (a.min(b), a.max(b)))
            })
            .collect();
    }
    compress(&parent);
    Components::from_canonical(parent.into_iter().map(AtomicU32::into_inner).collect())
}
