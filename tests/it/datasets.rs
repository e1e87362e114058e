//! `costgraph datasets` through the real binary, against a local HTTP server on 127.0.0.1 that
//! serves `../shared/datasets` (never a real host): good, corrupted and truncated downloads.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::common::{costgraph, datasets, run_err, run_ok, tempdir};

/// Serves `root` on a free port: `/ok/PATH` as is, `/corrupt/PATH` with one byte changed,
/// `/truncated/PATH` with the full Content-Length but only half the body. Returns the base URL.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut request).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (mode, file) = path.trim_start_matches('/').split_once('/').unwrap_or(("", ""));
            let Ok(mut body) = std::fs::read(root.join(file)) else {
                let _ = stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                continue;
            };
            let length = body.len();
            match mode {
                "corrupt" => body[length / 2] ^= 0xff,
                "truncated" => body.truncate(length / 2),
                _ => {}
            }
            let _ = write!(stream, "HTTP/1.0 200 OK\r\nContent-Length: {length}\r\n\r\n");
            let _ = stream.write_all(&body);
        }
    });
    format!("http://127.0.0.1:{port}")
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

fn fetch(cache: &Path, url_base: &str, extra: &[&str]) -> std::process::Output {
    costgraph()
        .args(["datasets", "fetch", "email-eu-core", "--url-base", url_base])
        .args(extra)
        .env("COSTGRAPH_CACHE", cache)
        .output()
        .unwrap()
}

#[test]
fn fetches_verifies_and_refuses_bad_downloads() {
    let Some(shared) = datasets() else { return };
    let base = serve(shared);
    let cache = tempdir();

    for (mode, complaint) in [("corrupt", "checksum mismatch"), ("truncated", "truncated download")] {
        let out = fetch(cache.path(), &format!("{base}/{mode}"), &["--no-convert"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{mode}: {stderr}");
        assert!(stderr.contains(complaint) && stderr.contains("nothing was stored"), "{mode}: {stderr}");
        assert_eq!(files_under(cache.path()), Vec::<PathBuf>::new(), "{mode} left files in the cache");
    }

    let out = fetch(cache.path(), &format!("{base}/ok"), &["--no-convert"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("verified"));
    let cached = cache.path().join("email-eu-core/email-Eu-core.txt.zst");
    assert!(cached.is_file());
    let cache_arg = cache.path().to_str().unwrap();
    assert!(run_ok(&["datasets", "verify", "--cache", cache_arg]).contains("email-eu-core            ok"));
    assert!(run_ok(&["datasets", "list", "--cache", cache_arg]).contains("yes"));

    // Conversion needs the text readers; either it works or it fails cleanly and keeps the download.
    let out = fetch(cache.path(), &format!("{base}/ok"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        assert!(cache.path().join("email-eu-core/email-eu-core.cgr").is_file());
    } else {
        assert!(stderr.contains("converting email-eu-core to .cgr failed") && !stderr.contains("panicked"), "{stderr}");
        assert!(cached.is_file());
    }

    // A cached file that changed afterwards is caught by verify.
    std::fs::write(&cached, b"tampered").unwrap();
    let err = run_err(&["datasets", "verify", "--cache", cache_arg]);
    assert!(err.contains("do not match the catalog: email-eu-core"), "{err}");
}

#[test]
fn fetch_from_a_folder_and_refusals() {
    let cache = tempdir();
    let cache_arg = cache.path().to_str().unwrap();
    if let Some(shared) = datasets() {
        let out = fetch(cache.path(), shared.to_str().unwrap(), &["--no-convert"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let err = run_err(&["datasets", "fetch", "soc-livejournal1", "--cache", cache_arg]);
    assert!(err.contains("only plain http://"), "{err}");
    let err = run_err(&["datasets", "fetch", "nope", "--cache", cache_arg]);
    assert!(err.contains("no dataset 'nope'"), "{err}");
    let listed: serde_json::Value = serde_json::from_str(&run_ok(&["datasets", "list", "--json"])).unwrap();
    assert!(listed.as_array().unwrap().len() >= 20);
}
