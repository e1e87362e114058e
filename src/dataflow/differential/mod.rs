//! Connected components on differential dataflow (McSherry, Murray, Isaacs, Isard, "Differential
//! dataflow", CIDR 2013), static and kept current under edge insertions and deletions.
//!
//! The computation is minimum-label propagation written as a differential fixed point: every node
//! proposes its label to its neighbours (`join_core` of the labels with the arranged edges), and
//! each node keeps the smallest of its own id and the proposals it receives (`reduce`, min), until
//! nothing changes. The fixed point labels every node with the smallest id of its component: the
//! canonical labels of [`Components`](crate::algo::cc::Components). Because differential dataflow
//! keeps, for every round of the iteration, only the *changes* to each collection, a later change
//! of the edges (an insertion or a deletion at a later outer timestamp) re-runs only the rounds
//! and nodes whose labels it affects: that is what keeps the components current in
//! [`updates`].
//!
//! Two refinements. The edges are arranged once (an indexed, shared trace) and entered into the
//! loop, so the loop never re-indexes them. Only the nodes without a smaller neighbour seed their
//! own id as a label, and nodes without any neighbour are labelled outside the loop
//! ([`seeds::ends`]). A seed enters the loop not in round 0 but in round [`seeds::STAGE`] × (bit
//! length of the id), held back until then ([`seeds::hold_back`]): small labels spread first, and
//! a large id that is already beaten by a smaller label when its turn comes never propagates at
//! all, which removes most of the wasted label traffic of plain label propagation.
//!
//! Work: `O(m)` per round of the first fixed point, over `D` rounds (the largest component
//! diameter); an update costs in proportion to the labels it changes, summed over the rounds.
//! Memory: the arranged edges (both directions of every edge) and the labels' history per round,
//! compacted as the input frontier advances (the dataflow holds no trace handle outside, so
//! differential merges and compacts the arrangements itself).
//!
//! - [`combine`] — a round's equal proposals added up before they are exchanged and arranged;
//! - [`memory`] — what the arrangements hold, and a heap that does not grow around them;
//! - [`min`] — `differential-cc-min`, the labels as min-monoid differences (insertions only);
//! - [`seeds`] — which nodes start a label, and when it enters the loop;
//! - [`stream`] — the deterministic stream of edge insertions and deletions;
//! - [`updates`] — the dataflow that applies the stream in batches, with backpressure, and
//!   measures each batch's latency.

pub mod combine;
pub mod memory;
pub mod min;
pub mod seeds;
pub mod stream;
pub mod updates;

use std::cell::RefCell;
use std::hash::Hash;
use std::rc::Rc;
use std::time::Duration;

use differential_dataflow::VecCollection;
use differential_dataflow::input::{Input, InputSession};
use differential_dataflow::lattice::Lattice;
use differential_dataflow::operators::iterate::Variable;
use differential_dataflow::trace::implementations::{ValBuilder, ValSpine};
use serde::{Deserialize, Serialize};
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::dataflow::operators::{Exchange, Inspect, Probe};
use timely::order::Product;
use timely::progress::Timestamp;
use timely::worker::Worker;

use super::{Abort, Context, Counters, Outcome, Partition};
use crate::algo::Output;
use crate::algo::cc::Components;
use crate::graph::{NodeId, Shard};
use crate::{Error, Result};

/// The outer timestamp: 0 for the graph, `t` for the `t`-th batch of changes.
pub type Time = u32;

pub use seeds::Diff;

/// The records the input sessions take: arcs `(u, v)` and nodes `(u, u)`.
pub type Inputs = (InputSession<Time, (NodeId, NodeId), Diff>, InputSession<Time, (NodeId, NodeId), Diff>);

/// The label of every node of the collection `nodes` (pairs `(u, u)`) in the undirected graph
/// whose arcs are `arcs` (both directions of every edge must be present): the smallest id of its
/// component, maintained as `arcs` change. Only the seeds enter the loop, each held back until its
/// stage; isolated nodes are labelled outside it ([`seeds`]).
pub fn components<'s, T>(
    arcs: VecCollection<'s, T, (NodeId, NodeId), Diff>,
    nodes: VecCollection<'s, T, (NodeId, NodeId), Diff>,
) -> VecCollection<'s, T, (NodeId, NodeId), Diff>
where
    T: Timestamp + Lattice + Hash + Ord,
{
    let arcs = arcs.concat(nodes).arrange_by_key();
    let (seeds, isolated) = seeds::ends(&arcs);
    let outer = isolated.scope();
    let labels = outer.iterative::<u32, _, _>(|inner| {
        let arcs = arcs.enter(inner);
        let seeds = seeds.enter_at(inner, |&(node, _)| seeds::stage(node));
        let (proposed, proposals) = Variable::new(inner, Product::new(Default::default(), 1));
        let labels = seeds::hold_back(proposals, seeds)
            .reduce_abelian::<_, ValBuilder<_, _, _, _>, ValSpine<_, _, _, _>>(
                "SmallestLabel",
                |_node, offers, smallest| smallest.push((*offers[0].0, 1)),
            );
        proposed.set(combine::combine(
            labels
                .clone()
                .join_core(arcs, |&node, &label, &neighbour| (node != neighbour).then_some((neighbour, label))),
        ));
        labels.as_collection(|&node, &label| (node, label)).leave(outer)
    });
    labels.concat(isolated)
}

