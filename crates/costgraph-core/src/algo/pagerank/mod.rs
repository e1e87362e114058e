//! PageRank: the stationary distribution of a random surfer who follows a uniformly chosen
//! out-arc with probability `damping` (0.85) and otherwise jumps to a uniformly chosen node.
//!
//! Dangling nodes (out-degree 0) follow the usual definition (Langville and Meyer, "Deeper inside
//! PageRank", 2004): their rank is spread uniformly over all nodes, as if they linked to every
//! node. One iteration computes, for every node `v`,
//!
//! ```text
//! rank'(v) = (1 - d) / n  +  d * dangling / n  +  d * sum over arcs u -> v of rank(u) / outdeg(u)
//! ```
//!
//! where `dangling` is the total rank of the dangling nodes, so the ranks keep summing to 1.
//! Ranks start at `1 / n`. A self loop is an ordinary arc; parallel arcs (kept only when a graph
//! is built without deduplication) count once each.
//!
//! Cost: O(n + m) work per iteration, O(k (n + m)) for `k` iterations. The sequential kernels
//! have that depth too; [`Blocked::pagerank_par`] has depth O(k (b (m / 256 + max in-degree) +
//! n / 256)) for `b` source blocks.
//! The paper is McSherry, Isard and Murray, "Scalability! But at what COST?" (HotOS 2015): its
//! Tables 2 and 4 run 20 iterations on twitter_rv on one thread, 300 s in vertex order and 110 s
//! in Hilbert-curve order; [`Params::default`] runs the same 20 iterations.
//!
//! The kernels keep ranks in `f32` (half the memory traffic of `f64`); sums over the whole graph
//! (dangling mass, change) are `f64`. [`Ranks::verify`] checks the result against an `f64`
//! sequential [`reference`] within [`VERIFY_L1`].
//!
//! Implementations, all sharing one iteration skeleton (the per-node update is the same code),
//! each keeping its random accesses within a core's L2 cache:
//! - [`Blocked::pagerank`]: pull over the in-arcs ([`InEdges`]: the transpose of a directed graph,
//!   built once outside the timed computation) in vertex order, tiled by source block, one
//!   thread; [`Blocked::pagerank_par`], the same on rayon;
//! - [`push()`]: scatter over out-arcs in vertex order through propagation-blocking bins, one
//!   thread, no preparation;
//! - [`HilbertTiles::pagerank`]: scatter over the arcs in Hilbert-curve order
//!   ([`crate::graph::hilbert`]), packed into 16-bit offsets within `2^16 x 2^16` tiles.

mod blocked;
mod hilbert_tiles;
mod in_edges;
mod push;
mod ranks;
mod skeleton;
pub use blocked::{Blocked, block_bits};
pub use hilbert_tiles::HilbertTiles;
pub use in_edges::InEdges;
pub use push::{BINS_BYTES, push};
pub use ranks::{Params, Ranks, RanksSummary, VERIFY_L1, reference};
pub use skeleton::{Slots, Totals, base, inv_degree};

#[cfg(test)]
mod tests;
