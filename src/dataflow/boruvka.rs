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
//! **Light edges first.** As in the single-thread [`boruvka`](crate::algo::msf::boruvka), the
//! rounds run first on the *light* edges only: those with a weight at most a bound chosen so that
//! about `2n` edges of the whole graph are light. The workers agree on the bound from an evenly
//! spaced sample of every worker's weights (one all-gather). Every light edge precedes every heavy
//! one in the total order, so the forest is the same; but on random weights the light edges join
//! most nodes into a few trees, and the heavy edges — relabelled once by their trees, with those
//! inside one tree dropped — are few by the time their rounds run. Without it every round scanned
//! and relabelled all `m / W` edges of the worker.
//!
//! The run ends after a round in which no component had an outgoing edge. The component forest
//! is replicated (one `u32` per node on each worker) because every worker must relabel its edges
//! with every round's hooks; what travels is one candidate per (worker, component) and each
//! round's choices, which shrink geometrically. A component's owner keeps its candidates in a
//! dense array over its own nodes (the ids of components are node ids).

use super::{Channel, Context, Outcome, Part};
use crate::Result;
use crate::algo::msf::ForestEdge;
use crate::graph::{NodeId, Weight};

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

/// No edge yet.
const NONE: u64 = u64::MAX;

/// No candidate yet.
const UNCHOSEN: u32 = u32::MAX;

/// Light edges per node of the whole graph (see the module docs).
const LIGHT_PER_NODE: u64 = 2;

/// Weights each worker contributes to the sample of the light bound, in proportion to its edges.
const SAMPLES: u64 = 1 << 14;

/// Runs Borůvka on this worker; worker 0 returns the outcome ([`Context::finish`]).
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
    let (me, graph, part) = (ctx.index(), ctx.graph, ctx.partition);
    let n = graph.num_nodes();
    let symmetric = graph.is_symmetric();

    // This worker's edges: those of the nodes it owns, once per edge when the file stores both
    // directions, without self loops; those that `keep` (their weight) and whose ends `join`
    // (their components) selects, with the components `join` gives them.
    let own_edges = |keep: &dyn Fn(Weight) -> bool,
                     join: &mut dyn FnMut(NodeId, NodeId) -> Option<(NodeId, NodeId)>| {
        let mut edges: Vec<Edge> = Vec::new();
        for u in part.nodes(me) {
            for (v, w) in graph.weighted_neighbors(u) {
                if u != v && (!symmetric || u < v) && keep(w) {
                    let (a, b) = (u.min(v), u.max(v));
                    if let Some((cu, cv)) = join(a, b) {
                        edges.push(Edge { key: (w, a, b), cu, cv });
                    }
                }
            }
        }
        edges
    };

    // The light bound, the same on every worker, from an evenly spaced sample of the arcs'
    // weights (each edge is stored as one or two arcs alike, so arcs sample edges fairly).
    let weights = graph.weights().unwrap_or(&[]);
    let own_arcs: u64 = part.nodes(me).map(|u| graph.degree(u) as u64).sum();
    let mut control = ctx.channel::<u64>();
    let total_arcs = control.sum(ctx.worker, own_arcs)?;
    let step = total_arcs.div_ceil(SAMPLES).max(1);
    let sample: Vec<Weight> = part
        .nodes(me)
        .flat_map(|u| {
            let arcs = graph.range(u);
            (arcs.start.next_multiple_of(step as usize)..arcs.end).step_by(step as usize).map(|i| weights[i])
        })
        .collect();
    let mut gather = ctx.channel::<(u32, Vec<Weight>)>();
    let mut sample: Vec<Weight> = gather.all_gather(ctx.worker, sample)?.concat();
    let total_edges = if symmetric { total_arcs / 2 } else { total_arcs };
    let wanted = LIGHT_PER_NODE * n as u64;
    let bound = if wanted >= total_edges || sample.is_empty() {
        Weight::MAX
    } else {
        let rank = ((sample.len() as f64 * wanted as f64 / total_edges as f64) as usize).min(sample.len() - 1);
        *sample.select_nth_unstable(rank).1
    };

    let mut state = State {
        parent: (0..n as NodeId).collect(),
        best: vec![NONE; n],
        chosen: vec![UNCHOSEN; part.num_local(me)],
        forest: Vec::new(),
        candidates: ctx.channel(),
        choices: ctx.channel(),
    };
    let mut light = own_edges(&|w| w <= bound, &mut |a, b| Some((a, b)));
    state.rounds(ctx, &mut light)?;
    if bound != Weight::MAX {
        // The heavy edges between different trees of the light forest: a second pass over the
        // mapped lists, most edges dropped by a lookup (in a forest flattened first).
        let parent = &mut state.parent;
        for x in 0..n as NodeId {
            parent[x as usize] = find(parent, x);
        }
        // The lists come node by node: `a` repeats, its root is looked up once.
        let mut last = (NodeId::MAX, NodeId::MAX);
        let mut heavy = own_edges(&|w| w > bound, &mut |a, b| {
            if last.0 != a {
                last = (a, parent[a as usize]);
            }
            let (cu, cv) = (last.1, parent[b as usize]);
            (cu != cv).then_some((cu, cv))
        });
        state.rounds(ctx, &mut heavy)?;
    }
    ctx.finish(Part::Forest(state.forest))
}

