//! The CSR builder: from arcs to [`Csr`] (or straight into a `.cgr` file) with symmetrization,
//! deduplication and self-loop removal, in linear passes with no per-arc atomics, within a memory
//! budget.
//!
//! **Partition.** Arcs arrive from any number of threads through a [`Sink`] (one per task), which
//! appends each to a small local buffer for its *bucket* — the range of `2^shift` consecutive
//! source nodes it belongs to. Full buffers are appended to the bucket's store: a vector in
//! memory, or a file in a spill folder when the graph would not fit in the [`Budget`]
//! (out of core). Symmetrizing pushes `v -> u` next to `u -> v` (a self loop once).
//!
//! **Build.** Buckets are then built in node order, several at a time in parallel (as many as
//! the budget allows): count each node's degree in a bucket-local array, prefix-sum, scatter the
//! arcs (targets, or `target << 32 | weight` so that one sort orders by target then weight), sort
//! each adjacency list and keep the first of each run of equal targets (the smallest weight).
//! Every step touches one bucket's data, which stays in cache for small buckets. Each built bucket
//! goes to a [`CsrSink`] in node order: in memory ([`Builder::finish`]) or a `.cgr` written
//! section by section (`crate::io::cgr::StreamWriter`).
//!
//! The result depends only on the multiset of arcs pushed, so it is the same whatever the thread
//! count, the bucket count and whether the buckets went to disk: the in-memory and out-of-core
//! builds are byte-identical.
//!
//! Memory: in memory, 8 bytes per arc (12 weighted) while partitioning, then the CSR; out of
//! core, the `8 (n + 1)` bytes of offsets plus the buckets being built (about 16 bytes per arc
//! of each, 28 weighted) and the local buffers, all within the budget.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bytemuck::Pod;
use rayon::prelude::*;

use super::budget::{Budget, try_zeroed};
use super::{Array, Csr, EdgeList, GraphProps, NodeId, Weight};
use crate::units::human_bytes;
use crate::{Error, Result};

/// What the builder does to the edges on the way in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Store every edge in both directions (an undirected graph). Self loops are stored once.
    pub symmetrize: bool,
    /// Keep one copy of parallel edges (the one with the smallest weight).
    pub dedup: bool,
    /// Drop edges `u -> u`.
    pub drop_self_loops: bool,
}

impl BuildOptions {
    /// Options for an undirected graph: symmetrize and dedup, keep self loops.
    pub fn undirected() -> Self {
        BuildOptions { symmetrize: true, dedup: true, drop_self_loops: false }
    }

    /// Options for a directed graph: dedup, keep self loops.
    pub fn directed() -> Self {
        BuildOptions { symmetrize: false, dedup: true, drop_self_loops: false }
    }

    /// The properties of the graph these options build (directed exactly when not symmetrized).
    pub fn props(&self) -> GraphProps {
        GraphProps { directed: !self.symmetrize, symmetric: self.symmetrize, sorted: true, deduplicated: self.dedup }
    }
}

/// Receives a built CSR bucket by bucket, in node order.
pub trait CsrSink {
    /// The next `degrees.len()` nodes: their degrees, and their adjacency lists concatenated
    /// (`weights` exactly when the graph is weighted).
    fn append(&mut self, degrees: &[u32], targets: &[NodeId], weights: Option<&[Weight]>) -> Result<()>;
}

/// One arc as a bucket stores it: `[source, target]` or `[source, target, weight]`.
trait Rec: Pod + Send + Sync {
    /// The arc without its source, ordered by target then weight.
    type Packed: Pod + Ord + Send + Sync;
    fn new(u: NodeId, v: NodeId, w: Weight) -> Self;
    fn source(self) -> NodeId;
    fn packed(self) -> Self::Packed;
    fn target(p: Self::Packed) -> NodeId;
    /// Splits built lists into targets and (for weighted records) weights.
    fn into_lists(vals: Vec<Self::Packed>) -> Result<(Vec<NodeId>, Option<Vec<Weight>>)>;
}

impl Rec for [u32; 2] {
    type Packed = u32;
    #[inline(always)]
    fn new(u: NodeId, v: NodeId, _: Weight) -> Self {
        [u, v]
    }
    #[inline(always)]
    fn source(self) -> NodeId {
        self[0]
    }
    #[inline(always)]
    fn packed(self) -> u32 {
        self[1]
    }
    #[inline(always)]
    fn target(p: u32) -> NodeId {
        p
    }
    fn into_lists(vals: Vec<u32>) -> Result<(Vec<NodeId>, Option<Vec<Weight>>)> {
        Ok((vals, None))
    }
}

