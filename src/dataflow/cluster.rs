//! Starting a timely computation with bounded failure: the connections between processes are made
//! here with a deadline (timely's own connection code retries forever), each proving the run's key
//! before it counts ([`super::handshake`]: a stranger on the port is dropped, the run goes on);
//! every worker runs under `catch_unwind` and an abort flag, and the caller gets a [`Result`]
//! within a bounded time when a peer never starts, dies mid-run, or a worker fails.

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::time::{Duration, Instant};

use timely::communication::Hooks;
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::worker::Worker;

use super::config::ClusterConfig;
use super::handshake::{self, Claims, Refusal};
use super::key::ClusterKey;
use crate::{Error, Result};

/// How long the other workers of a process get to wind down after one has failed, before the
/// run is reported as failed anyway.
const ABORT_GRACE: Duration = Duration::from_secs(5);

/// How long a peer may stay silent (data unacknowledged, or no answer to keep-alive probes)
/// before its connection is given up: a peer whose link went down, or whose machine vanished,
/// otherwise hangs the run for TCP's retransmission limit (a quarter of an hour).
pub const PEER_SILENCE_LIMIT: Duration = Duration::from_secs(15);

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
/// updates that cancel) while the worker is otherwise idle, `idle_merge_effort` records per
/// scheduling, instead of only when new batches arrive, so a long stream of updates does not
/// leave uncompacted history behind. `None`: only when new batches arrive.
fn worker_config(idle_merge_effort: Option<isize>) -> timely::WorkerConfig {
    let mut config = timely::WorkerConfig::default();
    differential_dataflow::configure(
        &mut config,
        &differential_dataflow::Config::default().idle_merge_effort(idle_merge_effort),
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
    execute_merging(config, fingerprint, Some(IDLE_MERGE_EFFORT), func)
}

/// [`execute`] with differential's idle merge effort chosen by the caller (`None`: arrangements
/// merge only when new batches arrive; see [`IDLE_MERGE_EFFORT`]).
pub fn execute_merging<T, F>(
    config: &ClusterConfig,
    fingerprint: u64,
    idle_merge_effort: Option<isize>,
    func: F,
) -> Result<Vec<T>>
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
            let results = timely::execute::execute_from(builders, others, worker_config(idle_merge_effort), logic)
                .map(|guards| guards.join());
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

/// How long one accepted connection gets to complete its handshake: a silent or slow stranger
/// is dropped after this, without holding up the other connections (each is handled apart).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The most handshakes in progress at once on a listening process: connections beyond it are
/// closed at once (a flood of strangers costs this many threads, not one per connection).
const MAX_HANDSHAKES: usize = 64;

/// What this process says about itself in the handshake.
fn claims(config: &ClusterConfig, fingerprint: u64) -> Claims {
    Claims {
        process: config.process as u64,
        workers: config.workers as u64,
        processes: config.processes as u64,
        fingerprint,
    }
}

/// Checks what an authenticated peer claims against this process's configuration: the same
/// workers, processes and job, and a valid index other than this process's. Returns its index.
fn check_claims(peer: Claims, config: &ClusterConfig, fingerprint: u64) -> Result<usize> {
    let index = peer.process;
    if peer.workers != config.workers as u64 || peer.processes != config.processes as u64 {
        return Err(Error::Cluster(format!(
            "process {index} runs {} worker(s) × {} process(es) but this one {} × {}: every process needs the same \
             --workers and --processes",
            peer.workers, peer.processes, config.workers, config.processes
        )));
    }
    if peer.fingerprint != fingerprint {
        return Err(Error::Cluster(format!(
            "process {index} runs a different job (algorithm, graph or repetitions differ)"
        )));
    }
    if index >= config.processes as u64 || index == config.process as u64 {
        return Err(Error::Cluster(format!("a peer claims the invalid process index {index}")));
    }
    Ok(index as usize)
}

/// Connects this process to every other one, within the configured deadline: it listens on its
/// own address, dials the processes with smaller indices and answers those with larger ones.
/// Every connection must prove the run's key ([`handshake`]) before it counts; an accepted
/// connection that does not (garbage, silence, an echo, another key) is closed and the process
/// goes on listening, so a stranger on the port neither ends nor delays the run. Returns one
/// stream per process (`None` at this process's index), as timely expects.
fn connect(config: &ClusterConfig, fingerprint: u64) -> Result<Vec<Option<TcpStream>>> {
    let key = config.key.clone().ok_or_else(|| {
        Error::invalid("a run of several processes needs the run's key (COSTGRAPH_CLUSTER_KEY or --key-file)")
    })?;
    let deadline = Instant::now() + config.connect_timeout;
    let me = config.process;
    let own = &config.addresses[me];
    let listener =
        TcpListener::bind(own).map_err(|e| Error::Cluster(format!("process {me} cannot listen on {own}: {e}")))?;
    listener.set_nonblocking(true).map_err(|e| Error::Cluster(format!("{own}: {e}")))?;
    let mut sockets: Vec<Option<TcpStream>> = (0..config.processes).map(|_| None).collect();
    let timeout_secs = config.connect_timeout.as_secs_f64();
    let mine = claims(config, fingerprint);

    // Answer the processes with larger indices on threads of their own, while dialling.
    let (found, arrivals) = mpsc::channel::<(TcpStream, Claims)>();
    let in_progress = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let answering = {
        let (key, stop, in_progress) = (key.clone(), Arc::clone(&stop), Arc::clone(&in_progress));
        std::thread::Builder::new()
            .name("costgraph:accept".into())
            .spawn(move || accept_peers(listener, key, mine, deadline, stop, in_progress, found))
            .map_err(|e| Error::Cluster(format!("cannot start the listening thread: {e}")))?
    };
    let result = (|| {
        for (peer, address) in config.addresses.iter().enumerate().take(me) {
            sockets[peer] = Some(dial_peer(peer, address, &key, mine, config, fingerprint, deadline)?);
        }
        let mut missing = config.processes - me - 1;
        while missing > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match arrivals.recv_timeout(left.min(Duration::from_millis(100))) {
                Ok((stream, peer)) => {
                    let index = check_claims(peer, config, fingerprint)?;
                    if index < me || sockets[index].is_some() {
                        return Err(Error::Cluster(format!("process {index} connected twice or out of order")));
                    }
                    sockets[index] = Some(stream);
                    missing -= 1;
                }
                Err(_) if Instant::now() >= deadline => {
                    let absent: Vec<String> =
                        (me + 1..config.processes).filter(|&p| sockets[p].is_none()).map(|p| p.to_string()).collect();
                    return Err(Error::Cluster(format!(
                        "process(es) {} did not connect to process {me} within {timeout_secs:.0} s",
                        absent.join(", ")
                    )));
                }
                Err(_) => {}
            }
        }
        Ok(())
    })();
    stop.store(true, Ordering::Relaxed);
    let _ = answering.join();
    result.map(|()| sockets)
}

