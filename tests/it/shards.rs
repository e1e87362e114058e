//! `costgraph shard`: a real graph and a random one cut into 1, 2 and 3 shards, each reopened and
//! compared with the whole graph (ranges, counts, adjacency, SHA-256 of every file); corrupt,
//! swapped and mismatched shards refused with one clear error; every timely implementation on
//! shards, each process holding only its own, against the oracles.

use std::path::Path;
use std::process::Stdio;

use costgraph::dataflow::{self, ClusterConfig, Strategy};
use costgraph::graph::Budget;
use costgraph::io::{cgr, shard};

use crate::common::{self, costgraph, files_in, run_err, run_ok, tempdir};
use crate::timely::{check, hostfile, job, json, random_graph, timely_impls, write};

/// Cuts `graph` into 1, 2 and 3 parts with the binary and checks every shard against the graph.
fn check_cuts(graph: &Path, out: &Path) {
    let whole = cgr::open(graph).unwrap();
    for parts in 1..=3 {
        let dir = out.join(format!("p{parts}"));
        let text =
            run_ok(&["shard", graph.to_str().unwrap(), "--parts", &parts.to_string(), "-o", dir.to_str().unwrap()]);
        assert!(text.contains(&format!("in {parts} shard")), "{text}");
        let mut names: Vec<String> = (0..parts).map(|i| format!("part-{i}.cgr")).collect();
        names.push(shard::MANIFEST.into());
        names.sort();
        assert_eq!(files_in(&dir), names, "nothing else is left in the folder");
        let m = shard::read_manifest(&dir).unwrap();
        assert_eq!((m.nodes, m.arcs, m.parts), (whole.num_nodes() as u64, whole.num_arcs(), parts));
        assert_eq!(m.graph_sha256, costgraph::io::checksum::sha256_file(graph).unwrap());
        let mut next = 0;
        for (i, entry) in m.shards.iter().enumerate() {
            assert_eq!(entry.sha256, costgraph::io::checksum::sha256_file(&dir.join(&entry.file)).unwrap());
            let s = shard::open_part(&dir, &m, i, parts).unwrap();
            assert_eq!(s.first() as u64, next);
            next += s.num_local() as u64;
            assert_eq!(s.is_weighted(), whole.is_weighted());
            for u in s.nodes() {
                assert!(s.weighted_neighbors(u).eq(whole.weighted_neighbors(u)), "node {u} of part {i}");
            }
        }
        assert_eq!(next, m.nodes);
    }
}

#[test]
fn shards_of_a_real_and_a_random_graph_hold_the_graph() {
    let tmp = tempdir();
    let random = write(tmp.path(), "random.cgr", &random_graph(7, 500, 1_500, false));
    check_cuts(&random, &tmp.path().join("random"));
    let Some(input) = common::dataset("dimacs9/rome99.gr.zst") else { return };
    let rome = tmp.path().join("rome.cgr");
    run_ok(&["convert", input.to_str().unwrap(), "-o", rome.to_str().unwrap()]);
    check_cuts(&rome, &tmp.path().join("rome"));
}

