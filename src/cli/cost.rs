//! `costgraph cost`: the COST sweep. Every configuration (single-thread baselines, rayon at 1, 2,
//! 4, … threads, timely in one process and over several, and any `--external` system) runs in
//! fresh child processes, sampled until the median's 95 % interval is within ±5 % (or a cap);
//! each finished configuration is appended to `runs.jsonl` (for `--resume`); a failed one is
//! recorded and the sweep goes on. The results are verified against the baseline, summarised,
//! written as JSON, CSV, Markdown and SVG, and the COST table is printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use costgraph::generate::{GRAPH500_EDGE_FACTOR, Generator, GeneratorSpec, KronConfig};
use costgraph::graph::BuildOptions;
use costgraph::harness::capacity::{self, GraphShape};
use costgraph::units::human_bytes;
use costgraph::harness::datasets;
use costgraph::harness::external::{self, ExternalSpec};
use costgraph::harness::journal::{self, Journal};
use costgraph::harness::provenance::Provenance;
use costgraph::io::checksum::sha256_file;
use costgraph::harness::report::{self, CapacityRow, GraphInfo, ModelReport, PolicyInfo, Report};
use costgraph::harness::stats::{MIN_RUNS_FOR_95, Sampling};
use costgraph::harness::sweep::{self, Configuration, Policy};
use costgraph::io::{self, ReadOptions};
use costgraph::registry::{self, Implementation, Kind, Problem};

/// Scale of the embedded default Kronecker graph (2^scale nodes, 16 edges per node).
pub(super) const DEFAULT_SCALE: u32 = 18;
/// Weights of the embedded default graph (so that MSF can run on it too).
const DEFAULT_WEIGHTS: &str = "1..255";

/// Which problems to sweep.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Which {
    /// Connected components.
    Cc,
    /// Minimum spanning forest.
    Msf,
    /// PageRank.
    Pagerank,
    /// All three.
    All,
}

/// Arguments of `costgraph cost`.
#[derive(clap::Args)]
pub struct Args {
    /// The problem(s) to sweep.
    #[arg(value_enum, default_value_t = Which::All)]
    problem: Which,
    /// The graph (.cgr recommended: every configuration loads it again). Default: a generated
    /// Kronecker graph (see --scale), kept in the cache folder.
    graph: Option<PathBuf>,
    /// Counted runs per configuration: a number, or `auto` — sample in batches (a fresh process
    /// each) until the median's 95 % interval is within --precision of it, or --max-runs or
    /// --max-secs is reached.
    #[arg(long, default_value = "auto", value_parser = parse_repeat, value_name = "N|auto")]
    repeat: Repeat,
    /// With --repeat auto: stop when the interval's half-width is below this fraction of the median.
    #[arg(long, default_value_t = 0.05, value_name = "FRACTION")]
    precision: f64,
    /// With --repeat auto: at most this many counted runs per configuration.
    #[arg(long, default_value_t = 50, value_name = "N")]
    max_runs: usize,
    /// With --repeat auto: start no new batch after this many seconds on one configuration.
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    max_secs: f64,
    /// Uncounted warm-up runs per batch (in the same process, before the counted ones).
    #[arg(long, default_value_t = 1)]
    warmup: u32,
    /// Largest thread / worker count (default: this machine's cores); the sweep uses 1, 2, 4, …
    /// and this number.
    #[arg(long, value_name = "N")]
    max_cores: Option<usize>,
    /// Process counts for multi-process timely, comma separated (default: 2 when --max-cores is at
    /// least 2); each with worker counts whose product fits in --max-cores.
    #[arg(long, value_delimiter = ',', value_name = "P,...")]
    processes: Vec<usize>,
    /// Limit per process, in seconds; a configuration that runs longer is recorded as timed out.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    timeout: u64,
    /// Folder for report.json, runs.csv, report.md, scaling.svg and runs.jsonl.
    #[arg(long, default_value = "cost-report", value_name = "DIR")]
    out: PathBuf,
    /// Re-use the configurations already in DIR/runs.jsonl that were measured by this same
    /// costgraph binary on this same graph with the same parameters; measure the rest.
    #[arg(long)]
    resume: bool,
    /// An external system to sweep next to the built-in ones: a JSON object (inline, or a file
    /// holding one or a list); see the README. Repeatable.
    #[arg(long, value_name = "SPEC")]
    external: Vec<String>,
    /// Implementations to leave out of the sweep, comma separated. Default: none when a graph is
    /// given; `differential-cc` for the embedded default graph (its first fixed point alone takes
    /// longer than the whole quick sweep; name no implementation, `--skip ''`, to include it).
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    skip: Option<Vec<String>>,
    /// Memory each configuration may use (e.g. 16G; default: the memory available now).
    /// Configurations whose capacity estimate exceeds it are left out of the sweep, with the
    /// reason in the report; the sweep fails only when no single-thread baseline fits.
    #[arg(long, value_name = "SIZE", value_parser = costgraph::graph::budget::parse_size)]
    memory: Option<u64>,
    /// Estimate each timely implementation's time and COST on clusters this machine is not, from
    /// its measured one-worker compute and traffic: `machines=16,32 gbit=10 latency=0.05`
    /// (machines of this machine's cores, link rate in Gbit/s, latency in ms). The formula is in
    /// the report.
    #[arg(long, value_name = "SPEC")]
    model: Option<costgraph::harness::model::ModelSpec>,
    /// Run every configuration, even those the capacity estimate says do not fit in memory.
    #[arg(long)]
    force: bool,
    /// Scale of the default Kronecker graph (when no graph is given).
    #[arg(long, default_value_t = DEFAULT_SCALE)]
    scale: u32,
    /// Cache folder for the default graph (default: $COSTGRAPH_CACHE, else datasets/cache).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
}

