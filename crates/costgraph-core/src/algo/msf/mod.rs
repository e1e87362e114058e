//! Minimum spanning forest of the undirected view of a weighted graph.
//!
//! Ties are broken by the total order `(weight, min(u, v), max(u, v))`, so the minimum spanning
//! forest is unique and every implementation returns the same edge set.
//!
//! - [`kruskal`] — Kruskal with radix sort, single thread: the COST baseline;
//! - [`boruvka`] — Borůvka, single thread and rayon;
//! - [`verify`] — the verifier every result is checked with;
//! - [`Forest`] — the result, and [`light_bound`], the light-edge threshold both take edges below first.
//!
//! Implementations may assume the graph is weighted: the caller checks the registry's
//! `needs_weights` first and tells the user to add weights (`costgraph generate ... --weights`,
//! `costgraph convert --weighted`).

pub mod boruvka;
mod forest;
pub mod kruskal;
mod light;
pub mod verify;

pub use boruvka::{boruvka, boruvka_par};
pub use forest::{Forest, ForestEdge, ForestSummary};
pub use kruskal::kruskal;
pub use light::light_bound;
pub use verify::verify;
