//! [`ExternalCommand`]: one configuration of an external system — its command run with the
//! configuration's values (as variables, never as shell text: [`crate::harness::template`]), timed,
//! its answer read for verification. Its output is never held whole: every line is matched against
//! the spec's regexes as it arrives (at most [`MAX_MATCHES`] matches kept) and the last
//! [`KEEP`] bytes of each stream are kept, for a JSON answer and for error messages.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::spec::{Answer, ExternalSpec, Extract};
use crate::algo::Output;
use crate::algo::cc::Components;
use crate::harness::child::{Capture, Failure, FailureKind, Input, spawn};
use crate::harness::record::RunRecord;
use crate::harness::stats::Summary;

/// Bytes kept from the end of each of an external command's streams.
pub const KEEP: usize = 1 << 20;

/// The most regex matches kept per invocation.
pub const MAX_MATCHES: usize = 1 << 20;

/// One configuration of an external system: its command's values and how to read its output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExternalCommand {
    /// The spec it came from.
    pub spec: ExternalSpec,
    /// The command as a shell would need it written with these values (for reports only: the
    /// values are passed as variables).
    pub command: String,
    /// The value of each placeholder.
    pub values: Vec<(String, String)>,
    /// The labels file it writes, when its answer is one.
    pub labels: Option<PathBuf>,
    /// Nodes of the graph.
    pub nodes: u64,
    /// Stored arcs of the graph.
    pub arcs: u64,
}

/// The regex matches of one invocation, gathered line by line.
#[derive(Default)]
struct Matches {
    time: Vec<String>,
    answer: Vec<String>,
}

impl ExternalCommand {
    /// Runs `warmup` uncounted and then `runs` counted invocations, each with `timeout`, and
    /// returns their times and the answer (which must be the same every time). When the compute
    /// time is read from the output, the rest of each invocation's wall time (loading, start-up)
    /// is its "load" time (the median over invocations), so that end to end compares like with
    /// like; with wall-clock timing there is none.
    pub fn run(&self, runs: usize, warmup: u32, timeout: Duration) -> std::result::Result<RunRecord, Failure> {
        let error = |why: String| Failure::new(FailureKind::Error, why);
        let template = self.spec.template().map_err(|e| error(e.to_string()))?;
        let values: Vec<(&str, &str)> = self.values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut compute_secs = Vec::new();
        // Per counted invocation: its wall time less the compute it reported (loading, start-up).
        let mut overheads = Vec::new();
        let mut answer: Option<(serde_json::Value, String)> = None;
        let answer_extract = match &self.spec.answer {
            Answer::Components(x) | Answer::Weight(x) => Some(x),
            Answer::Labels => None,
        };
        let (time_re, answer_re) =
            (self.spec.time.as_ref().and_then(Extract::regex), answer_extract.and_then(Extract::regex));
        for i in 0..warmup as usize + runs {
            if let Some(l) = &self.labels {
                let _ = std::fs::remove_file(l);
            }
            let matches = Arc::new(Mutex::new(Matches::default()));
            let (found, time_re, answer_re) = (Arc::clone(&matches), time_re.clone(), answer_re.clone());
            let scan = move |line: &str| {
                let mut m = found.lock().unwrap_or_else(|e| e.into_inner());
                for (re, into) in [(&time_re, 0), (&answer_re, 1)] {
                    let Some(re) = re else { continue };
                    for c in re.captures_iter(line) {
                        let list = if into == 0 { &mut m.time } else { &mut m.answer };
                        if list.len() < MAX_MATCHES {
                            list.push(c.get(1).map_or("", |g| g.as_str()).to_string());
                        }
                    }
                }
            };
            let capture = Capture { keep: KEEP, scan: Some(Arc::new(Mutex::new(scan))) };
            let command = template.command(&values).map_err(|e| error(e.to_string()))?;
            let out = spawn(command, Input::Null, &capture, &self.spec.name)?.finish(timeout)?;
            if i < warmup as usize {
                continue;
            }
            let matches = std::mem::take(&mut *matches.lock().unwrap_or_else(|e| e.into_inner()));
            let stdout = String::from_utf8_lossy(&out.stdout);
            let wall = out.wall.as_secs_f64();
            match &self.spec.time {
                None => compute_secs.push(wall),
                Some(t) => {
                    let figures = t.figures(&matches.time, &stdout).map_err(|e| error(format!("time: {e}")))?;
                    overheads.push((wall - figures.iter().sum::<f64>()).max(0.0));
                    compute_secs.extend(figures);
                }
            }
            let this = self.answer(&matches.answer, &stdout)?;
            match &answer {
                Some(a) if *a != this => {
                    return Err(Failure::new(
                        FailureKind::Wrong,
                        format!("answered {} in one run and {} in another", a.0, this.0),
                    ));
                }
                Some(_) => {}
                None => answer = Some(this),
            }
        }
        if compute_secs.iter().any(|t| !t.is_finite() || *t < 0.0) {
            return Err(error(format!("reported unusable times: {compute_secs:?}")));
        }
        let (result, digest) = answer.ok_or_else(|| error("made no counted run".into()))?;
        Ok(RunRecord {
            nodes: self.nodes,
            arcs: self.arcs,
            threads: 0,
            load_secs: Summary::of(&overheads).map_or(0.0, |s| s.median),
            prep_secs: 0.0,
            compute_secs,
            result,
            digest,
            verified: None,
            verify_error: None,
            peak_rss_bytes: None,
            traffic: Default::default(),
            hosts: Vec::new(),
            retry: None,
        })
    }

