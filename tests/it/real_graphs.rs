//! Every real graph the tests read (`common::dataset`: the `$COSTGRAPH_DATASETS` folder or the
//! dataset cache) converts through the real binary and `info --json` reports the node and edge
//! counts of its manifest entry.

use serde_json::Value;

use crate::common;

/// `(file, extra convert flags, nodes, edges)`: edges are arcs for directed files and undirected
/// edges (self loops once) for files converted with `--undirected`.
const CASES: &[(&str, &[&str], u64, u64)] = &[
    ("snap/Email-Enron.txt.zst", &["--undirected"], 36_692, 183_831),
    ("snap/Wiki-Vote.txt.zst", &[], 7_115, 103_689),
    ("snap/facebook_combined.txt.zst", &["--undirected"], 4_039, 88_234),
    ("snap/p2p-Gnutella05.txt.zst", &[], 8_846, 31_839),
    ("snap/email-Eu-core.txt.zst", &[], 1_005, 25_571),
    ("snap/CA-GrQc.txt.zst", &["--undirected"], 5_242, 14_496),
    ("snap/soc-Slashdot0902.edges.txt.zst", &[], 82_168, 948_464),
    ("snap/ego-Twitter.undirected.edges.txt.zst", &["--undirected"], 81_306, 1_342_310),
    ("law/cnr-2000.arcs.txt.zst", &[], 325_557, 3_216_152),
    ("law/cnr-2000.graph.zst", &[], 325_557, 3_216_152),
    ("dimacs9/rome99.gr.zst", &["--keep-duplicates"], 3_353, 8_870),
    ("roads/cal.cedge.zst", &["--real-weights", "1e9"], 21_048, 21_693),
    ("roads/bremen_dist.gr.zst", &["--keep-duplicates"], 40_461, 86_475),
    ("roads/moscow-roads.gr.zst", &["--undirected", "--keep-duplicates"], 411_992, 451_135),
    ("roads/moscow-roads.gr.zst", &["--undirected"], 411_992, 450_919),
    ("roads/seattle-roads.gr.zst", &["--undirected", "--keep-duplicates"], 148_463, 173_187),
    ("roads/seattle-roads.gr.zst", &["--undirected"], 148_463, 173_110),
];

fn info(path: &std::path::Path) -> Value {
    serde_json::from_str(&common::run_ok(&["info", "--json", path.to_str().unwrap()])).expect("info --json is JSON")
}

#[test]
fn every_shared_dataset_converts_with_manifest_counts() {
    let tmp = common::tempdir();
    for (i, &(file, flags, nodes, edges)) in CASES.iter().enumerate() {
        let Some(input) = common::dataset(file) else { continue };
        let output = tmp.path().join(format!("{i}.cgr"));
        let mut args = vec!["convert", input.to_str().unwrap(), "-o", output.to_str().unwrap()];
        args.extend_from_slice(flags);
        common::run_ok(&args);
        let v = info(&output);
        assert_eq!((v["nodes"].as_u64(), v["edges"].as_u64()), (Some(nodes), Some(edges)), "{file} {flags:?}: {v}");
        let undirected = flags.contains(&"--undirected") || file.ends_with(".cedge.zst");
        assert_eq!(v["directed"].as_bool(), Some(!undirected), "{file}: {v}");
        let weighted = file.starts_with("roads/") || file.starts_with("dimacs9/");
        assert_eq!(v["weighted"].as_bool(), Some(weighted), "{file}: {v}");
    }
}

#[test]
fn shared_dataset_details() {
    let tmp = common::tempdir();
    let out = tmp.path().join("g.cgr");
    let convert = |input: &std::path::Path, flags: &[&str]| {
        let mut args = vec!["convert", input.to_str().unwrap(), "-o", out.to_str().unwrap()];
        args.extend_from_slice(flags);
        common::run_ok(&args);
        info(&out)
    };
    // Wiki-Vote's sparse ids (3..8297) are relabelled; CA-GrQc keeps its 12 self loops.
    let cases: [(&str, &[&str], &str, Value); 4] = [
        ("snap/Wiki-Vote.txt.zst", &[], "relabelled", true.into()),
        ("snap/CA-GrQc.txt.zst", &["--undirected"], "self_loops", 12.into()),
        ("snap/email-Eu-core.txt.zst", &[], "self_loops", 642.into()),
        ("law/cnr-2000.graph.zst", &[], "self_loops", 87_442.into()),
    ];
    for (file, flags, key, want) in cases {
        let Some(input) = common::dataset(file) else { continue };
        assert_eq!(convert(&input, flags)[key], want, "{file}");
    }
    // Without --real-weights the float weights of cal.cedge are refused with file and line.
    let Some(input) = common::dataset("roads/cal.cedge.zst") else { return };
    let err = common::run_err(&["convert", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let name = input.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(&format!("{name}:1:")) && err.contains("--real-weights"), "{err}");
}

#[test]
fn webgraph_streams_into_the_same_cgr_as_its_arc_list() {
    // The decoded arc list is only in a COSTGRAPH_DATASETS folder, not in the catalog.
    let (Some(arcs), Some(graph)) =
        (common::dataset("law/cnr-2000.arcs.txt.zst"), common::dataset("law/cnr-2000.graph.zst"))
    else {
        return;
    };
    let tmp = common::tempdir();
    let convert = |input: &std::path::Path, flags: &[&str], out: &str| {
        let output = tmp.path().join(out);
        let mut args = vec!["convert", input.to_str().unwrap(), "-o", output.to_str().unwrap()];
        args.extend_from_slice(flags);
        let done = common::run(&args);
        let said = String::from_utf8_lossy(&done.stderr).into_owned();
        assert!(done.status.success(), "{} {flags:?}: {said}", input.display());
        (std::fs::read(output).unwrap(), said)
    };
    // Directed: one pass in node order, no buckets, the bytes of the text path.
    let (want, _) = convert(&arcs, &[], "a.cgr");
    let (got, said) = convert(&graph, &["--memory", "4M"], "b.cgr");
    assert!(said.contains("one pass"), "{said}");
    assert!(got == want, "the one-pass WebGraph file differs from the arc list's");
    // Undirected: through the builder, out of core under a tiny budget.
    let (want, _) = convert(&arcs, &["--undirected"], "c.cgr");
    let (got, said) = convert(&graph, &["--undirected", "--memory", "16M"], "d.cgr");
    assert!(said.contains("spilled to disk"), "{said}");
    assert!(got == want, "the symmetrized WebGraph file differs from the arc list's");
}
