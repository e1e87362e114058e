//! Analysis of a sweep's outcomes, one problem at a time ([`analyze`]): the baseline (the fastest
//! single-thread implementation), every answer compared with it, speedups, verdicts and the COST
//! of every scalable implementation; configurations that failed or answered wrongly are listed and
//! left out of COST.

use serde::Serialize;

use super::child::{Failure, FailureKind};
use super::cost::{CoreVerdict, Cost, Interval, Point, Verdict, best_baseline, cost, verdict_text, verdicts};
use super::measure::Outcome;
use super::plan::{Configuration, Layout};
use super::stats::{Stop, Summary};
use crate::registry::{Kind, Problem};

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
    pub traffic: super::record::Traffic,
    /// The machines of a multi-machine configuration, as their processes reported themselves.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<super::provenance::HostFacts>,
    /// When a machine was lost and another served its share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<super::record::Retry>,
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
    /// COST in machines, over its multi-machine configurations (none when it has none): the
    /// fewest machines whose configuration beats the baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machines: Option<MachinesCost>,
}

/// An implementation's COST counted in machines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MachinesCost {
    /// The COST; its `cores` are machines here.
    pub cost: Cost,
    /// The verdict at every machine count (`cores` are machines).
    pub verdicts: Vec<CoreVerdict>,
    /// In words: `2 machines`, or `unbounded (…)`.
    pub text: String,
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
            hosts: r.hosts,
            retry: r.retry,
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
        let machine_points: Vec<Point> = mine()
            .filter(|o| matches!(o.configuration.layout, Layout::Machines { .. }))
            .map(|o| Point { cores: o.configuration.layout.machines(), time: Interval::of(&o.compute) })
            .collect();
        let machines = cost(baseline.compute, &machine_points).map(|cost| MachinesCost {
            text: cost.describe("machine"),
            verdicts: verdicts(baseline.compute, &machine_points),
            cost,
        });
        costs.push(ImplementationCost {
            implementation: m.configuration.implementation.clone(),
            kind: m.configuration.kind,
            compute: cost(baseline.compute, &compute_points).expect("at least this measurement"),
            verdict_text: verdict_text(&per_core),
            verdicts: per_core,
            end_to_end: cost(baseline.end_to_end, &e2e_points).expect("at least this measurement"),
            machines,
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

#[cfg(test)]
mod tests {
    use crate::harness::cost::{Interval, Verdict};
    use crate::harness::fixtures::synthetic;

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
}
