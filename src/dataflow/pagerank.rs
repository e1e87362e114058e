//! `timely-pagerank`: PageRank by pushing partial sums between timely workers, the distributed
//! PageRank of McSherry, Isard, Murray ("Scalability! But at what COST?", HotOS 2015, Table 2).
//!
//! The same computation as [`crate::algo::pagerank`] (damping 0.85, 20 iterations of
//! [`Params::default`], ranks starting at `1 / n`, the rank of dangling nodes spread uniformly),
//! on `W` workers in each of `P` processes. Each worker owns a share of the nodes and their
//! out-arcs ([`Partition`](super::Partition)). One iteration, on every worker:
//!
//! 1. **Scatter.** Add `rank(u) / outdeg(u)` of every owned node `u` along its out-arcs into a
//!    dense accumulator over all node ids: the partial sums are combined per destination node,
//!    so each worker sends at most one record per node and iteration, whatever the number of
//!    arcs between them.
//! 2. **Exchange.** Send `(v, partial)` to the owner of `v`, for every `v` of another worker that
//!    is the target of one of this worker's arcs; the owner adds it into its own accumulator.
//!    These `v` are the same in every iteration, so each owner learns them once, before the
//!    first iteration, and the partials then travel as plain values in that order, in chunks
//!    ([`Channel::round_slices`](super::Channel::round_slices)): 4 bytes per (node, iteration)
//!    and no per-record cost.
//! 3. **Update.** Set `rank'(v) = (1 - d) / n + d * (dangling / n + sum(v))` for every owned
//!    node, with the update the single-thread kernels share.
//! 4. **All-reduce** the new dangling mass and the L1 change (added in worker order, so every
//!    worker gets the same totals).
//!
//! After the last iteration worker 0 gathers the ranks ([`Context::gather`]). Work `O(n + m)` per iteration split over
//! the workers, plus `O(distinct remote targets)` records per worker; two supersteps per
//! iteration. The order in which partial sums from different workers arrive is not fixed, so
//! with more than one worker the ranks may differ in their last bits from run to run; every
//! result is checked with [`Ranks::verify`] like the single-thread kernels'.

use super::{Chunk, Context};
use crate::Result;
use crate::algo::pagerank::{self, Params, Ranks, Slots};
use crate::graph::NodeId;
use crate::registry::Output;

/// Runs PageRank on this worker; worker 0 returns the ranks.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Output>> {
    let params = Params::default();
    let (me, peers, graph, part) = (ctx.index(), ctx.peers(), ctx.graph, ctx.partition);
    let mut lists = ctx.channel::<Chunk<NodeId>>();
    let mut partials = ctx.channel::<Chunk<f32>>();
    let mut totals = ctx.channel::<(u32, (f64, f64))>();
    let (n, offsets, targets) = (graph.num_nodes(), graph.offsets(), graph.targets());
    let damping = params.damping;

    // The targets of this worker's arcs that each other worker owns; each owner learns, once,
    // which of its nodes every other worker sends to, so that partial sums travel as values
    // only, in that order.
    let mut targeted = vec![0u64; n.div_ceil(64)];
    for u in part.nodes(me) {
        for &v in graph.neighbors(u) {
            targeted[v as usize / 64] |= 1 << (v % 64);
        }
    }
    let remote: Vec<Vec<NodeId>> = (0..peers)
        .map(|w| match w == me {
            true => Vec::new(),
            false => part.nodes(w).filter(|&v| targeted[v as usize / 64] & (1 << (v % 64)) != 0).collect(),
        })
        .collect();
    drop(targeted);
    let mut incoming: Vec<Vec<NodeId>> = vec![Vec::new(); peers];
    let outgoing = remote.iter().enumerate().map(|(w, ids)| (w, &ids[..])).filter(|(w, _)| *w != me);
    lists.round_slices(ctx.worker, outgoing, |from, offset, ids| {
        let list = &mut incoming[from];
        list.resize(list.len().max(offset + ids.len()), 0);
        list[offset..offset + ids.len()].copy_from_slice(&ids);
    })?;
    ctx.rounds += 1;

    let inv_degree: Vec<f32> = part.nodes(me).map(|u| pagerank::inv_degree(graph.degree(u) as u64)).collect();
    let mut rank = vec![1.0 / n as f32; inv_degree.len()];
    let mut contrib: Vec<f32> = inv_degree.iter().map(|&inv| inv / n as f32).collect();
    let mut sums = vec![0.0f32; n];
    let mut sent: Vec<Vec<f32>> = remote.iter().map(|ids| Vec::with_capacity(ids.len())).collect();
    let dangling_nodes = inv_degree.iter().filter(|&&inv| inv == 0.0).count();
    // This worker's (dangling mass, L1 change) of the last iteration.
    let mut local = (dangling_nodes as f64 / n as f64, 0.0);
    let (mut iterations, mut last_change) = (0, 0.0);
    loop {
        let (dangling, change) =
            totals.all_gather(ctx.worker, local)?.into_iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        ctx.rounds += 1;
        if iterations > 0 {
            last_change = change;
        }
        let converged = iterations > 0 && params.tolerance.is_some_and(|tol| change <= tol);
        if iterations == params.iterations || n == 0 || converged {
            break;
        }
        let base = pagerank::base(damping, dangling, n);

        match part.range(me) {
            // Contiguous nodes: their arcs are one stretch of the targets.
            Some(own) => {
                let first = graph.first() as usize;
                for (w, &c) in offsets[own.start - first..=own.end - first].windows(2).zip(&contrib) {
                    for &v in &targets[w[0] as usize..w[1] as usize] {
                        sums[v as usize] += c;
                    }
                }
            }
            None => {
                for (u, &c) in part.nodes(me).zip(&contrib) {
                    for &v in graph.neighbors(u) {
                        sums[v as usize] += c;
                    }
                }
            }
        }
        for (values, ids) in sent.iter_mut().zip(&remote) {
            values.clear();
            values.extend(ids.iter().map(|&v| std::mem::take(&mut sums[v as usize])));
        }
        let outgoing = sent.iter().enumerate().map(|(w, values)| (w, &values[..])).filter(|(w, _)| *w != me);
        partials.round_slices(ctx.worker, outgoing, |from, offset, values| {
            for (&v, p) in incoming[from][offset..].iter().zip(values) {
                sums[v as usize] += p;
            }
        })?;
        ctx.rounds += 1;

        let slots = Slots { rank: &mut rank, contrib: &mut contrib, inv_degree: &inv_degree };
        let step = match part.range(me) {
            Some(own) => {
                let own = &mut sums[own];
                slots.update(base, damping as f32, |i| std::mem::take(&mut own[i]))
            }
            None => slots.update(base, damping as f32, |i| std::mem::take(&mut sums[part.global(me, i) as usize])),
        };
        local = (step.dangling, step.change);
        iterations += 1;
    }

    let all = ctx.gather(&rank)?;
    Ok((me == 0).then(|| Output::Ranks(Ranks::new(all, iterations, last_change, damping))))
}
