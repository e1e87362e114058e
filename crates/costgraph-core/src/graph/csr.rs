//! [`Csr`]: compressed sparse rows, the whole graph every algorithm reads: its out-lists
//! ([`Adjacency`], which a `Csr` dereferences to, so `csr.neighbors(u)` reads node `u`'s list),
//! the original ids of a relabelled input, the storage flags and, optionally, the arcs in
//! Hilbert-curve order and the in-arcs (transpose) of a directed graph.

use std::ops::Deref;

use rayon::prelude::*;

use super::adjacency::{Adjacency, check_lists, check_original_ids, check_reversed};
use super::{ArcPair, Array, EdgeList, GraphProps, NodeId, Shard, Weight};

/// A graph in compressed sparse row form: the out-neighbours of node `u` are
/// `targets[offsets[u]..offsets[u + 1]]`, with `weights` in the same positions when present
/// (the [`Adjacency`] it dereferences to).
///
/// The arrays are either owned or borrowed from a memory-mapped `.cgr` file; either way the
/// accessors return plain slices.
#[derive(Debug)]
pub struct Csr {
    lists: Adjacency,
    original_ids: Option<Array<u64>>,
    hilbert: Option<Array<ArcPair>>,
    transpose: Option<Adjacency>,
    props: GraphProps,
}

impl Deref for Csr {
    type Target = Adjacency;

    fn deref(&self) -> &Adjacency {
        &self.lists
    }
}

impl Csr {
    /// Assembles a graph from its arrays after checking that they are consistent and that the
    /// flags hold ([`check_lists`]: offsets, targets below the node count, sorted, symmetric; one
    /// original id per node). Returns what is wrong.
    pub fn from_parts(
        offsets: Array<u64>,
        targets: Array<NodeId>,
        weights: Option<Array<Weight>>,
        original_ids: Option<Array<u64>>,
        props: GraphProps,
    ) -> Result<Self, String> {
        let n = offsets.len().saturating_sub(1);
        let lists = check_lists(offsets, targets, weights, props, (0, n))?;
        check_original_ids(&lists, original_ids.as_deref())?;
        Ok(Csr { lists, original_ids, hilbert: None, transpose: None, props })
    }

    /// This graph as the one shard of itself (nodes `0..n` of `n`), sharing its arrays: free for
    /// a mapped graph, a copy for one in memory ([`Array`]'s `Clone`).
    pub fn whole_shard(&self) -> Shard {
        Shard::assemble(0, self.num_nodes(), self.lists.clone(), self.original_ids.clone(), self.props)
    }

    /// Attaches the arcs in Hilbert-curve order (see [`crate::graph::hilbert`]) after checking
    /// that they are the graph's arcs as far as linear work can tell: one per arc, every endpoint
    /// below the node count, and each node the source of exactly its out-degree of them.
    /// Returns what is wrong.
    pub fn with_hilbert_arcs(mut self, arcs: Array<ArcPair>) -> Result<Self, String> {
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

    /// Attaches the in-arcs of a directed graph (its transpose: `offsets` over the nodes, the
    /// `sources` of each node's in-arcs in increasing order) after checking them
    /// ([`check_lists`] and [`super::adjacency::check_reversed`]): O(n + m) work. Returns what is wrong.
    pub fn with_transpose(mut self, offsets: Array<u64>, sources: Array<NodeId>) -> Result<Self, String> {
        let props =
            GraphProps { directed: true, symmetric: false, sorted: true, deduplicated: self.props.deduplicated };
        let n = self.num_nodes();
        let in_lists = check_lists(offsets, sources, None, props, (0, n)).map_err(|e| format!("transpose: {e}"))?;
        check_reversed(&self.lists, &in_lists)?;
        self.transpose = Some(in_lists);
        Ok(self)
    }

    /// The in-arcs, when the graph carries them (a `.cgr` written with `--with-transpose`, or
    /// [`Csr::with_transpose`]): node `v`'s in-neighbours are `transpose().neighbors(v)`.
    pub fn transpose(&self) -> Option<&Adjacency> {
        self.transpose.as_ref()
    }

    /// Drops the stored transpose, if any.
    pub fn without_transpose(mut self) -> Self {
        self.transpose = None;
        self
    }

    /// Hands the pages of a mapped graph back to the page cache ([`Array::release_pages`]), so
    /// that repeated passes over a graph larger than the memory budget do not keep all of it
    /// resident; nothing for a graph in memory.
    pub fn release_mapped_pages(&self) {
        self.lists.release_pages();
        if let Some(ids) = &self.original_ids {
            ids.release_pages();
        }
        if let Some(h) = &self.hilbert {
            h.release_pages();
        }
        if let Some(t) = &self.transpose {
            t.release_pages();
        }
    }

    /// Drops the weights, if any (the lists and ids stay as they are).
    pub fn without_weights(mut self) -> Self {
        self.lists = self.lists.without_weights();
        self
    }

    /// Drops the Hilbert-curve order of the arcs, if any.
    pub fn without_hilbert_arcs(mut self) -> Self {
        self.hilbert = None;
        self
    }

    /// The arcs as `[src, dst]` in Hilbert-curve order, when the graph carries them (a `.cgr`
    /// written with `--order hilbert`, or [`Csr::with_hilbert_arcs`]).
    pub fn hilbert_arcs(&self) -> Option<&[ArcPair]> {
        self.hilbert.as_deref()
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.lists.len()
    }

    /// The out-lists (what the graph dereferences to).
    pub fn lists(&self) -> &Adjacency {
        &self.lists
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

    /// True when every arc has its reverse, so the CSR is also the undirected view.
    pub fn is_symmetric(&self) -> bool {
        self.props.symmetric
    }

    /// Total size of the arrays in bytes (what the graph occupies in memory or in the page cache).
    pub fn size_bytes(&self) -> u64 {
        let (n, m) = (self.num_nodes() as u64, self.num_arcs());
        self.lists.size_bytes()
            + if self.original_ids.is_some() { n * 8 } else { 0 }
            + if self.hilbert.is_some() { m * 8 } else { 0 }
            + self.transpose.as_ref().map_or(0, Adjacency::size_bytes)
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
