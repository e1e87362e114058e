//! `costgraph info`: size, degrees and storage of a graph.

use std::path::PathBuf;

use costgraph::algo::cc;
use costgraph::graph::{BuildOptions, GraphStats};
use costgraph::harness::capacity::{self, GraphShape};
use costgraph::io::{self, ReadOptions};
use costgraph::registry;
use costgraph::units::human_bytes;
use serde_json::json;

/// Arguments of `costgraph info`.
#[derive(clap::Args)]
pub struct Args {
    /// The graph (.cgr, or any input format `convert` reads).
    graph: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Memory reading the graph may take, and an implementation may use (e.g. 16G; default: a
    /// share of the memory available now): the estimates are compared with the smaller of the two.
    #[arg(long, value_name = "SIZE", value_parser = costgraph::graph::budget::parse_size)]
    memory: Option<u64>,
}

/// Runs `costgraph info`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let disk = std::fs::metadata(&args.graph).map_err(|e| costgraph::Error::io(&args.graph, e))?.len();
    let options = ReadOptions { budget: costgraph::graph::Budget::from_flag(args.memory)?, ..ReadOptions::default() };
    let csr = io::load_graph(&args.graph, &options, BuildOptions::directed())
        .map_err(|e| super::name_input(&args.graph, e))?;
    let stats = GraphStats::of(&csr);
    let props = csr.props();
    let memory = csr.size_bytes();
    let components = cc::union_find(&csr).summary();
    let shape = GraphShape::of(&csr);
    let available = capacity::available_within(args.memory);
    // Memory per implementation at one core (one process): what `costgraph cost` checks too.
    let needs: Vec<_> = registry::all()
        .iter()
        .filter(|imp| !imp.needs_weights || csr.is_weighted())
        .map(|imp| {
            let estimate = capacity::estimate(imp, &shape, 1, 1);
            (imp, estimate.total_bytes, capacity::fits(estimate.total_bytes, available))
        })
        .collect();
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
            "hilbert_order": csr.hilbert_arcs().is_some(),
            "transpose": csr.transpose().is_some(),
            "self_loops": stats.self_loops,
            "isolated_nodes": stats.isolated_nodes,
            "degree": { "min": stats.min_degree, "avg": stats.avg_degree, "max": stats.max_degree },
            "bytes_on_disk": disk,
            "bytes_in_memory": memory,
            "components": components.components,
            "largest_component": components.largest,
            "memory_available_bytes": available,
            "memory_needed_bytes": needs.iter().map(|(imp, bytes, fits)| json!({
                "problem": imp.problem.name(), "impl": imp.name, "bytes": bytes, "fits": fits,
            })).collect::<Vec<_>>(),
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
    println!("Hilbert order   {}", yes(csr.hilbert_arcs().is_some()));
    println!(
        "transpose       {}",
        match (csr.transpose().is_some(), props.symmetric) {
            (true, _) => "stored (in-arcs: pull PageRank starts at once)",
            (false, true) => "not needed (symmetric: the in-arcs are the out-arcs)",
            (false, false) => "no (pull PageRank builds it; store it with convert --with-transpose)",
        }
    );
    println!("self loops      {}", stats.self_loops);
    println!("isolated nodes  {}", stats.isolated_nodes);
    println!("degree          min {} / avg {:.2} / max {}", stats.min_degree, stats.avg_degree, stats.max_degree);
    println!("bytes on disk   {disk}");
    println!("bytes in memory {memory}");
    println!("components      {} (largest {} nodes)", components.components, components.largest);
    println!(
        "memory needed   per implementation at 1 core ({} available{}):",
        available.map_or("unknown".to_string(), human_bytes),
        if args.memory.is_some() { ", --memory" } else { "" }
    );
    for (imp, bytes, fits) in &needs {
        let verdict = if *fits { "" } else { "  DOES NOT FIT" };
        println!("  {:<8} {:<20} {:>10}{verdict}", imp.problem.name(), imp.name, human_bytes(*bytes));
    }
    Ok(())
}
