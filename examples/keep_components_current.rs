//! Keeps the connected components of a changing graph current with differential dataflow: the
//! components of a small graph, then after an edge is added and after one is removed, each time
//! printing the labels that changed (a label is the smallest node id of the component) — only
//! the affected nodes' labels are recomputed, which is what `costgraph updates cc` measures.
//!
//! ```sh
//! cargo run --release --example keep_components_current
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use costgraph::dataflow::differential::{Diff, Time, components};
use differential_dataflow::input::{Input, InputSession};
use timely::dataflow::operators::{Inspect, Probe};

/// Adds (`diff` 1) or removes (-1) the undirected edge `{u, v}`: both of its arcs.
fn edge(arcs: &mut InputSession<Time, (u32, u32), Diff>, u: u32, v: u32, diff: Diff) {
    arcs.update((u, v), diff);
    arcs.update((v, u), diff);
}

fn main() {
    timely::execute_directly(|worker| {
        let changes = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&changes);
        let ((mut arcs, mut nodes), probe) = worker.dataflow::<Time, _, _>(|scope| {
            let (arc_input, arcs) = scope.new_collection::<(u32, u32), Diff>();
            let (node_input, nodes) = scope.new_collection::<(u32, u32), Diff>();
            let (probe, _) =
                components(arcs, nodes).inner.inspect(move |change| sink.borrow_mut().push(*change)).probe();
            ((arc_input, node_input), probe)
        });
        // Six nodes: the path 0-1-2, the edge 3-4, and 5 alone.
        for u in 0..6 {
            nodes.update((u, u), 1);
        }
        edge(&mut arcs, 0, 1, 1);
        edge(&mut arcs, 1, 2, 1);
        edge(&mut arcs, 3, 4, 1);
        let mut labels = BTreeMap::new();
        // What changes at each time: nothing more at 0, then one edge in, then one out.
        let steps = [("the graph", None), ("edge 2-3 added", Some((2, 3, 1))), ("edge 1-2 removed", Some((1, 2, -1)))];
        for (time, (what, change)) in steps.into_iter().enumerate() {
            let time = time as Time;
            if let Some((u, v, diff)) = change {
                edge(&mut arcs, u, v, diff);
            }
            for input in [&mut arcs, &mut nodes] {
                input.advance_to(time + 1);
                input.flush();
            }
            while probe.less_than(&(time + 1)) {
                worker.step();
            }
            // Apply this time's label changes: removals first, then the new labels.
            let mut now: Vec<((u32, u32), Time, Diff)> = changes.borrow_mut().drain(..).collect();
            differential_dataflow::consolidation::consolidate_updates(&mut now);
            now.sort_by_key(|&(_, _, diff)| diff > 0);
            let mut changed = Vec::new();
            for ((node, label), _, diff) in now {
                if diff > 0 {
                    labels.insert(node, label);
                    changed.push(node);
                } else if labels.get(&node) == Some(&label) {
                    labels.remove(&node);
                }
            }
            changed.sort_unstable();
            changed.dedup();
            let components = labels.values().collect::<std::collections::BTreeSet<_>>().len();
            println!("{what}: {components} components; labels {labels:?}; changed at {changed:?}");
        }
    });
}
