//! The timely implementations: equal to sequential oracles (exact labels, exact forest, ranks
//! within the PageRank verifier's tolerance) with 1 and 3 workers in one process and with 2 processes × 2 workers over localhost; the `run` and
//! `cluster` commands; and every failure mode ending quickly with one clear message.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use costgraph::dataflow::{self, ClusterConfig, Deliver, Job, Outcome, Strategy};
use costgraph::generate::{Rng, Weights};
use costgraph::graph::{BuildOptions, Csr, EdgeList, NodeId, Weight};
use costgraph::registry::{self, Entry, Kind, Output};
use costgraph::testing;

use crate::common::{costgraph, run_err, run_ok, tempdir};

/// A random weighted graph with `n` nodes and `m` edges (small weights, so ties are common),
/// stored symmetric or as directed arcs.
pub(crate) fn random_graph(seed: u64, n: usize, m: usize, symmetric: bool) -> Csr {
    let list = testing::random_graph(seed, n, m, !symmetric, Some(Weights { lo: 1, hi: 5 }));
    Csr::from_edges(&list, if symmetric { BuildOptions::undirected() } else { BuildOptions::directed() })
}

pub(crate) fn write(dir: &Path, name: &str, csr: &Csr) -> PathBuf {
    let path = dir.join(name);
    costgraph::io::cgr::write(csr, &path).unwrap();
    path
}

