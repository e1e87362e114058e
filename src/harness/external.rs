//! External systems in the sweep: any command — the user's own system, a GBBS or gapbs binary, a
//! Spark job — measured and verified like a built-in implementation, and marked `external` in
//! every table, plot and COST figure.
//!
//! An [`ExternalSpec`] (JSON, inline or in a file; one object or an array) names the system, its
//! problem, a command template and how to read its output:
//!
//! ```json
//! { "name": "gapbs-cc", "problem": "cc", "format": "el", "cores": [1, 2],
//!   "command": "OMP_NUM_THREADS={threads} ./cc -f {graph} -n 1",
//!   "time": { "regex": "Trial Time:\\s+([0-9.]+)" },
//!   "answer": { "components": { "regex": "(\\d+) components" } } }
//! ```
//!
//! - `command` runs under `/bin/sh -c` with `{graph}` (the graph in `format`: `el`, `wel` or
//!   `cgr`, written once into a cache and re-used), `{threads}` / `{workers}` / `{cores}` (the
//!   core count of the configuration), `{nodes}` (the node count: an edge list does not name
//!   isolated nodes, which count as components) and `{labels}` (a file the command writes) replaced;
//! - `time`: `{"regex": R}` (every match of R's first group, in seconds, is one sample — so a tool
//!   that runs several trials gives several), or `{"json": "a.b"}` (a number or an array of numbers
//!   at that path of the JSON it prints); omitted: the whole process's wall-clock time;
//! - `answer` (required — every output is verified against the baseline): `{"components": X}` or
//!   `{"weight": X}` (X a regex or JSON extraction as above; compared with the baseline's component
//!   count or forest weight), or `"labels"`: the command writes one component label per node, one
//!   per line, to `{labels}`, and the partition must equal the baseline's exactly;
//! - `cores`: the core counts to run (default: the sweep's).
//!
//! Each invocation is one process; the sweep's warm-up invocations run first, uncounted. costgraph
//! cannot tell whether an external program changed, so `--resume` re-uses its records whenever its
//! spec, the graph and costgraph itself are unchanged.

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::stats::Summary;
use super::sweep::{Configuration, Failure, FailureKind, Layout, Policy, RunRecord, run_child};
use crate::algo::cc::Components;
use crate::graph::Csr;
use crate::registry::{Kind, Output, Problem};
use crate::{Error, Result};

/// Where a figure is read from in an external system's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extract {
    /// A regular expression whose first group is the figure; every match counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// A dotted path into the JSON document printed on stdout (or on its last line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
}

/// How an external system's answer is read, for verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// The number of connected components (cc).
    Components(Extract),
    /// The total weight of the minimum spanning forest (msf).
    Weight(Extract),
    /// A file of one component label per node, written to `{labels}` (cc).
    Labels,
}

/// The input format an external system reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// `u v` per line, each undirected edge once.
    El,
    /// `u v w` per line.
    Wel,
    /// costgraph's binary format.
    Cgr,
}

impl InputFormat {
    fn extension(self) -> &'static str {
        match self {
            InputFormat::El => "el",
            InputFormat::Wel => "wel",
            InputFormat::Cgr => "cgr",
        }
    }
}

/// An external system, as the user describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSpec {
    /// Its name in the tables (must not be a registered implementation's).
    pub name: String,
    /// `cc` or `msf`.
    pub problem: String,
    /// The command template (see the module doc).
    pub command: String,
    /// The format `{graph}` is written in.
    #[serde(default = "default_format")]
    pub format: InputFormat,
    /// Core counts to run (default: the sweep's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cores: Vec<usize>,
    /// Where its compute time is read (default: the process's wall-clock time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Extract>,
    /// How its answer is read.
    pub answer: Answer,
}

fn default_format() -> InputFormat {
    InputFormat::El
}