impl Rec for [u32; 3] {
    type Packed = u64;
    #[inline(always)]
    fn new(u: NodeId, v: NodeId, w: Weight) -> Self {
        [u, v, w]
    }
    #[inline(always)]
    fn source(self) -> NodeId {
        self[0]
    }
    #[inline(always)]
    fn packed(self) -> u64 {
        (self[1] as u64) << 32 | self[2] as u64
    }
    #[inline(always)]
    fn target(p: u64) -> NodeId {
        (p >> 32) as NodeId
    }
    fn into_lists(vals: Vec<u64>) -> Result<(Vec<NodeId>, Option<Vec<Weight>>)> {
        let mut targets = try_zeroed::<NodeId>(vals.len(), "the targets of a bucket")?;
        let mut weights = try_zeroed::<Weight>(vals.len(), "the weights of a bucket")?;
        for ((t, w), &x) in targets.iter_mut().zip(weights.iter_mut()).zip(&vals) {
            (*t, *w) = ((x >> 32) as NodeId, x as Weight);
        }
        Ok((targets, Some(weights)))
    }
}

/// Where a bucket's arcs are kept until it is built.
enum Slot<R> {
    Memory(Vec<R>),
    /// A spill file, created at the first append.
    Disk(Option<File>),
}

/// The spill folder of an out-of-core build: removed when dropped, or by the interruption handler.
struct SpillDir {
    dir: tempfile::TempDir,
    _registration: crate::cleanup::Registration,
}

/// The partition phase's state for one record type.
struct Partition<R> {
    n: usize,
    shift: u32,
    options: BuildOptions,
    slots: Vec<Mutex<Slot<R>>>,
    counts: Vec<AtomicU64>,
    /// Records each task buffers per bucket before appending them to the slot.
    local_cap: usize,
    /// Bytes the build phase may hold at once (bucket data being built).
    work_budget: u64,
    spill: Option<SpillDir>,
    error: Mutex<Option<Error>>,
    budget: Budget,
}

/// The builder's working bytes per arc of a bucket being built: the records and the scattered lists.
fn work_per_arc<R: Rec>() -> u64 {
    (size_of::<R>() + size_of::<R::Packed>()) as u64
}

const MAX_BUCKETS: u64 = 4096;
/// Arcs per bucket the in-memory build aims at (the bucket's data stays near the cache).
const ARCS_PER_BUCKET: u64 = 1 << 20;

impl<R: Rec> Partition<R> {
    fn new(n: usize, options: BuildOptions, arcs: u64, budget: &Budget, spill_in: Option<&Path>) -> Result<Self> {
        let threads = rayon::current_num_threads() as u64;
        let node_bytes = 8 * (n as u64 + 1);
        budget.check(&format!("the offsets of {n} nodes"), node_bytes)?;
        let out_per_arc = if size_of::<R>() == 12 { 8 } else { 4 };
        let in_memory = node_bytes + arcs * (size_of::<R>() as u64 + out_per_arc);
        let on_disk = !budget.fits(in_memory);
        let local_budget = (budget.limit() / 8).min(threads * (8 << 20));
        let work_budget = budget.limit().saturating_sub(node_bytes + local_budget);
        let mut buckets = (arcs / ARCS_PER_BUCKET).clamp(1, MAX_BUCKETS).next_power_of_two();
        if on_disk {
            let needed = (arcs * work_per_arc::<R>() * threads).div_ceil(work_budget.max(1)) * 2;
            if needed > MAX_BUCKETS {
                let least = node_bytes + local_budget + arcs * work_per_arc::<R>() * threads / (MAX_BUCKETS / 2);
                return Err(budget
                    .check_or(
                        &format!("building {arcs} arcs out of core in at most {MAX_BUCKETS} buckets"),
                        least,
                        "use fewer threads",
                    )
                    .expect_err("more than the limit"));
            }
            buckets = buckets.max(needed.next_power_of_two());
        }
        let bits = usize::BITS - n.saturating_sub(1).leading_zeros();
        let shift = bits.saturating_sub(buckets.trailing_zeros());
        let buckets = if n == 0 { 0 } else { ((n - 1) >> shift) + 1 };
        let per_task = local_budget / threads / 2;
        let local_cap = (per_task / (buckets.max(1) * size_of::<R>()) as u64).clamp(8, 1024) as usize;
        let spill = if on_disk {
            let parent = spill_in.map_or_else(std::env::temp_dir, Path::to_path_buf);
            let spilled = arcs.saturating_mul(size_of::<R>() as u64);
            if let Some(free) = crate::sysinfo::free_disk_bytes(&parent).filter(|&free| free < spilled) {
                return Err(Error::invalid(format!(
                    "building {arcs} arcs out of core spills about {} of them to {}, which has {} free: \
                     free disk space there, or give --tmp a folder on a larger disk",
                    human_bytes(spilled),
                    parent.display(),
                    human_bytes(free)
                )));
            }
            let dir = tempfile::Builder::new()
                .prefix(".costgraph-spill.")
                .tempdir_in(&parent)
                .map_err(|e| Error::io(&parent, e))?;
            let registration = crate::cleanup::register(dir.path());
            Some(SpillDir { dir, _registration: registration })
        } else {
            None
        };
        let slot = |_| Mutex::new(if on_disk { Slot::Disk(None) } else { Slot::Memory(Vec::new()) });
        Ok(Partition {
            n,
            shift,
            options,
            slots: (0..buckets).map(slot).collect(),
            counts: (0..buckets).map(|_| AtomicU64::new(0)).collect(),
            local_cap,
            work_budget,
            spill,
            error: Mutex::new(None),
            budget: *budget,
        })
    }

