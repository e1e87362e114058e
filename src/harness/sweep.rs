//! Configurations and the child processes that measure them.
//!
//! A configuration is just "an argv for a child `costgraph` process + the cores it uses": one
//! argv builder per [`Layout`] turns (problem, implementation, graph, policy) into the command
//! line. Every configuration runs in a fresh process, so thread pools, page-cache warmth inside
//! the process and peak memory are per configuration; the child loads the graph once, runs the
//! warm-up repetitions and then the counted ones, and prints one JSON object ([`RunRecord`]).
//! An external system ([`super::external`]) is a shell command instead of a child `costgraph`.
//!
//! [`measure`] samples one configuration in batches (a fresh process each) until its
//! [`Sampling`] rule is met, and never fails: a configuration that crashes, times out, runs out of
//! memory or fails its verifier becomes an [`Outcome`] with a [`Failure`], and the sweep goes on
//! (partial availability). [`super::journal`] keeps every outcome as it finishes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::external::ExternalCommand;
use super::stats::{Sampling, Stop};
use crate::registry::{Implementation, Kind, Problem};
use crate::{Error, Result};

/// How a configuration uses its cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "layout", rename_all = "kebab-case")]
pub enum Layout {
    /// A single-thread baseline.
    SingleThread,
    /// A rayon pool of this many threads.
    Threads {
        /// Threads in the pool.
        threads: usize,
    },
    /// timely workers in one process.
    Workers {
        /// Workers in the process.
        workers: usize,
    },
    /// timely over several processes.
    Processes {
        /// Processes.
        processes: usize,
        /// Workers per process.
        workers: usize,
    },
    /// An external system told to use this many cores (its `{threads}` / `{workers}`).
    Cores {
        /// Cores.
        cores: usize,
    },
}

impl Layout {
    /// Cores the configuration uses.
    pub fn cores(&self) -> usize {
        match *self {
            Layout::SingleThread => 1,
            Layout::Threads { threads } => threads,
            Layout::Workers { workers } => workers,
            Layout::Processes { processes, workers } => processes * workers,
            Layout::Cores { cores } => cores,
        }
    }

    /// Processes the configuration starts.
    pub fn processes(&self) -> usize {
        match *self {
            Layout::Processes { processes, .. } => processes,
            _ => 1,
        }
    }

    /// A short label: `1 thread`, `4 threads`, `4 workers`, `2 × 2 workers`.
    pub fn label(&self) -> String {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        match *self {
            Layout::SingleThread => "1 thread".into(),
            Layout::Threads { threads } => plural(threads, "thread"),
            Layout::Workers { workers } => plural(workers, "worker"),
            Layout::Processes { processes, workers } => format!("{processes} × {}", plural(workers, "worker")),
            Layout::Cores { cores } => plural(cores, "core"),
        }
    }
}

/// One configuration of a sweep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Configuration {
    /// The problem.
    pub problem: Problem,
    /// The implementation's name.
    pub implementation: String,
    /// Its kind.
    pub kind: Kind,
    /// How it uses its cores.
    #[serde(flatten)]
    pub layout: Layout,
    /// The child `costgraph`'s arguments (after the program name), without `--repeat` (each
    /// batch adds its own); empty for an external system.
    pub args: Vec<String>,
    /// The command of an external system (`kind` is then [`Kind::External`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalCommand>,
}

impl Configuration {
    /// `union-find (1 thread)`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.problem.name(), self.implementation, self.layout.label())
    }

    /// The child's arguments for a batch of `runs` counted runs.
    pub fn batch_args(&self, runs: usize) -> Vec<String> {
        [self.args.clone(), vec!["--repeat".into(), runs.to_string()]].concat()
    }
}

/// What a sweep runs, besides the implementations.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The graph file.
    pub graph: PathBuf,
    /// Uncounted warm-up runs per batch (each batch is a fresh process).
    pub warmup: u32,
    /// How many counted runs each configuration gets.
    pub sampling: Sampling,
    /// Thread / worker counts for rayon and single-process timely.
    pub core_counts: Vec<usize>,
    /// Process counts for multi-process timely (each with worker counts that fit in the largest
    /// core count).
    pub processes: Vec<usize>,
    /// Children run even when their memory estimate does not fit (`cost --force`).
    pub force: bool,
}

