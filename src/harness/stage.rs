//! Staging a multi-machine sweep (`cost --stage DIR`): the costgraph binary and, for every machine
//! count `M`, each machine's shard of the graph cut `M` ways, copied to the machines through the
//! copy template (`scp {src} {host}:{dst}` by default), so that no machine needs the whole graph
//! or a shared file system. Every launched process then checks the SHA-256 of its binary and of
//! its shard against the sweep's before it starts.
//!
//! On every machine: `DIR/costgraph-<sha>` (the binary) and `DIR/<graph>-M/` (the manifest and
//! the parts that machine may serve), `<graph>` the first 12 digits of the graph's SHA-256; with
//! `--replicas R`, part `i` of an `M`-way cut is on the `R` machines `i, i + 1, …` (modulo the
//! machines listed), so that another can serve it when its machine is lost; a problem checked by
//! its verifier also has the whole graph, `DIR/<graph>.cgr`, on the machines that may serve
//! process 0. Shard sets are cut once per machine count into the sweep's folder and re-used by
//! later sweeps when every file still has the SHA-256 its manifest records.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::child::{Capture, Input, spawn};
use super::hosts::Host;
use super::launch::Launch;
use super::plan::{staged_cut, staged_graph, staged_prefix};
use super::template::{Placeholder, Template, plain_word, value};
use crate::graph::Budget;
use crate::io::checksum::sha256_file;
use crate::io::shard::{self, MANIFEST, Manifest};
use crate::{Error, Result};

/// The placeholders of a copy template.
pub const COPY_PLACEHOLDERS: [Placeholder; 3] = [value("src"), value("host"), value("dst")];

/// The copy template used when none is given.
pub const DEFAULT_COPY: &str = "scp -q -o BatchMode=yes {src} {host}:{dst}";

/// One shard set as staged: where it is on the machines and what its files must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedCut {
    /// The folder on every machine.
    pub dir: PathBuf,
    /// The manifest's SHA-256.
    pub manifest_sha256: String,
    /// Each part's file name and SHA-256.
    pub parts: Vec<(String, String)>,
}

/// What a staged sweep put on the machines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    /// The binary on every machine.
    pub exe: String,
    /// The prefix of the cuts' folders on every machine (`DIR/<graph>`; a cut's is `PREFIX-M`).
    pub prefix: PathBuf,
    /// Its SHA-256.
    pub binary_sha256: String,
    /// The whole graph, where staged (for process 0's verifier), and its SHA-256.
    pub graph: Option<(PathBuf, String)>,
    /// One cut per machine count: `(M, cut)`.
    pub cuts: Vec<(usize, StagedCut)>,
    /// The replicas of every part.
    pub replicas: usize,
}

impl Staged {
    /// The cut for `machines` machines.
    pub fn cut(&self, machines: usize) -> Option<&StagedCut> {
        self.cuts.iter().find(|(m, _)| *m == machines).map(|(_, c)| c)
    }

    /// Whether host number `host` of `hosts` holds part `part` of an `M`-way cut.
    pub fn holds(&self, host: usize, hosts: usize, part: usize) -> bool {
        holders(part, self.replicas, hosts).contains(&host)
    }
}

