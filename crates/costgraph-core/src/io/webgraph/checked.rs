//! A checking layer under the `webgraph` sequential decoder. The crate's `Decode` methods return
//! bare numbers and its decoder acts on each at once (reserves an outdegree's worth of memory,
//! slices a reference list by a block length, subtracts a reference from a node id), so a corrupt
//! stream makes it abort on a huge allocation or panic on a bad slice. [`Factory`] wraps the
//! crate's decoders with one that follows the same state machine (outdegree, reference, blocks,
//! intervals, residuals, in the order the BVGraph format fixes) and stops at the first value that
//! cannot be right — before the decoder uses it — by unwinding with a [`Stop`] payload, which
//! [`super::decode`] catches at the boundary. Cost: a few comparisons per coded value and
//! `8 (window + 1)` bytes.

use webgraph::prelude::{Decode, SequentialDecoderFactory};

use super::properties::Properties;

/// Why decoding stopped early (the payload of the unwind).
#[derive(Debug)]
pub(super) enum Stop {
    /// A value the format does not allow at this point.
    Corrupt(String),
    /// The successor lists the decoder keeps would exceed its share of the memory budget.
    OverBudget { node: u64, needed: u64 },
}

fn stop(why: Stop) -> ! {
    std::panic::resume_unwind(Box::new(why))
}

/// Wraps the `webgraph` decoder factory `F` (see the module doc).
pub(super) struct Factory<F> {
    inner: F,
    props: Properties,
    allowance: u64,
}

impl<F> Factory<F> {
    /// Checks decoders made by `inner` against `props`, letting the kept successor lists hold at
    /// most `allowance` bytes.
    pub fn new(inner: F, props: Properties, allowance: u64) -> Self {
        Factory { inner, props, allowance }
    }
}

impl<F: SequentialDecoderFactory> SequentialDecoderFactory for Factory<F> {
    type Decoder<'a>
        = Checked<F::Decoder<'a>>
    where
        Self: 'a;

    fn new_decoder(&self) -> anyhow::Result<Self::Decoder<'_>> {
        let slots = self.props.window as usize + 1;
        Ok(Checked {
            inner: self.inner.new_decoder()?,
            nodes: self.props.nodes as u64,
            window: self.props.window,
            min_interval: self.props.min_interval,
            arcs_left: self.props.arcs,
            allowance: self.allowance,
            next: 0,
            node: 0,
            degree: 0,
            made: 0,
            reference_len: 0,
            blocks: 0,
            block: 0,
            copied_to: 0,
            first_interval: true,
            position: 0,
            degrees: vec![0; slots],
            capacities: vec![0; slots],
            held: 0,
        })
    }
}

/// One checking decoder (see the module doc).
pub(super) struct Checked<D> {
    inner: D,
    nodes: u64,
    window: u64,
    min_interval: u64,
    arcs_left: u64,
    allowance: u64,
    /// The node whose outdegree comes next.
    next: u64,
    /// The node being decoded, its outdegree, and how many successors its codes made so far.
    node: u64,
    degree: u64,
    made: u64,
    /// The length of the list the node copies from (0 without a reference).
    reference_len: u64,
    /// The block count, the index of the next block, and where the last block ended.
    blocks: u64,
    block: u64,
    copied_to: u64,
    /// Whether the next interval start is the node's first (coded relative to the node).
    first_interval: bool,
    /// The last successor or interval end coded.
    position: u64,
    /// The outdegree of each node in the window, by `node % (window + 1)`.
    degrees: Vec<u64>,
    /// The longest list each window slot has held: the decoder keeps that capacity.
    capacities: Vec<u64>,
    /// Bytes the kept lists hold (16 per successor of capacity, growth included).
    held: u64,
}

impl<D> Checked<D> {
    fn corrupt(&self, what: impl std::fmt::Display) -> ! {
        stop(Stop::Corrupt(format!("node {}: {what}", self.node)))
    }

    /// Counts `k` more successors of the node; more than its outdegree is corrupt.
    fn make(&mut self, k: u64) {
        match self.made.checked_add(k) {
            Some(made) if made <= self.degree => self.made = made,
            _ => self.corrupt(format!("more successors than its outdegree {}", self.degree)),
        }
    }

