//! Finding a BVGraph's two files from either name, and decompressing them when they are `.gz` or
//! `.zst`: the decoder maps a plain `.graph`, so a compressed one is first decompressed into a
//! temporary folder inside the caller's scratch folder (`--tmp`, or the output's folder), bounded
//! by the free space there, and removed on return or on a signal.

use std::path::{Path, PathBuf};

use crate::io::compress::{Compression, decompress_to_file};
use crate::{Error, Result};

/// The largest decompressed `.properties` file accepted.
const MAX_PROPERTIES_BYTES: u64 = 1 << 20;

/// Free space left untouched by a decompressed `.graph`: the disk is shared with everything else.
const KEEP_FREE_BYTES: u64 = 1 << 30;

/// A BVGraph's files, ready for the decoder; a temporary copy lives as long as this.
pub(super) struct Located {
    /// `BASE.graph` (possibly a temporary decompressed copy).
    pub graph: PathBuf,
    /// `BASE.properties` (possibly a temporary decompressed copy).
    pub properties: PathBuf,
    /// The `.properties` file as the user named it (for errors).
    pub shown_properties: PathBuf,
    _scratch: Option<(tempfile::TempDir, crate::cleanup::Registration)>,
}

/// Finds `BASE.graph` and `BASE.properties` for a named `.graph` or `.properties` file (plain or
/// compressed); compressed files are decompressed into a temporary folder inside `scratch_in`
/// (the system's temporary folder when `None`).
pub(super) fn locate(path: &Path, scratch_in: Option<&Path>) -> Result<Located> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let compression = Compression::detect(path, &[]);
    let suffix = match compression {
        Compression::Gzip => ".gz",
        Compression::Zstd => ".zst",
        Compression::None => "",
    };
    let stem = name.strip_suffix(suffix).unwrap_or(name);
    let base = stem.strip_suffix(".graph").or_else(|| stem.strip_suffix(".properties")).unwrap_or(stem);
    let dir = path.parent().unwrap_or(Path::new(""));
    if compression == Compression::None {
        let properties = dir.join(format!("{base}.properties"));
        return Ok(Located {
            graph: dir.join(format!("{base}.graph")),
            shown_properties: properties.clone(),
            properties,
            _scratch: None,
        });
    }
    let parent = scratch_in.map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    let scratch = tempfile::Builder::new()
        .prefix(".costgraph-webgraph-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let registration = crate::cleanup::register(scratch.path());
    let mut shown_properties = PathBuf::new();
    for ext in ["graph", "properties"] {
        let alternatives: &[&str] = if ext == "graph" { &[suffix] } else { &[suffix, ""] };
        let source = alternatives
            .iter()
            .map(|s| dir.join(format!("{base}.{ext}{s}")))
            .find(|p| p.is_file())
            .unwrap_or_else(|| dir.join(format!("{base}.{ext}{suffix}")));
        let file = crate::io::file::open(&source)?;
        let target = scratch.path().join(format!("graph.{ext}"));
        let (limit, why) = if ext == "graph" {
            let free = crate::sysinfo::free_disk_bytes(scratch.path()).unwrap_or(u64::MAX);
            (
                free.saturating_sub(KEEP_FREE_BYTES),
                format!("the free space in {} less 1 GiB; choose another folder with --tmp", parent.display()),
            )
        } else {
            (MAX_PROPERTIES_BYTES, "the most a .properties file may be".to_string())
        };
        decompress_to_file(&source, file, Compression::detect(&source, &[]), &target, limit, &why)?;
        if ext == "properties" {
            shown_properties = source;
        }
    }
    Ok(Located {
        graph: scratch.path().join("graph.graph"),
        properties: scratch.path().join("graph.properties"),
        shown_properties,
        _scratch: Some((scratch, registration)),
    })
}
