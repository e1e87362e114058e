//! A graph written in other systems' input formats, carrying every node (isolated ones included,
//! which a plain edge list cannot), so an external system reads exactly the graph costgraph does:
//!
//! - Matrix Market (`.mtx`): `coordinate pattern|integer symmetric|general`, the size line
//!   `n n lines`, then 1-based dense ids (each undirected edge once, row ≥ column);
//! - LDBC Graphalytics (`NAME.v` + `NAME.e`): every node's id, one per line, then `src dst [w]`
//!   per edge (each undirected edge once), in the input's own ids;
//! - gapbs serialized graphs (`.sg`, `.wsg`: `bool directed`, `i64` arcs, `i64` nodes, `i64`
//!   offsets `[n + 1]`, then `i32` targets, or `{i32 target, i32 weight}` pairs), the layout of
//!   gapbs's `WriteSerializedGraph`;
//! - GBBS binary graphs (`-b`: three `i64` — nodes, arcs, file size — `u64` offsets `[n + 1]`,
//!   then `u32` targets, or per arc the `{i32 weight, u32 target}` tuple as libstdc++ lays it out;
//!   weights above `i32::MAX` are all mapped by `w ^ 0x8000_0000`, which keeps their order).
//!
//! gapbs and GBBS load these files as they are, without the cleaning their own builders do, so
//! self loops are left out of them (their builders drop them). Every file is written atomically.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::write_atomically;
use crate::graph::{Csr, NodeId, Weight};
use crate::{Error, Result};

/// Writes `csr` as Matrix Market at `path` (weights as integers when `weighted`).
pub fn write_mtx(csr: &Csr, path: &Path, weighted: bool) -> Result<()> {
    check_weights(csr, path, weighted)?;
    let symmetric = !csr.props().directed;
    let lines = (0..csr.num_nodes() as NodeId)
        .map(|u| csr.neighbors(u).iter().filter(|&&v| !symmetric || v <= u).count() as u64)
        .sum::<u64>();
    write_atomically(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let field = if weighted { "integer" } else { "pattern" };
        let shape = if symmetric { "symmetric" } else { "general" };
        writeln!(out, "%%MatrixMarket matrix coordinate {field} {shape}")?;
        writeln!(out, "{n} {n} {lines}", n = csr.num_nodes())?;
        for u in 0..csr.num_nodes() as NodeId {
            for (v, w) in csr.weighted_neighbors(u).filter(|&(v, _)| !symmetric || v <= u) {
                match weighted {
                    true => writeln!(out, "{} {} {w}", u + 1, v + 1)?,
                    false => writeln!(out, "{} {}", u + 1, v + 1)?,
                }
            }
        }
        out.flush()
    })
}

/// Writes `csr` as LDBC Graphalytics files `edges` (the `.e` path) and its `.v` beside it (the same
/// name with `.v`), in the input's ids; returns the `.v` path.
pub fn write_graphalytics(csr: &Csr, edges: &Path, weighted: bool) -> Result<PathBuf> {
    check_weights(csr, edges, weighted)?;
    let vertices = edges.with_extension("v");
    write_atomically(&vertices, |file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        for u in 0..csr.num_nodes() as NodeId {
            writeln!(out, "{}", csr.original_id(u))?;
        }
        out.flush()
    })?;
    write_atomically(edges, |out| super::write::write_to(csr, weighted, out))?;
    Ok(vertices)
}

/// Writes the graph as a gapbs serialized graph: `.sg`, or `.wsg` with its weights when `weighted`.
pub fn write_gapbs(csr: &Csr, path: &Path, weighted: bool) -> Result<()> {
    check_weights(csr, path, weighted)?;
    if csr.num_nodes() >= i32::MAX as usize {
        return Err(Error::format(path, "gapbs node ids are 32-bit signed: the graph has too many nodes"));
    }
    if weighted && csr.weights().is_some_and(|w| w.iter().any(|&w| w > i32::MAX as Weight)) {
        return Err(Error::format(path, "gapbs weights are 32-bit signed: the graph has larger ones"));
    }
    let offsets = offsets_without_loops(csr);
    write_atomically(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 22, file);
        out.write_all(&[u8::from(csr.props().directed)])?;
        out.write_all(&(offsets[csr.num_nodes()] as i64).to_le_bytes())?;
        out.write_all(&(csr.num_nodes() as i64).to_le_bytes())?;
        for &o in &offsets {
            out.write_all(&(o as i64).to_le_bytes())?;
        }
        for u in 0..csr.num_nodes() as NodeId {
            for (v, w) in arcs(csr, u) {
                out.write_all(&(v as i32).to_le_bytes())?;
                if weighted {
                    out.write_all(&(w as i32).to_le_bytes())?;
                }
            }
        }
        out.flush()
    })
}

