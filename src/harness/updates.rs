//! The `updates` report: update latency percentiles and throughput of differential dataflow,
//! per batch size and configuration, against the single-thread answers on the same stream —
//! an incremental union-find (insert-only streams) and union-find recomputed from scratch after
//! each batch — with every checked batch verified against the oracle by digest.
//!
//! [`replay`] runs the single-thread side: it draws the very same stream (same seed) and, for
//! every batch, times the incremental union-find's unions; for the batches the job checks, it
//! times union-find over the whole updated edge list (the recompute) and keeps the digest of its
//! canonical labels, which is the oracle the dataflow's digests must equal. [`UpdatesReport`]
//! puts the two together and writes `report.json`, `runs.csv`, `report.md` and `latency.svg`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::provenance::Provenance;
use super::report::GraphInfo;
use super::stats;
use crate::algo::cc::union_find::union_find_edges;
use crate::algo::cc::{Components, dsu};
use crate::dataflow::differential::memory::{Counter, Held};
use crate::dataflow::differential::stream::UpdateStream;
use crate::dataflow::differential::updates::{UpdatesJob, UpdatesRun};
use crate::graph::Csr;
use crate::registry::Output;
use crate::{Error, Result};

/// Latency percentiles (seconds), nearest-rank: `pXX` is the smallest sample with at least XX% of
/// the samples at or below it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Number of samples.
    pub samples: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest sample.
    pub max: f64,
}

impl Percentiles {
    /// The percentiles of `samples`, or `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Percentiles> {
        if samples.is_empty() {
            return None;
        }
        let sorted = stats::sorted(samples);
        let n = sorted.len();
        let rank = |per_mille| stats::nearest_rank(&sorted, per_mille);
        Some(Percentiles {
            samples: n,
            p50: rank(500),
            p90: rank(900),
            p99: rank(990),
            p999: rank(999),
            max: sorted[n - 1],
        })
    }
}

/// What the single-thread side measured on the stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    /// The oracle's digest of the first components.
    pub initial_digest: String,
    /// Per segment, per batch: the oracle's digest after the batch (checked batches only).
    pub digests: Vec<Vec<Option<String>>>,
    /// Per segment: seconds of the incremental union-find's unions for each batch; `None` when
    /// the stream deletes (union-find cannot delete).
    pub incremental: Option<Vec<Vec<f64>>>,
    /// Per segment: seconds of union-find from scratch over the updated edges, for each checked batch.
    pub recompute: Vec<Vec<f64>>,
}

/// Replays `job`'s stream on one thread over `graph` (see the module docs).
pub fn replay(graph: &Csr, job: &UpdatesJob) -> Result<Replay> {
    let mut stream = UpdateStream::new(graph, job.stream)?;
    let n = stream.num_nodes();
    let initial_digest = digest(union_find_edges(n, stream.edges()));
    let insert_only = job.stream.deletions == 0.0;
    let mut parent = dsu::singletons(n);
    if insert_only {
        for &(u, v) in stream.edges() {
            dsu::rem_union(&mut parent, u, v);
        }
    }
    let mut out =
        Replay { initial_digest, digests: Vec::new(), incremental: insert_only.then(Vec::new), recompute: Vec::new() };
    for segment in &job.segments {
        let (mut digests, mut incremental, mut recompute) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..segment.batches {
            let batch = stream.next_batch(segment.batch);
            if insert_only {
                let start = Instant::now();
                for &(u, v, _) in &batch {
                    dsu::rem_union(&mut parent, u, v);
                }
                incremental.push(start.elapsed().as_secs_f64());
            }
            digests.push(if job.checked(i, segment.batches) {
                let start = Instant::now();
                let components = union_find_edges(n, stream.edges());
                recompute.push(start.elapsed().as_secs_f64());
                Some(digest(components))
            } else {
                None
            });
        }
        out.digests.push(digests);
        out.recompute.push(recompute);
        if let Some(all) = &mut out.incremental {
            all.push(incremental);
        }
    }
    if insert_only {
        // The incremental answer must be right too.
        dsu::flatten(&mut parent);
        let last = out.digests.iter().flatten().flatten().last().cloned();
        if last != Some(digest(Components::from_canonical(parent))) {
            return Err(Error::invalid("the incremental union-find disagrees with union-find from scratch"));
        }
    }
    Ok(out)
}

fn digest(components: Components) -> String {
    Output::Components(components).digest()
}

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
/// thread of its own until [`stop`](RssSampler::stop).
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<RssSample>>,
}

