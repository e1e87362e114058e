//! The `.cgr` binary graph format: one little-endian file, memory-mapped without copying.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "COSTGRPH"
//!      8     4  format version (u32): 2 when the file carries a transpose, else 1
//!     12     4  flags (u32): 1 directed, 2 symmetric, 4 weighted, 8 sorted,
//!                            16 deduplicated, 32 original ids present,
//!                            64 Hilbert-ordered arcs present, 128 shard,
//!                            256 transpose (in-offsets and in-arcs) present
//!     16     8  node count n (u64)
//!     24     8  arc count m (u64)
//!     32    80  section table: 5 x (byte offset u64, byte length u64) for
//!               offsets [u64; n+1], targets [u32; m], weights [u32; m], original ids [u64; n],
//!               Hilbert-ordered arcs [(u32 src, u32 dst); m]
//!               (an absent section has offset 0 and length 0)
//! version 1:
//!    112     8  zero; in a shard (flag 128): first node (u32), node count of the whole graph (u32)
//!    120     8  FNV-1a 64 checksum of bytes 0..120
//!    128        sections, each starting on a 64-byte boundary
//! version 2:
//!    112    32  section table, continued: in-offsets [u64; n+1], in-arcs [u32; m] (the sources
//!               of each node's in-arcs, in increasing order)
//!    144     8  zero (a shard has no transpose, so it is always version 1)
//!    152    32  zero
//!    184     8  FNV-1a 64 checksum of bytes 0..184
//!    192        sections, each starting on a 64-byte boundary
//! ```
//!
//! [`open`] validates everything before returning: file length, magic, version, checksum, flags,
//! section alignment and bounds against the file length, section sizes against the counts,
//! offsets monotone from 0 to m, every target below n; when present, the Hilbert-ordered arcs
//! (written by `costgraph convert --order hilbert`, see [`crate::graph::hilbert`]) have every
//! endpoint below n and each node as the source of exactly its out-degree of them, and the
//! transpose (written by `--with-transpose`, see [`crate::graph::transpose`]) is sorted lists of
//! sources below n holding exactly the graph's arcs reversed (an O(m) hash check). The fifth
//! section took 16 of the bytes version 1 reserved (zero in older files: no section), so the
//! version stays 1; an older costgraph refuses such a file for its unknown flag bit 64. The
//! transpose needs two more sections than version 1 has room for, hence version 2, written only
//! for a file that has one, so every file without a transpose stays readable by an older
//! costgraph. [`write`] writes to a temporary file in the destination folder and renames it into
//! place, so a failed write leaves nothing behind.
//!
//! A *shard* (flag 128, written by `costgraph shard`, see [`crate::io::shard`]) holds the nodes
//! `first..first + n` of a graph of `total` nodes, the two numbers in the 8 bytes version 1
//! reserved (so the version stays 1 here too; an older costgraph refuses a shard for its unknown
//! flag bit 128). Its `n + 1` offsets start at 0, its targets are ids of the whole graph (below
//! `total`), and its weights and original ids are those of its own nodes; it carries no Hilbert
//! section. [`open_shard`] validates it like any file (symmetry excepted: the reverses of its arcs
//! live in other shards) and [`open`] refuses it, since it is not a whole graph.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::graph::{Array, Budget, Csr, GraphProps, MAX_NODES, NodeId, Shard};
use crate::{Error, Result};

mod stream_writer;
pub use stream_writer::StreamWriter;

/// The first eight bytes of every `.cgr` file.
pub const MAGIC: [u8; 8] = *b"COSTGRPH";
/// The newest format version this build writes and reads: 2 for a file with a transpose, 1
/// otherwise (so that older builds read every file without one).
pub const VERSION: u32 = 2;
/// Size of the version 1 header in bytes.
pub const HEADER_LEN: usize = 128;
/// Size of the version 2 header in bytes.
pub const HEADER_LEN_V2: usize = 192;
/// Every section starts at a multiple of this.
pub const ALIGN: u64 = 64;

const FLAG_DIRECTED: u32 = 1;
const FLAG_SYMMETRIC: u32 = 2;
const FLAG_WEIGHTED: u32 = 4;
const FLAG_SORTED: u32 = 8;
const FLAG_DEDUPLICATED: u32 = 16;
const FLAG_ORIGINAL_IDS: u32 = 32;
const FLAG_HILBERT: u32 = 64;
const FLAG_SHARD: u32 = 128;
const FLAG_TRANSPOSE: u32 = 256;
const KNOWN_FLAGS: u32 = 511;

const SECTIONS: usize = 7;
/// The sections a version 1 header has room for.
const SECTIONS_V1: usize = 5;
const SECTION_NAMES: [&str; SECTIONS] =
    ["offsets", "targets", "weights", "original ids", "Hilbert-ordered arcs", "in-offsets", "in-arcs"];

