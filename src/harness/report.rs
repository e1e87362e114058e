//! The sweep's results: analysis (baseline, agreement, COST with confidence, speedups) and the
//! report files — `report.json` (everything, with `schema_version`), `runs.csv` (one row per
//! counted run), `report.md` (tables to paste into a review) and `scaling.svg` (see
//! [`super::plot`]). A sweep in which some configurations failed still reports everything that
//! finished, with status `partial` and the failures listed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::capacity::Estimate;
use crate::units::human_bytes;
use super::cost::{CoreVerdict, Cost, Interval, Point, Verdict, best_baseline, cost, verdict_text, verdicts};
use super::provenance::Provenance;
use super::stats::{MIN_RUNS_FOR_95, Sampling, Stop, Summary};
use super::sweep::{Configuration, Failure, FailureKind, Outcome};
use crate::registry::{Kind, Problem};
use crate::{Error, Result};

/// The version of `report.json`'s layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 2;

/// One measured configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measurement {
    /// What ran.
    #[serde(flatten)]
    pub configuration: Configuration,
    /// Cores it used.
    pub cores: usize,
    /// The exact command line of the child (of its first batch).
    pub command: String,
    /// Seconds to load the graph (in the first batch's process).
    pub load_secs: f64,
    /// Seconds to prepare the implementation's view of it.
    pub prep_secs: f64,
    /// Each counted computation, in seconds.
    pub compute_secs: Vec<f64>,
    /// Statistics of the computation, with the median's 95 % interval.
    pub compute: Summary,
    /// Statistics of load + preparation + computation, per counted run.
    pub end_to_end: Summary,
    /// Why sampling stopped: `fixed`, `precise`, or a cap.
    pub stop: Stop,
    /// Batches (fresh processes) it took.
    pub batches: usize,
    /// The highest 1-minute load average seen while it ran.
    pub load_average: Option<f64>,
    /// Peak resident memory of the child.
    pub peak_rss_bytes: Option<u64>,
    /// Rounds, records and bytes exchanged (timely implementations).
    pub traffic: super::model::Traffic,
    /// The child's result summary.
    pub result: serde_json::Value,
    /// The result's exact fingerprint (empty for an external system that reports a count).
    pub digest: String,
    /// The verifier's verdict (baselines run it).
    pub verified: Option<bool>,
    /// Whether the answer equals the baseline's (by digest; by the reported figures for an
    /// external system that reports a count or a weight).
    pub agrees_with_baseline: bool,
    /// The implementation's own 1-core median / this median.
    pub speedup_vs_one_core: Option<f64>,
    /// The baseline's median / this median.
    pub speedup_vs_baseline: f64,
    /// How its compute interval compares with the baseline's (none when its answer is wrong).
    pub verdict: Option<Verdict>,
}

/// A configuration that has no figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedConfiguration {
    /// What ran.
    #[serde(flatten)]
    pub configuration: Configuration,
    /// Cores it used.
    pub cores: usize,
    /// The exact command line.
    pub command: String,
    /// How it failed.
    pub failure: Failure,
    /// The highest 1-minute load average seen while it ran.
    pub load_average: Option<f64>,
}

/// The baselines a problem's COST is measured against.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    /// The fastest single-thread implementation by compute median.
    pub implementation: String,
    /// Its compute median and 95 % interval.
    pub compute: Interval,
    /// The fastest single-thread implementation end to end.
    pub end_to_end_implementation: String,
    /// Its end-to-end median and interval.
    pub end_to_end: Interval,
    /// The reference result digest (the compute baseline's).
    pub digest: String,
    /// The reference result summary.
    pub result: serde_json::Value,
}

/// One scalable implementation's COST.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImplementationCost {
    /// The implementation.
    pub implementation: String,
    /// Its kind (`external` for an external system).
    pub kind: Kind,
    /// COST on compute time.
    pub compute: Cost,
    /// The compute verdict at every core count, with the intervals.
    pub verdicts: Vec<CoreVerdict>,
    /// The verdicts in words: `ties at 1 core; beats at 2 cores`.
    pub verdict_text: String,
    /// COST on end-to-end time (load + compute).
    pub end_to_end: Cost,
}

/// Everything about one problem.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProblemReport {
    /// The problem.
    pub problem: Problem,
    /// The baseline; none when no single-thread configuration finished.
    pub baseline: Option<Baseline>,
    /// Every configuration that finished, in sweep order.
    pub measurements: Vec<Measurement>,
    /// Every configuration that did not.
    pub failed: Vec<FailedConfiguration>,
    /// The COST of every scalable implementation that has correct figures.
    pub costs: Vec<ImplementationCost>,
    /// Failures and disagreements, in words; non-empty makes the report `partial`.
    pub failures: Vec<String>,
}

