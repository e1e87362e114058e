//! Configurations and the child processes that measure them.
//!
//! A configuration is just "an argv for a child `costgraph` process + the cores it uses": one
//! argv builder per [`Layout`] turns (problem, implementation, graph, policy) into the command
//! line. Every configuration runs in a fresh process, so thread pools, page-cache warmth inside
//! the process and peak memory are per configuration; the child loads the graph once, runs the
//! warm-up repetitions and then the counted ones, and prints one JSON object ([`RunRecord`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

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
}

impl Layout {
    /// Cores the configuration uses.
    pub fn cores(&self) -> usize {
        match *self {
            Layout::SingleThread => 1,
            Layout::Threads { threads } => threads,
            Layout::Workers { workers } => workers,
            Layout::Processes { processes, workers } => processes * workers,
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
    /// The child's arguments (after the program name).
    pub args: Vec<String>,
}

impl Configuration {
    /// `union-find (1 thread)`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.problem.name(), self.implementation, self.layout.label())
    }
}

/// What a sweep runs, besides the implementations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The graph file.
    pub graph: PathBuf,
    /// Uncounted warm-up runs per configuration.
    pub warmup: u32,
    /// Counted runs per configuration.
    pub repeat: u32,
    /// Thread / worker counts for rayon and single-process timely.
    pub core_counts: Vec<usize>,
    /// Process counts for multi-process timely (each with worker counts that fit in the largest
    /// core count).
    pub processes: Vec<usize>,
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
        "--repeat".into(),
        policy.repeat.to_string(),
        "--json".into(),
    ];
    // Baselines always run their verifier; so does every run of a problem whose results are
    // compared by verifier rather than by digest (see `Problem::exact`).
    if matches!(layout, Layout::SingleThread) || !problem.exact() {
        run.push("--verify".into());
    }
    match layout {
        Layout::SingleThread => run,
        Layout::Threads { threads } => [vec!["--threads".to_string(), threads.to_string()], run].concat(),
        Layout::Workers { workers } => [run, vec!["--workers".to_string(), workers.to_string()]].concat(),
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

/// Runs `program args` to completion (killing it after `timeout`) and returns its stdout, or an
/// error that says how it failed with the tail of its stderr. A killed child's own children may
/// hold its pipes open; their output is waited for at most [`GRACE`] more, so this never hangs.
pub fn run_child(program: &Path, args: &[String], timeout: Duration) -> Result<Vec<u8>> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(program, e))?;
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| Error::io(program, e))? {
            break Some(status);
        }
        if start.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let deadline = Instant::now() + GRACE;
    let stdout = stdout.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_default();
    let stderr = stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_default();
    let stderr_tail = tail(&stderr, 5);
    let why = match status {
        None => format!("timed out after {} s", timeout.as_secs_f64()),
        Some(s) if !s.success() => format!("{s}"),
        Some(_) => return Ok(stdout),
    };
    Err(Error::invalid(if stderr_tail.is_empty() { why } else { format!("{why}; stderr: {stderr_tail}") }))
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

/// Measures every configuration with `measure` in order, calling `progress` before each one.
/// The first configuration that fails ends the sweep with an error naming it and the reason.
pub fn sweep(
    configurations: &[Configuration],
    mut measure: impl FnMut(&Configuration) -> Result<RunRecord>,
    mut progress: impl FnMut(&Configuration),
) -> Result<Vec<RunRecord>> {
    configurations
        .iter()
        .map(|c| {
            progress(c);
            measure(c).map_err(|e| Error::invalid(format!("{} failed: {e}", c.describe())))
        })
        .collect()
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
        Policy { graph: "g.cgr".into(), warmup: 1, repeat: 5, core_counts: core_counts(4), processes: vec![2] }
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
        let common = "run cc g.cgr --impl uf --warmup 1 --repeat 5 --json";
        assert_eq!(plan[0].args.join(" "), format!("{common} --verify"));
        assert_eq!(plan[2].args.join(" "), "--threads 2 run cc g.cgr --impl lp --warmup 1 --repeat 5 --json");
        assert_eq!(plan[5].args.join(" "), "run cc g.cgr --impl tl --warmup 1 --repeat 5 --json --workers 2");
        assert_eq!(
            plan[8].args.join(" "),
            "cluster --processes 2 --workers 2 run cc g.cgr --impl tl --warmup 1 --repeat 5 --json"
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

    fn sh(script: &str, timeout: Duration) -> Result<Vec<u8>> {
        run_child(Path::new("/bin/sh"), &["-c".to_string(), script.to_string()], timeout)
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
        assert!(crash.to_string().contains("SIGSEGV") && crash.to_string().contains("boom"), "{crash}");
        let exit = sh("echo 'error: bad graph' >&2; exit 1", Duration::from_secs(10)).unwrap_err();
        assert!(exit.to_string().contains("exit status: 1") && exit.to_string().contains("bad graph"), "{exit}");
        let slow = sh("sleep 5", Duration::from_millis(200)).unwrap_err();
        assert!(slow.to_string().contains("timed out after 0.2 s"), "{slow}");

        let garbage = parse_record(b"hello\n").unwrap_err();
        assert!(garbage.to_string().contains("not a run report"), "{garbage}");
        let empty = parse_record(
            br#"{"nodes":3,"arcs":4,"threads":1,"load_secs":0.1,"compute_secs":[],"result":{},"digest":"ab"}"#,
        );
        assert!(empty.unwrap_err().to_string().contains("no usable times"));
    }

    #[test]
    fn a_failing_configuration_ends_the_sweep() {
        let (uf, lp) = (imp("uf", Kind::SingleThread), imp("lp", Kind::Rayon));
        let plan = plan(Problem::Cc, &[&uf, &lp], &policy()).unwrap();
        let mut seen = 0;
        let err = sweep(
            &plan,
            |c| if c.layout.cores() == 2 { Err(Error::invalid("killed by signal 9")) } else { parse_record(b"x") },
            |_| seen += 1,
        );
        // The first configuration already fails (garbage), and the sweep stops there.
        assert_eq!(seen, 1);
        assert!(err.unwrap_err().to_string().starts_with("cc uf (1 thread) failed: printed something"));
    }
}