/// Where the shard fields and the checksum are in a header of `version`.
fn layout(version: u32) -> (usize, usize, usize) {
    match version {
        1 => (SECTIONS_V1, 112, 120),
        _ => (SECTIONS, 144, 184),
    }
}

/// What a header describes: the counts and which sections are present.
struct Shape {
    nodes: u64,
    arcs: u64,
    props: GraphProps,
    weighted: bool,
    original_ids: bool,
    hilbert: bool,
    transpose: bool,
    /// For a shard: its first node and the whole graph's node count.
    shard: Option<(u32, u32)>,
}

impl Shape {
    fn of(csr: &Csr) -> Shape {
        Shape {
            nodes: csr.num_nodes() as u64,
            arcs: csr.num_arcs(),
            props: csr.props(),
            weighted: csr.is_weighted(),
            original_ids: csr.original_ids().is_some(),
            hilbert: csr.hilbert_arcs().is_some(),
            transpose: csr.transpose().is_some(),
            shard: None,
        }
    }
}

/// The decoded fixed header of a `.cgr` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version.
    pub version: u32,
    /// Flag bits (see the module documentation).
    pub flags: u32,
    /// Node count.
    pub nodes: u64,
    /// Arc count.
    pub arcs: u64,
    /// `(byte offset, byte length)` of offsets, targets, weights, original ids, Hilbert-ordered
    /// arcs, in-offsets, in-arcs (the last two always absent in version 1).
    pub sections: [(u64, u64); SECTIONS],
    /// For a shard (flag 128): its first node and the node count of the whole graph.
    pub shard: Option<(u32, u32)>,
}

/// FNV-1a, 64 bits: the header checksum.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The length of a header of `version` (1 or 2).
fn header_len(version: u32) -> usize {
    if version == 1 { HEADER_LEN } else { HEADER_LEN_V2 }
}

fn align_up(x: u64) -> u64 {
    x.div_ceil(ALIGN) * ALIGN
}

impl Header {
    fn for_graph(csr: &Csr) -> Header {
        Header::for_shape(&Shape::of(csr))
    }

    fn for_shape(g: &Shape) -> Header {
        let (n, m, p) = (g.nodes, g.arcs, g.props);
        let mut flags = 0;
        for (on, bit) in [
            (p.directed, FLAG_DIRECTED),
            (p.symmetric, FLAG_SYMMETRIC),
            (g.weighted, FLAG_WEIGHTED),
            (p.sorted, FLAG_SORTED),
            (p.deduplicated, FLAG_DEDUPLICATED),
            (g.original_ids, FLAG_ORIGINAL_IDS),
            (g.hilbert, FLAG_HILBERT),
            (g.shard.is_some(), FLAG_SHARD),
            (g.transpose, FLAG_TRANSPOSE),
        ] {
            if on {
                flags |= bit;
            }
        }
        // A section is present whenever its flag is set, even when it is empty (a weighted
        // graph with no arcs), as `write_to` writes it and `decode` expects it.
        let lengths = [
            Some((n + 1) * 8),
            Some(m * 4),
            g.weighted.then_some(m * 4),
            g.original_ids.then_some(n * 8),
            g.hilbert.then_some(m * 8),
            g.transpose.then_some((n + 1) * 8),
            g.transpose.then_some(m * 4),
        ];
        let version = if g.transpose { 2 } else { 1 };
        let mut sections = [(0, 0); SECTIONS];
        let mut at = header_len(version) as u64;
        for (i, &len) in lengths.iter().enumerate() {
            if let Some(len) = len {
                sections[i] = (at, len);
                at = align_up(at + len);
            }
        }
        Header { version, flags, nodes: n, arcs: m, sections, shard: g.shard }
    }

    /// The length of this header in bytes: where its file's first section may start.
    pub fn byte_len(&self) -> usize {
        header_len(self.version)
    }

    /// Encodes the header, checksum included ([`Header::byte_len`] bytes).
    pub fn encode(&self) -> Vec<u8> {
        let (sections, shard_at, checksum_at) = layout(self.version);
        let mut b = vec![0u8; self.byte_len()];
        b[0..8].copy_from_slice(&MAGIC);
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b[12..16].copy_from_slice(&self.flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.nodes.to_le_bytes());
        b[24..32].copy_from_slice(&self.arcs.to_le_bytes());
        for (i, (off, len)) in self.sections.iter().take(sections).enumerate() {
            b[32 + 16 * i..40 + 16 * i].copy_from_slice(&off.to_le_bytes());
            b[40 + 16 * i..48 + 16 * i].copy_from_slice(&len.to_le_bytes());
        }
        if let Some((first, total)) = self.shard {
            b[shard_at..shard_at + 4].copy_from_slice(&first.to_le_bytes());
            b[shard_at + 4..shard_at + 8].copy_from_slice(&total.to_le_bytes());
        }
        let sum = fnv1a(&b[..checksum_at]);
        b[checksum_at..].copy_from_slice(&sum.to_le_bytes());
        b
    }

