//! Bounded random-corruption tests of every reader — the text formats, `.cgr`, BVGraph
//! (`.graph` + `.properties`), shard manifests, sweep journals (`runs.jsonl`) and external
//! systems' specs — fed random bytes and random mutations of valid files: each returns `Ok` or one
//! error and never panics or aborts; what they accept is valid (a `.cgr` passes
//! `Csr::validate`, arcs are in range).
//!
//! CI runs a sample of each; `COSTGRAPH_FUZZ_CASES=N` runs N cases of every test instead
//! (`benches/fuzz.sh` runs 10,000 and prints the counts for BENCHMARKS.md).

use costgraph::graph::{BuildOptions, Csr, EdgeList, Relabel};
use costgraph::io::{self, Format, ReadOptions, RealWeights, cgr};
use proptest::prelude::*;

/// `COSTGRAPH_FUZZ_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("COSTGRAPH_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A valid `.cgr`: a version 1 file, or with `transposed` a version 2 file carrying the in-arcs.
fn valid_cgr(transposed: bool) -> Vec<u8> {
    let mut e = EdgeList::new(6, vec![(0, 1), (1, 2), (2, 0), (3, 4), (5, 5), (4, 1)], true)
        .with_weights(vec![1, 2, 3, 4, 5, 6]);
    e.original_ids = Some(vec![3, 9, 27, 81, 243, 729]);
    let mut g = Csr::from_edges(&e, BuildOptions::directed());
    if transposed {
        let t = costgraph::graph::transpose::build(&g, &Default::default()).unwrap();
        g = g.with_transpose(t.offsets().to_vec().into(), t.targets().to_vec().into()).unwrap();
    }
    let mut bytes = Vec::new();
    cgr::write_to(&g, &mut bytes).unwrap();
    bytes
}

/// Applies `flips` (position, xor mask), truncates to `keep` (a fraction), optionally re-signs the header.
fn mutate(mut bytes: Vec<u8>, flips: &[(usize, u8)], keep: f64, resign: bool) -> Vec<u8> {
    for &(at, mask) in flips {
        let len = bytes.len();
        bytes[at % len] ^= mask;
    }
    // The checksum's place follows the version the (mutated) header claims.
    let at =
        if bytes.get(8..12) == Some(&2u32.to_le_bytes()[..]) { cgr::HEADER_LEN_V2 - 8 } else { cgr::HEADER_LEN - 8 };
    if resign && bytes.len() >= at + 8 {
        let sum = cgr::fnv1a(&bytes[..at]);
        bytes[at..at + 8].copy_from_slice(&sum.to_le_bytes());
    }
    let keep = ((bytes.len() as f64) * keep).ceil() as usize;
    bytes.truncate(keep);
    bytes
}

const TEXT_FORMATS: [Format; 6] = [Format::Snap, Format::Dimacs, Format::Mtx, Format::El, Format::Wel, Format::Cedge];

fn read_all_ways(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, bytes).unwrap();
    for format in TEXT_FORMATS {
        for (relabel, real) in [(Relabel::Auto, None), (Relabel::Never, Some(RealWeights { scale: 1e3 }))] {
            let options = ReadOptions { format: Some(format), relabel, real_weights: real, ..Default::default() };
            if let Ok(edges) = io::read_edges(&path, &options) {
                assert!(edges.first_out_of_range().is_none());
                assert!(edges.weights.as_ref().is_none_or(|w| w.len() == edges.len()));
            }
        }
    }
}

const DIMACS: &str = "c sample\np sp 4 4\na 1 2 7\na 2 3 1\na 3 4 0\na 4 1 12\n";
const MTX: &str = "%%MatrixMarket matrix coordinate integer symmetric\n% c\n4 4 3\n1 2 5\n2 3 6\n4 4 7\n";
const SNAP: &str = "# c\r\n0\t1\t5\r\n1\t2\t0.5\r\n7 3 2\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn corrupt_cgr_is_refused_or_valid(
        flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..6),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
        resign in any::<bool>(),
        transposed in any::<bool>(),
    ) {
        let bytes = mutate(valid_cgr(transposed), &flips, keep, resign);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.cgr");
        std::fs::write(&path, &bytes).unwrap();
        if let Ok(g) = cgr::open(&path) {
            let lists = (g.offsets().to_vec().into(), g.targets().to_vec().into(), g.weights().map(|w| w.to_vec().into()));
            prop_assert!(costgraph::graph::check_lists(lists.0, lists.1, lists.2, g.props(), (0, g.num_nodes())).is_ok());
            prop_assert!(g.targets().iter().all(|&t| (t as usize) < g.num_nodes()));
            if let Some(t) = g.transpose() {
                let want = costgraph::graph::transpose::build(&g, &Default::default()).unwrap();
                prop_assert_eq!((t.offsets(), t.targets()), (want.offsets(), want.targets()));
            }
        }
    }

    #[test]
    fn random_bytes_never_panic_the_text_readers(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        read_all_ways(&bytes);
    }

    #[test]
    fn mutated_text_files_never_panic_the_readers(
        which in 0usize..3,
        flips in prop::collection::vec((any::<usize>(), prop::sample::select(b" \t\r\n#%-.0123456789apce".to_vec())), 1..6),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
    ) {
        let text = [DIMACS, MTX, SNAP][which].as_bytes().to_vec();
        let mut bytes = text;
        for (at, b) in flips {
            let len = bytes.len();
            bytes[at % len] = b;
        }
        let keep = ((bytes.len() as f64) * keep).ceil() as usize;
        bytes.truncate(keep);
        read_all_ways(&bytes);
    }
}

