//! The bounded-memory build: a tiny `--memory` forces the out-of-core path (buckets spilled to
//! files) on small graphs, and the output must be byte-identical to the in-memory build, with no
//! temporary file left after success, failure or Ctrl-C.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{self, files_in, tempdir};

/// Runs `costgraph ARGS -o OUT` and returns the file's bytes and the summary line.
fn build(args: &[&str], out: &Path) -> (Vec<u8>, String) {
    let done = common::run(&[args, &["-o", out.to_str().unwrap()]].concat());
    let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(done.status.success(), "{args:?}: {stderr}");
    (std::fs::read(out).unwrap(), stderr)
}

#[test]
fn generated_graphs_are_byte_identical_out_of_core() {
    let dir = tempdir();
    let scratch = tempdir();
    let tmp = scratch.path().to_str().unwrap();
    for args in [
        &["generate", "kron", "--scale", "13"][..],
        &["generate", "kron", "--scale", "13", "--directed", "--weights", "1..9"],
        &["generate", "urand", "--scale", "13", "--weights", "1..3", "--drop-self-loops"],
        &["generate", "kron", "--scale", "13", "--directed", "--order", "hilbert"],
    ] {
        let (want, said) = build(args, &dir.path().join("a.cgr"));
        assert!(said.contains("in memory"), "{args:?}: {said}");
        let small = [args, &["--memory", "1M", "--tmp", tmp, "--threads", "2"]].concat();
        let (got, said) = build(&small, &dir.path().join("b.cgr"));
        assert!(said.contains("spilled to disk"), "{args:?}: {said}");
        assert!(got == want, "{args:?}: the out-of-core file differs");
        assert!(files_in(scratch.path()).is_empty(), "left in --tmp: {:?}", files_in(scratch.path()));
    }
    assert_eq!(files_in(dir.path()), ["a.cgr", "b.cgr"]);
}

