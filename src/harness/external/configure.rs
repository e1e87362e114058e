//! An external system's configurations in a sweep, and its input written in its format.

use std::path::{Path, PathBuf};

use super::command::{ExternalCommand, shell_quote};
use super::spec::{Answer, ExternalSpec, InputFormat, PLACEHOLDERS};
use crate::graph::Csr;
use crate::harness::plan::{Configuration, Layout, Policy};
use crate::registry::Kind;
use crate::{Error, Result};

impl ExternalSpec {
    /// Its configurations in a sweep of `policy` on `input` (the graph in its format), with labels
    /// files (when it writes them) in `scratch`. `graph` is the loaded graph (for its size).
    pub fn configurations(
        &self,
        policy: &Policy,
        input: &Path,
        graph: &Csr,
        scratch: &Path,
    ) -> Result<Vec<Configuration>> {
        let problem = self.problem()?;
        let cores = if self.cores.is_empty() { policy.core_counts.clone() } else { self.cores.clone() };
        Ok(cores
            .into_iter()
            .map(|cores| {
                let labels = matches!(self.answer, Answer::Labels)
                    .then(|| scratch.join(format!("{}-{cores}.labels", self.name)));
                let command = self.expand(input, cores, graph.num_nodes(), labels.as_deref());
                Configuration {
                    problem,
                    implementation: self.name.clone(),
                    kind: Kind::External,
                    layout: Layout::Cores { cores },
                    args: Vec::new(),
                    external: Some(ExternalCommand {
                        spec: self.clone(),
                        command,
                        labels,
                        nodes: graph.num_nodes() as u64,
                        arcs: graph.num_arcs(),
                    }),
                }
            })
            .collect())
    }

    /// The command with its placeholders replaced (paths quoted for the shell).
    fn expand(&self, input: &Path, cores: usize, nodes: usize, labels: Option<&Path>) -> String {
        let values = [
            shell_quote(&input.display().to_string()),
            cores.to_string(),
            cores.to_string(),
            cores.to_string(),
            nodes.to_string(),
            labels.map_or(String::new(), |l| shell_quote(&l.display().to_string())),
        ];
        PLACEHOLDERS.iter().zip(values).fold(self.command.clone(), |cmd, (p, v)| cmd.replace(p, &v))
    }
}

/// Writes (once) the graph in `format` into `cache` and returns its path; a `.cgr` graph is used
/// as it is for format `cgr`. The file name carries the graph's sha256, so a cached file is
/// always the current graph's (files are written atomically).
pub fn input_file(
    graph_path: &Path,
    graph: &Csr,
    graph_sha256: &str,
    format: InputFormat,
    cache: &Path,
) -> Result<PathBuf> {
    if format == InputFormat::Cgr && graph_path.extension().is_some_and(|e| e == "cgr") {
        return Ok(graph_path.to_path_buf());
    }
    let path = cache.join(format!("{}.{}", &graph_sha256[..graph_sha256.len().min(16)], format.extension()));
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    match format {
        InputFormat::Cgr => crate::io::cgr::write(graph, &path)?,
        InputFormat::El => crate::io::write_edge_list(graph, &path, false)?,
        InputFormat::Wel => crate::io::write_edge_list(graph, &path, true)?,
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Result<Vec<ExternalSpec>> {
        ExternalSpec::parse_all(json)
    }

    #[test]
    fn placeholders_are_replaced_and_paths_quoted() {
        let s = &spec(r#"{"name":"a","problem":"cc","command":"run -t {threads} -w {workers} {graph} {nodes} > {labels}","answer":"labels"}"#)
            .unwrap()[0];
        let cmd = s.expand(Path::new("/tmp/my graph.el"), 4, 10, Some(Path::new("/tmp/l")));
        assert_eq!(cmd, "run -t 4 -w 4 '/tmp/my graph.el' 10 > /tmp/l");
    }
}
