//! The COST harness: sweeps every configuration of every implementation of a problem, each in a
//! fresh child process, and reports the COST figure.
//!
//! - [`sweep`] — configurations (an argv for a child `costgraph` + the cores it uses), the plan of
//!   a sweep, running children with a timeout, sampling each configuration until its figures are
//!   precise enough, and recording (not stopping at) failures;
//! - [`external`] — external systems (any command) swept and verified next to the built-ins;
//! - [`journal`] — `runs.jsonl`, every finished configuration kept as it finishes, for `--resume`;
//! - [`stats`] — min / median / p90 / max of repeated timings, and the median's distribution-free
//!   95 % confidence interval;
//! - [`cost`] — the COST rule itself (beats only when the intervals do not overlap), a pure
//!   function on timing tables;
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
pub mod external;
pub mod http;
pub mod journal;
pub mod model;
pub mod plot;
pub mod provenance;
pub mod report;
pub mod stats;
pub mod sweep;
pub mod updates;
