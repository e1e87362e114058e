//! What a worker checks of its own part before it is written (see the module docs of
//! [`result`](super)): labels against the arcs of its nodes, ranks for finiteness and their sum,
//! forest edges against the graph's arcs.

use crate::Result;
use crate::algo::msf::ForestEdge;
use crate::algo::pagerank::VERIFY_L1;
use crate::dataflow::Context;
use crate::dataflow::local::Local;
use crate::graph::NodeId;

use super::outcome::Part;

impl Context<'_> {
    /// Checks this worker's part with what it holds (see the module docs); returns what is wrong.
    pub(super) fn check(&mut self, part: &Part<'_>) -> Option<String> {
        let result = match part {
            Part::Labels(labels) => self.check_labels(labels),
            Part::Ranks { ranks, .. } => self.check_ranks(ranks),
            Part::Forest(edges) => self.check_forest(edges),
        };
        match result {
            Ok(problem) => problem,
            Err(e) => Some(e.to_string()),
        }
    }

    fn check_labels(&mut self, labels: &[NodeId]) -> Result<Option<String>> {
        let (me, graph, partition) = (self.index(), self.graph, self.partition);
        let local = Local::new(graph, partition, me, |_| &[])?;
        let own = local.own();
        // The ghosts' labels, and the labels of the labels this worker does not own, from their owners.
        let mut asked: Vec<NodeId> = labels
            .iter()
            .copied()
            .filter(|&l| (l as usize) < graph.num_nodes() && partition.owner(l) != me)
            .chain(local.ghosts().iter().copied())
            .collect();
        asked.sort_unstable();
        asked.dedup();
        let mut requests = self.channel::<(NodeId, u32)>();
        let mut replies = self.channel::<(NodeId, NodeId)>();
        let mut wanted = Vec::new();
        requests.round(self.worker, asked.iter().map(|&v| (partition.owner(v), (v, me as u32))), |r| wanted.push(r))?;
        let mut known = vec![NodeId::MAX; asked.len()];
        let answers = wanted.into_iter().map(|(v, from)| (from as usize, (v, labels[partition.local(v)])));
        replies.round(self.worker, answers, |(v, l)| {
            if let Ok(k) = asked.binary_search(&v) {
                known[k] = l;
            }
        })?;
        self.rounds += 2;
        let label_of = |v: NodeId| match partition.share(me).local(v) {
            Some(i) => labels[i],
            None => asked.binary_search(&v).map_or(NodeId::MAX, |k| known[k]),
        };
        for (i, &l) in labels.iter().enumerate() {
            let u = partition.global(me, i);
            if l > u || label_of(l) != l {
                return Ok(Some(format!("node {u} has label {l}, which is not the smallest node of its class")));
            }
            for &j in local.neighbors(i) {
                let (j, v) = (
                    j as usize,
                    if (j as usize) < own {
                        partition.global(me, j as usize)
                    } else {
                        local.ghosts()[j as usize - own]
                    },
                );
                let other = if j < own { labels[j] } else { label_of(v) };
                if other != l {
                    return Ok(Some(format!("arc {u} -> {v} joins labels {l} and {other}")));
                }
            }
        }
        Ok(None)
    }

    fn check_ranks(&mut self, ranks: &[f32]) -> Result<Option<String>> {
        let (me, partition) = (self.index(), self.partition);
        let bad = ranks.iter().position(|r| !r.is_finite() || *r < 0.0);
        let sum: f64 = ranks.iter().map(|&r| r as f64).sum();
        let total: f64 = self.channel::<(u32, f64)>().all_gather(self.worker, sum)?.into_iter().sum();
        self.rounds += 1;
        Ok(match bad {
            Some(i) => Some(format!("rank of node {} is {}", partition.global(me, i), ranks[i])),
            None if self.graph.num_nodes() > 0 && (total - 1.0).abs() > VERIFY_L1 => {
                Some(format!("ranks sum to {total}, not 1 (tolerance {VERIFY_L1})"))
            }
            None => None,
        })
    }

    fn check_forest(&mut self, edges: &[ForestEdge]) -> Result<Option<String>> {
        let (graph, partition) = (self.graph, self.partition);
        let n = graph.num_nodes() as NodeId;
        let beyond = edges.iter().find(|e| e.0 >= n || e.1 >= n).copied();
        let has = |u: NodeId, v: NodeId, w: u32| graph.weighted_neighbors(u).any(|(x, y)| x == v && y == w);
        // Looked up at the owner of `u` as an arc `u -> v`, else at the owner of `v` as `v -> u`.
        let mut channel = self.channel::<ForestEdge>();
        let mut missing = Vec::new();
        let outgoing = edges.iter().filter(|e| e.0 < n && e.1 < n).map(|&e| (partition.owner(e.0), e));
        channel.round(self.worker, outgoing, |(u, v, w)| {
            if !has(u, v, w) {
                missing.push((u, v, w));
            }
        })?;
        let mut absent = None;
        let outgoing = std::mem::take(&mut missing).into_iter().map(|e| (partition.owner(e.1), e));
        channel.round(self.worker, outgoing, |(u, v, w)| {
            if !has(v, u, w) {
                absent.get_or_insert((u, v, w));
            }
        })?;
        self.rounds += 2;
        if let Some((u, v, w)) = beyond {
            return Ok(Some(format!("edge ({u}, {v}, weight {w}) names a node beyond {n}")));
        }
        Ok(absent.map(|(u, v, w)| format!("edge ({u}, {v}, weight {w}) is not an edge of the graph")))
    }
}
