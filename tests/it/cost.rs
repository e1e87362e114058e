//! `costgraph cost` through the real binary. On a branch whose registry is still empty the sweep
//! must refuse clearly; once implementations are registered the same tests sweep them all.

use std::path::{Path, PathBuf};

use costgraph::graph::{BuildOptions, Csr, EdgeList};
use serde_json::Value;

use crate::common::{costgraph, run_err, run_ok, tempdir};

/// A small weighted undirected graph with a few components, written as `.cgr`.
fn tiny_graph(dir: &Path) -> PathBuf {
    let n = 2000u32;
    let edges: Vec<(u32, u32)> = (0..6000u32).map(|i| ((i * 7919) % n, (i * 104_729 + 13) % (n - 100))).collect();
    let weights: Vec<u32> = (0..6000u32).map(|i| 1 + (i * 31) % 255).collect();
    let csr =
        Csr::from_edges(&EdgeList::new(n as usize, edges, false).with_weights(weights), BuildOptions::undirected());
    let path = dir.join("tiny.cgr");
    costgraph::io::cgr::write(&csr, &path).unwrap();
    path
}

/// The registered implementations of `problem`: (name, kind).
fn registered(problem: &str) -> Vec<(String, String)> {
    let list: Value = serde_json::from_str(&run_ok(&["list", "--json"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|i| i["problem"] == problem)
        .map(|i| (i["name"].as_str().unwrap().to_string(), i["kind"].as_str().unwrap().to_string()))
        .collect()
}

fn sweep_args<'a>(graph: &'a str, out: &'a str) -> Vec<&'a str> {
    vec!["cost", "cc", graph, "--max-cores", "2", "--repeat", "2", "--warmup", "0", "--timeout", "120", "--out", out]
}

/// This process's umask (from `/proc/self/status`).
#[cfg(target_os = "linux")]
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

fn report_json(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// (implementation, kind, cores, processes) of every configuration a report lists, measured or
/// failed, sorted.
fn configurations(report: &Value) -> Vec<(String, String, u64, String)> {
    let mut all: Vec<(String, String, u64, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["measurements"].as_array().unwrap().iter().chain(p["failed"].as_array().unwrap()))
        .map(|m| {
            (
                m["implementation"].as_str().unwrap().to_string(),
                m["kind"].as_str().unwrap().to_string(),
                m["cores"].as_u64().unwrap(),
                m["layout"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn sweeps_every_registered_implementation_or_refuses_clearly() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let out = dir.path().join("report");
    let (graph, out_s) = (graph.to_str().unwrap(), out.to_str().unwrap());
    let implementations = registered("cc");
    if implementations.is_empty() {
        let err = run_err(&sweep_args(graph, out_s));
        assert!(err.contains("error: no implementations registered for cc"), "{err}");
        assert!(!out.exists(), "a refused sweep writes no report");
        return;
    }
    let stdout = run_ok(&sweep_args(graph, out_s));
    assert!(stdout.contains("status: ok"), "{stdout}");
    assert!(stdout.contains("[95 % CI]") && stdout.contains("] compute (median [95 % CI])"), "{stdout}");
    assert!(stdout.contains("warning: ") && stdout.contains("fewer than 6 runs"), "{stdout}");
    let report = report_json(&out);
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["status"], "ok");
    assert_eq!(report["policy"]["sampling"]["mode"], "fixed");
    assert_eq!(report["policy"]["sampling"]["runs"], 2);
    assert_eq!(report["graph"]["sha256"].as_str().unwrap().len(), 64);
    assert!(report["provenance"]["rustc"].as_str().unwrap().starts_with("rustc"));
    let problem = &report["problems"][0];
    let measurements = problem["measurements"].as_array().unwrap();
    for (name, kind) in &implementations {
        assert!(measurements.iter().any(|m| m["implementation"] == name.as_str()), "{name} was not swept");
        if kind != "single-thread" {
            let cost = problem["costs"].as_array().unwrap().iter().find(|c| c["implementation"] == name.as_str());
            let text = cost.unwrap()["verdict_text"].as_str().unwrap();
            assert!(text.contains(" at 1"), "{text}");
            assert!(stdout.contains(name.as_str()), "the COST table lists {name}");
        }
    }
    for m in measurements {
        assert_eq!(m["compute_secs"].as_array().unwrap().len(), 2);
        assert_eq!(m["agrees_with_baseline"], true);
        assert_eq!(m["stop"], "fixed");
        let c = &m["compute"];
        assert!(c["p90"].is_number() && m["digest"].as_str().unwrap().len() == 64);
        assert_eq!((&c["ci_low"], &c["ci_high"]), (&c["min"], &c["max"]), "two runs: the interval is the range");
    }
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * measurements.len());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("**Status: ok**") && md.contains("| implementation | kind | COST (compute) | verdicts"));
    assert!(md.starts_with("# costgraph COST report\n\n> **Warning:**"), "{md}");
    assert!(std::fs::read_to_string(out.join("scaling.svg")).unwrap().starts_with("<svg"));
    let journal = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), measurements.len(), "one journal line per configuration");
    #[cfg(target_os = "linux")]
    for name in ["report.json", "report.md", "runs.csv", "scaling.svg", "runs.jsonl"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask(), "{name}: mode {mode:o}, like any new file (0644 under umask 022)");
    }
}

#[test]
fn failed_configurations_are_recorded_and_the_sweep_goes_on() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let implementations = registered("cc");
    let Some((scalable, _)) = implementations.iter().find(|(_, kind)| kind != "single-thread") else {
        eprintln!("note: no scalable cc implementation registered yet; fault injection is covered by unit tests");
        return;
    };
    let cases = [
        ("wrong", "wrong answer: disagrees with the baseline"),
        ("crash", "crash: signal: 6 (SIGABRT)"),
        ("garbage", "error: printed something that is not a run report"),
        ("hang", "timeout: timed out after 3 s"),
    ];
    for (fault, reason) in cases {
        let out = dir.path().join(fault);
        let mut args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
        args[10] = "3"; // --timeout
        let run = costgraph().args(&args).env("COSTGRAPH_FAULT", format!("{fault}@{scalable}")).output().unwrap();
        assert_eq!(run.status.code(), Some(1), "{fault}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains("the report is partial"), "{fault}: {stderr}");
        let report = report_json(&out);
        assert_eq!(report["status"], "partial", "{fault}");
        let failures: Vec<&str> = report["failures"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        let expected = format!("cc {scalable} (1 thread): {reason}");
        assert!(failures.iter().any(|f| f.starts_with(&expected)), "{fault}: {failures:?}");
        assert!(failures.iter().all(|f| f.contains(scalable.as_str())), "only {scalable} failed: {failures:?}");
        // Everything else was measured and has its COST.
        let problem = &report["problems"][0];
        let baseline = problem["baseline"]["implementation"].as_str().unwrap();
        assert!(implementations.iter().any(|(n, k)| n == baseline && k == "single-thread"), "{fault}: {baseline}");
        for (name, kind) in implementations.iter().filter(|(n, k)| k != "single-thread" && n != scalable) {
            let costs = problem["costs"].as_array().unwrap();
            assert!(costs.iter().any(|c| c["implementation"] == name.as_str()), "{fault}: {name} ({kind}) has a COST");
        }
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(md.contains("**Status: partial**") && md.contains(&expected), "{fault}: {md}");
        let journal = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
        assert_eq!(journal.lines().count(), configurations(&report).len(), "failures are journaled too");
    }
}

/// A shell script at `dir/name` (made executable).
#[cfg(unix)]
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// An external system that is correct: it runs costgraph's own union-find on the `.cgr` input
/// (after `delay` seconds) and reports its compute times and component count through JSON.
#[cfg(unix)]
fn correct_external(dir: &Path, delay: &str) -> String {
    let exe = env!("CARGO_BIN_EXE_costgraph");
    let s =
        script(dir, "uf.sh", &format!("sleep {delay}\nexec '{exe}' run cc \"$1\" --impl union-find --repeat 2 --json"));
    serde_json::json!({
        "name": "uf-script", "problem": "cc", "format": "cgr", "cores": [1, 2],
        "command": format!("{} {{graph}} {{threads}}", s.display()),
        "time": {"json": "compute_secs"},
        "answer": {"components": {"json": "result.components"}},
    })
    .to_string()
}

#[test]
#[cfg(unix)]
fn external_systems_are_swept_verified_and_marked() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    if registered("cc").is_empty() {
        return;
    }
    let wrong =
        script(dir.path(), "wrong.sh", "test -s \"$1\" || exit 3\necho \"time: 0.001\"\necho \"components: 999999\"");
    let crash = script(dir.path(), "crash.sh", "kill -SEGV $$");
    let wrong_spec = serde_json::json!({
        "name": "wrong-cc", "problem": "cc", "format": "el", "cores": [1],
        "command": format!("{} {{graph}}", wrong.display()),
        "time": {"regex": "time: ([0-9.]+)"},
        "answer": {"components": {"regex": "components: (\\d+)"}},
    });
    let crash_spec = serde_json::json!({
        "name": "crash-cc", "problem": "cc", "command": format!("{} {{graph}} {{threads}}", crash.display()),
        "answer": "labels", "format": "el",
    });
    // `labels` needs {labels} in the command: refused before anything runs.
    let out = dir.path().join("refused");
    let mut args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
    let bad = crash_spec.to_string();
    args.extend(["--external", &bad]);
    let err = run_err(&args);
    assert!(err.contains("\"crash-cc\": answer \"labels\" needs {labels}"), "{err}");

    let crash_spec = serde_json::json!({
        "name": "crash-cc", "problem": "cc", "format": "el", "cores": [2],
        "command": format!("{} {{graph}} > {{labels}}", crash.display()), "answer": "labels",
    });
    let specs_file = dir.path().join("externals.json");
    std::fs::write(&specs_file, serde_json::json!([wrong_spec, crash_spec]).to_string()).unwrap();
    let correct = correct_external(dir.path(), "0");
    let out = dir.path().join("external");
    let mut args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
    let specs_path = specs_file.to_str().unwrap();
    args.extend(["--external", &correct, "--external", specs_path]);
    let run = costgraph().args(&args).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");
    let report = report_json(&out);
    assert_eq!(report["status"], "partial");
    let failures: Vec<&str> = report["failures"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures[0].starts_with("cc crash-cc (2 cores): crash: exit status: 139 (signal 11"), "{failures:?}");
    assert!(failures[1].starts_with("cc wrong-cc (1 core): wrong answer: disagrees with the baseline"), "{failures:?}");
    let problem = &report["problems"][0];
    let externals: Vec<&Value> =
        problem["measurements"].as_array().unwrap().iter().filter(|m| m["kind"] == "external").collect();
    assert_eq!(externals.len(), 3, "uf-script at 1 and 2 cores, wrong-cc at 1");
    for m in externals.iter().filter(|m| m["implementation"] == "uf-script") {
        assert_eq!(m["agrees_with_baseline"], true);
        assert_eq!(m["compute_secs"].as_array().unwrap().len(), 4, "two invocations × two trials each");
        assert!(m["command"].as_str().unwrap().contains("uf.sh"));
    }
    let cost = problem["costs"].as_array().unwrap().iter().find(|c| c["implementation"] == "uf-script").unwrap();
    assert_eq!(cost["kind"], "external");
    assert!(stdout.contains("uf-script") && stdout.contains("external"), "{stdout}");
    assert!(!problem["costs"].as_array().unwrap().iter().any(|c| c["implementation"] == "wrong-cc"));
    // The edge list was written once, into the report's cache, and is a real edge list.
    let inputs = crate::common::files_in(&out.join("inputs"));
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert!(inputs[0].ends_with(".el"));
    let el = std::fs::read_to_string(out.join("inputs").join(&inputs[0])).unwrap();
    assert!(el.lines().count() > 1000 && el.lines().all(|l| l.split_whitespace().count() == 2));
    let svg = std::fs::read_to_string(out.join("scaling.svg")).unwrap();
    assert!(svg.contains("uf-script (external)"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| crash-cc | external | 2 cores | 2 | **crash** |"), "{md}");
}

#[test]
#[cfg(unix)]
fn a_killed_sweep_resumes_where_it_stopped() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    if registered("cc").is_empty() {
        return;
    }
    // The slow external system (two core counts × two invocations × 0.4 s) keeps the sweep busy
    // after the built-in configurations, long enough to kill it in the middle.
    let slow = correct_external(dir.path(), "0.4");
    let graph = graph.to_str().unwrap();
    let sweep = |out: &Path| {
        let mut args: Vec<String> = sweep_args(graph, out.to_str().unwrap()).into_iter().map(String::from).collect();
        args.extend(["--external".to_string(), slow.clone()]);
        args
    };
    let killed = dir.path().join("killed");
    let mut child = costgraph().args(sweep(&killed)).stderr(std::process::Stdio::null()).spawn().unwrap();
    let journal = killed.join("runs.jsonl");
    let lines = || std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count());
    let start = std::time::Instant::now();
    while lines() < 4 {
        assert!(start.elapsed().as_secs() < 120, "no records after two minutes");
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended before it could be killed");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let kept = std::fs::read_to_string(&journal).unwrap();
    let kept: Vec<Value> = kept.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(!killed.join("report.json").exists(), "a killed sweep writes no report");

    let resumed = costgraph().args([sweep(&killed), vec!["--resume".into()]].concat()).output().unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{stderr}");
    let report = report_json(&killed);
    let total = configurations(&report).len();
    assert!(kept.len() >= 4 && kept.len() < total, "killed mid-way: {} of {total}", kept.len());
    // Baselines are measured again (every re-used record is checked against them); the rest is re-used.
    let baselines: Vec<String> = costgraph::registry::of(costgraph::registry::Problem::Cc)
        .filter(|i| i.kind == costgraph::registry::Kind::SingleThread)
        .map(|i| format!("cc {} (1 thread)", i.name))
        .collect();
    let kept: Vec<Value> =
        kept.into_iter().filter(|e| !baselines.iter().any(|b| e["configuration"] == b.as_str())).collect();
    assert!(stderr.contains(&format!("re-used {} of {total} configuration(s)", kept.len())), "{stderr}");
    // The re-used configurations keep their first figures.
    let measurements: Vec<&Value> =
        report["problems"].as_array().unwrap().iter().flat_map(|p| p["measurements"].as_array().unwrap()).collect();
    for entry in &kept {
        let described = entry["configuration"].as_str().unwrap();
        let m = measurements
            .iter()
            .find(|m| format!("cc {} ({})", m["implementation"].as_str().unwrap(), layout_label(m)) == described)
            .unwrap_or_else(|| panic!("{described} is in the resumed report"));
        assert_eq!(m["compute_secs"], entry["outcome"]["record"]["compute_secs"], "{described}");
    }
    // Same configurations as a sweep that was never interrupted.
    let whole = dir.path().join("whole");
    let run_whole = costgraph().args(sweep(&whole)).output().unwrap();
    assert!(run_whole.status.success(), "{}", String::from_utf8_lossy(&run_whole.stderr));
    assert_eq!(configurations(&report), configurations(&report_json(&whole)));
    // Another binary, graph or parameter re-uses nothing.
    let mut other = sweep(&killed);
    other[8] = "1".into(); // --warmup
    other.push("--resume".into());
    let other = costgraph().args(other).output().unwrap();
    assert!(String::from_utf8_lossy(&other.stderr).contains(&format!("re-used 0 of {total}")));
}

/// The layout label of a measurement in report.json (`2 threads`, `1 worker`, `2 × 1 worker`).
fn layout_label(m: &Value) -> String {
    let plural = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match m["layout"].as_str().unwrap() {
        "single-thread" => "1 thread".into(),
        "threads" => plural(m["threads"].as_u64().unwrap(), "thread"),
        "workers" => plural(m["workers"].as_u64().unwrap(), "worker"),
        "processes" => format!("{} × {}", m["processes"], plural(m["workers"].as_u64().unwrap(), "worker")),
        _ => plural(m["cores"].as_u64().unwrap(), "core"),
    }
}

#[test]
fn cost_refuses_bad_arguments() {
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--max-cores", "0"]);
    assert!(err.contains("--max-cores must be at least 1"), "{err}");
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--repeat", "often"]);
    assert!(err.contains("expected `auto` or a positive number"), "{err}");
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--precision", "5"]);
    assert!(err.contains("--precision must be a fraction"), "{err}");
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--external", "{\"name\":\"x\"}"]);
    assert!(err.contains("--external: missing field"), "{err}");
    let spec = r#"{"name":"union-find","problem":"cc","command":"x {graph}","answer":"labels"}"#;
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--external", spec]);
    assert!(err.contains("needs {labels}"), "{err}");
    let spec = r#"{"name":"union-find","problem":"cc","command":"x {graph} {labels}","answer":"labels"}"#;
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--external", spec]);
    assert!(err.contains("a registered cc implementation has that name"), "{err}");
    let spec =
        r#"{"name":"mine","problem":"msf","format":"wel","command":"x {graph}","answer":{"weight":{"json":"w"}}}"#;
    let err = run_err(&["cost", "cc", "/nonexistent/graph.cgr", "--external", spec]);
    assert!(err.contains("solves msf, which this sweep does not run"), "{err}");
}

#[test]
fn skipped_implementations_are_left_out_of_the_sweep_and_named_in_the_report() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let out = dir.path().join("report");
    let mut args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
    args[4] = "1"; // --max-cores
    args.extend(["--skip", "afforest,differential-cc"]);
    run_ok(&args);
    let report = report_json(&out);
    let names: Vec<String> = configurations(&report).into_iter().map(|(name, ..)| name).collect();
    assert!(names.iter().any(|n| n == "union-find"), "{names:?}");
    assert!(!names.iter().any(|n| n == "afforest" || n == "differential-cc"), "{names:?}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("left out (--skip): afforest, differential-cc"), "the report names what it left out");
}

#[test]
fn configurations_that_do_not_fit_are_left_out_and_named() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let out = dir.path().join("report");
    // Each process is estimated at 32 MiB plus 2 MiB per thread: 50M leaves out only the
    // two-process configurations (68 MiB).
    let mut args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
    args.extend([
        "--skip",
        "differential-cc,differential-cc-min",
        "--model",
        "machines=1,4 gbit=10 latency=0.05",
        "--memory",
        "50M",
    ]);
    let done = costgraph().args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(stderr.contains("leaving out") && stderr.contains("2 × 1 worker"), "{stderr}");
    let report = report_json(&out);
    let all = configurations(&report);
    assert!(all.iter().any(|(name, ..)| name == "timely-union-find"), "{all:?}");
    assert!(all.iter().all(|(.., processes)| !processes.contains("processes")), "{all:?}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("left out (does not fit in memory)"), "the report names what it left out");
    // The capacity model: each timely implementation on 1 and 4 machines, from its one-worker
    // compute and its traffic at 2 workers.
    assert!(md.contains("Capacity model") && md.contains("Estimated COST of cc timely-union-find"), "{md}");
    let cc = &report["problems"][0];
    let cores = report["provenance"]["machine"]["cores"].as_u64().unwrap();
    let rows = report["model"]["rows"].as_array().unwrap();
    for name in ["timely-label-prop", "timely-union-find"] {
        let one_worker = cc["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["implementation"] == name && m["cores"] == 1)
            .unwrap();
        let two =
            cc["measurements"].as_array().unwrap().iter().find(|m| m["implementation"] == name && m["cores"] == 2);
        let bytes = two.unwrap()["traffic"]["bytes_exchanged"].as_f64().unwrap();
        assert!(bytes > 0.0, "{name} exchanged nothing at 2 workers");
        let mine: Vec<&Value> = rows.iter().filter(|r| r["implementation"] == name).collect();
        assert_eq!(mine.len(), 2, "{name}: {rows:?}");
        for r in mine {
            let machines = r["machines"].as_f64().unwrap();
            assert_eq!(r["cores"].as_u64().unwrap(), machines as u64 * cores);
            let (t1, t2) = (
                one_worker["compute"]["median"].as_f64().unwrap(),
                two.unwrap()["compute"]["median"].as_f64().unwrap(),
            );
            let efficiency = (t1 / (2.0 * t2)).min(1.0);
            assert!((r["efficiency"].as_f64().unwrap() - efficiency).abs() < 1e-12, "{r}");
            let compute = t1 / (machines * cores as f64 * efficiency);
            assert!((r["compute_secs"].as_f64().unwrap() - compute).abs() < 1e-12, "{r}");
            let network = 2.0 * bytes * (machines - 1.0) / (machines * machines * 10e9 / 8.0);
            assert!((r["network_secs"].as_f64().unwrap() - network).abs() < 1e-12, "{r}");
            let total = r["compute_secs"].as_f64().unwrap() + network + r["latency_secs"].as_f64().unwrap();
            assert!((r["total_secs"].as_f64().unwrap() - total).abs() < 1e-12, "{r}");
        }
    }
    // Below the baseline's own estimate nothing can be compared: one clear error.
    *args.last_mut().unwrap() = "20M";
    let err = run_err(&args);
    assert!(err.contains("single-thread baseline") && err.contains("--force"), "{err}");
    // --force runs every configuration, and its children skip their own check too.
    args.push("--force");
    run_ok(&args);
    let report = report_json(&out);
    assert!(configurations(&report).iter().any(|(.., layout)| layout == "processes"), "the 2-process runs ran");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("--impl union-find --warmup 0 --json --verify --force"), "{md}");
}

/// Was "msf needs edge weights but the graph has none" before anything ran: `cost all` on an
/// unweighted graph sweeps what it can and says in the report what it left out.
#[test]
fn cost_all_on_an_unweighted_graph_leaves_msf_out_and_says_so() {
    let dir = tempdir();
    let g = dir.path().join("u.cgr");
    run_ok(&["generate", "kron", "--scale", "7", "-o", g.to_str().unwrap()]);
    let out = dir.path().join("out");
    let (g, out_s) = (g.to_str().unwrap(), out.to_str().unwrap());
    let args = ["cost", "all", g, "--max-cores", "1", "--repeat", "1", "--warmup", "0", "--out", out_s];
    run_ok(&args);
    let report = report_json(&out);
    let problems: Vec<&str> =
        report["problems"].as_array().unwrap().iter().map(|p| p["problem"].as_str().unwrap()).collect();
    assert_eq!(problems, ["cc", "pagerank"]);
    assert!(report["left_out"][0].as_str().unwrap().starts_with("msf: "), "{}", report["left_out"]);
    assert!(std::fs::read_to_string(out.join("report.md")).unwrap().contains("Left out: msf"));
    // Asked for alone, it is still an error.
    let err = run_err(&["cost", "msf", g, "--out", dir.path().join("msf").to_str().unwrap()]);
    assert!(err.contains("has no edge weights"), "{err}");
}

/// The README's external-system example parses as written, with formats that carry every node.
#[test]
fn the_readme_external_example_parses() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```json\n[{ \"name\": \"gapbs-cc\"").expect("the example") + "```json\n".len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let specs = costgraph::harness::external::ExternalSpec::parse_all(block).unwrap();
    assert_eq!(specs.len(), 2);
    for spec in &specs {
        assert!(spec.check().is_ok());
        assert!(matches!(
            spec.format,
            costgraph::harness::external::InputFormat::Gapbs | costgraph::harness::external::InputFormat::Gbbs
        ));
    }
}

