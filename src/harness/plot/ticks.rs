//! The ticks of a logarithmic time axis: round values (1, 2 and 5 times a power of ten, or finer
//! or sparser as the room allows), chosen so that no two labels overlap, and labelled in the unit
//! that reads best (`50 µs`, `2 ms`, `1.5 s`).

/// The mantissas of the tick sets tried in every decade, densest first.
const MANTISSAS: [&[f64]; 3] = [&[1.0, 1.5, 2.0, 3.0, 5.0, 7.0], &[1.0, 2.0, 5.0], &[1.0, 3.0]];

/// Past the sets above: a tick at 1 in every `k`-th decade, for these `k`.
const DECADE_STRIDES: [i32; 8] = [1, 2, 3, 5, 10, 20, 50, 100];

/// The values of the 1-2-5 grid, on which an axis range starts and ends.
const GRID: &[f64] = &[1.0, 2.0, 5.0];

/// How far past the smallest and largest value an axis range reaches at least, as a factor: room
/// for their marks.
const ROOM: f64 = 1.25;

/// Slack in comparisons, so that `0.001` built as `1 / 10³` counts as one millisecond.
const EPS: f64 = 1e-9;

/// `mantissa × 10^exponent`, computed so that negative powers of ten are exact where they can be.
fn value(mantissa: f64, exponent: i32) -> f64 {
    if exponent >= 0 { mantissa * 10f64.powi(exponent) } else { mantissa / 10f64.powi(-exponent) }
}

/// The ticks `m × 10^e` within `[lo, hi]` for `m` in `mantissas` and `e` a multiple of `stride`.
fn ticks_of(lo: f64, hi: f64, mantissas: &[f64], stride: i32) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    (first..=last)
        .filter(|e| e.rem_euclid(stride) == 0)
        .flat_map(|e| mantissas.iter().map(move |&m| value(m, e)))
        .filter(|&v| v >= lo * (1.0 - EPS) && v <= hi * (1.0 + EPS))
        .collect()
}

/// The axis range that shows every positive, finite one of `values` with a little room: from the
/// 1-2-5 grid value below the smallest to the one above the largest (one microsecond to one
/// second when there is none).
pub(super) fn log_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi == 0.0 {
        return (1e-6, 1.0);
    }
    let (lo, hi) = (lo / ROOM, hi * ROOM);
    let grid = ticks_of(lo / 10.0, hi * 10.0, GRID, 1);
    let below = grid.iter().copied().rev().find(|&v| v <= lo).unwrap_or(lo);
    let above = grid.iter().copied().find(|&v| v >= hi).unwrap_or(hi);
    (below, above)
}

/// The densest round ticks within `[lo, hi]` with at least `min_gap` decades between neighbours
/// (the width of a label in decades of the axis); failing that, the sparsest that still has two.
pub(super) fn log_ticks(lo: f64, hi: f64, min_gap: f64) -> Vec<f64> {
    let sets = MANTISSAS.iter().map(|&m| (m, 1)).chain(DECADE_STRIDES.iter().map(|&k| (&[1.0][..], k)));
    let mut chosen = Vec::new();
    for (mantissas, stride) in sets {
        let ticks = ticks_of(lo, hi, mantissas, stride);
        if ticks.len() < 2 && !chosen.is_empty() {
            break;
        }
        let fits = ticks.windows(2).all(|w| (w[1] / w[0]).log10() >= min_gap * (1.0 - EPS));
        chosen = ticks;
        if fits {
            break;
        }
    }
    chosen
}

/// Seconds as a tick label, in the largest unit that keeps the figure at least one, with at most
/// two decimals and no trailing zeros: `50 µs`, `2 ms`, `1.5 s`.
pub(super) fn secs_label(secs: f64) -> String {
    let magnitude = secs.abs() * (1.0 + EPS);
    let (scale, unit) = match magnitude {
        m if m >= 1.0 => (1.0, "s"),
        m if m >= 1e-3 => (1e3, "ms"),
        m if m >= 1e-6 => (1e6, "µs"),
        _ => (1e9, "ns"),
    };
    let figure = (secs * scale * 100.0).round() / 100.0;
    format!("{figure} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_in_microseconds_milliseconds_and_seconds() {
        let labels: Vec<String> =
            [50e-6, 1e-3, 2e-3, 0.25, 1.5, 1.0, 20.0, 5e-7, 1e-4 * 3.0, 7e-3].map(secs_label).into();
        assert_eq!(labels, ["50 µs", "1 ms", "2 ms", "250 ms", "1.5 s", "1 s", "20 s", "500 ns", "300 µs", "7 ms"]);
    }

    #[test]
    fn the_range_covers_every_value_on_the_grid() {
        assert_eq!(log_range([3e-4, 0.0, f64::NAN, 3.9e-3]), (2e-4, 5e-3));
        assert_eq!(log_range([1e-3]), (5e-4, 2e-3));
        assert_eq!(log_range([]), (1e-6, 1.0));
        assert_eq!(log_range([1.9e-5, 0.9]), (1e-5, 2.0));
    }

    #[test]
    fn ticks_are_as_dense_as_the_labels_allow() {
        // Plenty of room: the densest set.
        assert_eq!(log_ticks(1e-3, 5e-3, 0.1), [1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3]);
        // A decade per 200 px, labels 64 px wide: 1-2-5.
        let t = log_ticks(1e-4, 1e-1, 64.0 / 200.0 * 0.9);
        assert_eq!(
            t.iter().map(|&v| secs_label(v)).collect::<Vec<_>>(),
            ["100 µs", "200 µs", "500 µs", "1 ms", "2 ms", "5 ms", "10 ms", "20 ms", "50 ms", "100 ms"]
        );
        // Ten decades in 600 px: one tick every other decade keeps 64 px between labels.
        let t = log_ticks(1e-7, 1e3, 64.0 * 10.0 / 600.0);
        assert_eq!(t.len(), 5);
        assert!(t.windows(2).all(|w| (w[1] / w[0] - 100.0).abs() < 1e-6));
        // Never fewer than two ticks while the range holds two grid values.
        assert_eq!(log_ticks(1e-3, 2e-3, 5.0), [1e-3, 2e-3]);
    }
}
