//! [`verify_parts`]: a result written in parts, read back on one machine and checked against the
//! whole graph.

use std::io::Read;
use std::path::Path;

use super::part_file::{FORMAT, HEADER, MAGIC, RESULT, ResultManifest};
use crate::algo::Output;
use crate::algo::cc::Components;
use crate::algo::msf::{Forest, ForestEdge};
use crate::algo::pagerank::Ranks;
use crate::dataflow::config::{MAX_PROCESSES, MAX_WORKERS};
use crate::graph::Csr;
use crate::io::checksum::sha256_file;
use crate::{Error, Result};

/// Reads `DIR/result.json` and every part it lists, checks each part (its SHA-256, header, and
/// that the parts hold every node once), reassembles the whole result, checks that its summary and
/// digest are the manifest's, and verifies it against `csr` with the problem's verifier. Errors
/// name the file at fault. Memory: the whole result (`O(n)`, or the forest).
pub fn verify_parts(dir: &Path, csr: &Csr) -> Result<(ResultManifest, Output)> {
    let manifest_path = dir.join(RESULT);
    let text = crate::io::file::read_text(&manifest_path, 256 << 20, "a result manifest")?;
    let manifest: ResultManifest = serde_json::from_str(&text)
        .map_err(|e| Error::format(&manifest_path, format!("not a result manifest: {e}")))?;
    let bad = |what: String| Error::format(&manifest_path, what);
    if manifest.format != FORMAT {
        return Err(bad(format!("format is {:?}, not {FORMAT:?}", manifest.format)));
    }
    let n = csr.num_nodes();
    if (manifest.nodes, manifest.arcs) != (n as u64, csr.num_arcs()) {
        return Err(bad(format!(
            "the result is of a graph of {} nodes and {} arcs, not this one ({n} nodes, {} arcs)",
            manifest.nodes,
            manifest.arcs,
            csr.num_arcs()
        )));
    }
    let kind = match manifest.problem.as_str() {
        "cc" => 1,
        "pagerank" => 2,
        "msf" => 3,
        other => return Err(bad(format!("unknown problem {other:?}"))),
    };
    if manifest.parts.is_empty() || manifest.parts.len() > MAX_WORKERS * MAX_PROCESSES {
        return Err(bad(format!("{} parts", manifest.parts.len())));
    }
    let mut values: Vec<u32> = if kind == 3 { Vec::new() } else { crate::graph::budget::try_zeroed(n, "the result")? };
    let mut seen = if kind == 3 { Vec::new() } else { vec![0u64; n.div_ceil(64)] };
    let mut edges: Vec<ForestEdge> = Vec::new();
    for (w, entry) in manifest.parts.iter().enumerate() {
        let path = dir.join(&entry.file);
        let bad = |what: String| Error::format(&path, what);
        if entry.file.contains(['/', '\\']) || entry.file.starts_with('.') {
            return Err(Error::format(&manifest_path, format!("part file name {:?} is not a plain name", entry.file)));
        }
        let sha = sha256_file(&path)?;
        if sha != entry.sha256 {
            return Err(bad(format!(
                "SHA-256 {sha} is not the manifest's {}: the part is corrupted or not this run's",
                entry.sha256
            )));
        }
        let mut bytes = Vec::new();
        crate::io::file::open(&path)?.read_to_end(&mut bytes).map_err(|e| Error::io(&path, e))?;
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(bad("not a costgraph result part".into()));
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let header =
            (u32_at(8), u32_at(12) as usize, u32_at(16) as usize, u64_at(20), u64_at(28), u64_at(36), u64_at(44));
        let expected = (kind, w, manifest.parts.len(), n as u64, entry.first, entry.step, entry.count);
        if header != expected {
            return Err(bad(format!(
                "header (kind, worker, workers, nodes, first, step, count) = {header:?}, the manifest says {expected:?}"
            )));
        }
        let width = if kind == 3 { 12 } else { 4 };
        let body = &bytes[HEADER..];
        if body.len() as u64 != entry.count.saturating_mul(width) {
            return Err(bad(format!("{} bytes of values for {} values of {width} bytes", body.len(), entry.count)));
        }
        if kind == 3 {
            for e in body.chunks_exact(12) {
                let x = |k: usize| u32::from_le_bytes(e[4 * k..4 * k + 4].try_into().expect("4 bytes"));
                edges.push((x(0), x(1), x(2)));
            }
            continue;
        }
        for (i, x) in body.chunks_exact(4).enumerate() {
            let u = entry.first + i as u64 * entry.step;
            if u >= n as u64 || entry.step == 0 || seen[u as usize / 64] & (1 << (u % 64)) != 0 {
                return Err(bad(format!("value {i} is for node {u}, which is beyond the graph or held twice")));
            }
            seen[u as usize / 64] |= 1 << (u % 64);
            values[u as usize] = u32::from_le_bytes(x.try_into().expect("4 bytes"));
        }
    }
    if let Some(u) = (0..n).find(|&u| seen.get(u / 64).is_some_and(|w| w & (1 << (u % 64)) == 0)) {
        return Err(bad(format!("no part holds node {u}")));
    }
    let output = match kind {
        1 => {
            if let Some(u) = (0..n).find(|&u| values[u] as usize > u || values[values[u] as usize] != values[u]) {
                return Err(bad(format!("labels are not canonical: node {u} has label {}", values[u])));
            }
            Output::Components(Components::from_canonical(values))
        }
        2 => {
            let (iterations, last_change, damping) =
                manifest.ranks.ok_or_else(|| bad("the ranks' iterations and damping are missing".into()))?;
            Output::Ranks(Ranks::new(
                values.into_iter().map(f32::from_bits).collect(),
                iterations,
                last_change,
                damping,
            ))
        }
        _ => Output::Forest(Forest::new(edges)),
    };
    if output.digest() != manifest.digest {
        return Err(bad(format!("the parts' digest {} is not the manifest's {}", output.digest(), manifest.digest)));
    }
    let summary = output.summary_json(n);
    if kind != 2 && summary != manifest.summary {
        return Err(bad(format!("the parts' summary {summary} is not the manifest's {}", manifest.summary)));
    }
    output.verify(csr).map_err(|e| Error::invalid(format!("{}: the result is wrong: {e}", dir.display())))?;
    Ok((manifest, output))
}
