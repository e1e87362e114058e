//! `costgraph run`: one implementation, one configuration, timed (load, preparation and compute
//! kept apart), optionally verified; text for people or one JSON object for the harness.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use costgraph::graph::{BuildOptions, Csr};
use costgraph::io::{self, ReadOptions};
use costgraph::registry::{self, Entry, Implementation, Kind, Output, Problem};
use serde_json::json;

use super::ProblemArg;

/// Arguments of `costgraph run`.
#[derive(clap::Args)]
pub struct Args {
    /// The problem.
    #[arg(value_enum)]
    problem: ProblemArg,
    /// The graph (.cgr, or any format `convert` reads).
    graph: PathBuf,
    /// The implementation (see `costgraph list`).
    #[arg(long = "impl", value_name = "NAME")]
    implementation: String,
    /// Counted repetitions of the computation.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Uncounted warm-up repetitions before the counted ones.
    #[arg(long, default_value_t = 0)]
    warmup: u32,
    /// Check the result with the problem's independent verifier.
    #[arg(long)]
    verify: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `costgraph run`.
pub fn run(args: Args, threads: Option<usize>) -> anyhow::Result<()> {
    let problem: Problem = args.problem.into();
    let Some(imp) = registry::find(problem, &args.implementation) else {
        let names: Vec<_> = registry::of(problem).map(|i| i.name).collect();
        bail!("no implementation '{}' of {} (known: {})", args.implementation, problem.name(), names.join(", "));
    };
    let threads_used = match imp.kind {
        Kind::SingleThread => 1,
        _ => threads.unwrap_or_else(rayon::current_num_threads),
    };

    let start = Instant::now();
    let csr = io::load_graph(&args.graph, &ReadOptions::default(), BuildOptions::directed())?;
    let load = start.elapsed().as_secs_f64();
    check_input(imp, &csr, &args.graph)?;

    let start = Instant::now();
    let symmetric;
    let graph = if imp.needs_symmetric && !csr.is_symmetric() {
        symmetric = csr.symmetrized();
        &symmetric
    } else {
        &csr
    };
    let kernel = imp.entry.prepare(graph);
    let prep = start.elapsed().as_secs_f64();

    for _ in 0..args.warmup {
        std::hint::black_box(kernel());
    }
    let mut times = Vec::with_capacity(args.repeat as usize);
    let mut output = None;
    for _ in 0..args.repeat {
        let start = Instant::now();
        let out = kernel();
        times.push(start.elapsed().as_secs_f64());
        output = Some(out);
    }
    let output: Output = output.context("at least one repetition runs")?;
    let verified = args.verify.then(|| output.verify(&csr));
    let summary = output.summary_json(csr.num_nodes());

    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let stats = json!({
        "min": sorted[0],
        "median": median(&sorted),
        "max": sorted[sorted.len() - 1],
    });
    if args.json {
        let value = json!({
            "problem": problem.name(),
            "impl": imp.name,
            "kind": imp.kind.name(),
            "graph": args.graph,
            "nodes": csr.num_nodes(),
            "arcs": csr.num_arcs(),
            "threads": threads_used,
            "load_secs": load,
            "prep_secs": prep,
            "compute_secs": times,
            "compute": stats,
            "result": summary,
            "verified": verified.as_ref().map(|v| v.is_ok()),
            "verify_error": verified.as_ref().and_then(|v| v.as_ref().err()),
            "peak_rss_bytes": costgraph::sysinfo::peak_rss_bytes(),
        });
        println!("{value}");
    } else {
        println!(
            "{} {} ({}, {} thread{}) on {}",
            problem.name(),
            imp.name,
            imp.kind.name(),
            threads_used,
            if threads_used == 1 { "" } else { "s" },
            args.graph.display()
        );
        println!("  load     {load:.4} s");
        if !std::ptr::eq(graph, &csr) || matches!(imp.entry, Entry::Prepared(_)) {
            println!("  prepare  {prep:.4} s");
        }
        println!(
            "  compute  min {:.4} s / median {:.4} s / max {:.4} s over {} run{}",
            stats["min"].as_f64().unwrap_or(0.0),
            stats["median"].as_f64().unwrap_or(0.0),
            stats["max"].as_f64().unwrap_or(0.0),
            times.len(),
            if times.len() == 1 { "" } else { "s" }
        );
        if let Some(object) = summary.as_object() {
            let parts: Vec<String> = object.iter().map(|(k, v)| format!("{k} {v}")).collect();
            println!("  result   {}", parts.join(", "));
        }
        match &verified {
            Some(Ok(())) => println!("  verified ok"),
            Some(Err(e)) => println!("  verification FAILED: {e}"),
            None => {}
        }
    }
    if let Some(Err(e)) = verified {
        bail!("verification of {} failed: {e}", imp.name);
    }
    Ok(())
}

fn check_input(imp: &Implementation, csr: &Csr, path: &std::path::Path) -> anyhow::Result<()> {
    if imp.needs_weights && !csr.is_weighted() {
        bail!(
            "{}: {} needs edge weights but the graph has none; add them with `costgraph generate ... --weights LO..HI` \
             or `costgraph convert --weighted`",
            path.display(),
            imp.name
        );
    }
    Ok(())
}

/// The median of sorted values (mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}
