//! The catalog of public graphs (`datasets/catalog.json`, embedded in the binary), its lock file
//! (`datasets/catalog.lock.json`: size and SHA-256 of files whose host publishes no checksum, as
//! first fetched), and the local cache of downloaded files: fetch (download over [`http`],
//! resumable, verified, stored atomically) and re-verify.
//!
//! A file has up to two forms. Its *path* form is the file at `URL-BASE/PATH` (`--url-base`): for
//! the small real graphs the tests read (`shared` entries), the team's zstd recompression of the
//! owner's file, laid out as `$COSTGRAPH_DATASETS` is. Its *public* form is what a fetch without
//! `--url-base` brings: the same file from its `url` (public entries), or the owner's file it was
//! made from (`origin`, with pinned mirrors). Each form has its own name, size and checksum.
//!
//! Cache layout: `CACHE/NAME/FILE` for each of the dataset's files in the form fetched (e.g. a
//! `.txt.gz`, or a BVGraph's `.graph` and `.properties`), and `CACHE/NAME/NAME.cgr` once
//! converted. A download goes to `CACHE/NAME/FILE.part` and is renamed into place only when its
//! size and SHA-256 match the catalog's published checksum or the lock file's record, so the
//! cache never holds an unverified file. A `.part` that was cut off is resumed by the next fetch;
//! one with a wrong published checksum is deleted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod lock;

pub use lock::{Lock, Locked};

use super::http;
use crate::io::Format;
use crate::io::checksum::sha256_file;
use crate::units::human_bytes;
use crate::{Error, Result};

/// The catalog as shipped in the repository.
const CATALOG: &str = include_str!("../../../datasets/catalog.json");

/// One file of a dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its path under `--url-base` (for shared datasets: in the layout of `$COSTGRAPH_DATASETS`);
    /// the cached copy of this form keeps its last component.
    pub path: String,
    /// Where the host publishes exactly this file, when it has a stable URL.
    pub url: Option<String>,
    /// Its size as downloaded, when published.
    pub bytes: Option<u64>,
    /// Its SHA-256 as downloaded, when published.
    pub sha256: Option<String>,
    /// The owner's file this one was made from, when it is not published as it is (a shared
    /// dataset's file is a zstd recompression, some also derived: see the dataset's notes). A
    /// fetch without `--url-base` brings this file instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// The owner's file a [`FileEntry`] was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Where the owner publishes it.
    pub url: String,
    /// Its size, when known.
    pub bytes: Option<u64>,
    /// Its SHA-256, when known (the dataset's `sha256_source` says from where); without one the
    /// lock file pins it on the first fetch.
    pub sha256: Option<String>,
    /// Verbatim copies of the same bytes pinned to a commit, tried in order when the owner's URL
    /// fails or serves other bytes (only beside a `sha256`, which every copy must match).
    #[serde(default)]
    pub mirrors: Vec<String>,
}

/// One form of a file: the name it is cached under, what it must match, and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// Its name in the cache (the last component of its path or URL).
    pub name: String,
    /// Its size, when published.
    pub bytes: Option<u64>,
    /// Its SHA-256, when published.
    pub sha256: Option<String>,
    /// Where to get it, in the order tried.
    pub sources: Vec<String>,
}

