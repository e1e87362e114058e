//! The catalog of public graphs (`datasets/catalog.json`, embedded in the binary) and the local
//! cache of downloaded files: fetch (download, checksum, store atomically), convert to `.cgr`,
//! and re-verify.
//!
//! Cache layout: `CACHE/NAME/FILE` (the file as published, e.g. `.txt.gz`) and
//! `CACHE/NAME/NAME.cgr` (converted). A download goes to a temporary file in `CACHE/NAME/` and is
//! renamed into place only when its length and SHA-256 are right, so a failed or refused
//! download leaves nothing behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::http;
use crate::graph::BuildOptions;
use crate::io::{Format, ReadOptions};
use crate::{Error, Result};

/// The catalog as shipped in the repository.
const CATALOG: &str = include_str!("../../datasets/catalog.json");

/// One graph in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    /// Its name on the command line.
    pub name: String,
    /// Who publishes it (SNAP, LAW, DIMACS, ...).
    pub collection: String,
    /// `shared` (in the team's `../shared/datasets`) or `public`.
    pub location: String,
    /// Where it is published, when there is a stable URL.
    pub url: Option<String>,
    /// The file name (shared: its path inside the shared folder), fetched as `URL_BASE/file`.
    pub file: Option<String>,
    /// Its format, when costgraph can read it.
    pub format: Option<Format>,
    /// `gz`, `zst` or none.
    pub compression: Option<String>,
    /// Size of the file as downloaded, when known.
    pub bytes: Option<u64>,
    /// SHA-256 of the file as downloaded, when one is published.
    pub sha256: Option<String>,
    /// Where the checksum comes from (or why there is none).
    pub sha256_source: String,
    /// Nodes, as published.
    pub nodes: Option<u64>,
    /// Edges (undirected graphs) or arcs (directed ones), as published.
    pub edges: Option<u64>,
    /// Whether the edges are directed.
    pub directed: bool,
    /// Whether it has edge weights.
    pub weighted: bool,
    /// How to cite it.
    pub citation: String,
    /// Anything else worth knowing.
    pub notes: String,
}

/// The catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Layout version of `catalog.json`.
    pub schema_version: u32,
    /// What the fields mean.
    pub description: String,
    /// The graphs.
    pub datasets: Vec<Dataset>,
}

impl Catalog {
    /// The catalog compiled into this binary.
    pub fn embedded() -> Result<Catalog> {
        serde_json::from_str(CATALOG).map_err(|e| Error::invalid(format!("datasets/catalog.json: {e}")))
    }

    /// The dataset called `name`, or an error listing the names.
    pub fn find(&self, name: &str) -> Result<&Dataset> {
        self.datasets.iter().find(|d| d.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.datasets.iter().map(|d| d.name.as_str()).collect();
            Error::invalid(format!("no dataset '{name}' in the catalog (known: {})", names.join(", ")))
        })
    }
}

/// The cache folder: `explicit`, else `$COSTGRAPH_CACHE`, else `datasets/cache` (relative to the
/// current folder; gitignored in the repository).
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("COSTGRAPH_CACHE").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("datasets/cache"))
}

impl Dataset {
    fn file_name(&self) -> Result<&str> {
        let file = self
            .file
            .as_deref()
            .ok_or_else(|| Error::invalid(format!("{} cannot be downloaded as one file: {}", self.name, self.notes)))?;
        Ok(file.rsplit('/').next().unwrap_or(file))
    }

    /// Where the downloaded file is kept.
    pub fn cached_path(&self, cache: &Path) -> Result<PathBuf> {
        Ok(cache.join(&self.name).join(self.file_name()?))
    }

    /// Where the converted `.cgr` is kept.
    pub fn cgr_path(&self, cache: &Path) -> PathBuf {
        cache.join(&self.name).join(format!("{}.cgr", self.name))
    }

    /// Where to get the file: `url_base/file` when a base is given (an `http://` URL or a local
    /// folder), else the published URL.
    pub fn source(&self, url_base: Option<&str>) -> Result<String> {
        let file = self.file.as_deref().ok_or_else(|| Error::invalid(format!("{}: {}", self.name, self.notes)))?;
        match (url_base, &self.url) {
            (Some(base), _) => Ok(format!("{}/{file}", base.trim_end_matches('/'))),
            (None, Some(url)) => Ok(url.clone()),
            (None, None) => Err(Error::invalid(format!(
                "{} has no public URL ({}); say where it is with --url-base URL-OR-FOLDER",
                self.name, self.notes
            ))),
        }
    }
}

/// A reader and its declared length.
fn open_source(source: &str) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
    if source.contains("://") {
        let response = http::get(source)?;
        return Ok((response.body, response.content_length));
    }
    let path = Path::new(source);
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    Ok((Box::new(file), Some(len)))
}

