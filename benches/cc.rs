//! Connected components kernels on a Graph500-style Kronecker graph and a 2-D grid, every
//! registered CC implementation, single-thread ones once and rayon ones at 1 and 2 threads.
//!
//! `COSTGRAPH_BENCH_SCALE` sets the Kronecker scale (default 18; edge factor 16) and the grid side
//! (`2^(scale/2)`, so both graphs have about `2^scale` nodes).

mod common;

use costgraph::generate::DEFAULT_SEED;
use costgraph::registry::Problem;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let scale = common::env("COSTGRAPH_BENCH_SCALE", 18) as u32;
    let side = 1 << (scale / 2);
    let graphs = [
        (format!("kron{scale}"), common::kron(scale, DEFAULT_SEED, None, false)),
        (format!("grid{scale}"), common::grid(side, side, DEFAULT_SEED, None)),
    ];
    let mut group = c.benchmark_group("cc");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_millis(500));
    for (name, csr) in &graphs {
        common::implementations(&mut group, Problem::Cc, &format!("{name}/"), csr);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
