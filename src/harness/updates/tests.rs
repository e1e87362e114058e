//! Tests of the `updates` report: the oracle replay, verification against it, and rendering.

use std::path::PathBuf;

use super::replay::digest;
use super::*;
use crate::algo::cc::union_find::union_find_edges;
use crate::dataflow::Strategy;
use crate::dataflow::differential::Variant;
use crate::dataflow::differential::memory::Held;
use crate::dataflow::differential::stream::StreamSpec;
use crate::dataflow::differential::stream::UpdateStream;
use crate::dataflow::differential::updates::{BatchRecord, Segment};
use crate::dataflow::differential::updates::{UpdatesJob, UpdatesRun};
use crate::graph::BuildOptions;
use crate::graph::Csr;
use crate::harness::provenance::Provenance;
use crate::harness::report::GraphInfo;
use crate::harness::stats::Percentiles;
use crate::testing;

#[test]
fn percentiles_are_nearest_rank() {
    assert_eq!(Percentiles::of(&[]), None);
    let s: Vec<f64> = (1..=1000).map(f64::from).collect();
    let p = Percentiles::of(&s).unwrap();
    assert_eq!((p.p50, p.p90, p.p99, p.p999, p.max, p.samples), (500.0, 900.0, 990.0, 999.0, 1000.0, 1000));
    let one = Percentiles::of(&[3.0]).unwrap();
    assert_eq!((one.p50, one.p999), (3.0, 3.0));
}

#[test]
fn replay_checks_the_last_batch_of_each_segment() {
    let csr = Csr::from_edges(&testing::random_graph(5, 60, 40, false, None), BuildOptions::undirected());
    let job = UpdatesJob {
        graph: PathBuf::new(),
        stream: StreamSpec { seed: 4, deletions: 0.0 },
        segments: vec![Segment { batch: 3, batches: 4, alone: false }, Segment { batch: 7, batches: 2, alone: false }],
        max_ahead: 2,
        check_every: 0,
        partition: Strategy::Balanced,
        variant: Variant::Counts,
        idle_merge_effort: None,
    };
    let r = replay(&csr, &job).unwrap();
    assert_eq!(r.digests[0].iter().map(Option::is_some).collect::<Vec<_>>(), [false, false, false, true]);
    // The recompute is timed after every batch, as the dataflow's batches are.
    assert_eq!(r.recompute.iter().map(Vec::len).collect::<Vec<_>>(), [4, 2]);
    assert_eq!(r.incremental.as_ref().unwrap()[1].len(), 2);
    // The final digest is union-find on the final edges.
    let mut stream = UpdateStream::new(&csr, job.stream).unwrap();
    stream.next_batch(12);
    stream.next_batch(14);
    let expected = digest(union_find_edges(60, stream.edges()));
    assert_eq!(r.digests[1][1].as_deref(), Some(expected.as_str()));
    let mixed = UpdatesJob { stream: StreamSpec { seed: 4, deletions: 0.3 }, ..job.clone() };
    assert!(replay(&csr, &mixed).unwrap().incremental.is_none());

    // A maintained answer that differs from the oracle's is a mismatch, and fails the report.
    let batches = r.digests.iter().enumerate().flat_map(|(s, d)| {
        d.iter().enumerate().map(move |(i, digest)| BatchRecord {
            segment: s,
            index: i,
            latency_secs: 1e-3,
            digest: digest.clone(),
        })
    });
    let mut run = UpdatesRun {
        load_secs: 0.0,
        initial_secs: 0.0,
        initial_digest: r.initial_digest.clone(),
        batches: batches.collect(),
        segments: Vec::new(),
        held_at_end: Held::default(),
    };
    let good = ConfigurationResult::new(
        "differential-cc",
        1,
        1,
        String::new(),
        ProcessResult { run: run.clone(), rss: Vec::new() },
        &r,
    );
    assert_eq!((good.verified, good.mismatches.len()), (2, 0));
    run.batches[3].digest = Some("wrong".into());
    let bad =
        ConfigurationResult::new("differential-cc", 1, 1, String::new(), ProcessResult { run, rss: Vec::new() }, &r);
    assert_eq!(bad.mismatches, [Some((0, 3))]);
    let graph = GraphInfo {
        path: PathBuf::new(),
        origin: String::new(),
        sha256: String::new(),
        file_bytes: 0,
        nodes: 60,
        arcs: 0,
        weighted: false,
        symmetric: true,
    };
    let report = UpdatesReport::new(Provenance::collect(), Vec::new(), graph, &job, 0.0, r, vec![good, bad]);
    assert!(!report.ok());
    assert!(report.markdown().contains("FAILED") && report.csv().lines().count() > 12);
    let svg = crate::harness::plot::latency_svg(&report).unwrap();
    assert!(svg.starts_with("<svg"));
    // Every system is in each batch size's legend, the single-thread ones with their few batches.
    for system in
        ["differential-cc 1w×1p (4 batches)", "union-find recompute (4 batches)", "incremental union-find (2 batches)"]
    {
        assert!(svg.contains(system), "{system}");
    }
    assert_eq!(svg.matches("union-find recompute (").count(), 2);
}
