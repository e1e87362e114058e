//! [`Forest`]: a minimum spanning forest, its edges in the total order `(weight, u, v)`.

use serde::Serialize;

use crate::graph::{NodeId, Weight};

/// An edge of a forest, stored with `u < v`.
pub type ForestEdge = (NodeId, NodeId, Weight);

/// A minimum spanning forest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forest {
    edges: Vec<ForestEdge>,
    weight: u64,
}

/// A short description of a [`Forest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForestSummary {
    /// Sum of the edge weights.
    pub weight: u64,
    /// Number of edges.
    pub edges: u64,
    /// Number of trees (= nodes - edges; an isolated node is a tree).
    pub trees: u64,
}

impl Forest {
    /// Builds a forest from its edges (in any order, either orientation); they are normalised to
    /// `u < v` and sorted by the total order `(weight, u, v)`.
    pub fn new(mut edges: Vec<ForestEdge>) -> Self {
        for e in &mut edges {
            if e.0 > e.1 {
                std::mem::swap(&mut e.0, &mut e.1);
            }
        }
        edges.sort_unstable_by_key(|&(u, v, w)| (w, u, v));
        let weight = edges.iter().map(|e| e.2 as u64).sum();
        Forest { edges, weight }
    }

    /// A forest from edges already normalised to `u < v` and sorted by `(weight, u, v)` (as
    /// Kruskal takes them): no sort.
    pub fn from_sorted(edges: Vec<ForestEdge>) -> Self {
        debug_assert!(edges.iter().all(|e| e.0 < e.1) && edges.is_sorted_by_key(|&(u, v, w)| (w, u, v)));
        let weight = edges.iter().map(|e| e.2 as u64).sum();
        Forest { edges, weight }
    }

    /// The edges, sorted by `(weight, u, v)`, each with `u < v`.
    pub fn edges(&self) -> &[ForestEdge] {
        &self.edges
    }

    /// Total weight.
    pub fn weight(&self) -> u64 {
        self.weight
    }

    /// Weight, edge count and tree count for a graph of `num_nodes` nodes.
    pub fn summary(&self, num_nodes: usize) -> ForestSummary {
        ForestSummary {
            weight: self.weight,
            edges: self.edges.len() as u64,
            trees: num_nodes as u64 - self.edges.len() as u64,
        }
    }
}
