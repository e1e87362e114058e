//! The catalog of public graphs (`datasets/catalog.json`, embedded in the binary) and the local
//! cache of downloaded files.

use std::path::{Path, PathBuf};

/// The cache folder: `explicit`, else `$COSTGRAPH_CACHE`, else `datasets/cache` (relative to the
/// current folder; gitignored in the repository).
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("COSTGRAPH_CACHE").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("datasets/cache"))
}
