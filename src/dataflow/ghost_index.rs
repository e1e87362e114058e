//! [`GhostIndex`]: the distinct ghosts a worker met (the other workers' nodes its arcs reach),
//! sorted without comparing them all, and a lookup from a ghost's id to its local number whose
//! memory is bounded by what the worker met, never by the graph's `n` ids alone.

use crate::Result;
use crate::graph::NodeId;
use crate::graph::budget::try_vec;

/// Ids one bucket of the ghosts' sort spans: the bitmap that deduplicates a bucket is `2^SPAN_BITS`
/// bits (256 KiB, in the L2 cache).
const SPAN_BITS: u32 = 21;

/// A bucket holding fewer ids than its span over `SPARSE` is sorted instead of marked in a bitmap
/// (at most `2^SPAN_BITS / SPARSE` = 8,192 ids: a sort in cache costs less than the bitmap's words).
const SPARSE: usize = 256;

/// Ghosts per entry of a sparse [`GhostIndex`]'s directory, on average.
const PER_SLOT: usize = 2;

/// The distinct ghosts a worker met, sorted, and the local number of each: ghost `ids[k]` is
/// number `k`. Its memory is proportional to what the worker met, never to the `n` ids of the graph
/// alone: the sorted ids (4 bytes each) and one of two lookups, chosen by the number `c` of ids met
/// (with repeats):
///
/// - *dense*, when a bit per id takes at most 4 bytes per id met (`n / 8 <= 4c`): a bit per id of
///   the graph and the number of ghosts before each 64-bit word, `3n/16 <= 6c` bytes; a ghost's
///   number is its word's count plus one popcount (two independent loads);
/// - *sparse*, otherwise: a directory `first[b]`, the number of ghosts below `b << shift`, about
///   one entry per [`PER_SLOT`] ghosts (`shift` chosen from `n` and the ghost count), 2 bytes a
///   ghost; a ghost's number is its slot's entry plus a binary search among the few ghosts of the
///   slot.
///
/// It is built in two passes over the ids met, in any order and repeated, which the caller fuses
/// with its own passes over its arcs: [`GhostCount`] counts them by bucket of `2^SPAN_BITS` ids,
/// [`GhostFill`] marks them in the dense bitmap or, for the sparse lookup, scatters them by bucket
/// (an MSD radix split on their top bits, `4c` bytes while it runs), and [`GhostFill::finish`]
/// deduplicates each bucket in cache (by a bitmap of its span or, when it holds few ids, a sort),
/// so the ids are never sorted by comparisons as a whole. Time `O(c + g + n / 2^SPAN_BITS)` for
/// `g` distinct ghosts (dense: `O(c + n / 64)` with `n / 64 <= c / 2`). [`GhostIndex::build`] runs
/// the two passes over a list of ids.
pub(crate) struct GhostIndex {
    ids: Vec<NodeId>,
    lookup: Lookup,
}

/// How [`GhostIndex`] finds a ghost's number.
enum Lookup {
    /// A bit per id and the number of ghosts before each word.
    Dense { bits: Vec<u64>, ranks: Vec<u32> },
    /// The number of ghosts below `b << shift`, for every slot `b` and one past the last.
    Sparse { first: Vec<u32>, shift: u32 },
}

impl GhostIndex {
    /// The index of the distinct ids, all below `n`, that `met()` yields (called twice: it must
    /// yield the same ids both times).
    pub(crate) fn build<I>(n: usize, met: impl Fn() -> I) -> Result<GhostIndex>
    where
        I: ExactSizeIterator<Item = NodeId>,
    {
        let mut count = GhostCount::marking(n, met().len())?;
        met().for_each(|v| count.add(v));
        let mut fill = count.fill()?;
        if !fill.is_filled() {
            met().for_each(|v| fill.add(v));
        }
        fill.finish()
    }

    /// The sparse index of `ids`, sorted, distinct and below `n`.
    fn sparse(n: usize, ids: Vec<NodeId>) -> Result<GhostIndex> {
        let slots = ids.len().div_ceil(PER_SLOT).max(1);
        let top = n.saturating_sub(1);
        let mut shift = 0;
        while top >> shift >= slots {
            shift += 1;
        }
        let slots = (top >> shift) + 1;
        let mut first = try_vec(slots + 1, "the ghosts' directory")?;
        let mut k = 0;
        for b in 0..=slots {
            while k < ids.len() && (ids[k] as usize >> shift) < b {
                k += 1;
            }
            first.push(k as u32);
        }
        Ok(GhostIndex { ids, lookup: Lookup::Sparse { first, shift } })
    }

