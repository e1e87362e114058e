//! The `costgraph` command line. See `costgraph --help`; each subcommand lives in `src/cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
