//! `costgraph convert`: any supported input format to `.cgr` (or to a text edge list).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::ValueEnum;
use costgraph::graph::{BuildOptions, Builder, Csr, Relabel};
use costgraph::io::{self, Format, ReadOptions, RealWeights};

/// Arguments of `costgraph convert`.
#[derive(clap::Args)]
pub struct Args {
    /// The input graph (.txt, .gr, .mtx, .el, .wel, .cedge, .graph; optionally .gz or .zst).
    input: PathBuf,
    /// The output: .cgr for the binary format, .el / .wel for a text edge list.
    #[arg(short, long)]
    output: PathBuf,
    /// The input format, when its name does not say it (cgr, snap, dimacs, mtx, el, wel, cedge,
    /// webgraph).
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
    let format = parse_format(&args.input, args.format.as_deref())?;
    let (budget, scratch) = args.memory.resolve(&args.output)?;
    let options = ReadOptions {
        budget,
        format,
        directed: choice(args.directed, args.undirected),
        weighted: choice(args.weighted, args.unweighted),
        relabel: match args.relabel {
            RelabelArg::Auto => Relabel::Auto,
            RelabelArg::Always => Relabel::Always,
            RelabelArg::Never => Relabel::Never,
        },
        real_weights: args.real_weights.map(|scale| RealWeights { scale }),
    };
    let start = Instant::now();
    let build = BuildOptions { symmetrize: false, dedup: !args.keep_duplicates, drop_self_loops: args.drop_self_loops };
    let csr = if io::resolve_format(&args.input, format)? == Format::Cgr {
        let csr = io::cgr::open(&args.input)?;
        anyhow::ensure!(
            !args.weighted || csr.is_weighted(),
            "{}: --weighted, but this .cgr graph has no weights (add them with `costgraph generate ... --weights`)",
            args.input.display()
        );
        csr
    } else {
        if out_format == Format::Cgr && args.order != Some(super::OrderArg::Hilbert) {
            // Straight into the .cgr, section by section (out of core when over the budget).
            let streamed = io::read_into(&args.input, &options, build, Some(&scratch))
                .map_err(|e| super::name_input(&args.input, e))?;
            let (builder, props, ids, weighted) = match streamed {
                Some(s) => (s.builder, s.options.props(), s.original_ids, s.weighted),
                None => {
                    let mut edges =
                        io::read_edges(&args.input, &options).map_err(|e| super::name_input(&args.input, e))?;
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
            eprintln!(
                "{} -> {}: {nodes} nodes, {arcs} arcs{} ({} buckets, {}; read + build + write {:.2} s)",
                args.input.display(),
                args.output.display(),
                if weighted { ", weighted" } else { "" },
                buckets.0,
                buckets.1,
                start.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        let edges = io::read_edges(&args.input, &options).map_err(|e| super::name_input(&args.input, e))?;
        let build = BuildOptions { symmetrize: !edges.directed, ..build };
        Csr::from_edges_within(&edges, build, &budget)?
    };
    let read = start.elapsed();
    let mut order = None;
    let csr = match args.order {
        Some(super::OrderArg::Hilbert) if csr.hilbert_arcs().is_none() => {
            let start = Instant::now();
            let csr = csr.with_hilbert_order();
            order = Some(start.elapsed());
            csr
        }
        Some(super::OrderArg::Vertex) => csr.without_hilbert_arcs(),
        _ => csr,
    };
    let start_write = Instant::now();
    match out_format {
        Format::Cgr => io::cgr::write(&csr, &args.output)?,
        _ => io::write_edge_list(&csr, &args.output, out_format == Format::Wel)?,
    }
    eprintln!(
        "{} -> {}: {} nodes, {} arcs{}{} (read + build {:.2} s, {}write {:.2} s)",
        args.input.display(),
        args.output.display(),
        csr.num_nodes(),
        csr.num_arcs(),
        if csr.is_weighted() { ", weighted" } else { "" },
        if csr.hilbert_arcs().is_some() { ", Hilbert order" } else { "" },
        read.as_secs_f64(),
        order.map_or(String::new(), |t| format!("Hilbert order {:.2} s, ", t.as_secs_f64())),
        start_write.elapsed().as_secs_f64()
    );
    Ok(())
}
