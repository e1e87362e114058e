//! Command-line interface (clap derive). Each subcommand has its own module with its arguments
//! and its `run` function; this module parses, sets up the thread pool and reports errors as one
//! line on stderr with a non-zero exit code.

mod cluster;
mod convert;
mod cost;
mod datasets;
mod generate;
mod info;
mod key;
mod launched;
mod list;
mod run;
mod shard;
mod updates;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// costgraph: how many cores does a scalable graph system need to beat one thread?
#[derive(Parser)]
#[command(name = "costgraph", version, about, long_about = None)]
struct Cli {
    /// Threads for rayon (default: all cores). Single-thread implementations ignore it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// End when standard input closes (set by the costgraph process that starts this one, which
    /// holds the pipe open while it runs, so that this process never outlives it).
    #[arg(long, global = true, hide = true)]
    lifeline: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert a graph from a public format (SNAP, DIMACS, Matrix Market, ...) to .cgr or text.
    Convert(convert::Args),
    /// Generate a synthetic graph (Kronecker / Graph500, uniform random, 2-D grid).
    Generate(generate::Args),
    /// Print a graph's size, degrees and storage.
    Info(info::Args),
    /// Run one implementation on one graph: timed, optionally verified.
    Run(run::Args),
    /// List the implementations of every problem.
    List(list::Args),
    /// The COST sweep: the best single thread vs every scalable implementation at 1..N cores.
    Cost(cost::Args),
    /// The catalog of public graphs: list, fetch (checksummed), verify.
    Datasets(datasets::Args),
    /// Start the processes of a timely cluster on this machine and run one `run` command on them.
    Cluster(cluster::Args),
    /// Cut a .cgr graph into one shard per process of a cluster, with a checksummed manifest.
    Shard(shard::Args),
    /// Keep the components current under batches of edge changes (differential dataflow): update
    /// latency percentiles against recomputing with one thread.
    Updates(updates::Args),
    /// Check a result written in parts (`run ... --output DIR`) against the whole graph.
    Verify(verify::Args),
    /// Make a new key for the processes of a cluster to share (`--key-file` of `run`).
    Key(key::Args),
    /// One process of a cluster started by `cost --hosts` or `cluster` (reads its request on stdin).
    #[command(hide = true)]
    Launched,
    /// One process of one `updates` configuration (started by `updates`; prints JSON).
    #[command(hide = true)]
    UpdatesProcess(updates::ProcessArgs),
}

/// An order of the arcs stored besides the CSR.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrderArg {
    /// The CSR only (arcs by source node).
    Vertex,
    /// Also the arcs sorted along the Hilbert curve (for `pagerank-hilbert`).
    Hilbert,
}

/// The memory budget of the commands that build graphs (`generate`, `convert`).
#[derive(clap::Args, Clone, Debug)]
pub struct MemoryArgs {
    /// Memory budget, e.g. 8G or 512M (default: 60% of the memory available, cgroup limit
    /// included). A graph that does not fit is built out of core: its arcs go to temporary bucket
    /// files, each bucket is built within the budget, and the .cgr is written section by section.
    #[arg(long, value_name = "SIZE", value_parser = costgraph::graph::budget::parse_size)]
    pub memory: Option<u64>,
    /// Folder for the temporary bucket files of an out-of-core build (default: the output's
    /// folder). Everything there is removed at the end, on error and on Ctrl-C.
    #[arg(long, value_name = "DIR")]
    pub tmp: Option<std::path::PathBuf>,
}

/// PageRank's parameters, on `run` and `cost` (the defaults are the COST paper's).
#[derive(clap::Args, Clone, Copy)]
pub struct PagerankArgs {
    /// PageRank: iterations to run (at most, with --tolerance) [default: 20]
    #[arg(long, value_name = "N")]
    iterations: Option<u32>,
    /// PageRank: the damping factor, the probability of following an arc (between 0 and 1)
    /// [default: 0.85]
    #[arg(long, value_name = "D")]
    damping: Option<f64>,
    /// PageRank: stop once an iteration changes the ranks by at most T (L1 distance)
    #[arg(long, value_name = "T")]
    tolerance: Option<f64>,
}

