//! `runs.csv`: one row per counted run of every configuration.

use std::fmt::Write as _;

use crate::harness::report::Report;

impl Report {
    /// One row per counted run.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "problem,implementation,kind,layout,cores,processes,machines,run,compute_secs,load_secs,prep_secs,\
             end_to_end_secs,peak_rss_bytes,agrees_with_baseline\n",
        );
        for m in self.problems.iter().flat_map(|p| &p.measurements) {
            let c = &m.configuration;
            for (i, t) in m.compute_secs.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    c.problem.name(),
                    csv_field(&c.implementation),
                    c.kind.name(),
                    csv_field(&c.layout.label()),
                    m.cores,
                    c.layout.processes(),
                    c.layout.machines(),
                    i + 1,
                    t,
                    m.load_secs,
                    m.prep_secs,
                    m.load_secs + m.prep_secs + t,
                    m.peak_rss_bytes.map_or(String::new(), |b| b.to_string()),
                    m.agrees_with_baseline
                );
            }
        }
        out
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