/// Turns the outcomes of one problem's configurations into its report: picks the baselines,
/// compares every answer with the reference, computes speedups, verdicts and COST. Configurations
/// that failed, or whose answer is wrong, are listed and left out of COST. `command` renders a
/// configuration's command line.
pub fn analyze(
    problem: Problem,
    outcomes: Vec<(Configuration, Outcome)>,
    command: impl Fn(&Configuration) -> String,
) -> ProblemReport {
    let mut measurements = Vec::new();
    let mut failed = Vec::new();
    let mut failures = Vec::new();
    for (configuration, outcome) in outcomes {
        let r = match (outcome.record, outcome.failure) {
            (Some(r), _) => r,
            (None, failure) => {
                let failure = failure.unwrap_or_else(|| Failure::new(FailureKind::Error, "no record"));
                failures.push(format!("{}: {failure}", configuration.describe()));
                failed.push(FailedConfiguration {
                    cores: configuration.layout.cores(),
                    command: command(&configuration),
                    failure,
                    load_average: outcome.load_average,
                    configuration,
                });
                continue;
            }
        };
        let end_to_end: Vec<f64> = r.compute_secs.iter().map(|t| r.load_secs + r.prep_secs + t).collect();
        let summary = |times: &[f64]| Summary::of(times).expect("records have times");
        measurements.push(Measurement {
            cores: configuration.layout.cores(),
            command: command(&configuration),
            load_secs: r.load_secs,
            prep_secs: r.prep_secs,
            compute: summary(&r.compute_secs),
            end_to_end: summary(&end_to_end),
            stop: outcome.stop.unwrap_or(Stop::Fixed),
            batches: outcome.batches,
            load_average: outcome.load_average,
            compute_secs: r.compute_secs,
            peak_rss_bytes: r.peak_rss_bytes,
            traffic: r.traffic,
            result: r.result,
            digest: r.digest,
            verified: r.verified,
            agrees_with_baseline: false,
            speedup_vs_one_core: None,
            speedup_vs_baseline: 0.0,
            verdict: None,
            configuration,
        });
    }
    let baselines =
        || measurements.iter().filter(|m| m.configuration.kind == Kind::SingleThread && m.verified != Some(false));
    let Some((compute_name, compute)) = best_baseline(baselines().map(|m| (name(m), Interval::of(&m.compute)))) else {
        failures.push(format!(
            "{}: no single-thread baseline finished, so no configuration can be verified or given a COST",
            problem.name()
        ));
        return ProblemReport { problem, baseline: None, measurements, failed, costs: Vec::new(), failures };
    };
    let (e2e_name, end_to_end) =
        best_baseline(baselines().map(|m| (name(m), Interval::of(&m.end_to_end)))).expect("there is a baseline");
    let reference = baselines().find(|m| name(m) == compute_name).expect("the baseline was measured");
    let baseline = Baseline {
        implementation: compute_name.to_string(),
        compute,
        end_to_end_implementation: e2e_name.to_string(),
        end_to_end,
        digest: reference.digest.clone(),
        result: reference.result.clone(),
    };

    let one_core: Vec<(String, f64)> =
        measurements.iter().filter(|m| m.cores == 1).map(|m| (name(m).to_string(), m.compute.median)).collect();
    for m in &mut measurements {
        m.agrees_with_baseline = agrees(problem, m, &baseline);
        if !m.agrees_with_baseline {
            failures.push(format!(
                "{}: wrong answer: disagrees with the baseline {}: result {} (digest {}) vs {} (digest {})",
                m.configuration.describe(),
                baseline.implementation,
                m.result,
                short(&m.digest),
                baseline.result,
                short(&baseline.digest)
            ));
        }
        if m.verified == Some(false) {
            failures.push(format!("{}: wrong answer: failed its verifier", m.configuration.describe()));
        }
        m.speedup_vs_baseline = baseline.compute.median / m.compute.median;
        m.speedup_vs_one_core =
            one_core.iter().find(|(n, _)| *n == m.configuration.implementation).map(|(_, one)| one / m.compute.median);
        if m.agrees_with_baseline && m.verified != Some(false) {
            m.verdict = Some(Verdict::of(baseline.compute, Interval::of(&m.compute)));
        }
    }

    let mut costs: Vec<ImplementationCost> = Vec::new();
    for m in measurements.iter().filter(|m| m.configuration.kind != Kind::SingleThread && m.verdict.is_some()) {
        if costs.iter().any(|c| c.implementation == m.configuration.implementation) {
            continue;
        }
        let mine = || {
            measurements
                .iter()
                .filter(|o| o.configuration.implementation == m.configuration.implementation && o.verdict.is_some())
        };
        let compute_points: Vec<Point> =
            mine().map(|o| Point { cores: o.cores, time: Interval::of(&o.compute) }).collect();
        let e2e_points: Vec<Point> =
            mine().map(|o| Point { cores: o.cores, time: Interval::of(&o.end_to_end) }).collect();
        let per_core = verdicts(baseline.compute, &compute_points);
        costs.push(ImplementationCost {
            implementation: m.configuration.implementation.clone(),
            kind: m.configuration.kind,
            compute: cost(baseline.compute, &compute_points).expect("at least this measurement"),
            verdict_text: verdict_text(&per_core),
            verdicts: per_core,
            end_to_end: cost(baseline.end_to_end, &e2e_points).expect("at least this measurement"),
        });
    }
    ProblemReport { problem, baseline: Some(baseline), measurements, failed, costs, failures }
}

