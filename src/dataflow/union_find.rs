//! `timely-union-find`: connected components by local union-find on each worker's own nodes and
//! ghosts, then one exchange of the labels where workers meet. (The "union-find" of McSherry,
//! Isard, Murray, HotOS 2015, distributed as in their follow-up posts.)
//!
//! Each worker runs the sequential baseline's union-find
//! ([`union_find`](mod@crate::algo::cc::union_find): Rem's algorithm with splicing, union by
//! index) over the arcs of its own nodes, in `O(m/W · α)`, with
//! a parent array over its own nodes and the *ghosts* it meets (the other workers' nodes its arcs
//! reach), numbered after its own nodes (see `local_forest`). Nothing is translated beforehand:
//! building a [`Local`](super::local::Local) graph would read and rewrite all `m/W` arcs, which
//! sampling mostly skips. On a symmetric graph it also uses
//! the baseline's Afforest neighbour sampling: union every own node with its first [`SAMPLE`]
//! neighbours, guess the largest set (the *giant*) by sampling, then read the remaining arcs only
//! of own nodes outside it. Each local set is named by its smallest own node (a ghost alone in its
//! set by itself); the smallest node of a component is the smallest own node of its set on its
//! owner, so the smallest label of a class of joined labels is the component's canonical label.
//!
//! A ghost `v` is the same node as its owner's own node `v`, so the sets must be joined where
//! they meet: each worker sends `(v, the label of v's local set)` for every ghost to the owner of
//! `v` (in chunks, [`Channel::round_slices`](super::Channel::round_slices)); the owner compares it
//! with the label of its own set of `v` and keeps the distinct pairs of different labels (on a
//! graph with a giant component nearly all pairs are the same one, or no pair at all when both
//! sets already hold the giant's smallest node). The pairs, with the workers holding each label,
//! go to worker 0, which unions the labels (a union-find over the labels in pairs, `O(pairs)`)
//! and sends every worker the final label (the smallest of its class) of each label that changed:
//! a label names one set on every worker that holds it (its smallest node, or a ghost of it), so
//! every holder must learn it. Every worker then labels its own nodes, over its forest's roots.
//! Three supersteps; no worker holds an array over all `n` nodes.
//!
//! Memory per worker: the forest, 4 bytes per own node and ghost; while it is built, the arcs to
//! ghosts of the first pass put aside (8 bytes each) and their `GhostIndex` (see
//! [`local`](super::local): about 6 bytes per ghost, or a bitmap over the ids only when that is no
//! larger than 6 bytes per arc put aside); then the exchange's pairs. The loops over the lists are
//! the baseline's, compiled once per partition strategy (`Owned`), so a worker that owns every
//! node (one worker, one process) puts nothing aside, numbers no ghost and sends nothing: its
//! forest costs what the baseline's does, and its run adds only the labels' summary (a
//! fingerprint per node, computed inside the timed run, where the baseline's is not).
//!
//! Skipping the giant's arcs is sound on one worker because every skipped arc's reverse is read
//! at its other end unless that end is in the giant too. Across workers the two ends may lie in
//! the giants of two workers, so the workers check after the exchange that all giants have one
//! final label. When they do, every skipped arc joins two nodes already connected; when they do
//! not (possible only on graphs without a dominant component), every worker runs again over all
//! its arcs, without sampling. A directed file is read as its undirected view: each arc is united
//! at the owner of its source.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use super::ghost_index::GhostIndex;
use super::owned::{Owned, Owners};
use super::{Chunk, Context, IdHasher, IdMap, Outcome, Part};
use crate::Result;
use crate::algo::cc::dsu::{flatten, most_frequent, rem_union, singletons};
use crate::algo::cc::union_find::SAMPLE;
use crate::graph::NodeId;

/// No giant: the worker read all its arcs.
const NO_GIANT: NodeId = NodeId::MAX;

