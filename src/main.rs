//! The `costgraph` command line. See `costgraph --help`; each subcommand lives in `src/cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    cli::main()
}

/// Rust ignores SIGPIPE, so `costgraph list | head` would make `println!` panic on the closed pipe.
/// A command-line tool should instead end quietly, as `cat` does: restore the default action.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at the start of `main`, before any thread exists; setting a signal's
    // disposition to SIG_DFL has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