/// `--repeat`: `auto`, or a fixed number of counted runs.
#[derive(Clone, Copy, Debug)]
enum Repeat {
    Auto,
    Runs(u32),
}

fn parse_repeat(text: &str) -> Result<Repeat, String> {
    if text == "auto" {
        return Ok(Repeat::Auto);
    }
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Repeat::Runs(n)),
        _ => Err(format!("expected `auto` or a positive number, not {text:?}")),
    }
}

/// Runs `costgraph cost`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let problems: &[Problem] = match args.problem {
        Which::Cc => &[Problem::Cc],
        Which::Msf => &[Problem::Msf],
        Which::Pagerank => &[Problem::Pagerank],
        Which::All => &Problem::ALL,
    };
    let max_cores = args.max_cores.unwrap_or_else(costgraph::sysinfo::cores);
    ensure!(max_cores >= 1, "--max-cores must be at least 1");
    ensure!(
        max_cores <= costgraph::dataflow::config::MAX_WORKERS,
        "--max-cores {max_cores} is more than costgraph starts (at most {})",
        costgraph::dataflow::config::MAX_WORKERS
    );
    ensure!(args.processes.iter().all(|&p| p >= 1), "--processes must be at least 1");
    if let Some(p) = args.processes.iter().find(|&&p| p > max_cores) {
        bail!("--processes {p} needs at least {p} cores, more than --max-cores {max_cores}");
    }
    ensure!(args.timeout >= 1, "--timeout must be at least 1 second");
    ensure!(args.precision > 0.0 && args.precision < 1.0, "--precision must be a fraction between 0 and 1, e.g. 0.05");
    ensure!(args.max_runs >= 1, "--max-runs must be at least 1");
    ensure!(args.max_secs.is_finite() && args.max_secs >= 0.0, "--max-secs must be a number of seconds");
    let sampling = match args.repeat {
        Repeat::Runs(runs) => Sampling::Fixed { runs: runs as usize },
        Repeat::Auto => Sampling::Auto { target: args.precision, max_runs: args.max_runs, max_secs: args.max_secs },
    };
    let specs = external_specs(&args.external, problems)?;
    if args.graph.is_none() {
        // The default graph is generated by a child process: refuse a bad --scale here, in one line.
        let kron = KronConfig { scale: args.scale, edge_factor: GRAPH500_EDGE_FACTOR };
        GeneratorSpec::new(Generator::Kron(kron)).size().map_err(|e| anyhow::anyhow!("--scale {}: {e}", args.scale))?;
    }
    // The report is written after the sweep, which can take hours: check its folder now.
    check_output_dir(&args.out)?;
    let exe = std::env::current_exe().context("cannot find the costgraph executable to run children")?;
    let timeout = Duration::from_secs(args.timeout);
    let cache = datasets::cache_dir(args.cache.as_deref());
    let default_graph = default_graph_path(&cache, args.scale);
    let graph = args.graph.clone().unwrap_or_else(|| default_graph.clone());
    let policy = Policy {
        graph: graph.clone(),
        warmup: args.warmup,
        sampling,
        core_counts: sweep::core_counts(max_cores),
        processes: if args.processes.is_empty() && max_cores >= 2 { vec![2] } else { args.processes.clone() },
        force: args.force,
    };

    let skip = skipped(args.skip.as_deref(), args.graph.is_none())?;
    if !skip.is_empty() {
        eprintln!("skipping {} (--skip)", skip.join(", "));
    }
    // Plans first: a problem without implementations fails before any work.
    let mut plans = Vec::new();
    for &problem in problems {
        let implementations: Vec<&Implementation> = registry::of(problem).filter(|i| !skip.contains(&i.name)).collect();
        plans.push((problem, implementations.clone(), sweep::plan(problem, &implementations, &policy)?));
    }

    let origin = match &args.graph {
        Some(_) => "given on the command line".to_string(),
        None => default_kronecker(&exe, &default_graph, args.scale, timeout)?,
    };
    let csr = io::load_graph(&graph, &ReadOptions::default(), BuildOptions::directed())?;
    let shape = GraphShape::of(&csr);
    if problems.contains(&Problem::Msf) && !shape.weighted {
        bail!("{}: msf needs edge weights but the graph has none", graph.display());
    }
    let (capacity_rows, too_big) = check_capacity(&mut plans, &shape, args.memory, args.force)?;
    let graph_sha256 = sha256_file(&graph)?;

    // External systems: their input written once (cached by the graph's checksum), then their
    // configurations after the built-in ones of their problem.
    for spec in &specs {
        let input = external::input_file(&graph, &csr, &graph_sha256, spec.format, &args.out.join("inputs"))?;
        let configurations = spec.configurations(&policy, &input, &csr, &args.out.join("external"))?;
        let problem = spec.problem()?;
        let plan = plans.iter_mut().find(|(p, _, _)| *p == problem).expect("checked against the problems swept");
        plan.2.extend(configurations);
    }
    if !specs.is_empty() {
        std::fs::create_dir_all(args.out.join("external"))
            .context("cannot create the scratch folder of external systems")?;
    }
    drop(csr);

    let graph_info = GraphInfo {
        sha256: graph_sha256.clone(),
        file_bytes: std::fs::metadata(&graph).map_err(|e| costgraph::Error::io(&graph, e))?.len(),
        path: graph.clone(),
        origin,
        nodes: shape.nodes,
        arcs: shape.arcs,
        weighted: shape.weighted,
        symmetric: shape.symmetric,
    };
    let provenance = Provenance::collect();
    let cores = provenance.machine.cores;
    if let Some(load) = costgraph::sysinfo::load_average().filter(|&l| l > cores as f64) {
        eprintln!(
            "warning: the load average is {load:.2} on {cores} cores before the sweep: the figures will be noisy"
        );
    }

    // Every finished configuration goes to runs.jsonl at once; --resume re-uses matching ones.
    let exe_sha256 = sha256_file(&exe)?;
    let mut journal = Journal::open(&args.out, args.resume)?;
    if args.resume {
        eprintln!(
            "resuming: {} earlier record(s) in {}{}",
            journal.previous(),
            journal.path().display(),
            match journal.unreadable_lines {
                0 => String::new(),
                n => format!(" ({n} unreadable line(s), e.g. torn by a kill, ignored)"),
            }
        );
    }
    let policy_key = serde_json::json!({ "warmup": args.warmup, "sampling": sampling, "timeout_secs": args.timeout });
    let key = |c: &Configuration| {
        let command = match &c.external {
            Some(e) => serde_json::json!({ "external": e.spec, "cores": c.layout.cores() }),
            None => serde_json::json!({ "args": c.args }),
        };
        journal::key(&exe_sha256, &graph_sha256, command, policy_key.clone())
    };

    let total: usize = plans.iter().map(|(_, _, plan)| plan.len()).sum();
    let bar = costgraph::progress::bar(total as u64, "cost sweep", false);
    let (mut done, mut reused) = (0, 0);
    let mut problem_reports = Vec::new();
    for (problem, _, plan) in plans {
        let mut earlier = plan.iter().map(|c| journal.reusable(&key(c))).collect::<Vec<_>>().into_iter();
        let outcomes = sweep::sweep(
            &plan,
            |_| earlier.next().flatten(),
            |c| {
                let mut warmup = args.warmup;
                let outcome = sweep::measure(&sampling, problem.exact(), |runs| match &c.external {
                    Some(e) => e.run(runs, std::mem::take(&mut warmup), timeout),
                    None => sweep::run_builtin(&exe, c, runs, timeout),
                });
                if let Some(f) = &outcome.failure {
                    bar.suspend(|| eprintln!("{} failed ({f}); the sweep goes on", c.describe()));
                }
                outcome
            },
            |c, from_journal| {
                done += 1;
                reused += usize::from(from_journal);
                let note = if from_journal { " (re-used from runs.jsonl)" } else { "" };
                bar.set_message(format!("{}{note}", c.describe()));
                if bar.is_hidden() {
                    eprintln!("[{done}/{total}] {}{note}", c.describe());
                }
            },
            |c, outcome| {
                bar.inc(1);
                journal.append(key(c), c.describe(), outcome)
            },
        )?;
        let rows = plan.into_iter().zip(outcomes).collect();
        problem_reports.push(report::analyze(problem, rows, |c| command_line(&exe, c, &sampling)));
    }
    bar.finish_and_clear();
    if args.resume {
        eprintln!("re-used {reused} of {total} configuration(s) from {}", journal.path().display());
    }

    let policy_info = PolicyInfo {
        warmup: args.warmup,
        sampling,
        timeout_secs: args.timeout,
        core_counts: policy.core_counts.clone(),
        processes: policy.processes.clone(),
        method: method(&sampling, args.warmup, &skip, &too_big),
    };
    let command: Vec<String> = std::env::args().collect();
    let mut report = Report::new(provenance, command, policy_info, graph_info, capacity_rows, problem_reports);
    if let Some(spec) = args.model.clone() {
        report.model = Some(ModelReport::of(&report.problems, spec, cores));
    }
    let files = report.write(&args.out)?;
    print!("{}", report.cost_table());
    if let Some(model) = &report.model {
        print!("\n{}", model.markdown());
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    println!("wrote {}, {}", names.join(", "), journal.path().display());
    if !report.ok() {
        bail!(
            "{} configuration(s) failed or disagree with the baseline; the report is partial (see {})",
            report.failures.len(),
            args.out.join("report.md").display()
        );
    }
    Ok(())
}

