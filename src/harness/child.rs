//! Child processes, each the leader of its own process group, registered so that an
//! interrupted costgraph ends it ([`crate::cleanup`]): [`spawn`] starts one with its output
//! collected in bounded buffers (the last [`Capture::keep`] bytes of each stream, and every line
//! offered to an optional scanner, so that a command printing gigabytes costs no more memory than
//! one that prints a line); [`Spawned::finish`] waits for it with a time limit and ends its group,
//! whatever of it is still running, whether it finished, failed or timed out; [`run_child`] does
//! both. [`Failure`] says how a child failed: crash, timeout, out of memory, wrong answer, a host
//! that was unreachable, a launch that failed, a peer that died, or another error, with the tail
//! of its stderr.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::cleanup::ProcessGroup;

/// How long output is still awaited from the pipes of a child that was killed.
pub const GRACE: Duration = Duration::from_secs(2);

/// Longest line offered to a [`Scan`] (a longer one is skipped).
pub const MAX_SCANNED_LINE: usize = 1 << 20;

/// A consumer of a child's output lines (stdout and stderr both), as they arrive.
pub type Scan = Arc<Mutex<dyn FnMut(&str) + Send>>;

/// What to keep of a child's output.
#[derive(Clone)]
pub struct Capture {
    /// Bytes kept from the end of each stream.
    pub keep: usize,
    /// Offered every complete line of either stream.
    pub scan: Option<Scan>,
}

impl Capture {
    /// The last `keep` bytes of each stream, no scanner.
    pub fn tail(keep: usize) -> Capture {
        Capture { keep, scan: None }
    }
}

/// The last `lines` lines of `text`, for error messages.
pub(super) fn tail(text: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(text);
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// One stream as collected: its last bytes and whether earlier ones were dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// The last [`Capture::keep`] bytes.
    pub bytes: Vec<u8>,
    /// True when the stream was longer than what is kept.
    pub truncated: bool,
}

/// Reads a child's stream to the end on a thread, keeping its last `capture.keep` bytes and
/// offering each line to the scanner; the receiver gets the result once the stream closes.
fn collect(stream: Option<impl Read + Send + 'static>, capture: &Capture) -> Receiver<Collected> {
    let (send, receive) = channel();
    let (keep, scan) = (capture.keep, capture.scan.clone());
    std::thread::spawn(move || {
        let mut out = Collected::default();
        let mut line: Vec<u8> = Vec::new();
        let mut buffer = vec![0u8; 1 << 16];
        if let Some(mut s) = stream {
            while let Ok(n) = s.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let chunk = &buffer[..n];
                out.bytes.extend_from_slice(chunk);
                if out.bytes.len() > keep.saturating_mul(2).max(1 << 16) {
                    let drop = out.bytes.len() - keep;
                    out.bytes.drain(..drop);
                    out.truncated = true;
                }
                if let Some(scan) = &scan {
                    for &b in chunk {
                        if b == b'\n' {
                            if line.len() <= MAX_SCANNED_LINE {
                                let mut f = scan.lock().unwrap_or_else(|e| e.into_inner());
                                f(&String::from_utf8_lossy(&line));
                            }
                            line.clear();
                        } else if line.len() <= MAX_SCANNED_LINE {
                            line.push(b);
                        }
                    }
                }
            }
        }
        if let Some(scan) = &scan
            && !line.is_empty()
            && line.len() <= MAX_SCANNED_LINE
        {
            let mut f = scan.lock().unwrap_or_else(|e| e.into_inner());
            f(&String::from_utf8_lossy(&line));
        }
        if out.bytes.len() > keep {
            let drop = out.bytes.len() - keep;
            out.bytes.drain(..drop);
            out.truncated = true;
        }
        let _ = send.send(out);
    });
    receive
}

/// How a configuration failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// Ended by a signal (a panic that aborts, a segfault).
    Crash,
    /// Ran past the time limit and was killed.
    Timeout,
    /// Ran out of memory: an allocation failed, or the kernel's OOM killer sent SIGKILL.
    OutOfMemory,
    /// Finished with an answer that is wrong: its verifier failed, or it disagrees with the
    /// baseline.
    Wrong,
    /// A machine of the cluster could not be reached (its launcher, such as ssh, could not
    /// connect to it).
    Unreachable,
    /// The launcher ran but the costgraph process did not start on the machine (wrong path, a
    /// binary or shard that is not the sweep's).
    LaunchFailed,
    /// A process of the cluster died or lost its connection while the others ran.
    PeerDied,
    /// Any other failure: a non-zero exit, output that is not a report, a command that cannot start.
    Error,
}

impl FailureKind {
    /// In words, for reports.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Crash => "crash",
            FailureKind::Timeout => "timeout",
            FailureKind::OutOfMemory => "out of memory",
            FailureKind::Wrong => "wrong answer",
            FailureKind::Unreachable => "unreachable",
            FailureKind::LaunchFailed => "launch failed",
            FailureKind::PeerDied => "peer died",
            FailureKind::Error => "error",
        }
    }
}

