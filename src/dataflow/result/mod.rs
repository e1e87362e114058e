//! The end of a distributed run: each worker's share of the result (a [`Part`]: its own nodes'
//! labels or ranks, or the forest edges it found) becomes what the job asks for ([`Deliver`]),
//! through one method, [`Context::finish`]:
//!
//! - **gathered** (`--verify`): worker 0 receives the whole result ([`Outcome::Whole`]), `O(n)`
//!   at worker 0, to verify against the whole graph;
//! - **summarised** (the default): the figures `run` reports (components and the largest one; the
//!   forest's weight, edges and trees; the ranks' sum and top node) and the result's
//!   [`Fingerprint`] digest are computed by reductions across the workers ([`Outcome::Summary`]),
//!   so no worker holds more than its own share: the digest equals the gathered result's
//!   ([`Output::digest`]), the figures too (the ranks' sum up to the order of its additions);
//! - **written** (`--output DIR`): every worker writes its part, `DIR/part-W.bin`, and checks it
//!   with what it holds ([`check`](#part-checks)); process 0 then writes `DIR/result.json` (the
//!   [`ResultManifest`]: problem, graph, summary, digest, every part's nodes and SHA-256). Parts
//!   are written to temporary files renamed into place only after every worker's check passed,
//!   and any earlier `result.json` is removed first, so an interrupted or failed run leaves no
//!   manifest and no half-written part. [`verify_parts`] checks the whole result from the parts
//!   against the graph on one machine.
//!
//! # Part checks
//!
//! What a worker can check of its own part, and what only [`verify_parts`] can:
//!
//! - components: every arc of an own node joins two nodes with one label (the ghosts' labels
//!   fetched from their owners), every label is at most its node, and every label's own label is
//!   itself. Together: every label class is a union of components, named by its smallest node.
//!   Not checked: that a class is *one* component (two components wrongly merged) — that needs the
//!   whole graph;
//! - forest: every edge is an arc of the graph with its weight (looked up by the owner of one of
//!   its ends), and the count and weight the summary reports are its edges'. Not checked: that the
//!   edges are acyclic, span every component and are minimal;
//! - ranks: every rank is finite and non-negative, and all ranks sum to 1 within
//!   [`VERIFY_L1`](crate::algo::pagerank::VERIFY_L1). Not checked: that they are the ranks of this
//!   graph (the `f64` reference run needs the whole graph).
//!
//! The part files and the manifest are described in [`part_file`].

mod finish;
mod outcome;
mod part_check;
pub mod part_file;
mod verify;

pub use outcome::{Deliver, Outcome, Part};
pub use part_file::{FORMAT, PartEntry, RESULT, ResultManifest};
pub use verify::verify_parts;
