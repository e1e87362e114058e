//! [`Local`]: one worker's graph in its own numbering, so that its state is arrays over its own
//! nodes and the *ghosts* (the other workers' nodes its arcs reach), never over all `n` nodes.
//!
//! Own node `i` (the `i`-th node the worker owns, [`Partition::global`]) is local index `i`; the
//! ghosts, sorted by id, follow as `own + g`. The adjacency of each own node is stored with local
//! indices (4 bytes per arc), built from the worker's lists in the [`Shard`] (and any extra lists,
//! such as the in-arcs of a directed graph) in three passes over them: one counts the ghost arcs
//! (and marks them, when a bitmap may be the cheaper lookup), one takes them again when needed,
//! and one translates every target, a ghost's index coming from a `GhostIndex`: the distinct
//! ghosts sorted without comparing them all, and a lookup whose memory is bounded by what the
//! worker met — a bitmap over the ids with ranks (`3n/16` bytes) only when that is at most 6 bytes
//! per ghost arc, otherwise a directory of about one entry per two ghosts. The index lives only
//! while the graph is built; what stays is `O(own + ghosts + arcs)`. Where the worker's nodes are
//! one range of a mapped file, their arcs' pages are handed back to the page cache a block at a
//! time as each pass finishes with them, so the worker's resident memory is its translated lists,
//! not also its part of the file. Time `O(m_w + g + n / 2^21)` (dense: `O(m_w + n/64)` with
//! `n/64 <= m_w`), memory `8 (own + 1) + 4 m_w + 4 g` bytes for `m_w` arcs and `g` ghosts, and
//! while it is built at most `6c` more for `c` arcs to ghosts. A lone worker of a symmetric graph
//! reads the graph's own arrays instead (nothing to translate, and translating them would cost
//! a pass over every arc: more than `timely-label-prop`'s compute on a power-law graph).
//!
//! The hot loops over a worker's lists (here and in `timely-union-find`) are generic over
//! `Owned`, one partition strategy's answer to "where is own node `i`'s list, and is `v` mine?",
//! so that each is compiled once per strategy instead of branching on it at every arc.

use std::borrow::Cow;

use super::Partition;
use super::ghost_index::GhostCount;
use super::owned::{Owned, Owners};
use crate::Result;
use crate::graph::budget::try_vec;
use crate::graph::{NodeId, Shard};

/// Own nodes whose pages are handed back together.
const BLOCK: usize = 1 << 14;

/// A worker's own nodes' adjacency in local indices, and its ghosts. A worker that owns every
/// node and has no extra lists reads the graph's own arrays (its numbering is the graph's):
/// nothing is translated or copied.
pub struct Local<'a> {
    own: usize,
    ghosts: Vec<NodeId>,
    offsets: Cow<'a, [u64]>,
    targets: Cow<'a, [u32]>,
}

