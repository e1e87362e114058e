//! Borůvka's minimum spanning forest, single thread ([`boruvka`]) and rayon ([`boruvka_par`]).
//!
//! Each round every component picks its lightest incident edge under the total order
//! `(weight, min(u, v), max(u, v))`, hooks onto the component at its other end, and the hooked
//! trees collapse into the components of the next round:
//!
//! 1. *Minimum edges.* Round one scans each node's adjacency in the CSR (no contention at all: a
//!    node owns its list). Later rounds run over an edge list of contracted endpoints and write
//!    the key `weight << 32 | position` into both endpoints' slots with a priority write (a plain
//!    load, then `fetch_min` only when the key is smaller). The list keeps the CSR's `(u, v)`
//!    order, so the position breaks weight ties exactly like `(min, max)` does.
//! 2. *Hooking.* Each component points at the other end of its edge; under a strict total order
//!    the only cycles are pairs that chose the same edge, and the smaller id of a pair becomes the
//!    root. Every other component adds its edge to the forest.
//! 3. *Pointer jumping* (path halving on the hook forest, safe under concurrency because a pointer
//!    is only ever replaced by an ancestor, and only while it holds the parent read: see [`find`]),
//!    then dense relabelling of the roots.
//! 4. *Relabel and filter.* Endpoints get their new component ids; edges inside a component are
//!    dropped, in place and keeping the order.
//!
//! The edge list after round one holds only the *light* edges first: those with a weight at most a
//! bound sampled so that about `2n` edges are light (filter-Borůvka, as GBBS's MSF filters by a
//! sampled weight). When the light rounds are done, the forest's trees get dense labels (a
//! concurrent union-find over the forest edges) and a second pass over the CSR keeps only the
//! heavy edges between different trees, for a second series of rounds. The forest is the same as
//! without the split (every light edge precedes every heavy one in the total order), but on random
//! weights the edge list is `O(n)` instead of `m`, and most heavy edges are dropped by one label
//! comparison.
//!
//! The number of components at least halves every round: `O(log n)` rounds, work
//! `O((n + m) log n)` in the worst case (much less in practice: the edge list shrinks every round),
//! depth `O(log² n)` with rayon. Extra memory: 16 bytes per node, 20 bytes per edge in the list
//! (the light edges, then the heavy edges between trees; the list keeps the original endpoints to
//! report the forest).
//!
//! Borůvka 1926; the round structure follows the GBBS edge-list Borůvka (Dhulipala, Blelloch,
//! Shun, "Theoretically efficient parallel graph algorithms can be fast and scalable", SPAA 2018).
//!
//! Both run on a symmetric CSR whose lists are sorted (the registry marks them `needs_symmetric`);
//! given another CSR they first build that view with [`Csr::symmetrized`] (which keeps the
//! lightest of parallel arcs, as the problem asks). The round structure is one generic function;
//! [`boruvka`] runs its loops in one chunk on the calling thread and never touches rayon,
//! [`boruvka_par`] splits them over the current rayon pool. The graph must be weighted (the caller
//! checks `needs_weights`).

use std::ops::Range;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use super::{Forest, ForestEdge};
use crate::algo::cc::dsu;
use crate::graph::{Csr, NodeId, Weight};

/// Minimum spanning forest by Borůvka's algorithm on the calling thread.
///
/// # Panics
/// When the graph has no weights, or when more than `u32::MAX` edges survive the first round.
pub fn boruvka(csr: &Csr) -> Forest {
    run::<Seq>(csr)
}

/// Minimum spanning forest by Borůvka's algorithm on the current rayon pool.
///
/// # Panics
/// When the graph has no weights, or when more than `u32::MAX` edges survive the first round.
pub fn boruvka_par(csr: &Csr) -> Forest {
    run::<Par>(csr)
}

/// How the loops of a round run: in one chunk on this thread, or in chunks on the rayon pool.
trait Exec {
    /// The length of the chunks (the last may be shorter) the methods below cut `len` items into.
    fn chunk(len: usize) -> usize;
    /// Calls `f` on chunks covering `0..len` and returns the results in order.
    fn map_ranges<R: Send>(len: usize, f: impl Fn(Range<usize>) -> R + Sync + Send) -> Vec<R>;
    /// Calls `f(start, chunk)` on chunks covering `data` and returns the results in order.
    fn map_chunks<T: Send, R: Send>(data: &mut [T], f: impl Fn(usize, &mut [T]) -> R + Sync + Send) -> Vec<R>;
    /// Sorts forest edges by `(weight, u, v)`.
    fn sort(edges: &mut [ForestEdge]);
}

/// Sequential execution.
struct Seq;

