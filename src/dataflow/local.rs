//! [`Local`]: one worker's graph in its own numbering, so that its state is arrays over its own
//! nodes and the *ghosts* (the other workers' nodes its arcs reach), never over all `n` nodes.
//!
//! Own node `i` (the `i`-th node the worker owns, [`Partition::global`]) is local index `i`; the
//! ghosts, sorted by id, follow as `own + g`. The adjacency of each own node is stored with local
//! indices (4 bytes per arc), built from the worker's lists in the [`Shard`] (and any extra lists,
//! such as the in-arcs of a directed graph) in two passes: one marks the ghosts in a bitmap over
//! the ids, one translates every target (a ghost's index is its rank among the marked bits: a
//! prefix count per 64-bit word plus one popcount). The bitmap and its ranks, `3n/16` bytes,
//! live only while the graph is built; what stays is `O(own + ghosts + arcs)`. Where the worker's
//! nodes are one range of a mapped file, their arcs' pages are handed back to the page cache a
//! block at a time as each pass finishes with them, so the worker's resident memory is its
//! translated lists, not also its part of the file. Time `O(m_w + n/64)`, memory
//! `8 (own + 1) + 4 m_w + 4 g` bytes for `m_w` arcs and `g` ghosts. A lone worker of a symmetric
//! graph reads the graph's own arrays instead (nothing to translate: building them cost
//! `timely-label-prop` 0.8 s on Kronecker 22, 1.65× its compute).

use std::borrow::Cow;

use super::Partition;
use crate::graph::{NodeId, Shard};
use crate::{Error, Result};

/// Own nodes whose pages are handed back together.
const BLOCK: usize = 1 << 14;

/// A worker's own nodes' adjacency in local indices, and its ghosts. A worker that owns every
/// node and has no extra lists reads the graph's own arrays (its numbering is the graph's):
/// nothing is translated or copied.
pub struct Local<'a> {
    own: usize,
    ghosts: Vec<NodeId>,
    offsets: Cow<'a, [u64]>,
    targets: Cow<'a, [u32]>,
}

impl<'a> Local<'a> {
    /// Builds worker `me`'s local graph: own node `i`'s list is its out-arcs in `graph` followed by
    /// `extra(i)` (ids of the whole graph).
    pub fn new<'e, E>(graph: &'a Shard, part: &Partition, me: usize, extra: E) -> Result<Local<'a>>
    where
        E: Fn(usize) -> &'e [NodeId],
    {
        let own = part.num_local(me);
        if part.peers() == 1 && own == graph.num_nodes() && (0..own).all(|i| extra(i).is_empty()) {
            // The whole graph, in its own numbering (one worker owns node `i` as index `i`).
            let (offsets, targets) = (Cow::Borrowed(graph.offsets()), Cow::Borrowed(graph.targets()));
            return Ok(Local { own, ghosts: Vec::new(), offsets, targets });
        }
        match Owners::of(graph, part, me) {
            Owners::Range(owned) => Local::build(graph, part, me, owned, extra),
            Owners::Strided(owned) => Local::build(graph, part, me, owned, extra),
        }
    }

    fn build<'e, E, O>(graph: &'a Shard, part: &Partition, me: usize, owned: O, extra: E) -> Result<Local<'a>>
    where
        E: Fn(usize) -> &'e [NodeId],
        O: Owned,
    {
        let own = part.num_local(me);
        let (arcs, ends) = (graph.targets(), graph.offsets());
        let list = |i: usize| {
            let r = owned.row(i);
            &arcs[ends[r] as usize..ends[r + 1] as usize]
        };
        // Pass 1: the offsets, from the degrees.
        let mut offsets = try_vec(own + 1, "offsets")?;
        offsets.push(0u64);
        for i in 0..own {
            offsets.push(offsets[i] + list(i).len() as u64 + extra(i).len() as u64);
        }
        // Pass 2: the lists, still in global ids; the mapped pages of a range go back as it is read.
        let mut targets = try_vec(offsets[own] as usize, "targets")?;
        for start in (0..own).step_by(BLOCK) {
            let block = start..(start + BLOCK).min(own);
            for i in block.clone() {
                targets.extend_from_slice(list(i));
                targets.extend_from_slice(extra(i));
            }
            if let Some(range) = part.range(me)
                && !block.is_empty()
            {
                graph.release_arcs((range.start + block.start) as NodeId..(range.start + block.end) as NodeId);
            }
        }
        // The ghosts met, sorted, then every target in local indices.
        let index =
            GhostIndex::build(graph.num_nodes(), || targets.iter().copied().filter(|&v| owned.local(v).is_none()))?;
        let first = own as u32;
        for v in &mut targets {
            *v = owned.local(*v).unwrap_or_else(|| first + index.index(*v));
        }
        Ok(Local { own, ghosts: index.into_ids(), offsets: Cow::Owned(offsets), targets: Cow::Owned(targets) })
    }

    /// Number of own nodes.
    pub fn own(&self) -> usize {
        self.own
    }

    /// Number of own nodes and ghosts: the length of a per-node state array.
    pub fn len(&self) -> usize {
        self.own + self.ghosts.len()
    }

    /// True when the worker has no nodes and reaches none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ghosts' ids in the whole graph, sorted: ghost `g` is local index `own + g`.
    pub fn ghosts(&self) -> &[NodeId] {
        &self.ghosts
    }

    /// The local indices of own node `i`'s neighbours.
    #[inline]
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

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