    fn fail(&self, e: Error) {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
    }

    /// Appends `recs` to bucket `b`'s store.
    fn append(&self, b: usize, recs: &[R]) {
        self.counts[b].fetch_add(recs.len() as u64, Relaxed);
        let mut slot = self.slots[b].lock().unwrap_or_else(|e| e.into_inner());
        match &mut *slot {
            Slot::Memory(v) => {
                if v.try_reserve(recs.len()).is_err() {
                    return self.fail(Error::invalid("out of memory while partitioning the arcs"));
                }
                v.extend_from_slice(recs);
            }
            Slot::Disk(file) => {
                let path = self.bucket_path(b);
                if file.is_none() {
                    match File::options().read(true).write(true).create_new(true).open(&path) {
                        Ok(f) => *file = Some(f),
                        Err(e) => return self.fail(Error::io(&path, e)),
                    }
                }
                if let Some(f) = file
                    && let Err(e) = f.write_all(bytemuck::cast_slice(recs))
                {
                    self.fail(Error::io(&path, e));
                }
            }
        }
    }

    fn bucket_path(&self, b: usize) -> PathBuf {
        self.spill.as_ref().map_or_else(PathBuf::new, |s| s.dir.path().join(format!("bucket-{b}.arcs")))
    }

    /// Takes bucket `b`'s records out of its store (deleting its spill file).
    fn take(&self, b: usize) -> Result<Vec<R>> {
        let mut slot = self.slots[b].lock().unwrap_or_else(|e| e.into_inner());
        match &mut *slot {
            Slot::Memory(v) => Ok(std::mem::take(v)),
            Slot::Disk(file) => {
                let Some(mut f) = file.take() else { return Ok(Vec::new()) };
                let path = self.bucket_path(b);
                let count = self.counts[b].load(Relaxed) as usize;
                let mut recs = try_zeroed::<R>(count, "a bucket of arcs")?;
                f.rewind()
                    .and_then(|()| f.read_exact(bytemuck::cast_slice_mut(&mut recs)))
                    .map_err(|e| Error::io(&path, e))?;
                drop(f);
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                Ok(recs)
            }
        }
    }

