//! LAW WebGraph (BVGraph) files through the `webgraph` crate: `BASE.graph` (the compressed bit
//! stream, big-endian as LAW ships it) and `BASE.properties`, read sequentially (no `.offsets` or
//! `.ef` file needed). Either file may be named. When the named file is `.gz`/`.zst`-compressed,
//! both files (`BASE.properties` may be plain or compressed the same way) are decompressed into a
//! temporary folder first.
//!
//! Nothing in the files is trusted: see [`decode`] for how corrupt or hostile input becomes one
//! error instead of a panic, an abort or an allocation past the budget.

#[cfg(feature = "webgraph")]
mod checked;
#[cfg(feature = "webgraph")]
mod decode;
#[cfg(feature = "webgraph")]
mod locate;
#[cfg(feature = "webgraph")]
mod properties;
mod visit;

use std::path::Path;

use visit::Visit;

use crate::graph::{Budget, BuildOptions, Builder, CsrSink, NodeId};
use crate::{Error, Result};

#[cfg(feature = "webgraph")]
use decode::decode;

/// Without the `webgraph` feature, WebGraph files cannot be read.
#[cfg(not(feature = "webgraph"))]
fn decode(path: &Path, _: Option<&Path>, _: &Budget, _: &mut dyn Visit) -> Result<()> {
    Err(Error::format(path, "WebGraph support not built (rebuild costgraph with the `webgraph` feature)"))
}

/// The arcs of a BVGraph as `(source, target)` pairs, with its node count: 16 bytes per arc,
/// checked against `budget` first. A compressed graph is decompressed inside `scratch_in`.
pub(crate) fn read(path: &Path, scratch_in: Option<&Path>, budget: &Budget) -> Result<(u64, Vec<(u64, u64)>)> {
    struct Collect<'a>(&'a Path, u64, Vec<(u64, u64)>);
    impl Visit for Collect<'_> {
        fn start(&mut self, nodes: usize, arcs: u64, budget: &Budget) -> Result<()> {
            budget.check(&format!("{}: the {arcs} arcs as an edge list", self.0.display()), 16 * arcs)?;
            self.1 = nodes as u64;
            self.2.try_reserve_exact(arcs as usize).map_err(|_| Error::invalid("out of memory for the arcs"))
        }
        fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()> {
            self.2.extend(successors.iter().map(|&dst| (src as u64, dst as u64)));
            Ok(())
        }
    }
    let mut collect = Collect(path, 0, Vec::new());
    decode(path, scratch_in, budget, &mut collect)?;
    Ok((collect.1, collect.2))
}

/// Arcs (or nodes) gathered before they are handed on, so that per-node work stays small; less
/// when the budget is tight, but never under [`MIN_BATCH`].
const BATCH_ARCS: usize = 1 << 20;

/// The smallest batch.
const MIN_BATCH: usize = 1 << 12;

/// Writes the BVGraph at `path` as a directed graph straight into `out` (a `.cgr` being
/// written), in one pass: BVGraph lists arrive by source, sorted and distinct, which is exactly
/// a CSR's order, so nothing is sorted or spilled. Memory: the writer's `8 (n + 1)` bytes of
/// offsets and one batch of arcs, checked against `budget`. `drop_self_loops` drops arcs
/// `u -> u`. Returns the node count through `create`, which makes the sink once it is known. A
/// compressed graph is decompressed inside `scratch_in`.
pub(crate) fn write_directed<S: CsrSink>(
    path: &Path,
    scratch_in: Option<&Path>,
    budget: &Budget,
    drop_self_loops: bool,
    create: impl FnOnce(usize) -> Result<S>,
) -> Result<S> {
    struct Write<S, F> {
        create: Option<F>,
        out: Option<S>,
        drop_self_loops: bool,
        batch: usize,
        degrees: Vec<u32>,
        targets: Vec<NodeId>,
    }
    impl<S: CsrSink, F: FnOnce(usize) -> Result<S>> Write<S, F> {
        fn flush(&mut self) -> Result<()> {
            let out = self.out.as_mut().expect("started");
            out.append(&self.degrees, &self.targets, None)?;
            self.degrees.clear();
            self.targets.clear();
            Ok(())
        }
    }
    impl<S: CsrSink, F: FnOnce(usize) -> Result<S>> Visit for Write<S, F> {
        fn start(&mut self, nodes: usize, _: u64, budget: &Budget) -> Result<()> {
            // The writer's offsets, then batches of 4-byte targets and degrees in what is left.
            let offsets = 8 * (nodes as u64 + 1);
            let room = budget.limit().saturating_sub(offsets) / 8;
            self.batch = usize::try_from(room).unwrap_or(usize::MAX).clamp(MIN_BATCH, BATCH_ARCS);
            let held = offsets + 8 * self.batch as u64;
            budget.check("the offsets of the .cgr being written and a batch of arcs", held)?;
            self.out = Some((self.create.take().expect("started once"))(nodes)?);
            Ok(())
        }
        fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()> {
            let before = self.targets.len();
            self.targets.extend(successors.iter().filter(|&&dst| !(self.drop_self_loops && dst == src)));
            self.degrees.push((self.targets.len() - before) as u32);
            if self.targets.len() >= self.batch || self.degrees.len() >= self.batch {
                self.flush()?;
            }
            Ok(())
        }
    }
    let mut write = Write {
        create: Some(create),
        out: None,
        drop_self_loops,
        batch: MIN_BATCH,
        degrees: Vec::new(),
        targets: Vec::new(),
    };
    decode(path, scratch_in, budget, &mut write)?;
    write.flush()?;
    Ok(write.out.expect("started"))
}

/// Reads the BVGraph at `path` into a [`Builder`] with `build`'s options (for an undirected
/// view: symmetrized, within `budget`, spilling into `spill_in` when it does not fit). Memory: the
/// builder's budget and one batch of arcs. A compressed graph is decompressed inside `spill_in`.
pub(crate) fn read_into(
    path: &Path,
    build: BuildOptions,
    budget: &Budget,
    spill_in: Option<&Path>,
) -> Result<(Builder, u64)> {
    struct Push<'a> {
        build: BuildOptions,
        spill_in: Option<&'a Path>,
        builder: Option<Builder>,
        arcs: Vec<(NodeId, NodeId)>,
        edges: u64,
    }
    impl Push<'_> {
        fn flush(&mut self) {
            let mut sink = self.builder.as_ref().expect("started").sink();
            for &(u, v) in &self.arcs {
                sink.push(u, v, 1);
            }
            self.arcs.clear();
        }
    }
    impl Visit for Push<'_> {
        fn start(&mut self, nodes: usize, arcs: u64, budget: &Budget) -> Result<()> {
            self.builder = Some(Builder::new(nodes, false, self.build, arcs, budget, self.spill_in)?);
            Ok(())
        }
        fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()> {
            self.edges += successors.len() as u64;
            self.arcs.extend(successors.iter().map(|&dst| (src, dst)));
            if self.arcs.len() >= BATCH_ARCS {
                self.flush();
            }
            Ok(())
        }
    }
    let mut push = Push { build, spill_in, builder: None, arcs: Vec::new(), edges: 0 };
    decode(path, spill_in, budget, &mut push)?;
    push.flush();
    Ok((push.builder.expect("started"), push.edges))
}
