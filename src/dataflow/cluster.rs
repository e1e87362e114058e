//! Starting a timely computation with bounded failure: the connections between processes are made
//! here with a deadline (timely's own connection code retries forever), every worker runs under
//! `catch_unwind` and an abort flag, and the caller gets a [`Result`] within a bounded time when a
//! peer never starts, dies mid-run, or a worker fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::time::{Duration, Instant};

use timely::communication::Hooks;
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::worker::Worker;

use super::config::ClusterConfig;
use crate::{Error, Result};

/// How long the other workers of a process get to wind down after one has failed, before the
/// run is reported as failed anyway.
const ABORT_GRACE: Duration = Duration::from_secs(5);

/// How long a peer may stay silent (data unacknowledged, or no answer to keep-alive probes)
/// before its connection is given up: a peer whose link went down, or whose machine vanished,
/// otherwise hangs the run for TCP's retransmission limit (a quarter of an hour).
pub const PEER_SILENCE_LIMIT: Duration = Duration::from_secs(15);

/// The handshake's first word: "CGTIMELY".
const MAGIC: u64 = u64::from_le_bytes(*b"CGTIMELY");

/// A flag every worker of a process polls while it waits; set when any of them fails.
#[derive(Clone, Debug, Default)]
pub struct Abort(Arc<AtomicBool>);

impl Abort {
    /// True once some worker of this process has failed.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// `Err` once the flag is set, for `?` in waiting loops.
    pub fn check(&self) -> Result<()> {
        if self.is_set() { Err(Error::Cluster(ABORTED.into())) } else { Ok(()) }
    }

    /// Whether `error` is the one [`Abort::check`] returns.
    fn is_its_error(error: &Error) -> bool {
        matches!(error, Error::Cluster(message) if message == ABORTED)
    }
}

/// What a worker that stopped because another failed reports.
const ABORTED: &str = "another worker failed";

/// The first panic message of a timely thread (a lost connection shows up as a panic of a
/// network thread), kept to explain the failure; such panics are not printed.
static TIMELY_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Installs (once) a panic hook that records, instead of printing, panics of timely's threads.
fn quiet_timely_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("");
            if !name.starts_with("timely:") {
                return previous(info);
            }
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let what = match name.strip_prefix("timely:recv-").or_else(|| name.strip_prefix("timely:send-")) {
                Some(peer) => format!("connection to process {peer} lost ({msg})"),
                None => format!("{name}: {msg}"),
            };
            if let Ok(mut slot) = TIMELY_PANIC.lock() {
                slot.get_or_insert(what);
            }
        }));
    });
}

fn take_timely_panic() -> Option<String> {
    TIMELY_PANIC.lock().ok().and_then(|mut s| s.take())
}

/// Records of merge work each differential arrangement does per scheduling while it is not yet
/// compact ([`differential_dataflow::Config::idle_merge_effort`]).
pub const IDLE_MERGE_EFFORT: isize = 1000;

/// The workers' configuration: differential arrangements keep merging (and so consolidating
/// updates that cancel) while the worker is otherwise idle, instead of only when new batches
/// arrive, so a long stream of updates does not leave uncompacted history behind.
fn worker_config() -> timely::WorkerConfig {
    let mut config = timely::WorkerConfig::default();
    differential_dataflow::configure(
        &mut config,
        &differential_dataflow::Config::default().idle_merge_effort(Some(IDLE_MERGE_EFFORT)),
    );
    config
}

