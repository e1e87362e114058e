//! `costgraph run`: one implementation, one configuration, timed (load, preparation and compute
//! kept apart), optionally verified; text for people or one JSON object for the harness.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use costgraph::dataflow::{self, ClusterConfig, ClusterKey, Deliver, Job, Outcome, Strategy, scheduler};
use costgraph::graph::Budget;
use costgraph::graph::{BuildOptions, Csr};
use costgraph::harness::capacity::{self, GraphShape};
use costgraph::harness::stats::Summary;
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
    /// The graph (.cgr, or any format `convert` reads). With shards (--shards, or shard paths in
    /// the hostfile) only process 0 reads it, and only to --verify the result.
    #[arg(required_unless_present_any = ["shards", "hostfile"])]
    graph: Option<PathBuf>,
    /// The implementation (see `costgraph list`).
    #[arg(long = "impl", value_name = "NAME")]
    implementation: String,
    /// Counted repetitions of the computation.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Uncounted warm-up repetitions before the counted ones.
    #[arg(long, default_value_t = 0)]
    warmup: u32,
    /// Check the result with the problem's independent verifier. A timely run then gathers the
    /// whole result at process 0 (without it, process 0 gets its summary and digest only).
    #[arg(long)]
    verify: bool,
    /// Timely implementations: each worker writes its part of the result to DIR/part-W.bin and
    /// checks it with what it holds; process 0 writes DIR/result.json (summary, digest, parts'
    /// SHA-256). Check the whole result against the graph with `costgraph verify DIR GRAPH`.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write the result as text to FILE, in the input's ids (original ids when relabelled):
    /// `ID LABEL` per node (cc), `ID RANK` per node (pagerank), `U V WEIGHT` per forest edge
    /// (msf), after `#` lines naming the graph, implementation and parameters. A timely run
    /// gathers the result at process 0, which writes it.
    #[arg(long, value_name = "FILE")]
    result: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Run even when the implementation's memory estimate says it does not fit.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    pagerank: super::PagerankArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
}

/// Where a timely implementation runs: this process is one of `--processes`, each with
/// `--workers` threads. The other kinds ignore `--workers` and refuse a cluster. Without
/// `--process` and `--hostfile`, a process started by Slurm (`srun`), Open MPI or PMI takes its
/// place from the scheduler's variables.
#[derive(clap::Args, Clone, Debug)]
pub struct ClusterArgs {
    /// Timely worker threads in this process.
    #[arg(long, default_value_t = 1, value_name = "W")]
    pub workers: usize,
    /// Number of processes in the cluster (default: 1, or the scheduler's).
    #[arg(long, value_name = "P")]
    pub processes: Option<usize>,
    /// This process's index in 0..P (process 0 prints the result; default: 0, or the scheduler's).
    #[arg(long, value_name = "I")]
    pub process: Option<usize>,
    /// File with one host:port per process (default: 127.0.0.1:PORT+i), each optionally
    /// followed by that process's shard file (its manifest beside it).
    #[arg(long, value_name = "FILE", conflicts_with = "port")]
    pub hostfile: Option<PathBuf>,
    /// Every process's host:port, comma separated (what a launcher passes instead of a hostfile).
    #[arg(long, value_name = "HOST:PORT,...", value_delimiter = ',', conflicts_with_all = ["hostfile", "port"], hide = true)]
    pub addresses: Vec<String>,
    /// First port of the default addresses (and of each host's under a scheduler).
    #[arg(long, value_name = "PORT", default_value_t = costgraph::dataflow::config::DEFAULT_BASE_PORT)]
    pub port: u16,
    /// Seconds to wait for the other processes to connect.
    #[arg(long, value_name = "SECS", default_value_t = 20.0)]
    pub connect_timeout: f64,
    /// How nodes are split among workers: balanced (contiguous ranges) or modulo.
    #[arg(long, default_value = "balanced", value_parser = ["balanced", "modulo"])]
    pub partition: String,
    /// A folder written by `costgraph shard --parts P`: process I opens only its shard
    /// (DIR/part-I.cgr, checked against DIR/manifest.json) instead of the whole graph.
    #[arg(long, value_name = "DIR")]
    pub shards: Option<PathBuf>,
    /// The run's key (64 hex digits, in a file only its owner can read; `costgraph key -o FILE`
    /// makes one), which every process of a multi-process run must hold. Default: the variable
    /// COSTGRAPH_CLUSTER_KEY.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

impl ClusterArgs {
    /// Whether anything here asks for more than one process in this one.
    pub(super) fn asks_for_a_cluster(&self) -> bool {
        self.processes.is_some_and(|p| p != 1)
            || self.process.is_some_and(|p| p != 0)
            || self.hostfile.is_some()
            || !self.addresses.is_empty()
            || self.shards.is_some()
    }

