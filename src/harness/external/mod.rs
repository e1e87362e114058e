//! External systems in the sweep: any command — the user's own system, a GBBS or gapbs binary, a
//! Spark job — measured and verified like a built-in implementation, and marked `external` in
//! every table, plot and COST figure.
//!
//! An [`ExternalSpec`] (JSON, inline or in a file; one object or an array) names the system, its
//! problem, a command template and how to read its output:
//!
//! ```json
//! { "name": "gapbs-cc", "problem": "cc", "format": "el", "cores": [1, 2],
//!   "command": "OMP_NUM_THREADS={threads} ./cc -f {graph} -n 1",
//!   "time": { "regex": "Trial Time:\\s+([0-9.]+)" },
//!   "answer": { "components": { "regex": "(\\d+) components" } } }
//! ```
//!
//! - `command` runs under `/bin/sh -c` with `{graph}` (the graph in `format`: `el`, `wel` or
//!   `cgr`, written once into a cache and re-used), `{threads}` / `{workers}` / `{cores}` (the
//!   core count of the configuration), `{nodes}` (the node count: an edge list does not name
//!   isolated nodes, which count as components) and `{labels}` (a file the command writes) replaced;
//! - `time`: `{"regex": R}` (every match of R's first group, in seconds, is one sample — so a tool
//!   that runs several trials gives several), or `{"json": "a.b"}` (a number or an array of numbers
//!   at that path of the JSON it prints); omitted: the whole process's wall-clock time;
//! - `answer` (required — every output is verified against the baseline): `{"components": X}` or
//!   `{"weight": X}` (X a regex or JSON extraction as above; compared with the baseline's component
//!   count or forest weight), or `"labels"`: the command writes one component label per node, one
//!   per line, to `{labels}`, and the partition must equal the baseline's exactly;
//! - `cores`: the core counts to run (default: the sweep's).
//!
//! Each invocation is one process; the sweep's warm-up invocations run first, uncounted. costgraph
//! cannot tell whether an external program changed, so `--resume` re-uses its records whenever its
//! spec, the graph and costgraph itself are unchanged.

mod command;
mod configure;
mod spec;

pub use command::ExternalCommand;
pub use configure::input_file;
pub use spec::{Answer, ExternalSpec, Extract, InputFormat};
