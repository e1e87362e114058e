//! Kruskal's minimum spanning forest, single thread: the COST baseline for MSF.
//!
//! 1. Extract every undirected edge once as a 12-byte record `(w, min, max)`: on a symmetric,
//!    sorted CSR the arcs `u -> v` with `u < v`, which come out already ordered by `(u, v)`; on any
//!    other CSR every arc that is not a self loop, which is then put in `(min, max)` order by a
//!    least-significant-digit radix sort on `max`, then `min`.
//! 2. Stable LSD radix sort on the weight (counting-sort passes of at most 11 bits, passes whose
//!    digit is the same for every edge skipped): edges end up in the total order
//!    `(weight, min, max)` without a single comparison.
//! 3. Scan in that order with a union-find (Rem's algorithm with splicing, which links by index and
//!    halves paths as it goes; Patwary, Blair, Manne, SEA 2010), taking each edge that joins two
//!    trees, and stop as soon as the forest has `n - isolated - 1` edges (the most it can have when
//!    the non-isolated nodes are connected).
//!
//! Work `O(m · ⌈log₂ W / 11⌉ + m · α(n))` (plus two radix passes per 11 bits of node id on an
//! input that is not symmetric and sorted), depth the same: no parallelism, no parallel runtime.
//! Extra memory: two 12-byte records per edge (the sort's source and destination) and 4 bytes per
//! node.
//!
//! Kruskal, "On the shortest spanning subtree of a graph and the traveling salesman problem",
//! Proc. AMS 1956. Filter-Kruskal (Osipov, Sanders, Singler, ALENEX 2009) was tried; see
//! [`super`] for the measurements that decided against it.
//!
//! The graph must be weighted (the caller checks `needs_weights`).

use super::Forest;
use crate::graph::{Csr, NodeId, Weight};

/// An undirected edge with `u < v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
struct Edge {
    w: Weight,
    u: NodeId,
    v: NodeId,
}

/// A field of [`Edge`] a radix pass reads.
#[derive(Clone, Copy)]
enum Field {
    W,
    U,
    V,
}

impl Field {
    #[inline(always)]
    fn of(self, e: &Edge) -> u32 {
        match self {
            Field::W => e.w,
            Field::U => e.u,
            Field::V => e.v,
        }
    }
}

/// The minimum spanning forest of `csr`'s undirected view (each arc an edge; of parallel arcs the
/// lightest wins), ties broken by `(weight, min(u, v), max(u, v))`.
///
/// # Panics
/// When the graph has no weights (callers check [`crate::registry::Implementation::needs_weights`]).
pub fn kruskal(csr: &Csr) -> Forest {
    let n = csr.num_nodes();
    let (edges, isolated) = sorted_edges(csr);
    // With at least one edge, the non-isolated nodes form at least one tree.
    let limit = if isolated < n { n - isolated - 1 } else { 0 };
    let mut parent: Vec<NodeId> = (0..n as NodeId).collect();
    let mut forest = Vec::with_capacity(limit);
    for e in &edges {
        if forest.len() == limit {
            break;
        }
        if unite(&mut parent, e.u, e.v) {
            forest.push((e.u, e.v, e.w));
        }
    }
    Forest::new(forest)
}

/// Every undirected edge once, sorted by `(w, u, v)`, and the number of nodes without any edge
/// other than self loops.
fn sorted_edges(csr: &Csr) -> (Vec<Edge>, usize) {
    let weights = csr.weights().expect("minimum spanning forest needs a weighted graph");
    let offsets = csr.offsets();
    let targets = csr.targets();
    let n = csr.num_nodes();
    let mut isolated = 0;
    let edges = if csr.is_symmetric() && csr.props().sorted {
        let mut edges = Vec::with_capacity(targets.len() / 2);
        for u in 0..n as NodeId {
            let range = offsets[u as usize] as usize..offsets[u as usize + 1] as usize;
            let (list, ws) = (&targets[range.clone()], &weights[range]);
            // Sorted: the self loops sit between the smaller and the larger neighbours.
            if list.first().is_none_or(|&v| v == u) && list.last().is_none_or(|&v| v == u) {
                isolated += 1;
            }
            let start = list.partition_point(|&v| v <= u);
            edges.extend(list[start..].iter().zip(&ws[start..]).map(|(&v, &w)| Edge { w, u, v }));
        }
        radix_sort(edges, &[Field::W])
    } else {
        let mut touched = vec![false; n];
        let mut edges = Vec::with_capacity(targets.len());
        for u in 0..n as NodeId {
            let range = offsets[u as usize] as usize..offsets[u as usize + 1] as usize;
            for (&v, &w) in targets[range.clone()].iter().zip(&weights[range]) {
                if v != u {
                    touched[u as usize] = true;
                    touched[v as usize] = true;
                    edges.push(Edge { w, u: u.min(v), v: u.max(v) });
                }
            }
        }
        isolated = touched.iter().filter(|&&t| !t).count();
        radix_sort(edges, &[Field::V, Field::U, Field::W])
    };
    (edges, isolated)
}