/// The last component of a path or URL.
fn last_component(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl FileEntry {
    /// The file's name in its path form (the last component of its path).
    pub fn name(&self) -> &str {
        last_component(&self.path)
    }

    /// The path form: `url_base/path`.
    pub fn path_form(&self, url_base: &str) -> Form {
        Form {
            name: self.name().to_string(),
            bytes: self.bytes,
            sha256: self.sha256.clone(),
            sources: vec![format!("{}/{}", url_base.trim_end_matches('/'), self.path)],
        }
    }

    /// The public form: the owner's file (then its mirrors) where the entry names an origin, else
    /// this file at its URL; `None` when it has neither.
    pub fn public_form(&self) -> Option<Form> {
        match (&self.origin, &self.url) {
            (Some(origin), _) => Some(Form {
                name: last_component(&origin.url).to_string(),
                bytes: origin.bytes,
                sha256: origin.sha256.clone(),
                sources: std::iter::once(&origin.url).chain(&origin.mirrors).cloned().collect(),
            }),
            (None, Some(url)) => Some(Form {
                name: self.name().to_string(),
                bytes: self.bytes,
                sha256: self.sha256.clone(),
                sources: vec![url.clone()],
            }),
            (None, None) => None,
        }
    }

    /// The form a fetch brings: the path form under `url_base` when one is given, else the public
    /// form.
    pub fn form(&self, url_base: Option<&str>) -> Option<Form> {
        match url_base {
            Some(base) => Some(self.path_form(base)),
            None => self.public_form(),
        }
    }

    /// Both forms (one when they have the same name), as a cached copy may be either: the path
    /// form first.
    fn forms(&self) -> Vec<Form> {
        let mut forms = vec![self.path_form("")];
        forms.extend(self.public_form().filter(|f| f.name != self.name()));
        forms
    }
}

/// One graph in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    /// Its name on the command line.
    pub name: String,
    /// Other names it is known by (e.g. `twitter-rv` for LAW's `twitter-2010`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Who publishes it (SNAP, LAW, DIMACS, ...).
    pub collection: String,
    /// `shared` (one of the small real graphs the tests read, which `datasets fetch --small`
    /// brings; also kept in the `$COSTGRAPH_DATASETS` layout) or `public`.
    pub location: String,
    /// Its files; the first is the one converted (a BVGraph's `.graph`). Empty for graphs that
    /// are generated, not downloaded.
    pub files: Vec<FileEntry>,
    /// Its format, when costgraph can read it.
    pub format: Option<Format>,
    /// `gz`, `zst` or none, of the files at their `path`.
    pub compression: Option<String>,
    /// Where the checksums come from (or why there are none).
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

    /// The dataset called `name` (or with that alias), or an error listing the names.
    pub fn find(&self, name: &str) -> Result<&Dataset> {
        self.datasets.iter().find(|d| d.name == name || d.aliases.iter().any(|a| a == name)).ok_or_else(|| {
            let names: Vec<&str> = self.datasets.iter().map(|d| d.name.as_str()).collect();
            Error::invalid(format!("no dataset '{name}' in the catalog (known: {})", names.join(", ")))
        })
    }
}

/// The cache folder: `explicit`, else `$COSTGRAPH_CACHE`, else `datasets/cache` (relative to the
/// current folder; gitignored in the repository).
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    path_setting(explicit, "COSTGRAPH_CACHE", "datasets/cache")
}

/// A path given on the command line, else in the environment variable `var`, else `default`.
fn path_setting(explicit: Option<&Path>, var: &str, default: &str) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(var).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(default))
}

impl Dataset {
    /// Its files, or an error saying why it has none to fetch.
    fn files(&self) -> Result<&[FileEntry]> {
        if self.files.is_empty() {
            return Err(Error::invalid(format!("{} cannot be downloaded: {}", self.name, self.notes)));
        }
        Ok(&self.files)
    }

    /// Whether small: one of the real graphs the tests read (`datasets fetch --small`).
    pub fn is_small(&self) -> bool {
        self.location == "shared"
    }

    /// Where a file called `name` is kept in the cache.
    pub fn cache_path(&self, cache: &Path, name: &str) -> PathBuf {
        cache.join(&self.name).join(name)
    }

    /// The cached copy of `file`, in whichever form is there (the path form first).
    pub fn cached_file(&self, cache: &Path, file: &FileEntry) -> Option<PathBuf> {
        file.forms().into_iter().map(|f| self.cache_path(cache, &f.name)).find(|p| p.is_file())
    }

    /// Whether every file is in the cache.
    pub fn is_cached(&self, cache: &Path) -> bool {
        !self.files.is_empty() && self.files.iter().all(|f| self.cached_file(cache, f).is_some())
    }

    /// Where the converted `.cgr` is kept.
    pub fn cgr_path(&self, cache: &Path) -> PathBuf {
        cache.join(&self.name).join(format!("{}.cgr", self.name))
    }

