//! `timely-union-find`: connected components by local union-find on each worker's edges, then a
//! tree of merges.
//!
//! Each worker runs the sequential baseline's union-find ([`crate::algo::cc::union_find`]: Rem's
//! algorithm with splicing, union by index) over the arcs of the nodes it owns, `O(m/W · α)`,
//! into a parent array over all nodes whose roots are the smallest id of their set. On a
//! symmetric graph it also uses the baseline's Afforest neighbour sampling: union every owned
//! node with its first [`SAMPLE`] neighbours, guess the largest set (the *giant*) by sampling,
//! then read the remaining arcs only of owned nodes outside it.
//!
//! The forests are then merged pairwise in `⌈log₂ W⌉` levels: at level `k`, worker `i` with
//! `i mod 2^(k+1) = 2^k` sends its parent array (in chunks, [`Channel::round_slices`](super::Channel::round_slices))
//! to worker `i - 2^k`, which unions every `(node, root)` into its own. The merges of
//! a level run in parallel, so the merge never funnels every forest through worker 0. Worker 0's
//! final roots are the canonical labels. (The "union-find" of McSherry, Isard, Murray, HotOS
//! 2015, distributed as in their follow-up posts.)
//!
//! Skipping the giant's arcs is sound on one worker because every skipped arc's reverse is read
//! at its other end unless that end is in the giant too. Across workers the two ends may lie in
//! the giants of two workers, so worker 0 checks after the merge that all workers' giants ended up
//! in one component. When they did, every skipped arc joins two nodes already connected; when
//! they did not (possible only on graphs without a dominant component), every worker runs again
//! over all its arcs, without sampling.

use super::{Chunk, Context};
use crate::Result;
use crate::algo::cc::Components;
use crate::algo::cc::dsu::{flatten, most_frequent, rem_union, singletons};
use crate::algo::cc::union_find::SAMPLE;
use crate::graph::NodeId;
use crate::registry::Output;

/// No giant: the worker read all its arcs.
const NO_GIANT: NodeId = NodeId::MAX;

/// Runs union-find-and-merge on this worker; worker 0 returns the components.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Output>> {
    let me = ctx.index();
    let mut giants = ctx.channel::<(u32, NodeId)>();
    let mut control = ctx.channel::<u64>();
    let mut parent = singletons(ctx.graph.num_nodes());
    let giant = local_forest(ctx, &mut parent, ctx.graph.is_symmetric());
    let giants = giants.all_gather(ctx.worker, giant)?;
    ctx.rounds += 1;
    merge(ctx, &mut parent)?;
    // Worker 0 holds every forest: were all the giants joined?
    let mut roots = giants.iter().filter(|&&g| g != NO_GIANT).map(|&g| parent[g as usize]);
    let apart = me == 0 && roots.next().is_some_and(|first| roots.any(|r| r != first));
    if control.sum(ctx.worker, apart as u64)? > 0 {
        parent = singletons(ctx.graph.num_nodes());
        local_forest(ctx, &mut parent, false);
        merge(ctx, &mut parent)?;
    }
    Ok((me == 0).then(|| Output::Components(Components::from_canonical(parent))))
}

/// Unions the arcs of this worker's nodes into `parent` (with Afforest sampling and skipping
/// when `sample`, on a symmetric graph), then flattens it. Returns the giant, or [`NO_GIANT`].
fn local_forest(ctx: &Context<'_>, parent: &mut [NodeId], sample: bool) -> NodeId {
    let (me, graph, part) = (ctx.index(), ctx.graph, ctx.partition);
    let targets = graph.targets();
    let arcs = |u: NodeId| graph.range(u);
    let mut giant = NO_GIANT;
    let mut skip = 0;
    if sample {
        for u in part.nodes(me) {
            let range = arcs(u);
            for &v in &targets[range.start..range.end.min(range.start + SAMPLE)] {
                rem_union(parent, u, v);
            }
        }
        flatten(parent);
        giant = most_frequent(parent.len(), |i| parent[i]).unwrap_or(NO_GIANT);
        skip = SAMPLE;
    }
    // A symmetric file holds every edge twice; without sampling one direction suffices.
    let one_way = graph.is_symmetric() && !sample;
    for u in part.nodes(me) {
        if sample && parent[u as usize] == giant {
            continue;
        }
        let range = arcs(u);
        for &v in &targets[(range.start + skip).min(range.end)..range.end] {
            if !one_way || u < v {
                rem_union(parent, u, v);
            }
        }
    }
    flatten(parent);
    giant
}

/// The tree of merges: afterwards worker 0's `parent` is the flattened forest of every worker's
/// arcs (the other workers' arrays are left partly merged).
fn merge(ctx: &mut Context<'_>, parent: &mut [NodeId]) -> Result<()> {
    let (me, peers) = (ctx.index(), ctx.peers());
    let mut channel = ctx.channel::<Chunk<NodeId>>();
    let mut step = 1;
    while step < peers {
        let sending = me % (2 * step) == step;
        let outgoing = sending.then_some((me.wrapping_sub(step), &parent[..]));
        let mut received = Vec::new();
        channel.round_slices(ctx.worker, outgoing, |_, first, chunk| received.push((first as NodeId, chunk)))?;
        ctx.rounds += 1;
        for (first, chunk) in received {
            for (x, p) in (first..).zip(chunk) {
                if p != x {
                    rem_union(parent, x, p);
                }
            }
        }
        step *= 2;
    }
    if me == 0 {
        flatten(parent);
    }
    Ok(())
}
