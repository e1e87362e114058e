//! The capacity model: the time a timely implementation would take on a cluster this machine is
//! not, and the COST that cluster would have ("learn to estimate your capacity").
//!
//! Each timely run counts its supersteps (rounds), the records its workers send each other and
//! their bytes ([`Traffic`]). From those and the implementation's measured compute on one worker,
//! [`estimate`] predicts its time on `M` machines of this machine's `C` cores joined by a network
//! of `B` bytes/s per link and latency `L` ([`FORMULA`]):
//!
//! - *compute* `T1 / (M C e)`: the one-worker compute divided over every core, at the parallel
//!   efficiency `e = T1 / (w Tw)` (at most 1) measured at the largest worker count `w` swept;
//! - *network* `V (M - 1) / (M² B)`: the traffic of a run at `w >= 2` workers, `bytes`, is the
//!   part of an all-to-all exchange that left its worker, `(w - 1) / w` of the whole `V`; on `M`
//!   machines `(M - 1) / M` of `V` crosses the network, split over `M` links in parallel;
//! - *latency* `R L`: every round waits at least one network latency.
//!
//! The network terms are optimistic (no congestion, no stragglers, transfers not overlapped with
//! compute is the only pessimism); the compute term assumes the efficiency measured at `w`
//! workers holds at `M C`. Checked against rate-limited runs across network namespaces (two
//! processes, unlimited, 1 Gbit/s and 100 Mbit/s): see BENCHMARKS.md.

use std::str::FromStr;

use serde::Serialize;

use super::analysis::ProblemReport;
use crate::registry::{Kind, Problem};

/// The model in one line, for reports.
pub const FORMULA: &str = "T(M) = T1/(M·C·e) + V·(M−1)/(M²·B) + R·L, with T1 the implementation's compute \
     median on one worker, C the cores per machine (this machine's), e = T1/(w·Tw) ≤ 1 the parallel efficiency \
     measured at the largest worker count w (compute median Tw), V the bytes of an all-to-all exchange (the bytes \
     exchanged at w workers × w/(w−1)), B the link rate in bytes/s, R the rounds, L the latency; no congestion, \
     and e assumed to hold at M·C cores; the estimated COST is the fewest cores M·C whose T(M) is below the \
     baseline's median";

/// The clusters to estimate: `machines=16,32 gbit=10 latency=0.05` (latency in milliseconds).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelSpec {
    /// Machine counts.
    pub machines: Vec<usize>,
    /// Link rate in Gbit/s.
    pub gbit: f64,
    /// One-way latency in milliseconds.
    pub latency_ms: f64,
}

impl FromStr for ModelSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut spec = ModelSpec { machines: Vec::new(), gbit: f64::NAN, latency_ms: f64::NAN };
        for part in text.split_whitespace() {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("`{part}` is not KEY=VALUE"))?;
            let number = |v: &str| v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
            match key {
                "machines" => {
                    spec.machines = value
                        .split(',')
                        .map(|m| m.parse::<usize>().ok().filter(|&m| m >= 1))
                        .collect::<Option<_>>()
                        .ok_or_else(|| format!("machines={value}: expected counts like 16,32"))?;
                }
                "gbit" => spec.gbit = number(value).filter(|&g| g > 0.0).ok_or(format!("gbit={value}: not a rate"))?,
                "latency" => spec.latency_ms = number(value).ok_or(format!("latency={value}: not a time in ms"))?,
                _ => return Err(format!("unknown key `{key}` (machines, gbit, latency)")),
            }
        }
        if spec.machines.is_empty() || spec.gbit.is_nan() || spec.latency_ms.is_nan() {
            return Err(
                "give machines=M,..., gbit=RATE and latency=MS, e.g. `machines=16,32 gbit=10 latency=0.05`".into()
            );
        }
        Ok(spec)
    }
}

/// One implementation's estimate on one cluster.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelRow {
    /// The problem.
    pub problem: Problem,
    /// The timely implementation.
    pub implementation: String,
    /// Machines.
    pub machines: usize,
    /// Cores in all (`machines` × cores per machine).
    pub cores: usize,
    /// The parallel efficiency assumed (measured at the largest worker count swept).
    pub efficiency: f64,
    /// The compute term, seconds.
    pub compute_secs: f64,
    /// The network term, seconds.
    pub network_secs: f64,
    /// The latency term, seconds.
    pub latency_secs: f64,
    /// Their sum.
    pub total_secs: f64,
    /// Whether the estimate is below the baseline's compute median.
    pub beats_baseline: bool,
}