/// Implementations the embedded default sweep leaves out unless `--skip` says otherwise.
const DEFAULT_GRAPH_SKIP: &[&str] = &["differential-cc"];

/// The names `--skip` leaves out (each checked against the registry), or the embedded default's
/// list when `--skip` is not given and no graph is.
fn skipped(skip: Option<&[String]>, default_graph: bool) -> anyhow::Result<Vec<&'static str>> {
    let Some(names) = skip else {
        return Ok(if default_graph { DEFAULT_GRAPH_SKIP.to_vec() } else { Vec::new() });
    };
    names
        .iter()
        .filter(|name| !name.is_empty())
        .map(|name| {
            registry::all()
                .iter()
                .find(|i| i.name == name.as_str())
                .map(|i| i.name)
                .ok_or_else(|| anyhow::anyhow!("--skip {name}: no such implementation (`costgraph list` names them)"))
        })
        .collect()
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

/// Reads every `--external` spec and checks it against the sweep: names unique and not those of
/// registered implementations, problems among those swept.
fn external_specs(given: &[String], problems: &[Problem]) -> anyhow::Result<Vec<ExternalSpec>> {
    let mut specs: Vec<ExternalSpec> = Vec::new();
    for text in given {
        for spec in ExternalSpec::parse_all(text)? {
            let problem = spec.problem()?;
            ensure!(
                problems.contains(&problem),
                "external system {:?} solves {}, which this sweep does not run",
                spec.name,
                problem.name()
            );
            ensure!(
                registry::find(problem, &spec.name).is_none(),
                "external system {:?}: a registered {} implementation has that name; choose another",
                spec.name,
                problem.name()
            );
            ensure!(
                !specs.iter().any(|s| s.name == spec.name && s.problem == spec.problem),
                "two external systems are named {:?}",
                spec.name
            );
            specs.push(spec);
        }
    }
    Ok(specs)
}

