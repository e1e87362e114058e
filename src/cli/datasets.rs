//! `costgraph datasets list|fetch|verify`: the catalog of public graphs and the local cache.

use std::path::PathBuf;

use anyhow::{Context, bail};
use costgraph::harness::capacity::human_bytes;
use costgraph::harness::datasets::{self, Catalog, Check};

/// Arguments of `costgraph datasets`.
#[derive(clap::Args)]
pub struct Args {
    /// Cache folder (default: $COSTGRAPH_CACHE, else datasets/cache).
    #[arg(long, global = true, value_name = "DIR")]
    cache: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// List the catalog and what is cached.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Download a dataset (checksum verified) into the cache and convert it to .cgr.
    Fetch {
        /// The dataset's name (see `costgraph datasets list`).
        name: String,
        /// Fetch URL-BASE/FILE instead of the published URL: an http:// URL or a local folder
        /// (e.g. ../shared/datasets for the shared graphs).
        #[arg(long, value_name = "URL-OR-FOLDER")]
        url_base: Option<String>,
        /// Only download and verify; do not convert to .cgr.
        #[arg(long)]
        no_convert: bool,
    },
    /// Re-check the checksums of the cached downloads.
    Verify,
}

/// Runs `costgraph datasets`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let catalog = Catalog::embedded()?;
    let cache = datasets::cache_dir(args.cache.as_deref());
    match args.command {
        Command::List { json } => list(&catalog, &cache, json),
        Command::Fetch { name, url_base, no_convert } => {
            fetch(catalog.find(&name)?, &cache, url_base.as_deref(), !no_convert)
        }
        Command::Verify => verify(&catalog, &cache),
    }
}

fn count(n: Option<u64>) -> String {
    n.map_or("?".into(), |n| n.to_string())
}

fn list(catalog: &Catalog, cache: &std::path::Path, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&catalog.datasets)?);
        return Ok(());
    }
    println!(
        "{:<24} {:<10} {:<7} {:>11} {:>12} {:>10} {:<8} cached",
        "name", "collection", "where", "nodes", "edges", "size", "sha256"
    );
    for d in &catalog.datasets {
        let cached = d.cached_path(cache).is_ok_and(|p| p.is_file());
        println!(
            "{:<24} {:<10} {:<7} {:>11} {:>12} {:>10} {:<8} {}",
            d.name,
            d.collection,
            d.location,
            count(d.nodes),
            count(d.edges),
            d.bytes.map_or("?".into(), human_bytes),
            if d.sha256.is_some() { "known" } else { "none" },
            if cached { "yes" } else { "" }
        );
    }
    println!("cache: {}", cache.display());
    Ok(())
}

fn fetch(
    dataset: &datasets::Dataset,
    cache: &std::path::Path,
    url_base: Option<&str>,
    convert: bool,
) -> anyhow::Result<()> {
    let source = dataset.source(url_base)?;
    eprintln!("fetching {} from {source}", dataset.name);
    let bar = costgraph::progress::bar(dataset.bytes.unwrap_or(0), &format!("downloading {}", dataset.name), true);
    let (path, sha) = datasets::fetch(dataset, cache, &source, &mut |done, total| {
        if let Some(total) = total {
            bar.set_length(total);
        }
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    match &dataset.sha256 {
        Some(_) => println!("{}: sha256 {sha} verified", path.display()),
        None => println!(
            "{}: sha256 {sha} (the catalog has no published checksum to compare with: {})",
            path.display(),
            dataset.sha256_source
        ),
    }
    if convert {
        let cgr = datasets::convert(dataset, cache).with_context(|| {
            format!("converting {} to .cgr failed (the verified download is kept at {})", dataset.name, path.display())
        })?;
        println!("{}: converted", cgr.display());
    }
    Ok(())
}

fn verify(catalog: &Catalog, cache: &std::path::Path) -> anyhow::Result<()> {
    let mut bad = Vec::new();
    let mut seen = 0;
    for d in &catalog.datasets {
        let check = datasets::verify(d, cache)?;
        let line = match &check {
            Check::Missing => continue,
            Check::Ok => "ok".to_string(),
            Check::Mismatch { actual } => format!("MISMATCH (sha256 {actual})"),
            Check::Unverifiable { actual } => format!("no published checksum (sha256 {actual})"),
        };
        seen += 1;
        println!("{:<24} {line}", d.name);
        if matches!(check, Check::Mismatch { .. }) {
            bad.push(d.name.clone());
        }
    }
    if seen == 0 {
        println!("nothing cached in {}", cache.display());
    }
    if !bad.is_empty() {
        bail!("{} cached download(s) do not match the catalog: {}", bad.len(), bad.join(", "));
    }
    Ok(())
}
