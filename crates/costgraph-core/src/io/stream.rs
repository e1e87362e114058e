//! Text inputs read in blocks, never whole: a plain file is mapped and walked block by block, a
//! `.gz` / `.zst` one is decompressed block by block. Each block (cut at a line end) is parsed in
//! parallel like a whole file, with exact line numbers in errors.
//!
//! [`read_into`] reads the input twice. The first pass validates every line, counts the edges and
//! marks the ids used in a bitmap (one bit per possible id); from it come the node count and, when
//! the ids are relabelled, the dense id of each (its rank among the used ids), exactly as
//! [`densify`](crate::graph::densify) would give them. The second pass pushes the edges, in dense
//! ids, into a [`Builder`] made for that node count, which builds within the budget (out of core
//! when needed). Memory: one block of text and its parsed edges, the bitmap and its ranks (a
//! quarter byte per possible id), the original ids when relabelling (8 bytes per node), and the
//! builder's budget.

use std::io::Read;
use std::path::Path;

use indicatif::ProgressBar;
use memmap2::Mmap;
use rayon::prelude::*;

use super::compress::Compression;
use super::text::{self, WeightColumn};
use super::{Format, Plan, ReadOptions, plan_input, resolve_format};
use crate::graph::{BuildOptions, Builder, NodeId, Relabel, check_node_count};
use crate::{Error, Result};

/// Bytes of text per block: a sixteenth of the budget, between 1 and 32 MiB.
fn block_bytes(budget: &crate::graph::Budget) -> usize {
    (budget.limit() / 16).clamp(1 << 20, 32 << 20) as usize
}

/// What the reader holds at once per byte of a block: the text and its parsed edges (16 bytes
/// per edge, 4 per weight; a line is at least 4 bytes).
const HELD_PER_BLOCK_BYTE: u64 = 6;

/// Successive blocks of an input's text, each ending at a line end (or the end of the input).
enum Blocks {
    /// A mapped plain file; the pages before `released` were handed back once read.
    Mapped {
        map: Option<Mmap>,
        at: usize,
        released: usize,
        block_bytes: usize,
        bar: ProgressBar,
    },
    Stream {
        reader: Box<dyn Read>,
        buf: Vec<u8>,
        filled: usize,
        cut: usize,
        eof: bool,
    },
}

impl Blocks {
    /// Opens `path`; `bar` counts the bytes of the file read so far (compressed bytes for a
    /// compressed file).
    fn open(path: &Path, block_bytes: usize, bar: &ProgressBar) -> Result<Blocks> {
        let mut file = super::file::open(path)?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        bar.set_length(len);
        if len == 0 {
            return Ok(Blocks::Mapped { map: None, at: 0, released: 0, block_bytes, bar: bar.clone() });
        }
        let mut head = [0u8; 4];
        let got = file.read(&mut head).map_err(|e| Error::io(path, e))?;
        let file = super::file::open(path)?;
        let reader: Box<dyn Read> = match Compression::detect(path, &head[..got]) {
            Compression::None => {
                // SAFETY: read-only map, alive as long as the blocks borrowed from it; costgraph
                // never modifies its inputs (another process truncating it could fault the read).
                let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
                #[cfg(unix)]
                let _ = map.advise(memmap2::Advice::Sequential);
                return Ok(Blocks::Mapped { map: Some(map), at: 0, released: 0, block_bytes, bar: bar.clone() });
            }
            Compression::Gzip => {
                Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(bar.wrap_read(file))))
            }
            Compression::Zstd => {
                Box::new(zstd::stream::read::Decoder::new(bar.wrap_read(file)).map_err(|e| Error::io(path, e))?)
            }
        };
        Ok(Blocks::Stream { reader, buf: vec![0; block_bytes], filled: 0, cut: 0, eof: false })
    }

    /// The next block, or `None` at the end.
    fn next(&mut self, path: &Path) -> Result<Option<&[u8]>> {
        match self {
            Blocks::Mapped { map, at, released, block_bytes, bar } => {
                // The blocks already parsed leave this process's resident memory (the page
                // cache keeps them), so a file larger than the budget is not held whole.
                #[cfg(unix)]
                if let Some(map) = map {
                    let upto = *at / 4096 * 4096;
                    if upto > *released {
                        // SAFETY: a read-only file mapping: dropping its pages only makes later
                        // reads fault them in from the file again; no block borrowed from the
                        // range is alive (this call holds `self` exclusively).
                        let _ = unsafe {
                            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, *released, upto - *released)
                        };
                        *released = upto;
                    }
                }
                let bytes: &[u8] = map.as_deref().unwrap_or(&[]);
                if *at >= bytes.len() {
                    return Ok(None);
                }
                let start = *at;
                let end = (start + *block_bytes).min(bytes.len());
                let end = bytes[end..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| end + p + 1);
                *at = end;
                bar.inc((end - start) as u64);
                Ok(Some(&bytes[start..end]))
            }
            Blocks::Stream { reader, buf, filled, cut, eof } => {
                buf.copy_within(*cut..*filled, 0);
                *filled -= *cut;
                *cut = 0;
                loop {
                    while !*eof && *filled < buf.len() {
                        match reader.read(&mut buf[*filled..]) {
                            Ok(0) => *eof = true,
                            Ok(k) => *filled += k,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(stream_error(path, e)),
                        }
                    }
                    if *filled == 0 {
                        return Ok(None);
                    }
                    match buf[..*filled].iter().rposition(|&b| b == b'\n') {
                        _ if *eof => *cut = *filled,
                        Some(p) => *cut = p + 1,
                        // A line longer than the buffer: make room and read on.
                        None => {
                            let more = buf.len();
                            buf.try_reserve(more).map_err(|_| Error::format(path, "a line too long to hold"))?;
                            buf.resize(2 * more, 0);
                            continue;
                        }
                    }
                    return Ok(Some(&buf[..*cut]));
                }
            }
        }
    }
}

