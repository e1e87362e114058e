//! The graph models as the driver sees them ([`EdgeModel`]), and the node count of a scale.

use super::rng::Rng;
use crate::graph::{NodeId, check_node_count};
use crate::{Error, Result};

/// A graph model as the driver sees it: a size, and a way to make edge `index` from a random stream.
pub(super) trait EdgeModel: Sync {
    /// Number of nodes and of edges.
    fn size(&self) -> (usize, u64);
    /// Edge number `index`, drawing whatever randomness it needs from `rng` (the generator of the
    /// edge's block, advanced by the edges before it in the block).
    fn edge(&self, rng: &mut Rng, index: u64) -> (NodeId, NodeId);
}

/// `2^scale` as a node count, for scales 1 to 31 (`2^32` nodes would not fit `u32` ids).
pub(super) fn nodes_for_scale(scale: u32) -> Result<usize> {
    if !(1..=31).contains(&scale) {
        return Err(Error::invalid(format!(
            "scale {scale} is out of range: it must be 1 to 31 (2^scale nodes, with u32 node ids)"
        )));
    }
    check_node_count(1u64 << scale)
}
