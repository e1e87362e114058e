//! Synthetic graphs: Kronecker / R-MAT with the Graph500 parameters, uniform random
//! (Erdős–Rényi), and 2-D grids; optional random integer weights. Every generator is parallel
//! and deterministic for a seed, whatever the number of threads.
//!
//! All three share one driver: the edge list is cut into blocks of [`BLOCK_EDGES`] edges, generated
//! in parallel with rayon; block `b` draws its endpoints from a generator seeded with
//! `(seed, "edges", b)` and its weights from one seeded with `(seed, "weights", b)`, so the output
//! is the same whichever thread makes which block. Each edge is listed once (`directed: false`);
//! the CSR builder stores both directions, with the one weight. Generators may produce self loops
//! and parallel edges (as Graph500 does); the builder removes duplicates and, when asked, loops.
//!
//! ```
//! use costgraph_core::generate::{generate, Generator, GeneratorSpec, GridConfig};
//! let spec = GeneratorSpec::new(Generator::Grid(GridConfig { rows: 2, cols: 3 }));
//! let edges = generate(&spec).unwrap();
//! assert_eq!((edges.num_nodes, edges.len()), (6, 7));
//! ```

mod grid;
mod kron;
mod rng;
mod urand;

use rayon::prelude::*;

pub use grid::GridConfig;
pub use kron::{GRAPH500_EDGE_FACTOR, KronConfig};
pub use rng::Rng;
pub use urand::UrandConfig;

use crate::graph::{Builder, EdgeList, NodeId, Weight, check_node_count};
use crate::{Error, Result};
use rng::Stream;

/// Edges per block: the unit of parallel work and of random seeding. Changing it changes the
/// graphs generated for a seed.
pub const BLOCK_EDGES: usize = 1 << 16;

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

/// Generates the graph straight into `builder` (made for `spec.size()` nodes, weighted exactly
/// when `spec.weights` is set), block by block in parallel, calling `progress(k)` as `k` more
/// edges are done: the edge list never exists whole. The edges and weights are those
/// [`generate`] lists, so the graph built is the same whatever the threads and the budget.
pub fn generate_into(spec: &GeneratorSpec, builder: &Builder, progress: &(dyn Fn(u64) + Sync)) -> Result<()> {
    if let Some(w) = spec.weights {
        Weights::new(w.lo, w.hi)?;
    }
    match &spec.generator {
        Generator::Kron(c) => stream(&c.model(spec.seed)?, spec, builder, progress),
        Generator::Urand(c) => stream(&c.model()?, spec, builder, progress),
        Generator::Grid(c) => stream(&c.model()?, spec, builder, progress),
    }
    Ok(())
}

/// The streaming driver: block `b` draws the same edges (and weights) as in [`drive`].
fn stream(model: &impl EdgeModel, spec: &GeneratorSpec, builder: &Builder, progress: &(dyn Fn(u64) + Sync)) {
    let (_, m) = model.size();
    let seed = spec.seed;
    (0..m.div_ceil(BLOCK_EDGES as u64)).into_par_iter().for_each_init(
        || builder.sink(),
        |sink, b| {
            let mut rng = Rng::for_block(seed, Stream::Edges, b);
            let mut weights = spec.weights.map(|range| (range, Rng::for_block(seed, Stream::Weights, b)));
            let first = b * BLOCK_EDGES as u64;
            let end = (first + BLOCK_EDGES as u64).min(m);
            for i in first..end {
                let (u, v) = model.edge(&mut rng, i);
                let w = weights.as_mut().map_or(1, |(range, rng)| range.draw(rng));
                sink.push(u, v, w);
            }
            progress(end - first);
        },
    );
}

/// Generates the graph. Same spec, same edge list, whatever the number of rayon threads.
pub fn generate(spec: &GeneratorSpec) -> Result<EdgeList> {
    generate_with_progress(spec, &|_| {})
}

