//! `timely-union-find`: connected components by local union-find on each worker's edges, then a
//! tree of merges.
//!
//! Each worker runs union-find over the arcs of the nodes it owns (`O(m/W · α)`), producing a
//! forest of at most `n - 1` edges `(node, root)`. The forests are then merged pairwise in
//! `⌈log₂ W⌉` levels: at level `k`, worker `i` with `i mod 2^(k+1) = 2^k` sends its forest to
//! worker `i - 2^k`, which unions it into its own. The merges of a level run in parallel, so the
//! merge never funnels every forest through worker 0. Roots are always the smaller node id, so
//! worker 0's final roots are the canonical labels. (The "union-find" of McSherry, Isard,
//! Murray, HotOS 2015, distributed as in their follow-up posts.)

use super::Context;
use crate::Result;
use crate::algo::cc::Components;
use crate::graph::NodeId;
use crate::registry::Output;

/// Runs union-find-and-merge on this worker; worker 0 returns the components.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Output>> {
    let (me, peers, graph, part) = (ctx.index(), ctx.peers(), ctx.graph, ctx.partition);
    let mut channel = ctx.channel::<(NodeId, NodeId)>();
    let mut uf = UnionFind::new(graph.num_nodes());
    // A symmetric file holds every edge twice; one direction suffices.
    let symmetric = graph.is_symmetric();
    for u in part.nodes(me) {
        for &v in graph.neighbors(u) {
            if !symmetric || u < v {
                uf.union(u, v);
            }
        }
    }
    let mut step = 1;
    while step < peers {
        let sender = me % (2 * step) == step;
        let forest = if sender { std::mem::take(&mut uf) } else { UnionFind::default() };
        let to = me.wrapping_sub(step);
        channel.round(ctx.worker, forest.into_edges().map(|e| (to, e)), |(u, v)| uf.union(u, v))?;
        ctx.rounds += 1;
        step *= 2;
    }
    Ok((me == 0).then(|| Output::Components(Components::from_canonical(uf.into_labels()))))
}

/// Union-find over `0..n` whose roots are always the smallest id of their set (link the larger
/// root under the smaller), with path halving.
#[derive(Default)]
struct UnionFind {
    parent: Vec<NodeId>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind { parent: (0..n as NodeId).collect() }
    }

    fn find(&mut self, mut x: NodeId) -> NodeId {
        let p = &mut self.parent;
        while p[x as usize] != x {
            let grand = p[p[x as usize] as usize];
            p[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: NodeId, b: NodeId) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.parent[hi as usize] = lo;
        }
    }

    /// The forest as edges `(node, root)` for every node that is not a root.
    fn into_edges(mut self) -> impl Iterator<Item = (NodeId, NodeId)> {
        (0..self.parent.len() as NodeId).filter_map(move |u| {
            let r = self.find(u);
            (r != u).then_some((u, r))
        })
    }

    /// Every node's root: the smallest id of its set.
    fn into_labels(mut self) -> Vec<NodeId> {
        (0..self.parent.len() as NodeId).map(|u| self.find(u)).collect()
    }
}
