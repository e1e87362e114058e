use super::skeleton::iterate;
use super::*;
use crate::graph::budget::Budget;
use crate::graph::{BuildOptions, Csr, EdgeList, NodeId};
use crate::testing::{self, Rng};

/// A random graph on `n` nodes with `m` edges drawn among the first 80% of the nodes (as
/// sources) and the first 90% (as targets): the last 10% are isolated, the 80%..90% dangling
/// (they have in-arcs but no out-arcs), some others dangling by chance.
fn random_graph(seed: u64, n: usize, m: usize, directed: bool) -> Csr {
    let sources = (n * 8 / 10).max(1);
    let targets = (n * 9 / 10).max(1);
    let edges = testing::random_edges(&mut Rng::new(seed), m, sources, targets);
    let options = if directed { BuildOptions::directed() } else { BuildOptions::undirected() };
    Csr::from_edges(&EdgeList::new(n, edges, directed), options)
}

fn graphs() -> Vec<(String, Csr)> {
    let mut graphs = Vec::new();
    for (seed, n, m) in [(1, 1, 0), (2, 2, 1), (3, 10, 30), (4, 1000, 5000), (5, 30_000, 400_000)] {
        for directed in [true, false] {
            graphs.push((format!("seed {seed} n {n} m {m} directed {directed}"), random_graph(seed, n, m, directed)));
        }
    }
    graphs.push(("empty".into(), Csr::from_edges(&EdgeList::new(0, vec![], true), BuildOptions::directed())));
    graphs
}

/// A prepared PageRank kernel: each call runs it once.
type Kernel<'a> = Box<dyn Fn() -> Ranks + 'a>;

/// Every PageRank kernel of this module on `g` (each prepared as the registry prepares it).
fn kernels(g: &Csr) -> Vec<(&'static str, Kernel<'_>)> {
    let params = Params::default();
    let in_edges = InEdges::of(g);
    let pull = Blocked::of(&in_edges, block_bits()).unwrap();
    let par = Blocked::of(&in_edges, block_bits()).unwrap();
    // Blocks of 64 sources: many blocks and tiles even on the small graphs.
    let small = Blocked::of(&in_edges, 6).unwrap();
    let small_par = Blocked::of(&in_edges, 6).unwrap();
    let tiles = HilbertTiles::sort(g, &Budget::default()).unwrap();
    vec![
        ("pull", Box::new(move || pull.pagerank(&params))),
        ("pull-par", Box::new(move || par.pagerank_par(&params))),
        ("pull-small-blocks", Box::new(move || small.pagerank(&params))),
        ("pull-par-small-blocks", Box::new(move || small_par.pagerank_par(&params))),
        // Blocks of 4 destinations with bins of 2 entries each: flushed all the time.
        ("push-small-bins", Box::new(move || push::push_with(g, &params, 2, 16 * ((g.num_nodes() >> 2) + 1)))),
        ("push", Box::new(move || push(g, &params))),
        ("hilbert", Box::new(move || tiles.pagerank(&params))),
    ]
}

#[test]
fn reference_matches_closed_forms() {
    // A directed cycle and a graph with no arcs at all (every node dangling) are uniform.
    let cycle =
        Csr::from_edges(&EdgeList::new(4, vec![(0, 1), (1, 2), (2, 3), (3, 0)], true), BuildOptions::directed());
    let none = Csr::from_edges(&EdgeList::new(4, vec![], true), BuildOptions::directed());
    for g in [&cycle, &none] {
        assert!(reference(g, 0.85, 20).iter().all(|&r| (r - 0.25).abs() < 1e-15));
    }
    // 0 -> 1 with 1 dangling: the fixed point has r0 = (1 - d) / 2 + d r1 / 2.
    let pair = Csr::from_edges(&EdgeList::new(2, vec![(0, 1)], true), BuildOptions::directed());
    // r0 = 0.075 + 0.425 r1 and r1 = 1 - r0, so r0 = 0.5 / 1.425.
    let r = reference(&pair, 0.85, 200);
    assert!((r[0] - 0.5 / 1.425).abs() < 1e-12, "{r:?}");
    assert!((r[0] + r[1] - 1.0).abs() < 1e-12);
}

