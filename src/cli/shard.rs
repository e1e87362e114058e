//! `costgraph shard`: cuts a `.cgr` graph into one shard per process of a cluster, plus the
//! manifest every process checks its shard against ([`costgraph::io::shard`]).

use std::path::PathBuf;

use costgraph::graph::Budget;
use costgraph::units::human_bytes;

/// Arguments of `costgraph shard`.
#[derive(clap::Args)]
#[command(after_help = "Example: costgraph shard g.cgr --parts 4 -o g.shards\n\
    then: costgraph cluster --processes 4 run cc --impl timely-union-find --shards g.shards")]
pub struct Args {
    /// The graph (.cgr).
    graph: PathBuf,
    /// Number of shards: one per process of the cluster that will run on them.
    #[arg(long, value_name = "P")]
    parts: usize,
    /// Folder for the shards and their manifest (created when missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Memory budget, e.g. 8G or 512M (default: 60% of the memory available).
    #[arg(long, value_name = "SIZE", value_parser = costgraph::graph::budget::parse_size)]
    memory: Option<u64>,
}

/// Runs `costgraph shard`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let budget = Budget::from_flag(args.memory)?;
    let manifest = costgraph::io::shard::write_shards(&args.graph, args.parts, &args.output, &budget)?;
    println!(
        "{}: {} nodes, {} arcs in {} shard{} in {}",
        args.graph.display(),
        manifest.nodes,
        manifest.arcs,
        manifest.parts,
        if manifest.parts == 1 { "" } else { "s" },
        args.output.display()
    );
    for (i, s) in manifest.shards.iter().enumerate() {
        let size = std::fs::metadata(args.output.join(&s.file)).map(|m| m.len()).unwrap_or(0);
        println!(
            "  part {i}: {} nodes {}..{}, {} arcs, {} ({}…)",
            s.file,
            s.first,
            s.first + s.nodes,
            s.arcs,
            human_bytes(size),
            &s.sha256[..12]
        );
    }
    Ok(())
}
