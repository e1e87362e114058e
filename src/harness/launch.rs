//! Starting the processes of one cluster — on this machine, or one per machine through a launch
//! template (`ssh`, `srun`, `kubectl exec`, `ip netns exec`) — and waiting for them as one.
//!
//! Every process is `costgraph launched`, which reads a [`LaunchRequest`] (its arguments, the
//! run's key, the SHA-256 of the binary and files it must hold) as one line on its standard input,
//! checks what it must, prints one [`Started`] line (the host's facts, for the report's
//! provenance), runs, and ends as soon as its standard input closes. This process keeps every
//! pipe open while the cluster runs, so no process outlives it, however it ends: across ssh the
//! closed connection closes the pipe. The key thus never appears on a command line, in a file or
//! in an environment a template could print.
//!
//! [`run_cluster`] fails as soon as one process does, ending the others (their process groups),
//! and blames the right machine ([`Failure::host`]): one that never started (unreachable, or a
//! launch that failed), one that died, or the peer whose loss the others report.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::child::{Capture, ChildOutput, Failure, FailureKind, Input, Spawned, explain, spawn};
use super::provenance::HostFacts;
use super::template::{COMMAND, Placeholder, Template, plain_word, value};
use crate::dataflow::ClusterKey;
use crate::{Error, Result};

/// The subcommand every launched process runs.
pub const LAUNCHED: &str = "launched";

/// The placeholders of a launch template: `{host}` (the NAME of a hosts-file line) and
/// `{command}` (the costgraph command, plain words).
pub const LAUNCH_PLACEHOLDERS: [Placeholder; 2] = [value("host"), COMMAND];

/// The launch template used when none is given.
pub const DEFAULT_LAUNCH: &str = "ssh -o BatchMode=yes {host} {command}";

/// How long the others get to report after the first process of a cluster fails, so that the
/// failure is blamed on the process that caused it (a dead peer) rather than one that noticed.
const BLAME_GRACE: Duration = Duration::from_secs(3);

/// The most bytes of output kept per process.
const KEEP: usize = 64 << 20;

/// What a launched process reads on its standard input, as one JSON line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchRequest {
    /// The host's name, for messages.
    pub host: String,
    /// The costgraph arguments to run (after the program name).
    pub args: Vec<String>,
    /// The run's key, 64 hex digits.
    pub key: String,
    /// The SHA-256 the process's own binary must have, when the sweep staged it.
    #[serde(default)]
    pub binary_sha256: Option<String>,
    /// Files the process must find with these SHA-256 before it starts (its shard, the manifest).
    #[serde(default)]
    pub files: Vec<(PathBuf, String)>,
}

/// The first line a launched process prints on its standard output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Started {
    /// The host's facts.
    pub started: HostFacts,
}

/// How the processes of a cluster are started.
#[derive(Clone, Debug)]
pub enum Launch {
    /// On this machine: this costgraph executable.
    Local(PathBuf),
    /// Through a template, with the costgraph executable at `exe` on every machine.
    Template {
        /// The launch template.
        template: Template,
        /// The costgraph executable on the machines (plain words only).
        exe: String,
    },
}

impl Launch {
    /// A launch through the template `text` (default [`DEFAULT_LAUNCH`]), running `exe` there.
    pub fn template(text: Option<&str>, exe: &str) -> Result<Launch> {
        let template =
            Template::parse(text.unwrap_or(DEFAULT_LAUNCH), &LAUNCH_PLACEHOLDERS, &["host", "command"], "--launch")?;
        if !plain_word(exe) {
            return Err(Error::invalid(format!(
                "the costgraph executable {exe:?} is not a plain path (letters, digits and - _ . / : @ + , =): \
                 a launch template cannot pass it safely; move it, or stage it with --stage DIR"
            )));
        }
        Ok(Launch::Template { template, exe: exe.to_string() })
    }

    /// The command that starts the process for `host`, and how it reads in reports.
    fn command(&self, host: &str) -> Result<(Command, String)> {
        match self {
            Launch::Local(exe) => {
                let mut command = Command::new(exe);
                command.arg(LAUNCHED);
                Ok((command, format!("{} {LAUNCHED}", exe.display())))
            }
            Launch::Template { template, exe } => {
                let line = format!("{exe} {LAUNCHED}");
                let values = [("host", host), ("command", line.as_str())];
                Ok((template.command(&values)?, template.display(&values)))
            }
        }
    }
}

/// One process of a cluster: where it runs and what it checks and runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessPlan {
    /// The host's name (what `{host}` becomes; anything for a local launch).
    pub host: String,
    /// The costgraph arguments it runs.
    pub args: Vec<String>,
    /// The SHA-256 its binary must have, if checked.
    pub binary_sha256: Option<String>,
    /// Files it must find with these SHA-256.
    pub files: Vec<(PathBuf, String)>,
}

/// What a cluster that finished printed.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterOutput {
    /// Each process's output after its [`Started`] line, in process order.
    pub outputs: Vec<ChildOutput>,
    /// Each process's host facts, in process order.
    pub hosts: Vec<HostFacts>,
    /// How each process was started (the launch command, for reports).
    pub commands: Vec<String>,
}

