//! A small counter-based random number source: SplitMix64 (Steele, Lea, Flood, "Fast splittable
//! pseudorandom number generators", OOPSLA 2014), seeded from a hash of `(seed, stream, index)`.
//!
//! Every block of edges gets its own generator whose state depends only on the seed, the stream
//! (edges, weights, permutation, ...) and the block index, so the output does not depend on which
//! thread generates which block, nor in which order. The same generator, seeded directly, is the
//! crate's one seeded random source for tests and sampling ([`Rng::new`]).

/// The SplitMix64 increment (the golden ratio in 64-bit fixed point).
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 output function (a bijective avalanche mix of 64 bits).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Independent random streams drawn from one seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Stream {
    /// Edge endpoints.
    Edges = 1,
    /// Edge weights.
    Weights = 2,
    /// The Kronecker generator's vertex relabelling.
    Permutation = 3,
}

/// A random 64-bit value that depends only on `(seed, stream, index)`.
pub(crate) fn hash(seed: u64, stream: Stream, index: u64) -> u64 {
    let key = mix64(seed.wrapping_add(GOLDEN.wrapping_mul(stream as u64 + 1)));
    mix64(key ^ mix64(index.wrapping_add(GOLDEN)))
}

/// A SplitMix64 generator: small, fast, seeded, and the same on every platform. Not for
/// cryptography. Its output for a seed is fixed: tests, benchmarks and the generators rely on it.
///
/// ```
/// use costgraph_core::generate::Rng;
/// let mut rng = Rng::new(42);
/// let x = rng.below(10);
/// assert!(x < 10);
/// assert_eq!(Rng::new(42).below(10), x, "same seed, same values");
/// ```
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The generator whose state starts at `seed` (the classic SplitMix64 seeding).
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The generator for block `index` of `stream`.
    pub(crate) fn for_block(seed: u64, stream: Stream, index: u64) -> Rng {
        Rng { state: hash(seed, stream, index) }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// A value in `0..n` (multiply-shift; the bias is below `n / 2^64`, negligible for `n <= 2^32`).
    /// `n` must be at least 1 (for `n = 0` the answer is 0, which is not below it).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_and_indices_differ() {
        let a = Rng::for_block(1, Stream::Edges, 0).next_u64();
        assert_ne!(a, Rng::for_block(1, Stream::Weights, 0).next_u64());
        assert_ne!(a, Rng::for_block(1, Stream::Edges, 1).next_u64());
        assert_ne!(a, Rng::for_block(2, Stream::Edges, 0).next_u64());
        assert_eq!(a, Rng::for_block(1, Stream::Edges, 0).next_u64());
    }

    #[test]
    fn seeded_directly_it_is_the_reference_splitmix64() {
        // The first outputs of Vigna's reference `splitmix64.c` for seed 0.
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = Rng::for_block(7, Stream::Edges, 0);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            let x = rng.below(10);
            counts[x as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_000..11_000).contains(&c)), "{counts:?}");
    }
}
