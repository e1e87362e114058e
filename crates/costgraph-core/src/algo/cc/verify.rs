//! The connected-components verifier (gapbs style): checks a [`Components`] result against the
//! graph and against an independent oracle, sharing no code with the implementations.
//!
//! The oracle is a breadth-first search over the undirected view (out-arcs, plus a reverse
//! adjacency built here when the graph is not symmetric), visiting nodes in increasing id order so
//! that each search starts at the smallest id of its component: its labels are canonical by
//! construction. Work `O(n + m)`, sequential; memory `O(n)` beyond a symmetric graph (8 bytes
//! per node), `O(n + m)` for a directed one.

use std::collections::VecDeque;

use super::Components;
use crate::graph::{Csr, NodeId};

/// Components of the undirected view of `csr` by plain breadth-first search: the reference every
/// implementation is compared against.
pub fn oracle(csr: &Csr) -> Components {
    let n = csr.num_nodes();
    // Reverse adjacency (in-arcs), so directed inputs are searched in both directions; a
    // symmetric graph's out-arcs are its in-arcs already.
    let (mut in_start, mut in_arcs) = (vec![0usize; 1], Vec::new());
    if !csr.is_symmetric() {
        in_start = vec![0usize; n + 1];
        for &v in csr.targets() {
            in_start[v as usize + 1] += 1;
        }
        for i in 0..n {
            in_start[i + 1] += in_start[i];
        }
        let mut fill = in_start.clone();
        in_arcs = vec![0 as NodeId; csr.targets().len()];
        for u in 0..n as NodeId {
            for &v in csr.neighbors(u) {
                in_arcs[fill[v as usize]] = u;
                fill[v as usize] += 1;
            }
        }
    }
    const UNSEEN: NodeId = NodeId::MAX;
    let mut label = vec![UNSEEN; n];
    let mut queue = VecDeque::new();
    for root in 0..n as NodeId {
        if label[root as usize] != UNSEEN {
            continue;
        }
        label[root as usize] = root;
        queue.push_back(root);
        while let Some(u) = queue.pop_front() {
            let ins =
                if in_arcs.is_empty() { &[][..] } else { &in_arcs[in_start[u as usize]..in_start[u as usize + 1]] };
            for &v in csr.neighbors(u).iter().chain(ins) {
                if label[v as usize] == UNSEEN {
                    label[v as usize] = root;
                    queue.push_back(v);
                }
            }
        }
    }
    Components::from_canonical(label)
}

/// Checks `result` for `csr`: one label per node, canonical form (each label is the smallest id
/// carrying it), both ends of every arc in one component, and the same partition as [`oracle`].
/// Returns a sentence saying what is wrong.
pub fn verify(csr: &Csr, result: &Components) -> Result<(), String> {
    let labels = result.labels();
    let n = csr.num_nodes();
    if labels.len() != n {
        return Err(format!("{} labels for {n} nodes", labels.len()));
    }
    for (u, &l) in labels.iter().enumerate() {
        if l as usize > u || labels[l as usize] != l {
            return Err(format!(
                "labels are not canonical: node {u} has label {l}, which is not the smallest id of its component"
            ));
        }
    }
    for u in 0..n as NodeId {
        if let Some(&v) = csr.neighbors(u).iter().find(|&&v| labels[v as usize] != labels[u as usize]) {
            return Err(format!(
                "edge {u} -> {v} joins two components (labels {} and {})",
                labels[u as usize], labels[v as usize]
            ));
        }
    }
    let expected = oracle(csr);
    if let Some(u) = (0..n).find(|&u| labels[u] != expected.labels()[u]) {
        return Err(format!(
            "node {u} is labelled {} but its component's smallest id is {}: components were merged",
            labels[u],
            expected.labels()[u]
        ));
    }
    Ok(())
}