/// Like [`generate`], calling `progress(k)` from the worker threads each time `k` more edges are done.
pub fn generate_with_progress(spec: &GeneratorSpec, progress: &(dyn Fn(u64) + Sync)) -> Result<EdgeList> {
    if let Some(w) = spec.weights {
        Weights::new(w.lo, w.hi)?;
    }
    match &spec.generator {
        Generator::Kron(c) => drive(&c.model(spec.seed)?, spec, progress),
        Generator::Urand(c) => drive(&c.model()?, spec, progress),
        Generator::Grid(c) => drive(&c.model()?, spec, progress),
    }
}

/// A graph model as the driver sees it: a size, and a way to make edge `index` from a random stream.
trait EdgeModel: Sync {
    /// Number of nodes and of edges.
    fn size(&self) -> (usize, u64);
    /// Edge number `index`, drawing whatever randomness it needs from `rng` (the generator of the
    /// edge's block, advanced by the edges before it in the block).
    fn edge(&self, rng: &mut Rng, index: u64) -> (NodeId, NodeId);
}

/// The block-parallel driver shared by every generator.
fn drive(model: &impl EdgeModel, spec: &GeneratorSpec, progress: &(dyn Fn(u64) + Sync)) -> Result<EdgeList> {
    let (n, m) = model.size();
    let m = usize::try_from(m).map_err(|_| Error::invalid(format!("{m} edges do not fit in memory")))?;
    let mut edges = allocate::<(NodeId, NodeId)>(m)?;
    let mut weights = match spec.weights {
        Some(_) => Some(allocate::<Weight>(m)?),
        None => None,
    };
    let seed = spec.seed;
    let fill_edges = |b: usize, block: &mut [(NodeId, NodeId)]| {
        let mut rng = Rng::for_block(seed, Stream::Edges, b as u64);
        let first = (b * BLOCK_EDGES) as u64;
        for (i, slot) in block.iter_mut().enumerate() {
            *slot = model.edge(&mut rng, first + i as u64);
        }
        progress(block.len() as u64);
    };
    match (&mut weights, spec.weights) {
        (Some(ws), Some(range)) => {
            edges.par_chunks_mut(BLOCK_EDGES).zip(ws.par_chunks_mut(BLOCK_EDGES)).enumerate().for_each(
                |(b, (block, wblock))| {
                    let mut rng = Rng::for_block(seed, Stream::Weights, b as u64);
                    wblock.iter_mut().for_each(|w| *w = range.draw(&mut rng));
                    fill_edges(b, block);
                },
            )
        }
        _ => edges.par_chunks_mut(BLOCK_EDGES).enumerate().for_each(|(b, block)| fill_edges(b, block)),
    }
    Ok(EdgeList { num_nodes: n, edges, weights, original_ids: None, directed: false })
}

/// `2^scale` as a node count, for scales 1 to 31 (`2^32` nodes would not fit `u32` ids).
fn nodes_for_scale(scale: u32) -> Result<usize> {
    if !(1..=31).contains(&scale) {
        return Err(Error::invalid(format!(
            "scale {scale} is out of range: it must be 1 to 31 (2^scale nodes, with u32 node ids)"
        )));
    }
    check_node_count(1u64 << scale)
}