    /// The validated cluster configuration: from the flags, or from the scheduler that started
    /// this process; with the run's key when there are several processes.
    pub(super) fn config(&self) -> anyhow::Result<ClusterConfig> {
        let placement = if self.process.is_none() && self.processes.is_none() {
            scheduler::placement(&|name| std::env::var(name).ok(), self.port)?
        } else {
            None
        };
        let (processes, process) = match &placement {
            Some(p) => (p.processes, p.process),
            None => (self.processes.unwrap_or(1), self.process.unwrap_or(0)),
        };
        let mut config = match (&self.hostfile, &placement) {
            _ if !self.addresses.is_empty() => {
                ClusterConfig::new(self.workers, processes, process, self.addresses.clone())?
            }
            (Some(file), _) => ClusterConfig::from_hostfile(self.workers, processes, process, file)?,
            (None, Some(p)) => match &p.addresses {
                Some(addresses) => ClusterConfig::new(self.workers, processes, process, addresses.clone())?,
                None => bail!(
                    "{} started {processes} processes but does not say on which hosts: give --hostfile (one \
                     host:port per rank)",
                    p.scheduler
                ),
            },
            (None, None) => ClusterConfig::localhost(self.workers, processes, process, self.port)?,
        };
        anyhow::ensure!(
            self.connect_timeout.is_finite() && self.connect_timeout > 0.0 && self.connect_timeout <= 86_400.0,
            "--connect-timeout must be a positive number of seconds, at most 86400"
        );
        config.connect_timeout = std::time::Duration::from_secs_f64(self.connect_timeout);
        if config.processes > 1 {
            config.key = Some(self.key()?);
        }
        Ok(config)
    }

