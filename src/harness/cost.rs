//! The COST figure (McSherry, Isard, Murray, HotOS 2015): the Configuration that Outperforms a
//! Single Thread. Pure functions on timing tables, so the rule is stated (and tested) once:
//!
//! - every time is a median with its 95 % confidence interval ([`super::stats`]);
//! - the baseline is the fastest single-thread implementation (smallest median);
//! - a configuration *beats* the baseline only when its whole interval lies below the baseline's
//!   (`high < baseline.low`), *loses* when it lies above, and otherwise *ties*: overlapping
//!   intervals are noise, not a result;
//! - an implementation's COST is the smallest core count at which a configuration beats the
//!   baseline; when none does the COST is *unbounded*, which is a result, not an error: the report
//!   says how close the best configuration came, and whether it tied.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

use super::stats::Summary;

/// A median time and its confidence interval, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// The median.
    pub median: f64,
    /// Lower end of its interval.
    pub low: f64,
    /// Upper end of its interval.
    pub high: f64,
}

impl Interval {
    /// The median and interval of a summary.
    pub fn of(s: &Summary) -> Interval {
        Interval { median: s.median, low: s.ci_low, high: s.ci_high }
    }

    /// A point without spread (tests, exact figures).
    pub fn exact(t: f64) -> Interval {
        Interval { median: t, low: t, high: t }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::units::human_interval(self.median, self.low, self.high))
    }
}

/// One measured configuration of a scalable implementation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Cores the configuration uses (threads, workers, or processes × workers).
    pub cores: usize,
    /// Its median time and interval.
    pub time: Interval,
}

/// How a configuration compares with the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Its interval lies entirely below the baseline's.
    Beats,
    /// The intervals overlap.
    Ties,
    /// Its interval lies entirely above the baseline's.
    Loses,
}

impl Verdict {
    /// How `time` compares with `baseline`.
    pub fn of(baseline: Interval, time: Interval) -> Verdict {
        if time.high < baseline.low {
            Verdict::Beats
        } else if time.low > baseline.high {
            Verdict::Loses
        } else {
            Verdict::Ties
        }
    }

    /// `beats`, `ties`, `loses`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Beats => "beats",
            Verdict::Ties => "ties",
            Verdict::Loses => "loses",
        }
    }
}

/// The best verdict an implementation reached at one core count, with the configuration's time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CoreVerdict {
    /// Cores.
    pub cores: usize,
    /// The best verdict among the configurations with this many cores.
    pub verdict: Verdict,
    /// The time of the configuration that reached it (the smallest median among those).
    pub time: Interval,
}

/// The verdict at every core count of `points`, in core order.
pub fn verdicts(baseline: Interval, points: &[Point]) -> Vec<CoreVerdict> {
    let mut out: Vec<CoreVerdict> = Vec::new();
    for p in points {
        let v = CoreVerdict { cores: p.cores, verdict: Verdict::of(baseline, p.time), time: p.time };
        match out.iter_mut().find(|o| o.cores == p.cores) {
            Some(o) => {
                let better = (v.verdict, v.time.median.total_cmp(&o.time.median)) < (o.verdict, Ordering::Equal);
                if better {
                    *o = v;
                }
            }
            None => out.push(v),
        }
    }
    out.sort_by_key(|v| v.cores);
    out
}

/// `ties at 1 core; beats at 2, 4 cores`: consecutive core counts with the same verdict merged.
pub fn verdict_text(verdicts: &[CoreVerdict]) -> String {
    let mut groups: Vec<(Verdict, Vec<usize>)> = Vec::new();
    for v in verdicts {
        match groups.last_mut() {
            Some((verdict, cores)) if *verdict == v.verdict => cores.push(v.cores),
            _ => groups.push((v.verdict, vec![v.cores])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(verdict, cores)| {
            let list: Vec<String> = cores.iter().map(usize::to_string).collect();
            let unit = if cores.len() == 1 && cores[0] == 1 { "core" } else { "cores" };
            format!("{} at {} {unit}", verdict.name(), list.join(", "))
        })
        .collect();
    parts.join("; ")
}

/// The fastest of several single-thread candidates `(name, time)` by median: the COST baseline.
/// On a tie the first listed wins. `None` when there are no candidates.
pub fn best_baseline<'a>(candidates: impl IntoIterator<Item = (&'a str, Interval)>) -> Option<(&'a str, Interval)> {
    candidates.into_iter().fold(None, |best, (name, time)| match best {
        Some((_, t)) if t.median <= time.median => best,
        _ => Some((name, time)),
    })
}

