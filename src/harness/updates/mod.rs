//! The `updates` report: update latency percentiles and throughput of differential dataflow,
//! per batch size and configuration, against the single-thread answers on the same stream —
//! an incremental union-find (insert-only streams) and union-find recomputed from scratch after
//! each batch — with every checked batch verified against the oracle by digest.
//!
//! [`replay`](replay::replay) runs the single-thread side: it draws the very same stream (same seed) and, for
//! every batch, times the incremental union-find's unions and union-find over the whole updated
//! edge list (the recompute); for the batches the job checks, it keeps the digest of the
//! recompute's canonical labels, which is the oracle the dataflow's digests must equal. [`UpdatesReport`]
//! puts the two together and writes `report.json`, `runs.csv`, `report.md` and `latency.svg`.

mod render;
mod replay;
mod report;

pub use replay::{Replay, replay};
pub use report::{ConfigurationResult, ProcessResult, Row, RssSample, RssSampler, StreamInfo, UpdatesReport};

#[cfg(test)]
mod tests;
