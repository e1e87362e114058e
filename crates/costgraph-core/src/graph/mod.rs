//! The data layer: node ids, compressed sparse rows ([`Csr`]), edge lists ([`EdgeList`]) and the
//! parallel builder that turns one into the other.
//!
//! Node ids are `u32` (at most [`MAX_NODES`] nodes), edge offsets `u64`, weights `u32`.

mod array;
mod atomic;
pub mod budget;
mod build;
mod csr;
mod edges;
pub mod hilbert;
mod relabel;
mod shard;
mod stats;

pub use array::Array;
pub use budget::Budget;
pub use build::{BuildOptions, Builder, CsrSink, Sink};
pub use csr::{Csr, GraphProps};
pub use edges::EdgeList;
pub use relabel::{Relabel, densify};
pub use shard::{Shard, balanced_bounds};
pub use stats::GraphStats;

/// A node id. Ids are dense: `0..num_nodes`.
pub type NodeId = u32;

/// An edge weight.
pub type Weight = u32;

/// The largest number of nodes a graph may have: 4,294,967,294. `u32::MAX` stays free as a
/// "no node" sentinel for the algorithms.
pub const MAX_NODES: u64 = u32::MAX as u64 - 1;

/// Checks that `count` nodes fit in `u32` ids.
pub fn check_node_count(count: u64) -> crate::Result<usize> {
    if count > MAX_NODES {
        return Err(crate::Error::TooManyNodes { count });
    }
    Ok(count as usize)
}
