//! Cache-blocked pull PageRank: the in-arcs regrouped so that the random reads of one pass
//! stay in a core's L2 cache.
//!
//! A pull iteration adds, for every node, the contributions of its in-neighbours: reads in an
//! order set by the graph, all over the `4 n` bytes of the contribution array, which on a large
//! graph lives in the last-level cache or in memory. [`Blocked`] cuts the sources into blocks of
//! `2^`[`block_bits`] nodes (their contributions, 4 bytes each, fit in L2 with room to spare) and the
//! destinations into `chunks` of about equal work, and stores the in-arcs as tiles, one per
//! (chunk, block): in each tile, one row per destination that has in-arcs from the block (the
//! destination and how many), followed in `sources` by those in-arcs. An iteration takes the
//! blocks in turn; within a block, every tile adds its rows' sums into the destinations' running
//! sums, reading only that block's contributions (CSR segmenting: Zhang, Kiriansky, Mendis,
//! Amarasinghe, Zaharia, Shun, "Making caches work for graph analytics", IEEE BigData 2017).
//!
//! Vertex order is kept: the nodes are neither renumbered nor reordered, and each node's sum
//! adds the same in-arcs in the same order (block by block, each row in source order) whatever
//! the number of threads, so the sequential and the parallel kernel give the same bits.
//!
//! Cost: O(n + m) work and two passes over the in-arcs (count, then fill) to build, `4 m + 8 r` bytes (`r` the rows,
//! at most `min(m, n * blocks)`) on top of the in-arcs; per iteration O(n + m + r) work with the
//! random reads confined to one block at a time, and one read-modify-write of the destination's
//! running sum per row.

use std::ops::Range;

use rayon::prelude::*;

use super::InEdges;
use super::ranks::{Params, Ranks};
use super::skeleton::{Totals, chunks, iterate};
use crate::graph::budget::try_zeroed;
use crate::graph::{Csr, NodeId};

/// Source nodes per block where the L2 size is unknown: `2^17` contributions of 4 bytes,
/// 512 KiB, half of a 1 MiB L2.
const DEFAULT_BLOCK_BITS: u32 = 17;

/// Source nodes per block (`2^bits`) on this machine: the contributions of a block fill half of
/// a core's L2 cache (read from Linux's `/sys/devices/system/cpu/cpu0/cache`), leaving the other
/// half to the rows and arcs streaming through; 2^17 where the size cannot be read. Within 2^14
/// to 2^20.
pub fn block_bits() -> u32 {
    l2_bytes().map_or(DEFAULT_BLOCK_BITS, |bytes| (bytes / 2 / 4).max(1).ilog2().clamp(14, 20))
}

/// The size of cpu0's unified (or data) level-2 cache, if Linux says.
fn l2_bytes() -> Option<u64> {
    let caches = std::fs::read_dir("/sys/devices/system/cpu/cpu0/cache").ok()?;
    caches.flatten().find_map(|dir| {
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).ok();
        let level = read("level")?;
        let kind = read("type")?;
        if level.trim() != "2" || kind.trim() == "Instruction" {
            return None;
        }
        let size = read("size")?;
        let size = size.trim();
        let (digits, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len()));
        let scale = match unit {
            "" => 1,
            "K" => 1 << 10,
            "M" => 1 << 20,
            _ => return None,
        };
        digits.parse::<u64>().ok().map(|d| d * scale)
    })
}

/// Destination chunks of the tiling: enough for rayon to balance a few dozen threads, few enough
/// that a tile holds a long run of arcs.
const CHUNKS: u64 = 256;

/// The in-arcs of a graph as tiles of (destination chunk, source block); see the module docs.
pub struct Blocked<'a> {
    csr: &'a Csr,
    /// The destinations of each chunk.
    pub(super) chunks: Vec<Range<usize>>,
    /// Source blocks.
    pub(super) blocks: usize,
    /// Where each tile's rows begin in `rows`, chunk-major (`chunk * blocks + block`), and one
    /// past the last.
    pub(super) tile_rows: Vec<usize>,
    /// Where each tile's arcs begin in `sources`, and one past the last.
    pub(super) tile_arcs: Vec<usize>,
    /// Per row: the destination, and how many of the tile's arcs are its.
    pub(super) rows: Vec<(NodeId, u32)>,
    /// The sources of the arcs, row after row.
    pub(super) sources: Vec<NodeId>,
}

/// A chunk's share of [`Blocked`] while it is built: per block, its rows and arcs.
struct Share {
    rows: Vec<usize>,
    arcs: Vec<usize>,
}