/// Sequential union-find over every arc: canonical labels (smallest id of each component).
fn oracle_labels(csr: &Csr) -> Vec<NodeId> {
    let mut parent: Vec<NodeId> = (0..csr.num_nodes() as NodeId).collect();
    for u in 0..csr.num_nodes() as NodeId {
        for &v in csr.neighbors(u) {
            let (a, b) = (find_root(&mut parent, u), find_root(&mut parent, v));
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    (0..csr.num_nodes() as NodeId).map(|u| find_root(&mut parent, u)).collect()
}

/// Kruskal over every arc as an undirected edge, sorted by `(weight, min, max)`.
fn oracle_forest(csr: &Csr) -> Vec<(NodeId, NodeId, Weight)> {
    let mut edges: Vec<(Weight, NodeId, NodeId)> = Vec::new();
    for u in 0..csr.num_nodes() as NodeId {
        for (v, w) in csr.weighted_neighbors(u) {
            if u != v {
                edges.push((w, u.min(v), u.max(v)));
            }
        }
    }
    edges.sort_unstable();
    let mut labels: Vec<NodeId> = (0..csr.num_nodes() as NodeId).collect();
    let mut forest = Vec::new();
    for (w, u, v) in edges {
        let (a, b) = (find_root(&mut labels, u), find_root(&mut labels, v));
        if a != b {
            labels[a.max(b) as usize] = a.min(b);
            forest.push((u, v, w));
        }
    }
    forest
}

/// The digest of the oracle's answer to an exact problem, to compare with a run's `digest`
/// (`None` for PageRank, whose ranks are checked by its verifier instead).
pub(crate) fn oracle_digest(problem: registry::Problem, csr: &Csr) -> Option<String> {
    let output = match problem {
        registry::Problem::Cc => Output::Components(costgraph::algo::cc::Components::from_labels(&oracle_labels(csr))),
        registry::Problem::Msf => Output::Forest(costgraph::algo::msf::Forest::new(oracle_forest(csr))),
        registry::Problem::Pagerank => return None,
    };
    Some(output.digest())
}

fn find_root(p: &mut [NodeId], mut x: NodeId) -> NodeId {
    while p[x as usize] != x {
        p[x as usize] = p[p[x as usize] as usize];
        x = p[x as usize];
    }
    x
}

pub(crate) fn check(outcome: &Outcome, csr: &Csr, what: &str) {
    let Outcome::Whole(output) = outcome else { panic!("{what}: the result was not gathered") };
    match output {
        Output::Components(c) => assert_eq!(c.labels(), oracle_labels(csr), "{what}"),
        Output::Forest(f) => {
            let expected = costgraph::algo::msf::Forest::new(oracle_forest(csr));
            assert_eq!(f.edges(), expected.edges(), "{what}");
        }
        Output::Ranks(r) => r.verify(csr).unwrap_or_else(|e| panic!("{what}: {e}")),
    }
}

pub(crate) fn timely_impls() -> impl Iterator<Item = &'static registry::Implementation> {
    registry::all().iter().filter(|i| i.kind == Kind::Timely)
}

pub(crate) fn job(imp: &registry::Implementation, graph: &Path, strategy: Strategy) -> Job {
    let Entry::Dataflow(algorithm) = imp.entry else { panic!("{} is not a dataflow", imp.name) };
    Job {
        graph: graph.to_path_buf(),
        shards: None,
        name: imp.name,
        algorithm,
        needs_weights: imp.needs_weights,
        repeat: 1,
        warmup: 0,
        partition: strategy,
        problem: imp.problem.name(),
        deliver: Deliver { gather: true, output: None },
    }
}

/// `count` free localhost addresses, written as a hostfile.
pub(crate) fn hostfile(dir: &Path, count: usize) -> (PathBuf, Vec<String>) {
    let listeners: Vec<TcpListener> = (0..count).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    let addresses: Vec<String> = listeners.iter().map(|l| l.local_addr().unwrap().to_string()).collect();
    let path = dir.join("hosts");
    std::fs::write(&path, addresses.join("\n")).unwrap();
    (path, addresses)
}

/// Starts process `process` of a 2-process `run cc --impl IMPL` on `graph` with the given hostfile
/// and `extra` options, its output captured.
fn spawn_peer(imp: &str, process: &str, hosts: &Path, graph: &Path, extra: &[&str]) -> std::process::Child {
    costgraph()
        .args(["run", "cc", "--impl", imp, "--processes", "2", "--process", process])
        .args(extra)
        .arg("--hostfile")
        .args([hosts, graph])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn timely_implementations_equal_the_oracles_in_one_process() {
    let dir = tempdir();
    for seed in 0..3 {
        for symmetric in [true, false] {
            // Seed 2 is dense (5 edges per node): timely-boruvka then takes its light edges
            // first and the heavy ones after.
            let m = if seed == 2 { 1500 } else { 280 + 40 * seed as usize };
            let csr = random_graph(seed, 300, m, symmetric);
            let path = write(dir.path(), &format!("g{seed}{symmetric}.cgr"), &csr);
            for imp in timely_impls() {
                for (workers, strategy) in [(1, Strategy::Balanced), (3, Strategy::Balanced), (3, Strategy::Modulo)] {
                    let config = ClusterConfig::local(workers).unwrap();
                    let report = dataflow::run(&config, &job(imp, &path, strategy)).unwrap().expect("worker 0 reports");
                    let what = format!("{} seed {seed} symmetric {symmetric} {workers} workers {strategy:?}", imp.name);
                    check(&report.output, &csr, &what);
                    if workers == 1 {
                        assert_eq!(report.records_exchanged, 0, "{what}");
                    }
                }
            }
        }
    }
}

#[test]
fn timely_implementations_equal_the_oracles_on_two_processes() {
    let dir = tempdir();
    for (seed, symmetric) in [(7, true), (8, false)] {
        let csr = random_graph(seed, 400, 500, symmetric);
        let path = write(dir.path(), &format!("g{seed}.cgr"), &csr);
        for imp in timely_impls() {
            let (_, addresses) = hostfile(dir.path(), 2);
            let handles: Vec<_> = (0..2)
                .map(|process| {
                    let config = ClusterConfig::new(2, 2, process, addresses.clone())
                        .unwrap()
                        .with_key(crate::common::test_key());
                    let job = job(imp, &path, Strategy::Balanced);
                    std::thread::spawn(move || dataflow::run(&config, &job))
                })
                .collect();
            let mut reports: Vec<_> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
            assert!(reports[1].is_none(), "only process 0 reports");
            let report = reports.swap_remove(0).expect("process 0 reports");
            check(&report.output, &csr, &format!("{} on 2 × 2, seed {seed}", imp.name));
            assert!(report.records_exchanged > 0);
        }
    }
}

/// A directed graph of `n` nodes whose arcs leave only the first `n / 2` nodes and reach only the
/// first `3n / 4`: a quarter of the nodes are isolated and half are dangling.
fn dangling_graph(seed: u64, n: usize, m: usize) -> Csr {
    let edges = testing::random_edges(&mut Rng::new(seed), m, n / 2, 3 * n / 4);
    Csr::from_edges(&EdgeList::new(n, edges, true), BuildOptions::directed())
}

#[test]
fn timely_pagerank_spreads_dangling_mass_and_sends_one_value_per_node_and_iteration() {
    let dir = tempdir();
    let imp = registry::find(registry::Problem::Pagerank, "timely-pagerank").expect("registered");
    for seed in 0..3 {
        let n = 200 + 50 * seed as usize;
        let csr = dangling_graph(seed, n, 3 * n);
        assert!((0..n as NodeId).any(|u| csr.degree(u) == 0), "the graph has dangling nodes");
        let path = write(dir.path(), &format!("d{seed}.cgr"), &csr);
        for (workers, strategy) in [(1, Strategy::Balanced), (3, Strategy::Balanced), (3, Strategy::Modulo)] {
            let config = ClusterConfig::local(workers).unwrap();
            let report = dataflow::run(&config, &job(imp, &path, strategy)).unwrap().expect("worker 0 reports");
            let what = format!("seed {seed}, {workers} workers {strategy:?}");
            check(&report.output, &csr, &what);
            let Outcome::Whole(Output::Ranks(ranks)) = &report.output else { panic!("{what}: not ranks") };
            assert_eq!(ranks.iterations(), 20, "{what}");
            // Partial sums are combined per destination: at most one 4-byte value per node and
            // iteration (plus the target lists and the final gather) and a header per record,
            // however many arcs lead to the node.
            let bound = 22 * 4 * n as u64 + 64 * report.records_exchanged;
            assert!(report.bytes_exchanged <= bound, "{what}: {} bytes", report.bytes_exchanged);
        }
    }
    // No nodes at all: no ranks, no iterations.
    let empty = Csr::from_edges(&EdgeList::new(0, Vec::new(), true), BuildOptions::directed());
    let path = write(dir.path(), "empty.cgr", &empty);
    let report = dataflow::run(&ClusterConfig::local(2).unwrap(), &job(imp, &path, Strategy::Balanced)).unwrap();
    let Some(Outcome::Whole(Output::Ranks(ranks))) = report.map(|r| r.output) else { panic!("worker 0 reports ranks") };
    assert!(ranks.ranks().is_empty());
}

/// Two halves, each the giant of one worker's sampled forest (worker 0 owns `2..20`, worker 1
/// `20..40` and reaches `0` and `1`), joined by one edge `19 - 30` that is neither end's first two
/// neighbours: both workers skip it, so `timely-union-find` must notice that the giants are apart.
#[test]
fn timely_union_find_joins_giants_that_skipped_their_bridge() {
    let mut edges: Vec<(NodeId, NodeId)> = (2..19).map(|u| (u, u + 1)).chain((20..39).map(|u| (u, u + 1))).collect();
    edges.extend([(17, 19), (0, 30), (1, 30), (0, 21), (1, 22), (19, 30)]);
    let csr = Csr::from_edges(&EdgeList::new(40, edges, false), BuildOptions::undirected());
    assert_eq!(csr.neighbors(19), [17, 18, 30]);
    assert_eq!(&csr.neighbors(30)[..3], [0, 1, 19]);
    let partition = dataflow::Partition::new(&csr, 2, Strategy::Balanced);
    assert_eq!((partition.owner(19), partition.owner(30)), (0, 1));
    let dir = tempdir();
    let path = write(dir.path(), "bridge.cgr", &csr);
    let imp = registry::find(registry::Problem::Cc, "timely-union-find").expect("registered");
    let report = dataflow::run(&ClusterConfig::local(2).unwrap(), &job(imp, &path, Strategy::Balanced)).unwrap();
    check(&report.expect("worker 0 reports").output, &csr, "bridge between two giants");
}

pub(crate) fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn run_and_cluster_commands_report_the_oracle_result() {
    let dir = tempdir();
    let csr = random_graph(11, 500, 600, true);
    let path = write(dir.path(), "g.cgr", &csr);
    let g = path.to_str().unwrap();
    let labels = oracle_labels(&csr);
    let components = (0..labels.len()).filter(|&u| labels[u] == u as NodeId).count() as u64;
    let weight: u64 = oracle_forest(&csr).iter().map(|e| e.2 as u64).sum();
    for imp in timely_impls() {
        let problem = imp.problem.name();
        let check_json = |v: &serde_json::Value, workers: u64, processes: u64| {
            assert_eq!(v["workers"], workers);
            assert_eq!(v["processes"], processes);
            assert!(v["rounds"].as_u64().is_some());
            assert!(v["compute"]["median"].as_f64().is_some());
            assert_eq!(v["verified"], true, "{}", imp.name);
            match problem {
                "cc" => assert_eq!(v["result"]["components"], components, "{}", imp.name),
                "msf" => assert_eq!(v["result"]["weight"], weight, "{}", imp.name),
                _ => assert_eq!(v["result"]["iterations"], 20, "{}", imp.name),
            }
        };
        for workers in ["1", "3"] {
            let args =
                ["run", problem, "--impl", imp.name, "--workers", workers, "--repeat", "2", "--verify", "--json", g];
            let out = run_ok(&args);
            check_json(&json(&out), workers.parse().unwrap(), 1);
        }
        let out = run_ok(&[
            "cluster",
            "--processes",
            "2",
            "--workers",
            "2",
            "--timeout",
            "60",
            "run",
            problem,
            "--impl",
            imp.name,
            g,
            "--verify",
            "--json",
        ]);
        check_json(&json(&out), 2, 2);
        assert!(json(&out)["records_exchanged"].as_u64().unwrap() > 0);
    }
    // Text output names the configuration.
    let out = run_ok(&["run", "cc", "--impl", "timely-union-find", "--workers", "2", g]);
    assert!(out.contains("2 workers × 1 process"), "{out}");
}

/// Process ids of running processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let zombie = stat.rsplit(')').next().is_some_and(|s| s.trim_start().starts_with('Z'));
            if !zombie && String::from_utf8_lossy(&cmdline).contains(needle) {
                found.push(pid);
            }
        }
    }
    found
}

