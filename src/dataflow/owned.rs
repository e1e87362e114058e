//! [`Owned`]: a worker's own nodes as its hot loops see them, one partition strategy at a time, so
//! that a loop generic over it is compiled once per strategy.

use super::Partition;
use crate::graph::{NodeId, Shard};

/// A worker's own nodes as its hot loops see them: own node `i`'s row in the worker's [`Shard`], and
/// an id's local index when the worker owns it. [`Partition`] and its `Share` answer the same with
/// a branch on the strategy at every call; an [`Owned`] is one strategy, so a loop generic over it
/// is compiled once per strategy ([`Owners::of`] picks one) and does one comparison per arc.
pub(crate) trait Owned: Copy {
    /// Own node `i`'s row in the worker's shard (its index among the shard's nodes).
    fn row(self, i: usize) -> usize;
    /// The local index of `v` when the worker owns it.
    fn local(self, v: NodeId) -> Option<u32>;
}

/// A contiguous range of nodes ([`Strategy::Balanced`](super::Strategy::Balanced)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct OwnedRange {
    start: NodeId,
    len: NodeId,
    row: usize,
}

impl Owned for OwnedRange {
    #[inline]
    fn row(self, i: usize) -> usize {
        self.row + i
    }

    #[inline]
    fn local(self, v: NodeId) -> Option<u32> {
        let j = v.wrapping_sub(self.start);
        (j < self.len).then_some(j)
    }
}

/// Every `peers`-th node from `me` ([`Strategy::Modulo`](super::Strategy::Modulo)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct OwnedStrided {
    me: NodeId,
    peers: NodeId,
    first: usize,
}

impl Owned for OwnedStrided {
    #[inline]
    fn row(self, i: usize) -> usize {
        i * self.peers as usize + self.me as usize - self.first
    }

    #[inline]
    fn local(self, v: NodeId) -> Option<u32> {
        (v % self.peers == self.me).then(|| v / self.peers)
    }
}

/// A worker's [`Owned`], by strategy: callers match on it and call one generic function.
pub(crate) enum Owners {
    /// A balanced partition's range.
    Range(OwnedRange),
    /// The modulo partition's nodes.
    Strided(OwnedStrided),
}

impl Owners {
    /// Worker `me`'s nodes in `part`, whose lists `graph` holds.
    pub(crate) fn of(graph: &Shard, part: &Partition, me: usize) -> Owners {
        match part.range(me) {
            Some(range) => Owners::Range(OwnedRange {
                start: range.start as NodeId,
                len: range.len() as NodeId,
                row: range.start - graph.first() as usize,
            }),
            None => Owners::Strided(OwnedStrided {
                me: me as NodeId,
                peers: part.peers() as NodeId,
                first: graph.first() as usize,
            }),
        }
    }
}
