//! A graph cut into shards for a cluster (`costgraph shard G.cgr --parts P -o DIR`): `P` `.cgr`
//! shard files, each the contiguous node range one process owns with its out-arcs, weights and
//! original ids ([`cgr::write_shard`]), and a manifest, `DIR/manifest.json`, with the whole
//! graph's identity (SHA-256, counts, flags) and each shard's range, arc count and SHA-256.
//!
//! The ranges are the balanced ones of the timely partition ([`balanced_bounds`]: about the same
//! `arcs + nodes` each), so a shard is exactly one process's share. [`open_part`] is how a process
//! of a cluster opens its shard: the file's SHA-256, range and counts must match the manifest's
//! entry, and the shard is validated like any `.cgr` file; anything else is refused with one
//! message naming the file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cgr;
use super::checksum::sha256_file;
use crate::graph::{Budget, GraphProps, Shard, balanced_bounds};
use crate::{Error, Result};

/// The manifest's file name inside a shard folder.
pub const MANIFEST: &str = "manifest.json";

/// What the manifest's `format` field says.
pub const FORMAT: &str = "costgraph-shards";

/// The manifest version this build writes and reads.
pub const VERSION: u32 = 1;

/// The most parts a graph may be cut into (as many as a cluster may have processes).
pub const MAX_PARTS: usize = 1024;

/// Memory the cut holds besides the mapped graph: the write buffer and a block of offsets.
const WORKING_BYTES: u64 = (1 << 20) + (1 << 16) * 8;

/// `DIR/manifest.json`: the whole graph and its shards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The file name of the graph that was cut.
    pub graph: String,
    /// Its SHA-256 (lowercase hex).
    pub graph_sha256: String,
    /// Its node count.
    pub nodes: u64,
    /// Its arc count.
    pub arcs: u64,
    /// How it stores its arcs.
    pub props: GraphProps,
    /// Whether it has edge weights.
    pub weighted: bool,
    /// Whether it has original ids.
    pub original_ids: bool,
    /// The number of shards.
    pub parts: usize,
    /// The shards, part 0 first: consecutive node ranges covering `0..nodes`.
    pub shards: Vec<ShardEntry>,
}

/// One shard in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardEntry {
    /// Its file name, in the manifest's folder.
    pub file: String,
    /// Its first node.
    pub first: u64,
    /// Its node count.
    pub nodes: u64,
    /// Its arc count (the out-arcs of its nodes).
    pub arcs: u64,
    /// The SHA-256 of its file (lowercase hex).
    pub sha256: String,
}

