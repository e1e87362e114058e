//! What to generate: the model and its size ([`Generator`]), the seed and the weights
//! ([`GeneratorSpec`]): everything that determines the output.

use super::rng::Rng;
use super::{GridConfig, KronConfig, UrandConfig};
use crate::graph::Weight;
use crate::{Error, Result};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 1;

/// Uniform random integer weights in the inclusive range `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    /// Smallest weight.
    pub lo: Weight,
    /// Largest weight (inclusive).
    pub hi: Weight,
}

impl Weights {
    /// The range `lo..=hi`; an error when it is empty (`lo > hi`).
    pub fn new(lo: Weight, hi: Weight) -> Result<Weights> {
        if lo > hi {
            return Err(Error::invalid(format!(
                "weight range {lo}..{hi} is empty: the low end must not exceed the high end"
            )));
        }
        Ok(Weights { lo, hi })
    }

    /// One weight drawn uniformly from the range.
    pub fn draw(self, rng: &mut Rng) -> Weight {
        self.lo + rng.below(self.hi as u64 - self.lo as u64 + 1) as Weight
    }
}

/// Which graph to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generator {
    /// Kronecker / R-MAT (Graph500).
    Kron(KronConfig),
    /// Uniform random pairs.
    Urand(UrandConfig),
    /// 2-D grid with 4-neighbourhoods.
    Grid(GridConfig),
}

impl Generator {
    /// A short name: `kron`, `urand` or `grid`.
    pub fn name(&self) -> &'static str {
        match self {
            Generator::Kron(_) => "kron",
            Generator::Urand(_) => "urand",
            Generator::Grid(_) => "grid",
        }
    }
}

/// A generator with its seed and weights: everything that determines the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorSpec {
    /// The graph model and its size.
    pub generator: Generator,
    /// The random seed.
    pub seed: u64,
    /// Random weights, or `None` for an unweighted graph.
    pub weights: Option<Weights>,
}

impl GeneratorSpec {
    /// An unweighted graph with the [`DEFAULT_SEED`].
    pub fn new(generator: Generator) -> Self {
        GeneratorSpec { generator, seed: DEFAULT_SEED, weights: None }
    }

    /// The number of nodes and edges the spec generates (edges before deduplication), or why it
    /// cannot be generated.
    pub fn size(&self) -> Result<(usize, u64)> {
        match &self.generator {
            Generator::Kron(c) => c.size(),
            Generator::Urand(c) => c.size(),
            Generator::Grid(c) => c.size(),
        }
    }
}

impl GeneratorSpec {
    /// Bytes the generator itself holds while it runs: the Kronecker label permutation (4 bytes
    /// per node, and 8 more per node while it is drawn); nothing for the others.
    pub fn model_bytes(&self) -> Result<u64> {
        let (n, _) = self.size()?;
        Ok(match self.generator {
            Generator::Kron(_) => 12 * n as u64,
            _ => 0,
        })
    }
}
