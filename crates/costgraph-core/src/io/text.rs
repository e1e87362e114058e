//! The one line parser behind every text format, run in parallel over chunks of the input.
//!
//! A format is described by a [`Layout`]: which bytes start a comment line, an optional one-letter
//! tag that starts every edge line (DIMACS `a`), an optional leading column to skip (the edge id of
//! `.cedge`), the id base (0 or 1) and largest allowed ids, and what to do with the weight column.
//! The input is split into chunks at newline boundaries; each chunk is parsed on its own (rayon)
//! with hand-written integer parsing and no allocation per line, and counts its lines so that an
//! error anywhere is reported with its exact line number (the line counts of the chunks before it
//! are summed).

use std::path::Path;

use rayon::prelude::*;

use super::RealWeights;
use crate::graph::Weight;
use crate::{Error, Result};

/// What a layout does with the weight column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum WeightColumn {
    /// The lines have no weight column.
    Absent,
    /// The lines have a weight column, which is ignored (but must be present).
    Skip,
    /// The lines have a weight column, parsed as a `u32` (or scaled and rounded with `RealWeights`).
    Parse(Option<RealWeights>),
}

/// How edge lines look in one text format.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// First bytes that mark a comment line.
    pub comments: &'static [u8],
    /// A one-letter tag that starts every edge line (DIMACS `a`).
    pub tag: Option<u8>,
    /// Skip one leading column (the edge id of `.cedge`).
    pub skip_first: bool,
    /// The weight column.
    pub weight: WeightColumn,
    /// Ids in the file start at this value (0 or 1); it is subtracted.
    pub base: u64,
    /// The largest id allowed in the source and target columns (in the file's numbering), and
    /// where that limit comes from; `None` for no limit.
    pub limits: Option<(u64, u64, &'static str)>,
    /// A line tag that may not appear among the edges, with the message that explains why.
    pub misplaced: Option<(u8, &'static str)>,
    /// How an edge line looks, for messages (e.g. "`a u v w`").
    pub syntax: &'static str,
}

/// Edges as the file numbers them (base already subtracted), with their weights.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// `(source, target)` ids, 0-based.
    pub raw: Vec<(u64, u64)>,
    /// One weight per edge when the layout parses weights.
    pub weights: Option<Vec<Weight>>,
}

/// Aim for chunks of this many bytes (more chunks than threads, so the work balances).
const CHUNK_BYTES: usize = 4 << 20;

#[inline(always)]
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// Splits `bytes` into pieces that end just after a newline (the last one at the end).
fn split_chunks(bytes: &[u8]) -> Vec<&[u8]> {
    let target = CHUNK_BYTES.max(bytes.len() / (rayon::current_num_threads() * 4).max(1)).min(64 << 20);
    let mut chunks = Vec::with_capacity(bytes.len() / target + 1);
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + target).min(bytes.len());
        if end < bytes.len() {
            end = bytes[end..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| end + p + 1);
        }
        chunks.push(&bytes[start..end]);
        start = end;
    }
    chunks
}

/// Parses the edge lines in `body`, which starts on line `first_line + 1` of `path`.
pub(crate) fn parse_body(path: &Path, body: &[u8], first_line: u64, layout: &Layout) -> Result<Parsed> {
    let bar = crate::progress::bar(body.len() as u64, &format!("reading {}", path.display()), true);
    let chunks = split_chunks(body);
    let results: Vec<Result<Chunk, (u64, String)>> = chunks
        .par_iter()
        .map(|chunk| {
            let out = parse_chunk(chunk, layout);
            bar.inc(chunk.len() as u64);
            out
        })
        .collect();
    bar.finish_and_clear();
    // Lines before each chunk: the first failing chunk has only complete chunks before it.
    let mut lines_before = first_line;
    let mut parts = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(chunk) => {
                lines_before += chunk.lines;
                parts.push(chunk);
            }
            Err((line, msg)) => return Err(Error::parse(path, lines_before + line, msg)),
        }
    }
    let total: usize = parts.iter().map(|c| c.raw.len()).sum();
    let mut raw = Vec::with_capacity(total);
    let parse_weights = matches!(layout.weight, WeightColumn::Parse(_));
    let mut weights = Vec::with_capacity(if parse_weights { total } else { 0 });
    for chunk in parts {
        raw.extend_from_slice(&chunk.raw);
        weights.extend_from_slice(&chunk.weights);
    }
    Ok(Parsed { raw, weights: parse_weights.then_some(weights) })
}

/// What one chunk yields.
struct Chunk {
    raw: Vec<(u64, u64)>,
    weights: Vec<Weight>,
    lines: u64,
}

