//! The one list of implementations. The CLI, the tests, the benches and the harness all iterate
//! [`all`]; adding an implementation is adding one entry to [`REGISTRY`].

use serde::Serialize;

use crate::algo::cc::{self, Components};
use crate::algo::msf::Forest;
use crate::graph::Csr;

/// A problem costgraph solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Problem {
    /// Connected components.
    Cc,
    /// Minimum spanning forest.
    Msf,
}

impl Problem {
    /// Every problem.
    pub const ALL: [Problem; 2] = [Problem::Cc, Problem::Msf];

    /// The problem's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Problem::Cc => "cc",
            Problem::Msf => "msf",
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
}

impl Output {
    /// Checks the output against the graph it was computed on (the problem's verifier).
    pub fn verify(&self, csr: &Csr) -> Result<(), String> {
        match self {
            Output::Components(c) => cc::verify(csr, c),
            Output::Forest(_) => Err("minimum spanning forests have no verifier yet".into()),
        }
    }

    /// A short JSON description of the output for reports (component count and largest size;
    /// forest weight, edges and trees) on a graph of `num_nodes` nodes.
    pub fn summary_json(&self, num_nodes: usize) -> serde_json::Value {
        match self {
            Output::Components(c) => serde_json::json!(c.summary()),
            Output::Forest(f) => serde_json::json!(f.summary(num_nodes)),
        }
    }
}

/// How to call an implementation.
#[derive(Clone, Copy)]
pub enum Entry {
    /// A function on an in-memory (or mapped) graph; rayon implementations use the current pool.
    Local(fn(&Csr) -> Output),
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
    Implementation {
        problem: Problem::Cc,
        name: "union-find",
        kind: Kind::SingleThread,
        description: "Rem's union-find with splicing and Afforest neighbour sampling, one thread (COST baseline)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Local(|g| Output::Components(cc::union_find(g))),
    },
    Implementation {
        problem: Problem::Cc,
        name: "label-prop",
        kind: Kind::SingleThread,
        description: "asynchronous minimum-label propagation with a frontier, one thread",
        needs_symmetric: true,
        needs_weights: false,
        entry: Entry::Local(|g| Output::Components(cc::label_prop(g))),
    },
    Implementation {
        problem: Problem::Cc,
        name: "label-prop-par",
        kind: Kind::Rayon,
        description: "asynchronous minimum-label propagation with atomics and a frontier",
        needs_symmetric: true,
        needs_weights: false,
        entry: Entry::Local(|g| Output::Components(cc::label_prop_par(g))),
    },
    Implementation {
        problem: Problem::Cc,
        name: "afforest",
        kind: Kind::Rayon,
        description: "Afforest: neighbour sampling, lock-free union-find, skipping the giant component",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Local(|g| Output::Components(cc::afforest(g))),
    },
    Implementation {
        problem: Problem::Cc,
        name: "boruvka-cc",
        kind: Kind::Rayon,
        description: "Boruvka-style hooking to the smallest neighbouring component and edge contraction",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Local(|g| Output::Components(cc::boruvka_cc(g))),
    },
];

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
