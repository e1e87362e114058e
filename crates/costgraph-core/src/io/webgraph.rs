//! LAW WebGraph (BVGraph) files through the `webgraph` crate: `BASE.graph` (the compressed bit
//! stream, big-endian as LAW ships it) and `BASE.properties`, read sequentially (no `.offsets` or
//! `.ef` file needed). Either file may be named. When the named file is `.gz`/`.zst`-compressed,
//! both files (`BASE.properties` may be plain or compressed the same way) are decompressed into a
//! temporary folder first.

use std::path::Path;

use crate::graph::{Budget, BuildOptions, Builder, CsrSink, NodeId};
use crate::{Error, Result};

/// What reading a BVGraph node by node calls, in order.
trait Visit {
    /// Once, first: the node count and the arc count the `.properties` file declares.
    fn start(&mut self, nodes: usize, arcs: u64) -> Result<()>;
    /// Once per node, in node order: its successors, strictly increasing, each below the node count.
    fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()>;
}

/// Decodes the BVGraph at `path` sequentially into `visit`, checking every successor (below the
/// node count, strictly increasing) and the declared arc count. Memory: one successor list.
#[cfg(feature = "webgraph")]
fn decode(path: &Path, visit: &mut dyn Visit) -> Result<()> {
    use lender::Lender;
    use webgraph::prelude::{BvGraphSeq, SequentialLabeling};

    let (graph_file, _scratch) = locate(path)?;
    let fail = |e: anyhow::Error| Error::format(path, format!("cannot read the WebGraph: {e:#}"));
    // `with_basename` swaps the extension, so `BASE.graph` also works when BASE contains dots.
    let graph = BvGraphSeq::with_basename(&graph_file).load().map_err(fail)?;
    let n = crate::graph::check_node_count(graph.num_nodes() as u64)?;
    let m = graph
        .get_num_arcs()
        .ok_or_else(|| Error::format(path, "the .properties file declares no arc count (`arcs=`)"))?;
    visit.start(n, m)?;
    let corrupt = |what: String| Error::format(path, format!("{what}: corrupt graph"));
    let mut successors = Vec::new();
    let mut seen = 0u64;
    let mut nodes = graph.iter();
    while let Some((src, list)) = nodes.next() {
        successors.clear();
        for dst in list {
            if dst >= n {
                return Err(corrupt(format!("arc {src} -> {dst} points past the {n} nodes")));
            }
            if successors.last().is_some_and(|&last| last as usize >= dst) {
                return Err(corrupt(format!("the successors of node {src} are not increasing at {dst}")));
            }
            successors.push(dst as NodeId);
        }
        seen += successors.len() as u64;
        visit.node(src as NodeId, &successors)?;
    }
    if seen != m {
        return Err(corrupt(format!("the .properties file declares {m} arcs but the graph has {seen}")));
    }
    Ok(())
}

/// Without the `webgraph` feature, WebGraph files cannot be read.
#[cfg(not(feature = "webgraph"))]
fn decode(path: &Path, _: &mut dyn Visit) -> Result<()> {
    Err(Error::format(path, "WebGraph support not built (rebuild costgraph with the `webgraph` feature)"))
}

/// The arcs of a BVGraph as `(source, target)` pairs, with its node count: 16 bytes per arc,
/// checked against `budget` first.
pub(crate) fn read(path: &Path, budget: &Budget) -> Result<(u64, Vec<(u64, u64)>)> {
    struct Collect<'a>(&'a Path, &'a Budget, u64, Vec<(u64, u64)>);
    impl Visit for Collect<'_> {
        fn start(&mut self, nodes: usize, arcs: u64) -> Result<()> {
            self.1.check(&format!("{}: the {arcs} arcs as an edge list", self.0.display()), 16 * arcs)?;
            self.2 = nodes as u64;
            self.3.try_reserve_exact(arcs as usize).map_err(|_| Error::invalid("out of memory for the arcs"))
        }
        fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()> {
            self.3.extend(successors.iter().map(|&dst| (src as u64, dst as u64)));
            Ok(())
        }
    }
    let mut collect = Collect(path, budget, 0, Vec::new());
    decode(path, &mut collect)?;
    Ok((collect.2, collect.3))
}

