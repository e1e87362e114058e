//! costgraph measures the COST of scaling out graph computations (McSherry, Isard, Murray,
//! "Scalability! But at what COST?", HotOS 2015): the number of cores a scalable implementation
//! needs before it beats a strong single-threaded baseline.
//!
//! The crate is layered; each layer only depends on the ones above it in this list:
//!
//! 1. [`graph`] — node ids, CSR adjacency (owned or memory-mapped), edge lists, the parallel builder.
//! 2. [`io`] — the `.cgr` binary format and the public text formats (SNAP, DIMACS, Matrix Market, ...).
//! 3. [`generate`] — synthetic graphs (Kronecker / R-MAT, uniform random, 2-D grid).
//! 4. `algo` — single-thread and rayon algorithms with their verifiers (connected components,
//!    minimum spanning forest, PageRank).
//! 5. [`dataflow`] — timely-dataflow implementations of the same problems.
//! 6. [`harness`] — sweeps, statistics, the COST figure and the reports.
//!
//! [`testing`] holds the small seeded graphs the tests and benchmarks share (it uses [`graph`] and
//! [`generate`] only).
//!
//! The command-line interface lives in the binary (`src/main.rs`, `src/cli/`); the library never
//! depends on clap.

#[cfg(not(target_endian = "little"))]
compile_error!("costgraph's binary format is little-endian and is mapped without conversion");

pub mod algo;
pub mod cleanup;
pub mod dataflow;
pub mod error;
pub mod generate;
pub mod graph;
pub mod harness;
pub mod io;
pub mod progress;
pub mod registry;
pub mod sysinfo;
pub mod testing;

pub use error::{Error, Result};