impl RssSampler {
    /// Starts sampling.
    pub fn start(interval: Duration, held: Counter) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut samples = Vec::new();
            loop {
                if let Some(bytes) = crate::sysinfo::rss_bytes() {
                    samples.push(RssSample { secs: start.elapsed().as_secs_f64(), bytes, held: held.now() });
                }
                // Sleep in short steps so that stopping is prompt.
                let until = Instant::now() + interval;
                while Instant::now() < until {
                    if flag.load(Ordering::Relaxed) {
                        return samples;
                    }
                    std::thread::sleep(interval.min(Duration::from_millis(20)));
                }
            }
        });
        RssSampler { stop, thread }
    }

    /// Stops sampling and returns the samples.
    pub fn stop(self) -> Vec<RssSample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
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
    pub fn new(workers: usize, processes: usize, command: String, result: ProcessResult, oracle: &Replay) -> Self {
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
        ConfigurationResult { workers, processes, command, result, mismatches, verified }
    }

    /// A short name: `differential-cc W×P`.
    pub fn name(&self) -> String {
        format!("differential-cc {}w×{}p", self.workers, self.processes)
    }
}

/// One line of the table: a system at one batch size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Who answered: `differential-cc 2w×1p`, `incremental union-find`, `union-find recompute`.
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
                    rows.push(Row { system: c.name(), batch: segment.batch, latency, updates_per_sec });
                }
            }
            if let Some(latency) = replay.incremental.as_ref().and_then(|i| Percentiles::of(&i[s])) {
                let updates_per_sec = segment.batch as f64 / latency.p50.max(1e-9);
                rows.push(Row {
                    system: "incremental union-find".into(),
                    batch: segment.batch,
                    latency,
                    updates_per_sec,
                });
            }
            if let Some(latency) = Percentiles::of(&replay.recompute[s]) {
                let updates_per_sec = segment.batch as f64 / latency.p50.max(1e-9);
                rows.push(Row {
                    system: "union-find recompute".into(),
                    batch: segment.batch,
                    latency,
                    updates_per_sec,
                });
            }
        }
        for c in &configurations {
            let wins = job.segments.iter().enumerate().find_map(|(s, segment)| {
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

    /// The table as text (also the heart of `report.md`).
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| system | batch | p50 | p90 | p99 | p99.9 | max | updates/s | batches |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.rows {
            let l = &r.latency;
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.system,
                r.batch,
                secs(l.p50),
                secs(l.p90),
                secs(l.p99),
                secs(l.p999),
                secs(l.max),
                rate(r.updates_per_sec),
                l.samples
            );
        }
        for (name, wins) in &self.recompute_wins_from {
            out += &match wins {
                Some(b) => format!("\n{name}: recomputing with union-find wins from batch size {b} on.\n"),
                None => format!("\n{name}: recomputing with union-find never wins in this sweep.\n"),
            };
        }
        out
    }

    /// `report.md`: what was measured, on what, the table, verification and memory.
    pub fn markdown(&self) -> String {
        let p = &self.provenance;
        let g = &self.graph;
        let s = &self.stream;
        let mut out = format!(
            "# costgraph updates cc{}\n\n",
            if self.ok() { "" } else { " — FAILED: wrong answers (see Verification)" }
        );
        out += &format!(
            "- graph: `{}` ({}), {} nodes, {} arcs, sha256 `{}`\n",
            g.path.display(),
            g.origin,
            g.nodes,
            g.arcs,
            g.sha256
        );
        out += &format!(
            "- stream: seed {}, deletions {}, batch sizes {:?}, {:?} batches of each, at most {} batch(es) in flight\n",
            s.seed, s.deletions, s.batch_sizes, s.batches, s.max_ahead
        );
        out += &format!(
            "- machine: {} ({} cores, {} bytes memory), {}; costgraph {} ({}), {}\n",
            p.machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
            p.machine.cores,
            p.machine.memory_bytes.map_or("unknown".into(), |b| b.to_string()),
            p.machine.os,
            p.costgraph_version,
            p.git_commit,
            p.rustc
        );
        out += &format!("- command: `{}`\n", self.command.join(" "));
        out += &format!("- one `union-find` on the static graph: {}\n\n", secs(self.union_find_static_secs));
        out += "Latency: from a batch's submission until the output frontier passes its timestamp. \
                Single thread: the incremental union-find's unions for the batch (insert-only streams), \
                and union-find over the whole updated edge list (recompute, timed on the verified batches).\n\n";
        out += &self.table();
        out += "\n## Verification\n\n";
        for c in &self.configurations {
            out += &format!(
                "- {}: initial components and {} batch(es) compared with union-find by digest: {}\n",
                c.name(),
                c.verified,
                if c.mismatches.is_empty() {
                    "all equal".to_string()
                } else {
                    format!("MISMATCH at {:?}", c.mismatches)
                }
            );
        }
        out += "\n## Memory and start-up\n\n| configuration | load | first components | RSS after start | RSS at end | peak RSS | arranged after start | arranged at end |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
        for c in &self.configurations {
            let run = &c.result.run;
            let rss = &c.result.rss;
            let after_start = rss.iter().find(|r| r.secs >= run.load_secs + run.initial_secs).or(rss.last());
            let peak = rss.iter().map(|r| r.bytes).max();
            let mb = |b: Option<u64>| b.map_or("—".into(), |b| format!("{:.1} MiB", b as f64 / (1 << 20) as f64));
            let held = |h: Option<Held>| h.map_or("—".into(), |h| format!("{:.2}M", h.arranged as f64 / 1e6));
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                c.name(),
                secs(run.load_secs),
                secs(run.initial_secs),
                mb(after_start.map(|r| r.bytes)),
                mb(rss.last().map(|r| r.bytes)),
                mb(peak),
                held(after_start.map(|s| s.held)),
                held(Some(run.held_at_end))
            );
        }
        out += "\n\"Arranged\" counts the updates process 0's arrangements hold (differential's own log of its \
                traces: what the dataflow keeps, apart from what the allocator keeps).\n";
        out += "\nProcess 0's resident memory, sampled over the run, is in report.json; the latency CDFs in latency.svg.\n";
        out
    }

    /// `runs.csv`: one line per measured batch.
    pub fn csv(&self) -> String {
        let mut out = String::from("system,workers,processes,batch,index,latency_secs,verified\n");
        for c in &self.configurations {
            for b in &c.result.run.batches {
                let batch = self.stream.batch_sizes.get(b.segment).copied().unwrap_or(0);
                out += &format!(
                    "{},{},{},{},{},{:.9},{}\n",
                    c.name(),
                    c.workers,
                    c.processes,
                    batch,
                    b.index,
                    b.latency_secs,
                    b.digest.is_some()
                );
            }
        }
        let single = [
            ("incremental union-find", self.replay.incremental.as_ref()),
            ("union-find recompute", Some(&self.replay.recompute)),
        ];
        for (name, series) in single {
            for (s, latencies) in series.into_iter().flatten().enumerate() {
                let batch = self.stream.batch_sizes.get(s).copied().unwrap_or(0);
                for (i, l) in latencies.iter().enumerate() {
                    out += &format!("{name},1,1,{batch},{i},{l:.9},false\n");
                }
            }
        }
        out
    }

    /// Writes `report.json`, `runs.csv`, `report.md` and `latency.svg` into `dir` (created if
    /// needed), each atomically; returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let json = serde_json::to_string_pretty(self).map_err(|e| Error::invalid(format!("report.json: {e}")))?;
        let files = [
            ("report.json", json),
            ("runs.csv", self.csv()),
            ("report.md", self.markdown()),
            ("latency.svg", self.latency_svg()?),
        ];
        let mut written = Vec::new();
        for (name, text) in files {
            let path = dir.join(name);
            crate::io::write_atomically(&path, |w| w.write_all(text.as_bytes()))?;
            written.push(path);
        }
        Ok(written)
    }

    /// The latency CDFs: one panel per batch size, one line per system, latency on a log axis.
    pub fn latency_svg(&self) -> Result<String> {
        let mut series: Vec<(usize, String, Vec<f64>)> = Vec::new();
        for s in 0..self.stream.batch_sizes.len() {
            for c in &self.configurations {
                let l = c.result.run.batches.iter().filter(|b| b.segment == s).map(|b| b.latency_secs).collect();
                series.push((s, c.name(), l));
            }
            if let Some(inc) = &self.replay.incremental {
                series.push((s, "incremental union-find".into(), inc[s].clone()));
            }
            series.push((s, "union-find recompute".into(), self.replay.recompute[s].clone()));
        }
        let panels = self.stream.batch_sizes.len().max(1);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (800, 320 * panels as u32)).into_drawing_area();
            root.fill(&WHITE).map_err(drawing)?;
            for (s, area) in root.split_evenly((panels, 1)).iter().enumerate() {
                let Some(&batch) = self.stream.batch_sizes.get(s) else { continue };
                let lines: Vec<&(usize, String, Vec<f64>)> =
                    series.iter().filter(|(seg, _, l)| *seg == s && !l.is_empty()).collect();
                let positive = || lines.iter().flat_map(|(_, _, l)| l.iter().copied()).filter(|&x| x > 0.0);
                let lo = positive().fold(f64::INFINITY, f64::min);
                let hi = positive().fold(0.0, f64::max);
                let (lo, hi) = if lo.is_finite() && hi > 0.0 { (lo / 1.5, hi * 1.5) } else { (1e-6, 1.0) };
                let mut chart = ChartBuilder::on(area)
                    .caption(format!("batch size {batch}: latency CDF"), ("sans-serif", 18))
                    .margin(12)
                    .x_label_area_size(36)
                    .y_label_area_size(50)
                    .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)
                    .map_err(drawing)?;
                chart
                    .configure_mesh()
                    .x_desc("latency (seconds, log scale)")
                    .y_desc("fraction of batches")
                    .x_label_formatter(&|x| format!("{x:.0e}"))
                    .draw()
                    .map_err(drawing)?;
                for (i, (_, name, latencies)) in lines.iter().enumerate() {
                    let mut sorted: Vec<f64> = latencies.iter().map(|&x| x.max(lo)).collect();
                    sorted.sort_by(f64::total_cmp);
                    let n = sorted.len() as f64;
                    let points: Vec<(f64, f64)> =
                        sorted.iter().enumerate().map(|(k, &x)| (x, (k + 1) as f64 / n)).collect();
                    let color = Palette99::pick(i).to_rgba();
                    chart
                        .draw_series(LineSeries::new(points, color.stroke_width(2)))
                        .map_err(drawing)?
                        .label(name.as_str())
                        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
                }
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()
                    .map_err(drawing)?;
            }
            root.present().map_err(drawing)?;
        }
        Ok(svg)
    }
}

