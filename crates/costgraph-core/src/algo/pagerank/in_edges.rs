//! The in-arcs of a graph in CSR form: the graph itself when it is symmetric, else its transpose.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use super::skeleton::chunks;
use crate::graph::{Csr, NodeId};

/// The in-arcs of a graph in CSR form, for the pull kernels: borrowed from the graph when it is
/// symmetric, otherwise its transpose, built once.
pub struct InEdges<'a> {
    pub(super) csr: &'a Csr,
    pub(super) offsets: Cow<'a, [u64]>,
    pub(super) sources: Cow<'a, [NodeId]>,
}

/// Arcs (plus nodes) per chunk of the transpose's parallel passes.
const CHUNK_WORK: u64 = 1 << 16;

impl<'a> InEdges<'a> {
    /// The in-arcs of `csr`: the graph itself when symmetric, the transpose it carries (a `.cgr`
    /// written with `--with-transpose`: free), else its transpose built in
    /// parallel (O(n + m) work: count, prefix sum, scatter, then each in-list sorted so the
    /// result does not depend on the thread count).
    pub fn of(csr: &'a Csr) -> Self {
        if csr.is_symmetric() {
            return InEdges { csr, offsets: Cow::Borrowed(csr.offsets()), sources: Cow::Borrowed(csr.targets()) };
        }
        if let Some(t) = csr.transpose() {
            return InEdges { csr, offsets: Cow::Borrowed(t.offsets()), sources: Cow::Borrowed(t.targets()) };
        }
        let n = csr.num_nodes();
        let in_degree: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
        csr.targets().par_chunks(CHUNK_WORK as usize).for_each(|chunk| {
            for &v in chunk {
                in_degree[v as usize].fetch_add(1, Relaxed);
            }
        });
        let mut offsets = Vec::with_capacity(n + 1);
        let mut total = 0;
        offsets.push(0);
        for d in &in_degree {
            total += d.load(Relaxed);
            offsets.push(total);
        }
        let cursor: Vec<AtomicU64> = offsets[..n].iter().map(|&o| AtomicU64::new(o)).collect();
        let sources: Vec<std::sync::atomic::AtomicU32> =
            (0..total).map(|_| std::sync::atomic::AtomicU32::new(0)).collect();
        chunks(csr.offsets(), CHUNK_WORK).par_iter().for_each(|nodes| {
            for u in nodes.clone() {
                for &v in csr.neighbors(u as NodeId) {
                    let at = cursor[v as usize].fetch_add(1, Relaxed);
                    sources[at as usize].store(u as NodeId, Relaxed);
                }
            }
        });
        let mut sources: Vec<NodeId> = sources.into_iter().map(|s| s.into_inner()).collect();
        let bounds = chunks(&offsets, CHUNK_WORK);
        let mut parts = Vec::with_capacity(bounds.len());
        let mut rest = sources.as_mut_slice();
        for nodes in &bounds {
            let (part, tail) = rest.split_at_mut((offsets[nodes.end] - offsets[nodes.start]) as usize);
            parts.push((nodes.clone(), part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(nodes, part)| {
            let first = offsets[nodes.start];
            for v in nodes {
                part[(offsets[v] - first) as usize..(offsets[v + 1] - first) as usize].sort_unstable();
            }
        });
        InEdges { csr, offsets: Cow::Owned(offsets), sources: Cow::Owned(sources) }
    }

    /// The sources of the in-arcs of `v`, in increasing order.
    pub fn in_arcs(&self, v: usize) -> &[NodeId] {
        &self.sources[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }
}
