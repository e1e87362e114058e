//! The one list of implementations. The CLI, the tests, the benches and the harness all iterate
//! [`all`]; adding an implementation is adding one entry to [`REGISTRY`].

use serde::Serialize;

pub use crate::algo::Output;
use crate::algo::cc;
use crate::algo::msf;
use crate::algo::pagerank::{self, Blocked, InEdges, Params};
use crate::graph::Csr;

/// A problem costgraph solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Problem {
    /// Connected components.
    Cc,
    /// Minimum spanning forest.
    Msf,
    /// PageRank.
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

    /// True when every correct implementation returns the same result bit for bit (canonical
    /// components, the unique forest), so results compare by [`Output::digest`]. PageRank's ranks
    /// depend on the order of floating-point sums: each run is checked by its verifier instead.
    pub fn exact(self) -> bool {
        !matches!(self, Problem::Pagerank)
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
    /// A command outside costgraph that the harness sweeps next to the registered ones (never
    /// registered itself; see `harness::external`).
    External,
}

impl Kind {
    /// The kind's name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SingleThread => "single-thread",
            Kind::Rayon => "rayon",
            Kind::Timely => "timely",
            Kind::External => "external",
        }
    }
}

/// How to call an implementation.
#[derive(Clone, Copy)]
pub enum Entry {
    /// A function on an in-memory (or mapped) graph; rayon implementations use the current pool.
    Local(fn(&Csr) -> Output),
    /// A preparation on an in-memory (or mapped) graph (a transpose, an arc order), timed apart,
    /// that returns the computation itself.
    Prepared(for<'a> fn(&'a Csr) -> crate::Result<Kernel<'a>>),
    /// A timely dataflow algorithm, run on every worker of a cluster by [`crate::dataflow::run`].
    Dataflow(crate::dataflow::Algorithm),
}

/// A computation ready to run on a prepared graph; each call runs it once. It is `Sync`, so a
/// kernel prepared once can be run inside any rayon pool (`pool.install(&kernel)`).
pub type Kernel<'a> = Box<dyn Fn() -> Output + Sync + 'a>;

impl Entry {
    /// Prepares the computation on `csr` (nothing to do for [`Entry::Local`]); calling the kernel
    /// runs it. `None` for [`Entry::Dataflow`], which runs on a cluster, not on an in-memory graph;
    /// an error when the preparation does not fit in memory.
    pub fn prepare<'a>(&self, csr: &'a Csr) -> crate::Result<Option<Kernel<'a>>> {
        Ok(match *self {
            Entry::Local(f) => Some(Box::new(move || f(csr))),
            Entry::Prepared(prepare) => Some(prepare(csr)?),
            Entry::Dataflow(_) => None,
        })
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

