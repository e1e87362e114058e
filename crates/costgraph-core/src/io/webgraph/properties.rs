//! A BVGraph's `BASE.properties`, read and checked before the `webgraph` decoder sees it: the
//! decoder sizes buffers from these values and trusts them, so an absurd value (a window of
//! 2^64 - 1 lists, a node count no file of this size can hold) must be refused here.
//!
//! The file is parsed as the `webgraph` crate parses it (Java properties, through the same
//! `java-properties` crate), so both read the same values.

use std::path::Path;

use crate::{Error, Result};

/// The largest reference window accepted. The LAW graphs use 7 (the Java default); thousands
/// would already be absurd. Each window slot is a successor list the decoder keeps.
pub(super) const MAX_WINDOW: u64 = 1 << 16;

/// The largest minimum interval length accepted (0 means "no intervals"); larger values only
/// serve to overflow `start + length`.
pub(super) const MAX_MIN_INTERVAL: u64 = 1 << 16;

/// The largest `.properties` file read.
const MAX_PROPERTIES_BYTES: u64 = 1 << 20;

/// What the decoder needs from a checked `.properties` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Properties {
    /// `nodes`: the node count (fits costgraph's 32-bit ids).
    pub nodes: usize,
    /// `arcs`: the arc count, at most `nodes²`.
    pub arcs: u64,
    /// `windowsize`: how many earlier lists a list may copy from (default 7).
    pub window: u64,
    /// `minintervallength`: added to every coded interval length; 0 means no intervals (default 4).
    pub min_interval: u64,
}

impl Properties {
    /// Bytes the decoder holds before the first node: per window slot, the crate's empty list
    /// header (24 bytes) and the checking layer's degree and kept capacity (8 bytes each).
    pub fn window_bytes(&self) -> u64 {
        40 * (self.window + 1)
    }

    /// Bytes the decoder can need at most while decoding: the window, the `window + 1` successor
    /// lists it keeps (16 bytes per successor, growth included), and one list's sort scratch and
    /// copy (12 bytes per successor); a list has at most `min(nodes, arcs)` successors.
    pub fn decoder_bytes(&self) -> u64 {
        let longest = (self.nodes as u64).min(self.arcs);
        let kept = (self.window + 1).saturating_mul(longest).min(self.arcs);
        self.window_bytes().saturating_add(kept.saturating_mul(16)).saturating_add(longest.saturating_mul(12))
    }
}

/// Reads and checks `path` (`shown` names it in errors) for a `.graph` file of `graph_bytes`
/// bytes: mandatory `nodes` and `arcs`, every value a number in range, and no more nodes than
/// the `.graph` has bits (every node's outdegree takes at least one).
pub(super) fn read(path: &Path, shown: &Path, graph_bytes: u64) -> Result<Properties> {
    let bad = |msg: String| Error::format(shown, msg);
    let text = super::super::file::read_text(path, MAX_PROPERTIES_BYTES, "a WebGraph .properties file")?;
    let map = java_properties::read(text.as_bytes()).map_err(|e| bad(format!("not a properties file: {e}")))?;
    let number = |key: &str, default: Option<u64>| -> Result<u64> {
        match map.get(key) {
            Some(value) => {
                value.trim().parse::<u64>().map_err(|_| bad(format!("{key}={value} is not a whole number in range")))
            }
            None => default.ok_or_else(|| bad(format!("the file declares no `{key}=`"))),
        }
    };
    let nodes = number("nodes", None)?;
    let arcs = number("arcs", None)?;
    let window = number("windowsize", Some(7))?;
    let min_interval = number("minintervallength", Some(4))?;
    let nodes = crate::graph::check_node_count(nodes).map_err(|e| bad(format!("nodes={nodes}: {e}")))?;
    let graph_bits = graph_bytes.saturating_mul(8);
    if nodes as u64 > graph_bits {
        return Err(bad(format!(
            "nodes={nodes} cannot be coded in a .graph of {graph_bytes} bytes (every node takes at least one bit): the \
             .graph is truncated or the .properties wrong"
        )));
    }
    if arcs > (nodes as u64).saturating_mul(nodes as u64) {
        return Err(bad(format!("arcs={arcs} is more than {nodes} nodes can have")));
    }
    if window > MAX_WINDOW {
        return Err(bad(format!("windowsize={window} is absurd (at most {MAX_WINDOW}; LAW graphs use 7)")));
    }
    if min_interval > MAX_MIN_INTERVAL {
        return Err(bad(format!(
            "minintervallength={min_interval} is absurd (0, or at most {MAX_MIN_INTERVAL}; LAW graphs use 4)"
        )));
    }
    if let Some(length) = map.get("length") {
        let bits = length.trim().parse::<u64>().map_err(|_| bad(format!("length={length} is not a whole number")))?;
        if bits > graph_bits {
            return Err(bad(format!(
                "length={bits} bits but the .graph has {graph_bytes} bytes: the .graph is truncated"
            )));
        }
    }
    Ok(Properties { nodes, arcs, window, min_interval })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, graph_bytes: u64) -> std::result::Result<Properties, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.properties");
        std::fs::write(&path, text).unwrap();
        read(&path, &path, graph_bytes).map_err(|e| e.to_string())
    }

    #[test]
    fn values_are_read_with_their_defaults() {
        let p = check("nodes=10\narcs=20\n", 100).unwrap();
        assert_eq!(p, Properties { nodes: 10, arcs: 20, window: 7, min_interval: 4 });
        let p = check("#c\nnodes = 10\narcs:20\nwindowsize=0\nminintervallength=0\nlength=800\n", 100).unwrap();
        assert_eq!((p.window, p.min_interval), (0, 0));
        assert!(p.decoder_bytes() >= p.window_bytes());
    }

    #[test]
    fn absurd_values_are_refused_before_decoding() {
        for (text, want) in [
            ("arcs=1\n", "no `nodes=`"),
            ("nodes=1\n", "no `arcs=`"),
            ("nodes=x\narcs=1\n", "nodes=x"),
            ("nodes=-1\narcs=1\n", "nodes=-1"),
            ("nodes=10000\narcs=1\n", "cannot be coded"),
            ("nodes=99999999999\narcs=1\n", "nodes=99999999999"),
            ("nodes=10\narcs=101\n", "more than 10 nodes"),
            ("nodes=10\narcs=1\nwindowsize=18446744073709551615\n", "windowsize"),
            ("nodes=10\narcs=1\nwindowsize=10000000000\n", "windowsize"),
            ("nodes=10\narcs=1\nwindowsize=18446744073709551616\n", "windowsize"),
            ("nodes=10\narcs=1\nminintervallength=100000\n", "minintervallength"),
            ("nodes=10\narcs=1\nlength=801\n", "truncated"),
        ] {
            let err = check(text, 100).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(err.contains("g.properties"), "{err}");
        }
    }
}
