//! The one communication primitive the algorithms share: a bulk-synchronous [`Channel`]. Each
//! call to [`Channel::round`] is one superstep: records go to the worker they name (a timely
//! exchange), the round ends when timely's progress tracking says every worker's records of that
//! round were delivered, and the round counter is the timely timestamp.
//!
//! Buffering is bounded: while a worker sends, it steps timely every [`STEP_EVERY`] records and
//! hands what has arrived to the receiver at once, so neither side holds a whole round.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use timely::ExchangeData;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::{Exchange, Input, Inspect, Probe};
use timely::dataflow::{InputHandle, ProbeHandle};
use timely::worker::Worker;

use super::cluster::Abort;
use crate::Result;

/// How many records a worker sends between two steps of the dataflow.
pub const STEP_EVERY: usize = 1 << 14;

/// Traffic counters of one worker, shared by its channels.
#[derive(Debug, Default)]
pub struct Counters {
    /// Records sent to another worker.
    pub records: Cell<u64>,
    /// Their size in memory (what crosses a process boundary is this, serialized).
    pub bytes: Cell<u64>,
}

type Inbox<D> = Rc<RefCell<Vec<(u64, D)>>>;

/// A bulk-synchronous channel between all workers carrying records of type `D`.
pub struct Channel<D: ExchangeData + Clone> {
    input: InputHandle<u64, CapacityContainerBuilder<Vec<(u32, D)>>>,
    probe: ProbeHandle<u64>,
    inbox: Inbox<D>,
    spare: Vec<(u64, D)>,
    index: usize,
    peers: usize,
    abort: Abort,
    counters: Rc<Counters>,
}

impl<D: ExchangeData + Clone> Channel<D> {
    /// Builds the channel's dataflow on `worker` (every worker must build its channels in the
    /// same order).
    pub fn new(worker: &mut Worker, abort: &Abort, counters: &Rc<Counters>) -> Self {
        let mut input: InputHandle<u64, CapacityContainerBuilder<Vec<(u32, D)>>> = InputHandle::new();
        let inbox: Inbox<D> = Rc::default();
        let sink = Rc::clone(&inbox);
        let probe = worker.dataflow::<u64, _, _>(|scope| {
            scope
                .input_from(&mut input)
                .exchange(|record: &(u32, D)| record.0 as u64)
                .inspect_core(move |event| {
                    if let Ok((stamp, records)) = event {
                        let time = stamp.least().copied().unwrap_or_default();
                        sink.borrow_mut().extend(records.iter().map(|(_, d)| (time, d.clone())));
                    }
                })
                .probe()
                .0
        });
        Channel {
            input,
            probe,
            inbox,
            spare: Vec::new(),
            index: worker.index(),
            peers: worker.peers(),
            abort: abort.clone(),
            counters: Rc::clone(counters),
        }
    }

    /// One superstep: sends every `(worker, record)` of `outgoing` and calls `receive` on every
    /// record sent to this worker in this round (by any worker, itself included), possibly while
    /// it is still sending. Returns when all workers' records of the round have been received.
    pub fn round(
        &mut self,
        worker: &mut Worker,
        outgoing: impl IntoIterator<Item = (usize, D)>,
        mut receive: impl FnMut(D),
    ) -> Result<()> {
        let now = *self.input.time();
        let (mut sent, mut remote) = (0usize, 0u64);
        for (to, record) in outgoing {
            debug_assert!(to < self.peers);
            remote += (to != self.index) as u64;
            self.input.send((to as u32, record));
            sent += 1;
            if sent % STEP_EVERY == 0 {
                worker.step();
                self.deliver(now, &mut receive);
                self.abort.check()?;
            }
        }
        self.counters.records.set(self.counters.records.get() + remote);
        self.counters.bytes.set(self.counters.bytes.get() + remote * size_of::<(u32, D)>() as u64);
        self.input.advance_to(now + 1);
        while self.probe.less_than(self.input.time()) {
            worker.step_or_park(Some(Duration::from_millis(1)));
            self.deliver(now, &mut receive);
            self.abort.check()?;
        }
        self.deliver(now, &mut receive);
        Ok(())
    }

