//! Capacity estimates: how much memory an implementation needs for a graph, and whether that fits
//! in this machine ("learn to estimate your capacity"). All the formulas are here, in one table.
//!
//! Assumptions (deliberately conservative, upper bounds rather than averages):
//!
//! - **Graph**: the CSR as stored — `8 (n + 1)` bytes of offsets, `4 m` of targets and `4 m` of
//!   weights when weighted (`n` nodes, `m` stored arcs). A mapped `.cgr` becomes resident page
//!   cache once it is read, so it is counted in full, once, even for several processes on one
//!   machine (they share the page cache).
//! - **Symmetric view**: an implementation that needs the undirected view of a directed graph gets
//!   a symmetrized copy, at most `2 m` arcs: `8 (n + 1) + 8 m` (+ `8 m` weights).
//! - **Working set**: `node_bytes · n + arc_bytes · m` with the per-(problem, kind) figures of
//!   [`FORMULAS`] (or, for the implementations in [`SPECIFIC`], their own), which list what each
//!   kind of implementation allocates (union-find parents,
//!   canonical labels, edge arrays for sorting, dataflow records in flight, double buffering).
//! - **Runtime**: 32 MiB per process (binary, allocator, I/O buffers) plus 2 MiB of stack per
//!   thread or worker.
//! - **Fits** when the total is at most the memory available to new processes (`MemAvailable`).

use serde::Serialize;

use crate::registry::{Implementation, Kind, Problem};

/// Bytes of working memory per node and per stored arc of one kind of implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Formula {
    /// The problem.
    pub problem: Problem,
    /// The kind of implementation.
    pub kind: Kind,
    /// Working bytes per node.
    pub node_bytes: u64,
    /// Working bytes per stored arc.
    pub arc_bytes: u64,
    /// What the figures account for.
    pub assumption: &'static str,
}

/// The working-set formulas, one per (problem, kind).
pub const FORMULAS: [Formula; 9] = [
    Formula {
        problem: Problem::Cc,
        kind: Kind::SingleThread,
        node_bytes: 12,
        arc_bytes: 0,
        assumption: "union-find parents (u32), ranks/scratch (u32) and canonical labels (u32) per node",
    },
    Formula {
        problem: Problem::Cc,
        kind: Kind::Rayon,
        node_bytes: 16,
        arc_bytes: 0,
        assumption: "atomic parents, a second label array for propagation, canonical labels, scratch (u32 each)",
    },
    Formula {
        problem: Problem::Cc,
        kind: Kind::Timely,
        node_bytes: 32,
        arc_bytes: 16,
        assumption: "per-node label state in hash maps (~32 B), (u32, u32) records in flight, double-buffered",
    },
    Formula {
        problem: Problem::Msf,
        kind: Kind::SingleThread,
        node_bytes: 64,
        arc_bytes: 0,
        assumption: "filter-Kruskal: union-find (4 B), forest edges (12 B), a batch of 2n (weight, u, v) entries and its radix scratch (48 B) per node; nothing per arc",
    },
    Formula {
        problem: Problem::Msf,
        kind: Kind::Rayon,
        node_bytes: 28,
        arc_bytes: 24,
        assumption: "Boruvka: edge list (12 B) plus its contracted copy per arc; component, best edge, forest per node",
    },
    Formula {
        problem: Problem::Msf,
        kind: Kind::Timely,
        node_bytes: 48,
        arc_bytes: 32,
        assumption: "parent and candidate position (4 B each) per own node; each worker's ghosts (id, component, \
                     index: ~12 B each) and slots per component touched (id, lightest edge, table: ~24 B); the \
                     edges kept (20 B, at most one per arc) and records in flight",
    },
    Formula {
        problem: Problem::Pagerank,
        kind: Kind::SingleThread,
        node_bytes: 28,
        arc_bytes: 12,
        assumption: "ranks, next ranks, contributions, sums, inverse degrees (f32) and transpose offsets (u64) per \
                     node; the transpose (u32, when built) and its blocked tiles (4 B + rows) or Hilbert arcs (8 B, \
                     when computed) plus their 4 B tiles per arc",
    },
    Formula {
        problem: Problem::Pagerank,
        kind: Kind::Rayon,
        node_bytes: 28,
        arc_bytes: 12,
        assumption: "ranks, next ranks, contributions, sums, inverse degrees (f32) and transpose offsets (u64) per \
                     node; the transpose (u32, when built) and its blocked tiles (4 B per arc and 8 B per row, \
                     counted as 4 B per arc) per arc",
    },
    Formula {
        problem: Problem::Pagerank,
        kind: Kind::Timely,
        node_bytes: 32,
        arc_bytes: 8,
        assumption: "ranks and contributions per owned node, (node, f32) records in flight per arc, combined per round",
    },
];

