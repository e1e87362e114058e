//! `differential-cc-min`: connected components on differential dataflow with the label carried as
//! a *min monoid* difference instead of a count, for graphs that only grow.
//!
//! Where [`components`](super::components) keeps, for every node, the multiset of the labels its
//! neighbours propose (and a `reduce` reads all of them to find the smallest), here a proposal is
//! the record `node` with the difference `MinLabel(label)`, and differential adds differences by
//! taking their minimum: the arrangement holds one accumulated proposal per node and round, never
//! the list. A small `reduce` still passes on only the proposals that lower a node's label (without
//! it every node would re-propose its label to its neighbours in every round, and the loop would
//! never end), but it reads one value per node, not a list.
//!
//! A minimum cannot be taken back: a deleted edge could leave labels that are too small. So this
//! variant serves static runs and insert-only update streams, and [`UpdatesJob`] refuses a stream
//! with deletions for it. Under insertions seeds only ever stop being seeds (a node gains a smaller
//! neighbour) or isolated nodes stop being isolated; those retractions are dropped, which is safe
//! because every label a component ever held belongs to a node of the (merged) component, and the
//! smallest node of each component is a seed from the moment it has an arc.
//!
//! [`UpdatesJob`]: super::updates::UpdatesJob

use std::hash::Hash;

use differential_dataflow::difference::{IsZero, Multiply, Semigroup};
use differential_dataflow::lattice::Lattice;
use differential_dataflow::operators::iterate::Variable;
use differential_dataflow::trace::implementations::{KeyBuilder, KeySpine};
use differential_dataflow::{AsCollection, VecCollection};
use serde::{Deserialize, Serialize};
use timely::dataflow::operators::vec::Map;
use timely::order::Product;
use timely::progress::Timestamp;

use super::combine;
use super::seeds::{self, Diff};
use crate::graph::NodeId;

/// A label as a difference: adding two takes the smaller. It has no zero and no negation (a
/// minimum cannot be taken back).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MinLabel(pub NodeId);

impl IsZero for MinLabel {
    fn is_zero(&self) -> bool {
        false
    }
}

impl Semigroup for MinLabel {
    fn plus_equals(&mut self, rhs: &Self) {
        self.0 = self.0.min(rhs.0);
    }
}

/// A label carried along an arc: the arc's count only says it is there (insert-only).
impl Multiply<Diff> for MinLabel {
    type Output = MinLabel;
    fn multiply(self, _count: &Diff) -> MinLabel {
        self
    }
}

/// The label of every node of `nodes` (pairs `(u, u)`) in the undirected graph whose arcs are
/// `arcs` (both directions of every edge), as records `node` whose accumulated difference is
/// `MinLabel(label)`: the smallest id of the node's component. Only insertions may follow the first
/// timestamp.
pub fn components<'s, T>(
    arcs: VecCollection<'s, T, (NodeId, NodeId), Diff>,
    nodes: VecCollection<'s, T, (NodeId, NodeId), Diff>,
) -> VecCollection<'s, T, NodeId, MinLabel>
where
    T: Timestamp + Lattice + Hash + Ord,
{
    let arcs = arcs.concat(nodes).arrange_by_key();
    let (seeds, isolated) = seeds::ends(&arcs);
    let outer = isolated.scope();
    let labels = outer.iterative::<u32, _, _>(|inner| {
        let arcs = arcs.enter(inner);
        let seeds = as_labels(seeds).enter_at(inner, |&node| seeds::stage(node));
        let (proposed, proposals) = Variable::new(inner, Product::new(Default::default(), 1));
        let labels = seeds::hold_back(proposals, seeds)
            .map(|node| (node, ()))
            .reduce_core::<_, KeyBuilder<_, _, _>, KeySpine<_, _, _>>("LowerLabel", |_node, offers, label, lowered| {
                // One value, (), whose difference is the smallest label offered so far.
                if let Some(&(_, offered)) = offers.first()
                    && label.first().is_none_or(|&(_, current)| offered < current)
                {
                    lowered.push(((), offered));
                }
            });
        proposed.set(combine::combine(
            labels.clone().join_core(arcs, |&node, &(), &neighbour| (node != neighbour).then_some(neighbour)),
        ));
        labels.as_collection(|&node, &()| node).leave(outer)
    });
    labels.concat(as_labels(isolated))
}

/// Records `(u, u)` counted up as records `u` labelled `MinLabel(u)`; their retractions are
/// dropped (see the module docs).
fn as_labels<'s, T>(nodes: VecCollection<'s, T, (NodeId, NodeId), Diff>) -> VecCollection<'s, T, NodeId, MinLabel>
where
    T: Timestamp,
{
    nodes.inner.flat_map(|((node, _), time, count)| (count > 0).then_some((node, time, MinLabel(node)))).as_collection()
}
