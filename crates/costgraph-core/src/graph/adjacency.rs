//! [`Adjacency`]: the adjacency lists of a run of nodes — offsets, targets and optional weights —
//! the one storage that both a whole graph ([`Csr`](super::Csr)) and a part of one
//! ([`Shard`](super::Shard)) hold, owned or mapped; and the one check of such lists
//! ([`check_lists`]) that both run before anything reads them.

use std::ops::Range;

use rayon::prelude::*;

use super::{Array, GraphProps, MAX_NODES, NodeId, Weight};

/// The out-arcs of `k` nodes numbered `0..k` here: node `i`'s targets are
/// `targets[offsets[i]..offsets[i + 1]]`, with `weights` in the same positions when present.
/// Indices passed to its accessors are positions in this run of nodes (the node ids themselves
/// for a whole graph); a position outside `0..k` panics.
#[derive(Debug, Clone)]
pub struct Adjacency {
    offsets: Array<u64>,
    targets: Array<NodeId>,
    weights: Option<Array<Weight>>,
}

impl Adjacency {
    /// Assembles lists from arrays the caller has checked with [`check_lists`].
    pub(super) fn assemble(offsets: Array<u64>, targets: Array<NodeId>, weights: Option<Array<Weight>>) -> Self {
        Adjacency { offsets, targets, weights }
    }

    /// The same lists without weights.
    pub(super) fn without_weights(mut self) -> Self {
        self.weights = None;
        self
    }

    /// Number of lists (nodes).
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when there are no lists.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of arcs, over all lists.
    pub fn num_arcs(&self) -> u64 {
        self.targets.len() as u64
    }

    /// The offsets, `len() + 1` entries from 0.
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// The targets of every arc, list after list.
    pub fn targets(&self) -> &[NodeId] {
        &self.targets
    }

    /// The weights, parallel to [`Adjacency::targets`], when the graph is weighted.
    pub fn weights(&self) -> Option<&[Weight]> {
        self.weights.as_deref()
    }

    /// True when the arcs carry weights.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// True when the arrays are borrowed from a memory map.
    pub fn is_mapped(&self) -> bool {
        self.offsets.is_mapped()
    }

    /// The positions in [`Adjacency::targets`] of list `i`.
    #[inline]
    pub fn range(&self, i: NodeId) -> Range<usize> {
        let i = i as usize;
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }

    /// Length of list `i` (the node's out-degree).
    #[inline]
    pub fn degree(&self, i: NodeId) -> usize {
        self.range(i).len()
    }

    /// List `i`: the node's out-neighbours.
    #[inline]
    pub fn neighbors(&self, i: NodeId) -> &[NodeId] {
        &self.targets[self.range(i)]
    }

    /// List `i` with the weight of each arc (1 when unweighted).
    pub fn weighted_neighbors(&self, i: NodeId) -> impl Iterator<Item = (NodeId, Weight)> + '_ {
        let range = self.range(i);
        let weights = self.weights.as_deref().map(|w| &w[range.clone()]);
        self.targets[range].iter().enumerate().map(move |(j, &v)| (v, weights.map_or(1, |w| w[j])))
    }

    /// Hands the pages of mapped arrays back to the page cache ([`Array::release_pages`]);
    /// nothing for arrays in memory.
    pub fn release_pages(&self) {
        self.offsets.release_pages();
        self.release_arcs(0..self.len() as NodeId);
    }

    /// Hands back the pages holding the arcs (targets and weights) of lists `lists` only, when
    /// mapped ([`Array::release_range`]): a worker hands back the part of a shared map it has read.
    pub fn release_arcs(&self, lists: Range<NodeId>) {
        if lists.is_empty() {
            return;
        }
        let arcs = self.range(lists.start).start..self.range(lists.end - 1).end;
        self.targets.release_range(arcs.clone());
        if let Some(w) = &self.weights {
            w.release_range(arcs);
        }
    }

    /// Bytes of the arrays (what they occupy in memory or in the page cache).
    pub fn size_bytes(&self) -> u64 {
        let (k, m) = (self.len() as u64, self.num_arcs());
        (k + 1) * 8 + m * 4 + if self.is_weighted() { m * 4 } else { 0 }
    }
}

