//! Minimum spanning forest kernels on a Graph500-style Kronecker graph and a 2-D grid, both with
//! random weights, at 1 and 2 rayon threads for the rayon implementations.
//!
//! `COSTGRAPH_BENCH_SCALE` (default 20) sets the Kronecker scale, `COSTGRAPH_BENCH_GRID` (default
//! 2048) the grid side, `COSTGRAPH_BENCH_MAX_WEIGHT` (default 255) the largest weight.

use costgraph::graph::{BuildOptions, Csr, EdgeList, NodeId, Weight};
use costgraph::registry::{self, Entry, Kind, Problem};
use criterion::{Criterion, criterion_group, criterion_main};

/// SplitMix64: the graphs only need to be random-looking and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn weight(&mut self, max: u64) -> Weight {
        (1 + self.next() % max) as Weight
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Graph500 R-MAT (a = .57, b = .19, c = .19), edge factor 16, ids randomly permuted.
fn kronecker(scale: u32, max_weight: u64) -> Csr {
    let n = 1usize << scale;
    let mut rng = Rng(scale as u64);
    let mut perm: Vec<NodeId> = (0..n as NodeId).collect();
    for i in (1..n).rev() {
        perm.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let (a, b, c) = ((0.57 * 2f64.powi(32)) as u64, (0.76 * 2f64.powi(32)) as u64, (0.95 * 2f64.powi(32)) as u64);
    let edges: Vec<(NodeId, NodeId)> = (0..16 * n)
        .map(|_| {
            let (mut u, mut v) = (0, 0);
            for _ in 0..scale {
                let r = rng.next() >> 32;
                let (i, j) = if r < a {
                    (0, 0)
                } else if r < b {
                    (0, 1)
                } else if r < c {
                    (1, 0)
                } else {
                    (1, 1)
                };
                u = u << 1 | i;
                v = v << 1 | j;
            }
            (perm[u], perm[v])
        })
        .collect();
    let weights = edges.iter().map(|_| rng.weight(max_weight)).collect();
    Csr::from_edges(&EdgeList::new(n, edges, false).with_weights(weights), BuildOptions::undirected())
}

/// A `side × side` grid, 4-neighbour.
fn grid(side: u32, max_weight: u64) -> Csr {
    let mut rng = Rng(side as u64);
    let mut edges = Vec::new();
    for i in 0..side {
        for j in 0..side {
            let u = i * side + j;
            if j + 1 < side {
                edges.push((u, u + 1));
            }
            if i + 1 < side {
                edges.push((u, u + side));
            }
        }
    }
    let weights = edges.iter().map(|_| rng.weight(max_weight)).collect();
    let n = (side * side) as usize;
    Csr::from_edges(&EdgeList::new(n, edges, false).with_weights(weights), BuildOptions::undirected())
}

fn bench(c: &mut Criterion) {
    let max_weight = env("COSTGRAPH_BENCH_MAX_WEIGHT", 255);
    let scale = env("COSTGRAPH_BENCH_SCALE", 20) as u32;
    let side = env("COSTGRAPH_BENCH_GRID", 2048) as u32;
    let graphs =
        [(format!("kron{scale}"), kronecker(scale, max_weight)), (format!("grid{side}"), grid(side, max_weight))];
    for (name, csr) in &graphs {
        let mut group = c.benchmark_group(format!("msf/{name}/w{max_weight}"));
        group.sample_size(10);
        for imp in registry::of(Problem::Msf) {
            // Timely implementations run whole processes; `costgraph cost` measures them.
            let Entry::Local(run) = imp.entry else { continue };
            let threads: &[usize] = if imp.kind == Kind::Rayon { &[1, 2] } else { &[1] };
            for &t in threads {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().expect("pool");
                group.bench_function(format!("{}/{t}", imp.name), |b| b.iter(|| pool.install(|| run(csr))));
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
