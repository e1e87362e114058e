//! [`StreamWriter`]: a `.cgr` file written as the builder hands over its lists.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::{HEADER_LEN, Header, Shape, align_up};
use crate::graph::{CsrSink, GraphProps};
use crate::{Error, Result};

/// Writes a `.cgr` file as the builder hands over its lists ([`CsrSink`]), bucket by bucket in
/// node order, holding only the `8 (n + 1)` bytes of offsets: the targets go straight to their
/// section (which starts at a position known from `n`), the weights to an unnamed temporary file
/// (copied after the targets at the end, once the arc count is known), and the header and offsets
/// are written last. The bytes are exactly those [`write`] writes for the same graph, and the file
/// appears atomically.
pub struct StreamWriter {
    out: crate::io::AtomicFile,
    targets: BufWriter<File>,
    weights: Option<BufWriter<File>>,
    props: GraphProps,
    offsets: Vec<u64>,
    nodes: u64,
}

impl StreamWriter {
    /// Starts `path` for a graph of `nodes` nodes with `props`, weighted or not; the weights wait
    /// in an unnamed file in `scratch` (the system's temporary folder when `None`).
    pub fn create(
        path: &Path,
        nodes: usize,
        props: GraphProps,
        weighted: bool,
        scratch: Option<&Path>,
    ) -> Result<Self> {
        let mut offsets = Vec::new();
        offsets
            .try_reserve_exact(nodes + 1)
            .map_err(|_| Error::invalid(format!("out of memory for the offsets of {nodes} nodes")))?;
        offsets.push(0);
        let mut out = crate::io::AtomicFile::create(path)?;
        let n = nodes as u64;
        let at = align_up(HEADER_LEN as u64 + (n + 1) * 8); // a version 1 header: no transpose
        let mut file = out.file().try_clone().map_err(|e| Error::io(path, e))?;
        file.seek(SeekFrom::Start(at)).map_err(|e| Error::io(path, e))?;
        let weights = if weighted {
            let dir = scratch.map_or_else(std::env::temp_dir, Path::to_path_buf);
            let file = tempfile::tempfile_in(&dir).map_err(|e| Error::io(&dir, e))?;
            Some(BufWriter::with_capacity(1 << 20, file))
        } else {
            None
        };
        Ok(StreamWriter { out, targets: BufWriter::with_capacity(1 << 20, file), weights, props, offsets, nodes: n })
    }

    /// Completes the file (with `original_ids`, one per node, when the ids were relabelled) and
    /// renames it into place. Returns the number of arcs.
    pub fn finish(mut self, original_ids: Option<&[u64]>) -> Result<u64> {
        let path = self.out_path();
        let io = |e| Error::io(&path, e);
        assert_eq!(self.offsets.len() as u64, self.nodes + 1, "every node's degree was appended");
        let arcs = *self.offsets.last().expect("n + 1 offsets");
        let header = Header::for_shape(&Shape {
            nodes: self.nodes,
            arcs,
            props: self.props,
            weighted: self.weights.is_some(),
            original_ids: original_ids.is_some(),
            hilbert: false,
            transpose: false,
            shard: None,
        });
        let mut out = self.targets;
        let mut at = header.sections[1].0 + header.sections[1].1;
        if let Some(weights) = self.weights.take() {
            let mut weights = weights.into_inner().map_err(|e| io(e.into_error()))?;
            weights.rewind().map_err(io)?;
            out.write_all(&vec![0u8; (header.sections[2].0 - at) as usize]).map_err(io)?;
            std::io::copy(&mut weights, &mut out).map_err(io)?;
            at = header.sections[2].0 + header.sections[2].1;
        }
        if let Some(ids) = original_ids {
            out.write_all(&vec![0u8; (header.sections[3].0 - at) as usize]).map_err(io)?;
            out.write_all(bytemuck::cast_slice(ids)).map_err(io)?;
            at = header.sections[3].0 + header.sections[3].1;
        }
        out.write_all(&vec![0u8; (align_up(at) - at) as usize]).map_err(io)?;
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        // Empty trailing sections were only seeked over: the file must still reach their end.
        file.set_len(align_up(at)).map_err(io)?;
        file.rewind().map_err(io)?;
        let mut head = BufWriter::with_capacity(1 << 20, file);
        head.write_all(&header.encode()).map_err(io)?;
        head.write_all(bytemuck::cast_slice(&self.offsets)).map_err(io)?;
        head.flush().map_err(io)?;
        drop(head);
        self.out.commit()?;
        Ok(arcs)
    }

    fn out_path(&self) -> std::path::PathBuf {
        self.out.path().to_path_buf()
    }
}

impl CsrSink for StreamWriter {
    fn append(&mut self, degrees: &[u32], targets: &[u32], weights: Option<&[u32]>) -> Result<()> {
        let mut at = *self.offsets.last().expect("starts with 0");
        self.offsets.extend(degrees.iter().map(|&d| {
            at += d as u64;
            at
        }));
        let path = self.out_path();
        self.targets.write_all(bytemuck::cast_slice(targets)).map_err(|e| Error::io(&path, e))?;
        if let (Some(out), Some(w)) = (&mut self.weights, weights) {
            out.write_all(bytemuck::cast_slice(w)).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}
