//! Uniform random graph (Erdős–Rényi `G(n, m)` style, as in the GAP benchmark's `-u`): `n = 2^scale`
//! nodes and `m = n · degree / 2` edges whose endpoints are drawn independently and uniformly,
//! so the average degree of the symmetrized graph is about `degree`. Self loops and repeated pairs
//! are rare (expected `m / n` and about `m² / n²`) and are left to the builder.

use super::model::{EdgeModel, nodes_for_scale};
use super::rng::Rng;
use crate::graph::NodeId;
use crate::{Error, Result};

/// A uniform random graph with `2^scale` nodes and average degree `degree`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrandConfig {
    /// log2 of the number of nodes (1 to 31).
    pub scale: u32,
    /// Average degree (at least 1): `m = 2^scale · degree / 2`.
    pub degree: u32,
}

impl UrandConfig {
    /// Number of nodes and edges, or why the graph cannot be made.
    pub fn size(&self) -> Result<(usize, u64)> {
        let n = nodes_for_scale(self.scale)?;
        if self.degree == 0 {
            return Err(Error::invalid("the average degree must be at least 1"));
        }
        Ok((n, n as u64 * self.degree as u64 / 2))
    }

    pub(super) fn model(&self) -> Result<Urand> {
        let (n, m) = self.size()?;
        Ok(Urand { n, m })
    }
}

/// The model as the driver sees it.
pub(super) struct Urand {
    n: usize,
    m: u64,
}

impl EdgeModel for Urand {
    fn size(&self) -> (usize, u64) {
        (self.n, self.m)
    }

    fn edge(&self, rng: &mut Rng, _: u64) -> (NodeId, NodeId) {
        let n = self.n as u64;
        (rng.below(n) as NodeId, rng.below(n) as NodeId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Generator, GeneratorSpec, generate};

    #[test]
    fn sizes_and_bad_scales() {
        assert_eq!(UrandConfig { scale: 10, degree: 16 }.size().unwrap(), (1024, 8192));
        assert_eq!(UrandConfig { scale: 1, degree: 1 }.size().unwrap(), (2, 1));
        for scale in [0, 32, 40] {
            let err = UrandConfig { scale, degree: 16 }.size().unwrap_err().to_string();
            assert!(err.contains("1 to 31"), "{err}");
        }
        assert!(UrandConfig { scale: 4, degree: 0 }.size().is_err());
    }

    #[test]
    fn degrees_are_not_skewed() {
        let spec = GeneratorSpec::new(Generator::Urand(UrandConfig { scale: 14, degree: 16 }));
        let edges = generate(&spec).unwrap();
        let mut degree = vec![0u32; edges.num_nodes];
        for &(u, v) in &edges.edges {
            degree[u as usize] += 1;
            degree[v as usize] += 1;
        }
        // Poisson(16): a maximum far above ~40 would mean a broken generator.
        assert!(*degree.iter().max().unwrap() < 48, "max degree {}", degree.iter().max().unwrap());
    }
}
