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
//!    edge. Sent to the worker that owns the component's id (a [`Partition`]
//!    of the node ids, which are also component ids).
//! 2. **Choice.** The owner keeps the lightest candidate of each of its components and
//!    broadcasts the choice `c → d` (component `c` hooks onto component `d` through edge `e`).
//! 3. **Hooking.** Every worker now knows every choice of the round (the pairs `c → d` travel,
//!    in slices, not the edges) and applies them, in the same way, to its copy of the component
//!    forest `parent`. Two components that chose each other picked the same edge (the order is
//!    total): the smaller id becomes the root of the pair and the edge counts once. All other
//!    hooks point to a component whose id is not their own, so following `parent` ends in a root;
//!    one find with path halving per hook makes every hooked component point straight at it.
//!    The owner of each component keeps its chosen edge: the workers' parts are the forest,
//!    gathered at worker 0 only when the job asks for the whole result ([`Context::finish`](super::Context::finish)).
//! 4. **Relabelling.** Each worker replaces the component ids of its edges by their roots and
//!    drops the edges whose two ends are now in one component.
//!
//! **Round one on the lists.** On a symmetric graph every node is its own component at first and
//! its owner holds all its arcs, so round one needs no edge list and no candidates: each worker
//! reads its nodes' lists once, picks each node's lightest edge and broadcasts the choices.
//!
//! **Light edges first.** As in the single-thread [`boruvka`](crate::algo::msf::boruvka()), the
//! later rounds run first on the *light* edges only: those with a weight at most a bound chosen so
//! that about `2n` edges of the whole graph are light. The workers agree on the bound from an
//! evenly spaced sample of every worker's weights (one all-gather). Every light edge precedes every
//! heavy one in the total order, so the forest is the same; but on random weights the light edges
//! join most nodes into a few trees, and the heavy edges — read again from the mapped lists, with
//! those inside one tree dropped by one lookup — are few by the time their rounds run. The light
//! edges are taken in the same pass as round one's choices.
//!
//! **Which worker takes an edge.** A symmetric file holds every edge twice; the worker of one end
//! takes it (`takes`: the arcs to the next half of the ids around the circle). Taking every edge
//! at its lower end would give the first of two contiguous workers three quarters of the edges;
//! this rule gives each about half, and on sorted lists the taken arcs are two segments, so the
//! heavy pass never reads the other half. (Figures against `boruvka-par`: BENCHMARKS.md, issue 12.)
//!
//! The run ends after a round in which no component had an outgoing edge. The component forest
//! is replicated (one `u32` per node on each worker, and one `u64` per component id for the
//! lightest local edge) because every worker must relabel its edges with every round's hooks;
//! what travels is one candidate per (worker, component) and each round's hooks, which shrink
//! geometrically. A component's owner keeps its candidates in a
//! dense array over its own nodes (the ids of components are node ids).

use super::{Channel, Chunk, Context, Outcome, Part, Partition};
use crate::Result;
use crate::algo::msf::ForestEdge;
use crate::graph::{NodeId, Shard, Weight};

/// An edge of the input with the components its ends belong to in the current round.
#[derive(Clone, Copy, Debug)]
struct Edge {
    /// `(weight, min(u, v), max(u, v))`: the edge's identity and its place in the total order.
    key: (Weight, NodeId, NodeId),
    /// The components of the two ends (in either order).
    cu: NodeId,
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
        hooks: Vec::new(),
        outbox: vec![Vec::new(); ctx.peers()],
        forest: Vec::new(),
        candidates: ctx.channel(),
        choices: ctx.channel(),
    };
    let targets = graph.targets();
    let mut light = Vec::new();
    if symmetric {
        // Round one on the lists themselves, in the same pass that takes the light edges: every
        // node is its own component and its owner holds all its edges, so its choice needs no
        // candidates and no edge list. The light edges inside its trees are then dropped.
        let mut first: Vec<Choice> = Vec::new();
        for u in part.nodes(me) {
            let mut best: Option<(Weight, NodeId, NodeId)> = None;
            for p in graph.range(u) {
                let (v, w) = (targets[p], weights[p]);
                let key = (w, u.min(v), u.max(v));
                if v != u && best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
                if w <= bound && takes(u, v, n) {
                    light.push(Edge { key, cu: u, cv: v });
                }
            }
            if let Some((w, a, b)) = best {
                first.push((u, w, a, b, if a == u { b } else { a }));
            }
        }
        state.hook(ctx, &first)?;
        state.relabel(&mut light);
    } else {
        light = state.edges(graph, part, me, &|w| w <= bound);
    }
    state.rounds(ctx, &mut light)?;
    if bound != Weight::MAX {
        // The heavy edges between the trees of the light forest: a second pass over the mapped
        // lists, most edges dropped by one lookup.
        let mut heavy = state.edges(graph, part, me, &|w| w > bound);
        state.rounds(ctx, &mut heavy)?;
    }
    // Every worker holds the forest edges its components chose.
    ctx.finish(Part::Forest(state.forest))
}

