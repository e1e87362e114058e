//! Synthetic graphs: Kronecker / R-MAT with the Graph500 parameters, uniform random
//! (Erdős–Rényi), and 2-D grids; optional random integer weights. Every generator is parallel
//! and deterministic for a seed, whatever the number of threads.
