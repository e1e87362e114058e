//! `costgraph updates cc`: differential dataflow keeps the components current under insert-only
//! and mixed streams (`differential-cc-min` under insert-only ones), verified against union-find
//! after every batch, single changes one at a time and batches, at 1 and 2 workers and on 2
//! processes, on seeded random graphs and on two real graphs; bad arguments fail cleanly.

use std::path::Path;

use costgraph::graph::{BuildOptions, Csr};
use costgraph::testing;
use serde_json::Value;

use crate::common::{self, run_err, run_ok, tempdir};

/// Runs `updates cc GRAPH` with every batch verified on 1 and 2 workers × 1 and 2 processes (of
/// differential-cc, and of differential-cc-min on insert-only streams), 3 single changes one at a
/// time first, and checks the report: every configuration compared every batch with the oracle,
/// all equal.
fn check_updates(graph: &Path, out: &Path, deletions: &str, batches: &[usize]) -> Value {
    let impls = if deletions == "0" { "differential-cc,differential-cc-min" } else { "differential-cc" };
    let batch: Vec<String> = batches.iter().map(|b| b.to_string()).collect();
    let (g, o, b) = (graph.to_str().unwrap(), out.to_str().unwrap(), batch.join(","));
    let args = [
        "updates",
        "cc",
        g,
        "--batch",
        &b,
        "--batches",
        "5",
        "--one-at-a-time",
        "3",
        "--impl",
        impls,
        "--deletions",
        deletions,
        "--check-every",
        "1",
        "--max-ahead",
        "2",
        "--workers",
        "1,2",
        "--processes",
        "1,2",
        "--out",
        o,
    ];
    let table = run_ok(&args);
    assert!(table.contains("differential-cc 2w×2p") && table.contains("union-find recompute"), "{table}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).expect("report.json");
    let configurations = report["configurations"].as_array().unwrap();
    assert_eq!(configurations.len(), if deletions == "0" { 8 } else { 4 });
    if deletions == "0" {
        assert!(table.contains("differential-cc-min 2w×2p"), "{table}");
    }
    assert!(table.contains("differential-cc 1w×1p, one at a time"), "{table}");
    for c in configurations {
        assert_eq!(c["verified"].as_u64(), Some(3 + 5 * batches.len() as u64), "{}", c["command"]);
        assert_eq!(c["mismatches"].as_array().map(Vec::len), Some(0), "{}", c["command"]);
        // Differential's own count of what the arrangements hold reached the report.
        let held = &c["result"]["run"]["held_at_end"]["arranged"];
        assert!(held.as_u64().is_some_and(|h| h > 0), "{}: held {held}", c["command"]);
    }
    assert_eq!(report["replay"]["incremental"].is_null(), deletions != "0", "incremental union-find only for inserts");
    for file in ["runs.csv", "report.md", "latency.svg"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    report
}

#[test]
fn updates_equal_union_find_after_every_batch_on_random_graphs() {
    let dir = tempdir();
    for (seed, symmetric, deletions) in [(1, true, "0"), (2, false, "0.4"), (3, true, "0.9")] {
        let list = testing::random_graph(seed, 200, 170, !symmetric, None);
        let csr = Csr::from_edges(&list, if symmetric { BuildOptions::undirected() } else { BuildOptions::directed() });
        let path = dir.path().join(format!("g{seed}.cgr"));
        costgraph::io::cgr::write(&csr, &path).unwrap();
        let report = check_updates(&path, &dir.path().join(format!("r{seed}")), deletions, &[1, 9, 40]);
        let md = std::fs::read_to_string(dir.path().join(format!("r{seed}/report.md"))).unwrap();
        assert!(md.contains("all equal") && md.contains(&report["graph"]["sha256"].as_str().unwrap()[..16]), "{md}");
    }
}

#[test]
fn updates_equal_union_find_on_two_real_graphs() {
    let dir = tempdir();
    for (file, flags) in [("snap/CA-GrQc.txt.zst", &["--undirected"][..]), ("dimacs9/rome99.gr.zst", &[][..])] {
        let Some(input) = common::dataset(file) else { continue };
        let path = dir.path().join("real.cgr");
        let mut args = vec!["convert", input.to_str().unwrap(), "-o", path.to_str().unwrap()];
        args.extend_from_slice(flags);
        run_ok(&args);
        check_updates(&path, &dir.path().join("insert"), "0", &[1, 30]);
        check_updates(&path, &dir.path().join("mixed"), "0.5", &[1, 30]);
    }
}

#[test]
fn updates_refuses_bad_arguments_in_one_line() {
    let dir = tempdir();
    let csr = Csr::from_edges(&testing::path(5), BuildOptions::undirected());
    let path = dir.path().join("p.cgr");
    costgraph::io::cgr::write(&csr, &path).unwrap();
    let g = path.to_str().unwrap();
    let out = dir.path().join("r");
    let o = out.to_str().unwrap();
    assert!(run_err(&["updates", "cc", g, "--deletions", "1.5", "--out", o]).contains("--deletions 1.5"));
    assert!(run_err(&["updates", "cc", g, "--batch", "0", "--out", o]).contains("at least 1 change"));
    assert!(run_err(&["updates", "cc", g, "--max-ahead", "0", "--out", o]).contains("--max-ahead"));
    assert!(run_err(&["updates", "cc", g, "--workers", "0", "--out", o]).contains("--workers"));
    let min = run_err(&["updates", "cc", g, "--impl", "differential-cc-min", "--deletions", "0.1", "--out", o]);
    assert!(min.contains("insert-only") && min.lines().count() == 1, "{min}");
    assert!(run_err(&["updates", "cc", g, "--impl", "union-find", "--out", o]).contains("--impl union-find"));
    let missing = dir.path().join("missing.cgr");
    assert!(run_err(&["updates", "cc", missing.to_str().unwrap(), "--out", o]).contains("missing.cgr"));
    assert!(!out.exists(), "nothing written on failure");
}

/// A peer process killed in the middle of an `updates` run ends process 0 with one error line
/// within 30 s (the timely fault handling), instead of a hang.
#[test]
fn a_killed_peer_ends_an_updates_run_with_one_error_line() {
    let dir = tempdir();
    let csr = Csr::from_edges(&testing::random_graph(4, 500, 600, false, None), BuildOptions::undirected());
    let path = dir.path().join("g.cgr");
    costgraph::io::cgr::write(&csr, &path).unwrap();
    let listeners: Vec<_> = (0..2).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    let hosts = dir.path().join("hosts");
    let addresses: Vec<String> = listeners.iter().map(|l| l.local_addr().unwrap().to_string()).collect();
    std::fs::write(&hosts, addresses.join("\n")).unwrap();
    drop(listeners);
    let spawn = |process: &str| {
        common::costgraph()
            .args(["updates-process", path.to_str().unwrap(), "--batch", "1", "--batches", "100000000"])
            .args(["--changes", "100M"])
            .args(["--processes", "2", "--process", process, "--hostfile", hosts.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let survivor = spawn("0");
    let mut victim = spawn("1");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(victim.try_wait().unwrap().is_none(), "the run should still be going");
    victim.kill().unwrap();
    victim.wait().unwrap();
    let start = std::time::Instant::now();
    let out = survivor.wait_with_output().unwrap();
    assert!(start.elapsed().as_secs() < 30, "noticing a killed peer took {:?}", start.elapsed());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error:") && err.lines().count() == 1 && !err.contains("panicked"), "{err}");
}