/// Cuts the `.cgr` graph at `graph` into `parts` shards written to `dir` (created when missing),
/// then writes the manifest. The graph is validated whole first (symmetry included), then read
/// once, range by range, from its memory map (its pages handed back after each shard), so the
/// memory held is a bounded buffer, checked against `budget`. Every file appears atomically; on
/// failure or interruption the shards already written are removed. An earlier cut in `dir` is
/// replaced: its manifest goes first, and so do its shards that this cut does not rewrite.
/// `O(n + m)` time.
pub fn write_shards(graph: &Path, parts: usize, dir: &Path, budget: &Budget) -> Result<Manifest> {
    if parts == 0 || parts > MAX_PARTS {
        return Err(Error::invalid(format!("--parts must be between 1 and {MAX_PARTS}, not {parts}")));
    }
    budget.check("cutting a graph into shards", WORKING_BYTES)?;
    let csr = cgr::open(graph)?;
    csr.release_mapped_pages();
    let graph_sha256 = sha256_file(graph)?;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::invalid(format!(
            "{}: the shards' output (-o) must be a folder, and this is an existing file",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    remove_previous_cut(dir, parts)?;
    let bounds = balanced_bounds(csr.offsets(), parts);
    let mut written: Vec<PathBuf> = Vec::new();
    // Until the manifest is written, an interruption removes the shards written so far.
    let mut registered = Vec::with_capacity(parts);
    let mut shards = Vec::with_capacity(parts);
    let bar = crate::progress::bar(parts as u64, "writing shards", false);
    for part in 0..parts {
        let file = format!("part-{part}.cgr");
        let path = dir.join(&file);
        let range = bounds[part] as usize..bounds[part + 1] as usize;
        let (arcs, sha256) = match cgr::write_shard(&csr, range.clone(), &path) {
            Ok(done) => done,
            Err(e) => {
                remove_all(&written);
                return Err(e);
            }
        };
        registered.push(crate::cleanup::register(&path));
        written.push(path);
        csr.release_mapped_pages();
        shards.push(ShardEntry { file, first: range.start as u64, nodes: range.len() as u64, arcs, sha256 });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        graph: graph.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        graph_sha256,
        nodes: csr.num_nodes() as u64,
        arcs: csr.num_arcs(),
        props: csr.props(),
        weighted: csr.is_weighted(),
        original_ids: csr.original_ids().is_some(),
        parts,
        shards,
    };
    let path = dir.join(MANIFEST);
    let written_manifest = super::write_atomically(&path, |out| {
        serde_json::to_writer_pretty(&mut *out, &manifest)?;
        out.write_all(b"\n")
    });
    if let Err(e) = written_manifest {
        remove_all(&written);
        return Err(e);
    }
    drop(registered);
    Ok(manifest)
}

/// Makes room in `dir` for a new cut into `parts` parts without touching anything costgraph did
/// not write: an earlier cut there is removed (its manifest and every shard it lists) only when it
/// is costgraph's own — its manifest reads and every file it lists has the SHA-256 it records.
/// A file the new cut would write (`manifest.json`, `part-I.cgr`) that is not part of such a cut
/// refuses the whole cut, with nothing touched.
fn remove_previous_cut(dir: &Path, parts: usize) -> Result<()> {
    let path = dir.join(MANIFEST);
    let mut own: Vec<PathBuf> = Vec::new();
    if path.exists() {
        let refuse = |why: String| {
            Error::invalid(format!(
                "{}: the folder holds a {MANIFEST} that is not a shard set costgraph wrote ({why}); nothing was \
                 changed: choose an empty folder, or remove it yourself",
                dir.display()
            ))
        };
        let old = read_manifest(dir).map_err(|e| refuse(e.to_string()))?;
        for entry in &old.shards {
            let file = dir.join(&entry.file);
            let sha = sha256_file(&file).map_err(|e| refuse(e.to_string()))?;
            if sha != entry.sha256 {
                return Err(refuse(format!("{} is not the file the manifest lists", file.display())));
            }
            own.push(file);
        }
        own.push(path.clone());
    }
    for part in 0..parts {
        let file = dir.join(format!("part-{part}.cgr"));
        if file.exists() && !own.contains(&file) {
            return Err(Error::invalid(format!(
                "{}: {} is not part of a shard set costgraph wrote there; nothing was changed: choose an empty \
                 folder, or remove it yourself",
                dir.display(),
                file.display()
            )));
        }
    }
    for file in &own {
        std::fs::remove_file(file).or_else(ignore_missing).map_err(|e| Error::io(file, e))?;
    }
    Ok(())
}

fn ignore_missing(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) }
}

fn remove_all(paths: &[PathBuf]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// Reads and checks `dir/manifest.json`: its format and version, one entry per part, plain file
/// names (no folders), consecutive ranges covering every node, arc counts summing to the graph's.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = super::file::read_text(&path, 64 << 20, "a shard manifest")?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| Error::format(&path, format!("not a shard manifest: {e}")))?;
    manifest.check().map_err(|msg| Error::format(&path, msg))?;
    Ok(manifest)
}

