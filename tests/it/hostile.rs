//! Hostile invocations of every subcommand: bad flags, zero or huge numbers, missing or corrupt
//! files, empty graphs, unusable outputs. Each fails with exit 1 or 2 and one `error:` line (or,
//! for the empty-graph cases, succeeds), never a panic, a hang or a half-written file.

use std::path::{Path, PathBuf};

use crate::common::{self, run_err, run_ok};

/// Asserts a clean failure with exactly one `error:` line containing every `expect`, and returns it.
fn refuse(args: &[&str], expect: &[&str]) -> String {
    let stderr = run_err(args);
    assert!(!stderr.contains("RUST_BACKTRACE"), "{args:?}:\n{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: not one error line:\n{stderr}");
    for e in expect {
        assert!(errors[0].contains(e), "{args:?}: expected {e:?} in: {stderr}");
    }
    errors[0].to_string()
}

/// A small weighted Kronecker graph, an empty graph and an empty weighted graph in `dir`.
fn graphs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let g = dir.join("g.cgr");
    run_ok(&["generate", "kron", "--scale", "6", "--weights", "1..9", "-o", g.to_str().unwrap()]);
    std::fs::write(dir.join("empty.el"), "").unwrap();
    std::fs::write(dir.join("empty.wel"), "").unwrap();
    let (e, ew) = (dir.join("e.cgr"), dir.join("ew.cgr"));
    run_ok(&["convert", dir.join("empty.el").to_str().unwrap(), "-o", e.to_str().unwrap()]);
    run_ok(&["convert", dir.join("empty.wel").to_str().unwrap(), "-o", ew.to_str().unwrap()]);
    (g, e, ew)
}

/// Was a panic: an empty weighted edge list made the .cgr writer compute a negative padding.
#[test]
fn empty_weighted_graph_converts_and_every_implementation_runs_on_it() {
    let dir = common::tempdir();
    let (_, e, ew) = graphs(dir.path());
    let info = run_ok(&["info", ew.to_str().unwrap()]);
    assert!(info.contains("weighted        yes"), "{info}");
    for (problem, name) in costgraph::registry::all().iter().map(|i| (i.problem.name(), i.name)) {
        let g = if problem == "msf" { &ew } else { &e };
        run_ok(&["run", problem, g.to_str().unwrap(), "--impl", name, "--verify", "--workers", "2"]);
    }
}

/// Was silently ignored (exit 0): a cluster for a non-timely implementation.
#[test]
fn a_cluster_of_a_non_timely_implementation_is_refused() {
    let dir = common::tempdir();
    let (g, _, _) = graphs(dir.path());
    let g = g.to_str().unwrap();
    refuse(&["run", "cc", g, "--impl", "union-find", "--processes", "2"], &["union-find", "timely"]);
    refuse(&["run", "cc", g, "--impl", "afforest", "--processes", "2", "--process", "1"], &["afforest", "timely"]);
    refuse(&["cluster", "--processes", "2", "run", "cc", "--impl", "union-find", g], &["process", "timely"]);
}

/// Was `process 0 of 2 failed: For more information, try '--help'.` (clap's last line).
#[test]
fn cluster_reports_the_error_line_of_a_failed_process() {
    let line = refuse(&["cluster", "--processes", "2", "run", "nope"], &["invalid value 'nope'"]);
    assert!(!line.contains("For more information"), "{line}");
}

/// Were hangs: tens of thousands of threads being started.
#[test]
fn huge_thread_and_worker_counts_are_refused() {
    let dir = common::tempdir();
    let (g, _, _) = graphs(dir.path());
    let g = g.to_str().unwrap();
    refuse(&["run", "cc", g, "--impl", "timely-union-find", "--workers", "100000"], &["--workers 100000", "at most"]);
    refuse(&["run", "cc", g, "--impl", "afforest", "--threads", "100000"], &["--threads 100000"]);
    refuse(&["cluster", "--workers", "5000", "run", "cc", "--impl", "timely-union-find", g], &["--workers 5000"]);
    refuse(&["cluster", "--processes", "5000", "run", "cc", "--impl", "timely-union-find", g], &["--processes 5000"]);
    let out = dir.path().join("report");
    let out = out.to_str().unwrap();
    refuse(&["cost", "cc", g, "--max-cores", "100000", "--out", out], &["--max-cores 100000"]);
}

