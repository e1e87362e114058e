//! `costgraph cluster`: starts the processes of a timely cluster on this machine (this same
//! executable, each `costgraph launched` with its `run` command, placement and a new key on its
//! standard input), waits for them, prints process 0's output and fails, ending the others, as
//! soon as one process fails or the timeout passes.

use std::time::Duration;

use anyhow::{Context, bail};
use costgraph::dataflow::config::{MAX_PROCESSES, MAX_WORKERS};
use costgraph::harness::launch;

/// Arguments of `costgraph cluster`.
#[derive(clap::Args)]
#[command(after_help = "Example: costgraph cluster --processes 2 --workers 4 run cc --impl timely-union-find g.cgr")]
pub struct Args {
    /// Number of processes to start.
    #[arg(long, default_value_t = 2, value_name = "P")]
    processes: usize,
    /// Worker threads in each process.
    #[arg(long, default_value_t = 1, value_name = "W")]
    workers: usize,
    /// First port (processes listen on 127.0.0.1:PORT+i); by default free ports are picked.
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// End every process and fail after this many seconds (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    timeout: u64,
    /// The `run` command each process executes: `run PROBLEM --impl NAME GRAPH [run options]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true, value_name = "RUN")]
    command: Vec<String>,
}

/// Runs `costgraph cluster`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.processes >= 1, "--processes must be at least 1");
    anyhow::ensure!(args.workers >= 1, "--workers must be at least 1");
    anyhow::ensure!(
        args.processes <= MAX_PROCESSES,
        "--processes {} is more than this machine should start (at most {MAX_PROCESSES})",
        args.processes
    );
    anyhow::ensure!(
        args.workers <= MAX_WORKERS,
        "--workers {} is more than a process can run (at most {MAX_WORKERS})",
        args.workers
    );
    anyhow::ensure!(
        args.command.first().is_some_and(|c| c == "run"),
        "cluster runs a `run` command: costgraph cluster --processes P run cc --impl NAME GRAPH"
    );
    let reserved = ["--processes", "--process", "--workers", "--port", "--hostfile", "--addresses", "--key-file"];
    if let Some(flag) = args.command.iter().find(|a| reserved.iter().any(|r| a.split('=').next() == Some(r))) {
        bail!("{flag} is set by cluster itself; give it before `run`");
    }
    let exe = std::env::current_exe().context("cannot find the costgraph executable")?;
    let (stdout, stderr) = launch_local(&exe, &args.command, args.processes, args.workers, args.port, args.timeout)?;
    print!("{stdout}");
    eprint!("{stderr}");
    Ok(())
}

/// Runs `command` on a local cluster of `processes` × `workers` (ports from `port`, or free ones;
/// `timeout` seconds at most, 0: no limit) and returns process 0's stdout and stderr, or the error
/// line of the process that failed.
pub(super) fn launch_local(
    exe: &std::path::Path,
    command: &[String],
    processes: usize,
    workers: usize,
    port: Option<u16>,
    timeout: u64,
) -> anyhow::Result<(String, String)> {
    let limit = if timeout == 0 { Duration::from_secs(u32::MAX as u64) } else { Duration::from_secs(timeout) };
    let out = launch::local_cluster(exe, command, processes, workers, port, limit).map_err(|f| {
        let reason = f.reason.split("; stderr: ").nth(1).map_or(f.reason.clone(), |s| {
            // The child's `error:` line (clap adds usage hints after it), else its last line.
            s.lines()
                .find(|l| l.starts_with("error: "))
                .or_else(|| s.lines().rev().find(|l| !l.trim().is_empty()))
                .map_or(s.to_string(), |l| l.trim_start_matches("error: ").to_string())
        });
        match (&f.host, f.kind) {
            (_, costgraph::harness::child::FailureKind::Timeout) => {
                anyhow::anyhow!("the cluster did not finish within {timeout} s; all processes were ended")
            }
            (Some(host), _) => anyhow::anyhow!("{host} of {processes} failed: {reason}"),
            (None, _) => anyhow::anyhow!("the cluster failed: {reason}"),
        }
    })?;
    let first = out.outputs.into_iter().next().context("no process was started")?;
    Ok((String::from_utf8_lossy(&first.stdout).into_owned(), String::from_utf8_lossy(&first.stderr).into_owned()))
}
