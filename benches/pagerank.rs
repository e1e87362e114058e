//! Criterion benchmarks of every PageRank implementation in the registry (20 iterations, one
//! sample = one full run; preparation outside the timing) and of the two preparations (transpose,
//! Hilbert order), on a directed R-MAT graph with the Graph500 parameters (a = .57, b = .19,
//! c = .19, edge factor 16, node ids randomly permuted as Graph500 does), scale 18 by default.
//!
//! - `COSTGRAPH_BENCH_SCALE=N` changes the scale.
//! - `COSTGRAPH_BENCH_UNDIRECTED=1` stores every edge in both directions (as the GAP benchmark's
//!   `kron` graphs, which the published per-iteration figures of gapbs and others use).
//! - `COSTGRAPH_RMAT_CGR=PATH` writes the graph to `PATH` as `.cgr` and exits instead of
//!   benchmarking, for whole-program timings with `costgraph run` / `costgraph convert`.

use std::time::Duration;

use costgraph::algo::pagerank::InEdges;
use costgraph::graph::{BuildOptions, Csr, EdgeList, hilbert};
use costgraph::registry::{self, Problem};
use criterion::{Criterion, criterion_group};
use rayon::prelude::*;

/// SplitMix64: a tiny seeded generator, one stream per edge so the graph does not depend on the
/// thread count.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An R-MAT graph with `16 << scale` edges before deduplication, directed unless
/// `COSTGRAPH_BENCH_UNDIRECTED=1`.
fn rmat(scale: u32, seed: u64) -> Csr {
    let directed = std::env::var("COSTGRAPH_BENCH_UNDIRECTED").map_or(true, |v| v != "1");
    let n = 1usize << scale;
    let (a, b, c) = (0.57, 0.19, 0.19);
    let edges: Vec<(u32, u32)> = (0..16u64 << scale)
        .into_par_iter()
        .map(|i| {
            let mut state = splitmix(seed ^ i.wrapping_mul(0xd1b5_4a32_d192_ed03));
            let (mut u, mut v) = (0u32, 0u32);
            for level in 0..scale {
                state = splitmix(state);
                let p = (state >> 11) as f64 / (1u64 << 53) as f64;
                let (du, dv) = if p < a {
                    (0, 0)
                } else if p < a + b {
                    (0, 1)
                } else if p < a + b + c {
                    (1, 0)
                } else {
                    (1, 1)
                };
                u |= du << level;
                v |= dv << level;
            }
            (u, v)
        })
        .collect();
    // A random permutation of the ids (Fisher-Yates), so degree does not follow the id.
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        state = splitmix(state);
        perm.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let edges = edges.into_par_iter().map(|(u, v)| (perm[u as usize], perm[v as usize])).collect();
    let options = if directed { BuildOptions::directed() } else { BuildOptions::undirected() };
    Csr::from_edges(&EdgeList::new(n, edges, directed), options)
}

fn scale() -> u32 {
    std::env::var("COSTGRAPH_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(18)
}

fn bench_pagerank(c: &mut Criterion) {
    let scale = scale();
    let graph = rmat(scale, 42);
    let mut group = c.benchmark_group(format!("pagerank/rmat{scale}"));
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for imp in registry::of(Problem::Pagerank) {
        // Timely implementations run whole processes; `costgraph cost` measures them.
        let Some(kernel) = imp.entry.prepare(&graph) else { continue };
        group.bench_function(imp.name, |bench| bench.iter(&kernel));
    }
    group.bench_function("prepare/transpose", |bench| bench.iter(|| InEdges::of(&graph)));
    group.bench_function("prepare/hilbert-order", |bench| bench.iter(|| hilbert::hilbert_arcs(&graph)));
    group.finish();
}

criterion_group!(benches, bench_pagerank);

fn main() {
    if let Some(path) = std::env::var_os("COSTGRAPH_RMAT_CGR") {
        let graph = rmat(scale(), 42);
        costgraph::io::cgr::write(&graph, &path).expect("write the graph");
        eprintln!("wrote {}: {} nodes, {} arcs", path.to_string_lossy(), graph.num_nodes(), graph.num_arcs());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