    /// The run's key, from --key-file or COSTGRAPH_CLUSTER_KEY.
    fn key(&self) -> anyhow::Result<ClusterKey> {
        if let Some(key) = super::launch_key() {
            return Ok(key);
        }
        if let Some(file) = &self.key_file {
            return Ok(ClusterKey::read_file(file)?);
        }
        match ClusterKey::from_env()? {
            Some(key) => Ok(key),
            None => bail!(
                "a run of several processes needs the run's key, so that no stranger can join it: make one with \
                 `costgraph key -o FILE`, copy it to every machine, and give --key-file FILE to every process \
                 (or set {} to its 64 hex digits)",
                costgraph::dataflow::key::ENV_VAR
            ),
        }
    }
}

/// Runs `costgraph run`.
pub fn run(args: Args, threads: Option<usize>) -> anyhow::Result<()> {
    let problem: Problem = args.problem.into();
    costgraph::algo::pagerank::Params::set_current(args.pagerank.params(problem)?);
    let Some(imp) = registry::find(problem, &args.implementation) else {
        let names: Vec<_> = registry::of(problem).map(|i| i.name).collect();
        bail!("no implementation '{}' of {} (known: {})", args.implementation, problem.name(), names.join(", "));
    };
    if let Entry::Dataflow(algorithm) = imp.entry {
        return run_dataflow(&args, imp, algorithm);
    }
    let c = &args.cluster;
    if args.output.is_some() {
        bail!(
            "--output DIR writes a distributed result in parts: it is for the timely implementations, not {}",
            imp.name
        );
    }
    if c.asks_for_a_cluster() {
        bail!(
            "{} is a {} implementation: --processes, --process, --hostfile, --shards (and `costgraph cluster`) are for the timely ones",
            imp.name,
            imp.kind.name()
        );
    }
    let threads_used = match imp.kind {
        Kind::SingleThread => 1,
        _ => threads.unwrap_or_else(rayon::current_num_threads),
    };

    let path = args.graph.as_ref().context("a graph is needed")?;
    let start = Instant::now();
    let csr = io::load_graph(path, &ReadOptions::default(), BuildOptions::directed())?;
    let load = start.elapsed().as_secs_f64();
    imp.check_input(&csr).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    // Capacity before the run: the implementation's estimate against the memory available, so a
    // graph too large for it is refused with the reason instead of being killed halfway.
    let shape = GraphShape::of(&csr);
    let estimate = capacity::estimate(imp, &shape, 1, threads_used);
    if !args.force {
        Budget::default().check_or(
            &format!("{} on {} ({} nodes, {} arcs)", imp.name, path.display(), shape.nodes, shape.arcs),
            estimate.total_bytes,
            "pick an implementation that `costgraph info` lists as fitting, or run it anyway with --force",
        )?;
    }

    let start = Instant::now();
    let symmetric;
    let graph = if imp.needs_symmetric && !csr.is_symmetric() {
        symmetric = csr.symmetrized();
        &symmetric
    } else {
        &csr
    };
    let kernel = imp.entry.prepare(graph)?.context("a timely implementation runs through its own path")?;
    let prep = start.elapsed().as_secs_f64();
    let prepared = !std::ptr::eq(graph, &csr) || matches!(imp.entry, Entry::Prepared(_));

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
    // A single-thread kernel's preparation (a symmetric view, a Hilbert order) runs on the pool.
    let pool = threads.unwrap_or_else(rayon::current_num_threads);
    let prep_threads = if prepared { pool.max(threads_used) } else { threads_used };
    let header = format!(
        "{} {} ({}, {} thread{}{}) on {}",
        problem.name(),
        imp.name,
        imp.kind.name(),
        threads_used,
        if threads_used == 1 { "" } else { "s" },
        if prep_threads != threads_used { format!("; preparation on {prep_threads}") } else { String::new() },
        path.display()
    );
    let measured = Measured { load, prep: prepared.then_some(prep), times, output: Outcome::Whole(output) };
    let graph = Whole { path, nodes: csr.num_nodes(), arcs: csr.num_arcs(), csr: Some(&csr) };
    report(&args, imp, &graph, header, measured, json!({ "threads": threads_used, "prep_threads": prep_threads }))
}

/// What one run measured and computed.
struct Measured {
    load: f64,
    /// Time to prepare the implementation's view (symmetric graph, transpose, arc order), when
    /// one was prepared.
    prep: Option<f64>,
    times: Vec<f64>,
    /// The result (a timely run's summary and digest unless it was gathered).
    output: Outcome,
}

/// The graph a run's result is about: its name and counts, and the graph itself when this
/// process holds it (to verify against).
struct Whole<'a> {
    path: &'a std::path::Path,
    nodes: usize,
    arcs: u64,
    csr: Option<&'a Csr>,
}