    /// `base + offset` as a node id, or corrupt.
    fn target(&self, base: u64, offset: i64) -> u64 {
        match (base as i64).checked_add(offset) {
            Some(t) if t >= 0 && (t as u64) < self.nodes => t as u64,
            _ => self.corrupt("a successor outside the graph"),
        }
    }

    /// `self.position + 1 + gap` as a node id, or corrupt: the next residual after the last, or the
    /// next interval's start after the last interval's end.
    fn after(&self, gap: u64) -> u64 {
        match self.position.checked_add(gap).and_then(|t| t.checked_add(1)) {
            Some(t) if t < self.nodes => t,
            _ => self.corrupt("a successor outside the graph"),
        }
    }
}

/// Java's `nat2int`: 0, 1, 2, 3, ... to 0, -1, 1, -2, ...
fn signed(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl<D: Decode> Decode for Checked<D> {
    fn read_outdegree(&mut self) -> u64 {
        let d = self.inner.read_outdegree();
        self.node = self.next;
        self.next += 1;
        if d > self.nodes || d > self.arcs_left {
            self.corrupt(format!("outdegree {d} is more than the nodes or the arcs left"));
        }
        self.arcs_left -= d;
        (self.degree, self.made, self.reference_len, self.first_interval) = (d, 0, 0, true);
        let slot = (self.node % (self.window + 1)) as usize;
        self.degrees[slot] = d;
        if d > self.capacities[slot] {
            self.held += 16 * (d - self.capacities[slot]);
            self.capacities[slot] = d;
        }
        let needed = self.held + 12 * d;
        if needed > self.allowance {
            stop(Stop::OverBudget { node: self.node, needed });
        }
        d
    }

    fn read_reference_offset(&mut self) -> u64 {
        let r = self.inner.read_reference_offset();
        if r > self.window || r > self.node {
            self.corrupt(format!("reference {r} reaches outside the window"));
        }
        if r > 0 {
            self.reference_len = self.degrees[((self.node - r) % (self.window + 1)) as usize];
        }
        r
    }

    fn read_block_count(&mut self) -> u64 {
        let c = self.inner.read_block_count();
        if c > self.reference_len + 1 {
            self.corrupt(format!("{c} blocks of a list of {}", self.reference_len));
        }
        (self.blocks, self.block, self.copied_to) = (c, 0, 0);
        if c == 0 {
            self.make(self.reference_len);
        }
        c
    }

    fn read_block(&mut self) -> u64 {
        let b = self.inner.read_block();
        let end = if self.block == 0 { Some(b) } else { self.copied_to.checked_add(b).and_then(|e| e.checked_add(1)) };
        let end = match end {
            Some(end) if end <= self.reference_len => end,
            _ => self.corrupt("a block past the end of the list it copies"),
        };
        if self.block.is_multiple_of(2) {
            self.make(end - self.copied_to);
        }
        self.copied_to = end;
        self.block += 1;
        if self.block == self.blocks && self.blocks.is_multiple_of(2) {
            self.make(self.reference_len - self.copied_to);
        }
        b
    }

    fn read_interval_count(&mut self) -> u64 {
        let k = self.inner.read_interval_count();
        if k > self.degree - self.made {
            self.corrupt(format!("{k} intervals"));
        }
        k
    }

    fn read_interval_start(&mut self) -> u64 {
        let v = self.inner.read_interval_start();
        self.position = if self.first_interval { self.target(self.node, signed(v)) } else { self.after(v) };
        self.first_interval = false;
        v
    }

    fn read_interval_len(&mut self) -> u64 {
        let v = self.inner.read_interval_len();
        let len = v.saturating_add(self.min_interval);
        match self.position.checked_add(len) {
            Some(end) if end <= self.nodes => {
                self.make(len);
                // The next interval's start is coded as a gap after this one's end (one past it).
                self.position = end;
            }
            _ => self.corrupt("an interval past the last node"),
        }
        v
    }

    fn read_first_residual(&mut self) -> u64 {
        let v = self.inner.read_first_residual();
        self.position = self.target(self.node, signed(v));
        self.make(1);
        v
    }

    fn read_residual(&mut self) -> u64 {
        let v = self.inner.read_residual();
        self.position = self.after(v);
        self.make(1);
        v
    }
}
