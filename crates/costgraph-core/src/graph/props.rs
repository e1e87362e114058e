//! [`GraphProps`]: the flags that say how a graph's lists are stored (directed, symmetric, sorted,
//! deduplicated), which the `.cgr` header carries and the checks of the lists enforce.

use serde::{Deserialize, Serialize};

/// What is known about how a graph stores its lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphProps {
    /// The input's edges are arcs (`u -> v`). When false the graph is undirected.
    pub directed: bool,
    /// Every arc `u -> v` has its reverse `v -> u` (always true for undirected graphs; a self
    /// loop is stored once).
    pub symmetric: bool,
    /// Every adjacency list is sorted by target.
    pub sorted: bool,
    /// No adjacency list holds the same target twice.
    pub deduplicated: bool,
}
