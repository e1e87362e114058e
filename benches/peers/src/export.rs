//! Writes a costgraph graph in the binary input formats of the C++ peers, so that they load exactly
//! the same graph (same node count, so isolated nodes count as components; every undirected edge
//! in both directions; self loops dropped, as their own builders drop them):
//!
//! - gapbs serialized graph (`.sg`, read by every gapbs kernel with `-f G.sg`): `bool directed`,
//!   `i64` arc count, `i64` node count, `i64` offsets `[n + 1]`, `i32` targets — the layout of
//!   gapbs's `WriterBase::WriteSerializedGraph` (src/writer.h);
//! - GBBS weighted binary graph (read with `-b`, `-s`): three `i64` (node count, arc count, file
//!   size), `u64` offsets `[n + 1]` (GBBS built with `GBBSLONG`), then per arc a
//!   `std::tuple<uintE, intE>` as libstdc++ lays it out: the `i32` weight first, then the `u32`
//!   target (gbbs/graph_io.h, `parse_weighted_graph`). GBBS's weights are signed 32-bit: when a
//!   weight exceeds `i32::MAX` every weight is written as `w ^ 0x8000_0000` reinterpreted as `i32`,
//!   a map that keeps their order (so the same forest, whose edge count is what GBBS prints).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, ensure};
use costgraph::graph::{Csr, NodeId};

/// The arcs of `u` other than self loops, with their weights (1 when unweighted).
fn arcs(csr: &Csr, u: NodeId) -> impl Iterator<Item = (NodeId, u32)> + '_ {
    csr.weighted_neighbors(u).filter(move |&(v, _)| v != u)
}

/// Offsets `[n + 1]` of the CSR without self loops.
fn offsets(csr: &Csr) -> Vec<u64> {
    let mut offsets = Vec::with_capacity(csr.num_nodes() + 1);
    let mut total = 0u64;
    offsets.push(0);
    for u in 0..csr.num_nodes() as NodeId {
        total += arcs(csr, u).count() as u64;
        offsets.push(total);
    }
    offsets
}

/// Writes `file` through `write`, removing it if writing fails.
fn write_file(file: &Path, write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<()> {
    let result = File::create(file).and_then(|f| {
        let mut out = BufWriter::with_capacity(1 << 22, f);
        write(&mut out)?;
        out.flush()
    });
    if result.is_err() {
        let _ = std::fs::remove_file(file);
    }
    result.with_context(|| format!("writing {}", file.display()))
}

/// Writes the symmetric graph `csr` as a gapbs `.sg` (unweighted, undirected).
pub fn gapbs_sg(csr: &Csr, file: &Path) -> Result<()> {
    ensure!(csr.is_symmetric(), "gapbs input: the graph must be symmetric");
    ensure!(csr.num_nodes() < i32::MAX as usize, "gapbs node ids are 32-bit signed");
    let offsets = offsets(csr);
    write_file(file, |out| {
        out.write_all(&[0u8])?; // directed = false
        out.write_all(&(offsets[csr.num_nodes()] as i64).to_le_bytes())?;
        out.write_all(&(csr.num_nodes() as i64).to_le_bytes())?;
        for &o in &offsets {
            out.write_all(&(o as i64).to_le_bytes())?;
        }
        for u in 0..csr.num_nodes() as NodeId {
            for (v, _) in arcs(csr, u) {
                out.write_all(&(v as i32).to_le_bytes())?;
            }
        }
        Ok(())
    })
}

/// Writes the symmetric weighted graph `csr` as a GBBS weighted binary graph (see the module
/// documentation for the weight map above `i32::MAX`).
pub fn gbbs_weighted(csr: &Csr, file: &Path) -> Result<()> {
    ensure!(csr.is_symmetric(), "GBBS input: the graph must be symmetric");
    let weights = csr.weights().context("GBBS MSF input: the graph must be weighted")?;
    let flip = if weights.iter().any(|&w| w > i32::MAX as u32) { 0x8000_0000 } else { 0 };
    let offsets = offsets(csr);
    let (n, m) = (csr.num_nodes() as u64, offsets[csr.num_nodes()]);
    let size = 24 + 8 * (n + 1) + 8 * m;
    write_file(file, |out| {
        for x in [n, m, size] {
            out.write_all(&(x as i64).to_le_bytes())?;
        }
        for &o in &offsets {
            out.write_all(&o.to_le_bytes())?;
        }
        for u in 0..csr.num_nodes() as NodeId {
            for (v, w) in arcs(csr, u) {
                out.write_all(&((w ^ flip) as i32).to_le_bytes())?;
                out.write_all(&v.to_le_bytes())?;
            }
        }
        Ok(())
    })
}
