//! A worker's *ghosts* (the other workers' nodes its arcs reach) without any array over all `n`
//! node ids: [`distinct`] finds them, sorted, from the ids met, and an [`IdTable`] maps each to
//! whatever the worker keeps for it (its rank, its component). A worker of a graph with billions
//! of nodes holds its ghosts, not a bitmap over all ids.
//!
//! [`distinct`] takes the ids met (repeats and any order) in two passes: the ids are split by
//! their top bits into buckets of [`BUCKET`] ids (a counting sort keeping 2 bytes per id met),
//! then each bucket is deduplicated in cache, through a bitmap of `BUCKET` bits when it is full
//! enough, by sorting its few entries when not. Time `O(met + n / 2^16)`, memory `2 met` bytes
//! while it runs. The [`IdTable`] is an open-addressing table at most half full with each id
//! beside its value: one probe per lookup. (A directory into the sorted ids — one entry per four
//! ghosts, then a short scan — keeps neighbouring ids together but reads three arrays one after
//! the other: it measured 1.3× slower than the table in timely Borůvka's pass over the heavy
//! edges of Kronecker 22.)

use crate::graph::NodeId;
use crate::{Error, Result};

/// Ids per bucket of the deduplication (a bitmap of 8 KiB, in the first-level cache).
const BUCKET: usize = 1 << 16;

