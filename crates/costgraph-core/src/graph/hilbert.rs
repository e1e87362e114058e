//! Hilbert-curve order of the arcs: the layout McSherry, Isard and Murray use for their fast
//! single-threaded PageRank ("Scalability! But at what COST?", HotOS 2015, Table 4).
//!
//! Each arc `(src, dst)` is a point of the `2^k x 2^k` adjacency matrix (`k` the bits needed for
//! the largest node id). Visiting the points along the Hilbert curve keeps consecutive arcs close
//! in both coordinates, so both the ranks read at `src` and the sums written at `dst` stay in
//! cache for a while, where CSR order is local only in `src`.
//!
//! [`sort_groups`] computes the order: a first pass counts the arcs per cell of a 64 x 64 grid
//! over the matrix (shifts only: a cell's index on the 64 x 64 curve is the top 12 bits of the
//! curve index of every arc in it, its *bin*); a second computes every arc's curve index
//! (table-driven: one lookup per 4 bits of each coordinate, in parallel) and scatters the bits
//! below the bin's (32-bit keys up to `2^22` nodes) straight to the bin's place; then each bin,
//! in cache, is sorted by a least-significant-digit radix sort, decoded back to arcs (one lookup
//! per 8 bits below the bin's) and handed to a [`Finish`] (bins in parallel; O(m) work, two
//! passes over the graph, no comparisons). [`hilbert_arcs`] finishes into `[src, dst]` pairs;
//! PageRank's tiles pack each arc into 4 bytes straight from the bin. Memory: the key (4 or 8
//! bytes) and the output per arc. Within a memory budget smaller than that, [`for_each_group`]
//! sorts the arcs in groups of consecutive curve positions, one pass over the CSR per group, so
//! that a `.cgr` gets its Hilbert section with `O(budget)` memory beyond the mapped graph.
//! The index is a bijection on the grid, so the sorted indices alone carry the arcs.

use rayon::prelude::*;

use std::sync::atomic::Ordering::Relaxed;

use super::atomic::{as_atomic_u32, as_atomic_u64};
use super::budget::{Budget, try_zeroed};
use super::{Csr, NodeId};
use crate::{Error, Result};

/// An arc as stored in Hilbert order: `[src, dst]`.
pub type Arc = super::ArcPair;

/// The curve order (bits per coordinate) used for a graph of `num_nodes` nodes: enough bits for
/// the largest id, at least one.
pub fn curve_bits(num_nodes: usize) -> u32 {
    (usize::BITS - num_nodes.saturating_sub(1).leading_zeros()).max(1)
}

/// `csr` with its arcs in Hilbert-curve order attached ([`Csr::with_hilbert_arcs`]), computed in
/// parallel, in memory ([`hilbert_arcs`]).
pub fn with_hilbert_order(csr: Csr) -> Result<Csr> {
    let arcs = hilbert_arcs(&csr)?;
    csr.with_hilbert_arcs(super::Array::owned(arcs)).map_err(Error::invalid)
}

/// Bits of each coordinate one table lookup of [`index`] / [`point`] handles.
const CHUNK: u32 = 4;

/// The curve tables, built at compile time. The curve's recursion only ever swaps the two
/// coordinates and/or complements both (Hamilton, "Compact Hilbert indices", 2006), so its state
/// is two bits (complemented, swapped), and these commute: composing states is XOR. For state `s`
/// and the next [`CHUNK`] bits `(xc, yc)` of a point, `FORWARD[s << 8 | xc << 4 | yc]` holds the
/// next 8 bits of the curve index and the next state (`digit << 2 | state`); `INVERSE[s << 8 |
/// digit]` holds `(xc << 4 | yc) << 2 | state`.
const TABLES: ([u16; 1024], [u16; 1024]) = tables();

