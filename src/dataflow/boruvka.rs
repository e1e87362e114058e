//! `timely-boruvka`: minimum spanning forest by distributed Borůvka.
//!
//! Borůvka (1926) works in rounds. In each round every component picks its minimum outgoing
//! edge; all picked edges belong to the minimum spanning forest (the cut property), so every
//! component hooks onto the component at the other end of its edge, the hooked components merge,
//! and the edges inside a merged component are dropped. Each round at least halves the number of
//! components that still have an outgoing edge, so there are at most `⌈log₂ n⌉` rounds; each
//! costs `O(m/W)` per worker plus the exchanged records. Ties are broken by the total order
//! `(weight, min(u, v), max(u, v))`, which makes the minimum edge of every component unique and
//! the forest equal to every other implementation's.
//!
//! One round, on every worker, in four steps:
//!
//! 1. **Candidates.** For each component touching one of its edges, the worker's lightest such
//!    edge. Sent to the worker that owns the component's id (a [`Partition`](super::Partition)
//!    of the node ids, which are also component ids).
//! 2. **Choice.** The owner keeps the lightest candidate of each of its components and
//!    broadcasts the choice `c → d` (component `c` hooks onto component `d` through edge `e`).
//! 3. **Hooking and pointer jumping.** Every worker now knows every choice of the round and
//!    applies them, in the same way, to its copy of the component forest `parent`. Two
//!    components that chose each other picked the same edge (the order is total): the smaller
//!    id becomes the root of the pair and the edge counts once. All other hooks point to a
//!    component whose id is not their own, so following `parent` ends in a root; pointer jumping
//!    (`parent[c] = parent[parent[c]]` until nothing changes) makes every hooked component point
//!    straight at its root. Worker 0 records the chosen edges: they are the forest.
//! 4. **Relabelling.** Each worker replaces the component ids of its edges by their roots and
//!    drops the edges whose two ends are now in one component.
//!
//! The run ends after a round in which no component had an outgoing edge. The component forest
//! is replicated (one `u32` per node on each worker) because every worker must relabel its edges
//! with every round's hooks; what travels is one candidate per (worker, component) and each
//! round's choices, which shrink geometrically.

use std::collections::HashMap;

use super::Context;
use crate::Result;
use crate::algo::msf::Forest;
use crate::graph::{NodeId, Weight};
use crate::registry::Output;

/// An edge of the input with the components its ends belong to in the current round.
#[derive(Clone, Copy, Debug)]
struct Edge {
    /// `(weight, min(u, v), max(u, v))`: the edge's identity and its place in the total order.
    key: (Weight, NodeId, NodeId),
    /// Component of `key.1`.
    cu: NodeId,
    /// Component of `key.2`.
    cv: NodeId,
}

/// A component's chosen edge: `(component, weight, u, v, component at the other end)`.
type Choice = (NodeId, Weight, NodeId, NodeId, NodeId);

/// Runs Borůvka on this worker; worker 0 returns the forest.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Output>> {
    let (me, peers, graph, part) = (ctx.index(), ctx.peers(), ctx.graph, ctx.partition);
    let mut candidates = ctx.channel::<Choice>();
    let mut choices = ctx.channel::<Choice>();
    let n = graph.num_nodes();
    let symmetric = graph.is_symmetric();

    // This worker's edges: those of the nodes it owns, once per edge when the file stores both
    // directions, without self loops.
    let mut edges: Vec<Edge> = Vec::new();
    for u in part.nodes(me) {
        for (v, w) in graph.weighted_neighbors(u) {
            if u != v && (!symmetric || u < v) {
                let (a, b) = (u.min(v), u.max(v));
                edges.push(Edge { key: (w, a, b), cu: a, cv: b });
            }
        }
    }

    let mut parent: Vec<NodeId> = (0..n as NodeId).collect();
    let mut best: Vec<u32> = vec![u32::MAX; n];
    let mut touched: Vec<NodeId> = Vec::new();
    let mut forest = Vec::new();
    loop {
        // 1. The lightest local edge leaving each component.
        for (i, e) in edges.iter().enumerate() {
            for c in [e.cu, e.cv] {
                let slot = &mut best[c as usize];
                if *slot == u32::MAX {
                    touched.push(c);
                    *slot = i as u32;
                } else if e.key < edges[*slot as usize].key {
                    *slot = i as u32;
                }
            }
        }
        let local = touched.drain(..).map(|c| {
            let e = edges[std::mem::replace(&mut best[c as usize], u32::MAX) as usize];
            let other = if e.cu == c { e.cv } else { e.cu };
            (part.owner(c), (c, e.key.0, e.key.1, e.key.2, other))
        });

        // 2. The owner of each component keeps the lightest candidate ...
        let mut chosen: HashMap<NodeId, Choice> = HashMap::new();
        candidates.round(ctx.worker, local, |cand| {
            let entry = chosen.entry(cand.0).or_insert(cand);
            if (cand.1, cand.2, cand.3) < (entry.1, entry.2, entry.3) {
                *entry = cand;
            }
        })?;
        // ... and tells every worker.
        let broadcast = chosen.into_values().flat_map(|choice| (0..peers).map(move |w| (w, choice)));
        let mut hooks: Vec<Choice> = Vec::new();
        choices.round(ctx.worker, broadcast, |choice| hooks.push(choice))?;
        ctx.rounds += 1;
        if hooks.is_empty() {
            break;
        }

        // 3. Hooking: every chosen edge is a forest edge; a pair that chose each other shares one.
        for &(c, _, _, _, d) in &hooks {
            parent[c as usize] = d;
        }
        let mut roots = Vec::new();
        for &(c, w, u, v, d) in &hooks {
            let mutual = parent[d as usize] == c;
            if mutual && c < d {
                roots.push(c);
            } else if me == 0 {
                forest.push((u, v, w));
            }
        }
        for c in roots {
            parent[c as usize] = c;
        }
        // Pointer jumping until every hooked component points at its root.
        let mut jumping = true;
        while jumping {
            jumping = false;
            for &(c, ..) in &hooks {
                let p = parent[c as usize];
                let grand = parent[p as usize];
                if p != grand {
                    parent[c as usize] = grand;
                    jumping = true;
                }
            }
        }

        // 4. Relabel the edges; drop those inside one component.
        edges.retain_mut(|e| {
            e.cu = parent[e.cu as usize];
            e.cv = parent[e.cv as usize];
            e.cu != e.cv
        });
    }
    Ok((me == 0).then(|| Output::Forest(Forest::new(forest))))
}
