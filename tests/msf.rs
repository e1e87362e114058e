//! Every registered minimum spanning forest implementation against a reference Kruskal, on seeded
//! random weighted graphs of many shapes, at 1, 2 and 4 rayon threads; and the verifier against
//! wrong forests.

use costgraph::algo::msf::{Forest, verify};
use costgraph::graph::{BuildOptions, Csr, EdgeList, NodeId, Weight};
use costgraph::registry::{self, Entry, Output, Problem};

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seeded, good enough for test graphs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// The reference: each non-loop arc an edge, sorted by (weight, min, max), textbook union-find.
fn reference(csr: &Csr) -> Forest {
    let weights = csr.weights().expect("weighted");
    let mut edges: Vec<(Weight, NodeId, NodeId)> = Vec::new();
    for u in 0..csr.num_nodes() as NodeId {
        for p in csr.range(u) {
            let v = csr.targets()[p];
            if u != v {
                edges.push((weights[p], u.min(v), u.max(v)));
            }
        }
    }
    edges.sort_unstable();
    let mut parent: Vec<NodeId> = (0..csr.num_nodes() as NodeId).collect();
    fn find(parent: &mut [NodeId], mut x: NodeId) -> NodeId {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let mut forest = Vec::new();
    for (w, u, v) in edges {
        let (a, b) = (find(&mut parent, u), find(&mut parent, v));
        if a != b {
            parent[a as usize] = b;
            forest.push((u, v, w));
        }
    }
    Forest::new(forest)
}

/// A named test graph.
struct Case {
    name: String,
    csr: Csr,
}

fn weighted(n: usize, edges: Vec<(NodeId, NodeId)>, rng: &mut Rng, max_weight: u64, directed: bool) -> EdgeList {
    let weights = edges.iter().map(|_| 1 + rng.below(max_weight) as Weight).collect();
    EdgeList::new(n, edges, directed).with_weights(weights)
}

fn random_edges(n: usize, m: usize, rng: &mut Rng) -> Vec<(NodeId, NodeId)> {
    (0..m).map(|_| (rng.below(n as u64) as NodeId, rng.below(n as u64) as NodeId)).collect()
}

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x5eed);
    let mut lists: Vec<(String, EdgeList)> = Vec::new();
    for max_weight in [3, 1 << 20] {
        let r = &mut rng;
        let mut add = |name: &str, list: EdgeList| lists.push((format!("{name} (weights 1..={max_weight})"), list));
        add("empty", weighted(0, vec![], r, max_weight, false));
        add("one node", weighted(1, vec![], r, max_weight, false));
        add("one node with a self loop", weighted(1, vec![(0, 0)], r, max_weight, false));
        add("isolated nodes", weighted(10, vec![(2, 7), (7, 3)], r, max_weight, false));
        let path = (0..99).map(|i| (i, i + 1)).collect();
        add("path", weighted(100, path, r, max_weight, false));
        let rising = (0..999).map(|i| (i, i + 1)).collect::<Vec<_>>();
        add("path with rising weights", EdgeList::new(1000, rising, false).with_weights((1..1000).collect()));
        let falling = (0..999).map(|i| (i, i + 1)).collect::<Vec<_>>();
        add("path with falling weights", EdgeList::new(1000, falling, false).with_weights((1..1000).rev().collect()));
        add("star", weighted(50, (1..50).map(|i| (0, i)).collect(), r, max_weight, false));
        let complete = (0..30).flat_map(|u| (u + 1..30).map(move |v| (u, v))).collect();
        add("complete", weighted(30, complete, r, max_weight, false));
        let small = (0..200).flat_map(|c| (0..6).map(move |i| (c * 5 + i % 5, c * 5 + (i * 3 + 1) % 5))).collect();
        add("many small components", weighted(1000, small, r, max_weight, false));
        let (rows, cols) = (20, 30);
        let mut grid = Vec::new();
        for i in 0..rows {
            for j in 0..cols {
                let u = i * cols + j;
                if j + 1 < cols {
                    grid.push((u, u + 1));
                }
                if i + 1 < rows {
                    grid.push((u, u + cols));
                }
            }
        }
        add("grid", weighted((rows * cols) as usize, grid, r, max_weight, false));
        let multi = random_edges(200, 3000, r);
        add("multi-edges and self loops", weighted(200, multi, r, max_weight, false));
        let arcs = random_edges(300, 2000, r);
        add("directed with parallel arcs", weighted(300, arcs, r, max_weight, true));
        let big = random_edges(40_000, 120_000, r);
        add("large sparse (several chunks)", weighted(40_000, big, r, max_weight, false));
        let big = random_edges(40_000, 120_000, r);
        add("large directed", weighted(40_000, big, r, max_weight, true));
    }
    let mut cases = Vec::new();
    for (name, list) in lists {
        let keep_all = BuildOptions { symmetrize: !list.directed, dedup: false, drop_self_loops: false };
        let options = if list.directed { BuildOptions::directed() } else { BuildOptions::undirected() };
        cases.push(Case { name: format!("{name}, deduplicated"), csr: Csr::from_edges(&list, options) });
        cases.push(Case { name: format!("{name}, parallel edges kept"), csr: Csr::from_edges(&list, keep_all) });
    }
    cases
}

