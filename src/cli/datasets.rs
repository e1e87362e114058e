//! `costgraph datasets list|fetch|verify`: the catalog of public graphs, its lock file and the
//! local cache.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use costgraph::harness::datasets::{self, Catalog, Check, Dataset, FetchOptions, Form, Lock, Verified};
use costgraph::harness::http::{self, ClientOptions, Progress};
use costgraph::units::human_bytes;

/// Arguments of `costgraph datasets`.
#[derive(clap::Args)]
pub struct Args {
    /// Cache folder (default: $COSTGRAPH_CACHE, else datasets/cache).
    #[arg(long, global = true, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Lock file with the size and SHA-256 of files whose host publishes no checksum (default:
    /// $COSTGRAPH_LOCK, else datasets/catalog.lock.json).
    #[arg(long, global = true, value_name = "FILE")]
    lock: Option<PathBuf>,
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
    /// Download datasets' files into the cache (resumable; each verified against the published
    /// checksum or the lock file before it enters the cache), and with --convert turn each into a
    /// ready .cgr.
    Fetch(FetchArgs),
    /// Re-check the checksums of the cached downloads.
    Verify,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["names", "small"])))]
struct FetchArgs {
    /// The datasets' names (see `costgraph datasets list`).
    names: Vec<String>,
    /// Every small real graph the tests read (the catalog's `shared` entries); those without a
    /// public file costgraph reads are skipped with a note unless --url-base is given.
    #[arg(long)]
    small: bool,
    /// Fetch URL-BASE/PATH instead of the owners' files: a URL or a local folder (e.g. the
    /// folder $COSTGRAPH_DATASETS names, for the small graphs as the team keeps them).
    #[arg(long, value_name = "URL-OR-FOLDER")]
    url_base: Option<String>,
    /// Then convert it to CACHE/NAME/NAME.cgr, exactly as `costgraph convert` does (arguments
    /// after `--` go to convert, e.g. `-- --order hilbert`).
    #[arg(long)]
    convert: bool,
    /// Trust the CA certificates in this PEM file instead of the built-in Mozilla roots (a test
    /// server, a TLS-inspecting proxy); default $COSTGRAPH_CA_CERT.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Accept files that differ from the lock file's record, and record the new ones.
    #[arg(long)]
    update_lock: bool,
    /// Seconds to wait for a connection, or for more bytes, before the transfer counts as broken.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,
    /// How many times a broken, stalled or truncated transfer is resumed before giving up.
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,
    /// The slowest transfer accepted (bytes per second, e.g. 16K): past --timeout, a transfer must
    /// keep up this rate, or it is broken off (and resumed).
    #[arg(long, value_name = "RATE", default_value = "16K", value_parser = costgraph::graph::budget::parse_size)]
    min_rate: u64,
    /// Arguments for the conversion (after `--`).
    #[arg(last = true, value_name = "CONVERT-ARGS")]
    convert_args: Vec<String>,
}

/// Runs `costgraph datasets`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let catalog = Catalog::embedded()?;
    let cache = datasets::cache_dir(args.cache.as_deref());
    let lock = datasets::lock_path(args.lock.as_deref());
    match args.command {
        Command::List { json } => list(&catalog, &cache, &lock, json),
        Command::Fetch(fetch_args) => fetch(&catalog, &cache, &lock, fetch_args),
        Command::Verify => verify(&catalog, &cache, &lock),
    }
}

fn count(n: Option<u64>) -> String {
    n.map_or("?".into(), |n| n.to_string())
}

fn list(catalog: &Catalog, cache: &Path, lock_path: &Path, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&catalog.datasets)?);
        return Ok(());
    }
    let lock = Lock::load(lock_path)?;
    println!(
        "{:<24} {:<10} {:<7} {:>11} {:>12} {:>10} {:<9} cached",
        "name", "collection", "where", "nodes", "edges", "size", "sha256"
    );
    for d in &catalog.datasets {
        // What a fetch without --url-base brings (the path form where there is no public one).
        let forms: Vec<Form> = d.files.iter().map(|f| f.public_form().unwrap_or_else(|| f.path_form(""))).collect();
        let bytes: Option<u64> =
            forms.iter().map(|f| f.bytes.or_else(|| lock.get(&d.name, &f.name).map(|l| l.bytes))).sum();
        let sha = if forms.is_empty() {
            ""
        } else if forms.iter().all(|f| f.sha256.is_some()) {
            "published"
        } else if forms.iter().all(|f| f.sha256.is_some() || lock.get(&d.name, &f.name).is_some()) {
            "locked"
        } else {
            "none"
        };
        println!(
            "{:<24} {:<10} {:<7} {:>11} {:>12} {:>10} {:<9} {}",
            d.name,
            d.collection,
            d.location,
            count(d.nodes),
            count(d.edges),
            bytes.map_or("?".into(), human_bytes),
            sha,
            if d.is_cached(cache) { "yes" } else { "" }
        );
    }
    println!("cache: {}   lock file: {}", cache.display(), lock_path.display());
    Ok(())
}