/// Why a configuration has no figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// The reason in words, with the tail of the child's stderr.
    pub reason: String,
    /// The machine at fault, when a cluster of machines failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Failure {
    /// A failure of `kind` for `reason`.
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Failure {
        Failure { kind, reason: reason.into(), host: None }
    }

    /// The same failure, blamed on the machine `host`.
    pub fn on_host(mut self, host: &str) -> Failure {
        self.host = Some(host.to_string());
        self
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.host {
            Some(host) => write!(f, "{} (host {host}): {}", self.kind.name(), self.reason),
            None => write!(f, "{}: {}", self.kind.name(), self.reason),
        }
    }
}

/// What a finished child printed, and how long it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildOutput {
    /// Its standard output (the last [`Capture::keep`] bytes).
    pub stdout: Vec<u8>,
    /// Its standard error (likewise).
    pub stderr: Vec<u8>,
    /// True when either stream was longer than what was kept.
    pub truncated: bool,
    /// Wall-clock time from start to exit.
    pub wall: Duration,
}

/// What a child reads on its standard input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Nothing (`/dev/null`).
    Null,
    /// A pipe the caller writes through [`Spawned::stdin`], held open while the child runs: a
    /// costgraph child started with `--lifeline` ends when it closes, so it never outlives this
    /// process, even one killed outright.
    Pipe,
}

/// A running child: the leader of its own process group, ended when this is dropped.
pub struct Spawned {
    child: std::process::Child,
    group: ProcessGroup,
    stdin: Option<std::process::ChildStdin>,
    stdout: Receiver<Collected>,
    stderr: Receiver<Collected>,
    start: Instant,
    what: String,
}

/// Starts `command` as the leader of a new process group (registered with
/// [`crate::cleanup`]), its output collected as `capture` says. `what` names it in errors.
pub fn spawn(mut command: Command, input: Input, capture: &Capture, what: &str) -> Result<Spawned, Failure> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.stdin(match input {
        Input::Null => Stdio::null(),
        Input::Pipe => Stdio::piped(),
    });
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(FailureKind::Error, Error::io(what, e).to_string()))?;
    let group = ProcessGroup::register(child.id());
    let stdout = collect(child.stdout.take(), capture);
    let stderr = collect(child.stderr.take(), capture);
    let stdin = child.stdin.take();
    Ok(Spawned { child, group, stdin, stdout, stderr, start: Instant::now(), what: what.to_string() })
}

impl Spawned {
    /// The pipe to the child's standard input ([`Input::Pipe`]).
    pub fn stdin(&mut self) -> Option<&mut std::process::ChildStdin> {
        self.stdin.as_mut()
    }

