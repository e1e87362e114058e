//! Helpers shared by the integration tests: running the binary and finding the real graphs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The cluster key the tests give the processes they start by hand (as a user would, through
/// COSTGRAPH_CLUSTER_KEY).
pub const TEST_KEY: &str = "5eb63bbbe01eeed093cb22bb8f5acdc3a1c2e0a5b0d2a1f6d0c4a6b7e8f9a0b1";

/// [`TEST_KEY`] as a key.
pub fn test_key() -> costgraph::dataflow::ClusterKey {
    costgraph::dataflow::ClusterKey::from_hex(TEST_KEY).unwrap()
}

/// A `Command` for the `costgraph` binary built with these tests, with the tests' cluster key.
pub fn costgraph() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_costgraph"));
    command.env("COSTGRAPH_CLUSTER_KEY", TEST_KEY);
    command
}

/// Runs `costgraph ARGS` and returns its output.
pub fn run(args: &[&str]) -> Output {
    costgraph().args(args).output().expect("costgraph starts")
}

/// Runs `costgraph ARGS`, asserts success and returns stdout.
pub fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "costgraph {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs `costgraph ARGS`, asserts a clean failure (exit code 1 or 2, no panic, a one-line
/// `error:` message) and returns the message.
pub fn run_err(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "costgraph {args:?} succeeded but should fail");
    assert!(matches!(out.status.code(), Some(1) | Some(2)), "costgraph {args:?}: exit {:?}\n{stderr}", out.status);
    assert!(!stderr.contains("panicked"), "costgraph {args:?} panicked:\n{stderr}");
    stderr
}

/// The real graph the tests know by `path`, its path in the small-graph layout (`snap/…`, `law/…`,
/// `dimacs9/…`, `roads/…`), or `None` after a `note:` line saying which graph is skipped and how
/// to get it. From the folder `$COSTGRAPH_DATASETS` names (in that layout) when it is set: under
/// CI (`CI=true`) a missing folder or file fails the test. Otherwise from the dataset cache
/// (`$COSTGRAPH_CACHE`, else `datasets/cache`; see [`in_cache`]), where the file may be in its
/// owner's form (e.g. `.txt.gz` for `.txt.zst`): callers pass it to the binary, which reads either.
pub fn dataset(path: &str) -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if let Some(dir) = std::env::var_os("COSTGRAPH_DATASETS").map(PathBuf::from) {
        let file = dir.join(path);
        if file.is_file() {
            return Some(file);
        }
        let why = if dir.is_dir() {
            format!("{path} is not in COSTGRAPH_DATASETS={}", dir.display())
        } else {
            format!("COSTGRAPH_DATASETS={} is not a folder", dir.display())
        };
        assert!(!ci, "{why}, and CI must test on the real graphs");
        eprintln!("note: skipping the real graph {path}: {why}");
        return None;
    }
    let cache = match std::env::var_os("COSTGRAPH_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/cache"),
    };
    match in_cache(path, &cache) {
        Ok(file) => Some(file),
        Err(why) => {
            eprintln!("note: skipping the real graph {path}: {why}");
            None
        }
    }
}

/// The cached copy in `cache` (layout `CACHE/NAME/FILE`) of the catalog file whose path is `path`,
/// in whichever form was fetched, or why there is none.
pub fn in_cache(path: &str, cache: &Path) -> Result<PathBuf, String> {
    use costgraph::harness::datasets::Catalog;
    let catalog = Catalog::embedded().expect("the embedded catalog");
    let Some((dataset, file)) =
        catalog.datasets.iter().find_map(|d| d.files.iter().find(|f| f.path == path).map(|f| (d, f)))
    else {
        return Err("no catalog file has this path, so only a COSTGRAPH_DATASETS folder holds it".into());
    };
    dataset.cached_file(cache, file).ok_or_else(|| {
        format!(
            "dataset {} is not in the cache {}; get it with `costgraph datasets fetch --small` (or `costgraph \
             datasets fetch {}`), or set COSTGRAPH_DATASETS to a folder of the small real graphs",
            dataset.name,
            cache.display(),
            dataset.name
        )
    })
}

/// A fresh temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Lists the files in `dir` (to check that nothing was left behind).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A BVGraph written by the `webgraph` crate that uses every part of the format: references to
/// earlier lists (copy blocks), intervals and residuals. Returns `(folder, BASE.graph, arcs)`.
pub fn bvgraph() -> (tempfile::TempDir, std::path::PathBuf, u64) {
    use webgraph::prelude::{BvComp, VecGraph};
    let n = 600;
    let mut arcs = Vec::new();
    for u in 0..n {
        // A run (an interval), a list shared with the neighbours (copies), a few scattered ones.
        arcs.extend((u + 1..u + 6).filter(|&v| v < n).map(|v| (u, v)));
        arcs.extend([(u / 7) * 7 % n, 311, 499].into_iter().map(|v| (u, v)));
        arcs.push((u, (u * 37 + 11) % n));
    }
    arcs.sort_unstable();
    arcs.dedup();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("g");
    let graph = VecGraph::from_arcs(arcs.iter().copied());
    BvComp::with_basename(&base).comp_graph::<dsi_bitstream::traits::BE>(&graph).unwrap();
    (dir, base.with_extension("graph"), arcs.len() as u64)
}