#[test]
fn converted_graphs_are_byte_identical_out_of_core() {
    let dir = tempdir();
    // Sparse ids (relabelled), duplicates with different weights, self loops.
    let mut text = String::from("# a messy graph\n");
    let mut x = 12345u64;
    for i in 0..60_000u64 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (u, v) = ((x >> 33) % 7000 * 3, (x >> 13) % 7000 * 3);
        let v = if i % 50 == 0 { u } else { v };
        writeln!(text, "{u} {v} {}", (x >> 5) % 7).unwrap();
        if i % 9 == 0 {
            writeln!(text, "{u} {v} {}", (x >> 7) % 7).unwrap();
        }
    }
    let input = dir.path().join("messy.wel");
    std::fs::write(&input, text).unwrap();
    let input = input.to_str().unwrap();
    for flags in [&[][..], &["--undirected"], &["--undirected", "--unweighted"], &["--keep-duplicates"]] {
        let args = [&["convert", input][..], flags].concat();
        let (want, said) = build(&args, &dir.path().join("a.cgr"));
        assert!(said.contains("in memory"), "{flags:?}: {said}");
        let (got, said) = build(&[&args[..], &["--memory", "1M"]].concat(), &dir.path().join("b.cgr"));
        assert!(said.contains("spilled to disk"), "{flags:?}: {said}");
        assert!(got == want, "{flags:?}: the out-of-core file differs");
    }
    let left: Vec<String> = files_in(dir.path()).into_iter().filter(|f| f.starts_with('.')).collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn hilbert_order_is_added_within_the_budget() {
    let dir = tempdir();
    let plain = dir.path().join("g.cgr");
    build(&["generate", "kron", "--scale", "14", "--directed"], &plain);
    let plain = plain.to_str().unwrap();
    let (want, _) = build(&["convert", plain, "--order", "hilbert"], &dir.path().join("a.cgr"));
    let (got, said) = build(&["convert", plain, "--order", "hilbert", "--memory", "1M"], &dir.path().join("b.cgr"));
    assert!(said.contains("Hilbert order"), "{said}");
    assert!(got == want, "the Hilbert section sorted in groups differs");
    // From a text edge list: the CSR streamed to the file, then its Hilbert section.
    let text = dir.path().join("g.el");
    build(&["convert", plain], &text);
    let text = text.to_str().unwrap();
    let vertex = dir.path().join("d.cgr");
    build(&["convert", text, "--directed"], &vertex);
    let (want, _) = build(&["convert", vertex.to_str().unwrap(), "--order", "hilbert"], &dir.path().join("e.cgr"));
    let (got, said) =
        build(&["convert", text, "--directed", "--order", "hilbert", "--memory", "1M"], &dir.path().join("c.cgr"));
    assert!(said.contains("spilled to disk") && said.contains("Hilbert order"), "{said}");
    assert!(got == want, "the converted file differs");
    let left: Vec<String> = files_in(dir.path()).into_iter().filter(|f| f.starts_with('.')).collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn transpose_is_stored_within_the_budget_and_serves_pull_pagerank() {
    let dir = tempdir();
    let plain = dir.path().join("g.cgr");
    build(&["generate", "kron", "--scale", "14", "--directed"], &plain);
    let plain = plain.to_str().unwrap();
    let (want, said) = build(&["convert", plain, "--with-transpose"], &dir.path().join("a.cgr"));
    assert!(said.contains("transpose"), "{said}");
    // 1 MiB holds about a third of the in-arcs: the transpose is built in several ranges.
    let (got, _) = build(&["convert", plain, "--with-transpose", "--memory", "1M"], &dir.path().join("b.cgr"));
    assert!(got == want, "the transpose built in ranges differs");
    let (generated, _) = build(
        &["generate", "kron", "--scale", "14", "--directed", "--with-transpose", "--order", "hilbert"],
        &dir.path().join("c.cgr"),
    );
    let c = dir.path().join("c.cgr");
    let c = c.to_str().unwrap();
    let info: serde_json::Value = serde_json::from_str(&common::run_ok(&["info", "--json", c])).unwrap();
    assert_eq!((info["transpose"].as_bool(), info["hilbert_order"].as_bool()), (Some(true), Some(true)));
    assert!(generated.len() > want.len());
    for imp in ["pagerank", "pagerank-par", "pagerank-hilbert"] {
        let out: serde_json::Value =
            serde_json::from_str(&common::run_ok(&["run", "pagerank", c, "--impl", imp, "--verify", "--json"]))
                .unwrap();
        assert_eq!(out["verified"], true, "{imp}: {out}");
    }
    // A symmetric graph needs none, and says so.
    let sym = dir.path().join("s.cgr");
    let (_, said) = build(&["generate", "kron", "--scale", "10", "--with-transpose"], &sym);
    assert!(said.contains("no transpose stored"), "{said}");
    let info: serde_json::Value =
        serde_json::from_str(&common::run_ok(&["info", "--json", sym.to_str().unwrap()])).unwrap();
    assert_eq!(info["transpose"], false);
    // A corrupt in-arc is refused on open, in one line naming the file.
    let mut bytes = want.clone();
    let at = costgraph::io::cgr::read_header(dir.path().join("a.cgr")).unwrap().sections[6].0 as usize;
    bytes[at + 40] ^= 1;
    let bad = dir.path().join("bad.cgr");
    std::fs::write(&bad, &bytes).unwrap();
    let err = common::run_err(&["run", "pagerank", bad.to_str().unwrap(), "--impl", "pagerank"]);
    assert!(err.starts_with("error: ") && err.contains("bad.cgr") && err.lines().count() == 1, "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_removes_every_temporary_file() {
    let out = tempdir();
    let scratch = tempdir();
    let output = out.path().join("g.cgr");
    let mut child = common::costgraph()
        .args(["generate", "urand", "--scale", "16", "--degree", "128", "--memory", "2M", "--threads", "2", "--tmp"])
        .arg(scratch.path())
        .arg("-o")
        .arg(&output)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the spill folder holds a bucket file: the build is under way (and the folder,
    // registered right after it is made, is on the list the handler removes).
    let start = std::time::Instant::now();
    let spilled =
        |dir: &Path| files_in(dir).iter().any(|d| std::fs::read_dir(dir.join(d)).is_ok_and(|mut f| f.next().is_some()));
    while !spilled(scratch.path()) {
        assert!(start.elapsed().as_secs() < 60, "no spill folder appeared");
        assert!(child.try_wait().unwrap().is_none(), "finished before it could be interrupted");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped yet.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(files_in(scratch.path()).is_empty(), "left in --tmp: {:?}", files_in(scratch.path()));
    assert!(files_in(out.path()).is_empty(), "left beside the output: {:?}", files_in(out.path()));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_clear_error_and_leaves_nothing() {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let small = tempdir();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "costgraph-test"])
        .arg(small.path())
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    /// Unmounts the tmpfs however the test ends.
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(small.path());
    let full = small.path().to_str().unwrap();
    let out = tempdir();
    let elsewhere = out.path().join("g.cgr");
    // The spill would not fit: refused before any work.
    let stderr = common::run_err(&[
        "generate",
        "kron",
        "--scale",
        "14",
        "--memory",
        "1M",
        "--tmp",
        full,
        "-o",
        elsewhere.to_str().unwrap(),
    ]);
    assert!(stderr.contains("free disk space") && stderr.contains(full), "{stderr}");
    // The output itself does not fit: the write fails with the file named and the reason.
    let inside = small.path().join("g.cgr");
    let stderr = common::run_err(&["generate", "kron", "--scale", "15", "-o", inside.to_str().unwrap()]);
    assert!(stderr.contains("g.cgr") && stderr.contains("No space left"), "{stderr}");
    assert!(files_in(small.path()).is_empty(), "left on the full disk: {:?}", files_in(small.path()));
    assert!(files_in(out.path()).is_empty(), "left beside the output: {:?}", files_in(out.path()));
}