/// A started process and what is known of it.
struct Running {
    spawned: Option<Spawned>,
    host: String,
    command: String,
    status: Option<std::process::ExitStatus>,
}

/// Starts every process of `processes` with `launch`, sends each its request with `key`, and
/// waits for all of them, at most `timeout`. Fails as soon as one fails (ending the others), with
/// the machine to blame.
pub fn run_cluster(
    launch: &Launch,
    processes: &[ProcessPlan],
    key: &ClusterKey,
    timeout: Duration,
) -> std::result::Result<ClusterOutput, Failure> {
    let start = Instant::now();
    let mut running: Vec<Running> = Vec::with_capacity(processes.len());
    for p in processes {
        let (command, shown) = launch.command(&p.host).map_err(|e| Failure::new(FailureKind::Error, e.to_string()))?;
        let mut spawned = spawn(command, Input::Pipe, &Capture::tail(KEEP), &shown)
            .map_err(|f| Failure::new(FailureKind::LaunchFailed, f.reason).on_host(&p.host))?;
        let request = LaunchRequest {
            host: p.host.clone(),
            args: p.args.clone(),
            key: key.to_hex(),
            binary_sha256: p.binary_sha256.clone(),
            files: p.files.clone(),
        };
        let line = serde_json::to_string(&request).expect("a request is plain data") + "\n";
        // A launcher that fails at once (a host that does not resolve) closes its input first.
        let _ = spawned.stdin().map(|input| input.write_all(line.as_bytes()).and_then(|()| input.flush()));
        running.push(Running { spawned: Some(spawned), host: p.host.clone(), command: shown, status: None });
    }
    let deadline = start + timeout;
    let mut first_failure: Option<Instant> = None;
    loop {
        for r in running.iter_mut().filter(|r| r.status.is_none()) {
            if let Some(spawned) = r.spawned.as_mut() {
                r.status = spawned.try_wait()?;
            }
        }
        let failed = running.iter().any(|r| r.status.is_some_and(|s| !s.success()));
        if failed && first_failure.is_none() {
            first_failure = Some(Instant::now());
        }
        let all_done = running.iter().all(|r| r.status.is_some());
        let blame_now = first_failure.is_some_and(|t| t.elapsed() >= BLAME_GRACE);
        if all_done || blame_now || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let timed_out = running.iter().any(|r| r.status.is_none()) && first_failure.is_none();
    // Collect every process's output (ending what still runs).
    let mut collected = Vec::with_capacity(running.len());
    for r in &mut running {
        let spawned = r.spawned.take().expect("each process is collected once");
        let (status, output) = spawned.wait_output(Duration::ZERO)?;
        collected.push(Exited {
            host: r.host.clone(),
            command: r.command.clone(),
            status: r.status.or(status),
            output,
        });
    }
    if timed_out {
        let slow: Vec<&str> = collected.iter().filter(|e| e.status.is_none()).map(|e| e.host.as_str()).collect();
        let failure = Failure::new(
            FailureKind::Timeout,
            format!("timed out after {} s (still running on {})", timeout.as_secs_f64(), slow.join(", ")),
        );
        return Err(match slow.first() {
            Some(h) => failure.on_host(h),
            None => failure,
        });
    }
    if first_failure.is_some() {
        return Err(blame(&collected));
    }
    let mut out = ClusterOutput { outputs: Vec::new(), hosts: Vec::new(), commands: Vec::new() };
    for e in collected {
        let (started, rest) = split_started(&e.output.stdout).ok_or_else(|| {
            Failure::new(FailureKind::LaunchFailed, "it printed no start line".to_string()).on_host(&e.host)
        })?;
        out.outputs.push(ChildOutput { stdout: rest, ..e.output });
        out.hosts.push(started.started);
        out.commands.push(e.command);
    }
    Ok(out)
}

/// A process of a cluster once it is over.
struct Exited {
    host: String,
    command: String,
    /// `None`: still running when it was ended.
    status: Option<std::process::ExitStatus>,
    output: ChildOutput,
}

/// The arguments that place process `process` of `addresses.len()` processes, each with
/// `workers` workers, at those addresses (appended to a `run` or `updates-process` command).
pub fn placement_args(workers: usize, process: usize, addresses: &[String]) -> Vec<String> {
    vec![
        "--workers".into(),
        workers.to_string(),
        "--processes".into(),
        addresses.len().to_string(),
        "--process".into(),
        process.to_string(),
        "--addresses".into(),
        addresses.join(","),
    ]
}

/// Runs `args` (a `run ...` or `updates-process ...` command) as a cluster of `processes`
/// processes of `workers` workers on this machine, with the executable `exe`, listening on
/// 127.0.0.1 from port `port` (free ports when `None`), with a new key. Process 0's output first.
pub fn local_cluster(
    exe: &std::path::Path,
    args: &[String],
    processes: usize,
    workers: usize,
    port: Option<u16>,
    timeout: Duration,
) -> std::result::Result<ClusterOutput, Failure> {
    let error = |e: Error| Failure::new(FailureKind::Error, e.to_string());
    let addresses = match port {
        Some(base) if base as usize + processes <= 1 << 16 => {
            (0..processes).map(|i| format!("127.0.0.1:{}", base as usize + i)).collect()
        }
        Some(base) => return Err(error(Error::invalid(format!("ports {base}+{processes} do not fit in 16 bits")))),
        None => free_addresses(processes).map_err(error)?,
    };
    let key = ClusterKey::generate().map_err(error)?;
    let plans: Vec<ProcessPlan> = (0..processes)
        .map(|i| ProcessPlan {
            host: format!("process {i}"),
            args: [args.to_vec(), placement_args(workers, i, &addresses)].concat(),
            binary_sha256: None,
            files: Vec::new(),
        })
        .collect();
    run_cluster(&Launch::Local(exe.to_path_buf()), &plans, &key, timeout)
}

/// `count` distinct free ports on 127.0.0.1 (asked from the OS, then released for the processes).
fn free_addresses(count: usize) -> Result<Vec<String>> {
    let listeners = (0..count)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::invalid(format!("cannot find free ports on 127.0.0.1: {e}")))?;
    listeners.iter().map(|l| l.local_addr().map(|a| a.to_string()).map_err(|e| Error::invalid(e.to_string()))).collect()
}