/// Writes the graph as a GBBS binary graph (`-b`), with its weights when `weighted`.
pub fn write_gbbs(csr: &Csr, path: &Path, weighted: bool) -> Result<()> {
    check_weights(csr, path, weighted)?;
    let flip = match csr.weights() {
        Some(w) if weighted && w.iter().any(|&w| w > i32::MAX as Weight) => 0x8000_0000,
        _ => 0,
    };
    let offsets = offsets_without_loops(csr);
    let (n, m) = (csr.num_nodes() as u64, offsets[csr.num_nodes()]);
    let size = 24 + 8 * (n + 1) + if weighted { 8 } else { 4 } * m;
    write_atomically(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 22, file);
        for x in [n, m, size] {
            out.write_all(&(x as i64).to_le_bytes())?;
        }
        for &o in &offsets {
            out.write_all(&o.to_le_bytes())?;
        }
        for u in 0..csr.num_nodes() as NodeId {
            for (v, w) in arcs(csr, u) {
                if weighted {
                    out.write_all(&((w ^ flip) as i32).to_le_bytes())?;
                }
                out.write_all(&v.to_le_bytes())?;
            }
        }
        out.flush()
    })
}

/// Refuses to write weights the graph does not have.
fn check_weights(csr: &Csr, path: &Path, weighted: bool) -> Result<()> {
    if weighted && !csr.is_weighted() {
        return Err(Error::format(path, "the graph has no weights to write"));
    }
    Ok(())
}

/// The arcs of `u` other than self loops, with their weights (1 when unweighted).
fn arcs(csr: &Csr, u: NodeId) -> impl Iterator<Item = (NodeId, Weight)> + '_ {
    csr.weighted_neighbors(u).filter(move |&(v, _)| v != u)
}

/// Offsets `[n + 1]` of the lists without self loops.
fn offsets_without_loops(csr: &Csr) -> Vec<u64> {
    let mut offsets = Vec::with_capacity(csr.num_nodes() + 1);
    let mut total = 0u64;
    offsets.push(0);
    for u in 0..csr.num_nodes() as NodeId {
        total += arcs(csr, u).count() as u64;
        offsets.push(total);
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, EdgeList};

    /// Nodes 0..5 with 4 isolated, a self loop on 3, original ids ×10.
    fn graph() -> Csr {
        let mut e = EdgeList::new(5, vec![(0, 1), (1, 2), (3, 3)], false).with_weights(vec![5, 6, 7]);
        e.original_ids = Some(vec![10, 20, 30, 40, 50]);
        Csr::from_edges(&e, BuildOptions::undirected())
    }

    #[test]
    fn matrix_market_and_graphalytics_carry_every_node() {
        let dir = tempfile::tempdir().unwrap();
        let (g, mtx, e) = (graph(), dir.path().join("g.mtx"), dir.path().join("g.e"));
        write_mtx(&g, &mtx, true).unwrap();
        let text = std::fs::read_to_string(&mtx).unwrap();
        assert_eq!(text, "%%MatrixMarket matrix coordinate integer symmetric\n5 5 3\n2 1 5\n3 2 6\n4 4 7\n");
        let v = write_graphalytics(&g, &e, false).unwrap();
        assert_eq!(std::fs::read_to_string(v).unwrap(), "10\n20\n30\n40\n50\n");
        assert_eq!(std::fs::read_to_string(&e).unwrap(), "10 20\n20 30\n40 40\n");
        assert!(
            write_mtx(&Csr::from_edges(&EdgeList::new(1, vec![], false), BuildOptions::undirected()), &mtx, true)
                .is_err()
        );
    }

    #[test]
    fn gapbs_and_gbbs_layouts() {
        let dir = tempfile::tempdir().unwrap();
        let g = graph();
        let (sg, wsg, bin) = (dir.path().join("g.sg"), dir.path().join("g.wsg"), dir.path().join("g.bin"));
        write_gapbs(&g, &sg, false).unwrap();
        let bytes = std::fs::read(&sg).unwrap();
        // directed, arcs (4, loop dropped), nodes (5), 6 offsets, 4 targets.
        assert_eq!(bytes.len(), 1 + 8 + 8 + 6 * 8 + 4 * 4);
        assert_eq!((bytes[0], i64::from_le_bytes(bytes[1..9].try_into().unwrap())), (0, 4));
        assert_eq!(i64::from_le_bytes(bytes[9..17].try_into().unwrap()), 5);
        write_gapbs(&g, &wsg, true).unwrap();
        assert_eq!(std::fs::read(&wsg).unwrap().len(), 1 + 8 + 8 + 6 * 8 + 4 * 8);
        write_gbbs(&g, &bin, true).unwrap();
        let bytes = std::fs::read(&bin).unwrap();
        assert_eq!(bytes.len() as i64, i64::from_le_bytes(bytes[16..24].try_into().unwrap()));
        write_gbbs(&g, &bin, false).unwrap();
        assert_eq!(std::fs::read(&bin).unwrap().len(), 24 + 6 * 8 + 4 * 4);
    }
}