    /// Decodes and checks a header against the length of its file. `Err` says what is wrong.
    pub fn decode(bytes: &[u8], file_len: u64) -> Result<Header, String> {
        if bytes.len() < HEADER_LEN {
            return Err(format!("truncated: {} bytes is shorter than the {HEADER_LEN}-byte .cgr header", bytes.len()));
        }
        if bytes[0..8] != MAGIC {
            return Err("not a .cgr file (wrong magic number; expected \"COSTGRPH\")".into());
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        let version = u32_at(8);
        if !(1..=VERSION).contains(&version) {
            return Err(if version > VERSION {
                format!(
                    "format version {version} is newer than this costgraph reads (version {VERSION}); upgrade costgraph"
                )
            } else {
                format!("unknown format version {version} (this costgraph reads version {VERSION})")
            });
        }
        let (section_count, shard_at, checksum_at) = layout(version);
        if bytes.len() < header_len(version) {
            return Err(format!(
                "truncated: {} bytes is shorter than the {}-byte header of a version {version} .cgr file",
                bytes.len(),
                header_len(version)
            ));
        }
        let stored = u64_at(checksum_at);
        let computed = fnv1a(&bytes[..checksum_at]);
        if stored != computed {
            return Err(format!(
                "header checksum mismatch (stored {stored:#018x}, computed {computed:#018x}): the header is corrupt"
            ));
        }
        let flags = u32_at(12);
        if flags & !KNOWN_FLAGS != 0 {
            return Err(format!("unknown flag bits {:#x} in the header", flags & !KNOWN_FLAGS));
        }
        let nodes = u64_at(16);
        let arcs = u64_at(24);
        if nodes > MAX_NODES {
            return Err(format!("header claims {nodes} nodes, more than the {MAX_NODES} that u32 ids allow"));
        }
        let shard = if flags & FLAG_SHARD != 0 {
            let (first, total) = (u32_at(shard_at), u32_at(shard_at + 4));
            if total as u64 > MAX_NODES {
                return Err(format!("shard of a graph of {total} nodes, more than the {MAX_NODES} that u32 ids allow"));
            }
            if first as u64 + nodes > total as u64 {
                return Err(format!(
                    "shard of nodes {first}..{} runs past the {total} nodes of its graph",
                    first as u64 + nodes
                ));
            }
            if flags & FLAG_HILBERT != 0 {
                return Err("a shard cannot carry Hilbert-ordered arcs (flags 64 and 128 both set)".into());
            }
            if flags & FLAG_TRANSPOSE != 0 {
                return Err("a shard cannot carry a transpose (flags 128 and 256 both set)".into());
            }
            Some((first, total))
        } else {
            if bytes[shard_at..checksum_at].iter().any(|&b| b != 0) {
                return Err(format!("reserved bytes {shard_at}..{checksum_at} are not zero"));
            }
            None
        };
        if flags & FLAG_TRANSPOSE != 0 && version < 2 {
            return Err("flag 256 (transpose) in a version 1 header, which has no room for its sections".into());
        }
        if flags & FLAG_TRANSPOSE != 0 && flags & FLAG_SYMMETRIC != 0 {
            return Err("a symmetric graph carries no transpose (flags 2 and 256 both set)".into());
        }
        let mut sections = [(0, 0); SECTIONS];
        for (i, s) in sections.iter_mut().take(section_count).enumerate() {
            *s = (u64_at(32 + 16 * i), u64_at(40 + 16 * i));
        }
        let weighted = flags & FLAG_WEIGHTED != 0;
        let has_ids = flags & FLAG_ORIGINAL_IDS != 0;
        let expected = [
            Some((nodes + 1).checked_mul(8)),
            Some(arcs.checked_mul(4)),
            weighted.then(|| arcs.checked_mul(4)),
            has_ids.then(|| nodes.checked_mul(8)),
            (flags & FLAG_HILBERT != 0).then(|| arcs.checked_mul(8)),
            (flags & FLAG_TRANSPOSE != 0).then(|| (nodes + 1).checked_mul(8)),
            (flags & FLAG_TRANSPOSE != 0).then(|| arcs.checked_mul(4)),
        ];
        let mut end_of_previous = header_len(version) as u64;
        for (i, ((off, len), want)) in sections.iter().zip(expected).enumerate() {
            let name = SECTION_NAMES[i];
            let Some(want) = want else {
                if (*off, *len) != (0, 0) {
                    return Err(format!("{name} section present but its flag is not set"));
                }
                continue;
            };
            let want = want.ok_or_else(|| format!("{name} section size overflows"))?;
            if *len != want {
                return Err(format!(
                    "{name} section is {len} bytes, expected {want} for {nodes} nodes and {arcs} arcs"
                ));
            }
            if off % ALIGN != 0 {
                return Err(format!("{name} section offset {off} is not {ALIGN}-byte aligned"));
            }
            if *off < end_of_previous {
                return Err(format!("{name} section at byte {off} overlaps the header or the previous section"));
            }
            let end = off.checked_add(*len).filter(|&e| e <= file_len).ok_or_else(|| {
                format!("{name} section (bytes {off}..{}) runs past the end of the file ({file_len} bytes): the file is truncated or corrupt", off.saturating_add(*len))
            })?;
            end_of_previous = end;
        }
        Ok(Header { version, flags, nodes, arcs, sections, shard })
    }

    fn props(&self) -> GraphProps {
        GraphProps {
            directed: self.flags & FLAG_DIRECTED != 0,
            symmetric: self.flags & FLAG_SYMMETRIC != 0,
            sorted: self.flags & FLAG_SORTED != 0,
            deduplicated: self.flags & FLAG_DEDUPLICATED != 0,
        }
    }
}

/// Opens and fully validates a `.cgr` file. The arrays stay in the memory map; nothing is copied.
/// A shard is refused (it is not a whole graph): open it with [`open_shard`].
pub fn open(path: impl AsRef<Path>) -> Result<Csr> {
    let path = path.as_ref();
    let (header, arrays) = map(path)?;
    if let Some((first, total)) = header.shard {
        return Err(Error::format(
            path,
            format!(
                "is a shard (nodes {first}..{} of a graph of {total}), not a whole graph; a cluster run opens shards with --shards",
                first as u64 + header.nodes
            ),
        ));
    }
    let Arrays { offsets, targets, weights, original_ids, hilbert, transpose } = arrays;
    let csr = Csr::from_parts(offsets, targets, weights, original_ids, header.props());
    let csr = match hilbert {
        Some(arcs) => csr.and_then(|csr| csr.with_hilbert_arcs(arcs)),
        None => csr,
    };
    let csr = match transpose {
        Some((offsets, sources)) => csr.and_then(|csr| csr.with_transpose(offsets, sources)),
        None => csr,
    };
    csr.map_err(|msg| Error::format(path, msg))
}

/// Opens and fully validates a shard written by `costgraph shard` (see the module documentation);
/// a whole graph's file opens as the one shard of itself. `O(arcs of the shard)`; only the shard's
/// own file is read.
pub fn open_shard(path: impl AsRef<Path>) -> Result<Shard> {
    let path = path.as_ref();
    let (header, arrays) = map(path)?;
    let Some((first, total)) = header.shard else {
        drop(arrays);
        return Ok(open(path)?.whole_shard());
    };
    let Arrays { offsets, targets, weights, original_ids, .. } = arrays;
    Shard::from_parts(first, total as usize, offsets, targets, weights, original_ids, header.props())
        .map_err(|msg| Error::format(path, msg))
}

/// The sections of a mapped file, not yet checked against each other.
struct Arrays {
    offsets: Array<u64>,
    targets: Array<NodeId>,
    weights: Option<Array<u32>>,
    original_ids: Option<Array<u64>>,
    hilbert: Option<Array<crate::graph::hilbert::Arc>>,
    transpose: Option<(Array<u64>, Array<NodeId>)>,
}

/// Section `i` of the mapped file as an array, `None` when `flag` (0: always present) is not set.
fn section<T: bytemuck::Pod>(
    map: &Arc<Mmap>,
    header: &Header,
    path: &Path,
    i: usize,
    flag: u32,
) -> Result<Option<Array<T>>> {
    if flag != 0 && header.flags & flag == 0 {
        return Ok(None);
    }
    let (offset, bytes) = header.sections[i];
    Array::mapped(map.clone(), offset as usize, (bytes / size_of::<T>() as u64) as usize).map(Some).ok_or_else(|| {
        Error::format(path, format!("{} section cannot be mapped (misaligned or out of bounds)", SECTION_NAMES[i]))
    })
}

/// Maps `path` and decodes its header; the sections are mapped, not yet validated.
fn map(path: &Path) -> Result<(Header, Arrays)> {
    let file = super::file::open(path)?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if file_len == 0 {
        return Err(Error::format(path, "empty file (a .cgr file starts with a 128-byte header)"));
    }
    // SAFETY: the map is read-only. Another process truncating or rewriting the file while it is
    // mapped could change what we read (or fault on truncation); costgraph itself only ever
    // replaces .cgr files by renaming a new file over them, which leaves this mapping intact.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let header = Header::decode(&map, file_len).map_err(|msg| Error::format(path, msg))?;
    let map = Arc::new(map);
    let arrays = Arrays {
        offsets: section(&map, &header, path, 0, 0)?.expect("always present"),
        targets: section(&map, &header, path, 1, 0)?.expect("always present"),
        weights: section(&map, &header, path, 2, FLAG_WEIGHTED)?,
        original_ids: section(&map, &header, path, 3, FLAG_ORIGINAL_IDS)?,
        hilbert: section(&map, &header, path, 4, FLAG_HILBERT)?,
        transpose: section(&map, &header, path, 5, FLAG_TRANSPOSE)?.zip(section(
            &map,
            &header,
            path,
            6,
            FLAG_TRANSPOSE,
        )?),
    };
    Ok((header, arrays))
}

/// Writes `csr` to `path` atomically: into a temporary file beside it, then renamed into place.
pub fn write(csr: &Csr, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    crate::io::write_atomically(path, |out| write_to(csr, out))
}

/// Which optional sections [`write_with`] gives a graph's file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// The arcs in Hilbert-curve order, computed when the graph has none.
    pub hilbert: bool,
    /// The in-arcs of a directed graph, built out of core when the graph has none; nothing for a
    /// symmetric graph, whose in-arcs are its out-arcs.
    pub transpose: bool,
}

