//! Kronecker edge generation (Graph500 scale 18, edge factor 16) at 1 and 2 threads.

mod common;

use std::hint::black_box;

use costgraph::generate::{DEFAULT_SEED, generate};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn kron(c: &mut Criterion) {
    let spec = common::kron_spec(18, DEFAULT_SEED, None);
    let (_, edges) = spec.size().unwrap();
    let mut group = c.benchmark_group("generate_kron18");
    group.sample_size(10).throughput(Throughput::Elements(edges));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(BenchmarkId::from_parameter(threads), |b| {
            pool.install(|| b.iter(|| black_box(generate(&spec).unwrap())))
        });
    }
    group.finish();
}

criterion_group!(benches, kron);
criterion_main!(benches);
