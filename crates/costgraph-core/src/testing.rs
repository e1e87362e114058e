//! Small deterministic graphs for tests, examples and benchmarks: seeded random edge lists and the
//! fixed shapes the test suites share (path, star, complete graph, grid, many small components).
//!
//! It is public so that the integration tests (`tests/`), the unit tests and the benchmarks draw
//! their graphs from this one piece rather than each from a copy of its own; it has no use in the
//! measurements themselves. Randomness comes from [`Rng`] (SplitMix64), so a seed always gives the
//! same graph. Every function returns an [`EdgeList`], undirected (`directed: false`) unless it
//! says otherwise, that keeps whatever self loops and parallel edges it holds: the caller's
//! [`BuildOptions`](crate::graph::BuildOptions) decide whether the CSR keeps them.
//!
//! ```
//! use costgraph_core::graph::{BuildOptions, Csr};
//! use costgraph_core::testing;
//! let star = Csr::from_edges(&testing::star(5, 0), BuildOptions::undirected());
//! assert_eq!(star.neighbors(0), &[1, 2, 3, 4]);
//! let random = testing::random_graph(7, 100, 300, true, None);
//! assert_eq!((random.num_nodes, random.len(), random.directed), (100, 300, true));
//! ```

use crate::generate::{Generator, GeneratorSpec, GridConfig, generate};
pub use crate::generate::{Rng, Weights};
use crate::graph::{EdgeList, NodeId, Weight};

/// `m` edges `(u, v)` with `u` uniform in `0..sources` and `v` uniform in `0..targets` (self
/// loops and parallel edges included, as chance makes them). `sources` and `targets` must be at
/// least 1 when `m > 0`.
pub fn random_edges(rng: &mut Rng, m: usize, sources: usize, targets: usize) -> Vec<(NodeId, NodeId)> {
    (0..m).map(|_| (rng.below(sources as u64) as NodeId, rng.below(targets as u64) as NodeId)).collect()
}

/// `m` weights drawn uniformly from `range`.
pub fn random_weights(rng: &mut Rng, m: usize, range: Weights) -> Vec<Weight> {
    (0..m).map(|_| range.draw(rng)).collect()
}

/// A uniform random graph on `n` nodes with `m` edges ([`random_edges`]; self loops and parallel
/// edges included), as arcs when `directed`, with weights drawn from `weights` when given.
pub fn random_graph(seed: u64, n: usize, m: usize, directed: bool, weights: Option<Weights>) -> EdgeList {
    let mut rng = Rng::new(seed);
    let list = EdgeList::new(n, random_edges(&mut rng, m, n, n), directed);
    match weights {
        Some(range) => list.with_weights(random_weights(&mut rng, m, range)),
        None => list,
    }
}

/// The path `0 - 1 - ... - (n-1)`, edges `(i, i + 1)` in order.
pub fn path(n: usize) -> EdgeList {
    EdgeList::new(n, (1..n as NodeId).map(|i| (i - 1, i)).collect(), false)
}

/// The star on `n` nodes around `center`: edges `(center, i)` for every other node `i`, in order.
pub fn star(n: usize, center: NodeId) -> EdgeList {
    EdgeList::new(n, (0..n as NodeId).filter(|&i| i != center).map(|i| (center, i)).collect(), false)
}

/// The complete graph on `n` nodes: every pair `(u, v)` with `u < v` once.
pub fn complete(n: usize) -> EdgeList {
    let n32 = n as NodeId;
    EdgeList::new(n, (0..n32).flat_map(|u| (u + 1..n32).map(move |v| (u, v))).collect(), false)
}

/// The `rows × cols` grid of [`Generator::Grid`] (node `r * cols + c`, 4-neighbourhoods).
/// Panics when the grid is empty or too large.
pub fn grid(rows: u32, cols: u32) -> EdgeList {
    let spec = GeneratorSpec::new(Generator::Grid(GridConfig { rows, cols }));
    generate(&spec).unwrap_or_else(|e| panic!("a {rows} x {cols} grid: {e}"))
}

/// Many small components over a randomly shuffled id space of `n` nodes (so no component is a
/// range of ids): the shuffled ids are cut into runs of 1 to `max_size` nodes (random lengths),
/// and each run is closed into a cycle through its nodes, with its first edge once more in the
/// other direction. So a single node has two self loops, a pair three parallel edges, and three
/// or more nodes a cycle with one parallel edge.
pub fn small_components(rng: &mut Rng, n: usize, max_size: usize) -> EdgeList {
    assert!(max_size >= 1, "components have at least one node");
    let mut ids: Vec<NodeId> = (0..n as NodeId).collect();
    for i in (1..n).rev() {
        ids.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut edges = Vec::new();
    let mut rest = &ids[..];
    while !rest.is_empty() {
        let size = (1 + rng.below(max_size as u64) as usize).min(rest.len());
        let (component, tail) = rest.split_at(size);
        edges.extend((0..size).map(|i| (component[i], component[(i + 1) % size])));
        edges.push((component[1 % size], component[0]));
        rest = tail;
    }
    EdgeList::new(n, edges, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::cc::oracle;
    use crate::graph::{BuildOptions, Csr};

    #[test]
    fn shapes_have_their_sizes() {
        assert_eq!(path(1).len(), 0);
        assert_eq!(path(5).edges, [(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(star(4, 3).edges, [(3, 0), (3, 1), (3, 2)]);
        assert_eq!(complete(5).len(), 10);
        assert_eq!((grid(3, 4).num_nodes, grid(3, 4).len()), (12, 17));
    }

    #[test]
    fn random_graphs_depend_only_on_the_seed() {
        let weights = Some(Weights { lo: 1, hi: 5 });
        let a = random_graph(3, 50, 200, false, weights);
        assert_eq!(a, random_graph(3, 50, 200, false, weights));
        assert_ne!(a.edges, random_graph(4, 50, 200, false, weights).edges);
        assert_eq!(a.first_out_of_range(), None);
        assert!(a.weights.as_ref().unwrap().iter().all(|w| (1..=5).contains(w)));
    }

    #[test]
    fn small_components_are_small_and_cover_every_node() {
        let list = small_components(&mut Rng::new(1), 1000, 5);
        let csr = Csr::from_edges(&list, BuildOptions::undirected());
        let summary = oracle(&csr).summary();
        assert!(summary.largest <= 5 && summary.components >= 200, "{summary:?}");
        assert!(list.edges.iter().any(|&(u, v)| u == v), "single nodes carry self loops");
    }
}
