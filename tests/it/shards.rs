//! `costgraph shard`: a real graph and a random one cut into 1, 2 and 3 shards, each reopened and
//! compared with the whole graph (ranges, counts, adjacency, SHA-256 of every file); corrupt,
//! swapped and mismatched shards refused with one clear error.

use std::path::Path;

use costgraph::io::{cgr, shard};

use crate::common::{self, files_in, run_err, run_ok, tempdir};
use crate::timely::{random_graph, write};

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
        assert_eq!(m.graph_sha256, shard::sha256_file(graph).unwrap());
        let mut next = 0;
        for (i, entry) in m.shards.iter().enumerate() {
            assert_eq!(entry.sha256, shard::sha256_file(&dir.join(&entry.file)).unwrap());
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
    let Some(datasets) = common::datasets() else { return };
    let rome = tmp.path().join("rome.cgr");
    let input = datasets.join("dimacs9/rome99.gr.zst");
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
}