/// The root of `x`'s tree in the component forest, halving the path on the way.
fn find(parent: &mut [NodeId], mut x: NodeId) -> NodeId {
    while parent[x as usize] != x {
        let grand = parent[parent[x as usize] as usize];
        parent[x as usize] = grand;
        x = grand;
    }
    x
}

/// What a worker keeps across rounds.
struct State {
    /// The component forest (replicated: every worker applies every hook).
    parent: Vec<NodeId>,
    /// Per component id: `weight << 32 | position` of this worker's lightest edge leaving it,
    /// or [`NONE`].
    best: Vec<u64>,
    /// Per own node (as a component id): the position in `received` of the lightest candidate,
    /// or [`UNCHOSEN`].
    chosen: Vec<u32>,
    /// Forest edges found (worker 0 only).
    forest: Vec<ForestEdge>,
    candidates: Channel<Choice>,
    choices: Channel<Choice>,
}

impl State {
    /// Borůvka rounds on `edges` (whose `cu`/`cv` are current components) until no component
    /// has an outgoing edge anywhere; `edges` ends empty.
    fn rounds(&mut self, ctx: &mut Context<'_>, edges: &mut Vec<Edge>) -> Result<()> {
        let (me, peers, part) = (ctx.index(), ctx.peers(), ctx.partition);
        let mut touched: Vec<NodeId> = Vec::new();
        let mut received: Vec<Choice> = Vec::new();
        let mut hooks: Vec<Choice> = Vec::new();
        loop {
            // 1. The lightest local edge leaving each component. `best` holds `weight << 32 |
            // position`, so the weight decides without touching the edge it points at; only
            // equal weights look at the endpoints.
            let best = &mut self.best;
            for (i, e) in edges.iter().enumerate() {
                let key = (e.key.0 as u64) << 32 | i as u64;
                for c in [e.cu, e.cv] {
                    let slot = &mut best[c as usize];
                    if *slot == NONE {
                        touched.push(c);
                        *slot = key;
                    } else if key >> 32 < *slot >> 32
                        || (key >> 32 == *slot >> 32 && e.key < edges[*slot as u32 as usize].key)
                    {
                        *slot = key;
                    }
                }
            }
            let local = touched.drain(..).map(|c| {
                let e = edges[std::mem::replace(&mut best[c as usize], NONE) as u32 as usize];
                let other = if e.cu == c { e.cv } else { e.cu };
                (part.owner(c), (c, e.key.0, e.key.1, e.key.2, other))
            });

            // 2. The owner of each component keeps the lightest candidate ...
            let chosen = &mut self.chosen;
            received.clear();
            self.candidates.round(ctx.worker, local, |cand| {
                let slot = &mut chosen[part.local(cand.0)];
                if *slot == UNCHOSEN {
                    *slot = received.len() as u32;
                    received.push(cand);
                } else {
                    let best = &mut received[*slot as usize];
                    if (cand.1, cand.2, cand.3) < (best.1, best.2, best.3) {
                        *best = cand;
                    }
                }
            })?;
            // ... and tells every worker.
            for choice in &received {
                chosen[part.local(choice.0)] = UNCHOSEN;
            }
            let broadcast = received.iter().flat_map(|&choice| (0..peers).map(move |w| (w, choice)));
            hooks.clear();
            self.choices.round(ctx.worker, broadcast, |choice| hooks.push(choice))?;
            ctx.rounds += 1;
            if hooks.is_empty() {
                return Ok(());
            }

            // 3. Hooking: every chosen edge is a forest edge; a pair that chose each other shares one.
            let parent = &mut self.parent;
            for &(c, _, _, _, d) in &hooks {
                parent[c as usize] = d;
            }
            let mut roots = Vec::new();
            for &(c, w, u, v, d) in &hooks {
                let mutual = parent[d as usize] == c;
                if mutual && c < d {
                    roots.push(c);
                } else if me == 0 {
                    self.forest.push((u, v, w));
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
    }
}
