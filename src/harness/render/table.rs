//! The COST table as plain text, for the terminal: each verdict with its intervals.

use std::fmt::Write as _;

use super::markdown::verdicts_with_intervals;
use crate::harness::report::Report;

impl Report {
    /// The COST table as plain text, for the terminal: each verdict with its intervals.
    pub fn cost_table(&self) -> String {
        let mut out = String::new();
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        for l in &self.left_out {
            let _ = writeln!(out, "left out {l}");
        }
        for p in &self.problems {
            let Some(b) = &p.baseline else {
                let _ = writeln!(out, "{}: no baseline finished; no COST", p.problem.name());
                continue;
            };
            let _ = writeln!(
                out,
                "{}: baseline {} (single thread) {} compute (median [95 % CI]), {} end to end ({}); \
                 verdicts per core count, compute median [95 % CI]:",
                p.problem.name(),
                b.implementation,
                b.compute,
                b.end_to_end,
                b.end_to_end_implementation
            );
            for c in &p.costs {
                let _ = writeln!(out, "  {} ({}): COST {}", c.implementation, c.kind.name(), c.compute);
                let _ = writeln!(out, "      {}", verdicts_with_intervals(&c.verdicts));
                if let Some(m) = &c.machines {
                    let _ = writeln!(out, "      on machines: COST {}", m.text);
                }
            }
            if p.costs.is_empty() {
                let _ = writeln!(out, "  (no scalable implementation with correct figures)");
            }
        }
        let _ = writeln!(out, "status: {}", self.status);
        for f in &self.failures {
            let _ = writeln!(out, "  {f}");
        }
        out
    }
}