/// Ids one bucket of the ghosts' sort spans: the bitmap that deduplicates a bucket is `2^SPAN_BITS`
/// bits (256 KiB, in the L2 cache).
const SPAN_BITS: u32 = 21;

/// A bucket holding fewer ids than its span over `SPARSE` is sorted instead of marked in a bitmap
/// (at most `2^SPAN_BITS / SPARSE` = 8,192 ids: a sort in cache costs less than the bitmap's words).
const SPARSE: usize = 256;

/// Ghosts per entry of [`GhostIndex`]'s directory, on average.
const PER_SLOT: usize = 2;

/// The distinct ghosts a worker met, sorted, and the local number of each: ghost `ids[k]` is number
/// `k`. Its memory is proportional to the ghosts, not to the `n` ids of the graph: the sorted ids
/// (4 bytes each) and a directory `first[b]`, the number of ghosts below `b << shift`, with about
/// one entry per [`PER_SLOT`] ghosts (`shift` is chosen from `n` and the ghost count), 2 bytes a
/// ghost. [`GhostIndex::index`] reads the directory entry of an id's slot, then binary-searches the
/// few ghosts in that slot: two dependent loads, both in the same small arrays.
///
/// [`GhostIndex::build`] sorts the ids met (any order, repeated) without comparing them all: an MSD
/// radix split by their top bits into buckets of `2^SPAN_BITS` ids (one pass to count, one to
/// scatter, 4 bytes per id met while it runs; skipped when the ids fit one bucket), then each bucket
/// deduplicated in cache, by a bitmap of its span or, when it holds few ids, a sort. Time
/// `O(c + g + n / 2^SPAN_BITS)` for `c` ids met and `g` distinct; memory `4c` while it sorts
/// (nothing when `n <= 2^SPAN_BITS`), `6g` after.
pub(crate) struct GhostIndex {
    ids: Vec<NodeId>,
    first: Vec<u32>,
    shift: u32,
}

impl GhostIndex {
    /// The index of the distinct ids, all below `n`, that `met()` yields (it is called twice and must
    /// yield the same ids both times).
    pub(crate) fn build<I>(n: usize, met: impl Fn() -> I) -> Result<GhostIndex>
    where
        I: Iterator<Item = NodeId>,
    {
        GhostIndex::of_sorted(n, sorted_distinct(n, met)?)
    }

    /// The index of `ids`, sorted, distinct and below `n`.
    fn of_sorted(n: usize, ids: Vec<NodeId>) -> Result<GhostIndex> {
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
        Ok(GhostIndex { ids, first, shift })
    }

    /// Number of ghosts.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The ghosts, sorted.
    pub(crate) fn into_ids(self) -> Vec<NodeId> {
        self.ids
    }

    /// The number of ghost `v`, which must be one of the ghosts (else the answer is meaningless).
    #[inline]
    pub(crate) fn index(&self, v: NodeId) -> u32 {
        let b = v as usize >> self.shift;
        let (lo, hi) = (self.first[b] as usize, self.first[b + 1] as usize);
        (lo + self.ids[lo..hi].partition_point(|&x| x < v)) as u32
    }

    /// The number of `v` if it is a ghost.
    #[inline]
    pub(crate) fn get(&self, v: NodeId) -> Option<u32> {
        let b = v as usize >> self.shift;
        let (&lo, &hi) = (self.first.get(b)?, self.first.get(b + 1)?);
        let slot = &self.ids[lo as usize..hi as usize];
        let k = slot.partition_point(|&x| x < v);
        (slot.get(k) == Some(&v)).then_some(lo + k as u32)
    }
}