const fn tables() -> ([u16; 1024], [u16; 1024]) {
    let mut forward = [0u16; 1024];
    let mut inverse = [0u16; 1024];
    let mut entry = 0;
    while entry < 1024 {
        let state = (entry >> 8) as u16;
        let (xc, yc) = ((entry >> 4) & 15, entry & 15);
        // The chunk in the state's frame, then the bit-by-bit curve (as in `index_bitwise`).
        let (mut x, mut y) = (xc, yc);
        if state & 1 == 1 {
            x ^= 15;
            y ^= 15;
        }
        if state & 2 == 2 {
            (x, y) = (y, x);
        }
        let (mut digit, mut next, mut s) = (0, state, 8);
        while s > 0 {
            let (rx, ry) = ((x & s != 0) as usize, (y & s != 0) as usize);
            digit += s * s * ((3 * rx) ^ ry);
            if ry == 0 {
                if rx == 1 {
                    x ^= 15;
                    y ^= 15;
                    next ^= 1;
                }
                (x, y) = (y, x);
                next ^= 2;
            }
            s >>= 1;
        }
        forward[entry] = (digit as u16) << 2 | next;
        inverse[(state as usize) << 8 | digit] = ((xc << 4 | yc) as u16) << 2 | next;
        entry += 1;
    }
    (forward, inverse)
}

/// The number of table steps for `bits` bits, and the starting state: the curve of `bits` bits is
/// the curve of the padded width entered through leading zero levels, each of which swaps the
/// coordinates, so an odd padding starts swapped.
#[inline(always)]
fn steps(bits: u32) -> (u32, usize) {
    let steps = bits.div_ceil(CHUNK);
    (steps, (((steps * CHUNK - bits) & 1) as usize) << 1)
}

/// The position of the point `(x, y)` along the Hilbert curve that fills the `2^bits x 2^bits`
/// grid (`x, y < 2^bits`, `1 <= bits <= 32`): one table lookup per 4 bits of each coordinate.
#[inline]
pub fn index(bits: u32, x: u32, y: u32) -> u64 {
    let (steps, mut state) = steps(bits);
    let mut d = 0u64;
    for step in (0..steps).rev() {
        let shift = step * CHUNK;
        let chunk = ((x >> shift) & 15) << 4 | ((y >> shift) & 15);
        let e = TABLES.0[state << 8 | chunk as usize];
        d = d << 8 | (e >> 2) as u64;
        state = (e & 3) as usize;
    }
    d
}

/// The point at position `d` along the Hilbert curve of the `2^bits x 2^bits` grid: the inverse
/// of [`index`], one table lookup per 8 bits of `d`.
#[inline]
pub fn point(bits: u32, d: u64) -> (u32, u32) {
    let (steps, state) = steps(bits);
    let (_, x, y) = descend((state, 0, 0), d, 0..steps);
    (x, y)
}

/// The table steps `steps` (counted from the top) of [`point`] applied to `d`, whose lowest 8
/// bits are the digit of the last of them, from the curve state and the coordinates' high bits
/// `(state, x, y)` before the first of them.
#[inline(always)]
fn descend((mut state, mut x, mut y): (usize, u32, u32), d: u64, steps: std::ops::Range<u32>) -> (usize, u32, u32) {
    let last = steps.end;
    for step in steps {
        let digit = (d >> (2 * CHUNK * (last - 1 - step))) as usize & 255;
        let e = TABLES.1[state << 8 | digit] as u32;
        x = x << CHUNK | (e >> 6);
        y = y << CHUNK | ((e >> 2) & 15);
        state = (e & 3) as usize;
    }
    (state, x, y)
}

/// Bits sorted per radix pass.
const DIGIT_BITS: u32 = 11;
/// Keys above which one bin is sorted by the whole pool rather than by one thread (and handed
/// to [`Finish::run`] in runs of this many).
const BIG_BIN: usize = 1 << 22;

/// The arcs of `csr` sorted by the Hilbert index of `(src, dst)` (see the module documentation),
/// in memory: 8 bytes per arc, plus 12 (16 above `2^22` nodes) per arc while sorting when the
/// memory available allows, else sorted in groups (see [`for_each_group`]). Uses the current
/// rayon pool.
pub fn hilbert_arcs(csr: &Csr) -> Result<Vec<Arc>> {
    let mut arcs = Vec::new();
    for_each_group(csr, &Budget::default(), |group| {
        if arcs.is_empty() {
            arcs = group;
        } else {
            arcs.try_reserve(group.len()).map_err(|_| Error::invalid("out of memory for the Hilbert-ordered arcs"))?;
            arcs.extend_from_slice(&group);
        }
        Ok(())
    })?;
    Ok(arcs)
}

