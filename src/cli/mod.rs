//! Command-line interface (clap derive). Each subcommand has its own module with its arguments
//! and its `run` function; this module parses, sets up the thread pool and reports errors as one
//! line on stderr with a non-zero exit code.

mod cluster;
mod convert;
mod cost;
mod datasets;
mod generate;
mod info;
mod list;
mod run;
mod updates;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// costgraph: how many cores does a scalable graph system need to beat one thread?
#[derive(Parser)]
#[command(name = "costgraph", version, about, long_about = None)]
struct Cli {
    /// Threads for rayon (default: all cores). Single-thread implementations ignore it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
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
    /// Keep the components current under batches of edge changes (differential dataflow): update
    /// latency percentiles against recomputing with one thread.
    Updates(updates::Args),
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
fn name_input(path: &std::path::Path, err: costgraph::Error) -> anyhow::Error {
    match err {
        costgraph::Error::TooManyNodes { .. } => anyhow::anyhow!("{}: {err}", path.display()),
        err => err.into(),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
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
        Command::Updates(args) => updates::run(args),
        Command::UpdatesProcess(args) => updates::run_process(args),
    }
}
