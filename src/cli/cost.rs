//! `costgraph cost`: the COST sweep. The flags fill a [`CostPlan`]; the library's
//! [`sweep::run`](costgraph::harness::sweep::run) carries it out (every configuration in fresh
//! child processes, sampled, journaled, verified, analysed, written), and the COST table is
//! printed.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use costgraph::generate::{GRAPH500_EDGE_FACTOR, Generator, GeneratorSpec, KronConfig};
use costgraph::harness::datasets;
use costgraph::harness::external::ExternalSpec;
use costgraph::harness::hosts;
use costgraph::harness::machines::MachinesPlan;
use costgraph::harness::observer::StderrObserver;
use costgraph::harness::plan;
use costgraph::harness::stats::Sampling;
use costgraph::harness::sweep::{self, CostPlan, GraphSource};
use costgraph::registry::{self, Problem};

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
    /// given; `differential-cc` and `differential-cc-min` for the embedded default graph (their
    /// first fixed point alone takes longer than the whole quick sweep; name no implementation, `--skip ''`, to include it).
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
    #[command(flatten)]
    pagerank: super::PagerankArgs,
    /// Machines to run the timely implementations on as well: one per line, `ADDRESS [NAME]`
    /// (ADDRESS is what the processes connect to; NAME, default ADDRESS, what --launch and --copy
    /// call the machine). Each configuration `M machines × W workers` runs one process on each of
    /// the first M machines.
    #[arg(long, value_name = "FILE")]
    hosts: Option<PathBuf>,
    /// Machine counts (default: 1, 2, 4, … up to the machines in --hosts).
    #[arg(long, value_delimiter = ',', value_name = "M,...", requires = "hosts")]
    machines: Vec<usize>,
    /// Workers per machine (default: the cores of the first machine).
    #[arg(long, value_delimiter = ',', value_name = "W,...", requires = "hosts")]
    workers_per_machine: Vec<usize>,
    /// How to start a process on a machine: {host} is its NAME, {command} the costgraph command
    /// (plain words; leave it unquoted). Default: `ssh -o BatchMode=yes {host} {command}`; e.g.
    /// `srun -w {host} -N1 -n1 {command}`, `kubectl exec -i {host} -- {command}`, `ip netns exec
    /// {host} {command}`.
    #[arg(long, value_name = "TEMPLATE", requires = "hosts")]
    launch: Option<String>,
    /// Copy the costgraph binary and each machine's shards (cut once per machine count) to DIR on
    /// the machines, and check their SHA-256 there before every run. Default: the machines share
    /// a file system and read this binary and the graph at their paths here.
    #[arg(long, value_name = "DIR", requires = "hosts")]
    stage: Option<PathBuf>,
    /// How to copy a file to a machine with --stage: {src}, {host}, {dst}. Default: `scp -q -o
    /// BatchMode=yes {src} {host}:{dst}`.
    #[arg(long, value_name = "TEMPLATE", requires = "stage")]
    copy: Option<String>,
    /// Machines holding each shard: with 2 or more, a configuration whose machine is lost is
    /// retried once with that machine's share served by a replica.
    #[arg(long, default_value_t = 1, value_name = "R", requires = "hosts")]
    replicas: usize,
    /// The port the machines' processes listen on (a machine serving a lost one's share also uses
    /// the next).
    #[arg(long, default_value_t = costgraph::harness::machines::DEFAULT_PORT, value_name = "PORT", requires = "hosts")]
    port: u16,
    /// Scale of the default Kronecker graph (when no graph is given).
    #[arg(long, default_value_t = sweep::DEFAULT_SCALE)]
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
    let problems = match args.problem {
        Which::Cc => vec![Problem::Cc],
        Which::Msf => vec![Problem::Msf],
        Which::Pagerank => vec![Problem::Pagerank],
        Which::All => Problem::ALL.to_vec(),
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
    let graph = match &args.graph {
        Some(path) => GraphSource::File(path.clone()),
        None => {
            // The default graph is generated by a child process: refuse a bad --scale here, in one line.
            let kron = KronConfig { scale: args.scale, edge_factor: GRAPH500_EDGE_FACTOR };
            GeneratorSpec::new(Generator::Kron(kron))
                .size()
                .map_err(|e| anyhow::anyhow!("--scale {}: {e}", args.scale))?;
            GraphSource::Default { scale: args.scale, cache: datasets::cache_dir(args.cache.as_deref()) }
        }
    };
    let exe = std::env::current_exe().context("cannot find the costgraph executable to run children")?;
    let mut plan = CostPlan::new(problems, graph, exe);
    plan.sampling = match args.repeat {
        Repeat::Runs(runs) => Sampling::Fixed { runs: runs as usize },
        Repeat::Auto => Sampling::Auto { target: args.precision, max_runs: args.max_runs, max_secs: args.max_secs },
    };
    plan.warmup = args.warmup;
    plan.core_counts = plan::core_counts(max_cores);
    plan.processes = if args.processes.is_empty() && max_cores >= 2 { vec![2] } else { args.processes.clone() };
    plan.timeout = Duration::from_secs(args.timeout);
    plan.out = args.out.clone();
    plan.resume = args.resume;
    plan.externals =
        args.external.iter().map(|text| ExternalSpec::parse_all(text)).collect::<Result<Vec<_>, _>>()?.concat();
    plan.memory = args.memory;
    plan.force = args.force;
    let pagerank_swept = plan.problems.contains(&Problem::Pagerank);
    plan.pagerank = args.pagerank.params(if pagerank_swept { Problem::Pagerank } else { plan.problems[0] })?;
    plan.model = args.model.clone();
    if let Some(names) = &args.skip {
        plan.skip = skipped(names)?;
    }
    if let Some(file) = &args.hosts {
        let mut machines = MachinesPlan::new(hosts::read(file)?);
        if !args.machines.is_empty() {
            machines.machines = args.machines.clone();
        }
        machines.workers_per_machine = args.workers_per_machine.clone();
        machines.launch = args.launch.clone();
        machines.stage = args.stage.clone();
        machines.copy = args.copy.clone();
        machines.replicas = args.replicas;
        machines.port = args.port;
        plan.machines = Some(machines);
    }
    let outcome = sweep::run(&plan, &mut StderrObserver::new())?;
    let report = &outcome.report;
    print!("{}", report.cost_table());
    if let Some(model) = &report.model {
        print!("\n{}", model.markdown());
    }
    let names: Vec<String> = outcome.files.iter().map(|f| f.display().to_string()).collect();
    println!("wrote {}, {}", names.join(", "), outcome.journal.display());
    if !report.ok() {
        bail!(
            "{} configuration(s) failed or disagree with the baseline; the report is partial (see {})",
            report.failures.len(),
            args.out.join("report.md").display()
        );
    }
    Ok(())
}

/// The names `--skip` leaves out, each checked against the registry.
fn skipped(names: &[String]) -> anyhow::Result<Vec<&'static str>> {
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