fn read_webgraph(path: &std::path::Path) -> Result<EdgeList, String> {
    let budget = costgraph::graph::Budget::from_flag(Some(64 << 20)).unwrap();
    io::read_edges(path, &ReadOptions { format: Some(Format::Webgraph), budget, ..Default::default() })
        .map_err(|e| e.to_string())
}

#[test]
fn the_bvgraph_fixture_reads_whole() {
    let (_dir, graph, arcs) = crate::common::bvgraph();
    let edges = read_webgraph(&graph).unwrap();
    assert_eq!((edges.num_nodes, edges.len() as u64), (600, arcs));
}

const PROPERTY_VALUES: [&str; 12] =
    ["0", "1", "4", "7", "-1", "65536", "65537", "100000000", "10000000000", "18446744073709551615", "abc", ""];
const PROPERTY_KEYS: [&str; 8] =
    ["nodes", "arcs", "windowsize", "minintervallength", "length", "zetak", "compressionflags", "endianness"];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    /// Bit flips, truncation and hostile property values end in `Ok` (with every arc in range)
    /// or one error; never a panic or an abort (which would end this test binary).
    #[test]
    fn corrupt_bvgraphs_are_refused_or_read(
        flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..4),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
        edits in prop::collection::vec((0..PROPERTY_KEYS.len(), 0..PROPERTY_VALUES.len()), 0..2),
    ) {
        let (_dir, graph, _) = crate::common::bvgraph();
        let bytes = mutate(std::fs::read(&graph).unwrap(), &flips, keep, false);
        std::fs::write(&graph, bytes).unwrap();
        let properties = graph.with_extension("properties");
        let mut text = std::fs::read_to_string(&properties).unwrap();
        for (key, value) in edits {
            text.push_str(&format!("\n{}={}\n", PROPERTY_KEYS[key], PROPERTY_VALUES[value]));
        }
        std::fs::write(&properties, text).unwrap();
        if let Ok(edges) = read_webgraph(&graph) {
            prop_assert!(edges.first_out_of_range().is_none());
        }
    }
}

/// A valid shard manifest (two parts of a small graph), as `write_shards` writes it.
fn valid_manifest() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cgr");
    std::fs::write(&path, valid_cgr(false)).unwrap();
    let out = dir.path().join("s");
    io::shard::write_shards(&path, 2, &out, &costgraph::graph::Budget::default()).unwrap();
    std::fs::read(out.join("manifest.json")).unwrap()
}

/// A valid external system's spec.
fn valid_spec() -> String {
    serde_json::json!({
        "name": "x", "problem": "cc", "format": "el", "cores": [1, 2],
        "command": "run {graph} {threads}", "time": {"regex": "time (\\S+)"},
        "answer": {"components": {"json": "result.components"}},
    })
    .to_string()
}

const JOURNAL_LINE: &str = r#"{"key":{"problem":"cc","impl":"union-find","threads":1},"configuration":"cc union-find (1 thread)","finished_unix_secs":1,"outcome":{"batches":1,"load_average":0.5,"wall_secs":2.5}}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    /// A mutated manifest is refused by `read_manifest` or passes its checks.
    #[test]
    fn corrupt_manifests_are_refused_or_consistent(
        flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..4),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), mutate(valid_manifest(), &flips, keep, false)).unwrap();
        if let Ok(m) = io::shard::read_manifest(dir.path()) {
            prop_assert_eq!(m.shards.iter().map(|s| s.arcs).sum::<u64>(), m.arcs);
        }
    }

    /// A journal of mutated and random lines opens for resuming (unreadable lines counted).
    #[test]
    fn corrupt_journals_open(
        flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..6),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
        noise in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = format!("{JOURNAL_LINE}\n{JOURNAL_LINE}\n").into_bytes();
        bytes = mutate(bytes, &flips, keep, false);
        bytes.extend_from_slice(&noise);
        std::fs::write(dir.path().join("runs.jsonl"), bytes).unwrap();
        let journal = costgraph::harness::journal::Journal::open(dir.path(), true).unwrap();
        prop_assert!(journal.previous() <= 2 + noise.len());
    }

    /// A mutated external system's spec is refused with an error or parses into checked specs.
    #[test]
    fn corrupt_external_specs_are_refused_or_checked(
        flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..4),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
    ) {
        let bytes = mutate(valid_spec().into_bytes(), &flips, keep, false);
        let text = String::from_utf8_lossy(&bytes);
        if text.trim_start().starts_with(['{', '[']) {
            for spec in costgraph::harness::external::ExternalSpec::parse_all(&text).unwrap_or_default() {
                prop_assert!(spec.check().is_ok());
            }
        }
    }
}

/// The fuzzers above start from inputs their readers accept.
#[test]
fn the_fuzzed_manifest_journal_and_spec_start_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.json"), valid_manifest()).unwrap();
    io::shard::read_manifest(dir.path()).unwrap();
    std::fs::write(dir.path().join("runs.jsonl"), format!("{JOURNAL_LINE}\n{JOURNAL_LINE}\n")).unwrap();
    let journal = costgraph::harness::journal::Journal::open(dir.path(), true).unwrap();
    assert_eq!((journal.previous(), journal.unreadable_lines), (2, 0));
    assert_eq!(costgraph::harness::external::ExternalSpec::parse_all(&valid_spec()).unwrap().len(), 1);
}
