//! `runs.jsonl`: every finished configuration, appended (and synced to disk) the moment it
//! finishes, so that a sweep killed after eight hours loses at most the configuration in flight,
//! and `cost --resume` measures only what is missing.
//!
//! Each line is one [`Entry`]: the configuration's [`key`] (the sha256 of the costgraph binary,
//! the graph's sha256, the configuration's command and the sampling policy), its description, and
//! its [`Outcome`]. A record is reused only when its key equals the new sweep's key for that
//! configuration — a rebuilt binary, a changed graph or other parameters measure again — and only
//! when it succeeded: a failure may have been transient (an OOM kill next to another job), so it
//! is measured again.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::measure::Outcome;
use crate::{Error, Result};

/// The journal's file name inside the report folder.
pub const FILE_NAME: &str = "runs.jsonl";

/// One line of `runs.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// What identifies the measurement (see [`key`]).
    pub key: serde_json::Value,
    /// `cc union-find (1 thread)`, for people reading the file.
    pub configuration: String,
    /// When it finished (Unix seconds).
    pub finished_unix_secs: u64,
    /// What it came to.
    pub outcome: Outcome,
}

/// The key of a configuration's record: everything its figures depend on that costgraph can name.
/// `costgraph_sha256` is the SHA-256 of the executable that measures (so a rebuilt binary measures
/// again); `command` is the child's argv or, for an external system, its spec and cores.
pub fn key(
    costgraph_sha256: &str,
    graph_sha256: &str,
    command: serde_json::Value,
    policy: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "costgraph_sha256": costgraph_sha256,
        "graph_sha256": graph_sha256,
        "command": command,
        "policy": policy,
    })
}

/// An open journal: the records of an earlier sweep (when resuming), and the file new ones are
/// appended to.
pub struct Journal {
    path: PathBuf,
    file: File,
    previous: Vec<Entry>,
    /// Lines of the earlier file that could not be read (a line torn by a kill).
    pub unreadable_lines: usize,
}

impl Journal {
    /// Opens `dir/runs.jsonl`. With `resume` the earlier records are read and new ones appended;
    /// without, an earlier file is kept as `runs.jsonl.prev` and a new one started.
    pub fn open(dir: &Path, resume: bool) -> Result<Journal> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(FILE_NAME);
        let mut previous = Vec::new();
        let mut unreadable_lines = 0;
        if resume && path.exists() {
            let mut input = BufReader::new(crate::io::file::open(&path)?);
            while let Some(line) = next_line(&mut input, MAX_LINE).map_err(|e| Error::io(&path, e))? {
                // A line torn by a kill (even inside a character), overlong, or not a record is
                // skipped; whatever it describes is measured again.
                match line.as_deref().map(std::str::from_utf8) {
                    Some(Ok(text)) if text.trim().is_empty() => {}
                    Some(Ok(text)) => match serde_json::from_str::<Entry>(text) {
                        Ok(entry) => previous.push(entry),
                        Err(_) => unreadable_lines += 1,
                    },
                    _ => unreadable_lines += 1,
                }
            }
        } else if path.exists() {
            let prev = dir.join(format!("{FILE_NAME}.prev"));
            std::fs::rename(&path, &prev).map_err(|e| Error::io(&prev, e))?;
        }
        let mut file = OpenOptions::new().create(true).append(true).open(&path).map_err(|e| Error::io(&path, e))?;
        // A line torn by a kill has no newline: end it, so the next record starts on its own line.
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        if len > 0 && !ends_with_newline(&path)? {
            file.write_all(b"\n").map_err(|e| Error::io(&path, e))?;
        }
        Ok(Journal { path, file, previous, unreadable_lines })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records of the earlier sweep that were read (when resuming).
    pub fn previous(&self) -> usize {
        self.previous.len()
    }

    /// The latest successful earlier outcome with this key that passes the checks a fresh run's
    /// record passes ([`trustworthy`] against `expect`), if any.
    pub fn reusable(&self, key: &serde_json::Value, expect: &Expect<'_>) -> Option<Outcome> {
        self.previous
            .iter()
            .rev()
            .find(|e| &e.key == key && trustworthy(&e.outcome, expect).is_ok())
            .map(|e| e.outcome.clone())
    }

