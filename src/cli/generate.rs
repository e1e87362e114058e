//! `costgraph generate`: a synthetic graph (Kronecker, uniform random, grid) straight to `.cgr`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use costgraph::generate::{
    self, DEFAULT_SEED, GRAPH500_EDGE_FACTOR, Generator, GeneratorSpec, GridConfig, KronConfig, UrandConfig, Weights,
};
use costgraph::graph::{BuildOptions, Csr};
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
    if let Some(w) = common.weights {
        Weights::new(w.lo, w.hi)?;
    }
    let spec = GeneratorSpec { generator, seed: common.seed, weights: common.weights };
    let (_, m) = spec.size()?;

    let start = Instant::now();
    let bar = costgraph::progress::bar(m, &format!("generating {}", generator.name()), false);
    let mut edges = generate::generate_with_progress(&spec, &|k| bar.inc(k))?;
    edges.directed = common.directed;
    bar.finish_and_clear();
    let generated = start.elapsed();

    let build = if common.directed { BuildOptions::directed() } else { BuildOptions::undirected() };
    let csr = Csr::from_edges(&edges, BuildOptions { drop_self_loops: common.drop_self_loops, ..build });
    drop(edges);
    let csr = if common.order == super::OrderArg::Hilbert { csr.with_hilbert_order() } else { csr };
    let built = start.elapsed();

    match out_format {
        Format::Cgr => io::cgr::write(&csr, &output)?,
        _ => io::write_edge_list(&csr, &output, out_format == Format::Wel)?,
    }
    let written = start.elapsed();
    eprintln!(
        "{} (seed {}): {} nodes, {m} edges generated in {:.2} s; {} arcs{} built in {:.2} s; {} written in {:.2} s",
        describe(&generator),
        spec.seed,
        csr.num_nodes(),
        generated.as_secs_f64(),
        csr.num_arcs(),
        if csr.is_weighted() { " (weighted)" } else { "" },
        (built - generated).as_secs_f64(),
        output.display(),
        (written - built).as_secs_f64(),
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
