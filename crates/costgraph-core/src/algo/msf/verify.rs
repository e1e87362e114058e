//! The minimum spanning forest verifier, independent of the implementations it checks: Prim's
//! algorithm with an indexed binary heap as the reference, and union-find, written for obviousness
//! rather than speed.
//!
//! Checks, in order, each with its own message: every forest edge exists in the graph (an arc
//! either way) with the lightest weight of that pair; the forest is acyclic; it has
//! `n - components` edges; its total weight equals the reference's; its edge set equals the
//! reference's (ties broken by `(weight, min, max)`, which makes the minimum forest unique); and
//! the cycle property holds on a sample of non-forest edges (the heaviest forest edge on the path
//! between the endpoints weighs no more).
//!
//! Work `O(m log n)`; memory `O(n)` beyond the graph when it is symmetric (about 40 bytes per
//! node), so the verifier runs wherever the baseline does, billion-arc graphs included. A directed
//! graph is symmetrized first (its lightest arc per pair, `O(m)`).

use super::Forest;
use crate::graph::{Csr, NodeId, Weight};

/// Non-forest edges whose cycle property is checked.
const CYCLE_SAMPLES: usize = 256;

/// An edge in the strict total order the verifier uses: `(weight, min, max)`.
type Key = (Weight, NodeId, NodeId);

fn key(u: NodeId, v: NodeId, w: Weight) -> Key {
    (w, u.min(v), u.max(v))
}