    /// Builds every bucket, in node order, into `out`.
    fn finish_into(self, out: &mut dyn CsrSink) -> Result<()> {
        if let Some(e) = self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        let sizes: Vec<u64> = self.counts.iter().map(|c| c.load(Relaxed)).collect();
        let total: u64 = sizes.iter().sum();
        let bar = crate::progress::bar(total, "building lists", false);
        let threads = rayon::current_num_threads();
        let mut next = 0;
        while next < sizes.len() {
            // A batch: as many buckets as there are threads (twice, in memory), within the budget.
            let (first, mut bytes) = (next, 0u64);
            while next < sizes.len() && next - first < 2 * threads {
                let need = sizes[next] * work_per_arc::<R>();
                if next > first && bytes + need > self.work_budget {
                    break;
                }
                bytes += need;
                next += 1;
            }
            if next - first == 1 {
                let (lo, hi) = self.node_range(first);
                self.budget.check_or(
                    &format!("building the lists of nodes {lo}..{hi} ({} arcs)", sizes[first]),
                    bytes,
                    "a node range this dense needs a larger budget",
                )?;
            }
            let built: Vec<Result<Built>> = (first..next)
                .into_par_iter()
                .map(|b| {
                    let recs = self.take(b)?;
                    let (lo, hi) = self.node_range(b);
                    let built = build_bucket(recs, lo, hi - lo as usize, self.options.dedup);
                    bar.inc(sizes[b]);
                    built
                })
                .collect();
            for b in built {
                let b = b?;
                out.append(&b.degrees, &b.targets, b.weights.as_deref())?;
            }
        }
        bar.finish_and_clear();
        Ok(())
    }

    fn node_range(&self, b: usize) -> (NodeId, usize) {
        let lo = b << self.shift;
        (lo as NodeId, ((b + 1) << self.shift).min(self.n))
    }
}

/// One bucket, built.
struct Built {
    degrees: Vec<u32>,
    targets: Vec<NodeId>,
    weights: Option<Vec<Weight>>,
}

/// Builds the lists of nodes `first..first + len` from their arcs: count, prefix-sum, scatter,
/// then sort and (with `dedup`) deduplicate each list, compacting in place.
fn build_bucket<R: Rec>(recs: Vec<R>, first: NodeId, len: usize, dedup: bool) -> Result<Built> {
    let mut start = vec![0usize; len + 1];
    for r in &recs {
        start[(r.source() - first) as usize + 1] += 1;
    }
    for i in 0..len {
        start[i + 1] += start[i];
    }
    let mut vals = try_zeroed::<R::Packed>(recs.len(), "the lists of a bucket")?;
    let mut cursor = start[..len].to_vec();
    for r in &recs {
        let at = &mut cursor[(r.source() - first) as usize];
        vals[*at] = r.packed();
        *at += 1;
    }
    drop(recs);
    drop(cursor);
    let mut degrees = Vec::with_capacity(len);
    let mut kept = 0;
    for u in 0..len {
        let (a, b) = (start[u], start[u + 1]);
        vals[a..b].sort_unstable();
        let begin = kept;
        if dedup {
            for i in a..b {
                if kept == begin || R::target(vals[i]) != R::target(vals[kept - 1]) {
                    vals[kept] = vals[i];
                    kept += 1;
                }
            }
        } else {
            vals.copy_within(a..b, kept);
            kept += b - a;
        }
        degrees.push((kept - begin) as u32);
    }
    vals.truncate(kept);
    let (targets, weights) = R::into_lists(vals)?;
    Ok(Built { degrees, targets, weights })
}

/// One task's local buffers, one per bucket, appended to the store when full and on drop.
struct LocalSink<'a, R: Rec> {
    part: &'a Partition<R>,
    buffers: Vec<Vec<R>>,
}

impl<R: Rec> LocalSink<'_, R> {
    #[inline(always)]
    fn push(&mut self, u: NodeId, v: NodeId, w: Weight) {
        if u == v && self.part.options.drop_self_loops {
            return;
        }
        self.put(u, R::new(u, v, w));
        if u != v && self.part.options.symmetrize {
            self.put(v, R::new(v, u, w));
        }
    }

    #[inline(always)]
    fn put(&mut self, source: NodeId, rec: R) {
        let b = (source >> self.part.shift) as usize;
        let buffer = &mut self.buffers[b];
        if buffer.capacity() == 0 {
            buffer.reserve_exact(self.part.local_cap);
        }
        buffer.push(rec);
        if buffer.len() == self.part.local_cap {
            self.part.append(b, buffer);
            buffer.clear();
        }
    }
}

impl<R: Rec> Drop for LocalSink<'_, R> {
    fn drop(&mut self) {
        for (b, buffer) in self.buffers.iter().enumerate() {
            if !buffer.is_empty() {
                self.part.append(b, buffer);
            }
        }
    }
}

enum Inner {
    Plain(Partition<[u32; 2]>),
    Weighted(Partition<[u32; 3]>),
}

/// The CSR builder (see the [module documentation](self)): create it, push the arcs through
/// [`Builder::sink`]s from any number of threads, then [`Builder::finish`] it into a [`Csr`] or
/// [`Builder::finish_into`] a [`CsrSink`] such as a `.cgr` file.
pub struct Builder {
    inner: Inner,
}

