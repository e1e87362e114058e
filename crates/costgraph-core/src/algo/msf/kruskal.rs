//! Kruskal's minimum spanning forest, single thread, in `O(n)` working memory: the COST baseline
//! for MSF. It is filter-Kruskal (Osipov, Sanders, Singler, ALENEX 2009) run as passes over the
//! (mapped) graph, so it never sorts, or even holds, more than a batch of edges:
//!
//! 1. *Collect a batch.* One pass over the CSR gathers the edges whose key `(w, min, max)` lies
//!    above the previous batch's bound and at most the current bound, and whose endpoints are
//!    still in different trees (after each batch the union-find is flattened, so `parent` *is*
//!    the tree label, and a bitmap marks the largest tree: an arc with an endpoint in it is decided
//!    from the bitmap, in cache, and only arcs between two other nodes read a label at random).
//!    The first pass starts with a bound guessed from
//!    a sample of the weights (about three quarters of a batch below it); whenever the buffer
//!    fills, the heavier half is dropped and the bound lowered to the median key, so a batch is
//!    always complete for its key range, whatever the weight distribution.
//! 2. *Sort the batch.* On a symmetric, sorted CSR the edges are collected as the arcs `u -> v`
//!    with `u < v`, already in `(u, v)` order, so one stable LSD radix sort on the weight (11-bit
//!    digits, passes whose digit is the same for every edge skipped) puts them in the total order
//!    `(weight, min, max)`; on any other CSR two more radix passes per 11 bits of node id order them
//!    by `(min, max)` first.
//! 3. *Scan* the batch with Rem's union-find (with splicing), taking each edge that joins two trees,
//!    and stop as soon as the forest has `n - isolated - 1` edges (the most it can have when the
//!    non-isolated nodes are connected); otherwise flatten the union-find and collect the next
//!    batch, whose bound starts unbounded.
//!
//! On graphs with random weights the first batch (the lightest `≈ 1.5 n` edges) joins almost every
//! node into a few big trees, and the second pass keeps only the few edges that still join two
//! trees: the total work is two or three sequential reads of the arcs, one bitmap read per arc
//! from the second pass on, and radix sorts of `O(n)` edges — instead of a radix sort of
//! all `m` edges. Work `O(p · m + b · ⌈log₂ W / 11⌉ + m · α(n))` for `p` passes that collect `b`
//! edges in all (`p = 2`, `b ≈ 2n` on random weights); no parallelism, no parallel runtime. Extra
//! memory: 4 bytes per node (union-find) and 24 bytes per batch slot (the batch and its radix
//! scratch), `2n + 1024` slots by default: `O(n)` whatever `m`, so it runs wherever the graph can
//! be mapped ([`kruskal_batched`] takes a smaller batch for a tighter budget).
//!
//! Kruskal, "On the shortest spanning subtree of a graph and the traveling salesman problem",
//! Proc. AMS 1956; Rem's union-find: Patwary, Blair, Manne, SEA 2010.
//!
//! The graph must be weighted (the caller checks `needs_weights`).

use super::Forest;
use crate::algo::cc::dsu::{flatten, most_frequent, rem_union, singletons};
use crate::graph::{Csr, NodeId, Weight};

/// An undirected edge with `u < v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
struct Edge {
    w: Weight,
    u: NodeId,
    v: NodeId,
}

/// The total order edges are taken in: `(weight, min, max)`.
type Key = (Weight, NodeId, NodeId);

