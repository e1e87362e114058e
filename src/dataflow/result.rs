//! The end of a distributed run: each worker's share of the result (a [`Part`]: its own nodes'
//! labels or ranks, or the forest edges it found) becomes what the job asks for ([`Deliver`]),
//! through one method, [`Context::finish`]:
//!
//! - **gathered** (`--verify`): worker 0 receives the whole result ([`Outcome::Whole`]), `O(n)`
//!   at worker 0, to verify against the whole graph;
//! - **summarised** (the default): the figures `run` reports (components and the largest one; the
//!   forest's weight, edges and trees; the ranks' sum and top node) and the result's
//!   [`Fingerprint`] digest are computed by reductions across the workers ([`Outcome::Summary`]),
//!   so no worker holds more than its own share: the digest equals the gathered result's
//!   ([`Output::digest`]), the figures too (the ranks' sum up to the order of its additions);
//! - **written** (`--output DIR`): every worker writes its part, `DIR/part-W.bin`, and checks it
//!   with what it holds ([`check`](#part-checks)); process 0 then writes `DIR/result.json` (the
//!   [`ResultManifest`]: problem, graph, summary, digest, every part's nodes and SHA-256). Parts
//!   are written to temporary files renamed into place only after every worker's check passed,
//!   and any earlier `result.json` is removed first, so an interrupted or failed run leaves no
//!   manifest and no half-written part. [`verify_parts`] checks the whole result from the parts
//!   against the graph on one machine.
//!
//! # Part checks
//!
//! What a worker can check of its own part, and what only [`verify_parts`] can:
//!
//! - components: every arc of an own node joins two nodes with one label (the ghosts' labels
//!   fetched from their owners), every label is at most its node, and every label's own label is
//!   itself. Together: every label class is a union of components, named by its smallest node.
//!   Not checked: that a class is *one* component (two components wrongly merged) — that needs the
//!   whole graph;
//! - forest: every edge is an arc of the graph with its weight (looked up by the owner of one of
//!   its ends), and the count and weight the summary reports are its edges'. Not checked: that the
//!   edges are acyclic, span every component and are minimal;
//! - ranks: every rank is finite and non-negative, and all ranks sum to 1 within
//!   [`VERIFY_L1`](crate::algo::pagerank::VERIFY_L1). Not checked: that they are the ranks of this
//!   graph (the `f64` reference run needs the whole graph).
//!
//! # Part files
//!
//! Little-endian: the magic `CGPART01`, then `u32` kind (1 labels, 2 ranks, 3 forest edges),
//! `u32` worker, `u32` workers, `u64` graph nodes, `u64` first node, `u64` step, `u64` count,
//! then `count` values: position `i` is node `first + i * step` (a balanced partition's range
//! has step 1; the modulo partition's nodes `w, w + W, ...` have step `W`), a `u32` label or an
//! `f32` rank; forest parts hold `count` edges as three `u32` each (`u < v`, weight).

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::local::Local;
use super::{Chunk, Context, IdMap};
use crate::algo::cc::{Components, ComponentsSummary};
use crate::algo::fingerprint::{self, Fingerprint};
use crate::algo::msf::{Forest, ForestEdge, ForestSummary};
use crate::algo::pagerank::{Ranks, RanksSummary, VERIFY_L1};
use crate::graph::{Csr, NodeId};
use crate::io::AtomicFile;
use crate::io::checksum::{Sha256Writer, sha256_file};
use crate::registry::Output;
use crate::{Error, Result};

/// The manifest's file name in an output folder.
pub const RESULT: &str = "result.json";

/// What the manifest's `format` field says.
pub const FORMAT: &str = "costgraph-result";

/// The first bytes of a part file.
const MAGIC: &[u8; 8] = b"CGPART01";

/// Bytes of a part file's header.
const HEADER: usize = 8 + 4 * 3 + 8 * 4;

