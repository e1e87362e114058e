//! LDBC Graphalytics graphs: `NAME.v` (every vertex id, one per line, isolated vertices included)
//! and `NAME.e` (`src dst [weight]` per edge), ids sparse 64-bit, each optionally `.gz`/`.zst`.
//! Either file may be named. Directedness comes from `--directed`/`--undirected`, else from the
//! graph's `NAME.properties` (`graph.NAME.directed = true|false`), else it is an error: a
//! Graphalytics graph does not say it in its lines. Vertices are numbered densely in id order,
//! each keeping its id (the original ids), so results come back in the file's ids. Memory: the
//! ids (8 bytes per vertex) and what reading an edge list takes (checked against the budget).

use std::path::{Path, PathBuf};

use super::{Format, ReadOptions, check_text_memory, compress, plan_input, text};
use crate::graph::{EdgeList, NodeId, Relabel, check_node_count};
use crate::{Error, Result};

/// The `.v`, `.e` and `.properties` paths of the graph one of whose files is `path`.
fn paths(path: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (stem, suffix) =
        [".gz", ".zst"].iter().find_map(|s| name.strip_suffix(s).map(|stem| (stem, *s))).unwrap_or((name, ""));
    let base = stem.strip_suffix(".e").or_else(|| stem.strip_suffix(".v")).unwrap_or(stem);
    let dir = path.parent().unwrap_or(Path::new(""));
    (
        dir.join(format!("{base}.v{suffix}")),
        dir.join(format!("{base}.e{suffix}")),
        dir.join(format!("{base}.properties")),
    )
}

/// Reads the Graphalytics graph one of whose files is `path`.
pub(super) fn read(path: &Path, options: &ReadOptions) -> Result<EdgeList> {
    let (vertices_path, edges_path, properties) = paths(path);
    let directed = match options.directed {
        Some(directed) => directed,
        None => directed_from(&properties, path)?,
    };
    let ids = vertices(&vertices_path, options)?;
    let input = compress::open_input(&edges_path, &options.budget)?;
    check_text_memory(&edges_path, &input, &options.budget)?;
    let plan = plan_input(&edges_path, &input, Format::Snap, options)?;
    let parsed = text::parse_body(&edges_path, &input[plan.body_start..], plan.first_line, &plan.layout)?;
    drop(input);
    let dense = |id: u64| -> Result<NodeId> {
        ids.binary_search(&id).map(|i| i as NodeId).map_err(|_| {
            Error::format(
                &edges_path,
                format!("an edge names vertex {id}, which {} does not list", vertices_path.display()),
            )
        })
    };
    let mut edges = Vec::new();
    edges.try_reserve_exact(parsed.raw.len()).map_err(|_| Error::invalid("out of memory for the edges"))?;
    for &(u, v) in &parsed.raw {
        edges.push((dense(u)?, dense(v)?));
    }
    let identity = ids.iter().enumerate().all(|(i, &id)| i as u64 == id);
    let keep_ids = options.relabel == Relabel::Always || !identity;
    Ok(EdgeList {
        num_nodes: ids.len(),
        edges,
        weights: parsed.weights,
        original_ids: keep_ids.then_some(ids),
        directed,
    })
}

/// The sorted vertex ids of the `.v` file at `path`; a repeated id is an error.
fn vertices(path: &Path, options: &ReadOptions) -> Result<Vec<u64>> {
    let input = compress::open_input(path, &options.budget)?;
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    options.budget.check(&format!("{}: the ids of up to {lines} vertices", path.display()), 8 * lines)?;
    let mut ids = Vec::new();
    ids.try_reserve_exact(lines as usize).map_err(|_| Error::invalid("out of memory for the vertex ids"))?;
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        let line = std::str::from_utf8(line).unwrap_or("\u{fffd}").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let id = line.parse::<u64>().map_err(|_| {
            Error::format(path, format!("line {}: `{line}` is not a vertex id (a whole number)", i + 1))
        })?;
        ids.push(id);
    }
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::format(path, format!("vertex {} is listed twice", pair[0])));
    }
    check_node_count(ids.len() as u64).map_err(|e| Error::format(path, e.to_string()))?;
    Ok(ids)
}

/// Directedness from the Graphalytics `.properties` at `properties` (a key ending in
/// `.directed`), for the graph named by `path`.
fn directed_from(properties: &Path, path: &Path) -> Result<bool> {
    let missing = || {
        Error::format(
            path,
            format!(
                "a Graphalytics graph does not say whether it is directed: give --directed or --undirected, or put \
                 its {} beside it",
                properties.file_name().and_then(|n| n.to_str()).unwrap_or("NAME.properties")
            ),
        )
    };
    if !properties.is_file() {
        return Err(missing());
    }
    let text = super::file::read_text(properties, 1 << 20, "a Graphalytics .properties file")?;
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=')
            && key.trim().ends_with(".directed")
        {
            return match value.trim() {
                "true" => Ok(true),
                "false" => Ok(false),
                other => Err(Error::format(properties, format!("{}: `{other}` is neither true nor false", key.trim()))),
            };
        }
    }
    Err(missing())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn sparse_ids_isolated_vertices_and_directedness() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.v", "100\n7\n300\n5000000000\n");
        let e = write(dir.path(), "g.e", "100 300 2.5\n7 100 1\n");
        let options =
            ReadOptions { real_weights: Some(super::super::RealWeights { scale: 2.0 }), ..Default::default() };
        let err = read(&e, &options).unwrap_err().to_string();
        assert!(err.contains("--directed or --undirected"), "{err}");
        write(dir.path(), "g.properties", "graph.g.vertex-file = g.v\ngraph.g.directed = false\n");
        let g = read(&dir.path().join("g.v"), &options).unwrap();
        assert_eq!((g.num_nodes, g.directed), (4, false));
        assert_eq!(g.original_ids.as_deref(), Some(&[7, 100, 300, 5_000_000_000][..]));
        assert_eq!(g.edges, [(1, 2), (0, 1)]);
        assert_eq!(g.weights.as_deref(), Some(&[5, 2][..]));
        let directed = read(&e, &ReadOptions { directed: Some(true), weighted: Some(false), ..Default::default() });
        assert!(directed.unwrap().directed);
        write(dir.path(), "g.e", "100 301\n");
        let err = read(&e, &options).unwrap_err().to_string();
        assert!(err.contains("vertex 301"), "{err}");
        write(dir.path(), "g.v", "1\n1\n");
        assert!(read(&e, &options).unwrap_err().to_string().contains("listed twice"));
    }
}
