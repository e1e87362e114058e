//! What a worker ends a distributed algorithm with ([`Part`]), what the job asks of it
//! ([`Deliver`]) and what worker 0 reports ([`Outcome`]).

use std::path::PathBuf;

use crate::algo::Output;
use crate::algo::msf::ForestEdge;
use crate::graph::NodeId;

/// One worker's share of a result.
pub enum Part<'p> {
    /// The canonical labels of the worker's own nodes: `labels[i]` is the label of its `i`-th
    /// node ([`Partition::global`](super::Partition::global)).
    Labels(&'p [NodeId]),
    /// The ranks of the worker's own nodes, and how they were computed (the same on every worker).
    Ranks {
        /// `ranks[i]` is the rank of the worker's `i`-th node.
        ranks: &'p [f32],
        /// Iterations run.
        iterations: u32,
        /// The L1 change of the last iteration.
        last_change: f64,
        /// The damping factor.
        damping: f64,
    },
    /// Forest edges this worker found; every edge of the forest is held by exactly one worker.
    Forest(Vec<ForestEdge>),
}

/// What a job asks of its result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deliver {
    /// Gather the whole result at worker 0 ([`Outcome::Whole`]); otherwise summarise it. Process
    /// 0's choice holds for the whole cluster (the other processes need not ask the same).
    pub gather: bool,
    /// Write every worker's part to this folder (see the module docs).
    pub output: Option<PathBuf>,
}

/// What worker 0 ends a run with.
#[derive(Debug)]
pub enum Outcome {
    /// The whole result.
    Whole(Output),
    /// The result's summary ([`Output::summary_json`]'s fields) and digest ([`Output::digest`]),
    /// computed by reductions.
    Summary {
        /// The summary.
        summary: serde_json::Value,
        /// The digest.
        digest: String,
    },
}

impl Outcome {
    /// The summary, as [`Output::summary_json`] gives it, for a graph of `num_nodes` nodes.
    pub fn summary_json(&self, num_nodes: usize) -> serde_json::Value {
        match self {
            Outcome::Whole(output) => output.summary_json(num_nodes),
            Outcome::Summary { summary, .. } => summary.clone(),
        }
    }

    /// The digest, as [`Output::digest`] gives it.
    pub fn digest(&self) -> String {
        match self {
            Outcome::Whole(output) => output.digest(),
            Outcome::Summary { digest, .. } => digest.clone(),
        }
    }
}

impl Part<'_> {
    /// The part file's kind code: 1 labels, 2 ranks, 3 forest edges.
    pub(super) fn kind(&self) -> u32 {
        match self {
            Part::Labels(_) => 1,
            Part::Ranks { .. } => 2,
            Part::Forest(_) => 3,
        }
    }

    /// Values in the part (nodes, or forest edges).
    pub(super) fn count(&self) -> usize {
        match self {
            Part::Labels(labels) => labels.len(),
            Part::Ranks { ranks, .. } => ranks.len(),
            Part::Forest(edges) => edges.len(),
        }
    }
}
