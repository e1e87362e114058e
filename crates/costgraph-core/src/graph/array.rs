//! [`Array`]: a read-only slice of plain data that is either owned or borrowed from a memory map.
//!
//! Algorithms never see the difference: an `Array<T>` dereferences to `&[T]`.

use std::ops::Deref;
use std::sync::Arc;

use bytemuck::Pod;
use memmap2::Mmap;

/// An immutable array of `T`, either in a `Vec` or inside a memory-mapped file (no copy).
pub struct Array<T: Pod> {
    inner: Inner<T>,
}

enum Inner<T> {
    Owned(Vec<T>),
    Mapped { map: Arc<Mmap>, byte_offset: usize, len: usize },
}

impl<T: Pod> Array<T> {
    /// Wraps an owned vector.
    pub fn owned(values: Vec<T>) -> Self {
        Array { inner: Inner::Owned(values) }
    }

    /// Borrows `len` values starting at `byte_offset` of `map`.
    ///
    /// Returns `None` when the range is out of bounds or not aligned for `T`; callers validate
    /// both before, so `None` signals a bug or a corrupt file the caller failed to refuse.
    pub fn mapped(map: Arc<Mmap>, byte_offset: usize, len: usize) -> Option<Self> {
        let bytes = len.checked_mul(size_of::<T>())?;
        let end = byte_offset.checked_add(bytes)?;
        let region = map.get(byte_offset..end)?;
        bytemuck::try_cast_slice::<u8, T>(region).ok()?;
        Some(Array { inner: Inner::Mapped { map, byte_offset, len } })
    }

    /// True when the values live in a memory map rather than in process memory.
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped { .. })
    }

    /// Hands the pages of a mapped array back to the page cache (they leave this process's
    /// resident set and are read again, from the cache or the file, when next touched); nothing
    /// for an owned array. For passes over a graph larger than the memory budget.
    pub fn release_pages(&self) {
        self.release_range(0..self.len());
    }

    /// [`Array::release_pages`] for the values at positions `range` only (the pages wholly or
    /// partly under them): a worker hands back the part of a shared map it has read.
    pub fn release_range(&self, range: std::ops::Range<usize>) {
        #[cfg(unix)]
        if let Inner::Mapped { map, byte_offset, len } = &self.inner {
            const PAGE: usize = 4096;
            let range = range.start.min(*len)..range.end.min(*len);
            if range.is_empty() {
                return;
            }
            let start = (byte_offset + range.start * size_of::<T>()) / PAGE * PAGE;
            let end = (byte_offset + range.end * size_of::<T>()).min(map.len());
            // SAFETY: the map is a read-only mapping of a file costgraph never writes: dropping
            // its pages only makes later reads fault the same bytes in again, so slices borrowed
            // from it stay valid and unchanged.
            let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
        }
        #[cfg(not(unix))]
        let _ = range;
    }
}

impl<T: Pod> Deref for Array<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.inner {
            Inner::Owned(values) => values,
            Inner::Mapped { map, byte_offset, len } => {
                let end = byte_offset + len * size_of::<T>();
                // Bounds and alignment were checked in `Array::mapped`; the map is immutable.
                bytemuck::cast_slice(&map[*byte_offset..end])
            }
        }
    }
}

/// A mapped array clones in `O(1)` (the copy shares the map); an owned one copies its values.
impl<T: Pod> Clone for Array<T> {
    fn clone(&self) -> Self {
        match &self.inner {
            Inner::Owned(values) => Array::owned(values.clone()),
            Inner::Mapped { map, byte_offset, len } => {
                Array { inner: Inner::Mapped { map: Arc::clone(map), byte_offset: *byte_offset, len: *len } }
            }
        }
    }
}

impl<T: Pod> From<Vec<T>> for Array<T> {
    fn from(values: Vec<T>) -> Self {
        Array::owned(values)
    }
}

impl<T: Pod + std::fmt::Debug> std::fmt::Debug for Array<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.is_mapped() { "mapped" } else { "owned" };
        write!(f, "Array<{}>({kind}, len {})", std::any::type_name::<T>(), self.len())
    }
}
