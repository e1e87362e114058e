//! From the ids an input file uses (any `u64`, possibly sparse) to dense `u32` node ids.
//!
//! SNAP files do not number their nodes contiguously (Wiki-Vote uses ids 3..8297 for 7,115
//! nodes). Relabelling maps the distinct ids, in increasing order, to `0..n` and keeps the
//! original id of every dense id so results can be reported in the input's terms.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use super::{MAX_NODES, NodeId, check_node_count};
use crate::Result;

/// How to turn input ids into dense node ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Relabel {
    /// Relabel only when the ids are not already `0..n` (some id in that range is unused).
    #[default]
    Auto,
    /// Always relabel and keep the mapping.
    Always,
    /// Never relabel: ids are node ids, and unused ids become isolated nodes.
    Never,
}

/// The outcome of [`densify`].
#[derive(Debug)]
pub struct Dense {
    /// The edges in dense ids.
    pub edges: Vec<(NodeId, NodeId)>,
    /// The number of nodes.
    pub num_nodes: usize,
    /// The original id of each dense id, when relabelled.
    pub original_ids: Option<Vec<u64>>,
}

/// Maps the ids in `raw` to dense ids. `min_nodes` is a node count the input declared (for
/// example DIMACS's `p` line); with [`Relabel::Never`] the graph has at least that many nodes.
pub fn densify(raw: &[(u64, u64)], mode: Relabel, min_nodes: u64) -> Result<Dense> {
    let max_id = raw.par_iter().map(|&(u, v)| u.max(v)).max();
    let span = max_id.map_or(0, |m| m + 1).max(min_nodes);
    if mode == Relabel::Never {
        let num_nodes = check_node_count(span)?;
        let edges = raw.par_iter().map(|&(u, v)| (u as NodeId, v as NodeId)).collect();
        return Ok(Dense { edges, num_nodes, original_ids: None });
    }
    let Some(max_id) = max_id else {
        let num_nodes = check_node_count(min_nodes)?;
        return Ok(Dense { edges: Vec::new(), num_nodes, original_ids: None });
    };
    // Small id range: a bitmap of used ids and a rank per word. Otherwise sort the distinct ids.
    if max_id <= (raw.len() as u64).saturating_mul(16).max(1 << 20) {
        let words = (max_id / 64 + 1) as usize;
        let bits: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
        raw.par_iter().for_each(|&(u, v)| {
            bits[(u / 64) as usize].fetch_or(1 << (u % 64), Relaxed);
            bits[(v / 64) as usize].fetch_or(1 << (v % 64), Relaxed);
        });
        let bits: Vec<u64> = bits.into_iter().map(AtomicU64::into_inner).collect();
        let mut rank = Vec::with_capacity(words);
        let mut acc = 0u64;
        for &w in &bits {
            rank.push(acc);
            acc += w.count_ones() as u64;
        }
        let distinct = acc;
        if mode == Relabel::Auto && distinct == max_id + 1 {
            let num_nodes = check_node_count(span)?;
            let edges = raw.par_iter().map(|&(u, v)| (u as NodeId, v as NodeId)).collect();
            return Ok(Dense { edges, num_nodes, original_ids: None });
        }
        let num_nodes = check_node_count(distinct)?;
        let dense = |x: u64| {
            let (w, b) = ((x / 64) as usize, x % 64);
            (rank[w] + (bits[w] & ((1u64 << b) - 1)).count_ones() as u64) as NodeId
        };
        let edges = raw.par_iter().map(|&(u, v)| (dense(u), dense(v))).collect();
        let original_ids = bits
            .par_iter()
            .enumerate()
            .flat_map_iter(|(w, &word)| (0..64u64).filter(move |b| word >> b & 1 == 1).map(move |b| w as u64 * 64 + b))
            .collect();
        return Ok(Dense { edges, num_nodes, original_ids: Some(original_ids) });
    }
    let mut ids: Vec<u64> = raw.par_iter().flat_map_iter(|&(u, v)| [u, v]).collect();
    ids.par_sort_unstable();
    ids.dedup();
    if ids.len() as u64 > MAX_NODES {
        return Err(crate::Error::TooManyNodes { count: ids.len() as u64 });
    }
    let edges = raw
        .par_iter()
        .map(|&(u, v)| (ids.partition_point(|&x| x < u) as NodeId, ids.partition_point(|&x| x < v) as NodeId))
        .collect();
    Ok(Dense { edges, num_nodes: ids.len(), original_ids: Some(ids) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_ids_are_relabelled_in_order() {
        let d = densify(&[(3, 8297), (8297, 5)], Relabel::Auto, 0).unwrap();
        assert_eq!(d.num_nodes, 3);
        assert_eq!(d.edges, vec![(0, 2), (2, 1)]);
        assert_eq!(d.original_ids, Some(vec![3, 5, 8297]));
    }

    #[test]
    fn dense_ids_stay_put_in_auto_mode() {
        let d = densify(&[(0, 1), (2, 1)], Relabel::Auto, 0).unwrap();
        assert_eq!((d.num_nodes, d.original_ids), (3, None));
        let d = densify(&[(0, 1)], Relabel::Always, 0).unwrap();
        assert_eq!(d.original_ids, Some(vec![0, 1]));
    }

    #[test]
    fn huge_sparse_ids_use_the_sorting_path() {
        let d = densify(&[(1 << 40, 7), (7, u64::MAX - 1)], Relabel::Auto, 0).unwrap();
        assert_eq!(d.edges, vec![(1, 0), (0, 2)]);
        assert_eq!(d.original_ids, Some(vec![7, 1 << 40, u64::MAX - 1]));
    }

    #[test]
    fn never_keeps_ids_and_declared_count() {
        let d = densify(&[(0, 5)], Relabel::Never, 10).unwrap();
        assert_eq!(d.num_nodes, 10);
        assert!(densify(&[(0, 1 << 33)], Relabel::Never, 0).is_err());
    }
}
