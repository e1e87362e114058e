//! Symmetric CSR build (`Csr::from_edges`, undirected, dedup) from a Kronecker scale-18 edge list
//! at 1 and 2 threads.

mod common;

use std::hint::black_box;

use costgraph::generate::{DEFAULT_SEED, generate};
use costgraph::graph::{BuildOptions, Csr};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn build(c: &mut Criterion) {
    let spec = common::kron_spec(18, DEFAULT_SEED, None);
    let edges = generate(&spec).unwrap();
    let mut group = c.benchmark_group("build_kron18");
    group.sample_size(10).throughput(Throughput::Elements(edges.len() as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(BenchmarkId::from_parameter(threads), |b| {
            pool.install(|| b.iter(|| black_box(Csr::from_edges(&edges, BuildOptions::undirected()))))
        });
    }
    group.finish();
}

criterion_group!(benches, build);
criterion_main!(benches);
