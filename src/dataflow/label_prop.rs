//! `timely-label-prop`: connected components by label propagation in bulk-synchronous rounds.
//!
//! Every node starts with its own id as label and repeatedly takes the smallest label among its
//! neighbours, so labels converge to the smallest id of each component: the canonical labels.
//! (The algorithm of the GraphLab / GraphX / Pregel comparisons in McSherry, Isard, Murray,
//! "Scalability! But at what COST?", HotOS 2015.)
//!
//! Each worker owns a share of the nodes ([`Partition`](super::Partition)) and their adjacency
//! lists, which it first renumbers into its [`Local`] graph: its own nodes, then the *ghosts*
//! (other workers' nodes its arcs reach). Within a round a worker runs the sequential
//! asynchronous kernel of [`crate::algo::cc::label_prop`] on its own nodes to a local fixed point:
//! a frontier bitmap, labels updated in place, each visit pulling the minimum over the
//! neighbourhood and pushing it to every neighbour with a larger label. A ghost keeps, in the
//! same array, the smallest label already sent to it (its id at first), so a label crosses to
//! another worker only when it improves on everything sent before, and at most once per
//! (node, round) however many arcs lead there. At the end of the round those improved labels go
//! to their owners, which lower their labels and start the next round from them. The run ends
//! after a round in which no worker sent anything. With one worker this is exactly the
//! sequential kernel (one round). Work `O(m · R)` for `R` local sweeps (far fewer than the
//! diameter in practice); memory per worker proportional to its own nodes, ghosts and arcs (no
//! array over all `n` nodes, except the result gathered at worker 0 when the job asks for it).
//!
//! A directed input is first made symmetric by sending each arc's reverse to the owner of its
//! target.

use super::local::Local;
use super::{Context, Outcome, Part};
use crate::Result;
use crate::algo::cc::label_prop::all_set;
use crate::graph::NodeId;

/// Runs label propagation on this worker; worker 0 returns the components.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
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
    let local = Local::new(graph, part, me, |i| reverse.as_ref().map_or(&[][..], |r| r.neighbors(i)))?;
    drop(reverse);
    let own = local.own();

    // Owned nodes: their labels. Ghosts: the smallest label sent to them (their id at first).
    let mut label: Vec<NodeId> = part.nodes(me).chain(local.ghosts().iter().copied()).collect();
    let mut active = all_set(own);
    // Ghosts whose label improved in this round, once each.
    let mut improved: Vec<u32> = Vec::new();
    let mut queued = vec![0u64; local.ghosts().len().div_ceil(64)];
    let mut outgoing: Vec<(usize, (NodeId, NodeId))> = Vec::new();
    loop {
        // The local fixed point.
        let mut any = true;
        while any {
            any = false;
            for w in 0..active.len() {
                while active[w] != 0 {
                    any = true;
                    let i = w * 64 + active[w].trailing_zeros() as usize;
                    active[w] &= active[w] - 1;
                    let list = local.neighbors(i);
                    let mut m = label[i];
                    for &j in list {
                        m = m.min(label[j as usize]);
                    }
                    label[i] = m;
                    for &j in list {
                        let j = j as usize;
                        if label[j] > m {
                            label[j] = m;
                            if j < own {
                                active[j / 64] |= 1 << (j % 64);
                            } else {
                                let g = j - own;
                                if queued[g / 64] & (1 << (g % 64)) == 0 {
                                    queued[g / 64] |= 1 << (g % 64);
                                    improved.push(g as u32);
                                }
                            }
                        }
                    }
                }
            }
        }

        // Improved labels to their owners.
        outgoing.extend(improved.drain(..).map(|g| {
            let g = g as usize;
            queued[g / 64] &= !(1 << (g % 64));
            let v = local.ghosts()[g];
            (part.owner(v), (v, label[own + g]))
        }));
        let sent = outgoing.len() as u64;
        channel.round(ctx.worker, outgoing.drain(..), |(v, l)| {
            let j = part.local(v);
            if l < label[j] {
                label[j] = l;
                active[j / 64] |= 1 << (j % 64);
            }
        })?;
        ctx.rounds += 1;
        if control.sum(ctx.worker, sent)? == 0 {
            break;
        }
    }

    ctx.finish(Part::Labels(&label[..own]))
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