/// The distinct ids `met()` yields (below `n`), sorted: see [`GhostIndex`].
fn sorted_distinct<I>(n: usize, met: impl Fn() -> I) -> Result<Vec<NodeId>>
where
    I: Iterator<Item = NodeId>,
{
    let buckets = (n.saturating_sub(1) >> SPAN_BITS) + 1;
    let mut starts = vec![0usize; buckets + 1];
    for v in met() {
        starts[(v as usize >> SPAN_BITS) + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut dedup = Dedup::default();
    if buckets == 1 {
        dedup.load(met(), starts[1], 0, n);
        let mut ids = try_vec(dedup.len(), "the ghosts")?;
        dedup.emit(0, |v| ids.push(v));
        return Ok(ids);
    }
    // Scatter the ids by bucket, then replace each bucket by its distinct ids, packed to the front.
    let mut sorted: Vec<NodeId> = crate::graph::budget::try_zeroed(starts[buckets], "the ghosts met")?;
    let mut next = starts.clone();
    for v in met() {
        let b = v as usize >> SPAN_BITS;
        sorted[next[b]] = v;
        next[b] += 1;
    }
    let mut len = 0;
    for b in 0..buckets {
        let (lo, hi) = (starts[b], starts[b + 1]);
        if lo < hi {
            let base = (b << SPAN_BITS) as NodeId;
            dedup.load(sorted[lo..hi].iter().copied(), hi - lo, base, 1 << SPAN_BITS);
            dedup.emit(base, |v| {
                sorted[len] = v;
                len += 1;
            });
        }
    }
    sorted.truncate(len);
    sorted.shrink_to_fit();
    Ok(sorted)
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
    /// Takes the `count` ids of the bucket `base..base + span`.
    fn load(&mut self, ids: impl Iterator<Item = NodeId>, count: usize, base: NodeId, span: usize) {
        self.sparse = count < span / SPARSE;
        if self.sparse {
            self.few.clear();
            self.few.extend(ids);
            self.few.sort_unstable();
            self.few.dedup();
        } else {
            self.bits.clear();
            self.bits.resize(span.div_ceil(64), 0);
            for v in ids {
                let o = (v - base) as usize;
                self.bits[o / 64] |= 1 << (o % 64);
            }
        }
    }

    /// Number of distinct ids taken.
    fn len(&self) -> usize {
        if self.sparse { self.few.len() } else { self.bits.iter().map(|w| w.count_ones() as usize).sum() }
    }

    /// Hands the distinct ids taken to `out`, in increasing order.
    fn emit(&self, base: NodeId, mut out: impl FnMut(NodeId)) {
        if self.sparse {
            self.few.iter().for_each(|&v| out(v));
            return;
        }
        for (w, &word) in self.bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                out(base + (w * 64) as NodeId + word.trailing_zeros());
                word &= word - 1;
            }
        }
    }
}

fn try_vec<T>(capacity: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| oom(what))?;
    Ok(v)
}

fn oom(what: &str) -> Error {
    Error::invalid(format!("out of memory for a worker's local graph ({what})"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::dataflow::Strategy;
    use crate::generate::Rng;
    use crate::graph::{BuildOptions, Csr, EdgeList};

    #[test]
    fn own_nodes_then_sorted_ghosts() {
        let edges = vec![(0, 5), (1, 2), (2, 7), (3, 4), (4, 5), (6, 7), (0, 7)];
        let csr = Csr::from_edges(&EdgeList::new(8, edges, false), BuildOptions::undirected());
        let shard = csr.whole_shard();
        for strategy in [Strategy::Balanced, Strategy::Modulo] {
            let part = Partition::new(&csr, 2, strategy);
            for me in 0..2 {
                let local = Local::new(&shard, &part, me, |_| &[]).unwrap();
                assert_eq!(local.own(), part.num_local(me));
                assert!(local.ghosts().windows(2).all(|w| w[0] < w[1]));
                let global = |j: u32| {
                    let j = j as usize;
                    if j < local.own() { part.global(me, j) } else { local.ghosts()[j - local.own()] }
                };
                for (i, u) in part.nodes(me).enumerate() {
                    let got: Vec<NodeId> = local.neighbors(i).iter().map(|&j| global(j)).collect();
                    assert_eq!(got, csr.neighbors(u), "{strategy:?} worker {me} node {u}");
                }
                for &g in local.ghosts() {
                    assert_ne!(part.owner(g), me);
                }
            }
        }
    }

    /// Checks the index of `met` (ids below `n`) against a `BTreeSet`: the sorted distinct ids,
    /// every ghost's number, and `get` of the ghosts and of `probes` other ids.
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
        assert!(index.first.len() <= met.len(), "directory of {} entries", index.first.len());
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

    #[test]
    fn one_worker_reads_the_graph_itself_unless_it_has_extra_lists() {
        let edges = vec![(0, 5), (1, 2), (2, 7), (3, 4), (4, 5), (6, 7), (0, 7)];
        let csr = Csr::from_edges(&EdgeList::new(8, edges, false), BuildOptions::undirected());
        let shard = csr.whole_shard();
        let part = Partition::new(&csr, 1, Strategy::Balanced);
        let local = Local::new(&shard, &part, 0, |_| &[]).unwrap();
        assert!(matches!(local.targets, Cow::Borrowed(_)) && local.ghosts().is_empty());
        for u in 0..8 {
            assert_eq!(local.neighbors(u as usize), csr.neighbors(u));
        }
        // Extra lists (a directed graph's in-arcs) need the lists built.
        let extra = [3u32];
        let local = Local::new(&shard, &part, 0, |i| if i == 1 { &extra[..] } else { &[] }).unwrap();
        assert!(matches!(local.targets, Cow::Owned(_)));
        assert_eq!(local.neighbors(1), [2, 3]);
    }
}
