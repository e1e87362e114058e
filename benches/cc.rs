//! Connected components kernels on a Graph500-style Kronecker graph and a 2-D grid, every
//! registered CC implementation, single-thread ones once and rayon ones at 1 and 2 threads.
//!
//! `COSTGRAPH_BENCH_SCALE` sets the Kronecker scale (default 18; edge factor 16) and the grid side
//! (`2^(scale/2)`, so both graphs have about `2^scale` nodes).

use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;

use costgraph::graph::{BuildOptions, Csr, EdgeList, NodeId};
use costgraph::registry::{self, Entry, Kind, Problem};

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Graph500 Kronecker edges (a = .57, b = .19, c = .19), node ids scrambled by a seeded random
/// permutation as the Graph500 specification asks (so locality does not flatter any kernel).
fn kronecker(scale: u32, edge_factor: u64) -> Csr {
    let n = 1usize << scale;
    let m = edge_factor << scale;
    let (a, ab, abc) = (0.57, 0.76, 0.95);
    let to_threshold = |p: f64| (p * u32::MAX as f64) as u32;
    let (a, ab, abc) = (to_threshold(a), to_threshold(ab), to_threshold(abc));
    let mut perm: Vec<NodeId> = (0..n as NodeId).collect();
    for i in (1..n).rev() {
        perm.swap(i, (splitmix(i as u64 ^ 0xC057) % (i as u64 + 1)) as usize);
    }
    let edges = (0..m)
        .into_par_iter()
        .map(|e| {
            let (mut u, mut v) = (0u32, 0u32);
            for level in 0..scale {
                let r = splitmix(e * 64 + level as u64) as u32;
                let (bu, bv) = if r < a {
                    (0, 0)
                } else if r < ab {
                    (0, 1)
                } else if r < abc {
                    (1, 0)
                } else {
                    (1, 1)
                };
                u = u << 1 | bu;
                v = v << 1 | bv;
            }
            (perm[u as usize], perm[v as usize])
        })
        .collect();
    Csr::from_edges(&EdgeList::new(n, edges, false), BuildOptions::undirected())
}

/// A `side × side` 4-neighbour grid, row-major ids.
fn grid(side: u32) -> Csr {
    let edges = (0..side * side)
        .flat_map(|u| {
            let right = (u % side + 1 < side).then_some((u, u + 1));
            let down = (u + side < side * side).then_some((u, u + side));
            right.into_iter().chain(down)
        })
        .collect();
    Csr::from_edges(&EdgeList::new((side * side) as usize, edges, false), BuildOptions::undirected())
}

fn bench(c: &mut Criterion) {
    let scale: u32 = std::env::var("COSTGRAPH_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(18);
    let graphs = [(format!("kron{scale}"), kronecker(scale, 16)), (format!("grid{scale}"), grid(1 << (scale / 2)))];
    let mut group = c.benchmark_group("cc");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_millis(500));
    for (name, csr) in &graphs {
        for imp in registry::of(Problem::Cc) {
            // Timely implementations run whole processes; `costgraph cost` measures them.
            let Entry::Local(f) = imp.entry else { continue };
            let threads: &[usize] = if imp.kind == Kind::Rayon { &[1, 2] } else { &[1] };
            for &t in threads {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                group.bench_function(format!("{name}/{}/{t}", imp.name), |b| b.iter(|| pool.install(|| f(csr))));
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
