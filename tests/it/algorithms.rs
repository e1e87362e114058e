//! Every registered implementation on every real graph the tests read (`common::dataset`: the
//! `$COSTGRAPH_DATASETS` folder or the dataset cache), through the real binary: component counts
//! and largest components as the curator's manifest gives them, MSF weights and edge counts for
//! the weighted graphs, and every run verified.

use serde_json::Value;

use crate::common::{self, run_ok};

/// A real graph: its path in the small-graph layout, the `convert` flags, and what the manifest says.
struct Real {
    file: &'static str,
    flags: &'static [&'static str],
    components: u64,
    largest: u64,
    /// MSF (edges, weight) for weighted graphs.
    msf: Option<(u64, u64)>,
}

const REAL: &[Real] = &[
    Real { file: "snap/Email-Enron.txt.zst", flags: &["--undirected"], components: 1_065, largest: 33_696, msf: None },
    Real { file: "snap/Wiki-Vote.txt.zst", flags: &[], components: 24, largest: 7_066, msf: None },
    Real { file: "snap/facebook_combined.txt.zst", flags: &["--undirected"], components: 1, largest: 4_039, msf: None },
    Real { file: "snap/p2p-Gnutella05.txt.zst", flags: &[], components: 3, largest: 8_842, msf: None },
    Real { file: "snap/email-Eu-core.txt.zst", flags: &[], components: 20, largest: 986, msf: None },
    Real { file: "snap/CA-GrQc.txt.zst", flags: &["--undirected"], components: 355, largest: 4_158, msf: None },
    Real { file: "snap/soc-Slashdot0902.edges.txt.zst", flags: &[], components: 1, largest: 82_168, msf: None },
    Real {
        file: "snap/ego-Twitter.undirected.edges.txt.zst",
        flags: &["--undirected"],
        components: 1,
        largest: 81_306,
        msf: None,
    },
    Real { file: "law/cnr-2000.graph.zst", flags: &[], components: 1, largest: 325_557, msf: None },
    Real { file: "dimacs9/rome99.gr.zst", flags: &[], components: 1, largest: 3_353, msf: Some((3_352, 1_186_386)) },
    Real { file: "roads/bremen_dist.gr.zst", flags: &[], components: 343, largest: 0, msf: Some((40_118, 2_661_327)) },
    Real {
        file: "roads/moscow-roads.gr.zst",
        flags: &["--undirected"],
        components: 440,
        largest: 0,
        msf: Some((411_552, 18_453_325_998)),
    },
    Real {
        file: "roads/seattle-roads.gr.zst",
        flags: &["--undirected"],
        components: 163,
        largest: 0,
        msf: Some((148_300, 197_442_053_963)),
    },
];

fn implementations(problem: &str) -> Vec<String> {
    let list: Value = serde_json::from_str(&run_ok(&["list", "--json"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|i| i["problem"] == problem && i["kind"] != "timely")
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

fn run_json(args: &[&str]) -> Value {
    serde_json::from_str(run_ok(args).trim()).expect("run --json prints one JSON object")
}

#[test]
fn real_graphs_components_and_forests_match_the_manifest() {
    let dir = common::tempdir();
    let cc = implementations("cc");
    let msf = implementations("msf");
    assert!(!cc.is_empty() && !msf.is_empty(), "the registry lists CC and MSF implementations");
    for real in REAL {
        let Some(input) = common::dataset(real.file) else { continue };
        let cgr = dir.path().join(format!("{}.cgr", real.file.replace('/', "_")));
        let mut args = vec!["convert", input.to_str().unwrap(), "-o", cgr.to_str().unwrap()];
        args.extend(real.flags);
        run_ok(&args);
        let cgr = cgr.to_str().unwrap();
        for name in &cc {
            let out = run_json(&["run", "cc", cgr, "--impl", name, "--verify", "--json", "--threads", "2"]);
            assert_eq!(out["verified"], true, "{} cc {name}: {out}", real.file);
            assert_eq!(out["result"]["components"], real.components, "{} cc {name}", real.file);
            if real.largest > 0 {
                assert_eq!(out["result"]["largest"], real.largest, "{} cc {name}", real.file);
            }
        }
        let Some((edges, weight)) = real.msf else { continue };
        for name in &msf {
            let out = run_json(&["run", "msf", cgr, "--impl", name, "--verify", "--json", "--threads", "2"]);
            assert_eq!(out["verified"], true, "{} msf {name}: {out}", real.file);
            assert_eq!(out["result"]["edges"], edges, "{} msf {name}", real.file);
            assert_eq!(out["result"]["weight"], weight, "{} msf {name}", real.file);
            assert_eq!(out["result"]["trees"], real.components, "{} msf {name}", real.file);
        }
    }
}

#[test]
fn cal_road_network_forest_weight_matches_with_real_weights() {
    let Some(input) = common::dataset("roads/cal.cedge.zst") else { return };
    let dir = common::tempdir();
    let cgr = dir.path().join("cal.cgr");
    run_ok(&["convert", input.to_str().unwrap(), "-o", cgr.to_str().unwrap(), "--real-weights", "1e9"]);
    for name in implementations("msf") {
        let out = run_json(&["run", "msf", cgr.to_str().unwrap(), "--impl", &name, "--verify", "--json"]);
        assert_eq!(out["verified"], true, "cal msf {name}: {out}");
        assert_eq!(out["result"]["edges"], 21_047);
        let weight = out["result"]["weight"].as_u64().unwrap() as f64 / 1e9;
        assert!((weight - 307.632079).abs() < 1e-5, "cal msf {name}: weight {weight}");
    }
}
