//! Minimum spanning forest kernels on a Graph500-style Kronecker graph and a 2-D grid, both with
//! random weights, at 1 and 2 rayon threads for the rayon implementations.
//!
//! `COSTGRAPH_BENCH_SCALE` (default 20) sets the Kronecker scale, `COSTGRAPH_BENCH_GRID` (default
//! 2048) the grid side, `COSTGRAPH_BENCH_MAX_WEIGHT` (default 255) the largest weight.

mod common;

use costgraph::generate::{DEFAULT_SEED, Weights};
use costgraph::registry::Problem;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let max_weight = common::env("COSTGRAPH_BENCH_MAX_WEIGHT", 255);
    let scale = common::env("COSTGRAPH_BENCH_SCALE", 20) as u32;
    let side = common::env("COSTGRAPH_BENCH_GRID", 2048) as u32;
    let weights = Some(Weights::new(1, max_weight as u32).expect("COSTGRAPH_BENCH_MAX_WEIGHT is at least 1"));
    let graphs = [
        (format!("kron{scale}"), common::kron(scale, DEFAULT_SEED, weights, false)),
        (format!("grid{side}"), common::grid(side, side, DEFAULT_SEED, weights)),
    ];
    for (name, csr) in &graphs {
        let mut group = c.benchmark_group(format!("msf/{name}/w{max_weight}"));
        group.sample_size(10);
        common::implementations(&mut group, Problem::Msf, "", csr);
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
