//! Helpers shared by the benchmarks: the environment knobs, the generated graphs (through
//! `costgraph::generate`, never a copy of a generator) and the loop over the registry.

#![allow(dead_code)]

use costgraph::generate::{GRAPH500_EDGE_FACTOR, Generator, GeneratorSpec, GridConfig, KronConfig, Weights, generate};
use costgraph::graph::{BuildOptions, Csr};
use costgraph::registry::{self, Kind, Problem};
use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;

/// The environment variable `name` as a number, or `default` when it is unset or not a number.
pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The Graph500 Kronecker spec: `2^scale` nodes, edge factor 16, node ids randomly permuted.
pub fn kron_spec(scale: u32, seed: u64, weights: Option<Weights>) -> GeneratorSpec {
    let generator = Generator::Kron(KronConfig { scale, edge_factor: GRAPH500_EDGE_FACTOR });
    GeneratorSpec { generator, seed, weights }
}

/// The Kronecker graph of [`kron_spec`] as a CSR, deduplicated. Undirected: each generated edge
/// stored both ways. Directed: the same list read as R-MAT arcs `u -> v` (the generator lists each
/// edge once, so marking the list directed gives the directed R-MAT graph of the seed).
pub fn kron(scale: u32, seed: u64, weights: Option<Weights>, directed: bool) -> Csr {
    let mut edges = generate(&kron_spec(scale, seed, weights)).expect("generate the Kronecker graph");
    edges.directed = directed;
    let options = if directed { BuildOptions::directed() } else { BuildOptions::undirected() };
    Csr::from_edges(&edges, options)
}

/// A `rows × cols` 4-neighbour grid, undirected, with random weights when given.
pub fn grid(rows: u32, cols: u32, seed: u64, weights: Option<Weights>) -> Csr {
    let spec = GeneratorSpec { generator: Generator::Grid(GridConfig { rows, cols }), seed, weights };
    Csr::from_edges(&generate(&spec).expect("generate the grid"), BuildOptions::undirected())
}

/// Benchmarks every in-process implementation of `problem` on `csr` (prepared once, outside the
/// timing), single-thread ones once and rayon ones at 1 and 2 threads, as `{prefix}{name}/{threads}`.
/// Timely implementations run whole processes; `costgraph cost` measures them.
pub fn implementations(group: &mut BenchmarkGroup<'_, WallTime>, problem: Problem, prefix: &str, csr: &Csr) {
    for imp in registry::of(problem) {
        let Some(kernel) = imp.entry.prepare(csr).expect("the graph fits") else { continue };
        let threads: &[usize] = if imp.kind == Kind::Rayon { &[1, 2] } else { &[1] };
        for &t in threads {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().expect("pool");
            group.bench_function(format!("{prefix}{}/{t}", imp.name), |b| b.iter(|| pool.install(&kernel)));
        }
    }
}