/// Runs `func` on every worker of this process of the cluster and returns the workers' results in
/// order. `fingerprint` identifies the job (algorithm, graph, repetitions): processes that
/// disagree on it, or on the worker count, refuse to run together.
///
/// Fails with one clear message, never hangs: connections are made within
/// [`ClusterConfig::connect_timeout`], and a worker failure or a lost peer ends the run.
pub fn execute<T, F>(config: &ClusterConfig, fingerprint: u64, func: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(&mut Worker, &Abort) -> Result<T> + Send + Sync + 'static,
{
    config.validate()?;
    quiet_timely_panics();
    let (builders, others): (Vec<AllocatorBuilder>, Box<dyn std::any::Any + Send>) = match config.single_process() {
        Some(communication) => communication.try_build().map_err(Error::Cluster)?,
        None => {
            let sockets = connect(config, fingerprint)?;
            let process = ProcessBuilder::new_typed_vector(config.workers, Hooks::default().refill, None);
            let (tcp, guard) =
                initialize_networking_from_sockets(process, sockets, config.process, config.workers, Hooks::default())
                    .map_err(|e| Error::Cluster(format!("cannot start the network threads: {e}")))?;
            (tcp.into_iter().map(AllocatorBuilder::Tcp).collect(), Box::new(guard))
        }
    };

    let abort = Abort::default();
    let worker_abort = abort.clone();
    let logic = move |worker: &mut Worker| -> Result<T> {
        let result = catch_unwind(AssertUnwindSafe(|| func(worker, &worker_abort)))
            .unwrap_or_else(|payload| Err(Error::Cluster(panic_message(&*payload))));
        if result.is_err() {
            worker_abort.set();
            // Drop the dataflows so that timely does not wait for them to complete (they never
            // would without the peers).
            let _ = catch_unwind(AssertUnwindSafe(|| {
                for id in worker.installed_dataflows() {
                    worker.drop_dataflow(id);
                }
            }));
        }
        result
    };

    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("timely:runner".into())
        .spawn(move || {
            let results =
                timely::execute::execute_from(builders, others, worker_config(), logic).map(|guards| guards.join());
            let _ = tx.send(results);
        })
        .map_err(|e| Error::Cluster(format!("cannot start the workers: {e}")))?;

    let mut aborted_at = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(results)) => {
                let mut out = Vec::with_capacity(results.len());
                let mut first_error = None;
                for r in results {
                    match r {
                        Ok(Ok(value)) => out.push(value),
                        // A worker's own error explains the failure better than another's
                        // "another worker failed".
                        Ok(Err(e)) if first_error.as_ref().is_none_or(Abort::is_its_error) => {
                            first_error = Some(e);
                        }
                        Ok(Err(_)) => {}
                        Err(panic) => {
                            first_error.get_or_insert(Error::Cluster(panic));
                        }
                    }
                }
                return match first_error {
                    None => Ok(out),
                    Some(e) => Err(explain(e)),
                };
            }
            Ok(Err(e)) => return Err(Error::Cluster(format!("cannot start the workers: {e}"))),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(explain(Error::Cluster("the workers stopped unexpectedly".into())));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if abort.is_set() || TIMELY_PANIC.lock().is_ok_and(|s| s.is_some()) {
                    let since = *aborted_at.get_or_insert_with(Instant::now);
                    if since.elapsed() > ABORT_GRACE {
                        return Err(explain(Error::Cluster("the workers did not stop after a failure".into())));
                    }
                }
            }
        }
    }
}