/// Runtime overhead per process.
pub const PROCESS_BYTES: u64 = 32 << 20;
/// Stack per thread or worker.
pub const THREAD_BYTES: u64 = 2 << 20;

/// The size of a graph, as the estimates need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GraphShape {
    /// Nodes.
    pub nodes: u64,
    /// Stored arcs (each undirected edge twice in a symmetric graph).
    pub arcs: u64,
    /// Whether weights are stored.
    pub weighted: bool,
    /// Whether the stored graph is already symmetric.
    pub symmetric: bool,
    /// Whether the file holds the arcs in Hilbert order too (8 bytes per arc).
    pub hilbert: bool,
    /// Whether the file holds the in-arcs too (4 bytes per arc, 8 per node).
    pub transpose: bool,
}

impl GraphShape {
    /// The shape of `csr`.
    pub fn of(csr: &crate::graph::Csr) -> GraphShape {
        GraphShape {
            nodes: csr.num_nodes() as u64,
            arcs: csr.num_arcs(),
            weighted: csr.is_weighted(),
            symmetric: csr.is_symmetric(),
            hilbert: csr.hilbert_arcs().is_some(),
            transpose: csr.transpose().is_some(),
        }
    }

    /// Bytes of the CSR as stored.
    pub fn graph_bytes(&self) -> u64 {
        8 * (self.nodes + 1) + self.arcs * if self.weighted { 8 } else { 4 }
    }

    /// Bytes of a symmetrized copy (none when the graph is already symmetric).
    pub fn symmetric_copy_bytes(&self) -> u64 {
        if self.symmetric { 0 } else { 8 * (self.nodes + 1) + 2 * self.arcs * if self.weighted { 8 } else { 4 } }
    }
}

/// The memory one configuration needs, by part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// The graph as stored.
    pub graph_bytes: u64,
    /// The symmetrized copy, when the implementation needs one.
    pub symmetric_copy_bytes: u64,
    /// The implementation's working set.
    pub working_bytes: u64,
    /// Process and thread overhead.
    pub runtime_bytes: u64,
    /// The sum of the above.
    pub total_bytes: u64,
}

/// The formula for `(problem, kind)`.
pub fn formula(problem: Problem, kind: Kind) -> &'static Formula {
    FORMULAS.iter().find(|f| f.problem == problem && f.kind == kind).expect("FORMULAS covers every problem and kind")
}

/// Implementations whose working set differs from their kind's [`FORMULAS`] entry: `(name, node
/// bytes, arc bytes, what they account for)`. `pagerank-hilbert` on a graph that carries its
/// Hilbert section reads it mapped and packs 4 bytes per arc instead (see [`estimate`]).
pub const SPECIFIC: [(&str, u64, u64, &str); 4] = [
    (
        "pagerank-push",
        20,
        0,
        "ranks, next ranks, contributions, inverse out-degrees and sums (f32) per node; the propagation-blocking \
         bins (8 B per arc, at most 256 MiB)",
    ),
    (
        "pagerank-hilbert",
        24,
        12,
        "ranks and sums per node; the Hilbert order's keys (4 B per arc, 8 B above 2^22 nodes) and the arcs \
         packed into 4 B tiles",
    ),
    (
        "differential-cc",
        64,
        48,
        "arranged arcs in both directions with their times and diffs, the labels' history per round (measured \
         RSS 7-11x the .cgr on Kronecker 17-20)",
    ),
    (
        "differential-cc-min",
        64,
        48,
        "as differential-cc: arranged arcs in both directions, the labels' history per round (one accumulated \
         proposal per node and round instead of each proposal)",
    ),
];

