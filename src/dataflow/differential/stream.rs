//! The stream of edge changes applied to a graph: batches of insertions of new random edges and
//! deletions of existing ones, drawn deterministically from a seed, so that the dataflow, the
//! single-thread answers and the oracle all see the very same changes.
//!
//! The stream keeps the current undirected edges as a multiset (one entry per edge; an edge the
//! graph stores in both directions is one entry). A deletion picks an entry uniformly — an
//! original edge or one inserted earlier — and removes it; an insertion draws two distinct nodes
//! uniformly. An inserted pair may repeat an existing edge (probability about `m / n²`); the
//! multiset then holds it twice and one deletion leaves the other, exactly as the dataflow's
//! multiplicities do. Memory: 8 bytes per edge, held by the one worker that generates.

use crate::generate::Rng;
use crate::graph::{Csr, NodeId};
use crate::{Error, Result};

/// One change: the edge `{u, v}` inserted (`+1`) or deleted (`-1`).
pub type Change = (NodeId, NodeId, i32);

/// How changes are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StreamSpec {
    /// The seed of the random choices.
    pub seed: u64,
    /// The fraction of changes that are deletions, in `0..=1`.
    pub deletions: f64,
}

impl StreamSpec {
    /// Checks the deletion fraction.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.deletions) {
            return Err(Error::invalid(format!("--deletions {} is not a fraction in 0..=1", self.deletions)));
        }
        Ok(())
    }
}

/// The current edges and the random state: [`next_batch`](UpdateStream::next_batch) draws the
/// next changes and applies them to the edges.
#[derive(Clone, Debug)]
pub struct UpdateStream {
    nodes: usize,
    edges: Vec<(NodeId, NodeId)>,
    rng: Rng,
    deletions: f64,
}

impl UpdateStream {
    /// The stream over the undirected view of `graph` (self loops left out).
    pub fn new(graph: &Csr, spec: StreamSpec) -> Result<Self> {
        spec.validate()?;
        let n = graph.num_nodes();
        if n < 2 {
            return Err(Error::invalid(format!("the graph has {n} node(s); inserting edges needs at least 2")));
        }
        let symmetric = graph.is_symmetric();
        let mut edges = Vec::new();
        for u in 0..n as NodeId {
            // A symmetric graph stores each edge twice: keep the copy with u < v.
            edges.extend(
                graph.neighbors(u).iter().filter(|&&v| if symmetric { u < v } else { u != v }).map(|&v| (u, v)),
            );
        }
        Ok(UpdateStream { nodes: n, edges, rng: Rng::new(spec.seed), deletions: spec.deletions })
    }

    /// Number of nodes (fixed).
    pub fn num_nodes(&self) -> usize {
        self.nodes
    }

    /// The current edges, one entry per edge.
    pub fn edges(&self) -> &[(NodeId, NodeId)] {
        &self.edges
    }

    /// Draws `size` changes and applies them to the current edges. A deletion drawn while no edge
    /// is left becomes an insertion.
    pub fn next_batch(&mut self, size: usize) -> Vec<Change> {
        (0..size).map(|_| self.next_change()).collect()
    }

    fn next_change(&mut self) -> Change {
        // 53 random bits as a fraction in [0, 1).
        let coin = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        if coin < self.deletions && !self.edges.is_empty() {
            let i = self.rng.below(self.edges.len() as u64) as usize;
            let (u, v) = self.edges.swap_remove(i);
            return (u, v, -1);
        }
        let n = self.nodes as u64;
        let u = self.rng.below(n) as NodeId;
        // A node other than u, uniformly.
        let mut v = self.rng.below(n - 1) as NodeId;
        if v >= u {
            v += 1;
        }
        self.edges.push((u, v));
        (u, v, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;
    use crate::testing;

    #[test]
    fn deterministic_and_consistent() {
        let csr = Csr::from_edges(&testing::random_graph(3, 50, 120, false, None), BuildOptions::undirected());
        let spec = StreamSpec { seed: 9, deletions: 0.5 };
        let (mut a, mut b) = (UpdateStream::new(&csr, spec).unwrap(), UpdateStream::new(&csr, spec).unwrap());
        let m = a.edges().len();
        assert!(m > 0 && a.edges().iter().all(|&(u, v)| u < v));
        let mut count = m as i64;
        for size in [1, 10, 100] {
            let batch = a.next_batch(size);
            assert_eq!(batch, b.next_batch(size));
            assert!(batch.iter().all(|&(u, v, d)| u != v && (d == 1 || d == -1)));
            count += batch.iter().map(|&(_, _, d)| d as i64).sum::<i64>();
        }
        assert_eq!(a.edges().len() as i64, count);
        assert!(a.edges().len() < m + 111, "about half the changes delete");
        let inserts_only = UpdateStream::new(&csr, StreamSpec { seed: 9, deletions: 0.0 }).unwrap().next_batch(50);
        assert!(inserts_only.iter().all(|&(_, _, d)| d == 1));
        assert!(UpdateStream::new(&csr, StreamSpec { seed: 1, deletions: 1.5 }).is_err());
    }
}