/// Prefers the recorded network failure (the cause) to a worker's error (often its consequence).
fn explain(error: Error) -> Error {
    match take_timely_panic() {
        Some(cause) => Error::Cluster(cause),
        None => error,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a worker panicked".into())
}

/// The handshake each side of a connection sends: magic, process index, workers per process,
/// number of processes, job fingerprint.
fn hello(config: &ClusterConfig, fingerprint: u64) -> [u8; 40] {
    let mut out = [0u8; 40];
    let words = [MAGIC, config.process as u64, config.workers as u64, config.processes as u64, fingerprint];
    for (chunk, w) in out.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// Exchanges handshakes on `stream` and checks the peer's: returns the peer's process index.
fn handshake(stream: &mut TcpStream, config: &ClusterConfig, fingerprint: u64, deadline: Instant) -> Result<usize> {
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(10));
    let io = |e: std::io::Error| Error::Cluster(format!("handshake with a peer failed: {e}"));
    stream.set_read_timeout(Some(left)).map_err(io)?;
    stream.write_all(&hello(config, fingerprint)).map_err(io)?;
    let mut buf = [0u8; 40];
    stream.read_exact(&mut buf).map_err(io)?;
    stream.set_read_timeout(None).map_err(io)?;
    let w: Vec<u64> = buf.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect();
    if w[0] != MAGIC {
        return Err(Error::Cluster("a peer that is not a costgraph process connected".into()));
    }
    let peer = w[1] as usize;
    if w[2] != config.workers as u64 || w[3] != config.processes as u64 {
        return Err(Error::Cluster(format!(
            "process {peer} runs {} worker(s) × {} process(es) but this one {} × {}: every process needs the same \
             --workers and --processes",
            w[2], w[3], config.workers, config.processes
        )));
    }
    if w[4] != fingerprint {
        return Err(Error::Cluster(format!(
            "process {peer} runs a different job (algorithm, graph or repetitions differ)"
        )));
    }
    if peer >= config.processes || peer == config.process {
        return Err(Error::Cluster(format!("a peer claims the invalid process index {peer}")));
    }
    Ok(peer)
}

/// Connects this process to every other one, within the configured deadline: it listens on its
/// own address, connects to the processes with smaller indices and accepts those with larger
/// ones. Returns one stream per process (`None` at this process's index), as timely expects.
fn connect(config: &ClusterConfig, fingerprint: u64) -> Result<Vec<Option<TcpStream>>> {
    let deadline = Instant::now() + config.connect_timeout;
    let me = config.process;
    let own = &config.addresses[me];
    let listener =
        TcpListener::bind(own).map_err(|e| Error::Cluster(format!("process {me} cannot listen on {own}: {e}")))?;
    listener.set_nonblocking(true).map_err(|e| Error::Cluster(format!("{own}: {e}")))?;
    let mut sockets: Vec<Option<TcpStream>> = (0..config.processes).map(|_| None).collect();
    let timeout_secs = config.connect_timeout.as_secs_f64();

    for (peer, address) in config.addresses.iter().enumerate().take(me) {
        let addr = address
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| Error::Cluster(format!("address {address} of process {peer} does not resolve")))?;
        let mut stream = loop {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
                Ok(stream) => break stream,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    return Err(Error::Cluster(format!(
                        "process {peer} at {address} did not accept a connection within {timeout_secs} s ({e})"
                    )));
                }
            }
        };
        stream.set_nodelay(true).map_err(|e| Error::Cluster(format!("{address}: {e}")))?;
        bound_silence(&stream).map_err(|e| Error::Cluster(format!("{address}: {e}")))?;
        let got = handshake(&mut stream, config, fingerprint, deadline)?;
        if got != peer {
            return Err(Error::Cluster(format!("{address} answered as process {got}, expected process {peer}")));
        }
        sockets[peer] = Some(stream);
    }

    let mut missing = config.processes - me - 1;
    while missing > 0 {
        match listener.accept() {
            Ok((mut stream, _)) => {
                stream.set_nonblocking(false).map_err(|e| Error::Cluster(format!("{own}: {e}")))?;
                stream.set_nodelay(true).map_err(|e| Error::Cluster(format!("{own}: {e}")))?;
                bound_silence(&stream).map_err(|e| Error::Cluster(format!("{own}: {e}")))?;
                let peer = handshake(&mut stream, config, fingerprint, deadline)?;
                if peer < me || sockets[peer].is_some() {
                    return Err(Error::Cluster(format!("process {peer} connected twice or out of order")));
                }
                sockets[peer] = Some(stream);
                missing -= 1;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    let absent: Vec<String> =
                        (me + 1..config.processes).filter(|&p| sockets[p].is_none()).map(|p| p.to_string()).collect();
                    return Err(Error::Cluster(format!(
                        "process(es) {} did not connect to process {me} within {timeout_secs:.0} s",
                        absent.join(", ")
                    )));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(Error::Cluster(format!("process {me} accepting on {own}: {e}"))),
        }
    }
    Ok(sockets)
}

/// Makes a silent peer an error after [`PEER_SILENCE_LIMIT`]: keep-alive probes on an idle
/// connection, and a limit on how long sent data may stay unacknowledged (`TCP_USER_TIMEOUT`).
/// The network threads then see a read or write error, which ends the run.
#[cfg(target_os = "linux")]
fn bound_silence(stream: &TcpStream) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let limit = PEER_SILENCE_LIMIT.as_secs() as libc::c_int;
    let options = [
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1),
        (libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, limit / 3),
        (libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, limit / 6),
        (libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 4),
        (libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT, limit * 1000),
    ];
    for (level, name, value) in options {
        // SAFETY: the descriptor is an open socket owned by `stream`, and the option value is a
        // `c_int` whose address and size are passed together.
        let rc = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                level,
                name,
                (&value as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Elsewhere only keep-alive's system defaults apply (no portable way to shorten them).
#[cfg(not(target_os = "linux"))]
fn bound_silence(_stream: &TcpStream) -> std::io::Result<()> {
    Ok(())
}
