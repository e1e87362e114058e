//! An external system's configurations in a sweep, and its input written in its format.

use std::path::{Path, PathBuf};

use super::command::ExternalCommand;
use super::spec::{Answer, ExternalSpec, InputFormat};
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
        cores
            .into_iter()
            .map(|cores| {
                let labels = matches!(self.answer, Answer::Labels)
                    .then(|| scratch.join(format!("{}-{cores}.labels", self.name)));
                let values = self.values(input, cores, graph.num_nodes(), labels.as_deref());
                let shown: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let command = self.template()?.display(&shown);
                Ok(Configuration {
                    problem,
                    implementation: self.name.clone(),
                    kind: Kind::External,
                    layout: Layout::Cores { cores },
                    args: Vec::new(),
                    external: Some(ExternalCommand {
                        spec: self.clone(),
                        command,
                        values,
                        labels,
                        nodes: graph.num_nodes() as u64,
                        arcs: graph.num_arcs(),
                    }),
                })
            })
            .collect()
    }

    /// Each placeholder's value for a configuration of `cores` cores.
    fn values(&self, input: &Path, cores: usize, nodes: usize, labels: Option<&Path>) -> Vec<(String, String)> {
        let mut values = vec![
            ("graph".to_string(), input.display().to_string()),
            ("threads".to_string(), cores.to_string()),
            ("workers".to_string(), cores.to_string()),
            ("cores".to_string(), cores.to_string()),
            ("nodes".to_string(), nodes.to_string()),
        ];
        if let Some(l) = labels {
            values.push(("labels".to_string(), l.display().to_string()));
        }
        values
    }
}

/// Writes (once) the graph in `format` into `cache` and returns its path; a `.cgr` graph is used
/// as it is for format `cgr`. `weighted` (msf) writes the weights of formats that have them both
/// ways (gapbs `.wsg`, GBBS weighted, Matrix Market `integer`, Graphalytics `src dst w`). The file
/// name carries the graph's sha256, so a cached file is always the current graph's (files are
/// written atomically).
pub fn input_file(
    graph_path: &Path,
    graph: &Csr,
    graph_sha256: &str,
    format: InputFormat,
    weighted: bool,
    cache: &Path,
) -> Result<PathBuf> {
    use crate::io::export;
    if format == InputFormat::Cgr && graph_path.extension().is_some_and(|e| e == "cgr") {
        return Ok(graph_path.to_path_buf());
    }
    let weighted = weighted && graph.is_weighted();
    let name = format!("{}.{}", &graph_sha256[..graph_sha256.len().min(16)], format.extension(weighted));
    let path = cache.join(name);
    let complete = path.is_file() && (format != InputFormat::Graphalytics || path.with_extension("v").is_file());
    if complete {
        return Ok(path);
    }
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    match format {
        InputFormat::Cgr => crate::io::cgr::write(graph, &path)?,
        InputFormat::El => crate::io::write_edge_list(graph, &path, false)?,
        InputFormat::Wel => crate::io::write_edge_list(graph, &path, true)?,
        InputFormat::Mtx => export::write_mtx(graph, &path, weighted)?,
        InputFormat::Graphalytics => {
            export::write_graphalytics(graph, &path, weighted)?;
        }
        InputFormat::Gapbs => export::write_gapbs(graph, &path, weighted)?,
        InputFormat::Gbbs => export::write_gbbs(graph, &path, weighted)?,
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
        let values = s.values(Path::new("/tmp/my graph.el"), 4, 10, Some(Path::new("/tmp/l")));
        let shown: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(s.template().unwrap().display(&shown), "run -t 4 -w 4 '/tmp/my graph.el' 10 > /tmp/l");
    }
}
