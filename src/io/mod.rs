//! Formats: the `.cgr` binary format ([`cgr`]) and the public text formats, read in parallel over
//! chunks of the (decompressed) input, with errors that name the file and line.
//!
//! | format | names | notes |
//! |---|---|---|
//! | SNAP edge list | `.txt`, `.edges`, `.tsv`, `.csv`(?) | `#`/`%` comments, tabs or spaces, CRLF, optional weight column |
//! | DIMACS 9th challenge | `.gr` | `c` comments, `p sp N M`, `a u v w`, 1-based |
//! | Matrix Market coordinate | `.mtx` | pattern / integer / real (real needs [`RealWeights`]) |
//! | plain edge list | `.el`, `.wel` | `u v` / `u v w` |
//! | spatial edge list | `.cedge` | `id u v w` (F. Li's road networks) |
//! | LAW WebGraph | `.graph` + `.properties` | BVGraph, through the `webgraph` crate |
//!
//! Any text format may be compressed as `.gz` or `.zst`.

pub mod cgr;

use std::io::Write;
use std::path::Path;

use crate::graph::{BuildOptions, Csr, EdgeList, Relabel};
use crate::{Error, Result};

/// An input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// costgraph's binary format.
    Cgr,
    /// SNAP-style edge list.
    Snap,
    /// DIMACS 9th implementation challenge `.gr`.
    Dimacs,
    /// Matrix Market coordinate.
    Mtx,
    /// Plain `u v` edge list.
    El,
    /// Plain `u v w` weighted edge list.
    Wel,
    /// `edge_id u v w` lines (the Utah spatial road networks).
    Cedge,
    /// LAW WebGraph BVGraph (`.graph` with its `.properties`).
    Webgraph,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 8] = [
        Format::Cgr,
        Format::Snap,
        Format::Dimacs,
        Format::Mtx,
        Format::El,
        Format::Wel,
        Format::Cedge,
        Format::Webgraph,
    ];

    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Cgr => "cgr",
            Format::Snap => "snap",
            Format::Dimacs => "dimacs",
            Format::Mtx => "mtx",
            Format::El => "el",
            Format::Wel => "wel",
            Format::Cedge => "cedge",
            Format::Webgraph => "webgraph",
        }
    }

    /// Parses a format name as [`Format::name`] prints it.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Guesses the format from a file name, looking through a `.gz` / `.zst` suffix.
    pub fn guess(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".zst")).unwrap_or(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "cgr" => Format::Cgr,
            "txt" | "edges" | "tsv" | "snap" => Format::Snap,
            "gr" => Format::Dimacs,
            "mtx" => Format::Mtx,
            "el" => Format::El,
            "wel" => Format::Wel,
            "cedge" => Format::Cedge,
            "graph" | "properties" => Format::Webgraph,
            _ => return None,
        })
    }
}

/// How to turn real-valued weights into `u32`: multiply by `scale` and round to the nearest
/// integer. A value that is negative or does not fit in `u32` after scaling is an error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RealWeights {
    /// The factor applied before rounding.
    pub scale: f64,
}

/// Options for reading a text graph.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The format; guessed from the file name when `None`.
    pub format: Option<Format>,
    /// Whether edges are arcs. `None` uses the format's convention (directed for DIMACS and
    /// general Matrix Market; undirected for symmetric Matrix Market; directed otherwise).
    pub directed: Option<bool>,
    /// Whether to keep a weight column. `None`: keep it when the format has one.
    pub weighted: Option<bool>,
    /// How to map input ids to dense node ids.
    pub relabel: Relabel,
    /// How to turn non-integer weights into `u32`; `None` makes them an error.
    pub real_weights: Option<RealWeights>,
}

/// Resolves the format of `path` from `explicit` or its name, or explains that it cannot.
pub fn resolve_format(path: &Path, explicit: Option<Format>) -> Result<Format> {
    explicit.or_else(|| Format::guess(path)).ok_or_else(|| {
        Error::invalid(format!(
            "cannot tell the format of {} from its name; say it with --format ({})",
            path.display(),
            Format::ALL.map(Format::name).join(", ")
        ))
    })
}

/// Reads a text (or WebGraph) graph into an edge list.
pub fn read_edges(path: &Path, options: &ReadOptions) -> Result<EdgeList> {
    let format = resolve_format(path, options.format)?;
    let _ = format;
    Err(Error::invalid("text readers are not implemented yet"))
}

/// Opens a graph: a `.cgr` file is mapped; anything else is read and built with `build`.
pub fn load_graph(path: &Path, options: &ReadOptions, build: BuildOptions) -> Result<Csr> {
    if resolve_format(path, options.format)? == Format::Cgr {
        return cgr::open(path);
    }
    let edges = read_edges(path, options)?;
    Ok(Csr::from_edges(&edges, build))
}

/// Creates `path` by writing a temporary file in the same folder and renaming it into place, so
/// that a failure (or a crash) never leaves a half-written `path` behind.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", path.file_name().and_then(|n| n.to_str()).unwrap_or("costgraph")))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    write(tmp.as_file_mut()).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes the graph as a text edge list (`u v`, or `u v w` when `weighted`), atomically. An
/// undirected graph writes each edge once; relabelled graphs write their original ids.
pub fn write_edge_list(csr: &Csr, path: &Path, weighted: bool) -> Result<()> {
    let _ = (csr, path, weighted);
    Err(Error::invalid("text writers are not implemented yet"))
}