/// The hosts (indices into the hosts file's `hosts` lines) that hold part `part`: `part`,
/// `part + 1`, … `replicas` of them, modulo `hosts`.
pub fn holders(part: usize, replicas: usize, hosts: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for k in 0..replicas.max(1) {
        let h = (part + k) % hosts.max(1);
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// What staging needs to know.
pub struct StagePlan<'a> {
    /// The machines.
    pub hosts: &'a [Host],
    /// The folder on every machine.
    pub dir: &'a Path,
    /// The copy template (text).
    pub copy: Option<&'a str>,
    /// How commands run on the machines (for `mkdir`).
    pub launch: &'a Launch,
    /// This costgraph executable and its SHA-256.
    pub exe: &'a Path,
    /// Its SHA-256.
    pub exe_sha256: &'a str,
    /// The graph and its SHA-256.
    pub graph: &'a Path,
    /// The graph's SHA-256.
    pub graph_sha256: &'a str,
    /// Machine counts to cut for.
    pub machines: &'a [usize],
    /// Replicas of every part.
    pub replicas: usize,
    /// Whether process 0 needs the whole graph (a problem checked by its verifier).
    pub whole_graph: bool,
    /// Where the cuts are made on this machine (the sweep's folder).
    pub local: &'a Path,
    /// The time limit of each copy.
    pub timeout: Duration,
}

/// Where the costgraph binary of SHA-256 `sha256` is staged in `dir`: `DIR/costgraph-<sha>`.
pub fn staged_exe(dir: &Path, sha256: &str) -> String {
    format!("{}/costgraph-{}", dir.display(), &sha256[..sha256.len().min(12)])
}

/// Stages everything `plan` asks for, saying what it does through `note`.
pub fn stage(plan: &StagePlan<'_>, note: &mut dyn FnMut(&str)) -> Result<Staged> {
    let dir_text = plan.dir.display().to_string();
    if !plain_word(&dir_text) || !plan.dir.is_absolute() {
        return Err(Error::invalid(format!(
            "--stage {dir_text}: the folder on the machines must be an absolute path of letters, digits and - _ . / \
             : @ + , = (it is passed to the machines' shells)"
        )));
    }
    let copy = Template::parse(plan.copy.unwrap_or(DEFAULT_COPY), &COPY_PLACEHOLDERS, &["src", "dst"], "--copy")?;
    let exe = staged_exe(plan.dir, plan.exe_sha256);
    let prefix = staged_prefix(plan.dir, plan.graph_sha256);
    let mut cuts = Vec::new();
    // Every folder on every machine first.
    let mut folders: Vec<String> = vec![dir_text.clone()];
    folders.extend(plan.machines.iter().map(|m| staged_cut(&prefix, *m).display().to_string()));
    for host in plan.hosts {
        remote(plan.launch, &host.name, &format!("mkdir -p {}", folders.join(" ")), plan.timeout)?;
    }
    note(&format!("staging the costgraph binary on {} machine(s) as {exe}", plan.hosts.len()));
    for host in plan.hosts {
        copy_file(&copy, host, plan.exe, Path::new(&exe), plan.timeout)?;
        remote(plan.launch, &host.name, &format!("chmod 755 {exe}"), plan.timeout)?;
    }
    let whole = staged_graph(&prefix);
    let graph = if plan.whole_graph {
        let serving_zero: BTreeSet<usize> = holders(0, plan.replicas, plan.hosts.len()).into_iter().collect();
        for &h in &serving_zero {
            copy_file(&copy, &plan.hosts[h], plan.graph, &whole, plan.timeout)?;
        }
        Some((whole, plan.graph_sha256.to_string()))
    } else {
        None
    };
    for &machines in plan.machines {
        let local = plan.local.join(format!("{}-{machines}", &plan.graph_sha256[..12]));
        let manifest = cut(plan.graph, plan.graph_sha256, machines, &local)?;
        let remote_dir = staged_cut(&prefix, machines);
        note(&format!("staging the graph cut {machines} way(s) in {}", remote_dir.display()));
        let manifest_path = local.join(MANIFEST);
        for (h, host) in plan.hosts.iter().enumerate() {
            let parts: Vec<usize> =
                (0..machines).filter(|&i| holders(i, plan.replicas, plan.hosts.len()).contains(&h)).collect();
            if parts.is_empty() {
                continue;
            }
            copy_file(&copy, host, &manifest_path, &remote_dir.join(MANIFEST), plan.timeout)?;
            for i in parts {
                let file = &manifest.shards[i].file;
                copy_file(&copy, host, &local.join(file), &remote_dir.join(file), plan.timeout)?;
            }
        }
        cuts.push((
            machines,
            StagedCut {
                dir: remote_dir,
                manifest_sha256: sha256_file(&manifest_path)?,
                parts: manifest.shards.iter().map(|s| (s.file.clone(), s.sha256.clone())).collect(),
            },
        ));
    }
    Ok(Staged { exe, prefix, binary_sha256: plan.exe_sha256.to_string(), graph, cuts, replicas: plan.replicas })
}

/// The `machines`-way cut of `graph` in `local`: re-used when its manifest is of this graph and
/// every part still has the SHA-256 the manifest records, cut anew otherwise.
fn cut(graph: &Path, graph_sha256: &str, machines: usize, local: &Path) -> Result<Manifest> {
    if let Ok(manifest) = shard::read_manifest(local)
        && manifest.graph_sha256 == graph_sha256
        && manifest.parts == machines
        && manifest.shards.iter().all(|s| sha256_file(&local.join(&s.file)).is_ok_and(|sha| sha == s.sha256))
    {
        return Ok(manifest);
    }
    Ok(shard::write_shards(graph, machines, local, &Budget::default())?)
}

/// Runs `command` (plain words) on `host` through the launch template, at most `timeout`.
fn remote(launch: &Launch, host: &str, command: &str, timeout: Duration) -> Result<()> {
    let Launch::Template { template, .. } = launch else {
        return Err(Error::invalid("staging needs machines reached through a launch template"));
    };
    let cmd = template.command(&[("host", host), ("command", command)])?;
    let what = template.display(&[("host", host), ("command", command)]);
    spawn(cmd, Input::Null, &Capture::tail(64 << 10), &what)
        .and_then(|s| s.finish(timeout))
        .map(drop)
        .map_err(|f| Error::invalid(format!("host {host}: `{what}` failed: {f}")))
}

/// Copies `src` to `dst` on `host` with the copy template, at most `timeout`.
fn copy_file(copy: &Template, host: &Host, src: &Path, dst: &Path, timeout: Duration) -> Result<()> {
    let (src, dst) = (src.display().to_string(), dst.display().to_string());
    let values = [("src", src.as_str()), ("host", host.name.as_str()), ("dst", dst.as_str())];
    let what = copy.display(&values);
    spawn(copy.command(&values)?, Input::Null, &Capture::tail(64 << 10), &what)
        .and_then(|s| s.finish(timeout))
        .map(drop)
        .map_err(|f| Error::invalid(format!("host {}: copying with `{what}` failed: {f}", host.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_follow_each_part_around_the_hosts() {
        assert_eq!(holders(0, 1, 3), [0]);
        assert_eq!(holders(2, 2, 3), [2, 0]);
        assert_eq!(holders(1, 5, 2), [1, 0]);
    }
}
