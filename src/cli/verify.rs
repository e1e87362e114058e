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
}

/// Runs `costgraph verify`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let csr = costgraph::io::cgr::open(&args.graph)?;
    let (manifest, _) = costgraph::dataflow::result::verify_parts(&args.dir, &csr)?;
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
