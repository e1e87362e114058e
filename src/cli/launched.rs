//! `costgraph launched`: one process of a cluster a sweep or `cluster` started
//! ([`costgraph::harness::launch`]). It reads its request (arguments, the run's key, the SHA-256
//! its binary and files must have) as one line on its standard input, refuses to run with a binary
//! or a file that is not the sweep's, prints one line with its host's facts, and runs; it ends as
//! soon as its standard input closes, so it never outlives the process that started it.

use std::io::{BufRead, Read};

use anyhow::{Context, bail};
use clap::Parser;
use costgraph::dataflow::ClusterKey;
use costgraph::harness::launch::{LaunchRequest, Started};
use costgraph::harness::provenance::HostFacts;
use costgraph::io::checksum::sha256_file;

/// The longest request line read.
const MAX_REQUEST: u64 = 1 << 20;

/// Runs `costgraph launched`.
pub fn run() -> anyhow::Result<()> {
    let mut input = std::io::BufReader::new(std::io::stdin());
    let mut line = String::new();
    (&mut input).take(MAX_REQUEST).read_line(&mut line).context("cannot read the launch request on stdin")?;
    let request: LaunchRequest =
        serde_json::from_str(line.trim()).context("standard input is not a launch request (costgraph starts this)")?;
    let host = request.host.as_str();
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let binary_sha256 = sha256_file(&exe)?;
    if let Some(expected) = &request.binary_sha256
        && *expected != binary_sha256
    {
        bail!("host {host}: {} has SHA-256 {binary_sha256}, not the sweep's {expected}", exe.display());
    }
    for (path, expected) in &request.files {
        let actual = sha256_file(path).with_context(|| format!("host {host}"))?;
        if actual != *expected {
            bail!("host {host}: {} has SHA-256 {actual}, not the sweep's {expected}", path.display());
        }
    }
    let key = ClusterKey::from_hex(&request.key).map_err(|e| anyhow::anyhow!("the launch request's key: {e}"))?;
    let started = Started { started: HostFacts::current(host, binary_sha256) };
    println!("{}", serde_json::to_string(&started)?);
    // The rest of standard input is the lifeline: it closes when the launcher ends.
    costgraph::cleanup::exit_when_closed(input, "error: the process that launched this one is gone; stopped");
    super::set_launch_key(key);
    let cli = super::Cli::try_parse_from(std::iter::once("costgraph".to_string()).chain(request.args))
        .map_err(|e| anyhow::anyhow!("host {host}: the launch request's arguments: {e}"))?;
    super::dispatch(cli)
}
