//! Clusters with a real network between the processes: one network namespace per process, each
//! with its own address on a private subnet, joined by veth pairs to a bridge in a namespace of its
//! own (so nothing touches the host's interfaces). Every implementation that runs on a cluster is
//! checked against the oracle across the namespaces, then with the links' rate limited by `tc tbf`,
//! and a peer cut off mid-run (its link down, or its process killed) must end the run with one
//! error line within 30 s.
//!
//! Needs root, `ip` and `tc`; skipped with the reason otherwise (CI runs as root). Everything
//! made here (processes, namespaces and with them their veths) is removed when a test ends, even
//! when it fails.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use costgraph::graph::Csr;
use costgraph::registry::{self, Entry, Implementation};

use crate::common::tempdir;
use crate::timely::{oracle_digest, random_graph, write};

/// The private subnet the namespaces share (it exists only inside them).
const SUBNET: &str = "10.213.0";

/// The port every process listens on (each namespace has its own ports).
const PORT: u16 = 2101;

/// The implementations that run as a cluster of processes (timely, and any other dataflow).
fn cluster_impls() -> impl Iterator<Item = &'static Implementation> {
    registry::all().iter().filter(|i| matches!(i.entry, Entry::Dataflow(_)))
}

/// Runs `ip`/`tc` with `args`; `Err` with its message when it fails.
pub(crate) fn sh(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program).args(args).output().map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{program} {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

pub(crate) fn sh_ok(program: &str, args: &[&str]) {
    sh(program, args).unwrap_or_else(|e| panic!("{e}"));
}

/// Why these tests cannot run here, if they cannot.
fn unsupported() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().nth(1));
    if euid != Some("0") {
        return Some("not running as root".into());
    }
    for program in ["ip", "tc"] {
        if Command::new(program).arg("-V").output().is_err() {
            return Some(format!("`{program}` is not installed (iproute2)"));
        }
    }
    None
}

/// `P` network namespaces `cg<pid><tag><i>` on a bridge in namespace `cg<pid><tag>sw`; process
/// `i` has address `10.213.0.<i+1>` on its `eth0`. Dropping it deletes the namespaces (and with
/// them the veths and the bridge).
pub(crate) struct Net {
    prefix: String,
    processes: usize,
    /// The namespaces made so far (deleted on drop, even after a failed setup).
    made: Vec<String>,
}

