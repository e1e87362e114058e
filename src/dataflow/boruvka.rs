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
//! **State over own nodes and ghosts.** No worker holds an array over all `n` ids (the ghost
//! index takes a bitmap over the ids only when it is smaller than the ghost arcs met). Component
//! ids are node ids, and the forest of components is spread over the workers by the owners of
//! the ids ([`Partition`](super::Partition)): each owner keeps, per own node, the component it hooked onto
//! (`parent`, 4 bytes) and the position of its lightest candidate (4 bytes). A worker knows the
//! components of its edges' ends through its own nodes' `parent` and, for its *ghosts* (the other
//! workers' nodes its edges reach, numbered by `local`'s `GhostIndex`), by
//! asking their owners when it needs them; inside the rounds it numbers the components its edges
//! touch densely (*slots*, through an [`IdTable`]).
//!
//! One round, on every worker, in four steps:
//!
//! 1. **Candidates.** For each slot, the worker's lightest edge leaving it (an array over the
//!    slots), sent to the owner of the component's id.
//! 2. **Choice.** The owner keeps the lightest candidate of each of its components: component
//!    `c` hooks onto component `d` through that edge.
//! 3. **Trees.** The hooks form trees whose roots are pairs that chose each other (the order is
//!    total, so both picked the same edge; the smaller id becomes the root and the edge counts
//!    once). The owners resolve them by pointer jumping: each hooked component asks the owner of
//!    its parent for that one's parent, and jumps, until every one points at its tree's root
//!    (two supersteps per step, `O(log depth)` steps). Each owner keeps its components' chosen
//!    edges: the workers' parts are the forest, gathered at worker 0 only when the job asks for
//!    the whole result ([`Context::finish`](super::Context::finish)).
//! 4. **Relabelling.** Every candidate is answered with its component's root, in the position it
//!    was sent (no ids travel back); each worker merges the slots that got the same root, puts
//!    the new slots on its edges and drops the edges inside one component.
//!
//! **Round one on the lists.** On a symmetric graph every node is its own component at first and
//! its owner holds all its arcs, so round one needs no edge list and no candidates: each worker
//! reads its nodes' lists once and picks each node's lightest edge.
//!
//! **Light edges first.** As in the single-thread [`boruvka`](crate::algo::msf::boruvka()), the
//! later rounds run first on the *light* edges only: those with a weight at most a bound chosen so
//! that about `2n` edges of the whole graph are light. The workers agree on the bound from an
//! evenly spaced sample of every worker's weights (one all-gather). Every light edge precedes every
//! heavy one in the total order, so the forest is the same; but on random weights the light edges
//! join most nodes into a few trees, and the heavy edges — read again from the mapped lists, with
//! those inside one tree dropped by one lookup per end — are few by the time their rounds run.
//! Before the heavy pass the owners make every own node's `parent` its root (each round's hooks
//! point at that round's roots: taken from the last round back, one question per hooked
//! component) and the ghosts' components are asked again. The light edges, and the ghosts, are
//! taken in the same pass as round one's choices.
//!
//! **Which worker takes an edge.** A symmetric file holds every edge twice; the worker of one end
//! takes it (`takes`: the arcs to the next half of the ids around the circle). Taking every edge
//! at its lower end would give the first of two contiguous workers three quarters of the edges;
//! this rule gives each about half, and on sorted lists the taken arcs are two segments, so the
//! heavy pass never reads the other half. Where a worker owns a range of ids, each segment splits
//! into other workers' nodes and its own, scanned apart.
//!
//! The run ends after a round in which no component had an outgoing edge. Memory per worker:
//! 8 bytes per own node, the ghost index and 4 bytes per ghost, 20 bytes per edge it holds, and
//! each round's candidates and answers; what travels is one candidate per (worker, component),
//! its answer, and the pointer-jumping questions. Keeping it so costs time against a replicated
//! forest: figures in BENCHMARKS.md (issue 13).

use std::ops::{Range, RangeInclusive};

use super::ghost_index::GhostIndex;
use super::id_table::IdTable;
use super::{Channel, Chunk, Context, Outcome, Part, Share};
use crate::algo::msf::ForestEdge;
use crate::graph::{NodeId, Shard, Weight};
use crate::{Error, Result};

