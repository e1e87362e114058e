//! Order statistics of repeated timings — min, median, p90, max, never only a mean — and a 95 %
//! confidence interval for the median, plus the rule that decides when a configuration has been
//! sampled enough ([`Sampling`]).
//!
//! # The interval, and why this one
//!
//! The interval is distribution-free, from order statistics: with the `n` samples sorted as
//! `x(1) ≤ … ≤ x(n)`, the true median lies in `[x(k), x(n+1-k)]` with probability
//! `1 − 2·P(B ≤ k−1)` for `B ~ Binomial(n, ½)` — whatever the distribution of the timings, as long
//! as the runs are independent and identically distributed (each sample is below the median with
//! probability ½). `k` is the largest rank whose coverage is still at least 95 %, so the coverage
//! is exact (stated in [`Summary::ci_coverage`]), not an approximation.
//!
//! Why not a normal interval (mean ± 1.96 σ/√n) or a bootstrap: run times are skewed with a long
//! right tail (a page-cache miss, a descheduled thread) and come in small numbers (5–30), where a
//! normal interval is wrong and a bootstrap's coverage is unknown and below nominal. The
//! order-statistic interval needs no model and is exact at any `n`.
//!
//! Its price: with fewer than [`MIN_RUNS_FOR_95`] (6) samples no pair of ranks reaches 95 %, and
//! the interval is the whole range `[min, max]` with coverage `1 − 2^(1−n)` (94 % at 5 runs, 75 % at
//! 3). Reports say so.

use serde::{Deserialize, Serialize};

/// The confidence level of the median's interval.
pub const CONFIDENCE: f64 = 0.95;

/// The fewest samples for which an order-statistic interval reaches [`CONFIDENCE`] (`[min, max]`
/// at 6 samples covers the median with probability 1 − 2⁻⁵ = 96.9 %).
pub const MIN_RUNS_FOR_95: usize = 6;

/// Order statistics of a non-empty set of samples (seconds).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Number of samples.
    pub runs: usize,
    /// Smallest sample.
    pub min: f64,
    /// Median (mean of the middle two for an even count).
    pub median: f64,
    /// 90th percentile, nearest-rank: the smallest sample with at least 90% of the samples at or
    /// below it.
    pub p90: f64,
    /// Largest sample.
    pub max: f64,
    /// Lower end of the median's confidence interval (an order statistic; see the module doc).
    pub ci_low: f64,
    /// Upper end of the median's confidence interval.
    pub ci_high: f64,
    /// The interval's exact coverage: ≥ 0.95 from [`MIN_RUNS_FOR_95`] samples on; below that the
    /// interval is `[min, max]` and this says how much less it covers.
    pub ci_coverage: f64,
}

impl Summary {
    /// The statistics of `samples`, or `None` when there are none. NaNs sort last. Costs a sort:
    /// O(n log n).
    pub fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let sorted = sorted(samples);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        let (k, ci_coverage) = median_interval_rank(n);
        Some(Summary {
            runs: n,
            min: sorted[0],
            median,
            p90: nearest_rank(&sorted, 900),
            max: sorted[n - 1],
            ci_low: sorted[k - 1],
            ci_high: sorted[n - k],
            ci_coverage,
        })
    }

    /// Half the interval's width relative to the median (0.05 = "± 5 %").
    pub fn relative_half_width(&self) -> f64 {
        if self.median > 0.0 { (self.ci_high - self.ci_low) / 2.0 / self.median } else { f64::INFINITY }
    }

    /// Whether the interval reaches [`CONFIDENCE`] (false below [`MIN_RUNS_FOR_95`] samples).
    pub fn confident(&self) -> bool {
        self.ci_coverage >= CONFIDENCE
    }

    /// `0.0123 [0.0118, 0.0131]`: the median and its interval, in seconds, for tables.
    pub fn interval_text(&self) -> String {
        crate::units::human_interval(self.median, self.ci_low, self.ci_high)
    }
}

/// `samples` sorted ascending (NaNs last). O(n log n).
pub fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The nearest-rank percentile of non-empty ascending `sorted`, in per mille (900 = p90): the
/// smallest sample with at least that share of the samples at or below it.
pub fn nearest_rank(sorted: &[f64], per_mille: usize) -> f64 {
    let n = sorted.len();
    sorted[(n * per_mille).div_ceil(1000).clamp(1, n) - 1]
}