/// Writes `csr` to `path` atomically with the sections `extras` asks for besides those `csr`
/// carries, holding at most `budget` bytes beyond the graph: the Hilbert section is written group
/// by group ([`crate::graph::hilbert::for_each_group`]) and the transpose a range of destinations
/// at a time ([`crate::graph::transpose::for_each_range`]), so a mapped graph of any size gets
/// them without being copied into memory.
pub fn write_with(csr: &Csr, path: impl AsRef<Path>, budget: &Budget, extras: Extras) -> Result<()> {
    let path = path.as_ref();
    let mut tmp = crate::io::AtomicFile::create(path)?;
    let mut out = BufWriter::with_capacity(1 << 20, tmp.file());
    let io = |e| Error::io(path, e);
    let shape = Shape::of(csr);
    let header = Header::for_shape(&Shape {
        hilbert: extras.hilbert || shape.hilbert,
        transpose: (extras.transpose || shape.transpose) && !csr.is_symmetric(),
        ..shape
    });
    let mut at = write_sections(csr, &header, &mut out, 4).map_err(io)?;
    if let Some(arcs) = csr.hilbert_arcs() {
        at = pad_to(&mut out, at, header.sections[4].0).map_err(io)?;
        out.write_all(bytemuck::cast_slice(arcs)).map_err(io)?;
        at += header.sections[4].1;
    } else if header.flags & FLAG_HILBERT != 0 {
        at = pad_to(&mut out, at, header.sections[4].0).map_err(io)?;
        let bar = crate::progress::bar(csr.num_arcs(), "sorting arcs into Hilbert order", false);
        crate::graph::hilbert::for_each_group(csr, budget, |arcs| {
            bar.inc(arcs.len() as u64);
            out.write_all(bytemuck::cast_slice(&arcs)).map_err(io)
        })?;
        bar.finish_and_clear();
        at += header.sections[4].1;
    }
    if let (Some(t), true) = (csr.transpose(), header.flags & FLAG_TRANSPOSE != 0) {
        at = pad_to(&mut out, at, header.sections[5].0).map_err(io)?;
        out.write_all(bytemuck::cast_slice(t.offsets())).map_err(io)?;
        at = pad_to(&mut out, at + header.sections[5].1, header.sections[6].0).map_err(io)?;
        out.write_all(bytemuck::cast_slice(t.targets())).map_err(io)?;
        at += header.sections[6].1;
    } else if header.flags & FLAG_TRANSPOSE != 0 {
        let offsets = crate::graph::transpose::in_offsets(csr, budget)?;
        at = pad_to(&mut out, at, header.sections[5].0).map_err(io)?;
        out.write_all(bytemuck::cast_slice(&offsets)).map_err(io)?;
        at = pad_to(&mut out, at + header.sections[5].1, header.sections[6].0).map_err(io)?;
        let bar = crate::progress::bar(csr.num_arcs(), "building the transpose", false);
        crate::graph::transpose::for_each_range(csr, &offsets, budget, |sources| {
            bar.inc(sources.len() as u64);
            out.write_all(bytemuck::cast_slice(sources)).map_err(io)
        })?;
        bar.finish_and_clear();
        at += header.sections[6].1;
    }
    pad_to(&mut out, at, align_up(at)).map_err(io)?;
    out.flush().map_err(io)?;
    drop(out);
    tmp.commit()
}

