//! The receiving end of a BVGraph decode: what the readers of [`super`] implement.

use crate::Result;
use crate::graph::{Budget, NodeId};

/// What reading a BVGraph node by node calls, in order.
pub(super) trait Visit {
    /// Once, first: the node count and the arc count the `.properties` file declares (checked),
    /// and the budget for what the visitor holds (the decoder's share taken out).
    fn start(&mut self, nodes: usize, arcs: u64, budget: &Budget) -> Result<()>;
    /// Once per node, in node order: its successors, strictly increasing, each below the node count.
    fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()>;
}
