//! `costgraph datasets` through the real binary, against small HTTP and HTTPS servers on
//! 127.0.0.1 written here (never a real host): the HTTPS one has a self-signed certificate made
//! by the test, and a CONNECT proxy (named by `HTTPS_PROXY`) answers for the owners' hosts itself,
//! so the catalog's real URLs are fetched without leaving the machine. Covered: https with and
//! without the test CA, resume after a cut connection, a server that ignores Range, a file that
//! changed between two parts (If-Range), truncation, a wrong published checksum, 404, redirects
//! and a redirect loop, a stalled server, two fetches at once, the lock file (record, mismatch,
//! `--update-lock`), a two-file BVGraph entry converted to `.cgr`, fetching from a local folder,
//! a shared entry fetched from its owner (and from a pinned mirror when the owner's bytes are
//! wrong), and `fetch --small` in both forms.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use costgraph::harness::datasets::Catalog;

use crate::common::{self, costgraph, run_err, run_ok, tempdir};

/// What the server holds and has seen.
#[derive(Default)]
struct State {
    /// Served files, by path.
    files: HashMap<String, Vec<u8>>,
    /// `PATH RANGE` of every request, in order.
    log: Vec<String>,
    /// Files whose first transfer was already cut (`cut` mode).
    cut: HashSet<String>,
}

/// A test server. Its first path segment is a comma-separated list of modes, the rest the file:
/// `ok` serves it (honouring `Range`, with `416` past the end), `cut` cuts the first transfer of
/// each file halfway, `truncate` cuts every transfer halfway, `norange` ignores `Range`,
/// `corrupt` changes the middle byte, `edited` the first, `longer` appends one, `stall` waits 3 s before the body,
/// `redirect` sends a 302 to the `ok` URL, `relative` a 302 to `../ok/FILE`, `loop` a 302 to itself,
/// `huge` announces an exabyte, `closing` sends no length and closes after a third of the body,
/// `unsized` sends the whole body without a length, `drip` sends one byte every 2 seconds.
struct Server {
    base: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    fn start(files: HashMap<String, Vec<u8>>, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State { files, ..State::default() }));
        let shared = state.clone();
        let scheme = if tls.is_some() { "https" } else { "http" };
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (state, tls) = (shared.clone(), tls.clone());
                std::thread::spawn(move || match tls {
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else { return };
                        let mut tls = rustls::StreamOwned::new(connection, stream);
                        if respond(&mut tls, &state, None).is_ok() {
                            tls.conn.send_close_notify();
                            let _ = tls.flush();
                        }
                    }
                    None => {
                        let mut stream: TcpStream = stream;
                        let _ = respond(&mut stream, &state, None);
                    }
                });
            }
        });
        Server { base: format!("{scheme}://127.0.0.1:{port}"), state }
    }

    /// A CONNECT proxy, as `HTTPS_PROXY` names one, that answers every tunnel itself (over TLS
    /// with `tls` for port 443) from `files`, keyed by whole URL: a fetch of a catalog's real URL
    /// through it never leaves 127.0.0.1. Its log has `CONNECT HOST:PORT` for each tunnel.
    fn proxy(files: HashMap<String, Vec<u8>>, tls: Arc<rustls::ServerConfig>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State { files, ..State::default() }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (state, tls) = (shared.clone(), tls.clone());
                std::thread::spawn(move || {
                    let Ok(authority) = read_connect(&mut stream) else { return };
                    state.lock().unwrap().log.push(format!("CONNECT {authority}"));
                    if write!(stream, "HTTP/1.1 200 Connection established\r\n\r\n").is_err() {
                        return;
                    }
                    let host = authority.rsplit_once(':').map_or(authority.as_str(), |(h, _)| h);
                    if authority.ends_with(":443") {
                        let Ok(connection) = rustls::ServerConnection::new(tls) else { return };
                        let mut tls = rustls::StreamOwned::new(connection, stream);
                        if respond(&mut tls, &state, Some(&format!("https://{host}"))).is_ok() {
                            tls.conn.send_close_notify();
                            let _ = tls.flush();
                        }
                    } else {
                        let _ = respond(&mut stream, &state, Some(&format!("http://{host}")));
                    }
                });
            }
        });
        Server { base: format!("http://127.0.0.1:{port}"), state }
    }

    fn url(&self, modes: &str) -> String {
        format!("{}/{modes}", self.base)
    }

    fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

