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

// The defects a hostile world found (each reproduced on an earlier `main`, see the comments).

/// Was exit 0 with `precious.txt` deleted: a manifest.json naming other files made `shard` delete
/// them.
#[test]
fn shard_leaves_files_it_did_not_write() {
    let dir = common::tempdir();
    let (g, _, _) = graphs(dir.path());
    let out = dir.path().join("s");
    let (g, out_s) = (g.to_str().unwrap(), out.to_str().unwrap());
    run_ok(&["shard", g, "--parts", "2", "-o", out_s]);
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("manifest.json"), manifest.replace("part-0.cgr", "precious.txt")).unwrap();
    let before = common::files_in(&out);
    refuse(&["shard", g, "--parts", "2", "-o", out_s], &["not a shard set costgraph wrote", "nothing was changed"]);
    assert_eq!(common::files_in(&out), before);
    assert_eq!(std::fs::read_to_string(out.join("precious.txt")).unwrap(), "keep me");
}

/// Was a hang: a FIFO (or `/dev/zero`) as the graph of a lone process.
#[test]
#[cfg(unix)]
fn a_fifo_or_a_device_is_refused_as_a_graph() {
    let dir = common::tempdir();
    let fifo = dir.path().join("g.cgr");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    refuse(
        &["run", "cc", "--impl", "union-find", fifo.to_str().unwrap()],
        &["a named pipe (FIFO)", "regular files only"],
    );
    let out = dir.path().join("z.cgr");
    refuse(&["convert", "/dev/zero", "--format", "el", "-o", out.to_str().unwrap()], &["a device"]);
}

/// Were panics (`UnexpectedEof` unwrapped in the decoder, a remainder by zero, a slice out of
/// range), an abort (a 240 GB window) leaving `.tmp` files, and 2.39 GB under `--memory 256M`.
#[test]
fn hostile_webgraph_files_get_one_error_and_leave_nothing() {
    let (dir, graph, _) = common::bvgraph();
    let properties = graph.with_extension("properties");
    let original = std::fs::read_to_string(&properties).unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = dir.path().join("out.cgr");
    let convert = |input: &Path| -> Vec<String> {
        let args = ["convert", input.to_str().unwrap(), "-o", out.to_str().unwrap()];
        let more = ["--memory", "256M", "--tmp", tmp.to_str().unwrap()];
        args.iter().chain(&more).map(|a| a.to_string()).collect()
    };
    let refuse =
        |args: Vec<String>, expect: &[&str]| refuse(&args.iter().map(String::as_str).collect::<Vec<_>>(), expect);
    let run_ok = |args: Vec<String>| run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    for (edit, expect) in [
        ("windowsize=10000000000", "windowsize=10000000000 is absurd"),
        ("windowsize=18446744073709551615", "windowsize"),
        ("windowsize=100000000", "windowsize"),
        ("minintervallength=0", "corrupt graph"),
        ("nodes=100000000", "cannot be coded"),
        ("arcs=7", "the arcs left"),
        ("arcs=20000", "declares 20000 arcs but the graph has"),
    ] {
        std::fs::write(&properties, format!("{original}\n{edit}\n")).unwrap();
        refuse(convert(&graph), &[expect]);
        assert!(!out.exists() && common::files_in(&tmp).is_empty(), "{:?}", common::files_in(dir.path()));
    }
    std::fs::write(&properties, &original).unwrap();
    let bytes = std::fs::read(&graph).unwrap();
    std::fs::write(&graph, &bytes[..bytes.len() / 2]).unwrap();
    refuse(convert(&graph), &["the .graph is truncated"]);
    // Without the `length` property, the decoder runs out of bits (a panic inside `webgraph`).
    let lengthless: String = original.lines().filter(|l| !l.starts_with("length")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&properties, &lengthless).unwrap();
    refuse(convert(&graph), &["corrupt"]);
    std::fs::write(&properties, &original).unwrap();
    std::fs::write(&graph, &bytes).unwrap();
    // Compressed: decompressed into --tmp, and gone afterwards, whether the graph is good or not.
    let zst = |path: &Path| {
        let packed = path.with_file_name(format!("{}.zst", path.file_name().unwrap().to_str().unwrap()));
        std::fs::write(&packed, zstd::encode_all(&std::fs::read(path).unwrap()[..], 3).unwrap()).unwrap();
        packed
    };
    let packed = zst(&graph);
    zst(&properties);
    run_ok(convert(&packed));
    assert!(out.exists() && common::files_in(&tmp).is_empty());
    std::fs::write(&properties, format!("{original}\nwindowsize=10000000000\n")).unwrap();
    zst(&properties);
    std::fs::remove_file(&out).unwrap();
    refuse(convert(&packed), &["windowsize"]);
    assert!(!out.exists() && common::files_in(&tmp).is_empty());
}

