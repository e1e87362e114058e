//! What a report records about where it was measured: the machine, the versions, the git commit
//! and the dataset's checksum.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::sysinfo;

/// The machine a sweep ran on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name, when the OS reports it.
    pub cpu_model: Option<String>,
    /// Cores this process may use.
    pub cores: usize,
    /// Total physical memory.
    pub memory_bytes: Option<u64>,
    /// Memory available to new processes when the sweep started.
    pub available_memory_bytes: Option<u64>,
    /// Operating system and architecture.
    pub os: String,
    /// The kernel's release.
    #[serde(default)]
    pub kernel: Option<String>,
    /// The machine's host name.
    #[serde(default)]
    pub hostname: Option<String>,
}

impl Machine {
    /// This machine, now.
    pub fn current() -> Machine {
        Machine {
            cpu_model: sysinfo::cpu_model(),
            cores: sysinfo::cores(),
            memory_bytes: sysinfo::total_memory_bytes(),
            available_memory_bytes: sysinfo::available_memory_bytes(),
            os: sysinfo::os(),
            kernel: sysinfo::kernel(),
            hostname: sysinfo::hostname(),
        }
    }
}

/// One machine of a multi-machine configuration, as its costgraph process reported itself when it
/// started: the provenance a report keeps per host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    /// The host's name in the hosts file (what the launch template was given).
    pub host: String,
    /// The machine.
    pub machine: Machine,
    /// The SHA-256 of the costgraph binary that ran there.
    pub binary_sha256: String,
    /// Its 1-minute load average when the process started.
    pub load_average: Option<f64>,
}

impl HostFacts {
    /// This process's machine, as host `host`, running the binary of `binary_sha256`.
    pub fn current(host: &str, binary_sha256: String) -> HostFacts {
        HostFacts {
            host: host.to_string(),
            machine: Machine::current(),
            binary_sha256,
            load_average: sysinfo::load_average(),
        }
    }
}

/// Versions and machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// This crate's version.
    pub costgraph_version: String,
    /// The compiler that built this binary (`rustc --version` at build time).
    pub rustc: String,
    /// `git rev-parse HEAD` of the source tree this binary was built from (with `-dirty` when it
    /// has uncommitted changes), or `unknown`.
    pub git_commit: String,
    /// The machine.
    pub machine: Machine,
}

impl Provenance {
    /// Collects the provenance of this binary on this machine.
    pub fn collect() -> Provenance {
        Provenance {
            costgraph_version: env!("CARGO_PKG_VERSION").into(),
            rustc: option_env!("COSTGRAPH_RUSTC_VERSION").unwrap_or("unknown").into(),
            git_commit: git_commit(Path::new(env!("CARGO_MANIFEST_DIR"))),
            machine: Machine::current(),
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit checked out in `dir` (`-dirty` when tracked files changed), or `unknown`.
pub fn git_commit(dir: &Path) -> String {
    match git(dir, &["rev-parse", "HEAD"]) {
        Some(commit) if !commit.is_empty() => {
            let dirty = git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{commit}-dirty") } else { commit }
        }
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(git_commit(dir.path()), "unknown");
        let p = Provenance::collect();
        assert!(p.rustc.starts_with("rustc "), "{}", p.rustc);
        assert!(p.machine.cores >= 1);
    }
}
