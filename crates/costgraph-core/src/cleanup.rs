//! What an interrupted process must not leave behind: temporary files and folders (the builder's
//! spill folders, the half-written outputs of the atomic writer, temporary hostfiles) and the
//! process groups of the children it started. Each registers here while it exists; on SIGINT,
//! SIGTERM or SIGHUP the handler [`install_signal_handler`] starts ends every registered group and
//! removes every registered path before the process exits. Normal cleanup (success or error) is by
//! `Drop`, as usual; these lists only cover the exit that skips destructors.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

static GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Set once this process is ending on a signal or a lost parent (see [`stop_if_ending`]).
static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process is ending on a signal or a lost parent: its children are being ended,
/// so a child that fails now failed because of that, not on its own.
pub fn ending() -> bool {
    ENDING.load(std::sync::atomic::Ordering::SeqCst)
}

/// Blocks this thread for good when the process is [`ending`] (the thread ending it exits the
/// process), so that nothing races the exit: no child ended by the signal is reported as a
/// crash, no report or exit status of a half-done run is written. Returns at once otherwise.
pub fn stop_if_ending() {
    while ending() {
        std::thread::park();
    }
}

/// Ends the process after a signal or a lost parent: marks it [`ending`], ends every registered
/// group, removes every registered path, prints `message` and exits with `code`.
fn end_process(message: &str, code: i32) -> ! {
    ENDING.store(true, std::sync::atomic::Ordering::SeqCst);
    end_registered_groups();
    remove_registered();
    eprintln!("{message}");
    std::process::exit(code);
}

/// How long a process group gets to end after SIGTERM before it is sent SIGKILL.
pub const TERM_GRACE: Duration = Duration::from_secs(2);

/// A registration: the path is taken off the list when this is dropped.
#[derive(Debug)]
pub struct Registration {
    path: PathBuf,
}

/// Puts `path` (a file or a folder) on the list of things to remove on interruption.
pub fn register(path: &Path) -> Registration {
    REGISTERED.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
    Registration { path: path.to_path_buf() }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut list = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = list.iter().rposition(|p| *p == self.path) {
            list.swap_remove(at);
        }
    }
}

/// Removes every registered file and folder (errors ignored: this runs on the way out).
pub fn remove_registered() {
    let list = std::mem::take(&mut *REGISTERED.lock().unwrap_or_else(|e| e.into_inner()));
    for path in list {
        if path.is_dir() {
            // Other threads may still be creating files in it (the builder's spill buckets): move
            // it out of their way first, so that nothing new can appear in it while it is removed.
            let mut doomed = path.clone().into_os_string();
            doomed.push(".removing");
            let doomed = PathBuf::from(doomed);
            let target = if std::fs::rename(&path, &doomed).is_ok() { doomed } else { path };
            for _ in 0..100 {
                if std::fs::remove_dir_all(&target).is_ok() || !target.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// A child's process group registered to be ended on interruption; dropping it ends the group
/// (whatever of it still runs) and takes it off the list.
#[derive(Debug)]
pub struct ProcessGroup {
    pgid: u32,
}

impl ProcessGroup {
    /// Registers the process group `pgid` (a child started as the leader of its own group).
    pub fn register(pgid: u32) -> ProcessGroup {
        GROUPS.lock().unwrap_or_else(|e| e.into_inner()).push(pgid);
        ProcessGroup { pgid }
    }

    /// The group's id (its leader's process id).
    pub fn id(&self) -> u32 {
        self.pgid
    }

    /// Sends `signal` to every process of the group (errors ignored: the group may be gone).
    pub fn signal(&self, signal: i32) {
        send_group(self.pgid, signal);
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        send_group(self.pgid, KILL);
        let mut list = GROUPS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = list.iter().rposition(|&g| g == self.pgid) {
            list.swap_remove(at);
        }
    }
}

#[cfg(unix)]
const KILL: i32 = libc::SIGKILL;
#[cfg(not(unix))]
const KILL: i32 = 9;

#[cfg(unix)]
fn send_group(pgid: u32, signal: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group; it only reads its
        // arguments, and an unknown or finished group gives ESRCH, which is ignored.
        unsafe {
            libc::kill(-(pgid as libc::pid_t), signal);
        }
    }
}

#[cfg(not(unix))]
fn send_group(_pgid: u32, _signal: i32) {}

/// Whether any process of group `pgid` is still alive.
#[cfg(unix)]
fn group_alive(pgid: u32) -> bool {
    // SAFETY: signal 0 only checks that the group exists and may be signalled.
    pgid > 1 && unsafe { libc::kill(-(pgid as libc::pid_t), 0) } == 0
}

#[cfg(not(unix))]
fn group_alive(_pgid: u32) -> bool {
    false
}

/// Ends every registered process group: SIGTERM first (a costgraph child then ends its own
/// children and removes its own files), SIGKILL to what is left after [`TERM_GRACE`].
pub fn end_registered_groups() {
    let groups = std::mem::take(&mut *GROUPS.lock().unwrap_or_else(|e| e.into_inner()));
    #[cfg(unix)]
    for &g in &groups {
        send_group(g, libc::SIGTERM);
    }
    let deadline = Instant::now() + TERM_GRACE;
    while groups.iter().any(|&g| group_alive(g)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    for &g in &groups {
        send_group(g, KILL);
    }
}

/// Blocks SIGINT, SIGTERM and SIGHUP in every thread and waits for them in one: on any, every
/// registered process group is ended, every registered path removed, `message` printed on stderr
/// and the process exits with 128 + the signal number. Must run before any other thread starts
/// (threads inherit the mask; children started with `std::process::Command` do not).
#[cfg(unix)]
pub fn install_signal_handler(message: &'static str) {
    // SAFETY: `set` is a local signal set initialised by sigemptyset before use; pthread_sigmask
    // only changes this thread's mask, here before any other thread exists.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::spawn(move || {
        let mut signal = 0;
        // SAFETY: `set` is a valid, initialised signal set blocked in every thread; sigwait only
        // writes the received signal number into `signal`.
        if unsafe { libc::sigwait(&set, &mut signal) } == 0 {
            end_process(message, 128 + signal);
        }
    });
}

/// Ends this process (every registered group ended, every registered path removed, `message`
/// printed, exit status 1) as soon as `input` reaches its end: a child started with its standard
/// input on a pipe from its parent reads it here, and so ends with its parent, however the parent
/// ended (even killed outright, or across ssh, which closes the pipe when the connection drops).
pub fn exit_when_closed(mut input: impl std::io::Read + Send + 'static, message: &'static str) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 256];
        while matches!(input.read(&mut buffer), Ok(n) if n > 0) {}
        end_process(message, 1);
    });
}

/// Elsewhere nothing is installed.
#[cfg(not(unix))]
pub fn install_signal_handler(_message: &'static str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_removed_and_dropped_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::write(a.join("x"), b"x").unwrap();
        std::fs::write(&b, b"y").unwrap();
        let keep = register(&a);
        drop(register(&b));
        remove_registered();
        assert!(!a.exists() && b.exists());
        drop(keep);
    }

    #[test]
    #[cfg(unix)]
    fn a_dropped_group_is_ended_with_its_children() {
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new("/bin/sh")
            .args(["-c", "sleep 30 & sleep 30 & wait"])
            .process_group(0)
            .spawn()
            .unwrap();
        let group = ProcessGroup::register(child.id());
        std::thread::sleep(Duration::from_millis(100));
        assert!(group_alive(child.id()));
        let id = group.id();
        drop(group);
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while group_alive(id) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!group_alive(id), "the background sleeps outlived their group");
    }
}