/// Whether a measurement's answer equals the baseline's: bit for bit by digest for exact problems
/// (PageRank's runs pass their verifier instead), and for an external system that reports only a
/// figure (no digest), every figure it reports must equal the baseline's.
fn agrees(problem: Problem, m: &Measurement, baseline: &Baseline) -> bool {
    if !problem.exact() {
        return true;
    }
    if m.digest.is_empty() && m.configuration.kind == Kind::External {
        let (Some(mine), Some(theirs)) = (m.result.as_object(), baseline.result.as_object()) else {
            return false;
        };
        return !mine.is_empty() && mine.iter().all(|(k, v)| theirs.get(k).and_then(|t| t.as_f64()) == v.as_f64());
    }
    m.digest == baseline.digest
}

fn name(m: &Measurement) -> &str {
    m.configuration.implementation.as_str()
}

fn short(digest: &str) -> &str {
    &digest[..digest.len().min(12)]
}

/// The graph a sweep ran on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphInfo {
    /// Its path.
    pub path: PathBuf,
    /// Where it came from (given, or how it was generated).
    pub origin: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// File size.
    pub file_bytes: u64,
    /// Nodes.
    pub nodes: u64,
    /// Stored arcs.
    pub arcs: u64,
    /// Whether it has weights.
    pub weighted: bool,
    /// Whether it is stored symmetric.
    pub symmetric: bool,
}

/// How the sweep measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyInfo {
    /// Uncounted warm-up runs per batch.
    pub warmup: u32,
    /// How many counted runs each configuration gets.
    pub sampling: Sampling,
    /// Limit per configuration, in seconds.
    pub timeout_secs: u64,
    /// Thread / worker counts swept.
    pub core_counts: Vec<usize>,
    /// Process counts swept for timely.
    pub processes: Vec<usize>,
    /// The method in words.
    pub method: String,
}

/// The capacity estimate of one implementation at its largest configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CapacityRow {
    /// The problem.
    pub problem: Problem,
    /// The implementation.
    pub implementation: String,
    /// Its kind.
    pub kind: Kind,
    /// Cores of the configuration estimated.
    pub cores: usize,
    /// The estimate.
    pub estimate: Estimate,
    /// Whether it fits in the available memory.
    pub fits: bool,
}

/// A whole sweep: what `report.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `ok`, or `partial` when a configuration failed or gave a wrong answer (the rest is
    /// reported all the same).
    pub status: String,
    /// What failed, one line per configuration.
    pub failures: Vec<String>,
    /// What a reader must know before citing a figure: a busy machine, configurations that hit
    /// the sampling cap, intervals from fewer than six runs.
    pub warnings: Vec<String>,
    /// The highest 1-minute load average seen during the sweep.
    pub max_load_average: Option<f64>,
    /// When the sweep finished (Unix seconds).
    pub created_unix_secs: u64,
    /// Versions and machine.
    pub provenance: Provenance,
    /// The sweep's own command line.
    pub command_line: Vec<String>,
    /// Warm-up and repeat policy.
    pub policy: PolicyInfo,
    /// The graph.
    pub graph: GraphInfo,
    /// Memory estimates, checked before the sweep.
    pub capacity: Vec<CapacityRow>,
    /// One entry per problem swept.
    pub problems: Vec<ProblemReport>,
    /// The capacity model's estimates for clusters not measured (`cost --model`), if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelReport>,
}

/// The capacity model's estimates ([`super::model`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelReport {
    /// The clusters estimated.
    pub spec: super::model::ModelSpec,
    /// Cores per machine assumed (this machine's).
    pub cores_per_machine: usize,
    /// The formula, in words.
    pub formula: String,
    /// One row per implementation and cluster.
    pub rows: Vec<super::model::ModelRow>,
}

