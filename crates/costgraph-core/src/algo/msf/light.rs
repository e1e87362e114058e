//! The light-edge bound Filter-Kruskal and Borůvka share: they take the edges at or below it first.

use crate::graph::Weight;

/// A weight with about `wanted` of a graph's `edges` edges at or below it, estimated from an evenly
/// spaced sample of its arc `weights` (every edge has the same share of arcs); `Weight::MAX` when
/// `wanted` covers every edge. Filter-Kruskal and Borůvka take these light edges first.
pub fn light_bound(weights: &[Weight], edges: usize, wanted: usize) -> Weight {
    const SAMPLES: usize = 1 << 14;
    if wanted >= edges || weights.is_empty() {
        return Weight::MAX;
    }
    let step = weights.len().div_ceil(SAMPLES);
    let mut sample: Vec<Weight> = weights.iter().step_by(step).copied().collect();
    let rank = ((sample.len() as f64 * wanted as f64 / edges as f64) as usize).min(sample.len() - 1);
    *sample.select_nth_unstable(rank).1
}
