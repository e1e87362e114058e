//! A minimal blocking HTTP client for `datasets fetch`: `GET` over `std::net::TcpStream`, plain
//! `http://` only, following up to five redirects.
//!
//! Why not a crate: the datasets are checksummed, so transport security adds little, and a TLS
//! stack (rustls + ring) would dominate the build on small machines. The request is HTTP/1.0
//! with a `Host` header, so servers answer with a plain body (never chunked) and close the
//! connection; a `Content-Length` is checked against what arrives, so a truncated download is
//! detected even before the checksum. `https://` URLs are refused with advice.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::{Error, Result};

/// How long to wait for a connection or for the next bytes.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// An answered `GET`: the body, still to be read.
pub struct Response {
    /// The declared body length, when the server sent one.
    pub content_length: Option<u64>,
    /// The body.
    pub body: Box<dyn Read + Send>,
}

/// `http://host[:port]/path` split into its parts.
fn split(url: &str) -> Result<(String, u16, String)> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        Error::invalid(format!(
            "{url}: only plain http:// URLs can be downloaded (no TLS client is built in); download the file \
             yourself and pass its folder with --url-base DIR, or use an http:// mirror"
        ))
    })?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().map_err(|_| Error::invalid(format!("{url}: bad port")))?),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(Error::invalid(format!("{url}: no host")));
    }
    Ok((host.to_string(), port, path.to_string()))
}

/// Sends `GET url` and returns the response once its headers have arrived; any status but 200
/// (after redirects) is an error.
pub fn get(url: &str) -> Result<Response> {
    let mut url = url.to_string();
    for _ in 0..=5 {
        let (host, port, path) = split(&url)?;
        let io = |e: std::io::Error| Error::invalid(format!("{url}: {e}"));
        let address = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(io)?
            .next()
            .ok_or_else(|| Error::invalid(format!("{url}: host not found")))?;
        let mut stream = TcpStream::connect_timeout(&address, TIMEOUT).map_err(io)?;
        stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
        let host_header = if port == 80 { host.clone() } else { format!("{host}:{port}") };
        let request = format!(
            "GET {path} HTTP/1.0\r\nHost: {host_header}\r\nUser-Agent: costgraph/{}\r\nAccept: */*\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        stream.write_all(request.as_bytes()).map_err(io)?;
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).map_err(io)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Error::invalid(format!("{url}: not an HTTP response: {:?}", status_line.trim())))?;
        let mut content_length = None;
        let mut location = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).map_err(io)? == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => content_length = value.trim().parse().ok(),
                    "location" => location = Some(value.trim().to_string()),
                    _ => {}
                }
            }
        }
        match (status, location) {
            (200, _) => return Ok(Response { content_length, body: Box::new(reader) }),
            (301 | 302 | 303 | 307 | 308, Some(next)) => {
                url = if next.starts_with('/') { format!("http://{host_header}{next}") } else { next };
            }
            _ => return Err(Error::invalid(format!("{url}: HTTP {}", status_line.trim()))),
        }
    }
    Err(Error::invalid(format!("{url}: too many redirects")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(split("http://h:8080/a/b").unwrap(), ("h".into(), 8080, "/a/b".into()));
        assert_eq!(split("http://example.org").unwrap(), ("example.org".into(), 80, "/".into()));
        assert!(split("https://snap.stanford.edu/x").unwrap_err().to_string().contains("only plain http://"));
        assert!(split("http://:80/").is_err());
    }
}
