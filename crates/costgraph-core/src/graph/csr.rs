//! [`Csr`]: compressed sparse rows, the adjacency every algorithm reads.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::hilbert::Arc as HilbertArc;
use super::{Array, EdgeList, NodeId, Weight};

/// What is known about how a [`Csr`] stores its graph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphProps {
    /// The input's edges are arcs (`u -> v`). When false the graph is undirected.
    pub directed: bool,
    /// Every arc `u -> v` has its reverse `v -> u` (always true for undirected graphs; a self
    /// loop is stored once).
    pub symmetric: bool,
    /// Every adjacency list is sorted by target.
    pub sorted: bool,
    /// No adjacency list holds the same target twice.
    pub deduplicated: bool,
}

/// A graph in compressed sparse row form: the out-neighbours of node `u` are
/// `targets[offsets[u]..offsets[u + 1]]`, with `weights` in the same positions when present.
///
/// The arrays are either owned or borrowed from a memory-mapped `.cgr` file; either way the
/// accessors return plain slices.
#[derive(Debug)]
pub struct Csr {
    offsets: Array<u64>,
    targets: Array<NodeId>,
    weights: Option<Array<Weight>>,
    original_ids: Option<Array<u64>>,
    hilbert: Option<Array<HilbertArc>>,
    props: GraphProps,
}

impl Csr {
    /// Assembles a graph from its arrays and checks that they are consistent
    /// (see [`Csr::validate`]).
    pub fn from_parts(
        offsets: Array<u64>,
        targets: Array<NodeId>,
        weights: Option<Array<Weight>>,
        original_ids: Option<Array<u64>>,
        props: GraphProps,
    ) -> Result<Self, String> {
        let csr = Csr { offsets, targets, weights, original_ids, hilbert: None, props };
        csr.validate()?;
        Ok(csr)
    }