/// Bytes of working memory per node and per arc of `imp` on `shape`, and what they account for.
pub fn working_set(imp: &Implementation, shape: &GraphShape) -> (u64, u64, &'static str) {
    match SPECIFIC.iter().find(|s| s.0 == imp.name) {
        Some(&("pagerank-hilbert", node, _, _)) if shape.hilbert => {
            (node, 4, "ranks and sums per node; the mapped Hilbert section packed into 4 B tiles per arc")
        }
        _ if imp.problem == Problem::Pagerank
            && matches!(imp.kind, Kind::SingleThread | Kind::Rayon)
            && imp.name != "pagerank-push"
            && imp.name != "pagerank-hilbert"
            && (shape.transpose || shape.symmetric) =>
        {
            (
                28,
                8,
                "ranks, next ranks, contributions, sums, inverse degrees (f32) per node; the stored (or symmetric) \
                     in-arcs' blocked tiles (4 B per arc and 8 B per row, counted as 4 B per arc) per arc",
            )
        }
        Some(&(_, node, arc, what)) => (node, arc, what),
        None => {
            let f = formula(imp.problem, imp.kind);
            (f.node_bytes, f.arc_bytes, f.assumption)
        }
    }
}

/// Estimates the memory of one configuration: `imp` on `shape` (its symmetric view when it needs
/// one), over `processes` processes with `cores` threads or workers in all.
pub fn estimate(imp: &Implementation, shape: &GraphShape, processes: usize, cores: usize) -> Estimate {
    let needs_symmetric = imp.needs_symmetric;
    let (node_bytes, arc_bytes, _) = working_set(imp, shape);
    // The mapped Hilbert section is read by the implementation that uses it.
    let hilbert_bytes = if imp.name == "pagerank-hilbert" && shape.hilbert { 8 * shape.arcs } else { 0 };
    // The mapped transpose is read by the pull kernels.
    let pull = imp.problem == Problem::Pagerank && imp.name != "pagerank-push" && imp.name != "pagerank-hilbert";
    let transpose_bytes = if pull && shape.transpose { 8 * (shape.nodes + 1) + 4 * shape.arcs } else { 0 };
    let bins_bytes =
        if imp.name == "pagerank-push" { (crate::algo::pagerank::BINS_BYTES as u64).min(8 * shape.arcs) } else { 0 };
    let graph_bytes = shape.graph_bytes() + hilbert_bytes + transpose_bytes;
    let symmetric_copy_bytes = if needs_symmetric { shape.symmetric_copy_bytes() } else { 0 };
    let arcs = if needs_symmetric && !shape.symmetric { 2 * shape.arcs } else { shape.arcs };
    let working_bytes = node_bytes * shape.nodes + arc_bytes * arcs + bins_bytes;
    let runtime_bytes = PROCESS_BYTES * processes.max(1) as u64 + THREAD_BYTES * cores.max(1) as u64;
    Estimate {
        graph_bytes,
        symmetric_copy_bytes,
        working_bytes,
        runtime_bytes,
        total_bytes: graph_bytes + symmetric_copy_bytes + working_bytes + runtime_bytes,
    }
}

/// The memory an implementation may use: what is available to new processes now, lowered to
/// `limit` when one is given (`--memory`); `None` when neither is known.
pub fn available_within(limit: Option<u64>) -> Option<u64> {
    match (crate::sysinfo::available_memory_bytes(), limit) {
        (Some(a), Some(m)) => Some(a.min(m)),
        (a, m) => a.or(m),
    }
}

