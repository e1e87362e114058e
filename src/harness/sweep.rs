//! A COST sweep as a library call: a [`CostPlan`] (graph, problems, implementations, core counts,
//! sampling, memory, external systems) in, a written [`Report`] out ([`run`]). The command line
//! only fills the plan from its flags; an example or another program can run a sweep the same way.
//!
//! In order: the default graph made when none is given; the plan of every problem's
//! configurations; the graph loaded once for its shape, the capacity estimates checked (what does
//! not fit is left out, with the reason); external systems' inputs written; then every
//! configuration measured in fresh child processes, each finished one journaled at once (and
//! re-used under `resume`); finally each problem analysed and the report written.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::analysis;
use super::capacity::{self, GraphShape};
use super::child::run_costgraph;
use super::external::{self, ExternalSpec};
use super::journal::{self, Expect, Journal};
use super::machines::{Machines, MachinesPlan, SweepContext};
use super::measure::{self, Outcome};
use super::model::{ModelReport, ModelSpec};
use super::observer::Observer;
use super::plan::{self, Configuration, Policy};
use super::provenance::Provenance;
use super::render;
use super::report::{CapacityRow, GraphInfo, PolicyInfo, Report};
use super::stats::{MIN_RUNS_FOR_95, Sampling};
use crate::generate::{GRAPH500_EDGE_FACTOR, Generator, GeneratorSpec, KronConfig};
use crate::graph::BuildOptions;
use crate::io::checksum::sha256_file;
use crate::io::{self, ReadOptions};
use crate::registry::{self, Implementation, Kind, Problem};
use crate::units::human_bytes;
use crate::{Error, Result};

/// Scale of the embedded default Kronecker graph (2^scale nodes, 16 edges per node).
pub const DEFAULT_SCALE: u32 = 18;

/// Weights of the embedded default graph (so that MSF can run on it too).
pub const DEFAULT_WEIGHTS: &str = "1..255";

/// Implementations the embedded default sweep leaves out unless told otherwise: its first fixed
/// point alone takes longer than the whole quick sweep.
pub const DEFAULT_GRAPH_SKIP: &[&str] = &["differential-cc", "differential-cc-min"];

/// The graph a sweep runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphSource {
    /// A graph file (`.cgr` recommended: every configuration loads it again).
    File(PathBuf),
    /// The embedded default: a Kronecker graph of this scale, generated once into `cache`.
    Default {
        /// Its scale.
        scale: u32,
        /// The cache folder it is kept in.
        cache: PathBuf,
    },
}

impl GraphSource {
    /// The graph file the sweep reads (for the default, where it is kept).
    pub fn path(&self) -> PathBuf {
        match self {
            GraphSource::File(path) => path.clone(),
            GraphSource::Default { scale, cache } => default_graph_path(cache, *scale),
        }
    }
}

/// Everything a sweep needs to know; [`run`] carries it out.
#[derive(Clone, Debug)]
pub struct CostPlan {
    /// The problems swept, in order.
    pub problems: Vec<Problem>,
    /// The graph.
    pub graph: GraphSource,
    /// Implementations left out by name.
    pub skip: Vec<&'static str>,
    /// How many counted runs each configuration gets.
    pub sampling: Sampling,
    /// Uncounted warm-up runs per batch.
    pub warmup: u32,
    /// Thread / worker counts: 1, 2, 4, … and the largest.
    pub core_counts: Vec<usize>,
    /// Process counts for multi-process timely on this machine.
    pub processes: Vec<usize>,
    /// Limit per child process.
    pub timeout: Duration,
    /// The folder the report and the journal are written to.
    pub out: PathBuf,
    /// Re-use what an earlier sweep into `out` measured with the same binary, graph and parameters.
    pub resume: bool,
    /// External systems swept next to the built-in implementations.
    pub externals: Vec<ExternalSpec>,
    /// Memory each configuration may use (default: the memory available now).
    pub memory: Option<u64>,
    /// Run configurations whose capacity estimate does not fit.
    pub force: bool,
    /// The capacity model's clusters to estimate, if any.
    pub model: Option<ModelSpec>,
    /// Multi-machine configurations of the timely implementations, if any (`--hosts`).
    pub machines: Option<MachinesPlan>,
    /// The costgraph executable the children run.
    pub exe: PathBuf,
    /// The command line that asked for the sweep (recorded in the report).
    pub command_line: Vec<String>,
    /// PageRank's parameters (default: 20 iterations, damping 0.85).
    pub pagerank: crate::algo::pagerank::Params,
}

