//! Distributed implementations on timely dataflow: label propagation and union-find-and-merge
//! connected components, Borůvka minimum spanning forest, PageRank. They run on `W` worker threads in each
//! of `P` processes, on one machine or several, and return the same result types as the local
//! implementations so that the same verifiers and oracle tests apply.
//!
//! - [`Context`] — what a worker sees while it runs an algorithm; [`run`] — one job on this
//!   process's workers;
//! - [`config`] — the cluster (workers, processes, addresses), validated before anything starts;
//! - [`cluster`] — connections with a deadline and bounded failure (never a hang), each proving
//!   the run's [`key`] in a [`handshake`];
//! - [`scheduler`] — a process's place from Slurm, Open MPI or PMI variables;
//! - [`partition`] — each worker's share of the mapped graph (no central loader);
//! - [`exchange`] — the bulk-synchronous channel all algorithms communicate through;
//! - [`local`] — a worker's graph in its own numbering (own nodes, then ghosts);
//! - [`result`] — each worker's share of the result gathered, summarised by reductions, or
//!   written per worker and checked in parts, as the job asks ([`Context::finish`]);
//! - [`label_prop`], [`union_find`], [`boruvka`], [`pagerank`] — the algorithms;
//! - [`differential`] — connected components on differential dataflow, static (`differential-cc`)
//!   and kept current under batches of edge changes.
//!
//! [`run`] executes one job (graph, algorithm, repetitions) on this process's workers: either
//! every process maps the same `.cgr` file and every worker takes its share of it, or each
//! process opens only its own shard (`costgraph shard`, [`crate::io::shard`]) and its workers
//! split the shard's nodes. Either way a worker sees its nodes through one [`Shard`](crate::graph::Shard) (a whole
//! file is the one shard of itself), and worker 0 returns the timed result: gathered only when
//! the job asks for it, otherwise its summary and digest ([`result`]).

pub mod boruvka;
pub mod cluster;
pub mod config;
mod context;
pub mod differential;
pub mod exchange;
mod ghost_index;
pub mod handshake;
pub mod id_table;
mod ids;
mod job;
pub mod key;
pub mod label_prop;
pub mod local;
mod owned;
pub mod pagerank;
pub mod partition;
pub mod result;
pub mod scheduler;
pub mod union_find;

pub use cluster::Abort;
pub use config::ClusterConfig;
pub use context::{Algorithm, Context};
pub use exchange::{Channel, Chunk, Counters};
pub(crate) use ids::{IdHasher, IdMap};
pub use job::{Job, Report, run};
pub use key::ClusterKey;
pub use partition::{Partition, Share, Strategy};
pub use result::{Deliver, Outcome, Part};
