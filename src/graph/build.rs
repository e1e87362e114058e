//! The parallel CSR builder: from edges to [`Csr`] with symmetrization, deduplication and
//! self-loop removal, in linear passes (counting and scattering, no global sort).
//!
//! 1. count each node's degree with atomic increments, in parallel over chunks of edges;
//! 2. prefix-sum the degrees into offsets;
//! 3. scatter every arc to its slot with an atomic cursor per node;
//! 4. sort each adjacency list (short lists, in parallel) and drop duplicates (keeping the
//!    smallest weight) and, where asked, self loops;
//! 5. compact when anything was dropped.
//!
//! The result is deterministic whatever the thread count: the scatter order differs between
//! runs but step 4 sorts it away.

use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use super::atomic::{as_atomic_u32, as_atomic_u64};
use super::{Array, Csr, EdgeList, GraphProps, NodeId, Weight};

/// What the builder does to the edges on the way in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Store every edge in both directions (an undirected graph). Self loops are stored once.
    pub symmetrize: bool,
    /// Keep one copy of parallel edges (the one with the smallest weight).
    pub dedup: bool,
    /// Drop edges `u -> u`.
    pub drop_self_loops: bool,
}

impl BuildOptions {
    /// Options for an undirected graph: symmetrize and dedup, keep self loops.
    pub fn undirected() -> Self {
        BuildOptions { symmetrize: true, dedup: true, drop_self_loops: false }
    }

    /// Options for a directed graph: dedup, keep self loops.
    pub fn directed() -> Self {
        BuildOptions { symmetrize: false, dedup: true, drop_self_loops: false }
    }
}

/// Anything the builder can read edges from, in independent parts processed in parallel.
trait ArcSource: Sync {
    fn num_parts(&self) -> usize;
    fn weighted(&self) -> bool;
    fn for_each_in_part(&self, part: usize, f: &mut dyn FnMut(NodeId, NodeId, Weight));
}

const EDGES_PER_PART: usize = 1 << 16;

impl ArcSource for EdgeList {
    fn num_parts(&self) -> usize {
        self.edges.len().div_ceil(EDGES_PER_PART)
    }
    fn weighted(&self) -> bool {
        self.weights.is_some()
    }
    fn for_each_in_part(&self, part: usize, f: &mut dyn FnMut(NodeId, NodeId, Weight)) {
        let start = part * EDGES_PER_PART;
        let end = (start + EDGES_PER_PART).min(self.edges.len());
        match &self.weights {
            Some(w) => {
                for (&(u, v), &w) in self.edges[start..end].iter().zip(&w[start..end]) {
                    f(u, v, w);
                }
            }
            None => {
                for &(u, v) in &self.edges[start..end] {
                    f(u, v, 1);
                }
            }
        }
    }
}

/// A CSR read node range by node range (the ranges hold roughly equal numbers of arcs).
struct CsrSource<'a> {
    csr: &'a Csr,
    bounds: Vec<u32>,
}

impl<'a> CsrSource<'a> {
    fn new(csr: &'a Csr) -> Self {
        let parts = (csr.num_arcs() as usize).div_ceil(EDGES_PER_PART).max(1);
        let offsets = csr.offsets();
        let mut bounds: Vec<u32> = (0..=parts)
            .map(|p| {
                let goal = (csr.num_arcs() as u128 * p as u128 / parts as u128) as u64;
                offsets.partition_point(|&o| o < goal).min(csr.num_nodes()) as u32
            })
            .collect();
        *bounds.last_mut().expect("at least two bounds") = csr.num_nodes() as u32;
        bounds.dedup();
        CsrSource { csr, bounds }
    }
}

impl ArcSource for CsrSource<'_> {
    fn num_parts(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }
    fn weighted(&self) -> bool {
        self.csr.is_weighted()
    }
    fn for_each_in_part(&self, part: usize, f: &mut dyn FnMut(NodeId, NodeId, Weight)) {
        for u in self.bounds[part]..self.bounds[part + 1] {
            for (v, w) in self.csr.weighted_neighbors(u) {
                f(u, v, w);
            }
        }
    }
}

impl Csr {
    /// Builds a CSR from an edge list. An undirected list (`directed == false`) is always
    /// symmetrized, whatever `options.symmetrize` says.
    pub fn from_edges(edges: &EdgeList, options: BuildOptions) -> Csr {
        let options = BuildOptions { symmetrize: options.symmetrize || !edges.directed, ..options };
        let props = GraphProps {
            directed: edges.directed && !options.symmetrize,
            symmetric: options.symmetrize,
            sorted: true,
            deduplicated: options.dedup,
        };
        let ids = edges.original_ids.clone().map(Array::owned);
        build(edges, edges.num_nodes, options, props, ids)
    }