impl CostPlan {
    /// A plan for `problems` on `graph` with the defaults of `costgraph cost`: automatic sampling
    /// to ±5 % (at most 50 runs or 1 s per configuration), one warm-up run, this machine's cores,
    /// 2 processes when there are 2 cores or more, 600 s per child, report in `cost-report/`.
    pub fn new(problems: Vec<Problem>, graph: GraphSource, exe: PathBuf) -> CostPlan {
        let max_cores = crate::sysinfo::cores();
        let skip = match graph {
            GraphSource::Default { .. } => DEFAULT_GRAPH_SKIP.to_vec(),
            GraphSource::File(_) => Vec::new(),
        };
        CostPlan {
            problems,
            graph,
            skip,
            sampling: Sampling::Auto { target: 0.05, max_runs: 50, max_secs: 1.0 },
            warmup: 1,
            core_counts: plan::core_counts(max_cores),
            processes: if max_cores >= 2 { vec![2] } else { Vec::new() },
            timeout: Duration::from_secs(600),
            out: PathBuf::from("cost-report"),
            resume: false,
            externals: Vec::new(),
            memory: None,
            force: false,
            model: None,
            machines: None,
            exe,
            command_line: std::env::args().collect(),
            pagerank: Default::default(),
        }
    }

    /// Checks the plan before anything runs: core and process counts, the external systems
    /// against the problems swept and the registry, the default graph's scale.
    pub fn check(&self) -> Result<()> {
        let max_cores = self.core_counts.iter().copied().max().unwrap_or(0);
        if max_cores == 0 {
            return Err(Error::invalid("the largest core count must be at least 1"));
        }
        if max_cores > crate::dataflow::config::MAX_WORKERS {
            return Err(Error::invalid(format!(
                "{max_cores} cores is more than costgraph starts (at most {})",
                crate::dataflow::config::MAX_WORKERS
            )));
        }
        if self.processes.contains(&0) {
            return Err(Error::invalid("process counts must be at least 1"));
        }
        if let Some(p) = self.processes.iter().find(|&&p| p > max_cores) {
            return Err(Error::invalid(format!("{p} processes need at least {p} cores, more than {max_cores}")));
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid("the time limit per configuration must be at least 1 second"));
        }
        for (i, spec) in self.externals.iter().enumerate() {
            let problem = spec.problem()?;
            if !self.problems.contains(&problem) {
                return Err(Error::invalid(format!(
                    "external system {:?} solves {}, which this sweep does not run",
                    spec.name,
                    problem.name()
                )));
            }
            if registry::find(problem, &spec.name).is_some() {
                return Err(Error::invalid(format!(
                    "external system {:?}: a registered {} implementation has that name; choose another",
                    spec.name,
                    problem.name()
                )));
            }
            if self.externals[..i].iter().any(|s| s.name == spec.name && s.problem == spec.problem) {
                return Err(Error::invalid(format!("two external systems are named {:?}", spec.name)));
            }
        }
        if let GraphSource::Default { scale, .. } = self.graph {
            let kron = KronConfig { scale, edge_factor: GRAPH500_EDGE_FACTOR };
            GeneratorSpec::new(Generator::Kron(kron))
                .size()
                .map_err(|e| Error::invalid(format!("default graph of scale {scale}: {e}")))?;
        }
        Ok(())
    }

    /// The per-configuration policy the argv builders read.
    fn policy(&self) -> Policy {
        Policy {
            graph: self.graph.path(),
            warmup: self.warmup,
            sampling: self.sampling,
            core_counts: self.core_counts.clone(),
            processes: self.processes.clone(),
            force: self.force,
            machines: Vec::new(),
            workers_per_machine: Vec::new(),
            staged_shards: None,
            pagerank: self.pagerank,
        }
    }
}

/// What a sweep wrote.
#[derive(Debug)]
pub struct SweepOutcome {
    /// The report (also in `report.json`).
    pub report: Report,
    /// The report files written.
    pub files: Vec<PathBuf>,
    /// The journal of every configuration (`runs.jsonl`).
    pub journal: PathBuf,
}