/// The distinct ids of `met` (each below `n`), sorted: a worker's ghosts from the ids its arcs
/// reached. Fails with a clear error when the memory for them is not available.
pub fn distinct(met: &[NodeId], n: usize) -> Result<Vec<NodeId>> {
    let buckets = n.div_ceil(BUCKET);
    let mut starts = try_vec::<usize>(buckets + 1)?;
    starts.resize(buckets + 1, 0);
    for &v in met {
        starts[v as usize / BUCKET + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut low = try_vec::<u16>(met.len())?;
    low.resize(met.len(), 0);
    let mut next = starts.clone();
    for &v in met {
        let slot = &mut next[v as usize / BUCKET];
        low[*slot] = v as u16;
        *slot += 1;
    }
    drop(next);
    let mut ids = Vec::new();
    let mut bits = vec![0u64; BUCKET / 64];
    for b in 0..buckets {
        let bucket = &mut low[starts[b]..starts[b + 1]];
        let base = (b * BUCKET) as NodeId;
        if bucket.len() < BUCKET / 64 {
            // Few ids: sorting them costs less than scanning the bitmap.
            bucket.sort_unstable();
            let mut last = None;
            for &l in bucket.iter() {
                if last != Some(l) {
                    push(&mut ids, base + l as NodeId)?;
                    last = Some(l);
                }
            }
        } else {
            for &l in bucket.iter() {
                bits[l as usize / 64] |= 1 << (l % 64);
            }
            for (w, word) in bits.iter_mut().enumerate() {
                while *word != 0 {
                    push(&mut ids, base + (w * 64) as NodeId + word.trailing_zeros())?;
                    *word &= *word - 1;
                }
            }
        }
    }
    Ok(ids)
}

/// A map from node ids to values of type `V`: an open-addressing table kept at most half full
/// (a multiplicative hash, linear probing), each id beside its value, so that a lookup costs one
/// probe — one cache miss — on average. It doubles when it would be more than half full.
#[derive(Debug)]
pub struct IdTable<V> {
    slots: Vec<(NodeId, V)>,
    /// Ids present.
    len: usize,
    /// `64 - log2(slots)`: the hash keeps the top bits of the product.
    shift: u32,
}

/// An empty slot (no node has the largest id: ids are below `n <= u32::MAX`).
const EMPTY: NodeId = NodeId::MAX;

impl<V: Copy + Default> Default for IdTable<V> {
    fn default() -> Self {
        IdTable { slots: vec![(EMPTY, V::default()); 2], len: 0, shift: 63 }
    }
}

impl<V: Copy + Default> IdTable<V> {
    /// A table made for `count` ids (`16 count` to `32 count` bytes for 4-byte values). Fails
    /// with a clear error when the memory is not available.
    pub fn new(count: usize) -> Result<IdTable<V>> {
        let size = (2 * count).next_power_of_two().max(2);
        let mut slots = try_vec(size)?;
        slots.resize(size, (EMPTY, V::default()));
        Ok(IdTable { slots, len: 0, shift: 64 - size.ilog2() })
    }

    /// The number of ids present.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no id is present.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot of `v`: where it is, or the empty slot where it would go.
    #[inline]
    fn slot(&self, v: NodeId) -> usize {
        let mask = self.slots.len() - 1;
        let mut h = ((v as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        while self.slots[h].0 != EMPTY && self.slots[h].0 != v {
            h = (h + 1) & mask;
        }
        h
    }

    /// The value of `v`, if it is present.
    #[inline]
    pub fn get(&self, v: NodeId) -> Option<V> {
        let (id, value) = self.slots[self.slot(v)];
        (id == v).then_some(value)
    }

    /// The value of `v`; when `v` is absent, `value` becomes its value first. `v` must be below
    /// `u32::MAX`.
    #[inline]
    pub fn get_or_insert(&mut self, v: NodeId, value: V) -> Result<V> {
        let h = self.slot(v);
        if self.slots[h].0 == v {
            return Ok(self.slots[h].1);
        }
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow()?;
            return self.get_or_insert(v, value);
        }
        self.slots[h] = (v, value);
        self.len += 1;
        Ok(value)
    }

    /// Sets the value of `v` (below `u32::MAX`), replacing any it had.
    pub fn insert(&mut self, v: NodeId, value: V) -> Result<()> {
        let h = self.slot(v);
        if self.slots[h].0 == v {
            self.slots[h].1 = value;
            Ok(())
        } else {
            self.get_or_insert(v, value).map(drop)
        }
    }

    /// Doubles the table.
    fn grow(&mut self) -> Result<()> {
        let mut bigger = IdTable::new(self.slots.len())?;
        for &(v, value) in self.slots.iter().filter(|(v, _)| *v != EMPTY) {
            let h = bigger.slot(v);
            bigger.slots[h] = (v, value);
        }
        bigger.len = self.len;
        *self = bigger;
        Ok(())
    }
}

fn try_vec<T>(capacity: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| oom())?;
    Ok(v)
}

fn push(ids: &mut Vec<NodeId>, v: NodeId) -> Result<()> {
    if ids.len() == ids.capacity() {
        ids.try_reserve(ids.len().max(1024)).map_err(|_| oom())?;
    }
    ids.push(v);
    Ok(())
}

fn oom() -> Error {
    Error::invalid("out of memory for a worker's ghosts".to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::testing::Rng;

    fn check(met: &[NodeId], n: usize) {
        let ids = distinct(met, n).unwrap();
        let oracle: Vec<NodeId> = met.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        assert_eq!(ids, oracle, "n {n}");
        let mut ranks = IdTable::new(ids.len()).unwrap();
        ids.iter().enumerate().for_each(|(k, &v)| ranks.insert(v, k as u32).unwrap());
        assert_eq!(ranks.len(), ids.len());
        for (rank, &v) in oracle.iter().enumerate() {
            assert_eq!(ranks.get(v), Some(rank as u32));
        }
        for v in [0, 1, 7, n as NodeId / 3, n as NodeId - 1] {
            assert_eq!(ranks.get(v), oracle.binary_search(&v).ok().map(|r| r as u32), "get({v}) of n {n}");
        }
    }

    #[test]
    fn ghosts_are_the_distinct_ids_met_and_the_table_finds_each() {
        let mut rng = Rng::new(11);
        for (n, count) in [(1usize, 3usize), (10, 0), (100, 1000), (200_000, 50), (300_000, 500_000), (1 << 20, 70_000)]
        {
            let met: Vec<NodeId> = (0..count).map(|_| rng.below(n as u64) as NodeId).collect();
            check(&met, n);
        }
        // Every id a ghost, and a dense bucket beside a sparse one.
        check(&(0..70_000).rev().collect::<Vec<NodeId>>(), 70_000);
        assert_eq!(IdTable::<u32>::default().get(5), None);
        // A table made small grows; values are kept, the first inserted wins in get_or_insert.
        let mut table = IdTable::default();
        for v in (0..10_000u32).map(|v| v.wrapping_mul(2_654_435_761) % 1_000_000) {
            let first = table.get_or_insert(v, v / 2).unwrap();
            assert_eq!(first, v / 2);
            assert_eq!(table.get_or_insert(v, 7).unwrap(), v / 2);
        }
        assert!(table.slots.len() >= 2 * table.len());
        assert_eq!(table.get(1_000_001), None);
    }

    #[test]
    fn a_few_ghosts_among_four_billion_ids_take_little_memory() {
        // A bitmap over the ids would take 512 MiB: the table has two slots per ghost.
        let n = u32::MAX as usize;
        let met = [n as NodeId - 1, 7, 1 << 31, 7, 123_456_789];
        assert_eq!(distinct(&met, n).unwrap(), [7, 123_456_789, 1 << 31, n as NodeId - 1]);
        assert_eq!(IdTable::<u32>::new(met.len()).unwrap().slots.len(), 16);
        check(&met, n);
    }
}