/// Whether the arc `u → v` of a symmetric graph of `n` nodes stands for its edge (the other arc
/// does not): the edge `{a, b}`, `a < b`, is taken at `a` when `b - a <= n / 2`, else at `b`. Every
/// node takes the arcs to the next half of the ids around the circle, so the workers of a
/// contiguous split take about equal shares (taking every edge at its lower end gives the
/// first of two workers three quarters), and on a sorted list the taken arcs are two segments.
fn takes(u: NodeId, v: NodeId, n: usize) -> bool {
    let (u, v, n) = (u as u64, v as u64, n as u64);
    if v > u { 2 * (v - u) <= n } else { 2 * (u - v) > n }
}

/// The positions in `u`'s sorted list of the arcs [`takes`] picks: a prefix (targets more than
/// half the circle below `u`) and a middle segment (targets in the half above it).
fn taken(list: &[NodeId], u: NodeId, n: usize) -> [std::ops::Range<usize>; 2] {
    let low = list.partition_point(|&v| v < u && takes(u, v, n));
    let mid = list.partition_point(|&v| v <= u);
    let high = list.partition_point(|&v| v <= u || takes(u, v, n));
    [0..low, mid..high]
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
    /// The hooks `(c, d)` of the current round, every worker's.
    hooks: Vec<(NodeId, NodeId)>,
    /// Candidates for the components of each worker.
    outbox: Vec<Vec<Choice>>,
    /// Forest edges chosen by this worker's components.
    forest: Vec<ForestEdge>,
    candidates: Channel<Chunk<Choice>>,
    choices: Channel<Chunk<(NodeId, NodeId)>>,
}

impl State {
    /// This worker's edges whose weight `keep` selects and whose ends are in different
    /// components, once per edge (the arc [`takes`] picks, on a symmetric graph), with the forest
    /// flattened first so that each end's component is one lookup.
    fn edges(&mut self, graph: &Shard, part: &Partition, me: usize, keep: &dyn Fn(Weight) -> bool) -> Vec<Edge> {
        let parent = &mut self.parent;
        for x in 0..parent.len() as NodeId {
            parent[x as usize] = find(parent, x);
        }
        let (n, targets, weights) = (graph.num_nodes(), graph.targets(), graph.weights().unwrap_or(&[]));
        let mut edges: Vec<Edge> = Vec::new();
        for u in part.nodes(me) {
            let cu = parent[u as usize];
            let mut add = |p: usize| {
                let w = weights[p];
                if keep(w) {
                    let v = targets[p];
                    let cv = parent[v as usize];
                    if u != v && cu != cv {
                        edges.push(Edge { key: (w, u.min(v), u.max(v)), cu, cv });
                    }
                }
            };
            let arcs = graph.range(u);
            if !graph.is_symmetric() {
                arcs.for_each(&mut add);
            } else if graph.props().sorted {
                // A sorted list's taken arcs are a prefix and a middle segment: the other half
                // of the list is not read at all.
                let [low, high] = taken(&targets[arcs.clone()], u, n).map(|r| arcs.start + r.start..arcs.start + r.end);
                low.chain(high).for_each(&mut add);
            } else {
                arcs.filter(|&p| takes(u, targets[p], n)).for_each(&mut add);
            }
        }
        edges
    }

    /// Replaces the components of `edges` by their roots (every hooked component points at its
    /// root after [`State::hook`]) and drops the edges inside one component.
    fn relabel(&self, edges: &mut Vec<Edge>) {
        let parent = &self.parent;
        edges.retain_mut(|e| {
            e.cu = parent[e.cu as usize];
            e.cv = parent[e.cv as usize];
            e.cu != e.cv
        });
    }

