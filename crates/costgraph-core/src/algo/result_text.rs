//! A result as text, in the input file's own ids, for other tools to read (`run --result FILE`,
//! `verify --result FILE`): `#` comment lines saying what it is, then one line per node —
//! `ID LABEL` for connected components (the label is the id of the component's smallest node, so
//! equal labels mean one component, as LDBC Graphalytics' WCC output), `ID RANK` for PageRank —
//! or one line per forest edge, `U V W`, for a minimum spanning forest. Ids are the original ids
//! when the graph was relabelled. Written atomically: a reader never sees half a file.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::Result;
use crate::algo::Output;
use crate::graph::NodeId;

/// Writes `output` to `path`: the `header` lines (each prefixed with `# `), a line naming the
/// columns, then the result with node `u` named `ids[u]` (or `u` without `ids`).
pub fn write_result(path: &Path, output: &Output, ids: Option<&[u64]>, header: &[String]) -> Result<()> {
    let id = |u: NodeId| ids.map_or(u as u64, |ids| ids[u as usize]);
    crate::io::write_atomically(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        for line in header {
            writeln!(out, "# {line}")?;
        }
        match output {
            Output::Components(components) => {
                writeln!(out, "# ID LABEL (the smallest id of the node's component)")?;
                for (u, &label) in components.labels().iter().enumerate() {
                    writeln!(out, "{} {}", id(u as NodeId), id(label))?;
                }
            }
            Output::Ranks(ranks) => {
                writeln!(out, "# ID RANK")?;
                for (u, &rank) in ranks.ranks().iter().enumerate() {
                    writeln!(out, "{} {:e}", id(u as NodeId), rank)?;
                }
            }
            Output::Forest(forest) => {
                writeln!(out, "# U V WEIGHT (one line per forest edge)")?;
                for &(u, v, w) in forest.edges() {
                    writeln!(out, "{} {} {w}", id(u), id(v))?;
                }
            }
        }
        out.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::cc::Components;
    use crate::algo::msf::Forest;

    #[test]
    fn every_kind_of_result_in_the_input_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        let ids = [7u64, 9, 30];
        let cc = Output::Components(Components::from_labels(&[0, 0, 2]));
        write_result(&path, &cc, Some(&ids), &["cc by union-find".into()]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>(), ["7 7", "9 7", "30 30"]);
        assert!(text.starts_with("# cc by union-find\n"));
        let msf = Output::Forest(Forest::new(vec![(0, 2, 5)]));
        write_result(&path, &msf, Some(&ids), &[]).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("\n7 30 5\n"));
        write_result(&path, &msf, None, &[]).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("\n0 2 5\n"));
    }
}
