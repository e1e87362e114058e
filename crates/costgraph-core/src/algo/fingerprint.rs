//! [`Fingerprint`]: a digest of a result that does not depend on the order its elements are
//! added in, so that workers can each digest their own share and add the digests up.
//!
//! Each element (a node's label or rank, a forest edge) is two `u64` words, mixed into two
//! 64-bit hashes (two rounds of a bijective mixer); four lanes add those hashes, their product and
//! a rotation of one xored with the other (wrapping), and the count of elements is kept beside. The
//! digest is the SHA-256 of a tag, the lanes and the count. Adding is commutative, so the digest
//! of a result is the same whether one thread computed it over all elements or `W` workers each
//! over theirs ([`Fingerprint::merge`]); equal results give equal digests, and unequal results
//! differ except with probability about `2^-64` per lane for results that are not built to
//! collide (a checksum between honest implementations, not a cryptographic commitment). Cost:
//! one pass over the elements, `O(1)` memory.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::algo::msf::ForestEdge;
use crate::graph::NodeId;

/// The tag of a components digest.
pub const CC: &[u8] = b"cc\0";
/// The tag of a forest digest.
pub const MSF: &[u8] = b"msf\0";
/// The tag of a ranks digest.
pub const PAGERANK: &[u8] = b"pagerank\0";

/// Constants that keep an element's two words apart.
const SEEDS: [u64; 2] = [0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f];

/// An order-independent digest of a set of elements; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    lanes: [u64; 4],
    count: u64,
}

/// The finalizer of SplitMix64 (Steele, Lea, Flood 2014): a bijective 64-bit mix.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Fingerprint {
    /// Adds one element, given as two words.
    #[inline]
    pub fn add(&mut self, a: u64, b: u64) {
        let h = mix(a.wrapping_mul(SEEDS[0]) ^ b);
        let g = mix(h ^ b.wrapping_mul(SEEDS[1]));
        for (lane, x) in self.lanes.iter_mut().zip([h, g, h.wrapping_mul(g | 1), h.rotate_left(32) ^ g]) {
            *lane = lane.wrapping_add(x);
        }
        self.count += 1;
    }

    /// Adds node `node`'s (canonical) component label.
    #[inline]
    pub fn add_label(&mut self, node: NodeId, label: NodeId) {
        self.add(node as u64, label as u64);
    }

    /// Adds a forest edge (either orientation gives the same element).
    #[inline]
    pub fn add_edge(&mut self, (u, v, w): ForestEdge) {
        self.add(((u.min(v) as u64) << 32) | u.max(v) as u64, w as u64);
    }

    /// Adds node `node`'s rank, bit for bit.
    #[inline]
    pub fn add_rank(&mut self, node: NodeId, rank: f32) {
        self.add(node as u64, rank.to_bits() as u64);
    }

    /// Adds every element of `other`.
    pub fn merge(&mut self, other: &Fingerprint) {
        for (lane, x) in self.lanes.iter_mut().zip(other.lanes) {
            *lane = lane.wrapping_add(x);
        }
        self.count += other.count;
    }

    /// The digest (64 lowercase hex digits) of the elements added, for a result of kind `tag`.
    pub fn hex(&self, tag: &[u8]) -> String {
        let mut hash = Sha256::new();
        hash.update(tag);
        for lane in self.lanes {
            hash.update(lane.to_le_bytes());
        }
        hash.update(self.count.to_le_bytes());
        format!("{:x}", hash.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_split_do_not_matter_but_elements_do() {
        let elements: Vec<(u64, u64)> = (0..100).map(|i| (i, i * 7 % 13)).collect();
        let mut whole = Fingerprint::default();
        elements.iter().for_each(|&(a, b)| whole.add(a, b));
        let (mut left, mut right) = (Fingerprint::default(), Fingerprint::default());
        elements
            .iter()
            .rev()
            .enumerate()
            .for_each(|(k, &(a, b))| if k % 3 == 0 { left.add(a, b) } else { right.add(a, b) });
        left.merge(&right);
        assert_eq!(left, whole);
        assert_eq!(left.hex(b"t"), whole.hex(b"t"));
        assert_ne!(whole.hex(b"t"), whole.hex(b"u"));
        let mut swapped = Fingerprint::default();
        elements.iter().for_each(|&(a, b)| swapped.add(b, a));
        assert_ne!(swapped, whole, "the two words of an element are not interchangeable");
        let mut fewer = Fingerprint::default();
        elements[1..].iter().for_each(|&(a, b)| fewer.add(a, b));
        assert_ne!(fewer.hex(b"t"), whole.hex(b"t"));
    }
}