impl Edge {
    #[inline(always)]
    fn key(&self) -> Key {
        (self.w, self.u, self.v)
    }
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

/// The smallest batch [`kruskal_batched`] accepts.
pub const MIN_BATCH: usize = 16;

/// The minimum spanning forest of `csr`'s undirected view (each arc an edge; of parallel arcs the
/// lightest wins), ties broken by `(weight, min(u, v), max(u, v))`, with batches of `2n + 1024`
/// edges (see the module documentation).
///
/// # Panics
/// When the graph has no weights (callers check that it has: costgraph's registry marks MSF as `needs_weights`).
pub fn kruskal(csr: &Csr) -> Forest {
    kruskal_batched(csr, 2 * csr.num_nodes() + 1024)
}

/// [`kruskal`] with batches of at most `batch` edges (at least [`MIN_BATCH`]): working memory
/// `4 n + 24 batch` bytes beyond the graph. The result does not depend on `batch`.
///
/// # Panics
/// When the graph has no weights.
pub fn kruskal_batched(csr: &Csr, batch: usize) -> Forest {
    let batch = batch.max(MIN_BATCH);
    let n = csr.num_nodes();
    let canonical = csr.is_symmetric() && csr.props().sorted;
    let weights = csr.weights().expect("minimum spanning forest needs a weighted graph");
    let isolated = isolated_nodes(csr, canonical);
    // With at least one edge, the non-isolated nodes form at least one tree.
    let limit = if isolated < n { n - isolated - 1 } else { 0 };
    let mut parent = singletons(n);
    let mut forest = Vec::with_capacity(limit);
    let mut buffer = Batch { edges: Vec::with_capacity(batch), capacity: batch, scratch: Vec::new() };
    let edges = if canonical { weights.len() / 2 } else { weights.len() };
    let mut range = (None, first_bound(weights, edges, batch));
    while forest.len() < limit {
        let trees = range.0.is_some().then(|| Trees::new(&parent));
        let upper = buffer.collect(csr, canonical, trees.as_ref(), range);
        buffer.sort(canonical);
        for e in &buffer.edges {
            if rem_union(&mut parent, e.u, e.v) {
                forest.push((e.u, e.v, e.w));
                if forest.len() == limit {
                    break;
                }
            }
        }
        if upper == MAX_KEY {
            break; // every remaining edge was in this batch
        }
        flatten(&mut parent);
        range = (Some(upper), MAX_KEY);
    }
    Forest::from_sorted(forest)
}

/// The largest key: no bound.
const MAX_KEY: Key = (Weight::MAX, NodeId::MAX, NodeId::MAX);

/// A first bound with about three quarters of a batch of the `edges` edges at or below it;
/// [`MAX_KEY`] when a batch holds every edge.
fn first_bound(weights: &[Weight], edges: usize, batch: usize) -> Key {
    if edges <= batch {
        return MAX_KEY;
    }
    (super::light::light_bound(weights, edges, batch / 4 * 3), NodeId::MAX, NodeId::MAX)
}

/// The number of nodes without any edge other than self loops.
fn isolated_nodes(csr: &Csr, canonical: bool) -> usize {
    let n = csr.num_nodes();
    if canonical {
        // Sorted lists: self loops sit between the smaller and the larger neighbours.
        (0..n as NodeId)
            .filter(|&u| {
                let list = csr.neighbors(u);
                list.first().is_none_or(|&v| v == u) && list.last().is_none_or(|&v| v == u)
            })
            .count()
    } else {
        let mut touched = vec![false; n];
        for u in 0..n as NodeId {
            for &v in csr.neighbors(u) {
                if v != u {
                    touched[u as usize] = true;
                    touched[v as usize] = true;
                }
            }
        }
        touched.iter().filter(|&&t| !t).count()
    }
}

/// The trees of a flattened union-find, and a bitmap of the nodes in the largest one (found by
/// sampling): an arc with an endpoint in it is decided by the bitmap (512 KiB for 4M nodes, in
/// cache) without reading the other endpoint's label.
struct Trees<'a> {
    labels: &'a [NodeId],
    giant: Vec<u64>,
}

impl<'a> Trees<'a> {
    fn new(labels: &'a [NodeId]) -> Self {
        let n = labels.len();
        let mut giant = vec![0u64; n.div_ceil(64)];
        if let Some(root) = most_frequent(n, |i| labels[i]) {
            for (x, &l) in labels.iter().enumerate() {
                giant[x / 64] |= ((l == root) as u64) << (x % 64);
            }
        }
        Trees { labels, giant }
    }

    #[inline(always)]
    fn in_giant(&self, x: NodeId) -> bool {
        self.giant[x as usize / 64] >> (x % 64) & 1 == 1
    }

    /// Whether `v` is in the tree labelled `label` (`giant`: that tree is the largest one).
    #[inline(always)]
    fn same(&self, label: NodeId, giant: bool, v: NodeId) -> bool {
        match (giant, self.in_giant(v)) {
            (true, in_giant) => in_giant,
            (false, true) => false,
            (false, false) => self.labels[v as usize] == label,
        }
    }
}

/// The edges of one batch, and the scratch space its sorts use.
struct Batch {
    edges: Vec<Edge>,
    capacity: usize,
    scratch: Vec<Edge>,
}