/// Arcs go in here: one per task (its buffers are local); dropping it hands them to the builder.
pub struct Sink<'a>(SinkInner<'a>);

enum SinkInner<'a> {
    Plain(LocalSink<'a, [u32; 2]>),
    Weighted(LocalSink<'a, [u32; 3]>),
}

impl Sink<'_> {
    /// Adds the edge `u -> v` with weight `w` (ignored when unweighted); both directions when
    /// symmetrizing. `u` and `v` must be below the builder's node count.
    #[inline(always)]
    pub fn push(&mut self, u: NodeId, v: NodeId, w: Weight) {
        match &mut self.0 {
            SinkInner::Plain(s) => s.push(u, v, w),
            SinkInner::Weighted(s) => s.push(u, v, w),
        }
    }
}

impl Builder {
    /// A builder of a graph with `n` nodes that will receive about `edges` edges (before
    /// symmetrizing), holding at most `budget`: in memory when that fits, otherwise with the
    /// buckets spilled to a temporary folder inside `spill_in` (the system's temporary folder
    /// when `None`). Refuses, with the reason, a graph whose `n`-proportional arrays do not fit.
    pub fn new(
        n: usize,
        weighted: bool,
        options: BuildOptions,
        edges: u64,
        budget: &Budget,
        spill_in: Option<&Path>,
    ) -> Result<Builder> {
        let arcs = if options.symmetrize { edges.saturating_mul(2) } else { edges };
        let inner = if weighted {
            Inner::Weighted(Partition::new(n, options, arcs, budget, spill_in)?)
        } else {
            Inner::Plain(Partition::new(n, options, arcs, budget, spill_in)?)
        };
        Ok(Builder { inner })
    }

    /// A new sink (one per task or thread).
    pub fn sink(&self) -> Sink<'_> {
        Sink(match &self.inner {
            Inner::Plain(p) => SinkInner::Plain(LocalSink { part: p, buffers: vec![Vec::new(); p.slots.len()] }),
            Inner::Weighted(p) => SinkInner::Weighted(LocalSink { part: p, buffers: vec![Vec::new(); p.slots.len()] }),
        })
    }

    /// Whether the buckets go to disk (the graph does not fit in the budget in memory).
    pub fn out_of_core(&self) -> bool {
        match &self.inner {
            Inner::Plain(p) => p.spill.is_some(),
            Inner::Weighted(p) => p.spill.is_some(),
        }
    }

    /// The number of buckets (node ranges) the arcs are partitioned into.
    pub fn buckets(&self) -> usize {
        match &self.inner {
            Inner::Plain(p) => p.slots.len(),
            Inner::Weighted(p) => p.slots.len(),
        }
    }

    /// The node count.
    pub fn num_nodes(&self) -> usize {
        match &self.inner {
            Inner::Plain(p) => p.n,
            Inner::Weighted(p) => p.n,
        }
    }

    /// Builds the lists and hands them, in node order, to `out`.
    pub fn finish_into(self, out: &mut dyn CsrSink) -> Result<()> {
        match self.inner {
            Inner::Plain(p) => p.finish_into(out),
            Inner::Weighted(p) => p.finish_into(out),
        }
    }

    /// Builds the CSR in memory, with `original_ids` (one per node) when the ids were relabelled.
    pub fn finish(self, props: GraphProps, original_ids: Option<Vec<u64>>) -> Result<Csr> {
        let n = self.num_nodes();
        let weighted = matches!(self.inner, Inner::Weighted(_));
        let mut offsets = Vec::new();
        offsets.try_reserve_exact(n + 1).map_err(|_| Error::invalid("out of memory for the offsets"))?;
        offsets.push(0);
        let mut lists = Assemble { offsets, targets: Vec::new(), weights: weighted.then(Vec::new) };
        self.finish_into(&mut lists)?;
        let Assemble { offsets, targets, weights } = lists;
        Ok(Csr::from_parts(
            Array::owned(offsets),
            Array::owned(targets),
            weights.map(Array::owned),
            original_ids.map(Array::owned),
            props,
        )
        .expect("the builder produces a consistent CSR"))
    }
}

/// The in-memory [`CsrSink`].
struct Assemble {
    offsets: Vec<u64>,
    targets: Vec<NodeId>,
    weights: Option<Vec<Weight>>,
}

