//! What every plot of costgraph shares: drawing errors named by the file being drawn, and the
//! labels of logarithmic axes.

use crate::Error;

/// A mapper from a plotting library's error to costgraph's, naming the file being drawn.
pub(super) fn drawing_error<E: std::fmt::Display>(file: &'static str) -> impl Fn(E) -> Error {
    move |e| Error::invalid(format!("cannot draw {file}: {e}"))
}

/// Powers of two from below `lo` to above `hi`, as axis key points.
pub(super) fn powers_of_two(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.log2().floor() as i32, hi.log2().ceil() as i32);
    (a..=b).map(|e| 2f64.powi(e)).filter(|&v| v >= lo && v <= hi).collect()
}

/// A ratio as a tick label: `4×`, `1/4×`.
pub(super) fn ratio_label(v: f64) -> String {
    if v >= 1.0 { format!("{v:.0}×") } else { format!("1/{:.0}×", 1.0 / v) }
}