/// An edge of the input with the components its ends belong to.
#[derive(Clone, Copy, Debug)]
struct Edge {
    /// `(weight, min(u, v), max(u, v))`: the edge's identity and its place in the total order.
    key: (Weight, NodeId, NodeId),
    /// The ends' components: component ids, or slots inside [`State::rounds`].
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
    let weights = graph.lists().weights().unwrap_or(&[]);
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
    ctx.rounds += 2;
    let total_edges = if symmetric { total_arcs / 2 } else { total_arcs };
    let wanted = LIGHT_PER_NODE * n as u64;
    let bound = if wanted >= total_edges || sample.is_empty() {
        Weight::MAX
    } else {
        let rank = ((sample.len() as f64 * wanted as f64 / total_edges as f64) as usize).min(sample.len() - 1);
        *sample.select_nth_unstable(rank).1
    };

    let own = part.num_local(me);
    let mut state = State {
        parent: part.nodes(me).collect(),
        chosen: vec![UNCHOSEN; own],
        hooked: Vec::new(),
        share: part.share(me),
        ghosts: None,
        ghost_parent: Vec::new(),
        forest: Vec::new(),
        control,
        candidates: ctx.channel(),
        ids: ctx.channel(),
    };
    let (targets, share) = (graph.lists().targets(), part.share(me));
    // The other workers' nodes this worker's edges reach (once per arc met, at most one per own
    // arc).
    let mut met: Vec<NodeId> = Vec::new();
    met.try_reserve(own_arcs as usize)
        .map_err(|_| Error::invalid(format!("out of memory for the ghosts of {own_arcs} arcs (timely-boruvka)")))?;
    let light = if symmetric {
        // Round one on the lists themselves, in the same pass that takes the light edges: every
        // node is its own component and its owner holds all its edges, so its choice needs no
        // candidates and no edge list. The light edges inside its trees are then dropped.
        let mut first: Vec<Choice> = Vec::new();
        let mut light = Vec::new();
        for u in part.nodes(me) {
            let mut best: Option<(Weight, NodeId, NodeId)> = None;
            for p in graph.range(u) {
                let (v, w) = (targets[p], weights[p]);
                let key = (w, u.min(v), u.max(v));
                if v != u && best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
                if takes(u, v, n) {
                    if w <= bound {
                        light.push(Edge { key, cu: u, cv: v });
                    }
                    if share.local(v).is_none() {
                        met.push(v);
                    }
                }
            }
            if let Some((w, a, b)) = best {
                first.push((u, w, a, b, if a == u { b } else { a }));
            }
        }
        state.ghosts = Some(GhostIndex::build(n, || met.iter().copied())?);
        drop(met);
        state.hook(ctx, &first)?;
        state.ask_ghosts(ctx)?;
        light.retain_mut(|e| {
            (e.cu, e.cv) = (state.component(e.cu), state.component(e.cv));
            e.cu != e.cv
        });
        light
    } else {
        met.extend(part.nodes(me).flat_map(|u| graph.neighbors(u)).filter(|&&v| share.local(v).is_none()));
        state.ghosts = Some(GhostIndex::build(n, || met.iter().copied())?);
        drop(met);
        state.ask_ghosts(ctx)?;
        state.edges(ctx, 0..=bound)
    };
    state.rounds(ctx, light)?;
    if bound != Weight::MAX {
        // The heavy edges between the trees of the light forest: a second pass over the mapped
        // lists, most edges dropped by one lookup.
        state.flatten(ctx)?;
        state.ask_ghosts(ctx)?;
        let heavy = state.edges(ctx, bound + 1..=Weight::MAX);
        state.rounds(ctx, heavy)?;
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

/// One node's arcs being read into candidate edges ([`State::edges`]).
struct Scan<'a> {
    graph: &'a Shard,
    edges: &'a mut Vec<Edge>,
    u: NodeId,
    cu: NodeId,
    keep: &'a RangeInclusive<Weight>,
}

impl Scan<'_> {
    /// Appends the arcs of `u` at `positions` whose weight is kept, that are taken at `u` (when
    /// `taking` gives the node count of a symmetric graph whose lists are not sorted) and whose
    /// target's component (`component`) is not `u`'s.
    #[inline(always)]
    fn arcs(&mut self, positions: Range<usize>, taking: Option<usize>, component: impl Fn(NodeId) -> NodeId) {
        let (targets, weights) = (self.graph.lists().targets(), self.graph.lists().weights().unwrap_or(&[]));
        let u = self.u;
        for p in positions {
            let (v, w) = (targets[p], weights[p]);
            if !self.keep.contains(&w) || v == u || taking.is_some_and(|n| !takes(u, v, n)) {
                continue;
            }
            let cv = component(v);
            if self.cu != cv {
                self.edges.push(Edge { key: (w, u.min(v), u.max(v)), cu: self.cu, cv });
            }
        }
    }
}