    /// Borůvka rounds on `edges` (whose `cu`/`cv` are current components) until no component
    /// has an outgoing edge anywhere; `edges` ends empty.
    fn rounds(&mut self, ctx: &mut Context<'_>, edges: &mut Vec<Edge>) -> Result<()> {
        let part = ctx.partition;
        let mut touched: Vec<NodeId> = Vec::new();
        let mut received: Vec<Choice> = Vec::new();
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
            for c in touched.drain(..) {
                let e = edges[std::mem::replace(&mut best[c as usize], NONE) as u32 as usize];
                let other = if e.cu == c { e.cv } else { e.cu };
                self.outbox[part.owner(c)].push((c, e.key.0, e.key.1, e.key.2, other));
            }

            // 2. The owner of each component keeps the lightest candidate ...
            let chosen = &mut self.chosen;
            received.clear();
            let outgoing = self.outbox.iter().enumerate().map(|(w, list)| (w, &list[..]));
            self.candidates.round_slices(ctx.worker, outgoing, |_, _, chunk| {
                for cand in chunk {
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
                }
            })?;
            self.outbox.iter_mut().for_each(Vec::clear);
            for choice in &received {
                chosen[part.local(choice.0)] = UNCHOSEN;
            }
            // ... and tells every worker (3.).
            if !self.hook(ctx, &received)? {
                return Ok(());
            }

            // 4. Relabel the edges; drop those inside one component.
            self.relabel(edges);
        }
    }

    /// Sends the choices of this worker's components (`mine`) to every worker and applies all
    /// workers' choices to the component forest; the chosen edges of `mine` join this worker's
    /// part of the forest. Returns whether any component hooked.
    fn hook(&mut self, ctx: &mut Context<'_>, mine: &[Choice]) -> Result<bool> {
        let peers = ctx.peers();
        let pairs: Vec<(NodeId, NodeId)> = mine.iter().map(|&(c, .., d)| (c, d)).collect();
        let hooks = &mut self.hooks;
        hooks.clear();
        self.choices
            .round_slices(ctx.worker, (0..peers).map(|w| (w, &pairs[..])), |_, _, chunk| hooks.extend(chunk))?;
        ctx.rounds += 1;
        if hooks.is_empty() {
            return Ok(false);
        }

        // 3. Hooking: every chosen edge is a forest edge; a pair that chose each other chose the
        // same edge (the order is total), which counts once.
        let parent = &mut self.parent;
        for &(c, d) in hooks.iter() {
            parent[c as usize] = d;
        }
        let mutual = |parent: &[NodeId], c: NodeId, d: NodeId| parent[d as usize] == c && c < d;
        self.forest.extend(mine.iter().filter(|&&(c, .., d)| !mutual(parent, c, d)).map(|&(_, w, u, v, _)| (u, v, w)));
        let roots: Vec<NodeId> = hooks.iter().filter(|&&(c, d)| mutual(parent, c, d)).map(|&(c, _)| c).collect();
        for c in roots {
            parent[c as usize] = c;
        }
        // Every hooked component now points at its root (path halving on the way).
        for &(c, _) in hooks.iter() {
            parent[c as usize] = find(parent, c);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edge_is_taken_at_exactly_one_end_and_the_segments_are_the_taken_arcs() {
        for n in [1usize, 2, 3, 7, 8, 33] {
            let mut per_node = vec![0usize; n];
            for u in 0..n as NodeId {
                for v in 0..n as NodeId {
                    if u != v {
                        assert!(takes(u, v, n) != takes(v, u, n), "edge {u}-{v} of {n}");
                        per_node[u as usize] += takes(u, v, n) as usize;
                    }
                }
                assert!(!takes(u, u, n));
                // Every node takes about half its arcs.
                assert!(per_node[u as usize].abs_diff((n - 1) / 2) <= 1, "node {u} of {n}");
                let mut sorted: Vec<NodeId> = (0..n as NodeId).chain(0..n as NodeId).filter(|&v| v % 3 != 1).collect();
                sorted.sort_unstable();
                let [a, b] = taken(&sorted, u, n);
                let segments: Vec<NodeId> = sorted[a].iter().chain(&sorted[b]).copied().collect();
                let filtered: Vec<NodeId> = sorted.iter().copied().filter(|&v| takes(u, v, n)).collect();
                assert_eq!(segments, filtered, "node {u} of {n}");
            }
        }
    }
}
