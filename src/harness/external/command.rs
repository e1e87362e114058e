//! [`ExternalCommand`]: one configuration of an external system — the expanded command, run and
//! timed, its answer read for verification.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::spec::{Answer, ExternalSpec, Extract};
use crate::algo::Output;
use crate::algo::cc::Components;
use crate::harness::child::{Failure, FailureKind, run_child};
use crate::harness::record::RunRecord;
use crate::harness::stats::Summary;

/// One configuration of an external system: the expanded command and how to read its output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExternalCommand {
    /// The spec it came from.
    pub spec: ExternalSpec,
    /// The command, placeholders replaced.
    pub command: String,
    /// The labels file it writes, when its answer is one.
    pub labels: Option<PathBuf>,
    /// Nodes of the graph.
    pub nodes: u64,
    /// Stored arcs of the graph.
    pub arcs: u64,
}

impl ExternalCommand {
    /// Runs `warmup` uncounted and then `runs` counted invocations, each with `timeout`, and
    /// returns their times and the answer (which must be the same every time). When the compute
    /// time is read from the output, the rest of each invocation's wall time (loading, start-up)
    /// is its "load" time (the median over invocations), so that end to end compares like with
    /// like; with wall-clock timing there is none.
    pub fn run(&self, runs: usize, warmup: u32, timeout: Duration) -> std::result::Result<RunRecord, Failure> {
        let shell = Path::new("/bin/sh");
        let argv = ["-c".to_string(), self.command.clone()];
        let error = |why: String| Failure::new(FailureKind::Error, why);
        let mut compute_secs = Vec::new();
        // Per counted invocation: its wall time less the compute it reported (loading, start-up).
        let mut overheads = Vec::new();
        let mut answer: Option<(serde_json::Value, String)> = None;
        for i in 0..warmup as usize + runs {
            if let Some(l) = &self.labels {
                let _ = std::fs::remove_file(l);
            }
            let out = run_child(shell, &argv, timeout)?;
            if i < warmup as usize {
                continue;
            }
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let wall = out.wall.as_secs_f64();
            match &self.spec.time {
                None => compute_secs.push(wall),
                Some(t) => {
                    let figures = t.figures(&stdout, &stderr).map_err(|e| error(format!("time: {e}")))?;
                    overheads.push((wall - figures.iter().sum::<f64>()).max(0.0));
                    compute_secs.extend(figures);
                }
            }
            let this = self.answer(&stdout, &stderr)?;
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
    fn answer(&self, stdout: &str, stderr: &str) -> std::result::Result<(serde_json::Value, String), Failure> {
        let error = |why: String| Failure::new(FailureKind::Error, format!("answer: {why}"));
        let single = |x: &Extract, key: &str| {
            let figures = x.figures(stdout, stderr).map_err(error)?;
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
                let text = std::fs::read_to_string(path).map_err(|e| error(format!("{}: {e}", path.display())))?;
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

/// `arg` quoted for `/bin/sh` where needed.
pub fn shell_quote(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c)) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::external::spec::InputFormat;

    #[test]
    #[cfg(unix)]
    fn external_commands_are_timed_and_their_answers_read() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("l");
        let command = |cmd: &str, answer: Answer, time: Option<Extract>| ExternalCommand {
            spec: ExternalSpec {
                name: "t".into(),
                problem: "cc".into(),
                command: cmd.into(),
                format: InputFormat::El,
                cores: vec![],
                time,
                answer,
            },
            command: cmd.into(),
            labels: Some(labels.clone()),
            nodes: 3,
            arcs: 2,
        };
        let count = Answer::Components(Extract { regex: Some(r"components (\d+)".into()), json: None });
        let t = Some(Extract { regex: Some(r"time ([0-9.]+)".into()), json: None });
        let r = command("echo 'time 0.5'; echo 'components 2'", count.clone(), t.clone())
            .run(3, 1, Duration::from_secs(10))
            .unwrap();
        assert_eq!((r.compute_secs, r.result), (vec![0.5; 3], serde_json::json!({"components": 2})));
        assert_eq!(r.load_secs, 0.0, "the reported time exceeds the wall time: no overhead");
        let wall = command("echo 'components 2'", count.clone(), None).run(2, 0, Duration::from_secs(10)).unwrap();
        assert!(wall.compute_secs.len() == 2 && wall.compute_secs.iter().all(|&t| t > 0.0));
        let l = labels.display().to_string();
        let by_labels = command(&format!("printf '5\\n5\\n9\\n' > {l}"), Answer::Labels, None)
            .run(1, 0, Duration::from_secs(10))
            .unwrap();
        let expected = Output::Components(Components::from_labels(&[0, 0, 2]));
        assert_eq!(by_labels.digest, expected.digest());
        let short = command(&format!("printf '5\\n' > {l}"), Answer::Labels, None).run(1, 0, Duration::from_secs(10));
        assert_eq!(short.unwrap_err().kind, FailureKind::Wrong);
        let crash = command("kill -SEGV $$", count.clone(), None).run(1, 0, Duration::from_secs(10)).unwrap_err();
        assert_eq!(crash.kind, FailureKind::Crash);
        let silent = command("true", count, t).run(1, 0, Duration::from_secs(10)).unwrap_err();
        assert!(silent.reason.starts_with("time: nothing"), "{silent}");
    }
}
