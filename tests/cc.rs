//! Connected components: every registered implementation agrees with the sequential oracle on
//! seeded graphs of many shapes at 1, 2 and 4 rayon threads, and the verifier rejects wrong
//! answers.

use costgraph::algo::cc::{Components, oracle, verify};
use costgraph::graph::{BuildOptions, Csr, EdgeList, NodeId};
use costgraph::registry::{self, Entry, Output, Problem};

/// SplitMix64: a tiny seeded generator, enough for test graphs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> NodeId {
        (self.next() % n as u64) as NodeId
    }
}

/// Keeps parallel edges and self loops, to exercise the kernels on them.
const RAW: BuildOptions = BuildOptions { symmetrize: true, dedup: false, drop_self_loops: false };

fn undirected(n: usize, edges: Vec<(NodeId, NodeId)>) -> Csr {
    Csr::from_edges(&EdgeList::new(n, edges, false), RAW)
}

fn random_edges(rng: &mut Rng, n: usize, m: usize) -> Vec<(NodeId, NodeId)> {
    (0..m).map(|_| (rng.below(n), rng.below(n))).collect()
}

/// Graphs of many shapes, each with a name for the failure message.
fn shapes() -> Vec<(String, Csr)> {
    let mut rng = Rng(42);
    let mut graphs = vec![
        ("empty".to_string(), undirected(0, vec![])),
        ("one node".into(), undirected(1, vec![])),
        ("one self loop".into(), undirected(1, vec![(0, 0)])),
        ("isolated nodes".into(), undirected(100, vec![])),
        ("path".into(), undirected(1000, (0..999).map(|i| (i, i + 1)).collect())),
        ("reversed path".into(), undirected(1000, (0..999).map(|i| (i + 1, i)).collect())),
        ("star".into(), undirected(500, (1..500).map(|i| (i, 0)).collect())),
        ("star at the end".into(), undirected(500, (0..499).map(|i| (i, 499)).collect())),
        ("complete".into(), undirected(60, (0..60).flat_map(|u| (0..u).map(move |v| (u, v))).collect())),
    ];
    let side = 40u32;
    let grid = (0..side * side)
        .flat_map(|u| {
            let right = (u % side + 1 < side).then_some((u, u + 1));
            let down = (u + side < side * side).then_some((u, u + side));
            right.into_iter().chain(down)
        })
        .collect();
    graphs.push(("grid".into(), undirected((side * side) as usize, grid)));
    // Many small components: pairs and triangles over a shuffled id space.
    let n = 3000;
    let mut perm: Vec<NodeId> = (0..n as NodeId).collect();
    for i in (1..n).rev() {
        perm.swap(i, rng.below(i + 1) as usize);
    }
    let small = perm.chunks(3).flat_map(|c| c.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()).collect();
    graphs.push(("many small components".into(), undirected(n, small)));
    for (n, m) in [(50, 20), (200, 150), (1000, 600), (1000, 3000), (5000, 5000), (20000, 60000)] {
        let edges = random_edges(&mut rng, n, m);
        graphs.push((format!("random n={n} m={m} with multi-edges and self loops"), undirected(n, edges)));
    }
    for (n, m) in [(300, 250), (4000, 4000)] {
        let edges = random_edges(&mut rng, n, m);
        let opts = BuildOptions { symmetrize: false, dedup: false, drop_self_loops: false };
        graphs.push((format!("directed n={n} m={m}"), Csr::from_edges(&EdgeList::new(n, edges, true), opts)));
    }
    graphs
}

fn run(entry: Entry, csr: &Csr) -> Components {
    let Entry::Local(f) = entry else { panic!("only in-process implementations run here") };
    match f(csr) {
        Output::Components(c) => c,
        other => panic!("a CC implementation returned {other:?}"),
    }
}

#[test]
fn every_implementation_matches_the_oracle() {
    // Timely implementations are checked against the same oracle in tests/it/timely.rs.
    let impls: Vec<_> = registry::of(Problem::Cc).filter(|i| matches!(i.entry, Entry::Local(_))).collect();
    assert!(impls.len() >= 5, "the CC implementations are registered");
    assert_eq!(impls[0].name, "union-find", "the baseline comes first");
    for (name, csr) in shapes() {
        let expected = oracle(&csr);
        let symmetric = if csr.is_symmetric() { None } else { Some(csr.symmetrized()) };
        for imp in &impls {
            let input = if imp.needs_symmetric { symmetric.as_ref().unwrap_or(&csr) } else { &csr };
            for threads in [1, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let got = pool.install(|| run(imp.entry, input));
                assert_eq!(got, expected, "{} on {name} at {threads} threads", imp.name);
                let out = Output::Components(got);
                assert_eq!(out.verify(&csr), Ok(()), "{} on {name}", imp.name);
            }
        }
    }
}

#[test]
fn oracle_counts_components() {
    let csr = undirected(7, vec![(0, 1), (2, 3), (3, 4), (6, 6)]);
    let summary = oracle(&csr).summary();
    assert_eq!((summary.components, summary.largest), (4, 3));
    assert_eq!(oracle(&csr).labels(), &[0, 0, 2, 2, 2, 5, 6]);
    let directed = Csr::from_edges(&EdgeList::new(4, vec![(3, 0), (2, 3)], true), BuildOptions::directed());
    assert_eq!(oracle(&directed).labels(), &[0, 1, 0, 0]);
}

#[test]
fn verifier_rejects_wrong_answers() {
    let csr = undirected(6, vec![(0, 1), (1, 2), (3, 4)]);
    assert_eq!(verify(&csr, &Components::from_labels(&[0, 0, 0, 3, 3, 5])), Ok(()));
    let merged = Components::from_labels(&[0, 0, 0, 0, 0, 5]);
    assert!(verify(&csr, &merged).unwrap_err().contains("merged"));
    let split = Components::from_labels(&[0, 0, 2, 3, 3, 5]);
    assert!(verify(&csr, &split).unwrap_err().contains("joins two components"));
    let short = Components::from_labels(&[0, 0, 0, 3, 3]);
    assert!(verify(&csr, &short).unwrap_err().contains("5 labels for 6 nodes"));
    // `from_canonical` only checks its input in debug builds; in release ones the verifier must.
    if !cfg!(debug_assertions) {
        let not_canonical = Components::from_canonical(vec![1, 1, 1, 3, 3, 5]);
        assert!(verify(&csr, &not_canonical).unwrap_err().contains("not canonical"));
    }
}
