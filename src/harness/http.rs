//! Resumable HTTP(S) downloads for `datasets fetch`, through the `ureq` client (rustls, with
//! Mozilla's root certificates, or the CA certificates of a PEM file instead).
//!
//! A download goes into a `.part` file. When one is already there (an earlier run was cut
//! off), the request asks for the rest with `Range: bytes=N-`; a server that ignores it (answers
//! 200 with the whole file) makes the download start again from byte 0, and a `416` whose
//! `Content-Range` says the `.part` is already whole ends it. A connection that breaks, stalls
//! past the timeout or closes before `Content-Length` bytes arrived is retried (resuming) a
//! bounded number of times; after that the error says how much is kept for the next run.
//! Redirects are followed up to [`MAX_REDIRECTS`] times, so a loop is one clear error. Every
//! failure is one line that names the URL.
//!
//! Checksums are not this module's business: the caller verifies the finished `.part` before
//! it enters the cache.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ureq::tls::{PemItem, RootCerts, TlsConfig};

use crate::{Error, Result};

/// Redirects followed before a request fails (a loop fails after this many).
pub const MAX_REDIRECTS: u32 = 8;

/// How the client connects.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// A PEM file of CA certificates to trust instead of the built-in Mozilla roots (like
    /// `curl --cacert`): for a test server or a TLS-inspecting corporate proxy.
    pub ca_cert: Option<PathBuf>,
    /// Limit for connecting, and for each wait for more bytes.
    pub timeout: Duration,
    /// How many times a broken, stalled or truncated transfer is resumed before giving up.
    pub retries: u32,
    /// The slowest transfer accepted, in bytes per second: after `timeout`, an attempt must have
    /// received at least `min_rate` bytes for every second past it (a server that drips a byte
    /// now and then, each within the per-read timeout, is given up instead of waited on for ever).
    pub min_rate: u64,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { ca_cert: None, timeout: Duration::from_secs(60), retries: 3, min_rate: DEFAULT_MIN_RATE }
    }
}

/// The slowest transfer accepted when none is given: 16 KiB/s.
pub const DEFAULT_MIN_RATE: u64 = 16 << 10;

/// What a finished download holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Downloaded {
    /// The file's size.
    pub bytes: u64,
    /// Whether the server said where the body ends (a `Content-Length`, or chunked encoding with
    /// its last chunk), so that its end is known to be the file's. A body that simply ends when
    /// the connection closes may be a truncated one: the caller must confirm it otherwise.
    pub delimited: bool,
}

/// What a download reports as it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A response arrived: the body continues the `.part` from byte `offset` (0: from the start)
    /// and the whole file has `total` bytes, when the server says so.
    Started {
        /// Bytes already in the `.part` file that the body continues.
        offset: u64,
        /// The size of the whole file, when known.
        total: Option<u64>,
    },
    /// `done` bytes of the file are in the `.part` file.
    Bytes(u64),
    /// The transfer failed (`reason`) and is tried again (resuming where it stopped).
    Retrying {
        /// What went wrong.
        reason: String,
    },
}

/// A blocking HTTP(S) client with the settings of [`ClientOptions`].
pub struct Client {
    agent: ureq::Agent,
    retries: u32,
    timeout: Duration,
    min_rate: u64,
}

/// How one attempt ended, when it did not finish the download.
enum Failure {
    /// Worth trying again (resuming): a broken or stalled connection, a short body.
    Transient(String),
    /// Final: trying again would give the same answer.
    Fatal(Error),
}

