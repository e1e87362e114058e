//! [`ClusterKey`]: the secret every process of one run shares (256 random bits). A connection
//! counts as a peer only when it proves it holds the key ([`super::handshake`]); the key itself
//! never crosses the network, and is never on a command line or in a hostfile: processes get it
//! from the environment variable [`ENV_VAR`], from a file only its owner can read, or (processes
//! a sweep launches) on their standard input.

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// The environment variable a multi-process `run` reads its key from: 64 hex digits.
pub const ENV_VAR: &str = "COSTGRAPH_CLUSTER_KEY";

/// A run's key: 32 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterKey([u8; 32]);

impl std::fmt::Debug for ClusterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterKey(..)")
    }
}

impl ClusterKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<ClusterKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::invalid(format!("cannot draw a random key from the operating system: {e}")))?;
        Ok(ClusterKey(bytes))
    }

    /// The key's bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits (surrounding white space ignored).
    pub fn from_hex(text: &str) -> std::result::Result<ClusterKey, String> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("a cluster key is 64 hex digits (make one with `costgraph key -o FILE`)".into());
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(ClusterKey(bytes))
    }

    /// The key in [`ENV_VAR`], if that variable is set.
    pub fn from_env() -> Result<Option<ClusterKey>> {
        match std::env::var(ENV_VAR) {
            Ok(text) => ClusterKey::from_hex(&text).map(Some).map_err(|e| Error::invalid(format!("{ENV_VAR}: {e}"))),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(e) => Err(Error::invalid(format!("{ENV_VAR}: {e}"))),
        }
    }

    /// Reads the key from `path`, which must be a regular file that only its owner can read or
    /// write (as ssh insists for private keys): a key readable by others proves nothing.
    pub fn read_file(path: &Path) -> Result<ClusterKey> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::format(path, "not a regular file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::format(
                    path,
                    format!("the key file is readable or writable by others (mode {mode:o}); `chmod 600` it"),
                ));
            }
        }
        if meta.len() > 1024 {
            return Err(Error::format(path, "too long for a key file (64 hex digits)"));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        ClusterKey::from_hex(&text).map_err(|e| Error::format(path, e))
    }

    /// Writes the key to `path` as 64 hex digits and a newline, readable by its owner only
    /// (created with mode 0600; an existing file is refused, not replaced).
    pub fn write_file(&self, path: &Path) -> Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
        let written = file.write_all(format!("{}\n", self.to_hex()).as_bytes()).and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(Error::io(path, e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_refused_when_malformed_or_exposed() {
        let a = ClusterKey::generate().unwrap();
        let b = ClusterKey::generate().unwrap();
        assert_ne!(a, b, "two draws of 256 bits");
        assert_eq!(ClusterKey::from_hex(&a.to_hex()).unwrap(), a);
        assert!(ClusterKey::from_hex("abc").is_err());
        assert!(ClusterKey::from_hex(&"g".repeat(64)).is_err());
        assert_eq!(format!("{a:?}"), "ClusterKey(..)", "a key is never printed");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        a.write_file(&path).unwrap();
        assert_eq!(ClusterKey::read_file(&path).unwrap(), a);
        assert!(b.write_file(&path).is_err(), "an existing key file is not replaced");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = ClusterKey::read_file(&path).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
    }
}
