//! [`ExternalSpec`]: an external system as the user describes it (JSON), checked before
//! anything runs, and how figures are read from its output ([`Extract`]).

use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::harness::template::{Placeholder, Template, value};
use crate::registry::Problem;
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
    /// Matrix Market, with the node count (isolated nodes included).
    Mtx,
    /// LDBC Graphalytics: `{graph}` is the `.e` file, the `.v` (every node) beside it.
    Graphalytics,
    /// gapbs serialized graph: `.sg`, or `.wsg` with weights for msf.
    Gapbs,
    /// GBBS binary graph (`-b`), weighted for msf.
    Gbbs,
}

impl InputFormat {
    /// The file extension of an input in this format, `weighted` or not.
    pub fn extension(self, weighted: bool) -> &'static str {
        match self {
            InputFormat::El => "el",
            InputFormat::Wel => "wel",
            InputFormat::Cgr => "cgr",
            InputFormat::Mtx => "mtx",
            InputFormat::Graphalytics => "e",
            InputFormat::Gapbs if weighted => "wsg",
            InputFormat::Gapbs => "sg",
            InputFormat::Gbbs if weighted => "wbin",
            InputFormat::Gbbs => "bin",
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
pub(super) const PLACEHOLDERS: [Placeholder; 6] =
    [value("graph"), value("threads"), value("workers"), value("cores"), value("nodes"), value("labels")];

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

    /// Every figure this extraction finds in a process's output: for a regex, its first group in
    /// every match (`matched`, gathered line by line as the process ran); for JSON, the number or
    /// numbers at the path in the JSON document that is its stdout, or its last line (`stdout`, the
    /// end of the output that was kept).
    pub(super) fn figures(&self, matched: &[String], stdout: &str) -> std::result::Result<Vec<f64>, String> {
        if let Some(r) = &self.regex {
            let found: std::result::Result<Vec<f64>, String> = matched
                .iter()
                .map(|text| {
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

    /// The compiled regex, when this extraction is one.
    pub(super) fn regex(&self) -> Option<Regex> {
        self.regex.as_deref().and_then(|r| Regex::new(r).ok())
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
            (crate::io::file::read_text(path, 16 << 20, "an external system's spec")?, path.display().to_string())
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

    /// Its command as a template ([`Template`]: values passed as variables, never as shell text).
    pub fn template(&self) -> Result<Template> {
        Template::parse(&self.command, &PLACEHOLDERS, &["graph"], "the command")
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
        let template = self.template()?;
        if self.cores.contains(&0) {
            return Err(Error::invalid("cores must be at least 1"));
        }
        if let Some(t) = &self.time {
            t.check("time")?;
        }
        match (&self.answer, problem) {
            (Answer::Components(x), Problem::Cc) => drop(x.check("answer.components")?),
            (Answer::Weight(x), Problem::Msf) => drop(x.check("answer.weight")?),
            (Answer::Labels, Problem::Cc) if template.uses("labels") => {}
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
    fn figures_come_from_regexes_or_json() {
        let re = Extract { regex: Some(r"Trial Time:\s+([0-9.]+)".into()), json: None };
        assert_eq!(re.figures(&["0.5".into(), " 0.25".into()], "").unwrap(), [0.5, 0.25]);
        assert!(re.figures(&[], "").unwrap_err().contains("matches"));
        let json = Extract { regex: None, json: Some("result.components".into()) };
        assert_eq!(json.figures(&[], "log line\n{\"result\":{\"components\":7}}\n").unwrap(), [7.0]);
        let times = Extract { regex: None, json: Some("compute_secs".into()) };
        assert_eq!(times.figures(&[], "{\"compute_secs\":[0.1,0.2]}").unwrap(), [0.1, 0.2]);
        assert!(json.figures(&[], "{}").unwrap_err().contains("no \"result.components\""));
        assert!(json.figures(&[], "not json").unwrap_err().contains("not JSON"));
    }
}