    /// Appends one finished configuration and syncs it to disk before returning.
    pub fn append(&mut self, key: serde_json::Value, configuration: String, outcome: &Outcome) -> Result<()> {
        let entry = Entry {
            key,
            configuration,
            finished_unix_secs: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            outcome: outcome.clone(),
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| Error::invalid(e.to_string()))?;
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(|e| Error::io(&self.path, e))?;
        self.file.flush().map_err(|e| Error::io(&self.path, e))?;
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }
}

/// The longest journal line read; a longer one is skipped.
const MAX_LINE: usize = 64 << 20;

/// The next line of `input` without its newline (`Some(None)` when longer than `max`, which is
/// skipped without being held), or `None` at the end.
fn next_line(input: &mut impl BufRead, max: usize) -> std::io::Result<Option<Option<Vec<u8>>>> {
    let mut line = Vec::new();
    let mut overlong = false;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok((!line.is_empty() || overlong).then_some((!overlong).then_some(line)));
        }
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (&buffer[..i], i + 1),
            None => (buffer, buffer.len()),
        };
        let ends = done > chunk.len();
        if !overlong && line.len() + chunk.len() <= max {
            line.extend_from_slice(chunk);
        } else {
            overlong = true;
            line = Vec::new();
        }
        input.consume(done);
        if ends {
            return Ok(Some((!overlong).then_some(line)));
        }
    }
}

/// What a record re-used from the journal must agree with: the graph's counts, and for a problem
/// whose results are exact, the digest of the baseline measured in this sweep.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    /// The graph's nodes.
    pub nodes: u64,
    /// The graph's stored arcs.
    pub arcs: u64,
    /// The digest every exact answer must have (the baseline's, measured now), when known.
    pub digest: Option<&'a str>,
}

/// Checks an earlier outcome as a fresh run's would be checked: a record, with at least one
/// counted time and every time finite and positive (load and preparation finite, not negative),
/// the graph's node and arc counts, and the baseline's digest when one is expected. Returns what
/// is wrong.
pub fn trustworthy(outcome: &Outcome, expect: &Expect<'_>) -> std::result::Result<(), String> {
    let r = outcome.record.as_ref().ok_or("no record")?;
    if r.compute_secs.is_empty() {
        return Err("no counted run".into());
    }
    if let Some(t) = r.compute_secs.iter().find(|t| !(t.is_finite() && **t > 0.0)) {
        return Err(format!("compute time {t} is not a positive number of seconds"));
    }
    if !(r.load_secs.is_finite() && r.load_secs >= 0.0 && r.prep_secs.is_finite() && r.prep_secs >= 0.0) {
        return Err(format!("load {} s or preparation {} s is not a time", r.load_secs, r.prep_secs));
    }
    if (r.nodes, r.arcs) != (expect.nodes, expect.arcs) {
        return Err(format!(
            "{} nodes and {} arcs, not the graph's {} and {}",
            r.nodes, r.arcs, expect.nodes, expect.arcs
        ));
    }
    if let Some(digest) = expect.digest
        && !r.digest.is_empty()
        && r.digest != digest
    {
        return Err("its answer's digest is not the baseline's".into());
    }
    Ok(())
}

