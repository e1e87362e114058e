//! LAW WebGraph (BVGraph) files through the `webgraph` crate: `BASE.graph` (the compressed bit
//! stream, big-endian as LAW ships it) and `BASE.properties`, read sequentially (no `.offsets` or
//! `.ef` file needed). Either file may be named. When the named file is `.gz`/`.zst`-compressed,
//! both files (`BASE.properties` may be plain or compressed the same way) are decompressed into a
//! temporary folder first.

use std::path::Path;

use crate::{Error, Result};

/// The arcs of a BVGraph as `(source, target)` pairs, with its node count.
#[cfg(feature = "webgraph")]
pub(crate) fn read(path: &Path) -> Result<(u64, Vec<(u64, u64)>)> {
    use lender::Lender;
    use webgraph::prelude::{BvGraphSeq, SequentialLabeling};

    let (graph_file, _scratch) = locate(path)?;
    let fail = |e: anyhow::Error| Error::format(path, format!("cannot read the WebGraph: {e:#}"));
    // `with_basename` swaps the extension, so `BASE.graph` also works when BASE contains dots.
    let graph = BvGraphSeq::with_basename(&graph_file).load().map_err(fail)?;
    let n = graph.num_nodes() as u64;
    let mut raw = Vec::with_capacity(graph.get_num_arcs().unwrap_or(0) as usize);
    let mut nodes = graph.iter();
    while let Some((src, successors)) = nodes.next() {
        for dst in successors {
            if dst as u64 >= n {
                return Err(Error::format(
                    path,
                    format!("arc {src} -> {dst} points past the {n} nodes: corrupt graph"),
                ));
            }
            raw.push((src as u64, dst as u64));
        }
    }
    Ok((n, raw))
}

/// Without the `webgraph` feature, WebGraph files cannot be read.
#[cfg(not(feature = "webgraph"))]
pub(crate) fn read(path: &Path) -> Result<(u64, Vec<(u64, u64)>)> {
    Err(Error::format(path, "WebGraph support not built (rebuild costgraph with the `webgraph` feature)"))
}

/// Finds `BASE.graph` for a named `.graph` or `.properties` file, decompressing both into a
/// temporary folder (returned, to keep it alive) when the named file is compressed.
#[cfg(feature = "webgraph")]
fn locate(path: &Path) -> Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    use super::compress::{Compression, decompress};

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
        let file = std::fs::File::open(&source).map_err(|e| Error::io(&source, e))?;
        let kind = Compression::detect(&source, &[]);
        let bytes = decompress(&source, file, kind)?;
        let target = scratch.path().join(format!("graph.{ext}"));
        std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))?;
    }
    Ok((scratch.path().join("graph.graph"), Some(scratch)))
}
