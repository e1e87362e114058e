//! `costgraph cost`: the COST sweep. Every configuration (single-thread baselines, rayon at 1, 2,
//! 4, … threads, timely in one process and over several) runs in a fresh child `costgraph run
//! --json`; the results are verified against the baseline by digest, summarised, written as
//! JSON, CSV, Markdown and SVG, and the COST table is printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use costgraph::graph::BuildOptions;
use costgraph::harness::capacity::{self, GraphShape, human_bytes};
use costgraph::harness::datasets;
use costgraph::harness::provenance::{Provenance, sha256_file};
use costgraph::harness::report::{self, CapacityRow, GraphInfo, PolicyInfo, Report};
use costgraph::harness::sweep::{self, Configuration, Policy};
use costgraph::io::{self, ReadOptions};
use costgraph::registry::{self, Implementation, Problem};

/// Scale of the embedded default Kronecker graph (2^scale nodes, 16 edges per node).
const DEFAULT_SCALE: u32 = 19;
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
    /// Counted runs per configuration.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Uncounted warm-up runs per configuration (in the same process, before the counted ones).
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
    /// Limit per configuration, in seconds; a configuration that runs longer fails the sweep.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    timeout: u64,
    /// Folder for report.json, runs.csv, report.md and scaling.svg.
    #[arg(long, default_value = "cost-report", value_name = "DIR")]
    out: PathBuf,
    /// Run even when the capacity estimate says the graph does not fit in memory.
    #[arg(long)]
    force: bool,
    /// Scale of the default Kronecker graph (when no graph is given).
    #[arg(long, default_value_t = DEFAULT_SCALE)]
    scale: u32,
    /// Cache folder for the default graph (default: $COSTGRAPH_CACHE, else datasets/cache).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
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
    // The report is written after the sweep, which can take hours: check its folder now.
    check_output_dir(&args.out)?;
    let exe = std::env::current_exe().context("cannot find the costgraph executable to run children")?;
    let timeout = Duration::from_secs(args.timeout);
    let cache = datasets::cache_dir(args.cache.as_deref());
    let default_graph = cache.join("generated").join(format!("kron-s{}-w{}.cgr", args.scale, DEFAULT_WEIGHTS));
    let graph = args.graph.clone().unwrap_or_else(|| default_graph.clone());
    let policy = Policy {
        graph: graph.clone(),
        warmup: args.warmup,
        repeat: args.repeat,
        core_counts: sweep::core_counts(max_cores),
        processes: if args.processes.is_empty() && max_cores >= 2 { vec![2] } else { args.processes.clone() },
    };

    // Plans first: a problem without implementations fails before any work.
    let mut plans = Vec::new();
    for &problem in problems {
        let implementations: Vec<&Implementation> = registry::of(problem).collect();
        plans.push((problem, implementations.clone(), sweep::plan(problem, &implementations, &policy)?));
    }

    let origin = match &args.graph {
        Some(_) => "given on the command line".to_string(),
        None => default_kronecker(&exe, &default_graph, args.scale, timeout)?,
    };
    let csr = io::load_graph(&graph, &ReadOptions::default(), BuildOptions::directed())?;
    let shape = GraphShape {
        nodes: csr.num_nodes() as u64,
        arcs: csr.num_arcs(),
        weighted: csr.is_weighted(),
        symmetric: csr.is_symmetric(),
    };
    drop(csr);
    if problems.contains(&Problem::Msf) && !shape.weighted {
        bail!("{}: msf needs edge weights but the graph has none", graph.display());
    }
    let capacity_rows = check_capacity(&plans, &shape, args.force)?;

    let graph_info = GraphInfo {
        sha256: sha256_file(&graph)?,
        file_bytes: std::fs::metadata(&graph).map_err(|e| costgraph::Error::io(&graph, e))?.len(),
        path: graph.clone(),
        origin,
        nodes: shape.nodes,
        arcs: shape.arcs,
        weighted: shape.weighted,
        symmetric: shape.symmetric,
    };
    let provenance = Provenance::collect();

    let total: usize = plans.iter().map(|(_, _, plan)| plan.len()).sum();
    let bar = costgraph::progress::bar(total as u64, "cost sweep", false);
    let mut done = 0;
    let mut problem_reports = Vec::new();
    for (problem, _, plan) in plans {
        let records = sweep::sweep(
            &plan,
            |c| {
                let record = sweep::parse_record(&sweep::run_child(&exe, &c.args, timeout)?);
                bar.inc(1);
                record
            },
            |c| {
                done += 1;
                bar.set_message(c.describe());
                if bar.is_hidden() {
                    eprintln!("[{done}/{total}] {}", c.describe());
                }
            },
        )?;
        problem_reports.push(report::analyze(problem, plan, records, |c| command_line(&exe, c))?);
    }
    bar.finish_and_clear();

    let policy_info = PolicyInfo {
        warmup: args.warmup,
        repeat: args.repeat,
        timeout_secs: args.timeout,
        core_counts: policy.core_counts.clone(),
        processes: policy.processes.clone(),
        method: format!(
            "each configuration in a fresh process: load the graph once, {} uncounted warm-up run(s), then {} counted \
             run(s); min / median / p90 / max of the counted compute times; end to end = load + prepare + compute; \
             every result compared with the baseline's by digest; the baseline also runs its verifier",
            args.warmup, args.repeat
        ),
    };
    let command: Vec<String> = std::env::args().collect();
    let report = Report::new(provenance, command, policy_info, graph_info, capacity_rows, problem_reports);
    let files = report.write(&args.out)?;
    print!("{}", report.cost_table());
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    println!("wrote {}", names.join(", "));
    if !report.ok() {
        bail!(
            "{} run(s) disagree with the baseline; the report is marked FAILED (see {})",
            report.failures.len(),
            args.out.join("report.md").display()
        );
    }
    Ok(())
}

