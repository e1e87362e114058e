//! `run --result FILE` for every implementation: the result as text in the input file's own ids,
//! checked against LDBC Graphalytics' definitions on graphs worked by hand — WCC as a partition
//! (labels compared by equivalence, as Graphalytics validates), PageRank within its validator's
//! relative tolerance, MSF by its edge set — and through `cluster` and `verify --result`.

use std::collections::BTreeMap;
use std::path::Path;

use costgraph::registry::{self, Problem};

use crate::common;

/// The non-comment lines of a result file, split into fields.
fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(' ').map(String::from).collect())
        .collect()
}

/// Node -> label, as a map from the file.
fn labels(path: &Path) -> BTreeMap<u64, u64> {
    rows(path).iter().map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap())).collect()
}

#[test]
fn every_implementation_writes_its_result_in_the_input_ids() {
    let dir = common::tempdir();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    // Components {100, 200, 300}, {400, 500}, {600}; a sparse, non-contiguous id space.
    let cc_text = dir.path().join("cc.el");
    std::fs::write(&cc_text, "100 200\n300 200\n500 400\n600 600\n").unwrap();
    let cc = dir.path().join("cc.cgr");
    common::run_ok(&["convert", &s(&cc_text), "--undirected", "-o", &s(&cc)]);
    let want = [[100u64, 200, 300].as_slice(), &[400, 500], &[600]];
    let result = dir.path().join("r.txt");
    let check_partition = |label: &BTreeMap<u64, u64>, what: &str| {
        assert_eq!(label.len(), 6, "{what}: {label:?}");
        for part in want {
            assert!(part.iter().all(|u| label[u] == label[&part[0]]), "{what}: {label:?}");
        }
        let distinct: std::collections::BTreeSet<_> = label.values().collect();
        assert_eq!(distinct.len(), 3, "{what}: {label:?}");
    };
    for imp in registry::of(Problem::Cc) {
        common::run_ok(&["run", "cc", &s(&cc), "--impl", imp.name, "--result", &s(&result)]);
        check_partition(&labels(&result), imp.name);
    }
    // Through a cluster, gathered at process 0.
    common::run_ok(&[
        "cluster",
        "--processes",
        "2",
        "run",
        "cc",
        &s(&cc),
        "--impl",
        "timely-union-find",
        "--result",
        &s(&result),
    ]);
    check_partition(&labels(&result), "timely-union-find on 2 processes");

    // PageRank on 10 -> 20 -> 30 (30 dangling), d = 0.5, one iteration: 2/9, 7/18, 7/18.
    let pr_text = dir.path().join("pr.el");
    std::fs::write(&pr_text, "10 20\n20 30\n").unwrap();
    let pr = dir.path().join("pr.cgr");
    common::run_ok(&["convert", &s(&pr_text), "--directed", "-o", &s(&pr)]);
    let expect = BTreeMap::from([(10u64, 2.0 / 9.0), (20, 7.0 / 18.0), (30, 7.0 / 18.0)]);
    for imp in registry::of(Problem::Pagerank) {
        let args = ["--iterations", "1", "--damping", "0.5", "--result", &s(&result)];
        common::run_ok(&[&["run", "pagerank", &s(&pr), "--impl", imp.name][..], &args].concat());
        let text = std::fs::read_to_string(&result).unwrap();
        assert!(text.contains("# damping 0.5 iterations 1"), "{}: {text}", imp.name);
        for row in rows(&result) {
            let (id, rank): (u64, f64) = (row[0].parse().unwrap(), row[1].parse().unwrap());
            // Graphalytics' validator: relative error at most 1e-4.
            assert!((rank - expect[&id]).abs() <= 1e-4 * expect[&id], "{}: node {id} rank {rank}", imp.name);
        }
    }

    // MSF on a weighted square with a diagonal: the forest's edges, in the input ids.
    let msf_text = dir.path().join("m.wel");
    std::fs::write(&msf_text, "1 2 4\n2 3 1\n3 4 2\n4 1 3\n1 3 9\n").unwrap();
    let msf = dir.path().join("m.cgr");
    common::run_ok(&["convert", &s(&msf_text), "--undirected", "-o", &s(&msf)]);
    for imp in registry::of(Problem::Msf) {
        common::run_ok(&["run", "msf", &s(&msf), "--impl", imp.name, "--result", &s(&result)]);
        let mut edges: Vec<(u64, u64, u64)> = rows(&result)
            .iter()
            .map(|r| {
                let (u, v): (u64, u64) = (r[0].parse().unwrap(), r[1].parse().unwrap());
                (u.min(v), u.max(v), r[2].parse().unwrap())
            })
            .collect();
        edges.sort();
        assert_eq!(edges, [(1, 4, 3), (2, 3, 1), (3, 4, 2)], "{}", imp.name);
    }
}