fn assert_quick(start: Instant, what: &str) {
    assert!(start.elapsed() < Duration::from_secs(30), "{what} took {:?}", start.elapsed());
}

#[test]
fn a_peer_that_never_starts_fails_within_the_connect_timeout() {
    let dir = tempdir();
    let path = write(dir.path(), "g.cgr", &random_graph(1, 50, 60, true));
    let (hosts, _) = hostfile(dir.path(), 2);
    let process = |index: &str| {
        run_err(&[
            "run",
            "cc",
            "--impl",
            "timely-union-find",
            "--processes",
            "2",
            "--process",
            index,
            "--hostfile",
            hosts.to_str().unwrap(),
            "--connect-timeout",
            "2",
            path.to_str().unwrap(),
        ])
    };
    let start = Instant::now();
    let err = process("0");
    assert_quick(start, "waiting for a missing peer");
    assert!(err.contains("did not connect") && err.lines().count() == 1, "{err}");
    // And the other side: process 1 waits for process 0 to accept.
    let err = process("1");
    assert!(err.contains("did not accept"), "{err}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let dir = tempdir();
    let path = write(dir.path(), "g.cgr", &random_graph(1, 50, 60, true));
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let err = run_err(&[
        "run",
        "cc",
        "--impl",
        "timely-label-prop",
        "--processes",
        "2",
        "--process",
        "0",
        "--port",
        &port.to_string(),
        path.to_str().unwrap(),
    ]);
    assert!(err.contains("cannot listen") && err.contains(&port.to_string()), "{err}");
}

#[test]
fn bad_configurations_are_refused_before_starting() {
    let dir = tempdir();
    let path = write(dir.path(), "g.cgr", &random_graph(1, 50, 60, true));
    let g = path.to_str().unwrap();
    let err = run_err(&["run", "cc", "--impl", "timely-union-find", "--processes", "2", "--process", "2", g]);
    assert!(err.contains("out of range"), "{err}");
    let err = run_err(&["run", "cc", "--impl", "timely-union-find", "--workers", "0", g]);
    assert!(err.contains("at least 1"), "{err}");
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, "127.0.0.1:4000\n").unwrap();
    let err = run_err(&[
        "run",
        "cc",
        "--impl",
        "timely-union-find",
        "--processes",
        "2",
        "--hostfile",
        hosts.to_str().unwrap(),
        g,
    ]);
    assert!(err.contains("1 address(es) for 2 processes"), "{err}");
    let err =
        run_err(&["cluster", "--processes", "2", "run", "cc", "--impl", "timely-union-find", "--workers", "2", g]);
    assert!(err.contains("--workers is set by cluster"), "{err}");
}

