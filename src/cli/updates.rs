//! `costgraph updates cc`: connected components kept current by differential dataflow under
//! batches of edge insertions and deletions; update latency percentiles and throughput per batch
//! size and configuration, against the single-thread answers (incremental union-find,
//! union-find recomputed per batch), every checked batch verified against union-find by digest.
//!
//! Each configuration runs in fresh processes (`costgraph updates-process`, started like
//! `costgraph cluster` starts `run`), so memory and thread pools are its own; process 0 prints its
//! measurements as JSON. The single-thread side replays the same stream here afterwards.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use costgraph::dataflow::Strategy;
use costgraph::dataflow::differential::Variant;
use costgraph::dataflow::differential::memory::Counter;
use costgraph::dataflow::differential::stream::StreamSpec;
use costgraph::dataflow::differential::updates::{self, Segment, UpdatesJob};
use costgraph::graph::BuildOptions;
use costgraph::harness::datasets;
use costgraph::harness::provenance::Provenance;
use costgraph::harness::report::GraphInfo;
use costgraph::harness::updates::{ConfigurationResult, ProcessResult, RssSampler, UpdatesReport, replay};
use costgraph::io::checksum::sha256_file;
use costgraph::io::{self, ReadOptions};

use super::cluster;
use super::run::ClusterArgs;

/// The problems `updates` maintains.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum UpdatesProblem {
    /// Connected components.
    Cc,
}

/// The stream and how it is applied (shared by `updates` and the processes it starts).
#[derive(clap::Args, Clone, Debug)]
pub struct StreamArgs {
    /// Changes per batch, comma separated; one sweep segment each (1k = 1000, 1M = 1000000).
    #[arg(long, value_delimiter = ',', value_parser = parse_count, default_value = "1,10,100,1k,10k,100k", value_name = "N,...")]
    batch: Vec<usize>,
    /// Batches per batch size (at most; see --changes).
    #[arg(long, default_value_t = 20, value_name = "K")]
    batches: usize,
    /// Changes per batch size: a size N runs min(K, max(1, C / N)) batches, so large batches do
    /// not dominate the run (give a large C for K batches of every size).
    #[arg(long, value_parser = parse_count, default_value = "20k", value_name = "C")]
    changes: usize,
    /// Fraction of changes that delete an existing edge (the rest insert new random edges).
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    deletions: f64,
    /// Seed of the stream.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Single changes applied one at a time (each submitted once the one before has completed)
    /// before the batch sizes: the latency of a lone update, its own row apart from the batch
    /// size 1 throughput row (0: none).
    #[arg(long, default_value_t = 100, value_name = "K")]
    one_at_a_time: usize,
    /// Most batches submitted before the output frontier has passed them (backpressure).
    #[arg(long, default_value_t = 4, value_name = "B")]
    max_ahead: usize,
    /// Verify after every C-th batch of each size, and after each size's last (1: every batch).
    #[arg(long, default_value_t = 10, value_name = "C")]
    check_every: usize,
    /// Records of merge work each differential arrangement does per scheduling while not yet
    /// compact (0: merge only as batches arrive). Idle merging keeps memory down under long mixed
    /// streams; 0 gives the lowest latency of updates applied one at a time.
    #[arg(long, default_value_t = costgraph::dataflow::cluster::IDLE_MERGE_EFFORT as usize, value_name = "N")]
    idle_merge: usize,
    /// Milliseconds between two samples of resident memory.
    #[arg(long, default_value_t = 100, value_name = "MS")]
    rss_interval: u64,
}

impl StreamArgs {
    fn job(&self, graph: PathBuf, partition: Strategy, variant: Variant) -> anyhow::Result<UpdatesJob> {
        let alone = (self.one_at_a_time > 0).then_some(Segment { batch: 1, batches: self.one_at_a_time, alone: true });
        let batches = self.batch.iter().map(|&batch| Segment {
            batch,
            batches: self.batches.min((self.changes / batch).max(1)),
            alone: false,
        });
        let job = UpdatesJob {
            graph,
            stream: StreamSpec { seed: self.seed, deletions: self.deletions },
            segments: alone.into_iter().chain(batches).collect(),
            max_ahead: self.max_ahead,
            check_every: self.check_every,
            partition,
            variant,
            idle_merge_effort: (self.idle_merge > 0).then_some(self.idle_merge as isize),
        };
        job.validate()?;
        ensure!(self.rss_interval >= 1, "--rss-interval must be at least 1 ms");
        Ok(job)
    }

