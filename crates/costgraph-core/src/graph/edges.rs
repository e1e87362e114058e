//! [`EdgeList`]: edges as pairs of dense node ids, the common currency between readers,
//! generators and the CSR builder.

use super::{NodeId, Weight};

/// A list of edges over dense node ids `0..num_nodes`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeList {
    /// Number of nodes; every id in `edges` is smaller.
    pub num_nodes: usize,
    /// The edges, as `(source, target)`.
    pub edges: Vec<(NodeId, NodeId)>,
    /// One weight per edge, when the graph is weighted.
    pub weights: Option<Vec<Weight>>,
    /// The original id of each dense node id, when the input's ids were relabelled.
    pub original_ids: Option<Vec<u64>>,
    /// True when edges are arcs (`u -> v`); false when each edge stands for both directions.
    pub directed: bool,
}

impl EdgeList {
    /// An unweighted edge list.
    pub fn new(num_nodes: usize, edges: Vec<(NodeId, NodeId)>, directed: bool) -> Self {
        EdgeList { num_nodes, edges, weights: None, original_ids: None, directed }
    }

    /// Adds one weight per edge.
    ///
    /// # Panics
    /// When `weights` and `edges` differ in length (a programming error).
    pub fn with_weights(mut self, weights: Vec<Weight>) -> Self {
        assert_eq!(weights.len(), self.edges.len(), "one weight per edge");
        self.weights = Some(weights);
        self
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// True when there are no edges.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// The weight of edge `i`, or 1 for an unweighted list.
    pub fn weight(&self, i: usize) -> Weight {
        self.weights.as_ref().map_or(1, |w| w[i])
    }

    /// Returns the first edge whose endpoint is not below `num_nodes`, if any.
    pub fn first_out_of_range(&self) -> Option<(usize, (NodeId, NodeId))> {
        let n = self.num_nodes as u64;
        self.edges.iter().enumerate().find(|(_, (u, v))| *u as u64 >= n || *v as u64 >= n).map(|(i, e)| (i, *e))
    }
}
