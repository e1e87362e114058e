//! The COST harness: sweeps every configuration of every implementation of a problem, each in a
//! fresh child process, and reports the COST figure. Its modules depend one way, in the order of a
//! sweep: planning → running children → sampling → analysis → report → rendering.
//!
//! - [`plan`] — configurations (an argv for a child `costgraph` + the cores it uses) and the plan
//!   of a sweep;
//! - [`child`] — a child process run with a time limit, and how it failed;
//! - [`record`] — what a child `costgraph run --json` reports;
//! - [`external`] — external systems (any command) swept and verified next to the built-ins;
//! - [`template`] — command templates whose values are never shell text; [`launch`] — the
//!   processes of a cluster started here or on machines, as one; [`hosts`], [`stage`] and
//!   [`machines`] — multi-machine configurations: the hosts file, staging binary and shards,
//!   running a configuration on the machines (with replicas);
//! - [`measure`] — sampling each configuration until its figures are precise enough, recording
//!   (not stopping at) failures;
//! - [`journal`] — `runs.jsonl`, every finished configuration kept as it finishes, for `--resume`;
//! - [`stats`] — min / median / p90 / max of repeated timings, the median's distribution-free
//!   95 % confidence interval, latency percentiles;
//! - [`cost`] — the COST rule itself (beats only when the intervals do not overlap), a pure
//!   function on timing tables;
//! - [`capacity`] — the memory each kind of implementation needs, and whether it fits;
//! - [`analysis`] — one problem's outcomes analysed: baseline, agreement by digest, speedups, COST;
//! - [`model`] — the capacity model's estimates for clusters not measured;
//! - [`report`] — the whole sweep's report and its warnings; [`render`] — its files and tables;
//!   [`plot`] — the SVG plots;
//! - [`updates`] — the `updates` report: latency percentiles of differential dataflow under edge
//!   changes against the single-thread answers;
//! - [`sweep`] — a whole sweep as a library call: a [`sweep::CostPlan`] in, a written report out,
//!   told as it goes to an [`observer::Observer`];
//! - [`provenance`] — machine, versions and git commit a report records;
//! - [`datasets`] — the catalog of public graphs, with checksummed downloads over [`http`].

pub mod analysis;
pub mod capacity;
pub mod child;
pub mod cost;
pub mod datasets;
pub mod external;
#[cfg(test)]
mod fixtures;
pub mod hosts;
pub mod http;
pub mod journal;
pub mod launch;
pub mod machines;
pub mod measure;
pub mod model;
pub mod observer;
pub mod plan;
pub(crate) mod plot;
pub mod provenance;
pub mod record;
pub(crate) mod render;
pub mod report;
pub(crate) mod stage;
pub mod stats;
pub mod sweep;
pub(crate) mod template;
pub mod updates;
