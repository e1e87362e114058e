//! `costgraph key -o FILE`: a new key for the processes of a cluster to share (256 random bits as
//! 64 hex digits, in a file only its owner can read).

use std::path::PathBuf;

use costgraph::dataflow::ClusterKey;

/// Arguments of `costgraph key`.
#[derive(clap::Args)]
#[command(after_help = "Copy FILE to every machine of the cluster and give `--key-file FILE` to every `run`.")]
pub struct Args {
    /// Where to write the key (a new file, mode 0600; an existing file is not replaced).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

/// Runs `costgraph key`.
pub fn run(args: Args) -> anyhow::Result<()> {
    ClusterKey::generate()?.write_file(&args.output)?;
    eprintln!("wrote a new cluster key to {} (readable by you only)", args.output.display());
    Ok(())
}
