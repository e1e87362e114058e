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
//! Any text format may be compressed as `.gz` or `.zst`. [`read_edges`] decompresses such an input
//! into memory (plain ones are memory-mapped) and returns the whole edge list; [`read_into`] (what
//! `costgraph convert` uses) streams any text input in blocks, never whole, into the bounded-memory
//! builder. Either way the edge lines are parsed in parallel over chunks.
//!
//! Empty inputs: an empty (or comment-only) SNAP, `.el`, `.wel` or `.cedge` file is an empty graph
//! with no nodes; an empty DIMACS file (no `p` line, no arcs) and an empty Matrix Market file (no
//! banner) are errors, since those formats require a header.

pub mod cgr;
pub mod checksum;
pub mod compress;
mod dimacs;
pub mod export;
pub mod file;
mod graphalytics;
mod mtx;
pub mod shard;
mod stream;
mod text;
mod webgraph;
mod write;

use std::io::Write;
use std::path::Path;

pub use stream::{Streamed, read_into};

use crate::graph::{Budget, BuildOptions, Csr, EdgeList, Relabel, densify};
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
    /// LDBC Graphalytics (`NAME.v` with every vertex, `NAME.e` with the edges).
    Graphalytics,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 9] = [
        Format::Cgr,
        Format::Snap,
        Format::Dimacs,
        Format::Mtx,
        Format::El,
        Format::Wel,
        Format::Cedge,
        Format::Webgraph,
        Format::Graphalytics,
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
            Format::Graphalytics => "graphalytics",
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
            "v" | "e" => Format::Graphalytics,
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
    /// general Matrix Market; undirected for symmetric Matrix Market and `.cedge`; directed
    /// otherwise).
    pub directed: Option<bool>,
    /// Whether to keep a weight column. `None`: keep it when the format has one.
    pub weighted: Option<bool>,
    /// How to map input ids to dense node ids.
    pub relabel: Relabel,
    /// How to turn non-integer weights into `u32`; `None` makes them an error. When set, every
    /// weight of the file (integer-looking ones too) is multiplied by the scale and rounded.
    pub real_weights: Option<RealWeights>,
    /// The memory budget: a node count declared by a header is checked against it before
    /// anything is parsed, and [`load_graph`] builds within it.
    pub budget: Budget,
    /// The folder for temporary copies (a compressed WebGraph's decompressed files): the
    /// system's temporary folder when `None`.
    pub scratch: Option<std::path::PathBuf>,
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

/// How to parse one text file, as its format (and header) dictate.
pub(crate) struct Plan {
    /// Byte offset of the first edge line (after the header).
    body_start: usize,
    /// Number of lines before `body_start`.
    first_line: u64,
    /// The edge lines' layout (its weight column is set from the options by [`read_edges`]).
    layout: text::Layout,
    /// The lines carry a weight column.
    has_weights: bool,
    /// The node count the header declares.
    nodes: Option<u64>,
    /// The edge count the header declares, and where.
    edges: Option<(u64, &'static str)>,
    /// The format's convention for directedness.
    directed: bool,
}

impl Plan {
    /// The plan for a headerless format (SNAP, `.el`, `.wel`, `.cedge`): lines `[id] u v [w]`.
    fn headerless(bytes: &[u8], format: Format) -> Plan {
        let comments = b"#%";
        let (skip_first, has_weights, directed, syntax) = match format {
            Format::El => (false, false, true, "`u v`"),
            Format::Wel => (false, true, true, "`u v w`"),
            Format::Cedge => (true, true, false, "`edge_id u v w`"),
            // SNAP: a weight column when the first edge line has three columns.
            _ => match text::first_columns(bytes, comments) {
                Some(c) if c >= 3 => (false, true, true, "`u v w`"),
                _ => (false, false, true, "`u v`"),
            },
        };
        Plan {
            body_start: 0,
            first_line: 0,
            layout: text::Layout {
                comments,
                tag: None,
                skip_first,
                weight: text::WeightColumn::Absent,
                base: 0,
                limits: None,
                misplaced: None,
                syntax,
            },
            has_weights,
            nodes: None,
            edges: None,
            directed,
        }
    }
}

/// Reads a text (or WebGraph) graph into an edge list.
///
/// - Formats and their conventions are listed in the [module documentation](self); the format
///   comes from `options.format` or the file name.
/// - Weights are kept when the format has a weight column, unless `options.weighted` is
///   `Some(false)`; `Some(true)` on a file without weights is an error. Non-integer or negative
///   weights are errors unless `options.real_weights` says how to scale them.
/// - Ids are made dense with [`densify`] and `options.relabel`. Where the header declares a node
///   count (DIMACS `p` line, Matrix Market size line), [`Relabel::Auto`] keeps the ids as they are
///   and unused ids become isolated nodes.
/// - Errors name the file and, for a bad line, its exact line number.
pub fn read_edges(path: &Path, options: &ReadOptions) -> Result<EdgeList> {
    let format = resolve_format(path, options.format)?;
    if format == Format::Cgr {
        return Ok(cgr::open(path)?.to_edge_list());
    }
    if format == Format::Webgraph {
        if options.weighted == Some(true) {
            return Err(Error::format(path, "a WebGraph has no weights, so it cannot be read as weighted"));
        }
        let (nodes, raw) = webgraph::read(path, options.scratch.as_deref(), &options.budget)?;
        return assemble(raw, None, nodes, true, options);
    }
    if format == Format::Graphalytics {
        return graphalytics::read(path, options);
    }
    let input = compress::open_input(path, &options.budget)?;
    check_text_memory(path, &input, &options.budget)?;
    let plan = plan_input(path, &input, format, options)?;
    let parsed = text::parse_body(path, &input[plan.body_start..], plan.first_line, &plan.layout)?;
    drop(input);
    if let Some((declared, source)) = plan.edges
        && declared != parsed.raw.len() as u64
    {
        return Err(Error::format(
            path,
            format!("{source} declares {declared} edges but the file has {}", parsed.raw.len()),
        ));
    }
    let options = match plan.nodes {
        Some(_) if options.relabel == Relabel::Auto => &ReadOptions { relabel: Relabel::Never, ..options.clone() },
        _ => options,
    };
    assemble(parsed.raw, parsed.weights, plan.nodes.unwrap_or(0), plan.directed, options)
}

/// What reading a text file into memory holds per line (an upper bound on its edges): the raw
/// ids (16 bytes), a weight (4) and, while the ids are made dense, the sorted distinct ids (16)
/// and the dense edges (8).
const BYTES_PER_LINE_READ: u64 = 44;

/// Checks that the edges of the text `input` (of `path`) fit in `budget` before they are parsed,
/// on top of the decompressed bytes when those are held in memory.
fn check_text_memory(path: &Path, input: &compress::Input, budget: &Budget) -> Result<()> {
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let held = match input {
        compress::Input::Owned(bytes) => bytes.len() as u64,
        compress::Input::Mapped(_) => 0,
    };
    budget.check_or(
        &format!("{}: reading its {lines} lines into memory", path.display()),
        lines.saturating_mul(BYTES_PER_LINE_READ).saturating_add(held),
        "convert it to .cgr first (convert streams it within the budget)",
    )
}

/// Reads the header of a text input (`bytes` starts with it) and plans the parsing of its edges:
/// the layout, the weight column as `options` ask, and a declared node count checked against the
/// budget (capacity before allocation).
fn plan_input(path: &Path, bytes: &[u8], format: Format, options: &ReadOptions) -> Result<Plan> {
    let mut plan = match format {
        Format::Dimacs => dimacs::plan(path, bytes)?,
        Format::Mtx => mtx::plan(path, bytes, options)?,
        _ => Plan::headerless(bytes, format),
    };
    if let (Some(nodes), Some((_, source))) = (plan.nodes, plan.edges) {
        crate::graph::check_node_count(nodes).map_err(|e| Error::format(path, format!("{source} declares {e}")))?;
        options.budget.check_or(
            &format!("{}: the {nodes} nodes {source} declares", path.display()),
            8 * (nodes + 1),
            "check the header",
        )?;
    }
    plan.layout.weight = match (plan.has_weights, options.weighted) {
        (true, Some(false)) => text::WeightColumn::Skip,
        (true, _) => text::WeightColumn::Parse(options.real_weights),
        (false, Some(true)) => {
            return Err(Error::format(path, "the file has no weight column, so it cannot be read as weighted"));
        }
        (false, _) => text::WeightColumn::Absent,
    };
    Ok(plan)
}

/// Makes the ids dense and builds the edge list.
fn assemble(
    raw: Vec<(u64, u64)>,
    weights: Option<Vec<crate::graph::Weight>>,
    min_nodes: u64,
    directed: bool,
    options: &ReadOptions,
) -> Result<EdgeList> {
    let dense = densify(&raw, options.relabel, min_nodes)?;
    drop(raw);
    Ok(EdgeList {
        num_nodes: dense.num_nodes,
        edges: dense.edges,
        weights,
        original_ids: dense.original_ids,
        directed: options.directed.unwrap_or(directed),
    })
}

/// Writes the WebGraph (BVGraph) at `input` as a directed `.cgr` at `output` in one pass (see
/// `webgraph::write_directed`): `8 (n + 1)` bytes of offsets and one batch of arcs in memory,
/// nothing sorted or spilled, within `options.budget`; a compressed graph is decompressed into
/// `options.scratch`. Returns the node and arc counts. Options: `build.drop_self_loops` (the lists
/// are already sorted and distinct, so deduplication has nothing to do).
pub fn write_webgraph_directed(
    input: &Path,
    output: &Path,
    options: &ReadOptions,
    build: BuildOptions,
) -> Result<(usize, u64)> {
    let props = BuildOptions { symmetrize: false, ..build }.props();
    let mut nodes = 0;
    let out =
        webgraph::write_directed(input, options.scratch.as_deref(), &options.budget, build.drop_self_loops, |n| {
            nodes = n;
            cgr::StreamWriter::create(output, n, props, false, None)
        })?;
    Ok((nodes, out.finish(None)?))
}

/// Opens a graph: a `.cgr` file is mapped; anything else is read and built with `build`.
pub fn load_graph(path: &Path, options: &ReadOptions, build: BuildOptions) -> Result<Csr> {
    if resolve_format(path, options.format)? == Format::Cgr {
        return cgr::open(path);
    }
    let edges = read_edges(path, options)?;
    Csr::from_edges_within(&edges, build, &options.budget)
}

/// Creates `path` by writing a temporary file in the same folder and renaming it into place, so
/// that a failure (or a crash) never leaves a half-written `path` behind. The file gets the usual
/// mode of a new file (0666 less the umask: 0644 under umask 022, as `cp` or `>` would give), not
/// the owner-only 0600 of a temporary file.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut tmp = AtomicFile::create(path)?;
    write(tmp.file()).map_err(|e| Error::io(path, e))?;
    tmp.commit()
}

/// A file being written atomically: a temporary file beside `path` (removed if dropped, or by the
/// interruption handler of [`crate::cleanup`]) until [`AtomicFile::commit`] renames it into place.
pub struct AtomicFile {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
    _registration: crate::cleanup::Registration,
}

impl AtomicFile {
    /// Creates the temporary file for `path`, in the same folder.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = builder
            .prefix(&format!(".{}.", path.file_name().and_then(|n| n.to_str()).unwrap_or("costgraph")))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(path, without_temp_path(e)))?;
        let registration = crate::cleanup::register(tmp.path());
        Ok(AtomicFile { path: path.to_path_buf(), tmp, _registration: registration })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, to write.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    /// Flushes the file to disk and renames it to its final name.
    pub fn commit(self) -> Result<()> {
        let path = &self.path;
        self.tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
        self.tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
        Ok(())
    }
}