impl Exec for Seq {
    fn chunk(len: usize) -> usize {
        len.max(1)
    }
    fn map_ranges<R: Send>(len: usize, f: impl Fn(Range<usize>) -> R + Sync + Send) -> Vec<R> {
        vec![f(0..len)]
    }
    fn map_chunks<T: Send, R: Send>(data: &mut [T], f: impl Fn(usize, &mut [T]) -> R + Sync + Send) -> Vec<R> {
        vec![f(0, data)]
    }
    fn sort(edges: &mut [ForestEdge]) {
        edges.sort_unstable_by_key(|&(u, v, w)| (w, u, v));
    }
}

/// rayon execution on the current pool.
struct Par;

/// Items per rayon task.
const GRAIN: usize = 1 << 14;

impl Exec for Par {
    fn chunk(_: usize) -> usize {
        GRAIN
    }
    fn map_ranges<R: Send>(len: usize, f: impl Fn(Range<usize>) -> R + Sync + Send) -> Vec<R> {
        (0..len.div_ceil(GRAIN)).into_par_iter().map(|c| f(c * GRAIN..((c + 1) * GRAIN).min(len))).collect()
    }
    fn map_chunks<T: Send, R: Send>(data: &mut [T], f: impl Fn(usize, &mut [T]) -> R + Sync + Send) -> Vec<R> {
        data.par_chunks_mut(GRAIN).enumerate().map(|(c, chunk)| f(c * GRAIN, chunk)).collect()
    }
    fn sort(edges: &mut [ForestEdge]) {
        edges.par_sort_unstable_by_key(|&(u, v, w)| (w, u, v));
    }
}

/// An edge between two components, with the original edge it stands for.
#[derive(Clone, Copy, Debug)]
struct Link {
    /// Component ids of the endpoints in the current round.
    a: NodeId,
    b: NodeId,
    w: Weight,
    /// Original endpoints, `u < v`.
    u: NodeId,
    v: NodeId,
}

/// No edge chosen.
const NONE: u64 = u64::MAX;

/// Per-component arrays, allocated once for `n` nodes and used on a prefix each round.
struct Scratch {
    /// The chosen edge's key (`weight << 32 | position`), or [`NONE`].
    best: Vec<AtomicU64>,
    /// The component each one hooks onto, then the dense id of each root.
    hook: Vec<NodeId>,
    /// The hook forest, then each component's id in the next round.
    parent: Vec<AtomicU32>,
}

fn run<E: Exec>(csr: &Csr) -> Forest {
    if !(csr.is_symmetric() && csr.props().sorted) {
        return run::<E>(&csr.symmetrized());
    }
    let weights = csr.weights().expect("minimum spanning forest needs a weighted graph");
    let n = csr.num_nodes();
    let mut s = Scratch {
        best: (0..n).map(|_| AtomicU64::new(NONE)).collect(),
        hook: vec![0; n],
        parent: (0..n).map(|_| AtomicU32::new(0)).collect(),
    };
    let mut forest = Vec::new();

    // Round one, on the CSR: each node scans its own list; `best` holds the weight.
    let (offsets, targets) = (csr.offsets(), csr.targets());
    E::map_chunks(&mut s.hook, |start, hooks| {
        for (i, hook) in hooks.iter_mut().enumerate() {
            let u = (start + i) as NodeId;
            let range = offsets[u as usize] as usize..offsets[u as usize + 1] as usize;
            // Sorted lists: among equal weights the first neighbour is the smallest `(min, max)`.
            let mut chosen = (NONE, u);
            for (&v, &w) in targets[range.clone()].iter().zip(&weights[range]) {
                if v != u && (w as u64) < chosen.0 {
                    chosen = (w as u64, v);
                }
            }
            s.best[u as usize].store(chosen.0, Relaxed);
            *hook = chosen.1;
        }
    });
    let best = &s.best;
    let components = contract::<E>(&mut s.hook, &s.parent, n, &mut forest, |c, h| {
        (c.min(h), c.max(h), best[c as usize].load(Relaxed) as Weight)
    });

    // The light edges (at most the bound), then, between the trees they leave, the heavy ones.
    let bound = super::light::light_bound(weights, weights.len() / 2, LIGHT_PER_NODE * n);
    let light = links::<E>(csr, &s.parent, |w| w <= bound);
    rounds::<E>(light, components, &mut s, &mut forest);
    if bound < Weight::MAX {
        let components = label_trees::<E>(n, &forest, &s.parent, &mut s.hook);
        let heavy = links::<E>(csr, &s.parent, |w| w > bound);
        rounds::<E>(heavy, components, &mut s, &mut forest);
    }
    E::sort(&mut forest);
    Forest::from_sorted(forest)
}

/// Light edges per node: the first phase runs on about this many edges per node (the lightest),
/// which on random weights joins most nodes into a few trees and leaves few heavy edges between
/// them.
const LIGHT_PER_NODE: usize = 2;

