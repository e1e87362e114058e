//! Proposals combined on the worker that makes them, before they are exchanged and arranged.
//!
//! A label that reaches a node spreads to all its neighbours in the next round, so in a wave of
//! label propagation a node receives the same label from many neighbours in the same round: on
//! Kronecker graphs most of the join's output are such copies. An arrangement would consolidate
//! them too, but only after exchanging them and sorting them all. [`combine`] adds up the
//! differences of equal records of one time in a hash table as they arrive (with counts, copies
//! become one record with a larger count; with minima, one record with the smallest label) and
//! passes each time's sums on once no more records of that time can arrive. The downstream
//! arrangement waits for the same frontier before it seals a batch, so nothing is delayed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use differential_dataflow::difference::Semigroup;
use differential_dataflow::{AsCollection, Data, VecCollection};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::operator::Operator;
use timely::progress::Timestamp;

/// `records` with the differences of equal records at equal times added up on this worker
/// (records whose sum is zero dropped), each time passed on once the input frontier is past it.
pub fn combine<'s, T, D, R>(records: VecCollection<'s, T, D, R>) -> VecCollection<'s, T, D, R>
where
    T: Timestamp + Hash,
    D: Data + Hash + Eq,
    R: Semigroup + 'static,
{
    let mut pending: HashMap<T, (Capability<T>, Sums<D, R>)> = HashMap::new();
    records
        .inner
        .unary_frontier::<CapacityContainerBuilder<Vec<(D, T, R)>>, _, _, _>(Pipeline, "Combine", move |_, _| {
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for (record, time, diff) in data.drain(..) {
                        let (_, sums) =
                            pending.entry(time.clone()).or_insert_with(|| (cap.delayed(&time, 0), Sums::default()));
                        match sums.get_mut(&record) {
                            Some(sum) => sum.plus_equals(&diff),
                            None => {
                                sums.insert(record, diff);
                            }
                        }
                    }
                });
                pending.retain(|time, (cap, sums)| {
                    if frontier.less_equal(time) {
                        return true;
                    }
                    let mut session = output.session(cap);
                    for (record, diff) in sums.drain() {
                        if !diff.is_zero() {
                            session.give((record, time.clone(), diff));
                        }
                    }
                    false
                });
            }
        })
        .as_collection()
}

/// The sums of one time, by record.
type Sums<D, R> = HashMap<D, R, BuildHasherDefault<Fold>>;

/// A hasher for records of a few integers (node ids, labels, rounds): each word is folded in by
/// a rotation and a multiplication (the rustc compiler's FxHash), several times faster than the
/// standard library's SipHash on such keys. It makes no attempt to resist keys chosen to collide;
/// a table only holds one round's proposals of one worker.
#[derive(Default)]
pub struct Fold(u64);

impl Fold {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fold {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