impl ModelReport {
    /// Estimates every problem of `problems` on the clusters of `spec`.
    pub fn of(problems: &[ProblemReport], spec: super::model::ModelSpec, cores_per_machine: usize) -> ModelReport {
        let rows = problems.iter().flat_map(|p| super::model::estimate(p, &spec, cores_per_machine)).collect();
        ModelReport { spec, cores_per_machine, formula: super::model::FORMULA.into(), rows }
    }

    /// The estimates as a Markdown section (also the text `cost` prints).
    pub fn markdown(&self) -> String {
        let mut md = format!(
            "## Capacity model: estimated clusters ({} Gbit/s links, {} ms latency, {} cores per machine)\n\n{}.\n\n",
            self.spec.gbit, self.spec.latency_ms, self.cores_per_machine, self.formula
        );
        if self.rows.is_empty() {
            md.push_str("No timely implementation has both a one-worker measurement and one with traffic at two or more workers: nothing to estimate.\n\n");
            return md;
        }
        md.push_str("| problem | implementation | machines | cores | efficiency | compute s | network s | latency s | total s | vs baseline |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for r in &self.rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {:.2} | {:.4} | {:.4} | {:.4} | {:.4} | {} |",
                r.problem.name(),
                r.implementation,
                r.machines,
                r.cores,
                r.efficiency,
                r.compute_secs,
                r.network_secs,
                r.latency_secs,
                r.total_secs,
                if r.beats_baseline { "beats" } else { "does not beat" }
            );
        }
        let mut seen: Vec<(Problem, &str)> = Vec::new();
        for r in &self.rows {
            if seen.contains(&(r.problem, r.implementation.as_str())) {
                continue;
            }
            seen.push((r.problem, &r.implementation));
            let cost = super::model::estimated_cost(&self.rows, r.problem, &r.implementation);
            let _ = writeln!(
                md,
                "\nEstimated COST of {} {}: {}.",
                r.problem.name(),
                r.implementation,
                cost.map_or("none of these clusters beats the baseline".to_string(), |c| format!("{c} cores"))
            );
        }
        md.push('\n');
        md
    }
}

impl Report {
    /// Assembles a report; the status and failures come from the problems.
    pub fn new(
        provenance: Provenance,
        command_line: Vec<String>,
        policy: PolicyInfo,
        graph: GraphInfo,
        capacity: Vec<CapacityRow>,
        problems: Vec<ProblemReport>,
    ) -> Report {
        let failures: Vec<String> = problems.iter().flat_map(|p| p.failures.iter().cloned()).collect();
        let loads = problems
            .iter()
            .flat_map(|p| p.measurements.iter().map(|m| m.load_average).chain(p.failed.iter().map(|f| f.load_average)));
        let max_load_average = loads.flatten().reduce(f64::max);
        let warnings = warnings(&problems, max_load_average, provenance.machine.cores, &policy.sampling);
        Report {
            schema_version: SCHEMA_VERSION,
            status: if failures.is_empty() { "ok" } else { "partial" }.into(),
            failures,
            warnings,
            max_load_average,
            created_unix_secs: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            provenance,
            command_line,
            policy,
            graph,
            capacity,
            problems,
            model: None,
        }
    }

