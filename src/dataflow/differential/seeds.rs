//! Which nodes start a label, and when their labels enter the iteration.
//!
//! **Seeds.** A node with a smaller neighbour never keeps its own id as its label, so only the
//! *local minima* (nodes with no smaller neighbour) need to start one: the smallest node of every
//! component is one of them, so the fixed point is still the canonical labelling. A node without
//! any neighbour (self loops aside) is its own component: it is labelled with its own id outside
//! the loop. Both sets are derived inside the dataflow from the arranged arcs (each node's own
//! `(u, u)` record is in that arrangement too, see [`ends`]), so they follow insertions and
//! deletions of arcs: a node that gains a smaller neighbour stops being a seed, a node that loses
//! its last arc becomes isolated, and so on.
//!
//! **Stages.** A seed enters the loop in round [`stage`] of its id (its bit length times
//! [`STAGE`]), so small labels spread first and a large seed already beaten when its turn comes
//! changes nothing. [`hold_back`] keeps each seed out of the loop until the loop has finished
//! every earlier round: released straight into the loop at once, the seeds of later rounds would
//! sit in the batcher of the loop's first arrangement, which copies everything it holds at every
//! round (with about `32 × STAGE` rounds and a seed per node, most of the first fixed point's
//! work).

use differential_dataflow::difference::Semigroup;
use differential_dataflow::operators::arrange::Arranged;
use differential_dataflow::operators::arrange::agent::TraceAgent;
use differential_dataflow::trace::implementations::{ValBuilder, ValSpine};
use differential_dataflow::{AsCollection, Data, VecCollection};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::operator::Operator;
use timely::progress::Timestamp;

use crate::graph::NodeId;

/// Multiplicities of records (an edge present once has multiplicity 1).
pub type Diff = i32;

/// Rounds of the iteration reserved for each bit length of the labels: the labels of one bit
/// length spread over components of diameter up to this many hops before the next ones enter.
pub const STAGE: u32 = 64;

/// The round in which the seed `node` enters the loop.
pub fn stage(node: NodeId) -> u32 {
    STAGE * (NodeId::BITS - node.leading_zeros())
}

/// The arcs `(u, v)` (both directions of every edge) and every node's own `(u, u)`, arranged by
/// source.
pub type Arcs<'s, T> = Arranged<'s, TraceAgent<ValSpine<NodeId, NodeId, T, Diff>>>;

/// Nodes `u` as records `(u, u)`.
pub type Nodes<'s, T> = VecCollection<'s, T, (NodeId, NodeId), Diff>;

/// The seeds and the isolated nodes of `arcs`, each as `(u, u)`: `u` is a seed when it has a
/// neighbour and none smaller than itself, isolated when it has none at all. Each node's list in
/// `arcs` holds the node itself (its `(u, u)` record) and its neighbours in order, so the first
/// entry says which it is; a change of a node's arcs re-reads that node's list (its degree).
pub fn ends<'s, T>(arcs: &Arcs<'s, T>) -> (Nodes<'s, T>, Nodes<'s, T>)
where
    T: Timestamp + differential_dataflow::lattice::Lattice + Ord,
{
    let kinds = arcs
        .clone()
        .reduce_abelian::<_, ValBuilder<_, _, _, _>, ValSpine<NodeId, bool, T, Diff>, _, _>(
            "LocalMinimum",
            |&node, list, kind| {
                // Sorted: the first entry is the smallest of the node and its neighbours.
                if *list[0].0 == node {
                    kind.push((list.len() == 1, 1));
                }
            },
            |batch, &node, changes| {
                batch.clear();
                batch.extend(changes.drain(..).map(|(isolated, t, r)| ((node, isolated), t, r)));
            },
        )
        .as_collection(|&node, &isolated| (node, isolated));
    let seeds = kinds.clone().flat_map(|(node, isolated)| (!isolated).then_some((node, node)));
    let isolated = kinds.flat_map(|(node, isolated)| isolated.then_some((node, node)));
    (seeds, isolated)
}

/// Seeds of one time held back, with the capability to send them at that time.
type Held<D, T, R> = (Capability<T>, Vec<(D, T, R)>);

/// `proposals` and `seeds` merged into one collection, each seed held back until no record of
/// the loop at an earlier time can still arrive, that is, until the frontier of `proposals` (the
/// loop's feedback) has reached its time. The proposals pass through at once.
pub fn hold_back<'s, T, D, R>(
    proposals: VecCollection<'s, T, D, R>,
    seeds: VecCollection<'s, T, D, R>,
) -> VecCollection<'s, T, D, R>
where
    T: Timestamp,
    D: Data,
    R: Semigroup + 'static,
{
    // Per time held back: its capability and its seeds.
    let mut held: Vec<Held<D, T, R>> = Vec::new();
    proposals
        .inner
        .binary_frontier::<_, CapacityContainerBuilder<Vec<(D, T, R)>>, _, _, _, _>(
            seeds.inner,
            Pipeline,
            Pipeline,
            "HoldBackSeeds",
            move |_, _| {
                move |(proposals, frontier), (seeds, _), output| {
                    proposals.for_each(|cap, data| output.session(&cap).give_container(data));
                    seeds.for_each(|cap, data| {
                        for (record, time, diff) in data.drain(..) {
                            match held.iter_mut().find(|(c, _)| *c.time() == time) {
                                Some((_, records)) => records.push((record, time, diff)),
                                None => held.push((cap.delayed(&time, 0), vec![(record, time, diff)])),
                            }
                        }
                    });
                    held.retain_mut(|(cap, records)| {
                        if frontier.less_than(cap.time()) {
                            return true;
                        }
                        output.session(cap).give_container(records);
                        false
                    });
                }
            },
        )
        .as_collection()
}