impl Implementation {
    /// Checks that `csr` carries what the implementation needs (the entry points assume it):
    /// an implementation that `needs_weights` refuses an unweighted graph with how to add weights.
    pub fn check_input(&self, csr: &Csr) -> Result<(), String> {
        if self.needs_weights && !csr.is_weighted() {
            return Err(format!(
                "{} needs edge weights and the graph has none: add random weights with \
                 `costgraph generate ... --weights` or `costgraph convert --weighted`",
                self.problem.name()
            ));
        }
        Ok(())
    }
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
    Implementation {
        problem: Problem::Cc,
        name: "timely-label-prop",
        kind: Kind::Timely,
        description: "label propagation on timely workers: local asynchronous fixed point per round, improved labels exchanged",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Dataflow(crate::dataflow::label_prop::run),
    },
    Implementation {
        problem: Problem::Cc,
        name: "timely-union-find",
        kind: Kind::Timely,
        description: "union-find with Afforest sampling over each timely worker's own nodes and the ghosts it meets, sets joined by one exchange of labels",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Dataflow(crate::dataflow::union_find::run),
    },
    Implementation {
        problem: Problem::Cc,
        name: "differential-cc",
        kind: Kind::Timely,
        description: "differential dataflow: minimum labels to a fixed point with iterate, join and reduce (min), labels staged by size",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Dataflow(crate::dataflow::differential::run),
    },
    Implementation {
        problem: Problem::Cc,
        name: "differential-cc-min",
        kind: Kind::Timely,
        description: "differential dataflow as differential-cc, the labels carried as min-monoid differences (one accumulated proposal per node and round); insert-only under updates",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Dataflow(crate::dataflow::differential::run_min),
    },
    Implementation {
        problem: Problem::Msf,
        name: "kruskal",
        kind: Kind::SingleThread,
        description: "filter-Kruskal in O(n) memory: batches of the lightest edges between trees, radix-sorted, union-find, early stop",
        needs_symmetric: false,
        needs_weights: true,
        entry: Entry::Local(|csr| Output::Forest(msf::kruskal(csr))),
    },
    Implementation {
        problem: Problem::Msf,
        name: "boruvka",
        kind: Kind::SingleThread,
        description: "Borůvka: min edge per component, hook, contract; light edges first, then heavy edges between trees",
        needs_symmetric: true,
        needs_weights: true,
        entry: Entry::Local(|csr| Output::Forest(msf::boruvka(csr))),
    },
    Implementation {
        problem: Problem::Msf,
        name: "boruvka-par",
        kind: Kind::Rayon,
        description: "Borůvka on rayon: priority writes, hooking, pointer jumping; light edges first, then heavy edges between trees",
        needs_symmetric: true,
        needs_weights: true,
        entry: Entry::Local(|csr| Output::Forest(msf::boruvka_par(csr))),
    },
    Implementation {
        problem: Problem::Msf,
        name: "timely-boruvka",
        kind: Kind::Timely,
        description: "distributed Borůvka on timely workers: round one on the lists, light edges first, minimum edges per owner, hooks resolved by pointer jumping at the owners; state over own nodes and ghosts",
        needs_symmetric: false,
        needs_weights: true,
        entry: Entry::Dataflow(crate::dataflow::boruvka::run),
    },
    // PageRank
    Implementation {
        problem: Problem::Pagerank,
        name: "pagerank",
        kind: Kind::SingleThread,
        description: "pull over in-arcs in vertex order, tiled by L2-sized source blocks (transpose and tiles prepared once)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Prepared(pagerank_pull),
    },
    Implementation {
        problem: Problem::Pagerank,
        name: "pagerank-push",
        kind: Kind::SingleThread,
        description: "push along out-arcs in vertex order through propagation-blocking bins (no preparation)",
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
        description: "pull over in-arcs tiled by L2-sized source blocks, each block's destination chunks in parallel (transpose and tiles prepared once)",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Prepared(pagerank_par),
    },
    Implementation {
        problem: Problem::Pagerank,
        name: "timely-pagerank",
        kind: Kind::Timely,
        description: "push on timely workers: partial sums combined per destination node, exchanged to its owner",
        needs_symmetric: false,
        needs_weights: false,
        entry: Entry::Dataflow(crate::dataflow::pagerank::run),
    },
];

fn pagerank_pull(csr: &Csr) -> crate::Result<Kernel<'_>> {
    let tiles = Blocked::of(&InEdges::of(csr), pagerank::block_bits())?;
    Ok(Box::new(move || Output::Ranks(tiles.pagerank(&Params::current()))))
}

fn pagerank_push(csr: &Csr) -> Output {
    Output::Ranks(pagerank::push(csr, &Params::current()))
}

fn pagerank_hilbert(csr: &Csr) -> crate::Result<Kernel<'_>> {
    let tiles = match csr.hilbert_arcs() {
        Some(arcs) => pagerank::HilbertTiles::of(csr, arcs)?,
        None => pagerank::HilbertTiles::sort(csr, &crate::graph::budget::Budget::default())?,
    };
    Ok(Box::new(move || Output::Ranks(tiles.pagerank(&Params::current()))))
}

fn pagerank_par(csr: &Csr) -> crate::Result<Kernel<'_>> {
    let tiles = Blocked::of(&InEdges::of(csr), pagerank::block_bits())?;
    Ok(Box::new(move || Output::Ranks(tiles.pagerank_par(&Params::current()))))
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
