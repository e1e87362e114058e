//! The sweep's results: analysis (baseline, agreement, COST, speedups) and the report files —
//! `report.json` (everything, with `schema_version`), `runs.csv` (one row per counted run),
//! `report.md` (tables to paste into a review) and `scaling.svg` (see [`super::plot`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::capacity::{Estimate, human_bytes};
use super::cost::{Cost, Point, best_baseline, cost};
use super::provenance::Provenance;
use super::stats::Summary;
use super::sweep::{Configuration, RunRecord};
use crate::registry::{Kind, Problem};
use crate::{Error, Result};

/// The version of `report.json`'s layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// One measured configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measurement {
    /// What ran.
    #[serde(flatten)]
    pub configuration: Configuration,
    /// Cores it used.
    pub cores: usize,
    /// The exact command line of the child.
    pub command: String,
    /// Seconds to load the graph (once per configuration).
    pub load_secs: f64,
    /// Seconds to prepare the implementation's view of it.
    pub prep_secs: f64,
    /// Each counted computation, in seconds.
    pub compute_secs: Vec<f64>,
    /// Statistics of the computation.
    pub compute: Summary,
    /// Statistics of load + preparation + computation, per counted run.
    pub end_to_end: Summary,
    /// Peak resident memory of the child.
    pub peak_rss_bytes: Option<u64>,
    /// The child's result summary.
    pub result: serde_json::Value,
    /// The result's exact fingerprint.
    pub digest: String,
    /// The verifier's verdict (baselines run it).
    pub verified: Option<bool>,
    /// Whether the digest equals the baseline's.
    pub agrees_with_baseline: bool,
    /// The implementation's own 1-core median / this median.
    pub speedup_vs_one_core: Option<f64>,
    /// The baseline's median / this median.
    pub speedup_vs_baseline: f64,
}

/// The baselines a problem's COST is measured against.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    /// The fastest single-thread implementation by compute median.
    pub implementation: String,
    /// Its compute median.
    pub compute_median: f64,
    /// The fastest single-thread implementation end to end.
    pub end_to_end_implementation: String,
    /// Its end-to-end median.
    pub end_to_end_median: f64,
    /// The reference result digest (the compute baseline's).
    pub digest: String,
}

/// One scalable implementation's COST.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImplementationCost {
    /// The implementation.
    pub implementation: String,
    /// Its kind.
    pub kind: Kind,
    /// COST on compute time.
    pub compute: Cost,
    /// COST on end-to-end time (load + compute).
    pub end_to_end: Cost,
}

/// Everything about one problem.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProblemReport {
    /// The problem.
    pub problem: Problem,
    /// The baseline.
    pub baseline: Baseline,
    /// Every configuration, in sweep order.
    pub measurements: Vec<Measurement>,
    /// The COST of every scalable implementation.
    pub costs: Vec<ImplementationCost>,
    /// Disagreements with the baseline; non-empty means FAILED.
    pub failures: Vec<String>,
}