/// A zeroed vector of `len` elements, or a clear error when the memory cannot be had. The memory
/// comes zeroed from the allocator (untouched pages, faulted in by the threads that fill them)
/// rather than being cleared by one thread.
fn allocate<T: bytemuck::Zeroable>(len: usize) -> Result<Vec<T>> {
    bytemuck::allocation::try_zeroed_vec(len).map_err(|()| {
        Error::invalid(format!(
            "cannot allocate {} bytes for {len} generated edges",
            len.saturating_mul(size_of::<T>())
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One spec of each kind, weighted, small enough to be quick but larger than one block.
    fn specs() -> Vec<GeneratorSpec> {
        let weights = Some(Weights { lo: 3, hi: 9 });
        [
            Generator::Kron(KronConfig { scale: 12, edge_factor: 32 }),
            Generator::Urand(UrandConfig { scale: 13, degree: 20 }),
            Generator::Grid(GridConfig { rows: 300, cols: 250 }),
        ]
        .into_iter()
        .map(|generator| GeneratorSpec { generator, seed: 42, weights })
        .collect()
    }

    fn on_threads(k: usize, spec: &GeneratorSpec) -> EdgeList {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(k).build().unwrap();
        pool.install(|| generate(spec).unwrap())
    }

    #[test]
    fn same_seed_same_edges_at_1_2_and_4_threads() {
        for spec in specs() {
            let one = on_threads(1, &spec);
            assert!(one.len() > BLOCK_EDGES, "{spec:?} should span several blocks");
            assert_eq!(one, on_threads(2, &spec), "{spec:?}");
            assert_eq!(one, on_threads(4, &spec), "{spec:?}");
        }
    }

    #[test]
    fn counts_and_weights() {
        for spec in specs() {
            let edges = generate(&spec).unwrap();
            let (n, m) = spec.size().unwrap();
            assert_eq!((edges.num_nodes, edges.len() as u64), (n, m));
            assert!(!edges.directed);
            assert_eq!(edges.first_out_of_range(), None);
            let w = edges.weights.as_ref().unwrap();
            assert!(w.iter().all(|w| (3..=9).contains(w)));
            assert!((3..=9).all(|x| w.contains(&x)), "every weight in range should occur");
        }
    }

    #[test]
    fn random_generators_depend_on_the_seed() {
        for spec in specs().into_iter().filter(|s| !matches!(s.generator, Generator::Grid(_))) {
            let other = GeneratorSpec { seed: spec.seed + 1, ..spec };
            assert_ne!(generate(&spec).unwrap().edges, generate(&other).unwrap().edges);
        }
    }

    #[test]
    fn weights_are_drawn_from_the_seed_even_on_a_grid() {
        let spec = specs().pop().unwrap();
        let other = GeneratorSpec { seed: 7, ..spec };
        let (a, b) = (generate(&spec).unwrap(), generate(&other).unwrap());
        assert_eq!(a.edges, b.edges);
        assert_ne!(a.weights, b.weights);
    }

    #[test]
    fn full_range_weights_and_single_weight() {
        let grid = Generator::Grid(GridConfig { rows: 10, cols: 10 });
        let all = GeneratorSpec { weights: Some(Weights { lo: 0, hi: u32::MAX }), ..GeneratorSpec::new(grid) };
        let w = generate(&all).unwrap().weights.unwrap();
        assert!(w.iter().any(|&x| x > u32::MAX / 2) && w.iter().any(|&x| x < u32::MAX / 2));
        let one = GeneratorSpec { weights: Some(Weights { lo: 5, hi: 5 }), ..all };
        assert!(generate(&one).unwrap().weights.unwrap().iter().all(|&x| x == 5));
    }

    #[test]
    fn empty_weight_range_is_an_error() {
        assert!(Weights::new(5, 1).is_err());
        let spec = GeneratorSpec {
            weights: Some(Weights { lo: 5, hi: 1 }),
            ..GeneratorSpec::new(Generator::Grid(GridConfig { rows: 2, cols: 2 }))
        };
        let err = generate(&spec).unwrap_err().to_string();
        assert!(err.contains("5..1"), "{err}");
    }

    #[test]
    fn streamed_into_the_builder_is_the_same_graph() {
        use crate::graph::{Budget, BuildOptions, Csr};
        for spec in specs() {
            let (n, m) = spec.size().unwrap();
            let want = Csr::from_edges(&generate(&spec).unwrap(), BuildOptions::undirected());
            let b = Builder::new(n, true, BuildOptions::undirected(), m, &Budget::default(), None).unwrap();
            generate_into(&spec, &b, &|_| {}).unwrap();
            let got = b.finish(BuildOptions::undirected().props(), None).unwrap();
            assert_eq!((got.offsets(), got.targets(), got.weights()), (want.offsets(), want.targets(), want.weights()));
        }
    }
}
