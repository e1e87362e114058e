//! The lock file (`datasets/catalog.lock.json`): the size and SHA-256 of each dataset file whose
//! host publishes no checksum, recorded by the first fetch, so that later fetches (anyone's, from
//! a clone) must get the same bytes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What the lock file records of one file: its size and SHA-256 as first fetched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locked {
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// The lock file: sizes and checksums of the files whose host publishes no checksum, keyed by
/// `DATASET/FILE`. Commit it beside the catalog so that everyone fetches the same bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Layout version.
    pub schema_version: u32,
    /// What the file is.
    pub description: String,
    /// The records.
    pub files: BTreeMap<String, Locked>,
}

impl Lock {
    /// Reads the lock file at `path`; a missing one is empty.
    pub fn load(path: &Path) -> Result<Lock> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| Error::format(path, format!("not a lock file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock {
                schema_version: 1,
                description: "Size and SHA-256 of dataset files whose host publishes no checksum, recorded by the \
                              first `costgraph datasets fetch` (keys: DATASET/FILE). Later fetches must match; \
                              `--update-lock` accepts a change."
                    .into(),
                files: BTreeMap::new(),
            }),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Writes the lock file atomically (a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut tmp = tempfile::Builder::new().prefix(".lock.").tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        let text = serde_json::to_string_pretty(self).expect("the lock serializes") + "\n";
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| Error::io(tmp.path(), e))?;
        tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
        Ok(())
    }

    /// The record of the file called `name` (in the cache) of the dataset called `dataset`.
    pub fn get(&self, dataset: &str, name: &str) -> Option<&Locked> {
        self.files.get(&Self::key(dataset, name))
    }

    /// The key of a record: `DATASET/FILE`.
    pub fn key(dataset: &str, name: &str) -> String {
        format!("{dataset}/{name}")
    }
}
