//! [`Shard`]: a contiguous range of a graph's nodes with their adjacency lists: what one process
//! of a cluster holds. A shard's arcs keep the whole graph's node ids as targets, so a shard knows
//! its own nodes' lists and nothing else; a whole graph is the one shard of itself
//! ([`Csr::whole_shard`](super::Csr::whole_shard)).

use std::ops::Range;

use super::adjacency::{Adjacency, check_lists, check_original_ids};
use super::{Array, GraphProps, NodeId, Weight};

/// The nodes `first..first + k` of a graph of `total` nodes, with their out-arcs (targets are ids
/// of the whole graph, below `total`), their weights and original ids when the graph has them.
/// Node ids passed to its accessors are the whole graph's; asking for a node outside the range
/// panics. [`Shard::lists`] gives the same lists by position in the range.
#[derive(Debug, Clone)]
pub struct Shard {
    first: NodeId,
    total: usize,
    lists: Adjacency,
    original_ids: Option<Array<u64>>,
    props: GraphProps,
}

impl Shard {
    /// Assembles a shard from its arrays and checks them ([`check_lists`]): offsets from 0,
    /// monotone, ending at the number of targets; the range inside `0..total`; every target below
    /// `total`; sorted lists when the flags say so; one weight per arc and one original id per
    /// node. Symmetry cannot be checked on a part (the reverses live in other shards): it is
    /// checked when the whole graph is opened, before it is cut. `O(arcs)`, in parallel. Returns
    /// what is wrong.
    pub fn from_parts(
        first: NodeId,
        total: usize,
        offsets: Array<u64>,
        targets: Array<NodeId>,
        weights: Option<Array<Weight>>,
        original_ids: Option<Array<u64>>,
        props: GraphProps,
    ) -> Result<Shard, String> {
        let k = offsets.len().saturating_sub(1);
        if first as u64 + k as u64 > total as u64 {
            return Err(format!(
                "the shard's nodes {first}..{} run past the {total} nodes of the whole graph",
                first as u64 + k as u64
            ));
        }
        let lists = check_lists(offsets, targets, weights, props, (first as usize, total))?;
        check_original_ids(&lists, original_ids.as_deref())?;
        Ok(Shard::assemble(first, total, lists, original_ids, props))
    }

    /// Assembles lists already checked.
    pub(super) fn assemble(
        first: NodeId,
        total: usize,
        lists: Adjacency,
        original_ids: Option<Array<u64>>,
        props: GraphProps,
    ) -> Shard {
        Shard { first, total, lists, original_ids, props }
    }

    /// The first node of the range.
    pub fn first(&self) -> NodeId {
        self.first
    }

    /// The nodes this shard holds, as ids of the whole graph.
    pub fn nodes(&self) -> Range<NodeId> {
        self.first..self.first + self.num_local() as NodeId
    }

    /// Number of nodes this shard holds.
    pub fn num_local(&self) -> usize {
        self.lists.len()
    }

    /// Number of nodes of the whole graph (node ids, targets included, are below it).
    pub fn num_nodes(&self) -> usize {
        self.total
    }

    /// Number of arcs this shard holds (the out-arcs of its nodes).
    pub fn num_arcs(&self) -> u64 {
        self.lists.num_arcs()
    }

    /// True when the shard holds every node of its graph.
    pub fn is_whole(&self) -> bool {
        self.first == 0 && self.num_local() == self.total
    }

    /// The shard's lists by position in its range (position `i` is node `first + i`).
    pub fn lists(&self) -> &Adjacency {
        &self.lists
    }

    /// The original id of each of the shard's nodes, when the input was relabelled.
    pub fn original_ids(&self) -> Option<&[u64]> {
        self.original_ids.as_deref()
    }

    /// How the whole graph is stored.
    pub fn props(&self) -> GraphProps {
        self.props
    }

    /// True when the graph is weighted.
    pub fn is_weighted(&self) -> bool {
        self.lists.is_weighted()
    }

    /// True when every arc of the whole graph has its reverse (in whichever shard holds its target).
    pub fn is_symmetric(&self) -> bool {
        self.props.symmetric
    }

