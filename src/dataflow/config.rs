//! Cluster configuration: how many worker threads run in each of how many processes, which of them
//! this process is, and where every process listens. Validated before anything starts, and turned
//! into timely's configuration by our own code (timely's `execute_from_args` parses flags that
//! clash with the command line's).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::key::ClusterKey;
use crate::{Error, Result};

/// The first port of the default addresses `127.0.0.1:PORT+i`.
pub const DEFAULT_BASE_PORT: u16 = 2101;

/// The most worker threads one process may start (far above any core count; a typo such as
/// `--workers 100000` would otherwise spend minutes creating threads).
pub const MAX_WORKERS: usize = 1024;

/// The most processes a cluster may have.
pub const MAX_PROCESSES: usize = 1024;

/// How long processes wait for each other to connect before giving up (the fault-handling bound).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// A timely cluster: `processes` processes with `workers` worker threads each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Worker threads in each process (the same everywhere; checked when processes connect).
    pub workers: usize,
    /// Number of processes.
    pub processes: usize,
    /// This process's index, `0..processes`. Process 0 hosts worker 0, which reports the result.
    pub process: usize,
    /// The address every process listens on (`host:port`), one per process.
    pub addresses: Vec<String>,
    /// How long to wait for the other processes to connect.
    pub connect_timeout: Duration,
    /// Each process's shard file, when the hostfile names them (empty otherwise): process `i`
    /// opens only `shards[i]`, checked against the manifest in its folder.
    pub shards: Vec<PathBuf>,
    /// The run's key, which every connection between processes must prove (required with
    /// several processes).
    pub key: Option<ClusterKey>,
}

impl ClusterConfig {
    /// One process with `workers` threads.
    pub fn local(workers: usize) -> Result<Self> {
        Self::new(workers, 1, 0, Vec::new())
    }

    /// `processes` processes on this machine, listening on `127.0.0.1:base_port + i`.
    pub fn localhost(workers: usize, processes: usize, process: usize, base_port: u16) -> Result<Self> {
        let last = base_port as u64 + processes.saturating_sub(1) as u64;
        if processes > 1 && last > u16::MAX as u64 {
            return Err(Error::invalid(format!(
                "ports {base_port}..={last} do not fit in 16 bits; choose a lower base port"
            )));
        }
        let addresses = if processes > 1 {
            (0..processes).map(|i| format!("127.0.0.1:{}", base_port as usize + i)).collect()
        } else {
            Vec::new()
        };
        Self::new(workers, processes, process, addresses)
    }

    /// `processes` processes listening on the first `processes` addresses of `hostfile` (one
    /// `host:port` per line, optionally followed by the path of that process's shard, relative to
    /// the hostfile's folder unless absolute: every line or none; blank lines and lines starting
    /// with `#` are skipped).
    pub fn from_hostfile(workers: usize, processes: usize, process: usize, hostfile: &Path) -> Result<Self> {
        let text = crate::io::file::read_text(hostfile, 16 << 20, "a hostfile")?;
        let folder = hostfile.parent().unwrap_or(Path::new(""));
        let mut addresses = Vec::new();
        let mut shards = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if addresses.len() == processes {
                break;
            }
            let bad = |msg: String| Error::parse(hostfile, number as u64 + 1, msg);
            let (address, shard) = match line.split_once(char::is_whitespace) {
                Some((address, shard)) => (address, Some(shard.trim())),
                None => (line, None),
            };
            check_address(address).map_err(bad)?;
            if !addresses.is_empty() && shard.is_some() == shards.is_empty() {
                return Err(bad("name a shard on every line or on none (host:port [SHARD_FILE])".into()));
            }
            addresses.push(address.to_string());
            if let Some(shard) = shard {
                shards.push(folder.join(shard));
            }
        }
        if addresses.len() < processes {
            return Err(Error::format(
                hostfile,
                format!("{} address(es) for {processes} processes (one host:port per line)", addresses.len()),
            ));
        }
        let mut config = Self::new(workers, processes, process, addresses)?;
        config.shards = shards;
        Ok(config)
    }

    /// Builds and validates a configuration from its parts.
    pub fn new(workers: usize, processes: usize, process: usize, addresses: Vec<String>) -> Result<Self> {
        let config = ClusterConfig {
            workers,
            processes,
            process,
            addresses,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            shards: Vec::new(),
            key: None,
        };
        config.validate()?;
        Ok(config)
    }

    /// The same configuration, with the run's key every connection must prove.
    pub fn with_key(mut self, key: ClusterKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Checks the configuration: at least one worker and one process, the index in range, one
    /// parsable address per process (none needed for a single process), no address twice.
    pub fn validate(&self) -> Result<()> {
        if self.workers == 0 {
            return Err(Error::invalid("--workers must be at least 1"));
        }
        if self.processes == 0 {
            return Err(Error::invalid("--processes must be at least 1"));
        }
        if self.workers > MAX_WORKERS {
            return Err(Error::invalid(format!(
                "--workers {} is more than a process can run (at most {MAX_WORKERS})",
                self.workers
            )));
        }
        if self.processes > MAX_PROCESSES {
            return Err(Error::invalid(format!(
                "--processes {} is more than a cluster may have (at most {MAX_PROCESSES})",
                self.processes
            )));
        }
        if self.process >= self.processes {
            return Err(Error::invalid(format!(
                "process index {} is out of range for {} process(es) (valid: 0..={})",
                self.process,
                self.processes,
                self.processes - 1
            )));
        }
        if self.processes > 1 {
            if self.addresses.len() != self.processes {
                return Err(Error::invalid(format!(
                    "{} addresses for {} processes",
                    self.addresses.len(),
                    self.processes
                )));
            }
            for (i, a) in self.addresses.iter().enumerate() {
                check_address(a).map_err(|msg| Error::invalid(format!("address of process {i}: {msg}")))?;
                if self.addresses[..i].contains(a) {
                    return Err(Error::invalid(format!("address {a} is given to two processes")));
                }
            }
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid("the connection timeout must be positive"));
        }
        Ok(())
    }

    /// Total number of workers in the cluster.
    pub fn peers(&self) -> usize {
        self.workers * self.processes
    }

    /// The timely configuration for a single process (`None` for a cluster of several processes,
    /// whose connections [`super::cluster`] makes itself, with a deadline).
    pub fn single_process(&self) -> Option<timely::CommunicationConfig> {
        match (self.processes, self.workers) {
            (1, 1) => Some(timely::CommunicationConfig::Thread),
            (1, w) => Some(timely::CommunicationConfig::Process(w)),
            _ => None,
        }
    }
}