/// Worker 0's copy of every node's label, kept from the changes of the output collection: the
/// changes of each timestamp are applied once the output is complete for it.
#[derive(Debug)]
pub struct LabelSink {
    labels: Vec<NodeId>,
    pending: Vec<((NodeId, NodeId), Time, Diff)>,
    lowered: Vec<(NodeId, Time, NodeId)>,
}

/// A node without a label yet.
const UNLABELLED: NodeId = NodeId::MAX;

impl LabelSink {
    /// A sink for `n` nodes, none labelled yet.
    pub fn new(n: usize) -> Self {
        LabelSink { labels: vec![UNLABELLED; n], pending: Vec::new(), lowered: Vec::new() }
    }

    /// Applies the pending changes of every timestamp `<= time` (the output must be complete
    /// through `time`): counted changes ([`Variant::Counts`]) and lowered labels
    /// ([`Variant::Min`]). Fails when the changes are inconsistent (a label removed that is not
    /// there, two labels for a node, a node not in the graph).
    pub fn apply_through(&mut self, time: Time) -> Result<()> {
        let labels = &mut self.labels;
        let mut outside = None;
        self.lowered.retain(|&(node, t, label)| {
            if t > time {
                return true;
            }
            match labels.get_mut(node as usize) {
                // Unlabelled is the largest id, so the first label lowers it too.
                Some(slot) => *slot = (*slot).min(label),
                None => outside = Some(node),
            }
            false
        });
        if let Some(node) = outside {
            return Err(Error::Cluster(format!("label for node {node}, which is not in the graph")));
        }
        let mut ready: Vec<((NodeId, NodeId), Diff)> = Vec::new();
        self.pending.retain(|&(record, t, diff)| {
            if t <= time {
                ready.push((record, diff));
                false
            } else {
                true
            }
        });
        differential_dataflow::consolidation::consolidate(&mut ready);
        // Removals first: a node's old label goes before its new one arrives.
        ready.sort_by_key(|&(_, diff)| diff > 0);
        for ((node, label), diff) in ready {
            let slot = self
                .labels
                .get_mut(node as usize)
                .ok_or_else(|| Error::Cluster(format!("label for node {node}, which is not in the graph")))?;
            match diff {
                -1 if *slot == label => *slot = UNLABELLED,
                1 if *slot == UNLABELLED => *slot = label,
                _ => {
                    return Err(Error::Cluster(format!(
                        "inconsistent label change for node {node}: {diff:+} × label {label}, current {}",
                        *slot
                    )));
                }
            }
        }
        Ok(())
    }

    /// The labels, once every node has one.
    pub fn components(&self) -> Result<Components> {
        if let Some(node) = self.labels.iter().position(|&l| l == UNLABELLED) {
            return Err(Error::Cluster(format!("node {node} has no label")));
        }
        Ok(Components::from_canonical(self.labels.clone()))
    }
}

/// Which dataflow computes the labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// `differential-cc`: labels as counted records, any change of the arcs ([`components`]).
    Counts,
    /// `differential-cc-min`: labels as min-monoid differences, insertions only ([`min`]).
    Min,
}

impl Variant {
    /// Both variants.
    pub const ALL: [Variant; 2] = [Variant::Counts, Variant::Min];

    /// The implementation's name in the registry.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Counts => "differential-cc",
            Variant::Min => "differential-cc-min",
        }
    }

    /// The variant called `name`.
    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Whether it can take deletions of arcs.
    pub fn deletes(self) -> bool {
        self == Variant::Counts
    }
}