/// Bits of the curve index that name a *bin* (a `2^(bits - 6)`-wide square block of the
/// adjacency matrix, a *cell* of the 64 x 64 grid over it).
const BIN_BITS: u32 = 12;
/// Node ranges the arcs are cut into to count and collect them in parallel.
const CHUNKS: usize = 256;

/// Hands the arcs of `csr` in Hilbert-curve order to `emit`, one group of consecutive curve
/// positions at a time, holding at most [`Budget::limit`] bytes (12 per arc of a group, 16 above
/// `2^22` nodes): [`sort_groups`] with every position decoded to its arc.
pub fn for_each_group(csr: &Csr, budget: &Budget, mut emit: impl FnMut(Vec<Arc>) -> Result<()>) -> Result<()> {
    struct Decode;
    impl Finish for Decode {
        type Out = Arc;
        type Summary = ();
        fn run(&self, points: impl Iterator<Item = (NodeId, NodeId)>, out: &mut [Arc]) {
            for (arc, (u, v)) in out.iter_mut().zip(points) {
                *arc = [u, v];
            }
        }
    }
    sort_groups(csr, budget, &Decode, |arcs, _| emit(arcs))
}

/// What becomes of the arcs in curve order: [`sort_groups`] hands each run of consecutive arcs,
/// decoded from their sorted curve positions while in cache, to [`Finish::run`] (runs in
/// parallel), which writes one [`Finish::Out`] per arc and may return a summary of the run.
pub trait Finish: Sync {
    /// What each arc becomes.
    type Out: bytemuck::Zeroable + Send;
    /// What a run tells besides (kept in curve order).
    type Summary: Send;
    /// Writes `out[i]` for the `i`-th of `points` (as many as `out` holds, `(src, dst)` in curve
    /// order).
    fn run(&self, points: impl Iterator<Item = (NodeId, NodeId)>, out: &mut [Self::Out]) -> Self::Summary;
}

/// The low bits of a curve index kept per arc while sorting within a bin: `u32` when they fit
/// (graphs of up to `2^22` nodes), else `u64`.
trait Key: bytemuck::Zeroable + Copy + Ord + Send + Sync {
    /// The atomic of the same width, to scatter from several threads.
    type Atomic: Sync;
    /// The low bits of `position` (those that fit).
    fn low(position: u64) -> Self;
    /// The key as a `u64`.
    fn widen(self) -> u64;
    /// Views `keys` as atomics.
    fn atomic(keys: &mut [Self]) -> &[Self::Atomic];
    /// Stores `key` into `slot`.
    fn store(slot: &Self::Atomic, key: Self);
}

impl Key for u32 {
    type Atomic = std::sync::atomic::AtomicU32;
    fn low(position: u64) -> Self {
        position as u32
    }
    fn widen(self) -> u64 {
        self as u64
    }
    fn atomic(keys: &mut [Self]) -> &[Self::Atomic] {
        as_atomic_u32(keys)
    }
    fn store(slot: &Self::Atomic, key: Self) {
        slot.store(key, Relaxed);
    }
}

impl Key for u64 {
    type Atomic = std::sync::atomic::AtomicU64;
    fn low(position: u64) -> Self {
        position
    }
    fn widen(self) -> u64 {
        self
    }
    fn atomic(keys: &mut [Self]) -> &[Self::Atomic] {
        as_atomic_u64(keys)
    }
    fn store(slot: &Self::Atomic, key: Self) {
        slot.store(key, Relaxed);
    }
}