#[test]
fn processes_that_disagree_on_the_worker_count_refuse_to_run() {
    let dir = tempdir();
    let path = write(dir.path(), "g.cgr", &random_graph(1, 50, 60, true));
    let (hosts, _) = hostfile(dir.path(), 2);
    let spawn = |process: &str, workers: &str| {
        spawn_peer("timely-union-find", process, &hosts, &path, &["--workers", workers, "--connect-timeout", "10"])
    };
    let start = Instant::now();
    let (a, b) = (spawn("0", "2"), spawn("1", "1"));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("same --workers") || err.contains("handshake"), "{err}");
    }
    assert_quick(start, "a mismatched cluster");
}

#[test]
fn an_unreadable_file_on_one_process_fails_every_process() {
    let dir = tempdir();
    let path = write(dir.path(), "g.cgr", &random_graph(1, 50, 60, true));
    let (hosts, _) = hostfile(dir.path(), 2);
    let run = |process: &str, graph: &Path| {
        spawn_peer("timely-label-prop", process, &hosts, graph, &["--connect-timeout", "3"])
    };
    let start = Instant::now();
    let good = run("0", &path);
    let bad = run("1", &dir.path().join("missing.cgr"));
    let bad = bad.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing.cgr"));
    let good = good.wait_with_output().unwrap();
    assert!(!good.status.success());
    assert!(String::from_utf8_lossy(&good.stderr).contains("did not connect"));
    assert_quick(start, "a cluster with a missing file");
    // Through the launcher: one clear line, non-zero exit.
    let err = run_err(&["cluster", "--processes", "2", "run", "cc", "--impl", "timely-label-prop", "missing.cgr"]);
    assert!(err.contains("process") && err.contains("missing.cgr"), "{err}");
}