    /// Number of ghosts.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The ghosts, sorted.
    pub(crate) fn ids(&self) -> &[NodeId] {
        &self.ids
    }

    /// The ghosts, sorted.
    pub(crate) fn into_ids(self) -> Vec<NodeId> {
        self.ids
    }

    /// The number of ghost `v`, which must be one of the ghosts (else the answer is meaningless).
    #[inline]
    pub(crate) fn index(&self, v: NodeId) -> u32 {
        match &self.lookup {
            Lookup::Dense { bits, ranks } => {
                let w = v as usize / 64;
                ranks[w] + (bits[w] & ((1u64 << (v % 64)) - 1)).count_ones()
            }
            Lookup::Sparse { first, shift } => {
                let b = v as usize >> shift;
                let (lo, hi) = (first[b] as usize, first[b + 1] as usize);
                (lo + self.ids[lo..hi].partition_point(|&x| x < v)) as u32
            }
        }
    }

    /// The number of `v` if it is a ghost.
    #[inline]
    pub(crate) fn get(&self, v: NodeId) -> Option<u32> {
        match &self.lookup {
            Lookup::Dense { bits, .. } => {
                let word = *bits.get(v as usize / 64)?;
                (word & (1 << (v % 64)) != 0).then(|| self.index(v))
            }
            Lookup::Sparse { first, shift } => {
                let b = v as usize >> shift;
                let (&lo, &hi) = (first.get(b)?, first.get(b + 1)?);
                let slot = &self.ids[lo as usize..hi as usize];
                let k = slot.partition_point(|&x| x < v);
                (slot.get(k) == Some(&v)).then_some(lo + k as u32)
            }
        }
    }
}

/// The first pass of a [`GhostIndex`]: the ids met, counted by bucket of `2^SPAN_BITS` ids, and
/// marked at once in the dense lookup's bitmap when the caller knows that it may be the one.
pub(crate) struct GhostCount {
    n: usize,
    /// `starts[b + 1]`: the ids met in bucket `b`.
    starts: Vec<usize>,
    bits: Option<Vec<u64>>,
}

impl GhostCount {
    /// No id met yet, of ids below `n`, when at most `most` will be: if that many make the lookup
    /// dense, the ids are also marked as they are counted (the bitmap, `n / 8 <= 4 most` bytes, is
    /// dropped if fewer come and the lookup is sparse), so a dense index needs no second pass.
    pub(crate) fn marking(n: usize, most: usize) -> Result<GhostCount> {
        let bits = if dense(n, most) {
            Some(crate::graph::budget::try_zeroed(n.div_ceil(64), "the ghosts' bitmap")?)
        } else {
            None
        };
        Ok(GhostCount { n, starts: vec![0; (n.saturating_sub(1) >> SPAN_BITS) + 2], bits })
    }

    /// Counts `v` (below `n`).
    #[inline]
    pub(crate) fn add(&mut self, v: NodeId) {
        self.starts[(v as usize >> SPAN_BITS) + 1] += 1;
        if let Some(bits) = &mut self.bits {
            bits[v as usize / 64] |= 1 << (v % 64);
        }
    }

    /// The second pass, for the ids counted: the bitmap for the dense lookup (already filled when
    /// the ids were marked), or room for every id met, by bucket, for the sparse one.
    pub(crate) fn fill(self) -> Result<GhostFill> {
        let GhostCount { n, mut starts, bits } = self;
        let buckets = starts.len() - 1;
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let met = starts[buckets];
        let (fill, filled) = match bits {
            Some(bits) if dense(n, met) => (Fill::Dense(bits), true),
            _ if dense(n, met) => {
                (Fill::Dense(crate::graph::budget::try_zeroed(n.div_ceil(64), "the ghosts' bitmap")?), false)
            }
            _ => (
                Fill::Sparse { ids: crate::graph::budget::try_zeroed(met, "the ghosts met")?, next: starts.clone() },
                met == 0,
            ),
        };
        Ok(GhostFill { n, starts, fill, filled })
    }
}

/// Whether `met` ids met make a [`GhostIndex`] of ids below `n` dense: a bit per id takes at most 4
/// bytes per id met.
fn dense(n: usize, met: usize) -> bool {
    n.div_ceil(64) * 8 <= 4 * met
}

/// The second pass of a [`GhostIndex`]: the ids counted by [`GhostCount`], taken again, each once
/// for each time it was counted.
pub(crate) struct GhostFill {
    n: usize,
    starts: Vec<usize>,
    fill: Fill,
    filled: bool,
}

