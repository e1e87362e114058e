//! [`GraphStats`]: the figures `costgraph info` prints, computed in one parallel pass.

use rayon::prelude::*;
use serde::Serialize;

use super::Csr;

/// Summary statistics of a [`Csr`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphStats {
    /// Number of nodes.
    pub nodes: u64,
    /// Number of stored arcs.
    pub arcs: u64,
    /// Number of edges as the input counts them: arcs for a directed graph; for an undirected
    /// graph each `{u, v}` once (a self loop counts once).
    pub edges: u64,
    /// Number of self loops (`u -> u` arcs).
    pub self_loops: u64,
    /// Nodes with no arc in or out.
    pub isolated_nodes: u64,
    /// Smallest out-degree.
    pub min_degree: u64,
    /// Largest out-degree.
    pub max_degree: u64,
    /// Mean out-degree.
    pub avg_degree: f64,
}

impl GraphStats {
    /// Computes the statistics of `csr`.
    pub fn of(csr: &Csr) -> GraphStats {
        let n = csr.num_nodes();
        let (self_loops, min_degree, max_degree) = (0..n as u32)
            .into_par_iter()
            .with_min_len(4096)
            .map(|u| {
                let d = csr.degree(u) as u64;
                let loops = csr.neighbors(u).iter().filter(|&&v| v == u).count() as u64;
                (loops, d, d)
            })
            .reduce(|| (0, u64::MAX, 0), |a, b| (a.0 + b.0, a.1.min(b.1), a.2.max(b.2)));
        // A node is isolated when nothing leaves it and nothing arrives at it.
        let mut has_in = vec![false; n];
        if !csr.is_symmetric() {
            for &v in csr.targets() {
                has_in[v as usize] = true;
            }
        }
        let isolated_nodes = (0..n).into_par_iter().filter(|&u| csr.degree(u as u32) == 0 && !has_in[u]).count() as u64;
        let arcs = csr.num_arcs();
        let edges = if csr.props().directed { arcs } else { (arcs - self_loops) / 2 + self_loops };
        GraphStats {
            nodes: n as u64,
            arcs,
            edges,
            self_loops,
            isolated_nodes,
            min_degree: if n == 0 { 0 } else { min_degree },
            max_degree,
            avg_degree: if n == 0 { 0.0 } else { arcs as f64 / n as f64 },
        }
    }
}