fn stream_error(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::Other => Error::format(path, format!("corrupt compressed stream: {e}").to_lowercase()),
        _ => Error::io(path, e),
    }
}

/// Calls `each` with the parsed edges of every block of `path`'s body, in order, with a progress
/// bar saying `phase`.
fn for_each_block(
    path: &Path,
    block_bytes: usize,
    format: Format,
    options: &ReadOptions,
    phase: &str,
    mut each: impl FnMut(&Plan, text::Parsed) -> Result<()>,
) -> Result<Plan> {
    let bar = crate::progress::bar(0, &format!("{phase} {}", path.display()), true);
    let mut blocks = Blocks::open(path, block_bytes, &bar)?;
    let mut plan: Option<Plan> = None;
    let mut line = 0;
    while let Some(block) = blocks.next(path)? {
        let body = match &plan {
            Some(_) => block,
            None => {
                let p = plan_input(path, block, format, options)?;
                line = p.first_line;
                let body = &block[p.body_start..];
                plan = Some(p);
                body
            }
        };
        let p = plan.as_ref().expect("planned on the first block");
        let parsed = text::parse_body(path, body, line, &p.layout)?;
        line += body.iter().filter(|&&b| b == b'\n').count() as u64;
        each(p, parsed)?;
    }
    bar.finish_and_clear();
    match plan {
        Some(plan) => Ok(plan),
        None => plan_input(path, &[], format, options),
    }
}

/// Keeps `parsed` in `kept` while all kept blocks take at most `limit` bytes (else drops them all:
/// pass 2 reads the input again).
fn keep(kept: &mut Option<Vec<text::Parsed>>, bytes: &mut u64, parsed: text::Parsed, limit: u64) {
    *bytes += (parsed.raw.len() * 16 + parsed.weights.as_ref().map_or(0, |w| w.len() * 4)) as u64;
    match kept {
        Some(blocks) if *bytes <= limit => blocks.push(parsed),
        _ => *kept = None,
    }
}

/// A text input read into a [`Builder`] by [`read_into`].
pub struct Streamed {
    /// The builder, holding every edge; finish it into a `.cgr` or a [`crate::graph::Csr`].
    pub builder: Builder,
    /// The build options used (symmetrized when the input is undirected).
    pub options: BuildOptions,
    /// The original id of each node, when the ids were relabelled.
    pub original_ids: Option<Vec<u64>>,
    /// Whether the edges carry weights.
    pub weighted: bool,
    /// Number of edges read.
    pub edges: u64,
}

/// Reads the text graph at `path` (plain, `.gz` or `.zst`) in blocks, twice (see the
/// [module documentation](self)), into a builder with `build`'s options (symmetrized when the
/// input is undirected) and `options.budget`, spilling into `spill_in`. The graph is the one
/// [`read_edges`](super::read_edges) reads. Returns `None` for inputs this path does not take: `.cgr`
/// and WebGraph files, and ids so sparse that a bitmap of them would be larger than the edges
/// (those go through [`read_edges`](super::read_edges), which sorts the distinct ids).
pub fn read_into(
    path: &Path,
    options: &ReadOptions,
    build: BuildOptions,
    spill_in: Option<&Path>,
) -> Result<Option<Streamed>> {
    read_in_blocks(path, options, build, spill_in, block_bytes(&options.budget))
}