/// `verify --result` writes, from a result written in parts, what `run --result` writes whole.
#[test]
fn verify_writes_the_result_of_parts() {
    let dir = common::tempdir();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let g = dir.path().join("k.cgr");
    common::run_ok(&["generate", "kron", "--scale", "8", "-o", &s(&g)]);
    let (parts, whole, joined) =
        (dir.path().join("parts"), dir.path().join("whole.txt"), dir.path().join("joined.txt"));
    common::run_ok(&["run", "cc", &s(&g), "--impl", "timely-union-find", "--workers", "2", "--output", &s(&parts)]);
    common::run_ok(&["verify", &s(&parts), &s(&g), "--result", &s(&joined)]);
    common::run_ok(&["run", "cc", &s(&g), "--impl", "union-find", "--result", &s(&whole)]);
    assert_eq!(rows(&joined), rows(&whole));
}

/// A Graphalytics graph (`.v` with an isolated vertex, `.e`, `.properties`) read as it is: WCC and
/// PageRank (with its dangling vertices, whose rank is spread over all) as Graphalytics defines them.
#[test]
fn graphalytics_graphs_give_graphalytics_answers() {
    let dir = common::tempdir();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("u.v", "900\n10\n20\n30\n");
    write("u.e", "10 20\n30 20\n");
    write("u.properties", "graph.u.directed = false\n");
    let result = dir.path().join("r.txt");
    common::run_ok(&["run", "cc", &s(&dir.path().join("u.e")), "--impl", "union-find", "--result", &s(&result)]);
    let label = labels(&result);
    assert_eq!(label.len(), 4);
    assert!(label[&10] == label[&20] && label[&20] == label[&30] && label[&900] != label[&10], "{label:?}");
    // 10 -> 20 -> 30, 40 isolated: d = 0.5, one iteration from 1/4; 30 and 40 dangling.
    write("d.v", "10\n20\n30\n40\n");
    write("d.e", "10 20\n20 30\n");
    write("d.properties", "graph.d.directed = true\n");
    let expect = BTreeMap::from([(10u64, 0.1875), (20, 0.3125), (30, 0.3125), (40, 0.1875)]);
    // Timely implementations map a .cgr: the converted graph keeps the ids.
    let cgr = dir.path().join("d.cgr");
    common::run_ok(&["convert", &s(&dir.path().join("d.v")), "-o", &s(&cgr)]);
    for imp in registry::of(Problem::Pagerank) {
        let graph = if imp.kind == registry::Kind::Timely { s(&cgr) } else { s(&dir.path().join("d.e")) };
        let args = ["--impl", imp.name, "--iterations", "1", "--damping", "0.5", "--result", &s(&result)];
        common::run_ok(&[&["run", "pagerank", &graph][..], &args].concat());
        for row in rows(&result) {
            let (id, rank): (u64, f64) = (row[0].parse().unwrap(), row[1].parse().unwrap());
            assert!((rank - expect[&id]).abs() <= 1e-4 * expect[&id], "{}: vertex {id} rank {rank}", imp.name);
        }
    }
    let info: serde_json::Value = serde_json::from_str(&common::run_ok(&["info", &s(&cgr), "--json"])).unwrap();
    assert_eq!(info["nodes"], 4, "{info}");
}
