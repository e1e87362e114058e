//! `costgraph generate`: a synthetic graph (Kronecker, uniform random, grid) straight to `.cgr`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use costgraph::generate::{
    self, DEFAULT_SEED, GRAPH500_EDGE_FACTOR, Generator, GeneratorSpec, GridConfig, KronConfig, UrandConfig, Weights,
};
use costgraph::graph::{BuildOptions, Builder};
use costgraph::io::{self, Format};

/// Arguments of `costgraph generate`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(Subcommand)]
enum Kind {
    /// Kronecker / R-MAT graph with the Graph500 parameters (a=.57 b=.19 c=.19): 2^SCALE nodes,
    /// EDGE_FACTOR * 2^SCALE edges, vertex labels shuffled.
    Kron {
        /// log2 of the number of nodes (1 to 31).
        #[arg(long)]
        scale: u32,
        /// Edges per node before deduplication.
        #[arg(long, default_value_t = GRAPH500_EDGE_FACTOR)]
        edge_factor: u32,
        #[command(flatten)]
        common: Common,
    },
    /// Uniform random graph: 2^SCALE nodes, 2^SCALE * DEGREE / 2 uniformly random pairs.
    Urand {
        /// log2 of the number of nodes (1 to 31).
        #[arg(long)]
        scale: u32,
        /// Average degree.
        #[arg(long, default_value_t = 16)]
        degree: u32,
        #[command(flatten)]
        common: Common,
    },
    /// 2-D grid of ROWS x COLS nodes, each joined to its 4 neighbours (road-like, about 2n edges).
    Grid {
        /// Number of rows.
        #[arg(long)]
        rows: u32,
        /// Number of columns.
        #[arg(long)]
        cols: u32,
        #[command(flatten)]
        common: Common,
    },
}

/// Flags every generator takes.
#[derive(clap::Args)]
struct Common {
    /// The output file (required): .cgr for the binary format, .el / .wel for a text edge list.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The random seed; the same seed gives the same graph whatever the number of threads.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Add uniform random integer weights between LO and HI inclusive, e.g. --weights 1..255.
    #[arg(long, value_name = "LO..HI", value_parser = parse_weights)]
    weights: Option<Weights>,
    /// Drop self loops (kept by default, as Graph500 generates them).
    #[arg(long)]
    drop_self_loops: bool,
    /// Keep each generated edge as one arc `u -> v` (a directed graph, e.g. for PageRank) instead
    /// of storing it in both directions.
    #[arg(long)]
    directed: bool,
    /// Also store the arcs in Hilbert-curve order (for `pagerank-hilbert`).
    #[arg(long, value_enum, default_value_t = super::OrderArg::Vertex)]
    order: super::OrderArg,
    /// Also store the in-arcs of a --directed graph (its transpose), so that pull PageRank starts
    /// at once; built out of core within --memory.
    #[arg(long)]
    with_transpose: bool,
    #[command(flatten)]
    memory: super::MemoryArgs,
}

/// Parses `LO..HI`. Whether the range is empty is checked by the library, with the other arguments.
fn parse_weights(s: &str) -> Result<Weights, String> {
    let bad = || format!("'{s}' is not a weight range: write LO..HI with integers, e.g. 1..255");
    let (lo, hi) = s.split_once("..").ok_or_else(bad)?;
    let hi = hi.strip_prefix('=').unwrap_or(hi);
    Ok(Weights { lo: lo.trim().parse().map_err(|_| bad())?, hi: hi.trim().parse().map_err(|_| bad())? })
}