/// Turns measured configurations of one problem into its report: picks the baselines, compares
/// every digest with the reference, computes speedups and COST. `command` renders a child's
/// command line. Fails only when there is no single-thread configuration.
pub fn analyze(
    problem: Problem,
    configurations: Vec<Configuration>,
    records: Vec<RunRecord>,
    command: impl Fn(&Configuration) -> String,
) -> Result<ProblemReport> {
    let mut measurements: Vec<Measurement> = configurations
        .into_iter()
        .zip(records)
        .map(|(configuration, r)| {
            let end_to_end: Vec<f64> = r.compute_secs.iter().map(|t| r.load_secs + r.prep_secs + t).collect();
            let summary = |times: &[f64]| Summary::of(times).expect("records have times");
            Measurement {
                cores: configuration.layout.cores(),
                command: command(&configuration),
                load_secs: r.load_secs,
                prep_secs: r.prep_secs,
                compute: summary(&r.compute_secs),
                end_to_end: summary(&end_to_end),
                compute_secs: r.compute_secs,
                peak_rss_bytes: r.peak_rss_bytes,
                result: r.result,
                digest: r.digest,
                verified: r.verified,
                agrees_with_baseline: false,
                speedup_vs_one_core: None,
                speedup_vs_baseline: 0.0,
                configuration,
            }
        })
        .collect();
    let baselines = || measurements.iter().filter(|m| m.configuration.kind == Kind::SingleThread);
    let (compute_name, compute_median) = best_baseline(baselines().map(|m| (name(m), m.compute.median)))
        .ok_or_else(|| Error::invalid(format!("no single-thread baseline was measured for {}", problem.name())))?;
    let (e2e_name, e2e_median) =
        best_baseline(baselines().map(|m| (name(m), m.end_to_end.median))).expect("there is a baseline");
    let reference = baselines().find(|m| name(m) == compute_name).expect("the baseline was measured");
    let baseline = Baseline {
        implementation: compute_name.to_string(),
        compute_median,
        end_to_end_implementation: e2e_name.to_string(),
        end_to_end_median: e2e_median,
        digest: reference.digest.clone(),
    };
    let reference_result = reference.result.clone();

    let mut failures = Vec::new();
    let one_core: Vec<(String, f64)> =
        measurements.iter().filter(|m| m.cores == 1).map(|m| (name(m).to_string(), m.compute.median)).collect();
    for m in &mut measurements {
        // Exact problems agree bit for bit; PageRank's runs each pass the verifier against the
        // f64 reference instead (checked just below).
        m.agrees_with_baseline = !problem.exact() || m.digest == baseline.digest;
        if !m.agrees_with_baseline {
            failures.push(format!(
                "{} disagrees with the baseline {}: result {} (digest {}) vs {} (digest {})",
                m.configuration.describe(),
                baseline.implementation,
                m.result,
                short(&m.digest),
                reference_result,
                short(&baseline.digest)
            ));
        }
        if m.verified == Some(false) {
            failures.push(format!("{} failed its verifier", m.configuration.describe()));
        }
        m.speedup_vs_baseline = compute_median / m.compute.median;
        m.speedup_vs_one_core =
            one_core.iter().find(|(n, _)| *n == m.configuration.implementation).map(|(_, one)| one / m.compute.median);
    }

    let mut costs: Vec<ImplementationCost> = Vec::new();
    for m in measurements.iter().filter(|m| m.configuration.kind != Kind::SingleThread) {
        if costs.iter().any(|c| c.implementation == m.configuration.implementation) {
            continue;
        }
        let mine = || measurements.iter().filter(|o| o.configuration.implementation == m.configuration.implementation);
        let compute_points: Vec<Point> = mine().map(|o| Point { cores: o.cores, median: o.compute.median }).collect();
        let e2e_points: Vec<Point> = mine().map(|o| Point { cores: o.cores, median: o.end_to_end.median }).collect();
        costs.push(ImplementationCost {
            implementation: m.configuration.implementation.clone(),
            kind: m.configuration.kind,
            compute: cost(compute_median, &compute_points).expect("at least this measurement"),
            end_to_end: cost(e2e_median, &e2e_points).expect("at least this measurement"),
        });
    }
    Ok(ProblemReport { problem, baseline, measurements, costs, failures })
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// Uncounted warm-up runs per configuration.
    pub warmup: u32,
    /// Counted runs per configuration.
    pub repeat: u32,
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
    /// `ok`, or `FAILED` when any run disagreed with its baseline.
    pub status: String,
    /// Why it failed.
    pub failures: Vec<String>,
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
        Report {
            schema_version: SCHEMA_VERSION,
            status: if failures.is_empty() { "ok" } else { "FAILED" }.into(),
            failures,
            created_unix_secs: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            provenance,
            command_line,
            policy,
            graph,
            capacity,
            problems,
        }
    }

    /// Whether every run agreed with its baseline.
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

    /// The COST table as plain text, for the terminal.
    pub fn cost_table(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            let b = &p.baseline;
            let _ = writeln!(
                out,
                "{}: baseline {} (single thread) {} s compute, {} s end to end ({})",
                p.problem.name(),
                b.implementation,
                secs(b.compute_median),
                secs(b.end_to_end_median),
                b.end_to_end_implementation
            );
            let _ = writeln!(out, "  {:<24} {:<7} {:<44} end to end", "implementation", "kind", "COST (compute)");
            for c in &p.costs {
                let compute = c.compute.to_string();
                let _ = writeln!(out, "  {:<24} {:<7} {compute:<44} {}", c.implementation, c.kind.name(), c.end_to_end);
            }
            if p.costs.is_empty() {
                let _ = writeln!(out, "  (no scalable implementation registered)");
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
        let _ = writeln!(md, "**Status: {}**\n", self.status);
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
            "- machine: {} ({} cores, {} memory), {}",
            machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
            machine.cores,
            machine.memory_bytes.map_or("unknown".into(), human_bytes),
            machine.os
        );
        let _ = writeln!(md, "- costgraph {} at commit `{}`, {}", p.costgraph_version, p.git_commit, p.rustc);
        let _ = writeln!(md, "- method: {}", self.policy.method);
        let _ = writeln!(md, "- command: `{}`\n", self.command_line.join(" "));
        for problem in &self.problems {
            problem.markdown(&mut md);
        }
        md
    }
}

