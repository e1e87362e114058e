//! Command-line interface (clap derive). Each subcommand has its own module with its arguments
//! and its `run` function; this module parses, sets up the thread pool and reports errors as one
//! line on stderr with a non-zero exit code.

mod convert;
mod info;
mod list;
mod run;

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
    /// Print a graph's size, degrees and storage.
    Info(info::Args),
    /// Run one implementation on one graph: timed, optionally verified.
    Run(run::Args),
    /// List the implementations of every problem.
    List(list::Args),
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

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(threads) = cli.threads {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new().num_threads(threads).build_global()?;
    }
    match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Info(args) => info::run(args),
        Command::Run(args) => run::run(args, cli.threads),
        Command::List(args) => list::run(args),
    }
}
