//! `peers`: times costgraph's connected components (CC) and minimum spanning forest (MSF) against
//! installable Rust peers, in one process, on one graph:
//!
//! - costgraph: every `Entry::Local` implementation in the registry, on a rayon pool of T threads;
//! - `graph` (neo4j-labs): `wcc_afforest` and `wcc_afforest_dss` (Afforest, rayon);
//! - `petgraph`: `unionfind::UnionFind` over every edge (CC) and `algo::min_spanning_tree`
//!   (Kruskal over a binary heap, MSF), both single-threaded.
//!
//! Each peer gets the graph the way its users build it (not timed): an edge list with every
//! undirected edge once (`u < v`, self loops dropped) turned into the peer's own structure. Only the
//! algorithm is timed, R times after one warm-up run; the table gives the median and the minimum.
//! Every result is checked against costgraph's baseline: the component count for CC, the forest
//! weight for MSF.
//!
//! Usage: `peers G.cgr [--repeat R] [--threads 1,2] [--skip NAME]...`, where `--skip` drops every
//! implementation whose name contains NAME (e.g. `--skip petgraph-msf` on big graphs).
//!
//! `peers G.cgr --export-gapbs G.sg --export-gbbs G.gbbs` writes the graph in the binary formats
//! of gapbs and GBBS instead (see `costgraph::io::export`) and exits: `run_peers.sh` feeds them to the C++ peers.


use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use costgraph::graph::{BuildOptions, Csr};
use costgraph::io::{self, ReadOptions};
use costgraph::registry::{self, Entry, Kind, Output, Problem};
use graph::prelude::{Components as _, CsrLayout, DirectedCsrGraph, WccConfig, wcc_afforest, wcc_afforest_dss};
use graph_builder::input::EdgeList;
use petgraph::graph::{NodeIndex, UnGraph};

/// Command-line options.
struct Options {
    graph: PathBuf,
    repeat: usize,
    threads: Vec<usize>,
    skip: Vec<String>,
    /// Where to write the graph as a gapbs `.sg` (then exit).
    export_gapbs: Option<PathBuf>,
    /// Where to write the graph as a GBBS weighted binary graph (then exit).
    export_gbbs: Option<PathBuf>,
}

impl Options {
    fn parse() -> Result<Options> {
        let mut args = std::env::args().skip(1);
        let mut options = Options {
            graph: PathBuf::new(),
            repeat: 5,
            threads: vec![1, 2],
            skip: Vec::new(),
            export_gapbs: None,
            export_gbbs: None,
        };
        let mut graph = None;
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--repeat" => options.repeat = value()?.parse().context("--repeat takes a number")?,
                "--threads" => {
                    options.threads = value()?
                        .split(',')
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .context("--threads takes a list like 1,2")?
                }
                "--skip" => options.skip.push(value()?),
                "--export-gapbs" => options.export_gapbs = Some(value()?.into()),
                "--export-gbbs" => options.export_gbbs = Some(value()?.into()),
                _ if arg.starts_with("--") => bail!("unknown option {arg}"),
                _ => graph = Some(PathBuf::from(arg)),
            }
        }
        options.graph = graph.context("usage: peers G.cgr [--repeat R] [--threads 1,2] [--skip NAME]...")?;
        ensure!(options.repeat > 0, "--repeat must be at least 1");
        ensure!(options.threads.iter().all(|&t| t > 0), "thread counts must be at least 1");
        Ok(options)
    }

    fn skipped(&self, name: &str) -> bool {
        self.skip.iter().any(|s| name.contains(s.as_str()))
    }
}

/// A result that every implementation of a problem must reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    /// Number of connected components (isolated nodes included).
    Components(u64),
    /// Total weight of the minimum spanning forest.
    ForestWeight(u64),
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Check::Components(c) => write!(f, "{c} components"),
            Check::ForestWeight(w) => write!(f, "weight {w}"),
        }
    }
}

/// Times implementations and prints one Markdown row each.
struct Bench {
    options: Options,
    graph_name: String,
    /// The result of costgraph's baseline per problem (indexed by `Problem as usize`), once known.
    expected: [Option<Check>; 2],
}

impl Bench {
    /// Runs `algorithm` on a pool of `threads` threads once to warm up, then `--repeat` times,
    /// timing each run; `check`
    /// turns the last result into the figure compared across implementations (not timed). The
    /// row also shows the 1-minute load average read just before, as the machine may be shared.
    fn measure<R: Send>(
        &mut self,
        problem: Problem,
        name: &str,
        threads: usize,
        mut algorithm: impl FnMut() -> R + Send,
        check: impl FnOnce(R) -> Check,
    ) -> Result<()> {
        if self.options.skipped(name) {
            return Ok(());
        }
        let load = load_average();
        let repeat = self.options.repeat;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        let (mut times, last) = pool.install(|| {
            let mut times = Vec::with_capacity(repeat);
            let mut last = Some(algorithm()); // warm-up, not timed
            for _ in 0..repeat {
                drop(last.take());
                let start = Instant::now();
                let result = std::hint::black_box(algorithm());
                times.push(start.elapsed().as_secs_f64());
                last = Some(result);
            }
            (times, last)
        });
        let got = check(last.expect("the warm-up ran"));
        let expected = self.expected[problem as usize].get_or_insert(got);
        ensure!(got == *expected, "{name} on {}: {got}, but costgraph's baseline found {expected}", self.graph_name);
        times.sort_by(f64::total_cmp);
        println!(
            "| {} | {} | {name} | {threads} | {:.3} | {:.3} | {got} | {load} |",
            self.graph_name,
            problem.name(),
            times[times.len() / 2],
            times[0]
        );
        Ok(())
    }
}

/// The 1-minute load average from `/proc/loadavg`, or `-` where there is none.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("-").to_string()
}