/// Were 1.1 GB under `convert --memory 64M` (a sparse id) and 1.2 GB for `info` (a dense bomb):
/// a 100 KB gzip that decompresses to 100 MB is refused at the budget.
#[test]
fn a_compressed_bomb_is_refused_at_the_budget() {
    use std::io::Write;
    let dir = common::tempdir();
    let bomb = dir.path().join("bomb.el.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&bomb).unwrap(), flate2::Compression::best());
    gz.write_all(b"0 100000000000\n").unwrap();
    for _ in 0..100 {
        gz.write_all(&b"0 1\n".repeat(256 << 10)).unwrap();
    }
    gz.finish().unwrap();
    let bomb = bomb.to_str().unwrap();
    let out = dir.path().join("b.cgr");
    refuse(&["convert", bomb, "-o", out.to_str().unwrap(), "--memory", "64M"], &["memory budget is 64.0 MiB"]);
    refuse(&["info", bomb, "--memory", "64M"], &["memory budget is 64.0 MiB"]);
    assert_eq!(common::files_in(dir.path()), ["bomb.el.gz"]);
}

/// Whether a process whose command line contains `marker` is running.
#[cfg(target_os = "linux")]
fn running(marker: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()).any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(marker))
    })
}

/// An external system that sleeps for `secs` (a marker no other process has) before it answers.
#[cfg(target_os = "linux")]
fn sleeping_external(dir: &Path, secs: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join(format!("slow-{secs}.sh"));
    std::fs::write(&script, format!("#!/bin/sh\nsleep {secs}\necho components: 1\n")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    serde_json::json!({
        "name": "slow", "problem": "cc", "format": "cgr", "cores": [1],
        "command": format!("{} {{graph}}", script.display()),
        "answer": {"components": {"regex": "components: (\\d+)"}},
    })
    .to_string()
}

/// Was a `sleep 1234` left under PID 1 after the external command timed out.
#[test]
#[cfg(target_os = "linux")]
fn a_timed_out_external_command_leaves_no_process() {
    let dir = common::tempdir();
    let (g, _, _) = graphs(dir.path());
    let out = dir.path().join("out");
    let spec = sleeping_external(dir.path(), "731.25");
    let args = ["cost", "cc", g.to_str().unwrap(), "--max-cores", "1", "--repeat", "1", "--warmup", "0"];
    let run = common::costgraph()
        .args(args)
        .args(["--timeout", "2", "--external", &spec, "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(!running("sleep 731.25"), "the external command's child outlived its timeout");
}

/// Was the child `costgraph run` (or the external command) still running after SIGTERM to `cost`.
#[test]
#[cfg(target_os = "linux")]
fn sigterm_to_cost_leaves_no_process_or_temporary_file() {
    let dir = common::tempdir();
    let (g, _, _) = graphs(dir.path());
    let out = dir.path().join("out");
    let spec = sleeping_external(dir.path(), "732.5");
    let args = ["cost", "cc", g.to_str().unwrap(), "--max-cores", "1", "--repeat", "1", "--warmup", "0"];
    let mut child = common::costgraph()
        .args(args)
        .args(["--timeout", "300", "--external", &spec, "--out", out.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !running("sleep 732.5") {
        assert!(start.elapsed().as_secs() < 60, "the external command never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped yet.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
    assert!(!running("sleep 732.5"), "the external command outlived SIGTERM to cost");
    if out.exists() {
        let left: Vec<String> = common::files_in(&out).into_iter().filter(|f| f.contains(".tmp")).collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

/// The pids of the running children of `parent`.
#[cfg(target_os = "linux")]
fn children_of(parent: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()) {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).map(str::trim).unwrap_or("");
        if field("PPid:") == parent.to_string() && !field("State:").starts_with('Z') {
            pids.push(pid);
        }
    }
    pids
}

/// Was both processes still running (and the temporary hostfile left) after SIGTERM to `cluster`.
#[test]
#[cfg(target_os = "linux")]
fn sigterm_to_cluster_ends_its_processes() {
    let dir = common::tempdir();
    let g = dir.path().join("k.cgr");
    run_ok(&["generate", "kron", "--scale", "14", "-o", g.to_str().unwrap()]);
    let mut cluster = common::costgraph()
        .args(["cluster", "--processes", "2", "run", "cc", "--impl", "timely-label-prop", "--repeat", "100000"])
        .arg(&g)
        .env("TMPDIR", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let processes = loop {
        let found = children_of(cluster.id());
        if found.len() == 2 {
            break found;
        }
        assert!(start.elapsed().as_secs() < 60, "the cluster's processes never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped yet.
    assert_eq!(unsafe { libc::kill(cluster.id() as i32, libc::SIGTERM) }, 0);
    assert_eq!(cluster.wait().unwrap().code(), Some(128 + libc::SIGTERM));
    std::thread::sleep(std::time::Duration::from_millis(200));
    for pid in processes {
        let state = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        assert!(state.is_empty() || state.contains("State:\tZ"), "process {pid} outlived SIGTERM to cluster");
    }
    assert_eq!(common::files_in(dir.path()), ["k.cgr"], "a temporary file was left");
}