/// Placeholders a command template may use.
const PLACEHOLDERS: [&str; 6] = ["{graph}", "{threads}", "{workers}", "{cores}", "{nodes}", "{labels}"];

impl Extract {
    /// The compiled regex, checked to have a group; `what` names the field in errors.
    fn check(&self, what: &str) -> Result<Option<Regex>> {
        match (&self.regex, &self.json) {
            (Some(r), None) => {
                let re = Regex::new(r).map_err(|e| Error::invalid(format!("{what}: bad regex {r:?}: {e}")))?;
                if re.captures_len() < 2 {
                    return Err(Error::invalid(format!("{what}: the regex {r:?} needs a (group) around the figure")));
                }
                Ok(Some(re))
            }
            (None, Some(path)) if !path.is_empty() => Ok(None),
            _ => Err(Error::invalid(format!("{what}: give exactly one of \"regex\" and \"json\""))),
        }
    }

    /// Every figure this extraction finds in a process's output.
    fn figures(&self, stdout: &str, stderr: &str) -> std::result::Result<Vec<f64>, String> {
        if let Some(r) = &self.regex {
            let re = Regex::new(r).map_err(|e| e.to_string())?;
            let both = format!("{stdout}\n{stderr}");
            let found: std::result::Result<Vec<f64>, String> = re
                .captures_iter(&both)
                .map(|c| {
                    let text = c.get(1).map_or("", |m| m.as_str());
                    text.trim().parse::<f64>().map_err(|_| format!("{text:?} (matched by {r:?}) is not a number"))
                })
                .collect();
            let found = found?;
            if found.is_empty() {
                return Err(format!("nothing in its output matches {r:?}"));
            }
            return Ok(found);
        }
        let path = self.json.as_deref().unwrap_or_default();
        let doc = serde_json::from_str::<serde_json::Value>(stdout)
            .ok()
            .or_else(|| stdout.lines().rev().find(|l| !l.trim().is_empty()).and_then(|l| serde_json::from_str(l).ok()))
            .ok_or_else(|| "its stdout is not JSON".to_string())?;
        let value =
            path.split('.').try_fold(&doc, |v, key| v.get(key)).ok_or_else(|| format!("its JSON has no {path:?}"))?;
        let numbers: Option<Vec<f64>> = match value {
            serde_json::Value::Array(items) => items.iter().map(serde_json::Value::as_f64).collect(),
            v => v.as_f64().map(|x| vec![x]),
        };
        numbers
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("{path:?} in its JSON is not a number or a list of numbers"))
    }
}

