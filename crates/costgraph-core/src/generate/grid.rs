//! 2-D grid: `rows × cols` nodes, node `r * cols + c` joined to its right and lower neighbours
//! (a 4-neighbourhood once symmetrized), like a road network: `m = rows (cols - 1) + (rows - 1) cols ≈ 2n`,
//! diameter `rows + cols - 2`. Deterministic; only the weights (if any) are random.

use super::model::EdgeModel;
use super::rng::Rng;
use crate::graph::{NodeId, check_node_count};
use crate::{Error, Result};

/// A `rows × cols` grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridConfig {
    /// Number of rows (at least 1).
    pub rows: u32,
    /// Number of columns (at least 1).
    pub cols: u32,
}

impl GridConfig {
    /// Number of nodes and edges, or why the grid cannot be made.
    pub fn size(&self) -> Result<(usize, u64)> {
        if self.rows == 0 || self.cols == 0 {
            return Err(Error::invalid(format!(
                "a {} x {} grid has no nodes: rows and columns must be at least 1",
                self.rows, self.cols
            )));
        }
        let (r, c) = (self.rows as u64, self.cols as u64);
        let n = check_node_count(r * c)?;
        Ok((n, r * (c - 1) + (r - 1) * c))
    }

    pub(super) fn model(&self) -> Result<Grid> {
        let (n, m) = self.size()?;
        let cols = self.cols as u64;
        Ok(Grid { n, m, cols, horizontal: self.rows as u64 * (cols - 1) })
    }
}

/// The grid as the driver sees it: the horizontal edges first, row by row, then the vertical ones.
pub(super) struct Grid {
    n: usize,
    m: u64,
    cols: u64,
    /// Number of horizontal edges.
    horizontal: u64,
}

impl EdgeModel for Grid {
    fn size(&self) -> (usize, u64) {
        (self.n, self.m)
    }

    fn edge(&self, _: &mut Rng, index: u64) -> (NodeId, NodeId) {
        let u = if index < self.horizontal {
            index / (self.cols - 1) * self.cols + index % (self.cols - 1)
        } else {
            index - self.horizontal
        };
        let v = if index < self.horizontal { u + 1 } else { u + self.cols };
        (u as NodeId, v as NodeId)
    }
}

#[cfg(test)]
mod tests {
    use crate::generate::{Generator, GeneratorSpec, GridConfig, generate};
    use crate::graph::{BuildOptions, Csr};

    fn grid(rows: u32, cols: u32) -> Csr {
        let spec = GeneratorSpec::new(Generator::Grid(GridConfig { rows, cols }));
        Csr::from_edges(&generate(&spec).unwrap(), BuildOptions::undirected())
    }

    #[test]
    fn three_by_four_is_exact() {
        // 0  1  2  3
        // 4  5  6  7
        // 8  9 10 11
        let csr = grid(3, 4);
        let lists: Vec<&[u32]> = (0..12).map(|u| csr.neighbors(u)).collect();
        let expected: [&[u32]; 12] = [
            &[1, 4],
            &[0, 2, 5],
            &[1, 3, 6],
            &[2, 7],
            &[0, 5, 8],
            &[1, 4, 6, 9],
            &[2, 5, 7, 10],
            &[3, 6, 11],
            &[4, 9],
            &[5, 8, 10],
            &[6, 9, 11],
            &[7, 10],
        ];
        assert_eq!(lists, expected);
        assert_eq!(csr.num_arcs(), 2 * 17);
    }

    #[test]
    fn degenerate_grids() {
        assert_eq!(grid(1, 1).num_arcs(), 0);
        let path = grid(1, 5);
        assert_eq!(path.neighbors(2), &[1, 3]);
        assert_eq!(path.num_arcs(), 8);
        let column = grid(4, 1);
        assert_eq!(column.neighbors(1), &[0, 2]);
        assert_eq!(column.num_arcs(), 6);
        assert!(GridConfig { rows: 0, cols: 3 }.size().is_err());
        assert!(GridConfig { rows: u32::MAX, cols: 2 }.size().is_err(), "too many nodes");
    }
}
