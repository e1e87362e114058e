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
//!   [`FORMULAS`], which list what each kind of implementation allocates (union-find parents,
//!   canonical labels, edge arrays for sorting, dataflow records in flight, double buffering).
//! - **Runtime**: 32 MiB per process (binary, allocator, I/O buffers) plus 2 MiB of stack per
//!   thread or worker.
//! - **Fits** when the total is at most the memory available to new processes (`MemAvailable`).

use serde::Serialize;

use crate::registry::{Kind, Problem};

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
        assumption: "(u, v, w) records with padding (16 B) in flight, double-buffered; per-node hash-map state",
    },
    Formula {
        problem: Problem::Pagerank,
        kind: Kind::SingleThread,
        node_bytes: 24,
        arc_bytes: 12,
        assumption: "ranks, next ranks, contributions (f32) and transpose offsets (u64) per node; the transpose \
                     (u32) or Hilbert arcs (8 B, when computed) plus their 4 B tiles per arc",
    },
    Formula {
        problem: Problem::Pagerank,
        kind: Kind::Rayon,
        node_bytes: 24,
        arc_bytes: 4,
        assumption: "ranks, next ranks, contributions (f32) and transpose offsets (u64) per node; transpose (u32) per arc",
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
}

impl GraphShape {
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

/// Estimates the memory of one configuration: `problem` by an implementation of `kind` (that needs
/// the symmetric view when `needs_symmetric`) on `shape`, over `processes` processes with `cores`
/// threads or workers in all.
pub fn estimate(
    problem: Problem,
    kind: Kind,
    needs_symmetric: bool,
    shape: &GraphShape,
    processes: usize,
    cores: usize,
) -> Estimate {
    let f = formula(problem, kind);
    let graph_bytes = shape.graph_bytes();
    let symmetric_copy_bytes = if needs_symmetric { shape.symmetric_copy_bytes() } else { 0 };
    let arcs = if needs_symmetric && !shape.symmetric { 2 * shape.arcs } else { shape.arcs };
    let working_bytes = f.node_bytes * shape.nodes + f.arc_bytes * arcs;
    let runtime_bytes = PROCESS_BYTES * processes.max(1) as u64 + THREAD_BYTES * cores.max(1) as u64;
    Estimate {
        graph_bytes,
        symmetric_copy_bytes,
        working_bytes,
        runtime_bytes,
        total_bytes: graph_bytes + symmetric_copy_bytes + working_bytes + runtime_bytes,
    }
}

/// Whether `needed` bytes fit in `available` (unknown availability counts as fitting).
pub fn fits(needed: u64, available: Option<u64>) -> bool {
    available.is_none_or(|a| needed <= a)
}

pub use crate::graph::budget::human_bytes;

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: GraphShape = GraphShape { nodes: 1000, arcs: 10_000, weighted: false, symmetric: false };

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
        let e = estimate(Problem::Cc, Kind::SingleThread, false, &SHAPE, 1, 1);
        assert_eq!(e.graph_bytes, 8 * 1001 + 4 * 10_000);
        assert_eq!(e.symmetric_copy_bytes, 0);
        assert_eq!(e.working_bytes, 12 * 1000);
        assert_eq!(e.runtime_bytes, PROCESS_BYTES + THREAD_BYTES);
        assert_eq!(e.total_bytes, e.graph_bytes + e.working_bytes + e.runtime_bytes);
        let sym = estimate(Problem::Cc, Kind::Rayon, true, &SHAPE, 1, 4);
        assert_eq!(sym.symmetric_copy_bytes, 8 * 1001 + 8 * 10_000);
        let already = GraphShape { symmetric: true, ..SHAPE };
        assert_eq!(estimate(Problem::Cc, Kind::Rayon, true, &already, 1, 4).symmetric_copy_bytes, 0);
        let weighted = GraphShape { weighted: true, ..SHAPE };
        assert_eq!(weighted.graph_bytes(), 8 * 1001 + 8 * 10_000);
        let cluster = estimate(Problem::Msf, Kind::Timely, false, &weighted, 2, 4);
        assert_eq!(cluster.runtime_bytes, 2 * PROCESS_BYTES + 4 * THREAD_BYTES);
    }

    #[test]
    fn fitting() {
        assert!(fits(10, Some(10)));
        assert!(!fits(11, Some(10)));
        assert!(fits(u64::MAX, None));
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
    }
}