/// One worker's share of a result.
pub enum Part<'p> {
    /// The canonical labels of the worker's own nodes: `labels[i]` is the label of its `i`-th
    /// node ([`Partition::global`](super::Partition::global)).
    Labels(&'p [NodeId]),
    /// The ranks of the worker's own nodes, and how they were computed (the same on every worker).
    Ranks {
        /// `ranks[i]` is the rank of the worker's `i`-th node.
        ranks: &'p [f32],
        /// Iterations run.
        iterations: u32,
        /// The L1 change of the last iteration.
        last_change: f64,
        /// The damping factor.
        damping: f64,
    },
    /// Forest edges this worker found; every edge of the forest is held by exactly one worker.
    Forest(Vec<ForestEdge>),
}

/// What a job asks of its result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deliver {
    /// Gather the whole result at worker 0 ([`Outcome::Whole`]); otherwise summarise it. Process
    /// 0's choice holds for the whole cluster (the other processes need not ask the same).
    pub gather: bool,
    /// Write every worker's part to this folder (see the module docs).
    pub output: Option<PathBuf>,
}

/// What worker 0 ends a run with.
#[derive(Debug)]
pub enum Outcome {
    /// The whole result.
    Whole(Output),
    /// The result's summary ([`Output::summary_json`]'s fields) and digest ([`Output::digest`]),
    /// computed by reductions.
    Summary {
        /// The summary.
        summary: serde_json::Value,
        /// The digest.
        digest: String,
    },
}

impl Outcome {
    /// The summary, as [`Output::summary_json`] gives it, for a graph of `num_nodes` nodes.
    pub fn summary_json(&self, num_nodes: usize) -> serde_json::Value {
        match self {
            Outcome::Whole(output) => output.summary_json(num_nodes),
            Outcome::Summary { summary, .. } => summary.clone(),
        }
    }

    /// The digest, as [`Output::digest`] gives it.
    pub fn digest(&self) -> String {
        match self {
            Outcome::Whole(output) => output.digest(),
            Outcome::Summary { digest, .. } => digest.clone(),
        }
    }
}

/// `DIR/result.json`: a written result and its parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultManifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// `cc`, `msf` or `pagerank`.
    pub problem: String,
    /// The implementation that computed it.
    pub implementation: String,
    /// The graph's node count.
    pub nodes: u64,
    /// The graph's arc count.
    pub arcs: u64,
    /// The result's summary.
    pub summary: serde_json::Value,
    /// The result's digest.
    pub digest: String,
    /// For ranks: iterations run, the last change and the damping (the ranks' metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranks: Option<(u32, f64, f64)>,
    /// The parts, worker 0 first.
    pub parts: Vec<PartEntry>,
}

/// One part in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartEntry {
    /// Its file name, in the manifest's folder.
    pub file: String,
    /// The process that wrote it.
    pub process: usize,
    /// Its first node (labels, ranks).
    pub first: u64,
    /// The distance between its consecutive nodes.
    pub step: u64,
    /// Its values (nodes, or forest edges).
    pub count: u64,
    /// The SHA-256 of its file (lowercase hex).
    pub sha256: String,
}

impl Part<'_> {
    fn kind(&self) -> u32 {
        match self {
            Part::Labels(_) => 1,
            Part::Ranks { .. } => 2,
            Part::Forest(_) => 3,
        }
    }

    fn count(&self) -> usize {
        match self {
            Part::Labels(labels) => labels.len(),
            Part::Ranks { ranks, .. } => ranks.len(),
            Part::Forest(edges) => edges.len(),
        }
    }
}

