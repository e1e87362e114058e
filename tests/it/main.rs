//! Integration tests, in one test binary (ripgrep style): most run the real `costgraph` binary;
//! `cc`, `msf` and `fuzz` call the library (every registered implementation against the oracles,
//! corrupt inputs at random). Each module covers one area; `common` holds the helpers.

mod algorithms;
mod cc;
mod common;
mod cost;
mod datasets;
mod fuzz;
mod generate;
mod hostile;
mod layers;
mod machines;
mod malformed;
mod msf;
mod netns;
mod outofcore;
mod pagerank;
mod real_graphs;
mod results;
mod roundtrip;
mod shards;
mod strangers;
mod timely;
mod updates;
