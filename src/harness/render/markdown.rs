//! `report.md`: the tables to paste into a review — provenance, method, per problem the
//! measurements with their intervals and verdicts, the COST table and the command lines.

use std::fmt::Write as _;

use crate::harness::analysis::ProblemReport;
use crate::harness::cost::{CoreVerdict, Verdict};
use crate::harness::model::{ModelCheck, ModelReport, ModelRow, estimated_cost};
use crate::harness::report::Report;
use crate::registry::Problem;
use crate::units::{human_bytes, human_secs};

impl Report {
    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let mut md = String::from("# costgraph COST report\n\n");
        for w in &self.warnings {
            let _ = writeln!(md, "> **Warning:** {w}\n");
        }
        let _ = writeln!(md, "**Status: {}**\n", self.status);
        for l in &self.left_out {
            let _ = writeln!(md, "Left out: {l}\n");
        }
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

impl ModelReport {
    /// The estimates as a Markdown section (also the text `cost` prints): the clusters estimated,
    /// every measured multi-machine configuration against its prediction, and the network fitted
    /// again to those measurements.
    pub fn markdown(&self) -> String {
        let mut md = format!(
            "## Capacity model: estimated clusters ({} Gbit/s links, {} ms latency, {} cores per machine)\n\n{}.\n\n",
            self.spec.gbit, self.spec.latency_ms, self.cores_per_machine, self.formula
        );
        if self.rows.is_empty() {
            md.push_str(
                "No timely implementation has both a one-worker measurement and one with traffic at two or more \
                 workers: nothing to estimate.\n\n",
            );
            return md;
        }
        rows_markdown(&self.rows, &mut md);
        if !self.checks.is_empty() {
            md.push_str("\n### The model against the measured multi-machine configurations\n\n");
            checks_markdown(&self.checks, &mut md);
        }
        if let Some(refit) = &self.refit {
            let _ = writeln!(
                md,
                "\n### Fitted again to those measurements: {:.3} Gbit/s, {:.3} ms latency\n",
                refit.gbit, refit.latency_ms
            );
            checks_markdown(&refit.checks, &mut md);
            md.push('\n');
            rows_markdown(&refit.rows, &mut md);
        }
        md.push('\n');
        md
    }
}

/// The estimated clusters as a table, then each implementation's estimated COST.
fn rows_markdown(rows: &[ModelRow], md: &mut String) {
    md.push_str(
        "| problem | implementation | machines | cores | efficiency | compute | network | latency | total | vs baseline |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.2} | {} | {} | {} | {} | {} |",
            r.problem.name(),
            r.implementation,
            r.machines,
            r.cores,
            r.efficiency,
            human_secs(r.compute_secs),
            human_secs(r.network_secs),
            human_secs(r.latency_secs),
            human_secs(r.total_secs),
            if r.beats_baseline { "beats" } else { "does not beat" }
        );
    }
    let mut seen: Vec<(Problem, &str)> = Vec::new();
    for r in rows {
        if seen.contains(&(r.problem, r.implementation.as_str())) {
            continue;
        }
        seen.push((r.problem, &r.implementation));
        let cost = estimated_cost(rows, r.problem, &r.implementation);
        let _ = writeln!(
            md,
            "\nEstimated COST of {} {}: {}.",
            r.problem.name(),
            r.implementation,
            cost.map_or("none of these clusters beats the baseline".to_string(), |c| format!("{c} cores"))
        );
    }
}

/// Measured configurations next to their predictions, with the error of each and the largest.
fn checks_markdown(checks: &[ModelCheck], md: &mut String) {
    md.push_str(
        "| problem | implementation | configuration | measured | predicted | error |\n|---|---|---|---:|---:|---:|\n",
    );
    for c in checks {
        let _ = writeln!(
            md,
            "| {} | {} | {} machine(s) × {} worker(s) | {} | {} | {:+.1} % |",
            c.problem.name(),
            c.implementation,
            c.machines,
            c.workers,
            human_secs(c.measured_secs),
            human_secs(c.predicted_secs),
            100.0 * c.error
        );
    }
    if let Some(worst) = checks.iter().map(|c| c.error.abs()).reduce(f64::max) {
        let _ = writeln!(md, "\nLargest error: {:.1} %.", 100.0 * worst);
    }
}