/// Writes zeros from position `at` to `to`; returns `to`.
fn pad_to(out: &mut dyn Write, at: u64, to: u64) -> std::io::Result<u64> {
    out.write_all(&vec![0u8; (to - at) as usize])?;
    Ok(to)
}

/// Writes the nodes `nodes` of `csr` (a range of its node ids) as a shard to `path`, atomically:
/// their rebased offsets, their arcs' targets (ids of the whole graph) and weights, their original
/// ids, straight from `csr`'s arrays (a mapped graph is never copied; the offsets are rebased a
/// block at a time). Returns the shard's arc count and the SHA-256 of its bytes, computed as they
/// are written. `O(arcs of the range)` time, a bounded buffer of memory.
pub fn write_shard(csr: &Csr, nodes: std::ops::Range<usize>, path: &Path) -> Result<(u64, String)> {
    let offsets = &csr.offsets()[nodes.start..=nodes.end];
    let (base, end) = (offsets[0], offsets[offsets.len() - 1]);
    let arcs = base as usize..end as usize;
    let header = Header::for_shape(&Shape {
        nodes: nodes.len() as u64,
        arcs: end - base,
        props: csr.props(),
        weighted: csr.is_weighted(),
        original_ids: csr.original_ids().is_some(),
        hilbert: false,
        transpose: false,
        shard: Some((nodes.start as u32, csr.num_nodes() as u32)),
    });
    let mut tmp = crate::io::AtomicFile::create(path)?;
    let io = |e| Error::io(path, e);
    let mut out = super::checksum::Sha256Writer::new(BufWriter::with_capacity(1 << 20, tmp.file()));
    out.write_all(&header.encode()).map_err(io)?;
    let mut at = header.byte_len() as u64;
    let mut rebased = Vec::with_capacity(1 << 16);
    for block in offsets.chunks(1 << 16) {
        rebased.clear();
        rebased.extend(block.iter().map(|&o| o - base));
        out.write_all(bytemuck::cast_slice(&rebased)).map_err(io)?;
    }
    at += offsets.len() as u64 * 8;
    let bodies: [Option<&[u8]>; 3] = [
        Some(bytemuck::cast_slice(&csr.targets()[arcs.clone()])),
        csr.weights().map(|w| bytemuck::cast_slice(&w[arcs.clone()])),
        csr.original_ids().map(|ids| bytemuck::cast_slice(&ids[nodes.clone()])),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let (off, len) = header.sections[i + 1];
        out.write_all(&vec![0u8; (off - at) as usize]).map_err(io)?;
        out.write_all(body).map_err(io)?;
        at = off + len;
    }
    out.write_all(&vec![0u8; (align_up(at) - at) as usize]).map_err(io)?;
    let (inner, sha256) = out.finish();
    inner.into_inner().map_err(|e| io(e.into_error()))?;
    tmp.commit()?;
    Ok((end - base, sha256))
}

