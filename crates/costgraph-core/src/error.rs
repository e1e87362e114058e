//! The library's error type: every failure names the file (and line, where there is one) or the problem.

use std::path::{Path, PathBuf};

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library. Each variant renders as one clear sentence.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system error on a named file.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error (part of the message, so not repeated as a `source`).
        cause: std::io::Error,
    },
    /// Malformed text input, with the 1-based line number.
    #[error("{}:{line}: {msg}", path.display())]
    Parse {
        /// The input file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with the line.
        msg: String,
    },
    /// A file that is not what it claims to be as a whole (corrupt `.cgr`, wrong header, bad section).
    #[error("{}: {msg}", path.display())]
    Format {
        /// The input file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// More distinct nodes than `u32` ids can name.
    #[error(
        "too many nodes: {count} (costgraph uses u32 node ids and allows at most {max})",
        max = crate::graph::MAX_NODES
    )]
    TooManyNodes {
        /// The number of nodes that was asked for.
        count: u64,
    },
    /// Something needs more memory than the budget (`--memory`) or the machine allows.
    #[error("{what} needs {}, but {limit}: {advice}", crate::units::human_bytes(*needed))]
    OverBudget {
        /// What needs the memory.
        what: String,
        /// The bytes it needs.
        needed: u64,
        /// The limit, said in words ("the memory budget is 1.0 GiB (--memory)").
        limit: String,
        /// What to do about it.
        advice: String,
    },
    /// An argument or configuration that cannot be used.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), cause: source }
    }

    /// A parse error at `path:line`.
    pub fn parse(path: impl AsRef<Path>, line: u64, msg: impl Into<String>) -> Self {
        Error::Parse { path: path.as_ref().to_path_buf(), line, msg: msg.into() }
    }

    /// A whole-file format error on `path`.
    pub fn format(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Format { path: path.as_ref().to_path_buf(), msg: msg.into() }
    }

    /// An invalid argument or configuration.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}