/// The rank `k` (1-based) such that `[x(k), x(n+1-k)]` is the narrowest order-statistic interval
/// for the median of `n ≥ 1` samples with coverage ≥ [`CONFIDENCE`], and its exact coverage; `k = 1`
/// (the whole range, with coverage `1 − 2^(1−n)`) when no interval reaches it.
pub fn median_interval_rank(n: usize) -> (usize, f64) {
    // P(B ≤ j) for B ~ Binomial(n, ½), summed in log space so that large n does not underflow.
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_choose = 0.0f64; // ln C(n, j)
    let mut below = ln_half_n.exp(); // P(B ≤ 0)
    let mut best = (1, 1.0 - 2.0 * below);
    for k in 2.. {
        // Rank k leaves k − 1 samples out on each side: coverage 1 − 2·P(B ≤ k − 1).
        if 2 * k > n + 1 {
            break;
        }
        let j = k - 1;
        ln_choose += ((n - j + 1) as f64).ln() - (j as f64).ln();
        below += (ln_choose + ln_half_n).exp();
        let coverage = 1.0 - 2.0 * below;
        if coverage < CONFIDENCE {
            break;
        }
        best = (k, coverage);
    }
    best
}

/// When a configuration has been sampled enough.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Sampling {
    /// Exactly this many counted runs.
    Fixed {
        /// Counted runs.
        runs: usize,
    },
    /// Keep sampling until the median's interval is narrow enough or a cap is reached.
    Auto {
        /// Stop when the interval's half-width is below this fraction of the median (0.05).
        target: f64,
        /// Never more counted runs than this.
        max_runs: usize,
        /// Start no more batches once this many seconds went into the configuration.
        max_secs: f64,
    },
}

/// Why sampling a configuration stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// A fixed number of runs was asked for and made.
    Fixed,
    /// The interval became narrow enough.
    Precise,
    /// The run cap was reached first.
    RunCap,
    /// The time cap was reached first.
    TimeCap,
}

impl Stop {
    /// Whether sampling stopped at a cap, before the interval was narrow enough.
    pub fn hit_cap(self) -> bool {
        matches!(self, Stop::RunCap | Stop::TimeCap)
    }

    /// In words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Fixed => "fixed",
            Stop::Precise => "precise",
            Stop::RunCap => "run cap",
            Stop::TimeCap => "time cap",
        }
    }
}

impl Sampling {
    /// The first batch: the fixed count, or enough runs for a 95 % interval.
    pub fn first_batch(&self) -> usize {
        match *self {
            Sampling::Fixed { runs } => runs,
            Sampling::Auto { max_runs, .. } => MIN_RUNS_FOR_95.min(max_runs),
        }
    }