/// Runs `costgraph generate`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (generator, common) = match args.kind {
        Kind::Kron { scale, edge_factor, common } => (Generator::Kron(KronConfig { scale, edge_factor }), common),
        Kind::Urand { scale, degree, common } => (Generator::Urand(UrandConfig { scale, degree }), common),
        Kind::Grid { rows, cols, common } => (Generator::Grid(GridConfig { rows, cols }), common),
    };
    let output = common.output.context("no output file: say where the graph goes with -o FILE.cgr")?;
    let out_format = output_format(&output)?;
    anyhow::ensure!(
        !common.with_transpose || out_format == Format::Cgr,
        "{}: --with-transpose stores a section of a .cgr; an edge list has none",
        output.display()
    );
    if let Some(w) = common.weights {
        Weights::new(w.lo, w.hi)?;
    }
    let spec = GeneratorSpec { generator, seed: common.seed, weights: common.weights };
    let (n, m) = spec.size()?;
    let (budget, scratch) = common.memory.resolve(&output)?;
    // Everything proportional to the node count, checked before any of it is allocated.
    budget.check_or(
        &format!("{} with {n} nodes (generator state and offsets)", describe(&generator)),
        spec.model_bytes()? + 8 * (n as u64 + 1),
        "use a smaller --scale",
    )?;
    let build = if common.directed { BuildOptions::directed() } else { BuildOptions::undirected() };
    let build = BuildOptions { drop_self_loops: common.drop_self_loops, ..build };
    let weighted = spec.weights.is_some();
    let streamed = out_format == Format::Cgr;
    if !streamed {
        let arcs = if common.directed { m } else { 2 * m };
        budget.check_or(
            &format!("{} in memory (for a text output)", describe(&generator)),
            8 * (n as u64 + 1) + arcs * if weighted { 16 } else { 8 },
            "write a .cgr first, then convert it",
        )?;
    }

    let start = Instant::now();
    let builder = Builder::new(n, weighted, build, m, &budget, Some(&scratch))?;
    let where_ = if builder.out_of_core() { "spilled to disk" } else { "in memory" };
    let buckets = builder.buckets();
    let bar = costgraph::progress::bar(m, &format!("generating {}", generator.name()), false);
    generate::generate_into(&spec, &builder, &|k| bar.inc(k))?;
    bar.finish_and_clear();
    let generated = start.elapsed();

    let arcs = if streamed {
        let mut out = io::cgr::StreamWriter::create(&output, n, build.props(), weighted, Some(&scratch))?;
        builder.finish_into(&mut out)?;
        out.finish(None)?
    } else {
        let csr = builder.finish(build.props(), None)?;
        io::write_edge_list(&csr, &output, out_format == Format::Wel)?;
        csr.num_arcs()
    };
    let written = start.elapsed() - generated;
    let extras = io::cgr::Extras {
        hilbert: streamed && common.order == super::OrderArg::Hilbert,
        transpose: streamed && common.with_transpose,
    };
    let hilbert = super::convert::add_sections(&output, extras, &budget)?;
    eprintln!(
        "{} (seed {}): {n} nodes, {m} edges generated into {buckets} buckets ({where_}) in {:.2} s; {arcs} arcs{} built and written to {} in {:.2} s{hilbert}",
        describe(&generator),
        spec.seed,
        generated.as_secs_f64(),
        if weighted { " (weighted)" } else { "" },
        output.display(),
        written.as_secs_f64(),
    );
    Ok(())
}

/// The output format (`.cgr`, `.el` or `.wel`), checked before any work: its folder must exist.
fn output_format(output: &Path) -> anyhow::Result<Format> {
    let format = io::resolve_format(output, None)
        .ok()
        .filter(|f| matches!(f, Format::Cgr | Format::El | Format::Wel))
        .with_context(|| format!("{}: the output must end in .cgr, .el or .wel", output.display()))?;
    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let problem = if !dir.exists() { "does not exist" } else { "is not a folder" };
    anyhow::ensure!(dir.is_dir(), "{}: the output folder {} {problem}", output.display(), dir.display());
    Ok(format)
}

fn describe(generator: &Generator) -> String {
    match generator {
        Generator::Kron(c) => format!("kron scale {} edge factor {}", c.scale, c.edge_factor),
        Generator::Urand(c) => format!("urand scale {} degree {}", c.scale, c.degree),
        Generator::Grid(c) => format!("grid {} x {}", c.rows, c.cols),
    }
}
