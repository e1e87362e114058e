//! Multi-machine configurations of a sweep (`cost --hosts FILE`): [`MachinesPlan`] says which
//! machines, how many of them per configuration, how to reach them and whether to stage;
//! [`Machines`] runs one batch of an `M machines × W workers` configuration on the first `M`
//! machines listed, one `costgraph launched` process each ([`super::launch`]), and returns process
//! 0's record with every machine's facts.
//!
//! A machine that is lost (unreachable, its process died, its launch failed) fails the batch with
//! its name. With `--replicas R` (`R >= 2`) the batch is run once more with the lost machine's
//! share served by another machine that holds a replica of its shard — a spare line of the hosts
//! file if there is one, else a machine already taking part, running a second process — and the
//! machine stays out of the rest of the sweep; the record says so ([`Retry`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::child::{Failure, FailureKind};
use super::hosts::Host;
use super::launch::{self, Launch, ProcessPlan};
use super::plan::Configuration;
use super::record::{Retry, RunRecord, parse_record};
use super::stage::Staged;
use crate::dataflow::ClusterKey;
use crate::{Error, Result};

/// The port the machines' processes listen on when none is given.
pub const DEFAULT_PORT: u16 = 2101;

/// What a sweep on several machines needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachinesPlan {
    /// The machines, in the hosts file's order.
    pub hosts: Vec<Host>,
    /// Machine counts (default: 1, 2, 4, … up to the machines listed).
    pub machines: Vec<usize>,
    /// Workers per machine (default: the cores of the first machine).
    pub workers_per_machine: Vec<usize>,
    /// The launch template (default `ssh -o BatchMode=yes {host} {command}`).
    pub launch: Option<String>,
    /// The folder to stage the binary and the shards in on every machine; `None`: every machine
    /// reads the same paths (a shared file system).
    pub stage: Option<PathBuf>,
    /// The copy template (default `scp {src} {host}:{dst}`).
    pub copy: Option<String>,
    /// Machines holding each shard (`>= 2` lets a lost machine's share move to a replica).
    pub replicas: usize,
    /// The port every process listens on (a machine serving a lost one's share uses the next).
    pub port: u16,
}

impl MachinesPlan {
    /// A plan for `hosts` with the defaults: 1, 2, 4, … machines, no staging, one replica.
    pub fn new(hosts: Vec<Host>) -> MachinesPlan {
        let machines = super::plan::core_counts(hosts.len());
        MachinesPlan {
            hosts,
            machines,
            workers_per_machine: Vec::new(),
            launch: None,
            stage: None,
            copy: None,
            replicas: 1,
            port: DEFAULT_PORT,
        }
    }

    /// Checks the counts against the machines listed.
    pub fn check(&self) -> Result<()> {
        let listed = self.hosts.len();
        if let Some(&m) = self.machines.iter().find(|&&m| m == 0 || m > listed) {
            return Err(Error::invalid(format!("{m} machines: the hosts file lists {listed} (from 1 to {listed})")));
        }
        if self.workers_per_machine.contains(&0) {
            return Err(Error::invalid("workers per machine must be at least 1"));
        }
        if self.replicas == 0 || self.replicas > listed {
            return Err(Error::invalid(format!(
                "--replicas {} must be between 1 and the {listed} machines",
                self.replicas
            )));
        }
        if self.port == u16::MAX {
            return Err(Error::invalid("the machines' port must leave room for a second process (port + 1)"));
        }
        Ok(())
    }
}

/// The machines of a running sweep: how to launch on them, what is staged there, the run's key,
/// and the machines lost so far.
pub struct Machines {
    plan: MachinesPlan,
    launch: Launch,
    staged: Option<Staged>,
    key: ClusterKey,
    /// The machines lost so far (left out of the rest of the sweep).
    lost: BTreeSet<String>,
}

/// Where each process of a configuration runs: an index into the hosts, and the port slot (1 for
/// a machine running a second process).
type Assignment = Vec<(usize, u16)>;

impl Machines {
    /// The machines of `plan`, launched through `launch`, holding `staged` (if staged).
    pub fn new(plan: MachinesPlan, launch: Launch, staged: Option<Staged>) -> Result<Machines> {
        Ok(Machines { plan, launch, staged, key: ClusterKey::generate()?, lost: BTreeSet::new() })
    }

    /// The plan.
    pub fn plan(&self) -> &MachinesPlan {
        &self.plan
    }

    /// The cores of the first machine, as its costgraph process reports them (a short `list`
    /// launched there).
    pub fn probe_cores(&self, timeout: Duration) -> std::result::Result<usize, Failure> {
        let host = &self.plan.hosts[0];
        let process = ProcessPlan {
            host: host.name.clone(),
            args: vec!["list".into()],
            binary_sha256: self.staged.as_ref().map(|s| s.binary_sha256.clone()),
            files: Vec::new(),
        };
        let out = launch::run_cluster(&self.launch, &[process], &self.key, timeout)?;
        Ok(out.hosts.first().map_or(1, |h| h.machine.cores.max(1)))
    }