/// The slot of component `c` among `ids` (the components numbered so far, `slots` their
/// numbers), numbering it next if it is new.
fn number(slots: &mut IdTable<NodeId>, ids: &mut Vec<NodeId>, c: NodeId) -> Result<NodeId> {
    let slot = slots.get_or_insert(c, ids.len() as NodeId)?;
    if slot as usize == ids.len() {
        ids.push(c);
    }
    Ok(slot)
}

/// What a worker keeps across rounds: arrays over its own nodes and its ghosts only.
struct State {
    /// Per own node (local index), as a component id: the component it hooked onto (the root
    /// of its round's tree), or itself while it is a root. The forest of all components is
    /// spread over the workers by the owners of the ids.
    parent: Vec<NodeId>,
    /// Per own node (as a component id): the position of the lightest candidate received in
    /// this round, or [`UNCHOSEN`].
    chosen: Vec<u32>,
    /// Per round: the own components that hooked onto another (local indices).
    hooked: Vec<Vec<u32>>,
    /// Which nodes are this worker's own.
    share: Share,
    /// The other workers' nodes this worker's edges reach, sorted.
    ghosts: Option<GhostIndex>,
    /// Per ghost (by its number): its component when last asked ([`State::ask_ghosts`]).
    ghost_parent: Vec<NodeId>,
    /// Forest edges chosen by this worker's components.
    forest: Vec<ForestEdge>,
    control: Channel<u64>,
    candidates: Channel<Chunk<Choice>>,
    ids: Channel<Chunk<NodeId>>,
}

impl State {
    /// One superstep: the number of things every worker counted, summed.
    fn sum(&mut self, ctx: &mut Context<'_>, count: usize) -> Result<u64> {
        ctx.rounds += 1;
        self.control.sum(ctx.worker, count as u64)
    }

    /// Two supersteps: asks the owner of every id in `asks[w]` (all owned by worker `w`) for
    /// the id's `parent` there, and returns the answers in the same positions. Every worker
    /// answers before it changes anything, so all answers are the parents as they were.
    fn ask_parents(&mut self, ctx: &mut Context<'_>, asks: &[Vec<NodeId>]) -> Result<Vec<Vec<NodeId>>> {
        let part = ctx.partition;
        let asked = self.ids.all_to_all(ctx.worker, asks)?;
        let parent = &self.parent;
        let answers: Vec<Vec<NodeId>> =
            asked.iter().map(|ids| ids.iter().map(|&x| parent[part.local(x)]).collect()).collect();
        drop(asked);
        ctx.rounds += 2;
        self.ids.all_to_all(ctx.worker, &answers)
    }

    /// Makes `parent` of every own node its component's current root. Each round's hooked
    /// components point at the root of that round's tree, which is a root for good or hooked in
    /// a later round: taken from the last round back to the first, one question per hooked
    /// component to the owner of its parent settles it (two supersteps per round).
    fn flatten(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let (part, peers) = (ctx.partition, ctx.peers());
        let mut rounds = std::mem::take(&mut self.hooked);
        // The last round's components already point at roots.
        rounds.pop();
        for round in rounds.iter().rev() {
            let mut asks = vec![Vec::new(); peers];
            let mut askers = vec![Vec::new(); peers];
            for &c in round {
                let p = self.parent[c as usize];
                asks[part.owner(p)].push(p);
                askers[part.owner(p)].push(c);
            }
            let roots = self.ask_parents(ctx, &asks)?;
            for (cs, rs) in askers.iter().zip(&roots) {
                for (&c, &r) in cs.iter().zip(rs) {
                    self.parent[c as usize] = r;
                }
            }
        }
        Ok(())
    }

    /// Asks the owners of this worker's ghosts for their components (two supersteps): what
    /// [`State::component`] answers for them until the next call. `parent` must be flat
    /// ([`State::flatten`]).
    fn ask_ghosts(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let (part, peers) = (ctx.partition, ctx.peers());
        let ghosts = self.ghosts.as_ref().map_or(&[][..], |g| g.ids());
        let mut asks = vec![Vec::new(); peers];
        for &v in ghosts {
            asks[part.owner(v)].push(v);
        }
        let roots = self.ask_parents(ctx, &asks)?;
        // The ghosts are sorted, so each owner's answers come in the ghosts' order.
        let mut next = vec![0usize; peers];
        let ghosts = self.ghosts.as_ref().map_or(&[][..], |g| g.ids());
        self.ghost_parent.clear();
        self.ghost_parent.extend(ghosts.iter().map(|&v| {
            let w = part.owner(v);
            next[w] += 1;
            roots[w][next[w] - 1]
        }));
        Ok(())
    }