    /// The form of `file` a fetch brings (see [`FileEntry::form`]), or an error saying that it
    /// has no public one and where to look.
    pub fn form(&self, file: &FileEntry, url_base: Option<&str>) -> Result<Form> {
        file.form(url_base).ok_or_else(|| {
            Error::invalid(format!(
                "{} has no public URL costgraph can fetch: {}; say where it is with --url-base URL-OR-FOLDER",
                self.name, self.notes
            ))
        })
    }
}

/// The lock file: `explicit`, else `$COSTGRAPH_LOCK`, else `datasets/catalog.lock.json` (relative
/// to the current folder, like the cache: in the repository, the committed one).
pub fn lock_path(explicit: Option<&Path>) -> PathBuf {
    path_setting(explicit, "COSTGRAPH_LOCK", "datasets/catalog.lock.json")
}

/// How a fetched file was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verified {
    /// Against the checksum the host publishes (in the catalog).
    Published,
    /// Against the lock file's record.
    Locked,
    /// Not checked: first fetch, now recorded in the lock file.
    Recorded,
    /// Differed from the lock file's record, which `--update-lock` replaced.
    Updated,
}

/// One file after [`fetch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// Its path in the cache.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// How it was checked.
    pub verified: Verified,
    /// Whether it was downloaded now (false: it was already in the cache).
    pub downloaded: bool,
}

/// How [`fetch`] gets files.
pub struct FetchOptions<'a> {
    /// Fetch each file's path form, `URL_BASE/path` (a URL or a local folder), instead of its
    /// public form.
    pub url_base: Option<&'a str>,
    /// The HTTP(S) client.
    pub client: &'a http::Client,
    /// The lock file.
    pub lock: &'a Path,
    /// Accept files that differ from the lock file's records, and record them.
    pub update_lock: bool,
}

/// What [`fetch`] reports as it goes: the file's name (in the form fetched), and the download's
/// progress.
pub type FetchProgress<'a> = dyn FnMut(&str, http::Progress) + 'a;