    /// After `samples` were taken in `elapsed_secs`: `Err(stop)` when sampling is done, or
    /// `Ok(n)` — the size of the next batch (doubling the sample, within the caps; a batch is
    /// sized to fit the time left at the median time per run `per_run_secs`).
    pub fn next(&self, samples: &[f64], elapsed_secs: f64, per_run_secs: f64) -> Result<usize, Stop> {
        let Sampling::Auto { target, max_runs, max_secs } = *self else {
            return Err(Stop::Fixed);
        };
        let n = samples.len();
        if let Some(s) = Summary::of(samples)
            && s.confident()
            && s.relative_half_width() < target
        {
            return Err(Stop::Precise);
        }
        if n >= max_runs {
            return Err(Stop::RunCap);
        }
        let left = max_secs - elapsed_secs;
        if left <= 0.0 {
            return Err(Stop::TimeCap);
        }
        let fit = if per_run_secs > 0.0 { (left / per_run_secs).floor() as usize } else { usize::MAX };
        Ok(n.max(1).min(max_runs - n).min(fit).max(1))
    }
}

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
        let sorted = sorted(samples);
        let n = sorted.len();
        let rank = |per_mille| nearest_rank(&sorted, per_mille);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistics() {
        assert_eq!(Summary::of(&[]), None);
        let one = Summary::of(&[2.0]).unwrap();
        assert_eq!((one.min, one.median, one.p90, one.max), (2.0, 2.0, 2.0, 2.0));
        let s = Summary::of(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.runs, s.min, s.median, s.p90, s.max), (5, 1.0, 3.0, 5.0, 5.0));
        let even = Summary::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(even.median, 2.5);
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(Summary::of(&ten).unwrap().p90, 9.0);
    }

    /// Coverage of `[x(k), x(n+1-k)]` by direct summation, to check the log-space one.
    fn coverage(n: usize, k: usize) -> f64 {
        let mut c = 1.0f64;
        let mut below = 0.0;
        for j in 0..k {
            below += c / 2f64.powi(n as i32);
            c = c * (n - j) as f64 / (j + 1) as f64;
        }
        1.0 - 2.0 * below
    }

    #[test]
    fn median_intervals_have_exact_binomial_coverage() {
        // Below six runs only the whole range is possible, and it covers less than 95 %.
        for n in 1..6 {
            let (k, cov) = median_interval_rank(n);
            assert_eq!(k, 1, "n = {n}");
            assert!((cov - (1.0 - 2f64.powi(1 - n as i32))).abs() < 1e-12 && cov < CONFIDENCE, "n = {n}");
        }
        // Known ranks (e.g. Conover, Practical Nonparametric Statistics, table A3).
        for (n, k) in [(6, 1), (8, 1), (9, 2), (11, 2), (12, 3), (17, 5), (20, 6), (30, 10), (100, 40)] {
            let (got, cov) = median_interval_rank(n);
            assert_eq!(got, k, "n = {n}");
            assert!((cov - coverage(n, k)).abs() < 1e-9, "n = {n}: {cov} vs {}", coverage(n, k));
            assert!(cov >= CONFIDENCE && coverage(n, k + 1) < CONFIDENCE, "n = {n}: the narrowest");
        }
        // Large n neither underflows nor loses the rank (≈ n/2 − 0.98 √n).
        let (k, cov) = median_interval_rank(10_000);
        assert!((4900..=4903).contains(&k) && cov >= CONFIDENCE, "{k} {cov}");
    }

    #[test]
    fn the_interval_is_made_of_samples() {
        let s = Summary::of(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.ci_low, s.ci_high), (1.0, 5.0), "five runs: the whole range");
        assert!(!s.confident());
        let twelve: Vec<f64> = (1..=12).map(f64::from).collect();
        let s = Summary::of(&twelve).unwrap();
        assert_eq!((s.ci_low, s.ci_high), (3.0, 10.0));
        assert!(s.confident());
        assert_eq!(s.interval_text(), "6.50 s [3.00 s, 10.00 s]");
        assert!((s.relative_half_width() - 3.5 / 6.5).abs() < 1e-12);
    }

    #[test]
    fn auto_sampling_stops_when_precise_or_capped() {
        let auto = Sampling::Auto { target: 0.05, max_runs: 20, max_secs: 10.0 };
        assert_eq!(auto.first_batch(), 6);
        // Six tight runs: precise.
        assert_eq!(auto.next(&[1.0, 1.01, 0.99, 1.0, 1.02, 0.98], 1.0, 0.1), Err(Stop::Precise));
        // Five tight runs are not enough for a 95 % interval: one doubling batch more.
        assert_eq!(auto.next(&[1.0; 5], 1.0, 0.1), Ok(5));
        let noisy = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        assert_eq!(auto.next(&noisy, 1.0, 0.1), Ok(6));
        assert_eq!(auto.next(&noisy, 1.0, 3.0), Ok(3), "the batch fits the time left");
        assert_eq!(auto.next(&noisy, 10.0, 0.1), Err(Stop::TimeCap));
        let many: Vec<f64> = (0..18).map(|i| 1.0 + (i % 2) as f64).collect();
        assert_eq!(auto.next(&many, 1.0, 0.1), Ok(2), "the batch fits the run cap");
        assert_eq!(auto.next(&[many.clone(), vec![1.0, 2.0]].concat(), 1.0, 0.1), Err(Stop::RunCap));
        let fixed = Sampling::Fixed { runs: 3 };
        assert_eq!(fixed.first_batch(), 3);
        assert_eq!(fixed.next(&noisy, 0.0, 0.1), Err(Stop::Fixed));
        assert!(Stop::TimeCap.hit_cap() && !Stop::Precise.hit_cap());
    }
}
