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
    /// timely on several machines, one process each.
    Machines {
        /// Machines (processes).
        machines: usize,
        /// Workers per machine.
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
            Layout::Cores { cores } => cores,
            Layout::Machines { machines, workers } => machines * workers,
        }
    }

    /// Processes the configuration starts.
    pub fn processes(&self) -> usize {
        match *self {
            Layout::Processes { processes, .. } => processes,
            Layout::Machines { machines, .. } => machines,
            _ => 1,
        }
    }

    /// Machines the configuration runs on (1 for everything but [`Layout::Machines`]).
    pub fn machines(&self) -> usize {
        match *self {
            Layout::Machines { machines, .. } => machines,
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
            Layout::Machines { machines, workers } => {
                format!("{} × {}", plural(machines, "machine"), plural(workers, "worker"))
            }
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
    /// Multi-machine configurations of timely implementations: machine counts and workers per
    /// machine (empty: none).
    pub machines: Vec<usize>,
    /// Workers per machine of the multi-machine configurations.
    pub workers_per_machine: Vec<usize>,
    /// When the sweep stages shards on the machines (`cost --stage`), the prefix of their
    /// folders there: an `M`-machine configuration reads `PREFIX-M` instead of the graph's path.
    pub staged_shards: Option<PathBuf>,
    /// PageRank's parameters, passed to every PageRank child.
    pub pagerank: crate::algo::pagerank::Params,
}

impl Policy {
    /// Where an `M`-machine configuration's processes find their shards, when they are staged.
    pub fn shards_on_machines(&self, machines: usize) -> Option<PathBuf> {
        self.staged_shards.as_ref().map(|prefix| staged_cut(prefix, machines))
    }
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
            let on_machines = policy.machines.iter().flat_map(|&machines| {
                policy.workers_per_machine.iter().map(move |&workers| Layout::Machines { machines, workers })
            });
            one.chain(many).chain(on_machines).collect()
        }
        Kind::External => policy.core_counts.iter().map(|&cores| Layout::Cores { cores }).collect(),
    }
}

/// The prefix of a graph's files staged in `dir` on the machines: `DIR/<first 12 digits of the
/// graph's SHA-256>`.
pub fn staged_prefix(dir: &std::path::Path, graph_sha256: &str) -> PathBuf {
    dir.join(&graph_sha256[..graph_sha256.len().min(12)])
}

/// The folder of the `machines`-way cut staged under `prefix`: `PREFIX-M`.
pub fn staged_cut(prefix: &std::path::Path, machines: usize) -> PathBuf {
    let mut dir = prefix.to_path_buf().into_os_string();
    dir.push(format!("-{machines}"));
    PathBuf::from(dir)
}

/// Where the whole graph is staged on the machines that serve process 0, beside the shard sets of
/// prefix `prefix`: `PREFIX.cgr`.
pub fn staged_graph(prefix: &std::path::Path) -> PathBuf {
    let mut path = prefix.to_path_buf().into_os_string();
    path.push(".cgr");
    PathBuf::from(path)
}

/// The `run` flags that ask for `params` (none for the defaults).
pub fn pagerank_args(params: &crate::algo::pagerank::Params) -> Vec<String> {
    let defaults = crate::algo::pagerank::Params::default();
    let mut args = Vec::new();
    if params.iterations != defaults.iterations {
        args.extend(["--iterations".to_string(), params.iterations.to_string()]);
    }
    if params.damping.to_bits() != defaults.damping.to_bits() {
        args.extend(["--damping".to_string(), params.damping.to_string()]);
    }
    if let Some(tolerance) = params.tolerance {
        args.extend(["--tolerance".to_string(), tolerance.to_string()]);
    }
    args
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
    if problem == Problem::Pagerank {
        run.extend(pagerank_args(&policy.pagerank));
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
        // Each machine's process gets its place (workers, index, addresses) when it is launched.
        // Staged shards replace the graph; a problem checked by its verifier keeps the whole graph
        // (staged beside the shards on the machines that serve process 0) for process 0 to verify.
        Layout::Machines { machines, .. } => match (policy.shards_on_machines(machines), &policy.staged_shards) {
            (Some(dir), Some(prefix)) => {
                let mut run = run;
                if problem.exact() {
                    run.remove(2);
                } else {
                    run[2] = staged_graph(prefix).display().to_string();
                }
                [run, vec!["--shards".to_string(), dir.display().to_string()]].concat()
            }
            _ => run,
        },
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
            pagerank: Default::default(),
            graph: "g.cgr".into(),
            warmup: 1,
            sampling: Sampling::Fixed { runs: 5 },
            core_counts: core_counts(4),
            processes: vec![2],
            force: false,
            machines: Vec::new(),
            workers_per_machine: Vec::new(),
            staged_shards: None,
        }
    }

    #[test]
    fn machine_configurations_run_the_same_command_on_each_machine() {
        let tl = imp("tl", Kind::Timely);
        let machines = Policy { machines: vec![2, 4], workers_per_machine: vec![1, 8], ..policy() };
        let planned = plan(Problem::Cc, &[&imp("uf", Kind::SingleThread), &tl], &machines).unwrap();
        let on: Vec<(String, usize)> = planned
            .iter()
            .filter(|c| matches!(c.layout, Layout::Machines { .. }))
            .map(|c| (c.layout.label(), c.layout.cores()))
            .collect();
        assert_eq!(
            on,
            [
                ("2 machines × 1 worker".into(), 2),
                ("2 machines × 8 workers".into(), 16),
                ("4 machines × 1 worker".into(), 4),
                ("4 machines × 8 workers".into(), 32)
            ]
        );
        let last = planned.last().unwrap();
        assert_eq!(last.args.join(" "), "run cc g.cgr --impl tl --warmup 1 --json", "placement comes at launch");
        let staged =
            Policy { staged_shards: Some(staged_prefix(std::path::Path::new("/s"), "0123456789abcdef")), ..machines };
        let staged_plan = plan(Problem::Cc, &[&imp("uf", Kind::SingleThread), &tl], &staged).unwrap();
        assert_eq!(
            staged_plan.last().unwrap().args.join(" "),
            "run cc --impl tl --warmup 1 --json --shards /s/0123456789ab-4",
            "staged shards replace the graph"
        );
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
