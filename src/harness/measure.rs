//! Measuring a configuration: [`measure`] samples it in batches (a fresh process each) until its
//! [`Sampling`] rule is met, and never fails: a configuration that crashes, times out, runs out of
//! memory or fails its verifier becomes an [`Outcome`] with a [`Failure`], and the sweep goes on
//! (partial availability); [`super::journal`] keeps every outcome as it finishes.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::child::{Failure, FailureKind, run_costgraph};
use super::plan::Configuration;
use super::record::{RunRecord, parse_record};
use super::stats::{Sampling, Stop};

/// One batch of a built-in configuration: a child `costgraph` with `runs` counted runs.
pub fn run_builtin(
    exe: &Path,
    configuration: &Configuration,
    runs: usize,
    timeout: Duration,
) -> std::result::Result<RunRecord, Failure> {
    let out = run_costgraph(exe, &configuration.batch_args(runs), timeout)?;
    parse_record(&out.stdout).map_err(|e| Failure::new(FailureKind::Error, e.to_string()))
}

/// What measuring one configuration came to: its merged record, or why it has none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Every batch's runs together (the first batch's load and preparation times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RunRecord>,
    /// Why there is no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Why sampling stopped (when it finished).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// Batches (fresh processes) that were run.
    pub batches: usize,
    /// The highest 1-minute load average seen at the start and end of the configuration.
    pub load_average: Option<f64>,
    /// Wall-clock seconds the configuration took, all batches together.
    pub wall_secs: f64,
}

/// Measures one configuration: runs `batch(runs)` (one fresh process with `runs` counted runs)
/// until `sampling` is satisfied, merging the batches. When the problem is `exact` every batch
/// must give the same answer. Never fails: a failed batch becomes the outcome's [`Failure`].
pub fn measure(
    sampling: &Sampling,
    exact: bool,
    mut batch: impl FnMut(usize) -> std::result::Result<RunRecord, Failure>,
) -> Outcome {
    let start = Instant::now();
    let load_before = crate::sysinfo::load_average();
    let mut merged: Option<RunRecord> = None;
    let mut batches = 0;
    let mut runs = sampling.first_batch();
    let result = loop {
        batches += 1;
        let record = match batch(runs) {
            Ok(r) => r,
            Err(f) => break Err(f),
        };
        let merged = match &mut merged {
            None => merged.insert(record),
            Some(m) => {
                if exact && (m.digest != record.digest || m.result != record.result) {
                    break Err(Failure::new(
                        FailureKind::Wrong,
                        format!(
                            "batch {batches} gave a different answer ({}) than batch 1 ({})",
                            record.result, m.result
                        ),
                    ));
                }
                m.compute_secs.extend(&record.compute_secs);
                if record.retry.is_some() {
                    // A machine was lost in this batch: its replacement ran the rest.
                    m.retry = record.retry.clone();
                    m.hosts = record.hosts.clone();
                }
                m.peak_rss_bytes = m.peak_rss_bytes.max(record.peak_rss_bytes);
                m.verified = match (m.verified, record.verified) {
                    (Some(a), Some(b)) => Some(a && b),
                    (a, b) => a.or(b),
                };
                m
            }
        };
        let elapsed = start.elapsed().as_secs_f64();
        let per_run = elapsed / merged.compute_secs.len().max(1) as f64;
        match sampling.next(&merged.compute_secs, elapsed, per_run) {
            Ok(next) => runs = next,
            Err(stop) => break Ok(stop),
        }
    };
    let load_after = crate::sysinfo::load_average();
    let load_average = match (load_before, load_after) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let (record, failure, stop) = match result {
        Ok(stop) => (merged, None, Some(stop)),
        Err(f) => (None, Some(f), None),
    };
    Outcome { record, failure, stop, batches, load_average, wall_secs: start.elapsed().as_secs_f64() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(times: &[f64], digest: &str) -> RunRecord {
        RunRecord {
            nodes: 1,
            arcs: 1,
            threads: 1,
            load_secs: 0.1,
            prep_secs: 0.0,
            compute_secs: times.to_vec(),
            result: serde_json::json!({}),
            digest: digest.into(),
            verified: Some(true),
            verify_error: None,
            peak_rss_bytes: Some(10),
            traffic: Default::default(),
            hosts: Vec::new(),
            retry: None,
        }
    }

    #[test]
    fn measuring_samples_in_batches_until_precise_or_capped() {
        let auto = Sampling::Auto { target: 0.05, max_runs: 24, max_secs: 60.0 };
        // Noisy: 6, then 6, then 12 more runs (the run cap).
        let mut asked = Vec::new();
        let o = measure(&auto, true, |runs| {
            asked.push(runs);
            Ok(record(&(0..runs).map(|i| 1.0 + (i % 2) as f64).collect::<Vec<_>>(), "d"))
        });
        assert_eq!(asked, [6, 6, 12]);
        assert_eq!((o.stop, o.batches, o.record.unwrap().compute_secs.len()), (Some(Stop::RunCap), 3, 24));
        // Steady: one batch.
        let o = measure(&auto, true, |runs| Ok(record(&vec![1.0; runs], "d")));
        assert_eq!((o.stop, o.batches), (Some(Stop::Precise), 1));
        // A batch that answers differently is a wrong answer, unless the problem is not exact.
        let mut n = 0;
        let mut flip = |runs: usize| {
            n += 1;
            Ok(record(&(0..runs).map(|i| 1.0 + (i % 2) as f64).collect::<Vec<_>>(), if n == 1 { "a" } else { "b" }))
        };
        let o = measure(&auto, true, &mut flip);
        assert_eq!(o.failure.unwrap().kind, FailureKind::Wrong);
        assert!(o.record.is_none() && o.stop.is_none());
        assert!(measure(&auto, false, &mut flip).failure.is_none());
        // A failing batch is the outcome, not an error.
        let o = measure(&Sampling::Fixed { runs: 3 }, true, |_| Err(Failure::new(FailureKind::Timeout, "timed out")));
        assert_eq!((o.failure.unwrap().kind, o.batches), (FailureKind::Timeout, 1));
    }
}
