//! Maps keyed by node ids, with a cheap multiplicative hash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::graph::NodeId;

/// A hasher for node ids (a multiplicative hash: ids are not chosen by an adversary here, and
/// SipHash would cost more than the union-find it serves).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, x: u32) {
        self.0 = (self.0 ^ x as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(26);
    }
}

/// A map keyed by node ids.
pub(crate) type IdMap<V> = HashMap<NodeId, V, BuildHasherDefault<IdHasher>>;
