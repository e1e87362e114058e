//! [`UpdatesReport`]: the `updates` measurements put together — every configuration's batches
//! compared with the oracle's digests, the latency table per system and batch size, and where
//! recomputing wins — and the memory samples of process 0 ([`RssSampler`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::replay::Replay;
use crate::dataflow::differential::memory::{Counter, Held};
use crate::dataflow::differential::updates::{Segment, UpdatesJob, UpdatesRun};
use crate::harness::provenance::Provenance;
use crate::harness::report::GraphInfo;
use crate::harness::stats::Percentiles;

/// Resident memory sampled while a run goes on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RssSample {
    /// Seconds since sampling began.
    pub secs: f64,
    /// Resident set size in bytes.
    pub bytes: u64,
    /// Updates held by the arrangements of the process's workers then (differential's own
    /// count: what the dataflow keeps, apart from what the allocator keeps).
    #[serde(default)]
    pub held: Held,
}

/// Samples this process's resident memory and what its arrangements hold every `interval` on a
/// thread of its own ([`crate::sysinfo::RssSampler`]) until [`stop`](RssSampler::stop).
pub struct RssSampler(crate::sysinfo::RssSampler<Held>);

impl RssSampler {
    /// Starts sampling.
    pub fn start(interval: Duration, held: Counter) -> RssSampler {
        RssSampler(crate::sysinfo::RssSampler::start(interval, move || held.now()))
    }

    /// Stops sampling and returns the samples.
    pub fn stop(self) -> Vec<RssSample> {
        self.0.stop().into_iter().map(|(secs, bytes, held)| RssSample { secs, bytes, held }).collect()
    }
}

/// What one configuration's process 0 reports: its run and its memory over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessResult {
    /// The measurements of worker 0.
    pub run: UpdatesRun,
    /// Resident memory of process 0 over the run.
    pub rss: Vec<RssSample>,
}

/// One configuration of the dataflow: `workers` threads in each of `processes` processes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationResult {
    /// The dataflow (`differential-cc`, `differential-cc-min`).
    #[serde(default = "counts")]
    pub implementation: String,
    /// Worker threads per process.
    pub workers: usize,
    /// Processes.
    pub processes: usize,
    /// The exact command line of process 0.
    pub command: String,
    /// What it measured.
    pub result: ProcessResult,
    /// Batches whose digest differed from the oracle's (`segment`, `index`), and `None` for the
    /// initial components.
    pub mismatches: Vec<Option<(usize, usize)>>,
    /// Number of batches whose digest was compared.
    pub verified: usize,
}

impl ConfigurationResult {
    /// Compares `result`'s digests with the oracle's.
    pub fn new(
        implementation: &str,
        workers: usize,
        processes: usize,
        command: String,
        result: ProcessResult,
        oracle: &Replay,
    ) -> Self {
        let mut mismatches = Vec::new();
        if result.run.initial_digest != oracle.initial_digest {
            mismatches.push(None);
        }
        let mut verified = 0;
        for b in &result.run.batches {
            let expected = oracle.digests.get(b.segment).and_then(|s| s.get(b.index)).cloned().flatten();
            match (&b.digest, expected) {
                (Some(got), Some(want)) => {
                    verified += 1;
                    if *got != want {
                        mismatches.push(Some((b.segment, b.index)));
                    }
                }
                (None, None) => {}
                _ => mismatches.push(Some((b.segment, b.index))),
            }
        }
        let implementation = implementation.to_string();
        ConfigurationResult { implementation, workers, processes, command, result, mismatches, verified }
    }

    /// A short name: `differential-cc Ww×Pp`.
    pub fn name(&self) -> String {
        format!("{} {}w×{}p", self.implementation, self.workers, self.processes)
    }
}

/// The implementation of reports written before there were two.
fn counts() -> String {
    "differential-cc".into()
}

/// The name of `system`'s row for `segment`: marked when its batches ran one at a time.
fn row_name(system: &str, segment: &Segment) -> String {
    if segment.alone { format!("{system}, one at a time") } else { system.to_string() }
}