impl Context<'_> {
    /// Ends an algorithm on this worker: its `part` of the result becomes what the job asks for
    /// (gathered, summarised, written; see the module docs). Worker 0 gets the outcome, the
    /// others `None`. Every worker must call it once, at the end.
    pub fn finish(&mut self, part: Part<'_>) -> Result<Option<Outcome>> {
        let me = self.index();
        let outcome = if self.job.deliver.gather { self.gathered(&part)? } else { Some(self.summarised(&part)?) };
        if let Some(dir) = self.job.deliver.output.clone().filter(|_| self.last) {
            self.write(&dir, &part, outcome.as_ref())?;
        }
        Ok(if me == 0 { outcome } else { None })
    }

    /// The whole result at worker 0 (`None` elsewhere).
    fn gathered(&mut self, part: &Part<'_>) -> Result<Option<Outcome>> {
        let me = self.index();
        let output = match part {
            Part::Labels(labels) => {
                let all = self.gather(labels)?;
                (me == 0).then(|| Output::Components(Components::from_canonical(all)))
            }
            &Part::Ranks { ranks, iterations, last_change, damping } => {
                let all = self.gather(ranks)?;
                (me == 0).then(|| Output::Ranks(Ranks::new(all, iterations, last_change, damping)))
            }
            Part::Forest(edges) => {
                let mut channel = self.channel::<Chunk<ForestEdge>>();
                let mut all = if me == 0 { edges.clone() } else { Vec::new() };
                let outgoing = (me != 0).then_some((0, &edges[..]));
                channel.round_slices(self.worker, outgoing, |_, _, chunk| all.extend(chunk))?;
                self.rounds += 1;
                (me == 0).then(|| Output::Forest(Forest::new(all)))
            }
        };
        Ok(output.map(Outcome::Whole))
    }

    /// The summary and digest, by reductions (every worker gets them).
    fn summarised(&mut self, part: &Part<'_>) -> Result<Outcome> {
        let (me, partition) = (self.index(), self.partition);
        let mut print = Fingerprint::default();
        let summary = match part {
            Part::Labels(labels) => {
                // Roots count components; sizes are counted by the owner of each label.
                let share = partition.share(me);
                let (mut roots, mut size, mut remote) = (0u64, vec![0u64; labels.len()], IdMap::<u64>::default());
                for (i, &l) in labels.iter().enumerate() {
                    let u = partition.global(me, i);
                    print.add_label(u, l);
                    roots += (l == u) as u64;
                    match share.local(l) {
                        Some(j) => size[j] += 1,
                        None => *remote.entry(l).or_insert(0u64) += 1,
                    }
                }
                let mut channel = self.channel::<(NodeId, u64)>();
                let outgoing = remote.into_iter().map(|(l, c)| (partition.owner(l), (l, c)));
                channel.round(self.worker, outgoing, |(l, c)| size[partition.local(l)] += c)?;
                let largest = size.iter().copied().max().unwrap_or(0);
                let all = self
                    .channel::<(u32, (u64, u64, Fingerprint))>()
                    .all_gather(self.worker, (roots, largest, print))?;
                self.rounds += 2;
                print = Fingerprint::default();
                let (mut components, mut largest) = (0, 0);
                for (roots, big, p) in all {
                    components += roots;
                    largest = largest.max(big);
                    print.merge(&p);
                }
                serde_json::to_value(ComponentsSummary { components, largest })
            }
            &Part::Ranks { ranks, iterations, last_change, .. } => {
                let mut top: Option<(f32, NodeId)> = None;
                for (i, &r) in ranks.iter().enumerate() {
                    let u = partition.global(me, i);
                    print.add_rank(u, r);
                    if top.is_none_or(|(b, v)| r > b || (r == b && u < v)) {
                        top = Some((r, u));
                    }
                }
                let sum: f64 = ranks.iter().map(|&r| r as f64).sum();
                let all = self
                    .channel::<(u32, (f64, Option<(f32, NodeId)>, Fingerprint))>()
                    .all_gather(self.worker, (sum, top, print))?;
                self.rounds += 1;
                print = Fingerprint::default();
                let (mut sum, mut top) = (0.0, None::<(f32, NodeId)>);
                for (s, t, p) in all {
                    sum += s;
                    print.merge(&p);
                    if let Some((r, u)) = t
                        && top.is_none_or(|(b, v)| r > b || (r == b && u < v))
                    {
                        top = Some((r, u));
                    }
                }
                serde_json::to_value(RanksSummary {
                    iterations,
                    sum,
                    top_node: top.map(|t| t.1),
                    top_rank: top.map_or(0.0, |t| t.0 as f64),
                    last_change,
                })
            }
            Part::Forest(edges) => {
                edges.iter().for_each(|&e| print.add_edge(e));
                let weight: u64 = edges.iter().map(|e| e.2 as u64).sum();
                let all = self
                    .channel::<(u32, (u64, u64, Fingerprint))>()
                    .all_gather(self.worker, (weight, edges.len() as u64, print))?;
                self.rounds += 1;
                print = Fingerprint::default();
                let (mut weight, mut count) = (0, 0);
                for (w, c, p) in all {
                    weight += w;
                    count += c;
                    print.merge(&p);
                }
                let trees = self.graph.num_nodes() as u64 - count;
                serde_json::to_value(ForestSummary { weight, edges: count, trees })
            }
        };
        let tag = match part {
            Part::Labels(_) => fingerprint::CC,
            Part::Ranks { .. } => fingerprint::PAGERANK,
            Part::Forest(_) => fingerprint::MSF,
        };
        let summary = summary.map_err(|e| Error::invalid(format!("cannot describe the result: {e}")))?;
        Ok(Outcome::Summary { summary, digest: print.hex(tag) })
    }

    /// Writes and checks this worker's part, then (worker 0) the manifest; see the module docs.
    fn write(&mut self, dir: &Path, part: &Part<'_>, outcome: Option<&Outcome>) -> Result<()> {
        let (me, peers, partition) = (self.index(), self.peers(), self.partition);
        let manifest_path = dir.join(RESULT);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if me == 0 {
            match std::fs::remove_file(&manifest_path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&manifest_path, e)),
                _ => {}
            }
        }
        let path = dir.join(format!("part-{me}.bin"));
        let (first, step) = match partition.range(me) {
            Some(range) => (range.start as u64, 1),
            None => (me as u64, peers as u64),
        };
        let mut file = AtomicFile::create(&path)?;
        let sha256 = write_part(file.file(), part, me, peers, self.graph.num_nodes() as u64, first, step)
            .map_err(|e| Error::io(&path, e))?;
        let problem = self.check(part).map(|e| format!("{}: the part written fails its check: {e}", path.display()));
        let failed = self.channel::<u64>().sum(self.worker, problem.is_some() as u64)?;
        if let Some(problem) = problem {
            return Err(Error::invalid(problem));
        }
        if failed > 0 {
            return Err(Error::invalid(format!("{}: another worker's part failed its check", dir.display())));
        }
        file.commit()?;
        let entry = (self.process, first, step, part.count() as u64, sha256);
        let entries = self.channel::<(u32, (usize, u64, u64, u64, String))>().all_gather(self.worker, entry)?;
        self.rounds += 3;
        let Some(outcome) = outcome.filter(|_| me == 0) else {
            return Ok(());
        };
        let ranks = match *part {
            Part::Ranks { iterations, last_change, damping, .. } => Some((iterations, last_change, damping)),
            _ => None,
        };
        let manifest = ResultManifest {
            format: FORMAT.into(),
            problem: self.job.problem.into(),
            implementation: self.job.name.into(),
            nodes: self.graph.num_nodes() as u64,
            arcs: self.arcs,
            summary: outcome.summary_json(self.graph.num_nodes()),
            digest: outcome.digest(),
            ranks,
            parts: entries
                .into_iter()
                .enumerate()
                .map(|(w, (process, first, step, count, sha256))| PartEntry {
                    file: format!("part-{w}.bin"),
                    process,
                    first,
                    step,
                    count,
                    sha256,
                })
                .collect(),
        };
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::invalid(e.to_string()))?;
        crate::io::write_atomically(&manifest_path, |out| out.write_all(text.as_bytes()))?;
        // Parts of an earlier run with more workers are not this result's.
        for stale in (peers..).map(|w| dir.join(format!("part-{w}.bin"))) {
            if std::fs::remove_file(&stale).is_err() {
                break;
            }
        }
        Ok(())
    }

    /// Checks this worker's part with what it holds (see the module docs); returns what is wrong.
    fn check(&mut self, part: &Part<'_>) -> Option<String> {
        let result = match part {
            Part::Labels(labels) => self.check_labels(labels),
            Part::Ranks { ranks, .. } => self.check_ranks(ranks),
            Part::Forest(edges) => self.check_forest(edges),
        };
        match result {
            Ok(problem) => problem,
            Err(e) => Some(e.to_string()),
        }
    }

    fn check_labels(&mut self, labels: &[NodeId]) -> Result<Option<String>> {
        let (me, graph, partition) = (self.index(), self.graph, self.partition);
        let local = Local::new(graph, partition, me, |_| &[])?;
        let own = local.own();
        // The ghosts' labels, and the labels of the labels this worker does not own, from their owners.
        let mut asked: Vec<NodeId> = labels
            .iter()
            .copied()
            .filter(|&l| (l as usize) < graph.num_nodes() && partition.owner(l) != me)
            .chain(local.ghosts().iter().copied())
            .collect();
        asked.sort_unstable();
        asked.dedup();
        let mut requests = self.channel::<(NodeId, u32)>();
        let mut replies = self.channel::<(NodeId, NodeId)>();
        let mut wanted = Vec::new();
        requests.round(self.worker, asked.iter().map(|&v| (partition.owner(v), (v, me as u32))), |r| wanted.push(r))?;
        let mut known = vec![NodeId::MAX; asked.len()];
        let answers = wanted.into_iter().map(|(v, from)| (from as usize, (v, labels[partition.local(v)])));
        replies.round(self.worker, answers, |(v, l)| {
            if let Ok(k) = asked.binary_search(&v) {
                known[k] = l;
            }
        })?;
        self.rounds += 2;
        let label_of = |v: NodeId| match partition.share(me).local(v) {
            Some(i) => labels[i],
            None => asked.binary_search(&v).map_or(NodeId::MAX, |k| known[k]),
        };
        for (i, &l) in labels.iter().enumerate() {
            let u = partition.global(me, i);
            if l > u || label_of(l) != l {
                return Ok(Some(format!("node {u} has label {l}, which is not the smallest node of its class")));
            }
            for &j in local.neighbors(i) {
                let (j, v) = (
                    j as usize,
                    if (j as usize) < own {
                        partition.global(me, j as usize)
                    } else {
                        local.ghosts()[j as usize - own]
                    },
                );
                let other = if j < own { labels[j] } else { label_of(v) };
                if other != l {
                    return Ok(Some(format!("arc {u} -> {v} joins labels {l} and {other}")));
                }
            }
        }
        Ok(None)
    }

    fn check_ranks(&mut self, ranks: &[f32]) -> Result<Option<String>> {
        let (me, partition) = (self.index(), self.partition);
        let bad = ranks.iter().position(|r| !r.is_finite() || *r < 0.0);
        let sum: f64 = ranks.iter().map(|&r| r as f64).sum();
        let total: f64 = self.channel::<(u32, f64)>().all_gather(self.worker, sum)?.into_iter().sum();
        self.rounds += 1;
        Ok(match bad {
            Some(i) => Some(format!("rank of node {} is {}", partition.global(me, i), ranks[i])),
            None if self.graph.num_nodes() > 0 && (total - 1.0).abs() > VERIFY_L1 => {
                Some(format!("ranks sum to {total}, not 1 (tolerance {VERIFY_L1})"))
            }
            None => None,
        })
    }

    fn check_forest(&mut self, edges: &[ForestEdge]) -> Result<Option<String>> {
        let (graph, partition) = (self.graph, self.partition);
        let n = graph.num_nodes() as NodeId;
        let beyond = edges.iter().find(|e| e.0 >= n || e.1 >= n).copied();
        let has = |u: NodeId, v: NodeId, w: u32| graph.weighted_neighbors(u).any(|(x, y)| x == v && y == w);
        // Looked up at the owner of `u` as an arc `u -> v`, else at the owner of `v` as `v -> u`.
        let mut channel = self.channel::<ForestEdge>();
        let mut missing = Vec::new();
        let outgoing = edges.iter().filter(|e| e.0 < n && e.1 < n).map(|&e| (partition.owner(e.0), e));
        channel.round(self.worker, outgoing, |(u, v, w)| {
            if !has(u, v, w) {
                missing.push((u, v, w));
            }
        })?;
        let mut absent = None;
        let outgoing = std::mem::take(&mut missing).into_iter().map(|e| (partition.owner(e.1), e));
        channel.round(self.worker, outgoing, |(u, v, w)| {
            if !has(v, u, w) {
                absent.get_or_insert((u, v, w));
            }
        })?;
        self.rounds += 2;
        if let Some((u, v, w)) = beyond {
            return Ok(Some(format!("edge ({u}, {v}, weight {w}) names a node beyond {n}")));
        }
        Ok(absent.map(|(u, v, w)| format!("edge ({u}, {v}, weight {w}) is not an edge of the graph")))
    }
}