/// Fetches every file of `dataset` into `cache` in the form `options` asks for (those already
/// cached and matching are kept), checking each against the catalog's published checksum or the
/// lock file, and records the checksums of files with neither in the lock file. Fails (storing
/// nothing more) at the first file that cannot be fetched or does not match; a dataset without
/// the form asked for fails before anything is fetched.
pub fn fetch(
    dataset: &Dataset,
    cache: &Path,
    options: &FetchOptions,
    progress: &mut FetchProgress,
) -> Result<Vec<Fetched>> {
    let forms = dataset.files()?.iter().map(|f| dataset.form(f, options.url_base)).collect::<Result<Vec<_>>>()?;
    let dir = cache.join(&dataset.name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let _exclusive = lock_folder(&dir, &dataset.name)?;
    let mut fetched = Vec::new();
    for form in &forms {
        match fetch_file(dataset, form, cache, options, &mut |p| progress(&form.name, p)) {
            Ok(f) => fetched.push(f),
            Err(e) => {
                // Only removes the dataset's folder when the failure left it empty.
                let _ = std::fs::remove_dir(&dir);
                return Err(e);
            }
        }
    }
    Ok(fetched)
}

/// Holds an exclusive lock on the dataset's cache folder (released when dropped), so that two
/// fetches of one dataset into one cache cannot write the same `.part` file.
#[cfg(unix)]
fn lock_folder(dir: &Path, name: &str) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    let folder = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
    // SAFETY: `folder` is an open file descriptor for the duration of the call.
    if unsafe { libc::flock(folder.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() == std::io::ErrorKind::WouldBlock {
            return Err(Error::invalid(format!(
                "{}: another costgraph is fetching {name} into this cache; let it finish (or stop it) first",
                dir.display()
            )));
        }
        return Err(Error::io(dir, e));
    }
    Ok(folder)
}

/// Without `flock`, concurrent fetches are not excluded.
#[cfg(not(unix))]
fn lock_folder(_dir: &Path, _name: &str) -> Result<()> {
    Ok(())
}

/// What a file must be, when anything says.
enum Expected {
    Published { sha256: String, bytes: Option<u64> },
    Locked(Locked),
}

impl Expected {
    fn of(dataset: &Dataset, form: &Form, lock: &Lock) -> Option<Expected> {
        match (&form.sha256, lock.get(&dataset.name, &form.name)) {
            (Some(sha256), _) => Some(Expected::Published { sha256: sha256.clone(), bytes: form.bytes }),
            (None, Some(locked)) => Some(Expected::Locked(locked.clone())),
            (None, None) => None,
        }
    }

    fn bytes(&self) -> Option<u64> {
        match self {
            Expected::Published { bytes, .. } => *bytes,
            Expected::Locked(locked) => Some(locked.bytes),
        }
    }

    fn matches(&self, sha256: &str, bytes: u64) -> bool {
        match self {
            Expected::Published { sha256: s, bytes: b } => s == sha256 && b.is_none_or(|b| b == bytes),
            Expected::Locked(locked) => locked.sha256 == sha256 && locked.bytes == bytes,
        }
    }
}

/// Fetches one file in `form` from its first source that delivers it whole and matching (a
/// mirror is tried when the owner's URL fails or serves other bytes).
fn fetch_file(
    dataset: &Dataset,
    form: &Form,
    cache: &Path,
    options: &FetchOptions,
    progress: &mut dyn FnMut(http::Progress),
) -> Result<Fetched> {
    let lock = Lock::load(options.lock)?;
    let expected = Expected::of(dataset, form, &lock);
    let target = dataset.cache_path(cache, &form.name);
    let dir = target.parent().expect("cached files live in a folder");
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;

    if target.is_file() {
        let sha256 = sha256_file(&target)?;
        let bytes = target.metadata().map_err(|e| Error::io(&target, e))?.len();
        match &expected {
            Some(e) if e.matches(&sha256, bytes) => {
                let verified =
                    if matches!(e, Expected::Published { .. }) { Verified::Published } else { Verified::Locked };
                return Ok(Fetched { path: target, sha256, bytes, verified, downloaded: false });
            }
            None => {
                record(options.lock, dataset, &form.name, &sha256, bytes)?;
                return Ok(Fetched { path: target, sha256, bytes, verified: Verified::Recorded, downloaded: false });
            }
            // A cached file that no longer matches is fetched again.
            Some(_) => std::fs::remove_file(&target).map_err(|e| Error::io(&target, e))?,
        }
    }

    let part = dir.join(format!("{}.part", form.name));
    let mut sources = form.sources.iter().peekable();
    loop {
        let source = sources.next().expect("a form has a source");
        match download(dataset, form, source, &part, expected.as_ref(), options, progress) {
            Ok((verified, sha256, bytes)) => {
                std::fs::rename(&part, &target).map_err(|e| Error::io(&target, e))?;
                if matches!(verified, Verified::Recorded | Verified::Updated) {
                    record(options.lock, dataset, &form.name, &sha256, bytes)?;
                }
                return Ok(Fetched { path: target, sha256, bytes, verified, downloaded: true });
            }
            Err(e) => match sources.peek() {
                Some(next) => {
                    // The next source starts afresh: nothing of this one's bytes is spliced in.
                    match std::fs::remove_file(&part) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&part, e)),
                        _ => {}
                    }
                    progress(http::Progress::Retrying { reason: format!("{e}; next, the pinned mirror {next}") });
                }
                None => return Err(e),
            },
        }
    }
}