impl Client {
    /// A client; reads and checks the CA file now, so a bad one fails before any download.
    pub fn new(options: &ClientOptions) -> Result<Client> {
        let mut tls = TlsConfig::builder();
        if let Some(path) = &options.ca_cert {
            tls = tls.root_certs(read_ca_file(path)?);
        }
        let config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .user_agent(format!("costgraph/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(options.timeout))
            .timeout_per_read(Some(options.timeout))
            .build();
        Ok(Client {
            agent: config.new_agent(),
            retries: options.retries,
            timeout: options.timeout,
            min_rate: options.min_rate,
        })
    }

    /// Downloads `url` into `part`, resuming what `part` already holds, and returns the file's
    /// size and whether the server delimited it. On failure `part` keeps what arrived (a later call
    /// resumes it). `check_total` is shown the whole file's size as soon as the server states it,
    /// and may refuse it (before the body is read).
    pub fn download(
        &self,
        url: &str,
        part: &Path,
        check_total: &mut dyn FnMut(u64) -> Result<()>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Downloaded> {
        let mut attempt = 0;
        loop {
            match self.attempt(url, part, check_total, progress) {
                Ok(total) => {
                    remove(&validator_path(part)).map_err(|e| Error::io(part, e))?;
                    return Ok(total);
                }
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Transient(reason)) if attempt < self.retries => {
                    attempt += 1;
                    progress(Progress::Retrying { reason });
                    std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
                }
                Err(Failure::Transient(reason)) => {
                    let tries =
                        if attempt > 0 { format!(" (after {attempt} retries, see --retries)") } else { String::new() };
                    let kept = part.metadata().map_or(0, |m| m.len());
                    if kept == 0 {
                        restart(part).map_err(|e| Error::io(part, e))?;
                        return Err(Error::invalid(format!("{url}: {reason}{tries}; nothing was stored")));
                    }
                    return Err(Error::invalid(format!(
                        "{url}: {reason}{tries}; nothing was stored, the {kept} bytes received are kept in {} and the \
                         same command resumes from there",
                        part.display()
                    )));
                }
            }
        }
    }

    /// One request: continues `part` from its current length.
    fn attempt(
        &self,
        url: &str,
        part: &Path,
        check_total: &mut dyn FnMut(u64) -> Result<()>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Downloaded, Failure> {
        let fatal = |msg: String| Failure::Fatal(Error::invalid(format!("{url}: {msg}")));
        let io = |e: std::io::Error| Failure::Fatal(Error::io(part, e));
        let have = part.metadata().map_or(0, |m| m.len());
        let mut request = self.agent.get(url);
        if have > 0 {
            request = request.header("Range", format!("bytes={have}-"));
            // Only the rest of the same file: a changed one comes whole (200).
            if let Ok(validator) = std::fs::read_to_string(validator_path(part)) {
                request = request.header("If-Range", validator.trim());
            }
        }
        let response = request.call().map_err(|e| request_error(url, e))?;
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_range = header("content-range");
        // What identifies this version of the file, for If-Range when resuming: a strong ETag,
        // else the modification date.
        let validator = header("etag").filter(|e| !e.starts_with("W/")).or_else(|| header("last-modified"));
        let length = response.body().content_length();
        let chunked = header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
        let (offset, total) = match status {
            200 => (0, length),
            206 => match content_range.as_deref().and_then(parse_content_range) {
                Some((Some(start), total)) if start == have => (have, total.or(length.map(|l| have + l))),
                _ => {
                    // Not the part we asked for: start again from scratch.
                    restart(part).map_err(io)?;
                    return Err(Failure::Transient(format!(
                        "the server answered the Range request with {:?}",
                        content_range.unwrap_or_default()
                    )));
                }
            },
            416 if have > 0 => {
                if let Some((None, Some(total))) = content_range.as_deref().and_then(parse_content_range)
                    && total == have
                {
                    check_total(total).map_err(Failure::Fatal)?;
                    progress(Progress::Started { offset: have, total: Some(total) });
                    return Ok(Downloaded { bytes: have, delimited: true });
                }
                restart(part).map_err(io)?;
                return Err(Failure::Transient(format!("the server refused to resume at byte {have} (HTTP 416)")));
            }
            _ => {
                let reason = response.status().canonical_reason().unwrap_or("");
                return Err(fatal(format!("HTTP {status} {reason}").trim_end().to_string()));
            }
        };
        if let Some(total) = total {
            check_total(total).map_err(Failure::Fatal)?;
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(part).map_err(io)?;
        if offset == 0 {
            // The whole file (the server ignored Range, or the file changed): start over.
            file.set_len(0).map_err(io)?;
            let path = validator_path(part);
            match &validator {
                Some(v) => std::fs::write(&path, v).map_err(|e| Failure::Fatal(Error::io(&path, e)))?,
                None => remove(&path).map_err(|e| Failure::Fatal(Error::io(&path, e)))?,
            }
        }
        progress(Progress::Started { offset, total });
        let mut body = response.into_body().into_reader();
        let mut done = offset;
        let mut buffer = vec![0u8; 1 << 16];
        let started = std::time::Instant::now();
        loop {
            let n = match body.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    file.sync_data().map_err(io)?;
                    return Err(Failure::Transient(transfer_error(done, total, &e)));
                }
            };
            file.write_all(&buffer[..n]).map_err(io)?;
            done += n as u64;
            progress(Progress::Bytes(done));
            // The transfer may lag the minimum rate by the timeout, no more.
            let late = started.elapsed().saturating_sub(self.timeout).as_secs_f64();
            if late > 0.0 && ((done - offset) as f64) < self.min_rate as f64 * late {
                file.sync_data().map_err(io)?;
                return Err(Failure::Transient(format!(
                    "the transfer is too slow: {} bytes in {:.0} s, below the minimum rate of {}/s (--min-rate)",
                    done - offset,
                    started.elapsed().as_secs_f64(),
                    crate::units::human_bytes(self.min_rate)
                )));
            }
        }
        file.sync_all().map_err(io)?;
        match total {
            Some(total) if done != total => Err(Failure::Transient(format!(
                "truncated download: the connection closed after {done} of {total} bytes"
            ))),
            _ => Ok(Downloaded { bytes: done, delimited: length.is_some() || chunked }),
        }
    }
}

/// The certificates of a PEM file, as the only roots to trust.
fn read_ca_file(path: &Path) -> Result<RootCerts> {
    let pem = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(Error::format(path, format!("not a PEM certificate file: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(Error::format(path, "no PEM certificate (-----BEGIN CERTIFICATE-----) in it"));
    }
    Ok(RootCerts::new_with_certs(&certs))
}

/// A request that got no response: one line, with advice where there is some.
fn request_error(url: &str, e: ureq::Error) -> Failure {
    let msg = match &e {
        ureq::Error::TooManyRedirects => {
            format!("{url}: more than {MAX_REDIRECTS} redirects (a redirect loop?)")
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => format!(
            "{url}: TLS failed: {e} (if the server's certificate is signed by a private CA, trust it with \
             --ca-cert FILE or COSTGRAPH_CA_CERT)"
        ),
        ureq::Error::Io(io) if io.to_string().contains("certificate") => format!(
            "{url}: TLS failed: {io} (if the server's certificate is signed by a private CA, trust it with \
             --ca-cert FILE or COSTGRAPH_CA_CERT)"
        ),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::HostNotFound => format!("{url}: {e}"),
        ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::Protocol(_) => {
            return Failure::Transient(format!("request failed: {e}"));
        }
        _ => format!("{url}: {e}"),
    };
    Failure::Fatal(Error::invalid(msg))
}

/// Why a body stopped early.
fn transfer_error(done: u64, total: Option<u64>, e: &std::io::Error) -> String {
    let of = total.map_or(String::new(), |t| format!(" of {t}"));
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        format!("truncated download: the connection closed after {done}{of} bytes")
    } else {
        format!("the transfer broke after {done}{of} bytes: {e}")
    }
}

/// `bytes START-END/TOTAL` → `(Some(START), Some(TOTAL))`; `bytes */TOTAL` → `(None, Some(TOTAL))`;
/// a `*` total is `None`.
fn parse_content_range(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let (range, total) = value.trim().strip_prefix("bytes")?.trim_start().split_once('/')?;
    let total = if total.trim() == "*" { None } else { Some(total.trim().parse().ok()?) };
    let start = if range.trim() == "*" { None } else { Some(range.split_once('-')?.0.trim().parse().ok()?) };
    Some((start, total))
}

/// Where the validator (ETag or Last-Modified) of the `.part` file's version is kept.
fn validator_path(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_owned();
    name.push(".validator");
    PathBuf::from(name)
}

/// Removes the `.part` file and its validator, so the next attempt starts from byte 0.
fn restart(part: &Path) -> std::io::Result<()> {
    remove(part)?;
    remove(&validator_path(part))
}

/// Removes `path` if it is there.
fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(parse_content_range("bytes 100-199/200"), Some((Some(100), Some(200))));
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((Some(0), None)));
        assert_eq!(parse_content_range("bytes */4096"), Some((None, Some(4096))));
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range("bytes x-1/2"), None);
    }

    #[test]
    fn a_bad_ca_file_is_refused_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let options = ClientOptions { ca_cert: Some(path), ..ClientOptions::default() };
        assert!(Client::new(&options).err().unwrap().to_string().contains("no PEM certificate"));
        let options = ClientOptions { ca_cert: Some(dir.path().join("missing.pem")), ..ClientOptions::default() };
        assert!(Client::new(&options).is_err());
    }
}