impl ProblemReport {
    fn markdown(&self, md: &mut String) {
        let b = &self.baseline;
        let _ = writeln!(md, "## {}\n", self.problem.name());
        let _ = writeln!(
            md,
            "Baseline: **{}** (single thread), median compute {} s; fastest end to end: {} ({} s).\n",
            b.implementation,
            secs(b.compute_median),
            b.end_to_end_implementation,
            secs(b.end_to_end_median)
        );
        md.push_str(
            "| implementation | kind | configuration | cores | compute median (s) | p90 | min – max | load (s) \
             | end to end median (s) | speedup vs own 1 core | vs baseline | peak RSS | agrees |\n\
             |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
        );
        for m in &self.measurements {
            let c = &m.configuration;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} – {} | {} | {} | {} | {:.2}× | {} | {} |",
                c.implementation,
                c.kind.name(),
                c.layout.label(),
                m.cores,
                secs(m.compute.median),
                secs(m.compute.p90),
                secs(m.compute.min),
                secs(m.compute.max),
                secs(m.load_secs + m.prep_secs),
                secs(m.end_to_end.median),
                m.speedup_vs_one_core.map_or("–".into(), |s| format!("{s:.2}×")),
                m.speedup_vs_baseline,
                m.peak_rss_bytes.map_or("–".into(), human_bytes),
                if m.agrees_with_baseline { "yes" } else { "**NO**" }
            );
        }
        md.push_str("\n| implementation | kind | COST (compute) | COST (end to end) |\n|---|---|---|---|\n");
        for c in &self.costs {
            let _ = writeln!(md, "| {} | {} | {} | {} |", c.implementation, c.kind.name(), c.compute, c.end_to_end);
        }
        if self.costs.is_empty() {
            md.push_str("| (no scalable implementation registered) | | | |\n");
        }
        md.push_str("\n<details><summary>command lines</summary>\n\n");
        for m in &self.measurements {
            let _ = writeln!(md, "- `{}`", m.command);
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
    use crate::harness::sweep::Layout;

    fn record(times: &[f64], digest: &str) -> RunRecord {
        RunRecord {
            nodes: 10,
            arcs: 20,
            threads: 1,
            load_secs: 0.5,
            prep_secs: 0.0,
            compute_secs: times.to_vec(),
            result: serde_json::json!({"components": 3}),
            digest: digest.into(),
            verified: None,
            verify_error: None,
            peak_rss_bytes: Some(1 << 20),
        }
    }

    fn config(name: &str, kind: Kind, layout: Layout) -> Configuration {
        Configuration { problem: Problem::Cc, implementation: name.into(), kind, layout, args: vec!["run".into()] }
    }

    /// A synthetic problem report: baselines "slow" (2 s) and "uf" (1 s); "lp" beats 1 s at 4
    /// threads; "never" never does; `lp` at 2 threads reports `lp_digest`.
    pub(crate) fn synthetic(lp_digest: &str) -> ProblemReport {
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
        let (configs, records): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        analyze(Problem::Cc, configs, records, |c| format!("costgraph {}", c.args.join(" "))).unwrap()
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
            repeat: 3,
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
        assert_eq!(p.baseline.implementation, "uf");
        assert_eq!(p.baseline.compute_median, 1.0);
        assert_eq!(p.baseline.end_to_end_median, 1.5);
        assert!(p.failures.is_empty());
        assert_eq!(p.costs.len(), 2);
        assert_eq!(p.costs[0].compute.to_string(), "4 cores", "a tie at 2 threads does not beat");
        assert_eq!(p.costs[0].end_to_end.to_string(), "4 cores");
        assert_eq!(p.costs[1].compute.to_string(), "unbounded (best: 2.00× slower at 4 cores)");
        let lp4 = &p.measurements[4];
        assert_eq!(lp4.speedup_vs_one_core, Some(3.0 / 0.6));
        assert_eq!(lp4.speedup_vs_baseline, 1.0 / 0.6);
        assert_eq!(lp4.end_to_end.median, 0.5 + 0.6);
        assert_eq!(p.measurements[0].speedup_vs_one_core, Some(1.0), "a baseline is its own 1-core run");
    }

    #[test]
    fn a_disagreeing_run_fails_the_report() {
        let r = report(vec![synthetic("e")]);
        assert!(!r.ok());
        assert_eq!(r.status, "FAILED");
        assert_eq!(r.failures.len(), 1);
        assert!(r.failures[0].starts_with("cc lp (2 threads) disagrees with the baseline uf"), "{}", r.failures[0]);
        assert!(r.markdown().contains("**NO**"));
        assert!(r.cost_table().contains("status: FAILED"));
    }

    #[test]
    fn reports_say_what_they_claim() {
        let r = report(vec![synthetic("d")]);
        let dir = tempfile::tempdir().unwrap();
        let files = r.write(dir.path()).unwrap();
        assert_eq!(files.len(), 4);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["status"], "ok");
        assert_eq!(json["problems"][0]["costs"][0]["compute"]["status"], "bounded");
        assert_eq!(json["problems"][0]["costs"][0]["compute"]["cores"], 4);
        assert_eq!(json["problems"][0]["measurements"][3]["layout"], "threads");
        assert_eq!(json["problems"][0]["measurements"][3]["threads"], 2);
        let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
        assert_eq!(csv.lines().count(), 1 + 3 * 5 + 2);
        assert!(csv.lines().nth(1).unwrap().starts_with("cc,slow,single-thread,1 thread,1,1,1,2,0.5,0,2.5,"));
        let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(md.contains("| lp | rayon | 4 cores | 4 cores |"), "{md}");
        assert!(md.contains("| never | rayon | unbounded (best: 2.00× slower at 4 cores) |"));
        let svg = std::fs::read_to_string(dir.path().join("scaling.svg")).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("lp") && svg.contains("baseline uf"), "{svg}");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