    /// Whether every configuration finished with the baseline's answer.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// Writes `report.json`, `runs.csv`, `report.md` and `scaling.svg` into `dir` (created if
    /// needed), each atomically; returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let json = serde_json::to_string_pretty(self).map_err(|e| Error::invalid(e.to_string()))?;
        let svg = super::plot::scaling_svg(self)?;
        let files =
            [("report.json", json), ("runs.csv", self.csv()), ("report.md", self.markdown()), ("scaling.svg", svg)];
        files
            .into_iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                crate::io::write_atomically(&path, |w| w.write_all(text.as_bytes()))?;
                Ok(path)
            })
            .collect()
    }

    /// One row per counted run.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "problem,implementation,kind,layout,cores,processes,run,compute_secs,load_secs,prep_secs,\
             end_to_end_secs,peak_rss_bytes,agrees_with_baseline\n",
        );
        for m in self.problems.iter().flat_map(|p| &p.measurements) {
            let c = &m.configuration;
            for (i, t) in m.compute_secs.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    c.problem.name(),
                    csv_field(&c.implementation),
                    c.kind.name(),
                    csv_field(&c.layout.label()),
                    m.cores,
                    c.layout.processes(),
                    i + 1,
                    t,
                    m.load_secs,
                    m.prep_secs,
                    m.load_secs + m.prep_secs + t,
                    m.peak_rss_bytes.map_or(String::new(), |b| b.to_string()),
                    m.agrees_with_baseline
                );
            }
        }
        out
    }

    /// The COST table as plain text, for the terminal: each verdict with its intervals.
    pub fn cost_table(&self) -> String {
        let mut out = String::new();
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        for p in &self.problems {
            let Some(b) = &p.baseline else {
                let _ = writeln!(out, "{}: no baseline finished; no COST", p.problem.name());
                continue;
            };
            let _ = writeln!(
                out,
                "{}: baseline {} (single thread) {} s compute (median [95 % CI]), {} s end to end ({}); \
                 verdicts per core count, compute median [95 % CI] in s:",
                p.problem.name(),
                b.implementation,
                b.compute,
                b.end_to_end,
                b.end_to_end_implementation
            );
            for c in &p.costs {
                let _ = writeln!(out, "  {} ({}): COST {}", c.implementation, c.kind.name(), c.compute);
                let _ = writeln!(out, "      {}", verdicts_with_intervals(&c.verdicts));
            }
            if p.costs.is_empty() {
                let _ = writeln!(out, "  (no scalable implementation with correct figures)");
            }
        }
        let _ = writeln!(out, "status: {}", self.status);
        for f in &self.failures {
            let _ = writeln!(out, "  {f}");
        }
        out
    }

    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let mut md = String::from("# costgraph COST report\n\n");
        for w in &self.warnings {
            let _ = writeln!(md, "> **Warning:** {w}\n");
        }
        let _ = writeln!(md, "**Status: {}**\n", self.status);
        if !self.failures.is_empty() {
            md.push_str("Configurations without figures, or with a wrong answer (left out of COST):\n\n");
        }
        for f in &self.failures {
            let _ = writeln!(md, "- {f}");
        }
        if !self.failures.is_empty() {
            md.push('\n');
        }
        let g = &self.graph;
        let p = &self.provenance;
        let machine = &p.machine;
        let _ = writeln!(
            md,
            "- graph: `{}` — {} nodes, {} arcs, {}{}; sha256 `{}`; {}",
            g.path.display(),
            g.nodes,
            g.arcs,
            if g.weighted { "weighted" } else { "unweighted" },
            if g.symmetric { ", symmetric" } else { "" },
            g.sha256,
            g.origin
        );
        let _ = writeln!(
            md,
            "- machine: {} ({} cores, {} memory), {}; 1-minute load average up to {}",
            machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
            machine.cores,
            machine.memory_bytes.map_or("unknown".into(), human_bytes),
            machine.os,
            self.max_load_average.map_or("unknown".into(), |l| format!("{l:.2}"))
        );
        let _ = writeln!(md, "- costgraph {} at commit `{}`, {}", p.costgraph_version, p.git_commit, p.rustc);
        let _ = writeln!(md, "- method: {}", self.policy.method);
        let _ = writeln!(md, "- command: `{}`\n", self.command_line.join(" "));
        for problem in &self.problems {
            problem.markdown(&mut md);
        }
        if let Some(model) = &self.model {
            md.push_str(&model.markdown());
        }
        md
    }
}

/// What a reader must know before citing a figure of this sweep.
fn warnings(problems: &[ProblemReport], max_load: Option<f64>, cores: usize, sampling: &Sampling) -> Vec<String> {
    let mut out = Vec::new();
    let all = || problems.iter().flat_map(|p| &p.measurements);
    if let Some(load) = max_load.filter(|&l| l > cores as f64) {
        let busy: Vec<String> = all()
            .filter(|m| m.load_average.is_some_and(|l| l > cores as f64))
            .map(|m| m.configuration.describe())
            .collect();
        out.push(format!(
            "busy machine: the 1-minute load average reached {load:.2} on {cores} cores during the sweep \
             ({} configuration(s) measured above {cores}); other work competed for the cores, so the times \
             are noisier and slower than on an idle machine",
            busy.len()
        ));
    }
    let capped: Vec<String> = all()
        .filter(|m| m.stop.hit_cap())
        .map(|m| {
            format!(
                "{} ({}, {} runs, ±{:.1} %)",
                m.configuration.describe(),
                m.stop.describe(),
                m.compute.runs,
                100.0 * m.compute.relative_half_width()
            )
        })
        .collect();
    if let (false, Sampling::Auto { target, .. }) = (capped.is_empty(), sampling) {
        out.push(format!(
            "{} configuration(s) reached the sampling cap before their interval was within ±{:.0} % of the median: {}",
            capped.len(),
            100.0 * target,
            capped.join(", ")
        ));
    }
    let few = all().filter(|m| m.compute.runs < MIN_RUNS_FOR_95).count();
    if few > 0 {
        out.push(format!(
            "{few} configuration(s) have fewer than {MIN_RUNS_FOR_95} runs: their interval is the whole range \
             [min, max], which covers the median with probability 1 − 2^(1−n) < 95 % (94 % at 5 runs, 75 % at 3)"
        ));
    }
    out
}

