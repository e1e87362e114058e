//! The capacity model: the time a timely implementation would take on a cluster this machine is
//! not, and the COST that cluster would have ("learn to estimate your capacity").
//!
//! Each timely run counts its supersteps (rounds), the records its workers send each other and
//! their bytes ([`Traffic`](super::record::Traffic)). From those and the implementation's measured
//! compute on one worker, [`estimate`] predicts its time on `M` machines of `C` cores joined by a
//! network of `B` bytes/s per link and latency `L` ([`FORMULA`]):
//!
//! - *compute* `T1 / (M C e(M C))`: the one-worker compute divided over every core, at the
//!   parallel efficiency `e = T1 / (w Tw)` (at most 1) measured at the largest worker count `w`
//!   swept on one machine, taken as 1 at one core and interpolated log-linearly up to `w`;
//! - *network* `V (M - 1) / (M² B)`: the traffic of a run at `w >= 2` workers, `bytes`, is the
//!   part of an all-to-all exchange that left its worker, `(w - 1) / w` of the whole `V`; on `M`
//!   machines `(M - 1) / M` of `V` crosses the network, split over `M` links in parallel;
//! - *latency* `R L`: every round waits at least one network latency.
//!
//! The network terms are optimistic (no congestion, no stragglers; transfers not overlapped with
//! compute is the only pessimism). When a sweep also measures configurations on real machines
//! (`cost --hosts`), [`ModelReport`] puts every such measurement next to the model's prediction
//! with its error, and fits the network's rate and latency again to them.

use std::str::FromStr;

use serde::Serialize;

use super::analysis::ProblemReport;
use super::plan::Layout;
use crate::registry::{Kind, Problem};

/// The model in one line, for reports.
pub const FORMULA: &str = "T(M) = T1/(M·C·e(M·C)) + V·(M−1)/(M²·B) + R·L, with T1 the implementation's \
     compute median on one worker, C the cores per machine, e = T1/(w·Tw) ≤ 1 the parallel efficiency measured at the \
     largest worker count w on one machine (compute median Tw), e(n) = 1 at one core, e^(log n / log w) up to w \
     and e beyond, V the bytes of an all-to-all exchange (the bytes exchanged at w workers × w/(w−1)), B the link \
     rate in bytes/s, R the rounds, L the latency; no congestion; the estimated COST is the fewest cores M·C whose \
     T(M) is below the baseline's median";

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

/// What the model knows of one timely implementation, from its measurements on this machine.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Inputs {
    /// `T1`: the compute median on one worker.
    one_worker_secs: f64,
    /// `e`: the parallel efficiency at the largest worker count swept.
    efficiency: f64,
    /// `w`: that worker count.
    workers: usize,
    /// `V`: the bytes of an all-to-all exchange.
    all_to_all_bytes: f64,
    /// `R`: the rounds.
    rounds: u64,
}

/// The model's inputs for `name` in `problem`: its one-worker compute, and traffic at two or more
/// workers in one process or on one machine.
fn inputs(problem: &ProblemReport, name: &str) -> Option<Inputs> {
    let mine = || {
        problem.measurements.iter().filter(|m| {
            m.configuration.kind == Kind::Timely
                && m.configuration.implementation == name
                && m.agrees_with_baseline
                && m.configuration.layout.machines() == 1
        })
    };
    let one = mine().find(|m| m.cores == 1)?;
    let widest = mine()
        .filter(|m| m.cores >= 2 && m.traffic.bytes_exchanged.is_some() && m.traffic.rounds.is_some())
        .max_by_key(|m| m.cores)?;
    let workers = widest.cores;
    let (bytes, rounds) = (widest.traffic.bytes_exchanged.unwrap_or(0), widest.traffic.rounds.unwrap_or(0));
    Some(Inputs {
        one_worker_secs: one.compute.median,
        efficiency: (one.compute.median / (workers as f64 * widest.compute.median)).min(1.0),
        workers,
        all_to_all_bytes: bytes as f64 * workers as f64 / (workers - 1) as f64,
        rounds,
    })
}