/// `ties at 1 core 0.0169 [0.0131, 0.0220]; beats at 2 cores 0.0100 [0.0095, 0.0105]`.
pub(super) fn verdicts_with_intervals(verdicts: &[CoreVerdict]) -> String {
    let parts: Vec<String> = verdicts
        .iter()
        .map(|v| format!("{} at {} core{} {}", v.verdict.name(), v.cores, if v.cores == 1 { "" } else { "s" }, v.time))
        .collect();
    parts.join("; ")
}

impl ProblemReport {
    /// The machines of the multi-machine configurations, each as its process reported itself
    /// (the provenance per host), and the configurations retried after a machine was lost.
    fn machines_markdown(&self, md: &mut String) {
        let mut seen: Vec<&str> = Vec::new();
        let hosts: Vec<&crate::harness::provenance::HostFacts> = self
            .measurements
            .iter()
            .flat_map(|m| &m.hosts)
            .filter(|h| {
                let new = !seen.contains(&h.host.as_str());
                seen.push(&h.host);
                new
            })
            .collect();
        if !hosts.is_empty() {
            md.push_str(
                "\nMachines (as each process reported itself when it started):\n\n\
                 | machine | host name | CPU | cores | memory | kernel | costgraph SHA-256 | load average |\n\
                 |---|---|---|---:|---:|---|---|---:|\n",
            );
            for h in hosts {
                let m = &h.machine;
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | `{}` | {} |",
                    h.host,
                    m.hostname.as_deref().unwrap_or("–"),
                    m.cpu_model.as_deref().unwrap_or("–"),
                    m.cores,
                    m.memory_bytes.map_or("–".into(), human_bytes),
                    m.kernel.as_deref().unwrap_or("–"),
                    &h.binary_sha256[..h.binary_sha256.len().min(16)],
                    h.load_average.map_or("–".into(), |l| format!("{l:.2}"))
                );
            }
        }
        for m in &self.measurements {
            if let Some(r) = &m.retry {
                let _ = writeln!(
                    md,
                    "\n**Retried:** {} lost machine {} ({}); {} served its share.",
                    m.configuration.describe(),
                    r.lost,
                    r.reason,
                    r.served_by
                );
            }
        }
    }

    /// Appends the problem's section to `md`.
    fn markdown(&self, md: &mut String) {
        let _ = writeln!(md, "## {}\n", self.problem.name());
        match &self.baseline {
            Some(b) => {
                let _ = writeln!(
                    md,
                    "Baseline: **{}** (single thread), median compute {} (95 % CI {} – {}); fastest end to end: {} ({}).\n",
                    b.implementation,
                    human_secs(b.compute.median),
                    human_secs(b.compute.low),
                    human_secs(b.compute.high),
                    b.end_to_end_implementation,
                    human_secs(b.end_to_end.median)
                );
            }
            None => md.push_str("**No single-thread baseline finished: no COST.**\n\n"),
        }
        md.push_str(
            "| implementation | kind | configuration | cores | runs (stop) | compute median [95 % CI] | p90 \
             | min – max | load | end to end median | speedup vs own 1 core | vs baseline | verdict \
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
                human_secs(m.compute.p90),
                human_secs(m.compute.min),
                human_secs(m.compute.max),
                human_secs(m.load_secs + m.prep_secs),
                human_secs(m.end_to_end.median),
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
             baseline's; overlapping intervals *tie*. COST = the fewest cores that beat (counting every core of \
             every machine); COST in machines = the fewest machines whose configuration beats.\n\n\
             | implementation | kind | COST (compute) | verdicts: compute median [95 % CI] | COST (end to end) | COST in machines |\n\
             |---|---|---|---|---|---|\n",
        );
        for c in &self.costs {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                c.implementation,
                c.kind.name(),
                c.compute,
                verdicts_with_intervals(&c.verdicts),
                c.end_to_end,
                c.machines.as_ref().map_or("–".to_string(), |m| m.text.clone())
            );
        }
        if self.costs.is_empty() {
            md.push_str("| (no scalable implementation with correct figures) | | | | | |\n");
        }
        self.machines_markdown(md);
        md.push_str("\n<details><summary>command lines</summary>\n\n");
        for command in self.measurements.iter().map(|m| &m.command).chain(self.failed.iter().map(|f| &f.command)) {
            let _ = writeln!(md, "- `{command}`");
        }
        md.push_str("\n</details>\n\n");
    }
}