    /// Checks the structure: at least one offset, offsets start at 0, never decrease and end at the
    /// number of targets, node count within `u32`, every target below the node count, one weight
    /// per target when weighted, one original id per node when present. Returns what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.offsets.len().saturating_sub(1);
        check_arrays(
            &self.offsets,
            &self.targets,
            self.weights.as_deref(),
            self.original_ids.as_deref(),
            self.props,
            (0, n),
        )
    }

    /// This graph as the one shard of itself (nodes `0..n` of `n`), sharing its arrays: free for
    /// a mapped graph, a copy for one in memory ([`Array`]'s `Clone`).
    pub fn whole_shard(&self) -> super::Shard {
        super::Shard::assemble(
            0,
            self.num_nodes(),
            self.offsets.clone(),
            self.targets.clone(),
            self.weights.clone(),
            self.original_ids.clone(),
            self.props,
        )
    }

    /// Attaches the arcs in Hilbert-curve order (see [`crate::graph::hilbert`]) after checking
    /// that they are the graph's arcs as far as linear work can tell: one per arc, every endpoint
    /// below the node count, and each node the source of exactly its out-degree of them.
    /// Returns what is wrong.
    pub fn with_hilbert_arcs(mut self, arcs: Array<HilbertArc>) -> Result<Self, String> {
        if arcs.len() as u64 != self.num_arcs() {
            return Err(format!("{} Hilbert-ordered arcs for {} arcs", arcs.len(), self.num_arcs()));
        }
        let n = self.num_nodes();
        if let Some(i) = arcs.par_iter().position_any(|a| a[0] as usize >= n || a[1] as usize >= n) {
            let [u, v] = arcs[i];
            return Err(format!("Hilbert-ordered arc {i} ({u}, {v}) has an endpoint not below the node count {n}"));
        }
        let mut out_degree = vec![0u64; n];
        for a in arcs.iter() {
            out_degree[a[0] as usize] += 1;
        }
        if let Some(u) = (0..n).find(|&u| out_degree[u] != self.degree(u as NodeId) as u64) {
            return Err(format!(
                "node {u} is the source of {} Hilbert-ordered arcs but has out-degree {}",
                out_degree[u],
                self.degree(u as NodeId)
            ));
        }
        self.hilbert = Some(arcs);
        Ok(self)
    }

    /// Computes the Hilbert-curve order of the arcs (in parallel, in memory: see
    /// [`super::hilbert::hilbert_arcs`]) and attaches it.
    pub fn with_hilbert_order(mut self) -> crate::Result<Self> {
        self.hilbert = Some(Array::owned(super::hilbert::hilbert_arcs(&self)?));
        Ok(self)
    }

    /// Hands the pages of a mapped graph back to the page cache ([`Array::release_pages`]), so
    /// that repeated passes over a graph larger than the memory budget do not keep all of it
    /// resident; nothing for a graph in memory.
    pub fn release_mapped_pages(&self) {
        self.offsets.release_pages();
        self.targets.release_pages();
        if let Some(w) = &self.weights {
            w.release_pages();
        }
        if let Some(ids) = &self.original_ids {
            ids.release_pages();
        }
        if let Some(h) = &self.hilbert {
            h.release_pages();
        }
    }

    /// Drops the Hilbert-curve order of the arcs, if any.
    pub fn without_hilbert_arcs(mut self) -> Self {
        self.hilbert = None;
        self
    }

    /// The arcs as `[src, dst]` in Hilbert-curve order, when the graph carries them (a `.cgr`
    /// written with `--order hilbert`, or [`Csr::with_hilbert_order`]).
    pub fn hilbert_arcs(&self) -> Option<&[HilbertArc]> {
        self.hilbert.as_deref()
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of stored arcs (an undirected edge `{u, v}` with `u != v` counts twice).
    pub fn num_arcs(&self) -> u64 {
        self.targets.len() as u64
    }

    /// The offsets array, `num_nodes + 1` entries.
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// The targets array, `num_arcs` entries.
    pub fn targets(&self) -> &[NodeId] {
        &self.targets
    }

    /// The weights array, parallel to [`Csr::targets`], when the graph is weighted.
    pub fn weights(&self) -> Option<&[Weight]> {
        self.weights.as_deref()
    }

    /// The original (input) id of each node, when the input was relabelled to dense ids.
    pub fn original_ids(&self) -> Option<&[u64]> {
        self.original_ids.as_deref()
    }

    /// The input id of node `u`: its original id when relabelled, else `u` itself.
    pub fn original_id(&self, u: NodeId) -> u64 {
        self.original_ids.as_ref().map_or(u as u64, |ids| ids[u as usize])
    }

    /// How the graph is stored.
    pub fn props(&self) -> GraphProps {
        self.props
    }

    /// True when the graph is weighted.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// True when every arc has its reverse, so the CSR is also the undirected view.
    pub fn is_symmetric(&self) -> bool {
        self.props.symmetric
    }

    /// True when the arrays are borrowed from a memory map.
    pub fn is_mapped(&self) -> bool {
        self.offsets.is_mapped()
    }

    /// The range of positions in [`Csr::targets`] holding `u`'s neighbours.
    #[inline]
    pub fn range(&self, u: NodeId) -> std::ops::Range<usize> {
        let u = u as usize;
        self.offsets[u] as usize..self.offsets[u + 1] as usize
    }

    /// Out-degree of `u`.
    #[inline]
    pub fn degree(&self, u: NodeId) -> usize {
        self.range(u).len()
    }

    /// Out-neighbours of `u`.
    #[inline]
    pub fn neighbors(&self, u: NodeId) -> &[NodeId] {
        &self.targets[self.range(u)]
    }

    /// Out-neighbours of `u` with the weight of each arc (1 when unweighted).
    pub fn weighted_neighbors(&self, u: NodeId) -> impl Iterator<Item = (NodeId, Weight)> + '_ {
        weighted_list(&self.targets, self.weights.as_deref(), self.range(u))
    }

    /// Total size of the arrays in bytes (what the graph occupies in memory or in the page cache).
    pub fn size_bytes(&self) -> u64 {
        let n = self.num_nodes() as u64;
        let m = self.num_arcs();
        (n + 1) * 8
            + m * 4
            + if self.is_weighted() { m * 4 } else { 0 }
            + if self.original_ids.is_some() { n * 8 } else { 0 }
            + if self.hilbert.is_some() { m * 8 } else { 0 }
    }

    /// The edges of the graph as an [`EdgeList`]: each arc once for a directed graph, each
    /// undirected edge once (`u <= v`) for an undirected one. Node ids keep their dense values;
    /// the original ids travel along.
    pub fn to_edge_list(&self) -> EdgeList {
        let undirected = !self.props.directed;
        type Lists = (Vec<(NodeId, NodeId)>, Vec<Weight>);
        let per_node: Vec<Lists> = (0..self.num_nodes() as u32)
            .into_par_iter()
            .with_min_len(1024)
            .map(|u| {
                let mut edges = Vec::new();
                let mut weights = Vec::new();
                for (v, w) in self.weighted_neighbors(u) {
                    if !undirected || u <= v {
                        edges.push((u, v));
                        weights.push(w);
                    }
                }
                (edges, weights)
            })
            .collect();
        let total = per_node.iter().map(|(e, _)| e.len()).sum();
        let mut edges = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(if self.is_weighted() { total } else { 0 });
        for (e, w) in per_node {
            edges.extend(e);
            if self.is_weighted() {
                weights.extend(w);
            }
        }
        EdgeList {
            num_nodes: self.num_nodes(),
            edges,
            weights: self.is_weighted().then_some(weights),
            original_ids: self.original_ids.as_ref().map(|ids| ids.to_vec()),
            directed: self.props.directed,
        }
    }
}