/// Downloads `source` into `part` and checks it: how it was verified, its SHA-256 and size, or an
/// error (a `.part` with a wrong published checksum is deleted; one that differs from the lock
/// file is kept for `--update-lock`).
fn download(
    dataset: &Dataset,
    form: &Form,
    source: &str,
    part: &Path,
    expected: Option<&Expected>,
    options: &FetchOptions,
    progress: &mut dyn FnMut(http::Progress),
) -> Result<(Verified, String, u64)> {
    let dir = part.parent().expect("cached files live in a folder");
    let wanted = expected.filter(|e| !(options.update_lock && matches!(e, Expected::Locked(_))));
    let size_hint = match wanted {
        Some(Expected::Locked(_)) => " (the lock file's record; --update-lock accepts a change)",
        _ => " (the catalog's)",
    };
    let mut check_total = |total: u64| {
        if let Some(bytes) = wanted.and_then(Expected::bytes)
            && bytes != total
        {
            return Err(Error::invalid(format!(
                "{source}: the server offers {total} bytes, but {bytes} are expected{size_hint}; nothing was stored"
            )));
        }
        // Disk space before the body: a download that cannot fit fails now, not hours later.
        let needed = total.saturating_sub(part.metadata().map_or(0, |m| m.len()));
        match crate::sysinfo::free_disk_bytes(dir) {
            Some(free) if free < needed => Err(Error::invalid(format!(
                "{source}: {total} bytes need {} more in {}, which has {} free; make room, or fetch into another \
                 cache with --cache DIR",
                human_bytes(needed),
                dir.display(),
                human_bytes(free)
            ))),
            _ => Ok(()),
        }
    };
    let delimited = if source.contains("://") {
        options.client.download(source, part, &mut check_total, progress)?.delimited
    } else {
        copy_local(Path::new(source), part, &mut check_total, progress)?;
        true
    };

    let sha256 = sha256_file(part)?;
    let bytes = part.metadata().map_err(|e| Error::io(part, e))?.len();
    if !delimited && expected.is_none() {
        // The body ended when the connection closed, which a truncated one does too, and no
        // checksum or size vouches for it: only a stream that decodes to its end does.
        confirm_whole(part).map_err(|why| {
            Error::invalid(format!(
                "{source}: the server sent no length and nothing confirms the {bytes} bytes received are the whole \
                 file ({why}); nothing was stored, the bytes are kept in {} and the same command resumes",
                part.display()
            ))
        })?;
    }
    let verified = match expected {
        Some(e @ Expected::Published { sha256: want, .. }) => {
            if !e.matches(&sha256, bytes) {
                std::fs::remove_file(part).map_err(|e| Error::io(part, e))?;
                return Err(Error::invalid(format!(
                    "{source}: checksum mismatch (sha256 {sha256}, {bytes} bytes; the catalog says {want}): nothing was \
                     stored and the download was deleted"
                )));
            }
            Verified::Published
        }
        Some(Expected::Locked(locked)) if locked.sha256 == sha256 && locked.bytes == bytes => Verified::Locked,
        Some(Expected::Locked(locked)) => {
            if !options.update_lock {
                return Err(Error::invalid(format!(
                    "{source}: sha256 {sha256} ({bytes} bytes) does not match the lock file {} for {}/{} (sha256 {}, \
                     {} bytes): the host changed the file or it arrived corrupt; nothing was stored. The download is \
                     kept in {}; --update-lock accepts it",
                    options.lock.display(),
                    dataset.name,
                    form.name,
                    locked.sha256,
                    locked.bytes,
                    part.display()
                )));
            }
            Verified::Updated
        }
        None => Verified::Recorded,
    };
    Ok((verified, sha256, bytes))
}

/// Whether the downloaded `part` is known to be whole without a checksum: a gzip or zstd stream
/// that decodes to its end, or a small `.properties` text that names a graph's nodes and arcs.
fn confirm_whole(part: &Path) -> std::result::Result<(), String> {
    let name = part.file_name().and_then(|n| n.to_str()).unwrap_or("").trim_end_matches(".part");
    if name.ends_with(".properties") {
        let text = crate::io::file::read_text(part, 1 << 20, "a .properties file").map_err(|e| e.to_string())?;
        let has = |key: &str| {
            text.lines().any(|l| l.split_once('=').is_some_and(|(k, v)| k.trim() == key && !v.trim().is_empty()))
        };
        return if has("nodes") && has("arcs") && text.ends_with('\n') {
            Ok(())
        } else {
            Err("it does not end with a complete line naming nodes and arcs".into())
        };
    }
    crate::io::compress::check_complete(part).map(drop).map_err(|e| e.to_string())
}

/// Adds (or replaces) the record of the file called `name` in the lock file.
fn record(lock_path: &Path, dataset: &Dataset, name: &str, sha256: &str, bytes: u64) -> Result<()> {
    let mut lock = Lock::load(lock_path)?;
    lock.files.insert(Lock::key(&dataset.name, name), Locked { bytes, sha256: sha256.to_string() });
    lock.save(lock_path)
}