/// Builds the components dataflow of `variant` on `worker`: returns the input sessions for arcs
/// and nodes and the probe of the output. Every change of the output is sent to worker 0, which keeps it in
/// `sink` (the other workers' sinks stay empty); `counters` counts the changes this worker sends
/// there (differential's own exchanges inside the computation are not counted); `held` counts
/// the updates its arrangements hold. Fixes the process's heap behaviour first
/// ([`memory::steady_heap`]).
pub fn build(
    worker: &mut Worker,
    variant: Variant,
    sink: &Rc<RefCell<LabelSink>>,
    counters: &Rc<Counters>,
    held: &memory::Counter,
) -> (Inputs, ProbeHandle<Time>) {
    held.track(worker);
    memory::steady_heap();
    let (sink, counters) = (Rc::clone(sink), Rc::clone(counters));
    worker.dataflow::<Time, _, _>(|scope| {
        let (arc_input, arcs) = scope.new_collection::<(NodeId, NodeId), Diff>();
        let (node_input, nodes) = scope.new_collection::<(NodeId, NodeId), Diff>();
        let probe = match variant {
            Variant::Counts => deliver(components(arcs, nodes).inner, counters, move |changes| {
                sink.borrow_mut().pending.extend_from_slice(changes)
            }),
            Variant::Min => deliver(min::components(arcs, nodes).inner, counters, move |changes| {
                sink.borrow_mut()
                    .lowered
                    .extend(changes.iter().map(|&(node, t, min::MinLabel(label))| (node, t, label)))
            }),
        };
        ((arc_input, node_input), probe)
    })
}

/// Sends every change of `output` to worker 0, which hands them to `keep`; counts in `counters`
/// what a worker other than 0 sends.
fn deliver<'s, D, R>(
    output: timely::dataflow::Stream<'s, Time, Vec<(D, Time, R)>>,
    counters: Rc<Counters>,
    mut keep: impl FnMut(&[(D, Time, R)]) + 'static,
) -> ProbeHandle<Time>
where
    D: differential_dataflow::ExchangeData,
    R: differential_dataflow::ExchangeData,
{
    let remote = output.scope().index() != 0;
    let (probe, _) = output
        .inspect_core(move |event| {
            if let (true, Ok((_, changes))) = (remote, event) {
                let records = changes.len() as u64;
                counters.records.set(counters.records.get() + records);
                counters.bytes.set(counters.bytes.get() + records * size_of::<(D, Time, R)>() as u64);
            }
        })
        .exchange(|_| 0)
        .inspect_core(move |event| {
            if let Ok((_, changes)) = event {
                keep(changes);
            }
        })
        .probe();
    probe
}

/// Records given to an input session between two steps of the worker (bounds what is buffered).
const STEP_EVERY: usize = 1 << 16;

/// Inserts this worker's share of `graph` at the current time: its nodes as `(u, u)` and its
/// arcs in both directions (once each when the file already stores both). Self loops are left
/// out (they do not change components).
pub fn load_share(worker: &mut Worker, graph: &Shard, partition: &Partition, inputs: &mut Inputs) {
    let (arcs, nodes) = inputs;
    let me = worker.index();
    let symmetric = graph.is_symmetric();
    let mut given = 0usize;
    for u in partition.nodes(me) {
        nodes.update((u, u), 1);
        for &v in graph.neighbors(u) {
            if u == v {
                continue;
            }
            arcs.update((u, v), 1);
            if !symmetric {
                arcs.update((v, u), 1);
            }
            given += 1;
            if given.is_multiple_of(STEP_EVERY) {
                arcs.flush();
                worker.step();
            }
        }
    }
}

/// Steps `worker` until `done` holds, failing when another worker failed.
pub fn step_until(worker: &mut Worker, abort: &Abort, mut done: impl FnMut() -> bool) -> Result<()> {
    while !done() {
        worker.step_or_park(Some(Duration::from_millis(1)));
        abort.check()?;
    }
    Ok(())
}

/// `differential-cc`: the static components, computed once; worker 0 returns them. Its dataflow
/// delivers every label to worker 0, so the result is always the whole one and is not written in
/// parts (`--output` is refused).
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
    run_variant(ctx, Variant::Counts)
}

/// `differential-cc-min`: as [`run`], with the labels as min-monoid differences ([`min`]).
pub fn run_min(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
    run_variant(ctx, Variant::Min)
}

fn run_variant(ctx: &mut Context<'_>, variant: Variant) -> Result<Option<Outcome>> {
    let me = ctx.index();
    if ctx.deliver.output.is_some() {
        return Err(Error::invalid(format!(
            "{} collects its labels at worker 0 through its dataflow: --output DIR is for the timely implementations",
            variant.name()
        )));
    }
    let sink = Rc::new(RefCell::new(LabelSink::new(if me == 0 { ctx.graph.num_nodes() } else { 0 })));
    let (mut inputs, probe) = build(ctx.worker, variant, &sink, &ctx.counters, &memory::Counter::default());
    load_share(ctx.worker, ctx.graph, ctx.partition, &mut inputs);
    drop(inputs);
    step_until(ctx.worker, ctx.abort, || probe.done())?;
    ctx.rounds += 1;
    if me != 0 {
        return Ok(None);
    }
    let mut sink = sink.borrow_mut();
    sink.apply_through(0)?;
    Ok(Some(Outcome::Whole(Output::Components(sink.components()?))))
}

#[cfg(test)]
mod tests;
