//! The COST figure (McSherry, Isard, Murray, HotOS 2015): the Configuration that Outperforms a
//! Single Thread. Pure functions on timing tables, so the rule is stated (and tested) once:
//!
//! - the baseline is the fastest single-thread implementation (smallest median);
//! - an implementation's COST is the smallest core count at which a configuration's median is
//!   strictly below the baseline's median (a tie does not beat it);
//! - when no configuration in the sweep beats it the COST is *unbounded*, which is a result, not
//!   an error: the report says how close the best configuration came.

use std::fmt;

use serde::Serialize;

/// One measured configuration of a scalable implementation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Cores the configuration uses (threads, workers, or processes × workers).
    pub cores: usize,
    /// Its median time in seconds.
    pub median: f64,
}

/// The fastest of several single-thread candidates `(name, median)`: the COST baseline. On a tie
/// the first listed wins. `None` when there are no candidates.
pub fn best_baseline<'a>(candidates: impl IntoIterator<Item = (&'a str, f64)>) -> Option<(&'a str, f64)> {
    candidates.into_iter().fold(None, |best, (name, median)| match best {
        Some((_, m)) if m <= median => best,
        _ => Some((name, median)),
    })
}

/// An implementation's COST against a baseline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Cost {
    /// The smallest core count whose median beats the baseline.
    Bounded {
        /// The COST: cores needed to beat one thread.
        cores: usize,
        /// The median at that core count (seconds).
        median: f64,
        /// Baseline median / this median (> 1).
        speedup: f64,
    },
    /// No configuration in the sweep beats the baseline.
    Unbounded {
        /// Cores of the fastest configuration.
        best_cores: usize,
        /// Its median (seconds).
        best_median: f64,
        /// Its median / the baseline median (≥ 1): how many times slower it still is.
        slowdown: f64,
    },
}

/// The COST of an implementation measured at `points`, against a baseline median. `None` when
/// there are no points. Points may come in any order and several may share a core count (e.g.
/// 4 workers in one process and 2 × 2 in two processes).
pub fn cost(baseline_median: f64, points: &[Point]) -> Option<Cost> {
    let beating = points.iter().filter(|p| p.median < baseline_median).min_by_key(|p| p.cores);
    if let Some(p) = beating {
        return Some(Cost::Bounded { cores: p.cores, median: p.median, speedup: baseline_median / p.median });
    }
    let best = points.iter().min_by(|a, b| a.median.total_cmp(&b.median).then(a.cores.cmp(&b.cores)))?;
    Some(Cost::Unbounded { best_cores: best.cores, best_median: best.median, slowdown: best.median / baseline_median })
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Cost::Bounded { cores, .. } => write!(f, "{cores} core{}", if cores == 1 { "" } else { "s" }),
            Cost::Unbounded { best_cores, slowdown, .. } => write!(
                f,
                "unbounded (best: {slowdown:.2}× slower at {best_cores} core{})",
                if best_cores == 1 { "" } else { "s" }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(table: &[(usize, f64)]) -> Vec<Point> {
        table.iter().map(|&(cores, median)| Point { cores, median }).collect()
    }

    #[test]
    fn smallest_beating_core_count() {
        let table = points(&[(1, 4.0), (2, 2.1), (4, 1.2), (8, 0.7)]);
        let c = cost(2.0, &table).unwrap();
        assert_eq!(c, Cost::Bounded { cores: 4, median: 1.2, speedup: 2.0 / 1.2 });
        assert_eq!(c.to_string(), "4 cores");
    }

    #[test]
    fn a_tie_does_not_beat_the_baseline() {
        let table = points(&[(1, 3.0), (2, 2.0), (4, 1.5)]);
        assert!(matches!(cost(2.0, &table), Some(Cost::Bounded { cores: 4, .. })));
        let tie_only = points(&[(1, 3.0), (2, 2.0)]);
        assert!(matches!(cost(2.0, &tie_only), Some(Cost::Unbounded { best_cores: 2, .. })));
    }

    #[test]
    fn unbounded_reports_the_best_configuration() {
        let table = points(&[(1, 9.0), (2, 5.0), (4, 3.0), (8, 3.5)]);
        let c = cost(1.5, &table).unwrap();
        assert_eq!(c, Cost::Unbounded { best_cores: 4, best_median: 3.0, slowdown: 2.0 });
        assert_eq!(c.to_string(), "unbounded (best: 2.00× slower at 4 cores)");
    }

    #[test]
    fn single_configuration() {
        assert_eq!(cost(1.0, &points(&[(1, 0.5)])).unwrap().to_string(), "1 core");
        assert_eq!(cost(1.0, &points(&[(1, 2.0)])).unwrap().to_string(), "unbounded (best: 2.00× slower at 1 core)");
        assert_eq!(cost(1.0, &[]), None);
    }

    #[test]
    fn not_monotone_and_shared_core_counts() {
        // Order does not matter; the smallest beating core count wins even if a larger one is slower.
        let table = points(&[(8, 1.9), (2, 0.9), (4, 0.8), (2, 1.5), (1, 3.0)]);
        assert!(matches!(cost(1.0, &table), Some(Cost::Bounded { cores: 2, median, .. }) if median == 0.9));
    }

    #[test]
    fn the_fastest_baseline_is_the_baseline() {
        let candidates = [("label-propagation", 7.0), ("union-find", 1.5), ("union-find-rank", 1.5)];
        assert_eq!(best_baseline(candidates), Some(("union-find", 1.5)));
        assert_eq!(best_baseline([]), None);
        // Measured against the best one, not the first one.
        let table = points(&[(2, 3.0), (4, 1.4)]);
        let (_, median) = best_baseline(candidates).unwrap();
        assert!(matches!(cost(median, &table), Some(Cost::Bounded { cores: 4, .. })));
    }
}