/// Verifies (when asked) and prints one run's report, as text or as one JSON object; `extra`
/// holds the fields particular to the kind of run (threads; workers, processes and traffic).
fn report(
    args: &Args,
    imp: &Implementation,
    graph: &Whole<'_>,
    header: String,
    measured: Measured,
    extra: serde_json::Value,
) -> anyhow::Result<()> {
    let Measured { load, prep, times, output } = measured;
    // Peak memory of the computation, read before the verifier (which builds its own oracle).
    let peak_rss = costgraph::sysinfo::peak_rss_bytes();
    let verified = match (graph.csr, &output) {
        (Some(csr), Outcome::Whole(output)) => args.verify.then(|| output.verify(csr)),
        _ => None,
    };
    let summary = output.summary_json(graph.nodes);
    let mut digest = output.digest();
    if let Some(fault) = Fault::from_env(imp.name) {
        fault.inject(&mut digest);
    }
    let stats = Summary::of(&times).context("at least one repetition runs")?;
    if args.json {
        let mut value = json!({
            "problem": imp.problem.name(),
            "impl": imp.name,
            "kind": imp.kind.name(),
            "graph": graph.path,
            "nodes": graph.nodes,
            "arcs": graph.arcs,
            "load_secs": load,
            "prep_secs": prep.unwrap_or(0.0),
            "compute_secs": times,
            "compute": stats,
            "result": summary,
            "digest": digest,
            "verified": verified.as_ref().map(|v| v.is_ok()),
            "verify_error": verified.as_ref().and_then(|v| v.as_ref().err()),
            "peak_rss_bytes": peak_rss,
        });
        if let (Some(object), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
            object.extend(extra.clone());
        }
        println!("{value}");
    } else {
        println!("{header}");
        println!("  load     {load:.4} s");
        if let Some(prep) = prep {
            println!("  prepare  {prep:.4} s");
        }
        print_outcome(&stats, &summary, &verified);
        if let Some(rounds) = extra.get("rounds") {
            println!(
                "  traffic  {rounds} rounds, {} records ({} bytes) between workers",
                extra["records_exchanged"], extra["bytes_exchanged"]
            );
        }
    }
    if let Some(Err(e)) = verified {
        bail!("verification of {} failed: {e}", imp.name);
    }
    if let Some(file) = &args.result {
        let Outcome::Whole(output) = &output else {
            bail!("--result: the run has only its summary, not the whole result");
        };
        let mut header = vec![
            format!("costgraph {} result: {} by {}", env!("CARGO_PKG_VERSION"), imp.problem.name(), imp.name),
            format!("graph {} ({} nodes, {} arcs)", graph.path.display(), graph.nodes, graph.arcs),
        ];
        if imp.problem == Problem::Pagerank {
            let p = costgraph::algo::pagerank::Params::current();
            header.push(format!("damping {} iterations {} tolerance {:?}", p.damping, p.iterations, p.tolerance));
        }
        let ids = graph.csr.and_then(|csr| csr.original_ids());
        costgraph::algo::result_text::write_result(file, output, ids, &header)?;
    }
    Ok(())
}

/// The compute, result and verification lines of the text output.
fn print_outcome(stats: &Summary, summary: &serde_json::Value, verified: &Option<Result<(), String>>) {
    println!(
        "  compute  min {:.4} s / median {:.4} s / max {:.4} s over {} run{}",
        stats.min,
        stats.median,
        stats.max,
        stats.runs,
        if stats.runs == 1 { "" } else { "s" }
    );
    if let Some(object) = summary.as_object() {
        let parts: Vec<String> = object.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("  result   {}", parts.join(", "));
    }
    match verified {
        Some(Ok(())) => println!("  verified ok"),
        Some(Err(e)) => println!("  verification FAILED: {e}"),
        None => {}
    }
}

