//! The handshake that makes a TCP connection a peer of a run: each side proves it holds the run's
//! [`ClusterKey`] by a challenge–response, then says which process it is and what it runs.
//!
//! 1. Both sides send the magic `CGTIMEL2` and a fresh random nonce of 32 bytes.
//! 2. The side that dialled sends its [`Claims`] (process index, workers per process, processes,
//!    job fingerprint) and `HMAC-SHA256(key, "dial" ‖ nonce_answerer ‖ nonce_dialler ‖ claims)`;
//!    the answering side checks the tag before it says anything about itself.
//! 3. The answering side sends its claims and `HMAC-SHA256(key, "answer" ‖ nonce_dialler ‖
//!    nonce_answerer ‖ claims)`; the dialler checks it.
//!
//! Each tag covers the other side's fresh nonce, so a recorded handshake cannot be replayed, and
//! names its role, so a handshake echoed back to its sender does not verify. The key never crosses
//! the network. Nothing is encrypted: the key keeps strangers out of a run, it does not hide the
//! data exchanged.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::key::ClusterKey;

/// The first bytes of a handshake: "CGTIMEL2" (version 2: authenticated).
const MAGIC: [u8; 8] = *b"CGTIMEL2";

/// Bytes of a claims record: four little-endian `u64`.
const CLAIMS: usize = 32;

/// What a peer says about itself once it has proved the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claims {
    /// Its process index.
    pub process: u64,
    /// Worker threads per process.
    pub workers: u64,
    /// Processes in the cluster.
    pub processes: u64,
    /// The job's fingerprint (algorithm, graph, repetitions).
    pub fingerprint: u64,
}

impl Claims {
    fn encode(&self) -> [u8; CLAIMS] {
        let mut out = [0u8; CLAIMS];
        let words = [self.process, self.workers, self.processes, self.fingerprint];
        for (chunk, w) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8; CLAIMS]) -> Claims {
        let word = |i: usize| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"));
        Claims { process: word(0), workers: word(1), processes: word(2), fingerprint: word(3) }
    }
}

/// Why a connection did not become a peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It did not speak the protocol (another program, garbage, silence past the deadline).
    Stranger(String),
    /// It spoke the protocol but could not prove the run's key.
    WrongKey,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Stranger(why) => write!(f, "not a costgraph process of this run ({why})"),
            Refusal::WrongKey => f.write_str("did not prove the run's key"),
        }
    }
}

type Tag = Hmac<Sha256>;

fn tag(key: &ClusterKey, role: &[u8], theirs: &[u8; 32], mine: &[u8; 32], claims: &[u8; CLAIMS]) -> Tag {
    let mut mac = Tag::new_from_slice(key.bytes()).expect("HMAC takes keys of any length");
    for part in [role, &theirs[..], &mine[..], &claims[..]] {
        mac.update(part);
    }
    mac
}

fn nonce() -> std::io::Result<[u8; 32]> {
    let mut n = [0u8; 32];
    getrandom::fill(&mut n).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(n)
}

