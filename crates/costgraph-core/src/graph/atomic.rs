//! Views of plain integer slices as atomics, for parallel counting and scattering.

use std::sync::atomic::{AtomicU32, AtomicU64};

const _: () = assert!(align_of::<AtomicU64>() == align_of::<u64>());

/// Views `values` as atomics so several threads may update it through a shared reference.
pub(crate) fn as_atomic_u64(values: &mut [u64]) -> &[AtomicU64] {
    // SAFETY: AtomicU64 has the same size and bit validity as u64 and (asserted above) the same
    // alignment; the exclusive borrow guarantees no non-atomic access while the view lives.
    unsafe { &*(values as *mut [u64] as *const [AtomicU64]) }
}

const _: () = assert!(align_of::<AtomicU32>() == align_of::<u32>());

/// Views `values` as atomics so several threads may update it through a shared reference.
pub(crate) fn as_atomic_u32(values: &mut [u32]) -> &[AtomicU32] {
    // SAFETY: AtomicU32 has the same size and bit validity as u32 and (asserted above) the same
    // alignment; the exclusive borrow guarantees no non-atomic access while the view lives.
    unsafe { &*(values as *mut [u32] as *const [AtomicU32]) }
}
