//! Algorithms on one machine: pure functions on a [`Csr`](crate::graph::Csr), one module per
//! problem, each result type with its verifier beside it (gapbs style).
//!
//! - [`cc`] — connected components;
//! - [`fingerprint`] — an order-independent digest of a result, computable in parts;
//! - [`msf`] — minimum spanning forest;
//! - [`output`] — [`Output`], the result of any of them, verified, summarised and digested;
//! - [`pagerank`] — PageRank (vertex order, Hilbert order, rayon).

pub mod cc;
pub mod fingerprint;
pub mod msf;
pub mod output;
pub mod pagerank;
pub mod result_text;

pub use output::Output;