/// Checks that the report folder `dir` is (or can be created as) a writable folder, without
/// creating it yet.
pub(super) fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
    let mut probe = dir;
    while !probe.exists() {
        probe = match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
    }
    ensure!(probe.is_dir(), "--out {}: {} is not a folder", dir.display(), probe.display());
    tempfile::tempfile_in(probe).map_err(|e| {
        let e = e.raw_os_error().map_or(e, std::io::Error::from_raw_os_error);
        anyhow::anyhow!("--out {}: cannot write in {}: {e}", dir.display(), probe.display())
    })?;
    Ok(())
}

/// Where the default Kronecker graph of `scale` is kept in the cache folder `cache`.
pub(super) fn default_graph_path(cache: &Path, scale: u32) -> PathBuf {
    cache.join("generated").join(format!("kron-s{scale}-w{DEFAULT_WEIGHTS}.cgr"))
}

/// Makes sure the default Kronecker graph exists (generating it with `costgraph generate` in a
/// child process) and says what it did; returns how the graph was made.
pub(super) fn default_kronecker(exe: &Path, path: &Path, scale: u32, timeout: Duration) -> anyhow::Result<String> {
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
        eprintln!("no graph given: using the default {how}, found at {}", path.display());
        return Ok(how);
    }
    eprintln!("no graph given: generating the default {how}");
    std::fs::create_dir_all(dir).map_err(|e| costgraph::Error::io(dir, e))?;
    sweep::run_child(exe, &args, timeout).map_err(|f| anyhow::anyhow!("generating the default graph failed: {f}"))?;
    ensure!(path.is_file(), "`costgraph generate` did not write {}", path.display());
    Ok(how)
}

