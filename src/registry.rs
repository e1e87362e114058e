//! The one list of implementations. The CLI, the tests, the benches and the harness all iterate
//! [`all`]; adding an implementation is adding one entry to [`REGISTRY`].

use serde::Serialize;

use crate::algo::cc::Components;
use crate::algo::msf::Forest;
use crate::algo::pagerank::{self, InEdges, Params, Ranks};
use crate::graph::Csr;

/// A problem costgraph solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Problem {
    /// Connected components.
    Cc,
    /// Minimum spanning forest.
    Msf,
    /// PageRank (damping 0.85, 20 iterations).
    Pagerank,
}

impl Problem {
    /// Every problem.
    pub const ALL: [Problem; 3] = [Problem::Cc, Problem::Msf, Problem::Pagerank];

    /// The problem's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Problem::Cc => "cc",
            Problem::Msf => "msf",
            Problem::Pagerank => "pagerank",
        }
    }
}

/// How an implementation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// One thread, no parallel runtime at all: a COST baseline.
    SingleThread,
    /// rayon, on the current thread pool.
    Rayon,
    /// timely dataflow, on workers and processes.
    Timely,
}

impl Kind {
    /// The kind's name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SingleThread => "single-thread",
            Kind::Rayon => "rayon",
            Kind::Timely => "timely",
        }
    }
}

/// What an implementation computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Connected components.
    Components(Components),
    /// A minimum spanning forest.
    Forest(Forest),
    /// PageRank.
    Ranks(Ranks),
}

/// How to call an implementation.
#[derive(Clone, Copy)]
pub enum Entry {
    /// A function on an in-memory (or mapped) graph; rayon implementations use the current pool.
    Local(fn(&Csr) -> Output),
    /// A preparation on an in-memory (or mapped) graph (a transpose, an arc order), timed apart,
    /// that returns the computation itself.
    Prepared(for<'a> fn(&'a Csr) -> Kernel<'a>),
}

/// A computation ready to run on a prepared graph; each call runs it once.
pub type Kernel<'a> = Box<dyn Fn() -> Output + 'a>;

impl Entry {
    /// Prepares the computation on `csr` (nothing for [`Entry::Local`]); calling the kernel runs it.
    pub fn prepare<'a>(&self, csr: &'a Csr) -> Kernel<'a> {
        match *self {
            Entry::Local(f) => Box::new(move || f(csr)),
            Entry::Prepared(prepare) => prepare(csr),
        }
    }
}

/// One implementation of one problem.
pub struct Implementation {
    /// The problem it solves.
    pub problem: Problem,
    /// Its name on the command line (`--impl NAME`).
    pub name: &'static str,
    /// Single thread, rayon or timely.
    pub kind: Kind,
    /// One line on what it does.
    pub description: &'static str,
    /// True when it needs the symmetric (undirected) view of a directed graph; the caller
    /// prepares that view before timing the computation.
    pub needs_symmetric: bool,
    /// Needs edge weights (minimum spanning forest).
    pub needs_weights: bool,
    /// How to call it.
    pub entry: Entry,
}

/// Every implementation, baselines first within each problem.
pub static REGISTRY: &[Implementation] = &[
    // PageRank
    Implementation {
        problem: Problem::Pagerank,
        name: "pagerank",
        kind: Kind::SingleThread,
        description: "pull over in-arcs in vertex order (transpose prepared once)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Prepared(pagerank_pull),
    },
    Implementation {
        problem: Problem::Pagerank,
        name: "pagerank-push",
        kind: Kind::SingleThread,
        description: "push along out-arcs in vertex order (no preparation: the faster end to end without a transpose)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Local(pagerank_push),
    },
    Implementation {
        problem: Problem::Pagerank,
        name: "pagerank-hilbert",
        kind: Kind::SingleThread,
        description: "arcs in Hilbert-curve order in 64Ki x 64Ki tiles (the file's order, or computed in preparation)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Prepared(pagerank_hilbert),
    },
    Implementation {
        problem: Problem::Pagerank,
        name: "pagerank-par",
        kind: Kind::Rayon,
        description: "pull over in-arcs, chunks of nodes balanced by arcs (transpose prepared once)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Prepared(pagerank_par),
    },
];

fn pagerank_pull(csr: &Csr) -> Kernel<'_> {
    let in_edges = InEdges::of(csr);
    Box::new(move || Output::Ranks(in_edges.pagerank(&Params::default())))
}

fn pagerank_push(csr: &Csr) -> Output {
    Output::Ranks(pagerank::push(csr, &Params::default()))
}

fn pagerank_hilbert(csr: &Csr) -> Kernel<'_> {
    let arcs = match csr.hilbert_arcs() {
        Some(arcs) => std::borrow::Cow::Borrowed(arcs),
        None => std::borrow::Cow::Owned(crate::graph::hilbert::hilbert_arcs(csr)),
    };
    let tiles = pagerank::HilbertTiles::of(csr, &arcs);
    Box::new(move || Output::Ranks(tiles.pagerank(&Params::default())))
}

fn pagerank_par(csr: &Csr) -> Kernel<'_> {
    let in_edges = InEdges::of(csr);
    Box::new(move || Output::Ranks(in_edges.pagerank_par(&Params::default())))
}

/// Every implementation.
pub fn all() -> &'static [Implementation] {
    REGISTRY
}

/// The implementations of `problem`.
pub fn of(problem: Problem) -> impl Iterator<Item = &'static Implementation> {
    REGISTRY.iter().filter(move |i| i.problem == problem)
}

/// The implementation of `problem` called `name`.
pub fn find(problem: Problem, name: &str) -> Option<&'static Implementation> {
    of(problem).find(|i| i.name == name)
}

impl Output {
    /// Checks the result with its problem's independent verifier.
    pub fn verify(&self, csr: &Csr) -> Result<(), String> {
        match self {
            Output::Ranks(r) => r.verify(csr),
            _ => Err("no verifier yet".into()),
        }
    }

    /// A short JSON summary of the result (component count and largest; forest weight, ...).
    pub fn summary_json(&self, num_nodes: usize) -> serde_json::Value {
        match self {
            Output::Components(c) => serde_json::to_value(c.summary()).unwrap_or_default(),
            Output::Forest(f) => serde_json::to_value(f.summary(num_nodes)).unwrap_or_default(),
            Output::Ranks(r) => serde_json::to_value(r.summary()).unwrap_or_default(),
        }
    }
}