/// Every undirected edge once, `(u, v, weight)` with `u < v` (self loops dropped): the edge list a
/// peer's user would load. A directed graph keeps every arc `u -> v` with `u != v`.
fn edge_list(csr: &Csr) -> Vec<(u32, u32, u32)> {
    let symmetric = csr.is_symmetric();
    (0..csr.num_nodes() as u32)
        .flat_map(|u| csr.weighted_neighbors(u).map(move |(v, w)| (u, v, w)))
        .filter(|&(u, v, _)| if symmetric { u < v } else { u != v })
        .collect()
}

fn main() -> Result<()> {
    let options = Options::parse()?;
    let csr = io::load_graph(&options.graph, &ReadOptions::default(), BuildOptions::directed())?;
    let symmetric = (!csr.is_symmetric()).then(|| csr.symmetrized());
    if options.export_gapbs.is_some() || options.export_gbbs.is_some() {
        let undirected = symmetric.as_ref().unwrap_or(&csr);
        if let Some(file) = &options.export_gapbs {
            costgraph::io::export::write_gapbs(undirected, file, false)?;
        }
        if let Some(file) = &options.export_gbbs {
            costgraph::io::export::write_gbbs(undirected, file, true)?;
        }
        return Ok(());
    }
    let edges = edge_list(&csr);
    eprintln!("{}: {} nodes, {} undirected edges", options.graph.display(), csr.num_nodes(), edges.len());
    let graph_name = options.graph.file_stem().unwrap_or_default().to_string_lossy().into_owned();
    let mut bench = Bench { options, graph_name, expected: [None; 2] };

    println!("| graph | problem | implementation | threads | median s | min s | result | load 1m |");
    println!("|---|---|---|---:|---:|---:|---|---:|");
    ours(&mut bench, Problem::Cc, &csr, symmetric.as_ref())?;
    peers_cc(&mut bench, csr.num_nodes(), &edges)?;
    if csr.is_weighted() {
        ours(&mut bench, Problem::Msf, &csr, symmetric.as_ref())?;
        peers_msf(&mut bench, csr.num_nodes(), &edges)?;
    }
    Ok(())
}

/// costgraph's local implementations of `problem`, baselines first (their result is the one
/// every other implementation must match); single-thread ones only at one thread.
fn ours(bench: &mut Bench, problem: Problem, csr: &Csr, symmetric: Option<&Csr>) -> Result<()> {
    for imp in registry::of(problem) {
        let Entry::Local(entry) = imp.entry else { continue };
        let graph = if imp.needs_symmetric { symmetric.unwrap_or(csr) } else { csr };
        for threads in bench.options.threads.clone() {
            if imp.kind == Kind::SingleThread && threads > 1 {
                continue;
            }
            let check = |out| match out {
                Output::Components(c) => Check::Components(c.summary().components),
                Output::Forest(f) => Check::ForestWeight(f.weight()),
                Output::Ranks(_) => unreachable!("peers times CC and MSF only"),
            };
            bench.measure(problem, imp.name, threads, || entry(graph), check)?;
        }
    }
    Ok(())
}

/// The number of roots of a union-find parent array: the component count.
fn roots(parents: &[u32]) -> Check {
    Check::Components(parents.iter().enumerate().filter(|&(u, &p)| u == p as usize).count() as u64)
}

/// CC peers: `graph`'s Afforest variants (on its directed CSR, whose WCC follows out and in
/// lists) and `petgraph`'s union-find over the edge list.
fn peers_cc(bench: &mut Bench, n: usize, edges: &[(u32, u32, u32)]) -> Result<()> {
    if !bench.options.skipped("graph-wcc") {
        let pairs = edges.iter().map(|&(u, v, _)| (u, v, ())).collect();
        let peer: DirectedCsrGraph<u32> =
            DirectedCsrGraph::from((EdgeList::with_max_node_id(pairs, n as u32 - 1), CsrLayout::Sorted));
        let config = WccConfig::default();
        for threads in bench.options.threads.clone() {
            let afforest = || wcc_afforest(&peer, config);
            bench.measure(Problem::Cc, "graph-wcc-afforest", threads, afforest, |c| roots(&c.to_vec()))?;
            let dss = || wcc_afforest_dss(&peer, config);
            bench.measure(Problem::Cc, "graph-wcc-afforest-dss", threads, dss, |c| roots(&c.to_vec()))?;
        }
    }
    let union_find = || {
        let mut uf = petgraph::unionfind::UnionFind::<u32>::new(n);
        for &(u, v, _) in edges {
            uf.union(u, v);
        }
        uf.into_labeling()
    };
    bench.measure(Problem::Cc, "petgraph-unionfind", 1, union_find, |labels| roots(&labels))
}

/// MSF peer: `petgraph`'s `min_spanning_tree` (Kruskal over a binary heap) on an undirected
/// adjacency list; slow on big graphs, `--skip petgraph-msf` leaves it out.
fn peers_msf(bench: &mut Bench, n: usize, edges: &[(u32, u32, u32)]) -> Result<()> {
    if bench.options.skipped("petgraph-msf") {
        return Ok(());
    }
    let mut peer = UnGraph::<(), u32>::with_capacity(n, edges.len());
    for _ in 0..n {
        peer.add_node(());
    }
    for &(u, v, w) in edges {
        peer.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), w);
    }
    let kruskal = || {
        petgraph::algo::min_spanning_tree(&peer)
            .map(|e| match e {
                petgraph::data::Element::Edge { weight, .. } => weight as u64,
                petgraph::data::Element::Node { .. } => 0,
            })
            .sum::<u64>()
    };
    bench.measure(Problem::Msf, "petgraph-msf", 1, kruskal, Check::ForestWeight)
}