/// Sorts the arcs of `csr` by their Hilbert index and hands them to `emit` through `finish`, one
/// group of consecutive curve positions at a time: the group's [`Finish::Out`]s and its runs'
/// summaries, both in curve order. At most [`Budget::limit`] bytes are held per group (the key,
/// 4 bytes per arc up to `2^22` nodes and 8 above, plus the output per arc).
///
/// A most-significant-digit sort: a first pass counts the arcs per cell of the 64 x 64 grid over
/// the adjacency matrix and per node range (shifts only: the top [`BIN_BITS`] bits of an arc's
/// curve index are its cell's index on the 64 x 64 curve, its *bin*); the bins are cut into
/// consecutive groups that fit (one group when every arc fits), and each group is one more pass
/// over the CSR in which every node range computes the curve index of its arcs (table-driven)
/// and scatters its low bits straight to their bins' places. Each bin, small enough to stay in
/// cache on any graph that is not concentrated in one block, is then sorted on its own (a
/// least-significant-digit radix sort of the bits below the bin's) and finished while still in
/// cache, bins in parallel. The work is `O(m)` per pass, `2 + groups` passes over the graph's
/// memory instead of one per radix digit; nothing goes to disk. A single bin larger than the
/// budget (a block of the matrix that dense) is refused with how much it needs.
pub fn sort_groups<F: Finish>(
    csr: &Csr,
    budget: &Budget,
    finish: &F,
    emit: impl FnMut(Vec<F::Out>, Vec<F::Summary>) -> Result<()>,
) -> Result<()> {
    let bits = curve_bits(csr.num_nodes());
    if 2 * bits - BIN_BITS.min(2 * bits) <= u32::BITS {
        sort_groups_by::<u32, F>(csr, budget, finish, emit)
    } else {
        sort_groups_by::<u64, F>(csr, budget, finish, emit)
    }
}

