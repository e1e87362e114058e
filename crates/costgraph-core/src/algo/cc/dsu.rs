//! Disjoint-set primitives shared by the union-find style kernels ([`super::union_find`],
//! [`super::afforest`], [`super::boruvka_cc`]).
//!
//! Every kernel here keeps the invariant `parent[x] <= x`: a root is only ever hooked under a
//! *smaller* id ("union by index"). Two consequences make the final pass cheap: the root of each
//! tree is the smallest node id of its component (the canonical label of
//! [`Components`](super::Components)), and one sweep in increasing id order compresses every path
//! ([`flatten`]), because `parent[x]` is final before `x` is visited.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use crate::generate::Rng;
use crate::graph::NodeId;

/// The identity labelling `0..n`: every node its own set.
pub fn singletons(n: usize) -> Vec<NodeId> {
    (0..n as NodeId).collect()
}

/// Sequential union of the sets of `x` and `y` with Rem's algorithm and splicing (Patwary, Blair,
/// Manne, "Experiments on union-find algorithms for the disjoint-set data structure", SEA 2010):
/// both paths are climbed in lock step, always moving the side with the larger parent, and each
/// node passed is re-pointed to the other side's smaller parent. It exits as soon as the two paths
/// meet, usually after one or two steps, and never needs a separate `find`. Returns whether the
/// two were in different sets (and are now joined).
#[inline]
pub fn rem_union(parent: &mut [NodeId], mut x: NodeId, mut y: NodeId) -> bool {
    loop {
        let (px, py) = (parent[x as usize], parent[y as usize]);
        if px == py {
            return false;
        }
        if px > py {
            // Splice: `py < px <= x` keeps `parent[x] <= x`.
            parent[x as usize] = py;
            if px == x {
                return true;
            }
            x = px;
        } else {
            parent[y as usize] = px;
            if py == y {
                return true;
            }
            y = py;
        }
    }
}

/// Sequential final pass: points every node straight at its root (the smallest id of its set).
/// Needs `parent[x] <= x` for all `x`.
pub fn flatten(parent: &mut [NodeId]) {
    for x in 0..parent.len() {
        parent[x] = parent[parent[x] as usize];
    }
}

/// Concurrent find: follows parents to the root with relaxed loads (the answer may be stale by
/// the time it returns; callers re-check with a compare-and-swap).
#[inline]
pub fn find(parent: &[AtomicU32], mut x: NodeId) -> NodeId {
    loop {
        let p = parent[x as usize].load(Relaxed);
        if p == x {
            return x;
        }
        x = p;
    }
}

/// Concurrent lock-free union of the sets of `x` and `y`: Rem's algorithm with splicing, as
/// [`rem_union`] does on one thread, made safe for many with compare-and-swap (the lock-free
/// "Rem-CAS" of Dhulipala, Hong, Shun, "ConnectIt", VLDB 2020). The walker on the larger parent
/// moves up; on the way it splices its node onto the other walker's (smaller) parent, and at a
/// root it hooks the root there. A splice or a hook that loses a race is simply retried from the
/// fresh parents. Every write replaces a parent by a smaller id, so `parent[x] <= x` holds
/// throughout, there are never cycles, and each root is its set's smallest id. The splicing keeps
/// the trees shallow, so later unions climb few steps: the same work as the sequential
/// [`rem_union`] (Afforest's hook-only link, which never shortens a path, made `afforest` 1.6×
/// slower on one thread on Kronecker 20).
#[inline]
pub fn link(parent: &[AtomicU32], mut x: NodeId, mut y: NodeId) {
    loop {
        let (mut px, mut py) = (parent[x as usize].load(Relaxed), parent[y as usize].load(Relaxed));
        if px == py {
            return;
        }
        if px < py {
            (x, y, px, py) = (y, x, py, px);
        }
        // Now `py < px <= x`: hook the root, or splice and climb.
        if px == x {
            if parent[x as usize].compare_exchange(x, py, Relaxed, Relaxed).is_ok() {
                return;
            }
        } else {
            let _ = parent[x as usize].compare_exchange(px, py, Relaxed, Relaxed);
            x = px;
        }
    }
}