/// Writes one part (header, values) to `out`; returns the SHA-256 of the bytes written.
fn write_part(
    out: &mut std::fs::File,
    part: &Part<'_>,
    worker: usize,
    workers: usize,
    nodes: u64,
    first: u64,
    step: u64,
) -> std::io::Result<String> {
    let mut out = Sha256Writer::new(BufWriter::with_capacity(1 << 20, out));
    out.write_all(MAGIC)?;
    for x in [part.kind(), worker as u32, workers as u32] {
        out.write_all(&x.to_le_bytes())?;
    }
    for x in [nodes, first, step, part.count() as u64] {
        out.write_all(&x.to_le_bytes())?;
    }
    match part {
        Part::Labels(labels) => labels.iter().try_for_each(|l| out.write_all(&l.to_le_bytes()))?,
        Part::Ranks { ranks, .. } => ranks.iter().try_for_each(|r| out.write_all(&r.to_le_bytes()))?,
        Part::Forest(edges) => edges.iter().try_for_each(|&(u, v, w)| {
            out.write_all(&u.min(v).to_le_bytes())?;
            out.write_all(&u.max(v).to_le_bytes())?;
            out.write_all(&w.to_le_bytes())
        })?,
    }
    let (mut inner, sha256) = out.finish();
    inner.flush()?;
    Ok(sha256)
}