/// `ties at 1 core 0.0169 [0.0131, 0.0220]; beats at 2 cores 0.0100 [0.0095, 0.0105]`.
fn verdicts_with_intervals(verdicts: &[CoreVerdict]) -> String {
    let parts: Vec<String> = verdicts
        .iter()
        .map(|v| format!("{} at {} core{} {}", v.verdict.name(), v.cores, if v.cores == 1 { "" } else { "s" }, v.time))
        .collect();
    parts.join("; ")
}

impl ProblemReport {
    fn markdown(&self, md: &mut String) {
        let _ = writeln!(md, "## {}\n", self.problem.name());
        match &self.baseline {
            Some(b) => {
                let _ = writeln!(
                    md,
                    "Baseline: **{}** (single thread), median compute {} s (95 % CI {} – {}); fastest end to end: {} ({} s).\n",
                    b.implementation,
                    secs(b.compute.median),
                    secs(b.compute.low),
                    secs(b.compute.high),
                    b.end_to_end_implementation,
                    secs(b.end_to_end.median)
                );
            }
            None => md.push_str("**No single-thread baseline finished: no COST.**\n\n"),
        }
        md.push_str(
            "| implementation | kind | configuration | cores | runs (stop) | compute median [95 % CI] (s) | p90 \
             | min – max | load (s) | end to end median (s) | speedup vs own 1 core | vs baseline | verdict \
             | load avg | peak RSS | agrees |\n\
             |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n",
        );
        for m in &self.measurements {
            let c = &m.configuration;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} ({}) | {} | {} | {} – {} | {} | {} | {} | {:.2}× | {} | {} | {} | {} |",
                c.implementation,
                c.kind.name(),
                c.layout.label(),
                m.cores,
                m.compute.runs,
                m.stop.describe(),
                m.compute.interval_text(),
                secs(m.compute.p90),
                secs(m.compute.min),
                secs(m.compute.max),
                secs(m.load_secs + m.prep_secs),
                secs(m.end_to_end.median),
                m.speedup_vs_one_core.map_or("–".into(), |s| format!("{s:.2}×")),
                m.speedup_vs_baseline,
                m.verdict.map_or("–", Verdict::name),
                m.load_average.map_or("–".into(), |l| format!("{l:.2}")),
                m.peak_rss_bytes.map_or("–".into(), human_bytes),
                if m.agrees_with_baseline { "yes" } else { "**NO**" }
            );
        }
        for f in &self.failed {
            let c = &f.configuration;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | **{}** | – | – | – | – | – | – | – | – | {} | – | – |",
                c.implementation,
                c.kind.name(),
                c.layout.label(),
                f.cores,
                f.failure.kind.name(),
                f.load_average.map_or("–".into(), |l| format!("{l:.2}")),
            );
        }
        md.push_str(
            "\nA configuration *beats* the baseline only when its whole 95 % interval lies below the \
             baseline's; overlapping intervals *tie*. COST = the fewest cores that beat.\n\n\
             | implementation | kind | COST (compute) | verdicts: compute median [95 % CI] (s) | COST (end to end) |\n\
             |---|---|---|---|---|\n",
        );
        for c in &self.costs {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                c.implementation,
                c.kind.name(),
                c.compute,
                verdicts_with_intervals(&c.verdicts),
                c.end_to_end
            );
        }
        if self.costs.is_empty() {
            md.push_str("| (no scalable implementation with correct figures) | | | | |\n");
        }
        md.push_str("\n<details><summary>command lines</summary>\n\n");
        for command in self.measurements.iter().map(|m| &m.command).chain(self.failed.iter().map(|f| &f.command)) {
            let _ = writeln!(md, "- `{command}`");
        }
        md.push_str("\n</details>\n\n");
    }
}