/// The reasons a number column can fail.
enum NumError {
    /// The line ended before the column.
    Missing,
    /// The token is not a non-negative integer; `(start, end)` of the token.
    Invalid(usize, usize),
    /// The integer does not fit in 64 bits.
    Overflow(usize, usize),
}

/// Skips blanks, then parses a non-negative decimal integer token ending at a blank, a newline
/// or the end of `s`.
#[inline(always)]
fn number(s: &[u8], i: &mut usize) -> Result<u64, NumError> {
    let mut j = *i;
    while j < s.len() && is_blank(s[j]) {
        j += 1;
    }
    if j == s.len() || s[j] == b'\n' {
        *i = j;
        return Err(NumError::Missing);
    }
    let start = j;
    let mut value: u64 = 0;
    while j < s.len() {
        let d = s[j].wrapping_sub(b'0');
        if d >= 10 {
            break;
        }
        value = match value.checked_mul(10).and_then(|v| v.checked_add(d as u64)) {
            Some(v) => v,
            None => return Err(NumError::Overflow(start, token_end(s, start))),
        };
        j += 1;
    }
    if j == start || (j < s.len() && !is_blank(s[j]) && s[j] != b'\n') {
        return Err(NumError::Invalid(start, token_end(s, start)));
    }
    *i = j;
    Ok(value)
}

fn token_end(s: &[u8], start: usize) -> usize {
    s[start..].iter().position(|&b| is_blank(b) || b == b'\n').map_or(s.len(), |p| start + p)
}

fn show(token: &[u8]) -> String {
    let text = String::from_utf8_lossy(&token[..token.len().min(40)]);
    if token.len() > 40 { format!("`{text}...`") } else { format!("`{text}`") }
}

/// Parses one weight token that failed integer parsing (or any token with real weights).
#[cold]
fn real_weight(token: &[u8], real: Option<RealWeights>) -> Result<Weight, String> {
    let text = std::str::from_utf8(token).map_err(|_| format!("{} is not a weight", show(token)))?;
    let value: f64 = text.parse().map_err(|_| format!("{} is not a weight (expected a number)", show(token)))?;
    if !value.is_finite() {
        return Err(format!("{} is not a finite weight", show(token)));
    }
    if value < 0.0 {
        return Err(format!("negative weight {} (weights must be non-negative)", show(token)));
    }
    let Some(RealWeights { scale }) = real else {
        return Err(format!(
            "non-integer weight {} (weights are u32; pass --real-weights SCALE to scale and round them)",
            show(token)
        ));
    };
    let scaled = (value * scale).round();
    if scaled > Weight::MAX as f64 {
        return Err(format!("weight {} times {scale} does not fit in u32", show(token)));
    }
    Ok(scaled as Weight)
}

/// Parses the weight column.
#[inline(always)]
fn weight(s: &[u8], i: &mut usize, real: Option<RealWeights>) -> Result<Weight, Result<String, ()>> {
    let start = *i;
    match number(s, i) {
        Ok(w) => match real {
            None => Weight::try_from(w).map_err(|_| Ok(format!("weight {w} does not fit in u32"))),
            Some(_) => {
                let begin = start + s[start..*i].iter().take_while(|&&b| is_blank(b)).count();
                real_weight(&s[begin..*i], real).map_err(Ok)
            }
        },
        Err(NumError::Missing) => Err(Err(())),
        Err(NumError::Invalid(a, b) | NumError::Overflow(a, b)) => {
            *i = b;
            real_weight(&s[a..b], real).map_err(Ok)
        }
    }
}

/// Skips blanks and one token; false when the line has ended.
fn skip_token(s: &[u8], i: &mut usize) -> bool {
    while *i < s.len() && is_blank(s[*i]) {
        *i += 1;
    }
    if *i == s.len() || s[*i] == b'\n' {
        return false;
    }
    *i = token_end(s, *i);
    true
}