/// One line of the table: a system at one batch size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Who answered: `differential-cc 2w×1p`, `incremental union-find`, `union-find recompute`;
    /// `, one at a time` added for the batches applied with none other in flight.
    pub system: String,
    /// Changes per batch.
    pub batch: usize,
    /// Latency per batch.
    pub latency: Percentiles,
    /// Changes applied per second: all the segment's changes over its wall time for the dataflow
    /// (batches overlap up to `--max-ahead`), `batch / median latency` for the single thread.
    pub updates_per_sec: f64,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct UpdatesReport {
    /// Machine, versions, commit.
    pub provenance: Provenance,
    /// This command line.
    pub command: Vec<String>,
    /// The graph.
    pub graph: GraphInfo,
    /// Seed, deletion fraction, batch sizes, backpressure, verification sample.
    pub stream: StreamInfo,
    /// Seconds of one `union-find` (the registry's COST baseline) on the static graph.
    pub union_find_static_secs: f64,
    /// The single-thread side.
    pub replay: Replay,
    /// Every configuration.
    pub configurations: Vec<ConfigurationResult>,
    /// The table.
    pub rows: Vec<Row>,
    /// Per configuration, the smallest batch size at which recomputing from scratch is faster
    /// than the dataflow's median batch latency (`None`: never in this sweep).
    pub recompute_wins_from: Vec<(String, Option<usize>)>,
}

/// The stream's parameters as the report records them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamInfo {
    /// Seed.
    pub seed: u64,
    /// Fraction of deletions.
    pub deletions: f64,
    /// Batch sizes.
    pub batch_sizes: Vec<usize>,
    /// Batches of each size.
    pub batches: Vec<usize>,
    /// Per batch size, whether its batches ran one at a time ([`Segment::alone`]).
    pub alone: Vec<bool>,
    /// Most batches in flight.
    pub max_ahead: usize,
    /// Every `check_every`-th batch (and each size's last) is verified.
    pub check_every: usize,
}

impl UpdatesReport {
    /// Puts the measurements together: the table, and where recomputing wins.
    pub fn new(
        provenance: Provenance,
        command: Vec<String>,
        graph: GraphInfo,
        job: &UpdatesJob,
        union_find_static_secs: f64,
        replay: Replay,
        configurations: Vec<ConfigurationResult>,
    ) -> UpdatesReport {
        let mut rows = Vec::new();
        let mut recompute_wins_from = Vec::new();
        for (s, segment) in job.segments.iter().enumerate() {
            for c in &configurations {
                let latencies: Vec<f64> =
                    c.result.run.batches.iter().filter(|b| b.segment == s).map(|b| b.latency_secs).collect();
                let elapsed = c.result.run.segments.get(s).map_or(f64::NAN, |r| r.elapsed_secs);
                if let Some(latency) = Percentiles::of(&latencies) {
                    let updates_per_sec = (segment.batch * segment.batches) as f64 / elapsed;
                    rows.push(Row {
                        system: row_name(&c.name(), segment),
                        batch: segment.batch,
                        latency,
                        updates_per_sec,
                    });
                }
            }
            if let Some(latency) = replay.incremental.as_ref().and_then(|i| Percentiles::of(&i[s])) {
                let updates_per_sec = segment.batch as f64 / latency.p50.max(1e-9);
                rows.push(Row {
                    system: row_name("incremental union-find", segment),
                    batch: segment.batch,
                    latency,
                    updates_per_sec,
                });
            }
            if let Some(latency) = Percentiles::of(&replay.recompute[s]) {
                let updates_per_sec = segment.batch as f64 / latency.p50.max(1e-9);
                rows.push(Row {
                    system: row_name("union-find recompute", segment),
                    batch: segment.batch,
                    latency,
                    updates_per_sec,
                });
            }
        }
        for c in &configurations {
            let wins =
                job.segments.iter().enumerate().filter(|(_, segment)| !segment.alone).find_map(|(s, segment)| {
                    let dataflow = rows.iter().find(|r| r.system == c.name() && r.batch == segment.batch)?;
                    let recompute = Percentiles::of(&replay.recompute[s])?;
                    (recompute.p50 < dataflow.latency.p50).then_some(segment.batch)
                });
            recompute_wins_from.push((c.name(), wins));
        }
        let stream = StreamInfo {
            seed: job.stream.seed,
            deletions: job.stream.deletions,
            batch_sizes: job.segments.iter().map(|s| s.batch).collect(),
            batches: job.segments.iter().map(|s| s.batches).collect(),
            alone: job.segments.iter().map(|s| s.alone).collect(),
            max_ahead: job.max_ahead,
            check_every: job.check_every,
        };
        UpdatesReport {
            provenance,
            command,
            graph,
            stream,
            union_find_static_secs,
            replay,
            configurations,
            rows,
            recompute_wins_from,
        }
    }

    /// True when every verified digest equalled the oracle's.
    pub fn ok(&self) -> bool {
        self.configurations.iter().all(|c| c.mismatches.is_empty())
    }
}
