//! DIMACS 9th implementation challenge `.gr` files: `c` comment lines, one `p sp N M` line, then
//! `a u v w` arcs with 1-based ids.
//!
//! Files with only `a` lines and no `p` line (such as the `bremen_dist.gr` test map of
//! `fast_paths`) are accepted too: without a `p` line there is no declared node count and the ids
//! are taken as **0-based**. A file with neither a `p` line nor any arc (including an empty file) is
//! refused, as is an arc before the `p` line or an arc count that differs from the `p` line's.

use std::path::Path;

use super::Plan;
use super::text::{Layout, WeightColumn, lines, words};
use crate::{Error, Result};

const MISPLACED_P: &str = "a `p` line after the first arc: the `p` line must come once, before any `a` line";

/// Reads the header (comments and `p` line) and plans the parsing of the arcs.
pub(crate) fn plan(path: &Path, bytes: &[u8]) -> Result<Plan> {
    let mut declared: Option<(u64, u64)> = None;
    let mut body = (bytes.len(), 0);
    for (number, start, line) in lines(bytes) {
        let line = line.trim_ascii_start();
        match line.first() {
            None | Some(b'c') => {}
            Some(b'p') => {
                if declared.is_some() {
                    return Err(Error::parse(path, number, "a second `p` line"));
                }
                declared =
                    Some(problem_line(line).ok_or_else(|| {
                        Error::parse(path, number, "malformed `p` line (expected `p sp NODES ARCS`)")
                    })?);
            }
            Some(b'a') => {
                body = (start, number - 1);
                break;
            }
            Some(_) => {
                return Err(Error::parse(
                    path,
                    number,
                    "unexpected line (a DIMACS .gr file has `c` comments, one `p sp N M` line and `a u v w` arcs)",
                ));
            }
        }
    }
    if declared.is_none() && body.0 == bytes.len() {
        return Err(Error::format(path, "no `p` line and no arcs: not a DIMACS .gr file"));
    }
    let (base, limits, nodes, edges) = match declared {
        Some((n, m)) => (1, Some((n, n, "the node count on the `p` line")), Some(n), Some((m, "the `p` line"))),
        None => (0, None, None, None),
    };
    Ok(Plan {
        body_start: body.0,
        first_line: body.1,
        layout: Layout {
            comments: b"c",
            tag: Some(b'a'),
            skip_first: false,
            weight: WeightColumn::Absent,
            base,
            limits,
            misplaced: Some((b'p', MISPLACED_P)),
            syntax: "`a u v w`",
        },
        has_weights: true,
        nodes,
        edges,
        directed: true,
    })
}

/// Parses `p sp N M` (any problem name) into `(N, M)`.
fn problem_line(line: &[u8]) -> Option<(u64, u64)> {
    let w: Vec<&[u8]> = words(line).collect();
    let [b"p", _, n, m] = w[..] else { return None };
    let num = |t: &[u8]| std::str::from_utf8(t).ok()?.parse::<u64>().ok();
    Some((num(n)?, num(m)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_and_without_p_line() {
        let p = plan(Path::new("g.gr"), b"c x\np sp 3 2\nc y\na 1 2 3\na 2 3 4\n").unwrap();
        assert_eq!((p.body_start, p.first_line, p.nodes, p.layout.base), (17, 3, Some(3), 1));
        let p = plan(Path::new("g.gr"), b"a 0 1 5\n").unwrap();
        assert_eq!((p.body_start, p.first_line, p.nodes, p.layout.base), (0, 0, None, 0));
        let p = plan(Path::new("g.gr"), b"p sp 5 0\n").unwrap();
        assert_eq!((p.nodes, p.edges.map(|e| e.0)), (Some(5), Some(0)));
    }

    #[test]
    fn bad_headers() {
        for (text, what) in [
            (&b""[..], "g.gr: no `p` line"),
            (b"c only\n", "g.gr: no `p` line"),
            (b"p sp 3\n", "g.gr:1: malformed `p` line"),
            (b"p sp 3 x\n", "g.gr:1: malformed `p` line"),
            (b"p sp 3 1\np sp 3 1\n", "g.gr:2: a second `p` line"),
            (b"x 1 2 3\n", "g.gr:1: unexpected line"),
        ] {
            let e = plan(Path::new("g.gr"), text).err().unwrap().to_string();
            assert!(e.starts_with(what), "{e}");
        }
    }
}
