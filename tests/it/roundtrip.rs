//! Text -> .cgr -> text through the real binary gives back the same edges (as multisets).

use std::path::Path;

use crate::common;

/// The lines of a text edge list as a sorted multiset of number tuples; `undirected` orders each
/// pair so that `u v` and `v u` compare equal.
fn edges(path: &Path, undirected: bool) -> Vec<Vec<u64>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut all: Vec<Vec<u64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(['#', '%']))
        .map(|l| {
            let mut e: Vec<u64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
            if undirected && e[0] > e[1] {
                e.swap(0, 1);
            }
            e
        })
        .collect();
    all.sort();
    all
}

fn round_trip(input_text: &str, name: &str, out_name: &str, flags: &[&str], undirected: bool) {
    let dir = common::tempdir();
    let input = dir.path().join(name);
    std::fs::write(&input, input_text).unwrap();
    let cgr = dir.path().join("g.cgr");
    let back = dir.path().join(out_name);
    let mut args = vec!["convert", input.to_str().unwrap(), "-o", cgr.to_str().unwrap()];
    args.extend_from_slice(flags);
    common::run_ok(&args);
    common::run_ok(&["convert", cgr.to_str().unwrap(), "-o", back.to_str().unwrap()]);
    assert_eq!(edges(&back, undirected), edges(&input, undirected), "{name} {flags:?}");
    // Reading the written text again gives the same graph once more.
    let again = dir.path().join(format!("again.{out_name}"));
    let mut args = vec!["convert", back.to_str().unwrap(), "-o", again.to_str().unwrap()];
    args.extend_from_slice(flags);
    common::run_ok(&args);
    assert_eq!(edges(&again, undirected), edges(&input, undirected), "{name} {flags:?} (second pass)");
}

#[test]
fn directed_unweighted_dense_ids() {
    round_trip("0 1\n1 2\n2 0\n2 2\n0 2\n", "g.el", "back.el", &[], false);
}

#[test]
fn directed_weighted_with_parallel_edges() {
    round_trip("0 1 5\n0 1 3\n1 2 0\n2 0 4294967295\n", "g.wel", "back.wel", &["--keep-duplicates"], false);
}

#[test]
fn relabelled_sparse_ids_come_back_as_original_ids() {
    let text = "# SNAP style\n% comment\n3\t8297\r\n8297\t5\r\n100000000000\t3\r\n5 5\n";
    round_trip(text, "g.txt", "back.el", &[], false);
}

#[test]
fn undirected_each_edge_once_with_self_loops_and_weights() {
    let text = "7 3 10\n3 9 11\n9 9 12\n1 7 13\n";
    round_trip(text, "g.wel", "back.wel", &["--undirected"], true);
}

#[test]
fn undirected_cedge_with_real_weights() {
    let dir = common::tempdir();
    let input = dir.path().join("g.cedge");
    std::fs::write(&input, "0 0 1 0.25\n1 1 2 1.5\n2 2 0 2\n").unwrap();
    let cgr = dir.path().join("g.cgr");
    let back = dir.path().join("back.wel");
    common::run_ok(&["convert", input.to_str().unwrap(), "-o", cgr.to_str().unwrap(), "--real-weights", "100"]);
    common::run_ok(&["convert", cgr.to_str().unwrap(), "-o", back.to_str().unwrap()]);
    assert_eq!(edges(&back, true), vec![vec![0, 1, 25], vec![0, 2, 200], vec![1, 2, 150]]);
}

#[test]
fn compressed_inputs_read_like_plain_ones() {
    use std::io::Write;
    let dir = common::tempdir();
    let text = b"# x\n0 1\n1 2\n";
    let gz = dir.path().join("g.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let zst = dir.path().join("g.txt.zst");
    std::fs::write(&zst, zstd::encode_all(&text[..], 3).unwrap()).unwrap();
    for input in [gz, zst] {
        let out = dir.path().join("out.el");
        common::run_ok(&["convert", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "0 1\n1 2\n");
    }
}

/// `convert --weights random`: the same weights from any input form of the graph (they hash the
/// input's ids, both arcs alike), a different seed gives others, and msf runs on the result.
#[test]
fn random_weights_depend_on_the_edge_and_the_seed_only() {
    let dir = common::tempdir();
    let text = dir.path().join("g.el");
    std::fs::write(&text, "10 20\n20 30\n30 10\n40 10\n50 60\n").unwrap();
    let cgr = dir.path().join("g.cgr");
    let p = |p: &Path| p.to_str().unwrap().to_string();
    common::run_ok(&["convert", &p(&text), "--undirected", "-o", &p(&cgr)]);
    let (a, b, c) = (dir.path().join("a.cgr"), dir.path().join("b.cgr"), dir.path().join("c.cgr"));
    common::run_ok(&["convert", &p(&text), "--undirected", "--weights", "random:1..1000", "-o", &p(&a)]);
    common::run_ok(&["convert", &p(&cgr), "--weights", "random:1..1000,seed=1", "-o", &p(&b)]);
    common::run_ok(&["convert", &p(&cgr), "--weights", "random:1..1000,seed=2", "-o", &p(&c)]);
    let weighted = |path: &Path| {
        let out = dir.path().join("out.wel");
        common::run_ok(&["convert", &p(path), "-o", &p(&out)]);
        let mut lines: Vec<String> = std::fs::read_to_string(&out).unwrap().lines().map(String::from).collect();
        lines.sort();
        lines
    };
    assert_eq!(weighted(&a), weighted(&b));
    assert_ne!(weighted(&a), weighted(&c));
    assert_eq!(weighted(&a).len(), 5);
    let msf = common::run_ok(&["run", "msf", "--impl", "kruskal", &p(&a)]);
    assert!(msf.contains("weight"), "{msf}");
    let err = common::run_err(&["convert", &p(&text), "--weights", "random", "-o", &p(&dir.path().join("x.el"))]);
    assert!(err.contains("--weights writes a .cgr"), "{err}");
}