/// Whether `needed` bytes fit in `available` (unknown availability counts as fitting).
pub fn fits(needed: u64, available: Option<u64>) -> bool {
    available.is_none_or(|a| needed <= a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: GraphShape =
        GraphShape { nodes: 1000, arcs: 10_000, weighted: false, symmetric: false, hilbert: false, transpose: false };

    fn imp(problem: Problem, name: &str) -> &'static Implementation {
        crate::registry::find(problem, name).expect("registered")
    }

    #[test]
    fn every_problem_and_kind_has_a_formula() {
        for problem in Problem::ALL {
            for kind in [Kind::SingleThread, Kind::Rayon, Kind::Timely] {
                assert_eq!(formula(problem, kind).kind, kind);
            }
        }
    }

    #[test]
    fn parts_add_up() {
        let e = estimate(imp(Problem::Cc, "union-find"), &SHAPE, 1, 1);
        assert_eq!(e.graph_bytes, 8 * 1001 + 4 * 10_000);
        assert_eq!(e.symmetric_copy_bytes, 0);
        assert_eq!(e.working_bytes, 12 * 1000);
        assert_eq!(e.runtime_bytes, PROCESS_BYTES + THREAD_BYTES);
        assert_eq!(e.total_bytes, e.graph_bytes + e.working_bytes + e.runtime_bytes);
        let sym = estimate(imp(Problem::Cc, "label-prop-par"), &SHAPE, 1, 4);
        assert_eq!(sym.symmetric_copy_bytes, 8 * 1001 + 8 * 10_000);
        let already = GraphShape { symmetric: true, ..SHAPE };
        assert_eq!(estimate(imp(Problem::Cc, "label-prop-par"), &already, 1, 4).symmetric_copy_bytes, 0);
        let weighted = GraphShape { weighted: true, ..SHAPE };
        assert_eq!(weighted.graph_bytes(), 8 * 1001 + 8 * 10_000);
        let cluster = estimate(imp(Problem::Msf, "timely-boruvka"), &weighted, 2, 4);
        assert_eq!(cluster.runtime_bytes, 2 * PROCESS_BYTES + 4 * THREAD_BYTES);
    }

    #[test]
    fn implementations_with_their_own_working_set() {
        // PageRank: the transpose and its tiles (pull; only the tiles when the file carries the
        // transpose, mapped), the bins (push), the Hilbert order computed (its keys and the packed
        // tiles, 12 B per arc) or read from the file's section (mapped 8 B, packed 4 B).
        let arcs = |name: &str, shape: &GraphShape| {
            let e = estimate(imp(Problem::Pagerank, name), shape, 1, 1);
            ((e.working_bytes - working_set(imp(Problem::Pagerank, name), shape).0 * 1000) / 10_000, e.graph_bytes)
        };
        let plain = SHAPE.graph_bytes();
        assert_eq!(arcs("pagerank", &SHAPE), (12, plain));
        assert_eq!(arcs("pagerank-push", &SHAPE), (8, plain));
        let with_transpose = GraphShape { transpose: true, ..SHAPE };
        assert_eq!(arcs("pagerank", &with_transpose), (8, plain + 8 * 1001 + 4 * 10_000));
        assert_eq!(arcs("pagerank-par", &with_transpose), (8, plain + 8 * 1001 + 4 * 10_000));
        assert_eq!(arcs("pagerank-hilbert", &SHAPE), (12, plain));
        let with_section = GraphShape { hilbert: true, ..SHAPE };
        assert_eq!(arcs("pagerank-hilbert", &with_section), (4, plain + 8 * 10_000));
        assert_eq!(arcs("pagerank", &with_section), (12, plain));
        assert!(SPECIFIC.iter().all(|s| crate::registry::all().iter().any(|i| i.name == s.0)), "names registered");
    }

    #[test]
    fn fitting() {
        assert!(fits(10, Some(10)));
        assert!(!fits(11, Some(10)));
        assert!(fits(u64::MAX, None));
    }
}