impl<'a> Local<'a> {
    /// Builds worker `me`'s local graph: own node `i`'s list is its out-arcs in `graph` followed by
    /// `extra(i)` (ids of the whole graph).
    pub fn new<'e, E>(graph: &'a Shard, part: &Partition, me: usize, extra: E) -> Result<Local<'a>>
    where
        E: Fn(usize) -> &'e [NodeId],
    {
        let own = part.num_local(me);
        if part.peers() == 1 && own == graph.num_nodes() && (0..own).all(|i| extra(i).is_empty()) {
            // The whole graph, in its own numbering (one worker owns node `i` as index `i`).
            let (offsets, targets) = (Cow::Borrowed(graph.lists().offsets()), Cow::Borrowed(graph.lists().targets()));
            return Ok(Local { own, ghosts: Vec::new(), offsets, targets });
        }
        match Owners::of(graph, part, me) {
            Owners::Range(owned) => Local::build(graph, part, me, owned, extra),
            Owners::Strided(owned) => Local::build(graph, part, me, owned, extra),
        }
    }

    fn build<'e, E, O>(graph: &'a Shard, part: &Partition, me: usize, owned: O, extra: E) -> Result<Local<'a>>
    where
        E: Fn(usize) -> &'e [NodeId],
        O: Owned,
    {
        let own = part.num_local(me);
        let (arcs, ends) = (graph.lists().targets(), graph.lists().offsets());
        let list = |i: usize| {
            let r = owned.row(i);
            &arcs[ends[r] as usize..ends[r + 1] as usize]
        };
        let release = |block: &std::ops::Range<usize>| {
            if let Some(range) = part.range(me)
                && !block.is_empty()
            {
                graph.release_arcs((range.start + block.start) as NodeId..(range.start + block.end) as NodeId);
            }
        };
        // Pass 1: the offsets, and the ghosts counted (and marked, when they may be dense).
        let mut offsets = try_vec(own + 1, "offsets")?;
        offsets.push(0u64);
        for i in 0..own {
            offsets.push(offsets[i] + list(i).len() as u64 + extra(i).len() as u64);
        }
        let ghosts_of = |i: usize| list(i).iter().chain(extra(i)).copied().filter(|&v| owned.local(v).is_none());
        let mut count = GhostCount::marking(graph.num_nodes(), offsets[own] as usize)?;
        in_blocks(own, release, |i| ghosts_of(i).for_each(|v| count.add(v)));
        // Pass 2: the ghosts taken again, unless they were marked, and numbered.
        let mut fill = count.fill()?;
        if !fill.is_filled() {
            in_blocks(own, release, |i| ghosts_of(i).for_each(|v| fill.add(v)));
        }
        let index = fill.finish()?;
        // Pass 3: every target in local indices.
        let mut targets = try_vec(offsets[own] as usize, "targets")?;
        let first = own as u32;
        in_blocks(own, release, |i| {
            targets.extend(
                list(i).iter().chain(extra(i)).map(|&v| owned.local(v).unwrap_or_else(|| first + index.index(v))),
            )
        });
        Ok(Local { own, ghosts: index.into_ids(), offsets: Cow::Owned(offsets), targets: Cow::Owned(targets) })
    }

    /// Number of own nodes.
    pub fn own(&self) -> usize {
        self.own
    }

    /// Number of own nodes and ghosts: the length of a per-node state array.
    pub fn len(&self) -> usize {
        self.own + self.ghosts.len()
    }

    /// True when the worker has no nodes and reaches none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ghosts' ids in the whole graph, sorted: ghost `g` is local index `own + g`.
    pub fn ghosts(&self) -> &[NodeId] {
        &self.ghosts
    }

    /// The local indices of own node `i`'s neighbours.
    #[inline]
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Calls `visit(i)` for every own node `i` of `0..own`, a block of [`BLOCK`] nodes at a time, and
/// `release` after each block (its arcs' pages go back to the page cache).
fn in_blocks(own: usize, release: impl Fn(&std::ops::Range<usize>), mut visit: impl FnMut(usize)) {
    for start in (0..own).step_by(BLOCK) {
        let block = start..(start + BLOCK).min(own);
        block.clone().for_each(&mut visit);
        release(&block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::Strategy;
    use crate::generate::Rng;
    use crate::graph::{BuildOptions, Csr, EdgeList};

    /// Checks every worker's local graph of `csr` against the graph, for both strategies.
    fn check_local(csr: &Csr, workers: usize) {
        let shard = csr.whole_shard();
        for strategy in [Strategy::Balanced, Strategy::Modulo] {
            let part = Partition::new(csr, workers, strategy);
            for me in 0..workers {
                let local = Local::new(&shard, &part, me, |_| &[]).unwrap();
                assert_eq!(local.own(), part.num_local(me));
                assert!(local.ghosts().windows(2).all(|w| w[0] < w[1]));
                let global = |j: u32| {
                    let j = j as usize;
                    if j < local.own() { part.global(me, j) } else { local.ghosts()[j - local.own()] }
                };
                for (i, u) in part.nodes(me).enumerate() {
                    let got: Vec<NodeId> = local.neighbors(i).iter().map(|&j| global(j)).collect();
                    assert_eq!(got, csr.neighbors(u), "{strategy:?} worker {me} node {u}");
                }
                for &g in local.ghosts() {
                    assert_ne!(part.owner(g), me);
                }
            }
        }
    }

    #[test]
    fn own_nodes_then_sorted_ghosts() {
        let edges = vec![(0, 5), (1, 2), (2, 7), (3, 4), (4, 5), (6, 7), (0, 7)];
        check_local(&Csr::from_edges(&EdgeList::new(8, edges, false), BuildOptions::undirected()), 2);
        // A long path with a few long arcs: balanced ranges meet few ghosts (a sparse index),
        // modulo ones meet a ghost at every arc (a dense one).
        let n = 200_000;
        let mut rng = Rng::new(3);
        let mut edges: Vec<(NodeId, NodeId)> = (0..n - 1).map(|u| (u, u + 1)).collect();
        edges.extend((0..20).map(|_| (rng.below(n as u64) as NodeId, rng.below(n as u64) as NodeId)));
        check_local(&Csr::from_edges(&EdgeList::new(n as usize, edges, false), BuildOptions::undirected()), 3);
    }

    /// Checks the index of `met` (ids below `n`) against a `BTreeSet`: the sorted distinct ids,
    /// every ghost's number, and `get` of the ghosts and of `probes` other ids.
    #[test]
    fn one_worker_reads_the_graph_itself_unless_it_has_extra_lists() {
        let edges = vec![(0, 5), (1, 2), (2, 7), (3, 4), (4, 5), (6, 7), (0, 7)];
        let csr = Csr::from_edges(&EdgeList::new(8, edges, false), BuildOptions::undirected());
        let shard = csr.whole_shard();
        let part = Partition::new(&csr, 1, Strategy::Balanced);
        let local = Local::new(&shard, &part, 0, |_| &[]).unwrap();
        assert!(matches!(local.targets, Cow::Borrowed(_)) && local.ghosts().is_empty());
        for u in 0..8 {
            assert_eq!(local.neighbors(u as usize), csr.neighbors(u));
        }
        // Extra lists (a directed graph's in-arcs) need the lists built.
        let extra = [3u32];
        let local = Local::new(&shard, &part, 0, |i| if i == 1 { &extra[..] } else { &[] }).unwrap();
        assert!(matches!(local.targets, Cow::Owned(_)));
        assert_eq!(local.neighbors(1), [2, 3]);
    }
}
