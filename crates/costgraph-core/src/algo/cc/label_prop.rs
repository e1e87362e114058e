//! `label-prop` and `label-prop-par`: connected components by minimum-label propagation to a
//! fixed point, the "label propagation" baseline of McSherry, Isard, Murray (HotOS 2015) and the
//! vertex-centric algorithm of Pregel-style systems. Labels start as node ids and every node
//! repeatedly takes the smallest label in its neighbourhood, so they converge to the smallest id
//! of each component: the canonical labels directly. Both need the symmetric (undirected) view.
//!
//! Both versions are *asynchronous* and *data driven*: labels are updated in place (a change is
//! seen by nodes processed later in the same sweep, unlike synchronous Jacobi rounds, which need
//! one round per hop of the diameter), and only nodes whose label dropped since they last pushed
//! are visited again (a frontier bitmap). A visit pulls the minimum over the neighbourhood, then
//! pushes it to every neighbour with a larger label and marks those neighbours active.
//!
//! Work `O(m · R)` for `R` sweeps (at most the diameter plus one, far fewer in practice since a
//! sweep carries labels along increasing-id paths in one go and the frontier shrinks fast);
//! depth `O(R · max degree)` for the rayon version, which uses relaxed atomic `fetch_min` on the
//! labels and `fetch_or` on the next sweep's frontier.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};

use rayon::prelude::*;

use super::Components;
use super::dsu::singletons;
use crate::graph::Csr;

/// A frontier bitmap with every one of `n` nodes set.
pub fn all_set(n: usize) -> Vec<u64> {
    let mut words = vec![u64::MAX; n.div_ceil(64)];
    if !n.is_multiple_of(64) {
        words[n / 64] = (1u64 << (n % 64)) - 1;
    }
    words
}

/// Sequential asynchronous label propagation on the symmetric graph `csr`.
pub fn label_prop(csr: &Csr) -> Components {
    let mut label = singletons(csr.num_nodes());
    let mut active = all_set(csr.num_nodes());
    let mut any = true;
    while any {
        any = false;
        for w in 0..active.len() {
            while active[w] != 0 {
                any = true;
                let u = w * 64 + active[w].trailing_zeros() as usize;
                active[w] &= active[w] - 1;
                let neighbors = csr.neighbors(u as u32);
                let m = neighbors.iter().fold(label[u], |m, &v| m.min(label[v as usize]));
                label[u] = m;
                for &v in neighbors {
                    if label[v as usize] > m {
                        label[v as usize] = m;
                        active[v as usize / 64] |= 1 << (v % 64);
                    }
                }
            }
        }
    }
    Components::from_canonical(label)
}

/// Parallel asynchronous label propagation on the symmetric graph `csr`, on the current rayon
/// pool: each sweep visits the frontier in parallel and builds the next frontier.
pub fn label_prop_par(csr: &Csr) -> Components {
    let n = csr.num_nodes();
    let label: Vec<AtomicU32> = (0..n as u32).into_par_iter().map(AtomicU32::new).collect();
    let mut frontier: Vec<AtomicU64> = all_set(n).into_iter().map(AtomicU64::new).collect();
    let mut next: Vec<AtomicU64> = (0..frontier.len()).map(|_| AtomicU64::new(0)).collect();
    loop {
        let changed = AtomicBool::new(false);
        frontier.par_iter().enumerate().with_min_len(16).for_each(|(w, word)| {
            let mut bits = word.swap(0, Relaxed);
            let mut pushed = false;
            while bits != 0 {
                let u = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let neighbors = csr.neighbors(u as u32);
                let m = neighbors.iter().fold(label[u].load(Relaxed), |m, &v| m.min(label[v as usize].load(Relaxed)));
                label[u].fetch_min(m, Relaxed);
                for &v in neighbors {
                    if label[v as usize].load(Relaxed) > m {
                        label[v as usize].fetch_min(m, Relaxed);
                        next[v as usize / 64].fetch_or(1 << (v % 64), Relaxed);
                        pushed = true;
                    }
                }
            }
            if pushed {
                changed.store(true, Relaxed);
            }
        });
        if !changed.load(Relaxed) {
            break;
        }
        std::mem::swap(&mut frontier, &mut next);
    }
    Components::from_canonical(label.into_iter().map(AtomicU32::into_inner).collect())
}
