//! The machines of a multi-machine sweep (`cost --hosts FILE`): one per line, `ADDRESS [NAME]`.
//! ADDRESS is what the other processes connect to (an IP address or a host name, no port: the
//! sweep picks the port); NAME (default ADDRESS) is what the launch and copy templates call the
//! machine (an ssh alias, a Slurm node, a pod, a network namespace). Blank lines and lines
//! starting with `#` are skipped.

use std::path::Path;

use super::template::plain_word;
use crate::{Error, Result};

/// One machine.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Host {
    /// What peers connect to.
    pub address: String,
    /// What the templates call it.
    pub name: String,
}

impl Host {
    /// `address:port`, bracketing an IPv6 address.
    pub fn endpoint(&self, port: u16) -> String {
        if self.address.contains(':') {
            format!("[{}]:{port}", self.address)
        } else {
            format!("{}:{port}", self.address)
        }
    }
}

/// Reads a hosts file.
pub fn read(path: &Path) -> Result<Vec<Host>> {
    let text = crate::io::file::read_text(path, 16 << 20, "a hosts file")?;
    parse(&text).map_err(|(line, msg)| Error::parse(path, line, msg))
}

/// Parses the text of a hosts file; an error carries the 1-based line.
pub fn parse(text: &str) -> std::result::Result<Vec<Host>, (u64, String)> {
    let mut hosts: Vec<Host> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |msg: String| (i as u64 + 1, msg);
        let mut words = line.split_whitespace();
        let address = words.next().expect("a non-empty line has a word");
        let name = words.next().unwrap_or(address);
        if let Some(extra) = words.next() {
            return Err(bad(format!("unexpected {extra:?}: a line is ADDRESS [NAME]")));
        }
        let address_ok = address.parse::<std::net::IpAddr>().is_ok()
            || (address.chars().all(|c| c.is_ascii_alphanumeric() || "-.".contains(c)) && !address.starts_with('-'));
        if !address_ok {
            return Err(bad(format!("{address:?} is not an IP address or a host name (no port: the sweep picks it)")));
        }
        if !plain_word(name) || name.starts_with('-') {
            return Err(bad(format!(
                "the name {name:?} must be letters, digits and - _ . : @ + , = (it is passed to templates)"
            )));
        }
        if hosts.iter().any(|h| h.name == name) {
            return Err(bad(format!("{name} is listed twice")));
        }
        hosts.push(Host { address: address.to_string(), name: name.to_string() });
    }
    if hosts.is_empty() {
        return Err((0, "no machines listed (one `ADDRESS [NAME]` per line)".into()));
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_files_are_read_and_checked() {
        let hosts = parse("# lab\n10.0.0.1 cg0\n\n10.0.0.2\nnode3.example.org  n3\n::1 six\n").unwrap();
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["cg0", "10.0.0.2", "n3", "six"]);
        assert_eq!(hosts[0].endpoint(2101), "10.0.0.1:2101");
        assert_eq!(hosts[3].endpoint(2101), "[::1]:2101");
        assert_eq!(parse("a b c").unwrap_err().0, 1);
        assert!(parse("10.0.0.1:22").unwrap_err().1.contains("no port"));
        assert!(parse("a x\nb x").unwrap_err().1.contains("twice"));
        assert!(parse("a $(reboot)").is_err());
        assert!(parse("# nothing\n").is_err());
    }
}
