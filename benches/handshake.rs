//! The cost of the cluster's key handshake (`dataflow::handshake`): one TCP connection on
//! loopback, accepted, then both sides' HMAC-SHA256 proofs over each other's nonces — against a
//! bare connect-and-accept of the same socket pair, so the difference is what the handshake adds
//! per peer (the target: at most 5 ms).

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use costgraph::dataflow::ClusterKey;
use costgraph::dataflow::handshake::{Claims, answer, dial};
use criterion::{Criterion, criterion_group, criterion_main};

fn handshake(c: &mut Criterion) {
    let key = ClusterKey::generate().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let claims = |process| Claims { process, workers: 1, processes: 2, fingerprint: 7 };
    let mut group = c.benchmark_group("handshake");
    group.bench_function("connect_accept", |b| {
        b.iter(|| {
            let dialled = TcpStream::connect(address).unwrap();
            let (accepted, _) = listener.accept().unwrap();
            (dialled, accepted)
        })
    });
    group.bench_function("connect_accept_and_prove_the_key", |b| {
        b.iter(|| {
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut dialled = TcpStream::connect(address).unwrap();
            let (mut accepted, _) = listener.accept().unwrap();
            let key_for_answer = key.clone();
            let answering = std::thread::spawn(move || {
                answer(&mut accepted, &key_for_answer, claims(0), deadline).unwrap();
                accepted
            });
            dial(&mut dialled, &key, claims(1), deadline).unwrap();
            (dialled, answering.join().unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, handshake);
criterion_main!(benches);
