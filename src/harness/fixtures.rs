//! Synthetic sweeps the tests of the analysis, the report and its rendering share.

use super::analysis::{ProblemReport, analyze};
use super::measure::Outcome;
use super::plan::{Configuration, Layout};
use super::provenance::{Machine, Provenance};
use super::record::RunRecord;
use super::report::{GraphInfo, PolicyInfo, Report};
use super::stats::{Sampling, Stop};
use crate::registry::{Kind, Problem};

pub(crate) fn record(times: &[f64], digest: &str) -> RunRecord {
    RunRecord {
        nodes: 10,
        arcs: 20,
        threads: 1,
        load_secs: 0.5,
        prep_secs: 0.0,
        compute_secs: times.to_vec(),
        result: serde_json::json!({"components": 3, "largest": 5}),
        digest: digest.into(),
        verified: None,
        verify_error: None,
        peak_rss_bytes: Some(1 << 20),
        traffic: Default::default(),
        hosts: Vec::new(),
        retry: None,
    }
}

pub(crate) fn ok(r: RunRecord) -> Outcome {
    Outcome {
        record: Some(r),
        failure: None,
        stop: Some(Stop::Fixed),
        batches: 1,
        load_average: Some(0.5),
        wall_secs: 1.0,
    }
}

pub(crate) fn config(name: &str, kind: Kind, layout: Layout) -> Configuration {
    Configuration {
        problem: Problem::Cc,
        implementation: name.into(),
        kind,
        layout,
        args: vec!["run".into()],
        external: None,
    }
}

/// A synthetic problem report: baselines "slow" (2 s) and "uf" (1 s, interval 0.9–1.1); "lp"
/// ties at 2 threads and beats at 4; "never" never does; `lp` at 2 threads reports `lp_digest`;
/// `extra` outcomes are appended.
pub(crate) fn synthetic_with(lp_digest: &str, extra: Vec<(Configuration, Outcome)>) -> ProblemReport {
    let t = |threads| Layout::Threads { threads };
    let rows = [
        (config("slow", Kind::SingleThread, Layout::SingleThread), record(&[2.0, 2.1, 1.9], "d")),
        (config("uf", Kind::SingleThread, Layout::SingleThread), record(&[1.0, 1.1, 0.9], "d")),
        (config("lp", Kind::Rayon, t(1)), record(&[3.0, 3.0, 3.0], "d")),
        (config("lp", Kind::Rayon, t(2)), record(&[1.0, 1.0, 1.0], lp_digest)),
        (config("lp", Kind::Rayon, t(4)), record(&[0.6, 0.5, 0.7], "d")),
        (config("never", Kind::Rayon, t(1)), record(&[4.0], "d")),
        (config("never", Kind::Rayon, t(4)), record(&[2.0], "d")),
    ];
    let rows = rows.into_iter().map(|(c, r)| (c, ok(r))).chain(extra).collect();
    analyze(Problem::Cc, rows, |c| format!("costgraph {}", c.args.join(" ")))
}

pub(crate) fn synthetic(lp_digest: &str) -> ProblemReport {
    synthetic_with(lp_digest, Vec::new())
}

pub(crate) fn report(problems: Vec<ProblemReport>) -> Report {
    let provenance = Provenance {
        costgraph_version: "0.1.0".into(),
        rustc: "rustc 1.95.0".into(),
        git_commit: "unknown".into(),
        machine: Machine {
            cpu_model: None,
            cores: 2,
            memory_bytes: None,
            available_memory_bytes: None,
            os: "x".into(),
            kernel: None,
            hostname: None,
        },
    };
    let policy = PolicyInfo {
        warmup: 1,
        sampling: Sampling::Fixed { runs: 3 },
        timeout_secs: 60,
        core_counts: vec![1, 2, 4],
        processes: vec![],
        method: "test".into(),
    };
    let graph = GraphInfo {
        path: "g.cgr".into(),
        origin: "test".into(),
        sha256: "00".into(),
        file_bytes: 1,
        nodes: 10,
        arcs: 20,
        weighted: false,
        symmetric: true,
    };
    Report::new(provenance, vec!["costgraph".into(), "cost".into()], policy, graph, vec![], problems)
}
