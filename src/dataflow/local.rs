//! [`Local`]: one worker's graph in its own numbering, so that its state is arrays over its own
//! nodes and the *ghosts* (the other workers' nodes its arcs reach), never over all `n` nodes.
//!
//! Own node `i` (the `i`-th node the worker owns, [`Partition::global`]) is local index `i`; the
//! ghosts, sorted by id, follow as `own + g`. The adjacency of each own node is stored with local
//! indices (4 bytes per arc), built from the worker's lists in the [`Shard`] (and any extra lists,
//! such as the in-arcs of a directed graph) in two passes: one marks the ghosts in a bitmap over
//! the ids, one translates every target (a ghost's index is its rank among the marked bits: a
//! prefix count per 64-bit word plus one popcount). The bitmap and its ranks, `3n/16` bytes,
//! live only while the graph is built; what stays is `O(own + ghosts + arcs)`. Where the worker's
//! nodes are one range of a mapped file, their arcs' pages are handed back to the page cache a
//! block at a time as each pass finishes with them, so the worker's resident memory is its
//! translated lists, not also its part of the file. Time `O(m_w + n/64)`, memory
//! `8 (own + 1) + 4 m_w + 4 g` bytes for `m_w` arcs and `g` ghosts. A lone worker of a symmetric
//! graph reads the graph's own arrays instead (nothing to translate: building them cost
//! `timely-label-prop` 0.8 s on Kronecker 22, 1.65× its compute).

use std::borrow::Cow;

use super::Partition;
use crate::graph::{NodeId, Shard};
use crate::{Error, Result};

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
        let share = part.share(me);
        let own = part.num_local(me);
        if part.peers() == 1 && own == graph.num_nodes() && (0..own).all(|i| extra(i).is_empty()) {
            // The whole graph, in its own numbering (one worker owns node `i` as index `i`).
            let (offsets, targets) = (Cow::Borrowed(graph.offsets()), Cow::Borrowed(graph.targets()));
            return Ok(Local { own, ghosts: Vec::new(), offsets, targets });
        }
        let list = |i: usize| graph.neighbors(part.global(me, i)).iter().chain(extra(i));
        let release = |block: std::ops::Range<usize>| {
            if let Some(range) = part.range(me)
                && !block.is_empty()
            {
                graph.release_arcs((range.start + block.start) as NodeId..(range.start + block.end) as NodeId);
            }
        };
        // Pass 1: degrees, and the ghosts as bits of a bitmap over the ids.
        let mut offsets = try_vec(own + 1, "offsets")?;
        offsets.push(0u64);
        let mut marks = GhostMarks::new(graph.num_nodes())?;
        for start in (0..own).step_by(BLOCK) {
            let block = start..(start + BLOCK).min(own);
            for i in block.clone() {
                let mut degree = 0;
                for &v in list(i) {
                    degree += 1;
                    if share.local(v).is_none() {
                        marks.mark(v);
                    }
                }
                offsets.push(offsets[i] + degree);
            }
            release(block);
        }
        let ghosts = marks.rank()?;
        // Pass 2: every target in local indices.
        let mut targets = try_vec(offsets[own] as usize, "targets")?;
        for start in (0..own).step_by(BLOCK) {
            let block = start..(start + BLOCK).min(own);
            for i in block.clone() {
                targets.extend(list(i).map(|&v| match share.local(v) {
                    Some(j) => j as u32,
                    None => own as u32 + marks.index(v),
                }));
            }
            release(block);
        }
        Ok(Local { own, ghosts, offsets: Cow::Owned(offsets), targets: Cow::Owned(targets) })
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

/// A set of ghosts as bits of a bitmap over the ids, and, once [`GhostMarks::rank`] has run, each
/// marked id's rank among them (a prefix count per 64-bit word plus one popcount): `3n/16` bytes
/// for `n` ids, meant to live only while a worker numbers its ghosts.
pub(crate) struct GhostMarks {
    bits: Vec<u64>,
    ranks: Vec<u32>,
}

impl GhostMarks {
    /// No id marked, for ids `0..n`.
    pub(crate) fn new(n: usize) -> Result<GhostMarks> {
        let bits = crate::graph::budget::try_zeroed(n.div_ceil(64), "the ghost bitmap")?;
        Ok(GhostMarks { bits, ranks: Vec::new() })
    }

    /// Marks `v`.
    #[inline]
    pub(crate) fn mark(&mut self, v: NodeId) {
        self.bits[v as usize / 64] |= 1 << (v % 64);
    }

    /// Whether `v` is marked.
    #[inline]
    pub(crate) fn contains(&self, v: NodeId) -> bool {
        self.bits[v as usize / 64] & (1 << (v % 64)) != 0
    }

    /// Counts the marks before each word; returns the marked ids in increasing order.
    pub(crate) fn rank(&mut self) -> Result<Vec<NodeId>> {
        self.ranks = crate::graph::budget::try_zeroed(self.bits.len(), "the ghost bitmap")?;
        let mut count = 0u32;
        for (rank, &word) in self.ranks.iter_mut().zip(&self.bits) {
            *rank = count;
            count += word.count_ones();
        }
        let mut ghosts = try_vec(count as usize, "ghosts")?;
        for (w, &word) in self.bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                ghosts.push((w * 64) as NodeId + word.trailing_zeros());
                word &= word - 1;
            }
        }
        Ok(ghosts)
    }

    /// The rank of the marked id `v` among the marked ids (after [`GhostMarks::rank`]).
    #[inline]
    pub(crate) fn index(&self, v: NodeId) -> u32 {
        let (w, b) = (v as usize / 64, v % 64);
        self.ranks[w] + (self.bits[w] & ((1u64 << b) - 1)).count_ones()
    }
}

fn try_vec<T>(capacity: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| oom(what))?;
    Ok(v)
}

fn oom(what: &str) -> Error {
    Error::invalid(format!("out of memory for a worker's local graph ({what})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::Strategy;
    use crate::graph::{BuildOptions, Csr, EdgeList};

    #[test]
    fn own_nodes_then_sorted_ghosts() {
        let edges = vec![(0, 5), (1, 2), (2, 7), (3, 4), (4, 5), (6, 7), (0, 7)];
        let csr = Csr::from_edges(&EdgeList::new(8, edges, false), BuildOptions::undirected());
        let shard = csr.whole_shard();
        for strategy in [Strategy::Balanced, Strategy::Modulo] {
            let part = Partition::new(&csr, 2, strategy);
            for me in 0..2 {
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