/// 1, 2, 4, … up to `max_cores`, and `max_cores` itself when it is not a power of two.
pub fn core_counts(max_cores: usize) -> Vec<usize> {
    let mut counts: Vec<usize> =
        std::iter::successors(Some(1usize), |c| c.checked_mul(2)).take_while(|&c| c <= max_cores.max(1)).collect();
    if counts.last() != Some(&max_cores.max(1)) {
        counts.push(max_cores);
    }
    counts
}

/// The layouts an implementation of `kind` runs in under `policy`.
pub fn layouts(kind: Kind, policy: &Policy) -> Vec<Layout> {
    match kind {
        Kind::SingleThread => vec![Layout::SingleThread],
        Kind::Rayon => policy.core_counts.iter().map(|&threads| Layout::Threads { threads }).collect(),
        Kind::Timely => {
            let max = policy.core_counts.iter().copied().max().unwrap_or(1);
            let one = policy.core_counts.iter().map(|&workers| Layout::Workers { workers });
            let many = policy.processes.iter().filter(|&&p| p > 1).flat_map(|&processes| {
                policy
                    .core_counts
                    .iter()
                    .filter(move |&&w| processes * w <= max)
                    .map(move |&workers| Layout::Processes { processes, workers })
            });
            one.chain(many).collect()
        }
        Kind::External => policy.core_counts.iter().map(|&cores| Layout::Cores { cores }).collect(),
    }
}

/// The child's arguments for one configuration: the argv builder of each layout.
pub fn args(problem: Problem, implementation: &Implementation, layout: Layout, policy: &Policy) -> Vec<String> {
    let mut run = vec![
        "run".to_string(),
        problem.name().to_string(),
        policy.graph.display().to_string(),
        "--impl".into(),
        implementation.name.into(),
        "--warmup".into(),
        policy.warmup.to_string(),
        "--json".into(),
    ];
    // Baselines always run their verifier; so does every run of a problem whose results are
    // compared by verifier rather than by digest (see `Problem::exact`).
    if matches!(layout, Layout::SingleThread) || !problem.exact() {
        run.push("--verify".into());
    }
    if policy.force {
        run.push("--force".into());
    }
    match layout {
        Layout::SingleThread => run,
        Layout::Threads { threads } => [vec!["--threads".to_string(), threads.to_string()], run].concat(),
        Layout::Workers { workers } | Layout::Cores { cores: workers } => {
            [run, vec!["--workers".to_string(), workers.to_string()]].concat()
        }
        Layout::Processes { processes, workers } => {
            let cluster = ["cluster", "--processes", &processes.to_string(), "--workers", &workers.to_string()];
            [cluster.map(String::from).to_vec(), run].concat()
        }
    }
}

/// Every configuration of `problem`: the single-thread baselines first, then every rayon
/// implementation at each thread count, then every timely implementation in one process and over
/// several. Fails clearly when nothing (or no baseline) is registered.
pub fn plan(problem: Problem, implementations: &[&Implementation], policy: &Policy) -> Result<Vec<Configuration>> {
    let name = problem.name();
    if implementations.is_empty() {
        return Err(Error::invalid(format!("no implementations registered for {name}")));
    }
    if !implementations.iter().any(|i| i.kind == Kind::SingleThread) {
        return Err(Error::invalid(format!("no single-thread baseline registered for {name}; COST needs one")));
    }
    let mut configurations = Vec::new();
    for kind in [Kind::SingleThread, Kind::Rayon, Kind::Timely] {
        for imp in implementations.iter().filter(|i| i.kind == kind) {
            for layout in layouts(kind, policy) {
                configurations.push(Configuration {
                    problem,
                    implementation: imp.name.to_string(),
                    kind,
                    layout,
                    args: args(problem, imp, layout, policy),
                    external: None,
                });
            }
        }
    }
    Ok(configurations)
}