/// What [`GhostFill`] fills.
enum Fill {
    /// A bit per id.
    Dense(Vec<u64>),
    /// The ids met, by bucket: bucket `b`'s next one goes to `ids[next[b]]`.
    Sparse { ids: Vec<NodeId>, next: Vec<usize> },
}

impl GhostFill {
    /// Whether the ids are taken already (marked as they were counted, or none met): then the
    /// second pass is skipped.
    pub(crate) fn is_filled(&self) -> bool {
        self.filled
    }

    /// Takes `v`, counted before.
    #[inline]
    pub(crate) fn add(&mut self, v: NodeId) {
        match &mut self.fill {
            Fill::Dense(bits) => bits[v as usize / 64] |= 1 << (v % 64),
            Fill::Sparse { ids, next } => {
                let b = v as usize >> SPAN_BITS;
                ids[next[b]] = v;
                next[b] += 1;
            }
        }
    }

    /// The index of the distinct ids taken.
    pub(crate) fn finish(self) -> Result<GhostIndex> {
        let GhostFill { n, starts, fill, .. } = self;
        match fill {
            Fill::Dense(bits) => {
                let mut ranks: Vec<u32> = crate::graph::budget::try_zeroed(bits.len(), "the ghosts' ranks")?;
                let mut count = 0u32;
                for (rank, &word) in ranks.iter_mut().zip(&bits) {
                    *rank = count;
                    count += word.count_ones();
                }
                let mut ids = try_vec(count as usize, "the ghosts")?;
                each_bit(&bits, 0, |v| ids.push(v));
                Ok(GhostIndex { ids, lookup: Lookup::Dense { bits, ranks } })
            }
            Fill::Sparse { mut ids, next } => {
                debug_assert!(next[..next.len() - 1] == starts[1..], "every id counted was taken once");
                // Each bucket replaced by its distinct ids, packed to the front.
                let (mut dedup, mut len) = (Dedup::default(), 0);
                let span = if starts.len() == 2 { n.max(1) } else { 1 << SPAN_BITS };
                for (b, bucket) in starts.windows(2).enumerate() {
                    if bucket[0] < bucket[1] {
                        let base = (b << SPAN_BITS) as NodeId;
                        dedup.load(&ids[bucket[0]..bucket[1]], base, span);
                        dedup.emit(base, |v| {
                            ids[len] = v;
                            len += 1;
                        });
                    }
                }
                ids.truncate(len);
                ids.shrink_to_fit();
                GhostIndex::sparse(n, ids)
            }
        }
    }
}

/// Hands `out` the ids `base + i` of the bits `i` set in `bits`, in increasing order.
fn each_bit(bits: &[u64], base: NodeId, mut out: impl FnMut(NodeId)) {
    for (w, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            out(base + (w * 64) as NodeId + word.trailing_zeros());
            word &= word - 1;
        }
    }
}

/// Deduplicates the ids of one bucket, in cache: a bitmap over its span, or a sorted copy when it
/// holds few ids. Both are bounded by the span (at most `2^SPAN_BITS` ids), whatever `n`.
#[derive(Default)]
struct Dedup {
    bits: Vec<u64>,
    few: Vec<NodeId>,
    sparse: bool,
}

impl Dedup {
    /// Takes the ids `ids` of the bucket `base..base + span`.
    fn load(&mut self, ids: &[NodeId], base: NodeId, span: usize) {
        self.sparse = ids.len() < span / SPARSE;
        if self.sparse {
            self.few.clear();
            self.few.extend_from_slice(ids);
            self.few.sort_unstable();
            self.few.dedup();
        } else {
            self.bits.clear();
            self.bits.resize(span.div_ceil(64), 0);
            for &v in ids {
                let o = (v - base) as usize;
                self.bits[o / 64] |= 1 << (o % 64);
            }
        }
    }