/// Parses every line of one chunk. `Err((line, message))` with the 1-based line within the chunk.
fn parse_chunk(s: &[u8], l: &Layout) -> Result<Chunk, (u64, String)> {
    let expect = (s.len() / 12).min(1 << 22);
    let mut raw = Vec::with_capacity(expect);
    let parse_weights = matches!(l.weight, WeightColumn::Parse(_));
    let real = match l.weight {
        WeightColumn::Parse(real) => real,
        _ => None,
    };
    let mut weights = Vec::with_capacity(if parse_weights { expect } else { 0 });
    let (limit_u, limit_v, limit_why) = l.limits.unwrap_or((u64::MAX, u64::MAX, ""));
    let mut i = 0;
    let mut line = 0u64;
    let n = s.len();
    while i < n {
        line += 1;
        while i < n && is_blank(s[i]) {
            i += 1;
        }
        if i == n {
            break;
        }
        let c = s[i];
        if c == b'\n' {
            i += 1;
            continue;
        }
        let fail = |msg: String| Err((line, msg));
        let missing = |what: &str| Err((line, format!("missing {what} (expected {})", l.syntax)));
        if l.comments.contains(&c) {
            i = s[i..].iter().position(|&b| b == b'\n').map_or(n, |p| i + p + 1);
            continue;
        }
        if let Some(tag) = l.tag {
            if c != tag || (i + 1 < n && !is_blank(s[i + 1]) && s[i + 1] != b'\n') {
                if let Some((bad, why)) = l.misplaced
                    && c == bad
                {
                    return fail(why.to_string());
                }
                return fail(format!(
                    "unexpected line starting with {} (expected {})",
                    show(&s[i..token_end(s, i)]),
                    l.syntax
                ));
            }
            i += 1;
        }
        if l.skip_first && !skip_token(s, &mut i) {
            return missing("edge id");
        }
        let mut ids = [0u64; 2];
        for (k, id) in ids.iter_mut().enumerate() {
            let what = if k == 0 { "source id" } else { "target id" };
            *id = match number(s, &mut i) {
                Ok(x) => x,
                Err(NumError::Missing) => return missing(what),
                Err(NumError::Invalid(a, b)) => {
                    return fail(format!("{} is not a node id (expected a non-negative integer)", show(&s[a..b])));
                }
                Err(NumError::Overflow(a, b)) => {
                    return fail(format!("node id {} does not fit in 64 bits", show(&s[a..b])));
                }
            };
        }
        let [u, v] = ids;
        if u < l.base || v < l.base {
            return fail(format!("node id 0 in a file whose ids start at {}", l.base));
        }
        if u > limit_u || v > limit_v {
            let (id, limit) = if u > limit_u { (u, limit_u) } else { (v, limit_v) };
            return fail(format!("node id {id} is larger than {limit}, {limit_why}"));
        }
        match l.weight {
            WeightColumn::Absent => {}
            WeightColumn::Skip => {
                if !skip_token(s, &mut i) {
                    return missing("weight");
                }
            }
            WeightColumn::Parse(_) => match weight(s, &mut i, real) {
                Ok(w) => weights.push(w),
                Err(Ok(msg)) => return fail(msg),
                Err(Err(())) => return missing("weight"),
            },
        }
        while i < n && is_blank(s[i]) {
            i += 1;
        }
        if i < n {
            if s[i] != b'\n' {
                return fail(format!(
                    "unexpected extra column {} (expected {})",
                    show(&s[i..token_end(s, i)]),
                    l.syntax
                ));
            }
            i += 1;
        }
        raw.push((u - l.base, v - l.base));
    }
    Ok(Chunk { raw, weights, lines: line })
}