/// An implementation's COST against a baseline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Cost {
    /// The smallest core count at which a configuration beats the baseline with confidence.
    Bounded {
        /// The COST: cores needed to beat one thread.
        cores: usize,
        /// The time at that core count.
        time: Interval,
        /// Baseline median / this median (> 1).
        speedup: f64,
    },
    /// No configuration in the sweep beats the baseline with confidence.
    Unbounded {
        /// Cores of the fastest configuration (by median).
        best_cores: usize,
        /// Its time.
        best: Interval,
        /// Its median / the baseline median: how many times slower it still is (below 1 when its
        /// median is faster but its interval overlaps the baseline's).
        slowdown: f64,
        /// Whether its interval overlaps the baseline's (a tie, not a loss).
        tie: bool,
    },
}

/// The COST of an implementation measured at `points`, against the baseline's time. `None` when
/// there are no points. Points may come in any order and several may share a core count (e.g.
/// 4 workers in one process and 2 × 2 in two processes).
pub fn cost(baseline: Interval, points: &[Point]) -> Option<Cost> {
    let beating = points.iter().filter(|p| Verdict::of(baseline, p.time) == Verdict::Beats).min_by_key(|p| p.cores);
    if let Some(p) = beating {
        return Some(Cost::Bounded { cores: p.cores, time: p.time, speedup: baseline.median / p.time.median });
    }
    let best = points.iter().min_by(|a, b| a.time.median.total_cmp(&b.time.median).then(a.cores.cmp(&b.cores)))?;
    Some(Cost::Unbounded {
        best_cores: best.cores,
        best: best.time,
        slowdown: best.time.median / baseline.median,
        tie: Verdict::of(baseline, best.time) == Verdict::Ties,
    })
}

impl Cost {
    /// The core count the COST point sits at (the COST, or the best configuration).
    pub fn cores(&self) -> usize {
        match *self {
            Cost::Bounded { cores, .. } => cores,
            Cost::Unbounded { best_cores, .. } => best_cores,
        }
    }
}

