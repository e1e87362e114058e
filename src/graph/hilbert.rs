//! Hilbert-curve order of the arcs: the layout McSherry, Isard and Murray use for their fast
//! single-threaded PageRank ("Scalability! But at what COST?", HotOS 2015, Table 4).
//!
//! Each arc `(src, dst)` is a point of the `2^k x 2^k` adjacency matrix (`k` the bits needed for
//! the largest node id). Visiting the points along the Hilbert curve keeps consecutive arcs close
//! in both coordinates, so both the ranks read at `src` and the sums written at `dst` stay in
//! cache for a while, where CSR order is local only in `src`.
//!
//! [`hilbert_arcs`] computes the order: the 64-bit curve index of every arc (table-driven: one
//! lookup per 4 bits of each coordinate, `O(m k / 4)` work, in parallel, written in place), a
//! parallel least-significant-digit radix sort of the indices (`ceil(2k / 11)`
//! passes of 11 bits, O(m) work each, no comparisons), then every index decoded back to its arc
//! (one lookup per 8 bits). Memory: 16 bytes per arc for the keys and the sort's second buffer,
//! then the 8-byte arcs. Within a memory budget smaller than that, [`for_each_group`] sorts the
//! arcs in groups of consecutive curve positions, one pass over the CSR per group, so that a
//! `.cgr` gets its Hilbert section with `O(budget)` memory beyond the mapped graph.
//! The index is a bijection on the grid, so the sorted indices alone carry the arcs.

use rayon::prelude::*;

use super::atomic::as_atomic_u64;
use super::budget::{Budget, try_zeroed};
use super::{Csr, NodeId};
use crate::{Error, Result};

/// An arc as stored in Hilbert order: `[src, dst]`.
pub type Arc = [NodeId; 2];

/// The curve order (bits per coordinate) used for a graph of `num_nodes` nodes: enough bits for
/// the largest id, at least one.
pub fn curve_bits(num_nodes: usize) -> u32 {
    (usize::BITS - num_nodes.saturating_sub(1).leading_zeros()).max(1)
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
    let (steps, mut state) = steps(bits);
    let (mut x, mut y) = (0u32, 0u32);
    for step in (0..steps).rev() {
        let digit = (d >> (2 * CHUNK * step)) as usize & 255;
        let e = TABLES.1[state << 8 | digit] as u32;
        x = x << CHUNK | (e >> 6);
        y = y << CHUNK | ((e >> 2) & 15);
        state = (e & 3) as usize;
    }
    (x, y)
}

/// Bits sorted per radix pass.
const DIGIT_BITS: u32 = 11;
/// Keys per block of the radix sort (each block keeps its own histogram).
const BLOCK: usize = 1 << 16;

/// Sorts `keys` whose values are below `2^significant_bits`, by least-significant-digit radix
/// sort in parallel over blocks (stable per pass, so the passes compose).
fn radix_sort(keys: Vec<u64>, significant_bits: u32) -> Result<Vec<u64>> {
    let buckets = 1usize << DIGIT_BITS;
    let mut from = keys;
    let mut to = try_zeroed::<u64>(from.len(), "the second buffer of the Hilbert sort")?;
    let mut shift = 0;
    while shift < significant_bits {
        let digit = |k: u64| ((k >> shift) as usize) & (buckets - 1);
        let counts: Vec<Vec<u64>> = from
            .par_chunks(BLOCK)
            .map(|block| {
                let mut count = vec![0u64; buckets];
                for &k in block {
                    count[digit(k)] += 1;
                }
                count
            })
            .collect();
        // Where each block's keys of each digit go: all smaller digits first, then the same
        // digit of earlier blocks.
        let mut starts = vec![vec![0u64; buckets]; counts.len()];
        let mut at = 0;
        for b in 0..buckets {
            for (block, count) in counts.iter().enumerate() {
                starts[block][b] = at;
                at += count[b];
            }
        }
        let slots = as_atomic_u64(&mut to);
        from.par_chunks(BLOCK).zip(starts).for_each(|(block, mut next)| {
            for &k in block {
                let d = digit(k);
                slots[next[d] as usize].store(k, std::sync::atomic::Ordering::Relaxed);
                next[d] += 1;
            }
        });
        std::mem::swap(&mut from, &mut to);
        shift += DIGIT_BITS;
    }
    Ok(from)
}

/// The arcs of `csr` sorted by the Hilbert index of `(src, dst)` (see the module documentation),
/// in memory: 8 bytes per arc, plus 16 per arc while sorting when the memory available allows,
/// else sorted in groups (see [`for_each_group`]). Uses the current rayon pool.
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
/// adjacency matrix) when the arcs are sorted in groups.
const BIN_BITS: u32 = 12;
/// Node ranges the arcs are cut into to count and collect them in parallel.
const CHUNKS: usize = 256;

