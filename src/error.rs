//! costgraph's error type: the core layers' [`costgraph_core::Error`] (a file, a line, a budget,
//! an argument), or a distributed run that failed.

use std::path::Path;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library. Each variant renders as one clear sentence.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A failure of the core layers (I/O on a named file, malformed input, a memory budget, an
    /// invalid argument).
    #[error(transparent)]
    Core(#[from] costgraph_core::Error),
    /// A distributed run that failed: a peer that never connected, a lost connection, a worker
    /// that failed.
    #[error("{0}")]
    Cluster(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        costgraph_core::Error::io(path, source).into()
    }

    /// A parse error at `path:line`.
    pub fn parse(path: impl AsRef<Path>, line: u64, msg: impl Into<String>) -> Self {
        costgraph_core::Error::parse(path, line, msg).into()
    }

    /// A whole-file format error on `path`.
    pub fn format(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        costgraph_core::Error::format(path, msg).into()
    }

    /// An invalid argument or configuration.
    pub fn invalid(msg: impl Into<String>) -> Self {
        costgraph_core::Error::invalid(msg).into()
    }
}
