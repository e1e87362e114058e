//! `timely-pagerank`: PageRank by pushing partial sums between timely workers, the distributed
//! PageRank of McSherry, Isard, Murray ("Scalability! But at what COST?", HotOS 2015, Table 2).
//!
//! The same computation as [`crate::algo::pagerank`] (damping 0.85, 20 iterations of
//! [`Params::default`], ranks starting at `1 / n`, the rank of dangling nodes spread uniformly),
//! on `W` workers in each of `P` processes. Each worker owns a share of the nodes and their
//! out-arcs ([`Partition`](super::Partition)). One iteration, on every worker:
//!
//! 1. **Scatter.** Add `rank(u) / outdeg(u)` of every owned node `u` along its out-arcs into an
//!    accumulator over the worker's own nodes and ghosts ([`Local`]; no array over all `n`
//!    nodes): the partial sums are combined per destination node,
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
//! After the last iteration the ranks are gathered, summarised or written as the job asks
//! ([`Context::finish`]). Work `O(n + m)` per iteration split over
//! the workers, plus `O(distinct remote targets)` records per worker; two supersteps per
//! iteration. The order in which partial sums from different workers arrive is not fixed, so
//! with more than one worker the ranks may differ in their last bits from run to run; every
//! result is checked with [`Ranks::verify`] like the single-thread kernels'.

use super::local::Local;
use super::{Chunk, Context, Outcome, Part};
use crate::Result;
use crate::algo::pagerank::{self, Params, Slots};
use crate::graph::NodeId;

/// Runs PageRank on this worker; worker 0 returns the ranks.
pub fn run(ctx: &mut Context<'_>) -> Result<Option<Outcome>> {
    let params = Params::current();
    let (me, peers, graph, part) = (ctx.index(), ctx.peers(), ctx.graph, ctx.partition);
    let mut lists = ctx.channel::<Chunk<NodeId>>();
    let mut partials = ctx.channel::<Chunk<f32>>();
    let mut totals = ctx.channel::<(u32, (f64, f64))>();
    let n = graph.num_nodes();
    let damping = params.damping;

    let inv_degree: Vec<f32> = part.nodes(me).map(|u| pagerank::inv_degree(graph.degree(u) as u64)).collect();
    let local = Local::new(graph, part, me, |_| &[])?;
    let own = local.own();
    // The ghosts each other worker owns (ids, and their local indices), in increasing id order;
    // each owner learns, once, which of its nodes every other worker sends to, so that partial
    // sums travel as values only, in that order.
    let mut remote: Vec<Vec<NodeId>> = vec![Vec::new(); peers];
    let mut slots: Vec<Vec<u32>> = vec![Vec::new(); peers];
    for (g, &v) in local.ghosts().iter().enumerate() {
        remote[part.owner(v)].push(v);
        slots[part.owner(v)].push((own + g) as u32);
    }
    let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); peers];
    let outgoing = remote.iter().enumerate().map(|(w, ids)| (w, &ids[..])).filter(|(w, _)| *w != me);
    lists.round_slices(ctx.worker, outgoing, |from, offset, ids| {
        let list = &mut incoming[from];
        list.resize(list.len().max(offset + ids.len()), 0);
        for (slot, v) in list[offset..offset + ids.len()].iter_mut().zip(ids) {
            *slot = part.local(v) as u32;
        }
    })?;
    ctx.rounds += 1;
    drop(remote);

    let mut rank = vec![1.0 / n as f32; own];
    let mut contrib: Vec<f32> = inv_degree.iter().map(|&inv| inv / n as f32).collect();
    // Own nodes' sums, then the ghosts' partial sums.
    let mut sums = vec![0.0f32; local.len()];
    let mut sent: Vec<Vec<f32>> = slots.iter().map(|s| Vec::with_capacity(s.len())).collect();
    let dangling_nodes = inv_degree.iter().filter(|&&inv| inv == 0.0).count();
    // This worker's (dangling mass, L1 change) of the last iteration.
    let mut local_totals = (dangling_nodes as f64 / n as f64, 0.0);
    let (mut iterations, mut last_change) = (0, 0.0);
    loop {
        let (dangling, change) =
            totals.all_gather(ctx.worker, local_totals)?.into_iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        ctx.rounds += 1;
        if iterations > 0 {
            last_change = change;
        }
        let converged = iterations > 0 && params.tolerance.is_some_and(|tol| change <= tol);
        if iterations == params.iterations || n == 0 || converged {
            break;
        }
        let base = pagerank::base(damping, dangling, n);

        for (i, &c) in contrib.iter().enumerate() {
            for &j in local.neighbors(i) {
                sums[j as usize] += c;
            }
        }
        for (values, ghosts) in sent.iter_mut().zip(&slots) {
            values.clear();
            values.extend(ghosts.iter().map(|&j| std::mem::take(&mut sums[j as usize])));
        }
        let outgoing = sent.iter().enumerate().map(|(w, values)| (w, &values[..])).filter(|(w, _)| *w != me);
        partials.round_slices(ctx.worker, outgoing, |from, offset, values| {
            for (&j, p) in incoming[from][offset..].iter().zip(values) {
                sums[j as usize] += p;
            }
        })?;
        ctx.rounds += 1;

        let slots = Slots { rank: &mut rank, contrib: &mut contrib, inv_degree: &inv_degree };
        let step = slots.update(base, damping as f32, |i| std::mem::take(&mut sums[i]));
        local_totals = (step.dangling, step.change);
        iterations += 1;
    }

    ctx.finish(Part::Ranks { ranks: &rank, iterations, last_change, damping })
}
