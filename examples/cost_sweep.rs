//! A COST sweep from code: the plan the `costgraph cost` command fills from its flags, filled
//! here by hand and run with [`costgraph::harness::sweep::run`]. The sweep measures every
//! configuration in fresh child processes of the `costgraph` binary, so build it first:
//!
//! ```sh
//! cargo build --release && cargo run --release --example cost_sweep -- [GRAPH.cgr]
//! ```
//!
//! Without a graph it sweeps connected components on a small generated Kronecker graph.

use std::path::PathBuf;
use std::time::Duration;

use costgraph::harness::observer::StderrObserver;
use costgraph::harness::stats::Sampling;
use costgraph::harness::sweep::{self, CostPlan, GraphSource};
use costgraph::registry::Problem;

fn main() -> anyhow::Result<()> {
    let exe = costgraph_binary()?;
    let out = std::env::temp_dir().join(format!("costgraph-example-sweep-{}", std::process::id()));
    let graph = match std::env::args_os().nth(1) {
        Some(path) => GraphSource::File(PathBuf::from(path)),
        None => GraphSource::Default { scale: 14, cache: out.join("cache") },
    };
    let mut plan = CostPlan::new(vec![Problem::Cc], graph, exe);
    plan.sampling = Sampling::Fixed { runs: 3 };
    plan.timeout = Duration::from_secs(120);
    plan.out = out.join("report");
    let outcome = sweep::run(&plan, &mut StderrObserver::new())?;
    print!("{}", outcome.report.cost_table());
    println!("report in {}", plan.out.display());
    Ok(())
}

/// The `costgraph` binary built beside this example (`target/<profile>/costgraph`), or the one on
/// the PATH.
fn costgraph_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let beside = me.parent().and_then(|examples| examples.parent()).map(|dir| dir.join("costgraph"));
    match beside.filter(|p| p.is_file()) {
        Some(path) => Ok(path),
        None => Ok(PathBuf::from("costgraph")),
    }
}