    /// The child's exit status, if it has exited.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>, Failure> {
        self.child.try_wait().map_err(|e| Failure::new(FailureKind::Error, Error::io(&self.what, e).to_string()))
    }

    /// Waits for the child until `deadline`; `None` when it is still running then.
    pub fn wait_until(&mut self, deadline: Instant) -> Result<Option<ExitStatus>, Failure> {
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Ends the child's group now (SIGKILL), and reaps the child.
    pub fn kill(&mut self) {
        #[cfg(unix)]
        self.group.signal(libc::SIGKILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the child until `timeout` after its start (ending its group when it is still
    /// running then), ends whatever of its group outlives it, and returns its exit status (`None`:
    /// ended at the time limit) and what it printed.
    pub fn wait_output(mut self, timeout: Duration) -> Result<(Option<ExitStatus>, ChildOutput), Failure> {
        let status = self.wait_until(self.start + timeout)?;
        // A child ended by this process's own ending is not a result.
        crate::cleanup::stop_if_ending();
        let wall = self.start.elapsed();
        drop(self.stdin.take());
        // Whatever the child left behind in its group (a command's background jobs) ends with it.
        self.kill();
        let deadline = Instant::now() + GRACE;
        let stdout = self.stdout.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_default();
        let stderr = self.stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_default();
        let truncated = stdout.truncated || stderr.truncated;
        Ok((status, ChildOutput { stdout: stdout.bytes, stderr: stderr.bytes, truncated, wall }))
    }

    /// Finishes the child ([`Spawned::wait_output`]) and returns what it printed, or how it
    /// failed.
    pub fn finish(self, timeout: Duration) -> Result<ChildOutput, Failure> {
        let (status, output) = self.wait_output(timeout)?;
        match status {
            Some(s) if s.success() => Ok(output),
            None => Err(explain(None, &output.stderr, Some(timeout))),
            status => Err(explain(status, &output.stderr, None)),
        }
    }
}

/// The failure of a child that ended with `status` (`None`: killed at the time limit `timeout`)
/// after printing `stderr`.
pub fn explain(status: Option<ExitStatus>, stderr: &[u8], timeout: Option<Duration>) -> Failure {
    let stderr_tail = tail(stderr, 5);
    let (kind, why) = match status {
        None => (FailureKind::Timeout, format!("timed out after {} s", timeout.map_or(f64::NAN, |t| t.as_secs_f64()))),
        Some(s) => {
            let signal = signal_of(&s);
            let why = match (s.code(), signal) {
                (Some(code), Some(n)) => format!("exit status: {code} (signal {n} in a command run by the shell)"),
                _ => format!("{s}"),
            };
            (classify(signal, &stderr_tail), why)
        }
    };
    let why = match kind {
        FailureKind::OutOfMemory if !stderr_tail.contains("memory allocation") => {
            format!("{why} (SIGKILL: most likely the kernel's out-of-memory killer)")
        }
        _ => why,
    };
    Failure::new(kind, if stderr_tail.is_empty() { why } else { format!("{why}; stderr: {stderr_tail}") })
}

/// Runs `program args` to completion (ending its process group after `timeout`) and returns what
/// it printed (the last [`Capture::keep`] bytes of each stream, here 64 MiB), or a [`Failure`]
/// that says how it failed with the tail of its stderr. A killed child's own children may hold its
/// pipes open; their output is waited for at most [`GRACE`] more, so this never hangs.
pub fn run_child(program: &Path, args: &[String], timeout: Duration) -> Result<ChildOutput, Failure> {
    let mut command = Command::new(program);
    command.args(args);
    spawn(command, Input::Null, &Capture::tail(64 << 20), &program.display().to_string())?.finish(timeout)
}

/// Runs the costgraph executable `exe` with `args` like [`run_child`], with `--lifeline` and its
/// standard input on a pipe held open meanwhile: the child ends if this process does, however.
pub fn run_costgraph(exe: &Path, args: &[String], timeout: Duration) -> Result<ChildOutput, Failure> {
    let mut command = Command::new(exe);
    command.arg("--lifeline").args(args);
    spawn(command, Input::Pipe, &Capture::tail(64 << 20), &exe.display().to_string())?.finish(timeout)
}

/// The signal that ended a child: its own, or — for a shell whose command was killed — the one
/// the shell reports as exit status 128 + N.
fn signal_of(status: &ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(status) {
        return Some(signal);
    }
    status.code().filter(|&c| c > 128 && c <= 128 + 64).map(|c| c - 128)
}

/// The kind of failure of a child that ended by `signal` (if any) and printed `stderr`.
fn classify(signal: Option<i32>, stderr: &str) -> FailureKind {
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        FailureKind::OutOfMemory
    } else if stderr.contains("verification of") {
        FailureKind::Wrong
    } else if signal == Some(9) {
        FailureKind::OutOfMemory
    } else if signal.is_some() {
        FailureKind::Crash
    } else {
        FailureKind::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> std::result::Result<Vec<u8>, Failure> {
        run_child(Path::new("/bin/sh"), &["-c".to_string(), script.to_string()], timeout).map(|o| o.stdout)
    }

    #[test]
    #[cfg(unix)]
    fn children_that_fail_are_explained() {
        let out = sh("printf '%s' 'printed'", Duration::from_secs(10)).unwrap();
        assert_eq!(out, b"printed");

        let crash = sh("echo 'thread main panicked: boom' >&2; kill -SEGV $$", Duration::from_secs(10)).unwrap_err();
        assert_eq!(crash.kind, FailureKind::Crash);
        assert!(crash.reason.contains("SIGSEGV") && crash.reason.contains("boom"), "{crash}");
        let exit = sh("echo 'error: bad graph' >&2; exit 1", Duration::from_secs(10)).unwrap_err();
        assert_eq!(exit.kind, FailureKind::Error);
        assert!(exit.reason.contains("exit status: 1") && exit.reason.contains("bad graph"), "{exit}");
        let slow = sh("sleep 5", Duration::from_millis(200)).unwrap_err();
        assert_eq!(slow.kind, FailureKind::Timeout);
        assert!(slow.reason.contains("timed out after 0.2 s"), "{slow}");
        let killed = sh("kill -KILL $$", Duration::from_secs(10)).unwrap_err();
        assert_eq!(killed.kind, FailureKind::OutOfMemory);
        assert!(killed.reason.contains("out-of-memory killer"), "{killed}");
        let alloc = sh("echo 'memory allocation of 8 bytes failed' >&2; kill -ABRT $$", Duration::from_secs(10));
        assert_eq!(alloc.unwrap_err().kind, FailureKind::OutOfMemory);
        let nested = sh("sh -c 'kill -SEGV $$'", Duration::from_secs(10)).unwrap_err();
        assert_eq!(nested.kind, FailureKind::Crash);
        assert!(nested.reason.starts_with("exit status: 139 (signal 11 in a command run by the shell)"), "{nested}");
        let wrong = sh("echo 'error: verification of afforest failed: x' >&2; exit 1", Duration::from_secs(10));
        assert_eq!(wrong.unwrap_err().kind, FailureKind::Wrong);
    }
}
