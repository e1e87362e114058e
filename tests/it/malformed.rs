//! A catalog of malformed inputs: each one makes `costgraph convert` exit with code 1 and a
//! one-line `error:` message naming the file (and the line, for text), without a panic and
//! without leaving any file in the output folder.

use std::path::Path;

use costgraph::io::cgr::{self, Header};

use crate::common;

/// Runs `convert INPUT -o OUT/out.cgr FLAGS`, checks the clean failure and returns the message.
fn refuse(input: &Path, flags: &[&str], expect: &[&str]) -> String {
    let out_dir = common::tempdir();
    let output = out_dir.path().join("out.cgr");
    let mut args = vec!["convert", input.to_str().unwrap(), "-o", output.to_str().unwrap()];
    args.extend_from_slice(flags);
    let out = common::run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let what = format!("convert {} {flags:?}", input.display());
    assert_eq!(out.status.code(), Some(1), "{what}: exit {:?}\n{stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{what} panicked:\n{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{what}: not one line:\n{stderr}");
    assert!(stderr.starts_with("error: "), "{what}: {stderr}");
    let name = input.file_name().unwrap().to_str().unwrap();
    assert!(stderr.contains(name), "{what}: the message does not name the file: {stderr}");
    for e in expect {
        assert!(stderr.contains(e), "{what}: expected {e:?} in: {stderr}");
    }
    assert!(common::files_in(out_dir.path()).is_empty(), "{what} left {:?}", common::files_in(out_dir.path()));
    stderr
}

/// Writes `bytes` to `dir/name` and returns the path.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `(file name, contents, extra flags, expected fragments)`.
const TEXT_CASES: &[(&str, &str, &[&str], &[&str])] = &[
    ("token.txt", "0 1\n1 x\n", &[], &["token.txt:2:", "`x` is not a node id"]),
    ("neg-id.txt", "# c\n-1 2\n", &[], &["neg-id.txt:2:"]),
    ("u64.txt", "0 1\n0 18446744073709551616\n", &[], &["u64.txt:2:", "64 bits"]),
    ("u32.txt", "0 1\n0 4294967296\n", &["--relabel", "never"], &["u32.txt", "too many nodes"]),
    ("column.txt", "0 1\n\n2\n", &[], &["column.txt:3:", "missing target id"]),
    ("extra.el", "0 1 2\n", &[], &["extra.el:1:", "extra column"]),
    ("negw.wel", "0 1 3\n0 2 -3\n", &[], &["negw.wel:2:", "negative weight"]),
    ("realw.wel", "0 1 2.5\n", &[], &["realw.wel:1:", "--real-weights"]),
    ("bigw.wel", "0 1 4294967296\n", &[], &["bigw.wel:1:", "u32"]),
    ("noweight.wel", "0 1\n", &[], &["noweight.wel:1:", "missing weight"]),
    ("unweighted.el", "0 1\n", &["--weighted"], &["unweighted.el", "no weight column"]),
    ("cedge.cedge", "0 0 1\n", &[], &["cedge.cedge:1:", "missing weight"]),
    ("arc-first.gr", "c x\na 1 2 3\np sp 2 1\n", &[], &["arc-first.gr:3:", "`p` line"]),
    ("p-count.gr", "p sp 3 2\na 1 2 1\n", &[], &["p-count.gr", "declares 2 edges but the file has 1"]),
    ("p-nodes.gr", "p sp 2 1\na 1 3 1\n", &[], &["p-nodes.gr:2:", "larger than 2"]),
    ("p-zero.gr", "p sp 2 1\na 0 1 1\n", &[], &["p-zero.gr:2:", "node id 0"]),
    ("p-bad.gr", "p sp two 1\n", &[], &["p-bad.gr:1:", "malformed `p` line"]),
    ("empty.gr", "", &[], &["empty.gr", "no `p` line"]),
    ("bad-line.gr", "p sp 2 1\nx 1 2\n", &[], &["bad-line.gr:2:"]),
    ("banner.mtx", "%%MatrixMarket matrix array real general\n2 2\n", &[], &["banner.mtx:1:", "array"]),
    ("nobanner.mtx", "2 2 1\n1 2\n", &[], &["nobanner.mtx:1:", "banner"]),
    ("empty.mtx", "", &[], &["empty.mtx:1:"]),
    (
        "real.mtx",
        "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 0.5\n",
        &[],
        &["real.mtx", "--real-weights"],
    ),
    ("nnz.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 2\n", &[], &["nnz.mtx", "declares 2"]),
    ("negint.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 2 -1\n", &[], &["negint.mtx:3:"]),
    ("size.mtx", "%%MatrixMarket matrix coordinate pattern general\n% c\n2 2 1\n3 1\n", &[], &["size.mtx:4:"]),
    ("g.xyz", "0 1\n", &[], &["g.xyz", "cannot tell the format"]),
    ("fmt.txt", "0 1\n", &["--format", "nope"], &["fmt.txt", "unknown format 'nope'"]),
    ("bad.txt.gz", "\u{1f}\u{8b} not gzip at all", &[], &["bad.txt.gz", "corrupt"]),
    ("bad.txt.zst", "not zstd", &[], &["bad.txt.zst", "corrupt"]),
    ("nograph.graph", "", &[], &["nograph"]),
    // Capacity before allocation: declared sizes are checked against the budget before parsing.
    ("huge-p.gr", "p sp 4000000000 1\na 1 2 5\n", &["--memory", "1G"], &["huge-p.gr", "4000000000 nodes", "--memory"]),
    ("u32-p.gr", "p sp 5000000000 1\na 1 2 5\n", &[], &["u32-p.gr", "too many nodes"]),
    (
        "huge-size.mtx",
        "%%MatrixMarket matrix coordinate pattern general\n4000000000 3 99999999999999\n1 2\n",
        &["--memory", "1G"],
        &["huge-size.mtx", "4000000000 nodes", "the size line"],
    ),
];