/// What a child `costgraph run --json` reports (the fields the harness uses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Nodes of the graph.
    pub nodes: u64,
    /// Stored arcs.
    pub arcs: u64,
    /// Threads or workers the child used.
    pub threads: usize,
    /// Seconds to load (map or parse) the graph.
    pub load_secs: f64,
    /// Seconds to prepare the implementation's view (e.g. symmetrize).
    #[serde(default)]
    pub prep_secs: f64,
    /// Each counted computation, in seconds.
    pub compute_secs: Vec<f64>,
    /// The result's summary (component count, forest weight, ...).
    pub result: serde_json::Value,
    /// The result's exact fingerprint (`Output::digest`).
    pub digest: String,
    /// The verifier's verdict, when the child ran it.
    #[serde(default)]
    pub verified: Option<bool>,
    /// The verifier's complaint, when it had one.
    #[serde(default)]
    pub verify_error: Option<String>,
    /// Peak resident memory of the child.
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// Rounds, records and bytes exchanged (timely implementations).
    #[serde(flatten)]
    pub traffic: super::model::Traffic,
}

/// The last `lines` lines of `text`, for error messages.
fn tail(text: &[u8], lines: usize) -> String {
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

/// Parses a child's stdout: exactly one JSON object with at least one counted time.
pub fn parse_record(stdout: &[u8]) -> Result<RunRecord> {
    let record: RunRecord = serde_json::from_slice(stdout).map_err(|e| {
        let text = String::from_utf8_lossy(stdout);
        let excerpt: String = text.chars().take(120).collect();
        Error::invalid(format!("printed something that is not a run report ({e}): {excerpt:?}"))
    })?;
    if record.compute_secs.is_empty() || record.compute_secs.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(Error::invalid(format!("reported no usable times: {:?}", record.compute_secs)));
    }
    Ok(record)
}

/// One batch of a built-in configuration: a child `costgraph` with `runs` counted runs.
pub fn run_builtin(
    exe: &Path,
    configuration: &Configuration,
    runs: usize,
    timeout: Duration,
) -> std::result::Result<RunRecord, Failure> {
    let out = run_child(exe, &configuration.batch_args(runs), timeout)?;
    parse_record(&out.stdout).map_err(|e| Failure::new(FailureKind::Error, e.to_string()))
}

/// What measuring one configuration came to: its merged record, or why it has none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Every batch's runs together (the first batch's load and preparation times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RunRecord>,
    /// Why there is no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Why sampling stopped (when it finished).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// Batches (fresh processes) that were run.
    pub batches: usize,
    /// The highest 1-minute load average seen at the start and end of the configuration.
    pub load_average: Option<f64>,
    /// Wall-clock seconds the configuration took, all batches together.
    pub wall_secs: f64,
}

/// Measures one configuration: runs `batch(runs)` (one fresh process with `runs` counted runs)
/// until `sampling` is satisfied, merging the batches. When the problem is `exact` every batch
/// must give the same answer. Never fails: a failed batch becomes the outcome's [`Failure`].
pub fn measure(
    sampling: &Sampling,
    exact: bool,
    mut batch: impl FnMut(usize) -> std::result::Result<RunRecord, Failure>,
) -> Outcome {
    let start = Instant::now();
    let load_before = crate::sysinfo::load_average();
    let mut merged: Option<RunRecord> = None;
    let mut batches = 0;
    let mut runs = sampling.first_batch();
    let result = loop {
        batches += 1;
        let record = match batch(runs) {
            Ok(r) => r,
            Err(f) => break Err(f),
        };
        let merged = match &mut merged {
            None => merged.insert(record),
            Some(m) => {
                if exact && (m.digest != record.digest || m.result != record.result) {
                    break Err(Failure::new(
                        FailureKind::Wrong,
                        format!(
                            "batch {batches} gave a different answer ({}) than batch 1 ({})",
                            record.result, m.result
                        ),
                    ));
                }
                m.compute_secs.extend(&record.compute_secs);
                m.peak_rss_bytes = m.peak_rss_bytes.max(record.peak_rss_bytes);
                m.verified = match (m.verified, record.verified) {
                    (Some(a), Some(b)) => Some(a && b),
                    (a, b) => a.or(b),
                };
                m
            }
        };
        let elapsed = start.elapsed().as_secs_f64();
        let per_run = elapsed / merged.compute_secs.len().max(1) as f64;
        match sampling.next(&merged.compute_secs, elapsed, per_run) {
            Ok(next) => runs = next,
            Err(stop) => break Ok(stop),
        }
    };
    let load_after = crate::sysinfo::load_average();
    let load_average = match (load_before, load_after) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let (record, failure, stop) = match result {
        Ok(stop) => (merged, None, Some(stop)),
        Err(f) => (None, Some(f), None),
    };
    Outcome { record, failure, stop, batches, load_average, wall_secs: start.elapsed().as_secs_f64() }
}

