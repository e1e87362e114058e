//! Deterministic pseudo-random weights for a graph that has none (`convert --weights random`):
//! each edge's weight is a hash of its two endpoints (as the input file names them) and a seed,
//! so it is the same for both arcs of an undirected edge, at any thread count, in any order, and
//! on every machine — the way peers' weighted kernels (gapbs's SSSP, GBBS's MSF) weight graphs
//! that come without weights.

use super::Weights;
use super::rng::{Stream, hash};
use crate::graph::Weight;
use crate::{Error, Result};

/// The range used when `random` names none: gapbs's SSSP weights.
pub const DEFAULT_RANDOM_RANGE: (Weight, Weight) = (1, 255);

/// Weights drawn from a hash of the edge: `random[:LO..HI][,seed=S]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeWeights {
    /// The inclusive range.
    pub range: Weights,
    /// The seed.
    pub seed: u64,
}

impl EdgeWeights {
    /// Parses `random`, `random:LO..HI`, `random,seed=S` or `random:LO..HI,seed=S`.
    pub fn parse(text: &str) -> Result<EdgeWeights> {
        let bad = || {
            Error::invalid(format!("--weights {text:?}: expected random[:LO..HI][,seed=S], e.g. random:1..255,seed=7"))
        };
        let (head, seed) = match text.split_once(",seed=") {
            Some((head, seed)) => (head, seed.parse::<u64>().map_err(|_| bad())?),
            None => (text, super::DEFAULT_SEED),
        };
        let (lo, hi) = match head.strip_prefix("random") {
            Some("") => DEFAULT_RANDOM_RANGE,
            Some(range) => {
                let (lo, hi) = range.strip_prefix(':').and_then(|r| r.split_once("..")).ok_or_else(bad)?;
                (lo.parse().map_err(|_| bad())?, hi.parse().map_err(|_| bad())?)
            }
            None => return Err(bad()),
        };
        Ok(EdgeWeights { range: Weights::new(lo, hi)?, seed })
    }

    /// The weight of the edge `{u, v}` (the order does not matter).
    pub fn of(&self, u: u64, v: u64) -> Weight {
        let (a, b) = (u.min(v), u.max(v));
        let h = hash(hash(self.seed, Stream::Weights, a), Stream::Weights, b);
        let span = self.range.hi as u64 - self.range.lo as u64 + 1;
        // Multiply-shift: a value below `span`, without the bias of `h % span` for large spans.
        self.range.lo + ((h as u128 * span as u128) >> 64) as Weight
    }
}

impl std::fmt::Display for EdgeWeights {
    /// The spec as `parse` reads it: `random:1..255,seed=1`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "random:{}..{},seed={}", self.range.lo, self.range.hi, self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for (text, lo, hi, seed) in [
            ("random", 1, 255, 1),
            ("random:5..9", 5, 9, 1),
            ("random,seed=7", 1, 255, 7),
            ("random:0..0,seed=3", 0, 0, 3),
        ] {
            let w = EdgeWeights::parse(text).unwrap();
            assert_eq!((w.range.lo, w.range.hi, w.seed), (lo, hi, seed), "{text}");
            assert_eq!(EdgeWeights::parse(&w.to_string()).unwrap(), w);
        }
        for bad in ["", "rand", "random:", "random:9..5", "random:1-5", "random,seed=x", "random:1..x"] {
            assert!(EdgeWeights::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weights_are_symmetric_in_range_and_spread() {
        let w = EdgeWeights::parse("random:10..13,seed=5").unwrap();
        let mut seen = [0usize; 4];
        for u in 0..200u64 {
            for v in 0..20u64 {
                let x = w.of(u, v);
                assert_eq!(x, w.of(v, u));
                seen[(x - 10) as usize] += 1;
            }
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
        let other = EdgeWeights { seed: 6, ..w };
        assert!((0..100).any(|u| w.of(u, u + 1) != other.of(u, u + 1)), "the seed matters");
    }
}