/// [`sort_groups`] with keys of type `K`.
fn sort_groups_by<K: Key, F: Finish>(
    csr: &Csr,
    budget: &Budget,
    finish: &F,
    mut emit: impl FnMut(Vec<F::Out>, Vec<F::Summary>) -> Result<()>,
) -> Result<()> {
    let bits = curve_bits(csr.num_nodes());
    let per_arc = (size_of::<K>() + size_of::<F::Out>()) as u64;
    let bin_bits = BIN_BITS.min(2 * bits);
    let low_bits = 2 * bits - bin_bits;
    let (side, shift) = (bin_bits / 2, bits - bin_bits / 2);
    // Node ranges of about equal arc counts, and each one's arcs per cell, then per bin.
    let ranges = node_ranges(csr, CHUNKS);
    let bin_of_cell: Vec<usize> =
        (0..1u32 << bin_bits).map(|c| index(side, c >> side, c & ((1 << side) - 1)) as usize).collect();
    let counts: Vec<Vec<u64>> = ranges
        .par_iter()
        .map(|r| {
            let mut per_cell = vec![0u64; 1 << bin_bits];
            for u in r.clone() {
                let row = &mut per_cell[((u >> shift) << side) as usize..][..1 << side];
                for &v in csr.neighbors(u) {
                    row[(v >> shift) as usize] += 1;
                }
            }
            let mut per_bin = vec![0u64; 1 << bin_bits];
            for (cell, &count) in per_cell.iter().enumerate() {
                per_bin[bin_of_cell[cell]] = count;
            }
            per_bin
        })
        .collect();
    let per_bin: Vec<u64> = (0..1 << bin_bits).map(|b| counts.iter().map(|c| c[b]).sum()).collect();
    let whole = budget.fits(csr.num_arcs() * per_arc);
    if !whole {
        // Each pass reads the whole graph: a mapped one goes back to the page cache after it.
        csr.release_mapped_pages();
    }
    let mut first = 0;
    while first < per_bin.len() {
        let room = budget.limit() / per_arc;
        let (mut last, mut arcs) = (first, 0u64);
        while last < per_bin.len() && (whole || last == first || arcs + per_bin[last] <= room) {
            arcs += per_bin[last];
            last += 1;
        }
        budget.check_or(
            &format!("sorting {arcs} arcs of one block of the adjacency matrix into Hilbert order"),
            arcs * per_arc,
            "a graph this dense in one block needs a larger budget",
        )?;
        let bins = first..last;
        // Where each bin of the group starts, then where each node range writes in it.
        let mut bin_start = Vec::with_capacity(bins.len() + 1);
        let mut at = 0usize;
        for b in bins.clone() {
            bin_start.push(at);
            at += per_bin[b] as usize;
        }
        bin_start.push(at);
        let mut cursors: Vec<Vec<usize>> = Vec::with_capacity(ranges.len());
        let mut next = bin_start[..bins.len()].to_vec();
        for count in &counts {
            cursors.push(next.clone());
            for (i, b) in bins.clone().enumerate() {
                next[i] += count[b] as usize;
            }
        }
        let mut keys = try_zeroed::<K>(arcs as usize, "the Hilbert keys of a group of arcs")?;
        let slots = K::atomic(&mut keys);
        ranges.par_iter().zip(cursors).for_each(|(r, mut cursor)| {
            for u in r.clone() {
                for &v in csr.neighbors(u) {
                    let key = index(bits, u, v);
                    let bin = (key >> low_bits) as usize;
                    if bins.contains(&bin) {
                        let slot = &mut cursor[bin - bins.start];
                        K::store(&slots[*slot], K::low(key));
                        *slot += 1;
                    }
                }
            }
        });
        if !whole {
            csr.release_mapped_pages();
        }
        let mut out = try_zeroed::<F::Out>(keys.len(), "the Hilbert-ordered arcs of a group")?;
        // Each bin on its own, in runs: the bins of a group are consecutive in `keys`. A bin
        // too big for one thread (a block of the matrix holding much of the graph) is sorted in
        // place by the whole pool first, without a second buffer, and finished in runs.
        let mut runs = Vec::with_capacity(bins.len());
        let (mut rest, mut rest_out) = (keys.as_mut_slice(), out.as_mut_slice());
        for (bin, w) in bins.clone().zip(bin_start.windows(2)) {
            let (piece, tail) = rest.split_at_mut(w[1] - w[0]);
            let (piece_out, tail_out) = rest_out.split_at_mut(w[1] - w[0]);
            (rest, rest_out) = (tail, tail_out);
            let base = (bin as u64) << low_bits;
            if piece.len() <= BIG_BIN {
                runs.push((base, true, piece, piece_out));
            } else {
                piece.par_sort_unstable();
                for (run, run_out) in piece.chunks_mut(BIG_BIN).zip(piece_out.chunks_mut(BIG_BIN)) {
                    runs.push((base, false, run, run_out));
                }
            }
        }
        let summaries = runs
            .into_par_iter()
            .with_max_len(1)
            .map_init(Vec::new, |scratch, (base, unsorted, run, run_out)| {
                let sorted = if unsorted { sort_low_bits(run, low_bits, scratch) } else { run };
                // The steps of the digits above the low bits are the bin's: taken once.
                let (steps, state) = steps(bits);
                let shared = steps - low_bits.div_ceil(2 * CHUNK);
                let top =
                    descend((state, 0, 0), base.checked_shr(2 * CHUNK * (steps - shared)).unwrap_or(0), 0..shared);
                let points = sorted.iter().map(|&k| {
                    let (_, x, y) = descend(top, base | k.widen(), shared..steps);
                    (x, y)
                });
                finish.run(points, run_out)
            })
            .collect();
        drop(keys);
        emit(out, summaries)?;
        first = last;
    }
    Ok(())
}