/// Carries out `plan`: measures every configuration, writes the report into `plan.out` and returns
/// it. A failed configuration does not end the sweep: it is recorded and the report is `partial`
/// ([`Report::ok`] is false). Errors are what stops a sweep before or after the measurements: a
/// plan that cannot run, a graph that cannot be read, no baseline that fits in memory, a report
/// folder that cannot be written.
pub fn run(plan: &CostPlan, observer: &mut dyn Observer) -> Result<SweepOutcome> {
    plan.check()?;
    // The report is written after the sweep, which can take hours: check its folder now.
    check_output_dir(&plan.out)?;
    let mut policy = plan.policy();
    let graph = policy.graph.clone();
    if !plan.skip.is_empty() {
        observer.note(&format!("skipping {}", plan.skip.join(", ")));
    }
    let implementations = |problem: Problem| -> Vec<&'static Implementation> {
        registry::of(problem).filter(|i| !plan.skip.contains(&i.name)).collect()
    };
    // Plans first: a problem without implementations fails before any work.
    for &problem in &plan.problems {
        plan::plan(problem, &implementations(problem), &policy)?;
    }

    let origin = match &plan.graph {
        GraphSource::File(_) => "given on the command line".to_string(),
        GraphSource::Default { scale, .. } => default_kronecker(&plan.exe, &graph, *scale, plan.timeout, observer)?,
    };
    let graph_sha256 = sha256_file(&graph)?;
    let exe_sha256 = sha256_file(&plan.exe)?;
    let mut machines = match &plan.machines {
        Some(machines_plan) => {
            let context = SweepContext {
                exe: &plan.exe,
                exe_sha256: &exe_sha256,
                graph: &graph,
                graph_sha256: &graph_sha256,
                whole_graph: plan.problems.iter().any(|p| !p.exact()),
                out: &plan.out,
                timeout: plan.timeout,
            };
            let machines = Machines::prepare(machines_plan, &context, &mut |line| observer.note(line))?;
            policy.machines = machines.plan().machines.clone();
            policy.workers_per_machine = machines.plan().workers_per_machine.clone();
            policy.staged_shards = machines.staged_prefix();
            Some(machines)
        }
        None => None,
    };
    let mut plans = Vec::new();
    for &problem in &plan.problems {
        let implementations = implementations(problem);
        let configurations = plan::plan(problem, &implementations, &policy)?;
        plans.push((problem, implementations, configurations));
    }
    let csr = io::load_graph(&graph, &ReadOptions::default(), BuildOptions::directed())?;
    let shape = GraphShape::of(&csr);
    // A problem the graph cannot pose: an error when it was the one asked for; left out, with
    // the reason in the report, when it was one of several (`cost all` on an unweighted graph).
    let mut left_out = Vec::new();
    if plan.problems.contains(&Problem::Msf) && !shape.weighted {
        let why = format!(
            "msf: {} has no edge weights (give it deterministic ones with `costgraph convert {} --weights random -o \
             WEIGHTED.cgr`)",
            graph.display(),
            graph.display()
        );
        if plan.problems.len() == 1 {
            return Err(Error::invalid(why));
        }
        observer.note(&format!("left out {why}"));
        plans.retain(|(problem, _, _)| *problem != Problem::Msf);
        left_out.push(why);
    }
    let (capacity_rows, too_big) = check_capacity(&mut plans, &shape, plan.memory, plan.force, observer)?;

    // External systems: their input written once (cached by the graph's checksum), then their
    // configurations after the built-in ones of their problem.
    let swept: Vec<Problem> = plans.iter().map(|(problem, _, _)| *problem).collect();
    for spec in plan.externals.iter().filter(|spec| spec.problem().is_ok_and(|p| swept.contains(&p))) {
        let weighted = spec.problem()? == Problem::Msf;
        let input = external::input_file(&graph, &csr, &graph_sha256, spec.format, weighted, &plan.out.join("inputs"))?;
        let configurations = spec.configurations(&policy, &input, &csr, &plan.out.join("external"))?;
        let problem = spec.problem()?;
        let (_, _, configs) = plans.iter_mut().find(|(p, _, _)| *p == problem).expect("checked against the problems");
        configs.extend(configurations);
    }
    if !plan.externals.is_empty() {
        let scratch = plan.out.join("external");
        std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
    }
    drop(csr);

    let graph_info = GraphInfo {
        sha256: graph_sha256.clone(),
        file_bytes: std::fs::metadata(&graph).map_err(|e| Error::io(&graph, e))?.len(),
        path: graph.clone(),
        origin,
        nodes: shape.nodes,
        arcs: shape.arcs,
        weighted: shape.weighted,
        symmetric: shape.symmetric,
    };
    let provenance = Provenance::collect();
    let cores = provenance.machine.cores;
    if let Some(load) = crate::sysinfo::load_average().filter(|&l| l > cores as f64) {
        observer.note(&format!(
            "warning: the load average is {load:.2} on {cores} cores before the sweep: the figures will be noisy"
        ));
    }

    // Every finished configuration goes to runs.jsonl at once; `resume` re-uses matching ones.
    let mut journal = Journal::open(&plan.out, plan.resume)?;
    if plan.resume {
        let unreadable = match journal.unreadable_lines {
            0 => String::new(),
            n => format!(" ({n} unreadable line(s), e.g. torn by a kill, ignored)"),
        };
        observer.note(&format!(
            "resuming: {} earlier record(s) in {}{unreadable}",
            journal.previous(),
            journal.path().display()
        ));
    }
    let timeout_secs = plan.timeout.as_secs();
    let policy_key =
        serde_json::json!({ "warmup": plan.warmup, "sampling": plan.sampling, "timeout_secs": timeout_secs });
    let key = |c: &Configuration| {
        let command = match (&c.external, &plan.machines) {
            (Some(e), _) => serde_json::json!({ "external": e.spec, "cores": c.layout.cores() }),
            // Another hosts file or launch measures again.
            (None, Some(m)) if matches!(c.layout, plan::Layout::Machines { .. }) => {
                serde_json::json!({ "args": c.args, "hosts": m.hosts, "launch": m.launch, "stage": m.stage })
            }
            (None, _) => serde_json::json!({ "args": c.args }),
        };
        journal::key(&exe_sha256, &graph_sha256, command, policy_key.clone())
    };

    let total: usize = plans.iter().map(|(_, _, configs)| configs.len()).sum();
    observer.start(total);
    let (mut done, mut reused) = (0, 0);
    let mut problem_reports = Vec::new();
    for (problem, _, configs) in plans {
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(configs.len());
        for c in &configs {
            // Baselines are always measured anew: they are what every re-used record is checked
            // against (its counts, and for exact problems its answer's digest).
            let baseline_digest = outcomes
                .iter()
                .zip(&configs)
                .find(|(o, c)| c.kind == Kind::SingleThread && o.record.is_some())
                .and_then(|(o, _)| o.record.as_ref().map(|r| r.digest.clone()))
                .filter(|_| problem.exact());
            let expect = Expect { nodes: shape.nodes, arcs: shape.arcs, digest: baseline_digest.as_deref() };
            let earlier = (c.kind != Kind::SingleThread).then(|| journal.reusable(&key(c), &expect)).flatten();
            done += 1;
            reused += usize::from(earlier.is_some());
            observer.begin(done, total, c, earlier.is_some());
            if let Some(outcome) = earlier {
                outcomes.push(outcome);
                continue;
            }
            let mut warmup = plan.warmup;
            let outcome =
                measure::measure(&plan.sampling, problem.exact(), |runs| match (&c.external, &mut machines) {
                    (Some(e), _) => e.run(runs, std::mem::take(&mut warmup), plan.timeout),
                    (None, Some(m)) if matches!(c.layout, plan::Layout::Machines { .. }) => {
                        m.run_batch(c, runs, plan.timeout)
                    }
                    (None, _) => measure::run_builtin(&plan.exe, c, runs, plan.timeout),
                });
            if let Some(f) = &outcome.failure {
                observer.failed(c, f);
            }
            journal.append(key(c), c.describe(), &outcome)?;
            observer.end(c);
            outcomes.push(outcome);
        }
        let rows = configs.into_iter().zip(outcomes).collect();
        problem_reports.push(analysis::analyze(problem, rows, |c| command_line(&plan.exe, c, &plan.sampling)));
    }
    observer.finish();
    if plan.resume {
        observer.note(&format!("re-used {reused} of {total} configuration(s) from {}", journal.path().display()));
    }

    let policy_info = PolicyInfo {
        warmup: plan.warmup,
        sampling: plan.sampling,
        timeout_secs,
        core_counts: plan.core_counts.clone(),
        processes: plan.processes.clone(),
        method: method(&plan.sampling, plan.warmup, &plan.skip, &too_big),
    };
    let mut report =
        Report::new(provenance, plan.command_line.clone(), policy_info, graph_info, capacity_rows, problem_reports);
    report.left_out = left_out;
    if let Some(spec) = plan.model.clone() {
        report.model = Some(ModelReport::of(&report.problems, spec, cores));
    }
    let files = render::write_report(&report, &plan.out)?;
    Ok(SweepOutcome { report, files, journal: journal.path().to_path_buf() })
}