/// Checks that the report folder `dir` is (or can be created as) a writable folder, without
/// creating it yet.
fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
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

/// Makes sure the default Kronecker graph exists (generating it with `costgraph generate` in a
/// child process) and says what it did; returns how the graph was made.
fn default_kronecker(exe: &Path, path: &Path, scale: u32, timeout: Duration) -> anyhow::Result<String> {
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
    sweep::run_child(exe, &args, timeout).context("generating the default graph failed")?;
    ensure!(path.is_file(), "`costgraph generate` did not write {}", path.display());
    Ok(how)
}

/// Estimates every implementation at its largest configuration; refuses (unless `force`) when
/// one does not fit in the available memory.
fn check_capacity(
    plans: &[(Problem, Vec<&Implementation>, Vec<Configuration>)],
    shape: &GraphShape,
    force: bool,
) -> anyhow::Result<Vec<CapacityRow>> {
    let available = costgraph::sysinfo::available_memory_bytes();
    let mut rows = Vec::new();
    for (problem, implementations, plan) in plans {
        for imp in implementations {
            let Some(largest) = plan.iter().filter(|c| c.implementation == imp.name).max_by_key(|c| c.layout.cores())
            else {
                continue;
            };
            let cores = largest.layout.cores();
            let estimate =
                capacity::estimate(*problem, imp.kind, imp.needs_symmetric, shape, largest.layout.processes(), cores);
            rows.push(CapacityRow {
                problem: *problem,
                implementation: imp.name.into(),
                kind: imp.kind,
                cores,
                fits: capacity::fits(estimate.total_bytes, available),
                estimate,
            });
        }
    }
    let available_text = available.map_or("unknown".into(), human_bytes);
    let largest = rows.iter().map(|r| r.estimate.total_bytes).max().unwrap_or(0);
    let too_big: Vec<String> = rows
        .iter()
        .filter(|r| !r.fits)
        .map(|r| {
            let e = &r.estimate;
            format!(
                "{} {} at {} cores needs {} (graph {}, symmetric copy {}, working set {}, runtime {})",
                r.problem.name(),
                r.implementation,
                r.cores,
                human_bytes(e.total_bytes),
                human_bytes(e.graph_bytes),
                human_bytes(e.symmetric_copy_bytes),
                human_bytes(e.working_bytes),
                human_bytes(e.runtime_bytes)
            )
        })
        .collect();
    if too_big.is_empty() {
        eprintln!(
            "capacity: the largest configuration needs about {} of {available_text} available",
            human_bytes(largest)
        );
    } else if force {
        eprintln!(
            "capacity: does not fit in {available_text} available, running anyway (--force): {}",
            too_big.join("; ")
        );
    } else {
        bail!(
            "the graph does not fit in memory ({available_text} available): {}; use --force to run anyway",
            too_big.join("; ")
        );
    }
    Ok(rows)
}

/// The child's full command line, quoted for a shell where needed.
fn command_line(exe: &Path, c: &Configuration) -> String {
    quote_all(exe, &c.args)
}

fn quote_all(exe: &Path, args: &[String]) -> String {
    std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c)) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
