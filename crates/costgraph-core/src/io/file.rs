//! Opening inputs safely: only regular files are read (a FIFO, a device such as `/dev/zero`, a
//! socket or a folder given as a graph, a shard, a manifest or a key would hang a reader or feed it
//! bytes for ever), and text files have a size limit checked before they are read.

use std::fs::File;
use std::path::Path;

use crate::{Error, Result};

/// Refuses `path` unless it is a regular file (symbolic links followed).
pub fn check_regular(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            let t = meta.file_type();
            if t.is_fifo() {
                "a named pipe (FIFO)"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else if t.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            }
        }
        #[cfg(not(unix))]
        {
            "not a regular file"
        }
    };
    Err(Error::format(path, format!("{what}: costgraph reads regular files only")))
}

/// Opens `path` for reading, once [`check_regular`] passes.
pub fn open(path: &Path) -> Result<File> {
    check_regular(path)?;
    File::open(path).map_err(|e| Error::io(path, e))
}

/// Reads the regular file `path` as UTF-8 text of at most `max` bytes (`what` names it in the
/// error when it is longer).
pub fn read_text(path: &Path, max: u64, what: &str) -> Result<String> {
    check_regular(path)?;
    let len = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    if len > max {
        return Err(Error::format(
            path,
            format!("{len} bytes is too long for {what} (at most {})", crate::units::human_bytes(max)),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_regular(dir.path()).unwrap_err().to_string().contains("a folder"));
        assert!(check_regular(Path::new("/dev/zero")).unwrap_err().to_string().contains("a device"));
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path; mkfifo only reads it.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(open(&fifo).unwrap_err().to_string().contains("named pipe"));
        let text = dir.path().join("t");
        std::fs::write(&text, "hello").unwrap();
        assert_eq!(read_text(&text, 5, "a test").unwrap(), "hello");
        assert!(read_text(&text, 4, "a test").unwrap_err().to_string().contains("too long for a test"));
    }
}