impl Batch {
    /// Fills the batch, in one pass over `csr`, with the edges whose key lies in `(lower, upper]`
    /// and whose endpoints are in different `trees` (when given), lowering `upper` whenever the
    /// buffer fills; returns the final `upper`. On a canonical CSR (symmetric, sorted) an edge is
    /// an arc `u -> v` with `u < v` and the batch comes out in `(u, v)` order; otherwise every arc
    /// but a self loop is an edge `(min, max)`.
    fn collect(
        &mut self,
        csr: &Csr,
        canonical: bool,
        trees: Option<&Trees>,
        (lower, mut upper): (Option<Key>, Key),
    ) -> Key {
        self.edges.clear();
        let weights = csr.weights().expect("minimum spanning forest needs a weighted graph");
        let (offsets, targets) = (csr.offsets(), csr.targets());
        let lightest = lower.map_or(0, |l| l.0);
        for u in 0..csr.num_nodes() as NodeId {
            let range = offsets[u as usize] as usize..offsets[u as usize + 1] as usize;
            let (list, ws) = (&targets[range.clone()], &weights[range]);
            let start = if canonical { list.partition_point(|&v| v <= u) } else { 0 };
            let (label, giant) = trees.map_or((u, false), |t| (t.labels[u as usize], t.in_giant(u)));
            for (&v, &w) in list[start..].iter().zip(&ws[start..]) {
                // Cheap tests first: the weight against the bounds, then the labels.
                if w > upper.0 || w < lightest || v == u {
                    continue;
                }
                if trees.is_some_and(|t| t.same(label, giant, v)) {
                    continue;
                }
                let e = Edge { w, u: u.min(v), v: u.max(v) };
                let key = e.key();
                if key > upper || lower.is_some_and(|l| key <= l) {
                    continue;
                }
                if self.edges.len() == self.capacity {
                    upper = self.halve();
                    if key > upper {
                        continue;
                    }
                }
                self.edges.push(e);
            }
        }
        upper
    }

    /// Keeps the lighter half of a full batch (in its order) and returns the largest key kept.
    fn halve(&mut self) -> Key {
        let k = self.edges.len() / 2;
        let mut ws: Vec<Weight> = self.edges.iter().map(|e| e.w).collect();
        let w = *ws.select_nth_unstable(k).1;
        let lighter = self.edges.iter().filter(|e| e.w < w).count();
        let mut ties: Vec<(NodeId, NodeId)> = self.edges.iter().filter(|e| e.w == w).map(|e| (e.u, e.v)).collect();
        let (u, v) = *ties.select_nth_unstable(k - lighter).1;
        let bound = (w, u, v);
        self.edges.retain(|e| e.key() <= bound);
        bound
    }

    /// Sorts the batch by `(w, u, v)`: stable radix passes on the weight alone when it was
    /// collected in `(u, v)` order, on `v`, `u` and `w` otherwise.
    fn sort(&mut self, canonical: bool) {
        let fields: &[Field] = if canonical { &[Field::W] } else { &[Field::V, Field::U, Field::W] };
        let mut counts = Box::new([[0usize; RADIX]; DIGITS]);
        for &field in fields {
            counts.iter_mut().for_each(|c| c.fill(0));
            for e in &self.edges {
                count_digits(&mut counts, field.of(e));
            }
            radix_passes(&mut self.edges, &mut self.scratch, field, &mut counts);
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

/// The stable counting-sort passes on `field`'s digits (whose histograms are in `counts`),
/// skipping a digit that is the same for every edge; `scratch` is the other buffer.
fn radix_passes(edges: &mut Vec<Edge>, scratch: &mut Vec<Edge>, field: Field, counts: &mut [[usize; RADIX]; DIGITS]) {
    for (d, next) in counts.iter_mut().enumerate() {
        if next.contains(&edges.len()) {
            continue;
        }
        exclusive_prefix_sum(next);
        scratch.clear();
        scratch.resize(edges.len(), Edge::default());
        for e in edges.iter() {
            let k = digit(field.of(e), d);
            scratch[next[k]] = *e;
            next[k] += 1;
        }
        std::mem::swap(edges, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_passes_order_by_all_fields() {
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        };
        let edges: Vec<Edge> = (0..5000).map(|_| Edge { w: next() % 5, u: next() % 3000, v: next() }).collect();
        let mut expected = edges.clone();
        expected.sort_by_key(Edge::key);
        let mut batch = Batch { edges, capacity: 5000, scratch: Vec::new() };
        batch.sort(false);
        assert_eq!(batch.edges, expected);
    }

    #[test]
    fn halve_keeps_the_lighter_half_in_order() {
        // Many ties: the bound splits inside a run of equal weights.
        let edges: Vec<Edge> = (0..101).map(|i| Edge { w: i % 3, u: i, v: i + 1 }).collect();
        let mut batch = Batch { edges: edges.clone(), capacity: 101, scratch: Vec::new() };
        let bound = batch.halve();
        let mut sorted = edges.clone();
        sorted.sort_by_key(Edge::key);
        assert_eq!(bound, sorted[50].key());
        let expected: Vec<Edge> = edges.into_iter().filter(|e| e.key() <= bound).collect();
        assert_eq!(batch.edges, expected);
        assert_eq!(batch.edges.len(), 51);
    }
}