/// tempfile's errors end in ` at path "DIR/.NAME.XXXX.tmp"`, a file the user never named: drop it
/// (the error is reported against the output path instead).
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((bare, _)) => std::io::Error::new(e.kind(), bare.to_string()),
        None => e,
    }
}

/// Writes the graph as a text edge list (`u v`, or `u v w` when `weighted`), atomically. An
/// undirected graph writes each edge once; relabelled graphs write their original ids. Asking for
/// weights from an unweighted graph is an error.
pub fn write_edge_list(csr: &Csr, path: &Path, weighted: bool) -> Result<()> {
    if weighted && !csr.is_weighted() {
        return Err(Error::format(path, "the graph has no weights to write (write a .el file instead)"));
    }
    write_atomically(path, |out| write::write_to(csr, weighted, out))
}

#[cfg(all(test, target_os = "linux"))]
mod mode_tests {
    use std::os::unix::fs::PermissionsExt;

    /// This process's umask, from `/proc/self/status` (reading it with umask(2) would change it
    /// for every thread for a moment).
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).expect("Linux ≥ 4.7 reports the umask");
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
    }

    #[test]
    fn written_files_get_the_usual_mode_not_the_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        super::write_atomically(&path, |w| w.write_all(b"hello")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask(), "mode {mode:o} with umask {:o}", umask());
        if umask() == 0o022 {
            assert_eq!(mode, 0o644);
        }
    }
}