#[test]
fn bad_shards_and_arguments_are_refused() {
    let tmp = tempdir();
    let graph = write(tmp.path(), "g.cgr", &random_graph(3, 200, 600, true));
    let dir = tmp.path().join("s");
    run_ok(&["shard", graph.to_str().unwrap(), "--parts", "2", "-o", dir.to_str().unwrap()]);
    let part = dir.join("part-1.cgr");
    // A shard is not a whole graph.
    let err = run_err(&["info", part.to_str().unwrap()]);
    assert!(err.contains("is a shard"), "{err}");
    // One edited byte of the targets: the manifest's SHA-256 no longer matches.
    let m = shard::read_manifest(&dir).unwrap();
    let mut bytes = std::fs::read(&part).unwrap();
    let at = bytes.len() - 64;
    bytes[at] ^= 1;
    std::fs::write(&part, &bytes).unwrap();
    let err = shard::open_part(&dir, &m, 1, 2).unwrap_err().to_string();
    assert!(err.contains("part-1.cgr") && err.contains("not the manifest's"), "{err}");
    // Bad arguments and inputs: one error line, nothing written.
    let empty = tmp.path().join("empty");
    for (args, want) in
        [(vec!["--parts", "0"], "--parts must be between 1"), (vec!["--parts", "5000"], "--parts must be between 1")]
    {
        let mut a = vec!["shard", graph.to_str().unwrap(), "-o", empty.to_str().unwrap()];
        a.extend(args);
        let err = run_err(&a);
        assert!(err.contains(want), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let err = run_err(&["shard", part.to_str().unwrap(), "--parts", "2", "-o", empty.to_str().unwrap()]);
    assert!(err.contains("is a shard"), "{err}");
    assert!(!empty.exists() || files_in(&empty).is_empty());
    // An output that is a file, not a folder, is left as it was.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"keep").unwrap();
    let err = run_err(&["shard", graph.to_str().unwrap(), "--parts", "2", "-o", file.to_str().unwrap()]);
    assert!(err.contains("must be a folder") && err.lines().count() == 1, "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep");
}

/// Every timely implementation run on 2 processes × 2 workers, each process holding only its
/// shard, against the oracles on seeded random graphs (symmetric and directed).
#[test]
fn timely_implementations_on_shards_equal_the_oracles() {
    let dir = tempdir();
    for (seed, symmetric) in [(21, true), (22, false)] {
        let csr = random_graph(seed, 400, 500, symmetric);
        let path = write(dir.path(), &format!("g{seed}.cgr"), &csr);
        let shards = dir.path().join(format!("s{seed}"));
        shard::write_shards(&path, 2, &shards, &Budget::default()).unwrap();
        for imp in timely_impls() {
            let (_, addresses) = hostfile(dir.path(), 2);
            let handles: Vec<_> = (0..2)
                .map(|process| {
                    let config = ClusterConfig::new(2, 2, process, addresses.clone())
                        .unwrap()
                        .with_key(crate::common::test_key());
                    let mut job = job(imp, Path::new("unused.cgr"), Strategy::Balanced);
                    job.shards = Some(shards.clone());
                    std::thread::spawn(move || dataflow::run(&config, &job))
                })
                .collect();
            let mut reports: Vec<_> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
            assert!(reports[1].is_none(), "only process 0 reports");
            let report = reports.swap_remove(0).expect("process 0 reports");
            assert!(report.graph.is_none(), "process 0 did not map the whole graph");
            check(&report.output, &csr, &format!("{} on 2 shards × 2 workers, seed {seed}", imp.name));
        }
    }
}

/// The commands on a real weighted graph: `cluster ... run --shards DIR --verify GRAPH` for every
/// timely implementation; then every kind of mismatch refused with one error line.
#[test]
fn cluster_runs_on_shards_of_a_real_graph_and_refuses_mismatches() {
    let tmp = tempdir();
    let graph = tmp.path().join("g.cgr");
    match common::dataset("dimacs9/rome99.gr.zst") {
        Some(input) => {
            run_ok(&["convert", input.to_str().unwrap(), "-o", graph.to_str().unwrap()]);
        }
        None => {
            write(tmp.path(), "g.cgr", &random_graph(5, 300, 900, true));
        }
    }
    let g = graph.to_str().unwrap();
    let dir = tmp.path().join("shards");
    let d = dir.to_str().unwrap();
    run_ok(&["shard", g, "--parts", "2", "-o", d]);
    fn cluster<'a>(problem: &'a str, imp: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["cluster", "--processes", "2", "--timeout", "60", "run", problem, "--impl", imp];
        args.extend_from_slice(extra);
        args
    }
    for imp in timely_impls() {
        let problem = imp.problem.name();
        let out = run_ok(&cluster(problem, imp.name, &["--shards", d, "--verify", g, "--json"]));
        let v = json(&out);
        assert_eq!(v["verified"], true, "{}: {out}", imp.name);
        assert_eq!(v["processes"], 2);
    }
    // Without --verify no whole graph is needed; with it, it is.
    run_ok(&cluster("cc", "timely-label-prop", &["--shards", d]));
    let err = run_err(&cluster("cc", "timely-label-prop", &["--shards", d, "--verify"]));
    assert!(err.contains("needs the whole graph"), "{err}");

    let refused = |args: &[&str], want: &str| {
        let err = run_err(args);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
    };
    // Three parts for two processes.
    let three = tmp.path().join("three");
    run_ok(&["shard", g, "--parts", "3", "-o", three.to_str().unwrap()]);
    refused(&cluster("cc", "timely-union-find", &["--shards", three.to_str().unwrap()]), "3 part(s)");
    // A manifest of another cut of the graph: the shard files do not match it.
    std::fs::copy(three.join(shard::MANIFEST), dir.join(shard::MANIFEST)).unwrap();
    std::fs::write(three.join(shard::MANIFEST), "{\"format\": \"something else\"}").unwrap();
    refused(&cluster("cc", "timely-union-find", &["--shards", three.to_str().unwrap()]), "not a shard manifest");
    let other = tmp.path().join("other");
    run_ok(&["shard", g, "--parts", "2", "-o", other.to_str().unwrap()]);
    std::fs::copy(other.join(shard::MANIFEST), dir.join(shard::MANIFEST)).unwrap();
    // Part 1's file in part 0's place.
    std::fs::copy(other.join("part-1.cgr"), dir.join("part-0.cgr")).unwrap();
    refused(&cluster("cc", "timely-union-find", &["--shards", d]), "not the manifest's");
    // One edited byte.
    let mut bytes = std::fs::read(other.join("part-1.cgr")).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(other.join("part-1.cgr"), &bytes).unwrap();
    refused(&cluster("cc", "timely-union-find", &["--shards", other.to_str().unwrap()]), "part-1.cgr");
    // The modulo partition cannot use contiguous shards; sequential implementations take none.
    refused(&cluster("cc", "timely-union-find", &["--shards", d, "--partition", "modulo"]), "balanced");
    refused(&["run", "cc", "--impl", "union-find", "--shards", d], "timely");
}

/// A hostfile line may name each process's shard file instead of `--shards`: each process opens
/// the one its line names, checked against the manifest beside it.
#[test]
fn a_hostfile_names_each_process_s_shard() {
    let tmp = tempdir();
    let csr = random_graph(9, 300, 700, false);
    let graph = write(tmp.path(), "g.cgr", &csr);
    let dir = tmp.path().join("s");
    shard::write_shards(&graph, 2, &dir, &Budget::default()).unwrap();
    let (_, addresses) = hostfile(tmp.path(), 2);
    let hosts = tmp.path().join("hosts-with-shards");
    std::fs::write(&hosts, format!("{} s/part-0.cgr\n{} s/part-1.cgr\n", addresses[0], addresses[1])).unwrap();
    let h = hosts.to_str().unwrap();
    let args = |process: &'static str| {
        let mut a = vec!["run", "cc", "--impl", "timely-union-find", "--processes", "2", "--process", process];
        a.extend(["--hostfile", h, "--json"]);
        a
    };
    let peer = costgraph().args(args("1")).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = args("0");
    first.extend(["--verify", graph.to_str().unwrap()]);
    let out = run_ok(&first);
    assert!(peer.wait_with_output().unwrap().status.success());
    assert_eq!(json(&out)["verified"], true, "{out}");
    // A line naming another part than the process's is refused before connecting.
    std::fs::write(&hosts, format!("{} s/part-1.cgr\n{} s/part-0.cgr\n", addresses[0], addresses[1])).unwrap();
    let err = run_err(&args("0"));
    assert!(err.contains("the manifest's part 0 is part-0.cgr"), "{err}");
    // --shards and shard files in the hostfile together are ambiguous.
    let mut both = args("0");
    both.extend(["--shards", dir.to_str().unwrap()]);
    let err = run_err(&both);
    assert!(err.contains("not both"), "{err}");
}

