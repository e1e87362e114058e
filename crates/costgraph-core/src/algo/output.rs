//! [`Output`]: what any implementation of any problem computes, with the problem's verifier, a
//! JSON summary and an exact digest (the union of the result types of [`cc`](super::cc),
//! [`msf`](super::msf) and [`pagerank`](super::pagerank)).

use crate::algo::cc::{self, Components};
use crate::algo::fingerprint::{self, Fingerprint};
use crate::algo::msf::{self, Forest};
use crate::algo::pagerank::Ranks;
use crate::graph::{Csr, NodeId};

/// What an implementation computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Connected components.
    Components(Components),
    /// A minimum spanning forest.
    Forest(Forest),
    /// PageRank.
    Ranks(Ranks),
}

impl Output {
    /// Checks the result against `csr` with the problem's verifier; returns what is wrong.
    pub fn verify(&self, csr: &Csr) -> Result<(), String> {
        match self {
            Output::Components(components) => cc::verify(csr, components),
            Output::Forest(forest) => msf::verify(csr, forest),
            Output::Ranks(ranks) => ranks.verify(csr),
        }
    }

    /// A short JSON description of the result for a graph of `num_nodes` nodes.
    pub fn summary_json(&self, num_nodes: usize) -> serde_json::Value {
        let summary = match self {
            Output::Components(components) => serde_json::to_value(components.summary()),
            Output::Forest(forest) => serde_json::to_value(forest.summary(num_nodes)),
            Output::Ranks(ranks) => serde_json::to_value(ranks.summary()),
        };
        summary.expect("summaries are plain structs")
    }

    /// A fingerprint of the exact result: the [`Fingerprint`](crate::algo::fingerprint::Fingerprint)
    /// of the canonical labels (CC), of the forest's edges (MSF) or of the ranks bit for bit
    /// (PageRank), which a distributed run also computes in parts without gathering the result.
    /// Two implementations agree on a graph exactly when their digests are equal; the harness
    /// compares these.
    pub fn digest(&self) -> String {
        let mut print = Fingerprint::default();
        match self {
            Output::Components(c) => {
                c.labels().iter().enumerate().for_each(|(u, &l)| print.add_label(u as NodeId, l));
                print.hex(fingerprint::CC)
            }
            Output::Forest(f) => {
                f.edges().iter().for_each(|&e| print.add_edge(e));
                print.hex(fingerprint::MSF)
            }
            Output::Ranks(r) => {
                // Bitwise, so only equal for the same summation order; costgraph compares PageRank by its verifier.
                r.ranks().iter().enumerate().for_each(|(u, &x)| print.add_rank(u as NodeId, x));
                print.hex(fingerprint::PAGERANK)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_results_apart() {
        let a = Output::Components(Components::from_labels(&[0, 0, 2]));
        let b = Output::Components(Components::from_labels(&[5, 5, 7]));
        let c = Output::Components(Components::from_labels(&[0, 1, 1]));
        assert_eq!(a.digest(), b.digest(), "canonical labels are compared, not raw ones");
        assert_ne!(a.digest(), c.digest());
        let f = Output::Forest(Forest::new(vec![(1, 0, 3), (1, 2, 1)]));
        let g = Output::Forest(Forest::new(vec![(2, 1, 1), (0, 1, 3)]));
        assert_eq!(f.digest(), g.digest(), "orientation and order do not matter");
        assert_ne!(f.digest(), Output::Forest(Forest::new(vec![(0, 1, 3)])).digest());
        assert_eq!(f.digest().len(), 64);
    }
}