/// The model's terms for `machines` machines of `cores` cores each, links of `link` bytes/s and
/// latency `latency_secs`: (compute, network, latency).
fn terms(i: &Inputs, machines: usize, cores: usize, link: f64, latency_secs: f64) -> (f64, f64, f64) {
    let m = machines as f64;
    let n = (machines * cores.max(1)) as f64;
    let compute = i.one_worker_secs / (n * efficiency_at(i, n));
    let network = i.all_to_all_bytes * (m - 1.0) / (m * m * link);
    (compute, network, i.rounds as f64 * latency_secs)
}

/// The parallel efficiency assumed at `n` cores: 1 at one core, the measured `e` at `w` workers and
/// beyond, and in between `e^(log n / log w)` (log-linear).
fn efficiency_at(i: &Inputs, n: f64) -> f64 {
    if n <= 1.0 {
        1.0
    } else if n >= i.workers as f64 {
        i.efficiency
    } else {
        i.efficiency.powf(n.ln() / (i.workers as f64).ln())
    }
}

/// Every timely implementation of `problem` with model inputs, by name.
fn modelled(problem: &ProblemReport) -> Vec<(String, Inputs)> {
    let mut names: Vec<&str> = problem
        .measurements
        .iter()
        .filter(|m| m.configuration.kind == Kind::Timely)
        .map(|m| m.configuration.implementation.as_str())
        .collect();
    names.dedup();
    names.into_iter().filter_map(|n| inputs(problem, n).map(|i| (n.to_string(), i))).collect()
}

