//! Connected components of the undirected view of a graph.
//!
//! Every implementation returns [`Components`] in canonical form: each node is labelled with the
//! smallest node id of its component, so two results compare exactly.

pub mod afforest;
pub mod boruvka_cc;
mod components;
pub mod dsu;
pub mod label_prop;
pub mod union_find;
pub mod verify;

pub use afforest::afforest;
pub use boruvka_cc::boruvka_cc;
pub use components::{Components, ComponentsSummary};
pub use label_prop::{label_prop, label_prop_par};
pub use union_find::union_find;
pub use verify::{oracle, verify};
