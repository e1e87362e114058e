//! Temporary files and folders to remove if the process is interrupted: the builder's spill
//! folders and the half-written outputs of the atomic writer register here while they exist, and
//! the command line's Ctrl-C (SIGINT / SIGTERM) handler removes whatever is registered before it
//! exits. Normal cleanup (success or error) is by `Drop`, as usual; this list only covers the exit
//! that skips destructors.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_paths_are_removed_and_dropped_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::write(a.join("x"), b"x").unwrap();
        std::fs::write(&b, b"y").unwrap();
        let keep = super::register(&a);
        drop(super::register(&b));
        super::remove_registered();
        assert!(!a.exists() && b.exists());
        drop(keep);
    }
}