/// `--output DIR` on two processes (on shards and on the whole file): every worker writes its part,
/// process 0 the manifest, and `costgraph verify DIR GRAPH` checks the whole result from the parts;
/// the digest and summary the run reports are the manifest's. A corrupted, a missing and a
/// truncated part are each refused naming the file; a rerun replaces the result.
#[test]
fn results_written_in_parts_verify_and_corruption_is_caught() {
    let tmp = tempdir();
    let csr = random_graph(41, 400, 900, true);
    let graph = write(tmp.path(), "g.cgr", &csr);
    let g = graph.to_str().unwrap();
    let shards = tmp.path().join("s");
    run_ok(&["shard", g, "--parts", "2", "-o", shards.to_str().unwrap()]);
    for imp in timely_impls().filter(|i| !i.name.starts_with("differential-cc")) {
        for source in [vec!["--shards", shards.to_str().unwrap()], vec![g]] {
            let out = tmp.path().join(format!("out-{}", imp.name));
            let o = out.to_str().unwrap();
            let mut args = vec!["cluster", "--processes", "2", "--workers", "2", "--timeout", "60", "run"];
            args.extend([imp.problem.name(), "--impl", imp.name, "--output", o, "--json"]);
            args.extend(&source);
            let v = json(&run_ok(&args));
            let text = run_ok(&["verify", o, g]);
            assert!(text.contains("verified ok"), "{}: {text}", imp.name);
            let manifest: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out.join("result.json")).unwrap()).unwrap();
            assert_eq!(v["digest"], manifest["digest"], "{}", imp.name);
            assert_eq!(v["result"], manifest["summary"], "{}", imp.name);
            let mut names: Vec<String> = (0..4).map(|w| format!("part-{w}.bin")).collect();
            names.push("result.json".into());
            assert_eq!(files_in(&out), names, "{}: nothing else in the folder", imp.name);
        }
    }
    let out = tmp.path().join("out-timely-union-find");
    let o = out.to_str().unwrap();
    let part = out.join("part-1.bin");
    let good = std::fs::read(&part).unwrap();
    let mut bad = good.clone();
    let at = bad.len() - 2;
    bad[at] ^= 1;
    std::fs::write(&part, &bad).unwrap();
    let err = run_err(&["verify", o, g]);
    assert!(err.contains("part-1.bin") && err.contains("SHA-256"), "{err}");
    std::fs::remove_file(&part).unwrap();
    let err = run_err(&["verify", o, g]);
    assert!(err.contains("part-1.bin"), "{err}");
    std::fs::write(&part, &good).unwrap();
    run_ok(&["verify", o, g]);
    // Another graph is refused; so is a folder without a result.
    let other = write(tmp.path(), "h.cgr", &random_graph(42, 300, 500, true));
    let err = run_err(&["verify", o, other.to_str().unwrap()]);
    assert!(err.contains("not this one"), "{err}");
    let err = run_err(&["verify", shards.to_str().unwrap(), g]);
    assert!(err.contains("result.json"), "{err}");
    // --output is for the timely implementations.
    let err = run_err(&["run", "cc", "--impl", "union-find", g, "--output", o]);
    assert!(err.contains("timely"), "{err}");
}