/// Digits of at most this many bits: 2048 counters stay in L1.
const MAX_DIGIT_BITS: u32 = 11;

/// Stable LSD radix sort of `edges` by `fields`, least significant field first.
fn radix_sort(mut edges: Vec<Edge>, fields: &[Field]) -> Vec<Edge> {
    if edges.len() < 2 {
        return edges;
    }
    let mut scratch = vec![Edge::default(); edges.len()];
    let mut counts = vec![0usize; 1 << MAX_DIGIT_BITS];
    for &field in fields {
        let max = edges.iter().map(|e| field.of(e)).max().unwrap_or(0);
        let bits = u32::BITS - max.leading_zeros();
        let passes = bits.div_ceil(MAX_DIGIT_BITS);
        if passes == 0 {
            continue;
        }
        let width = bits.div_ceil(passes);
        let mask = (1u32 << width) - 1;
        for pass in 0..passes {
            let shift = pass * width;
            let digit = |e: &Edge| ((field.of(e) >> shift) & mask) as usize;
            let counts = &mut counts[..=mask as usize];
            counts.fill(0);
            for e in &edges {
                counts[digit(e)] += 1;
            }
            if counts.contains(&edges.len()) {
                continue; // one digit for all: the pass would not move anything
            }
            let mut sum = 0;
            for c in counts.iter_mut() {
                let count = *c;
                *c = sum;
                sum += count;
            }
            for e in &edges {
                let d = digit(e);
                scratch[counts[d]] = *e;
                counts[d] += 1;
            }
            std::mem::swap(&mut edges, &mut scratch);
        }
    }
    edges
}

/// Joins the trees of `x` and `y` (Rem's algorithm with splicing); false when they were one tree.
///
/// Invariant: `parent[x] >= x`, roots are their own parent. Each step moves the lower of the two
/// current nodes under the other's parent, so both walks only climb and the paths get shorter.
#[inline]
fn unite(parent: &mut [NodeId], x: NodeId, y: NodeId) -> bool {
    let (mut x, mut y) = (x as usize, y as usize);
    loop {
        let (px, py) = (parent[x], parent[y]);
        if px == py {
            return false;
        }
        if px < py {
            parent[x] = py;
            if px as usize == x {
                return true;
            }
            x = px as usize;
        } else {
            parent[y] = px;
            if py as usize == y {
                return true;
            }
            y = py as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_orders_by_all_fields() {
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        };
        let edges: Vec<Edge> = (0..5000).map(|_| Edge { w: next() % 5, u: next() % 3000, v: next() }).collect();
        let mut expected = edges.clone();
        expected.sort_by_key(|e| (e.w, e.u, e.v));
        assert_eq!(radix_sort(edges, &[Field::V, Field::U, Field::W]), expected);
    }

    #[test]
    fn unite_reports_joins() {
        let mut parent: Vec<u32> = (0..6).collect();
        assert!(unite(&mut parent, 0, 1));
        assert!(unite(&mut parent, 2, 3));
        assert!(!unite(&mut parent, 1, 0));
        assert!(unite(&mut parent, 1, 3));
        assert!(!unite(&mut parent, 0, 2));
        assert!(unite(&mut parent, 5, 4));
        assert!(!unite(&mut parent, 4, 5));
    }
}
