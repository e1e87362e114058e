//! [`Context`]: what a worker sees while it runs a distributed algorithm (its timely worker, the
//! graph it holds, the partition, its channels), and [`Algorithm`], the function every
//! distributed implementation is.

use std::rc::Rc;

use timely::ExchangeData;
use timely::worker::Worker;

use super::cluster::Abort;
use super::exchange::{Channel, Chunk, Counters};
use super::partition::Partition;
use super::result::{Deliver, Outcome};
use crate::Result;
use crate::graph::Shard;

/// What a worker sees while it runs an algorithm.
pub struct Context<'a> {
    /// The timely worker.
    pub worker: &'a mut Worker,
    /// The nodes this process holds with their arcs (the whole graph, or this process's shard);
    /// each worker reads only the lists of the nodes it owns.
    pub graph: &'a Shard,
    /// Which worker owns which node.
    pub partition: &'a Partition,
    /// Set when another worker of the process failed.
    pub abort: &'a Abort,
    /// This worker's traffic counters.
    pub counters: Rc<Counters>,
    /// Supersteps the algorithm took (set by the algorithm).
    pub rounds: u64,
    /// The problem's name (`cc`, `msf`, `pagerank`).
    pub problem: &'static str,
    /// The implementation's name.
    pub implementation: &'static str,
    /// What the job asks of the result.
    pub deliver: &'a Deliver,
    /// This process's index in the cluster.
    pub process: usize,
    /// The whole graph's arc count.
    pub arcs: u64,
    /// Whether this is the run's last repetition (the one whose result is kept and written).
    pub last: bool,
}

impl Context<'_> {
    /// A new channel (every worker must create its channels in the same order).
    pub fn channel<D: ExchangeData + Clone>(&mut self) -> Channel<D> {
        Channel::new(self.worker, self.abort, &self.counters)
    }

    /// This worker's index in `0..peers`.
    pub fn index(&self) -> usize {
        self.worker.index()
    }

    /// The number of workers in the cluster.
    pub fn peers(&self) -> usize {
        self.worker.peers()
    }

    /// Gathers one value per node at worker 0: `local[i]` is the value of this worker's `i`-th
    /// node ([`Partition::global`]). Worker 0 gets every node's value (its own copied, the others'
    /// sent with [`Channel::round_slices`], not one record per node); the other workers get an
    /// empty vector. One superstep.
    pub fn gather<T: ExchangeData + Copy + Default>(&mut self, local: &[T]) -> Result<Vec<T>> {
        let (me, part) = (self.index(), self.partition);
        let mut channel = self.channel::<Chunk<T>>();
        let mut all = if me == 0 { vec![T::default(); self.graph.num_nodes()] } else { Vec::new() };
        let mut place = |worker: usize, first: usize, values: &[T]| {
            for (i, &x) in values.iter().enumerate() {
                all[part.global(worker, first + i) as usize] = x;
            }
        };
        if me == 0 {
            place(0, 0, local);
        }
        let outgoing = (me != 0).then_some((0, local));
        channel.round_slices(self.worker, outgoing, |worker, first, values| place(worker, first, &values))?;
        self.rounds += 1;
        Ok(all)
    }
}

/// A distributed algorithm: runs on every worker and ends with [`Context::finish`]; worker 0
/// returns the outcome, the others `None`.
pub type Algorithm = fn(&mut Context<'_>) -> Result<Option<Outcome>>;