/// Writes `csr` in `.cgr` form to any writer (sections padded to 64-byte boundaries).
pub fn write_to(csr: &Csr, out: &mut dyn Write) -> std::io::Result<()> {
    let header = Header::for_graph(csr);
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let at = write_sections(csr, &header, &mut out, SECTIONS)?;
    pad_to(&mut out, at, align_up(at))?;
    out.flush()
}

/// Writes the header and the first `count` sections, those of them `csr` carries (a section
/// `header` adds beyond those is left for the caller); returns the position reached.
fn write_sections(csr: &Csr, header: &Header, out: &mut dyn Write, count: usize) -> std::io::Result<u64> {
    out.write_all(&header.encode())?;
    let mut at = header.byte_len() as u64;
    let transpose = csr.transpose();
    let bodies: [Option<&[u8]>; SECTIONS] = [
        Some(bytemuck::cast_slice(csr.offsets())),
        Some(bytemuck::cast_slice(csr.targets())),
        csr.weights().map(bytemuck::cast_slice),
        csr.original_ids().map(bytemuck::cast_slice),
        csr.hilbert_arcs().map(bytemuck::cast_slice),
        transpose.map(|t| bytemuck::cast_slice(t.offsets())),
        transpose.map(|t| bytemuck::cast_slice(t.targets())),
    ];
    for (i, body) in bodies.iter().enumerate().take(count) {
        let Some(body) = body else { continue };
        at = pad_to(out, at, header.sections[i].0)?;
        out.write_all(body)?;
        at += body.len() as u64;
    }
    Ok(at)
}