/// Runs union-find on this worker; worker 0 returns the outcome ([`Context::finish`]).
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
    let mut giants = ctx.channel::<(u32, NodeId)>();
    let (mut labels, giant) = components(ctx, ctx.graph.is_symmetric())?;
    let giants = giants.all_gather(ctx.worker, giant)?;
    ctx.rounds += 1;
    let mut roots = giants.iter().filter(|&&g| g != NO_GIANT);
    if roots.next().is_some_and(|&first| roots.any(|&g| g != first)) {
        labels = components(ctx, false)?.0;
    }
    ctx.finish(Part::Labels(&labels))
}

/// The final labels of this worker's own nodes, and the final label of its giant (or
/// [`NO_GIANT`]), sampling when `sample` (on a symmetric graph).
fn components(ctx: &mut Context<'_>, sample: bool) -> Result<(Vec<NodeId>, NodeId)> {
    let (me, peers, part) = (ctx.index(), ctx.peers(), ctx.partition);
    let own = part.num_local(me);
    let LocalForest { mut parent, ghosts, giant } = match Owners::of(ctx.graph, part, me) {
        Owners::Range(owned) => local_forest(ctx, sample, owned)?,
        Owners::Strided(owned) => local_forest(ctx, sample, owned)?,
    };
    // A set's label is its root's id: its smallest own node (own nodes have the smaller indices,
    // in id order), or the ghost itself when a ghost is alone.
    let name = |r: NodeId| {
        let r = r as usize;
        if r < own { part.global(me, r) } else { ghosts[r - own] }
    };
    let label = |j: usize| name(parent[j]);

    // Every ghost's label to its owner; the owner keeps the distinct pairs of different labels.
    // A ghost that is the root of its set is alone in it (own nodes have the smaller indices, and
    // only own nodes have arcs): it tells its owner nothing.
    let mut sent: Vec<Vec<(NodeId, NodeId)>> = vec![Vec::new(); peers];
    for (g, &v) in ghosts.iter().enumerate() {
        if parent[own + g] as usize != own + g {
            sent[part.owner(v)].push((v, label(own + g)));
        }
    }
    let mut joins: HashSet<(NodeId, NodeId), BuildHasherDefault<IdHasher>> = HashSet::default();
    let mut last = None;
    let mut meets = ctx.channel::<Chunk<(NodeId, NodeId)>>();
    let outgoing = sent.iter().enumerate().map(|(w, pairs)| (w, &pairs[..])).filter(|(w, _)| *w != me);
    meets.round_slices(ctx.worker, outgoing, |_, _, pairs| {
        for (v, theirs) in pairs {
            let mine = label(part.local(v));
            let join = (mine.min(theirs), mine.max(theirs));
            if mine != theirs && last != Some(join) {
                joins.insert(join);
                last = Some(join);
            }
        }
    })?;
    drop(sent);

    // Worker 0 joins the labels and tells every worker the final label of each that changed.
    let mut all: Vec<(NodeId, NodeId)> = Vec::new();
    ctx.channel::<(NodeId, NodeId)>().round(ctx.worker, joins.into_iter().map(|j| (0, j)), |j| all.push(j))?;
    let mut changes: Vec<(NodeId, NodeId)> = Vec::new();
    if me == 0 {
        let mut classes: IdMap<NodeId> = IdMap::default();
        for &(a, b) in &all {
            let (ra, rb) = (find(&mut classes, a), find(&mut classes, b));
            classes.insert(ra.max(rb), ra.min(rb));
        }
        let labels: Vec<NodeId> = classes.keys().copied().collect();
        for l in labels {
            let root = find(&mut classes, l);
            if root != l {
                changes.push((l, root));
            }
        }
    }
    let mut renamed: IdMap<NodeId> = IdMap::default();
    let broadcast = changes.iter().flat_map(|&c| (0..peers).map(move |w| (w, c)));
    ctx.channel::<(NodeId, NodeId)>().round(ctx.worker, broadcast, |(l, root)| {
        renamed.insert(l, root);
    })?;
    ctx.rounds += 3;
    let rename = |l: NodeId| if renamed.is_empty() { l } else { renamed.get(&l).copied().unwrap_or(l) };
    let giant = if giant == NO_GIANT { NO_GIANT } else { rename(label(giant as usize)) };
    // The own nodes' labels, written over their roots (no second array).
    parent.truncate(own);
    for p in &mut parent {
        *p = rename(name(*p));
    }
    Ok((parent, giant))
}

