//! Where a process of a cluster learns its place when a scheduler started it: its index, the
//! number of processes and everyone's address, from the variables Slurm, Open MPI and PMI
//! (MPICH's Hydra) set, so that `srun -N 4 costgraph run ...` needs no hostfile.
//!
//! - **Slurm** (`srun`): `SLURM_PROCID`, `SLURM_NTASKS`, the nodes in `SLURM_STEP_NODELIST` (or
//!   `SLURM_JOB_NODELIST`) in Slurm's hostlist syntax (`node[01-04,07]`, [`expand_hostlist`]) and
//!   the tasks per node in `SLURM_STEP_TASKS_PER_NODE` (`2(x3),1`); tasks are placed block by block
//!   (Slurm's default), task `i` listening on its node at `port + its local index`.
//! - **Open MPI** (`OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_LOCAL_SIZE`) and
//!   **PMI** (`PMI_RANK`, `PMI_SIZE`, `MPI_LOCALNRANKS`): the rank and size; neither names the
//!   other hosts, so when every rank runs on this host (local size = size) they listen on
//!   `127.0.0.1:port + rank`, and otherwise the hosts come from `--hostfile`.

use crate::{Error, Result};

/// A process's place in a cluster a scheduler started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The scheduler that said so: `slurm`, `open-mpi` or `pmi`.
    pub scheduler: &'static str,
    /// This process's index.
    pub process: usize,
    /// The number of processes.
    pub processes: usize,
    /// Every process's `host:port`, when the scheduler names the hosts (`None`: a hostfile must).
    pub addresses: Option<Vec<String>>,
}

/// The placement the environment describes (`var` reads a variable), or `None` when no scheduler
/// started this process. `port` is the first port on each host.
pub fn placement(var: &dyn Fn(&str) -> Option<String>, port: u16) -> Result<Option<Placement>> {
    let number = |name: &str| -> Result<Option<usize>> {
        match var(name) {
            None => Ok(None),
            Some(text) => {
                text.trim().parse().map(Some).map_err(|_| Error::invalid(format!("{name}={text:?} is not a number")))
            }
        }
    };
    let found = if let (Some(process), Some(processes)) = (number("SLURM_PROCID")?, number("SLURM_NTASKS")?) {
        let nodes = var("SLURM_STEP_NODELIST").or_else(|| var("SLURM_JOB_NODELIST")).ok_or_else(|| {
            Error::invalid("SLURM_PROCID is set but neither SLURM_STEP_NODELIST nor SLURM_JOB_NODELIST names the nodes")
        })?;
        let hosts = expand_hostlist(&nodes).map_err(|e| Error::invalid(format!("SLURM_STEP_NODELIST: {e}")))?;
        let per_node = match var("SLURM_STEP_TASKS_PER_NODE").or_else(|| var("SLURM_TASKS_PER_NODE")) {
            Some(text) => {
                tasks_per_node(&text).map_err(|e| Error::invalid(format!("SLURM_STEP_TASKS_PER_NODE: {e}")))?
            }
            None => vec![processes.div_ceil(hosts.len().max(1)); hosts.len()],
        };
        let addresses = block_addresses(&hosts, &per_node, processes, port)?;
        Some(Placement { scheduler: "slurm", process, processes, addresses: Some(addresses) })
    } else if let (Some(process), Some(processes)) = (number("OMPI_COMM_WORLD_RANK")?, number("OMPI_COMM_WORLD_SIZE")?)
    {
        let all_here = number("OMPI_COMM_WORLD_LOCAL_SIZE")? == Some(processes);
        Some(Placement {
            scheduler: "open-mpi",
            process,
            processes,
            addresses: all_here.then(|| local(processes, port)),
        })
    } else if let (Some(process), Some(processes)) = (number("PMI_RANK")?, number("PMI_SIZE")?) {
        let all_here = number("MPI_LOCALNRANKS")? == Some(processes);
        Some(Placement { scheduler: "pmi", process, processes, addresses: all_here.then(|| local(processes, port)) })
    } else {
        None
    };
    if let Some(p) = &found
        && (p.processes == 0 || p.process >= p.processes)
    {
        return Err(Error::invalid(format!(
            "{}: process {} of {} is out of range",
            p.scheduler, p.process, p.processes
        )));
    }
    Ok(found)
}

/// `127.0.0.1:port + i` for `processes` processes.
fn local(processes: usize, port: u16) -> Vec<String> {
    (0..processes).map(|i| format!("127.0.0.1:{}", port as usize + i)).collect()
}

/// Task `i`'s address when tasks fill `hosts` block by block, `per_node[h]` on host `h`.
fn block_addresses(hosts: &[String], per_node: &[usize], processes: usize, port: u16) -> Result<Vec<String>> {
    if per_node.len() != hosts.len() {
        return Err(Error::invalid(format!("{} nodes but tasks given for {}", hosts.len(), per_node.len())));
    }
    let mut out = Vec::with_capacity(processes);
    for (host, &count) in hosts.iter().zip(per_node) {
        for local in 0..count {
            let p = port as usize + local;
            if p > u16::MAX as usize {
                return Err(Error::invalid(format!("{count} tasks on {host} need ports beyond {}", u16::MAX)));
            }
            out.push(format!("{host}:{p}"));
        }
    }
    if out.len() != processes {
        return Err(Error::invalid(format!("the nodes hold {} tasks, not the {processes} of the step", out.len())));
    }
    Ok(out)
}

