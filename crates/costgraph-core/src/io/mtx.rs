//! Matrix Market coordinate files: the banner
//! `%%MatrixMarket matrix coordinate pattern|integer|real general|symmetric`, `%` comments, the
//! size line `rows cols nnz`, then one 1-based entry `i j [value]` per line.
//!
//! `pattern` is unweighted; `integer` values are `u32` weights (negative ones are refused); `real`
//! values need [`RealWeights`](super::RealWeights) (scale and round) or the weights ignored.
//! `general` matrices are directed (`i -> j`); `symmetric` ones are undirected (each stored entry
//! is one edge). The node count is `max(rows, cols)`. An empty file, a bad banner, a missing size
//! line or an entry count other than `nnz` is an error.

use std::path::Path;

use super::text::{Layout, WeightColumn, lines, words};
use super::{Plan, ReadOptions};
use crate::{Error, Result};

const BANNER: &str = "%%MatrixMarket matrix coordinate pattern|integer|real general|symmetric";

/// Reads the banner and the size line and plans the parsing of the entries.
pub(crate) fn plan(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<Plan> {
    let mut all = lines(bytes);
    let banner = all.next().map(|(_, _, l)| l.to_ascii_lowercase()).unwrap_or_default();
    let w: Vec<&[u8]> = words(&banner).collect();
    let bad = |what: String| Err(Error::parse(path, 1, format!("{what} (expected `{BANNER}`)")));
    let [b"%%matrixmarket", b"matrix", kind, field, symmetry] = w[..] else {
        return bad("not a Matrix Market banner".into());
    };
    if kind != b"coordinate" {
        return bad(format!("unsupported Matrix Market format `{}`", String::from_utf8_lossy(kind)));
    }
    let has_weights = match field {
        b"pattern" => false,
        b"integer" | b"real" | b"double" => true,
        _ => return bad(format!("unsupported Matrix Market field `{}`", String::from_utf8_lossy(field))),
    };
    let directed = match symmetry {
        b"general" => true,
        b"symmetric" => false,
        _ => return bad(format!("unsupported Matrix Market symmetry `{}`", String::from_utf8_lossy(symmetry))),
    };
    if field != b"integer" && has_weights && options.real_weights.is_none() && options.weighted != Some(false) {
        return Err(Error::format(
            path,
            "real-valued Matrix Market entries: pass --real-weights SCALE to scale and round them to u32 weights \
             (or --unweighted to ignore them)",
        ));
    }
    for (number, start, line) in all {
        let line = line.trim_ascii_start();
        if line.is_empty() || line[0] == b'%' {
            continue;
        }
        let size: Vec<u64> = words(line).filter_map(|t| std::str::from_utf8(t).ok()?.parse().ok()).collect();
        let (&[rows, cols, nnz], 3) = (&size[..], words(line).count()) else {
            return Err(Error::parse(path, number, "malformed size line (expected `rows cols entries`)"));
        };
        let body_start = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| start + p + 1);
        return Ok(Plan {
            body_start,
            first_line: number,
            layout: Layout {
                comments: b"%",
                tag: None,
                skip_first: false,
                weight: WeightColumn::Absent,
                base: 1,
                limits: Some((rows, cols, "the matrix size on the size line")),
                misplaced: None,
                syntax: if has_weights { "`row col value`" } else { "`row col`" },
            },
            has_weights,
            nodes: Some(rows.max(cols)),
            edges: Some((nnz, "the size line")),
            directed,
        });
    }
    Err(Error::format(path, "no size line after the Matrix Market banner"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ReadOptions {
        ReadOptions::default()
    }

    #[test]
    fn banner_and_size() {
        let text = b"%%MatrixMarket matrix coordinate integer symmetric\n% c\n\n 4 3 2\n1 2 5\n";
        let p = plan(Path::new("m.mtx"), text, &opts()).unwrap();
        assert_eq!(
            (p.body_start, p.first_line, p.nodes, p.directed, p.has_weights),
            (text.len() - 6, 4, Some(4), false, true)
        );
        let p =
            plan(Path::new("m.mtx"), b"%%MatrixMarket matrix coordinate pattern general\r\n2 2 0", &opts()).unwrap();
        assert!(p.directed && !p.has_weights);
    }

    #[test]
    fn bad_banners_and_real_values() {
        for (text, what) in [
            (&b""[..], "m.mtx:1: not a Matrix Market banner"),
            (b"%%MatrixMarket matrix array real general\n", "m.mtx:1: unsupported Matrix Market format `array`"),
            (b"%%MatrixMarket matrix coordinate complex general\n", "m.mtx:1: unsupported Matrix Market field"),
            (b"%%MatrixMarket matrix coordinate pattern hermitian\n", "m.mtx:1: unsupported Matrix Market symmetry"),
            (b"%%MatrixMarket matrix coordinate real general\n1 1 0\n", "m.mtx: real-valued"),
            (b"%%MatrixMarket matrix coordinate pattern general\n% c\n", "m.mtx: no size line"),
            (b"%%MatrixMarket matrix coordinate pattern general\n2 2\n", "m.mtx:2: malformed size line"),
        ] {
            let e = plan(Path::new("m.mtx"), text, &opts()).err().unwrap().to_string();
            assert!(e.starts_with(what), "{e}");
        }
    }
}