fn ends_with_newline(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    f.seek(SeekFrom::End(-1)).map_err(|e| Error::io(path, e))?;
    let mut last = [0u8];
    f.read_exact(&mut last).map_err(|e| Error::io(path, e))?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::child::{Failure, FailureKind};
    use crate::harness::stats::Stop;

    fn outcome(ok: bool) -> Outcome {
        let record = serde_json::from_value(serde_json::json!({
            "nodes": 3, "arcs": 4, "threads": 1, "load_secs": 0.1, "compute_secs": [0.2, 0.3],
            "result": {"components": 1}, "digest": "ab"
        }))
        .unwrap();
        Outcome {
            record: ok.then_some(record),
            failure: (!ok).then(|| Failure::new(FailureKind::OutOfMemory, "signal: 9 (SIGKILL)")),
            stop: ok.then_some(Stop::Precise),
            batches: 1,
            load_average: Some(0.5),
            wall_secs: 1.0,
        }
    }

    #[test]
    fn records_survive_a_torn_line_and_only_successes_with_equal_keys_are_reused() {
        let dir = tempfile::tempdir().unwrap();
        let k = |args: &str| key("exe", "graph", serde_json::json!([args]), serde_json::json!({"warmup": 1}));
        {
            let mut j = Journal::open(dir.path(), false).unwrap();
            j.append(k("a"), "cc a".into(), &outcome(true)).unwrap();
            j.append(k("b"), "cc b".into(), &outcome(false)).unwrap();
        }
        // A kill in the middle of a line.
        let path = dir.path().join(FILE_NAME);
        OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"key\":").unwrap();
        let mut j = Journal::open(dir.path(), true).unwrap();
        assert_eq!((j.previous(), j.unreadable_lines), (2, 1));
        let expect = Expect { nodes: 3, arcs: 4, digest: Some("ab") };
        assert_eq!(j.reusable(&k("a"), &expect), Some(outcome(true)));
        assert_eq!(j.reusable(&k("b"), &expect), None, "failures are measured again");
        assert_eq!(j.reusable(&k("c"), &expect), None);
        assert_eq!(j.reusable(&k("a"), &Expect { digest: Some("cd"), ..expect }), None, "another answer");
        assert_eq!(j.reusable(&k("a"), &Expect { nodes: 4, ..expect }), None, "another graph");
        let other_binary = key("exe2", "graph", serde_json::json!(["a"]), serde_json::json!({"warmup": 1}));
        assert_eq!(j.reusable(&other_binary, &expect), None);
        j.append(k("c"), "cc c".into(), &outcome(true)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.lines().last().unwrap().starts_with("{\"key\""), "the torn line was ended first");
        drop(j);
        let j = Journal::open(dir.path(), true).unwrap();
        assert_eq!((j.previous(), j.unreadable_lines), (3, 1));
        // A fresh sweep keeps the old journal aside.
        let j = Journal::open(dir.path(), false).unwrap();
        assert_eq!(j.previous(), 0);
        assert!(dir.path().join("runs.jsonl.prev").exists());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    }

    #[test]
    fn records_a_fresh_run_would_refuse_are_measured_again() {
        let dir = tempfile::tempdir().unwrap();
        let k = |args: &str| key("exe", "graph", serde_json::json!([args]), serde_json::json!({}));
        let with_times = |times: serde_json::Value| {
            let mut o = outcome(true);
            let mut r = serde_json::to_value(o.record.take().unwrap()).unwrap();
            r["compute_secs"] = times;
            o.record = Some(serde_json::from_value(r).unwrap());
            o
        };
        {
            let mut j = Journal::open(dir.path(), false).unwrap();
            j.append(k("empty"), "x".into(), &with_times(serde_json::json!([]))).unwrap();
            j.append(k("negative"), "x".into(), &with_times(serde_json::json!([-1.0]))).unwrap();
        }
        // A line torn inside a character ("€" is three bytes), then an overlong line.
        let path = dir.path().join(FILE_NAME);
        let mut tail = b"{\"key\": \"\xE2\x82".to_vec();
        tail.push(b'\n');
        OpenOptions::new().append(true).open(&path).unwrap().write_all(&tail).unwrap();
        let mut long = BufReader::new(&b"0123456789\nab"[..]);
        assert_eq!(next_line(&mut long, 4).unwrap(), Some(None), "overlong: skipped");
        assert_eq!(next_line(&mut long, 4).unwrap(), Some(Some(b"ab".to_vec())));
        assert_eq!(next_line(&mut long, 4).unwrap(), None);
        let j = Journal::open(dir.path(), true).unwrap();
        assert_eq!(j.unreadable_lines, 1, "the torn line is skipped, not fatal");
        let expect = Expect { nodes: 3, arcs: 4, digest: None };
        for bad in ["empty", "negative"] {
            assert_eq!(j.reusable(&k(bad), &expect), None, "{bad}");
        }
        assert!(trustworthy(&with_times(serde_json::json!([-1.0])), &expect).unwrap_err().contains("positive"));
    }
}