fn drawing(e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("cannot draw latency.svg: {e}"))
}

/// Seconds in a readable unit.
fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2}M", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.1}k", r / 1e3)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::Strategy;
    use crate::dataflow::differential::stream::StreamSpec;
    use crate::dataflow::differential::updates::{BatchRecord, Segment};
    use crate::graph::BuildOptions;
    use crate::testing;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(Percentiles::of(&[]), None);
        let s: Vec<f64> = (1..=1000).map(f64::from).collect();
        let p = Percentiles::of(&s).unwrap();
        assert_eq!((p.p50, p.p90, p.p99, p.p999, p.max, p.samples), (500.0, 900.0, 990.0, 999.0, 1000.0, 1000));
        let one = Percentiles::of(&[3.0]).unwrap();
        assert_eq!((one.p50, one.p999), (3.0, 3.0));
    }

    #[test]
    fn replay_checks_the_last_batch_of_each_segment() {
        let csr = Csr::from_edges(&testing::random_graph(5, 60, 40, false, None), BuildOptions::undirected());
        let job = UpdatesJob {
            graph: PathBuf::new(),
            stream: StreamSpec { seed: 4, deletions: 0.0 },
            segments: vec![Segment { batch: 3, batches: 4 }, Segment { batch: 7, batches: 2 }],
            max_ahead: 2,
            check_every: 0,
            partition: Strategy::Balanced,
        };
        let r = replay(&csr, &job).unwrap();
        assert_eq!(r.digests[0].iter().map(Option::is_some).collect::<Vec<_>>(), [false, false, false, true]);
        assert_eq!(r.recompute.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1]);
        assert_eq!(r.incremental.as_ref().unwrap()[1].len(), 2);
        // The final digest is union-find on the final edges.
        let mut stream = UpdateStream::new(&csr, job.stream).unwrap();
        stream.next_batch(12);
        stream.next_batch(14);
        let expected = digest(union_find_edges(60, stream.edges()));
        assert_eq!(r.digests[1][1].as_deref(), Some(expected.as_str()));
        let mixed = UpdatesJob { stream: StreamSpec { seed: 4, deletions: 0.3 }, ..job.clone() };
        assert!(replay(&csr, &mixed).unwrap().incremental.is_none());

        // A maintained answer that differs from the oracle's is a mismatch, and fails the report.
        let batches = r.digests.iter().enumerate().flat_map(|(s, d)| {
            d.iter().enumerate().map(move |(i, digest)| BatchRecord {
                segment: s,
                index: i,
                latency_secs: 1e-3,
                digest: digest.clone(),
            })
        });
        let mut run = UpdatesRun {
            load_secs: 0.0,
            initial_secs: 0.0,
            initial_digest: r.initial_digest.clone(),
            batches: batches.collect(),
            segments: Vec::new(),
            held_at_end: Held::default(),
        };
        let good =
            ConfigurationResult::new(1, 1, String::new(), ProcessResult { run: run.clone(), rss: Vec::new() }, &r);
        assert_eq!((good.verified, good.mismatches.len()), (2, 0));
        run.batches[3].digest = Some("wrong".into());
        let bad = ConfigurationResult::new(1, 1, String::new(), ProcessResult { run, rss: Vec::new() }, &r);
        assert_eq!(bad.mismatches, [Some((0, 3))]);
        let graph = GraphInfo {
            path: PathBuf::new(),
            origin: String::new(),
            sha256: String::new(),
            file_bytes: 0,
            nodes: 60,
            arcs: 0,
            weighted: false,
            symmetric: true,
        };
        let report = UpdatesReport::new(Provenance::collect(), Vec::new(), graph, &job, 0.0, r, vec![good, bad]);
        assert!(!report.ok());
        assert!(report.markdown().contains("FAILED") && report.csv().lines().count() > 12);
        assert!(report.latency_svg().unwrap().starts_with("<svg"));
    }
}
