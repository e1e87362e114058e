//! The memory budget (`--memory`): how many bytes a build (or a run) may hold, checked before
//! anything proportional to an input's declared size is allocated.
//!
//! The budget comes from the command line (`--memory 8G`, `512M`, `1.5G`, plain bytes), or by
//! default is [`DEFAULT_SHARE_PERCENT`] percent of the memory available to this process: Linux's
//! `MemAvailable`, lowered to the room left under the cgroup limit when one is set. Every check
//! also compares with what is available now, so a budget larger than the machine does not let a
//! build start that the kernel would kill halfway. A refused check is an [`Error::OverBudget`]:
//! one line with what needs the memory, how much, the limit and what to do.

use crate::units::human_bytes;
use crate::{Error, Result};

/// The default budget as a percentage of the available memory.
pub const DEFAULT_SHARE_PERCENT: u64 = 60;

/// The smallest budget accepted: the builder's buffers need a little room even for tiny graphs.
pub const MIN_BUDGET: u64 = 256 << 10;

/// How many bytes may be held, and where that figure came from (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    bytes: u64,
    origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Flag,
    Default,
    Unlimited,
}

impl Default for Budget {
    /// No budget: only the memory available limits (for library callers that set none).
    fn default() -> Self {
        Budget { bytes: u64::MAX, origin: Origin::Unlimited }
    }
}

impl Budget {
    /// The budget of `--memory SIZE` when given, else the default share of available memory.
    pub fn from_flag(bytes: Option<u64>) -> Result<Budget> {
        match bytes {
            Some(b) if b < MIN_BUDGET => Err(Error::invalid(format!(
                "--memory {} is too small: the builder needs at least {}",
                human_bytes(b),
                human_bytes(MIN_BUDGET)
            ))),
            Some(bytes) => Ok(Budget { bytes, origin: Origin::Flag }),
            None => Ok(Budget::default_share()),
        }
    }

    /// [`DEFAULT_SHARE_PERCENT`] percent of the memory available now (unlimited when unknown).
    pub fn default_share() -> Budget {
        match available_memory() {
            Some(a) => Budget { bytes: (a / 100 * DEFAULT_SHARE_PERCENT).max(MIN_BUDGET), origin: Origin::Default },
            None => Budget::default(),
        }
    }

    /// This budget less `bytes` held by something else (at least [`MIN_BUDGET`]): what is left for
    /// one part of a job when another part holds `bytes` throughout.
    pub fn less(&self, bytes: u64) -> Budget {
        Budget { bytes: self.bytes.saturating_sub(bytes).max(MIN_BUDGET), origin: self.origin }
    }

    /// The budget in bytes (`u64::MAX` when unlimited).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The bytes a check allows now: the budget, lowered to the memory available when that is less.
    pub fn limit(&self) -> u64 {
        self.bytes.min(available_memory().unwrap_or(u64::MAX))
    }

    /// Whether `needed` bytes fit in [`Budget::limit`].
    pub fn fits(&self, needed: u64) -> bool {
        needed <= self.limit()
    }

    /// `Ok` when `needed` bytes for `what` fit; otherwise an [`Error::OverBudget`] that says what to
    /// do: raise `--memory` (when the budget is what limits), or free memory.
    pub fn check(&self, what: &str, needed: u64) -> Result<()> {
        self.check_or(what, needed, "")
    }

    /// Like [`Budget::check`], with `advice` (e.g. "use a smaller --scale") put first in the message.
    pub fn check_or(&self, what: &str, needed: u64, advice: &str) -> Result<()> {
        let available = available_memory();
        if needed <= self.bytes && available.is_none_or(|a| needed <= a) {
            return Ok(());
        }
        let (limit, mut todo) = match available {
            Some(a) if a < self.bytes => (
                format!("only {} of memory is available", human_bytes(a)),
                "free memory or run it on a larger machine".to_string(),
            ),
            _ => {
                let origin = match self.origin {
                    Origin::Flag => "--memory".to_string(),
                    _ => format!("the default, {DEFAULT_SHARE_PERCENT}% of available memory"),
                };
                (
                    format!("the memory budget is {} ({origin})", human_bytes(self.bytes)),
                    "raise --memory if the machine has the room".to_string(),
                )
            }
        };
        if !advice.is_empty() {
            todo = format!("{advice}, or {todo}");
        }
        Err(Error::OverBudget { what: what.to_string(), needed, limit, advice: todo })
    }
}

/// Parses a size: a number with an optional unit `K`, `M`, `G`, `T` (powers of 1024; `KiB`,
/// `MB`, ... and lower case are accepted too), e.g. `8G`, `512M`, `1.5G`, `1048576`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || format!("'{text}' is not a size: write a number with an optional unit K, M, G or T, e.g. 8G or 512M");
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.trim().to_ascii_lowercase().trim_end_matches("ib").trim_end_matches('b') {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return Err(bad()),
    };
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// The memory this process can still use: `MemAvailable`, lowered to the room left under the
/// cgroup's limit (v2 `memory.max`, v1 `memory.limit_in_bytes`) when there is one. `None` when
/// the OS does not say.
pub fn available_memory() -> Option<u64> {
    let system = crate::sysinfo::available_memory_bytes();
    let read = |p: &str| std::fs::read_to_string(p).ok()?.trim().parse::<u64>().ok();
    let cgroup = [
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ]
    .iter()
    .find_map(|(limit, used)| Some(read(limit)?.saturating_sub(read(used).unwrap_or(0))));
    match (system, cgroup) {
        (Some(s), Some(c)) => Some(s.min(c)),
        (s, c) => s.or(c),
    }
}

/// A zeroed vector of `len` values, or an error naming `what` when the allocator refuses: for
/// arrays whose size comes from input, so that no input makes the process abort on allocation.
pub fn try_zeroed<T: bytemuck::Zeroable>(len: usize, what: &str) -> Result<Vec<T>> {
    bytemuck::allocation::try_zeroed_vec(len).map_err(|()| {
        Error::invalid(format!(
            "cannot allocate {} for {what}: not enough memory",
            human_bytes((len as u64).saturating_mul(size_of::<T>() as u64))
        ))
    })
}

/// An empty vector with room for `capacity` values, or an error naming `what` when the allocator
/// refuses: for buffers whose size comes from input or from a budget's estimate.
pub fn try_vec<T>(capacity: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| {
        Error::invalid(format!(
            "cannot allocate {} for {what}: not enough memory",
            human_bytes((capacity as u64).saturating_mul(size_of::<T>() as u64))
        ))
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size(" 2 KB "), Ok(2048));
        for bad in ["", "G", "8X", "-1G", "1e3", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_says_what_why_and_what_to_do() {
        let budget = Budget::from_flag(Some(1 << 20)).unwrap();
        assert!(budget.check("a thing", 1 << 19).is_ok());
        let e = budget.check_or("the offsets of 9 nodes", 3 << 20, "use fewer nodes").unwrap_err().to_string();
        assert!(e.contains("the offsets of 9 nodes needs 3.0 MiB"), "{e}");
        assert!(e.contains("1.0 MiB (--memory)") && e.contains("use fewer nodes") && !e.contains('\n'), "{e}");
        assert!(Budget::from_flag(Some(1000)).is_err());
        assert!(Budget::default().check("x", u64::MAX).is_err(), "nothing has 16 EiB available");
    }

    #[test]
    fn huge_allocations_fail_cleanly() {
        assert!(try_zeroed::<u64>(usize::MAX / 16, "a test").is_err());
        assert_eq!(try_zeroed::<u32>(3, "a test").unwrap(), vec![0, 0, 0]);
    }
}