/// An external system fed Matrix Market gets every node (isolated ones too): costgraph itself,
/// reading the `.mtx` the sweep wrote, agrees with the baseline.
#[test]
#[cfg(unix)]
fn an_external_system_fed_matrix_market_sees_every_node() {
    let dir = tempdir();
    let graph = tiny_graph(dir.path());
    let exe = env!("CARGO_BIN_EXE_costgraph");
    let s = script(dir.path(), "mtx.sh", &format!("exec '{exe}' run cc \"$1\" --impl union-find --json"));
    let spec = serde_json::json!({
        "name": "mtx-cc", "problem": "cc", "format": "mtx", "cores": [1],
        "command": format!("{} {{graph}}", s.display()),
        "time": {"json": "compute_secs"},
        "answer": {"components": {"json": "result.components"}},
    })
    .to_string();
    let out = dir.path().join("out");
    let mut args = sweep_args(graph.to_str().unwrap(), out.to_str().unwrap());
    args.extend([
        "--external",
        &spec,
        "--skip",
        "label-prop,label-prop-par,afforest,boruvka-cc,timely-label-prop,timely-union-find,differential-cc,differential-cc-min",
    ]);
    run_ok(&args);
    let report = report_json(&out);
    let external = report["problems"][0]["measurements"].as_array().unwrap().iter().find(|m| m["kind"] == "external");
    assert_eq!(external.unwrap()["agrees_with_baseline"], true);
    let inputs: Vec<String> = crate::common::files_in(&out.join("inputs"));
    assert!(inputs.iter().any(|f| f.ends_with(".mtx")), "{inputs:?}");
}
