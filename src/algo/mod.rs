//! Algorithms on one machine: pure functions on a [`Csr`](crate::graph::Csr), one module per
//! problem, each result type with its verifier beside it (gapbs style).
//!
//! - [`cc`] — connected components;
//! - [`msf`] — minimum spanning forest;
//! - [`pagerank`] — PageRank (vertex order, Hilbert order, rayon).

pub mod cc;
pub mod msf;
pub mod pagerank;
