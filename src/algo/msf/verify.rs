//! The minimum spanning forest verifier, independent of the implementations it checks: plain
//! comparison sort and union-find, written for obviousness rather than speed.
//!
//! Checks, in order, each with its own message: every forest edge exists in the graph (an arc
//! either way) with the lightest weight of that pair; the forest is acyclic; it has
//! `n - components` edges; its total weight equals a reference Kruskal's; its edge set equals the
//! reference's (ties broken by `(weight, min, max)`); and the cycle property holds on a sample of
//! non-forest edges (the heaviest forest edge on the path between the endpoints weighs no more).
//!
//! Work `O(m log m + n + s · depth)` for `s` sampled edges; memory `O(m)`.

use std::collections::HashMap;

use super::Forest;
use crate::graph::{Csr, NodeId, Weight};

/// Non-forest edges whose cycle property is checked.
const CYCLE_SAMPLES: usize = 256;

/// Checks that `forest` is the minimum spanning forest of `csr`'s undirected view (each arc an
/// edge, the lightest of parallel arcs counts). Returns what is wrong.
pub fn verify(csr: &Csr, forest: &Forest) -> Result<(), String> {
    let weights = csr.weights().ok_or("the graph has no weights")?;
    let n = csr.num_nodes();
    let mut lightest: HashMap<(NodeId, NodeId), Weight> = HashMap::new();
    for u in 0..n as NodeId {
        for p in csr.range(u) {
            let v = csr.targets()[p];
            if u != v {
                let w = lightest.entry((u.min(v), u.max(v))).or_insert(weights[p]);
                *w = (*w).min(weights[p]);
            }
        }
    }
    for &(u, v, w) in forest.edges() {
        match lightest.get(&(u, v)) {
            None => return Err(format!("forest edge {u}-{v} is not in the graph")),
            Some(&min) if min != w => {
                return Err(format!("forest edge {u}-{v} has weight {w} but the lightest such edge weighs {min}"));
            }
            Some(_) => {}
        }
    }
    let mut sets = Sets::new(n);
    for &(u, v, _) in forest.edges() {
        if !sets.union(u, v) {
            return Err(format!("forest edge {u}-{v} closes a cycle"));
        }
    }

    let mut edges: Vec<(Weight, NodeId, NodeId)> = lightest.iter().map(|(&(u, v), &w)| (w, u, v)).collect();
    edges.sort_unstable();
    let mut sets = Sets::new(n);
    let reference: Vec<(NodeId, NodeId, Weight)> =
        edges.iter().filter(|&&(_, u, v)| sets.union(u, v)).map(|&(w, u, v)| (u, v, w)).collect();
    let reference = Forest::new(reference);
    let components = n - reference.edges().len();
    if forest.edges().len() != n - components {
        return Err(format!(
            "the forest has {} edges but the graph has {n} nodes in {components} components, so it needs {}",
            forest.edges().len(),
            n - components
        ));
    }
    if forest.weight() != reference.weight() {
        return Err(format!("the forest weighs {} but the minimum is {}", forest.weight(), reference.weight()));
    }
    if let Some((got, want)) = forest.edges().iter().zip(reference.edges()).find(|(a, b)| a != b) {
        return Err(format!(
            "the forest holds {}-{} (weight {}) where the (weight, min, max) tie-break picks {}-{} (weight {})",
            got.0, got.1, got.2, want.0, want.1, want.2
        ));
    }
    check_cycle_property(n, forest, &edges)
}

/// For a sample of non-forest edges `(w, u, v)`: `u` and `v` are in one tree and no edge on the
/// tree path between them weighs more than `w`.
fn check_cycle_property(n: usize, forest: &Forest, edges: &[(Weight, NodeId, NodeId)]) -> Result<(), String> {
    let mut adjacency = vec![Vec::new(); n];
    for &(u, v, w) in forest.edges() {
        adjacency[u as usize].push((v, w));
        adjacency[v as usize].push((u, w));
    }
    // Root every tree: parent, weight of the edge to the parent, depth.
    const NO_PARENT: NodeId = NodeId::MAX;
    let mut parent = vec![(NO_PARENT, 0 as Weight); n];
    let mut depth = vec![usize::MAX; n];
    let mut tree = vec![0; n];
    for root in 0..n {
        if depth[root] != usize::MAX {
            continue;
        }
        depth[root] = 0;
        tree[root] = root;
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            for &(y, w) in &adjacency[x] {
                if depth[y as usize] == usize::MAX {
                    depth[y as usize] = depth[x] + 1;
                    parent[y as usize] = (x as NodeId, w);
                    tree[y as usize] = root;
                    stack.push(y as usize);
                }
            }
        }
    }
    let in_forest: std::collections::HashSet<(NodeId, NodeId)> = forest.edges().iter().map(|e| (e.0, e.1)).collect();
    let others: Vec<_> = edges.iter().filter(|e| !in_forest.contains(&(e.1, e.2))).collect();
    let step = others.len().div_ceil(CYCLE_SAMPLES).max(1);
    for &&(w, u, v) in others.iter().step_by(step) {
        if tree[u as usize] != tree[v as usize] {
            return Err(format!("edge {u}-{v} joins two trees of the forest"));
        }
        let (mut a, mut b) = (u as usize, v as usize);
        let mut heaviest = 0;
        while a != b {
            if depth[a] < depth[b] {
                std::mem::swap(&mut a, &mut b);
            }
            heaviest = heaviest.max(parent[a].1);
            a = parent[a].0 as usize;
        }
        if heaviest > w {
            return Err(format!(
                "edge {u}-{v} (weight {w}) is lighter than forest edge weight {heaviest} on the path between its ends"
            ));
        }
    }
    Ok(())
}

/// Textbook union-find with path compression.
struct Sets {
    parent: Vec<NodeId>,
}

impl Sets {
    fn new(n: usize) -> Self {
        Sets { parent: (0..n as NodeId).collect() }
    }

    fn find(&mut self, x: NodeId) -> NodeId {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        let mut x = x;
        while x != root {
            let next = self.parent[x as usize];
            self.parent[x as usize] = root;
            x = next;
        }
        root
    }

    /// Joins the sets of `u` and `v`; false when they were one set.
    fn union(&mut self, u: NodeId, v: NodeId) -> bool {
        let (a, b) = (self.find(u), self.find(v));
        self.parent[a as usize] = b;
        a != b
    }
}
