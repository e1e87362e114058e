//! Loads a graph and runs implementations from the registry on it, each result checked by its
//! problem's verifier and compared with the single-thread baseline's by digest.
//!
//! ```sh
//! cargo run --release --example run_implementation            # a generated Kronecker graph
//! cargo run --release --example run_implementation -- g.cgr   # any graph costgraph reads
//! ```

use std::path::PathBuf;
use std::time::Instant;

use costgraph::generate::{Generator, GeneratorSpec, KronConfig, Weights, generate};
use costgraph::graph::{BuildOptions, Csr};
use costgraph::io::{self, ReadOptions};
use costgraph::registry::{self, Kind, Problem};

fn main() -> anyhow::Result<()> {
    let graph = match std::env::args_os().nth(1).map(PathBuf::from) {
        Some(path) => io::load_graph(&path, &ReadOptions::default(), BuildOptions::directed())?,
        None => {
            let spec = GeneratorSpec {
                weights: Some(Weights::new(1, 255)?),
                ..GeneratorSpec::new(Generator::Kron(KronConfig { scale: 16, edge_factor: 16 }))
            };
            Csr::from_edges(&generate(&spec)?, BuildOptions::undirected())
        }
    };
    println!("{} nodes, {} arcs", graph.num_nodes(), graph.num_arcs());
    let symmetric = if graph.is_symmetric() { None } else { Some(graph.symmetrized()) };
    for problem in [Problem::Cc, Problem::Msf] {
        let mut baseline_digest = None;
        // Timely implementations run on a cluster (`costgraph run`, `costgraph cluster`), not here.
        for imp in registry::of(problem).filter(|i| i.kind != Kind::Timely) {
            if imp.check_input(&graph).is_err() {
                continue;
            }
            let input = if imp.needs_symmetric { symmetric.as_ref().unwrap_or(&graph) } else { &graph };
            let kernel = imp.entry.prepare(input)?.expect("local implementations run in this process");
            let start = Instant::now();
            let output = kernel();
            let secs = start.elapsed().as_secs_f64();
            output.verify(&graph).map_err(|e| anyhow::anyhow!("{} failed its verifier: {e}", imp.name))?;
            let digest = output.digest();
            let agrees = baseline_digest.get_or_insert_with(|| digest.clone()) == &digest;
            println!(
                "{:>8} {:<16} {:>9.4} s  {}  {}",
                problem.name(),
                imp.name,
                secs,
                output.summary_json(graph.num_nodes()),
                if agrees { "agrees with the baseline" } else { "DISAGREES with the baseline" }
            );
        }
    }
    Ok(())
}