/// Estimates every configuration's memory; leaves out of the sweep (unless `force`) those that
/// do not fit in the available memory (or `memory`, when less), saying which and why, so that nothing is killed by the
/// kernel halfway. Fails when no single-thread baseline of a problem fits (COST needs one).
/// Returns each implementation's estimate at its largest configuration, for the report, and the
/// configurations left out with their estimates.
fn check_capacity(
    plans: &mut [(Problem, Vec<&Implementation>, Vec<Configuration>)],
    shape: &GraphShape,
    memory: Option<u64>,
    force: bool,
) -> anyhow::Result<(Vec<CapacityRow>, Vec<String>)> {
    let available = capacity::available_within(memory);
    let available_text = available.map_or("unknown".into(), human_bytes);
    let mut rows = Vec::new();
    let mut left_out = Vec::new();
    for (problem, implementations, plan) in plans.iter_mut() {
        let estimate = |c: &Configuration| {
            let imp = implementations.iter().find(|i| i.name == c.implementation);
            imp.map(|imp| capacity::estimate(imp, shape, c.layout.processes(), c.layout.cores()))
        };
        for imp in implementations.iter() {
            let Some(largest) = plan.iter().filter(|c| c.implementation == imp.name).max_by_key(|c| c.layout.cores())
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
        for c in plan.drain(..) {
            match estimate(&c) {
                Some(e) if !force && !capacity::fits(e.total_bytes, available) => left_out.push(format!(
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
            bail!(
                "the graph does not fit in memory ({available_text} available) for any single-thread baseline of {}, \
                 and COST needs one: {}; use --force to run anyway",
                problem.name(),
                left_out.join("; ")
            );
        }
        *plan = kept;
    }
    let largest = rows.iter().map(|r| r.estimate.total_bytes).max().unwrap_or(0);
    if force && rows.iter().any(|r| !r.fits) {
        eprintln!(
            "capacity: some configurations do not fit in {available_text} available, running them anyway (--force)"
        );
    } else if left_out.is_empty() {
        eprintln!(
            "capacity: the largest configuration needs about {} of {available_text} available",
            human_bytes(largest)
        );
    } else {
        eprintln!(
            "capacity: leaving out {} configuration(s) that do not fit in {available_text} available (--force runs them): {}",
            left_out.len(),
            left_out.join("; ")
        );
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

pub(super) fn quote_all(exe: &Path, args: &[String]) -> String {
    std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|a| external::shell_quote(&a))
        .collect::<Vec<_>>()
        .join(" ")
}