impl PagerankArgs {
    /// The parameters asked for, checked; an error when they are given for another problem.
    pub fn params(&self, problem: costgraph::registry::Problem) -> anyhow::Result<costgraph::algo::pagerank::Params> {
        let defaults = costgraph::algo::pagerank::Params::default();
        let given = self.iterations.is_some() || self.damping.is_some() || self.tolerance.is_some();
        anyhow::ensure!(
            !given || problem == costgraph::registry::Problem::Pagerank,
            "--iterations, --damping and --tolerance are PageRank's; {} has none",
            problem.name()
        );
        let params = costgraph::algo::pagerank::Params {
            damping: self.damping.unwrap_or(defaults.damping),
            iterations: self.iterations.unwrap_or(defaults.iterations),
            tolerance: self.tolerance,
        };
        params.check().map_err(anyhow::Error::msg)?;
        Ok(params)
    }
}

impl MemoryArgs {
    /// The budget, and the folder for temporary files (checked to exist).
    pub fn resolve(&self, output: &std::path::Path) -> anyhow::Result<(costgraph::graph::Budget, std::path::PathBuf)> {
        let budget = costgraph::graph::Budget::from_flag(self.memory)?;
        let dir = match &self.tmp {
            Some(dir) => {
                anyhow::ensure!(dir.is_dir(), "--tmp {}: no such folder", dir.display());
                dir.clone()
            }
            None => {
                output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new(".")).to_path_buf()
            }
        };
        Ok((budget, dir))
    }
}

/// A problem, as named on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ProblemArg {
    /// Connected components.
    Cc,
    /// Minimum spanning forest.
    Msf,
    /// PageRank.
    Pagerank,
}

impl From<ProblemArg> for costgraph::registry::Problem {
    fn from(p: ProblemArg) -> Self {
        match p {
            ProblemArg::Cc => Self::Cc,
            ProblemArg::Msf => Self::Msf,
            ProblemArg::Pagerank => Self::Pagerank,
        }
    }
}

/// Parses the command line, runs the command and turns errors into one line and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Adds the input's name to errors that do not carry one (too many nodes).
fn name_input(path: &std::path::Path, err: costgraph_core::Error) -> anyhow::Error {
    match err {
        costgraph_core::Error::TooManyNodes { .. } => anyhow::anyhow!("{}: {err}", path.display()),
        err => err.into(),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    costgraph::cleanup::install_signal_handler("error: interrupted; child processes ended, temporary files removed");
    if cli.lifeline {
        costgraph::cleanup::exit_when_closed(std::io::stdin(), "error: the parent process is gone; stopped");
    }
    let result = dispatch(cli);
    // Ending on a signal: the handler exits with its status; nothing returns past it.
    costgraph::cleanup::stop_if_ending();
    result
}

/// The key a launch request carried (`costgraph launched`), which `run` uses before the
/// environment's or a key file's.
static LAUNCH_KEY: std::sync::OnceLock<costgraph::dataflow::ClusterKey> = std::sync::OnceLock::new();

/// Keeps the key of this process's launch request.
fn set_launch_key(key: costgraph::dataflow::ClusterKey) {
    let _ = LAUNCH_KEY.set(key);
}

/// The key of this process's launch request, if it was launched.
fn launch_key() -> Option<costgraph::dataflow::ClusterKey> {
    LAUNCH_KEY.get().cloned()
}

/// Sets up the thread pool and runs the command.
fn dispatch(cli: Cli) -> anyhow::Result<()> {
    if let Some(threads) = cli.threads {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        anyhow::ensure!(
            threads <= costgraph::dataflow::config::MAX_WORKERS,
            "--threads {threads} is more than costgraph starts (at most {})",
            costgraph::dataflow::config::MAX_WORKERS
        );
        rayon::ThreadPoolBuilder::new().num_threads(threads).build_global()?;
    }
    match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Info(args) => info::run(args),
        Command::Run(args) => run::run(args, cli.threads),
        Command::List(args) => list::run(args),
        Command::Cost(args) => cost::run(args),
        Command::Datasets(args) => datasets::run(args),
        Command::Cluster(args) => cluster::run(args),
        Command::Shard(args) => shard::run(args),
        Command::Updates(args) => updates::run(args),
        Command::UpdatesProcess(args) => updates::run_process(args),
        Command::Verify(args) => verify::run(args),
        Command::Key(args) => key::run(args),
        Command::Launched => launched::run(),
    }
}
