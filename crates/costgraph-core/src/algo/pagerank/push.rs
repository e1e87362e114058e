//! Push PageRank with propagation blocking: no preparation, and the scattered additions confined
//! to one cache-sized block of destinations at a time.
//!
//! A push iteration adds each node's contribution into the running sums of its out-neighbours:
//! writes all over the `4 n` bytes of the sums. Propagation blocking (Beamer, Asanović,
//! Patterson, "Reducing PageRank communication via propagation blocking", IPDPS 2017) splits the
//! destinations into blocks of `2^`[`block_bits`] nodes and gives each block a bin: the sweep
//! over the out-arcs appends `(contribution, destination)` to the bin of the destination's block,
//! a sequential write, and a full bin is emptied into the sums of its block, whose `2^bits` sums
//! stay in L2 while it is. Each destination's sum still adds its in-neighbours' contributions in
//! increasing source order, as a plain push does: a destination has one bin, and a bin keeps the
//! order of its appends.
//!
//! Cost: O(n + m) work per iteration, 8 bytes written and read per arc through the bins, which
//! take at most [`BINS_BYTES`] whatever the graph.

use super::block_bits;
use super::ranks::{Params, Ranks};
use super::skeleton::iterate;
use crate::graph::{Csr, NodeId};

/// The memory all the bins take together, at most: 256 MiB.
pub const BINS_BYTES: usize = 256 << 20;

/// PageRank by pushing along out-arcs in vertex order, one thread, no preparation (propagation
/// blocking; see the module docs).
pub fn push(csr: &Csr, params: &Params) -> Ranks {
    push_with(csr, params, block_bits(), BINS_BYTES)
}

/// [`push`] with blocks of `2^bits` destinations and bins of `bins_bytes` in all.
pub(super) fn push_with(csr: &Csr, params: &Params, bits: u32, bins_bytes: usize) -> Ranks {
    let n = csr.num_nodes();
    let blocks = (n >> bits) + 1;
    let entries = (bins_bytes / size_of::<(f32, NodeId)>()).min(csr.targets().len().max(1));
    let capacity = (entries / blocks).max(1);
    let mut bins = vec![(0.0f32, 0 as NodeId); blocks * capacity];
    let mut fill = vec![0usize; blocks];
    let mut sums = vec![0.0f32; n];
    iterate(csr, params, |contrib, slots, base| {
        for (u, w) in csr.offsets().windows(2).enumerate() {
            let c = contrib[u];
            for &v in &csr.targets()[w[0] as usize..w[1] as usize] {
                let b = (v >> bits) as usize;
                bins[b * capacity + fill[b]] = (c, v);
                fill[b] += 1;
                if fill[b] == capacity {
                    empty(&bins[b * capacity..(b + 1) * capacity], &mut sums);
                    fill[b] = 0;
                }
            }
        }
        for (b, filled) in fill.iter_mut().enumerate() {
            empty(&bins[b * capacity..b * capacity + *filled], &mut sums);
            *filled = 0;
        }
        slots.update(base, params.damping as f32, |v| std::mem::take(&mut sums[v]))
    })
}

/// Adds every `(contribution, destination)` of a bin into the destination's sum.
#[inline(always)]
fn empty(bin: &[(f32, NodeId)], sums: &mut [f32]) {
    for &(c, v) in bin {
        sums[v as usize] += c;
    }
}