impl<'a> Blocked<'a> {
    /// Regroups `in_edges` into tiles of `2^block_bits` sources: counts each chunk's rows and
    /// arcs per block, then fills every chunk's tiles in parallel on the current rayon pool.
    pub fn of(in_edges: &InEdges<'a>, block_bits: u32) -> crate::Result<Self> {
        let n = in_edges.csr.num_nodes();
        let blocks = (n >> block_bits) + 1;
        let offsets = &in_edges.offsets;
        let total = offsets[n];
        let chunks = chunks(offsets, (total + n as u64).div_ceil(CHUNKS).max(1));
        let block_of = |u: NodeId| (u >> block_bits) as usize;
        // Pass 1: rows and arcs of every (chunk, block).
        let shares: Vec<Share> = chunks
            .par_iter()
            .map(|dsts| {
                let mut share = Share { rows: vec![0; blocks], arcs: vec![0; blocks] };
                for v in dsts.clone() {
                    for run in runs(in_edges.in_arcs(v), block_of) {
                        share.rows[block_of(run[0])] += run.len().div_ceil(u32::MAX as usize);
                        share.arcs[block_of(run[0])] += run.len();
                    }
                }
                share
            })
            .collect();
        let mut tile_rows = Vec::with_capacity(shares.len() * blocks + 1);
        let mut tile_arcs = Vec::with_capacity(shares.len() * blocks + 1);
        let (mut r, mut a) = (0, 0);
        for share in &shares {
            for b in 0..blocks {
                tile_rows.push(r);
                tile_arcs.push(a);
                r += share.rows[b];
                a += share.arcs[b];
            }
        }
        tile_rows.push(r);
        tile_arcs.push(a);
        let mut rows = try_zeroed::<(NodeId, u32)>(r, "the blocked PageRank's rows")?;
        let mut sources = try_zeroed::<NodeId>(a, "the blocked PageRank's arcs")?;
        // Pass 2: each chunk fills its own contiguous stretch of `rows` and `sources`.
        let mut parts = Vec::with_capacity(chunks.len());
        let (mut rows_left, mut sources_left) = (rows.as_mut_slice(), sources.as_mut_slice());
        for c in 0..chunks.len() {
            let (rs, rest) = rows_left.split_at_mut(tile_rows[(c + 1) * blocks] - tile_rows[c * blocks]);
            let (ss, rest_s) = sources_left.split_at_mut(tile_arcs[(c + 1) * blocks] - tile_arcs[c * blocks]);
            parts.push((c, rs, ss));
            (rows_left, sources_left) = (rest, rest_s);
        }
        parts.into_par_iter().for_each(|(c, rs, ss)| {
            let tile = c * blocks;
            let mut row_at: Vec<usize> = (0..blocks).map(|b| tile_rows[tile + b] - tile_rows[tile]).collect();
            let mut arc_at: Vec<usize> = (0..blocks).map(|b| tile_arcs[tile + b] - tile_arcs[tile]).collect();
            for v in chunks[c].clone() {
                for run in runs(in_edges.in_arcs(v), block_of) {
                    let b = block_of(run[0]);
                    ss[arc_at[b]..arc_at[b] + run.len()].copy_from_slice(run);
                    arc_at[b] += run.len();
                    for piece in run.chunks(u32::MAX as usize) {
                        rs[row_at[b]] = (v as NodeId, piece.len() as u32);
                        row_at[b] += 1;
                    }
                }
            }
        });
        Ok(Blocked { csr: in_edges.csr, chunks, blocks, tile_rows, tile_arcs, rows, sources })
    }

    /// PageRank by pulling over the tiles, one thread.
    pub fn pagerank(&self, params: &Params) -> Ranks {
        let mut sums = vec![0.0f32; self.chunks.last().map_or(0, |c| c.end)];
        iterate(self.csr, params, |contrib, slots, base| {
            for b in 0..self.blocks {
                for c in 0..self.chunks.len() {
                    self.add_tile(
                        c * self.blocks + b,
                        contrib,
                        &mut sums[self.chunks[c].clone()],
                        self.chunks[c].start,
                    );
                }
            }
            slots.update(base, params.damping as f32, |v| std::mem::take(&mut sums[v]))
        })
    }

    /// PageRank by pulling over the tiles on the current rayon pool: the blocks in turn, the
    /// chunks of each block in parallel, then the nodes updated in parallel by chunk.
    pub fn pagerank_par(&self, params: &Params) -> Ranks {
        let mut sums = vec![0.0f32; self.chunks.last().map_or(0, |c| c.end)];
        iterate(self.csr, params, |contrib, mut slots, base| {
            let mut parts: Vec<(usize, &mut [f32])> = Vec::with_capacity(self.chunks.len());
            let mut rest = sums.as_mut_slice();
            for (c, dsts) in self.chunks.iter().enumerate() {
                let (part, tail) = rest.split_at_mut(dsts.len());
                parts.push((c, part));
                rest = tail;
            }
            for b in 0..self.blocks {
                parts.par_iter_mut().for_each(|(c, part)| {
                    self.add_tile(*c * self.blocks + b, contrib, part, self.chunks[*c].start);
                });
            }
            let mut work = Vec::with_capacity(parts.len());
            for (c, part) in parts {
                let (mine, others) = slots.split_at(part.len());
                work.push((c, part, mine));
                slots = others;
            }
            let totals: Vec<Totals> = work
                .into_par_iter()
                .map(|(_, part, mine)| mine.update(base, params.damping as f32, |v| std::mem::take(&mut part[v])))
                .collect();
            totals.into_iter().fold(Totals::default(), |a, b| a + b)
        })
    }

    /// Adds the sums of the rows of `tile` into `sums`, the running sums of the tile's chunk,
    /// whose first destination is `first`.
    #[inline(always)]
    fn add_tile(&self, tile: usize, contrib: &[f32], sums: &mut [f32], first: usize) {
        let mut at = self.tile_arcs[tile];
        for &(v, len) in &self.rows[self.tile_rows[tile]..self.tile_rows[tile + 1]] {
            let end = at + len as usize;
            let mut sum = 0.0f32;
            for &u in &self.sources[at..end] {
                sum += contrib[u as usize];
            }
            sums[v as usize - first] += sum;
            at = end;
        }
    }

    /// The number of rows (destination, block) with at least one arc: the tiling's overhead
    /// over the in-arcs, 8 bytes each.
    pub fn num_rows(&self) -> usize {
        self.rows.len()
    }
}

/// The runs of `sources` (sorted) that fall in the same block.
fn runs<'s>(sources: &'s [NodeId], block_of: impl Fn(NodeId) -> usize + 's) -> impl Iterator<Item = &'s [NodeId]> {
    sources.chunk_by(move |&a, &b| block_of(a) == block_of(b))
}
