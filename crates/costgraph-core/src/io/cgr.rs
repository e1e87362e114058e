//! The `.cgr` binary graph format: one little-endian file, memory-mapped without copying.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "COSTGRPH"
//!      8     4  format version (u32, currently 1)
//!     12     4  flags (u32): 1 directed, 2 symmetric, 4 weighted, 8 sorted,
//!                            16 deduplicated, 32 original ids present,
//!                            64 Hilbert-ordered arcs present, 128 shard
//!     16     8  node count n (u64)
//!     24     8  arc count m (u64)
//!     32    80  section table: 5 x (byte offset u64, byte length u64) for
//!               offsets [u64; n+1], targets [u32; m], weights [u32; m], original ids [u64; n],
//!               Hilbert-ordered arcs [(u32 src, u32 dst); m]
//!               (an absent section has offset 0 and length 0)
//!    112     8  zero; in a shard (flag 128): first node (u32), node count of the whole graph (u32)
//!    120     8  FNV-1a 64 checksum of bytes 0..120
//!    128        sections, each starting on a 64-byte boundary
//! ```
//!
//! [`open`] validates everything before returning: file length, magic, version, checksum, flags,
//! section alignment and bounds against the file length, section sizes against the counts,
//! offsets monotone from 0 to m, every target below n; when present, the Hilbert-ordered arcs
//! (written by `costgraph convert --order hilbert`, see [`crate::graph::hilbert`]) have every
//! endpoint below n and each node as the source of exactly its out-degree of them. The fifth
//! section took 16 of the bytes version 1 reserved (zero in older files: no section), so the
//! version stays 1; an older costgraph refuses such a file for its unknown flag bit 64. [`write`] writes to a temporary file in the
//! destination folder and renames it into place, so a failed write leaves nothing behind.
//!
//! A *shard* (flag 128, written by `costgraph shard`, see [`crate::io::shard`]) holds the nodes
//! `first..first + n` of a graph of `total` nodes, the two numbers in the 8 bytes version 1
//! reserved (so the version stays 1 here too; an older costgraph refuses a shard for its unknown
//! flag bit 128). Its `n + 1` offsets start at 0, its targets are ids of the whole graph (below
//! `total`), and its weights and original ids are those of its own nodes; it carries no Hilbert
//! section. [`open_shard`] validates it like any file (symmetry excepted: the reverses of its arcs
//! live in other shards) and [`open`] refuses it, since it is not a whole graph.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::graph::{Array, Budget, Csr, CsrSink, GraphProps, MAX_NODES, NodeId, Shard};
use crate::{Error, Result};

/// The first eight bytes of every `.cgr` file.
pub const MAGIC: [u8; 8] = *b"COSTGRPH";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 128;
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
const KNOWN_FLAGS: u32 = 255;

const SECTIONS: usize = 5;
const SECTION_NAMES: [&str; SECTIONS] = ["offsets", "targets", "weights", "original ids", "Hilbert-ordered arcs"];
const SHARD_AT: usize = 112;
const CHECKSUM_AT: usize = 120;

/// What a header describes: the counts and which sections are present.
struct Shape {
    nodes: u64,
    arcs: u64,
    props: GraphProps,
    weighted: bool,
    original_ids: bool,
    hilbert: bool,
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
    /// `(byte offset, byte length)` of offsets, targets, weights, original ids, Hilbert-ordered arcs.
    pub sections: [(u64, u64); SECTIONS],
    /// For a shard (flag 128): its first node and the node count of the whole graph.
    pub shard: Option<(u32, u32)>,
}

/// FNV-1a, 64 bits: the header checksum.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
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
        ];
        let mut sections = [(0, 0); SECTIONS];
        let mut at = HEADER_LEN as u64;
        for (i, &len) in lengths.iter().enumerate() {
            if let Some(len) = len {
                sections[i] = (at, len);
                at = align_up(at + len);
            }
        }
        Header { version: VERSION, flags, nodes: n, arcs: m, sections, shard: g.shard }
    }

    /// Encodes the header, checksum included.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&MAGIC);
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b[12..16].copy_from_slice(&self.flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.nodes.to_le_bytes());
        b[24..32].copy_from_slice(&self.arcs.to_le_bytes());
        for (i, (off, len)) in self.sections.iter().enumerate() {
            b[32 + 16 * i..40 + 16 * i].copy_from_slice(&off.to_le_bytes());
            b[40 + 16 * i..48 + 16 * i].copy_from_slice(&len.to_le_bytes());
        }
        if let Some((first, total)) = self.shard {
            b[SHARD_AT..SHARD_AT + 4].copy_from_slice(&first.to_le_bytes());
            b[SHARD_AT + 4..SHARD_AT + 8].copy_from_slice(&total.to_le_bytes());
        }
        let sum = fnv1a(&b[..CHECKSUM_AT]);
        b[CHECKSUM_AT..].copy_from_slice(&sum.to_le_bytes());
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
        if version != VERSION {
            return Err(if version > VERSION {
                format!(
                    "format version {version} is newer than this costgraph reads (version {VERSION}); upgrade costgraph"
                )
            } else {
                format!("unknown format version {version} (this costgraph reads version {VERSION})")
            });
        }
        let stored = u64_at(CHECKSUM_AT);
        let computed = fnv1a(&bytes[..CHECKSUM_AT]);
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
            let (first, total) = (u32_at(SHARD_AT), u32_at(SHARD_AT + 4));
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
            Some((first, total))
        } else {
            if u64_at(SHARD_AT) != 0 {
                return Err(format!("reserved bytes {SHARD_AT}..{CHECKSUM_AT} are not zero"));
            }
            None
        };
        let mut sections = [(0, 0); SECTIONS];
        for (i, s) in sections.iter_mut().enumerate() {
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
        ];
        let mut end_of_previous = HEADER_LEN as u64;
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
    let Arrays { offsets, targets, weights, original_ids, hilbert } = arrays;
    let csr = Csr::from_parts(offsets, targets, weights, original_ids, header.props());
    let csr = match hilbert {
        Some(arcs) => csr.and_then(|csr| csr.with_hilbert_arcs(arcs)),
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
    };
    Ok((header, arrays))
}