fn fetch(catalog: &Catalog, cache: &Path, lock: &Path, args: FetchArgs) -> anyhow::Result<()> {
    if !args.convert && !args.convert_args.is_empty() {
        bail!("arguments after -- are for the conversion: add --convert");
    }
    anyhow::ensure!(args.timeout >= 1, "--timeout must be at least 1 second");
    let mut chosen: Vec<&Dataset> = Vec::new();
    for name in &args.names {
        let d = catalog.find(name)?;
        if !chosen.iter().any(|c| c.name == d.name) {
            chosen.push(d);
        }
    }
    if args.small {
        for d in catalog.datasets.iter().filter(|d| d.is_small()) {
            if args.url_base.is_none()
                && let Some(why) = d.files.iter().find_map(|f| d.form(f, None).err())
            {
                eprintln!("note: skipping {}: {why}", d.name);
                continue;
            }
            chosen.push(d);
        }
    }
    let ca_cert = args.ca_cert.clone().or_else(|| std::env::var_os("COSTGRAPH_CA_CERT").map(PathBuf::from));
    let client = http::Client::new(&ClientOptions {
        ca_cert,
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
        min_rate: args.min_rate.max(1),
    })?;
    let options =
        FetchOptions { url_base: args.url_base.as_deref(), client: &client, lock, update_lock: args.update_lock };
    if let [dataset] = chosen[..] {
        return fetch_one(dataset, cache, &options, &args);
    }
    // Several: each one's failure is reported and the others go on.
    let mut failed = Vec::new();
    for dataset in &chosen {
        if let Err(e) = fetch_one(dataset, cache, &options, &args) {
            eprintln!("{}: not fetched: {e:#}", dataset.name);
            failed.push(dataset.name.as_str());
        }
    }
    if !failed.is_empty() {
        bail!("{} of {} datasets were not fetched (see above): {}", failed.len(), chosen.len(), failed.join(", "));
    }
    Ok(())
}

/// Fetches one dataset (and converts it with --convert), printing each file's checksum.
fn fetch_one(dataset: &Dataset, cache: &Path, options: &FetchOptions, args: &FetchArgs) -> anyhow::Result<()> {
    let mut bar = None;
    let fetched = datasets::fetch(dataset, cache, options, &mut |name, progress| match progress {
        Progress::Started { offset, total } => {
            let b = costgraph::progress::bar(total.unwrap_or(0), &format!("downloading {name}"), true);
            b.set_position(offset);
            if offset > 0 {
                eprintln!("{name}: resuming at byte {offset}");
            }
            if let Some(old) = bar.replace(b) {
                old.finish_and_clear();
            }
        }
        Progress::Bytes(done) => {
            if let Some(b) = &bar {
                b.set_position(done);
            }
        }
        Progress::Retrying { reason } => eprintln!("{name}: {reason}; trying again"),
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let fetched = fetched?;
    for f in &fetched {
        let how = match f.verified {
            Verified::Published => "verified against the published checksum",
            Verified::Locked => "verified against the lock file",
            Verified::Recorded => "no published checksum: recorded in the lock file",
            Verified::Updated => "differed from the lock file: record replaced (--update-lock)",
        };
        let was = if f.downloaded { "" } else { " (already cached)" };
        println!("{}: {} bytes, sha256 {}, {how}{was}", f.path.display(), f.bytes, f.sha256);
    }
    let converted = dataset.cgr_path(cache);
    if args.convert && args.convert_args.is_empty() && !fetched.iter().any(|f| f.downloaded) && converted.is_file() {
        // Written atomically after the files it comes from: nothing changed since.
        println!(
            "{}: ready (already converted; delete it, or pass convert arguments after --, to convert again)",
            converted.display()
        );
    } else if args.convert {
        convert(dataset, &fetched[0].path, &converted, &args.convert_args)?;
    }
    Ok(())
}

/// The command line of `costgraph convert`, parsed by its own argument definitions.
#[derive(Parser)]
#[command(name = "costgraph convert")]
struct ConvertLine {
    #[command(flatten)]
    args: super::convert::Args,
}

/// Converts `input`, the first cached file of `dataset`, to `output` through `costgraph convert`
/// itself (so the same readers, memory budget and atomic write apply).
fn convert(dataset: &Dataset, input: &Path, output: &Path, extra: &[String]) -> anyhow::Result<()> {
    let mut argv: Vec<String> = vec!["costgraph convert".into(), input.display().to_string()];
    argv.extend(["-o".into(), output.display().to_string()]);
    if let Some(format) = dataset.format {
        argv.extend(["--format".into(), format.name().into()]);
    }
    argv.push(if dataset.directed { "--directed" } else { "--undirected" }.into());
    argv.extend(extra.iter().cloned());
    let line = ConvertLine::try_parse_from(&argv).map_err(|e| {
        let message = e.to_string();
        anyhow::anyhow!(
            "convert arguments: {}",
            message.lines().next().unwrap_or_default().trim_start_matches("error: ")
        )
    })?;
    eprintln!("converting: {}", argv.join(" "));
    super::convert::run(line.args).with_context(|| {
        format!("converting {} to .cgr failed (the verified download is kept at {})", dataset.name, input.display())
    })?;
    println!("{}: ready", output.display());
    Ok(())
}

fn verify(catalog: &Catalog, cache: &Path, lock_path: &Path) -> anyhow::Result<()> {
    let lock = Lock::load(lock_path)?;
    let mut bad = Vec::new();
    let mut seen = 0;
    for d in &catalog.datasets {
        for (file, check) in datasets::verify(d, cache, &lock)? {
            let line = match &check {
                Check::Missing => continue,
                Check::Ok => "ok".to_string(),
                Check::Locked => "ok (lock file)".to_string(),
                Check::Mismatch { actual } => format!("MISMATCH (sha256 {actual})"),
                Check::Unverifiable { actual } => format!("no published or locked checksum (sha256 {actual})"),
            };
            seen += 1;
            println!("{:<24} {:<32} {line}", d.name, file);
            if matches!(check, Check::Mismatch { .. }) {
                bad.push(format!("{}/{file}", d.name));
            }
        }
    }
    if seen == 0 {
        println!("nothing cached in {}", cache.display());
    }
    if !bad.is_empty() {
        bail!("{} cached file(s) do not match the catalog or the lock file: {}", bad.len(), bad.join(", "));
    }
    Ok(())
}