#[test]
fn a_process_killed_mid_run_ends_the_run_quickly() {
    let dir = tempdir();
    let path = write(dir.path(), "killed.cgr", &random_graph(3, 300, 400, true));
    let (hosts, _) = hostfile(dir.path(), 2);
    let spawn = |process: &str| spawn_peer("timely-label-prop", process, &hosts, &path, &["--repeat", "1000000"]);
    let survivor = spawn("0");
    let mut victim = spawn("1");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(victim.try_wait().unwrap().is_none(), "the run should still be going");
    victim.kill().unwrap();
    victim.wait().unwrap();
    let start = Instant::now();
    let out = survivor.wait_with_output().unwrap();
    assert_quick(start, "noticing a killed peer");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error:") && err.lines().count() == 1 && !err.contains("panicked"), "{err}");
    assert!(err.contains("process 1"), "{err}");
}

#[test]
fn the_launcher_kills_its_processes_on_timeout() {
    let dir = tempdir();
    let path = write(dir.path(), "launcher-timeout.cgr", &random_graph(3, 300, 400, true));
    let start = Instant::now();
    let err = run_err(&[
        "cluster",
        "--processes",
        "2",
        "--timeout",
        "2",
        "run",
        "cc",
        "--impl",
        "timely-label-prop",
        "--repeat",
        "1000000",
        path.to_str().unwrap(),
    ]);
    assert_quick(start, "the launcher's timeout");
    assert!(err.contains("did not finish within 2 s"), "{err}");
    assert!(processes_mentioning(path.to_str().unwrap()).is_empty(), "orphans left behind");
}

#[test]
fn the_launcher_fails_fast_and_leaves_no_process_behind() {
    let dir = tempdir();
    // Every process fails on the missing file; the launcher must not wait for the 25 s connection
    // timeout of the ones still waiting for their peers.
    let start = Instant::now();
    let err = run_err(&[
        "cluster",
        "--processes",
        "3",
        "run",
        "msf",
        "--impl",
        "timely-boruvka",
        "--connect-timeout",
        "25",
        dir.path().join("nothing.cgr").to_str().unwrap(),
    ]);
    assert!(start.elapsed() < Duration::from_secs(10), "the launcher waited {:?}", start.elapsed());
    assert!(err.contains("nothing.cgr"), "{err}");
    assert!(processes_mentioning("nothing.cgr").is_empty(), "orphans left behind");
}

