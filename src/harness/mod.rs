//! The COST harness: sweeps every configuration of every implementation of a problem, each in a
//! fresh child process, and reports the COST figure.
//!
//! - [`sweep`] — configurations (an argv for a child `costgraph` + the cores it uses), the plan of
//!   a sweep, and running children with a timeout;
//! - [`stats`] — min / median / p90 / max of repeated timings;
//! - [`cost`] — the COST rule itself, a pure function on timing tables;
//! - [`capacity`] — the memory each kind of implementation needs, and whether it fits;
//! - [`report`] — analysis (baseline, exact agreement by digest, speedups, COST) and the report
//!   files; [`plot`] — the scaling plot;
//! - [`updates`] — the `updates` report: latency percentiles of differential dataflow under edge
//!   changes against the single-thread answers;
//! - [`provenance`] — machine, versions, git commit and checksums a report records;
//! - [`datasets`] — the catalog of public graphs, with checksummed downloads over [`http`].

pub mod capacity;
pub mod cost;
pub mod datasets;
pub mod http;
pub mod plot;
pub mod provenance;
pub mod report;
pub mod stats;
pub mod sweep;
pub mod updates;
