//! Connected components: every registered implementation agrees with the sequential oracle on
//! seeded graphs of many shapes at 1, 2 and 4 rayon threads, and the verifier rejects wrong
//! answers.

use costgraph::algo::cc::{Components, oracle, verify};
use costgraph::graph::{BuildOptions, Csr, EdgeList, NodeId};
use costgraph::registry::{self, Kind, Output, Problem};
use costgraph::testing::{self, Rng};

/// Keeps parallel edges and self loops, to exercise the kernels on them.
const RAW: BuildOptions = BuildOptions { symmetrize: true, dedup: false, drop_self_loops: false };

fn raw(list: EdgeList) -> Csr {
    Csr::from_edges(&list, RAW)
}

fn undirected(n: usize, edges: Vec<(NodeId, NodeId)>) -> Csr {
    raw(EdgeList::new(n, edges, false))
}

/// Graphs of many shapes, each with a name for the failure message.
fn shapes() -> Vec<(String, Csr)> {
    let mut reversed_path = testing::path(1000);
    reversed_path.edges.iter_mut().for_each(|(u, v)| std::mem::swap(u, v));
    let mut graphs = vec![
        ("empty".to_string(), undirected(0, vec![])),
        ("one node".into(), undirected(1, vec![])),
        ("one self loop".into(), undirected(1, vec![(0, 0)])),
        ("isolated nodes".into(), undirected(100, vec![])),
        ("path".into(), raw(testing::path(1000))),
        ("reversed path".into(), raw(reversed_path)),
        ("star".into(), raw(testing::star(500, 0))),
        ("star at the end".into(), raw(testing::star(500, 499))),
        ("complete".into(), raw(testing::complete(60))),
        ("grid".into(), raw(testing::grid(40, 40))),
        // Cycles of 1 to 3 nodes (with loops and parallel edges) over a shuffled id space.
        ("many small components".into(), raw(testing::small_components(&mut Rng::new(42), 3000, 3))),
    ];
    let random = [(50, 20), (200, 150), (1000, 600), (1000, 3000), (5000, 5000), (20000, 60000)];
    for (seed, (n, m)) in random.into_iter().enumerate() {
        let list = testing::random_graph(seed as u64, n, m, false, None);
        graphs.push((format!("random n={n} m={m} with multi-edges and self loops"), raw(list)));
    }
    for (seed, (n, m)) in [(100, (300, 250)), (101, (4000, 4000))] {
        let list = testing::random_graph(seed, n, m, true, None);
        let opts = BuildOptions { symmetrize: false, dedup: false, drop_self_loops: false };
        graphs.push((format!("directed n={n} m={m}"), Csr::from_edges(&list, opts)));
    }
    graphs
}

fn components(output: Output) -> Components {
    match output {
        Output::Components(c) => c,
        other => panic!("a CC implementation returned {other:?}"),
    }
}

#[test]
fn every_implementation_matches_the_oracle() {
    // Timely implementations are checked against the same oracle in tests/it/timely.rs.
    let impls: Vec<_> = registry::of(Problem::Cc).filter(|i| i.kind != Kind::Timely).collect();
    assert!(impls.len() >= 5, "the CC implementations are registered");
    assert_eq!(impls[0].name, "union-find", "the baseline comes first");
    for (name, csr) in shapes() {
        let expected = oracle(&csr);
        let symmetric = if csr.is_symmetric() { None } else { Some(csr.symmetrized()) };
        for imp in &impls {
            let input = if imp.needs_symmetric { symmetric.as_ref().unwrap_or(&csr) } else { &csr };
            let kernel = imp.entry.prepare(input).unwrap().unwrap_or_else(|| panic!("{} runs in process", imp.name));
            for threads in [1, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let got = components(pool.install(&kernel));
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
