//! `costgraph list`: the registry of implementations.

use costgraph::registry;
use serde_json::json;

/// Arguments of `costgraph list`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `costgraph list`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.json {
        let list: Vec<_> = registry::all()
            .iter()
            .map(|i| {
                json!({"problem": i.problem.name(), "name": i.name, "kind": i.kind.name(), "description": i.description})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    println!("{:<9} {:<20} {:<14} description", "problem", "name", "kind");
    for i in registry::all() {
        println!("{:<9} {:<20} {:<14} {}", i.problem.name(), i.name, i.kind.name(), i.description);
    }
    Ok(())
}
