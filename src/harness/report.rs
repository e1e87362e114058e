//! [`Report`]: a whole sweep as `report.json` holds it — provenance, policy, graph, capacity, every
//! problem's analysis, the capacity model's estimates — with its status (`ok`, or `partial` when a
//! configuration failed or answered wrongly) and the warnings a reader must see before citing a
//! figure. [`super::render`] writes it out.

use std::path::PathBuf;

use serde::Serialize;

use super::analysis::ProblemReport;
use super::capacity::Estimate;
use super::model::ModelReport;
use super::provenance::Provenance;
use super::stats::{MIN_RUNS_FOR_95, Sampling};
use crate::registry::{Kind, Problem};

/// The version of `report.json`'s layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// Problems asked for but not swept, each with why (msf on a graph without weights).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
    /// The capacity model's estimates for clusters not measured (`cost --model`), if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelReport>,
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
            left_out: Vec::new(),
            model: None,
        }
    }

    /// Whether every configuration finished with the baseline's answer.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
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
    for m in all() {
        if let Some(r) = &m.retry {
            out.push(format!(
                "{} lost machine {} and was retried with {} serving its share: its figures come from a \
                 different set of machines than its neighbours'",
                m.configuration.describe(),
                r.lost,
                r.served_by
            ));
        }
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