/// Slurm's tasks per node: `2(x3),1` is 2, 2, 2, 1.
pub fn tasks_per_node(text: &str) -> std::result::Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (count, times) = match part.split_once("(x") {
            Some((count, rest)) => (count, rest.strip_suffix(')').ok_or_else(|| format!("{part:?} is not N(xM)"))?),
            None => (part, "1"),
        };
        let count: usize = count.parse().map_err(|_| format!("{part:?} is not a task count"))?;
        let times: usize = times.parse().map_err(|_| format!("{part:?} is not a repeat count"))?;
        if times > 1 << 20 {
            return Err(format!("{part:?} repeats too often"));
        }
        out.extend(std::iter::repeat_n(count, times));
    }
    Ok(out)
}

/// The host names of a Slurm hostlist: `node[01-04,07],gpu3` is node01, node02, node03, node04,
/// node07, gpu3 (ranges keep their zero padding; several bracketed parts in one name multiply).
pub fn expand_hostlist(list: &str) -> std::result::Result<Vec<String>, String> {
    let mut hosts = Vec::new();
    // Split at commas outside brackets.
    let (mut depth, mut start) = (0i32, 0);
    let mut items = Vec::new();
    for (i, c) in list.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err(format!("unbalanced brackets in {list:?}"));
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced brackets in {list:?}"));
    }
    items.push(&list[start..]);
    for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
        let mut names = vec![String::new()];
        let mut rest = item;
        while let Some(open) = rest.find('[') {
            let close = rest[open..].find(']').map(|j| open + j).ok_or_else(|| format!("unclosed [ in {item:?}"))?;
            let prefix = &rest[..open];
            let choices = range_set(&rest[open + 1..close]).map_err(|e| format!("{item:?}: {e}"))?;
            names = names.iter().flat_map(|n| choices.iter().map(move |c| format!("{n}{prefix}{c}"))).collect();
            if names.len() > 1 << 20 {
                return Err(format!("{item:?} names too many hosts"));
            }
            rest = &rest[close + 1..];
        }
        hosts.extend(names.into_iter().map(|n| format!("{n}{rest}")));
    }
    if hosts.is_empty() {
        return Err("no hosts".into());
    }
    Ok(hosts)
}

/// `01-04,07` → `01 02 03 04 07` (the width of a range's first number kept).
fn range_set(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        match part.split_once('-') {
            Some((lo, hi)) => {
                let width = lo.len();
                let (a, b): (u64, u64) = (
                    lo.parse().map_err(|_| format!("bad range {part:?}"))?,
                    hi.parse().map_err(|_| format!("bad range {part:?}"))?,
                );
                if a > b || b - a > 1 << 20 {
                    return Err(format!("bad range {part:?}"));
                }
                out.extend((a..=b).map(|x| format!("{x:0width$}")));
            }
            None if !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()) => out.push(part.to_string()),
            None => return Err(format!("bad hostlist element {part:?}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostlists_expand_as_slurm_writes_them() {
        let h = |s: &str| expand_hostlist(s).unwrap();
        assert_eq!(h("node[01-04,07]"), ["node01", "node02", "node03", "node04", "node07"]);
        assert_eq!(h("a1,b[2-3],c"), ["a1", "b2", "b3", "c"]);
        assert_eq!(h("rack[1-2]-n[08-09]"), ["rack1-n08", "rack1-n09", "rack2-n08", "rack2-n09"]);
        assert_eq!(h("n[9-11]"), ["n9", "n10", "n11"]);
        assert_eq!(h("host"), ["host"]);
        for bad in ["node[01-", "node]", "n[4-2]", "", "n[a-b]", "n[[1]]"] {
            assert!(expand_hostlist(bad).is_err(), "{bad:?}");
        }
        assert_eq!(tasks_per_node("2(x3),1").unwrap(), [2, 2, 2, 1]);
        assert!(tasks_per_node("2(x").is_err());
    }

    #[test]
    fn placements_come_from_slurm_open_mpi_or_pmi() {
        fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        }
        let slurm = [
            ("SLURM_PROCID", "3"),
            ("SLURM_NTASKS", "4"),
            ("SLURM_STEP_NODELIST", "n[1-2]"),
            ("SLURM_STEP_TASKS_PER_NODE", "2(x2)"),
        ];
        let p = placement(&env(&slurm), 2101).unwrap().unwrap();
        assert_eq!((p.scheduler, p.process, p.processes), ("slurm", 3, 4));
        assert_eq!(p.addresses.unwrap(), ["n1:2101", "n1:2102", "n2:2101", "n2:2102"]);
        let mpi = [("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "2"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "2")];
        let p = placement(&env(&mpi), 4000).unwrap().unwrap();
        assert_eq!((p.scheduler, p.process), ("open-mpi", 1));
        assert_eq!(p.addresses.unwrap(), ["127.0.0.1:4000", "127.0.0.1:4001"]);
        let spread = [("PMI_RANK", "0"), ("PMI_SIZE", "4"), ("MPI_LOCALNRANKS", "2")];
        assert_eq!(placement(&env(&spread), 4000).unwrap().unwrap().addresses, None, "hosts from a hostfile");
        assert_eq!(placement(&env(&[]), 4000).unwrap(), None);
        assert!(placement(&env(&[("PMI_RANK", "4"), ("PMI_SIZE", "4")]), 1).is_err());
        assert!(placement(&env(&[("SLURM_PROCID", "0"), ("SLURM_NTASKS", "2")]), 1).is_err(), "no node list");
        let short = [
            ("SLURM_PROCID", "0"),
            ("SLURM_NTASKS", "5"),
            ("SLURM_STEP_NODELIST", "n[1-2]"),
            ("SLURM_STEP_TASKS_PER_NODE", "2(x2)"),
        ];
        assert!(placement(&env(&short), 1).is_err(), "more tasks than the nodes hold");
    }
}
