//! Bounded random-corruption tests: the `.cgr` opener and the text readers, fed random bytes and
//! random mutations of valid files, return `Ok` or `Err` and never panic; a `.cgr` file they accept
//! always passes `Csr::validate`.

use costgraph::graph::{BuildOptions, Csr, EdgeList, Relabel};
use costgraph::io::{self, Format, ReadOptions, RealWeights, cgr};
use proptest::prelude::*;

fn valid_cgr() -> Vec<u8> {
    let mut e = EdgeList::new(6, vec![(0, 1), (1, 2), (2, 0), (3, 4), (5, 5), (4, 1)], true)
        .with_weights(vec![1, 2, 3, 4, 5, 6]);
    e.original_ids = Some(vec![3, 9, 27, 81, 243, 729]);
    let mut bytes = Vec::new();
    cgr::write_to(&Csr::from_edges(&e, BuildOptions::directed()), &mut bytes).unwrap();
    bytes
}

/// Applies `flips` (position, xor mask), truncates to `keep` (a fraction), optionally re-signs the header.
fn mutate(mut bytes: Vec<u8>, flips: &[(usize, u8)], keep: f64, resign: bool) -> Vec<u8> {
    for &(at, mask) in flips {
        let len = bytes.len();
        bytes[at % len] ^= mask;
    }
    if resign && bytes.len() >= cgr::HEADER_LEN {
        let sum = cgr::fnv1a(&bytes[..120]);
        bytes[120..128].copy_from_slice(&sum.to_le_bytes());
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
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn corrupt_cgr_is_refused_or_valid(
        flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..6),
        keep in prop_oneof![Just(1.0), 0.0f64..1.0],
        resign in any::<bool>(),
    ) {
        let bytes = mutate(valid_cgr(), &flips, keep, resign);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.cgr");
        std::fs::write(&path, &bytes).unwrap();
        if let Ok(g) = cgr::open(&path) {
            let lists = (g.offsets().to_vec().into(), g.targets().to_vec().into(), g.weights().map(|w| w.to_vec().into()));
            prop_assert!(costgraph::graph::check_lists(lists.0, lists.1, lists.2, g.props(), (0, g.num_nodes())).is_ok());
            prop_assert!(g.targets().iter().all(|&t| (t as usize) < g.num_nodes()));
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
