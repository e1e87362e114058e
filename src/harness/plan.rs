//! The plan of a sweep: every configuration ([`Configuration`]: an argv for a child `costgraph`
//! process and the cores it uses) of every implementation of a problem, one argv builder per
//! [`Layout`].

use std::path::PathBuf;

use serde::Serialize;

use super::external::ExternalCommand;
use super::stats::Sampling;
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
}