/// Sorts keys that agree above their lowest `bits` bits: a least-significant-digit radix sort
/// (one pass to count every digit, then one pass per digit) through `scratch` (kept by the caller
/// across calls), comparisons for a handful of keys. Returns the sorted keys: `keys` itself or
/// the front of `scratch`. At most `u32::MAX` keys (the bins handed to it hold [`BIG_BIN`]).
fn sort_low_bits<'a, K: Key>(keys: &'a mut [K], bits: u32, scratch: &'a mut Vec<K>) -> &'a [K] {
    if keys.len() <= 64 {
        keys.sort_unstable();
        return keys;
    }
    assert!(keys.len() <= u32::MAX as usize, "a bin of {} keys sorted by one thread", keys.len());
    let buckets = 1usize << DIGIT_BITS;
    let passes = bits.div_ceil(DIGIT_BITS) as usize;
    let digit = |k: K, pass: usize| ((k.widen() >> (pass as u32 * DIGIT_BITS)) as usize) & (buckets - 1);
    let mut count = vec![0u32; buckets * passes];
    for &k in keys.iter() {
        for pass in 0..passes {
            count[pass * buckets + digit(k, pass)] += 1;
        }
    }
    scratch.clear();
    scratch.resize(keys.len(), K::zeroed());
    let (mut from, mut to): (&mut [K], &mut [K]) = (keys, scratch.as_mut_slice());
    for (pass, starts) in count.chunks_mut(buckets).enumerate() {
        let mut at = 0;
        for c in starts.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &k in from.iter() {
            let d = digit(k, pass);
            to[starts[d] as usize] = k;
            starts[d] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    from
}

/// `count` consecutive node ranges of `csr` with about equal numbers of arcs (some may be empty).
fn node_ranges(csr: &Csr, count: usize) -> Vec<std::ops::Range<NodeId>> {
    let offsets = csr.offsets();
    let m = csr.num_arcs();
    let mut starts: Vec<NodeId> =
        (0..count as u64).map(|i| offsets.partition_point(|&o| o < m * i / count as u64) as NodeId).collect();
    starts.push(csr.num_nodes() as NodeId);
    for i in 1..starts.len() {
        starts[i] = starts[i].max(starts[i - 1]).min(csr.num_nodes() as NodeId);
    }
    starts[0] = 0;
    starts.windows(2).map(|w| w[0]..w[1]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, EdgeList};

    /// The curve index bit by bit (the textbook `xy2d`): the oracle of the tables.
    fn index_bitwise(bits: u32, mut x: u32, mut y: u32) -> u64 {
        let mask = (u64::MAX >> (64 - bits)) as u32;
        let mut d = 0u64;
        let mut s = 1u32 << (bits - 1);
        while s > 0 {
            let rx = (x & s != 0) as u64;
            let ry = (y & s != 0) as u64;
            d += (s as u64) * (s as u64) * ((3 * rx) ^ ry);
            if ry == 0 {
                if rx == 1 {
                    x ^= mask;
                    y ^= mask;
                }
                std::mem::swap(&mut x, &mut y);
            }
            s >>= 1;
        }
        d
    }

    #[test]
    fn tables_agree_with_the_bitwise_curve() {
        let mut z = 0x2545_f491_4f6c_dd1du64;
        for bits in 1..=32u32 {
            let mask = (u64::MAX >> (64 - bits)) as u32;
            for _ in 0..2000 {
                z ^= z << 13;
                z ^= z >> 7;
                z ^= z << 17;
                let (x, y) = (z as u32 & mask, (z >> 32) as u32 & mask);
                let d = index(bits, x, y);
                assert_eq!(d, index_bitwise(bits, x, y), "bits {bits}, ({x}, {y})");
                assert_eq!(point(bits, d), (x, y), "bits {bits}, d {d}");
            }
        }
    }

    #[test]
    fn index_and_point_are_inverse_and_adjacent() {
        for bits in 1..=5 {
            let side = 1u32 << bits;
            let mut seen = vec![false; (side * side) as usize];
            let mut last: Option<(u32, u32)> = None;
            for d in 0..(side as u64 * side as u64) {
                let (x, y) = point(bits, d);
                assert!(x < side && y < side);
                assert_eq!(index(bits, x, y), d);
                assert!(!std::mem::replace(&mut seen[d as usize], true));
                if let Some((px, py)) = last {
                    assert_eq!(px.abs_diff(x) + py.abs_diff(y), 1, "curve steps to a neighbouring cell");
                }
                last = Some((x, y));
            }
        }
        let far = (u32::MAX - 3, 7);
        assert_eq!(point(32, index(32, far.0, far.1)), far);
    }

    #[test]
    fn bins_sort_by_their_low_bits() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut scratch = Vec::new();
        // Even and odd numbers of passes (the result then sits in the scratch buffer), and the
        // few-keys case.
        for (len, bits) in [(5000, 32), (5000, 22), (3000, 11), (40, 44), (100_000, 44)] {
            let top = 0x5u64 << bits;
            let mut keys: Vec<u64> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    top | (x & ((1u64 << bits) - 1))
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            assert_eq!(sort_low_bits(&mut keys, bits, &mut scratch), expected, "{len} keys of {bits} bits");
        }
    }

    #[test]
    fn curve_bits_cover_the_ids() {
        assert_eq!(curve_bits(0), 1);
        assert_eq!(curve_bits(2), 1);
        assert_eq!(curve_bits(3), 2);
        assert_eq!(curve_bits(1 << 20), 20);
        assert_eq!(curve_bits((1 << 20) + 1), 21);
    }

    #[test]
    fn hilbert_arcs_are_a_permutation_in_curve_order() {
        let edges = vec![(0, 1), (4, 2), (2, 2), (1, 0), (3, 4), (0, 4), (2, 1)];
        let csr = Csr::from_edges(&EdgeList::new(5, edges.clone(), true), BuildOptions::directed());
        let arcs = hilbert_arcs(&csr).unwrap();
        let bits = curve_bits(5);
        assert!(arcs.windows(2).all(|w| index(bits, w[0][0], w[0][1]) < index(bits, w[1][0], w[1][1])));
        let mut got: Vec<(u32, u32)> = arcs.iter().map(|a| (a[0], a[1])).collect();
        let mut want = edges;
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn groups_within_a_small_budget_give_the_same_order() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let edges: Vec<(u32, u32)> = (0..150_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 5000) as u32, ((x >> 32) % 5000) as u32)
            })
            .collect();
        let csr = Csr::from_edges(&EdgeList::new(5000, edges, true), BuildOptions::directed());
        let want = hilbert_arcs(&csr).unwrap();
        let budget = Budget::from_flag(Some(crate::graph::budget::MIN_BUDGET)).unwrap();
        let mut groups = 0;
        let mut got = Vec::new();
        for_each_group(&csr, &budget, |group| {
            groups += 1;
            assert!(group.len() as u64 * 12 <= budget.bytes());
            got.extend(group);
            Ok(())
        })
        .unwrap();
        assert!(groups > 5, "{groups} groups");
        assert!(got == want);
    }

    #[test]
    fn arcs_come_in_curve_order_with_narrow_and_wide_keys() {
        // Below 2^22 nodes the bins hold 32-bit keys, above they hold 64-bit ones.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in [300_000u32, (1 << 22) + 5] {
            let edges: Vec<(u32, u32)> = (0..30_000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ((x % n as u64) as u32, ((x >> 32) % n as u64) as u32)
                })
                .collect();
            let csr = Csr::from_edges(&EdgeList::new(n as usize, edges, true), BuildOptions::directed());
            let bits = curve_bits(n as usize);
            let mut want: Vec<Arc> = (0..n).flat_map(|u| csr.neighbors(u).iter().map(move |&v| [u, v])).collect();
            want.sort_unstable_by_key(|&[u, v]| index(bits, u, v));
            assert!(hilbert_arcs(&csr).unwrap() == want, "{n} nodes");
            let budget = Budget::from_flag(Some(crate::graph::budget::MIN_BUDGET)).unwrap();
            let mut got = Vec::new();
            for_each_group(&csr, &budget, |group| {
                got.extend(group);
                Ok(())
            })
            .unwrap();
            assert!(got == want, "{n} nodes in groups");
        }
    }

    #[test]
    fn a_block_denser_than_the_budget_is_refused() {
        let edges = vec![(1, 1); 30_000];
        let options = BuildOptions { dedup: false, ..BuildOptions::directed() };
        let csr = Csr::from_edges(&EdgeList::new(100, edges, true), options);
        let budget = Budget::from_flag(Some(crate::graph::budget::MIN_BUDGET)).unwrap();
        let e = for_each_group(&csr, &budget, |_| Ok(())).unwrap_err().to_string();
        assert!(e.contains("30000 arcs of one block") && e.contains("larger budget"), "{e}");
    }
}
