//! PageRank through the real binary: every registered implementation, verified against the `f64`
//! reference, on a generated graph (with and without the Hilbert section) and on the small real
//! directed graphs (`common::dataset`).

use std::path::{Path, PathBuf};

use costgraph::graph::{BuildOptions, Csr, EdgeList};
use costgraph::registry::{self, Problem};
use costgraph::testing::{self, Rng};

use crate::common;

/// Runs `costgraph [--threads T] run pagerank GRAPH --impl NAME --verify --json` and checks the
/// result: verified, 20 iterations, ranks summing to 1.
fn run_verified(graph: &Path, name: &str, threads: usize) -> serde_json::Value {
    let threads = threads.to_string();
    let out = common::run_ok(&[
        "--threads",
        &threads,
        "run",
        "pagerank",
        graph.to_str().unwrap(),
        "--impl",
        name,
        "--verify",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["verified"], true, "{name} on {}: {v}", graph.display());
    assert_eq!(v["result"]["iterations"], 20);
    let sum = v["result"]["sum"].as_f64().unwrap();
    assert!((sum - 1.0).abs() < 1e-4, "{name}: ranks sum to {sum}");
    v
}

/// A random directed graph with dangling and isolated nodes (sources among the first 1600 nodes,
/// targets among the first 1800 of 2000), written as `.cgr`.
fn write_random_graph(path: &Path) {
    let edges = testing::random_edges(&mut Rng::new(0x1234_5678_9abc_def0), 20_000, 1600, 1800);
    let csr = Csr::from_edges(&EdgeList::new(2000, edges, true), BuildOptions::directed());
    costgraph::io::cgr::write(&csr, path).unwrap();
}

/// The random graph in `dir` as `g.cgr` and, converted with `--order hilbert`, as `gh.cgr`.
fn random_graph_with_and_without_hilbert(dir: &Path) -> (PathBuf, PathBuf) {
    let (plain, hilbert) = (dir.join("g.cgr"), dir.join("gh.cgr"));
    write_random_graph(&plain);
    common::run_ok(&["convert", plain.to_str().unwrap(), "-o", hilbert.to_str().unwrap(), "--order", "hilbert"]);
    (plain, hilbert)
}

#[test]
fn every_implementation_verifies_with_and_without_hilbert_section() {
    let dir = common::tempdir();
    let (plain, hilbert) = random_graph_with_and_without_hilbert(dir.path());
    assert!(costgraph::io::cgr::open(&hilbert).unwrap().hilbert_arcs().is_some());
    for imp in registry::of(Problem::Pagerank) {
        for graph in [&plain, &hilbert] {
            for threads in [1, 2] {
                let v = run_verified(graph, imp.name, threads);
                assert_eq!(v["nodes"], 2000);
            }
        }
    }
    // Back to vertex order only: the section is dropped.
    let back = dir.path().join("gv.cgr");
    common::run_ok(&["convert", hilbert.to_str().unwrap(), "-o", back.to_str().unwrap(), "--order", "vertex"]);
    assert!(costgraph::io::cgr::open(&back).unwrap().hilbert_arcs().is_none());
    assert_eq!(std::fs::metadata(&back).unwrap().len(), std::fs::metadata(&plain).unwrap().len());
}

#[test]
fn corrupt_hilbert_section_is_refused_cleanly() {
    let dir = common::tempdir();
    let (_, hilbert) = random_graph_with_and_without_hilbert(dir.path());
    let mut bytes = std::fs::read(&hilbert).unwrap();
    let header = costgraph::io::cgr::Header::decode(&bytes, bytes.len() as u64).unwrap();
    let at = header.sections[4].0 as usize;
    bytes[at..at + 4].copy_from_slice(&5000u32.to_le_bytes());
    std::fs::write(&hilbert, &bytes).unwrap();
    let err = common::run_err(&["run", "pagerank", hilbert.to_str().unwrap(), "--impl", "pagerank-hilbert"]);
    assert!(err.contains("not below the node count"), "{err}");
}

/// The small real directed graphs (paths in the small-graph layout) with their node and arc counts.
const REAL: [(&str, u64, u64); 3] = [
    ("snap/Wiki-Vote.txt.zst", 7_115, 103_689),
    ("snap/p2p-Gnutella05.txt.zst", 8_846, 31_839),
    ("snap/soc-Slashdot0902.edges.txt.zst", 82_168, 948_464),
];

/// Needs the text readers (another branch): fails on the `pagerank` branch alone until they merge.
#[test]
fn real_directed_graphs_verify_for_every_implementation() {
    let dir = common::tempdir();
    for (file, nodes, arcs) in REAL {
        let Some(input) = common::dataset(file) else { continue };
        let cgr = dir.path().join("real.cgr");
        common::run_ok(&[
            "convert",
            input.to_str().unwrap(),
            "-o",
            cgr.to_str().unwrap(),
            "--directed",
            "--order",
            "hilbert",
        ]);
        for imp in registry::of(Problem::Pagerank) {
            for threads in [1, 2] {
                let v = run_verified(&cgr, imp.name, threads);
                assert_eq!(v["nodes"], nodes, "{file}");
                assert_eq!(v["arcs"], arcs, "{file}");
            }
        }
    }
}

/// `--iterations` and `--damping` on every implementation, against the Graphalytics definition
/// worked by hand: on 0 -> 1 -> 2 (node 2 dangling, its rank spread over all nodes), one
/// iteration from 1/3 with d = 0.5 gives PR(v) = (1 - d)/3 + d (1/3)/3 + d Σ_in PR(u)/outdeg(u):
/// 2/9 for node 0 and 7/18 for nodes 1 and 2 (the smaller id first); the ranks sum to 1.
#[test]
fn iterations_and_damping_follow_the_graphalytics_formula() {
    let dir = common::tempdir();
    let text = dir.path().join("path.el");
    std::fs::write(&text, "0 1\n1 2\n").unwrap();
    let g = dir.path().join("path.cgr");
    common::run_ok(&["convert", text.to_str().unwrap(), "--directed", "-o", g.to_str().unwrap()]);
    for imp in registry::of(Problem::Pagerank) {
        let mut args = vec!["run", "pagerank", g.to_str().unwrap(), "--impl", imp.name, "--json", "--verify"];
        args.extend(["--iterations", "1", "--damping", "0.5"]);
        let out: serde_json::Value = serde_json::from_str(&common::run_ok(&args)).unwrap();
        let result = &out["result"];
        assert_eq!(result["iterations"], 1, "{}", imp.name);
        assert_eq!(result["top_node"], 1, "{}", imp.name);
        assert!((result["top_rank"].as_f64().unwrap() - 7.0 / 18.0).abs() < 1e-6, "{}: {result}", imp.name);
        assert!((result["sum"].as_f64().unwrap() - 1.0).abs() < 1e-6, "{}", imp.name);
    }
    let err = common::run_err(&["run", "pagerank", g.to_str().unwrap(), "--impl", "pagerank", "--damping", "1.5"]);
    assert!(err.contains("between 0 and 1"), "{err}");
}
