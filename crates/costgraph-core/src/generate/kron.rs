//! Kronecker / R-MAT graphs with the Graph500 parameters (Chakrabarti, Zhan, Faloutsos, "R-MAT",
//! SDM 2004; Graph500 specification, section 3): `n = 2^scale` nodes, `m = edge_factor · n` edges.
//! Each edge picks one quadrant of the adjacency matrix per level, `scale` times, with
//! probabilities `a = 0.57` (top left), `b = 0.19` (top right), `c = 0.19` (bottom left) and
//! `d = 0.05`; the result is a heavy-tailed, small-world graph. As in Graph500 the vertex labels are
//! then shuffled by a random permutation (drawn from the seed), so that high-degree nodes are not
//! all at small ids. Graph500 also shuffles the edge order; that is left out because the CSR builder
//! sorts every adjacency list anyway. Self loops and repeated edges are kept in the edge list.
//!
//! Each level draws 32 random bits, so the quadrant probabilities are exact to within `2^-32`.

use rayon::prelude::*;

use super::model::{EdgeModel, nodes_for_scale};
use super::rng::{Rng, Stream, hash};
use crate::graph::NodeId;
use crate::{Error, Result};

/// The Graph500 initiator probabilities `a`, `a + b`, `a + b + c` as thresholds on 32 random bits.
const A: u32 = (0.57 * 4_294_967_296.0) as u32;
const AB: u32 = ((0.57 + 0.19) * 4_294_967_296.0) as u32;
const ABC: u32 = ((0.57 + 0.19 + 0.19) * 4_294_967_296.0) as u32;

/// The Graph500 edge factor.
pub const GRAPH500_EDGE_FACTOR: u32 = 16;

/// A Kronecker graph with `2^scale` nodes and `edge_factor · 2^scale` edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KronConfig {
    /// log2 of the number of nodes (1 to 31).
    pub scale: u32,
    /// Edges per node (at least 1; Graph500 uses [`GRAPH500_EDGE_FACTOR`]).
    pub edge_factor: u32,
}

impl KronConfig {
    /// Number of nodes and edges, or why the graph cannot be made.
    pub fn size(&self) -> Result<(usize, u64)> {
        let n = nodes_for_scale(self.scale)?;
        if self.edge_factor == 0 {
            return Err(Error::invalid("the edge factor must be at least 1"));
        }
        Ok((n, n as u64 * self.edge_factor as u64))
    }

    pub(super) fn model(&self, seed: u64) -> Result<Kron> {
        let (n, m) = self.size()?;
        Ok(Kron { n, m, scale: self.scale, permutation: permutation(seed, self.scale) })
    }
}

/// A uniformly random permutation of `0..2^scale` that depends only on the seed: sort the labels
/// by a random 64-bit key (the label itself fills the low `scale` bits, so keys are distinct).
fn permutation(seed: u64, scale: u32) -> Vec<NodeId> {
    let n = 1u64 << scale;
    let mut keys: Vec<u64> = (0..n).into_par_iter().map(|v| hash(seed, Stream::Permutation, v) << scale | v).collect();
    keys.par_sort_unstable();
    keys.into_par_iter().map(|k| (k & (n - 1)) as NodeId).collect()
}

/// The model as the driver sees it.
pub(super) struct Kron {
    n: usize,
    m: u64,
    scale: u32,
    /// The label of each node of the raw R-MAT matrix.
    permutation: Vec<NodeId>,
}

impl EdgeModel for Kron {
    fn size(&self) -> (usize, u64) {
        (self.n, self.m)
    }

    #[inline]
    fn edge(&self, rng: &mut Rng, _: u64) -> (NodeId, NodeId) {
        let (mut u, mut v) = (0u32, 0u32);
        let mut bits = 0u64;
        for level in 0..self.scale {
            if level % 2 == 0 {
                bits = rng.next_u64();
            }
            let x = bits as u32;
            bits >>= 32;
            // Quadrants in order a (0, 0), b (0, 1), c (1, 0), d (1, 1).
            let row = x >= AB;
            let col = (x >= A && !row) || x >= ABC;
            u = u << 1 | row as u32;
            v = v << 1 | col as u32;
        }
        (self.permutation[u as usize], self.permutation[v as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Generator, GeneratorSpec, generate};

    #[test]
    fn permutation_is_a_permutation_and_depends_on_the_seed() {
        let p = permutation(1, 10);
        let mut sorted = p.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1024).collect::<Vec<_>>());
        assert_ne!(p, permutation(2, 10));
        assert_ne!(p, sorted, "the identity is vanishingly unlikely");
    }

    #[test]
    fn quadrant_frequencies_match_graph500() {
        let model = Kron { n: 2, m: 0, scale: 1, permutation: vec![0, 1] };
        let mut rng = Rng::for_block(3, Stream::Edges, 0);
        let mut counts = [0u32; 4];
        let draws = 200_000;
        for _ in 0..draws {
            let (u, v) = model.edge(&mut rng, 0);
            counts[(2 * u + v) as usize] += 1;
        }
        for (count, p) in counts.iter().zip([0.57, 0.19, 0.19, 0.05]) {
            assert!((*count as f64 / draws as f64 - p).abs() < 0.005, "{counts:?}");
        }
    }

    #[test]
    fn degrees_are_skewed() {
        let spec = GeneratorSpec::new(Generator::Kron(KronConfig { scale: 14, edge_factor: 16 }));
        let edges = generate(&spec).unwrap();
        let mut degree = vec![0u32; edges.num_nodes];
        for &(u, v) in &edges.edges {
            degree[u as usize] += 1;
            degree[v as usize] += 1;
        }
        let max = *degree.iter().max().unwrap();
        let isolated = degree.iter().filter(|&&d| d == 0).count();
        // Average 32; a Graph500 graph of this size has hubs of degree in the thousands and many
        // isolated nodes.
        assert!(max > 1000, "max degree {max}");
        assert!(isolated > edges.num_nodes / 10, "{isolated} isolated nodes");
        assert!(edges.edges.iter().all(|&(u, v)| (u as usize) < edges.num_nodes && (v as usize) < edges.num_nodes));
    }
}
