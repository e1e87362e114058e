//! `costgraph cluster`: starts the processes of a timely cluster on this machine (this same
//! executable, `costgraph run ... --processes P --process i`), waits for them, prints process 0's
//! output and fails, killing the others, as soon as one process fails or the timeout passes.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use costgraph::dataflow::config::{MAX_PROCESSES, MAX_WORKERS};

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
    /// Kill every process and fail after this many seconds (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    timeout: u64,
    /// The `run` command each process executes: `run PROBLEM --impl NAME GRAPH [run options]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true, value_name = "RUN")]
    command: Vec<String>,
}

/// One started process with the threads collecting its output.
struct Process {
    child: Child,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
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
    let reserved = ["--processes", "--process", "--workers", "--port", "--hostfile"];
    if let Some(flag) = args.command.iter().find(|a| reserved.iter().any(|r| a.split('=').next() == Some(r))) {
        bail!("{flag} is set by cluster itself; give it before `run`");
    }
    let exe = std::env::current_exe().context("cannot find the costgraph executable")?;
    let (stdout, stderr) = launch(&exe, &args.command, args.processes, args.workers, args.port, args.timeout)?;
    print!("{stdout}");
    eprint!("{stderr}");
    Ok(())
}

/// Starts `processes` processes of `exe COMMAND --workers W --processes P --process i --hostfile F`
/// on this machine (free ports unless `port` gives the first), waits for them and returns process
/// 0's stdout and stderr. Fails, killing the others, as soon as one process fails (with that
/// process's `error:` line) or `timeout` seconds pass (0: no limit).
pub(super) fn launch(
    exe: &std::path::Path,
    command: &[String],
    processes: usize,
    workers: usize,
    port: Option<u16>,
    timeout: u64,
) -> anyhow::Result<(String, String)> {
    let hostfile = tempfile::NamedTempFile::new().context("cannot create the hostfile")?;
    let addresses = match port {
        Some(base) => {
            anyhow::ensure!(base as usize + processes <= 65_536, "ports {base}+{processes} do not fit");
            (0..processes).map(|i| format!("127.0.0.1:{}", base as usize + i)).collect::<Vec<_>>()
        }
        None => free_addresses(processes)?,
    };
    std::fs::write(hostfile.path(), addresses.join("\n") + "\n").context("cannot write the hostfile")?;

    let count = processes;
    let mut processes: Vec<Process> = Vec::with_capacity(count);
    for i in 0..count {
        let mut child = Command::new(exe);
        child
            .args(command)
            .args(["--workers", &workers.to_string()])
            .args(["--processes", &count.to_string(), "--process", &i.to_string()])
            .arg("--hostfile")
            .arg(hostfile.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match child.spawn() {
            Ok(mut child) => {
                let stdout = collect(child.stdout.take());
                let stderr = collect(child.stderr.take());
                processes.push(Process { child, stdout, stderr });
            }
            Err(e) => {
                kill_all(&mut processes);
                bail!("cannot start process {i}: {e}");
            }
        }
    }

    let deadline = (timeout > 0).then(|| Instant::now() + Duration::from_secs(timeout));
    let mut done = vec![false; processes.len()];
    while done.iter().any(|d| !d) {
        for (i, p) in processes.iter_mut().enumerate() {
            if done[i] {
                continue;
            }
            if let Some(status) = p.child.try_wait().context("cannot wait for a process")? {
                done[i] = true;
                if !status.success() {
                    kill_all(&mut processes);
                    let failed = processes.swap_remove(i);
                    let stderr = failed.stderr.join().unwrap_or_default();
                    // The child's `error:` line (clap adds usage hints after it), else its last line.
                    let reason = stderr
                        .lines()
                        .find(|l| l.starts_with("error: "))
                        .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
                        .map(|l| l.trim_start_matches("error: ").to_string())
                        .unwrap_or_else(|| format!("exit status {status}"));
                    bail!("process {i} of {count} failed: {reason}");
                }
            }
        }
        if deadline.is_some_and(|d| Instant::now() > d) {
            kill_all(&mut processes);
            bail!("the cluster did not finish within {} s; all processes were killed", timeout);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let first = processes.into_iter().next().context("no process was started")?;
    Ok((first.stdout.join().unwrap_or_default(), first.stderr.join().unwrap_or_default()))
}

/// Reads a child's pipe to the end on its own thread (so that a full pipe never blocks it).
fn collect(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut out = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut out);
        }
        out
    })
}

/// Kills and reaps every process still running.
fn kill_all(processes: &mut [Process]) {
    for p in processes.iter_mut() {
        if matches!(p.child.try_wait(), Ok(None)) {
            let _ = p.child.kill();
        }
        let _ = p.child.wait();
    }
}

/// `count` distinct free ports on 127.0.0.1 (asked from the OS, then released for the processes).
fn free_addresses(count: usize) -> anyhow::Result<Vec<String>> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .context("cannot find free ports on 127.0.0.1")?;
    listeners.iter().map(|l| Ok(l.local_addr()?.to_string())).collect()
}
