//! costgraph measures the COST of scaling out graph computations (McSherry, Isard, Murray,
//! "Scalability! But at what COST?", HotOS 2015): the number of cores a scalable implementation
//! needs before it beats a strong single-threaded baseline.
//!
//! It is built over [`costgraph_core`] (graphs, formats, generators, the single-thread and rayon
//! algorithms), whose modules it re-exports, and adds, each layer depending only on those above:
//!
//! 5. [`dataflow`] — timely-dataflow and differential-dataflow implementations of the same problems.
//! 6. [`registry`] — the one list of implementations.
//! 7. [`harness`] — sweeps, statistics, the COST figure and the reports.
//!
//! The command-line interface lives in the binary (`src/main.rs`, `src/cli/`); the library never
//! depends on clap.

#![warn(missing_docs)]

pub use costgraph_core::{algo, cleanup, generate, graph, io, progress, sysinfo, testing, units};

pub mod dataflow;
pub mod error;
pub mod harness;
pub mod registry;

pub use error::{Error, Result};
