//! No stranger in the cluster: connections to process 0's port that do not prove the run's key —
//! garbage, a connection that stays silent, a replay of a real process's handshake from an earlier
//! run — are dropped while the run goes on: it gives the oracle's answer, and in its usual time
//! (nowhere near the connection timeout a silent stranger used to cost). Processes started by a
//! scheduler (Slurm, Open MPI) find their place without a hostfile.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{costgraph, tempdir};
use crate::timely::{oracle_digest, random_graph, write};

/// `run cc --impl timely-union-find GRAPH --json` as process `i` of 2 at `hosts`.
fn process(graph: &Path, hosts: &Path, i: usize) -> std::process::Child {
    costgraph()
        .args(["run", "cc", "--impl", "timely-union-find", "--json", "--processes", "2", "--process", &i.to_string()])
        .arg("--hostfile")
        .arg(hosts)
        .arg(graph)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// What process 1 says when it dials process 0: recorded by standing in for process 0.
fn record_a_dial(graph: &Path, dir: &Path) -> Vec<u8> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let hosts = dir.join("record-hosts");
    std::fs::write(&hosts, format!("{}\n127.0.0.1:{}\n", listener.local_addr().unwrap(), free_port())).unwrap();
    let mut dialler = process(graph, &hosts, 1);
    let (mut stream, _) = listener.accept().unwrap();
    let mut greeting = [0u8; 40];
    greeting[..8].copy_from_slice(b"CGTIMEL2");
    stream.write_all(&greeting).unwrap();
    let mut said = vec![0u8; 40 + 64];
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.read_exact(&mut said).unwrap();
    let _ = dialler.kill();
    let _ = dialler.wait();
    said
}

#[test]
fn strangers_on_the_port_neither_end_nor_delay_the_run() {
    let dir = tempdir();
    let csr = random_graph(44, 5000, 20_000, true);
    let graph = write(dir.path(), "g.cgr", &csr);
    let replay = record_a_dial(&graph, dir.path());
    let (p0, p1) = (free_port(), free_port());
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, format!("127.0.0.1:{p0}\n127.0.0.1:{p1}\n")).unwrap();
    let start = Instant::now();
    let first = process(&graph, &hosts, 0);
    // Strangers connect before process 1 does: garbage, silence, a replayed handshake.
    let connect = || {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpStream::connect(("127.0.0.1", p0)) {
                Ok(s) => return s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("process 0 does not listen: {e}"),
            }
        }
    };
    let mut garbage = connect();
    let _ = garbage.write_all(&[0x42; 4096]);
    let silent = connect();
    let mut replayed = connect();
    let _ = replayed.write_all(&replay);
    std::thread::sleep(Duration::from_millis(300));
    let second = process(&graph, &hosts, 1);
    let out0 = first.wait_with_output().unwrap();
    let out1 = second.wait_with_output().unwrap();
    let took = start.elapsed();
    drop((garbage, silent, replayed));
    assert!(out0.status.success(), "{}", String::from_utf8_lossy(&out0.stderr));
    assert!(out1.status.success(), "{}", String::from_utf8_lossy(&out1.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out0.stdout).unwrap();
    assert_eq!(report["digest"], oracle_digest(costgraph::registry::Problem::Cc, &csr).unwrap().as_str());
    assert!(
        took < Duration::from_secs(8),
        "the run took {took:?}: a stranger held it up (the handshake limit is 10 s, the connection limit 20 s)"
    );
    let noted = String::from_utf8_lossy(&out0.stderr);
    assert!(noted.matches("dropped a connection").count() >= 2, "{noted}");
}

#[test]
fn a_run_without_the_key_refuses_to_start_and_says_how_to_make_one() {
    let dir = tempdir();
    let graph = write(dir.path(), "g.cgr", &random_graph(45, 100, 200, true));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_costgraph"))
        .args(["run", "cc", "--impl", "timely-union-find", "--processes", "2", "--process", "1"])
        .arg(&graph)
        .env_remove("COSTGRAPH_CLUSTER_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("costgraph key -o FILE") && stderr.contains("--key-file"), "{stderr}");
    let key = dir.path().join("key");
    let made = costgraph().args(["key", "-o"]).arg(&key).output().unwrap();
    assert!(made.status.success());
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    assert!(!costgraph().args(["key", "-o"]).arg(&key).output().unwrap().status.success(), "not replaced");
}

/// Two processes placed by scheduler variables, no --process, --processes or --hostfile.
fn scheduled(graph: &Path, env: impl Fn(usize) -> Vec<(String, String)>, port: u16) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..2)
        .map(|i| {
            costgraph()
                .args(["run", "cc", "--impl", "timely-union-find", "--json", "--port", &port.to_string()])
                .arg(graph)
                .envs(env(i))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

#[test]
fn slurm_and_open_mpi_variables_place_the_processes() {
    let dir = tempdir();
    let csr = random_graph(46, 2000, 6000, true);
    let graph = write(dir.path(), "g.cgr", &csr);
    let oracle = oracle_digest(costgraph::registry::Problem::Cc, &csr).unwrap();
    let slurm = |i: usize| {
        [
            ("SLURM_PROCID", i.to_string()),
            ("SLURM_NTASKS", "2".into()),
            ("SLURM_STEP_NODELIST", "localhost".into()),
            ("SLURM_STEP_TASKS_PER_NODE", "2".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let mpi = |i: usize| {
        [
            ("OMPI_COMM_WORLD_RANK", i.to_string()),
            ("OMPI_COMM_WORLD_SIZE", "2".into()),
            ("OMPI_COMM_WORLD_LOCAL_SIZE", "2".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    for (name, outputs) in
        [("slurm", scheduled(&graph, slurm, free_port())), ("open-mpi", scheduled(&graph, mpi, free_port()))]
    {
        for o in &outputs {
            assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        }
        let report: serde_json::Value = serde_json::from_slice(&outputs[0].stdout).unwrap();
        assert_eq!(report["processes"], 2, "{name}");
        assert_eq!(report["digest"], oracle.as_str(), "{name}");
        assert!(outputs[1].stdout.is_empty(), "{name}: only process 0 reports");
    }
}
