//! costgraph-core: the layers of costgraph that know nothing of distribution, plotting or the
//! network. `costgraph` (dataflow, registry, harness, command line) is built over it.
//!
//! The crate is layered; each layer only depends on the ones above it in this list:
//!
//! 1. [`graph`] — node ids, CSR adjacency (owned or memory-mapped), edge lists, the parallel
//!    builder, the memory budget.
//! 2. [`io`] — the `.cgr` binary format and the public text formats (SNAP, DIMACS, Matrix Market,
//!    LAW WebGraph, ...).
//! 3. [`generate`] — synthetic graphs (Kronecker / R-MAT, uniform random, 2-D grid).
//! 4. [`algo`] — single-thread and rayon algorithms with their verifiers (connected components,
//!    minimum spanning forest, PageRank) and the result types they return.
//!
//! Beside them: [`error`] (the library's error type), [`sysinfo`] (memory, cores, load),
//! [`progress`] (progress bars on a terminal), [`cleanup`] (temporary files removed on a signal),
//! [`units`] (bytes and seconds in words) and [`testing`] (the small seeded graphs the tests and benchmarks share).

#![warn(missing_docs)]

#[cfg(not(target_endian = "little"))]
compile_error!("costgraph's binary format is little-endian and is mapped without conversion");

pub mod algo;
pub mod cleanup;
pub mod error;
pub mod generate;
pub mod graph;
pub mod io;
pub mod progress;
pub mod sysinfo;
pub mod testing;
pub mod units;

pub use error::{Error, Result};
