//! The data layer: node ids, compressed sparse rows ([`Csr`]), edge lists ([`EdgeList`]) and the
//! parallel builder that turns one into the other.
//!
//! Node ids are `u32` (at most [`MAX_NODES`] nodes), edge offsets `u64`, weights `u32`.

mod adjacency;
mod array;
mod atomic;
pub mod budget;
mod build;
mod csr;
mod edges;
pub mod hilbert;
mod ids;
mod props;
mod relabel;
mod shard;
mod stats;
pub mod transpose;

pub use adjacency::{Adjacency, check_lists};
pub use array::Array;
pub use budget::Budget;
pub use build::{BuildOptions, Builder, CsrSink, Sink};
pub use csr::Csr;
pub use edges::EdgeList;
pub use ids::{ArcPair, MAX_NODES, NodeId, Weight};
pub use props::GraphProps;
pub use relabel::{Relabel, densify};
pub use shard::{Shard, balanced_bounds};
pub use stats::GraphStats;

/// Checks that `count` nodes fit in `u32` ids.
pub fn check_node_count(count: u64) -> crate::Result<usize> {
    if count > MAX_NODES {
        return Err(crate::Error::TooManyNodes { count });
    }
    Ok(count as usize)
}