/// Writes `csr` to `path` atomically: into a temporary file beside it, then renamed into place.
pub fn write(csr: &Csr, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    crate::io::write_atomically(path, |out| write_to(csr, out))
}

/// Writes `csr` to `path` atomically with its arcs in Hilbert-curve order as well (computed now
/// when `csr` has none), holding at most `budget` bytes beyond the graph: the Hilbert section is
/// written group by group ([`crate::graph::hilbert::for_each_group`]), so a mapped graph of any
/// size gets its section without being copied into memory.
pub fn write_with_hilbert_order(csr: &Csr, path: impl AsRef<Path>, budget: &Budget) -> Result<()> {
    let path = path.as_ref();
    let mut tmp = crate::io::AtomicFile::create(path)?;
    let mut out = BufWriter::with_capacity(1 << 20, tmp.file());
    let io = |e| Error::io(path, e);
    let header = Header::for_shape(&Shape { hilbert: true, ..Shape::of(csr) });
    let at = write_sections(csr, &header, &mut out).map_err(io)?;
    let (off, len) = header.sections[4];
    out.write_all(&vec![0u8; (off - at) as usize]).map_err(io)?;
    match csr.hilbert_arcs() {
        Some(arcs) => out.write_all(bytemuck::cast_slice(arcs)).map_err(io)?,
        None => {
            let bar = crate::progress::bar(csr.num_arcs(), "sorting arcs into Hilbert order", false);
            crate::graph::hilbert::for_each_group(csr, budget, |arcs| {
                bar.inc(arcs.len() as u64);
                out.write_all(bytemuck::cast_slice(&arcs)).map_err(io)
            })?;
            bar.finish_and_clear();
        }
    }
    out.write_all(&vec![0u8; (align_up(off + len) - (off + len)) as usize]).map_err(io)?;
    out.flush().map_err(io)?;
    drop(out);
    tmp.commit()
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
        shard: Some((nodes.start as u32, csr.num_nodes() as u32)),
    });
    let mut tmp = crate::io::AtomicFile::create(path)?;
    let io = |e| Error::io(path, e);
    let mut out = super::checksum::Sha256Writer::new(BufWriter::with_capacity(1 << 20, tmp.file()));
    out.write_all(&header.encode()).map_err(io)?;
    let mut at = HEADER_LEN as u64;
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
    let mut at = write_sections(csr, &header, &mut out)?;
    if let Some(arcs) = csr.hilbert_arcs() {
        let (off, len) = header.sections[4];
        out.write_all(&vec![0u8; (off - at) as usize])?;
        out.write_all(bytemuck::cast_slice(arcs))?;
        at = off + len;
    }
    out.write_all(&vec![0u8; (align_up(at) - at) as usize])?;
    out.flush()
}

/// Writes the header and the sections of `csr` before the Hilbert-ordered arcs; returns the
/// position reached.
fn write_sections(csr: &Csr, header: &Header, out: &mut dyn Write) -> std::io::Result<u64> {
    out.write_all(&header.encode())?;
    let mut at = HEADER_LEN as u64;
    let bodies: [Option<&[u8]>; 4] = [
        Some(bytemuck::cast_slice(csr.offsets())),
        Some(bytemuck::cast_slice(csr.targets())),
        csr.weights().map(bytemuck::cast_slice),
        csr.original_ids().map(bytemuck::cast_slice),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let (off, _) = header.sections[i];
        out.write_all(&vec![0u8; (off - at) as usize])?;
        out.write_all(body)?;
        at = off + body.len() as u64;
    }
    Ok(at)
}