/// The method in words, for the report.
fn method(sampling: &Sampling, warmup: u32, skip: &[&str], too_big: &[String]) -> String {
    let runs = match *sampling {
        Sampling::Fixed { runs } => format!("{runs} counted run(s) in one process"),
        Sampling::Auto { target, max_runs, max_secs } => format!(
            "batches of counted runs, each batch a fresh process, starting with {MIN_RUNS_FOR_95} runs and doubling \
             until the median's 95 % interval is within ±{:.0} % of it, or {max_runs} runs, or {max_secs} s on the \
             configuration",
            100.0 * target
        ),
    };
    format!(
        "each batch loads the graph once and makes {warmup} uncounted warm-up run(s) first; {runs}; min / median / \
         p90 / max of the counted compute times, and the median's 95 % confidence interval from order statistics \
         (distribution-free: binomial ranks, exact coverage); a configuration beats the baseline only when its \
         interval lies below the baseline's, overlapping intervals tie; end to end = load + prepare + compute; every \
         result compared with the baseline's by digest (external systems: by their reported count or weight, or \
         their labels); the baseline also runs its verifier{}{}",
        if skip.is_empty() { String::new() } else { format!("; left out (--skip): {}", skip.join(", ")) },
        if too_big.is_empty() {
            String::new()
        } else {
            format!("; left out (does not fit in memory): {}", too_big.join("; "))
        }
    )
}