impl CsrSink for Assemble {
    fn append(&mut self, degrees: &[u32], targets: &[NodeId], weights: Option<&[Weight]>) -> Result<()> {
        let oom = |_| Error::invalid(format!("out of memory for {} more arcs", human_bytes(targets.len() as u64)));
        let mut at = *self.offsets.last().expect("starts with 0");
        self.offsets.extend(degrees.iter().map(|&d| {
            at += d as u64;
            at
        }));
        self.targets.try_reserve(targets.len()).map_err(oom)?;
        self.targets.extend_from_slice(targets);
        if let (Some(all), Some(w)) = (&mut self.weights, weights) {
            all.try_reserve(w.len()).map_err(oom)?;
            all.extend_from_slice(w);
        }
        Ok(())
    }
}

/// Edges handed to builder sinks per task.
const EDGES_PER_TASK: usize = 1 << 16;

impl Builder {
    /// Pushes every edge of `edges` (with its weight, when it has one), in parallel.
    pub fn push_edges(&self, edges: &EdgeList) {
        let weights = edges.weights.as_deref();
        edges.edges.par_chunks(EDGES_PER_TASK).enumerate().for_each_init(
            || self.sink(),
            |sink, (i, chunk)| {
                let w = weights.map(|w| &w[i * EDGES_PER_TASK..][..chunk.len()]);
                for (k, &(u, v)) in chunk.iter().enumerate() {
                    sink.push(u, v, w.map_or(1, |w| w[k]));
                }
            },
        );
    }
}

impl Csr {
    /// Builds a CSR from an edge list, in memory. An undirected list (`directed == false`) is
    /// always symmetrized, whatever `options.symmetrize` says.
    pub fn from_edges(edges: &EdgeList, options: BuildOptions) -> Csr {
        Csr::from_edges_within(edges, options, &Budget::default()).expect("an unlimited in-memory build cannot fail")
    }

    /// Like [`Csr::from_edges`], refusing (before allocating) what does not fit in `budget`.
    pub fn from_edges_within(edges: &EdgeList, options: BuildOptions, budget: &Budget) -> Result<Csr> {
        let options = BuildOptions { symmetrize: options.symmetrize || !edges.directed, ..options };
        let builder =
            Builder::new(edges.num_nodes, edges.weights.is_some(), options, edges.len() as u64, budget, None)?;
        builder.push_edges(edges);
        builder.finish(options.props(), edges.original_ids.clone())
    }