/// Checks that `forest` is the minimum spanning forest of `csr`'s undirected view (each arc an
/// edge, the lightest of parallel arcs counts). Returns what is wrong.
pub fn verify(csr: &Csr, forest: &Forest) -> Result<(), String> {
    if csr.weights().is_none() {
        return Err("the graph has no weights".into());
    }
    let symmetrized = (!csr.is_symmetric()).then(|| csr.symmetrized());
    let graph = symmetrized.as_ref().unwrap_or(csr);
    let n = graph.num_nodes();
    for &(u, v, w) in forest.edges() {
        match lightest(graph, u, v) {
            None => return Err(format!("forest edge {u}-{v} is not in the graph")),
            Some(min) if min != w => {
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
    let reference = prim(graph);
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
    check_cycle_property(graph, forest)
}

/// The lightest weight of an arc `u -> v` in a symmetric `graph`, if any (a binary search when
/// its lists are sorted).
fn lightest(graph: &Csr, u: NodeId, v: NodeId) -> Option<Weight> {
    if u as usize >= graph.num_nodes() || v as usize >= graph.num_nodes() {
        return None;
    }
    let targets = graph.neighbors(u);
    let weights = &graph.weights().expect("checked")[graph.range(u)];
    let pairs = targets.iter().zip(weights);
    if graph.props().sorted {
        let first = targets.partition_point(|&t| t < v);
        pairs.skip(first).take_while(|&(&t, _)| t == v).map(|(_, &w)| w).min()
    } else {
        pairs.filter(|&(&t, _)| t == v).map(|(_, &w)| w).min()
    }
}

/// The minimum spanning forest of a symmetric `graph` under the `(weight, min, max)` order, by
/// Prim's algorithm from every node not yet reached, in id order: an indexed binary heap holds
/// each reached node's lightest edge into the tree grown so far.
fn prim(graph: &Csr) -> Forest {
    const NONE: u32 = u32::MAX;
    let n = graph.num_nodes();
    let weights = graph.weights().expect("checked");
    let mut best: Vec<Key> = vec![(Weight::MAX, NONE, NONE); n];
    let mut done = vec![false; n];
    let mut heap = Heap { nodes: Vec::new(), at: vec![NONE; n] };
    let mut edges = Vec::new();
    for root in 0..n as NodeId {
        if done[root as usize] {
            continue;
        }
        let mut next = Some(root);
        while let Some(u) = next {
            done[u as usize] = true;
            if u != root {
                let (w, a, b) = best[u as usize];
                edges.push((a, b, w));
            }
            for (p, &v) in graph.range(u).zip(graph.neighbors(u)) {
                let k = key(u, v, weights[p]);
                if !done[v as usize] && k < best[v as usize] {
                    best[v as usize] = k;
                    heap.raise(v, &best);
                }
            }
            next = heap.pop(&best);
        }
    }
    Forest::new(edges)
}

/// A binary min-heap of nodes ordered by their key in `best`, with each node's place in it.
struct Heap {
    nodes: Vec<NodeId>,
    /// Index of each node in `nodes`, or `u32::MAX` when absent.
    at: Vec<u32>,
}

impl Heap {
    /// Inserts `v`, or moves it up after its key decreased.
    fn raise(&mut self, v: NodeId, best: &[Key]) {
        let mut i = match self.at[v as usize] {
            u32::MAX => {
                self.nodes.push(v);
                self.nodes.len() - 1
            }
            i => i as usize,
        };
        while i > 0 && best[self.nodes[(i - 1) / 2] as usize] > best[v as usize] {
            self.nodes[i] = self.nodes[(i - 1) / 2];
            self.at[self.nodes[i] as usize] = i as u32;
            i = (i - 1) / 2;
        }
        self.nodes[i] = v;
        self.at[v as usize] = i as u32;
    }

    /// Removes and returns the node of smallest key.
    fn pop(&mut self, best: &[Key]) -> Option<NodeId> {
        let top = *self.nodes.first()?;
        self.at[top as usize] = u32::MAX;
        let last = self.nodes.pop().expect("not empty");
        if self.nodes.is_empty() {
            return Some(top);
        }
        let mut i = 0;
        loop {
            let mut child = 2 * i + 1;
            if child >= self.nodes.len() {
                break;
            }
            if child + 1 < self.nodes.len() && best[self.nodes[child + 1] as usize] < best[self.nodes[child] as usize] {
                child += 1;
            }
            if best[self.nodes[child] as usize] >= best[last as usize] {
                break;
            }
            self.nodes[i] = self.nodes[child];
            self.at[self.nodes[i] as usize] = i as u32;
            i = child;
        }
        self.nodes[i] = last;
        self.at[last as usize] = i as u32;
        Some(top)
    }
}

/// For a sample of non-forest edges `(u, v, w)` spread over the graph: `u` and `v` are in one tree
/// and no edge on the tree path between them weighs more than `w`.
fn check_cycle_property(graph: &Csr, forest: &Forest) -> Result<(), String> {
    let n = graph.num_nodes();
    // The forest as adjacency lists (offsets, then (neighbour, weight) pairs).
    let mut start = vec![0usize; n + 1];
    for &(u, v, _) in forest.edges() {
        start[u as usize + 1] += 1;
        start[v as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut adjacency = vec![(0 as NodeId, 0 as Weight); start[n]];
    for &(u, v, w) in forest.edges() {
        adjacency[fill[u as usize]] = (v, w);
        fill[u as usize] += 1;
        adjacency[fill[v as usize]] = (u, w);
        fill[v as usize] += 1;
    }
    drop(fill);
    // Root every tree: parent, weight of the edge to the parent, depth, root.
    const NO_PARENT: NodeId = NodeId::MAX;
    let mut parent = vec![(NO_PARENT, 0 as Weight); n];
    let mut depth = vec![u32::MAX; n];
    let mut tree = vec![0 as NodeId; n];
    let mut stack = Vec::new();
    for root in 0..n {
        if depth[root] != u32::MAX {
            continue;
        }
        depth[root] = 0;
        tree[root] = root as NodeId;
        stack.push(root);
        while let Some(x) = stack.pop() {
            for &(y, w) in &adjacency[start[x]..start[x + 1]] {
                if depth[y as usize] == u32::MAX {
                    depth[y as usize] = depth[x] + 1;
                    parent[y as usize] = (x as NodeId, w);
                    tree[y as usize] = root as NodeId;
                    stack.push(y as usize);
                }
            }
        }
    }
    let in_forest: std::collections::HashSet<(NodeId, NodeId)> = forest.edges().iter().map(|e| (e.0, e.1)).collect();
    let weights = graph.weights().expect("checked");
    let step = (graph.num_arcs() as usize).div_ceil(4 * CYCLE_SAMPLES).max(1);
    let mut checked = 0;
    for u in 0..n as NodeId {
        for (p, &v) in graph.range(u).zip(graph.neighbors(u)) {
            if p % step != 0 || u >= v || in_forest.contains(&(u, v)) || checked == CYCLE_SAMPLES {
                continue;
            }
            checked += 1;
            let w = weights[p];
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