    /// The component of ghost `v` as last asked.
    #[inline]
    fn ghost(&self, v: NodeId) -> NodeId {
        let index = self.ghosts.as_ref().expect("the ghosts are numbered before they are asked");
        self.ghost_parent[index.index(v) as usize]
    }

    /// The component of node `v`, one of this worker's own nodes or ghosts: its own node's
    /// parent, or the ghost's as last asked.
    #[inline]
    fn component(&self, v: NodeId) -> NodeId {
        match self.share.local(v) {
            Some(j) => self.parent[j],
            None => self.ghost(v),
        }
    }

    /// This worker's edges whose weight `keep` selects and whose ends are in different
    /// components, once per edge (the arc [`takes`] picks, on a symmetric graph), with their
    /// current components: one lookup per end ([`State::component`]).
    fn edges(&self, ctx: &Context<'_>, keep: RangeInclusive<Weight>) -> Vec<Edge> {
        let (me, graph, part) = (ctx.index(), ctx.graph, ctx.partition);
        let (n, targets) = (graph.num_nodes(), graph.lists().targets());
        let (symmetric, sorted) = (graph.is_symmetric(), graph.props().sorted);
        let ghost = |v: NodeId| self.ghost(v);
        let mut edges: Vec<Edge> = Vec::new();
        for (i, u) in part.nodes(me).enumerate() {
            let arcs = graph.range(u);
            let mut scan = Scan { graph, edges: &mut edges, u, cu: self.parent[i], keep: &keep };
            if !symmetric {
                scan.arcs(arcs, None, |v| self.component(v));
                continue;
            }
            if !sorted {
                scan.arcs(arcs, Some(n), |v| self.component(v));
                continue;
            }
            // A sorted list's taken arcs are a prefix and a middle segment: the other half of
            // the list is not read at all. Where this worker owns a range of ids, each segment
            // is other workers' nodes, own nodes, other workers' nodes, each scanned without
            // asking which of the two every target is.
            for segment in taken(&targets[arcs.clone()], u, n).map(|r| arcs.start + r.start..arcs.start + r.end) {
                let Some(own) = part.range(me) else {
                    scan.arcs(segment, None, |v| self.component(v));
                    continue;
                };
                let list = &targets[segment.clone()];
                let below = segment.start + list.partition_point(|&v| (v as usize) < own.start);
                let inside = segment.start + list.partition_point(|&v| (v as usize) < own.end);
                scan.arcs(segment.start..below, None, ghost);
                scan.arcs(below..inside, None, |v| self.parent[v as usize - own.start]);
                scan.arcs(inside..segment.end, None, ghost);
            }
        }
        edges
    }

