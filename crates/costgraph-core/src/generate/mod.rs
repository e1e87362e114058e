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

mod driver;
mod edge_weights;
mod grid;
mod kron;
mod model;
mod reweight;
mod rng;
mod spec;
mod urand;

pub use driver::{BLOCK_EDGES, generate, generate_into, generate_with_progress};
pub use edge_weights::{DEFAULT_RANDOM_RANGE, EdgeWeights};
pub use grid::GridConfig;
pub use kron::{GRAPH500_EDGE_FACTOR, KronConfig};
pub use reweight::add_edge_weights;
pub use rng::Rng;
pub use spec::{DEFAULT_SEED, Generator, GeneratorSpec, Weights};
pub use urand::UrandConfig;