/// Checks that the report folder `dir` is (or can be created as) a writable folder, without
/// creating it yet.
pub fn check_output_dir(dir: &Path) -> Result<()> {
    let mut probe = dir;
    while !probe.exists() {
        probe = match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
    }
    if !probe.is_dir() {
        return Err(Error::invalid(format!("{}: {} is not a folder", dir.display(), probe.display())));
    }
    tempfile::tempfile_in(probe).map_err(|e| {
        let e = e.raw_os_error().map_or(e, std::io::Error::from_raw_os_error);
        Error::invalid(format!("{}: cannot write in {}: {e}", dir.display(), probe.display()))
    })?;
    Ok(())
}

/// Where the default Kronecker graph of `scale` is kept in the cache folder `cache`.
pub fn default_graph_path(cache: &Path, scale: u32) -> PathBuf {
    cache.join("generated").join(format!("kron-s{scale}-w{DEFAULT_WEIGHTS}.cgr"))
}

/// Makes sure the default Kronecker graph exists at `path` (generating it with `costgraph
/// generate` in a child process) and says what it did; returns how the graph was made.
pub fn default_kronecker(
    exe: &Path,
    path: &Path,
    scale: u32,
    timeout: Duration,
    observer: &mut dyn Observer,
) -> Result<String> {
    let dir = path.parent().expect("the default graph lives in a folder");
    let args: Vec<String> = ["generate", "kron", "--scale", &scale.to_string(), "--weights", DEFAULT_WEIGHTS, "-o"]
        .into_iter()
        .map(String::from)
        .chain([path.display().to_string()])
        .collect();
    let how = format!(
        "Kronecker graph (Graph500 parameters, scale {scale}, weights {DEFAULT_WEIGHTS}) made by `{}`",
        quote_all(exe, &args)
    );
    if path.is_file() {
        observer.note(&format!("no graph given: using the default {how}, found at {}", path.display()));
        return Ok(how);
    }
    observer.note(&format!("no graph given: generating the default {how}"));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    run_costgraph(exe, &args, timeout)
        .map_err(|f| Error::invalid(format!("generating the default graph failed: {f}")))?;
    if !path.is_file() {
        return Err(Error::invalid(format!("`costgraph generate` did not write {}", path.display())));
    }
    Ok(how)
}