#[test]
fn every_kernel_matches_the_reference_at_1_2_4_threads() {
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            for (name, g) in graphs() {
                for (kernel_name, kernel) in kernels(&g) {
                    let ranks = kernel();
                    assert_eq!(ranks.iterations(), if g.num_nodes() == 0 { 0 } else { 20 });
                    if let Err(e) = ranks.verify(&g) {
                        panic!("{kernel_name} on {name} at {threads} threads: {e}");
                    }
                    // The same kernel gives the same bits when run again.
                    assert!(kernel() == ranks, "{kernel_name} on {name} is not deterministic");
                }
            }
        });
    }
}

#[test]
fn hilbert_uses_the_graphs_order_when_it_has_one() {
    let g = random_graph(7, 500, 4000, true);
    let arcs = crate::graph::hilbert::hilbert_arcs(&g).unwrap();
    let with = crate::graph::hilbert::with_hilbert_order(random_graph(7, 500, 4000, true)).unwrap();
    assert_eq!(with.hilbert_arcs(), Some(&arcs[..]));
    let a = HilbertTiles::sort(&g, &Budget::default()).unwrap().pagerank(&Params::default());
    let b = HilbertTiles::of(&with, with.hilbert_arcs().unwrap()).unwrap().pagerank(&Params::default());
    assert!(a == b, "the file's order and the computed order give different ranks");
    a.verify(&g).unwrap();
}

#[test]
fn parallel_and_sequential_pull_sum_in_the_same_order() {
    let g = random_graph(8, 30_000, 400_000, true);
    for bits in [4, 10, block_bits()] {
        let tiles = Blocked::of(&InEdges::of(&g), bits).unwrap();
        assert!(tiles.chunks.len() > 4);
        let seq = tiles.pagerank(&Params::default());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let par = pool.install(|| tiles.pagerank_par(&Params::default()));
        assert!(seq.ranks() == par.ranks(), "parallel pull differs from sequential pull ({bits} bits)");
    }
}

#[test]
fn blocked_tiles_hold_every_in_arc_once_within_its_block() {
    let g = random_graph(12, 3000, 40_000, true);
    let in_edges = InEdges::of(&g);
    let tiles = Blocked::of(&in_edges, 5).unwrap();
    let mut seen: Vec<Vec<NodeId>> = vec![Vec::new(); 3000];
    for c in 0..tiles.chunks.len() {
        for b in 0..tiles.blocks {
            let tile = c * tiles.blocks + b;
            let mut at = tiles.tile_arcs[tile];
            for &(v, len) in &tiles.rows[tiles.tile_rows[tile]..tiles.tile_rows[tile + 1]] {
                assert!(tiles.chunks[c].contains(&(v as usize)));
                for &u in &tiles.sources[at..at + len as usize] {
                    assert_eq!(u >> 5, b as NodeId, "arc {u} -> {v} in the tile of block {b}");
                    seen[v as usize].push(u);
                }
                at += len as usize;
            }
        }
    }
    for (v, mut list) in seen.into_iter().enumerate() {
        list.sort_unstable();
        assert_eq!(list, in_edges.in_arcs(v));
    }
}

#[test]
fn push_through_bins_adds_in_the_order_of_a_plain_push() {
    let g = random_graph(13, 30_000, 400_000, true);
    let plain = iterate(&g, &Params::default(), |contrib, slots, base| {
        let mut sums = vec![0.0f32; g.num_nodes()];
        for u in 0..g.num_nodes() as NodeId {
            for &v in g.neighbors(u) {
                sums[v as usize] += contrib[u as usize];
            }
        }
        slots.update(base, 0.85, |v| sums[v])
    });
    for (bits, bytes) in [(block_bits(), BINS_BYTES), (8, 1 << 12), (2, 1 << 20)] {
        assert!(push::push_with(&g, &Params::default(), bits, bytes) == plain, "{bits} bits, {bytes} B of bins");
    }
}

