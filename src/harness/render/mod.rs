//! A sweep's report written out: `report.json` (everything, with `schema_version`), `runs.csv`
//! ([`csv`]), `report.md` ([`markdown`]), `scaling.svg` ([`super::plot`]), and the COST table
//! for the terminal ([`table`]). Every report file of costgraph (the sweep's and `updates`') is
//! written through [`write_files`]: atomically, into a folder created if needed.

mod csv;
mod markdown;
mod table;

use std::path::{Path, PathBuf};

use super::report::Report;
use crate::{Error, Result};

/// Writes `report.json`, `runs.csv`, `report.md` and `scaling.svg` of `report` into `dir`;
/// returns their paths.
pub fn write_report(report: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    let json = serde_json::to_string_pretty(report).map_err(|e| Error::invalid(e.to_string()))?;
    let svg = super::plot::scaling_svg(report)?;
    write_files(
        dir,
        [("report.json", json), ("runs.csv", report.csv()), ("report.md", report.markdown()), ("scaling.svg", svg)],
    )
}

/// Writes each `(name, text)` into `dir` (created if needed), atomically; returns their paths.
pub fn write_files<const N: usize>(dir: &Path, files: [(&str, String); N]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    files
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            crate::io::write_atomically(&path, |w| w.write_all(text.as_bytes()))?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::csv::csv_field;
    use super::*;
    use crate::harness::analysis::analyze;
    use crate::harness::child::{Failure, FailureKind};
    use crate::harness::fixtures::{config, ok, record, report, synthetic, synthetic_with};
    use crate::harness::measure::Outcome;
    use crate::harness::plan::Layout;
    use crate::harness::report::SCHEMA_VERSION;
    use crate::registry::{Kind, Problem};

    #[test]
    fn failures_and_wrong_answers_make_a_partial_report_and_stay_out_of_cost() {
        let crashed = Outcome {
            record: None,
            failure: Some(Failure::new(FailureKind::OutOfMemory, "signal: 9 (SIGKILL)")),
            stop: None,
            batches: 1,
            load_average: Some(3.5),
            wall_secs: 1.0,
        };
        let extra = vec![(config("lp", Kind::Rayon, Layout::Threads { threads: 8 }), crashed)];
        let r = report(vec![synthetic_with("e", extra)]);
        assert!(!r.ok());
        assert_eq!(r.status, "partial");
        assert_eq!(r.failures.len(), 2);
        assert!(r.failures[0].starts_with("cc lp (8 threads): out of memory: signal: 9"), "{}", r.failures[0]);
        assert!(r.failures[1].starts_with("cc lp (2 threads): wrong answer: disagrees with the baseline uf"));
        let p = &r.problems[0];
        assert_eq!(p.failed.len(), 1);
        assert_eq!(p.measurements[3].verdict, None, "a wrong answer gets no verdict");
        assert_eq!(p.costs[0].verdict_text, "loses at 1 core; beats at 4 cores");
        let md = r.markdown();
        assert!(md.contains("**NO**") && md.contains("| lp | rayon | 8 threads | 8 | **out of memory** |"), "{md}");
        assert!(r.cost_table().contains("status: partial"));
        // The failed configuration saw a load of 3.5 on 2 cores: not busy by the measured ones.
        assert_eq!(r.max_load_average, Some(3.5));
        assert!(r.warnings.iter().any(|w| w.starts_with("busy machine")));
        assert!(md.starts_with("# costgraph COST report\n\n> **Warning:** busy machine"), "{md}");
    }

    #[test]
    fn without_a_baseline_there_is_no_cost_but_a_report() {
        let failed = Outcome {
            record: None,
            failure: Some(Failure::new(FailureKind::Timeout, "timed out after 1 s")),
            stop: None,
            batches: 1,
            load_average: None,
            wall_secs: 1.0,
        };
        let rows = vec![
            (config("uf", Kind::SingleThread, Layout::SingleThread), failed),
            (config("lp", Kind::Rayon, Layout::Threads { threads: 1 }), ok(record(&[1.0], "d"))),
        ];
        let p = analyze(Problem::Cc, rows, |_| String::new());
        assert!(p.baseline.is_none() && p.costs.is_empty());
        assert_eq!(p.failures.len(), 2);
        let r = report(vec![p]);
        assert_eq!(r.status, "partial");
        assert!(r.cost_table().contains("cc: no baseline finished; no COST"));
        assert!(crate::harness::plot::scaling_svg(&r).unwrap().starts_with("<svg"));
    }

    #[test]
    fn reports_say_what_they_claim() {
        let r = report(vec![synthetic("d")]);
        assert!(r.warnings.iter().any(|w| w.contains("fewer than 6 runs")), "{:?}", r.warnings);
        let dir = tempfile::tempdir().unwrap();
        let files = write_report(&r, dir.path()).unwrap();
        assert_eq!(files.len(), 4);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["status"], "ok");
        assert_eq!(json["problems"][0]["costs"][0]["compute"]["status"], "bounded");
        assert_eq!(json["problems"][0]["costs"][0]["compute"]["cores"], 4);
        assert_eq!(json["problems"][0]["costs"][0]["verdicts"][1]["verdict"], "ties");
        assert_eq!(json["problems"][0]["measurements"][3]["layout"], "threads");
        assert_eq!(json["problems"][0]["measurements"][3]["threads"], 2);
        assert_eq!(json["problems"][0]["measurements"][3]["compute"]["ci_low"], 1.0);
        let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
        assert_eq!(csv.lines().count(), 1 + 3 * 5 + 2);
        assert!(csv.lines().nth(1).unwrap().starts_with("cc,slow,single-thread,1 thread,1,1,1,1,2,0.5,0,2.5,"));
        let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(
            md.contains("| lp | rayon | 4 cores | loses at 1 core 3.00 s [3.00 s, 3.00 s]; ties at 2 cores 1.00 s [1.00 s, 1.00 s]; beats at 4 cores 600.0 ms [500.0 ms, 700.0 ms] | 4 cores |"),
            "{md}"
        );
        assert!(md.contains("| never | rayon | unbounded (best: 2.00× slower at 4 cores) |"));
        assert!(md.contains("> **Warning:** 7 configuration(s) have fewer than 6 runs"));
        let table = r.cost_table();
        assert!(table.contains("baseline uf (single thread) 1.00 s [900.0 ms, 1.10 s] compute"), "{table}");
        let svg = std::fs::read_to_string(dir.path().join("scaling.svg")).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("lp") && svg.contains("baseline uf"), "{svg}");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
