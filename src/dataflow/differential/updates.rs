//! Keeping the components current: the graph is loaded (each worker inserts its own share of the
//! mapped `.cgr`), the components computed, and then batches of edge changes from an
//! [`UpdateStream`] are applied one timestamp per batch. Worker 0 generates the stream, submits
//! each batch and measures its latency: from the moment the batch is handed to the dataflow until
//! the output frontier passes the batch's timestamp (the labels are then complete for it).
//!
//! Backpressure: worker 0 never has more than [`UpdatesJob::max_ahead`] batches in flight (it
//! steps the dataflow until the oldest completes before submitting another). Compaction: the
//! dataflow holds no trace handle of its own, so as the input frontier advances, differential
//! advances the arrangements' frontiers and merges their batches, and state stays proportional to
//! the current graph rather than to its history.
//!
//! Verification support: for the batches [`UpdatesJob::checked`] names, worker 0 records the
//! digest of the maintained labels (it keeps every node's label from the output's changes); the
//! caller compares them with the oracle on the same stream.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::memory::{Counter, Held};
use super::stream::{StreamSpec, UpdateStream};
use super::{LabelSink, Time, Variant, build, load_share, step_until};
use crate::algo::Output;
use crate::dataflow::{ClusterConfig, Partition, Strategy, cluster};
use crate::{Error, Result};

/// `batches` batches of `batch` changes each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Changes per batch.
    pub batch: usize,
    /// Number of batches.
    pub batches: usize,
    /// One batch at a time: each is submitted only once the one before has completed, whatever
    /// [`UpdatesJob::max_ahead`] says (the latency of a lone update, apart from throughput).
    #[serde(default)]
    pub alone: bool,
}

impl Segment {
    /// The most batches of this segment in flight under `max_ahead`.
    pub fn in_flight(&self, max_ahead: usize) -> usize {
        if self.alone { 1 } else { max_ahead }
    }
}

/// One run of updates: the graph, the stream, and how it is applied.
#[derive(Clone, Debug)]
pub struct UpdatesJob {
    /// The `.cgr` file every process maps.
    pub graph: PathBuf,
    /// How the changes are drawn.
    pub stream: StreamSpec,
    /// The batch sizes, applied one segment after the other on the same evolving graph.
    pub segments: Vec<Segment>,
    /// The most batches in flight (submitted, output not yet complete).
    pub max_ahead: usize,
    /// Record the labels' digest after every `check_every`-th batch of each segment and after its
    /// last (0: only after the last).
    pub check_every: usize,
    /// How nodes are split among workers for the initial load.
    pub partition: Strategy,
    /// Which dataflow keeps the labels.
    pub variant: Variant,
    /// Records of merge work each arrangement does per scheduling while not compact (`None`:
    /// merging only as new batches arrive). Idle merging keeps memory down under long mixed
    /// streams, but a stream with no idle time between batches pays for it in every batch: on
    /// Kronecker 18 it multiplies the latency of a lone update by about four.
    pub idle_merge_effort: Option<isize>,
}

impl UpdatesJob {
    /// Checks the job before anything starts.
    pub fn validate(&self) -> Result<()> {
        self.stream.validate()?;
        if !self.variant.deletes() && self.stream.deletions > 0.0 {
            return Err(Error::invalid(format!(
                "{} keeps labels as minima, which cannot be taken back: it takes insert-only streams (--deletions 0), \
                 not --deletions {}; use differential-cc for deletions",
                self.variant.name(),
                self.stream.deletions
            )));
        }
        if self.max_ahead == 0 {
            return Err(Error::invalid("--max-ahead must be at least 1"));
        }
        if self.segments.is_empty() || self.segments.iter().any(|s| s.batch == 0 || s.batches == 0) {
            return Err(Error::invalid("every batch size and the number of batches must be at least 1"));
        }
        let total: u128 = self.segments.iter().map(|s| s.batches as u128).sum();
        if total >= Time::MAX as u128 / 2 {
            return Err(Error::invalid(format!("{total} batches are more than a run can number")));
        }
        Ok(())
    }

    /// Whether the `i`-th batch (from 0) of a segment of `batches` batches is verified.
    pub fn checked(&self, i: usize, batches: usize) -> bool {
        i + 1 == batches || (self.check_every > 0 && (i + 1).is_multiple_of(self.check_every))
    }
}

/// One batch as measured by worker 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchRecord {
    /// Its segment (index into [`UpdatesJob::segments`]).
    pub segment: usize,
    /// Its position in the segment, from 0.
    pub index: usize,
    /// Seconds from submission until the output was complete for it.
    pub latency_secs: f64,
    /// The digest of the labels after it ([`Output::digest`]), for checked batches.
    pub digest: Option<String>,
}

/// One segment as measured by worker 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// The segment.
    pub segment: Segment,
    /// Seconds from its first submission until its last batch completed.
    pub elapsed_secs: f64,
}

