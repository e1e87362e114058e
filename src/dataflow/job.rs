//! [`run`]: one distributed job (graph, algorithm, repetitions) on this process's workers: the
//! graph held (mapped whole, or this process's shard checked against its manifest), the
//! partition, the timed repetitions, and worker 0's [`Report`].

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use timely::worker::Worker;

use super::cluster::{self, Abort};
use super::config::ClusterConfig;
use super::context::{Algorithm, Context};
use super::exchange::{Channel, Counters};
use super::partition::{Partition, Strategy};
use super::result::{Deliver, Outcome};
use crate::graph::{Csr, NodeId, Shard, balanced_bounds};
use crate::{Error, Result};

/// One distributed run: which algorithm on which graph, how often.
#[derive(Clone, Debug)]
pub struct Job {
    /// The `.cgr` file every process maps (when `shards` is `None`).
    pub graph: PathBuf,
    /// A folder written by `costgraph shard`: process `p` opens only part `p`, checked against
    /// the manifest (the folder must hold as many parts as the cluster has processes).
    pub shards: Option<PathBuf>,
    /// The problem's name (`cc`, `msf`, `pagerank`).
    pub problem: &'static str,
    /// The implementation's name (part of the job's identity checked between processes).
    pub name: &'static str,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The algorithm needs edge weights.
    pub needs_weights: bool,
    /// Counted repetitions.
    pub repeat: u32,
    /// Uncounted repetitions before the counted ones.
    pub warmup: u32,
    /// How nodes are split among workers.
    pub partition: Strategy,
    /// What to do with the result: gather it, summarise it, write it in parts.
    pub deliver: Deliver,
}

/// What worker 0 reports.
#[derive(Debug)]
pub struct Report {
    /// Seconds this process took to map and validate the graph.
    pub load_secs: f64,
    /// Seconds of each counted repetition, from a barrier before to a barrier after.
    pub compute_secs: Vec<f64>,
    /// The result, or its summary and digest.
    pub output: Outcome,
    /// Supersteps of the last repetition.
    pub rounds: u64,
    /// Records sent from one worker to another in the last repetition, summed over workers.
    pub records_exchanged: u64,
    /// Their size in bytes.
    pub bytes_exchanged: u64,
    /// The whole graph's node count.
    pub nodes: usize,
    /// The whole graph's arc count.
    pub arcs: u64,
    /// The graph when this process mapped all of it (for verification); `None` with shards.
    pub graph: Option<Arc<Csr>>,
}

/// What each worker hands back to [`run`].
struct WorkerReport {
    output: Option<Outcome>,
    compute_secs: Vec<f64>,
    rounds: u64,
    records: u64,
    bytes: u64,
}

/// What this process holds of the graph, and how its nodes are split among the workers.
struct Held {
    shard: Shard,
    /// The whole graph, when this process mapped all of it.
    whole: Option<Arc<Csr>>,
    /// What identifies the graph between processes.
    identity: String,
    arcs: u64,
}

/// Where this process's shard is: the folder of the manifest, and the file the hostfile names
/// (if it does); `None` when the process maps the whole graph.
fn shard_source<'a>(config: &'a ClusterConfig, job: &'a Job) -> Result<Option<(&'a Path, Option<&'a Path>)>> {
    match (&job.shards, config.shards.get(config.process)) {
        (Some(_), Some(_)) => Err(Error::invalid("give the shards either with --shards or in the hostfile, not both")),
        (Some(dir), None) => Ok(Some((dir, None))),
        (None, Some(file)) => Ok(Some((file.parent().unwrap_or(Path::new(".")), Some(file)))),
        (None, None) => Ok(None),
    }
}

/// Maps the whole graph, or opens this process's shard and checks it against the manifest.
fn hold(config: &ClusterConfig, job: &Job) -> Result<Held> {
    let Some((dir, named)) = shard_source(config, job)? else {
        let csr = Arc::new(crate::io::cgr::open(&job.graph)?);
        return Ok(Held { shard: csr.whole_shard(), identity: "whole".into(), arcs: csr.num_arcs(), whole: Some(csr) });
    };
    if job.partition != Strategy::Balanced {
        return Err(Error::invalid(
            "--shards holds contiguous node ranges: only the balanced partition applies (not --partition modulo)",
        ));
    }
    let manifest = crate::io::shard::read_manifest(dir)?;
    if let Some(file) = named {
        let listed = manifest.shards.get(config.process).map(|s| s.file.as_str());
        if file.file_name().and_then(|n| n.to_str()) != listed {
            return Err(Error::format(
                file,
                format!(
                    "the hostfile names this shard for process {}, but the manifest's part {} is {}",
                    config.process,
                    config.process,
                    listed.unwrap_or("missing")
                ),
            ));
        }
    }
    let shard = crate::io::shard::open_part(dir, &manifest, config.process, config.processes)?;
    Ok(Held { shard, whole: None, identity: manifest.graph_sha256, arcs: manifest.arcs })
}

