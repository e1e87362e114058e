//! `costgraph convert`: any supported input format to `.cgr` (or to a text edge list).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::ValueEnum;
use costgraph::generate::EdgeWeights;
use costgraph::graph::{Budget, BuildOptions, Builder, Csr, Relabel};
use costgraph::io::cgr::Extras;
use costgraph::io::{self, Format, ReadOptions, RealWeights};

/// Arguments of `costgraph convert`.
#[derive(clap::Args)]
pub struct Args {
    /// The input graph (.txt, .gr, .mtx, .el, .wel, .cedge, .graph, Graphalytics .v/.e; optionally
    /// .gz or .zst).
    input: PathBuf,
    /// The output: .cgr for the binary format, .el / .wel for a text edge list.
    #[arg(short, long)]
    output: PathBuf,
    /// The input format, when its name does not say it (cgr, snap, dimacs, mtx, el, wel, cedge,
    /// webgraph, graphalytics).
    #[arg(long)]
    format: Option<String>,
    /// Treat edges as arcs (u -> v).
    #[arg(long, conflicts_with = "undirected")]
    directed: bool,
    /// Treat each edge as both directions (stored symmetrically).
    #[arg(long)]
    undirected: bool,
    /// Keep the input's weight column (an error if there is none).
    #[arg(long, conflicts_with = "unweighted")]
    weighted: bool,
    /// Ignore any weight column.
    #[arg(long)]
    unweighted: bool,
    /// Give the graph deterministic pseudo-random weights instead of any it has:
    /// `random[:LO..HI][,seed=S]` (default 1..255, seed 1). Each edge's weight is a hash of its
    /// endpoints' ids in the input, the same for both arcs, at any thread count. .cgr output only.
    #[arg(long, value_name = "SPEC", conflicts_with_all = ["weighted", "real_weights"],
          value_parser = |s: &str| EdgeWeights::parse(s).map_err(|e| e.to_string()))]
    weights: Option<EdgeWeights>,
    /// Map input ids to dense ids: auto relabels only when ids are not already 0..n.
    #[arg(long, value_enum, default_value_t = RelabelArg::Auto)]
    relabel: RelabelArg,
    /// Accept non-integer weights by multiplying them by SCALE and rounding (e.g. 1e6).
    #[arg(long, value_name = "SCALE")]
    real_weights: Option<f64>,
    /// Keep parallel edges (by default one copy is kept, with the smallest weight).
    #[arg(long)]
    keep_duplicates: bool,
    /// Drop self loops (kept by default).
    #[arg(long)]
    drop_self_loops: bool,
    /// Arc orders to store besides the CSR (vertex order): `hilbert` adds the arcs sorted along
    /// the Hilbert curve (for `pagerank-hilbert`), `vertex` stores the CSR only. By default a
    /// .cgr input keeps what it has.
    #[arg(long, value_enum)]
    order: Option<super::OrderArg>,
    /// Also store the in-arcs of a directed graph (its transpose), so that pull PageRank starts at
    /// once instead of building them every run; built out of core within --memory. A symmetric
    /// graph needs none (its in-arcs are its out-arcs). By default a .cgr input keeps what it has.
    #[arg(long)]
    with_transpose: bool,
    #[command(flatten)]
    memory: super::MemoryArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum RelabelArg {
    Auto,
    Always,
    Never,
}

/// What a pair of opposite flags (`--directed` / `--undirected`, ...) asks: `Some(true)` for the
/// first, `Some(false)` for the second, `None` (let the input decide) for neither. Clap refuses both.
fn choice(yes: bool, no: bool) -> Option<bool> {
    (yes || no).then_some(yes)
}

/// Parses `--format` here rather than in clap, so that a bad name is a one-line error naming the input.
fn parse_format(input: &std::path::Path, name: Option<&str>) -> anyhow::Result<Option<Format>> {
    name.map(|s| {
        Format::from_name(s).with_context(|| {
            format!("{}: unknown format '{s}' (one of: {})", input.display(), Format::ALL.map(Format::name).join(", "))
        })
    })
    .transpose()
}