#[test]
fn the_cluster_command_runs_the_same_executable() {
    let dir = tempdir();
    let path = write(dir.path(), "g.cgr", &random_graph(5, 100, 120, true));
    let out = Command::new(env!("CARGO_BIN_EXE_costgraph"))
        .args(["cluster", "--processes", "1", "--workers", "2", "run", "cc", "--impl", "timely-union-find"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 workers × 1 process"));
}

/// Without `--verify` nothing is gathered: the summary and digest come from reductions across the
/// workers, and they equal the gathered result's (PageRank's sum up to rounding; its digest only
/// where the summation order is fixed, on one worker) and the oracle's digest.
#[test]
fn summaries_by_reduction_equal_the_gathered_ones() {
    let dir = tempdir();
    for (seed, symmetric) in [(31, true), (32, false)] {
        let csr = random_graph(seed, 300, 700, symmetric);
        let path = write(dir.path(), &format!("s{seed}.cgr"), &csr);
        for imp in timely_impls() {
            for (workers, strategy) in [(1, Strategy::Balanced), (3, Strategy::Balanced), (3, Strategy::Modulo)] {
                let what = format!("{} seed {seed} {workers} workers {strategy:?}", imp.name);
                let config = ClusterConfig::local(workers).unwrap();
                let gathered = dataflow::run(&config, &job(imp, &path, strategy)).unwrap().expect("worker 0 reports");
                let mut summarised = job(imp, &path, strategy);
                summarised.deliver.gather = false;
                let summarised = dataflow::run(&config, &summarised).unwrap().expect("worker 0 reports");
                // differential-cc's dataflows always delivers every label to worker 0.
                let reduced = matches!(summarised.output, Outcome::Summary { .. });
                assert!(reduced || imp.name.starts_with("differential-cc"), "{what}: gathered");
                let (summary, digest) = (&summarised.output.summary_json(csr.num_nodes()), summarised.output.digest());
                let (n, whole) = (csr.num_nodes(), &gathered.output);
                if imp.problem.exact() {
                    assert_eq!(*summary, whole.summary_json(n), "{what}");
                    assert_eq!(Some(digest), oracle_digest(imp.problem, &csr), "{what}");
                } else {
                    let (a, b) = (&whole.summary_json(n), summary);
                    assert_eq!((&a["iterations"], &a["top_node"]), (&b["iterations"], &b["top_node"]), "{what}");
                    let (x, y) = (a["sum"].as_f64().unwrap(), b["sum"].as_f64().unwrap());
                    assert!((x - y).abs() < 1e-5, "{what}: {x} vs {y}");
                    if workers == 1 {
                        assert_eq!(digest, whole.digest(), "{what}");
                    }
                }
            }
        }
    }
}

/// Labels every own node with itself: wrong wherever an arc joins two nodes.
fn singletons_everywhere(ctx: &mut dataflow::Context<'_>) -> costgraph::Result<Option<Outcome>> {
    let labels: Vec<NodeId> = ctx.partition.nodes(ctx.index()).collect();
    ctx.finish(dataflow::Part::Labels(&labels))
}

/// A part that fails its worker's check is refused, naming the part, and nothing is left in the
/// output folder: no part, no temporary file, no manifest.
#[test]
fn a_part_that_fails_its_check_is_not_written() {
    let dir = tempdir();
    let csr = random_graph(33, 200, 400, true);
    let path = write(dir.path(), "g.cgr", &csr);
    let imp = registry::find(registry::Problem::Cc, "timely-label-prop").expect("registered");
    let out = dir.path().join("out");
    let mut job = job(imp, &path, Strategy::Balanced);
    job.algorithm = singletons_everywhere;
    job.deliver = Deliver { gather: false, output: Some(out.clone()) };
    for workers in [1, 2] {
        let err = dataflow::run(&ClusterConfig::local(workers).unwrap(), &job).unwrap_err().to_string();
        assert!(err.contains(".bin: the part written fails its check: arc"), "{err}");
        assert_eq!(crate::common::files_in(&out), Vec::<String>::new());
    }
}