/// Reads `DIR/result.json` and every part it lists, checks each part (its SHA-256, header, and
/// that the parts hold every node once), reassembles the whole result, checks that its summary and
/// digest are the manifest's, and verifies it against `csr` with the problem's verifier. Errors
/// name the file at fault. Memory: the whole result (`O(n)`, or the forest).
pub fn verify_parts(dir: &Path, csr: &Csr) -> Result<(ResultManifest, Output)> {
    let manifest_path = dir.join(RESULT);
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let manifest: ResultManifest = serde_json::from_str(&text)
        .map_err(|e| Error::format(&manifest_path, format!("not a result manifest: {e}")))?;
    let bad = |what: String| Error::format(&manifest_path, what);
    if manifest.format != FORMAT {
        return Err(bad(format!("format is {:?}, not {FORMAT:?}", manifest.format)));
    }
    let n = csr.num_nodes();
    if (manifest.nodes, manifest.arcs) != (n as u64, csr.num_arcs()) {
        return Err(bad(format!(
            "the result is of a graph of {} nodes and {} arcs, not this one ({n} nodes, {} arcs)",
            manifest.nodes,
            manifest.arcs,
            csr.num_arcs()
        )));
    }
    let kind = match manifest.problem.as_str() {
        "cc" => 1,
        "pagerank" => 2,
        "msf" => 3,
        other => return Err(bad(format!("unknown problem {other:?}"))),
    };
    if manifest.parts.is_empty() || manifest.parts.len() > super::config::MAX_WORKERS * super::config::MAX_PROCESSES {
        return Err(bad(format!("{} parts", manifest.parts.len())));
    }
    let mut values: Vec<u32> = if kind == 3 { Vec::new() } else { crate::graph::budget::try_zeroed(n, "the result")? };
    let mut seen = if kind == 3 { Vec::new() } else { vec![0u64; n.div_ceil(64)] };
    let mut edges: Vec<ForestEdge> = Vec::new();
    for (w, entry) in manifest.parts.iter().enumerate() {
        let path = dir.join(&entry.file);
        let bad = |what: String| Error::format(&path, what);
        if entry.file.contains(['/', '\\']) || entry.file.starts_with('.') {
            return Err(Error::format(&manifest_path, format!("part file name {:?} is not a plain name", entry.file)));
        }
        let sha = sha256_file(&path)?;
        if sha != entry.sha256 {
            return Err(bad(format!(
                "SHA-256 {sha} is not the manifest's {}: the part is corrupted or not this run's",
                entry.sha256
            )));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| Error::io(&path, e))?;
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(bad("not a costgraph result part".into()));
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let header =
            (u32_at(8), u32_at(12) as usize, u32_at(16) as usize, u64_at(20), u64_at(28), u64_at(36), u64_at(44));
        let expected = (kind, w, manifest.parts.len(), n as u64, entry.first, entry.step, entry.count);
        if header != expected {
            return Err(bad(format!(
                "header (kind, worker, workers, nodes, first, step, count) = {header:?}, the manifest says {expected:?}"
            )));
        }
        let width = if kind == 3 { 12 } else { 4 };
        let body = &bytes[HEADER..];
        if body.len() as u64 != entry.count.saturating_mul(width) {
            return Err(bad(format!("{} bytes of values for {} values of {width} bytes", body.len(), entry.count)));
        }
        if kind == 3 {
            for e in body.chunks_exact(12) {
                let x = |k: usize| u32::from_le_bytes(e[4 * k..4 * k + 4].try_into().expect("4 bytes"));
                edges.push((x(0), x(1), x(2)));
            }
            continue;
        }
        for (i, x) in body.chunks_exact(4).enumerate() {
            let u = entry.first + i as u64 * entry.step;
            if u >= n as u64 || entry.step == 0 || seen[u as usize / 64] & (1 << (u % 64)) != 0 {
                return Err(bad(format!("value {i} is for node {u}, which is beyond the graph or held twice")));
            }
            seen[u as usize / 64] |= 1 << (u % 64);
            values[u as usize] = u32::from_le_bytes(x.try_into().expect("4 bytes"));
        }
    }
    if let Some(u) = (0..n).find(|&u| seen.get(u / 64).is_some_and(|w| w & (1 << (u % 64)) == 0)) {
        return Err(bad(format!("no part holds node {u}")));
    }
    let output = match kind {
        1 => {
            if let Some(u) = (0..n).find(|&u| values[u] as usize > u || values[values[u] as usize] != values[u]) {
                return Err(bad(format!("labels are not canonical: node {u} has label {}", values[u])));
            }
            Output::Components(Components::from_canonical(values))
        }
        2 => {
            let (iterations, last_change, damping) =
                manifest.ranks.ok_or_else(|| bad("the ranks' iterations and damping are missing".into()))?;
            Output::Ranks(Ranks::new(
                values.into_iter().map(f32::from_bits).collect(),
                iterations,
                last_change,
                damping,
            ))
        }
        _ => Output::Forest(Forest::new(edges)),
    };
    if output.digest() != manifest.digest {
        return Err(bad(format!("the parts' digest {} is not the manifest's {}", output.digest(), manifest.digest)));
    }
    let summary = output.summary_json(n);
    if kind != 2 && summary != manifest.summary {
        return Err(bad(format!("the parts' summary {summary} is not the manifest's {}", manifest.summary)));
    }
    output.verify(csr).map_err(|e| Error::invalid(format!("{}: the result is wrong: {e}", dir.display())))?;
    Ok((manifest, output))
}