/// Checks that `address` is `host:port` and resolves.
fn check_address(address: &str) -> Result<(), String> {
    if address.parse::<SocketAddr>().is_ok() {
        return Ok(());
    }
    let Some((host, port)) = address.rsplit_once(':') else {
        return Err(format!("'{address}' is not host:port"));
    };
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(format!("'{address}' is not host:port"));
    }
    match address.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(()),
        _ => Err(format!("host of '{address}' does not resolve")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_ranges_and_addresses() {
        assert!(ClusterConfig::local(0).is_err());
        assert!(ClusterConfig::localhost(2, 2, 2, 4000).unwrap_err().to_string().contains("out of range"));
        let c = ClusterConfig::localhost(3, 2, 1, 4000).unwrap();
        assert_eq!(c.addresses, ["127.0.0.1:4000", "127.0.0.1:4001"]);
        assert_eq!(c.peers(), 6);
        assert!(c.single_process().is_none());
        assert!(ClusterConfig::localhost(1, 3, 0, 65535).is_err());
        assert!(ClusterConfig::new(1, 2, 0, vec!["a:1".into(), "nonsense".into()]).is_err());
        assert!(ClusterConfig::new(1, 2, 0, vec!["127.0.0.1:5".into(), "127.0.0.1:5".into()]).is_err());
    }

    #[test]
    fn reads_hostfiles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts");
        std::fs::write(&path, "# cluster\n127.0.0.1:5000\n\n127.0.0.1:5001\n127.0.0.1:5002\n").unwrap();
        let c = ClusterConfig::from_hostfile(2, 2, 0, &path).unwrap();
        assert_eq!(c.addresses, ["127.0.0.1:5000", "127.0.0.1:5001"]);
        let err = ClusterConfig::from_hostfile(2, 4, 0, &path).unwrap_err().to_string();
        assert!(err.contains("3 address(es) for 4 processes"), "{err}");
        std::fs::write(&path, "127.0.0.1:5000\nbad line\n").unwrap();
        let err = ClusterConfig::from_hostfile(2, 2, 0, &path).unwrap_err().to_string();
        assert!(err.contains(":2:"), "{err}");
        std::fs::write(&path, "127.0.0.1:5000 s/part-0.cgr\n127.0.0.1:5001  /abs/part-1.cgr\n").unwrap();
        let c = ClusterConfig::from_hostfile(1, 2, 1, &path).unwrap();
        assert_eq!(c.shards, [dir.path().join("s/part-0.cgr"), PathBuf::from("/abs/part-1.cgr")]);
        std::fs::write(&path, "127.0.0.1:5000 s/part-0.cgr\n127.0.0.1:5001\n").unwrap();
        let err = ClusterConfig::from_hostfile(1, 2, 1, &path).unwrap_err().to_string();
        assert!(err.contains(":2:") && err.contains("every line or on none"), "{err}");
        std::fs::write(&path, "127.0.0.1:5000\n127.0.0.1:5001 s/part-1.cgr\n").unwrap();
        let err = ClusterConfig::from_hostfile(1, 2, 1, &path).unwrap_err().to_string();
        assert!(err.contains(":2:"), "{err}");
    }
}