/// Checks the arrays of the nodes `first..first + offsets.len() - 1` of a graph of `total` nodes
/// (the whole graph when `first` is 0 and `total` the node count, else a shard): at least one
/// offset, offsets start at 0, never decrease and end at the number of targets, node count within
/// `u32`, one weight per target, one original id per node; then every adjacency list in one
/// parallel pass: targets below `total`, and what the flags promise, since algorithms rely on it:
/// sorted lists (strictly increasing when also deduplicated) and, for a whole graph, symmetry
/// (a shard cannot see the reverses of its arcs). Symmetry is checked by comparing the sums of a
/// strong hash of every arc `(u, v, w)` and of its reverse `(v, u, w)`: equal for a symmetric
/// graph, and different with overwhelming probability otherwise (one pass, no extra memory).
/// Returns what is wrong.
pub(super) fn check_arrays(
    offsets: &[u64],
    targets: &[NodeId],
    weights: Option<&[Weight]>,
    original_ids: Option<&[u64]>,
    props: GraphProps,
    (first, total): (usize, usize),
) -> Result<(), String> {
    let Some(&last) = offsets.last() else {
        return Err("offsets section is empty (it needs num_nodes + 1 entries)".into());
    };
    let n = offsets.len() - 1;
    if total as u64 > super::MAX_NODES {
        return Err(format!("{total} nodes is more than the {} that u32 ids allow", super::MAX_NODES));
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
    if let Some(w) = weights
        && w.len() != targets.len()
    {
        return Err(format!("{} weights for {} targets", w.len(), targets.len()));
    }
    if let Some(ids) = original_ids
        && ids.len() != n
    {
        return Err(format!("{} original ids for {n} nodes", ids.len()));
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
                        let w = weights.map_or(0, |w| w[range.start + j]);
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
    Ok(())
}

/// A 64-bit mix of an arc (SplitMix64's finaliser over its fields), for the symmetry check.
fn arc_hash(u: NodeId, v: NodeId, w: Weight) -> u64 {
    let mut x = ((u as u64) << 32 | v as u64) ^ (w as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The arcs at positions `range` of `targets`, each with its weight in `weights` (1 when the
/// graph is unweighted): one node's weighted list, for [`Csr`] and [`super::Shard`] alike.
pub(super) fn weighted_list<'a>(
    targets: &'a [NodeId],
    weights: Option<&'a [Weight]>,
    range: std::ops::Range<usize>,
) -> impl Iterator<Item = (NodeId, Weight)> + 'a {
    let weights = weights.map(|w| &w[range.clone()]);
    targets[range].iter().enumerate().map(move |(i, &v)| (v, weights.map_or(1, |w| w[i])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(targets: Vec<u32>, weights: Option<Vec<u32>>, props: GraphProps) -> Result<Csr, String> {
        // Three nodes, two arcs each at most: offsets fixed for the cases below.
        let offsets = vec![0u64, 2, 3, 4];
        Csr::from_parts(Array::owned(offsets), Array::owned(targets), weights.map(Array::owned), None, props)
    }

    const SYMMETRIC: GraphProps = GraphProps { directed: false, symmetric: true, sorted: true, deduplicated: true };

    #[test]
    fn flags_are_checked_not_trusted() {
        // 0-1, 0-2 both ways: symmetric, sorted.
        assert!(parts(vec![1, 2, 0, 0], None, SYMMETRIC).is_ok());
        assert!(parts(vec![1, 2, 0, 0], Some(vec![5, 6, 5, 6]), SYMMETRIC).is_ok());
        // The reverse of 0->2 carries another weight.
        let err = parts(vec![1, 2, 0, 0], Some(vec![5, 6, 5, 7]), SYMMETRIC).unwrap_err();
        assert!(err.contains("symmetric"), "{err}");
        // 2->1 has no reverse 1->2.
        let err = parts(vec![1, 2, 0, 1], None, SYMMETRIC).unwrap_err();
        assert!(err.contains("symmetric"), "{err}");
        // Node 0's list is out of order, then duplicated.
        let err = parts(vec![2, 1, 0, 0], None, SYMMETRIC).unwrap_err();
        assert!(err.contains("out of order"), "{err}");
        let err = parts(vec![1, 1, 0, 0], None, GraphProps { symmetric: false, ..SYMMETRIC }).unwrap_err();
        assert!(err.contains("duplicate"), "{err}");
        // Without the flags the same lists are fine.
        let loose = GraphProps { directed: true, symmetric: false, sorted: false, deduplicated: false };
        assert!(parts(vec![2, 1, 0, 1], None, loose).is_ok());
        let err = parts(vec![1, 3, 0, 0], None, loose).unwrap_err();
        assert!(err.contains("not below the node count"), "{err}");
    }
}
