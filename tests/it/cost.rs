//! `costgraph cost` through the real binary. On a branch whose registry is still empty the sweep
//! must refuse clearly; once implementations are registered the same tests sweep them all.

use std::path::{Path, PathBuf};

use costgraph::graph::{BuildOptions, Csr, EdgeList};
use serde_json::Value;

use crate::common::{costgraph, run_err, run_ok, tempdir};

/// A small weighted undirected graph with a few components, written as `.cgr`.
fn tiny_graph(dir: &Path) -> PathBuf {
    let n = 2000u32;
    let edges: Vec<(u32, u32)> = (0..6000u32).map(|i| ((i * 7919) % n, (i * 104_729 + 13) % (n - 100))).collect();
    let weights: Vec<u32> = (0..6000u32).map(|i| 1 + (i * 31) % 255).collect();
    let csr =
        Csr::from_edges(&EdgeList::new(n as usize, edges, false).with_weights(weights), BuildOptions::undirected());
    let path = dir.join("tiny.cgr");
    costgraph::io::cgr::write(&csr, &path).unwrap();
    path
}

/// The registered implementations of `problem`: (name, kind).
fn registered(problem: &str) -> Vec<(String, String)> {
    let list: Value = serde_json::from_str(&run_ok(&["list", "--json"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|i| i["problem"] == problem)
        .map(|i| (i["name"].as_str().unwrap().to_string(), i["kind"].as_str().unwrap().to_string()))
        .collect()
}

fn sweep_args<'a>(graph: &'a str, out: &'a str) -> Vec<&'a str> {
    vec!["cost", "cc", graph, "--max-cores", "2", "--repeat", "2", "--warmup", "0", "--timeout", "120", "--out", out]
}

#[test]
fn sweeps_every_registered_implementation_or_refuses_clearly() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let out = dir.path().join("report");
    let (graph, out_s) = (graph.to_str().unwrap(), out.to_str().unwrap());
    let implementations = registered("cc");
    if implementations.is_empty() {
        let err = run_err(&sweep_args(graph, out_s));
        assert!(err.contains("error: no implementations registered for cc"), "{err}");
        assert!(!out.exists(), "a refused sweep writes no report");
        return;
    }
    let stdout = run_ok(&sweep_args(graph, out_s));
    assert!(stdout.contains("status: ok"), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["status"], "ok");
    assert_eq!(report["policy"]["repeat"], 2);
    assert_eq!(report["graph"]["sha256"].as_str().unwrap().len(), 64);
    assert!(report["provenance"]["rustc"].as_str().unwrap().starts_with("rustc"));
    let problem = &report["problems"][0];
    let measurements = problem["measurements"].as_array().unwrap();
    for (name, kind) in &implementations {
        assert!(measurements.iter().any(|m| m["implementation"] == name.as_str()), "{name} was not swept");
        if kind != "single-thread" {
            assert!(problem["costs"].as_array().unwrap().iter().any(|c| c["implementation"] == name.as_str()));
            assert!(stdout.contains(name.as_str()), "the COST table lists {name}");
        }
    }
    for m in measurements {
        assert_eq!(m["compute_secs"].as_array().unwrap().len(), 2);
        assert_eq!(m["agrees_with_baseline"], true);
        assert!(m["compute"]["p90"].is_number() && m["digest"].as_str().unwrap().len() == 64);
    }
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * measurements.len());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("**Status: ok**") && md.contains("| implementation | kind | COST (compute)"));
    assert!(std::fs::read_to_string(out.join("scaling.svg")).unwrap().starts_with("<svg"));
}

#[test]
fn a_wrong_or_crashing_child_fails_the_sweep() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let implementations = registered("cc");
    let Some((scalable, _)) = implementations.iter().find(|(_, kind)| kind != "single-thread") else {
        eprintln!("note: no scalable cc implementation registered yet; fault injection is covered by unit tests");
        return;
    };
    let out = dir.path().join("wrong");
    let args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
    let wrong = costgraph().args(&args).env("COSTGRAPH_FAULT", format!("wrong@{scalable}")).output().unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(stderr.contains("disagree with the baseline") && stderr.contains("FAILED"), "{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["status"], "FAILED");
    assert!(report["failures"][0].as_str().unwrap().contains(scalable.as_str()));

    for (fault, reason) in [("crash", "SIGABRT"), ("garbage", "not a run report"), ("hang", "timed out")] {
        let mut args = args.clone();
        args[10] = "3"; // --timeout
        let run = costgraph().args(&args).env("COSTGRAPH_FAULT", format!("{fault}@{scalable}")).output().unwrap();
        assert_eq!(run.status.code(), Some(1), "{fault}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains(&format!("{scalable} (1 thread) failed")) && stderr.contains(reason),
            "{fault}: {stderr}"
        );
    }
}

#[test]
fn cost_refuses_bad_arguments() {
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--max-cores", "0"]);
    assert!(err.contains("--max-cores must be at least 1"), "{err}");
}
