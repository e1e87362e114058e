//! `costgraph verify`: checks a result written in parts by `costgraph run ... --output DIR`
//! against the whole graph on one machine ([`costgraph::dataflow::result::verify_parts`]).

use std::path::PathBuf;

/// Arguments of `costgraph verify`.
#[derive(clap::Args)]
#[command(after_help = "Example: costgraph cluster --processes 2 run cc --impl timely-union-find g.cgr --output out\n\
    then: costgraph verify out g.cgr   (with the parts of every process copied into out/)")]
pub struct Args {
    /// The folder the run wrote: result.json and the part files it lists.
    dir: PathBuf,
    /// The graph the result is about (.cgr).
    graph: PathBuf,
    /// Also write the reassembled result as text to FILE, as `run --result FILE` writes it.
    #[arg(long, value_name = "FILE")]
    result: Option<PathBuf>,
}

/// Runs `costgraph verify`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let csr = costgraph::io::cgr::open(&args.graph)?;
    let (manifest, output) = costgraph::dataflow::result::verify_parts(&args.dir, &csr)?;
    if let Some(file) = &args.result {
        let header = [
            format!(
                "costgraph {} result: {} by {} (verified from {} parts)",
                env!("CARGO_PKG_VERSION"),
                manifest.problem,
                manifest.implementation,
                manifest.parts.len()
            ),
            format!("graph {} ({} nodes, {} arcs)", args.graph.display(), csr.num_nodes(), csr.num_arcs()),
        ];
        costgraph::algo::result_text::write_result(file, &output, csr.original_ids(), &header)?;
    }
    println!(
        "{}: {} by {} on {} ({} parts) verified ok: result {}",
        args.dir.display(),
        manifest.problem,
        manifest.implementation,
        args.graph.display(),
        manifest.parts.len(),
        manifest.summary
    );
    Ok(())
}