    /// The undirected view of this graph: every arc in both directions, parallel arcs merged
    /// (keeping the smallest weight). Returns a copy even when the graph is already symmetric.
    pub fn symmetrized(&self) -> Csr {
        let options = BuildOptions { symmetrize: true, dedup: true, drop_self_loops: false };
        let props = GraphProps { directed: false, symmetric: true, sorted: true, deduplicated: true };
        let ids = self.original_ids().map(|ids| Array::owned(ids.to_vec()));
        build(&CsrSource::new(self), self.num_nodes(), options, props, ids)
    }
}

fn build(
    source: &dyn ArcSource,
    n: usize,
    opts: BuildOptions,
    props: GraphProps,
    original_ids: Option<Array<u64>>,
) -> Csr {
    let weighted = source.weighted();
    let keep = |u: NodeId, v: NodeId| !(opts.drop_self_loops && u == v);

    // 1. degrees
    let mut offsets = vec![0u64; n + 1];
    {
        let degree = as_atomic_u64(&mut offsets[..n]);
        (0..source.num_parts()).into_par_iter().for_each(|p| {
            source.for_each_in_part(p, &mut |u, v, _| {
                if keep(u, v) {
                    degree[u as usize].fetch_add(1, Relaxed);
                    if opts.symmetrize && u != v {
                        degree[v as usize].fetch_add(1, Relaxed);
                    }
                }
            })
        });
    }
    // 2. prefix sum (exclusive)
    let mut total = 0u64;
    for o in offsets.iter_mut() {
        let d = *o;
        *o = total;
        total += d;
    }
    let m = total as usize;

    // 3. scatter. Weighted arcs travel as `target << 32 | weight` so that one sort orders them
    // by (target, weight).
    let mut cursor = offsets[..n].to_vec();
    let cursor = as_atomic_u64(&mut cursor);
    let mut packed: Vec<u64> = Vec::new();
    let mut plain: Vec<u32> = Vec::new();
    if weighted {
        packed = vec![0u64; m];
        let slots = as_atomic_u64(&mut packed);
        let put = |u: NodeId, v: NodeId, w: Weight| {
            let at = cursor[u as usize].fetch_add(1, Relaxed) as usize;
            slots[at].store((v as u64) << 32 | w as u64, Relaxed);
        };
        scatter(source, opts, &keep, &put);
    } else {
        plain = vec![0u32; m];
        let slots = as_atomic_u32(&mut plain);
        let put = |u: NodeId, v: NodeId, _: Weight| {
            let at = cursor[u as usize].fetch_add(1, Relaxed) as usize;
            slots[at].store(v, Relaxed);
        };
        scatter(source, opts, &keep, &put);
    }

    // 4. sort (and dedup) each list in place; remember the new lengths.
    let lengths: Vec<u64> = if weighted {
        sort_lists(&mut packed, &offsets, opts.dedup, |x| x >> 32)
    } else {
        sort_lists(&mut plain, &offsets, opts.dedup, |x| x)
    };

    // 5. compact.
    let new_total: u64 = lengths.par_iter().sum();
    let (offsets, targets, weights) = if new_total == total {
        if weighted {
            let (t, w) = unpack(&packed);
            (offsets, t, Some(w))
        } else {
            (offsets, plain, None)
        }
    } else {
        let mut new_offsets = Vec::with_capacity(n + 1);
        let mut acc = 0u64;
        new_offsets.push(0);
        for &len in &lengths {
            acc += len;
            new_offsets.push(acc);
        }
        if weighted {
            let kept = gather(&packed, &offsets, &lengths);
            let (t, w) = unpack(&kept);
            (new_offsets, t, Some(w))
        } else {
            (new_offsets, gather(&plain, &offsets, &lengths), None)
        }
    };
    Csr::from_parts(Array::owned(offsets), Array::owned(targets), weights.map(Array::owned), original_ids, props)
        .expect("the builder produces a consistent CSR")
}

