//! A child process run to completion with a time limit ([`run_child`]), and what its failure was
//! ([`Failure`]): crash, timeout, out of memory, wrong answer or error, with the tail of its stderr.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::Error;

/// The last `lines` lines of `text`, for error messages.
pub(super) fn tail(text: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(text);
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Reads a child's stream to the end on a thread; the receiver gets the bytes once it closes.
fn read_all(stream: Option<impl Read + Send + 'static>) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut s) = stream {
            let _ = s.read_to_end(&mut bytes);
        }
        let _ = send.send(bytes);
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
}

impl Failure {
    /// A failure of `kind` for `reason`.
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Failure {
        Failure { kind, reason: reason.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.reason)
    }
}

/// What a finished child printed, and how long it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildOutput {
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// Its standard error.
    pub stderr: Vec<u8>,
    /// Wall-clock time from start to exit.
    pub wall: Duration,
}

/// Runs `program args` to completion (killing it after `timeout`) and returns what it printed, or
/// a [`Failure`] that says how it failed (timeout, out of memory, crash, exit status) with the tail
/// of its stderr. A killed child's own children may hold its pipes open; their output is waited
/// for at most [`GRACE`] more, so this never hangs.
pub fn run_child(program: &Path, args: &[String], timeout: Duration) -> std::result::Result<ChildOutput, Failure> {
    let spawned =
        Command::new(program).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = spawned.map_err(|e| Failure::new(FailureKind::Error, Error::io(program, e).to_string()))?;
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => return Err(Failure::new(FailureKind::Error, Error::io(program, e).to_string())),
        }
        if start.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = start.elapsed();
    let deadline = Instant::now() + GRACE;
    let stdout = stdout.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_default();
    let stderr = stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_default();
    let stderr_tail = tail(&stderr, 5);
    let (kind, why) = match status {
        None => (FailureKind::Timeout, format!("timed out after {} s", timeout.as_secs_f64())),
        Some(s) if s.success() => return Ok(ChildOutput { stdout, stderr, wall }),
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
    Err(Failure::new(kind, if stderr_tail.is_empty() { why } else { format!("{why}; stderr: {stderr_tail}") }))
}

/// The signal that ended a child: its own, or — for a shell whose command was killed — the one
/// the shell reports as exit status 128 + N.
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
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

/// How long output is still awaited from the pipes of a child that was killed.
pub const GRACE: Duration = Duration::from_secs(2);

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
