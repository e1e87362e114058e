//! Both components dataflows against a label-propagation oracle, timestamp by timestamp, under
//! changes that turn seeds into non-seeds and back, and isolated nodes into connected ones and
//! back.

use std::cell::RefCell;
use std::rc::Rc;

use super::*;

/// The smallest id of each node's component in a graph of `n` nodes with `edges`.
fn oracle(n: usize, edges: &[(NodeId, NodeId)]) -> Vec<NodeId> {
    let mut label: Vec<NodeId> = (0..n as NodeId).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for &(u, v) in edges {
            let smallest = label[u as usize].min(label[v as usize]);
            for w in [u, v] {
                if label[w as usize] != smallest {
                    label[w as usize] = smallest;
                    changed = true;
                }
            }
        }
    }
    label
}

/// Loads `n` nodes with no edge, applies each step as one timestamp and compares every node's
/// label with the oracle after each.
fn check(variant: Variant, n: usize, steps: &'static [&'static [(NodeId, NodeId, Diff)]]) {
    timely::execute_directly(move |worker| {
        let sink = Rc::new(RefCell::new(LabelSink::new(n)));
        let ((mut arcs, mut nodes), probe) = build(worker, variant, &sink, &Rc::default(), &memory::Counter::default());
        for u in 0..n as NodeId {
            nodes.update((u, u), 1);
        }
        let mut edges: Vec<(NodeId, NodeId)> = Vec::new();
        for (t, step) in steps.iter().enumerate() {
            for &(u, v, diff) in *step {
                arcs.update((u, v), diff);
                arcs.update((v, u), diff);
                if diff > 0 {
                    edges.push((u, v));
                } else {
                    let at = edges.iter().position(|&e| e == (u, v)).expect("a deleted edge is there");
                    edges.swap_remove(at);
                }
            }
            let next = t as Time + 1;
            for input in [&mut arcs, &mut nodes] {
                input.advance_to(next);
                input.flush();
            }
            while probe.less_than(&next) {
                worker.step();
            }
            sink.borrow_mut().apply_through(t as Time).unwrap();
            assert_eq!(
                sink.borrow().components().unwrap().labels(),
                &oracle(n, &edges)[..],
                "{variant:?} after step {t}"
            );
        }
    });
}

#[test]
fn seeds_and_isolated_nodes_follow_insertions_and_deletions() {
    check(
        Variant::Counts,
        9,
        &[
            // 0, 4, 7, 8 isolated; seeds 1 and 5.
            &[(1, 2, 1), (2, 3, 1), (5, 6, 1)],
            // 0 joins 1's component through 3 and becomes its seed; 1 stays a (beaten) seed.
            &[(0, 3, 1)],
            // 1 loses its only edge: isolated again.
            &[(1, 2, -1)],
            // 5 and 6 fall apart into isolated nodes; 4 gains an edge to 7 and becomes a seed.
            &[(7, 4, 1), (5, 6, -1)],
            // 6 joins 0's component, 8 joins 4's (no longer a seed itself: 4 < 8).
            &[(6, 2, 1), (8, 7, 1)],
            // 0 leaves: the component's seed is 2 now, which had a smaller neighbour before.
            &[(0, 3, -1)],
            // Everything deleted at once: every node is isolated.
            &[(2, 3, -1), (6, 2, -1), (7, 4, -1), (8, 7, -1)],
        ],
    );
}

#[test]
fn the_min_variant_follows_insertions() {
    check(
        Variant::Min,
        9,
        &[
            &[(1, 2, 1), (2, 3, 1), (5, 6, 1)],
            &[(0, 3, 1)],
            &[(7, 4, 1), (8, 7, 1)],
            // 4's component merges into 5's and then 0's: labels only fall.
            &[(6, 8, 1)],
            &[(5, 1, 1)],
        ],
    );
}