fn scatter(
    source: &dyn ArcSource,
    opts: BuildOptions,
    keep: &(dyn Fn(NodeId, NodeId) -> bool + Sync),
    put: &(dyn Fn(NodeId, NodeId, Weight) + Sync),
) {
    (0..source.num_parts()).into_par_iter().for_each(|p| {
        source.for_each_in_part(p, &mut |u, v, w| {
            if keep(u, v) {
                put(u, v, w);
                if opts.symmetrize && u != v {
                    put(v, u, w);
                }
            }
        })
    });
}

/// Sorts every list `values[offsets[u]..offsets[u+1]]`; with `dedup`, moves the first of each run
/// of equal keys to the front. Returns each list's kept length.
fn sort_lists<T: Copy + Ord + Send + Sync>(
    values: &mut [T],
    offsets: &[u64],
    dedup: bool,
    key: impl Fn(T) -> T + Sync,
) -> Vec<u64> {
    let n = offsets.len() - 1;
    let mut lists: Vec<&mut [T]> = Vec::with_capacity(n);
    let mut rest = values;
    for u in 0..n {
        let (head, tail) = rest.split_at_mut((offsets[u + 1] - offsets[u]) as usize);
        lists.push(head);
        rest = tail;
    }
    lists
        .into_par_iter()
        .with_min_len(512)
        .map(|list| {
            list.sort_unstable();
            if !dedup || list.len() < 2 {
                return list.len() as u64;
            }
            let mut kept = 1;
            for i in 1..list.len() {
                if key(list[i]) != key(list[kept - 1]) {
                    list[kept] = list[i];
                    kept += 1;
                }
            }
            kept as u64
        })
        .collect()
}

fn gather<T: Copy + Send + Sync>(values: &[T], offsets: &[u64], lengths: &[u64]) -> Vec<T> {
    (0..lengths.len())
        .into_par_iter()
        .with_min_len(512)
        .flat_map_iter(|u| {
            let start = offsets[u] as usize;
            values[start..start + lengths[u] as usize].iter().copied()
        })
        .collect()
}

fn unpack(packed: &[u64]) -> (Vec<NodeId>, Vec<Weight>) {
    let targets = packed.par_iter().map(|&x| (x >> 32) as NodeId).collect();
    let weights = packed.par_iter().map(|&x| x as Weight).collect();
    (targets, weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(csr: &Csr) -> Vec<Vec<(u32, u32)>> {
        (0..csr.num_nodes() as u32).map(|u| csr.weighted_neighbors(u).collect()).collect()
    }

    #[test]
    fn symmetrize_dedup_keeps_min_weight_and_one_self_loop() {
        let edges =
            EdgeList::new(3, vec![(0, 1), (1, 0), (0, 1), (2, 2), (1, 2)], false).with_weights(vec![5, 3, 7, 9, 1]);
        let csr = Csr::from_edges(&edges, BuildOptions::undirected());
        assert_eq!(lists(&csr), vec![vec![(1, 3)], vec![(0, 3), (2, 1)], vec![(1, 1), (2, 9)]]);
        assert!(csr.is_symmetric());
    }

    #[test]
    fn directed_keeps_duplicates_when_asked_and_drops_self_loops() {
        let edges = EdgeList::new(3, vec![(0, 1), (0, 1), (2, 2), (2, 0)], true);
        let opts = BuildOptions { symmetrize: false, dedup: false, drop_self_loops: true };
        let csr = Csr::from_edges(&edges, opts);
        assert_eq!(csr.offsets(), &[0, 2, 2, 3]);
        assert_eq!(csr.targets(), &[1, 1, 0]);
        assert!(!csr.is_symmetric());
    }

    #[test]
    fn empty_and_isolated() {
        let csr = Csr::from_edges(&EdgeList::new(0, vec![], true), BuildOptions::directed());
        assert_eq!(csr.num_nodes(), 0);
        let csr = Csr::from_edges(&EdgeList::new(4, vec![], false), BuildOptions::undirected());
        assert_eq!(csr.offsets(), &[0, 0, 0, 0, 0]);
    }

    #[test]
    fn symmetrized_matches_building_undirected() {
        let edges = EdgeList::new(5, vec![(0, 1), (3, 1), (4, 4), (1, 0), (2, 3)], true);
        let directed = Csr::from_edges(&edges, BuildOptions::directed());
        let mut undirected_edges = edges.clone();
        undirected_edges.directed = false;
        let undirected = Csr::from_edges(&undirected_edges, BuildOptions::undirected());
        let sym = directed.symmetrized();
        assert_eq!(sym.offsets(), undirected.offsets());
        assert_eq!(sym.targets(), undirected.targets());
    }
}