/// Estimates every configuration's memory; leaves out of the sweep (unless `force`) those that
/// do not fit in the available memory (or `memory`, when less), saying which and why, so that
/// nothing is killed by the kernel halfway. Fails when no single-thread baseline of a problem fits
/// (COST needs one). Returns each implementation's estimate at its largest configuration, for the
/// report, and the configurations left out with their estimates.
fn check_capacity(
    plans: &mut [(Problem, Vec<&Implementation>, Vec<Configuration>)],
    shape: &GraphShape,
    memory: Option<u64>,
    force: bool,
    observer: &mut dyn Observer,
) -> Result<(Vec<CapacityRow>, Vec<String>)> {
    let available = capacity::available_within(memory);
    let available_text = available.map_or("unknown".into(), human_bytes);
    let mut rows = Vec::new();
    let mut left_out = Vec::new();
    for (problem, implementations, configs) in plans.iter_mut() {
        let estimate = |c: &Configuration| {
            let imp = implementations.iter().find(|i| i.name == c.implementation);
            imp.map(|imp| capacity::estimate(imp, shape, c.layout.processes(), c.layout.cores()))
        };
        for imp in implementations.iter() {
            let Some(largest) =
                configs.iter().filter(|c| c.implementation == imp.name).max_by_key(|c| c.layout.cores())
            else {
                continue;
            };
            let estimate = estimate(largest).expect("the implementation is in the plan");
            rows.push(CapacityRow {
                problem: *problem,
                implementation: imp.name.into(),
                kind: imp.kind,
                cores: largest.layout.cores(),
                fits: capacity::fits(estimate.total_bytes, available),
                estimate,
            });
        }
        let mut kept = Vec::new();
        for c in configs.drain(..) {
            // Other machines' memory is theirs: only configurations on this one are checked here.
            let here = !matches!(c.layout, plan::Layout::Machines { .. });
            match estimate(&c) {
                Some(e) if here && !force && !capacity::fits(e.total_bytes, available) => left_out.push(format!(
                    "{} {} at {} (needs {}: graph {}, symmetric copy {}, working set {}, runtime {})",
                    problem.name(),
                    c.implementation,
                    c.layout.label(),
                    human_bytes(e.total_bytes),
                    human_bytes(e.graph_bytes),
                    human_bytes(e.symmetric_copy_bytes),
                    human_bytes(e.working_bytes),
                    human_bytes(e.runtime_bytes)
                )),
                _ => kept.push(c),
            }
        }
        if !kept.iter().any(|c| c.kind == Kind::SingleThread) {
            return Err(Error::invalid(format!(
                "the graph does not fit in memory ({available_text} available) for any single-thread baseline of {}, \
                 and COST needs one: {}; run anyway with force (--force)",
                problem.name(),
                left_out.join("; ")
            )));
        }
        *configs = kept;
    }
    let largest = rows.iter().map(|r| r.estimate.total_bytes).max().unwrap_or(0);
    if force && rows.iter().any(|r| !r.fits) {
        observer.note(&format!(
            "capacity: some configurations do not fit in {available_text} available, running them anyway (--force)"
        ));
    } else if left_out.is_empty() {
        observer.note(&format!(
            "capacity: the largest configuration needs about {} of {available_text} available",
            human_bytes(largest)
        ));
    } else {
        observer.note(&format!(
            "capacity: leaving out {} configuration(s) that do not fit in {available_text} available (--force runs \
             them): {}",
            left_out.len(),
            left_out.join("; ")
        ));
    }
    Ok((rows, left_out))
}

/// A configuration's full command line (its first batch's), quoted for a shell where needed.
fn command_line(exe: &Path, c: &Configuration, sampling: &Sampling) -> String {
    match &c.external {
        Some(e) => e.command.clone(),
        None => quote_all(exe, &c.batch_args(sampling.first_batch())),
    }
}

/// `exe args...` quoted for a POSIX shell.
pub fn quote_all(exe: &Path, args: &[String]) -> String {
    std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|a| super::template::shell_quote(&a))
        .collect::<Vec<_>>()
        .join(" ")
}