/// What worker 0 reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdatesRun {
    /// Seconds to map and validate the graph.
    pub load_secs: f64,
    /// Seconds from building the dataflow until the first components were complete.
    pub initial_secs: f64,
    /// The digest of the first components.
    pub initial_digest: String,
    /// Every batch, in order.
    pub batches: Vec<BatchRecord>,
    /// Every segment, in order.
    pub segments: Vec<SegmentRecord>,
    /// What this process's arrangements held when the last batch had completed.
    #[serde(default)]
    pub held_at_end: Held,
}

/// Runs `job` on this process's workers of `config`. Process 0 returns worker 0's measurements;
/// the other processes return `None` once the run has completed everywhere. `held` counts what
/// the arrangements of this process's workers hold.
pub fn maintain(config: &ClusterConfig, job: &UpdatesJob, held: &Counter) -> Result<Option<UpdatesRun>> {
    config.validate()?;
    job.validate()?;
    let start = Instant::now();
    let graph = Arc::new(crate::io::cgr::open(&job.graph)?);
    let load_secs = start.elapsed().as_secs_f64();
    let fingerprint = crate::io::cgr::fnv1a(
        format!(
            "differential-updates|{}|{}|{}|{:?}|{:?}|{}|{}|{}|{:?}",
            job.variant.name(),
            graph.num_nodes(),
            graph.num_arcs(),
            job.stream,
            job.segments,
            job.max_ahead,
            job.check_every,
            job.partition.name(),
            job.idle_merge_effort
        )
        .as_bytes(),
    );
    let (shared, job_shared, held) = (Arc::clone(&graph), job.clone(), held.clone());
    let results = cluster::execute_merging(config, fingerprint, job.idle_merge_effort, move |worker, abort| {
        let (graph, job) = (&*shared, &job_shared);
        let partition = Partition::new(graph, worker.peers(), job.partition);
        let me = worker.index();
        // Worker 0 generates; building the stream reads every edge, so it happens before the clock starts.
        let stream = if me == 0 { Some(UpdateStream::new(graph, job.stream)?) } else { None };
        let sink = Rc::new(RefCell::new(LabelSink::new(if me == 0 { graph.num_nodes() } else { 0 })));
        let start = Instant::now();
        let (mut inputs, probe) = build(worker, job.variant, &sink, &Rc::default(), &held);
        load_share(worker, &graph.whole_shard(), &partition, &mut inputs);
        let Some(mut stream) = stream else {
            // Only worker 0's input stays open: its time is the input frontier.
            drop(inputs);
            step_until(worker, abort, || probe.done())?;
            return Ok(None);
        };
        let (mut arcs, nodes) = inputs;
        drop(nodes);
        arcs.advance_to(1);
        arcs.flush();
        step_until(worker, abort, || !probe.less_than(&1))?;
        let initial_secs = start.elapsed().as_secs_f64();
        sink.borrow_mut().apply_through(0)?;
        let initial_digest = digest(&sink.borrow())?;

        let mut run = UpdatesRun {
            load_secs,
            initial_secs,
            initial_digest,
            batches: Vec::new(),
            segments: Vec::new(),
            held_at_end: Held::default(),
        };
        let mut time: Time = 1;
        for (s, segment) in job.segments.iter().enumerate() {
            let started = Instant::now();
            let mut in_flight: VecDeque<(Time, Instant, usize)> = VecDeque::new();
            let retire = |in_flight: &mut VecDeque<(Time, Instant, usize)>, run: &mut UpdatesRun| -> Result<()> {
                while let Some(&(t, submitted, i)) = in_flight.front() {
                    if probe.less_equal(&t) {
                        break;
                    }
                    let latency_secs = submitted.elapsed().as_secs_f64();
                    let mut sink = sink.borrow_mut();
                    sink.apply_through(t)?;
                    let digest = if job.checked(i, segment.batches) { Some(digest(&sink)?) } else { None };
                    run.batches.push(BatchRecord { segment: s, index: i, latency_secs, digest });
                    in_flight.pop_front();
                }
                Ok(())
            };
            for i in 0..segment.batches {
                while in_flight.len() >= segment.in_flight(job.max_ahead) {
                    worker.step_or_park(Some(Duration::from_millis(1)));
                    abort.check()?;
                    retire(&mut in_flight, &mut run)?;
                }
                for (u, v, diff) in stream.next_batch(segment.batch) {
                    arcs.update((u, v), diff);
                    arcs.update((v, u), diff);
                }
                arcs.advance_to(time + 1);
                arcs.flush();
                in_flight.push_back((time, Instant::now(), i));
                time += 1;
                worker.step();
                retire(&mut in_flight, &mut run)?;
            }
            while !in_flight.is_empty() {
                worker.step_or_park(Some(Duration::from_millis(1)));
                abort.check()?;
                retire(&mut in_flight, &mut run)?;
            }
            run.segments.push(SegmentRecord { segment: *segment, elapsed_secs: started.elapsed().as_secs_f64() });
        }
        run.held_at_end = held.now();
        drop(arcs);
        step_until(worker, abort, || probe.done())?;
        Ok(Some(run))
    })?;
    Ok(results.into_iter().flatten().next())
}

/// The digest of the sink's labels, as the oracle's is computed.
fn digest(sink: &LabelSink) -> Result<String> {
    Ok(Output::Components(sink.components()?).digest())
}