/// The first line of `stdout` as a [`Started`] record, and the rest.
fn split_started(stdout: &[u8]) -> Option<(Started, Vec<u8>)> {
    let end = stdout.iter().position(|&b| b == b'\n')?;
    let started: Started = serde_json::from_slice(&stdout[..end]).ok()?;
    Some((started, stdout[end + 1..].to_vec()))
}

/// The machine a failed cluster's failure belongs to: a process that never started (the host was
/// unreachable, or the launch failed: wrong path, a binary or file that is not the sweep's), one
/// that died by a signal, the peer whose loss the others report, else the first that failed.
fn blame(exited: &[Exited]) -> Failure {
    let failed: Vec<(&Exited, Failure)> = exited
        .iter()
        .filter(|e| e.status.is_some_and(|s| !s.success()))
        .map(|e| (e, explain(e.status, &e.output.stderr, None)))
        .collect();
    if let Some((e, f)) = failed.iter().find(|(e, _)| split_started(&e.output.stdout).is_none()) {
        let unreachable = e.status.and_then(|s| s.code()) == Some(255)
            || [
                "Could not resolve",
                "No route to host",
                "Connection refused",
                "Connection timed out",
                "Network is unreachable",
            ]
            .iter()
            .any(|m| f.reason.contains(m));
        let kind = if unreachable { FailureKind::Unreachable } else { FailureKind::LaunchFailed };
        return Failure::new(kind, f.reason.clone()).on_host(&e.host);
    }
    if let Some((e, f)) = failed.iter().find(|(e, _)| e.status.is_some_and(|s| signalled(&s))) {
        return Failure::new(FailureKind::PeerDied, f.reason.clone()).on_host(&e.host);
    }
    for (_, f) in &failed {
        if let Some(peer) = lost_peer(&f.reason)
            && let Some(e) = exited.get(peer)
        {
            return Failure::new(FailureKind::PeerDied, format!("process {peer} was lost: {}", f.reason))
                .on_host(&e.host);
        }
    }
    match failed.first() {
        Some((e, f)) => f.clone().on_host(&e.host),
        None => Failure::new(FailureKind::Error, "a process of the cluster failed"),
    }
}

#[cfg(unix)]
fn signalled(status: &std::process::ExitStatus) -> bool {
    std::os::unix::process::ExitStatusExt::signal(status).is_some() || status.code().is_some_and(|c| c > 128)
}

#[cfg(not(unix))]
fn signalled(_status: &std::process::ExitStatus) -> bool {
    false
}

/// The process index a survivor names as lost ("connection to process K lost", "process K ...
/// did not connect").
fn lost_peer(reason: &str) -> Option<usize> {
    let at = reason
        .find("connection to process ")
        .map(|i| i + "connection to process ".len())
        .or_else(|| reason.find("process(es) ").map(|i| i + "process(es) ".len()))?;
    reason[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_peers_are_read_from_the_survivors_errors() {
        assert_eq!(lost_peer("error: connection to process 2 lost (broken pipe)"), Some(2));
        assert_eq!(lost_peer("process(es) 1, 3 did not connect to process 0 within 20 s"), Some(1));
        assert_eq!(lost_peer("error: bad graph"), None);
    }

    #[test]
    fn a_launch_needs_a_plain_executable_and_a_sound_template() {
        assert!(Launch::template(None, "/opt/costgraph/bin/costgraph").is_ok());
        assert!(Launch::template(None, "/my dir/costgraph").is_err());
        assert!(Launch::template(Some("ssh {host}"), "/x").unwrap_err().to_string().contains("{command}"));
    }
}
