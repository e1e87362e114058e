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