fn read_in_blocks(
    path: &Path,
    options: &ReadOptions,
    build: BuildOptions,
    spill_in: Option<&Path>,
    block_bytes: usize,
) -> Result<Option<Streamed>> {
    let format = resolve_format(path, options.format)?;
    if format == Format::Webgraph && options.relabel != Relabel::Always {
        // Dense ids already, successors by source: no first pass needed.
        if options.weighted == Some(true) {
            return Err(Error::format(path, "a WebGraph has no weights, so it cannot be read as weighted"));
        }
        let build = BuildOptions { symmetrize: !options.directed.unwrap_or(true), ..build };
        let (builder, edges) = super::webgraph::read_into(path, build, &options.budget, spill_in)?;
        return Ok(Some(Streamed { builder, options: build, original_ids: None, weighted: false, edges }));
    }
    if matches!(format, Format::Cgr | Format::Webgraph | Format::Graphalytics) {
        return Ok(None);
    }
    // Pass 1: validate, count, mark the ids used.
    let mut bits: Vec<u64> = Vec::new();
    let mut edges = 0u64;
    let mut max_id: Option<u64> = None;
    let mut too_sparse = false;
    // Parsed blocks are kept for pass 2 while they take at most a quarter of the budget, so an
    // input that fits is read (and decompressed) once.
    let mut kept: Option<Vec<text::Parsed>> = Some(Vec::new());
    let mut kept_bytes = 0u64;
    let mut mark = |parsed: &text::Parsed| -> Result<()> {
        edges += parsed.raw.len() as u64;
        let Some(block_max) = parsed.raw.par_iter().map(|&(u, v)| u.max(v)).max() else { return Ok(()) };
        max_id = max_id.max(Some(block_max));
        if too_sparse || options.relabel == Relabel::Never {
            return Ok(());
        }
        let words = (block_max / 64 + 1) as usize;
        if words > bits.len() {
            let max = max_id.unwrap_or(0);
            if max > edges.saturating_mul(16).max(1 << 20) && max > options.budget.limit() / 4 {
                too_sparse = true;
                bits = Vec::new();
                return Ok(());
            }
            options
                .budget
                .check(&format!("{}: a bitmap of the ids up to {block_max}", path.display()), words as u64 * 16)?;
            bits.try_reserve(words - bits.len()).map_err(|_| Error::invalid("out of memory for the id bitmap"))?;
            bits.resize(words, 0);
        }
        for &(u, v) in &parsed.raw {
            bits[(u / 64) as usize] |= 1 << (u % 64);
            bits[(v / 64) as usize] |= 1 << (v % 64);
        }
        Ok(())
    };
    let plan = for_each_block(path, block_bytes, format, options, "reading (pass 1 of 2)", |_, parsed| {
        mark(&parsed)?;
        keep(&mut kept, &mut kept_bytes, parsed, options.budget.limit() / 4);
        Ok(())
    })?;
    if let Some((declared, source)) = plan.edges
        && declared != edges
    {
        return Err(Error::format(path, format!("{source} declares {declared} edges but the file has {edges}")));
    }
    let relabel = match plan.nodes {
        Some(_) if options.relabel == Relabel::Auto => Relabel::Never,
        _ => options.relabel,
    };
    // Same sparse-id rule as `densify`: those ids are sorted, in memory.
    if relabel != Relabel::Never && (too_sparse || max_id.is_some_and(|m| m > edges.saturating_mul(16).max(1 << 20))) {
        return Ok(None);
    }
    let min_nodes = plan.nodes.unwrap_or(0);
    let span = max_id.map_or(0, |m| m + 1).max(min_nodes);
    // The dense id of each id: itself, or its rank among the used ids.
    let mut rank: Vec<u64> = Vec::new();
    let (n, original_ids) = match max_id {
        None => (check_node_count(min_nodes)?, None),
        Some(_) if relabel == Relabel::Never => (check_node_count(span)?, None),
        Some(max) => {
            let distinct: u64 = bits.iter().map(|w| w.count_ones() as u64).sum();
            if relabel == Relabel::Auto && distinct == max + 1 {
                (check_node_count(span)?, None)
            } else {
                let n = check_node_count(distinct)?;
                options.budget.check(&format!("{}: the original ids of {n} nodes", path.display()), 8 * n as u64)?;
                let mut acc = 0;
                rank = bits
                    .iter()
                    .map(|w| {
                        let r = acc;
                        acc += w.count_ones() as u64;
                        r
                    })
                    .collect();
                let ids = bits
                    .par_iter()
                    .enumerate()
                    .flat_map_iter(|(w, &word)| {
                        (0..64u64).filter(move |b| word >> b & 1 == 1).map(move |b| w as u64 * 64 + b)
                    })
                    .collect();
                (n, Some(ids))
            }
        }
    };
    let directed = options.directed.unwrap_or(plan.directed);
    let weighted = matches!(plan.layout.weight, WeightColumn::Parse(_));
    let build = BuildOptions { symmetrize: !directed, ..build };
    // The builder gets the budget less what the reader holds meanwhile: the kept blocks, or one
    // block and its parsed edges.
    let reader_bytes = if kept.is_some() { kept_bytes } else { block_bytes as u64 * HELD_PER_BLOCK_BYTE };
    let builder = Builder::new(n, weighted, build, edges, &options.budget.less(reader_bytes), spill_in)?;
    // Pass 2: push the edges in dense ids.
    let dense = |x: u64| -> NodeId {
        if rank.is_empty() {
            x as NodeId
        } else {
            let (w, b) = ((x / 64) as usize, x % 64);
            (rank[w] + (bits[w] & ((1u64 << b) - 1)).count_ones() as u64) as NodeId
        }
    };
    const EDGES_PER_TASK: usize = 1 << 16;
    let push = |parsed: text::Parsed| {
        let weights = parsed.weights.as_deref();
        parsed.raw.par_chunks(EDGES_PER_TASK).enumerate().for_each_init(
            || builder.sink(),
            |sink, (i, chunk)| {
                let w = weights.map(|w| &w[i * EDGES_PER_TASK..][..chunk.len()]);
                for (k, &(u, v)) in chunk.iter().enumerate() {
                    sink.push(dense(u), dense(v), w.map_or(1, |w| w[k]));
                }
            },
        );
    };
    match kept {
        Some(blocks) => blocks.into_iter().for_each(push),
        None => {
            for_each_block(path, block_bytes, format, options, "reading (pass 2 of 2)", |_, parsed| {
                push(parsed);
                Ok(())
            })?;
        }
    }
    Ok(Some(Streamed { builder, options: build, original_ids, weighted, edges }))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::graph::{Budget, Csr};
    use crate::io::read_edges;

    fn streamed(path: &Path, options: &ReadOptions, block: usize) -> Result<Option<Csr>> {
        let Some(s) = read_in_blocks(path, options, BuildOptions::directed(), None, block)? else { return Ok(None) };
        s.builder.finish(s.options.props(), s.original_ids).map(Some)
    }

    #[test]
    fn tiny_blocks_plain_and_compressed_read_the_same_graph_as_read_edges() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("# sparse ids, duplicates, loops\n");
        for i in 0..5000u64 {
            text.push_str(&format!("{} {} {}\n", i * 7 % 1000 * 3, i * 13 % 1000 * 3, i % 5));
        }
        let plain = dir.path().join("g.wel");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("g.wel.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let zst = dir.path().join("g.wel.zst");
        std::fs::write(&zst, zstd::encode_all(text.as_bytes(), 3).unwrap()).unwrap();
        for relabel in [Relabel::Auto, Relabel::Never, Relabel::Always] {
            let options = ReadOptions { relabel, budget: Budget::default(), ..ReadOptions::default() };
            let want = Csr::from_edges(&read_edges(&plain, &options).unwrap(), BuildOptions::directed());
            // The small budget cannot keep the parsed blocks: pass 2 reads the input again.
            let small = ReadOptions { budget: Budget::from_flag(Some(256 << 10)).unwrap(), ..options.clone() };
            for (path, options) in [(&plain, &options), (&gz, &options), (&zst, &options), (&gz, &small)] {
                for block in [40, 1000, 32 << 20] {
                    let got = streamed(path, options, block).unwrap().unwrap();
                    assert_eq!(got.offsets(), want.offsets(), "{path:?} {block}");
                    assert_eq!(got.targets(), want.targets());
                    assert_eq!(got.weights(), want.weights());
                    assert_eq!(got.original_ids(), want.original_ids(), "{relabel:?}");
                }
            }
        }
    }

    #[test]
    fn errors_name_the_exact_line_across_blocks_and_sparse_ids_are_left_to_read_edges() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!("{i} {}\n", i + 1));
        }
        text.push_str("7 x\n");
        let path = dir.path().join("bad.txt.zst");
        std::fs::write(&path, zstd::encode_all(text.as_bytes(), 3).unwrap()).unwrap();
        let e = streamed(&path, &ReadOptions::default(), 64).err().unwrap().to_string();
        assert!(e.contains("bad.txt.zst:501: `x`"), "{e}");
        let sparse = dir.path().join("sparse.txt");
        std::fs::write(&sparse, "0 1099511627776\n5 6\n").unwrap();
        assert!(streamed(&sparse, &ReadOptions::default(), 64).unwrap().is_none());
        let p = dir.path().join("p.gr");
        std::fs::write(&p, "p sp 3 2\na 1 2 5\n").unwrap();
        let e = streamed(&p, &ReadOptions::default(), 64).err().unwrap().to_string();
        assert!(e.contains("declares 2 edges but the file has 1"), "{e}");
    }
}