/// Checks the lists of the nodes `first..first + offsets.len() - 1` of a graph of `total` nodes
/// (the whole graph when `first` is 0 and `total` the node count, else a shard): at least one
/// offset, offsets start at 0, never decrease and end at the number of targets, node count within
/// `u32`, one weight per target; then every list in one parallel pass: targets below `total`, and
/// what the flags promise, since algorithms rely on it: sorted lists (strictly increasing when
/// also deduplicated) and, for a whole graph, symmetry (a shard cannot see the reverses of its
/// arcs). Symmetry is checked by comparing the sums of a strong hash of every arc `(u, v, w)` and
/// of its reverse `(v, u, w)`: equal for a symmetric graph, and different with overwhelming
/// probability otherwise (one pass, no extra memory). Returns the lists, or what is wrong.
pub fn check_lists(
    offsets: Array<u64>,
    targets: Array<NodeId>,
    weights: Option<Array<Weight>>,
    props: GraphProps,
    (first, total): (usize, usize),
) -> Result<Adjacency, String> {
    let Some(&last) = offsets.last() else {
        return Err("offsets section is empty (it needs num_nodes + 1 entries)".into());
    };
    let n = offsets.len() - 1;
    if total as u64 > MAX_NODES {
        return Err(format!("{total} nodes is more than the {MAX_NODES} that u32 ids allow"));
    }
    if offsets[0] != 0 {
        return Err(format!("offsets must start at 0, found {}", offsets[0]));
    }
    if last != targets.len() as u64 {
        return Err(format!("offsets end at {last} but there are {} targets", targets.len()));
    }
    if let Some(i) = offsets.par_windows(2).position_any(|w| w[0] > w[1]) {
        return Err(format!(
            "offsets are not monotone: offsets[{i}] = {} > offsets[{}] = {}",
            offsets[i],
            i + 1,
            offsets[i + 1]
        ));
    }
    if let Some(w) = &weights
        && w.len() != targets.len()
    {
        return Err(format!("{} weights for {} targets", w.len(), targets.len()));
    }
    let whole = first == 0 && n == total;
    let (forward, backward) = (0..n)
        .into_par_iter()
        .with_min_len(4096)
        .try_fold(
            || (0u64, 0u64),
            |(mut forward, mut backward), i| {
                let u = (first + i) as NodeId;
                let range = offsets[i] as usize..offsets[i + 1] as usize;
                let list = &targets[range.clone()];
                for (j, &v) in list.iter().enumerate() {
                    if v as usize >= total {
                        return Err(format!("node {u} has target {v}, not below the node count {total}"));
                    }
                    if props.sorted && j > 0 && (list[j - 1] > v || (props.deduplicated && list[j - 1] == v)) {
                        let what = if list[j - 1] == v { "a duplicate" } else { "out of order" };
                        return Err(format!(
                            "the header says sorted{} but node {u}'s neighbour {v} is {what}",
                            if props.deduplicated { " and deduplicated" } else { "" }
                        ));
                    }
                    if whole && props.symmetric {
                        let w = weights.as_deref().map_or(0, |w| w[range.start + j]);
                        forward = forward.wrapping_add(arc_hash(u, v, w));
                        backward = backward.wrapping_add(arc_hash(v, u, w));
                    }
                }
                Ok((forward, backward))
            },
        )
        .try_reduce(|| (0, 0), |a, b| Ok((a.0.wrapping_add(b.0), a.1.wrapping_add(b.1))))?;
    if forward != backward {
        return Err("the header says symmetric but some arc has no reverse (or a reverse with another weight)".into());
    }
    Ok(Adjacency::assemble(offsets, targets, weights))
}

/// Checks that `original_ids`, when present, hold one id per node of `lists`.
pub(super) fn check_original_ids(lists: &Adjacency, original_ids: Option<&[u64]>) -> Result<(), String> {
    match original_ids {
        Some(ids) if ids.len() != lists.len() => Err(format!("{} original ids for {} nodes", ids.len(), lists.len())),
        _ => Ok(()),
    }
}

/// Checks that `in_lists` (already checked as lists: offsets, sources below `n`, sorted) are the
/// in-arcs of `out`: as many nodes and arcs, and the same arcs: the sums of a strong hash of
/// every arc `(u, v)` over the out-lists and over the in-lists are equal (O(n + m) work, in
/// parallel, no extra memory). Returns what is wrong.
pub fn check_reversed(out: &Adjacency, in_lists: &Adjacency) -> Result<(), String> {
    if in_lists.len() != out.len() {
        return Err(format!("the transpose has {} nodes, the graph {}", in_lists.len(), out.len()));
    }
    if in_lists.targets().len() != out.targets().len() {
        return Err(format!("the transpose has {} in-arcs for {} arcs", in_lists.targets().len(), out.targets().len()));
    }
    let sum = |lists: &Adjacency, arc: fn(NodeId, NodeId) -> (NodeId, NodeId)| {
        (0..lists.len() as NodeId)
            .into_par_iter()
            .with_min_len(4096)
            .map(|u| {
                lists.neighbors(u).iter().fold(0u64, |h, &v| {
                    let (a, b) = arc(u, v);
                    h.wrapping_add(arc_hash(a, b, 0))
                })
            })
            .reduce(|| 0, u64::wrapping_add)
    };
    if sum(out, |u, v| (u, v)) != sum(in_lists, |v, u| (u, v)) {
        return Err("the transpose section does not hold the graph's arcs reversed".into());
    }
    Ok(())
}

/// A 64-bit mix of an arc (SplitMix64's finaliser over its fields), for the symmetry check.
fn arc_hash(u: NodeId, v: NodeId, w: Weight) -> u64 {
    let mut x = ((u as u64) << 32 | v as u64) ^ (w as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