impl ExternalSpec {
    /// The specs in `spec`: an inline JSON object or array, or the path of a file holding one.
    pub fn parse_all(spec: &str) -> Result<Vec<ExternalSpec>> {
        let trimmed = spec.trim_start();
        let (text, origin) = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            (spec.to_string(), "--external".to_string())
        } else {
            let path = Path::new(spec);
            (std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?, path.display().to_string())
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::invalid(format!("{origin}: not JSON: {e}")))?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        items
            .into_iter()
            .map(|item| {
                let spec: ExternalSpec =
                    serde_json::from_value(item).map_err(|e| Error::invalid(format!("{origin}: {e}")))?;
                spec.check().map_err(|e| Error::invalid(format!("{origin}: external system {:?}: {e}", spec.name)))?;
                Ok(spec)
            })
            .collect()
    }

    /// The problem it solves.
    pub fn problem(&self) -> Result<Problem> {
        Problem::ALL
            .into_iter()
            .find(|p| p.name() == self.problem)
            .ok_or_else(|| Error::invalid(format!("unknown problem {:?} (cc or msf)", self.problem)))
    }

    /// Checks everything that can be checked before running it.
    pub fn check(&self) -> Result<()> {
        if self.name.is_empty() || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(Error::invalid("the name must be letters, digits, '-', '_' or '.'"));
        }
        let problem = self.problem()?;
        if !self.command.contains("{graph}") {
            return Err(Error::invalid("the command must contain {graph}"));
        }
        if self.cores.contains(&0) {
            return Err(Error::invalid("cores must be at least 1"));
        }
        if let Some(t) = &self.time {
            t.check("time")?;
        }
        match (&self.answer, problem) {
            (Answer::Components(x), Problem::Cc) => drop(x.check("answer.components")?),
            (Answer::Weight(x), Problem::Msf) => drop(x.check("answer.weight")?),
            (Answer::Labels, Problem::Cc) if self.command.contains("{labels}") => {}
            (Answer::Labels, Problem::Cc) => {
                return Err(Error::invalid("answer \"labels\" needs {labels} in the command"));
            }
            (_, Problem::Pagerank) => {
                return Err(Error::invalid("external pagerank systems cannot be verified yet (cc or msf)"));
            }
            (Answer::Components(_) | Answer::Labels, _) => {
                return Err(Error::invalid("components and labels answer cc, not msf"));
            }
            (Answer::Weight(_), _) => return Err(Error::invalid("a forest weight answers msf, not cc")),
        }
        if problem == Problem::Msf && self.format == InputFormat::El {
            return Err(Error::invalid("msf needs weights: use format \"wel\" or \"cgr\""));
        }
        Ok(())
    }

    /// Its configurations in a sweep of `policy` on `input` (the graph in its format), with labels
    /// files (when it writes them) in `scratch`. `graph` is the loaded graph (for its size).
    pub fn configurations(
        &self,
        policy: &Policy,
        input: &Path,
        graph: &Csr,
        scratch: &Path,
    ) -> Result<Vec<Configuration>> {
        let problem = self.problem()?;
        let cores = if self.cores.is_empty() { policy.core_counts.clone() } else { self.cores.clone() };
        Ok(cores
            .into_iter()
            .map(|cores| {
                let labels = matches!(self.answer, Answer::Labels)
                    .then(|| scratch.join(format!("{}-{cores}.labels", self.name)));
                let command = self.expand(input, cores, graph.num_nodes(), labels.as_deref());
                Configuration {
                    problem,
                    implementation: self.name.clone(),
                    kind: Kind::External,
                    layout: Layout::Cores { cores },
                    args: Vec::new(),
                    external: Some(ExternalCommand {
                        spec: self.clone(),
                        command,
                        labels,
                        nodes: graph.num_nodes() as u64,
                        arcs: graph.num_arcs(),
                    }),
                }
            })
            .collect())
    }

    /// The command with its placeholders replaced (paths quoted for the shell).
    fn expand(&self, input: &Path, cores: usize, nodes: usize, labels: Option<&Path>) -> String {
        let values = [
            shell_quote(&input.display().to_string()),
            cores.to_string(),
            cores.to_string(),
            cores.to_string(),
            nodes.to_string(),
            labels.map_or(String::new(), |l| shell_quote(&l.display().to_string())),
        ];
        PLACEHOLDERS.iter().zip(values).fold(self.command.clone(), |cmd, (p, v)| cmd.replace(p, &v))
    }
}