    /// The answer of one invocation: a result summary to compare with the baseline's, and the
    /// exact digest when the answer is a labels file (empty otherwise).
    fn answer(&self, matched: &[String], stdout: &str) -> std::result::Result<(serde_json::Value, String), Failure> {
        let error = |why: String| Failure::new(FailureKind::Error, format!("answer: {why}"));
        let single = |x: &Extract, key: &str| {
            let figures = x.figures(matched, stdout).map_err(error)?;
            let last = *figures.last().expect("figures are never empty");
            if last.fract() != 0.0 || last < 0.0 {
                return Err(error(format!("{key} {last} is not a whole number")));
            }
            Ok((serde_json::json!({ key: last as u64 }), String::new()))
        };
        match &self.spec.answer {
            Answer::Components(x) => single(x, "components"),
            Answer::Weight(x) => single(x, "weight"),
            Answer::Labels => {
                let path = self.labels.as_deref().expect("labels answers have a labels file");
                // One label per node, each at most 10 digits and a newline.
                let text =
                    crate::io::file::read_text(path, self.nodes.saturating_mul(12).max(1 << 10), "a labels file")
                        .map_err(|e| error(e.to_string()))?;
                let labels: std::result::Result<Vec<u32>, String> = text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| {
                        l.trim().parse().map_err(|_| format!("{}:{}: not a label: {l:?}", path.display(), i + 1))
                    })
                    .collect();
                let labels = labels.map_err(error)?;
                if labels.len() as u64 != self.nodes {
                    return Err(Failure::new(
                        FailureKind::Wrong,
                        format!(
                            "{} labels in {}, but the graph has {} nodes",
                            labels.len(),
                            path.display(),
                            self.nodes
                        ),
                    ));
                }
                let output = Output::Components(Components::from_labels(&labels));
                Ok((output.summary_json(labels.len()), output.digest()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::external::spec::InputFormat;

    fn command(cmd: &str, answer: Answer, time: Option<Extract>, labels: &std::path::Path) -> ExternalCommand {
        let spec = ExternalSpec {
            name: "t".into(),
            problem: "cc".into(),
            command: cmd.into(),
            format: InputFormat::El,
            cores: vec![],
            time,
            answer,
        };
        let values = vec![
            ("graph".to_string(), "/nonexistent/g.el".to_string()),
            ("labels".to_string(), labels.display().to_string()),
        ];
        ExternalCommand { spec, command: cmd.into(), values, labels: Some(labels.to_path_buf()), nodes: 3, arcs: 2 }
    }

    #[test]
    #[cfg(unix)]
    fn external_commands_are_timed_and_their_answers_read() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("l");
        let count = Answer::Components(Extract { regex: Some(r"components (\d+)".into()), json: None });
        let t = Some(Extract { regex: Some(r"time ([0-9.]+)".into()), json: None });
        let r =
            command("echo {graph} >/dev/null; echo 'time 0.5'; echo 'components 2'", count.clone(), t.clone(), &labels)
                .run(3, 1, Duration::from_secs(10))
                .unwrap();
        assert_eq!((r.compute_secs, r.result), (vec![0.5; 3], serde_json::json!({"components": 2})));
        assert_eq!(r.load_secs, 0.0, "the reported time exceeds the wall time: no overhead");
        let wall = command("echo {graph}; echo 'components 2'", count.clone(), None, &labels)
            .run(2, 0, Duration::from_secs(10))
            .unwrap();
        assert!(wall.compute_secs.len() == 2 && wall.compute_secs.iter().all(|&t| t > 0.0));
        let by_labels = command("printf '5\\n5\\n9\\n' > {labels}; : {graph}", Answer::Labels, None, &labels)
            .run(1, 0, Duration::from_secs(10))
            .unwrap();
        let expected = Output::Components(Components::from_labels(&[0, 0, 2]));
        assert_eq!(by_labels.digest, expected.digest());
        let short = command("printf '5\\n' > {labels}; : {graph}", Answer::Labels, None, &labels).run(
            1,
            0,
            Duration::from_secs(10),
        );
        assert_eq!(short.unwrap_err().kind, FailureKind::Wrong);
        let crash = command(": {graph}; kill -SEGV $$", count.clone(), None, &labels)
            .run(1, 0, Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(crash.kind, FailureKind::Crash);
        let silent = command(": {graph}", count, t, &labels).run(1, 0, Duration::from_secs(10)).unwrap_err();
        assert!(silent.reason.starts_with("time: nothing"), "{silent}");
    }

    #[test]
    #[cfg(unix)]
    fn a_loud_command_costs_no_more_memory_than_a_quiet_one() {
        let dir = tempfile::tempdir().unwrap();
        let count = Answer::Components(Extract { regex: Some(r"components (\d+)".into()), json: None });
        // 64 MiB of output, then the answer.
        let loud = "head -c 67108864 /dev/zero | tr '\\0' 'x'; echo; : {graph}; echo 'components 4'";
        let before = crate::sysinfo::peak_rss_bytes();
        let r = command(loud, count, None, &dir.path().join("l")).run(1, 0, Duration::from_secs(60)).unwrap();
        assert_eq!(r.result, serde_json::json!({"components": 4}));
        if let (Some(a), Some(b)) = (before, crate::sysinfo::peak_rss_bytes()) {
            assert!(b.saturating_sub(a) < 32 << 20, "reading 64 MiB of output raised the peak by {} bytes", b - a);
        }
    }
}