    /// The same options as arguments for a child process.
    fn argv(&self) -> Vec<String> {
        let batch: Vec<String> = self.batch.iter().map(|b| b.to_string()).collect();
        [
            ("--batch", batch.join(",")),
            ("--batches", self.batches.to_string()),
            ("--changes", self.changes.to_string()),
            ("--one-at-a-time", self.one_at_a_time.to_string()),
            ("--deletions", self.deletions.to_string()),
            ("--seed", self.seed.to_string()),
            ("--max-ahead", self.max_ahead.to_string()),
            ("--check-every", self.check_every.to_string()),
            ("--idle-merge", self.idle_merge.to_string()),
            ("--rss-interval", self.rss_interval.to_string()),
        ]
        .into_iter()
        .flat_map(|(flag, value)| [flag.to_string(), value])
        .collect()
    }
}

/// `1`, `250`, `1k`, `10k`, `1M`.
fn parse_count(text: &str) -> Result<usize, String> {
    let (digits, factor) = match text.strip_suffix(['k', 'K']) {
        Some(d) => (d, 1_000),
        None => match text.strip_suffix('M') {
            Some(d) => (d, 1_000_000),
            None => (text, 1),
        },
    };
    let n: usize = digits.parse().map_err(|_| format!("'{text}' is not a count (like 10, 1k, 1M)"))?;
    let n = n.checked_mul(factor).ok_or_else(|| format!("'{text}' is too large"))?;
    if n == 0 {
        return Err("a batch needs at least 1 change".into());
    }
    Ok(n)
}

/// Arguments of `costgraph updates`.
#[derive(clap::Args)]
#[command(after_help = "Example: costgraph updates cc g.cgr --batch 1,1k --batches 50 --deletions 0.2 --workers 1,2")]
pub struct Args {
    /// The problem.
    #[arg(value_enum)]
    problem: UpdatesProblem,
    /// The graph (.cgr). Default: the generated Kronecker graph `cost` uses, kept in the cache folder.
    graph: Option<PathBuf>,
    #[command(flatten)]
    stream: StreamArgs,
    /// The dataflows, comma separated: differential-cc (any stream), differential-cc-min
    /// (insert-only streams).
    #[arg(long = "impl", value_delimiter = ',', default_value = "differential-cc", value_name = "NAME,...")]
    implementations: Vec<String>,
    /// Worker threads per process, comma separated: one configuration each (with each --processes).
    #[arg(long, value_delimiter = ',', default_value = "1", value_name = "W,...")]
    workers: Vec<usize>,
    /// Process counts, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1", value_name = "P,...")]
    processes: Vec<usize>,
    /// Limit per configuration, in seconds; a configuration that runs longer fails the run.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    timeout: u64,
    /// Folder for report.json, runs.csv, report.md and latency.svg.
    #[arg(long, default_value = "updates-report", value_name = "DIR")]
    out: PathBuf,
    /// Scale of the default Kronecker graph (when no graph is given).
    #[arg(long, default_value_t = costgraph::harness::sweep::DEFAULT_SCALE)]
    scale: u32,
    /// Cache folder for the default graph (default: $COSTGRAPH_CACHE, else datasets/cache).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
}

/// Arguments of one process of one configuration (started by `updates`; prints JSON).
#[derive(clap::Args)]
pub struct ProcessArgs {
    /// The graph (.cgr).
    graph: PathBuf,
    #[command(flatten)]
    stream: StreamArgs,
    /// The dataflow.
    #[arg(long = "impl", default_value = "differential-cc", value_name = "NAME")]
    implementation: String,
    #[command(flatten)]
    cluster: ClusterArgs,
}

/// The dataflow called `name`.
fn variant(name: &str) -> anyhow::Result<Variant> {
    Variant::from_name(name).with_context(|| {
        let names: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
        format!("--impl {name}: updates keeps components current with {}", names.join(" or "))
    })
}