/// Writes a `.cgr` file as the builder hands over its lists ([`CsrSink`]), bucket by bucket in
/// node order, holding only the `8 (n + 1)` bytes of offsets: the targets go straight to their
/// section (which starts at a position known from `n`), the weights to an unnamed temporary file
/// (copied after the targets at the end, once the arc count is known), and the header and offsets
/// are written last. The bytes are exactly those [`write`] writes for the same graph, and the file
/// appears atomically.
pub struct StreamWriter {
    out: crate::io::AtomicFile,
    targets: BufWriter<File>,
    weights: Option<BufWriter<File>>,
    props: GraphProps,
    offsets: Vec<u64>,
    nodes: u64,
}

impl StreamWriter {
    /// Starts `path` for a graph of `nodes` nodes with `props`, weighted or not; the weights wait
    /// in an unnamed file in `scratch` (the system's temporary folder when `None`).
    pub fn create(
        path: &Path,
        nodes: usize,
        props: GraphProps,
        weighted: bool,
        scratch: Option<&Path>,
    ) -> Result<Self> {
        let mut offsets = Vec::new();
        offsets
            .try_reserve_exact(nodes + 1)
            .map_err(|_| Error::invalid(format!("out of memory for the offsets of {nodes} nodes")))?;
        offsets.push(0);
        let mut out = crate::io::AtomicFile::create(path)?;
        let n = nodes as u64;
        let at = align_up(HEADER_LEN as u64 + (n + 1) * 8);
        let mut file = out.file().try_clone().map_err(|e| Error::io(path, e))?;
        file.seek(SeekFrom::Start(at)).map_err(|e| Error::io(path, e))?;
        let weights = if weighted {
            let dir = scratch.map_or_else(std::env::temp_dir, Path::to_path_buf);
            let file = tempfile::tempfile_in(&dir).map_err(|e| Error::io(&dir, e))?;
            Some(BufWriter::with_capacity(1 << 20, file))
        } else {
            None
        };
        Ok(StreamWriter { out, targets: BufWriter::with_capacity(1 << 20, file), weights, props, offsets, nodes: n })
    }

    /// Completes the file (with `original_ids`, one per node, when the ids were relabelled) and
    /// renames it into place. Returns the number of arcs.
    pub fn finish(mut self, original_ids: Option<&[u64]>) -> Result<u64> {
        let path = self.out_path();
        let io = |e| Error::io(&path, e);
        assert_eq!(self.offsets.len() as u64, self.nodes + 1, "every node's degree was appended");
        let arcs = *self.offsets.last().expect("n + 1 offsets");
        let header = Header::for_shape(&Shape {
            nodes: self.nodes,
            arcs,
            props: self.props,
            weighted: self.weights.is_some(),
            original_ids: original_ids.is_some(),
            hilbert: false,
            shard: None,
        });
        let mut out = self.targets;
        let mut at = header.sections[1].0 + header.sections[1].1;
        if let Some(weights) = self.weights.take() {
            let mut weights = weights.into_inner().map_err(|e| io(e.into_error()))?;
            weights.rewind().map_err(io)?;
            out.write_all(&vec![0u8; (header.sections[2].0 - at) as usize]).map_err(io)?;
            std::io::copy(&mut weights, &mut out).map_err(io)?;
            at = header.sections[2].0 + header.sections[2].1;
        }
        if let Some(ids) = original_ids {
            out.write_all(&vec![0u8; (header.sections[3].0 - at) as usize]).map_err(io)?;
            out.write_all(bytemuck::cast_slice(ids)).map_err(io)?;
            at = header.sections[3].0 + header.sections[3].1;
        }
        out.write_all(&vec![0u8; (align_up(at) - at) as usize]).map_err(io)?;
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        // Empty trailing sections were only seeked over: the file must still reach their end.
        file.set_len(align_up(at)).map_err(io)?;
        file.rewind().map_err(io)?;
        let mut head = BufWriter::with_capacity(1 << 20, file);
        head.write_all(&header.encode()).map_err(io)?;
        head.write_all(bytemuck::cast_slice(&self.offsets)).map_err(io)?;
        head.flush().map_err(io)?;
        drop(head);
        self.out.commit()?;
        Ok(arcs)
    }

    fn out_path(&self) -> std::path::PathBuf {
        self.out.path().to_path_buf()
    }
}

impl CsrSink for StreamWriter {
    fn append(&mut self, degrees: &[u32], targets: &[u32], weights: Option<&[u32]>) -> Result<()> {
        let mut at = *self.offsets.last().expect("starts with 0");
        self.offsets.extend(degrees.iter().map(|&d| {
            at += d as u64;
            at
        }));
        let path = self.out_path();
        self.targets.write_all(bytemuck::cast_slice(targets)).map_err(|e| Error::io(&path, e))?;
        if let (Some(out), Some(w)) = (&mut self.weights, weights) {
            out.write_all(bytemuck::cast_slice(w)).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}

/// Reads only the header of a `.cgr` file (cheap; no validation of the sections' contents).
pub fn read_header(path: impl AsRef<Path>) -> Result<Header> {
    use std::io::Read;
    let path = path.as_ref();
    let mut file = super::file::open(path)?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut buf = Vec::with_capacity(HEADER_LEN);
    Read::by_ref(&mut file).take(HEADER_LEN as u64).read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
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
