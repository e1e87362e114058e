//! `timely-union-find`: connected components by local union-find on each worker's own nodes and
//! ghosts, then one exchange of the labels where workers meet. (The "union-find" of McSherry,
//! Isard, Murray, HotOS 2015, distributed as in their follow-up posts.)
//!
//! Each worker renumbers its nodes' arcs into its [`Local`] graph (own nodes, then the *ghosts*,
//! the other workers' nodes its arcs reach) and runs the sequential baseline's union-find
//! ([`crate::algo::cc::union_find`]: Rem's algorithm with splicing, union by index) over it, in
//! `O(m/W · α)` and an array over its own nodes and ghosts only. On a symmetric graph it also uses
//! the baseline's Afforest neighbour sampling: union every own node with its first [`SAMPLE`]
//! neighbours, guess the largest set (the *giant*) by sampling, then read the remaining arcs only
//! of own nodes outside it. Each local set is named by the smallest id (of the whole graph) among
//! its members, ghosts included.
//!
//! A ghost `v` is the same node as its owner's own node `v`, so the sets must be joined where
//! they meet: each worker sends `(v, the label of v's local set)` for every ghost to the owner of
//! `v` (in chunks, [`Channel::round_slices`](super::Channel::round_slices)); the owner compares it
//! with the label of its own set of `v` and keeps the distinct pairs of different labels (on a
//! graph with a giant component nearly all pairs are the same one, or no pair at all when both
//! sets already hold the giant's smallest node). The pairs, with the workers holding each label,
//! go to worker 0, which unions the labels (a union-find over the labels in pairs, `O(pairs)`)
//! and sends each holder the final label (the smallest of its class) of each of its labels that
//! changed. Every worker then labels its own nodes. Three supersteps; no worker holds an array
//! over all `n` nodes.
//!
//! Skipping the giant's arcs is sound on one worker because every skipped arc's reverse is read
//! at its other end unless that end is in the giant too. Across workers the two ends may lie in
//! the giants of two workers, so the workers check after the exchange that all giants have one
//! final label. When they do, every skipped arc joins two nodes already connected; when they do
//! not (possible only on graphs without a dominant component), every worker runs again over all
//! its arcs, without sampling. A directed file is read as its undirected view: each arc is united
//! at the owner of its source.

use std::collections::{HashMap, HashSet};

use super::local::Local;
use super::{Chunk, Context, Outcome, Part};
use crate::Result;
use crate::algo::cc::dsu::{flatten, most_frequent, rem_union, singletons};
use crate::algo::cc::union_find::SAMPLE;
use crate::graph::NodeId;

/// No giant: the worker read all its arcs.
const NO_GIANT: NodeId = NodeId::MAX;

/// A pair of labels to join: `(label, worker holding it, label, worker holding it)`.
type Join = (NodeId, u32, NodeId, u32);

/// Runs union-find on this worker; worker 0 returns the outcome ([`Context::finish`]).
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
    let (me, graph, part) = (ctx.index(), ctx.graph, ctx.partition);
    let local = Local::new(graph, part, me, |_| &[])?;
    let mut giants = ctx.channel::<(u32, NodeId)>();
    let (mut labels, giant) = components(ctx, &local, graph.is_symmetric())?;
    let giants = giants.all_gather(ctx.worker, giant)?;
    ctx.rounds += 1;
    let mut roots = giants.iter().filter(|&&g| g != NO_GIANT);
    if roots.next().is_some_and(|&first| roots.any(|&g| g != first)) {
        labels = components(ctx, &local, false)?.0;
    }
    ctx.finish(Part::Labels(&labels))
}

