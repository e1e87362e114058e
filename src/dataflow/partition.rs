//! Who owns what: every worker maps the same graph and takes its own share of the nodes (and of
//! their adjacency lists) without any central loader. Two strategies, to measure against each
//! other:
//!
//! - [`Strategy::Balanced`]: contiguous node ranges with about the same `arcs + nodes` each
//!   (found by binary search on the offsets), so skewed degree distributions still split evenly
//!   and each worker reads one contiguous stretch of the file;
//! - [`Strategy::Modulo`]: node `v` belongs to worker `v % peers` (the classic hash partition).

use crate::graph::{Csr, NodeId, balanced_bounds};

/// How nodes are assigned to workers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Contiguous node ranges balanced by `arcs + nodes`.
    #[default]
    Balanced,
    /// Node `v` to worker `v % peers`.
    Modulo,
}

impl Strategy {
    /// Parses `balanced` or `modulo`.
    pub fn from_name(name: &str) -> Option<Strategy> {
        match name {
            "balanced" => Some(Strategy::Balanced),
            "modulo" => Some(Strategy::Modulo),
            _ => None,
        }
    }

    /// The strategy's name.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Balanced => "balanced",
            Strategy::Modulo => "modulo",
        }
    }
}

/// The assignment of the nodes `0..n` to `peers` workers. Every worker computes the same one from
/// the graph's offsets alone.
#[derive(Clone, Debug)]
pub struct Partition {
    peers: usize,
    num_nodes: usize,
    /// For [`Strategy::Balanced`]: worker `i` owns `bounds[i]..bounds[i + 1]`. Empty for modulo.
    bounds: Vec<NodeId>,
}

impl Partition {
    /// Splits `graph`'s nodes among `peers` workers.
    pub fn new(graph: &Csr, peers: usize, strategy: Strategy) -> Partition {
        Partition::of_offsets(graph.offsets(), peers, strategy)
    }

    /// Splits the nodes of a whole graph, given by its offsets, among `peers` workers.
    pub fn of_offsets(offsets: &[u64], peers: usize, strategy: Strategy) -> Partition {
        let bounds = match strategy {
            Strategy::Modulo => Vec::new(),
            Strategy::Balanced => balanced_bounds(offsets, peers),
        };
        Partition { peers, num_nodes: offsets.len() - 1, bounds }
    }

    /// Contiguous ranges of a graph of `num_nodes` nodes: worker `i` owns `firsts[i]..firsts[i + 1]`
    /// (the last one up to `num_nodes`). `firsts` must not decrease and start at 0.
    pub fn from_firsts(num_nodes: usize, mut firsts: Vec<NodeId>) -> Partition {
        debug_assert!(firsts.first() == Some(&0) && firsts.windows(2).all(|w| w[0] <= w[1]));
        let peers = firsts.len();
        firsts.push(num_nodes as NodeId);
        Partition { peers, num_nodes, bounds: firsts }
    }

    /// Number of workers.
    pub fn peers(&self) -> usize {
        self.peers
    }

    /// The worker that owns node `v`.
    #[inline]
    pub fn owner(&self, v: NodeId) -> usize {
        if self.bounds.is_empty() { v as usize % self.peers } else { self.bounds.partition_point(|&b| b <= v) - 1 }
    }

    /// The position of node `v` among its owner's nodes.
    #[inline]
    pub fn local(&self, v: NodeId) -> usize {
        if self.bounds.is_empty() { v as usize / self.peers } else { (v - self.bounds[self.owner(v)]) as usize }
    }

    /// The node at position `i` among `worker`'s nodes.
    #[inline]
    pub fn global(&self, worker: usize, i: usize) -> NodeId {
        if self.bounds.is_empty() { (i * self.peers + worker) as NodeId } else { self.bounds[worker] + i as NodeId }
    }

    /// Number of nodes `worker` owns.
    pub fn num_local(&self, worker: usize) -> usize {
        if self.bounds.is_empty() {
            self.num_nodes.saturating_sub(worker).div_ceil(self.peers)
        } else {
            (self.bounds[worker + 1] - self.bounds[worker]) as usize
        }
    }

    /// The nodes `worker` owns, in increasing order.
    pub fn nodes(&self, worker: usize) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.num_local(worker)).map(move |i| self.global(worker, i))
    }

    /// The nodes `worker` owns as one range, for [`Strategy::Balanced`] (`None` for modulo).
    pub fn range(&self, worker: usize) -> Option<std::ops::Range<usize>> {
        (!self.bounds.is_empty()).then(|| self.bounds[worker] as usize..self.bounds[worker + 1] as usize)
    }

    /// `worker`'s share, for hot loops that ask of every arc whether its target is local.
    pub fn share(&self, worker: usize) -> Share {
        let range = self.range(worker).map(|r| (r.start as NodeId, r.end as NodeId));
        Share { range, worker, peers: self.peers }
    }
}

/// One worker's nodes: whether a node is among them and where, without the search
/// [`Partition::owner`] does for balanced ranges.
#[derive(Clone, Copy, Debug)]
pub struct Share {
    /// The owned range, for [`Strategy::Balanced`].
    range: Option<(NodeId, NodeId)>,
    worker: usize,
    peers: usize,
}

impl Share {
    /// The position of `v` among the worker's nodes, if the worker owns `v`.
    #[inline]
    pub fn local(&self, v: NodeId) -> Option<usize> {
        match self.range {
            Some((start, end)) => (start <= v && v < end).then(|| (v - start) as usize),
            None => (v as usize % self.peers == self.worker).then(|| v as usize / self.peers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, EdgeList};

    #[test]
    fn every_node_has_one_owner_and_a_consistent_local_index() {
        let edges: Vec<(NodeId, NodeId)> = (0..40).map(|i| (0, i)).chain((0..39).map(|i| (i, i + 1))).collect();
        let csr = Csr::from_edges(&EdgeList::new(41, edges, false), BuildOptions::undirected());
        for strategy in [Strategy::Balanced, Strategy::Modulo] {
            for peers in 1..6 {
                let p = Partition::new(&csr, peers, strategy);
                let mut seen = vec![0; 41];
                for w in 0..peers {
                    for (i, v) in p.nodes(w).enumerate() {
                        seen[v as usize] += 1;
                        assert_eq!(p.owner(v), w);
                        assert_eq!(p.local(v), i);
                        assert_eq!(p.share(w).local(v), Some(i));
                        if let Some(range) = p.range(w) {
                            assert_eq!(range.start + i, v as usize);
                        }
                        assert_eq!(p.share((w + 1) % peers).local(v), (peers == 1).then_some(i));
                    }
                }
                assert!(seen.iter().all(|&s| s == 1), "{strategy:?} {peers}: {seen:?}");
            }
        }
    }
}