/// Seconds with four significant decimals.
fn secs(t: f64) -> String {
    format!("{t:.4}")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::harness::provenance::Machine;
    use crate::harness::sweep::{Layout, RunRecord};

    fn record(times: &[f64], digest: &str) -> RunRecord {
        RunRecord {
            nodes: 10,
            arcs: 20,
            threads: 1,
            load_secs: 0.5,
            prep_secs: 0.0,
            compute_secs: times.to_vec(),
            result: serde_json::json!({"components": 3, "largest": 5}),
            digest: digest.into(),
            verified: None,
            verify_error: None,
            peak_rss_bytes: Some(1 << 20),
            traffic: Default::default(),
        }
    }

    fn ok(r: RunRecord) -> Outcome {
        Outcome {
            record: Some(r),
            failure: None,
            stop: Some(Stop::Fixed),
            batches: 1,
            load_average: Some(0.5),
            wall_secs: 1.0,
        }
    }

    fn config(name: &str, kind: Kind, layout: Layout) -> Configuration {
        Configuration {
            problem: Problem::Cc,
            implementation: name.into(),
            kind,
            layout,
            args: vec!["run".into()],
            external: None,
        }
    }

    /// A synthetic problem report: baselines "slow" (2 s) and "uf" (1 s, interval 0.9–1.1); "lp"
    /// ties at 2 threads and beats at 4; "never" never does; `lp` at 2 threads reports `lp_digest`;
    /// `extra` outcomes are appended.
    pub(crate) fn synthetic_with(lp_digest: &str, extra: Vec<(Configuration, Outcome)>) -> ProblemReport {
        let t = |threads| Layout::Threads { threads };
        let rows = [
            (config("slow", Kind::SingleThread, Layout::SingleThread), record(&[2.0, 2.1, 1.9], "d")),
            (config("uf", Kind::SingleThread, Layout::SingleThread), record(&[1.0, 1.1, 0.9], "d")),
            (config("lp", Kind::Rayon, t(1)), record(&[3.0, 3.0, 3.0], "d")),
            (config("lp", Kind::Rayon, t(2)), record(&[1.0, 1.0, 1.0], lp_digest)),
            (config("lp", Kind::Rayon, t(4)), record(&[0.6, 0.5, 0.7], "d")),
            (config("never", Kind::Rayon, t(1)), record(&[4.0], "d")),
            (config("never", Kind::Rayon, t(4)), record(&[2.0], "d")),
        ];
        let rows = rows.into_iter().map(|(c, r)| (c, ok(r))).chain(extra).collect();
        analyze(Problem::Cc, rows, |c| format!("costgraph {}", c.args.join(" ")))
    }

    pub(crate) fn synthetic(lp_digest: &str) -> ProblemReport {
        synthetic_with(lp_digest, Vec::new())
    }

    pub(crate) fn report(problems: Vec<ProblemReport>) -> Report {
        let provenance = Provenance {
            costgraph_version: "0.1.0".into(),
            rustc: "rustc 1.95.0".into(),
            git_commit: "unknown".into(),
            machine: Machine {
                cpu_model: None,
                cores: 2,
                memory_bytes: None,
                available_memory_bytes: None,
                os: "x".into(),
            },
        };
        let policy = PolicyInfo {
            warmup: 1,
            sampling: Sampling::Fixed { runs: 3 },
            timeout_secs: 60,
            core_counts: vec![1, 2, 4],
            processes: vec![],
            method: "test".into(),
        };
        let graph = GraphInfo {
            path: "g.cgr".into(),
            origin: "test".into(),
            sha256: "00".into(),
            file_bytes: 1,
            nodes: 10,
            arcs: 20,
            weighted: false,
            symmetric: true,
        };
        Report::new(provenance, vec!["costgraph".into(), "cost".into()], policy, graph, vec![], problems)
    }

    #[test]
    fn analysis_picks_the_fastest_baseline_and_computes_cost() {
        let p = synthetic("d");
        let b = p.baseline.as_ref().unwrap();
        assert_eq!(b.implementation, "uf");
        assert_eq!(b.compute, Interval { median: 1.0, low: 0.9, high: 1.1 });
        assert_eq!(b.end_to_end.median, 1.5);
        assert!(p.failures.is_empty());
        assert_eq!(p.costs.len(), 2);
        assert_eq!(p.costs[0].compute.to_string(), "4 cores", "a tie at 2 threads does not beat");
        assert_eq!(p.costs[0].verdict_text, "loses at 1 core; ties at 2 cores; beats at 4 cores");
        assert_eq!(p.costs[0].end_to_end.to_string(), "4 cores");
        assert_eq!(p.costs[1].compute.to_string(), "unbounded (best: 2.00× slower at 4 cores)");
        let lp4 = &p.measurements[4];
        assert_eq!(lp4.speedup_vs_one_core, Some(3.0 / 0.6));
        assert_eq!(lp4.speedup_vs_baseline, 1.0 / 0.6);
        assert_eq!(lp4.end_to_end.median, 0.5 + 0.6);
        assert_eq!(lp4.verdict, Some(Verdict::Beats));
        assert_eq!(p.measurements[0].speedup_vs_one_core, Some(1.0), "a baseline is its own 1-core run");
    }

    #[test]
    fn failures_and_wrong_answers_make_a_partial_report_and_stay_out_of_cost() {
        let crashed = Outcome {
            record: None,
            failure: Some(Failure::new(FailureKind::OutOfMemory, "signal: 9 (SIGKILL)")),
            stop: None,
            batches: 1,
            load_average: Some(3.5),
            wall_secs: 1.0,
        };
        let extra = vec![(config("lp", Kind::Rayon, Layout::Threads { threads: 8 }), crashed)];
        let r = report(vec![synthetic_with("e", extra)]);
        assert!(!r.ok());
        assert_eq!(r.status, "partial");
        assert_eq!(r.failures.len(), 2);
        assert!(r.failures[0].starts_with("cc lp (8 threads): out of memory: signal: 9"), "{}", r.failures[0]);
        assert!(r.failures[1].starts_with("cc lp (2 threads): wrong answer: disagrees with the baseline uf"));
        let p = &r.problems[0];
        assert_eq!(p.failed.len(), 1);
        assert_eq!(p.measurements[3].verdict, None, "a wrong answer gets no verdict");
        assert_eq!(p.costs[0].verdict_text, "loses at 1 core; beats at 4 cores");
        let md = r.markdown();
        assert!(md.contains("**NO**") && md.contains("| lp | rayon | 8 threads | 8 | **out of memory** |"), "{md}");
        assert!(r.cost_table().contains("status: partial"));
        // The failed configuration saw a load of 3.5 on 2 cores: not busy by the measured ones.
        assert_eq!(r.max_load_average, Some(3.5));
        assert!(r.warnings.iter().any(|w| w.starts_with("busy machine")));
        assert!(md.starts_with("# costgraph COST report\n\n> **Warning:** busy machine"), "{md}");
    }

    #[test]
    fn without_a_baseline_there_is_no_cost_but_a_report() {
        let failed = Outcome {
            record: None,
            failure: Some(Failure::new(FailureKind::Timeout, "timed out after 1 s")),
            stop: None,
            batches: 1,
            load_average: None,
            wall_secs: 1.0,
        };
        let rows = vec![
            (config("uf", Kind::SingleThread, Layout::SingleThread), failed),
            (config("lp", Kind::Rayon, Layout::Threads { threads: 1 }), ok(record(&[1.0], "d"))),
        ];
        let p = analyze(Problem::Cc, rows, |_| String::new());
        assert!(p.baseline.is_none() && p.costs.is_empty());
        assert_eq!(p.failures.len(), 2);
        let r = report(vec![p]);
        assert_eq!(r.status, "partial");
        assert!(r.cost_table().contains("cc: no baseline finished; no COST"));
        assert!(super::super::plot::scaling_svg(&r).unwrap().starts_with("<svg"));
    }

    #[test]
    fn reports_say_what_they_claim() {
        let r = report(vec![synthetic("d")]);
        assert!(r.warnings.iter().any(|w| w.contains("fewer than 6 runs")), "{:?}", r.warnings);
        let dir = tempfile::tempdir().unwrap();
        let files = r.write(dir.path()).unwrap();
        assert_eq!(files.len(), 4);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["status"], "ok");
        assert_eq!(json["problems"][0]["costs"][0]["compute"]["status"], "bounded");
        assert_eq!(json["problems"][0]["costs"][0]["compute"]["cores"], 4);
        assert_eq!(json["problems"][0]["costs"][0]["verdicts"][1]["verdict"], "ties");
        assert_eq!(json["problems"][0]["measurements"][3]["layout"], "threads");
        assert_eq!(json["problems"][0]["measurements"][3]["threads"], 2);
        assert_eq!(json["problems"][0]["measurements"][3]["compute"]["ci_low"], 1.0);
        let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
        assert_eq!(csv.lines().count(), 1 + 3 * 5 + 2);
        assert!(csv.lines().nth(1).unwrap().starts_with("cc,slow,single-thread,1 thread,1,1,1,2,0.5,0,2.5,"));
        let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(
            md.contains("| lp | rayon | 4 cores | loses at 1 core 3.0000 [3.0000, 3.0000]; ties at 2 cores 1.0000 [1.0000, 1.0000]; beats at 4 cores 0.6000 [0.5000, 0.7000] | 4 cores |"),
            "{md}"
        );
        assert!(md.contains("| never | rayon | unbounded (best: 2.00× slower at 4 cores) |"));
        assert!(md.contains("> **Warning:** 7 configuration(s) have fewer than 6 runs"));
        let table = r.cost_table();
        assert!(table.contains("baseline uf (single thread) 1.0000 [0.9000, 1.1000] s compute"), "{table}");
        let svg = std::fs::read_to_string(dir.path().join("scaling.svg")).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("lp") && svg.contains("baseline uf"), "{svg}");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