/// The final labels of this worker's own nodes, and the final label of its giant (or
/// [`NO_GIANT`]), sampling when `sample` (on a symmetric graph).
fn components(ctx: &mut Context<'_>, local: &Local<'_>, sample: bool) -> Result<(Vec<NodeId>, NodeId)> {
    let (me, peers, part) = (ctx.index(), ctx.peers(), ctx.partition);
    let own = local.own();
    let global = |j: usize| if j < own { part.global(me, j) } else { local.ghosts()[j - own] };
    let (parent, giant) = local_forest(local, sample, ctx.graph.is_symmetric());
    // The smallest id of each local set, at its root.
    let mut low = vec![NodeId::MAX; parent.len()];
    for (j, &r) in parent.iter().enumerate() {
        low[r as usize] = low[r as usize].min(global(j));
    }
    let label = |j: usize| low[parent[j] as usize];

    // Every ghost's label to its owner; the owner keeps the distinct pairs of different labels.
    // A ghost that is the root of its set is alone in it (own nodes have the smaller indices, and
    // only own nodes have arcs): it tells its owner nothing.
    let mut sent: Vec<Vec<(NodeId, NodeId)>> = vec![Vec::new(); peers];
    for (g, &v) in local.ghosts().iter().enumerate() {
        if parent[own + g] as usize != own + g {
            sent[part.owner(v)].push((v, label(own + g)));
        }
    }
    let mut joins: HashSet<Join> = HashSet::new();
    let mut last = None;
    let mut meets = ctx.channel::<Chunk<(NodeId, NodeId)>>();
    let outgoing = sent.iter().enumerate().map(|(w, pairs)| (w, &pairs[..])).filter(|(w, _)| *w != me);
    meets.round_slices(ctx.worker, outgoing, |from, _, pairs| {
        for (v, theirs) in pairs {
            let mine = label(part.local(v));
            let join = (mine, me as u32, theirs, from as u32);
            if mine != theirs && last != Some(join) {
                joins.insert(join);
                last = Some(join);
            }
        }
    })?;
    drop(sent);

    // Worker 0 joins the labels and tells each holder the final labels of its labels.
    let mut to_root = ctx.channel::<Join>();
    let mut all: Vec<Join> = Vec::new();
    to_root.round(ctx.worker, joins.into_iter().map(|j| (0, j)), |j| all.push(j))?;
    let mut changes: Vec<(usize, (NodeId, NodeId))> = Vec::new();
    if me == 0 {
        let mut classes: HashMap<NodeId, NodeId> = HashMap::new();
        for &(a, _, b, _) in &all {
            let (ra, rb) = (find(&mut classes, a), find(&mut classes, b));
            classes.insert(ra.max(rb), ra.min(rb));
        }
        let mut told = HashSet::new();
        for (a, wa, b, wb) in all {
            for (l, w) in [(a, wa), (b, wb)] {
                let root = find(&mut classes, l);
                if root != l && told.insert((l, w)) {
                    changes.push((w as usize, (l, root)));
                }
            }
        }
    }
    let mut renamed: HashMap<NodeId, NodeId> = HashMap::new();
    ctx.channel::<(NodeId, NodeId)>().round(ctx.worker, changes, |(l, root)| {
        renamed.insert(l, root);
    })?;
    ctx.rounds += 3;
    let rename = |l: NodeId| renamed.get(&l).copied().unwrap_or(l);
    let labels = (0..own).map(|i| rename(label(i))).collect();
    let giant = if giant == NO_GIANT { NO_GIANT } else { rename(label(giant as usize)) };
    Ok((labels, giant))
}

/// The root (the smallest label) of `l`'s class in `classes` (a label absent from it is its own
/// root), compressing the path.
fn find(classes: &mut HashMap<NodeId, NodeId>, l: NodeId) -> NodeId {
    let mut root = l;
    while let Some(&p) = classes.get(&root).filter(|&&p| p != root) {
        root = p;
    }
    let mut x = l;
    while x != root {
        let next = classes[&x];
        classes.insert(x, root);
        x = next;
    }
    root
}

/// Unions the arcs of the own nodes of `local` (with Afforest sampling and skipping when
/// `sample`) into a flattened forest over local indices. Returns it and an own node of the giant
/// (local index), or [`NO_GIANT`].
fn local_forest(local: &Local<'_>, sample: bool, symmetric: bool) -> (Vec<NodeId>, NodeId) {
    let own = local.own();
    let mut parent = singletons(local.len());
    let mut giant = NO_GIANT;
    let mut skip = 0;
    if sample {
        for i in 0..own {
            for &j in local.neighbors(i).iter().take(SAMPLE) {
                rem_union(&mut parent, i as NodeId, j);
            }
        }
        flatten(&mut parent);
        giant = most_frequent(own, |i| parent[i]).unwrap_or(NO_GIANT);
        skip = SAMPLE;
    }
    // Without sampling, an arc between two own nodes of a symmetric graph is read at one end;
    // arcs to ghosts are read from this side whatever the other side does.
    let one_way = !sample && symmetric;
    for i in 0..own {
        if sample && parent[i] == giant {
            continue;
        }
        let list = local.neighbors(i);
        for &j in &list[skip.min(list.len())..] {
            if !one_way || j as usize >= own || (i as NodeId) < j {
                rem_union(&mut parent, i as NodeId, j);
            }
        }
    }
    flatten(&mut parent);
    (parent, giant)
}
