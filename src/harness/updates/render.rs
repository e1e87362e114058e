//! The `updates` report written out: the latency table, `report.md`, `runs.csv` (one line per
//! measured batch), and with `latency.svg` ([`crate::harness::plot`]) and `report.json`, the files.

use std::path::{Path, PathBuf};

use super::report::UpdatesReport;
use crate::dataflow::differential::memory::Held;
use crate::units::{human_count, human_secs};
use crate::{Error, Result};

impl UpdatesReport {
    /// The table as text (also the heart of `report.md`).
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| system | batch | p50 | p90 | p99 | p99.9 | max | updates/s | batches |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        // A tail percentile is shown only where the samples can carry it (nearest rank: p99 from
        // 100 batches, p99.9 from 1,000); below that its cell says so and `max` is the tail.
        let tail = |value: f64, samples: usize, needed: usize| {
            if samples >= needed { human_secs(value) } else { format!("— (n<{needed})") }
        };
        for r in &self.rows {
            let l = &r.latency;
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.system,
                r.batch,
                human_secs(l.p50),
                human_secs(l.p90),
                tail(l.p99, l.samples, 100),
                tail(l.p999, l.samples, 1000),
                human_secs(l.max),
                human_count(r.updates_per_sec),
                l.samples
            );
        }
        out += "\np99 is shown from 100 batches on, p99.9 from 1,000 (nearest rank); with fewer, `max` is the \
                largest of the `batches` samples.\n";
        for (name, wins) in &self.recompute_wins_from {
            out += &match wins {
                Some(b) => format!("\n{name}: recomputing with union-find wins from batch size {b} on.\n"),
                None => format!("\n{name}: recomputing with union-find never wins in this sweep.\n"),
            };
        }
        out
    }

    /// `report.md`: what was measured, on what, the table, verification and memory.
    pub fn markdown(&self) -> String {
        let p = &self.provenance;
        let g = &self.graph;
        let s = &self.stream;
        let mut out = format!(
            "# costgraph updates cc{}\n\n",
            if self.ok() { "" } else { " — FAILED: wrong answers (see Verification)" }
        );
        out += &format!(
            "- graph: `{}` ({}), {} nodes, {} arcs, sha256 `{}`\n",
            g.path.display(),
            g.origin,
            g.nodes,
            g.arcs,
            g.sha256
        );
        out += &format!(
            "- stream: seed {}, deletions {}, batch sizes {:?}, {:?} batches of each, at most {} batch(es) in flight\n",
            s.seed, s.deletions, s.batch_sizes, s.batches, s.max_ahead
        );
        if let Some(i) = s.alone.iter().position(|&a| a) {
            out += &format!(
                "- {} batch(es) of {} applied one at a time (none other in flight), their own rows\n",
                s.batches[i], s.batch_sizes[i]
            );
        }
        out += &format!(
            "- machine: {} ({} cores, {} bytes memory), {}; costgraph {} ({}), {}\n",
            p.machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
            p.machine.cores,
            p.machine.memory_bytes.map_or("unknown".into(), |b| b.to_string()),
            p.machine.os,
            p.costgraph_version,
            p.git_commit,
            p.rustc
        );
        out += &format!("- command: `{}`\n", self.command.join(" "));
        out += &format!("- one `union-find` on the static graph: {}\n\n", human_secs(self.union_find_static_secs));
        out += "Latency: from a batch's submission until the output frontier passes its timestamp. \
                Single thread: the incremental union-find's unions for the batch (insert-only streams), \
                and union-find over the whole updated edge list (recompute, timed after every batch).\n\n";
        out += &self.table();
        out += "\n## Verification\n\n";
        for c in &self.configurations {
            out += &format!(
                "- {}: initial components and {} batch(es) compared with union-find by digest: {}\n",
                c.name(),
                c.verified,
                if c.mismatches.is_empty() {
                    "all equal".to_string()
                } else {
                    format!("MISMATCH at {:?}", c.mismatches)
                }
            );
        }
        out += "\n## Memory and start-up\n\n| configuration | load | first components | RSS after start | RSS at end | peak RSS | arranged after start | arranged at end |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
        for c in &self.configurations {
            let run = &c.result.run;
            let rss = &c.result.rss;
            let after_start = rss.iter().find(|r| r.secs >= run.load_secs + run.initial_secs).or(rss.last());
            let peak = rss.iter().map(|r| r.bytes).max();
            let mb = |b: Option<u64>| b.map_or("—".into(), |b| format!("{:.1} MiB", b as f64 / (1 << 20) as f64));
            let held = |h: Option<Held>| h.map_or("—".into(), |h| format!("{:.2}M", h.arranged as f64 / 1e6));
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                c.name(),
                human_secs(run.load_secs),
                human_secs(run.initial_secs),
                mb(after_start.map(|r| r.bytes)),
                mb(rss.last().map(|r| r.bytes)),
                mb(peak),
                held(after_start.map(|s| s.held)),
                held(Some(run.held_at_end))
            );
        }
        out += "\n\"Arranged\" counts the updates process 0's arrangements hold (differential's own log of its \
                traces: what the dataflow keeps, apart from what the allocator keeps).\n";
        out += "\nProcess 0's resident memory, sampled over the run, is in report.json; the latency CDFs in latency.svg.\n";
        out
    }

    /// `runs.csv`: one line per measured batch.
    pub fn csv(&self) -> String {
        let mut out = String::from("system,workers,processes,batch,index,latency_secs,verified\n");
        for c in &self.configurations {
            for b in &c.result.run.batches {
                let batch = self.stream.batch_sizes.get(b.segment).copied().unwrap_or(0);
                out += &format!(
                    "{},{},{},{},{},{:.9},{}\n",
                    c.name(),
                    c.workers,
                    c.processes,
                    batch,
                    b.index,
                    b.latency_secs,
                    b.digest.is_some()
                );
            }
        }
        let single = [
            ("incremental union-find", self.replay.incremental.as_ref()),
            ("union-find recompute", Some(&self.replay.recompute)),
        ];
        for (name, series) in single {
            for (s, latencies) in series.into_iter().flatten().enumerate() {
                let batch = self.stream.batch_sizes.get(s).copied().unwrap_or(0);
                for (i, l) in latencies.iter().enumerate() {
                    out += &format!("{name},1,1,{batch},{i},{l:.9},false\n");
                }
            }
        }
        out
    }

    /// Writes `report.json`, `runs.csv`, `report.md` and `latency.svg` into `dir`; returns their
    /// paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let json = serde_json::to_string_pretty(self).map_err(|e| Error::invalid(format!("report.json: {e}")))?;
        let svg = crate::harness::plot::latency_svg(self)?;
        crate::harness::render::write_files(
            dir,
            [("report.json", json), ("runs.csv", self.csv()), ("report.md", self.markdown()), ("latency.svg", svg)],
        )
    }
}