/// Runs `costgraph updates`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let UpdatesProblem::Cc = args.problem;
    let variants = args.implementations.iter().map(|name| variant(name)).collect::<anyhow::Result<Vec<_>>>()?;
    let job = args.stream.job(PathBuf::new(), Strategy::Balanced, Variant::Counts)?;
    for &v in &variants {
        UpdatesJob { variant: v, ..job.clone() }.validate()?;
    }
    ensure!(args.workers.iter().all(|&w| w >= 1), "--workers must be at least 1");
    ensure!(args.processes.iter().all(|&p| p >= 1), "--processes must be at least 1");
    let limit = costgraph::dataflow::config::MAX_WORKERS;
    if let Some(w) = args.workers.iter().chain(&args.processes).find(|&&w| w > limit) {
        bail!("{w} workers or processes are more than costgraph starts (at most {limit})");
    }
    ensure!(args.timeout >= 1, "--timeout must be at least 1 second");
    costgraph::harness::sweep::check_output_dir(&args.out)?;
    let exe = std::env::current_exe().context("cannot find the costgraph executable to run children")?;
    let timeout = Duration::from_secs(args.timeout);
    let (graph, origin) = match &args.graph {
        Some(g) => (g.clone(), "given on the command line".to_string()),
        None => {
            let path =
                costgraph::harness::sweep::default_graph_path(&datasets::cache_dir(args.cache.as_deref()), args.scale);
            let origin = costgraph::harness::sweep::default_kronecker(
                &exe,
                &path,
                args.scale,
                timeout,
                &mut costgraph::harness::observer::StderrObserver::new(),
            )?;
            (path, origin)
        }
    };
    let job = UpdatesJob { graph: graph.clone(), ..job };
    let csr = io::load_graph(&graph, &ReadOptions::default(), BuildOptions::directed())?;
    let graph_info = GraphInfo {
        sha256: sha256_file(&graph)?,
        file_bytes: std::fs::metadata(&graph).map_err(|e| costgraph::Error::io(&graph, e))?.len(),
        path: graph.clone(),
        origin,
        nodes: csr.num_nodes() as u64,
        arcs: csr.num_arcs(),
        weighted: csr.is_weighted(),
        symmetric: csr.is_symmetric(),
    };
    let provenance = Provenance::collect();

    let mut configurations = Vec::new();
    for &variant in &variants {
        for &processes in &args.processes {
            for &workers in &args.workers {
                let what = format!("{} on {workers} worker(s) × {processes} process(es)", variant.name());
                eprintln!("{what} ...");
                let command: Vec<String> = ["updates-process".to_string(), graph.display().to_string()]
                    .into_iter()
                    .chain(args.stream.argv())
                    .chain(["--impl".to_string(), variant.name().to_string()])
                    .collect();
                let (stdout, _) = cluster::launch_local(&exe, &command, processes, workers, None, args.timeout)
                    .with_context(|| what.clone())?;
                let result: ProcessResult = serde_json::from_str(stdout.trim())
                    .with_context(|| format!("process 0 of {what} printed no valid result"))?;
                let line = costgraph::harness::sweep::quote_all(&exe, &command);
                configurations.push((variant, workers, processes, line, result));
            }
        }
    }

    eprintln!("single thread: union-find, incremental and from scratch, on the same stream ...");
    let start = Instant::now();
    let static_components = costgraph::algo::cc::union_find(&csr);
    let union_find_static_secs = start.elapsed().as_secs_f64();
    drop(static_components);
    let oracle = replay(&csr, &job)?;
    let configurations = configurations
        .into_iter()
        .map(|(v, w, p, line, result)| ConfigurationResult::new(v.name(), w, p, line, result, &oracle))
        .collect();
    let command: Vec<String> = std::env::args().collect();
    let report =
        UpdatesReport::new(provenance, command, graph_info, &job, union_find_static_secs, oracle, configurations);
    let files = report.write(&args.out)?;
    print!("{}", report.table());
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    println!("wrote {}", names.join(", "));
    if !report.ok() {
        bail!(
            "the dataflow disagrees with union-find; the report is marked FAILED (see {})",
            args.out.join("report.md").display()
        );
    }
    Ok(())
}

/// Runs one process of one configuration; process 0 prints its [`ProcessResult`] as JSON.
pub fn run_process(args: ProcessArgs) -> anyhow::Result<()> {
    let partition = Strategy::from_name(&args.cluster.partition).context("unknown --partition")?;
    let job = args.stream.job(args.graph.clone(), partition, variant(&args.implementation)?)?;
    let config = args.cluster.config()?;
    let held = Counter::default();
    let sampler = RssSampler::start(Duration::from_millis(args.stream.rss_interval), held.clone());
    let run = updates::maintain(&config, &job, &held);
    let rss = sampler.stop();
    if let Some(run) = run? {
        println!("{}", serde_json::to_string(&ProcessResult { run, rss })?);
    }
    Ok(())
}