    /// Hands the received records of rounds up to `now` to `receive`; keeps later ones (a faster
    /// worker may already be in the next round).
    fn deliver(&mut self, now: u64, receive: &mut impl FnMut(D)) {
        std::mem::swap(&mut *self.inbox.borrow_mut(), &mut self.spare);
        for (time, record) in self.spare.drain(..) {
            if time <= now {
                receive(record);
            } else {
                self.inbox.borrow_mut().push((time, record));
            }
        }
    }

    /// Number of workers.
    pub fn peers(&self) -> usize {
        self.peers
    }
}

impl Channel<u64> {
    /// The sum of `value` over all workers (an all-reduce; also a barrier).
    pub fn sum(&mut self, worker: &mut Worker, value: u64) -> Result<u64> {
        let mut total = 0;
        self.round(worker, (0..self.peers).map(|w| (w, value)), |v| total += v)?;
        Ok(total)
    }
}

/// A record of [`Channel::round_slices`]: the sender, the chunk's offset in the sent slice, the
/// chunk's values.
pub type Chunk<T> = (u32, u32, Vec<T>);

/// Values per record of [`Channel::round_slices`].
pub const CHUNK: usize = 1 << 14;

impl<T: ExchangeData + Copy> Channel<Chunk<T>> {
    /// One superstep that sends whole slices, in records of [`CHUNK`] values rather than one
    /// record per value: `outgoing` yields `(worker, values)`, and `receive(sender, offset,
    /// values)` gets each chunk sent to this worker, `offset` counted from the start of the
    /// sender's slice. Chunks may arrive in any order. The traffic counters count the values.
    pub fn round_slices<'s>(
        &mut self,
        worker: &mut Worker,
        outgoing: impl IntoIterator<Item = (usize, &'s [T])>,
        mut receive: impl FnMut(usize, usize, Vec<T>),
    ) -> Result<()>
    where
        T: 's,
    {
        let me = self.index as u32;
        let (index, counters) = (self.index, Rc::clone(&self.counters));
        let chunks = outgoing.into_iter().flat_map(|(to, values)| {
            if to != index {
                counters.bytes.set(counters.bytes.get() + size_of_val(values) as u64);
            }
            values.chunks(CHUNK).enumerate().map(move |(k, chunk)| (to, (me, (k * CHUNK) as u32, chunk.to_vec())))
        });
        self.round(worker, chunks, |(from, offset, values)| receive(from as usize, offset as usize, values))
    }
}

impl<T: ExchangeData + Copy + Default> Channel<Chunk<T>> {
    /// One superstep in which every worker sends `out[w]` to worker `w` (in chunks, as
    /// [`Channel::round_slices`]) and returns what it received: `received[w]` is worker `w`'s
    /// slice for this worker, in order. Two calls make a query and its answers: the answering
    /// worker returns one value per value received, in the same positions, and the asker finds
    /// the answer to `out[w][k]` at `answers[w][k]`, with no ids carried back. Memory: what is
    /// sent and received.
    pub fn all_to_all(&mut self, worker: &mut Worker, out: &[Vec<T>]) -> Result<Vec<Vec<T>>> {
        let mut received: Vec<Vec<T>> = vec![Vec::new(); self.peers];
        // What this worker sends itself is copied, not exchanged.
        let me = self.index;
        received[me] = out[me].clone();
        let outgoing = out.iter().enumerate().filter(|&(w, _)| w != me).map(|(w, values)| (w, &values[..]));
        self.round_slices(worker, outgoing, |from, offset, values| {
            let slot = &mut received[from];
            if slot.len() < offset + values.len() {
                slot.resize(offset + values.len(), T::default());
            }
            slot[offset..offset + values.len()].copy_from_slice(&values);
        })?;
        Ok(received)
    }
}

impl<T: ExchangeData + Clone + Default> Channel<(u32, T)> {
    /// Every worker's `value`, indexed by worker (an all-gather; also a barrier): a reduction
    /// over the result adds in the same order on every worker and in every run.
    pub fn all_gather(&mut self, worker: &mut Worker, value: T) -> Result<Vec<T>> {
        let me = self.index as u32;
        let mut all = vec![T::default(); self.peers];
        self.round(worker, (0..self.peers).map(|w| (w, (me, value.clone()))), |(from, v)| all[from as usize] = v)?;
        Ok(all)
    }
}
