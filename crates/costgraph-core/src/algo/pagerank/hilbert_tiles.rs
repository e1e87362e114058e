//! Hilbert-order PageRank: the arcs in Hilbert-curve order, packed into 16-bit offsets within
//! `2^16 x 2^16` tiles, scattered one tile at a time.

use rayon::prelude::*;

use super::ranks::{Params, Ranks};
use super::skeleton::{Slots, Totals, iterate};
use crate::Error;
use crate::graph::budget::{Budget, try_zeroed};
use crate::graph::hilbert::{self, Arc};
use crate::graph::{Csr, NodeId};

/// Tiles of [`HilbertTiles`] are `2^TILE_BITS` nodes on a side: the ranks read and the sums
/// written by one tile (256 KiB each in `f32`) stay in a core's L2 cache.
const TILE_BITS: u32 = 16;
/// The offsets of a node in its tile.
const TILE_MASK: NodeId = (1 << TILE_BITS) - 1;
/// Arcs packed per parallel task by [`HilbertTiles::of`].
const PACK_CHUNK: usize = 1 << 16;

/// The arcs in Hilbert-curve order, packed for the kernel. The curve visits every aligned
/// `2^16 x 2^16` tile of the adjacency matrix in one contiguous run, so the arcs fall into runs
/// that share the high 16 bits of source and target; each arc is stored as its two 16-bit
/// offsets in its tile: 4 bytes per arc, as many as a CSR target, where the `[src, dst]` pairs of
/// the `.cgr` section take 8.
pub struct HilbertTiles<'a> {
    csr: &'a Csr,
    /// Per tile: first source, first target, end of its arcs in `packed`.
    pub(super) tiles: Vec<(NodeId, NodeId, usize)>,
    /// `dst offset << 16 | src offset` per arc, in curve order.
    pub(super) packed: Vec<u32>,
}

/// A run of consecutive arcs packed by [`pack`]: its length, and where in it each tile's arcs
/// begin (first source, first target, position).
struct Packed {
    len: usize,
    starts: Vec<(NodeId, NodeId, usize)>,
}

/// Packs `points` (arcs in curve order, as many as `out` holds) into `out`.
fn pack(points: impl Iterator<Item = (NodeId, NodeId)>, out: &mut [u32]) -> Packed {
    let mut starts: Vec<(NodeId, NodeId, usize)> = Vec::new();
    for (i, (slot, (u, v))) in out.iter_mut().zip(points).enumerate() {
        let tile = (u & !TILE_MASK, v & !TILE_MASK);
        if starts.last().is_none_or(|&(s, d, _)| (s, d) != tile) {
            starts.push((tile.0, tile.1, i));
        }
        *slot = (v & TILE_MASK) << TILE_BITS | (u & TILE_MASK);
    }
    Packed { len: out.len(), starts }
}

/// Appends to `starts` where the tiles of consecutive runs begin, the runs following `at` packed
/// arcs: a tile continued from one run into the next stays one tile.
fn join(starts: &mut Vec<(NodeId, NodeId, usize)>, mut at: usize, runs: impl IntoIterator<Item = Packed>) {
    for run in runs {
        for (src, dst, start) in run.starts {
            if starts.last().is_none_or(|&(s, d, _)| (s, d) != (src, dst)) {
                starts.push((src, dst, at + start));
            }
        }
        at += run.len;
    }
}

/// The tiles `(first source, first target, end)` of `len` packed arcs whose tiles begin at
/// `starts` (from [`join`]).
fn ends(mut starts: Vec<(NodeId, NodeId, usize)>, len: usize) -> Vec<(NodeId, NodeId, usize)> {
    for k in 0..starts.len() {
        starts[k].2 = starts.get(k + 1).map_or(len, |next| next.2);
    }
    starts
}

impl<'a> HilbertTiles<'a> {
    /// Packs `arcs` (the arcs of `csr` in Hilbert-curve order, from [`Csr::hilbert_arcs`] or
    /// [`crate::graph::hilbert::hilbert_arcs`]): O(m) work in parallel on the current rayon pool.
    ///
    /// # Panics
    /// When an endpoint is not a node of `csr` (the `.cgr` reader and [`Csr::with_hilbert_arcs`]
    /// refuse such arcs).
    pub fn of(csr: &'a Csr, arcs: &[Arc]) -> crate::Result<Self> {
        let n = csr.num_nodes();
        assert!(arcs.par_iter().all(|&[u, v]| (u as usize) < n && (v as usize) < n), "arcs must be nodes of the graph");
        let mut packed = try_zeroed::<u32>(arcs.len(), "the Hilbert tiles' packed arcs")?;
        let runs: Vec<Packed> = arcs
            .par_chunks(PACK_CHUNK)
            .zip(packed.par_chunks_mut(PACK_CHUNK))
            .map(|(chunk, out)| pack(chunk.iter().map(|&[u, v]| (u, v)), out))
            .collect();
        let mut starts = Vec::new();
        join(&mut starts, 0, runs);
        Ok(HilbertTiles { csr, tiles: ends(starts, packed.len()), packed })
    }

    /// Sorts the arcs of `csr` into Hilbert-curve order straight into their packed form
    /// ([`hilbert::sort_groups`]: the curve positions of each bin are decoded and packed while
    /// in cache, never held as `[src, dst]` pairs), within `budget` beyond the 4 bytes per arc
    /// of the result: O(m) work in parallel on the current rayon pool.
    pub fn sort(csr: &'a Csr, budget: &Budget) -> crate::Result<Self> {
        struct Packing;
        impl hilbert::Finish for Packing {
            type Out = u32;
            type Summary = Packed;
            fn run(&self, points: impl Iterator<Item = (NodeId, NodeId)>, out: &mut [u32]) -> Packed {
                pack(points, out)
            }
        }
        let (mut starts, mut packed) = (Vec::new(), Vec::new());
        hilbert::sort_groups(csr, budget, &Packing, |group, runs| {
            let at = packed.len();
            if packed.is_empty() {
                packed = group;
            } else {
                packed.try_reserve(group.len()).map_err(|_| Error::invalid("out of memory for the Hilbert tiles"))?;
                packed.extend_from_slice(&group);
            }
            join(&mut starts, at, runs);
            Ok(())
        })?;
        Ok(HilbertTiles { csr, tiles: ends(starts, packed.len()), packed })
    }

    /// PageRank scattering along the arcs in Hilbert-curve order, one thread.
    pub fn pagerank(&self, params: &Params) -> Ranks {
        let mut sums = vec![0.0f32; self.csr.num_nodes()];
        iterate(self.csr, params, |contrib, slots, base| {
            scatter_then_update(&mut sums, contrib, slots, base, params.damping as f32, |sums, contrib| {
                let mut start = 0;
                for &(src, dst, end) in &self.tiles {
                    let from = &contrib[src as usize..];
                    let to = &mut sums[dst as usize..];
                    for &p in &self.packed[start..end] {
                        to[(p >> TILE_BITS) as usize] += from[(p & TILE_MASK) as usize];
                    }
                    start = end;
                }
            })
        })
    }
}

/// Adds `contrib[u]` into `sums[v]` for every arc `u -> v` (via `scatter`), then updates every
/// node from its sum and clears the sums: the push and Hilbert kernels.
fn scatter_then_update(
    sums: &mut [f32],
    contrib: &[f32],
    slots: Slots<'_>,
    base: f32,
    damping: f32,
    scatter: impl FnOnce(&mut [f32], &[f32]),
) -> Totals {
    scatter(sums, contrib);
    slots.update(base, damping, |v| std::mem::take(&mut sums[v]))
}