impl Cost {
    /// The COST in words, counting `unit`s (`core`, `machine`): `4 cores`, `unbounded (best: …)`.
    pub fn describe(&self, unit: &str) -> String {
        let count = |n: usize| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        match *self {
            Cost::Bounded { cores, .. } => count(cores),
            Cost::Unbounded { best_cores, slowdown, tie: true, .. } if slowdown < 1.0 => format!(
                "unbounded (best: ties at {}, median {:.2}× faster within the noise)",
                count(best_cores),
                1.0 / slowdown
            ),
            Cost::Unbounded { best_cores, slowdown, tie, .. } => format!(
                "unbounded (best: {}{slowdown:.2}× slower at {})",
                if tie { "ties, " } else { "" },
                count(best_cores)
            ),
        }
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("core"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(table: &[(usize, f64)]) -> Vec<Point> {
        table.iter().map(|&(cores, median)| Point { cores, time: Interval::exact(median) }).collect()
    }

    fn spread(cores: usize, median: f64, low: f64, high: f64) -> Point {
        Point { cores, time: Interval { median, low, high } }
    }

    #[test]
    fn smallest_beating_core_count() {
        let table = points(&[(1, 4.0), (2, 2.1), (4, 1.2), (8, 0.7)]);
        let c = cost(Interval::exact(2.0), &table).unwrap();
        assert_eq!(c, Cost::Bounded { cores: 4, time: Interval::exact(1.2), speedup: 2.0 / 1.2 });
        assert_eq!(c.to_string(), "4 cores");
    }

    #[test]
    fn overlapping_intervals_tie_instead_of_beating() {
        // The case: a faster median, but the baseline's runs spread over it.
        let baseline = Interval { median: 0.0266, low: 0.0131, high: 0.0340 };
        let table = [spread(1, 0.0169, 0.0150, 0.0200), spread(2, 0.0100, 0.0095, 0.0110)];
        let v = verdicts(baseline, &table);
        assert_eq!(v.iter().map(|v| v.verdict).collect::<Vec<_>>(), [Verdict::Ties, Verdict::Beats]);
        assert_eq!(verdict_text(&v), "ties at 1 core; beats at 2 cores");
        assert!(matches!(cost(baseline, &table), Some(Cost::Bounded { cores: 2, .. })));
        let tie_only = cost(baseline, &table[..1]).unwrap();
        assert!(matches!(tie_only, Cost::Unbounded { best_cores: 1, tie: true, .. }));
        assert_eq!(tie_only.to_string(), "unbounded (best: ties at 1 core, median 1.57× faster within the noise)");
        // Touching ends do not beat: the upper end must be strictly below the baseline's lower.
        assert_eq!(Verdict::of(baseline, Interval { median: 0.01, low: 0.009, high: 0.0131 }), Verdict::Ties);
        assert_eq!(Verdict::of(baseline, Interval { median: 0.05, low: 0.0341, high: 0.06 }), Verdict::Loses);
    }

    #[test]
    fn a_tie_does_not_beat_the_baseline() {
        let table = points(&[(1, 3.0), (2, 2.0), (4, 1.5)]);
        assert!(matches!(cost(Interval::exact(2.0), &table), Some(Cost::Bounded { cores: 4, .. })));
        let tie_only = points(&[(1, 3.0), (2, 2.0)]);
        let c = cost(Interval::exact(2.0), &tie_only).unwrap();
        assert!(matches!(c, Cost::Unbounded { best_cores: 2, tie: true, .. }));
        assert_eq!(c.to_string(), "unbounded (best: ties, 1.00× slower at 2 cores)");
    }

    #[test]
    fn unbounded_reports_the_best_configuration() {
        let table = points(&[(1, 9.0), (2, 5.0), (4, 3.0), (8, 3.5)]);
        let c = cost(Interval::exact(1.5), &table).unwrap();
        assert_eq!(c, Cost::Unbounded { best_cores: 4, best: Interval::exact(3.0), slowdown: 2.0, tie: false });
        assert_eq!(c.to_string(), "unbounded (best: 2.00× slower at 4 cores)");
        assert_eq!(c.cores(), 4);
        assert_eq!(verdict_text(&verdicts(Interval::exact(1.5), &table)), "loses at 1, 2, 4, 8 cores");
    }

    #[test]
    fn single_configuration() {
        assert_eq!(cost(Interval::exact(1.0), &points(&[(1, 0.5)])).unwrap().to_string(), "1 core");
        assert_eq!(
            cost(Interval::exact(1.0), &points(&[(1, 2.0)])).unwrap().to_string(),
            "unbounded (best: 2.00× slower at 1 core)"
        );
        assert_eq!(cost(Interval::exact(1.0), &[]), None);
    }

    #[test]
    fn not_monotone_and_shared_core_counts() {
        // Order does not matter; the smallest beating core count wins even if a larger one is slower.
        let table = points(&[(8, 1.9), (2, 0.9), (4, 0.8), (2, 1.5), (1, 3.0)]);
        let c = cost(Interval::exact(1.0), &table);
        assert!(matches!(c, Some(Cost::Bounded { cores: 2, time, .. }) if time.median == 0.9));
        // At a shared core count the best verdict counts, with that configuration's time.
        let v = verdicts(Interval::exact(1.0), &table);
        assert_eq!(v[1], CoreVerdict { cores: 2, verdict: Verdict::Beats, time: Interval::exact(0.9) });
        assert_eq!(verdict_text(&v), "loses at 1 core; beats at 2, 4 cores; loses at 8 cores");
    }

    #[test]
    fn the_fastest_baseline_is_the_baseline() {
        let e = Interval::exact;
        let candidates = [("label-propagation", e(7.0)), ("union-find", e(1.5)), ("union-find-rank", e(1.5))];
        assert_eq!(best_baseline(candidates), Some(("union-find", e(1.5))));
        assert_eq!(best_baseline([]), None);
        // Measured against the best one, not the first one.
        let table = points(&[(2, 3.0), (4, 1.4)]);
        let (_, time) = best_baseline(candidates).unwrap();
        assert!(matches!(cost(time, &table), Some(Cost::Bounded { cores: 4, .. })));
    }
}