/// Copies a local file into `part` (from scratch), fsynced.
fn copy_local(
    source: &Path,
    part: &Path,
    check_total: &mut dyn FnMut(u64) -> Result<()>,
    progress: &mut dyn FnMut(http::Progress),
) -> Result<()> {
    let mut input = crate::io::file::open(source)?;
    let total = input.metadata().map_err(|e| Error::io(source, e))?.len();
    check_total(total)?;
    progress(http::Progress::Started { offset: 0, total: Some(total) });
    let mut output = std::fs::File::create(part).map_err(|e| Error::io(part, e))?;
    std::io::copy(&mut input, &mut output).map_err(|e| Error::io(part, e))?;
    output.sync_all().map_err(|e| Error::io(part, e))?;
    progress(http::Progress::Bytes(total));
    Ok(())
}

/// The state of one cached file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Check {
    /// Not in the cache.
    Missing,
    /// Matches the catalog's published checksum.
    Ok,
    /// Matches the lock file's record.
    Locked,
    /// Differs from the published checksum or the lock file's record.
    Mismatch {
        /// The file's SHA-256.
        actual: String,
    },
    /// Cached, but neither the catalog nor the lock file has a checksum to compare with.
    Unverifiable {
        /// The file's SHA-256.
        actual: String,
    },
}

