//! `costgraph info`: size, degrees and storage of a graph.

use std::path::PathBuf;

use costgraph::graph::{BuildOptions, GraphStats};
use costgraph::io::{self, ReadOptions};
use serde_json::json;

/// Arguments of `costgraph info`.
#[derive(clap::Args)]
pub struct Args {
    /// The graph (.cgr, or any input format `convert` reads).
    graph: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `costgraph info`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let disk = std::fs::metadata(&args.graph).map_err(|e| costgraph::Error::io(&args.graph, e))?.len();
    let csr = io::load_graph(&args.graph, &ReadOptions::default(), BuildOptions::directed())
        .map_err(|e| super::name_input(&args.graph, e))?;
    let stats = GraphStats::of(&csr);
    let props = csr.props();
    let memory = csr.size_bytes();
    if args.json {
        let value = json!({
            "file": args.graph,
            "nodes": stats.nodes,
            "edges": stats.edges,
            "arcs": stats.arcs,
            "directed": props.directed,
            "symmetric": props.symmetric,
            "weighted": csr.is_weighted(),
            "relabelled": csr.original_ids().is_some(),
            "self_loops": stats.self_loops,
            "isolated_nodes": stats.isolated_nodes,
            "degree": { "min": stats.min_degree, "avg": stats.avg_degree, "max": stats.max_degree },
            "bytes_on_disk": disk,
            "bytes_in_memory": memory,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let yes = |b: bool| if b { "yes" } else { "no" };
    println!("file            {}", args.graph.display());
    println!("nodes           {}", stats.nodes);
    println!("edges           {} ({})", stats.edges, if props.directed { "arcs" } else { "undirected" });
    println!("arcs stored     {}", stats.arcs);
    println!("directed        {}", yes(props.directed));
    println!("symmetric       {}", yes(props.symmetric));
    println!("weighted        {}", yes(csr.is_weighted()));
    println!("relabelled ids  {}", yes(csr.original_ids().is_some()));
    println!("self loops      {}", stats.self_loops);
    println!("isolated nodes  {}", stats.isolated_nodes);
    println!("degree          min {} / avg {:.2} / max {}", stats.min_degree, stats.avg_degree, stats.max_degree);
    println!("bytes on disk   {disk}");
    println!("bytes in memory {memory}");
    Ok(())
}