    /// Runs one batch of `configuration` (`runs` counted runs): its processes on the machines, at
    /// most `timeout`; on a lost machine, once more with a replica serving its share when there
    /// are replicas.
    pub fn run_batch(
        &mut self,
        configuration: &Configuration,
        runs: usize,
        timeout: Duration,
    ) -> std::result::Result<RunRecord, Failure> {
        let super::plan::Layout::Machines { machines, workers } = configuration.layout else {
            return Err(Failure::new(FailureKind::Error, "not a multi-machine configuration"));
        };
        let args = configuration.batch_args(runs);
        let mut retry: Option<Retry> = None;
        loop {
            let assignment = self.assign(machines).ok_or_else(|| {
                Failure::new(
                    FailureKind::Unreachable,
                    format!("fewer than {machines} machines are left to run it (lost: {})", self.lost_list()),
                )
            })?;
            match self.run_once(&args, machines, workers, &assignment, timeout) {
                Ok(mut record) => {
                    record.retry = retry;
                    return Ok(record);
                }
                Err(f) => {
                    let lost_machine =
                        matches!(f.kind, FailureKind::Unreachable | FailureKind::PeerDied | FailureKind::LaunchFailed);
                    let Some(host) = f.host.clone().filter(|_| lost_machine) else { return Err(f) };
                    if retry.is_some() || self.plan.replicas < 2 {
                        return Err(f);
                    }
                    self.lost.insert(host.clone());
                    let Some(next) = self.assign(machines) else { return Err(f) };
                    let position = assignment.iter().position(|&(h, _)| self.plan.hosts[h].name == host);
                    let served_by = position
                        .map_or_else(|| "another machine".to_string(), |i| self.plan.hosts[next[i].0].name.clone());
                    retry = Some(Retry { lost: host, served_by, reason: f.to_string() });
                }
            }
        }
    }

    fn lost_list(&self) -> String {
        if self.lost.is_empty() { "none".into() } else { self.lost.iter().cloned().collect::<Vec<_>>().join(", ") }
    }

    /// Where each of `machines` processes runs: process `i` on host `i`, unless host `i` is lost;
    /// then on a machine holding a replica of share `i`, a spare one first, else one already
    /// taking part (in port slot 1). `None` when some share has no machine left.
    fn assign(&self, machines: usize) -> Option<Assignment> {
        let hosts = self.plan.hosts.len();
        let alive = |h: usize| h < hosts && !self.lost.contains(&self.plan.hosts[h].name);
        let can_serve = |h: usize, share: usize| match &self.staged {
            Some(staged) => staged.holds(h, hosts, share),
            None => true,
        };
        let mut on: Vec<Option<usize>> = (0..machines).map(|share| alive(share).then_some(share)).collect();
        for share in 0..machines {
            if on[share].is_some() {
                continue;
            }
            let count = |h: usize, on: &[Option<usize>]| on.iter().filter(|&&x| x == Some(h)).count();
            // An unused machine first (a spare line), then one already running a process.
            let pick = (0..hosts)
                .filter(|&h| alive(h) && can_serve(h, share) && count(h, &on) <= 1)
                .min_by_key(|&h| (count(h, &on), h < machines))?;
            on[share] = Some(pick);
        }
        let mut out: Assignment = Vec::with_capacity(machines);
        for host in on.into_iter().map(|h| h.expect("every share is placed")) {
            let slot = out.iter().filter(|&&(h, _)| h == host).count() as u16;
            out.push((host, slot));
        }
        Some(out)
    }

    /// One attempt of a batch on the machines of `assignment`.
    fn run_once(
        &self,
        args: &[String],
        machines: usize,
        workers: usize,
        assignment: &Assignment,
        timeout: Duration,
    ) -> std::result::Result<RunRecord, Failure> {
        let addresses: Vec<String> =
            assignment.iter().map(|&(h, slot)| self.plan.hosts[h].endpoint(self.plan.port + slot)).collect();
        let processes: Vec<ProcessPlan> = assignment
            .iter()
            .enumerate()
            .map(|(i, &(h, _))| ProcessPlan {
                host: self.plan.hosts[h].name.clone(),
                args: [args.to_vec(), launch::placement_args(workers, i, &addresses)].concat(),
                binary_sha256: self.staged.as_ref().map(|s| s.binary_sha256.clone()),
                files: self.files(machines, i),
            })
            .collect();
        let out = launch::run_cluster(&self.launch, &processes, &self.key, timeout)?;
        let first = out.outputs.first().ok_or_else(|| Failure::new(FailureKind::Error, "no process ran"))?;
        let mut record = parse_record(&first.stdout)
            .map_err(|e| Failure::new(FailureKind::Error, e.to_string()).on_host(&processes[0].host))?;
        record.hosts = out.hosts;
        Ok(record)
    }

