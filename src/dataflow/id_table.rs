//! [`IdTable`]: a map from node ids to small values for the ids a worker meets in a set it cannot
//! bound beforehand (timely Borůvka numbers the components its edges touch through it), in memory
//! proportional to those ids, never to the number of nodes `n`.
//!
//! An open-addressing table kept at most half full, each id beside its value: one probe per
//! lookup on average. Where the ids are known first and looked up many times (a worker's
//! ghosts), `local`'s `GhostIndex` numbers them instead: a dense index beats hashing there, since
//! every arc to a ghost is looked up once per round.

use crate::graph::NodeId;
use crate::{Error, Result};

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

fn oom() -> Error {
    Error::invalid("out of memory for a table of node ids".to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::testing::Rng;

    #[test]
    fn the_table_keeps_what_a_map_keeps_and_grows() {
        let mut rng = Rng::new(11);
        for (n, count, made_for) in
            [(10usize, 0usize, 0usize), (100, 1000, 10), (1 << 20, 70_000, 70_000), (u32::MAX as usize, 5000, 1)]
        {
            let mut table = IdTable::new(made_for).unwrap();
            let mut oracle = BTreeMap::new();
            for k in 0..count {
                let v = rng.below(n as u64) as NodeId;
                if k % 3 == 0 {
                    table.insert(v, k as u32).unwrap();
                    oracle.insert(v, k as u32);
                } else {
                    let first = *oracle.entry(v).or_insert(k as u32);
                    assert_eq!(table.get_or_insert(v, k as u32).unwrap(), first);
                }
            }
            assert_eq!(table.len(), oracle.len());
            assert!(table.slots.len() >= 2 * table.len());
            for (&v, &value) in &oracle {
                assert_eq!(table.get(v), Some(value));
            }
            for v in [0, 1, 7, n as NodeId / 3, n as NodeId - 1] {
                assert_eq!(table.get(v), oracle.get(&v).copied(), "get({v}) of n {n}");
            }
        }
        assert_eq!(IdTable::<u32>::default().get(5), None);
    }

    #[test]
    fn a_table_for_a_few_ids_among_four_billion_is_small() {
        // A bitmap over the ids would take 512 MiB.
        let table = IdTable::<u32>::new(5).unwrap();
        assert_eq!(table.slots.len(), 16);
        assert!(table.is_empty());
    }
}