/// Were found only after the whole sweep (or, for `--timeout 0`, by its first configuration), or
/// silently dropped (`--processes` above `--max-cores`).
#[test]
fn cost_checks_its_arguments_and_output_folder_before_sweeping() {
    let dir = common::tempdir();
    let (g, _, _) = graphs(dir.path());
    let g = g.to_str().unwrap();
    let out = dir.path().join("report");
    let out = out.to_str().unwrap();
    refuse(&["cost", "cc", g, "--out", g, "--max-cores", "1"], &["not a folder"]);
    refuse(&["cost", "cc", g, "--out", &format!("{g}/sub"), "--max-cores", "1"], &["not a folder"]);
    #[cfg(target_os = "linux")]
    refuse(&["cost", "cc", g, "--out", "/proc/costgraph-report", "--max-cores", "1"], &["/proc"]);
    refuse(&["cost", "cc", g, "--timeout", "0", "--out", out, "--max-cores", "1"], &["--timeout"]);
    refuse(
        &["cost", "cc", g, "--processes", "5", "--max-cores", "2", "--out", out],
        &["--processes 5", "--max-cores 2"],
    );
    refuse(&["cost", "cc", g, "--max-cores", "0", "--out", out], &["--max-cores"]);
    refuse(&["cost", "cc", g, "--skip", "afforest,no-such-impl", "--max-cores", "1", "--out", out], &["no-such-impl"]);
    refuse(&["cost", "cc", "/nonexistent/g.cgr", "--max-cores", "1", "--out", out], &["/nonexistent/g.cgr"]);
    // Without a graph the default is generated by a child: a bad --scale is refused up front.
    refuse(&["cost", "cc", "--scale", "0", "--out", out], &["--scale 0", "out of range"]);
    assert!(!Path::new(out).exists(), "a failed cost left {out}");
}

/// Was a silent success: `--weighted` on an unweighted `.cgr` wrote an unweighted graph.
#[test]
fn converting_an_unweighted_cgr_with_weighted_is_refused() {
    let dir = common::tempdir();
    let (_, e, _) = graphs(dir.path());
    let out = dir.path().join("w.cgr");
    refuse(&["convert", e.to_str().unwrap(), "-o", out.to_str().unwrap(), "--weighted"], &["no weights"]);
    assert!(!out.exists());
}

/// Was `/proc: ... at path "/proc/.x.cgr.XXXX.tmp"`: the message named a temporary file.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_output_is_named_not_its_temporary_file() {
    let line = refuse(&["generate", "kron", "--scale", "4", "-o", "/proc/costgraph-x.cgr"], &["/proc/costgraph-x.cgr"]);
    assert!(!line.contains(".tmp"), "{line}");
}

/// Cases that already behave: they must stay that way.
#[test]
fn bad_flags_and_inputs_fail_cleanly() {
    let dir = common::tempdir();
    let (g, e, _) = graphs(dir.path());
    let d = dir.path();
    let (g, e) = (g.to_str().unwrap(), e.to_str().unwrap());
    let hostfile = d.join("hosts");
    std::fs::write(&hostfile, "garbage line\n").unwrap();
    let zero = d.join("zero.cgr");
    std::fs::write(&zero, "").unwrap();
    let tuf = ["run", "cc", g, "--impl", "timely-union-find"];
    refuse(&["run", "cc", g, "--impl", "nope"], &["nope"]);
    refuse(&["run", "msf", e, "--impl", "kruskal"], &["weights"]);
    refuse(&[&tuf[..], &["--workers", "0"]].concat(), &["--workers"]);
    refuse(&[&tuf[..], &["--processes", "0"]].concat(), &["--processes"]);
    refuse(&[&tuf[..], &["--process", "5", "--processes", "2"]].concat(), &["5"]);
    refuse(&[&tuf[..], &["--processes", "2", "--hostfile", "/nonexistent/hosts"]].concat(), &["/nonexistent/hosts"]);
    refuse(&[&tuf[..], &["--processes", "2", "--hostfile", hostfile.to_str().unwrap()]].concat(), &["hosts:1"]);
    refuse(&[&tuf[..], &["--connect-timeout", "0"]].concat(), &["--connect-timeout"]);
    refuse(&["run", "cc", g, "--impl", "union-find", "--threads", "0"], &["--threads"]);
    refuse(&["run", "cc", g, "--impl", "union-find", "--repeat", "0"], &["--repeat"]);
    refuse(&["info", zero.to_str().unwrap()], &["zero.cgr", "empty"]);
    refuse(&["info", d.to_str().unwrap()], &["format"]);
    refuse(&["convert", "/nonexistent.el", "-o", d.join("x.cgr").to_str().unwrap()], &["/nonexistent.el"]);
    refuse(&["generate", "kron", "--scale", "40", "-o", d.join("k.cgr").to_str().unwrap()], &["scale 40"]);
    refuse(&["generate", "grid", "--rows", "0", "--cols", "5", "-o", d.join("r.cgr").to_str().unwrap()], &["0 x 5"]);
    refuse(
        &["generate", "urand", "--scale", "3", "--degree", "0", "-o", d.join("u.cgr").to_str().unwrap()],
        &["degree"],
    );
    refuse(&["datasets", "--cache", d.to_str().unwrap(), "fetch", "nope"], &["nope"]);
    refuse(&["cluster", "--processes", "0", "run", "cc", "--impl", "timely-union-find", g], &["--processes"]);
    let mut left = common::files_in(d);
    left.retain(|f| !["g.cgr", "e.cgr", "ew.cgr", "empty.el", "empty.wel", "hosts", "zero.cgr"].contains(&f.as_str()));
    assert!(left.is_empty(), "left behind: {left:?}");
}