    /// The positions in the shard's targets ([`Adjacency::targets`] of [`Shard::lists`]) of `u`'s
    /// out-arcs (`u` one of the shard's nodes).
    #[inline]
    pub fn range(&self, u: NodeId) -> Range<usize> {
        self.lists.range(u - self.first)
    }

    /// Out-degree of `u`.
    #[inline]
    pub fn degree(&self, u: NodeId) -> usize {
        self.lists.degree(u - self.first)
    }

    /// Out-neighbours of `u`.
    #[inline]
    pub fn neighbors(&self, u: NodeId) -> &[NodeId] {
        self.lists.neighbors(u - self.first)
    }

    /// Out-neighbours of `u` with the weight of each arc (1 when unweighted).
    pub fn weighted_neighbors(&self, u: NodeId) -> impl Iterator<Item = (NodeId, Weight)> + '_ {
        self.lists.weighted_neighbors(u - self.first)
    }

    /// Hands the pages holding the arcs of the nodes `nodes` back to the page cache when the
    /// shard is mapped ([`Adjacency::release_arcs`]); nothing for arrays in memory.
    pub fn release_arcs(&self, nodes: Range<NodeId>) {
        self.lists.release_arcs(nodes.start - self.first..nodes.end - self.first);
    }

    /// Total size of the arrays in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.lists.size_bytes() + if self.original_ids.is_some() { self.num_local() as u64 * 8 } else { 0 }
    }
}

/// Splits the nodes whose lists `offsets` delimits (`offsets.len() - 1` of them, positions from 0)
/// into `parts` contiguous ranges with about the same `arcs + nodes` each, found by binary search
/// on the offsets, so that skewed degree distributions still split evenly. Returns `parts + 1`
/// bounds: part `i` is `bounds[i]..bounds[i + 1]`. `O(parts · log n)`.
pub fn balanced_bounds(offsets: &[u64], parts: usize) -> Vec<NodeId> {
    let n = offsets.len() - 1;
    let total = offsets[n] + n as u64;
    let mut bounds: Vec<NodeId> = (0..parts)
        .map(|i| {
            let goal = (total as u128 * i as u128 / parts as u128) as u64;
            // The first node whose `offset + index` reaches this part's share (binary search).
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if offsets[mid] + (mid as u64) < goal { lo = mid + 1 } else { hi = mid }
            }
            lo as NodeId
        })
        .collect();
    bounds.push(n as NodeId);
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, Csr, EdgeList};

    #[test]
    fn bounds_split_by_arcs_plus_nodes() {
        // Node 0 has 8 arcs, the others 1 (23 arcs + nodes): the first half ends after node 1
        // (8 + 1 arcs, 2 nodes), not after node 3 as an even split of the nodes would.
        let offsets = [0u64, 8, 9, 10, 11, 12, 13, 14, 15];
        assert_eq!(balanced_bounds(&offsets, 1), vec![0, 8]);
        assert_eq!(balanced_bounds(&offsets, 2), vec![0, 2, 8]);
        assert_eq!(balanced_bounds(&[0], 3), vec![0, 0, 0, 0]);
    }

    #[test]
    fn a_part_is_checked_against_the_whole_graph() {
        let g = Csr::from_edges(&EdgeList::new(4, vec![(0, 1), (1, 2), (2, 3)], false), BuildOptions::undirected());
        let whole = g.whole_shard();
        assert!(whole.is_whole());
        assert_eq!(whole.neighbors(1), g.neighbors(1));
        // Nodes 2..4: arcs 2->1, 2->3, 3->2.
        let part = |first, total, targets: Vec<u32>| {
            Shard::from_parts(first, total, vec![0u64, 2, 3].into(), targets.into(), None, None, g.props())
        };
        let s = part(2, 4, vec![1, 3, 2]).unwrap();
        assert_eq!(s.nodes(), 2..4);
        assert_eq!(s.neighbors(3), &[2]);
        assert_eq!(s.num_nodes(), 4);
        let err = part(2, 3, vec![1, 3, 2]).unwrap_err();
        assert!(err.contains("run past"), "{err}");
        let err = part(2, 4, vec![1, 4, 2]).unwrap_err();
        assert!(err.contains("node 2 has target 4"), "{err}");
        let err = part(2, 4, vec![3, 1, 2]).unwrap_err();
        assert!(err.contains("out of order"), "{err}");
    }
}
