//! The memory of a long differential run: what its arrangements hold, and a heap that does not
//! grow around them.
//!
//! [`Counter`] counts the updates the arrangements of this process hold, from differential
//! dataflow's own log of its traces: every sealed batch adds its length, every completed merge replaces its
//! two inputs by its output (cancelled updates vanish there), every dropped batch subtracts. The
//! batchers (updates received but not yet sealed into a batch) are counted apart.
//!
//! This is the state an incremental computation keeps, independent of what the allocator does
//! with freed memory: when resident memory grows over a long run, these counts say whether the
//! dataflow's state grew (for example because the graph changed shape) or only the heap did.
//! Cost: one atomic addition per logged event (a few per batch and merge), nothing per record.
//!
//! [`steady_heap`] is the answer those counts led to: over a long stream of updates the
//! arrangements stay the same size (their batches are merged and compacted) while glibc's heap
//! grew without bound — its mmap threshold rises each time a large block is freed, after which the
//! merges' large, short-lived buffers come from the heap, whose free space is fragmented and never
//! returned. A fixed threshold keeps those buffers in their own mappings, returned on free.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use differential_dataflow::logging::{DifferentialEvent, DifferentialEventBuilder};
use serde::{Deserialize, Serialize};
use timely::worker::Worker;

/// What the arrangements hold at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Updates in sealed batches (the traces).
    pub arranged: u64,
    /// Updates received by the arrangements but not yet sealed.
    pub batched: u64,
}

/// Counts shared by the workers of one process (cloning shares them). Read from any thread.
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<[AtomicI64; 2]>);

impl Counter {
    /// The counts now, summed over the workers that [`track`](Counter::track) into this counter
    /// (their logs are flushed as they step, so a count lags by at most one step of each worker).
    pub fn now(&self) -> Held {
        let read = |i: usize| self.0[i].load(Ordering::Relaxed).max(0) as u64;
        Held { arranged: read(0), batched: read(1) }
    }

    /// Counts the arrangements `worker` builds from now on. Call before building the dataflow
    /// (an arrangement takes its logger when it is created); a worker without logging is not
    /// counted.
    pub fn track(&self, worker: &mut Worker) {
        let Some(mut register) = worker.log_register() else { return };
        let counts = Arc::clone(&self.0);
        let add = move |i: usize, delta: i64| {
            counts[i].fetch_add(delta, Ordering::Relaxed);
        };
        register.insert::<DifferentialEventBuilder, _>("differential/arrange", move |_time, events| {
            for (_, event) in events.iter().flatten() {
                match event {
                    DifferentialEvent::Batch(b) => add(0, b.length as i64),
                    DifferentialEvent::Merge(m) => {
                        if let Some(merged) = m.complete {
                            add(0, merged as i64 - m.length1 as i64 - m.length2 as i64);
                        }
                    }
                    DifferentialEvent::Drop(d) => add(0, -(d.length as i64)),
                    DifferentialEvent::Batcher(b) => add(1, b.records_diff as i64),
                    DifferentialEvent::MergeShortfall(_) | DifferentialEvent::TraceShare(_) => {}
                }
            }
        });
    }
}

/// Fixes glibc's mmap threshold at 64 KiB for this process (once; a no-op on other C libraries,
/// or when the user set `MALLOC_MMAP_THRESHOLD_`, which glibc honours itself): blocks from 64 KiB
/// up get their own mapping, returned to the system on free, instead of heap space that
/// fragments. Under a long stream of insertions and deletions glibc's default threshold grows
/// with the largest block freed, and the resident memory of a long `updates` run grows with it;
/// fixed, it stays flat (`updates` samples process 0's RSS into its report.json).
pub fn steady_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
                // SAFETY: `mallopt` only sets a parameter of the allocator, under its own lock;
                // M_MMAP_THRESHOLD accepts any value up to 32 MiB on 64-bit glibc.
                unsafe {
                    libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 10);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use differential_dataflow::input::Input;
    use timely::dataflow::operators::Probe;

    use super::*;

    #[test]
    fn counts_what_an_arrangement_holds_until_it_is_dropped() {
        let counter = Counter::default();
        let seen = counter.clone();
        timely::execute_directly(move |worker| {
            seen.track(worker);
            let (mut input, probe, trace) = worker.dataflow::<u32, _, _>(|scope| {
                let (input, records) = scope.new_collection::<(u32, u32), i32>();
                // A trace nobody reads is not kept: hold a handle, as a join or reduce does.
                let arranged = records.arrange_by_key();
                (input, arranged.stream.probe().0, arranged.trace)
            });
            for i in 0..100 {
                input.update((i, i), 1);
            }
            input.advance_to(1);
            input.flush();
            while probe.less_than(&1) {
                worker.step();
            }
            assert_eq!(seen.now().arranged, 100);
            drop((input, trace));
            while worker.step() {}
        });
        assert_eq!(counter.now(), Held::default());
    }
}
