//! Facts about this process and machine that reports record: peak memory, CPU model, cores,
//! total memory, free disk space, operating system, and resident memory sampled over a run. Linux `/proc` where available; `None` elsewhere.

/// Peak resident set size of this process in bytes (`VmHWM`), when the OS reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_field("/proc/self/status", "VmHWM:").map(|kb| kb * 1024)
}

/// Current resident set size of this process in bytes (`VmRSS`), when the OS reports it.
pub fn rss_bytes() -> Option<u64> {
    proc_field("/proc/self/status", "VmRSS:").map(|kb| kb * 1024)
}

/// Total physical memory in bytes (`MemTotal`), when the OS reports it.
pub fn total_memory_bytes() -> Option<u64> {
    proc_field("/proc/meminfo", "MemTotal:").map(|kb| kb * 1024)
}

/// Memory available to new processes in bytes (`MemAvailable`), when the OS reports it.
pub fn available_memory_bytes() -> Option<u64> {
    proc_field("/proc/meminfo", "MemAvailable:").map(|kb| kb * 1024)
}

/// Free space for unprivileged users on the file system holding `path` (`statvfs`), when the OS
/// reports it.
#[cfg(unix)]
pub fn free_disk_bytes(path: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `statvfs` is plain old data, so all-zero is a valid value to be overwritten.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a NUL-terminated string and `stats` a writable statvfs, both alive for the call.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

/// Free disk space is not known on this platform.
#[cfg(not(unix))]
pub fn free_disk_bytes(_path: &std::path::Path) -> Option<u64> {
    None
}

/// The CPU model name, when the OS reports it.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// Number of cores this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The 1-minute load average (runnable and uninterruptible tasks), when the OS reports it.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Operating system and architecture, e.g. `linux x86_64`.
pub fn os() -> String {
    format!("{} {}", std::env::consts::OS, std::env::consts::ARCH)
}

/// The kernel's release (`/proc/sys/kernel/osrelease`), when the OS reports it.
pub fn kernel() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// This machine's host name (`/proc/sys/kernel/hostname`), when the OS reports it.
pub fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn proc_field(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// Samples this process's resident memory, with one more figure of the caller's (`extra`), every
/// `interval` on a thread of its own until [`stop`](RssSampler::stop): for memory over a run.
pub struct RssSampler<T> {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<(f64, u64, T)>>,
}

impl<T: Send + 'static> RssSampler<T> {
    /// Starts sampling: each sample is (seconds since the start, resident bytes, `extra()`).
    pub fn start(interval: std::time::Duration, extra: impl Fn() -> T + Send + 'static) -> RssSampler<T> {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let start = std::time::Instant::now();
            let mut samples = Vec::new();
            loop {
                if let Some(bytes) = rss_bytes() {
                    samples.push((start.elapsed().as_secs_f64(), bytes, extra()));
                }
                // Sleep in short steps so that stopping is prompt.
                let until = std::time::Instant::now() + interval;
                while std::time::Instant::now() < until {
                    if flag.load(Ordering::Relaxed) {
                        return samples;
                    }
                    std::thread::sleep(interval.min(std::time::Duration::from_millis(20)));
                }
            }
        });
        RssSampler { stop, thread }
    }

    /// Stops sampling and returns the samples.
    pub fn stop(self) -> Vec<(f64, u64, T)> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn linux_reports_memory() {
        if cfg!(target_os = "linux") {
            assert!(super::peak_rss_bytes().unwrap() > 0);
            assert!(super::total_memory_bytes().unwrap() > 0);
        }
        assert!(super::cores() >= 1);
        if cfg!(target_os = "linux") {
            assert!(super::load_average().is_some_and(|l| l >= 0.0));
        }
    }

    #[test]
    fn unix_reports_free_disk_space() {
        if cfg!(unix) {
            assert!(super::free_disk_bytes(&std::env::temp_dir()).unwrap() > 0);
            assert_eq!(super::free_disk_bytes(std::path::Path::new("/no/such/folder")), None);
        }
    }
}