/// Writes (once) the graph in `format` into `cache` and returns its path; a `.cgr` graph is used
/// as it is for format `cgr`. The file name carries the graph's sha256, so a cached file is
/// always the current graph's (files are written atomically).
pub fn input_file(
    graph_path: &Path,
    graph: &Csr,
    graph_sha256: &str,
    format: InputFormat,
    cache: &Path,
) -> Result<PathBuf> {
    if format == InputFormat::Cgr && graph_path.extension().is_some_and(|e| e == "cgr") {
        return Ok(graph_path.to_path_buf());
    }
    let path = cache.join(format!("{}.{}", &graph_sha256[..graph_sha256.len().min(16)], format.extension()));
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    match format {
        InputFormat::Cgr => crate::io::cgr::write(graph, &path)?,
        InputFormat::El => crate::io::write_edge_list(graph, &path, false)?,
        InputFormat::Wel => crate::io::write_edge_list(graph, &path, true)?,
    }
    Ok(path)
}

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

    fn spec(json: &str) -> Result<Vec<ExternalSpec>> {
        ExternalSpec::parse_all(json)
    }

    #[test]
    fn specs_are_checked_before_anything_runs() {
        let ok = r#"{"name":"my-cc","problem":"cc","command":"x {graph} {threads}","answer":{"components":{"regex":"c=(\\d+)"}}}"#;
        let s = &spec(ok).unwrap()[0];
        assert_eq!((s.format, s.time.is_none()), (InputFormat::El, true));
        let err = |json: &str| spec(json).unwrap_err().to_string();
        assert!(err(r#"{"name":"a","problem":"cc","command":"x","answer":"labels"}"#).contains("must contain {graph}"));
        assert!(
            err(r#"{"name":"a","problem":"cc","command":"x {graph}","answer":"labels"}"#).contains("needs {labels}")
        );
        assert!(
            err(r#"{"name":"a","problem":"msf","command":"x {graph}","format":"wel","answer":"labels"}"#)
                .contains("answer cc, not msf")
        );
        assert!(
            err(r#"{"name":"a","problem":"msf","command":"x {graph}","answer":{"weight":{"json":"w"}}}"#)
                .contains("use format \"wel\"")
        );
        assert!(
            err(r#"{"name":"a","problem":"cc","command":"x {graph}","answer":{"components":{"regex":"\\d+"}}}"#)
                .contains("needs a (group)")
        );
        assert!(
            err(r#"{"name":"a","problem":"cc","command":"x {graph}","answer":{"components":{}}}"#)
                .contains("exactly one of")
        );
        assert!(
            err(r#"{"name":"a","problem":"pagerank","command":"x {graph}","answer":"labels"}"#)
                .contains("cannot be verified")
        );
        assert!(err(r#"{"name":"a b","problem":"cc","command":"x {graph}","answer":"labels"}"#).contains("the name"));
        assert!(
            err(r#"{"name":"a","problem":"cc","command":"x {graph}","answer":"labels","typo":1}"#)
                .contains("unknown field")
        );
        assert!(err("/nonexistent/spec.json").contains("/nonexistent/spec.json"));
        assert_eq!(spec(&format!("[{ok},{ok}]")).unwrap().len(), 2);
    }

    #[test]
    fn placeholders_are_replaced_and_paths_quoted() {
        let s = &spec(r#"{"name":"a","problem":"cc","command":"run -t {threads} -w {workers} {graph} {nodes} > {labels}","answer":"labels"}"#)
            .unwrap()[0];
        let cmd = s.expand(Path::new("/tmp/my graph.el"), 4, 10, Some(Path::new("/tmp/l")));
        assert_eq!(cmd, "run -t 4 -w 4 '/tmp/my graph.el' 10 > /tmp/l");
    }

    #[test]
    fn figures_come_from_regexes_or_json() {
        let re = Extract { regex: Some(r"Trial Time:\s+([0-9.]+)".into()), json: None };
        assert_eq!(re.figures("Trial Time: 0.5\nTrial Time: 0.25\n", "").unwrap(), [0.5, 0.25]);
        assert!(re.figures("nothing", "").unwrap_err().contains("matches"));
        let json = Extract { regex: None, json: Some("result.components".into()) };
        assert_eq!(json.figures("log line\n{\"result\":{\"components\":7}}\n", "").unwrap(), [7.0]);
        let times = Extract { regex: None, json: Some("compute_secs".into()) };
        assert_eq!(times.figures("{\"compute_secs\":[0.1,0.2]}", "").unwrap(), [0.1, 0.2]);
        assert!(json.figures("{}", "").unwrap_err().contains("no \"result.components\""));
        assert!(json.figures("not json", "").unwrap_err().contains("not JSON"));
    }

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
