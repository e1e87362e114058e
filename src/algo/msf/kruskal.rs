//! Kruskal's minimum spanning forest, single thread: the COST baseline for MSF.
//!
//! 1. Extract every undirected edge once as a 12-byte record `(w, min, max)`: on a symmetric,
//!    sorted CSR the arcs `u -> v` with `u < v`, which come out already ordered by `(u, v)`; on any
//!    other CSR every arc that is not a self loop, which is then put in `(min, max)` order by a
//!    least-significant-digit radix sort on `max`, then `min`.
//! 2. Stable LSD radix sort on the weight (counting-sort passes on 11-bit digits, all histograms
//!    of a field counted in one read, passes whose digit is the same for every edge skipped):
//!    edges end up in the total order `(weight, min, max)` without a single comparison. On a
//!    symmetric sorted CSR the first pass scatters straight from the CSR, so weights below 2048
//!    cost one counting read and one scatter, and a single array of records.
//! 3. Scan in that order with a union-find (Rem's algorithm with splicing, which links by index and
//!    halves paths as it goes; Patwary, Blair, Manne, SEA 2010), taking each edge that joins two
//!    trees, and stop as soon as the forest has `n - isolated - 1` edges (the most it can have when
//!    the non-isolated nodes are connected).
//!
//! Work `O(m · ⌈log₂ W / 11⌉ + m · α(n))` (plus two radix passes per 11 bits of node id on an
//! input that is not symmetric and sorted), depth the same: no parallelism, no parallel runtime.
//! Extra memory: 12 bytes per edge (24 when the weights need more than one 11-bit digit or the
//! input is not symmetric and sorted) and 4 bytes per node.
//!
//! Kruskal, "On the shortest spanning subtree of a graph and the traveling salesman problem",
//! Proc. AMS 1956. Filter-Kruskal (Osipov, Sanders, Singler, ALENEX 2009) would save sorting the
//! heavy edges that end up filtered; with one or two linear radix passes that saving is small, and
//! it has not been measured here yet.
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
    let n = csr.num_nodes();
    if csr.is_symmetric() && csr.props().sorted {
        // Already in (u, v) order: count the weight digits in a first pass over the CSR, and let
        // the first counting-sort pass be the extraction itself (no unsorted copy).
        let mut counts = Box::new([[0usize; RADIX]; DIGITS]);
        let mut isolated = 0;
        let mut len = 0;
        for_each_canonical(
            csr,
            |list, u| {
                // Sorted: the self loops sit between the smaller and the larger neighbours.
                if list.first().is_none_or(|&v| v == u) && list.last().is_none_or(|&v| v == u) {
                    isolated += 1;
                }
                list.partition_point(|&v| v <= u)
            },
            |e| {
                len += 1;
                count_digits(&mut counts, e.w);
            },
        );
        let mut edges = vec![Edge::default(); len];
        let mut first = counts[0];
        exclusive_prefix_sum(&mut first);
        for_each_canonical(
            csr,
            |list, u| list.partition_point(|&v| v <= u),
            |e| {
                let d = digit(e.w, 0);
                edges[first[d]] = e;
                first[d] += 1;
            },
        );
        (radix_passes(edges, Field::W, &mut counts, 1), isolated)
    } else {
        let (weights, offsets, targets) = (weights(csr), csr.offsets(), csr.targets());
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
        let isolated = touched.iter().filter(|&&t| !t).count();
        (radix_sort(edges, &[Field::V, Field::U, Field::W]), isolated)
    }
}

fn weights(csr: &Csr) -> &[Weight] {
    csr.weights().expect("minimum spanning forest needs a weighted graph")
}

/// Calls `f` on each arc `u -> v` of a sorted CSR from position `skip(list of u, u)` of `u`'s list
/// on (as an [`Edge`]).
#[inline(always)]
fn for_each_canonical(csr: &Csr, mut skip: impl FnMut(&[NodeId], NodeId) -> usize, mut f: impl FnMut(Edge)) {
    let (weights, offsets, targets) = (weights(csr), csr.offsets(), csr.targets());
    for u in 0..csr.num_nodes() as NodeId {
        let range = offsets[u as usize] as usize..offsets[u as usize + 1] as usize;
        let (list, ws) = (&targets[range.clone()], &weights[range]);
        let start = skip(list, u);
        for (&v, &w) in list[start..].iter().zip(&ws[start..]) {
            f(Edge { w, u, v });
        }
    }
}

/// Bits per radix digit: 2048 counters per digit stay in L1, and three digits cover a `u32`.
const DIGIT_BITS: u32 = 11;
const RADIX: usize = 1 << DIGIT_BITS;
const DIGITS: usize = u32::BITS.div_ceil(DIGIT_BITS) as usize;

/// Digit `d` (least significant first) of `x`.
#[inline(always)]
fn digit(x: u32, d: usize) -> usize {
    (x >> (d as u32 * DIGIT_BITS)) as usize & (RADIX - 1)
}

#[inline(always)]
fn count_digits(counts: &mut [[usize; RADIX]; DIGITS], x: u32) {
    for (d, c) in counts.iter_mut().enumerate() {
        c[digit(x, d)] += 1;
    }
}

fn exclusive_prefix_sum(counts: &mut [usize; RADIX]) {
    let mut sum = 0;
    for c in counts.iter_mut() {
        let count = *c;
        *c = sum;
        sum += count;
    }
}

/// Stable LSD radix sort of `edges` by `fields`, least significant field first.
fn radix_sort(mut edges: Vec<Edge>, fields: &[Field]) -> Vec<Edge> {
    let mut counts = Box::new([[0usize; RADIX]; DIGITS]);
    for &field in fields {
        counts.iter_mut().for_each(|c| c.fill(0));
        for e in &edges {
            count_digits(&mut counts, field.of(e));
        }
        edges = radix_passes(edges, field, &mut counts, 0);
    }
    edges
}

/// The counting-sort passes on `field`'s digits `from..` (whose histograms are in `counts`),
/// skipping a digit that is the same for every edge.
fn radix_passes(mut edges: Vec<Edge>, field: Field, counts: &mut [[usize; RADIX]; DIGITS], from: usize) -> Vec<Edge> {
    let mut scratch = Vec::new();
    for (d, next) in counts.iter_mut().enumerate().skip(from) {
        if next.contains(&edges.len()) {
            continue;
        }
        exclusive_prefix_sum(next);
        scratch.resize(edges.len(), Edge::default());
        for e in &edges {
            let k = digit(field.of(e), d);
            scratch[next[k]] = *e;
            next[k] += 1;
        }
        std::mem::swap(&mut edges, &mut scratch);
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