    /// Hands the distinct ids taken to `out`, in increasing order.
    fn emit(&self, base: NodeId, mut out: impl FnMut(NodeId)) {
        if self.sparse {
            self.few.iter().for_each(|&v| out(v));
        } else {
            each_bit(&self.bits, base, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::generate::Rng;

    fn check_index(n: usize, met: &[NodeId], probes: usize, rng: &mut Rng) {
        let oracle: BTreeSet<NodeId> = met.iter().copied().collect();
        let index = GhostIndex::build(n, || met.iter().copied()).unwrap();
        assert_eq!(index.len(), oracle.len(), "n {n}");
        for (k, &v) in oracle.iter().enumerate() {
            assert_eq!(index.index(v), k as u32, "n {n} ghost {v}");
            assert_eq!(index.get(v), Some(k as u32), "n {n} ghost {v}");
        }
        for _ in 0..probes.min(n) {
            let v = rng.below(n as u64) as NodeId;
            let k = oracle.range(..v).count() as u32;
            assert_eq!(index.get(v), oracle.contains(&v).then_some(k), "n {n} id {v}");
        }
        assert_eq!(index.into_ids(), oracle.into_iter().collect::<Vec<_>>(), "n {n}");
    }

    #[test]
    fn ghost_index_agrees_with_a_set() {
        let mut rng = Rng::new(13);
        // One bucket and several; sparse buckets (sorted), dense ones (bitmap), repeats.
        for (n, count) in [
            (1, 3),
            (64, 10),
            (1000, 5),
            (1000, 5000),
            (1 << 21, 100),
            (1 << 21, 300_000),
            (5 << 21, 50),
            (5 << 21, 400_000),
        ] {
            let met: Vec<NodeId> = (0..count).map(|_| rng.below(n as u64) as NodeId).collect();
            check_index(n, &met, 2000, &mut rng);
        }
        // Clustered ids: one dense stretch in one bucket, a few far away.
        let n = 9 << 21;
        let mut met: Vec<NodeId> = (0..200_000).map(|_| (3 << 21) + rng.below(50_000) as NodeId).collect();
        met.extend([0, n as NodeId - 1, 5 << 21, (5 << 21) - 1]);
        check_index(n, &met, 2000, &mut rng);
    }

    #[test]
    fn few_ghosts_among_four_billion_ids_need_no_array_over_the_ids() {
        // A bitmap over these ids would be 512 MiB; the index holds its 1,000 ghosts.
        let n = u32::MAX as usize;
        let mut rng = Rng::new(4);
        let mut met: Vec<NodeId> = (0..1000).map(|_| rng.below(n as u64) as NodeId).collect();
        met.extend([0, 0, n as NodeId - 1, 1 << 31]);
        check_index(n, &met, 5000, &mut rng);
        let index = GhostIndex::build(n, || met.iter().copied()).unwrap();
        assert!(matches!(&index.lookup, Lookup::Sparse { first, .. } if first.len() <= met.len()));
    }

    #[test]
    fn ids_marked_while_counted_are_taken_again_when_few() {
        // Room for a dense lookup was made for up to `n` ids, but only 100 came: sparse.
        let (n, mut rng) = (1 << 22, Rng::new(5));
        let met: Vec<NodeId> = (0..100).map(|_| rng.below(n as u64) as NodeId).collect();
        let mut count = GhostCount::marking(n, n).unwrap();
        met.iter().for_each(|&v| count.add(v));
        let mut fill = count.fill().unwrap();
        assert!(!fill.is_filled());
        met.iter().for_each(|&v| fill.add(v));
        let index = fill.finish().unwrap();
        assert!(matches!(index.lookup, Lookup::Sparse { .. }));
        let oracle: Vec<NodeId> = met.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        assert!(oracle.iter().enumerate().all(|(k, &v)| index.index(v) == k as u32));
        assert_eq!(index.into_ids(), oracle);
        // Enough came: the marks are the dense lookup, no second pass.
        let mut count = GhostCount::marking(1000, 1000).unwrap();
        (0..1000).for_each(|v| count.add(v % 7));
        let fill = count.fill().unwrap();
        assert!(fill.is_filled());
        let index = fill.finish().unwrap();
        assert!(matches!(index.lookup, Lookup::Dense { .. }));
        assert_eq!(index.into_ids(), (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn no_ghost_and_every_id_a_ghost() {
        let mut rng = Rng::new(7);
        for n in [0, 1, 10, u32::MAX as usize] {
            let index = GhostIndex::build(n, std::iter::empty).unwrap();
            assert_eq!(index.len(), 0);
            assert_eq!(index.get(0), None);
            assert_eq!(index.get((n as NodeId).saturating_sub(1)), None);
        }
        for n in [1, 5000, (1 << 21) + 77] {
            // Every id, three times, in random order.
            let mut met: Vec<NodeId> = (0..3 * n).map(|k| (k % n) as NodeId).collect();
            for k in (1..met.len()).rev() {
                met.swap(k, rng.below(k as u64 + 1) as usize);
            }
            let index = GhostIndex::build(n, || met.iter().copied()).unwrap();
            assert_eq!(index.len(), n);
            assert!((0..n as NodeId).all(|v| index.index(v) == v && index.get(v) == Some(v)));
        }
    }
}
