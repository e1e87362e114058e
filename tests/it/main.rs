//! Integration tests: they run the real `costgraph` binary (ripgrep style, one test binary).
//! Each module covers one area; `common` holds the helpers.

mod common;
mod pagerank;