/// The links between different components (`labels` of the endpoints) over the arcs `u -> v`,
/// `u < v`, whose weight passes `keep`, in `(u, v)` order (which breaks weight ties like
/// `(min, max)` does).
fn links<E: Exec>(csr: &Csr, labels: &[AtomicU32], keep: impl Fn(Weight) -> bool + Sync + Send) -> Vec<Link> {
    let weights = csr.weights().expect("minimum spanning forest needs a weighted graph");
    let (offsets, targets) = (csr.offsets(), csr.targets());
    let pieces = E::map_ranges(csr.num_nodes(), |nodes| {
        let mut links = Vec::new();
        for u in nodes.start as NodeId..nodes.end as NodeId {
            let a = labels[u as usize].load(Relaxed);
            let range = offsets[u as usize] as usize..offsets[u as usize + 1] as usize;
            let start = range.start + targets[range.clone()].partition_point(|&v| v <= u);
            for p in start..range.end {
                let w = weights[p];
                if !keep(w) {
                    continue;
                }
                let v = targets[p];
                let b = labels[v as usize].load(Relaxed);
                if a != b {
                    links.push(Link { a, b, w, u, v });
                }
            }
        }
        links
    });
    let links = concat::<E>(pieces);
    assert!(links.len() <= u32::MAX as usize, "Borůvka's keys hold edge positions in 32 bits");
    links
}

/// Leaves in `labels` each node's tree in `forest` as dense ids (concurrent union-find over the
/// forest's edges, then pointer jumping and a prefix count of the roots; `ids` is scratch of `n`
/// entries) and returns the number of trees.
fn label_trees<E: Exec>(n: usize, forest: &[ForestEdge], labels: &[AtomicU32], ids: &mut [NodeId]) -> usize {
    E::map_ranges(n, |range| range.for_each(|x| labels[x].store(x as NodeId, Relaxed)));
    E::map_ranges(forest.len(), |range| forest[range].iter().for_each(|&(u, v, _)| dsu::link(labels, u, v)));
    let roots = E::map_ranges(n, |range| {
        let mut roots = 0;
        for x in range {
            let root = find(labels, x as NodeId);
            labels[x].store(root, Relaxed);
            roots += (root as usize == x) as usize;
        }
        roots
    });
    let firsts = exclusive_prefix(&roots);
    E::map_chunks(ids, |start, ids| {
        let mut id = firsts[start / E::chunk(n)] as NodeId;
        for (i, slot) in ids.iter_mut().enumerate() {
            if labels[start + i].load(Relaxed) as usize == start + i {
                *slot = id;
                id += 1;
            }
        }
    });
    let ids = &*ids;
    E::map_ranges(n, |range| range.for_each(|x| labels[x].store(ids[labels[x].load(Relaxed) as usize], Relaxed)));
    roots.iter().sum()
}

/// The prefix sums before each element.
fn exclusive_prefix(counts: &[usize]) -> Vec<usize> {
    let mut next = 0;
    counts
        .iter()
        .map(|c| {
            next += c;
            next - c
        })
        .collect()
}

/// Borůvka rounds on a list of `links` between `components` components until no link is left,
/// appending the chosen edges to `forest`.
fn rounds<E: Exec>(mut links: Vec<Link>, mut components: usize, s: &mut Scratch, forest: &mut Vec<ForestEdge>) {
    while !links.is_empty() {
        let best = &s.best[..components];
        E::map_ranges(components, |range| best[range].iter().for_each(|b| b.store(NONE, Relaxed)));
        E::map_ranges(links.len(), |range| {
            for i in range {
                let l = &links[i];
                let key = (l.w as u64) << 32 | i as u64;
                priority_write(&best[l.a as usize], key);
                priority_write(&best[l.b as usize], key);
            }
        });
        E::map_chunks(&mut s.hook[..components], |start, hooks| {
            for (i, hook) in hooks.iter_mut().enumerate() {
                let c = (start + i) as NodeId;
                let key = best[c as usize].load(Relaxed);
                *hook = if key == NONE {
                    c
                } else {
                    let l = &links[key as u32 as usize];
                    if l.a == c { l.b } else { l.a }
                };
            }
        });
        let picked = |c: NodeId, _| {
            let l = &links[best[c as usize].load(Relaxed) as u32 as usize];
            (l.u, l.v, l.w)
        };
        let next = contract::<E>(&mut s.hook[..components], &s.parent[..components], components, forest, picked);
        let labels = &s.parent[..components];
        let kept = E::map_chunks(&mut links, |_, chunk| {
            let mut kept = 0;
            for i in 0..chunk.len() {
                let l = chunk[i];
                let (a, b) = (labels[l.a as usize].load(Relaxed), labels[l.b as usize].load(Relaxed));
                if a != b {
                    chunk[kept] = Link { a, b, ..l };
                    kept += 1;
                }
            }
            kept
        });
        compact::<E>(&mut links, &kept);
        components = next;
    }
}