/// Re-checks the cached files of `dataset` against the catalog and the lock file: one
/// `(file name, state)` per cached form of each file, or `Missing` (named as a fetch without
/// `--url-base` would name it) for a file with none.
pub fn verify(dataset: &Dataset, cache: &Path, lock: &Lock) -> Result<Vec<(String, Check)>> {
    let mut checks = Vec::new();
    for file in &dataset.files {
        let forms = file.forms();
        let mut cached = false;
        for form in &forms {
            let path = dataset.cache_path(cache, &form.name);
            if !path.is_file() {
                continue;
            }
            cached = true;
            let actual = sha256_file(&path)?;
            let bytes = path.metadata().map_err(|e| Error::io(&path, e))?.len();
            let check = match Expected::of(dataset, form, lock) {
                Some(e) if e.matches(&actual, bytes) => {
                    if matches!(e, Expected::Published { .. }) {
                        Check::Ok
                    } else {
                        Check::Locked
                    }
                }
                Some(_) => Check::Mismatch { actual },
                None => Check::Unverifiable { actual },
            };
            checks.push((form.name.clone(), check));
        }
        if !cached {
            let name = file.public_form().map_or_else(|| file.name().to_string(), |f| f.name);
            checks.push((name, Check::Missing));
        }
    }
    Ok(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_complete() {
        let catalog = Catalog::embedded().unwrap();
        for name in [
            "soc-livejournal1",
            "com-orkut",
            "com-friendster",
            "twitter-2010",
            "twitter-rv",
            "web-google",
            "roadnet-ca",
            "com-dblp",
            "uk-2007-05",
            "usa-road-d-usa",
        ] {
            let d = catalog.find(name).unwrap();
            assert!(d.nodes.is_some() && d.edges.is_some(), "{name}");
            assert!(d.files.iter().all(|f| f.url.as_deref().is_some_and(|u| u.ends_with(&f.path))), "{name}");
        }
        let twitter = catalog.find("twitter-rv").unwrap();
        assert_eq!((twitter.name.as_str(), twitter.edges), ("twitter-2010", Some(1_468_365_182)));
        let names: Vec<&str> = twitter.files.iter().map(FileEntry::name).collect();
        assert_eq!(names, ["twitter-2010.graph", "twitter-2010.properties"]);
        let ny = catalog.find("usa-road-d-ny").unwrap();
        assert_eq!(
            ny.files[0].sha256.as_deref(),
            Some("7b2446c7ffe6179efbc42af6812448e8cb782f12968ca2bb1d50d979343056d4")
        );
        for d in &catalog.datasets {
            assert!(d.location == "shared" || d.location == "public", "{}", d.name);
            for f in &d.files {
                assert!(f.sha256.as_ref().is_none_or(|s| s.len() == 64), "{}", d.name);
                assert!(d.location == "public" || f.sha256.is_some(), "{}", d.name);
                // A shared file names its owner's, or says why it cannot.
                assert!(
                    d.location == "public" || f.origin.is_some() || d.notes.contains("only with --url-base"),
                    "{}",
                    d.name
                );
                if let Some(origin) = &f.origin {
                    assert!(origin.sha256.as_ref().is_none_or(|s| s.len() == 64), "{}", d.name);
                    assert!(origin.mirrors.is_empty() || origin.sha256.is_some(), "{}: mirrors need a sha256", d.name);
                    for mirror in &origin.mirrors {
                        let commit =
                            mirror.strip_prefix("https://raw.githubusercontent.com/").map(|r| r.split('/').nth(2));
                        assert!(
                            commit.flatten().is_some_and(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit())),
                            "{}: {mirror} is not pinned to a commit",
                            d.name
                        );
                    }
                }
            }
            assert!(!d.files.is_empty() || d.format.is_none(), "{}", d.name);
        }
        assert_eq!(catalog.datasets.iter().filter(|d| d.is_small()).count(), 14);
        assert!(!CATALOG.contains("../shared"));
        assert!(catalog.find("nope").unwrap_err().to_string().contains("email-enron"));
    }

    #[test]
    fn forms_sources_and_paths() {
        let catalog = Catalog::embedded().unwrap();
        let enron = catalog.find("email-enron").unwrap();
        let file = &enron.files[0];
        let shared = enron.form(file, Some("http://h/x/")).unwrap();
        assert_eq!(shared.sources, ["http://h/x/snap/Email-Enron.txt.zst"]);
        assert_eq!((shared.name.as_str(), shared.bytes), ("Email-Enron.txt.zst", Some(741_701)));
        let public = enron.form(file, None).unwrap();
        assert_eq!(public.sources, ["https://snap.stanford.edu/data/email-Enron.txt.gz"]);
        assert_eq!((public.name.as_str(), public.sha256), ("email-Enron.txt.gz", None));
        // Either form in the cache is the dataset's.
        let cache = tempfile::tempdir().unwrap();
        assert!(!enron.is_cached(cache.path()));
        std::fs::create_dir_all(cache.path().join("email-enron")).unwrap();
        std::fs::write(cache.path().join("email-enron/email-Enron.txt.gz"), b"").unwrap();
        assert_eq!(enron.cached_file(cache.path(), file).unwrap(), cache.path().join("email-enron/email-Enron.txt.gz"));
        assert!(enron.is_cached(cache.path()));
        // The owner's URL first, then the pinned mirror, for the same bytes.
        let rome = catalog.find("rome99").unwrap();
        let public = rome.form(&rome.files[0], None).unwrap();
        assert_eq!(public.sources.len(), 2);
        assert!(public.sources[0].starts_with("http://www.diag.uniroma1.it/") && public.sha256.is_some());
        // A public entry's two forms are one file.
        let lj = catalog.find("soc-livejournal1").unwrap();
        let public = lj.form(&lj.files[0], None).unwrap();
        assert_eq!(public.sources, ["https://snap.stanford.edu/data/soc-LiveJournal1.txt.gz"]);
        assert_eq!(lj.files[0].forms().len(), 1);
        // No public form costgraph reads: fetched only with --url-base.
        let moscow = catalog.find("moscow-roads").unwrap();
        let err = moscow.form(&moscow.files[0], None).unwrap_err().to_string();
        assert!(err.contains("--url-base") && err.contains("ngraph.path.demo"), "{err}");
        assert!(catalog.find("graph500").unwrap().files().unwrap_err().to_string().contains("generate kron"));
    }

    #[test]
    fn the_lock_file_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/lock.json");
        let mut lock = Lock::load(&path).unwrap();
        assert!(lock.files.is_empty());
        lock.files.insert("a/b.gz".into(), Locked { bytes: 3, sha256: "0".repeat(64) });
        lock.save(&path).unwrap();
        assert_eq!(Lock::load(&path).unwrap(), lock);
        std::fs::write(&path, "{").unwrap();
        assert!(Lock::load(&path).unwrap_err().to_string().contains("not a lock file"));
    }
}