/// Runs `costgraph convert`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(scale) = args.real_weights {
        anyhow::ensure!(scale.is_finite() && scale > 0.0, "--real-weights must be a positive number");
    }
    let out_format = io::resolve_format(&args.output, None)
        .ok()
        .filter(|f| matches!(f, Format::Cgr | Format::El | Format::Wel))
        .with_context(|| format!("{}: the output must end in .cgr, .el or .wel", args.output.display()))?;
    anyhow::ensure!(
        !args.with_transpose || out_format == Format::Cgr,
        "{}: --with-transpose stores a section of a .cgr; an edge list has none",
        args.output.display()
    );
    anyhow::ensure!(
        args.weights.is_none() || out_format == Format::Cgr,
        "{}: --weights writes a .cgr; convert to .cgr first",
        args.output.display()
    );
    let format = parse_format(&args.input, args.format.as_deref())?;
    let (budget, scratch) = args.memory.resolve(&args.output)?;
    let options = ReadOptions {
        budget,
        format,
        directed: choice(args.directed, args.undirected),
        // Random weights replace any the input has.
        weighted: if args.weights.is_some() { Some(false) } else { choice(args.weighted, args.unweighted) },
        relabel: match args.relabel {
            RelabelArg::Auto => Relabel::Auto,
            RelabelArg::Always => Relabel::Always,
            RelabelArg::Never => Relabel::Never,
        },
        real_weights: args.real_weights.map(|scale| RealWeights { scale }),
        scratch: Some(scratch.clone()),
    };
    let start = Instant::now();
    let build = BuildOptions { symmetrize: false, dedup: !args.keep_duplicates, drop_self_loops: args.drop_self_loops };
    let hilbert = args.order == Some(super::OrderArg::Hilbert);
    let input_format = io::resolve_format(&args.input, format)?;
    let cgr_input = input_format == Format::Cgr;
    if input_format == Format::Webgraph
        && out_format == Format::Cgr
        && !args.undirected
        && !matches!(args.relabel, RelabelArg::Always)
    {
        // A directed BVGraph arrives in CSR order: one pass straight into the .cgr.
        anyhow::ensure!(!args.weighted, "{}: a WebGraph has no weights", args.input.display());
        let (nodes, arcs) = io::write_webgraph_directed(&args.input, &args.output, &options, build)
            .map_err(|e| super::name_input(&args.input, e))?;
        let built = start.elapsed();
        eprintln!(
            "{} -> {}: {nodes} nodes, {arcs} arcs (one pass, in node order; read + write {:.2} s{})",
            args.input.display(),
            args.output.display(),
            built.as_secs_f64(),
            finish_cgr(&args, hilbert, &budget, &scratch)?
        );
        return Ok(());
    }
    if !cgr_input && out_format == Format::Cgr {
        // Straight into the .cgr, section by section (out of core when over the budget).
        let streamed = io::read_into(&args.input, &options, build, Some(&scratch))
            .map_err(|e| super::name_input(&args.input, e))?;
        let (builder, props, ids, weighted) = match streamed {
            Some(s) => (s.builder, s.options.props(), s.original_ids, s.weighted),
            None => {
                let mut edges = io::read_edges(&args.input, &options).map_err(|e| super::name_input(&args.input, e))?;
                let build = BuildOptions { symmetrize: !edges.directed, ..build };
                let weighted = edges.weights.is_some();
                let builder =
                    Builder::new(edges.num_nodes, weighted, build, edges.len() as u64, &budget, Some(&scratch))?;
                builder.push_edges(&edges);
                (builder, build.props(), edges.original_ids.take(), weighted)
            }
        };
        let nodes = builder.num_nodes();
        let buckets = (builder.buckets(), if builder.out_of_core() { "spilled to disk" } else { "in memory" });
        let mut out = io::cgr::StreamWriter::create(&args.output, nodes, props, weighted, Some(&scratch))?;
        builder.finish_into(&mut out)?;
        let arcs = out.finish(ids.as_deref())?;
        let built = start.elapsed();
        eprintln!(
            "{} -> {}: {nodes} nodes, {arcs} arcs{} ({} buckets, {}; read + build + write {:.2} s{})",
            args.input.display(),
            args.output.display(),
            if weighted { ", weighted" } else { "" },
            buckets.0,
            buckets.1,
            built.as_secs_f64(),
            finish_cgr(&args, hilbert, &budget, &scratch)?
        );
        return Ok(());
    }
    let csr = if cgr_input {
        let csr = io::cgr::open(&args.input)?;
        let csr = if args.weights.is_some() { csr.without_weights() } else { csr };
        anyhow::ensure!(
            !args.weighted || csr.is_weighted(),
            "{}: --weighted, but this .cgr graph has no weights (add them with `costgraph generate ... --weights`)",
            args.input.display()
        );
        csr
    } else {
        let edges = io::read_edges(&args.input, &options).map_err(|e| super::name_input(&args.input, e))?;
        let build = BuildOptions { symmetrize: !edges.directed, ..build };
        Csr::from_edges_within(&edges, build, &budget)?
    };
    let read = start.elapsed();
    let start_write = Instant::now();
    let ordered = hilbert || (args.order.is_none() && csr.hilbert_arcs().is_some());
    let transposed = (args.with_transpose || csr.transpose().is_some()) && !csr.is_symmetric();
    let (nodes, arcs, weighted) = (csr.num_nodes(), csr.num_arcs(), csr.is_weighted());
    match out_format {
        // The weights rewrite the file; the other sections follow them (`finish_cgr`).
        Format::Cgr if args.weights.is_some() => {
            io::cgr::write(&csr.without_hilbert_arcs().without_transpose(), &args.output)?
        }
        Format::Cgr => {
            let csr = if ordered { csr } else { csr.without_hilbert_arcs() };
            let extras = Extras { hilbert: ordered, transpose: args.with_transpose };
            io::cgr::write_with(&csr, &args.output, &budget, extras)?
        }
        _ => io::write_edge_list(&csr, &args.output, out_format == Format::Wel)?,
    }
    let weights = match args.weights {
        Some(_) => finish_cgr(&args, ordered, &budget, &scratch)?,
        None => String::new(),
    };
    eprintln!(
        "{} -> {}: {nodes} nodes, {arcs} arcs{}{weights}{} (read + build {:.2} s, write {:.2} s)",
        args.input.display(),
        args.output.display(),
        if weighted { ", weighted" } else { "" },
        match (ordered, transposed, out_format == Format::Cgr) {
            (true, true, true) => ", Hilbert order, transpose",
            (true, false, true) => ", Hilbert order",
            (false, true, true) => ", transpose",
            _ => "",
        },
        read.as_secs_f64(),
        start_write.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Finishes the `.cgr` just written at `args.output`: its random weights when `--weights` asks
/// for them, then its Hilbert section when `hilbert` and its transpose when `--with-transpose`
/// asks; returns what was done, in words for the summary line.
fn finish_cgr(args: &Args, hilbert: bool, budget: &Budget, scratch: &Path) -> anyhow::Result<String> {
    let mut done = String::new();
    if let Some(weights) = &args.weights {
        costgraph::generate::add_edge_weights(&args.output, weights, budget, Some(scratch))?;
        done = format!(", weights {weights}");
    }
    Ok(done + &add_sections(&args.output, Extras { hilbert, transpose: args.with_transpose }, budget)?)
}

/// Gives the `.cgr` just written at `output` the sections `extras` asks for (the file mapped, the
/// sections built within `budget`, the file replaced atomically); returns what was added and the
/// time it took, in words for the summary line.
pub(super) fn add_sections(output: &Path, extras: Extras, budget: &Budget) -> anyhow::Result<String> {
    let csr = if extras == Extras::default() { return Ok(String::new()) } else { io::cgr::open(output)? };
    let extras = Extras { transpose: extras.transpose && !csr.is_symmetric(), ..extras };
    let what = match (extras.hilbert, extras.transpose) {
        (true, true) => "Hilbert order and transpose",
        (true, false) => "Hilbert order",
        (false, true) => "transpose",
        (false, false) => return Ok(", symmetric: its in-arcs are its out-arcs, no transpose stored".into()),
    };
    let start = Instant::now();
    io::cgr::write_with(&csr, output, budget, extras)?;
    Ok(format!(", {what} {:.2} s", start.elapsed().as_secs_f64()))
}
