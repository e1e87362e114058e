//! `timely-label-prop`: connected components by bulk-synchronous label propagation.
//!
//! Every node starts with its own id as label; in each round every node whose label changed in
//! the previous round sends it to its neighbours, which keep the minimum. When a round changes no
//! label anywhere (a global count of zero), every node holds the smallest id of its component:
//! the canonical labels. Work `O(m · rounds)` in the worst case, but only changed labels travel;
//! rounds ≤ diameter + 1. (The algorithm of the GraphLab / GraphX / Pregel comparisons in
//! McSherry, Isard, Murray, "Scalability! But at what COST?", HotOS 2015.)
//!
//! Each worker owns a share of the nodes ([`Partition`](super::Partition)) and their adjacency
//! lists. Updates to a node the worker owns are applied at once (which speeds convergence);
//! the others go through the [`Channel`](super::Channel). A directed input is first made
//! symmetric by sending each arc's reverse to the owner of its target.

use std::cell::Cell;

use super::Context;
use crate::Result;
use crate::algo::cc::Components;
use crate::graph::NodeId;
use crate::registry::Output;

/// Runs label propagation on this worker; worker 0 returns the components.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Output>> {
    let (me, graph, part) = (ctx.index(), ctx.graph, ctx.partition);
    let mut channel = ctx.channel::<(NodeId, NodeId)>();
    let mut control = ctx.channel::<u64>();
    let local_n = part.num_local(me);

    // In-neighbours of the owned nodes, when the file does not already store both directions.
    let reverse = if graph.is_symmetric() {
        None
    } else {
        let mut pairs = Vec::new();
        let arcs = part.nodes(me).flat_map(|u| graph.neighbors(u).iter().map(move |&v| (part.owner(v), (v, u))));
        channel.round(ctx.worker, arcs, |(v, u)| pairs.push((part.local(v) as u32, u)))?;
        ctx.rounds += 1;
        Some(LocalCsr::new(local_n, pairs))
    };
    let neighbors = |u: NodeId| {
        let inward = reverse.as_ref().map_or(&[][..], |r| r.neighbors(part.local(u)));
        graph.neighbors(u).iter().chain(inward)
    };

    let labels: Vec<Cell<NodeId>> = part.nodes(me).map(Cell::new).collect();
    let queued: Vec<Cell<bool>> = (0..local_n).map(|_| Cell::new(false)).collect();
    let mut changed: Vec<u32> = (0..local_n as u32).collect();
    let next = std::cell::RefCell::new(Vec::new());
    // Lowers the label of the owned node at local index `i`; queues it for the next round.
    let lower = |i: usize, label: NodeId| {
        if label < labels[i].get() {
            labels[i].set(label);
            if !queued[i].replace(true) {
                next.borrow_mut().push(i as u32);
            }
        }
    };
    loop {
        let frontier: Vec<(NodeId, NodeId)> =
            changed.iter().map(|&i| (part.global(me, i as usize), labels[i as usize].get())).collect();
        let outgoing = frontier.iter().flat_map(|&(u, label)| {
            neighbors(u).filter_map(move |&v| {
                let owner = part.owner(v);
                if owner == me {
                    lower(part.local(v), label);
                    None
                } else {
                    Some((owner, (v, label)))
                }
            })
        });
        channel.round(ctx.worker, outgoing, |(v, label)| lower(part.local(v), label))?;
        ctx.rounds += 1;
        changed = std::mem::take(&mut *next.borrow_mut());
        for &i in &changed {
            queued[i as usize].set(false);
        }
        if control.sum(ctx.worker, changed.len() as u64)? == 0 {
            break;
        }
    }

    // Gather the labels at worker 0.
    let mut all = if me == 0 { vec![0; graph.num_nodes()] } else { Vec::new() };
    let owned = part.nodes(me).zip(&labels).map(|(u, l)| (0, (u, l.get())));
    channel.round(ctx.worker, owned, |(u, l)| all[u as usize] = l)?;
    Ok((me == 0).then(|| Output::Components(Components::from_canonical(all))))
}

/// A small CSR over a worker's own nodes (local indices), built by counting sort.
struct LocalCsr {
    offsets: Vec<usize>,
    targets: Vec<NodeId>,
}

impl LocalCsr {
    fn new(n: usize, pairs: Vec<(u32, NodeId)>) -> Self {
        let mut offsets = vec![0usize; n + 1];
        for &(i, _) in &pairs {
            offsets[i as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets.clone();
        let mut targets = vec![0; pairs.len()];
        for (i, v) in pairs {
            targets[cursor[i as usize]] = v;
            cursor[i as usize] += 1;
        }
        LocalCsr { offsets, targets }
    }

    fn neighbors(&self, i: usize) -> &[NodeId] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }
}