/// Answers one request on `stream` (then the connection closes). Through the proxy, `origin` is
/// the tunnel's `scheme://host`: the request is served as `ok` mode, from the file keyed by its
/// whole URL.
fn respond(stream: &mut (impl Read + Write), state: &Mutex<State>, origin: Option<&str>) -> std::io::Result<()> {
    let (path, range, if_range) = {
        let mut reader = BufReader::new(&mut *stream);
        let mut request = String::new();
        reader.read_line(&mut request)?;
        let (mut range, mut if_range) = (None, None);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("range") {
                    range =
                        value.trim().strip_prefix("bytes=").and_then(|r| r.trim_end_matches('-').parse::<usize>().ok());
                } else if name.eq_ignore_ascii_case("if-range") {
                    if_range = Some(value.trim().to_string());
                }
            }
        }
        (request.split_whitespace().nth(1).unwrap_or("/").to_string(), range, if_range)
    };
    let path = match origin {
        Some(origin) => format!("/ok/{origin}{path}"),
        None => path,
    };
    let (modes, file) = path.trim_start_matches('/').split_once('/').unwrap_or(("", ""));
    let has = |m: &str| modes.split(',').any(|x| x == m);
    let (data, first_transfer) = {
        let mut state = state.lock().unwrap();
        state.log.push(format!("{path} {}", range.map_or("-".into(), |r| format!("bytes={r}-"))));
        let data = state.files.get(file).cloned();
        (data, state.cut.insert(file.to_string()))
    };
    if has("huge") {
        return write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 1u64 << 60);
    }
    if has("redirect") || has("loop") || has("relative") {
        let to = if has("loop") {
            path.clone()
        } else if has("relative") {
            format!("../ok/{file}")
        } else {
            format!("/ok/{file}")
        };
        return write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
    let Some(mut data) = data else {
        return write!(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    };
    if has("corrupt") {
        let middle = data.len() / 2;
        data[middle] ^= 0xff;
    }
    if has("edited") {
        data[0] ^= 0xff;
    }
    if has("longer") {
        data.push(b'\n');
    }
    let len = data.len();
    let etag = format!("\"{}\"", &sha256(&data)[..16]);
    // Range applies only to the version If-Range names.
    let start = if has("norange") || if_range.is_some_and(|v| v != etag) { None } else { range };
    let head = match start {
        Some(s) if s >= len => {
            return write!(
                stream,
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
        Some(s) => format!("206 Partial Content\r\nContent-Range: bytes {s}-{}/{len}", len - 1),
        None => "200 OK".to_string(),
    };
    let body = &data[start.unwrap_or(0)..];
    if has("closing") || has("unsized") {
        // HTTP/1.0 style: no length, the end of the body is the end of the connection.
        write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
        let end = if has("closing") { body.len() / 3 } else { body.len() };
        return stream.write_all(&body[..end]);
    }
    write!(stream, "HTTP/1.1 {head}\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n", body.len())?;
    if has("drip") {
        for b in body {
            stream.write_all(&[*b])?;
            stream.flush()?;
            std::thread::sleep(Duration::from_secs(2));
        }
        return Ok(());
    }
    stream.flush()?;
    if has("stall") {
        std::thread::sleep(Duration::from_secs(3));
    }
    if has("truncate") || (has("cut") && first_transfer) {
        stream.write_all(&body[..body.len() / 2])?;
        stream.flush()?;
        // An error, so the TLS server skips close_notify: the connection just drops.
        return Err(std::io::Error::other("cut"));
    }
    stream.write_all(body)
}

/// Reads a proxy request (`CONNECT HOST:PORT`, then headers) and returns `HOST:PORT`.
fn read_connect(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut reader = BufReader::new(stream);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    match request.split_whitespace().collect::<Vec<_>>()[..] {
        ["CONNECT", authority, ..] => Ok(authority.to_string()),
        _ => Err(std::io::Error::other("not a CONNECT request")),
    }
}

/// A TLS server configuration whose self-signed certificate names `hosts`, and the certificate
/// as PEM written to `ca` (for --ca-cert).
fn tls_for(hosts: &[&str], ca: &Path) -> Arc<rustls::ServerConfig> {
    let key = rcgen::generate_simple_self_signed(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>()).unwrap();
    std::fs::write(ca, key.cert.pem()).unwrap();
    let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![key.cert.der().clone()], private)
        .unwrap();
    Arc::new(config)
}

/// The hosts of the catalog's shared entries' owners and mirrors.
const OWNER_HOSTS: [&str; 5] = [
    "snap.stanford.edu",
    "data.law.di.unimi.it",
    "www.diag.uniroma1.it",
    "www.cs.utah.edu",
    "raw.githubusercontent.com",
];

/// What a `.zst` or `.gz` file (by name) decompresses to; other files as they are.
fn content(bytes: &[u8], name: &str) -> Vec<u8> {
    if name.ends_with(".zst") {
        zstd::decode_all(bytes).unwrap()
    } else if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        out
    } else {
        bytes.to_vec()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// The files at `paths` (small-graph layout) as `common::dataset` finds them, keyed by path, when
/// each is there in that form (the `.zst` files, not an owner's); else `None`, with a note.
fn layout_files(paths: &[&str]) -> Option<HashMap<String, Vec<u8>>> {
    let mut files = HashMap::new();
    for path in paths {
        let file = common::dataset(path)?;
        if !file.ends_with(path.rsplit('/').next().unwrap()) {
            eprintln!("note: skipping: {} is the owner's form of {path}, not the layout's", file.display());
            return None;
        }
        files.insert(path.to_string(), std::fs::read(file).unwrap());
    }
    Some(files)
}

/// A small SNAP edge list, gzipped, served as soc-livejournal1's file.
fn livejournal() -> Vec<u8> {
    let mut text = String::from("# a test stand-in for soc-LiveJournal1\n");
    for i in 0..3000u32 {
        text.push_str(&format!("{}\t{}\n", i % 700, (i * 7919 + 13) % 1000));
    }
    gzip(text.as_bytes())
}

const LJ: &str = "soc-LiveJournal1.txt.gz";

/// The cache, lock file and scratch space of one test.
struct Scene {
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Scene {
        Scene { dir: tempdir() }
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn lock(&self) -> PathBuf {
        self.dir.path().join("catalog.lock.json")
    }

    /// Runs `costgraph datasets fetch NAME --url-base URL_BASE EXTRA` with this scene's cache
    /// and lock file, and no proxy.
    fn fetch(&self, name: &str, url_base: &str, extra: &[&str]) -> Output {
        self.command(name, url_base, extra).output().unwrap()
    }

    fn command(&self, name: &str, url_base: &str, extra: &[&str]) -> Command {
        let mut command = costgraph();
        command.args(["datasets", "fetch", name, "--url-base", url_base]).args(extra);
        command.env("COSTGRAPH_CACHE", self.cache()).env("COSTGRAPH_LOCK", self.lock());
        for var in
            ["http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "COSTGRAPH_CA_CERT"]
        {
            command.env_remove(var);
        }
        command
    }

    /// Runs `costgraph datasets fetch ARGS` without --url-base, through the CONNECT proxy `proxy`
    /// (trusting the CA certificate `ca`), with this scene's cache and lock file.
    fn public(&self, args: &[&str], proxy: &Server, ca: &Path) -> Output {
        let mut command = costgraph();
        command.args(["datasets", "fetch"]).args(args).arg("--ca-cert").arg(ca);
        command.env("COSTGRAPH_CACHE", self.cache()).env("COSTGRAPH_LOCK", self.lock());
        for var in ["http_proxy", "https_proxy", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "COSTGRAPH_CA_CERT"]
        {
            command.env_remove(var);
        }
        command.env("HTTPS_PROXY", &proxy.base).env("HTTP_PROXY", &proxy.base);
        command.output().unwrap()
    }

    fn ok(&self, name: &str, url_base: &str, extra: &[&str]) -> String {
        let out = self.fetch(name, url_base, extra);
        assert!(out.status.success(), "fetch {name} from {url_base} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Asserts a clean one-line failure and returns stderr.
    fn err(&self, name: &str, url_base: &str, extra: &[&str]) -> String {
        let out = self.fetch(name, url_base, extra);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "fetch {name} from {url_base}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{stderr}");
        stderr
    }

    fn cached(&self, dataset: &str, file: &str) -> PathBuf {
        self.cache().join(dataset).join(file)
    }

    fn part(&self, dataset: &str, file: &str) -> PathBuf {
        self.cache().join(dataset).join(format!("{file}.part"))
    }

    fn locked(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.lock()).unwrap()).unwrap()
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() { files.extend(files_under(&path)) } else { files.push(path) }
        }
    }
    files
}

fn serve_livejournal() -> (Server, Vec<u8>) {
    let data = livejournal();
    (Server::start(HashMap::from([(LJ.to_string(), data.clone())]), None), data)
}

#[test]
fn https_with_the_test_ca_then_convert_and_refused_without_it() {
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let scene = Scene::new();
    let ca = scene.dir.path().join("ca.pem");
    std::fs::write(&ca, key.cert.pem()).unwrap();
    let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![key.cert.der().clone()], private)
        .unwrap();
    let data = livejournal();
    let server = Server::start(HashMap::from([(LJ.to_string(), data.clone())]), Some(Arc::new(config)));

    // Mozilla's roots do not know the test CA: refused, with advice, and nothing stored.
    let err = scene.err("soc-livejournal1", &server.url("ok"), &[]);
    assert!(err.contains("TLS failed") && err.contains("--ca-cert"), "{err}");
    assert!(files_under(&scene.cache()).is_empty());

    // With it: downloaded, recorded in the lock file, converted through `costgraph convert`.
    let ca_arg = ca.to_str().unwrap();
    let out = scene.ok("soc-livejournal1", &server.url("ok"), &["--ca-cert", ca_arg, "--convert"]);
    assert!(out.contains(&sha256(&data)) && out.contains("recorded in the lock file"), "{out}");
    let cgr = scene.cached("soc-livejournal1", "soc-livejournal1.cgr");
    assert!(out.contains("ready") && cgr.is_file(), "{out}");
    let info: serde_json::Value = serde_json::from_str(&run_ok(&["info", cgr.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(info["nodes"], 1000, "{info}");
    assert_eq!(std::fs::read(scene.cached("soc-livejournal1", LJ)).unwrap(), data);
    let out = scene.ok("soc-livejournal1", &server.url("ok"), &["--ca-cert", ca_arg, "--convert"]);
    assert!(out.contains("already converted"), "{out}");
    let out = scene.ok(
        "soc-livejournal1",
        &server.url("ok"),
        &["--ca-cert", ca_arg, "--convert", "--", "--order", "hilbert"],
    );
    assert!(out.contains("ready") && !out.contains("already converted"), "{out}");

    // COSTGRAPH_CA_CERT does the same; the cached file is checked against the lock, not fetched.
    let requests = server.log().len();
    let mut command = costgraph();
    command.args(["datasets", "fetch", "soc-livejournal1", "--url-base", &server.url("ok")]);
    let out = command
        .env("COSTGRAPH_CACHE", scene.cache())
        .env("COSTGRAPH_LOCK", scene.lock())
        .env("COSTGRAPH_CA_CERT", &ca)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("already cached"), "{stdout}");
    assert_eq!(server.log().len(), requests);

    // A CA file that is not one is refused up front.
    let err = scene.err("soc-livejournal1", &server.url("ok"), &["--ca-cert", scene.lock().to_str().unwrap()]);
    assert!(err.contains("no PEM certificate"), "{err}");
}

#[test]
fn resumes_after_a_cut_connection_and_restarts_when_range_is_ignored() {
    let (server, data) = serve_livejournal();
    let half = data.len() / 2;

    // Cut once, resumed within the same run with a Range request.
    let scene = Scene::new();
    let out = scene.fetch("soc-livejournal1", &server.url("cut"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("truncated download") && stderr.contains("trying again"), "{stderr}");
    assert!(server.log().contains(&format!("/cut/{LJ} bytes={half}-")), "{:?}", server.log());
    assert_eq!(std::fs::read(scene.cached("soc-livejournal1", LJ)).unwrap(), data);
    assert!(!scene.part("soc-livejournal1", LJ).exists());

    // Truncated every time, no retries: one error, the half kept in .part, nothing cached.
    let scene = Scene::new();
    let err = scene.err("soc-livejournal1", &server.url("truncate"), &["--retries", "0"]);
    assert!(err.contains(&format!("truncated download: the connection closed after {half} of {} bytes", data.len())));
    assert!(err.contains("nothing was stored") && err.contains(".part"), "{err}");
    assert!(!scene.cached("soc-livejournal1", LJ).exists());
    assert_eq!(std::fs::metadata(scene.part("soc-livejournal1", LJ)).unwrap().len(), half as u64);

    // A server that ignores Range sends it all again: the .part starts over, the result is right.
    scene.ok("soc-livejournal1", &server.url("norange"), &[]);
    assert!(server.log().contains(&format!("/norange/{LJ} bytes={half}-")));
    assert_eq!(std::fs::read(scene.cached("soc-livejournal1", LJ)).unwrap(), data);
    assert!(!scene.part("soc-livejournal1", LJ).exists());
    assert_eq!(scene.locked()["files"][format!("soc-livejournal1/{LJ}")]["sha256"], sha256(&data));

    // The file changed on the host since the .part began: If-Range gets it whole, not spliced.
    let scene = Scene::new();
    scene.err("soc-livejournal1", &server.url("truncate"), &["--retries", "0"]);
    scene.ok("soc-livejournal1", &server.url("edited"), &[]);
    assert!(server.log().contains(&format!("/edited/{LJ} bytes={half}-")));
    let mut edited = data.clone();
    edited[0] ^= 0xff;
    assert_eq!(std::fs::read(scene.cached("soc-livejournal1", LJ)).unwrap(), edited);

    // A stalled server times out; meanwhile a second fetch of the same dataset into the same cache
    // is refused, not interleaved into the same .part.
    let scene = Scene::new();
    let mut first = scene.command("soc-livejournal1", &server.url("stall"), &[]);
    let first = first.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    for waited in 0.. {
        if server.log().iter().any(|l| l.starts_with("/stall/")) {
            break;
        }
        assert!(waited < 500, "the first fetch never reached the server");
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = scene.err("soc-livejournal1", &server.url("ok"), &[]);
    assert!(err.contains("another costgraph is fetching soc-livejournal1"), "{err}");
    assert!(first.wait_with_output().unwrap().status.success());
    std::fs::remove_dir_all(scene.cache()).unwrap();
    let err = scene.err("soc-livejournal1", &server.url("stall"), &["--timeout", "1", "--retries", "0"]);
    assert!(err.contains("timeout") || err.contains("timed out"), "{err}");
    assert!(!scene.cached("soc-livejournal1", LJ).exists());
}

#[test]
fn the_lock_file_records_then_holds_and_update_lock_accepts_a_change() {
    let (server, data) = serve_livejournal();
    let scene = Scene::new();
    let key = format!("soc-livejournal1/{LJ}");
    let out = scene.ok("soc-livejournal1", &server.url("ok"), &[]);
    assert!(out.contains("recorded in the lock file"), "{out}");
    assert_eq!(scene.locked()["files"][&key]["sha256"], sha256(&data));
    assert_eq!(scene.locked()["files"][&key]["bytes"], data.len());
    let listed = run_ok(&[
        "datasets",
        "list",
        "--cache",
        scene.cache().to_str().unwrap(),
        "--lock",
        scene.lock().to_str().unwrap(),
    ]);
    assert!(
        listed.lines().any(|l| l.starts_with("soc-livejournal1") && l.contains("locked") && l.ends_with("yes")),
        "{listed}"
    );

    // The host now serves other bytes of the same size: refused, the download kept for --update-lock.
    std::fs::remove_file(scene.cached("soc-livejournal1", LJ)).unwrap();
    let err = scene.err("soc-livejournal1", &server.url("corrupt"), &[]);
    assert!(err.contains("does not match the lock file") && err.contains("--update-lock"), "{err}");
    assert!(!scene.cached("soc-livejournal1", LJ).exists());
    assert_eq!(scene.locked()["files"][&key]["sha256"], sha256(&data));

    // --update-lock accepts the complete .part (the server answers 416 to the resume: no new body).
    let out = scene.ok("soc-livejournal1", &server.url("corrupt"), &["--update-lock"]);
    assert!(out.contains("record replaced"), "{out}");
    assert!(server.log().contains(&format!("/corrupt/{LJ} bytes={}-", data.len())));
    let mut changed = data.clone();
    changed[data.len() / 2] ^= 0xff;
    assert_eq!(scene.locked()["files"][&key]["sha256"], sha256(&changed));

    // A different size is refused before the body is read.
    std::fs::remove_file(scene.cached("soc-livejournal1", LJ)).unwrap();
    let err = scene.err("soc-livejournal1", &server.url("longer"), &[]);
    assert!(err.contains(&format!("offers {} bytes, but {} are expected", data.len() + 1, data.len())), "{err}");

    // verify: a tampered cached file is caught against the lock file.
    scene.ok("soc-livejournal1", &server.url("corrupt"), &[]);
    let (cache, lock) = (scene.cache(), scene.lock());
    let args = ["datasets", "verify", "--cache", cache.to_str().unwrap(), "--lock", lock.to_str().unwrap()];
    assert!(run_ok(&args).contains("ok (lock file)"));
    std::fs::write(scene.cached("soc-livejournal1", LJ), b"tampered").unwrap();
    let err = run_err(&args);
    assert!(err.contains("do not match the catalog or the lock file: soc-livejournal1/"), "{err}");
}

#[test]
fn refusals_checksum_404_redirects() {
    // usa-road-d-ny has a published checksum that these bytes cannot match.
    let bogus = b"c not the road network\np sp 2 1\na 1 2 7\n".to_vec();
    let server = Server::start(
        HashMap::from([("USA-road-d.NY.gr.gz".to_string(), bogus), (LJ.to_string(), livejournal())]),
        None,
    );
    let scene = Scene::new();
    let err = scene.err("usa-road-d-ny", &server.url("ok"), &[]);
    assert!(err.contains("checksum mismatch") && err.contains("nothing was stored"), "{err}");
    assert!(files_under(&scene.cache()).is_empty(), "{:?}", files_under(&scene.cache()));

    let err = scene.err("usa-road-d-bay", &server.url("ok"), &[]);
    assert!(err.contains("HTTP 404 Not Found"), "{err}");
    let err = scene.err("soc-livejournal1", &server.url("loop"), &[]);
    assert!(err.contains("more than 8 redirects (a redirect loop?)"), "{err}");
    assert!(files_under(&scene.cache()).is_empty());

    let err = scene.err("soc-livejournal1", &server.url("huge"), &[]);
    assert!(err.contains("need 1048576.0 TiB more in") && err.contains("free; make room"), "{err}");
    assert!(files_under(&scene.cache()).is_empty());

    scene.ok("soc-livejournal1", &server.url("redirect"), &[]);
    assert!(server.log().contains(&format!("/ok/{LJ} -")), "{:?}", server.log());
    assert!(scene.cached("soc-livejournal1", LJ).is_file());

    let cache = scene.cache();
    let err = run_err(&["datasets", "fetch", "nope", "--cache", cache.to_str().unwrap()]);
    assert!(err.contains("no dataset 'nope'"), "{err}");
    let err = run_err(&["datasets", "fetch", "graph500", "--cache", cache.to_str().unwrap()]);
    assert!(err.contains("cannot be downloaded") && err.contains("generate kron"), "{err}");
    let listed: serde_json::Value = serde_json::from_str(&run_ok(&["datasets", "list", "--json"])).unwrap();
    assert!(listed.as_array().unwrap().len() >= 25);
}

#[test]
fn a_two_file_bvgraph_entry_is_fetched_and_converted() {
    let paths = ["law/cnr-2000.graph.zst", "law/cnr-2000.properties.zst"];
    let Some(files) = layout_files(&paths) else { return };
    let server = Server::start(files, None);
    let scene = Scene::new();
    let out = scene.ok("cnr-2000", &server.url("ok"), &["--convert"]);
    assert_eq!(out.matches("verified against the published checksum").count(), 2, "{out}");
    let cgr = scene.cached("cnr-2000", "cnr-2000.cgr");
    let info: serde_json::Value = serde_json::from_str(&run_ok(&["info", cgr.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!((info["nodes"].as_u64(), info["arcs"].as_u64()), (Some(325_557), Some(3_216_152)), "{info}");
    // Published checksums need no lock file.
    assert!(!scene.lock().exists());
}

#[test]
fn fetch_from_a_local_folder() {
    let path = "snap/email-Eu-core.txt.zst";
    let Some(files) = layout_files(&[path]) else { return };
    let folder = tempdir();
    std::fs::create_dir_all(folder.path().join("snap")).unwrap();
    std::fs::write(folder.path().join(path), &files[path]).unwrap();
    let scene = Scene::new();
    let out = scene.ok("email-eu-core", folder.path().to_str().unwrap(), &[]);
    assert!(out.contains("verified against the published checksum"), "{out}");
    assert!(scene.cached("email-eu-core", "email-Eu-core.txt.zst").is_file());
    let out = scene.ok("email-eu-core", folder.path().to_str().unwrap(), &[]);
    assert!(out.contains("already cached"), "{out}");
}

/// Without --url-base a shared entry comes from its owner's URL (here answered by the proxy):
/// recorded in the lock file where the owner publishes no checksum, cached in the owner's form,
/// which `common::in_cache` finds by the layout path; a wrong file at the owner's URL is refused
/// and the pinned mirror tried; an entry without a public file costgraph reads is refused.
#[test]
fn a_shared_entry_comes_from_its_owner() {
    let scene = Scene::new();
    let ca = scene.dir.path().join("ca.pem");
    let tls = tls_for(&OWNER_HOSTS, &ca);
    let eu = "https://snap.stanford.edu/data/email-Eu-core.txt.gz";
    let rome = "http://www.diag.uniroma1.it/challenge9/data/rome/rome99.gr";
    let data = livejournal();
    let files = HashMap::from([(eu.to_string(), data.clone()), (rome.to_string(), b"c not rome\n".to_vec())]);
    let proxy = Server::proxy(files, tls);

    let out = scene.public(&["email-eu-core", "--convert"], &proxy, &ca);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("recorded in the lock file") && stdout.contains("ready"), "{stdout}");
    assert!(proxy.log().contains(&"CONNECT snap.stanford.edu:443".to_string()), "{:?}", proxy.log());
    let cached = scene.cached("email-eu-core", "email-Eu-core.txt.gz");
    assert_eq!(std::fs::read(&cached).unwrap(), data);
    assert_eq!(scene.locked()["files"]["email-eu-core/email-Eu-core.txt.gz"]["sha256"], sha256(&data));
    assert_eq!(common::in_cache("snap/email-Eu-core.txt.zst", &scene.cache()), Ok(cached));
    assert!(common::in_cache("snap/Wiki-Vote.txt.zst", &scene.cache()).unwrap_err().contains("fetch --small"));

    // rome99: other bytes at the owner's URL, nothing at the mirror: both tried, nothing stored.
    let out = scene.public(&["rome99"], &proxy, &ca);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("but 135634 are expected") && stderr.contains("next, the pinned mirror"), "{stderr}");
    assert!(stderr.lines().last().unwrap().contains("HTTP 404"), "{stderr}");
    assert!(proxy.log().contains(&"CONNECT raw.githubusercontent.com:443".to_string()), "{:?}", proxy.log());
    assert!(!scene.cache().join("rome99").exists());

    let out = scene.public(&["moscow-roads"], &proxy, &ca);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no public URL costgraph can fetch") && stderr.contains("--url-base"), "{stderr}");
}

/// `fetch --small` brings every graph the tests read: with --url-base in the layout's form (each
/// verified against the curator's checksum), without it from the owners (here made from the
/// layout's files and answered by the proxy), skipping the two road networks whose owner files
/// costgraph cannot read; `common::in_cache` finds every file either way.
#[test]
fn small_brings_every_graph_the_tests_read() {
    let err = run_err(&["datasets", "fetch"]);
    assert!(err.contains("<NAMES|--small>"), "{err}");
    let err = run_err(&["datasets", "fetch", "email-enron", "--small"]);
    assert!(err.contains("cannot be used with"), "{err}");

    let catalog = Catalog::embedded().unwrap();
    let small: Vec<_> = catalog.datasets.iter().filter(|d| d.is_small()).collect();
    let paths: Vec<&str> = small.iter().flat_map(|d| d.files.iter().map(|f| f.path.as_str())).collect();
    let Some(layout) = layout_files(&paths) else { return };

    let server = Server::start(layout.clone(), None);
    let scene = Scene::new();
    let out = scene.ok("--small", &server.url("ok"), &[]);
    assert_eq!(out.matches("verified against the published checksum").count(), paths.len(), "{out}");
    for d in &small {
        for f in &d.files {
            assert_eq!(common::in_cache(&f.path, &scene.cache()), Ok(scene.cached(&d.name, f.name())));
        }
    }

    // The owners' files: the text inside SNAP's .gz, LAW's .graph (the layout's has one byte more).
    let mut owners = HashMap::new();
    for f in small.iter().flat_map(|d| &d.files) {
        let Some(origin) = &f.origin else { continue };
        let mut text = content(&layout[&f.path], &f.path);
        if origin.bytes.is_some_and(|b| b + 1 == text.len() as u64) {
            text.pop();
        }
        let bytes = if origin.url.ends_with(".gz") { gzip(&text) } else { text };
        // rome99's owner URL serves other bytes: the mirror is fetched.
        let wrong = origin.url.contains("rome99");
        owners.insert(origin.url.clone(), if wrong { b"c not rome\n".to_vec() } else { bytes.clone() });
        for mirror in &origin.mirrors {
            owners.insert(mirror.clone(), bytes.clone());
        }
    }
    let scene = Scene::new();
    let ca = scene.dir.path().join("ca.pem");
    let proxy = Server::proxy(owners, tls_for(&OWNER_HOSTS, &ca));
    let out = scene.public(&["--small"], &proxy, &ca);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    for skipped in ["moscow-roads", "seattle-roads"] {
        assert!(stderr.contains(&format!("note: skipping {skipped}: ")), "{stderr}");
    }
    assert!(stderr.contains("next, the pinned mirror"), "{stderr}");
    assert_eq!(stdout.matches("verified against the published checksum").count(), 5, "{stdout}");
    assert_eq!(stdout.matches("recorded in the lock file").count(), 8, "{stdout}");
    for d in &small {
        for f in &d.files {
            let found = common::in_cache(&f.path, &scene.cache());
            match &f.origin {
                Some(origin) => {
                    assert_eq!(found, Ok(scene.cached(&d.name, origin.url.rsplit('/').next().unwrap())), "{}", d.name)
                }
                None => assert!(found.is_err(), "{}", d.name),
            }
        }
    }
    let (cache, lock) = (scene.cache(), scene.lock());
    let verified =
        run_ok(&["datasets", "verify", "--cache", cache.to_str().unwrap(), "--lock", lock.to_str().unwrap()]);
    assert_eq!(
        verified.lines().filter(|l| l.ends_with(" ok") || l.ends_with("ok (lock file)")).count(),
        13,
        "{verified}"
    );
    // LAW's own .graph reads as the layout's did.
    let graph = scene.cached("cnr-2000", "cnr-2000.graph");
    let info: serde_json::Value = serde_json::from_str(&run_ok(&["info", graph.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!((info["nodes"].as_u64(), info["arcs"].as_u64()), (Some(325_557), Some(3_216_152)), "{info}");
}

/// Was: a close-delimited body cut after a third entered the cache and the lock file, exit 0.
#[test]
fn a_body_without_a_length_enters_the_cache_only_when_something_confirms_it_is_whole() {
    let (server, data) = serve_livejournal();
    let scene = Scene::new();
    let err = scene.err("soc-livejournal1", &server.url("closing"), &[]);
    assert!(err.contains("no length") || err.contains("truncated") || err.contains("not complete"), "{err}");
    assert!(!scene.cached("soc-livejournal1", LJ).exists(), "the third did not enter the cache");
    assert!(scene.part("soc-livejournal1", LJ).exists(), "it stays a .part");
    assert!(!scene.lock().exists() || !std::fs::read_to_string(scene.lock()).unwrap().contains(LJ));
    // The whole body without a length: the gzip trailer confirms it.
    let scene = Scene::new();
    scene.ok("soc-livejournal1", &server.url("unsized"), &[]);
    assert_eq!(std::fs::read(scene.cached("soc-livejournal1", LJ)).unwrap(), data);
}

/// Was: a 1-byte-per-2-seconds server kept the fetch going for ever (each read within the timeout).
#[test]
fn a_dripping_server_is_given_up_by_the_transfer_deadline() {
    let (server, _) = serve_livejournal();
    let scene = Scene::new();
    let start = std::time::Instant::now();
    let err = scene.err("soc-livejournal1", &server.url("drip"), &["--timeout", "3", "--retries", "0"]);
    assert!(start.elapsed() < Duration::from_secs(30), "took {:?}", start.elapsed());
    assert!(err.contains("too slow") || err.contains("rate"), "{err}");
}

/// Was: `Location: ../x` was refused and retried until the retries ran out.
#[test]
fn a_relative_redirect_is_resolved() {
    let (server, data) = serve_livejournal();
    let scene = Scene::new();
    scene.ok("soc-livejournal1", &server.url("relative"), &[]);
    assert_eq!(std::fs::read(scene.cached("soc-livejournal1", LJ)).unwrap(), data);
    assert!(server.log().iter().any(|l| l.starts_with("/ok/")), "{:?}", server.log());
}
