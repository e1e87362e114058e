//! Criterion benchmarks of every PageRank implementation in the registry (20 iterations, one
//! sample = one full run; preparation outside the timing) and of the preparations (transpose,
//! the pull kernels' blocked tiles, Hilbert order as `[src, dst]` arcs, Hilbert order packed into `pagerank-hilbert`'s tiles), on a directed R-MAT graph with the Graph500 parameters (a = .57, b = .19,
//! c = .19, edge factor 16, node ids randomly permuted as Graph500 does), scale 18 by default:
//! `costgraph::generate`'s Kronecker graph with each generated edge read as an arc `u -> v`.
//!
//! - `COSTGRAPH_BENCH_SCALE=N` changes the scale.
//! - `COSTGRAPH_BENCH_UNDIRECTED=1` stores every edge in both directions (as the GAP benchmark's
//!   `kron` graphs, which the published per-iteration figures of gapbs and others use).
//! - `COSTGRAPH_RMAT_CGR=PATH` writes the graph to `PATH` as `.cgr` and exits instead of
//!   benchmarking, for whole-program timings with `costgraph run` / `costgraph convert`.

mod common;

use std::time::Duration;

use costgraph::algo::pagerank::{self, Blocked, HilbertTiles, InEdges};
use costgraph::graph::budget::Budget;
use costgraph::graph::{Csr, hilbert};
use costgraph::registry::{self, Problem};
use criterion::{Criterion, criterion_group};

/// The Graph500 Kronecker graph of the scale, seed 42, as directed R-MAT arcs (`u -> v` for each
/// generated edge; see `common::kron`), or undirected when `COSTGRAPH_BENCH_UNDIRECTED=1`.
fn rmat(scale: u32) -> Csr {
    let directed = std::env::var("COSTGRAPH_BENCH_UNDIRECTED").map_or(true, |v| v != "1");
    common::kron(scale, 42, None, directed)
}

fn scale() -> u32 {
    common::env("COSTGRAPH_BENCH_SCALE", 18) as u32
}

fn bench_pagerank(c: &mut Criterion) {
    let scale = scale();
    let graph = rmat(scale);
    let mut group = c.benchmark_group(format!("pagerank/rmat{scale}"));
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for imp in registry::of(Problem::Pagerank) {
        // Timely implementations run whole processes; `costgraph cost` measures them.
        let Some(kernel) = imp.entry.prepare(&graph).expect("the graph fits") else { continue };
        group.bench_function(imp.name, |bench| bench.iter(&kernel));
    }
    group.bench_function("prepare/transpose", |bench| bench.iter(|| InEdges::of(&graph)));
    let in_edges = InEdges::of(&graph);
    group.bench_function("prepare/blocked-tiles", |bench| {
        bench.iter(|| Blocked::of(&in_edges, pagerank::block_bits()).expect("the graph fits"))
    });
    group.bench_function("prepare/hilbert-order", |bench| bench.iter(|| hilbert::hilbert_arcs(&graph)));
    group.bench_function("prepare/hilbert-tiles", |bench| {
        bench.iter(|| HilbertTiles::sort(&graph, &Budget::default()).expect("the graph fits"))
    });
    group.finish();
}

criterion_group!(benches, bench_pagerank);

fn main() {
    if let Some(path) = std::env::var_os("COSTGRAPH_RMAT_CGR") {
        let graph = rmat(scale());
        costgraph::io::cgr::write(&graph, &path).expect("write the graph");
        eprintln!("wrote {}: {} nodes, {} arcs", path.to_string_lossy(), graph.num_nodes(), graph.num_arcs());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