#[test]
fn every_implementation_returns_the_reference_forest() {
    let cases = cases();
    let implementations: Vec<_> = registry::of(Problem::Msf).collect();
    assert!(implementations.len() >= 3, "kruskal, boruvka and boruvka-par are registered");
    assert_eq!(implementations[0].name, "kruskal", "the baseline comes first");
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        for case in &cases {
            let expected = reference(&case.csr);
            verify(&case.csr, &expected).unwrap_or_else(|e| panic!("{}: reference rejected: {e}", case.name));
            let symmetric = case.csr.symmetrized();
            for imp in &implementations {
                assert!(imp.needs_weights);
                // Timely implementations are checked against the same oracle in tests/it/timely.rs.
                let Entry::Local(run) = imp.entry else { continue };
                // As given, and as the harness prepares it when the implementation asks.
                let inputs = if imp.needs_symmetric { vec![&case.csr, &symmetric] } else { vec![&case.csr] };
                for csr in inputs {
                    let output = pool.install(|| run(csr));
                    let Output::Forest(forest) = &output else { panic!("{} returned no forest", imp.name) };
                    assert_eq!(forest, &expected, "{} on {} at {threads} threads", imp.name, case.name);
                    output.verify(csr).unwrap_or_else(|e| panic!("{} on {}: {e}", imp.name, case.name));
                }
            }
        }
    }
}

/// 0-1 (1), 1-2 (2), 0-2 (3), 0-3 (1), 2-3 (2): the minimum spanning tree is 0-1, 0-3, 1-2.
fn small() -> Csr {
    let edges = EdgeList::new(4, vec![(0, 1), (1, 2), (0, 2), (0, 3), (2, 3)], false).with_weights(vec![1, 2, 3, 1, 2]);
    Csr::from_edges(&edges, BuildOptions::undirected())
}

#[test]
fn verifier_accepts_the_minimum_and_rejects_wrong_forests() {
    let csr = small();
    assert_eq!(verify(&csr, &Forest::new(vec![(0, 1, 1), (0, 3, 1), (1, 2, 2)])), Ok(()));
    let missing = verify(&csr, &Forest::new(vec![(0, 1, 1), (0, 3, 1)]));
    assert!(missing.as_ref().is_err_and(|e| e.contains("needs 3")), "{missing:?}");
    let heavier = verify(&csr, &Forest::new(vec![(0, 1, 1), (0, 3, 1), (0, 2, 3)]));
    assert!(heavier.as_ref().is_err_and(|e| e.contains("weighs 5 but the minimum is 4")), "{heavier:?}");
    let cycle = verify(&csr, &Forest::new(vec![(0, 1, 1), (1, 2, 2), (0, 2, 3)]));
    assert!(cycle.as_ref().is_err_and(|e| e.contains("cycle")), "{cycle:?}");
    let absent = verify(&csr, &Forest::new(vec![(0, 1, 1), (0, 3, 1), (1, 3, 2)]));
    assert!(absent.as_ref().is_err_and(|e| e.contains("not in the graph")), "{absent:?}");
    let wrong_weight = verify(&csr, &Forest::new(vec![(0, 1, 1), (0, 3, 1), (1, 2, 7)]));
    assert!(wrong_weight.as_ref().is_err_and(|e| e.contains("lightest")), "{wrong_weight:?}");
    // Same weight, other edge: 2-3 instead of 1-2 ties at weight 2; (2, 1, 2) < (2, 2, 3) wins.
    let tie = verify(&csr, &Forest::new(vec![(0, 1, 1), (0, 3, 1), (2, 3, 2)]));
    assert!(tie.as_ref().is_err_and(|e| e.contains("tie-break")), "{tie:?}");
}

#[test]
fn verifier_refuses_an_unweighted_graph() {
    let csr = Csr::from_edges(&EdgeList::new(2, vec![(0, 1)], false), BuildOptions::undirected());
    assert!(verify(&csr, &Forest::new(vec![(0, 1, 1)])).is_err());
}

#[test]
fn unweighted_input_is_refused_with_how_to_add_weights() {
    let csr = Csr::from_edges(&EdgeList::new(2, vec![(0, 1)], false), BuildOptions::undirected());
    for imp in registry::of(Problem::Msf) {
        let err = imp.check_input(&csr).expect_err("unweighted");
        assert!(err.contains("--weights") && err.contains("--weighted"), "{err}");
        assert_eq!(imp.check_input(&small()), Ok(()));
    }
}