/// Hands the arcs of `csr` in Hilbert-curve order to `emit`, one group of consecutive curve
/// positions at a time, holding at most [`Budget::limit`] bytes (16 per arc of a group).
///
/// When every arc fits, that is one group: every arc's key is written at its CSR position, sorted
/// and decoded ([`hilbert_arcs`]). Otherwise a first pass counts the arcs per bin — the top
/// [`BIN_BITS`] bits of the curve index, a square block of the matrix — and per node range; the
/// bins are cut into consecutive groups that fit, and each group is one more pass over the CSR
/// that keeps the keys in its bins (each node range writing at its own offset), then the same
/// radix sort and decoding. The work is `O(m)` per pass, `1 + groups` passes; nothing goes to disk.
/// A single bin larger than the budget (a block of the matrix that dense) is refused with how
/// much it needs.
pub fn for_each_group(csr: &Csr, budget: &Budget, mut emit: impl FnMut(Vec<Arc>) -> Result<()>) -> Result<()> {
    let m = csr.targets().len();
    let bits = curve_bits(csr.num_nodes());
    let per_arc = 2 * size_of::<u64>() as u64;
    if budget.fits(m as u64 * per_arc) {
        let mut keys = try_zeroed::<u64>(m, "the Hilbert keys of the arcs")?;
        let slots = as_atomic_u64(&mut keys);
        (0..csr.num_nodes() as NodeId).into_par_iter().with_min_len(1024).for_each(|u| {
            for (p, &v) in csr.range(u).zip(csr.neighbors(u)) {
                slots[p].store(index(bits, u, v), std::sync::atomic::Ordering::Relaxed);
            }
        });
        return emit(sort_and_decode(keys, bits)?);
    }
    // Node ranges of about equal arc counts, and each one's arcs per bin.
    let bin_bits = BIN_BITS.min(2 * bits);
    let bin_of = |key: u64| (key >> (2 * bits - bin_bits)) as usize;
    let ranges = node_ranges(csr, CHUNKS);
    let counts: Vec<Vec<u64>> = ranges
        .par_iter()
        .map(|r| {
            let mut count = vec![0u64; 1 << bin_bits];
            for u in r.clone() {
                for &v in csr.neighbors(u) {
                    count[bin_of(index(bits, u, v))] += 1;
                }
            }
            count
        })
        .collect();
    let per_bin: Vec<u64> = (0..1 << bin_bits).map(|b| counts.iter().map(|c| c[b]).sum()).collect();
    // Each pass reads the whole graph: a mapped one goes back to the page cache after it.
    csr.release_mapped_pages();
    let mut first = 0;
    while first < per_bin.len() {
        let room = budget.limit() / per_arc;
        let (mut last, mut arcs) = (first, 0u64);
        while last < per_bin.len() && (last == first || arcs + per_bin[last] <= room) {
            arcs += per_bin[last];
            last += 1;
        }
        budget.check_or(
            &format!("sorting {arcs} arcs of one block of the adjacency matrix into Hilbert order"),
            arcs * per_arc,
            "a graph this dense in one block needs a larger budget",
        )?;
        let bins = first..last;
        let mut keys = try_zeroed::<u64>(arcs as usize, "the Hilbert keys of a group of arcs")?;
        let mut parts = Vec::with_capacity(ranges.len());
        let mut rest = keys.as_mut_slice();
        for count in &counts {
            let (part, tail) = rest.split_at_mut(count[bins.clone()].iter().sum::<u64>() as usize);
            parts.push(part);
            rest = tail;
        }
        ranges.par_iter().zip(parts).for_each(|(r, part)| {
            let mut at = 0;
            for u in r.clone() {
                for &v in csr.neighbors(u) {
                    let key = index(bits, u, v);
                    if bins.contains(&bin_of(key)) {
                        part[at] = key;
                        at += 1;
                    }
                }
            }
        });
        csr.release_mapped_pages();
        emit(sort_and_decode(keys, bits)?)?;
        first = last;
    }
    Ok(())
}

/// Sorts curve keys of `bits`-bit coordinates and decodes them into arcs.
fn sort_and_decode(keys: Vec<u64>, bits: u32) -> Result<Vec<Arc>> {
    let sorted = radix_sort(keys, 2 * bits)?;
    Ok(sorted
        .par_iter()
        .map(|&d| {
            let (u, v) = point(bits, d);
            [u, v]
        })
        .collect())
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
    fn curve_bits_cover_the_ids() {
        assert_eq!(curve_bits(0), 1);
        assert_eq!(curve_bits(2), 1);
        assert_eq!(curve_bits(3), 2);
        assert_eq!(curve_bits(1 << 20), 20);
        assert_eq!(curve_bits((1 << 20) + 1), 21);
    }

    #[test]
    fn radix_sort_sorts_across_blocks() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let keys: Vec<u64> = (0..3 * BLOCK + 17)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x >> 20
            })
            .collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        assert_eq!(radix_sort(keys, 44).unwrap(), expected);
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
        let edges: Vec<(u32, u32)> = (0..100_000)
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
            assert!(group.len() as u64 * 16 <= budget.bytes());
            got.extend(group);
            Ok(())
        })
        .unwrap();
        assert!(groups > 5, "{groups} groups");
        assert!(got == want);
    }

    #[test]
    fn a_block_denser_than_the_budget_is_refused() {
        let edges = vec![(1, 1); 20_000];
        let options = BuildOptions { dedup: false, ..BuildOptions::directed() };
        let csr = Csr::from_edges(&EdgeList::new(100, edges, true), options);
        let budget = Budget::from_flag(Some(crate::graph::budget::MIN_BUDGET)).unwrap();
        let e = for_each_group(&csr, &budget, |_| Ok(())).unwrap_err().to_string();
        assert!(e.contains("20000 arcs of one block") && e.contains("larger budget"), "{e}");
    }
}