/// The root (the smallest label) of `l`'s class in `classes` (a label absent from it is its own
/// root), compressing the path.
fn find(classes: &mut IdMap<NodeId>, l: NodeId) -> NodeId {
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

/// A worker's flattened forest over its own nodes (indices `0..own`) and the ghosts it met
/// (`own + g` is ghost `ghosts[g]`).
struct LocalForest {
    parent: Vec<NodeId>,
    ghosts: Vec<NodeId>,
    /// An own node of the giant (local index), or [`NO_GIANT`].
    giant: NodeId,
}

/// Unions the arcs of this worker's own nodes (`owned`: see [`Owned`]; with Afforest sampling and
/// skipping when `sample`, on a symmetric graph) into a flattened forest. In the first pass (the
/// sampled arcs, or all without sampling) an arc to an own node is united at once and an arc to a
/// ghost is put aside, `(own index, ghost id)`, 8 bytes each; the ghosts put aside are then
/// numbered ([`GhostIndex`], about `6g` bytes for `g` ghosts, and `4` bytes per arc put aside
/// while it sorts them) and their arcs united. Ghosts met only later, on the few arcs read outside
/// the giant, are numbered through a hash map. Every arc is read once. A worker that owns every
/// node puts nothing aside: its loops are the baseline's.
fn local_forest<O: Owned>(ctx: &Context<'_>, sample: bool, owned: O) -> Result<LocalForest> {
    let (me, graph, part) = (ctx.index(), ctx.graph, ctx.partition);
    let own = part.num_local(me);
    let (arcs, ends) = (graph.lists().targets(), graph.lists().offsets());
    let list = |i: usize| {
        let r = owned.row(i);
        &arcs[ends[r] as usize..ends[r + 1] as usize]
    };
    let mut parent = singletons(own);
    let mut aside: Vec<(u32, NodeId)> = Vec::new();
    // Without sampling, an arc between two own nodes of a symmetric graph is read at one end;
    // arcs to ghosts are read from this side whatever the other side does.
    let one_way = !sample && graph.is_symmetric();
    for i in 0..own {
        let list = list(i);
        for &v in if sample { &list[..SAMPLE.min(list.len())] } else { list } {
            match owned.local(v) {
                Some(j) if one_way && (j as usize) < i => {}
                Some(j) => {
                    rem_union(&mut parent, i as NodeId, j);
                }
                None => aside.push((i as u32, v)),
            }
        }
    }
    let index = GhostIndex::build(graph.num_nodes(), || aside.iter().map(|&(_, v)| v))?;
    parent.extend(own as NodeId..(own + index.len()) as NodeId);
    for (i, v) in aside.drain(..) {
        rem_union(&mut parent, i, own as NodeId + index.index(v));
    }
    drop(aside);
    let mut giant = NO_GIANT;
    let mut later: Vec<NodeId> = Vec::new();
    if sample {
        flatten(&mut parent);
        giant = most_frequent(own, |i| parent[i]).unwrap_or(NO_GIANT);
        let mut seen: IdMap<NodeId> = IdMap::default();
        for i in 0..own {
            let list = list(i);
            if parent[i] == giant || list.len() <= SAMPLE {
                continue;
            }
            for &v in &list[SAMPLE..] {
                let j = match owned.local(v) {
                    Some(j) => j,
                    None => match index.get(v) {
                        Some(g) => own as NodeId + g,
                        None => *seen.entry(v).or_insert_with(|| {
                            let j = parent.len() as NodeId;
                            parent.push(j);
                            later.push(v);
                            j
                        }),
                    },
                };
                rem_union(&mut parent, i as NodeId, j);
            }
        }
    }
    flatten(&mut parent);
    let mut ghosts = index.into_ids();
    ghosts.extend(later);
    Ok(LocalForest { parent, ghosts, giant })
}