#[test]
fn malformed_text_inputs_are_refused_cleanly() {
    let dir = common::tempdir();
    assert!(TEXT_CASES.len() >= 20);
    for &(name, text, flags, expect) in TEXT_CASES {
        let input = file(dir.path(), name, text.as_bytes());
        refuse(&input, flags, expect);
    }
    refuse(&dir.path().join("missing.txt"), &[], &["missing.txt"]);
}

/// A valid weighted, relabelled `.cgr` file's bytes and its header.
fn valid_cgr(dir: &Path) -> (Vec<u8>, Header) {
    let text = file(dir, "src.wel", b"10 20 1\n20 30 2\n30 10 3\n30 30 4\n");
    let cgr = dir.join("valid.cgr");
    common::run_ok(&["convert", text.to_str().unwrap(), "-o", cgr.to_str().unwrap()]);
    let bytes = std::fs::read(&cgr).unwrap();
    let header = Header::decode(&bytes, bytes.len() as u64).unwrap();
    assert_ne!(header.sections[3], (0, 0), "the sample keeps its original ids");
    (bytes, header)
}

fn with_header(bytes: &[u8], header: &Header) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let encoded = header.encode();
    b[..encoded.len()].copy_from_slice(&encoded);
    b
}

#[test]
fn corrupt_cgr_files_are_refused_cleanly() {
    let dir = common::tempdir();
    let (bytes, header) = valid_cgr(dir.path());
    let mut cases: Vec<(String, Vec<u8>, &str)> = Vec::new();
    // Truncated at every section boundary (and inside the header).
    let mut cuts = vec![0, 8, 64, cgr::HEADER_LEN as u64];
    for (off, len) in header.sections.iter().filter(|s| s.1 > 0) {
        cuts.extend([*off, off + len - 4]);
    }
    for cut in cuts {
        cases.push((format!("cut{cut}.cgr"), bytes[..cut as usize].to_vec(), ""));
    }
    let mut b = bytes.clone();
    b[0] = b'X';
    cases.push(("magic.cgr".into(), b, "magic"));
    cases.push(("version.cgr".into(), with_header(&bytes, &Header { version: 3, ..header.clone() }), "version 3"));
    cases.push((
        "flags.cgr".into(),
        with_header(&bytes, &Header { flags: header.flags | 1 << 9, ..header.clone() }),
        "flag",
    ));
    let mut s = header.sections;
    s[1].0 += 1 << 20;
    cases.push(("bounds.cgr".into(), with_header(&bytes, &Header { sections: s, ..header.clone() }), "past the end"));
    let mut s = header.sections;
    s[1].1 += 4;
    cases.push(("length.cgr".into(), with_header(&bytes, &Header { sections: s, ..header.clone() }), "targets"));
    cases.push(("nodes.cgr".into(), with_header(&bytes, &Header { nodes: header.nodes + 1, ..header.clone() }), ""));
    let mut b = bytes.clone();
    b[120] ^= 1;
    cases.push(("checksum.cgr".into(), b, "checksum"));
    // Offsets not monotone: offsets[1] larger than offsets[2].
    let at = header.sections[0].0 as usize;
    let mut b = bytes.clone();
    b[at + 8..at + 16].copy_from_slice(&100u64.to_le_bytes());
    cases.push(("monotone.cgr".into(), b, "monotone"));
    // A target past the node count.
    let at = header.sections[1].0 as usize;
    let mut b = bytes.clone();
    b[at..at + 4].copy_from_slice(&7u32.to_le_bytes());
    cases.push(("target.cgr".into(), b, "not below the node count"));
    for (name, contents, expect) in cases {
        let input = file(dir.path(), &name, &contents);
        refuse(&input, &[], &[expect]);
    }
}
