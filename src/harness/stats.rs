//! Order statistics of repeated timings: min, median, p90 and max, never only a mean.

use serde::Serialize;

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
}

impl Summary {
    /// The statistics of `samples`, or `None` when there are none. NaNs sort last.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        let rank = (n * 9).div_ceil(10).max(1);
        Some(Summary { runs: n, min: sorted[0], median, p90: sorted[rank - 1], max: sorted[n - 1] })
    }
}

#[cfg(test)]
mod tests {
    use super::Summary;

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
}
