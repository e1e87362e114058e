//! Node ids and weights: the integer types every graph of costgraph uses, and their limit.

/// A node id. Ids are dense: `0..num_nodes`.
pub type NodeId = u32;

/// An edge weight.
pub type Weight = u32;

/// The largest number of nodes a graph may have: 4,294,967,294. `u32::MAX` stays free as a
/// "no node" sentinel for the algorithms.
pub const MAX_NODES: u64 = u32::MAX as u64 - 1;

/// An arc as a pair `[src, dst]` (the Hilbert-ordered section of a `.cgr` stores them so).
pub type ArcPair = [NodeId; 2];
