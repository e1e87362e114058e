//! What a child `costgraph run --json` reports ([`RunRecord`]), and the check that its output is
//! one such report.

use serde::{Deserialize, Serialize};

use super::provenance::HostFacts;
use crate::{Error, Result};

/// What a child `costgraph run --json` reports (the fields the harness uses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Nodes of the graph.
    pub nodes: u64,
    /// Stored arcs.
    pub arcs: u64,
    /// Threads or workers the child used.
    pub threads: usize,
    /// Seconds to load (map or parse) the graph.
    pub load_secs: f64,
    /// Seconds to prepare the implementation's view (e.g. symmetrize).
    #[serde(default)]
    pub prep_secs: f64,
    /// Each counted computation, in seconds.
    pub compute_secs: Vec<f64>,
    /// The result's summary (component count, forest weight, ...).
    pub result: serde_json::Value,
    /// The result's exact fingerprint (`Output::digest`).
    pub digest: String,
    /// The verifier's verdict, when the child ran it.
    #[serde(default)]
    pub verified: Option<bool>,
    /// The verifier's complaint, when it had one.
    #[serde(default)]
    pub verify_error: Option<String>,
    /// Peak resident memory of the child.
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// Rounds, records and bytes exchanged (timely implementations).
    #[serde(flatten)]
    pub traffic: Traffic,
    /// The machines a multi-machine configuration ran on, each as its process reported itself
    /// (set by the harness, not by the child).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostFacts>,
    /// When a machine was lost and another served its share (set by the harness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
}

/// A multi-machine configuration retried after a machine was lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    /// The machine lost.
    pub lost: String,
    /// The machine that served its share instead.
    pub served_by: String,
    /// How it was lost.
    pub reason: String,
}

/// The traffic of one timely run, as `costgraph run --json` reports it (absent for the others).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traffic {
    /// Supersteps of the last repetition.
    #[serde(default)]
    pub rounds: Option<u64>,
    /// Records sent from one worker to another in it.
    #[serde(default)]
    pub records_exchanged: Option<u64>,
    /// Their bytes.
    #[serde(default)]
    pub bytes_exchanged: Option<u64>,
}

/// Parses a child's stdout: exactly one JSON object with at least one counted time.
pub fn parse_record(stdout: &[u8]) -> Result<RunRecord> {
    let record: RunRecord = serde_json::from_slice(stdout).map_err(|e| {
        let text = String::from_utf8_lossy(stdout);
        let excerpt: String = text.chars().take(120).collect();
        Error::invalid(format!("printed something that is not a run report ({e}): {excerpt:?}"))
    })?;
    if record.compute_secs.is_empty() || record.compute_secs.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(Error::invalid(format!("reported no usable times: {:?}", record.compute_secs)));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_parsed_and_checked() {
        let ok =
            br#"{"nodes":3,"arcs":4,"threads":1,"load_secs":0.1,"compute_secs":[0.2,0.3],"result":{},"digest":"ab"}"#;
        let record = parse_record(ok).unwrap();
        assert_eq!((record.compute_secs.len(), record.prep_secs, record.peak_rss_bytes), (2, 0.0, None));
        let garbage = parse_record(b"hello\n").unwrap_err();
        assert!(garbage.to_string().contains("not a run report"), "{garbage}");
        let empty = parse_record(
            br#"{"nodes":3,"arcs":4,"threads":1,"load_secs":0.1,"compute_secs":[],"result":{},"digest":"ab"}"#,
        );
        assert!(empty.unwrap_err().to_string().contains("no usable times"));
    }
}
