//! `.cgr` throughput in bytes per second, next to a plain memory-bandwidth baseline (sum of an
//! in-memory `u64` array of the same size), so the ratio can be stated:
//! - `cgr_scan_mapped`: a full scan (offsets and targets) of a graph mapped once — what an
//!   algorithm sees, against the target "scanning a mapped .cgr reaches ≥ 70 % of memory bandwidth";
//! - `cgr_open_and_sum_targets`: open with full validation (bounds, order, symmetry) plus the scan.
//!
//! Every sum runs on one thread.

use std::hint::black_box;

use costgraph::graph::{BuildOptions, Csr};
use costgraph::io::cgr;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn scan(c: &mut Criterion) {
    let edges = costgraph::testing::random_graph(1, 1 << 22, 1 << 25, true, None);
    let csr = Csr::from_edges(&edges, BuildOptions::directed());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cgr");
    cgr::write(&csr, &path).unwrap();
    drop(csr);
    let file_bytes = std::fs::metadata(&path).unwrap().len();

    let mut group = c.benchmark_group("scan");
    group.sample_size(10).throughput(Throughput::Bytes(file_bytes));
    group.bench_function("cgr_open_and_sum_targets", |b| {
        b.iter(|| {
            let g = cgr::open(&path).unwrap();
            black_box(g.targets().iter().map(|&t| t as u64).sum::<u64>())
        })
    });
    let mapped = cgr::open(&path).unwrap();
    group.bench_function("cgr_scan_mapped", |b| {
        b.iter(|| {
            let offsets: u64 = black_box(mapped.offsets()).iter().sum();
            let targets: u64 = black_box(mapped.targets()).iter().map(|&t| t as u64).sum();
            black_box(offsets.wrapping_add(targets))
        })
    });
    let words = vec![1u64; file_bytes as usize / 8];
    group.bench_function("memory_sum_u64", |b| b.iter(|| black_box(black_box(&words).iter().sum::<u64>())));
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
