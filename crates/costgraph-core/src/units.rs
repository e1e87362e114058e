//! Quantities in words: bytes (`1.5 GiB`) and seconds (`2.41 s`, `310.5 ms`, `85.0 µs`), the one
//! way every report, message and plot of costgraph writes them.

/// Bytes as a short human figure in binary units (`1.5 GiB`; plain bytes below 1 KiB).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Seconds in the unit that reads best, with three significant figures or more: `2.41 s`,
/// `310.5 ms`, `85.0 µs` (`0 s` for zero, the value as is when it is not finite).
pub fn human_secs(secs: f64) -> String {
    if !secs.is_finite() {
        return format!("{secs} s");
    }
    let magnitude = secs.abs();
    if magnitude == 0.0 {
        "0 s".into()
    } else if magnitude >= 1.0 {
        format!("{secs:.2} s")
    } else if magnitude >= 1e-3 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{:.1} µs", secs * 1e6)
    }
}

/// A count or rate in short form: `1.50M`, `12.3k`, `950.0`.
pub fn human_count(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

/// A median with its interval, each in the unit that reads best: `57.1 ms [44.1 ms, 88.9 ms]`.
pub fn human_interval(median: f64, low: f64, high: f64) -> String {
    format!("{} [{}, {}]", human_secs(median), human_secs(low), human_secs(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_seconds_read_well() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
        assert_eq!(human_secs(2.414), "2.41 s");
        assert_eq!(human_secs(0.3105), "310.5 ms");
        assert_eq!(human_secs(85e-6), "85.0 µs");
        assert_eq!(human_secs(0.0), "0 s");
        assert_eq!(
            (human_count(1.5e6), human_count(12_345.0), human_count(950.0)),
            ("1.50M".into(), "12.3k".into(), "950.0".into())
        );
        assert_eq!(human_interval(0.0571, 0.0441, 0.0889), "57.1 ms [44.1 ms, 88.9 ms]");
    }
}