    /// The undirected view of this graph: every arc in both directions, parallel arcs merged
    /// (keeping the smallest weight). Returns a copy even when the graph is already symmetric.
    pub fn symmetrized(&self) -> Csr {
        let options = BuildOptions::undirected();
        let builder =
            Builder::new(self.num_nodes(), self.is_weighted(), options, self.num_arcs(), &Budget::default(), None)
                .expect("an unlimited in-memory build cannot fail");
        const NODES_PER_TASK: usize = 1 << 12;
        (0..self.num_nodes().div_ceil(NODES_PER_TASK)).into_par_iter().for_each_init(
            || builder.sink(),
            |sink, t| {
                let end = ((t + 1) * NODES_PER_TASK).min(self.num_nodes());
                for u in (t * NODES_PER_TASK) as NodeId..end as NodeId {
                    for (v, w) in self.weighted_neighbors(u) {
                        sink.push(u, v, w);
                    }
                }
            },
        );
        let ids = self.original_ids().map(|ids| ids.to_vec());
        builder.finish(options.props(), ids).expect("an unlimited in-memory build cannot fail")
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn lists(csr: &Csr) -> Vec<Vec<(u32, u32)>> {
        (0..csr.num_nodes() as u32).map(|u| csr.weighted_neighbors(u).collect()).collect()
    }

    #[test]
    fn symmetrize_dedup_keeps_min_weight_and_one_self_loop() {
        let edges =
            EdgeList::new(3, vec![(0, 1), (1, 0), (0, 1), (2, 2), (1, 2)], false).with_weights(vec![5, 3, 7, 9, 1]);
        let csr = Csr::from_edges(&edges, BuildOptions::undirected());
        assert_eq!(lists(&csr), vec![vec![(1, 3)], vec![(0, 3), (2, 1)], vec![(1, 1), (2, 9)]]);
        assert!(csr.is_symmetric());
    }

    #[test]
    fn directed_keeps_duplicates_when_asked_and_drops_self_loops() {
        let edges = EdgeList::new(3, vec![(0, 1), (0, 1), (2, 2), (2, 0)], true);
        let opts = BuildOptions { symmetrize: false, dedup: false, drop_self_loops: true };
        let csr = Csr::from_edges(&edges, opts);
        assert_eq!(csr.offsets(), &[0, 2, 2, 3]);
        assert_eq!(csr.targets(), &[1, 1, 0]);
        assert!(!csr.is_symmetric());
    }

    #[test]
    fn empty_and_isolated() {
        let csr = Csr::from_edges(&EdgeList::new(0, vec![], true), BuildOptions::directed());
        assert_eq!(csr.num_nodes(), 0);
        let csr = Csr::from_edges(&EdgeList::new(4, vec![], false), BuildOptions::undirected());
        assert_eq!(csr.offsets(), &[0, 0, 0, 0, 0]);
    }

    #[test]
    fn symmetrized_matches_building_undirected() {
        let edges = EdgeList::new(5, vec![(0, 1), (3, 1), (4, 4), (1, 0), (2, 3)], true);
        let directed = Csr::from_edges(&edges, BuildOptions::directed());
        let mut undirected_edges = edges.clone();
        undirected_edges.directed = false;
        let undirected = Csr::from_edges(&undirected_edges, BuildOptions::undirected());
        let sym = directed.symmetrized();
        assert_eq!(sym.offsets(), undirected.offsets());
        assert_eq!(sym.targets(), undirected.targets());
    }

    /// A seeded multigraph with self loops, duplicates and a hub.
    fn messy(n: usize, m: usize, weighted: bool, directed: bool) -> EdgeList {
        let mut rng = crate::generate::Rng::new(7);
        let edges = (0..m)
            .map(|i| match i % 40 {
                0 => (0, rng.below(n as u64) as NodeId),
                1..4 => (i as NodeId % n as NodeId, i as NodeId % n as NodeId),
                _ => (rng.below(n as u64) as NodeId, rng.below(n as u64 / 2) as NodeId),
            })
            .collect();
        let e = EdgeList::new(n, edges, directed);
        if weighted { e.with_weights((0..m).map(|_| rng.below(5) as Weight).collect()) } else { e }
    }

    #[test]
    fn out_of_core_build_equals_in_memory_build() {
        let dir = tempfile::tempdir().unwrap();
        for (weighted, directed, dedup) in
            [(false, false, true), (true, false, true), (true, true, false), (false, true, true)]
        {
            let edges = messy(5000, 100_000, weighted, directed);
            let options = BuildOptions { dedup, ..BuildOptions::directed() };
            let want = Csr::from_edges(&edges, options);
            let options = BuildOptions { symmetrize: !directed, ..options };
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let budget = Budget::from_flag(Some(1 << 20)).unwrap();
                let got = pool.install(|| {
                    let b = Builder::new(5000, weighted, options, 100_000, &budget, Some(dir.path())).unwrap();
                    assert!(b.out_of_core() && b.buckets() > 2, "{} buckets", b.buckets());
                    b.push_edges(&edges);
                    b.finish(options.props(), None).unwrap()
                });
                assert_eq!(got.offsets(), want.offsets());
                assert_eq!(got.targets(), want.targets());
                assert_eq!(got.weights(), want.weights());
                assert_eq!(got.props(), want.props());
            }
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "spill folders are removed");
    }

    #[test]
    fn lists_are_sorted_deduplicated_and_complete() {
        let edges = messy(300, 5000, true, true);
        let csr = Csr::from_edges(&edges, BuildOptions::directed());
        let mut want = vec![std::collections::BTreeMap::<u32, u32>::new(); 300];
        for (i, &(u, v)) in edges.edges.iter().enumerate() {
            let w = edges.weight(i);
            want[u as usize].entry(v).and_modify(|x| *x = (*x).min(w)).or_insert(w);
        }
        for u in 0..300u32 {
            let got: Vec<(u32, u32)> = csr.weighted_neighbors(u).collect();
            assert_eq!(got, want[u as usize].iter().map(|(&v, &w)| (v, w)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_huge_node_count_is_refused_before_allocating() {
        let budget = Budget::from_flag(Some(1 << 30)).unwrap();
        let e = Builder::new(4_000_000_000, false, BuildOptions::directed(), 1, &budget, None).err().unwrap();
        assert!(e.to_string().contains("the offsets of 4000000000 nodes needs"), "{e}");
    }
}