/// Arcs gathered before they are handed on, so that per-node work stays small.
const BATCH_ARCS: usize = 1 << 20;

/// Writes the BVGraph at `path` as a directed graph straight into `out` (a `.cgr` being
/// written), in one pass: BVGraph lists arrive by source, sorted and distinct, which is exactly
/// a CSR's order, so nothing is sorted or spilled. Memory: the writer's `8 (n + 1)` bytes of
/// offsets and one batch of arcs. `drop_self_loops` drops arcs `u -> u`. Returns the node count
/// through `create`, which makes the sink once it is known.
pub(crate) fn write_directed<S: CsrSink>(
    path: &Path,
    drop_self_loops: bool,
    create: impl FnOnce(usize) -> Result<S>,
) -> Result<S> {
    struct Write<S, F> {
        create: Option<F>,
        out: Option<S>,
        drop_self_loops: bool,
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
        fn start(&mut self, nodes: usize, _: u64) -> Result<()> {
            self.out = Some((self.create.take().expect("started once"))(nodes)?);
            Ok(())
        }
        fn node(&mut self, src: NodeId, successors: &[NodeId]) -> Result<()> {
            let before = self.targets.len();
            self.targets.extend(successors.iter().filter(|&&dst| !(self.drop_self_loops && dst == src)));
            self.degrees.push((self.targets.len() - before) as u32);
            if self.targets.len() >= BATCH_ARCS {
                self.flush()?;
            }
            Ok(())
        }
    }
    let mut write =
        Write { create: Some(create), out: None, drop_self_loops, degrees: Vec::new(), targets: Vec::new() };
    decode(path, &mut write)?;
    write.flush()?;
    Ok(write.out.expect("started"))
}

/// Reads the BVGraph at `path` into a [`Builder`] with `build`'s options (for an undirected
/// view: symmetrized, within `budget`, spilling into `spill_in` when it does not fit). Memory: the
/// builder's budget and one batch of arcs.
pub(crate) fn read_into(
    path: &Path,
    build: BuildOptions,
    budget: &Budget,
    spill_in: Option<&Path>,
) -> Result<(Builder, u64)> {
    struct Push<'a> {
        build: BuildOptions,
        budget: &'a Budget,
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
        fn start(&mut self, nodes: usize, arcs: u64) -> Result<()> {
            self.builder = Some(Builder::new(nodes, false, self.build, arcs, self.budget, self.spill_in)?);
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
    let mut push = Push { build, budget, spill_in, builder: None, arcs: Vec::new(), edges: 0 };
    decode(path, &mut push)?;
    push.flush();
    Ok((push.builder.expect("started"), push.edges))
}

/// Finds `BASE.graph` for a named `.graph` or `.properties` file, decompressing both into a
/// temporary folder (returned, to keep it alive) when the named file is compressed.
#[cfg(feature = "webgraph")]
fn locate(path: &Path) -> Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    use super::compress::{Compression, decompress_to_file};

    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let compression = Compression::detect(path, &[]);
    let suffix = match compression {
        Compression::Gzip => ".gz",
        Compression::Zstd => ".zst",
        Compression::None => "",
    };
    let stem = name.strip_suffix(suffix).unwrap_or(name);
    let base = stem.strip_suffix(".graph").or_else(|| stem.strip_suffix(".properties")).unwrap_or(stem);
    let dir = path.parent().unwrap_or(Path::new(""));
    if compression == Compression::None {
        return Ok((dir.join(format!("{base}.graph")), None));
    }
    let scratch = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    for (ext, alternatives) in [("graph", vec![suffix]), ("properties", vec![suffix, ""])] {
        let source = alternatives
            .iter()
            .map(|s| dir.join(format!("{base}.{ext}{s}")))
            .find(|p| p.is_file())
            .unwrap_or_else(|| dir.join(format!("{base}.{ext}{suffix}")));
        let file = super::file::open(&source)?;
        let kind = Compression::detect(&source, &[]);
        decompress_to_file(&source, file, kind, &scratch.path().join(format!("graph.{ext}")))?;
    }
    Ok((scratch.path().join("graph.graph"), Some(scratch)))
}
