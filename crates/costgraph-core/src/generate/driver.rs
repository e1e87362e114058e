//! The block-parallel driver every generator shares: the edge list is cut into blocks of
//! [`BLOCK_EDGES`] edges, generated in parallel; block `b` draws its endpoints from a generator
//! seeded with `(seed, "edges", b)` and its weights from one seeded with `(seed, "weights", b)`.

use rayon::prelude::*;

use super::model::EdgeModel;
use super::rng::{Rng, Stream};
use super::spec::{Generator, GeneratorSpec, Weights};
use crate::graph::budget::try_zeroed;
use crate::graph::{Builder, EdgeList, NodeId, Weight};
use crate::{Error, Result};

/// Edges per block: the unit of parallel work and of random seeding. Changing it changes the
/// graphs generated for a seed.
pub const BLOCK_EDGES: usize = 1 << 16;

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

/// The block-parallel driver shared by every generator.
fn drive(model: &impl EdgeModel, spec: &GeneratorSpec, progress: &(dyn Fn(u64) + Sync)) -> Result<EdgeList> {
    let (n, m) = model.size();
    let m = usize::try_from(m).map_err(|_| Error::invalid(format!("{m} edges do not fit in memory")))?;
    let mut edges = try_zeroed::<(NodeId, NodeId)>(m, "the generated edges")?;
    let mut weights = match spec.weights {
        Some(_) => Some(try_zeroed::<Weight>(m, "the generated weights")?),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GridConfig, KronConfig, UrandConfig};

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