/// Reads only the header of a `.cgr` file (cheap; no validation of the sections' contents).
pub fn read_header(path: impl AsRef<Path>) -> Result<Header> {
    use std::io::Read;
    let path = path.as_ref();
    let mut file = super::file::open(path)?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut buf = Vec::with_capacity(HEADER_LEN_V2);
    Read::by_ref(&mut file).take(HEADER_LEN_V2 as u64).read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
    Header::decode(&buf, file_len).map_err(|msg| Error::format(path, msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, EdgeList};

    fn sample(weighted: bool) -> Csr {
        let mut e = EdgeList::new(5, vec![(0, 1), (1, 2), (3, 4), (4, 4)], false);
        if weighted {
            e = e.with_weights(vec![4, 3, 2, 1]);
        }
        e.original_ids = Some(vec![10, 20, 30, 40, 50]);
        Csr::from_edges(&e, BuildOptions::undirected())
    }

    #[test]
    fn round_trip_maps_without_copy() {
        let dir = tempfile::tempdir().unwrap();
        for weighted in [false, true] {
            let g = sample(weighted);
            let path = dir.path().join("g.cgr");
            write(&g, &path).unwrap();
            let h = open(&path).unwrap();
            assert!(h.is_mapped());
            assert_eq!(h.offsets(), g.offsets());
            assert_eq!(h.targets(), g.targets());
            assert_eq!(h.weights(), g.weights());
            assert_eq!(h.original_ids(), g.original_ids());
            assert_eq!(h.props(), g.props());
            assert_eq!(h.hilbert_arcs(), None);
            let len = std::fs::metadata(&path).unwrap().len();
            assert_eq!(len % ALIGN, 0);
        }
    }

    #[test]
    fn streamed_file_is_byte_identical_to_written_file() {
        use crate::graph::{Budget, Builder};
        let dir = tempfile::tempdir().unwrap();
        for (weighted, ids, empty) in [
            (false, false, false),
            (true, false, false),
            (true, true, false),
            (false, true, false),
            (true, false, true),
        ] {
            let mut e = sample(weighted).to_edge_list();
            if empty {
                e = EdgeList::new(0, vec![], true).with_weights(vec![]);
            }
            e.directed = true;
            if !ids {
                e.original_ids = None;
            }
            let options = BuildOptions::directed();
            let want = dir.path().join("want.cgr");
            let csr = Csr::from_edges(&e, options);
            write(&csr, &want).unwrap();
            let got = dir.path().join("got.cgr");
            let b = Builder::new(e.num_nodes, weighted, options, e.len() as u64, &Budget::default(), None).unwrap();
            b.push_edges(&e);
            let mut out = StreamWriter::create(&got, e.num_nodes, options.props(), weighted, Some(dir.path())).unwrap();
            b.finish_into(&mut out).unwrap();
            assert_eq!(out.finish(e.original_ids.as_deref()).unwrap(), csr.num_arcs());
            assert_eq!(std::fs::read(&got).unwrap(), std::fs::read(&want).unwrap(), "weighted {weighted} ids {ids}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
    }

    #[test]
    fn hilbert_section_round_trips_and_is_validated() {
        let dir = tempfile::tempdir().unwrap();
        let g = crate::graph::hilbert::with_hilbert_order(sample(true)).unwrap();
        let path = dir.path().join("h.cgr");
        write(&g, &path).unwrap();
        let h = open(&path).unwrap();
        assert!(h.hilbert_arcs().is_some());
        assert_eq!(h.hilbert_arcs(), g.hilbert_arcs());
        assert_eq!(read_header(&path).unwrap().flags & FLAG_HILBERT, FLAG_HILBERT);

        let mut bytes = std::fs::read(&path).unwrap();
        let header = Header::decode(&bytes, bytes.len() as u64).unwrap();
        let at = header.sections[4].0 as usize;
        let corrupt = |bytes: &[u8], name: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            open(&p).unwrap_err().to_string()
        };
        // An endpoint out of range.
        bytes[at + 4..at + 8].copy_from_slice(&99u32.to_le_bytes());
        assert!(corrupt(&bytes, "range.cgr").contains("not below the node count"));
        // In range, but not the graph's arcs: node 0 loses its arc to node 1.
        let first = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        bytes[at..at + 4].copy_from_slice(&((first + 1) % 5).to_le_bytes());
        bytes[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
        assert!(corrupt(&bytes, "degree.cgr").contains("out-degree"));
        // A section of the wrong size in a header with a valid checksum.
        let mut bad = header.clone();
        bad.sections[4].1 -= 8;
        bytes[..HEADER_LEN].copy_from_slice(&bad.encode());
        assert!(corrupt(&bytes, "size.cgr").contains("Hilbert-ordered arcs section is"));
        // The flag without the section.
        let mut bad = header;
        bad.sections[4] = (0, 0);
        bytes[..HEADER_LEN].copy_from_slice(&bad.encode());
        assert!(corrupt(&bytes, "missing.cgr").contains("Hilbert-ordered arcs section is 0 bytes"));
    }

    /// A directed graph on 6 nodes (node 5 isolated, node 4 a sink), weighted, with a transpose.
    fn directed_with_transpose() -> Csr {
        let e = EdgeList::new(6, vec![(0, 1), (0, 2), (1, 2), (2, 0), (3, 4), (2, 4), (4, 4)], true)
            .with_weights(vec![1, 2, 3, 4, 5, 6, 7]);
        let g = Csr::from_edges(&e, BuildOptions::directed());
        let t = crate::graph::transpose::build(&g, &Budget::default()).unwrap();
        let (offsets, sources) = (Array::owned(t.offsets().to_vec()), Array::owned(t.targets().to_vec()));
        g.with_transpose(offsets, sources).unwrap()
    }

    #[test]
    fn transpose_section_round_trips_in_a_version_2_header_and_is_validated() {
        let dir = tempfile::tempdir().unwrap();
        let g = directed_with_transpose();
        assert_eq!(g.transpose().unwrap().neighbors(4), &[2, 3, 4]);
        assert_eq!(g.transpose().unwrap().neighbors(2), &[0, 1]);
        let path = dir.path().join("t.cgr");
        write(&g, &path).unwrap();
        let header = read_header(&path).unwrap();
        assert_eq!((header.version, header.flags & FLAG_TRANSPOSE), (2, FLAG_TRANSPOSE));
        let h = open(&path).unwrap();
        assert_eq!(h.transpose().unwrap().offsets(), g.transpose().unwrap().offsets());
        assert_eq!(h.transpose().unwrap().targets(), g.transpose().unwrap().targets());
        // Built from the file without one, it is the same file.
        let plain = dir.path().join("plain.cgr");
        write(&g.without_transpose(), &plain).unwrap();
        assert_eq!(read_header(&plain).unwrap().version, 1, "a file without a transpose stays version 1");
        let again = dir.path().join("again.cgr");
        write_with(&open(&plain).unwrap(), &again, &Budget::default(), Extras { hilbert: false, transpose: true })
            .unwrap();
        assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&path).unwrap());

        let bytes = std::fs::read(&path).unwrap();
        let corrupt = |edit: &dyn Fn(&mut Vec<u8>), name: &str| {
            let mut b = bytes.clone();
            edit(&mut b);
            let p = dir.path().join(name);
            std::fs::write(&p, &b).unwrap();
            open(&p).unwrap_err().to_string()
        };
        let (sources_at, offsets_at) = (header.sections[6].0 as usize, header.sections[5].0 as usize);
        // A source out of range; a list out of order; another arc in place of one (sorted, in
        // range, the same counts: only the arc hash sees it).
        let set = |b: &mut Vec<u8>, i: usize, v: u32| {
            b[sources_at + 4 * i..sources_at + 4 * i + 4].copy_from_slice(&v.to_le_bytes())
        };
        assert!(corrupt(&|b| set(b, 0, 99), "range.cgr").contains("not below the node count"));
        // Node 4's in-list is [2, 3, 4] at positions 4..7 (in-degrees 1, 1, 2, 0, 3, 0).
        assert!(corrupt(&|b| set(b, 4, 3), "order.cgr").contains("transpose"));
        assert!(corrupt(&|b| set(b, 5, 4), "dup.cgr").contains("transpose"));
        assert!(corrupt(&|b| set(b, 4, 1), "arcs.cgr").contains("does not hold the graph's arcs reversed"));
        // Offsets that do not end at the arc count.
        let last = offsets_at + 8 * 6;
        assert!(
            corrupt(&|b| b[last..last + 8].copy_from_slice(&6u64.to_le_bytes()), "offsets.cgr").contains("transpose")
        );
        // The flag in a version 1 header, and on a symmetric graph: refused with a valid checksum.
        let mut bad = header.clone();
        bad.version = 1;
        assert!(Header::decode(&bad.encode(), 1 << 20).unwrap_err().contains("version 1 header"));
        let mut bad = header.clone();
        bad.flags |= FLAG_SYMMETRIC;
        assert!(Header::decode(&bad.encode(), 1 << 20).unwrap_err().contains("symmetric"));
        let mut bad = header;
        bad.sections[6].1 -= 4;
        assert!(
            corrupt(&|b| b[..HEADER_LEN_V2].copy_from_slice(&bad.encode()), "size.cgr").contains("in-arcs section is")
        );
        // Every flipped bit of a version 2 header is refused.
        for i in 0..HEADER_LEN_V2 {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(Header::decode(&b, b.len() as u64).is_err(), "flip at byte {i} accepted");
        }
    }

    #[test]
    fn every_header_byte_flip_is_refused() {
        let g = sample(true);
        let mut bytes = Vec::new();
        write_to(&g, &mut bytes).unwrap();
        for i in 0..HEADER_LEN {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(Header::decode(&b, b.len() as u64).is_err(), "flip at byte {i} accepted");
        }
    }
}
