//! Giving a `.cgr` graph deterministic pseudo-random weights ([`EdgeWeights`]), streamed: the
//! unweighted file is mapped and rewritten list by list with a weights section, then replaces
//! the original atomically. Each arc's weight comes from its endpoints' ids in the input file
//! (the original ids when the graph was relabelled), so both arcs of an edge get the same one.
//! Memory: the writer's `8 (n + 1)` bytes of offsets and one batch of lists.

use std::path::Path;

use super::EdgeWeights;
use crate::graph::{Budget, CsrSink, NodeId, Weight};
use crate::io::cgr;
use crate::{Error, Result};

/// Nodes handed to the writer at a time.
const BATCH_NODES: usize = 1 << 16;

/// Rewrites the unweighted `.cgr` at `path` with weights from `weights`, writing the weights'
/// scratch file into `scratch`; returns the arc count. Refuses a graph that already has weights.
pub fn add_edge_weights(path: &Path, weights: &EdgeWeights, budget: &Budget, scratch: Option<&Path>) -> Result<u64> {
    let csr = cgr::open(path)?;
    if csr.is_weighted() {
        return Err(Error::format(path, "the graph already has weights; --weights random is for graphs without"));
    }
    let n = csr.num_nodes();
    budget.check(&format!("{}: the offsets of the weighted copy", path.display()), 8 * (n as u64 + 1))?;
    let id = |u: NodeId| csr.original_id(u);
    let mut out = cgr::StreamWriter::create(path, n, csr.props(), true, scratch)?;
    let lists = csr.lists();
    let (mut degrees, mut w): (Vec<u32>, Vec<Weight>) = (Vec::new(), Vec::new());
    for first in (0..n).step_by(BATCH_NODES) {
        let last = (first + BATCH_NODES).min(n);
        degrees.clear();
        w.clear();
        for u in first as NodeId..last as NodeId {
            let targets = lists.neighbors(u);
            degrees.push(targets.len() as u32);
            w.extend(targets.iter().map(|&v| weights.of(id(u), id(v))));
        }
        let span = lists.range(first as NodeId).start..lists.range(last as NodeId - 1).end;
        out.append(&degrees, &lists.targets()[span], Some(&w))?;
    }
    let arcs = out.finish(csr.original_ids())?;
    Ok(arcs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, Csr, EdgeList};

    #[test]
    fn both_arcs_of_an_edge_get_one_weight_from_the_original_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.cgr");
        let mut edges = EdgeList::new(4, vec![(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)], false);
        edges.original_ids = Some(vec![10, 20, 30, 40]);
        cgr::write(&Csr::from_edges(&edges, BuildOptions::undirected()), &path).unwrap();
        let spec = EdgeWeights::parse("random:1..1000,seed=3").unwrap();
        assert_eq!(add_edge_weights(&path, &spec, &Budget::default(), None).unwrap(), 10);
        let csr = cgr::open(&path).unwrap();
        for u in 0..4 {
            for (v, w) in csr.lists().weighted_neighbors(u) {
                assert_eq!(w, spec.of(10 * (u as u64 + 1), 10 * (v as u64 + 1)));
                assert!(csr.lists().weighted_neighbors(v).any(|(x, back)| x == u && back == w));
            }
        }
        assert_eq!(csr.original_ids().unwrap(), [10, 20, 30, 40]);
        let err = add_edge_weights(&path, &spec, &Budget::default(), None).unwrap_err().to_string();
        assert!(err.contains("already has weights"), "{err}");
    }
}