    /// The files process `i` of an `M`-machine configuration must find, with their SHA-256.
    fn files(&self, machines: usize, i: usize) -> Vec<(PathBuf, String)> {
        let Some(staged) = &self.staged else { return Vec::new() };
        let Some(cut) = staged.cut(machines) else { return Vec::new() };
        let mut files = vec![(cut.dir.join(crate::io::shard::MANIFEST), cut.manifest_sha256.clone())];
        if let Some((file, sha)) = cut.parts.get(i) {
            files.push((cut.dir.join(file), sha.clone()));
        }
        if i == 0
            && let Some((graph, sha)) = &staged.graph
        {
            files.push((graph.clone(), sha.clone()));
        }
        files
    }
}

/// What [`Machines::prepare`] needs to know of the sweep.
pub struct SweepContext<'a> {
    /// This costgraph executable.
    pub exe: &'a Path,
    /// Its SHA-256.
    pub exe_sha256: &'a str,
    /// The graph.
    pub graph: &'a Path,
    /// Its SHA-256.
    pub graph_sha256: &'a str,
    /// Whether process 0 needs the whole graph (a problem checked by its verifier is swept).
    pub whole_graph: bool,
    /// The sweep's folder (where shard sets are cut).
    pub out: &'a Path,
    /// The time limit of each step.
    pub timeout: Duration,
}

impl Machines {
    /// Gets the machines of `plan` ready: stages the binary and the shards when asked, and learns
    /// the first machine's cores when no worker count is given.
    pub fn prepare(plan: &MachinesPlan, sweep: &SweepContext<'_>, note: &mut dyn FnMut(&str)) -> Result<Machines> {
        plan.check()?;
        let exe = match &plan.stage {
            Some(dir) => super::stage::staged_exe(dir, sweep.exe_sha256),
            None => sweep.exe.display().to_string(),
        };
        let launch = Launch::template(plan.launch.as_deref(), &exe)?;
        let staged = match &plan.stage {
            Some(dir) => Some(super::stage::stage(
                &super::stage::StagePlan {
                    hosts: &plan.hosts,
                    dir,
                    copy: plan.copy.as_deref(),
                    launch: &launch,
                    exe: sweep.exe,
                    exe_sha256: sweep.exe_sha256,
                    graph: sweep.graph,
                    graph_sha256: sweep.graph_sha256,
                    machines: &plan.machines,
                    replicas: plan.replicas,
                    whole_graph: sweep.whole_graph,
                    local: &sweep.out.join("shards"),
                    timeout: sweep.timeout,
                },
                note,
            )?),
            None => None,
        };
        let mut machines = Machines::new(plan.clone(), launch, staged)?;
        if machines.plan.workers_per_machine.is_empty() {
            let cores = machines.probe_cores(sweep.timeout).map_err(|f| {
                Error::invalid(format!("cannot start costgraph on the first machine to learn its cores: {f}"))
            })?;
            note(&format!("{} workers per machine (the cores of {})", cores, machines.plan.hosts[0].name));
            machines.plan.workers_per_machine = vec![cores];
        }
        Ok(machines)
    }

    /// The prefix of the shard folders staged on the machines, when staged.
    pub fn staged_prefix(&self) -> Option<PathBuf> {
        self.staged.as_ref().map(|s| s.prefix.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machines(hosts: usize, replicas: usize, lost: &[usize]) -> Machines {
        let hosts: Vec<Host> =
            (0..hosts).map(|i| Host { address: format!("10.0.0.{i}"), name: format!("h{i}") }).collect();
        let mut plan = MachinesPlan::new(hosts);
        plan.replicas = replicas;
        let launch = Launch::template(Some("ip netns exec {host} {command}"), "/bin/costgraph").unwrap();
        let mut m = Machines::new(plan, launch, None).unwrap();
        m.lost = lost.iter().map(|i| format!("h{i}")).collect();
        m
    }

    #[test]
    fn a_lost_machine_s_share_goes_to_a_spare_then_doubles_up() {
        assert_eq!(machines(3, 2, &[]).assign(2), Some(vec![(0, 0), (1, 0)]));
        assert_eq!(machines(3, 2, &[1]).assign(2), Some(vec![(0, 0), (2, 0)]), "a spare line serves it");
        assert_eq!(machines(3, 2, &[1]).assign(3), Some(vec![(0, 0), (0, 1), (2, 0)]), "no spare: host 0 runs two");
        assert_eq!(machines(2, 2, &[0, 1]).assign(1), None);
    }
}