/// Runs one process of a timely cluster; process 0 prints the result, the others nothing.
fn run_dataflow(args: &Args, imp: &Implementation, algorithm: dataflow::Algorithm) -> anyhow::Result<()> {
    let config = args.cluster.config()?;
    let shards = args.cluster.shards.clone().or_else(|| config.shards.get(config.process).cloned());
    match (&shards, &args.graph) {
        (None, None) => bail!("{} needs a graph, --shards DIR, or shard files named in the hostfile", imp.name),
        (Some(_), None) if args.verify || args.result.is_some() => {
            bail!("with shards, --verify or --result needs the whole graph too: run ... --shards DIR GRAPH")
        }
        _ => {}
    }
    if let Some(graph) = &args.graph
        && io::resolve_format(graph, None).ok() != Some(io::Format::Cgr)
    {
        bail!(
            "{}: timely implementations map a .cgr graph; convert it first (costgraph convert {} -o G.cgr)",
            graph.display(),
            graph.display()
        );
    }
    let job = Job {
        graph: args.graph.clone().unwrap_or_default(),
        shards: args.cluster.shards.clone(),
        name: imp.name,
        algorithm,
        needs_weights: imp.needs_weights,
        repeat: args.repeat,
        warmup: args.warmup,
        partition: Strategy::from_name(&args.cluster.partition).unwrap_or_default(),
        problem: imp.problem.name(),
        deliver: Deliver { gather: args.verify || args.result.is_some(), output: args.output.clone() },
    };
    let Some(report) = dataflow::run(&config, &job)? else {
        return Ok(());
    };
    let header = format!(
        "{} {} ({}, {} worker{} × {} process{}) on {}",
        imp.problem.name(),
        imp.name,
        imp.kind.name(),
        config.workers,
        if config.workers == 1 { "" } else { "s" },
        config.processes,
        if config.processes == 1 { "" } else { "es" },
        shards.as_ref().unwrap_or(&job.graph).display()
    );
    let extra = json!({
        "threads": config.peers(),
        "workers": config.workers,
        "processes": config.processes,
        "partition": job.partition.name(),
        "rounds": report.rounds,
        "records_exchanged": report.records_exchanged,
        "bytes_exchanged": report.bytes_exchanged,
    });
    let measured = Measured { load: report.load_secs, prep: None, times: report.compute_secs, output: report.output };
    // With shards, process 0 maps the whole graph only now, and only to verify.
    let whole = match (&report.graph, &args.graph) {
        (Some(csr), _) => Some(Arc::clone(csr)),
        (None, Some(path)) if args.verify || args.result.is_some() => {
            let csr = io::cgr::open(path)?;
            anyhow::ensure!(
                (csr.num_nodes(), csr.num_arcs()) == (report.nodes, report.arcs),
                "{}: {} nodes and {} arcs, but the shards hold {} and {}: not the graph that was cut",
                path.display(),
                csr.num_nodes(),
                csr.num_arcs(),
                report.nodes,
                report.arcs
            );
            Some(Arc::new(csr))
        }
        (None, _) => None,
    };
    let path = shards.as_deref().unwrap_or(&job.graph);
    let graph = Whole { path, nodes: report.nodes, arcs: report.arcs, csr: whole.as_deref() };
    self::report(args, imp, &graph, header, measured, extra)
}

/// A fault injected into `costgraph run` for the harness's own tests (TEST ONLY, not a user
/// feature): `COSTGRAPH_FAULT=MODE` or `MODE@IMPL` (only implementation IMPL is affected), where
/// MODE is `crash` (abort after computing), `wrong` (report a perturbed result digest),
/// `garbage` (print something that is not JSON) or `hang` (never finish).
enum Fault {
    Crash,
    Wrong,
    Garbage,
    Hang,
}

impl Fault {
    fn from_env(implementation: &str) -> Option<Fault> {
        let spec = std::env::var("COSTGRAPH_FAULT").ok()?;
        let (mode, target) = spec.split_once('@').map_or((spec.as_str(), None), |(m, t)| (m, Some(t)));
        if target.is_some_and(|t| t != implementation) {
            return None;
        }
        match mode {
            "crash" => Some(Fault::Crash),
            "wrong" => Some(Fault::Wrong),
            "garbage" => Some(Fault::Garbage),
            "hang" => Some(Fault::Hang),
            _ => None,
        }
    }

    fn inject(self, digest: &mut String) {
        match self {
            Fault::Crash => {
                eprintln!("COSTGRAPH_FAULT: crashing on purpose");
                std::process::abort();
            }
            Fault::Wrong => digest.replace_range(0..1, if digest.starts_with('0') { "1" } else { "0" }),
            Fault::Garbage => println!("this is not JSON"),
            Fault::Hang => loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            },
        }
    }
}
