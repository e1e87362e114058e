//! The files of a result written in parts: each worker's `part-W.bin` (the format below) and
//! process 0's `result.json` ([`ResultManifest`]).
//!
//! A part file is little-endian: the magic `CGPART01`, then `u32` kind (1 labels, 2 ranks, 3
//! forest edges), `u32` worker, `u32` workers, `u64` graph nodes, `u64` first node, `u64` step,
//! `u64` count, then `count` values: position `i` is node `first + i * step` (a balanced
//! partition's range has step 1; the modulo partition's nodes `w, w + W, ...` have step `W`), a
//! `u32` label or an `f32` rank; forest parts hold `count` edges as three `u32` each (`u < v`,
//! weight).

use std::io::{BufWriter, Write};

use serde::{Deserialize, Serialize};

use super::outcome::Part;
use crate::io::checksum::Sha256Writer;

/// The manifest's file name in an output folder.
pub const RESULT: &str = "result.json";

/// What the manifest's `format` field says.
pub const FORMAT: &str = "costgraph-result";

/// The first bytes of a part file.
pub(super) const MAGIC: &[u8; 8] = b"CGPART01";

/// Bytes of a part file's header.
pub(super) const HEADER: usize = 8 + 4 * 3 + 8 * 4;

/// `DIR/result.json`: a written result and its parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultManifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// `cc`, `msf` or `pagerank`.
    pub problem: String,
    /// The implementation that computed it.
    pub implementation: String,
    /// The graph's node count.
    pub nodes: u64,
    /// The graph's arc count.
    pub arcs: u64,
    /// The result's summary.
    pub summary: serde_json::Value,
    /// The result's digest.
    pub digest: String,
    /// For ranks: iterations run, the last change and the damping (the ranks' metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranks: Option<(u32, f64, f64)>,
    /// The parts, worker 0 first.
    pub parts: Vec<PartEntry>,
}

/// One part in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartEntry {
    /// Its file name, in the manifest's folder.
    pub file: String,
    /// The process that wrote it.
    pub process: usize,
    /// Its first node (labels, ranks).
    pub first: u64,
    /// The distance between its consecutive nodes.
    pub step: u64,
    /// Its values (nodes, or forest edges).
    pub count: u64,
    /// The SHA-256 of its file (lowercase hex).
    pub sha256: String,
}

/// Writes one part (header, values) to `out`; returns the SHA-256 of the bytes written.
pub(super) fn write_part(
    out: &mut std::fs::File,
    part: &Part<'_>,
    worker: usize,
    workers: usize,
    nodes: u64,
    first: u64,
    step: u64,
) -> std::io::Result<String> {
    let mut out = Sha256Writer::new(BufWriter::with_capacity(1 << 20, out));
    out.write_all(MAGIC)?;
    for x in [part.kind(), worker as u32, workers as u32] {
        out.write_all(&x.to_le_bytes())?;
    }
    for x in [nodes, first, step, part.count() as u64] {
        out.write_all(&x.to_le_bytes())?;
    }
    match part {
        Part::Labels(labels) => labels.iter().try_for_each(|l| out.write_all(&l.to_le_bytes()))?,
        Part::Ranks { ranks, .. } => ranks.iter().try_for_each(|r| out.write_all(&r.to_le_bytes()))?,
        Part::Forest(edges) => edges.iter().try_for_each(|&(u, v, w)| {
            out.write_all(&u.min(v).to_le_bytes())?;
            out.write_all(&u.max(v).to_le_bytes())?;
            out.write_all(&w.to_le_bytes())
        })?,
    }
    let (mut inner, sha256) = out.finish();
    inner.flush()?;
    Ok(sha256)
}

/// Whether `path` is a part file costgraph wrote for worker `worker` (its magic, and its header's
/// worker): an earlier result's part, which a new one may replace. Nothing else in an output
/// folder is ever replaced or removed.
pub(super) fn is_part_of(path: &std::path::Path, worker: usize) -> bool {
    let mut header = [0u8; HEADER];
    let read = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header)).is_ok();
    read && &header[..8] == MAGIC && u32::from_le_bytes(header[12..16].try_into().expect("4 bytes")) as usize == worker
}

/// Whether `path` is a result manifest costgraph wrote (a regular file that reads as one).
pub(super) fn is_result_manifest(path: &std::path::Path) -> bool {
    crate::io::file::read_text(path, 256 << 20, "a result manifest")
        .ok()
        .and_then(|text| serde_json::from_str::<ResultManifest>(&text).ok())
        .is_some_and(|m| m.format == FORMAT)
}