    /// Borůvka rounds on `edges` (whose `cu`/`cv` are current components) until no component
    /// has an outgoing edge anywhere. Inside, the components this worker's edges touch are
    /// numbered densely (*slots*, `id[slot]` the component id) and the edges hold slots, so the
    /// lightest edge per component is an array over the slots; each round's roots come back as
    /// answers to the candidates, and the slots whose components merged are merged.
    fn rounds(&mut self, ctx: &mut Context<'_>, mut edges: Vec<Edge>) -> Result<()> {
        let (part, peers) = (ctx.partition, ctx.peers());
        let mut id: Vec<NodeId> = Vec::new();
        let mut slots = IdTable::new(edges.len() / 2)?;
        for e in &mut edges {
            e.cu = number(&mut slots, &mut id, e.cu)?;
            e.cv = number(&mut slots, &mut id, e.cv)?;
        }
        drop(slots);
        let mut best: Vec<u64> = Vec::new();
        loop {
            // 1. The lightest local edge leaving each component. `best` holds `weight << 32 |
            // position`, so the weight decides without touching the edge it points at; only
            // equal weights look at the endpoints.
            best.clear();
            best.resize(id.len(), NONE);
            for (i, e) in edges.iter().enumerate() {
                let key = (e.key.0 as u64) << 32 | i as u64;
                for c in [e.cu, e.cv] {
                    let slot = &mut best[c as usize];
                    if *slot == NONE
                        || key >> 32 < *slot >> 32
                        || (key >> 32 == *slot >> 32 && e.key < edges[*slot as u32 as usize].key)
                    {
                        *slot = key;
                    }
                }
            }
            let mut outbox: Vec<Vec<Choice>> = vec![Vec::new(); peers];
            let mut askers: Vec<Vec<NodeId>> = vec![Vec::new(); peers];
            for (s, &b) in best.iter().enumerate() {
                if b != NONE {
                    let e = edges[b as u32 as usize];
                    let other = if e.cu == s as NodeId { e.cv } else { e.cu };
                    let (c, d) = (id[s], id[other as usize]);
                    outbox[part.owner(c)].push((c, e.key.0, e.key.1, e.key.2, d));
                    askers[part.owner(c)].push(s as NodeId);
                }
            }

            // 2. The owner of each component keeps the lightest candidate ...
            let received = self.candidates.all_to_all(ctx.worker, &outbox)?;
            ctx.rounds += 1;
            drop(outbox);
            let mut mine: Vec<Choice> = Vec::new();
            for &cand in received.iter().flatten() {
                let slot = &mut self.chosen[part.local(cand.0)];
                if *slot == UNCHOSEN {
                    *slot = mine.len() as u32;
                    mine.push(cand);
                } else {
                    let best = &mut mine[*slot as usize];
                    if (cand.1, cand.2, cand.3) < (best.1, best.2, best.3) {
                        *best = cand;
                    }
                }
            }
            for choice in &mine {
                self.chosen[part.local(choice.0)] = UNCHOSEN;
            }
            // ... and the hooks are resolved into trees (3.).
            if !self.hook(ctx, &mine)? {
                return Ok(());
            }

            // 4. Every candidate's sender learns its component's root; the slots of one root
            // merge, and the edges inside one component are dropped.
            let roots: Vec<Vec<NodeId>> =
                received.iter().map(|list| list.iter().map(|cand| self.parent[part.local(cand.0)]).collect()).collect();
            drop(received);
            let roots = self.ids.all_to_all(ctx.worker, &roots)?;
            ctx.rounds += 1;
            let mut merged = IdTable::new(id.len() / 4)?;
            let mut next: Vec<NodeId> = Vec::new();
            let mut to = vec![NodeId::MAX; id.len()];
            for (ss, rs) in askers.iter().zip(&roots) {
                for (&s, &r) in ss.iter().zip(rs) {
                    to[s as usize] = number(&mut merged, &mut next, r)?;
                }
            }
            id = next;
            edges.retain_mut(|e| {
                e.cu = to[e.cu as usize];
                e.cv = to[e.cv as usize];
                e.cu != e.cv
            });
        }
    }

    /// Resolves one round's hooks: this worker's components hook as `mine` says (`c → d`
    /// through an edge), every worker's likewise; then pointer jumping over the owners (two
    /// supersteps per step) until every hooked component points at the root of its tree. Two
    /// components that chose each other picked the same edge (the order is total): the smaller
    /// id becomes the root and the edge counts once. All other hooks point to a component
    /// whose id is not their own, so the hooks form trees whose depth halves with every step.
    /// The chosen edges of `mine` join this worker's part of the forest. Returns whether any
    /// component hooked.
    fn hook(&mut self, ctx: &mut Context<'_>, mine: &[Choice]) -> Result<bool> {
        let (part, peers) = (ctx.partition, ctx.peers());
        if self.sum(ctx, mine.len())? == 0 {
            return Ok(false);
        }
        for &(c, .., d) in mine {
            self.parent[part.local(c)] = d;
        }
        let mut active: Vec<u32> = mine.iter().map(|&(c, ..)| part.local(c) as u32).collect();
        let mut first = true;
        loop {
            let mut asks = vec![Vec::new(); peers];
            let mut askers = vec![Vec::new(); peers];
            for &c in &active {
                let p = self.parent[c as usize];
                asks[part.owner(p)].push(p);
                askers[part.owner(p)].push(c);
            }
            let grand = self.ask_parents(ctx, &asks)?;
            active.clear();
            for (cs, gs) in askers.iter().zip(&grand) {
                for (&c, &g) in cs.iter().zip(gs) {
                    let (id, p) = (part.global(ctx.index(), c as usize), self.parent[c as usize]);
                    if first && g == id {
                        // A pair that chose each other: the smaller is the root.
                        if id < p {
                            self.parent[c as usize] = id;
                        }
                    } else if g != p {
                        self.parent[c as usize] = g;
                        active.push(c);
                    }
                }
            }
            first = false;
            if self.sum(ctx, active.len())? == 0 {
                break;
            }
        }
        let parent = &self.parent;
        // Every chosen edge is a forest edge but the root's of a pair that chose each other.
        let hooked = |&&(c, ..): &&Choice| parent[part.local(c)] != c;
        self.forest.extend(mine.iter().filter(hooked).map(|&(_, w, u, v, _)| (u, v, w)));
        self.hooked.push(mine.iter().filter(hooked).map(|&(c, ..)| part.local(c) as u32).collect());
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
