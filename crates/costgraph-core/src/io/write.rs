//! Text edge lists out of a [`Csr`]: `u v` or `u v w` lines, formatted in parallel blocks and
//! written in order.

use std::io::Write;

use rayon::prelude::*;

use crate::graph::Csr;

/// Arcs per formatting block (several blocks per thread are formatted at once).
const ARCS_PER_BLOCK: u64 = 1 << 18;

/// Appends the decimal digits of `x`.
fn push_u64(buf: &mut Vec<u8>, mut x: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

/// Writes one line per arc of a directed graph, one per edge (`u <= v`) of an undirected one,
/// with original ids when the graph was relabelled and the weight when `weighted`.
pub(crate) fn write_to(csr: &Csr, weighted: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let n = csr.num_nodes();
    let once = !csr.props().directed;
    let offsets = csr.offsets();
    let blocks = csr.num_arcs().div_ceil(ARCS_PER_BLOCK).max(1);
    let mut bounds: Vec<usize> =
        (0..=blocks).map(|b| offsets.partition_point(|&o| o < b * ARCS_PER_BLOCK).min(n)).collect();
    bounds[blocks as usize] = n;
    bounds.dedup();
    let format_block = |range: &[usize]| {
        let mut buf = Vec::with_capacity(ARCS_PER_BLOCK as usize * 16);
        for u in range[0] as u32..range[1] as u32 {
            for (v, w) in csr.weighted_neighbors(u) {
                if once && v < u {
                    continue;
                }
                push_u64(&mut buf, csr.original_id(u));
                buf.push(b' ');
                push_u64(&mut buf, csr.original_id(v));
                if weighted {
                    buf.push(b' ');
                    push_u64(&mut buf, w as u64);
                }
                buf.push(b'\n');
            }
        }
        buf
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let batch = rayon::current_num_threads() * 2 + 1;
    let windows: Vec<&[usize]> = bounds.windows(2).collect();
    for group in windows.chunks(batch) {
        let texts: Vec<Vec<u8>> = group.par_iter().map(|r| format_block(r)).collect();
        for text in texts {
            out.write_all(&text)?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, EdgeList};

    fn text(csr: &Csr, weighted: bool) -> String {
        let mut out = Vec::new();
        write_to(csr, weighted, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn directed_undirected_and_original_ids() {
        let e = EdgeList::new(3, vec![(0, 1), (1, 2), (2, 2)], true).with_weights(vec![5, 6, 7]);
        assert_eq!(text(&Csr::from_edges(&e, BuildOptions::directed()), true), "0 1 5\n1 2 6\n2 2 7\n");
        let mut u = EdgeList { directed: false, ..e };
        u.original_ids = Some(vec![10, 20, u64::MAX]);
        let g = Csr::from_edges(&u, BuildOptions::undirected());
        assert_eq!(text(&g, false), format!("10 20\n20 {m}\n{m} {m}\n", m = u64::MAX));
        assert_eq!(text(&Csr::from_edges(&EdgeList::new(0, vec![], true), BuildOptions::directed()), false), "");
    }
}
