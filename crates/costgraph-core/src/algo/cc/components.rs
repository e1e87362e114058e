//! [`Components`]: a partition of the nodes into connected components, in canonical form (each
//! node labelled with the smallest node id of its component).

use serde::Serialize;

use crate::graph::NodeId;

/// A partition of the nodes into connected components.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Components {
    labels: Vec<NodeId>,
}

/// A short description of a [`Components`] result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentsSummary {
    /// Number of components (isolated nodes count as components of size one).
    pub components: u64,
    /// Number of nodes in the largest component.
    pub largest: u64,
}

impl Components {
    /// Wraps labels that are already canonical (each node labelled with the smallest id in its
    /// component). Debug builds check it.
    pub fn from_canonical(labels: Vec<NodeId>) -> Self {
        debug_assert!(labels.iter().enumerate().all(|(u, &l)| l as usize <= u && labels[l as usize] == l));
        Components { labels }
    }

    /// Canonicalises arbitrary labels: nodes with equal labels form one component.
    pub fn from_labels(labels: &[u32]) -> Self {
        let mut first = std::collections::HashMap::new();
        let labels = labels.iter().enumerate().map(|(u, &l)| *first.entry(l).or_insert(u as NodeId)).collect();
        Components { labels }
    }

    /// The label of every node: the smallest node id of its component.
    pub fn labels(&self) -> &[NodeId] {
        &self.labels
    }

    /// Number of components and size of the largest.
    pub fn summary(&self) -> ComponentsSummary {
        let mut size = vec![0u64; self.labels.len()];
        for &l in &self.labels {
            size[l as usize] += 1;
        }
        ComponentsSummary {
            components: size.iter().filter(|&&s| s > 0).count() as u64,
            largest: size.iter().copied().max().unwrap_or(0),
        }
    }
}
