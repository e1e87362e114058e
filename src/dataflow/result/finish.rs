//! [`Context::finish`]: a worker's part of the result gathered at worker 0, summarised by
//! reductions, or written and checked in parts, as the job asks.

use std::path::Path;

use super::outcome::{Outcome, Part};
use super::part_file::{FORMAT, PartEntry, RESULT, ResultManifest, is_part_of, is_result_manifest, write_part};
use crate::algo::Output;
use crate::algo::cc::{Components, ComponentsSummary};
use crate::algo::fingerprint::{self, Fingerprint};
use crate::algo::msf::{Forest, ForestEdge, ForestSummary};
use crate::algo::pagerank::{Ranks, RanksSummary};
use crate::dataflow::{Chunk, Context, IdMap};
use crate::graph::NodeId;
use crate::io::AtomicFile;
use crate::{Error, Result};

impl Context<'_> {
    /// Ends an algorithm on this worker: its `part` of the result becomes what the job asks for
    /// (gathered, summarised, written; see the module docs). Worker 0 gets the outcome, the
    /// others `None`. Every worker must call it once, at the end.
    pub fn finish(&mut self, part: Part<'_>) -> Result<Option<Outcome>> {
        let me = self.index();
        let outcome = if self.deliver.gather { self.gathered(&part)? } else { Some(self.summarised(&part)?) };
        if let Some(dir) = self.deliver.output.clone().filter(|_| self.last) {
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
        let foreign = |file: &Path| {
            Error::invalid(format!(
                "{}: {} is not a costgraph result; nothing was replaced: choose an empty folder for --output",
                dir.display(),
                file.display()
            ))
        };
        if me == 0 && std::fs::symlink_metadata(&manifest_path).is_ok() {
            if !is_result_manifest(&manifest_path) {
                return Err(foreign(&manifest_path));
            }
            std::fs::remove_file(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        }
        let path = dir.join(format!("part-{me}.bin"));
        if std::fs::symlink_metadata(&path).is_ok() && !is_part_of(&path, me) {
            return Err(foreign(&path));
        }
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
            problem: self.problem.into(),
            implementation: self.implementation.into(),
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
        // Parts of an earlier run with more workers are not this result's (and only parts are removed).
        for (w, stale) in (peers..).map(|w| (w, dir.join(format!("part-{w}.bin")))) {
            if !is_part_of(&stale, w) || std::fs::remove_file(&stale).is_err() {
                break;
            }
        }
        Ok(())
    }
}