#[test]
fn transpose_lists_in_arcs_sorted() {
    let g = random_graph(9, 200, 3000, true);
    let t = InEdges::of(&g);
    let mut expected = vec![Vec::new(); 200];
    for u in 0..200u32 {
        for &v in g.neighbors(u) {
            expected[v as usize].push(u);
        }
    }
    for (v, list) in expected.iter().enumerate() {
        assert_eq!(&t.sources[t.offsets[v] as usize..t.offsets[v + 1] as usize], &list[..]);
    }
}

#[test]
fn verifier_rejects_perturbed_and_malformed_ranks() {
    let g = random_graph(10, 2000, 20_000, true);
    let good = push(&g, &Params::default());
    good.verify(&g).unwrap();
    let top = good.summary().top_node.unwrap() as usize;
    let other = (top + 1) % 2000;

    // Moving 1e-3 of rank between two nodes keeps the sum but not the distribution.
    let mut moved = good.clone();
    moved.ranks[top] -= 5e-4;
    moved.ranks[other] += 5e-4;
    assert!(moved.verify(&g).unwrap_err().contains("differ from the f64 reference"));

    let mut scaled = good.clone();
    scaled.ranks.iter_mut().for_each(|r| *r *= 1.01);
    assert!(scaled.verify(&g).unwrap_err().contains("sum to"));

    let mut short = good.clone();
    short.ranks.pop();
    assert!(short.verify(&g).unwrap_err().contains("ranks for"));

    let mut nan = good.clone();
    nan.ranks[3] = f32::NAN;
    assert!(nan.verify(&g).is_err());

    // Claiming a different number of iterations than were run is caught by the reference.
    let mut wrong_count = push(&g, &Params { iterations: 2, ..Params::default() });
    wrong_count.iterations = 20;
    assert!(wrong_count.verify(&g).is_err());
}

#[test]
fn tolerance_stops_early_and_summary_describes_the_result() {
    let g = random_graph(11, 1000, 8000, true);
    let params = Params { iterations: 1000, tolerance: Some(1e-6), ..Params::default() };
    let ranks = Blocked::of(&InEdges::of(&g), block_bits()).unwrap().pagerank(&params);
    assert!(ranks.iterations() < 1000);
    assert!(ranks.last_change() <= 1e-6);
    ranks.verify(&g).unwrap();
    let summary = ranks.summary();
    assert_eq!(summary.iterations, ranks.iterations());
    assert!((summary.sum - 1.0).abs() < 1e-4);
    let top = summary.top_node.unwrap() as usize;
    assert!(ranks.ranks().iter().all(|&r| r <= ranks.ranks()[top]));
}

#[test]
fn tiles_sorted_from_the_graph_are_the_tiles_of_its_hilbert_arcs() {
    // Enough nodes for many 2^16 x 2^16 tiles; the whole graph at once and in groups.
    let g = random_graph(9, 300_000, 200_000, true);
    let arcs = crate::graph::hilbert::hilbert_arcs(&g).unwrap();
    let want = HilbertTiles::of(&g, &arcs).unwrap();
    assert!(want.tiles.len() > 10, "{} tiles", want.tiles.len());
    assert_eq!(want.tiles.last().map(|t| t.2 as u64), Some(g.num_arcs()));
    let small = Budget::from_flag(Some(crate::graph::budget::MIN_BUDGET)).unwrap();
    for budget in [Budget::default(), small] {
        let got = HilbertTiles::sort(&g, &budget).unwrap();
        assert!(got.tiles == want.tiles && got.packed == want.packed, "budget {budget:?}");
    }
}