/// Estimates, for every timely implementation of `problem` that has a one-worker measurement and
/// a measurement with traffic at two or more workers, its time on each cluster of `spec` with
/// `cores_per_machine` cores per machine.
pub fn estimate(problem: &ProblemReport, spec: &ModelSpec, cores_per_machine: usize) -> Vec<ModelRow> {
    let Some(baseline) = &problem.baseline else { return Vec::new() };
    let timely = || problem.measurements.iter().filter(|m| m.configuration.kind == Kind::Timely);
    let mut rows = Vec::new();
    let mut names: Vec<&str> = timely().map(|m| m.configuration.implementation.as_str()).collect();
    names.dedup();
    for name in names {
        let mine = || timely().filter(|m| m.configuration.implementation == name && m.agrees_with_baseline);
        let Some(one) = mine().find(|m| m.cores == 1) else { continue };
        let Some(widest) = mine()
            .filter(|m| m.cores >= 2 && m.traffic.bytes_exchanged.is_some() && m.traffic.rounds.is_some())
            .max_by_key(|m| m.cores)
        else {
            continue;
        };
        let workers = widest.cores;
        let (bytes, rounds) = (widest.traffic.bytes_exchanged.unwrap_or(0), widest.traffic.rounds.unwrap_or(0));
        let efficiency = (one.compute.median / (workers as f64 * widest.compute.median)).min(1.0);
        let all_to_all = bytes as f64 * workers as f64 / (workers - 1) as f64;
        let link = spec.gbit * 1e9 / 8.0;
        for &machines in &spec.machines {
            let m = machines as f64;
            let cores = machines * cores_per_machine.max(1);
            let compute_secs = one.compute.median / (cores as f64 * efficiency);
            let network_secs = all_to_all * (m - 1.0) / (m * m * link);
            let latency_secs = rounds as f64 * spec.latency_ms / 1000.0;
            let total_secs = compute_secs + network_secs + latency_secs;
            rows.push(ModelRow {
                problem: problem.problem,
                implementation: name.to_string(),
                machines,
                cores,
                efficiency,
                compute_secs,
                network_secs,
                latency_secs,
                total_secs,
                beats_baseline: total_secs < baseline.compute.median,
            });
        }
    }
    rows
}

/// The estimated COST of `implementation` from `rows`: the fewest cores whose estimate beats the
/// baseline, if any.
pub fn estimated_cost(rows: &[ModelRow], problem: Problem, implementation: &str) -> Option<usize> {
    rows.iter()
        .filter(|r| r.problem == problem && r.implementation == implementation && r.beats_baseline)
        .map(|r| r.cores)
        .min()
}

/// The capacity model's estimates (this module).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelReport {
    /// The clusters estimated.
    pub spec: ModelSpec,
    /// Cores per machine assumed (this machine's).
    pub cores_per_machine: usize,
    /// The formula, in words.
    pub formula: String,
    /// One row per implementation and cluster.
    pub rows: Vec<ModelRow>,
}

impl ModelReport {
    /// Estimates every problem of `problems` on the clusters of `spec`.
    pub fn of(problems: &[ProblemReport], spec: super::model::ModelSpec, cores_per_machine: usize) -> ModelReport {
        let rows = problems.iter().flat_map(|p| super::model::estimate(p, &spec, cores_per_machine)).collect();
        ModelReport { spec, cores_per_machine, formula: super::model::FORMULA.into(), rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_bad_ones_say_why() {
        let spec: ModelSpec = "machines=16,32 gbit=10 latency=0.05".parse().unwrap();
        assert_eq!(spec, ModelSpec { machines: vec![16, 32], gbit: 10.0, latency_ms: 0.05 });
        for (bad, says) in [
            ("machines=16", "give machines"),
            ("machines=0 gbit=1 latency=1", "expected counts"),
            ("machines=2 gbit=0 latency=1", "not a rate"),
            ("machines=2 gbit=1 latency=-1", "not a time"),
            ("machines=2 gbit=1 latency=1 hosts=3", "unknown key"),
            ("machines", "KEY=VALUE"),
        ] {
            let e = bad.parse::<ModelSpec>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