impl Manifest {
    fn check(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("format is '{}', expected '{FORMAT}'", self.format));
        }
        if self.version != VERSION {
            return Err(format!("manifest version {} (this costgraph reads version {VERSION})", self.version));
        }
        if self.parts != self.shards.len() || self.parts == 0 {
            return Err(format!("{} part(s) but {} shard entries", self.parts, self.shards.len()));
        }
        let mut next = 0u64;
        let mut arcs = 0u64;
        for (i, s) in self.shards.iter().enumerate() {
            if s.file.is_empty() || s.file.contains(['/', '\\']) || s.file.starts_with('.') {
                return Err(format!("part {i}: '{}' is not a plain file name", s.file));
            }
            if s.first != next {
                return Err(format!("part {i} starts at node {} but the previous part ends at {next}", s.first));
            }
            next = s.first.saturating_add(s.nodes);
            arcs = arcs.saturating_add(s.arcs);
        }
        if next != self.nodes || arcs != self.arcs {
            return Err(format!(
                "the parts hold {next} nodes and {arcs} arcs, the graph {} and {}",
                self.nodes, self.arcs
            ));
        }
        Ok(())
    }
}

/// Opens part `part` of the shards in `dir` described by `manifest` (from [`read_manifest`]) for a
/// cluster of `parts` processes: refused unless the manifest has exactly `parts` parts, the file's
/// SHA-256 is the manifest's, and the validated shard holds the manifest's range and counts of the
/// manifest's graph. Reads only that shard's file (twice: once to hash, once mapped).
pub fn open_part(dir: &Path, manifest: &Manifest, part: usize, parts: usize) -> Result<Shard> {
    let manifest_path = dir.join(MANIFEST);
    if manifest.parts != parts {
        return Err(Error::format(
            &manifest_path,
            format!("the graph is cut into {} part(s) but the cluster has {parts} process(es)", manifest.parts),
        ));
    }
    let entry = manifest.shards.get(part).ok_or_else(|| {
        Error::format(&manifest_path, format!("no part {part} (the manifest has {})", manifest.parts))
    })?;
    let path = dir.join(&entry.file);
    let sha256 = sha256_file(&path)?;
    if sha256 != entry.sha256 {
        return Err(Error::format(
            &path,
            format!(
                "SHA-256 {sha256} is not the manifest's {} for part {part}: the shard is corrupt or from another cut",
                entry.sha256
            ),
        ));
    }
    let shard = cgr::open_shard(&path)?;
    let held = (shard.first() as u64, shard.num_local() as u64, shard.num_nodes() as u64, shard.num_arcs());
    let listed = (entry.first, entry.nodes, manifest.nodes, entry.arcs);
    if held != listed
        || shard.props() != manifest.props
        || shard.is_weighted() != manifest.weighted
        || shard.original_ids().is_some() != manifest.original_ids
    {
        return Err(Error::format(
            &path,
            format!(
                "holds nodes {}..{} of {} with {} arcs, but the manifest's part {part} is nodes {}..{} of {} with {} arcs \
                 (or other flags)",
                held.0,
                held.0 + held.1,
                held.2,
                held.3,
                listed.0,
                listed.0 + listed.1,
                listed.2,
                listed.3
            ),
        ));
    }
    Ok(shard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, Csr, EdgeList};

    fn graph(dir: &Path, directed: bool) -> PathBuf {
        let edges = vec![(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 6), (0, 6), (2, 2)];
        let mut e = EdgeList::new(8, edges, directed).with_weights(vec![3, 1, 4, 1, 5, 9, 2, 6]);
        e.original_ids = Some((0..8).map(|i| 100 + i).collect());
        let options = if directed { BuildOptions::directed() } else { BuildOptions::undirected() };
        let path = dir.join(if directed { "d.cgr" } else { "u.cgr" });
        cgr::write(&Csr::from_edges(&e, options), &path).unwrap();
        path
    }

    #[test]
    fn shards_hold_the_graph_in_parts() {
        let dir = tempfile::tempdir().unwrap();
        for directed in [false, true] {
            let path = graph(dir.path(), directed);
            let g = cgr::open(&path).unwrap();
            for parts in [1, 2, 3, 8, 9] {
                let out = dir.path().join(format!("s{directed}{parts}"));
                let m = write_shards(&path, parts, &out, &Budget::default()).unwrap();
                assert_eq!(read_manifest(&out).unwrap(), m);
                assert_eq!(m.graph_sha256, sha256_file(&path).unwrap());
                for part in 0..parts {
                    let s = open_part(&out, &m, part, parts).unwrap();
                    assert_eq!(s.num_nodes(), 8);
                    for u in s.nodes() {
                        assert_eq!(s.neighbors(u), g.neighbors(u));
                        assert!(s.weighted_neighbors(u).eq(g.weighted_neighbors(u)));
                        assert_eq!(s.original_ids().unwrap()[(u - s.first()) as usize], g.original_id(u));
                    }
                }
                let err = open_part(&out, &m, 0, parts + 1).unwrap_err().to_string();
                assert!(err.contains("process(es)"), "{err}");
                // A shard is not a whole graph.
                if parts > 1 {
                    let err = cgr::open(out.join("part-0.cgr")).unwrap_err().to_string();
                    assert!(err.contains("is a shard"), "{err}");
                }
            }
        }
    }

    #[test]
    fn a_shard_that_does_not_match_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = graph(dir.path(), false);
        let out = dir.path().join("s");
        let m = write_shards(&path, 2, &out, &Budget::default()).unwrap();
        // Part 1's file where part 0's should be.
        std::fs::copy(out.join("part-1.cgr"), out.join("part-0.cgr")).unwrap();
        let err = open_part(&out, &m, 0, 2).unwrap_err().to_string();
        assert!(err.contains("is not the manifest's"), "{err}");
        // A manifest whose hash was edited to match, but whose range does not.
        let mut lying = m.clone();
        lying.shards[0].sha256 = m.shards[1].sha256.clone();
        let err = open_part(&out, &lying, 0, 2).unwrap_err().to_string();
        assert!(err.contains("holds nodes"), "{err}");
        // A manifest whose ranges do not cover the graph.
        let mut bad = m.clone();
        bad.shards[1].first += 1;
        std::fs::write(out.join(MANIFEST), serde_json::to_string(&bad).unwrap()).unwrap();
        let err = read_manifest(&out).unwrap_err().to_string();
        assert!(err.contains("starts at node"), "{err}");
        assert!(write_shards(&path, 0, &out, &Budget::default()).is_err());
        // A folder whose manifest does not check out is not costgraph's to replace.
        let err = write_shards(&path, 3, &out, &Budget::default()).unwrap_err().to_string();
        assert!(err.contains("nothing was changed"), "{err}");
        assert!(out.join("part-1.cgr").exists());
        // costgraph's own earlier cut is replaced by a new one, here into more and then fewer parts.
        let out = dir.path().join("fresh");
        write_shards(&path, 2, &out, &Budget::default()).unwrap();
        let three = write_shards(&path, 3, &out, &Budget::default()).unwrap();
        assert_eq!(read_manifest(&out).unwrap(), three);
        write_shards(&path, 1, &out, &Budget::default()).unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, [MANIFEST, "part-0.cgr"]);
    }

    #[test]
    fn a_corrupt_shard_header_is_refused_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = graph(dir.path(), true);
        let out = dir.path().join("s");
        write_shards(&path, 2, &out, &Budget::default()).unwrap();
        let part = out.join("part-1.cgr");
        let bytes = std::fs::read(&part).unwrap();
        let header = cgr::Header::decode(&bytes, bytes.len() as u64).unwrap();
        let (first, total) = header.shard.unwrap();
        for (shard, want) in [((first, first), "runs past"), ((first, u32::MAX), "u32 ids")] {
            let mut b = bytes.clone();
            b[..cgr::HEADER_LEN].copy_from_slice(&cgr::Header { shard: Some(shard), ..header.clone() }.encode());
            std::fs::write(&part, &b).unwrap();
            let err = cgr::open_shard(&part).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
        // A target past the whole graph, with a valid header.
        let mut b = bytes.clone();
        let at = header.sections[1].0 as usize;
        b[at..at + 4].copy_from_slice(&total.to_le_bytes());
        std::fs::write(&part, &b).unwrap();
        let err = cgr::open_shard(&part).unwrap_err().to_string();
        assert!(err.contains("not below the node count"), "{err}");
    }
}
