//! `costgraph generate`: each generator through the real binary, checked with `costgraph info`.

use std::path::Path;

use serde_json::Value;

use crate::common::{files_in, run_err, run_ok, tempdir};

fn info(path: &Path) -> Value {
    serde_json::from_str(&run_ok(&["info", "--json", path.to_str().unwrap()])).expect("info prints JSON")
}

fn generate(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut all = vec!["generate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    run_ok(&all);
    out
}

#[test]
fn kron_has_graph500_size() {
    let dir = tempdir();
    let info = info(&generate(dir.path(), "k.cgr", &["kron", "--scale", "10"]));
    assert_eq!(info["nodes"], 1024);
    assert_eq!(info["symmetric"], true);
    assert_eq!(info["directed"], false);
    assert_eq!(info["weighted"], false);
    // 16 * 1024 edges before deduplication; Kronecker graphs repeat many of them.
    let edges = info["edges"].as_u64().unwrap();
    assert!((8_000..=16_384).contains(&edges), "{edges} edges");
    assert!(info["degree"]["max"].as_u64().unwrap() > 10 * info["degree"]["avg"].as_f64().unwrap() as u64);
}

#[test]
fn urand_has_the_asked_degree() {
    let dir = tempdir();
    let info = info(&generate(dir.path(), "u.cgr", &["urand", "--scale", "12", "--degree", "8"]));
    assert_eq!(info["nodes"], 4096);
    let edges = info["edges"].as_u64().unwrap();
    assert!((16_000..=16_384).contains(&edges), "{edges} edges");
}

#[test]
fn grid_is_exact_and_weighted() {
    let dir = tempdir();
    let info = info(&generate(dir.path(), "g.cgr", &["grid", "--rows", "30", "--cols", "40", "--weights", "1..100"]));
    assert_eq!(info["nodes"], 1200);
    assert_eq!(info["edges"], 30 * 39 + 29 * 40);
    assert_eq!(info["weighted"], true);
    assert_eq!(info["degree"]["min"], 2);
    assert_eq!(info["degree"]["max"], 4);
    assert_eq!(info["self_loops"], 0);
}

#[test]
fn drop_self_loops() {
    let dir = tempdir();
    let with = info(&generate(dir.path(), "a.cgr", &["kron", "--scale", "8"]));
    let without = info(&generate(dir.path(), "b.cgr", &["kron", "--scale", "8", "--drop-self-loops"]));
    assert!(with["self_loops"].as_u64().unwrap() > 0);
    assert_eq!(without["self_loops"], 0);
}

#[test]
fn same_seed_same_file_whatever_the_threads() {
    let dir = tempdir();
    for (kind, args) in [
        ("kron", &["kron", "--scale", "14", "--weights", "1..1000"][..]),
        ("urand", &["urand", "--scale", "14", "--seed", "9"][..]),
    ] {
        let one = generate(dir.path(), &format!("{kind}1.cgr"), &[&["--threads", "1"], args].concat());
        let two = generate(dir.path(), &format!("{kind}2.cgr"), &[&["--threads", "2"], args].concat());
        assert!(std::fs::read(&one).unwrap() == std::fs::read(&two).unwrap(), "{kind}: files differ");
    }
    let a = generate(dir.path(), "s1.cgr", &["kron", "--scale", "10", "--seed", "1"]);
    let b = generate(dir.path(), "s2.cgr", &["kron", "--scale", "10", "--seed", "2"]);
    assert!(std::fs::read(a).unwrap() != std::fs::read(b).unwrap(), "different seeds, same graph");
}

#[test]
fn bad_arguments_fail_cleanly_and_leave_nothing() {
    let dir = tempdir();
    let out = dir.path().join("bad.cgr");
    let out = out.to_str().unwrap();
    let missing = dir.path().join("no/such/folder/g.cgr");
    let cases: [(&[&str], &str); 9] = [
        (&["kron", "--scale", "31", "--memory", "1G", "-o", out], "use a smaller --scale"),
        (&["kron", "--scale", "4", "--memory", "1K", "-o", out], "too small"),
        (&["kron", "--scale", "0", "-o", out], "scale 0"),
        (&["kron", "--scale", "33", "-o", out], "scale 33"),
        (&["urand", "--scale", "40", "-o", out], "scale 40"),
        (&["grid", "--rows", "3", "--cols", "3", "--weights", "5..1", "-o", out], "5..1"),
        (&["kron", "--scale", "4"], "-o"),
        (&["grid", "--rows", "2", "--cols", "2", "-o", missing.to_str().unwrap()], "does not exist"),
        (&["grid", "--rows", "2", "--cols", "2", "-o", &format!("{out}.txt")], ".cgr"),
    ];
    for (args, says) in cases {
        let stderr = run_err(&[&["generate"], args].concat());
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{args:?}:\n{stderr}");
        assert!(stderr.contains(says), "{args:?} should mention {says:?}:\n{stderr}");
    }
    assert!(files_in(dir.path()).is_empty(), "left behind: {:?}", files_in(dir.path()));
}

#[cfg(unix)]
#[test]
fn unwritable_folder_fails_cleanly_and_leaves_nothing() {
    use std::os::unix::fs::PermissionsExt;
    if cfg!(target_os = "linux") {
        // No one, root included, may create files in /proc: this fails at the write, after generating.
        let stderr = run_err(&["generate", "grid", "--rows", "10", "--cols", "10", "-o", "/proc/costgraph-test.cgr"]);
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{stderr}");
    }
    let dir = tempdir();
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let stderr =
        run_err(&["generate", "grid", "--rows", "2", "--cols", "2", "-o", file.join("g.cgr").to_str().unwrap()]);
    assert!(stderr.contains("is not a folder"), "{stderr}");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::File::create(locked.join("probe")).is_ok() {
        eprintln!("note: running with permission to write anywhere (root?); skipping");
        return;
    }
    let out = locked.join("g.cgr");
    let stderr = run_err(&["generate", "grid", "--rows", "10", "--cols", "10", "-o", out.to_str().unwrap()]);
    assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{stderr}");
    assert!(files_in(&locked).is_empty(), "left behind: {:?}", files_in(&locked));
}

#[test]
fn directed_graphs_with_hilbert_order_serve_pagerank_hilbert() {
    let dir = tempdir();
    let path = generate(dir.path(), "d.cgr", &["kron", "--scale", "10", "--directed", "--order", "hilbert"]);
    let info = info(&path);
    let path = path.to_str().unwrap();
    assert_eq!(info["directed"], true);
    assert_eq!(info["symmetric"], false);
    let out = run_ok(&["run", "pagerank", path, "--impl", "pagerank-hilbert", "--verify", "--json"]);
    let out: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(out["verified"], true, "{out}");
}

#[test]
fn info_says_which_implementations_fit_in_a_memory_limit() {
    let dir = tempdir();
    let path = generate(dir.path(), "g.cgr", &["kron", "--scale", "10"]);
    let fits = |memory: &str| -> Vec<(String, bool)> {
        let out = run_ok(&["info", "--json", path.to_str().unwrap(), "--memory", memory]);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["memory_available_bytes"].as_u64().unwrap() <= costgraph::graph::budget::parse_size(memory).unwrap());
        v["memory_needed_bytes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["impl"].as_str().unwrap().to_string(), i["fits"].as_bool().unwrap()))
            .collect()
    };
    // Every process is estimated at 32 MiB at least: nothing fits in 1 MiB, union-find in 1 GiB.
    assert!(fits("1M").iter().all(|(_, fits)| !fits));
    assert!(fits("1G").iter().any(|(name, fits)| name == "union-find" && *fits));
}