/// Estimates, for every timely implementation of `problem` that has a one-worker measurement and
/// a measurement with traffic at two or more workers, its time on each cluster of `spec` with
/// `cores_per_machine` cores per machine.
pub fn estimate(problem: &ProblemReport, spec: &ModelSpec, cores_per_machine: usize) -> Vec<ModelRow> {
    let Some(baseline) = &problem.baseline else { return Vec::new() };
    let (link, latency) = (spec.gbit * 1e9 / 8.0, spec.latency_ms / 1000.0);
    let mut rows = Vec::new();
    for (name, i) in modelled(problem) {
        for &machines in &spec.machines {
            let (compute_secs, network_secs, latency_secs) = terms(&i, machines, cores_per_machine, link, latency);
            let total_secs = compute_secs + network_secs + latency_secs;
            rows.push(ModelRow {
                problem: problem.problem,
                implementation: name.clone(),
                machines,
                cores: machines * cores_per_machine.max(1),
                efficiency: i.efficiency,
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

/// A measured multi-machine configuration next to the model's prediction for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelCheck {
    /// The problem.
    pub problem: Problem,
    /// The implementation.
    pub implementation: String,
    /// Machines.
    pub machines: usize,
    /// Workers per machine.
    pub workers: usize,
    /// The measured compute median.
    pub measured_secs: f64,
    /// The model's prediction.
    pub predicted_secs: f64,
    /// (predicted − measured) / measured.
    pub error: f64,
}

/// The measured multi-machine configurations of `problem` next to the model's predictions with
/// links of `link` bytes/s and `latency_secs`.
fn checks(problem: &ProblemReport, link: f64, latency_secs: f64) -> Vec<ModelCheck> {
    let inputs = modelled(problem);
    let mut out = Vec::new();
    for m in problem.measurements.iter().filter(|m| m.agrees_with_baseline) {
        let Layout::Machines { machines, workers } = m.configuration.layout else { continue };
        let Some((_, i)) = inputs.iter().find(|(n, _)| *n == m.configuration.implementation) else { continue };
        let (c, n, l) = terms(i, machines, workers, link, latency_secs);
        let predicted = c + n + l;
        out.push(ModelCheck {
            problem: problem.problem,
            implementation: m.configuration.implementation.clone(),
            machines,
            workers,
            measured_secs: m.compute.median,
            predicted_secs: predicted,
            error: (predicted - m.compute.median) / m.compute.median,
        });
    }
    out
}

/// The network fitted again to the measured multi-machine configurations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refit {
    /// The link rate that fits best, Gbit/s.
    pub gbit: f64,
    /// The latency that fits best, ms.
    pub latency_ms: f64,
    /// The measured configurations against the refitted model.
    pub checks: Vec<ModelCheck>,
    /// The clusters of the spec estimated again with the refitted network.
    pub rows: Vec<ModelRow>,
}

/// Fits the network's rate and latency to the measured configurations by least squares on what
/// the compute term leaves of each measured time (`measured − T1/(M·W·e) = V·(M−1)/M² · 1/B + R·L`),
/// keeping the spec's latency when the points cannot tell the two apart. `None` without points.
fn refit(problems: &[ProblemReport], spec: &ModelSpec, cores_per_machine: usize) -> Option<Refit> {
    // (x = V(M−1)/M², r = R, y = measured − compute) per measured point.
    let mut rows: Vec<(f64, f64, f64)> = Vec::new();
    for p in problems {
        let inputs = modelled(p);
        for m in p.measurements.iter().filter(|m| m.agrees_with_baseline) {
            let Layout::Machines { machines, workers } = m.configuration.layout else { continue };
            let Some((_, i)) = inputs.iter().find(|(n, _)| *n == m.configuration.implementation) else { continue };
            let (compute, _, _) = terms(i, machines, workers, 1.0, 0.0);
            let mm = machines as f64;
            rows.push((i.all_to_all_bytes * (mm - 1.0) / (mm * mm), i.rounds as f64, m.compute.median - compute));
        }
    }
    if rows.is_empty() {
        return None;
    }
    let sum = |f: &dyn Fn(&(f64, f64, f64)) -> f64| rows.iter().map(f).sum::<f64>();
    let (sxx, srr, sxr) = (sum(&|r| r.0 * r.0), sum(&|r| r.1 * r.1), sum(&|r| r.0 * r.1));
    let (sxy, sry) = (sum(&|r| r.0 * r.2), sum(&|r| r.1 * r.2));
    let det = sxx * srr - sxr * sxr;
    let spec_latency = spec.latency_ms / 1000.0;
    let (mut inverse_rate, mut latency) = if det.abs() > 1e-12 * (sxx * srr).max(f64::MIN_POSITIVE) {
        ((sxy * srr - sry * sxr) / det, (sxx * sry - sxr * sxy) / det)
    } else {
        (f64::NAN, spec_latency)
    };
    if !(inverse_rate > 0.0 && latency >= 0.0) {
        latency = spec_latency;
        inverse_rate = if sxx > 0.0 { (sxy - latency * sxr) / sxx } else { f64::NAN };
    }
    let link = if inverse_rate > 0.0 { 1.0 / inverse_rate } else { spec.gbit * 1e9 / 8.0 };
    let refitted = ModelSpec { machines: spec.machines.clone(), gbit: link * 8.0 / 1e9, latency_ms: latency * 1000.0 };
    Some(Refit {
        gbit: refitted.gbit,
        latency_ms: refitted.latency_ms,
        checks: problems.iter().flat_map(|p| checks(p, link, latency)).collect(),
        rows: problems.iter().flat_map(|p| estimate(p, &refitted, cores_per_machine)).collect(),
    })
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
    /// Every measured multi-machine configuration against the model's prediction.
    pub checks: Vec<ModelCheck>,
    /// The network fitted again to those measurements, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refit: Option<Refit>,
}

impl ModelReport {
    /// Estimates every problem of `problems` on the clusters of `spec`, checks the model against
    /// the measured multi-machine configurations and fits it again to them.
    pub fn of(problems: &[ProblemReport], spec: ModelSpec, cores_per_machine: usize) -> ModelReport {
        let rows = problems.iter().flat_map(|p| estimate(p, &spec, cores_per_machine)).collect();
        let (link, latency) = (spec.gbit * 1e9 / 8.0, spec.latency_ms / 1000.0);
        let checks = problems.iter().flat_map(|p| checks(p, link, latency)).collect();
        let refit = refit(problems, &spec, cores_per_machine);
        ModelReport { spec, cores_per_machine, formula: FORMULA.into(), rows, checks, refit }
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