/// Iterates over the lines of `bytes` (without their `\n`, `\r` trimmed), with each line's
/// 1-based number and the byte offset where it starts. For the short headers of DIMACS and Matrix
/// Market files; the edges go through [`parse_body`].
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (u64, usize, &[u8])> {
    let mut at = 0;
    let mut number = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p);
        at = end + 1;
        number += 1;
        let line = &bytes[start..end];
        Some((number, start, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// Splits a header line into its blank-separated words.
pub(crate) fn words(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| is_blank(b)).filter(|w| !w.is_empty())
}

/// The number of columns of the first line that is neither blank nor a comment, if any.
pub(crate) fn first_columns(bytes: &[u8], comments: &[u8]) -> Option<usize> {
    lines(bytes)
        .map(|(_, _, line)| line.trim_ascii_start())
        .find(|l| !l.is_empty() && !comments.contains(&l[0]))
        .map(|l| words(l).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(weight: WeightColumn) -> Layout {
        Layout {
            comments: b"#%",
            tag: None,
            skip_first: false,
            weight,
            base: 0,
            limits: None,
            misplaced: None,
            syntax: "`u v`",
        }
    }

    fn parse(text: &str, l: &Layout) -> Result<Parsed> {
        parse_body(Path::new("t.txt"), text.as_bytes(), 0, l)
    }

    #[test]
    fn comments_crlf_tabs_and_blank_runs() {
        let p = parse("# c\r\n% c\r\n0\t1\r\n  2   3  \r\n\r\n4 5", &snap(WeightColumn::Absent)).unwrap();
        assert_eq!(p.raw, vec![(0, 1), (2, 3), (4, 5)]);
        assert!(p.weights.is_none());
    }

    #[test]
    fn weights_integer_real_and_errors() {
        let p = parse("0 1 7\n1 2 0\n", &snap(WeightColumn::Parse(None))).unwrap();
        assert_eq!(p.weights, Some(vec![7, 0]));
        let real = WeightColumn::Parse(Some(RealWeights { scale: 10.0 }));
        let p = parse("0 1 0.26\n1 2 3\n2 3 1e-1\n", &snap(real)).unwrap();
        assert_eq!(p.weights, Some(vec![3, 30, 1]));
        let e = parse("0 1 2\n0 1 0.5\n", &snap(WeightColumn::Parse(None))).unwrap_err().to_string();
        assert!(e.starts_with("t.txt:2: non-integer weight `0.5`") && e.contains("--real-weights"), "{e}");
        let e = parse("0 1 -2\n", &snap(WeightColumn::Parse(None))).unwrap_err().to_string();
        assert!(e.starts_with("t.txt:1: negative weight"), "{e}");
        let e = parse("0 1 4294967296\n", &snap(WeightColumn::Parse(None))).unwrap_err().to_string();
        assert!(e.contains("does not fit in u32"), "{e}");
        let e = parse("0 1\n", &snap(WeightColumn::Parse(None))).unwrap_err().to_string();
        assert!(e.starts_with("t.txt:1: missing weight"), "{e}");
    }

    #[test]
    fn bad_tokens_name_the_line() {
        let l = snap(WeightColumn::Absent);
        for (text, line, what) in [
            ("0 1\n0 x\n", 2, "`x` is not a node id"),
            ("0 1\n\n# c\n1\n", 4, "missing target id"),
            ("99999999999999999999 1\n", 1, "node id `99999999999999999999` does not fit in 64 bits"),
            ("0 1 2\n", 1, "unexpected extra column `2`"),
            ("-1 2\n", 1, "`-1` is not a node id"),
            ("1 2x\n", 1, "`2x` is not a node id"),
        ] {
            let e = parse(text, &l).unwrap_err().to_string();
            assert!(e.starts_with(&format!("t.txt:{line}: {what}")), "{text:?}: {e}");
        }
    }

    #[test]
    fn line_numbers_are_exact_across_chunks() {
        let mut text = String::new();
        for i in 0..2_000_000u32 {
            text.push_str(&format!("{i} {}\n", i + 1));
        }
        text.push_str("1 oops\n");
        let e = parse_body(Path::new("big.txt"), text.as_bytes(), 3, &snap(WeightColumn::Absent)).unwrap_err();
        assert!(split_chunks(text.as_bytes()).len() > 1);
        assert!(e.to_string().starts_with("big.txt:2000004: `oops`"), "{e}");
        text.pop();
        text.pop();
        text.pop();
        text.pop();
        text.pop();
        text.push_str("2\n");
        let p = parse_body(Path::new("big.txt"), text.as_bytes(), 3, &snap(WeightColumn::Absent)).unwrap();
        assert_eq!(p.raw.len(), 2_000_001);
        assert_eq!(p.raw[1_999_999], (1_999_999, 2_000_000));
        assert_eq!(p.raw[2_000_000], (1, 2));
    }

    #[test]
    fn tags_bases_and_limits() {
        let l = Layout {
            comments: b"c",
            tag: Some(b'a'),
            skip_first: false,
            weight: WeightColumn::Parse(None),
            base: 1,
            limits: Some((3, 3, "the node count on the `p` line")),
            misplaced: Some((b'p', "misplaced p")),
            syntax: "`a u v w`",
        };
        let p = parse("c x\na 1 2 5\na 3 1 6\n", &l).unwrap();
        assert_eq!(p.raw, vec![(0, 1), (2, 0)]);
        for (text, what) in [
            ("a 0 1 1\n", "t.txt:1: node id 0"),
            ("a 4 1 1\n", "t.txt:1: node id 4 is larger than 3"),
            ("p sp 3 1\n", "t.txt:1: misplaced p"),
            ("e 1 2 3\n", "t.txt:1: unexpected line starting with `e`"),
            ("ab 1 2 3\n", "t.txt:1: unexpected line starting with `ab`"),
        ] {
            let e = parse(text, &l).unwrap_err().to_string();
            assert!(e.starts_with(what), "{text:?}: {e}");
        }
    }

    #[test]
    fn header_helpers() {
        let b = b"# x\r\n\n  3 4 5\r\n";
        assert_eq!(first_columns(b, b"#"), Some(3));
        let all: Vec<_> = lines(b).collect();
        assert_eq!(all[0], (1, 0, &b"# x"[..]));
        assert_eq!(all[2], (3, 6, &b"  3 4 5"[..]));
        assert_eq!(words(b"p  sp\t3 4").collect::<Vec<_>>(), vec![&b"p"[..], b"sp", b"3", b"4"]);
    }
}
