//! [`replay`]: the single-thread side of `updates` — the very same stream replayed with an
//! incremental union-find and with union-find recomputed after every batch (timed like the
//! dataflow's batches, so both have as many samples), whose digests at the checked batches are
//! the oracle every dataflow answer is compared with. Cost: one union-find over the whole
//! updated edge list per batch.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::algo::Output;
use crate::algo::cc::union_find::union_find_edges;
use crate::algo::cc::{Components, dsu};
use crate::dataflow::differential::stream::UpdateStream;
use crate::dataflow::differential::updates::UpdatesJob;
use crate::graph::Csr;
use crate::{Error, Result};

/// What the single-thread side measured on the stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    /// The oracle's digest of the first components.
    pub initial_digest: String,
    /// Per segment, per batch: the oracle's digest after the batch (checked batches only).
    pub digests: Vec<Vec<Option<String>>>,
    /// Per segment: seconds of the incremental union-find's unions for each batch; `None` when
    /// the stream deletes (union-find cannot delete).
    pub incremental: Option<Vec<Vec<f64>>>,
    /// Per segment: seconds of union-find from scratch over the updated edges, for each batch.
    pub recompute: Vec<Vec<f64>>,
}

/// Replays `job`'s stream on one thread over `graph` (see the module docs).
pub fn replay(graph: &Csr, job: &UpdatesJob) -> Result<Replay> {
    let mut stream = UpdateStream::new(graph, job.stream)?;
    let n = stream.num_nodes();
    let initial_digest = digest(union_find_edges(n, stream.edges()));
    let insert_only = job.stream.deletions == 0.0;
    let mut parent = dsu::singletons(n);
    if insert_only {
        for &(u, v) in stream.edges() {
            dsu::rem_union(&mut parent, u, v);
        }
    }
    let mut out =
        Replay { initial_digest, digests: Vec::new(), incremental: insert_only.then(Vec::new), recompute: Vec::new() };
    for segment in &job.segments {
        let (mut digests, mut incremental, mut recompute) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..segment.batches {
            let batch = stream.next_batch(segment.batch);
            if insert_only {
                let start = Instant::now();
                for &(u, v, _) in &batch {
                    dsu::rem_union(&mut parent, u, v);
                }
                incremental.push(start.elapsed().as_secs_f64());
            }
            // Recomputed after every batch, so the baseline has as many samples as the system it
            // is compared with; the digest is kept for the checked batches.
            let start = Instant::now();
            let components = union_find_edges(n, stream.edges());
            recompute.push(start.elapsed().as_secs_f64());
            digests.push(job.checked(i, segment.batches).then(|| digest(components)));
        }
        out.digests.push(digests);
        out.recompute.push(recompute);
        if let Some(all) = &mut out.incremental {
            all.push(incremental);
        }
    }
    if insert_only {
        // The incremental answer must be right too.
        dsu::flatten(&mut parent);
        let last = out.digests.iter().flatten().flatten().last().cloned();
        if last != Some(digest(Components::from_canonical(parent))) {
            return Err(Error::invalid("the incremental union-find disagrees with union-find from scratch"));
        }
    }
    Ok(out)
}

/// The digest of `components`, as every implementation reports it.
pub(super) fn digest(components: Components) -> String {
    Output::Components(components).digest()
}
