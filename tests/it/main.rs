//! Integration tests: they run the real `costgraph` binary (ripgrep style, one test binary).
//! Each module covers one area; `common` holds the helpers.

mod algorithms;
mod common;
mod cost;
mod datasets;
mod generate;
mod hostile;
mod malformed;
mod netns;
mod outofcore;
mod pagerank;
mod real_graphs;
mod roundtrip;
mod shards;
mod timely;
mod updates;