/// Reads exactly `buf.len()` bytes before `deadline`.
fn read_by(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> Result<(), Refusal> {
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
    stream.set_read_timeout(Some(left)).map_err(|e| Refusal::Stranger(e.to_string()))?;
    stream.read_exact(buf).map_err(|e| Refusal::Stranger(e.to_string()))
}

fn send(stream: &mut TcpStream, parts: &[&[u8]]) -> Result<(), Refusal> {
    let bytes: Vec<u8> = parts.concat();
    stream.write_all(&bytes).map_err(|e| Refusal::Stranger(e.to_string()))
}

/// Step 1 on either side: sends the magic and a nonce, reads the peer's.
fn greet(stream: &mut TcpStream, deadline: Instant) -> Result<([u8; 32], [u8; 32]), Refusal> {
    let mine = nonce().map_err(|e| Refusal::Stranger(e.to_string()))?;
    send(stream, &[&MAGIC, &mine])?;
    let mut hello = [0u8; 40];
    read_by(stream, &mut hello, deadline)?;
    if hello[..8] != MAGIC {
        return Err(Refusal::Stranger("it did not open with the handshake".into()));
    }
    Ok((mine, hello[8..].try_into().expect("32 bytes")))
}

/// Reads the peer's claims and tag and checks the tag for `role`.
fn check(
    stream: &mut TcpStream,
    key: &ClusterKey,
    role: &[u8],
    (theirs, mine): (&[u8; 32], &[u8; 32]),
    deadline: Instant,
) -> Result<Claims, Refusal> {
    let mut proof = [0u8; CLAIMS + 32];
    read_by(stream, &mut proof, deadline)?;
    let claims: [u8; CLAIMS] = proof[..CLAIMS].try_into().expect("claims");
    // The peer computed its tag with our nonce as "theirs" and its own as "mine".
    tag(key, role, mine, theirs, &claims).verify_slice(&proof[CLAIMS..]).map_err(|_| Refusal::WrongKey)?;
    Ok(Claims::decode(&claims))
}

/// The dialling side of the handshake on `stream`, before `deadline`: returns the answerer's
/// claims once it has proved the key.
pub fn dial(stream: &mut TcpStream, key: &ClusterKey, claims: Claims, deadline: Instant) -> Result<Claims, Refusal> {
    let (mine, theirs) = greet(stream, deadline)?;
    let encoded = claims.encode();
    let proof = tag(key, b"dial", &theirs, &mine, &encoded).finalize().into_bytes();
    send(stream, &[&encoded, &proof])?;
    let peer = check(stream, key, b"answer", (&theirs, &mine), deadline)?;
    let _ = stream.set_read_timeout(None);
    Ok(peer)
}

/// The answering side of the handshake on `stream`, before `deadline`: checks the dialler's proof
/// before it proves anything itself, and returns the dialler's claims.
pub fn answer(stream: &mut TcpStream, key: &ClusterKey, claims: Claims, deadline: Instant) -> Result<Claims, Refusal> {
    let (mine, theirs) = greet(stream, deadline)?;
    let peer = check(stream, key, b"dial", (&theirs, &mine), deadline)?;
    let encoded = claims.encode();
    let proof = tag(key, b"answer", &theirs, &mine, &encoded).finalize().into_bytes();
    send(stream, &[&encoded, &proof])?;
    let _ = stream.set_read_timeout(None);
    Ok(peer)
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    fn claims(process: u64) -> Claims {
        Claims { process, workers: 2, processes: 3, fingerprint: 77 }
    }

    /// Runs `answer` on one end of a fresh connection and `other` on the dialling end.
    fn pair<T: Send + 'static>(
        key: ClusterKey,
        other: impl FnOnce(TcpStream) -> T + Send + 'static,
    ) -> (Result<Claims, Refusal>, T, Duration) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let dialler = std::thread::spawn(move || other(TcpStream::connect(address).unwrap()));
        let (mut stream, _) = listener.accept().unwrap();
        let start = Instant::now();
        let answered = answer(&mut stream, &key, claims(0), start + Duration::from_secs(2));
        let took = start.elapsed();
        drop(stream);
        (answered, dialler.join().unwrap(), took)
    }

    #[test]
    fn peers_with_the_key_agree_and_learn_each_others_claims() {
        let key = ClusterKey::generate().unwrap();
        let k = key.clone();
        let (answered, dialled, _) =
            pair(key, move |mut s| dial(&mut s, &k, claims(1), Instant::now() + Duration::from_secs(2)));
        assert_eq!(answered, Ok(claims(1)));
        assert_eq!(dialled, Ok(claims(0)));
    }

    #[test]
    fn a_wrong_key_garbage_silence_and_an_echo_are_refused() {
        let key = ClusterKey::generate().unwrap();
        let other = ClusterKey::generate().unwrap();
        let (answered, dialled, _) =
            pair(key.clone(), move |mut s| dial(&mut s, &other, claims(1), Instant::now() + Duration::from_secs(2)));
        assert_eq!(answered, Err(Refusal::WrongKey));
        assert!(dialled.is_err(), "the answerer says nothing to a dialler that failed");

        let (answered, (), _) = pair(key.clone(), |mut s| {
            let _ = s.write_all(b"GET / HTTP/1.0\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        });
        assert!(matches!(answered, Err(Refusal::Stranger(_))), "{answered:?}");

        let (answered, (), took) = pair(key.clone(), |s| {
            std::thread::sleep(Duration::from_secs(3));
            drop(s);
        });
        assert!(matches!(answered, Err(Refusal::Stranger(_))));
        assert!(took < Duration::from_millis(2900), "a silent peer is dropped at the deadline");

        // Echo everything back: the answerer's own greeting, then its own words.
        let (answered, (), _) = pair(key, |mut s| {
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 || s.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        });
        assert!(answered.is_err(), "an echo is not a peer");
    }
}
