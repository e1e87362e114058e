//! `afforest`: parallel connected components with rayon, after Sutton, Ben-Nun, Barak,
//! "Optimizing Parallel Graph Connectivity Computation via Subgraph Sampling", IPDPS 2018 (the
//! gapbs `cc` kernel).
//!
//! 1. sampling: every node is united with its first [`ROUNDS`] neighbours by a lock-free union
//!    (Rem's algorithm with splicing, compare-and-swap on every write: [`dsu::link`]; gapbs hooks
//!    roots only, which on Kronecker 20 took 1.6× longer on one thread), in one pass, then the
//!    forest is flattened ([`dsu::compress`]) once;
//! 2. the most frequent label among 1024 samples names the (probable) giant component;
//! 3. every node outside it unites with its remaining neighbours; nodes inside are skipped, which
//!    on real and Kronecker graphs skips most arcs. Skipping needs the reverse of every arc, so a
//!    directed (non-symmetric) input skips nothing and unites over every arc;
//! 4. a final compress yields the canonical labels (roots are the smallest ids by construction).
//!
//! Work `O(n + m)` expected on graphs with a giant component (`O(m α(n))` worst case), depth
//! `O(log n)` per compress plus the longest hook chain; in practice near linear speed-up.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use super::Components;
use super::dsu::{compress, link, most_frequent};
use crate::graph::Csr;

/// Number of neighbour sampling rounds.
pub const ROUNDS: usize = 2;

/// Nodes per rayon task in the per-node loops (the finish loop has a skewed cost per node).
const GRAIN: usize = 1024;

/// Connected components of the undirected view of `csr`, in canonical form, on the current rayon
/// pool.
pub fn afforest(csr: &Csr) -> Components {
    let n = csr.num_nodes();
    let offsets = csr.offsets();
    let targets = csr.targets();
    let parent: Vec<AtomicU32> = (0..n as u32).into_par_iter().map(AtomicU32::new).collect();
    let skip = csr.is_symmetric();
    let sampled = if skip { ROUNDS } else { 0 };
    if sampled > 0 {
        // All sampling rounds in one pass and one compress (gapbs compresses after each round):
        // the second link of a node usually finds its first one's root a step away.
        (0..n).into_par_iter().with_min_len(GRAIN).for_each(|u| {
            let (start, end) = (offsets[u] as usize, offsets[u + 1] as usize);
            for &v in &targets[start..end.min(start + sampled)] {
                link(&parent, u as u32, v);
            }
        });
        compress(&parent);
    }
    let giant = if skip { most_frequent(n, |i| parent[i].load(Relaxed)) } else { None };
    (0..n).into_par_iter().with_min_len(GRAIN).for_each(|u| {
        if Some(parent[u].load(Relaxed)) == giant {
            return;
        }
        let (start, end) = (offsets[u] as usize, offsets[u + 1] as usize);
        for &v in &targets[(start + sampled).min(end)..end] {
            link(&parent, u as u32, v);
        }
    });
    compress(&parent);
    Components::from_canonical(parent.into_iter().map(AtomicU32::into_inner).collect())
}