/// The partition of a sharded graph: process `p`'s workers split its shard by `arcs + nodes`
/// ([`balanced_bounds`] on the shard's offsets), and every worker learns the others' first nodes
/// in one all-gather.
fn shard_partition(worker: &mut Worker, abort: &Abort, shard: &Shard, workers: usize) -> Result<Partition> {
    let local = balanced_bounds(shard.lists().offsets(), workers);
    let mine = shard.first() + local[worker.index() % workers];
    let mut channel = Channel::<(u32, NodeId)>::new(worker, abort, &Rc::new(Counters::default()));
    let firsts = channel.all_gather(worker, mine)?;
    Ok(Partition::from_firsts(shard.num_nodes(), firsts))
}

/// Runs `job` on this process's workers of the cluster `config`. Process 0 returns the report of
/// worker 0; the other processes return `None` once the run has completed everywhere.
pub fn run(config: &ClusterConfig, job: &Job) -> Result<Option<Report>> {
    config.validate()?;
    let start = Instant::now();
    let held = hold(config, job)?;
    let load_secs = start.elapsed().as_secs_f64();
    let source = job.shards.as_ref().or(config.shards.get(config.process)).unwrap_or(&job.graph);
    if job.needs_weights && !held.shard.is_weighted() {
        return Err(Error::invalid(format!(
            "{}: {} needs edge weights but the graph has none",
            source.display(),
            job.name
        )));
    }
    let fingerprint = fingerprint(job, &held);
    let (nodes, arcs, whole) = (held.shard.num_nodes(), held.arcs, held.whole.clone());
    let shared = Arc::new(held.shard);
    let sharded = held.whole.is_none();
    let (algorithm, repeat, warmup, strategy, workers, process) =
        (job.algorithm, job.repeat, job.warmup, job.partition, config.workers, config.process);
    let job_shared = Arc::new(job.clone());
    let results = cluster::execute(config, fingerprint, move |worker, abort| {
        let graph = &*shared;
        let partition = if sharded {
            shard_partition(worker, abort, graph, workers)?
        } else {
            Partition::of_offsets(graph.lists().offsets(), worker.peers(), strategy)
        };
        let counters = Rc::new(Counters::default());
        let mut control = Channel::<u64>::new(worker, abort, &counters);
        // Whether to gather is process 0's choice (only it needs the whole result).
        let mut job = (*job_shared).clone();
        job.deliver.gather = control.sum(worker, (worker.index() == 0 && job.deliver.gather) as u64)? > 0;
        let mut report = WorkerReport { output: None, compute_secs: Vec::new(), rounds: 0, records: 0, bytes: 0 };
        for repetition in 0..warmup + repeat {
            control.sum(worker, 0)?;
            counters.records.set(0);
            counters.bytes.set(0);
            let start = Instant::now();
            let mut ctx = Context {
                worker,
                graph,
                partition: &partition,
                abort,
                counters: Rc::clone(&counters),
                rounds: 0,
                problem: job.problem,
                implementation: job.name,
                deliver: &job.deliver,
                process,
                arcs,
                last: repetition + 1 == warmup + repeat,
            };
            let output = algorithm(&mut ctx)?;
            let rounds = ctx.rounds;
            control.sum(worker, 0)?;
            if repetition >= warmup {
                report.compute_secs.push(start.elapsed().as_secs_f64());
            }
            report.output = output;
            report.rounds = rounds;
        }
        let (records, bytes) = (counters.records.get(), counters.bytes.get());
        report.records = control.sum(worker, records)?;
        report.bytes = control.sum(worker, bytes)?;
        Ok(report)
    })?;
    let Some(first) = results.into_iter().find(|r| r.output.is_some()) else {
        return Ok(None);
    };
    Ok(Some(Report {
        load_secs,
        compute_secs: first.compute_secs,
        output: first.output.ok_or_else(|| Error::Cluster("worker 0 returned no result".into()))?,
        rounds: first.rounds,
        records_exchanged: first.records,
        bytes_exchanged: first.bytes,
        nodes,
        arcs,
        graph: whole,
    }))
}

/// Identifies a job, so that processes started with different arguments refuse to run together.
fn fingerprint(job: &Job, held: &Held) -> u64 {
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}",
        job.name,
        held.identity,
        held.shard.num_nodes(),
        held.arcs,
        held.shard.is_weighted(),
        job.repeat,
        job.warmup,
        job.partition.name(),
        job.deliver.output.is_some()
    );
    crate::io::cgr::fnv1a(text.as_bytes())
}