/// Downloads `dataset` from `source` (see [`Dataset::source`]) into `cache`, checking the length
/// and the SHA-256, and returns the stored path and its SHA-256. `progress(bytes_so_far, total)`
/// is called as bytes arrive. Refuses (leaving nothing in the cache) a short download or a
/// checksum mismatch. A dataset without a published checksum is stored and its checksum returned
/// for the caller to report.
pub fn fetch(
    dataset: &Dataset,
    cache: &Path,
    source: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<(PathBuf, String)> {
    let target = dataset.cached_path(cache)?;
    let dir = target.parent().expect("cached files live in a folder").to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let result = download(dataset, &dir, &target, source, progress);
    if result.is_err() {
        // Only removes the folder when the failed download left it empty.
        let _ = std::fs::remove_dir(&dir);
    }
    result.map(|sha| (target, sha))
}

fn download(
    dataset: &Dataset,
    dir: &Path,
    target: &Path,
    source: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<String> {
    let (mut body, declared) = open_source(source)?;
    let mut tmp = tempfile::Builder::new().prefix(".download.").tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut received = 0u64;
    loop {
        let n = body.read(&mut buffer).map_err(|e| Error::invalid(format!("{source}: {e}")))?;
        if n == 0 {
            break;
        }
        hash.update(&buffer[..n]);
        tmp.write_all(&buffer[..n]).map_err(|e| Error::io(tmp.path(), e))?;
        received += n as u64;
        progress(received, declared);
    }
    if let Some(expected) = declared.filter(|&d| d != received) {
        return Err(Error::invalid(format!(
            "{source}: truncated download ({received} of {expected} bytes); nothing was stored"
        )));
    }
    let actual = format!("{:x}", hash.finalize());
    if let Some(expected) = &dataset.sha256
        && *expected != actual
    {
        return Err(Error::invalid(format!(
            "{source}: checksum mismatch (sha256 {actual}, catalog says {expected}); nothing was stored"
        )));
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(target).map_err(|e| Error::io(target, e.error))?;
    Ok(actual)
}

/// Converts the cached download of `dataset` to `.cgr` (through the text readers) and returns
/// the `.cgr`'s path.
pub fn convert(dataset: &Dataset, cache: &Path) -> Result<PathBuf> {
    let input = dataset.cached_path(cache)?;
    let options = ReadOptions { format: dataset.format, directed: Some(dataset.directed), ..ReadOptions::default() };
    let csr = crate::io::load_graph(&input, &options, BuildOptions::directed())?;
    let output = dataset.cgr_path(cache);
    crate::io::cgr::write(&csr, &output)?;
    Ok(output)
}

/// The state of one cached dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Check {
    /// Not in the cache.
    Missing,
    /// Matches the catalog's checksum.
    Ok,
    /// Differs from the catalog's checksum.
    Mismatch {
        /// The file's SHA-256.
        actual: String,
    },
    /// Cached, but the catalog has no checksum to compare with.
    Unverifiable {
        /// The file's SHA-256.
        actual: String,
    },
}

/// Re-checks the cached file of `dataset` against the catalog.
pub fn verify(dataset: &Dataset, cache: &Path) -> Result<Check> {
    let Ok(path) = dataset.cached_path(cache) else {
        return Ok(Check::Missing);
    };
    if !path.is_file() {
        return Ok(Check::Missing);
    }
    let actual = super::provenance::sha256_file(&path)?;
    Ok(match &dataset.sha256 {
        Some(expected) if *expected == actual => Check::Ok,
        Some(_) => Check::Mismatch { actual },
        None => Check::Unverifiable { actual },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_complete() {
        let catalog = Catalog::embedded().unwrap();
        for name in
            ["soc-livejournal1", "com-orkut", "twitter-rv", "web-google", "roadnet-ca", "com-dblp", "uk-2007-05"]
        {
            assert!(catalog.find(name).unwrap().nodes.is_some(), "{name}");
        }
        let ny = catalog.find("usa-road-d-ny").unwrap();
        assert_eq!(ny.sha256.as_deref(), Some("7b2446c7ffe6179efbc42af6812448e8cb782f12968ca2bb1d50d979343056d4"));
        for d in &catalog.datasets {
            assert!(d.sha256.as_ref().is_none_or(|s| s.len() == 64), "{}", d.name);
            assert!(d.location == "shared" || d.location == "public", "{}", d.name);
            if d.location == "shared" {
                assert!(d.sha256.is_some() && d.file.is_some(), "{}", d.name);
            }
        }
        assert!(catalog.find("nope").unwrap_err().to_string().contains("email-enron"));
    }

    #[test]
    fn sources() {
        let catalog = Catalog::embedded().unwrap();
        let enron = catalog.find("email-enron").unwrap();
        assert_eq!(enron.source(Some("http://h/x/")).unwrap(), "http://h/x/snap/Email-Enron.txt.zst");
        assert!(enron.source(None).unwrap_err().to_string().contains("--url-base"));
        assert_eq!(enron.cached_path(Path::new("c")).unwrap(), Path::new("c/email-enron/Email-Enron.txt.zst"));
        let lj = catalog.find("soc-livejournal1").unwrap();
        assert_eq!(lj.source(None).unwrap(), "https://snap.stanford.edu/data/soc-LiveJournal1.txt.gz");
        assert!(catalog.find("graph500").unwrap().source(None).unwrap_err().to_string().contains("generate kron"));
    }
}