/// The listening thread: accepts connections until `stop` or `deadline`, each handshake on a
/// thread of its own (at most [`MAX_HANDSHAKES`] at once), and sends the authenticated ones.
fn accept_peers(
    listener: TcpListener,
    key: ClusterKey,
    mine: Claims,
    deadline: Instant,
    stop: Arc<AtomicBool>,
    in_progress: Arc<AtomicUsize>,
    found: mpsc::Sender<(TcpStream, Claims)>,
) {
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        match listener.accept() {
            Ok((mut stream, from)) => {
                if in_progress.load(Ordering::Relaxed) >= MAX_HANDSHAKES {
                    continue; // dropped: closed at once
                }
                in_progress.fetch_add(1, Ordering::Relaxed);
                let (key, found, counter) = (key.clone(), found.clone(), Arc::clone(&in_progress));
                let spawned = std::thread::Builder::new().name("costgraph:handshake".into()).spawn(move || {
                    let until = deadline.min(Instant::now() + HANDSHAKE_TIMEOUT);
                    let answered = stream
                        .set_nonblocking(false)
                        .and_then(|()| stream.set_nodelay(true))
                        .and_then(|()| bound_silence(&stream))
                        .map_err(|e| Refusal::Stranger(e.to_string()))
                        .and_then(|()| handshake::answer(&mut stream, &key, mine, until));
                    match answered {
                        Ok(peer) => {
                            let _ = found.send((stream, peer));
                        }
                        Err(refusal) => eprintln!("note: dropped a connection from {from}: {refusal}"),
                    }
                    counter.fetch_sub(1, Ordering::Relaxed);
                });
                if spawned.is_err() {
                    in_progress.fetch_sub(1, Ordering::Relaxed);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Dials process `peer` at `address` until it answers with the run's key, or the deadline.
fn dial_peer(
    peer: usize,
    address: &str,
    key: &ClusterKey,
    mine: Claims,
    config: &ClusterConfig,
    fingerprint: u64,
    deadline: Instant,
) -> Result<TcpStream> {
    let addr = address
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| Error::Cluster(format!("address {address} of process {peer} does not resolve")))?;
    let timeout_secs = config.connect_timeout.as_secs_f64();
    let mut last = String::from("no answer");
    loop {
        if Instant::now() >= deadline {
            return Err(Error::Cluster(format!(
                "process {peer} at {address} did not accept a connection that proves the run's key within \
                 {timeout_secs} s ({last})"
            )));
        }
        let mut stream = match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(stream) => stream,
            Err(e) => {
                last = e.to_string();
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        stream.set_nodelay(true).map_err(|e| Error::Cluster(format!("{address}: {e}")))?;
        bound_silence(&stream).map_err(|e| Error::Cluster(format!("{address}: {e}")))?;
        let until = deadline.min(Instant::now() + HANDSHAKE_TIMEOUT);
        match handshake::dial(&mut stream, key, mine, until) {
            Ok(answer) => {
                let got = check_claims(answer, config, fingerprint)?;
                if got != peer {
                    return Err(Error::Cluster(format!(
                        "{address} answered as process {got}, expected process {peer}"
                    )));
                }
                return Ok(stream);
            }
            Err(refusal) => {
                last = refusal.to_string();
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
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
