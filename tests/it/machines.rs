//! COST sweeps across machines (`cost --hosts`): network namespaces on a bridge stand in for the
//! machines, reached with `ip netns exec {host} {command}` or through a real `sshd` started in
//! each namespace with a key the test makes (the default `--launch`, `ssh` and `scp`, run in a
//! private mount namespace whose `~/.ssh` is the test's). A machine killed mid-sweep is named in
//! the report, and with `--replicas 2` its share moves to a replica; nothing is left running.
//!
//! Needs root, `ip`, and for the ssh test `sshd`, `ssh-keygen` and `unshare`; skipped with the
//! reason otherwise (CI installs them and runs as root).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::tempdir;
use crate::netns::Net;
use crate::timely::{oracle_digest, random_graph, write};

/// Hosts file lines `ADDRESS NAME` for the namespaces of `net` (NAME = the namespace).
fn hosts_file(net: &Net, dir: &Path, count: usize, by_name: bool) -> PathBuf {
    let path = dir.join("hosts");
    let lines: Vec<String> = (0..count)
        .map(|i| if by_name { format!("{} {}", net.address(i), net.namespace(i)) } else { net.address(i) })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// `costgraph cost cc GRAPH` with only `timely-union-find` among the scalable ones, 3 runs each,
/// one core here, and `extra`.
fn sweep_args(graph: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let skip = "label-prop-par,afforest,boruvka-cc,timely-label-prop,differential-cc,differential-cc-min";
    let mut args: Vec<String> = ["cost", "cc", graph.to_str().unwrap(), "--repeat", "3", "--max-cores", "1"]
        .into_iter()
        .map(String::from)
        .collect();
    args.extend(["--skip", skip, "--out", out.to_str().unwrap(), "--workers-per-machine", "1"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn report(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// The measurements of `report` on machines: (machines, agrees, hosts named, retried).
fn on_machines(report: &serde_json::Value) -> Vec<(u64, bool, Vec<String>, Option<serde_json::Value>)> {
    report["problems"][0]["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["layout"] == "machines")
        .map(|m| {
            let hosts = m["hosts"]
                .as_array()
                .map_or(Vec::new(), |h| h.iter().map(|x| x["host"].as_str().unwrap_or_default().to_string()).collect());
            (m["machines"].as_u64().unwrap(), m["agrees_with_baseline"] == true, hosts, m.get("retry").cloned())
        })
        .collect()
}

/// Whether any process runs in any namespace of `net`'s first `count`.
fn nothing_left(net: &Net, count: usize) -> Result<(), String> {
    for i in 0..count {
        let out = Command::new("ip").args(["netns", "pids", &net.namespace(i)]).output().unwrap();
        let pids = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !pids.is_empty() {
            return Err(format!("still running in {}: {pids}", net.namespace(i)));
        }
    }
    Ok(())
}

#[test]
fn a_sweep_over_three_namespace_machines_is_measured_and_verified() {
    let Some(net) = Net::new("m", 3) else { return };
    let dir = tempdir();
    let csr = random_graph(41, 3000, 9000, true);
    let graph = write(dir.path(), "g.cgr", &csr);
    let hosts = hosts_file(&net, dir.path(), 3, true);
    let out = dir.path().join("report");
    let mut args = sweep_args(&graph, &out, &["--machines", "1,2,3", "--launch", "ip netns exec {host} {command}"]);
    args.extend(["--hosts".into(), hosts.to_str().unwrap().into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stdout = crate::common::run_ok(&args);
    assert!(stdout.contains("on machines: COST"), "{stdout}");
    let r = report(&out);
    assert_eq!(r["status"], "ok", "{}", r["failures"]);
    let measured = on_machines(&r);
    let counts: Vec<u64> = measured.iter().map(|m| m.0).collect();
    assert_eq!(counts, [1, 2, 3], "{measured:?}");
    for (machines, agrees, hosts, retry) in &measured {
        assert!(agrees, "{machines} machines disagree with the baseline");
        assert_eq!(hosts.len(), *machines as usize, "one host's facts per machine");
        assert!(retry.is_none());
    }
    let facts =
        &r["problems"][0]["measurements"].as_array().unwrap().iter().find(|m| m["machines"] == 3).unwrap()["hosts"][2];
    assert_eq!(facts["host"], net.namespace(2).as_str());
    assert!(facts["binary_sha256"].as_str().unwrap().len() == 64 && facts["machine"]["cores"].as_u64().unwrap() >= 1);
    let cost = &r["problems"][0]["costs"][0];
    assert_eq!(cost["implementation"], "timely-union-find");
    assert!(cost["machines"]["text"].is_string(), "COST in machines: {cost}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| timely-union-find | timely | 3 machines × 1 worker |"), "{md}");
    assert!(md.contains("Machines (as each process reported itself"));
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(",machines,"));
    let oracle = oracle_digest(costgraph::registry::Problem::Cc, &csr).unwrap();
    assert_eq!(r["problems"][0]["baseline"]["digest"], oracle.as_str());
    nothing_left(&net, 3).unwrap();
}

/// Kills every costgraph process that appears in namespace `ns` until `stop`.
fn keep_killing(ns: String, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut killed = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let out = Command::new("ip").args(["netns", "pids", &ns]).output().unwrap();
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", pid]).status();
                killed += 1;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        killed
    })
}

#[test]
fn a_lost_machine_is_named_and_a_replica_serves_its_share() {
    let Some(net) = Net::new("k", 3) else { return };
    let dir = tempdir();
    let csr = random_graph(42, 20_000, 80_000, true);
    let graph = write(dir.path(), "g.cgr", &csr);
    let hosts = hosts_file(&net, dir.path(), 3, true);
    let lost = net.namespace(1);
    for replicas in ["1", "2"] {
        let out = dir.path().join(format!("report-{replicas}"));
        let mut args = sweep_args(&graph, &out, &["--machines", "2", "--launch", "ip netns exec {host} {command}"]);
        args.extend(["--hosts", hosts.to_str().unwrap(), "--replicas", replicas].map(String::from));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let killer = keep_killing(lost.clone(), std::sync::Arc::clone(&stop));
        let run = crate::common::costgraph().args(&args).output().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(killer.join().unwrap() >= 1, "the process on {lost} was never seen");
        let stderr = String::from_utf8_lossy(&run.stderr);
        let r = report(&out);
        if replicas == "1" {
            assert!(!run.status.success(), "a lost machine makes the report partial");
            let failure = r["problems"][0]["failed"][0]["failure"].clone();
            assert_eq!(failure["host"], lost.as_str(), "{failure} {stderr}");
            assert!(
                ["peer-died", "launch-failed", "unreachable"].contains(&failure["kind"].as_str().unwrap()),
                "{failure}"
            );
        } else {
            assert!(run.status.success(), "{stderr}");
            let measured = on_machines(&r);
            assert_eq!(measured.len(), 1, "{measured:?}");
            let (_, agrees, hosts, retry) = &measured[0];
            assert!(agrees);
            let retry = retry.as_ref().expect("the configuration says it was retried");
            assert_eq!(retry["lost"], lost.as_str());
            assert_eq!(retry["served_by"], net.namespace(2).as_str());
            assert!(hosts.contains(&net.namespace(2)) && !hosts.contains(&lost), "{hosts:?}");
            let md = std::fs::read_to_string(out.join("report.md")).unwrap();
            assert!(md.contains("**Retried:**") && md.contains(&lost), "{md}");
        }
        nothing_left(&net, 3).unwrap();
    }
}

/// Why the ssh test cannot run here, if it cannot.
fn ssh_unsupported() -> Option<String> {
    for tool in ["/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/unshare", "/usr/bin/ssh", "/usr/bin/scp"] {
        if !Path::new(tool).exists() {
            return Some(format!("{tool} is not installed"));
        }
    }
    None
}

/// An sshd in each namespace of `net`, accepting the key `id` for root; ended on drop.
struct Sshds {
    children: Vec<Child>,
}

impl Drop for Sshds {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start_sshds(net: &Net, count: usize, dir: &Path) -> Sshds {
    let keygen = |path: &Path| {
        let ok = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(path).status().unwrap();
        assert!(ok.success());
    };
    keygen(&dir.join("host_key"));
    std::fs::create_dir_all("/run/sshd").unwrap();
    let mut sshds = Sshds { children: Vec::new() };
    for i in 0..count {
        let config = dir.join(format!("sshd_config{i}"));
        let text = format!(
            "ListenAddress {}:22\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
             Subsystem sftp internal-sftp\nLogLevel ERROR\n",
            net.address(i),
            dir.join("host_key").display(),
            dir.join("home/.ssh/authorized_keys").display(),
            dir.join(format!("sshd{i}.pid")).display(),
        );
        std::fs::write(&config, text).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &net.namespace(i), "/usr/sbin/sshd", "-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        sshds.children.push(child);
    }
    sshds
}

/// The home folder of root, whose `.ssh` ssh reads (from the password database, not `$HOME`).
fn root_home() -> String {
    std::fs::read_to_string("/etc/passwd")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("root:").and_then(|r| r.split(':').nth(4)).map(String::from))
        .unwrap_or_else(|| "/root".into())
}

#[test]
fn a_staged_sweep_through_ssh_checks_every_machine_s_files() {
    // Namespaces 0 to 2 are the machines; the sweep runs in namespace 3, on the same network.
    let Some(net) = Net::new("s", 4) else { return };
    if let Some(why) = ssh_unsupported() {
        eprintln!("note: skipping the ssh test: {why}");
        return;
    }
    let dir = tempdir();
    // The client's home: ~/.ssh with the key and a config that trusts the test's sshds.
    let fake_home = dir.path().join("home");
    let ssh = fake_home.join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let ok =
        Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(ssh.join("id_ed25519")).status();
    assert!(ok.unwrap().success());
    std::fs::copy(ssh.join("id_ed25519.pub"), ssh.join("authorized_keys")).unwrap();
    let home = root_home();
    std::fs::write(
        ssh.join("config"),
        format!(
            "Host *\n  IdentityFile {home}/.ssh/id_ed25519\n  StrictHostKeyChecking no\n  \
             UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  ConnectTimeout 5\n"
        ),
    )
    .unwrap();
    let sshds = start_sshds(&net, 3, dir.path());
    let csr = random_graph(43, 5000, 15000, true);
    let graph = write(dir.path(), "g.cgr", &csr);
    let hosts = hosts_file(&net, dir.path(), 3, false);
    let stage = dir.path().join("stage");
    // Wait for the sshds to listen (each writes its pid file once it does).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(0..3).all(|i| dir.path().join(format!("sshd{i}.pid")).is_file()) {
        assert!(Instant::now() < deadline, "the sshds did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let run_sweep = |out: &Path, copy: Option<&str>| {
        let mut args = sweep_args(&graph, out, &["--machines", "1,3"]);
        args.extend(["--hosts", hosts.to_str().unwrap(), "--stage", stage.to_str().unwrap()].map(String::from));
        if let Some(copy) = copy {
            args.extend(["--copy".to_string(), copy.to_string()]);
        }
        // A private mount namespace whose home is the test's, so that the default --launch and
        // --copy (ssh, scp) use its key and trust its sshds; the real ~/.ssh is untouched.
        let script = format!("mount --bind {} {home} && exec \"$0\" \"$@\"", fake_home.display());
        Command::new("ip")
            .args(["netns", "exec", &net.namespace(3), "unshare", "--mount", "--propagation", "private", "sh", "-c"])
            .args([&script, env!("CARGO_BIN_EXE_costgraph")])
            .args(&args)
            .output()
            .unwrap()
    };
    let out = dir.path().join("report");
    let run = run_sweep(&out, None);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let measured = on_machines(&report(&out));
    assert_eq!(measured.iter().map(|m| m.0).collect::<Vec<_>>(), [1, 3]);
    assert!(measured.iter().all(|m| m.1), "every machine configuration agrees with the baseline");
    assert!(
        std::fs::read_dir(&stage).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with("costgraph-"))
    );
    // A copy that spoils the second machine's shard of the 3-way cut: that machine refuses it.
    let spoiled = dir.path().join("spoiled");
    let copy = "scp -q -o BatchMode=yes {src} {host}:{dst} && case {dst} in *-3/part-1.cgr) printf x >> {dst};; esac";
    let run = run_sweep(&spoiled, Some(copy));
    assert!(!run.status.success());
    let r = report(&spoiled);
    let failure = &r["problems"][0]["failed"][0]["failure"];
    assert_eq!(failure["host"], net.address(1).as_str(), "{failure}");
    assert_eq!(failure["kind"], "launch-failed", "{failure}");
    assert!(failure["reason"].as_str().unwrap().contains("not the sweep's"), "{failure}");
    drop(sshds);
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Err(e) = nothing_left(&net, 4) {
        assert!(Instant::now() < deadline, "{e}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