impl Net {
    /// A network of `processes` namespaces, or `None` (with the reason printed) when this machine
    /// cannot make one.
    pub(crate) fn new(tag: &str, processes: usize) -> Option<Net> {
        if let Some(reason) = unsupported() {
            eprintln!("note: skipping the network-namespace test: {reason}");
            return None;
        }
        let mut net = Net { prefix: format!("cg{}{tag}", std::process::id()), processes, made: Vec::new() };
        let hub = net.hub();
        if let Err(e) = sh("ip", &["netns", "add", &hub]) {
            eprintln!("note: skipping the network-namespace test: cannot make a namespace ({e})");
            return None;
        }
        net.made.push(hub.clone());
        sh_ok("ip", &["-n", &hub, "link", "add", "br0", "type", "bridge"]);
        sh_ok("ip", &["-n", &hub, "link", "set", "br0", "up"]);
        for i in 0..processes {
            let ns = net.namespace(i);
            sh_ok("ip", &["netns", "add", &ns]);
            net.made.push(ns.clone());
            let port = format!("p{i}");
            sh_ok("ip", &["-n", &hub, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", &ns]);
            sh_ok("ip", &["-n", &hub, "link", "set", &port, "master", "br0", "up"]);
            sh_ok("ip", &["-n", &ns, "addr", "add", &format!("{}/24", net.address(i)), "dev", "eth0"]);
            sh_ok("ip", &["-n", &ns, "link", "set", "eth0", "up"]);
            sh_ok("ip", &["-n", &ns, "link", "set", "lo", "up"]);
        }
        Some(net)
    }

    fn hub(&self) -> String {
        format!("{}sw", self.prefix)
    }

    pub(crate) fn namespace(&self, i: usize) -> String {
        format!("{}{i}", self.prefix)
    }

    pub(crate) fn address(&self, i: usize) -> String {
        format!("{SUBNET}.{}", i + 1)
    }

    /// Writes the hostfile of the processes' addresses.
    fn hostfile(&self, dir: &Path) -> PathBuf {
        let path = dir.join("hosts");
        let lines: Vec<String> = (0..self.processes).map(|i| format!("{}:{PORT}", self.address(i))).collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    }

    /// Limits the rate at which every namespace sends (so each link, both ways) with a token
    /// bucket: `rate` as `tc` writes it (`1gbit`), a burst of 5 ms at that rate (at least 128 KiB,
    /// above a segmentation-offload packet), packets queued for at most 50 ms.
    pub(crate) fn limit(&self, rate: &str, bits_per_sec: u64) {
        let burst = (bits_per_sec / 8 / 200).max(128 << 10).to_string();
        for i in 0..self.processes {
            let ns = self.namespace(i);
            sh_ok(
                "tc",
                &[
                    "-n", &ns, "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", rate, "burst", &burst, "latency",
                    "50ms",
                ],
            );
        }
    }

    /// Bytes process `i`'s namespace sent through its `eth0` (the link, not loopback).
    fn sent_bytes(&self, i: usize) -> u64 {
        let out =
            Command::new("ip").args(["-n", &self.namespace(i), "-s", "-j", "link", "show", "eth0"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("ip -j: {e}"));
        v[0]["stats64"]["tx"]["bytes"].as_u64().expect("tx bytes")
    }

    /// Starts `costgraph run PROBLEM --impl NAME ARGS GRAPH` as every process, each in its own
    /// namespace, its output going to files in `dir`.
    fn start(&self, dir: &Path, imp: &Implementation, graph: &Path, args: &[&str]) -> Peers {
        let hosts = self.hostfile(dir);
        let mut peers = Peers { children: Vec::new(), outputs: Vec::new() };
        for i in 0..self.processes {
            let (out, err) = (dir.join(format!("{}.{i}.out", imp.name)), dir.join(format!("{}.{i}.err", imp.name)));
            let child = Command::new("ip")
                .env("COSTGRAPH_CLUSTER_KEY", crate::common::TEST_KEY)
                .args(["netns", "exec", &self.namespace(i), env!("CARGO_BIN_EXE_costgraph")])
                .args(["run", imp.problem.name(), "--impl", imp.name])
                .args(["--processes", &self.processes.to_string(), "--process", &i.to_string()])
                .arg("--hostfile")
                .arg(&hosts)
                .args(args)
                .arg(graph)
                .stdin(Stdio::null())
                .stdout(File::create(&out).unwrap())
                .stderr(File::create(&err).unwrap())
                .spawn()
                .unwrap();
            peers.children.push(child);
            peers.outputs.push((out, err));
        }
        peers
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for ns in self.made.iter().rev() {
            if let Err(e) = sh("ip", &["netns", "del", ns]) {
                eprintln!("warning: {e}");
            }
        }
    }
}

/// The processes of one run (`ip netns exec` runs the program in place, so these are the
/// costgraph processes themselves). Dropping it kills and reaps those still running.
struct Peers {
    children: Vec<Child>,
    /// Each process's stdout and stderr files.
    outputs: Vec<(PathBuf, PathBuf)>,
}

/// How one process ended.
struct Ended {
    success: bool,
    stdout: String,
    stderr: String,
    /// Time from the wait's start to the exit (to within 20 ms).
    after: Duration,
}

impl Peers {
    /// Waits for process `i` for at most `limit` (then fails the test, the processes killed).
    fn wait(&mut self, i: usize, limit: Duration) -> Ended {
        let start = Instant::now();
        loop {
            if let Some(status) = self.children[i].try_wait().unwrap() {
                let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
                let (out, err) = &self.outputs[i];
                return Ended {
                    success: status.success(),
                    stdout: read(out),
                    stderr: read(err),
                    after: start.elapsed(),
                };
            }
            assert!(start.elapsed() < limit, "process {i} still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for every process; returns process 0's report (`run --json`) after checking that every
    /// process succeeded.
    fn report(&mut self, what: &str) -> serde_json::Value {
        let ended: Vec<Ended> = (0..self.children.len()).map(|i| self.wait(i, Duration::from_secs(60))).collect();
        for (i, e) in ended.iter().enumerate() {
            assert!(e.success, "{what}: process {i} failed: {}", e.stderr);
        }
        assert!(ended[1..].iter().all(|e| e.stdout.is_empty()), "{what}: only process 0 reports");
        serde_json::from_str(ended[0].stdout.trim()).unwrap_or_else(|e| panic!("{what}: {e}: {}", ended[0].stdout))
    }
}

impl Drop for Peers {
    fn drop(&mut self) {
        for child in &mut self.children {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

/// Runs every cluster implementation across `net` on `graph` and checks each answer against the
/// oracle: the exact digest for CC and MSF, the verifier for PageRank.
fn check_every_implementation(net: &Net, dir: &Path, csr: &Csr, graph: &Path, what: &str) {
    let mut checked = 0;
    for imp in cluster_impls() {
        let before = net.sent_bytes(1);
        let mut peers = net.start(dir, imp, graph, &["--workers", "2", "--json", "--verify"]);
        let what = format!("{} {what}", imp.name);
        let report = peers.report(&what);
        assert_eq!(report["processes"], net.processes as u64, "{what}");
        assert_eq!(report["verified"], true, "{what}: {report}");
        if let Some(digest) = oracle_digest(imp.problem, csr) {
            assert_eq!(report["digest"], digest.as_str(), "{what}: differs from the oracle");
        }
        let exchanged = report["bytes_exchanged"].as_u64().unwrap();
        assert!(exchanged > 0, "{what}: nothing exchanged");
        // The exchange went through the link of the namespace, not through a loopback.
        let sent = net.sent_bytes(1) - before;
        assert!(sent > 0, "{what}: process 1 sent nothing over its link");
        checked += 1;
    }
    assert!(checked >= 3, "the registry lists {checked} cluster implementations");
}

#[test]
fn cluster_implementations_equal_the_oracle_across_namespaces() {
    let Some(net) = Net::new("a", 3) else { return };
    let dir = tempdir();
    let csr = random_graph(21, 3000, 4000, false);
    let graph = write(dir.path(), "g.cgr", &csr);
    check_every_implementation(&net, dir.path(), &csr, &graph, "on 3 namespaces × 2 workers");
}

#[test]
fn a_rate_limited_network_still_gives_the_oracle_answer() {
    let Some(net) = Net::new("b", 2) else { return };
    net.limit("100mbit", 100_000_000);
    let dir = tempdir();
    let csr = random_graph(22, 3000, 4000, true);
    let graph = write(dir.path(), "g.cgr", &csr);
    check_every_implementation(&net, dir.path(), &csr, &graph, "on 2 namespaces limited to 100 Mbit/s");
    // The traffic went through the token bucket.
    let out =
        Command::new("tc").args(["-n", &net.namespace(1), "-s", "qdisc", "show", "dev", "eth0"]).output().unwrap();
    let stats = String::from_utf8_lossy(&out.stdout);
    assert!(stats.contains("tbf") && !stats.contains("Sent 0 bytes"), "{stats}");
}

/// Starts a long run (`--repeat` a million) across two namespaces, cuts process 1 off with `cut`
/// once the run is under way, and checks that process 0 ends with one `error:` line naming
/// process 1 within 30 s (and, when `isolated`, that process 1, still running but alone, does
/// too); returns how long process 0 took.
fn cut_off(tag: &str, isolated: bool, cut: impl FnOnce(&Net, &mut Peers)) -> Option<Duration> {
    let net = Net::new(tag, 2)?;
    let dir = tempdir();
    let graph = write(dir.path(), "g.cgr", &random_graph(23, 2000, 3000, true));
    let imp = registry::all().iter().find(|i| i.name == "timely-label-prop").expect("registered");
    let mut peers = net.start(dir.path(), imp, &graph, &["--repeat", "1000000", "--connect-timeout", "20"]);
    // Under way: the processes have connected and traffic flows over the link.
    let start = Instant::now();
    while net.sent_bytes(1) < 100_000 {
        assert!(start.elapsed() < Duration::from_secs(30), "the run did not start");
        assert!(peers.children.iter_mut().all(|c| c.try_wait().unwrap().is_none()), "a process ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    cut(&net, &mut peers);
    let ended = peers.wait(0, Duration::from_secs(30));
    let err = ended.stderr;
    assert!(!ended.success, "process 0 succeeded");
    assert!(err.starts_with("error:") && err.lines().count() == 1 && !err.contains("panicked"), "{err}");
    assert!(err.contains("process 1"), "{err}");
    eprintln!("note: process 0 of a cluster whose process 1 was cut off ({tag}) ended in {:?}: {err}", ended.after);
    if isolated {
        let other = peers.wait(1, Duration::from_secs(30));
        assert!(!other.success && other.stderr.starts_with("error:"), "{}", other.stderr);
        assert!(other.stderr.lines().count() == 1 && other.stderr.contains("process 0"), "{}", other.stderr);
    }
    Some(ended.after)
}

#[test]
fn a_peer_whose_link_goes_down_ends_the_run_within_30_s() {
    cut_off("c", true, |net, _| sh_ok("ip", &["-n", &net.hub(), "link", "set", "p1", "down"]));
}

#[test]
fn a_peer_killed_in_its_namespace_ends_the_run_within_30_s() {
    cut_off("d", false, |_, peers| {
        peers.children[1].kill().unwrap();
        peers.children[1].wait().unwrap();
    });
}