/// Measures every configuration in order with `measure`, calling `progress` before each one and
/// `finished` after it (to journal it). A failed configuration does not end the sweep. A
/// configuration for which `reuse` has an outcome is not measured again.
pub fn sweep(
    configurations: &[Configuration],
    mut reuse: impl FnMut(&Configuration) -> Option<Outcome>,
    mut measure: impl FnMut(&Configuration) -> Outcome,
    mut progress: impl FnMut(&Configuration, bool),
    mut finished: impl FnMut(&Configuration, &Outcome) -> Result<()>,
) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::with_capacity(configurations.len());
    for c in configurations {
        let reused = reuse(c);
        progress(c, reused.is_some());
        let outcome = match reused {
            Some(o) => o,
            None => {
                let o = measure(c);
                finished(c, &o)?;
                o
            }
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Entry;

    fn imp(name: &'static str, kind: Kind) -> Implementation {
        fn never(_: &crate::graph::Csr) -> crate::registry::Output {
            unreachable!("plans never run implementations")
        }
        Implementation {
            problem: Problem::Cc,
            name,
            kind,
            description: "",
            needs_symmetric: false,
            needs_weights: false,
            entry: Entry::Local(never),
        }
    }

    fn policy() -> Policy {
        Policy {
            graph: "g.cgr".into(),
            warmup: 1,
            sampling: Sampling::Fixed { runs: 5 },
            core_counts: core_counts(4),
            processes: vec![2],
            force: false,
        }
    }

    #[test]
    fn core_counts_are_powers_of_two_and_the_maximum() {
        assert_eq!(core_counts(1), [1]);
        assert_eq!(core_counts(2), [1, 2]);
        assert_eq!(core_counts(6), [1, 2, 4, 6]);
        assert_eq!(core_counts(8), [1, 2, 4, 8]);
    }

    #[test]
    fn plans_baselines_first_with_argv_per_layout() {
        let (uf, lp, tl) = (imp("uf", Kind::SingleThread), imp("lp", Kind::Rayon), imp("tl", Kind::Timely));
        let plan = plan(Problem::Cc, &[&tl, &lp, &uf], &policy()).unwrap();
        let layouts: Vec<String> = plan.iter().map(|c| format!("{} {}", c.implementation, c.layout.label())).collect();
        assert_eq!(
            layouts,
            [
                "uf 1 thread",
                "lp 1 thread",
                "lp 2 threads",
                "lp 4 threads",
                "tl 1 worker",
                "tl 2 workers",
                "tl 4 workers",
                "tl 2 × 1 worker",
                "tl 2 × 2 workers"
            ]
        );
        let common = "run cc g.cgr --impl uf --warmup 1 --json";
        assert_eq!(plan[0].batch_args(5).join(" "), format!("{common} --verify --repeat 5"));
        assert_eq!(plan[2].batch_args(6).join(" "), "--threads 2 run cc g.cgr --impl lp --warmup 1 --json --repeat 6");
        assert_eq!(plan[5].batch_args(5).join(" "), "run cc g.cgr --impl tl --warmup 1 --json --workers 2 --repeat 5");
        assert_eq!(
            plan[8].batch_args(5).join(" "),
            "cluster --processes 2 --workers 2 run cc g.cgr --impl tl --warmup 1 --json --repeat 5"
        );
        assert_eq!(plan[8].layout.cores(), 4);
    }

    #[test]
    fn plans_refuse_without_implementations_or_baseline() {
        let err = plan(Problem::Cc, &[], &policy()).unwrap_err().to_string();
        assert_eq!(err, "no implementations registered for cc");
        let lp = imp("lp", Kind::Rayon);
        assert!(plan(Problem::Cc, &[&lp], &policy()).unwrap_err().to_string().contains("no single-thread baseline"));
    }

    fn sh(script: &str, timeout: Duration) -> std::result::Result<Vec<u8>, Failure> {
        run_child(Path::new("/bin/sh"), &["-c".to_string(), script.to_string()], timeout).map(|o| o.stdout)
    }

    #[test]
    #[cfg(unix)]
    fn children_that_fail_are_explained() {
        let ok =
            br#"{"nodes":3,"arcs":4,"threads":1,"load_secs":0.1,"compute_secs":[0.2,0.3],"result":{},"digest":"ab"}"#;
        let out = sh(&format!("printf '%s' '{}'", String::from_utf8_lossy(ok)), Duration::from_secs(10)).unwrap();
        let record = parse_record(&out).unwrap();
        assert_eq!((record.compute_secs.len(), record.prep_secs, record.peak_rss_bytes), (2, 0.0, None));

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

        let garbage = parse_record(b"hello\n").unwrap_err();
        assert!(garbage.to_string().contains("not a run report"), "{garbage}");
        let empty = parse_record(
            br#"{"nodes":3,"arcs":4,"threads":1,"load_secs":0.1,"compute_secs":[],"result":{},"digest":"ab"}"#,
        );
        assert!(empty.unwrap_err().to_string().contains("no usable times"));
    }

    fn record(times: &[f64], digest: &str) -> RunRecord {
        RunRecord {
            nodes: 1,
            arcs: 1,
            threads: 1,
            load_secs: 0.1,
            prep_secs: 0.0,
            compute_secs: times.to_vec(),
            result: serde_json::json!({}),
            digest: digest.into(),
            verified: Some(true),
            verify_error: None,
            peak_rss_bytes: Some(10),
            traffic: Default::default(),
        }
    }

    #[test]
    fn measuring_samples_in_batches_until_precise_or_capped() {
        let auto = Sampling::Auto { target: 0.05, max_runs: 24, max_secs: 60.0 };
        // Noisy: 6, then 6, then 12 more runs (the run cap).
        let mut asked = Vec::new();
        let o = measure(&auto, true, |runs| {
            asked.push(runs);
            Ok(record(&(0..runs).map(|i| 1.0 + (i % 2) as f64).collect::<Vec<_>>(), "d"))
        });
        assert_eq!(asked, [6, 6, 12]);
        assert_eq!((o.stop, o.batches, o.record.unwrap().compute_secs.len()), (Some(Stop::RunCap), 3, 24));
        // Steady: one batch.
        let o = measure(&auto, true, |runs| Ok(record(&vec![1.0; runs], "d")));
        assert_eq!((o.stop, o.batches), (Some(Stop::Precise), 1));
        // A batch that answers differently is a wrong answer, unless the problem is not exact.
        let mut n = 0;
        let mut flip = |runs: usize| {
            n += 1;
            Ok(record(&(0..runs).map(|i| 1.0 + (i % 2) as f64).collect::<Vec<_>>(), if n == 1 { "a" } else { "b" }))
        };
        let o = measure(&auto, true, &mut flip);
        assert_eq!(o.failure.unwrap().kind, FailureKind::Wrong);
        assert!(o.record.is_none() && o.stop.is_none());
        assert!(measure(&auto, false, &mut flip).failure.is_none());
        // A failing batch is the outcome, not an error.
        let o = measure(&Sampling::Fixed { runs: 3 }, true, |_| Err(Failure::new(FailureKind::Timeout, "timed out")));
        assert_eq!((o.failure.unwrap().kind, o.batches), (FailureKind::Timeout, 1));
    }

    #[test]
    fn a_failing_configuration_does_not_end_the_sweep() {
        let (uf, lp) = (imp("uf", Kind::SingleThread), imp("lp", Kind::Rayon));
        let plan = plan(Problem::Cc, &[&uf, &lp], &policy()).unwrap();
        let (mut seen, mut journaled) = (0, 0);
        let outcomes = sweep(
            &plan,
            |c| {
                (c.layout.cores() == 4)
                    .then(|| measure(&Sampling::Fixed { runs: 1 }, true, |_| Ok(record(&[9.0], "d"))))
            },
            |c| {
                measure(&Sampling::Fixed { runs: 1 }, true, |_| {
                    if c.layout.cores() == 2 {
                        Err(Failure::new(FailureKind::OutOfMemory, "killed by signal 9"))
                    } else {
                        Ok(record(&[1.0], "d"))
                    }
                })
            },
            |_, _| seen += 1,
            |_, _| {
                journaled += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((seen, journaled, outcomes.len()), (4, 3, 4), "every configuration; the re-used one not journaled");
        assert_eq!(outcomes[2].failure.as_ref().unwrap().kind, FailureKind::OutOfMemory);
        assert_eq!(outcomes[3].record.as_ref().unwrap().compute_secs, [9.0]);
    }
}
