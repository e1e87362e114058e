//! Text parsing throughput (MB/s of input) of `io::read_edges` on a synthetic ~64 MB SNAP-style
//! edge list, with 1 and 2 threads (local rayon pools). Includes the id densification.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use costgraph::generate::Rng;
use costgraph::io::{ReadOptions, read_edges};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Writes about `bytes` of `u\tv` lines with pseudo-random ids below 2^22.
fn synthetic(path: &Path, bytes: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "# synthetic edge list").unwrap();
    let mut rng = Rng::new(1);
    let mut written = 0;
    while written < bytes {
        let (u, v) = (rng.below(1 << 22), rng.below(1 << 22));
        let line = format!("{u}\t{v}\n");
        written += line.len();
        out.write_all(line.as_bytes()).unwrap();
    }
    out.flush().unwrap();
}

fn parse(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edges.txt");
    synthetic(&path, 64 << 20);
    let len = std::fs::metadata(&path).unwrap().len();
    let mut group = c.benchmark_group("parse");
    group.sample_size(10).throughput(Throughput::Bytes(len));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("snap_{threads}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(read_edges(&path, &ReadOptions::default()).unwrap().len())))
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