/// Writes `key` into `slot` when it is smaller, touching the cache line for writing only then.
#[inline(always)]
fn priority_write(slot: &AtomicU64, key: u64) {
    if key < slot.load(Relaxed) {
        slot.fetch_min(key, Relaxed);
    }
}

/// Steps 2 and 3 of a round over `components` components whose choices are in `hook` (a
/// component that chose nothing hooks onto itself): breaks the 2-cycles, appends the chosen edges
/// (`edge(c, hook[c])`) to `forest`, and leaves in `parent` each component's dense id in the next
/// round. A component that chose nothing has no edge left: it is finished and gets no id (its
/// `parent` entry is meaningless). Returns the number of components of the next round.
fn contract<E: Exec>(
    hook: &mut [NodeId],
    parent: &[AtomicU32],
    components: usize,
    forest: &mut Vec<ForestEdge>,
    edge: impl Fn(NodeId, NodeId) -> ForestEdge + Sync + Send,
) -> usize {
    let hooks = &*hook;
    let picked = E::map_ranges(components, |range| {
        let mut picked = Vec::new();
        for c in range.start as NodeId..range.end as NodeId {
            let h = hooks[c as usize];
            let root = h == c || (hooks[h as usize] == c && c < h);
            if root {
                parent[c as usize].store(c, Relaxed);
            } else {
                parent[c as usize].store(h, Relaxed);
                picked.push(edge(c, h));
            }
        }
        picked
    });
    forest.extend(picked.into_iter().flatten());
    // Pointer jumping, then count the roots of each chunk.
    let roots = E::map_ranges(components, |range| {
        let mut roots = 0;
        for c in range {
            let root = find(parent, c as NodeId);
            parent[c].store(root, Relaxed);
            roots += (root as usize == c && hooks[c] != c as NodeId) as usize;
        }
        roots
    });
    let firsts = exclusive_prefix(&roots);
    let next = roots.iter().sum();
    // Dense ids for the roots (in `hook`, free now), then every component takes its root's.
    E::map_chunks(hook, |start, ids| {
        let mut id = firsts[start / E::chunk(components)] as NodeId;
        for (i, slot) in ids.iter_mut().enumerate() {
            if parent[start + i].load(Relaxed) as usize == start + i && *slot != (start + i) as NodeId {
                *slot = id;
                id += 1;
            }
        }
    });
    let ids = &*hook;
    E::map_ranges(components, |range| {
        for c in range {
            parent[c].store(ids[parent[c].load(Relaxed) as usize], Relaxed);
        }
    });
    next
}

/// The root of `x` in the hook forest, halving the path on the way. Concurrent calls are safe:
/// the forest does not change shape, and each halving step replaces `x`'s pointer by its
/// grandparent only while it still holds the parent this call read (compare-and-swap). A plain
/// store could land after another thread had pointed `x` at its root, and put it back below the
/// root: the passes that point every node at its root ([`contract`], [`label_trees`]) would then
/// leave some nodes pointing elsewhere, and their next ids would be wrong.
#[inline]
fn find(parent: &[AtomicU32], mut x: NodeId) -> NodeId {
    loop {
        let p = parent[x as usize].load(Relaxed);
        if p == x {
            return x;
        }
        let g = parent[p as usize].load(Relaxed);
        if g != p {
            // Failure means another thread moved `x` up already: its pointer is as good.
            let _ = parent[x as usize].compare_exchange(p, g, Relaxed, Relaxed);
        }
        x = g;
    }
}

/// Joins per-chunk vectors into one (no copy when there is a single chunk).
fn concat<E: Exec>(mut pieces: Vec<Vec<Link>>) -> Vec<Link> {
    if pieces.len() == 1 {
        return pieces.pop().expect("one piece");
    }
    let total = pieces.iter().map(Vec::len).sum();
    let mut all = Vec::with_capacity(total);
    for piece in pieces {
        all.extend_from_slice(&piece);
    }
    all
}

/// Moves the kept prefix of each chunk (lengths `kept`, chunks of `E::chunk`) together.
fn compact<E: Exec>(links: &mut Vec<Link>, kept: &[usize]) {
    let chunk = E::chunk(links.len());
    let mut end = kept.first().copied().unwrap_or(0);
    for (c, &k) in kept.iter().enumerate().skip(1) {
        links.copy_within(c * chunk..c * chunk + k, end);
        end += k;
    }
    links.truncate(end);
}