/// Parallel pointer jumping over all nodes: afterwards every node points at its root. Safe to run
/// while no union is in flight; with `parent[x] <= x` the result is the canonical labelling.
pub fn compress(parent: &[AtomicU32]) {
    parent.par_iter().with_min_len(4096).for_each(|p| {
        let mut x = p.load(Relaxed);
        loop {
            let px = parent[x as usize].load(Relaxed);
            if px == x {
                break;
            }
            x = px;
        }
        p.store(x, Relaxed);
    });
}

/// Samples labels to guess the most frequent one (the root of the largest component after the
/// sampling rounds of Afforest). `label(i)` reads the current label of node `i`; returns `None` on
/// an empty graph. Deterministic: the sample positions come from a fixed-seed SplitMix64.
pub fn most_frequent(n: usize, label: impl Fn(usize) -> NodeId) -> Option<NodeId> {
    const SAMPLES: usize = 1024;
    if n == 0 {
        return None;
    }
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut sample: Vec<NodeId> = (0..SAMPLES).map(|_| label(rng.below(n as u64) as usize)).collect();
    sample.sort_unstable();
    sample.chunk_by(|a, b| a == b).max_by_key(|run| run.len()).map(|run| run[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rem_union_keeps_smallest_root() {
        let mut p = singletons(6);
        assert!(rem_union(&mut p, 5, 3));
        assert!(rem_union(&mut p, 4, 5));
        assert!(rem_union(&mut p, 1, 2));
        assert!(rem_union(&mut p, 2, 4));
        assert!(!rem_union(&mut p, 3, 1));
        flatten(&mut p);
        assert_eq!(p, vec![0, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn concurrent_link_keeps_smallest_root() {
        let p: Vec<AtomicU32> = (0..6).map(AtomicU32::new).collect();
        link(&p, 5, 3);
        link(&p, 4, 5);
        link(&p, 2, 4);
        compress(&p);
        let labels: Vec<u32> = p.iter().map(|a| a.load(Relaxed)).collect();
        assert_eq!(labels, vec![0, 1, 2, 2, 2, 2]);
        assert_eq!(find(&p, 5), 2);
    }

    #[test]
    fn links_racing_on_four_threads_give_the_sequential_sets() {
        // Few nodes and many edges, so that the threads keep splicing and hooking the same trees.
        for seed in 0..20u64 {
            let mut rng = Rng::new(seed);
            let n = 64 + rng.below(200) as usize;
            let edges: Vec<(NodeId, NodeId)> = (0..n / 2 + rng.below(2 * n as u64) as usize)
                .map(|_| (rng.below(n as u64) as NodeId, rng.below(n as u64) as NodeId))
                .collect();
            let mut expected = singletons(n);
            for &(u, v) in &edges {
                rem_union(&mut expected, u, v);
            }
            flatten(&mut expected);
            let p: Vec<AtomicU32> = (0..n as u32).map(AtomicU32::new).collect();
            std::thread::scope(|scope| {
                for part in edges.chunks(edges.len().div_ceil(4)) {
                    let p = &p;
                    scope.spawn(move || part.iter().for_each(|&(u, v)| link(p, u, v)));
                }
            });
            assert!(
                p.iter().enumerate().all(|(x, a)| a.load(Relaxed) as usize <= x),
                "seed {seed}: parent above a node"
            );
            compress(&p);
            let labels: Vec<u32> = p.iter().map(|a| a.load(Relaxed)).collect();
            assert_eq!(labels, expected, "seed {seed}");
        }
    }

    #[test]
    fn most_frequent_finds_the_majority() {
        let labels = [7u32, 7, 7, 1, 2, 7, 7, 3];
        assert_eq!(most_frequent(labels.len(), |i| labels[i]), Some(7));
        assert_eq!(most_frequent(0, |_| 0), None);
    }
}
