//! The bytes of an input file: memory-mapped when it is plain, decompressed into memory when it is
//! `.gz` or `.zst` (recognised by the file name or by the stream's magic number).

use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::Path;

use memmap2::Mmap;

use crate::graph::Budget;
use crate::units::human_bytes;
use crate::{Error, Result};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// A compression wrapper around a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// The compression `path` uses, judged by its name, then by its first bytes.
    pub fn detect(path: &Path, head: &[u8]) -> Compression {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        if name.ends_with(".gz") || head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if name.ends_with(".zst") || head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The (decompressed) contents of an input file.
pub enum Input {
    /// A read-only map of a plain file.
    Mapped(Mmap),
    /// Decompressed (or empty) contents.
    Owned(Vec<u8>),
}

impl Deref for Input {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Input::Mapped(map) => map,
            Input::Owned(bytes) => bytes,
        }
    }
}

/// Opens `path`: maps it when plain, decompresses it into memory when compressed. The
/// decompressed bytes count against `budget` as they arrive — the buffer, and while it grows the
/// old one beside the new — so a small bomb is refused at the budget, not after it.
pub fn open_input(path: &Path, budget: &Budget) -> Result<Input> {
    let mut file = super::file::open(path)?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Ok(Input::Owned(Vec::new()));
    }
    let compression = sniff(path, &mut file)?;
    if compression == Compression::None {
        // SAFETY: the map is read-only and lives as long as the returned `Input`. Another process
        // truncating or rewriting the file while we parse could change what we read (or fault on
        // truncation); costgraph never modifies its inputs.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        return Ok(Input::Mapped(map));
    }
    // Grown by hand: the buffer, and the old one beside the new while it grows, within the budget.
    let limit = budget.limit();
    let mut input = decoder(path, super::file::open(path)?, compression)?;
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let k = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(stream_error(path, compression, e)),
        };
        let need = out.len() + k;
        if need > out.capacity() {
            // Growing moves the bytes into a new buffer while the old one is still held: both
            // count. Double while that fits, else take what room is left.
            let held = out.capacity();
            let room = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(held);
            let grown = (2 * held).min(room).max(need);
            let what = format!("{}, decompressed into memory, is longer than the budget: it", path.display());
            budget.check(&what, (held + grown) as u64)?;
            out.try_reserve_exact(grown - out.len())
                .map_err(|_| Error::format(path, "out of memory while decompressing"))?;
        }
        out.extend_from_slice(&chunk[..k]);
    }
    Ok(Input::Owned(out))
}

/// The compression of the open `file` at `path`, by name or first bytes (read from the start).
fn sniff(path: &Path, file: &mut File) -> Result<Compression> {
    let mut head = [0u8; 4];
    let got = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(Compression::detect(path, &head[..got]))
}

/// A reader of the decompressed bytes of `reader` (the file at `path`, in `compression`).
fn decoder<'a>(path: &Path, reader: impl Read + 'a, compression: Compression) -> Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(reader))),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(reader).map_err(|e| stream_error(path, compression, e))?)
        }
    })
}

/// Decompresses `reader` (the file `path`, in `compression`) into the new file `target`, and
/// returns its size: at most `limit` bytes (`what_limits` says why, in the error), so that a
/// small bomb cannot fill the disk.
pub fn decompress_to_file(
    path: &Path,
    reader: impl Read,
    compression: Compression,
    target: &Path,
    limit: u64,
    what_limits: &str,
) -> Result<u64> {
    let mut input = decoder(path, reader, compression)?.take(limit.saturating_add(1));
    let file = File::create(target).map_err(|e| Error::io(target, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let total = std::io::copy(&mut input, &mut out).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::Other => stream_error(path, compression, e),
        _ => Error::io(target, e),
    })?;
    std::io::Write::flush(&mut out).map_err(|e| Error::io(target, e))?;
    if total > limit {
        return Err(Error::format(path, format!("decompresses to more than {} ({what_limits})", human_bytes(limit))));
    }
    Ok(total)
}

/// Decompresses the whole of the gzip or zstd file `path` without keeping it (for checking that a
/// download is complete: a stream cut short misses its end, its trailer or its frame checksum),
/// and returns its decompressed size; an error for a plain file, which has nothing to check.
pub fn check_complete(path: &Path) -> Result<u64> {
    let compression = sniff(path, &mut super::file::open(path)?)?;
    if compression == Compression::None {
        return Err(Error::format(path, "not compressed, so nothing in it says whether it is whole"));
    }
    let mut input = decoder(path, super::file::open(path)?, compression)?;
    std::io::copy(&mut input, &mut std::io::sink()).map_err(|e| stream_error(path, compression, e))
}

/// A read error of a (compressed) input: a format error for a corrupt stream, else an I/O error.
fn stream_error(path: &Path, compression: Compression, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::Other => {
            Error::format(path, format!("corrupt {compression:?} stream: {e}").to_lowercase())
        }
        _ => Error::io(path, e),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn gzip_and_zstd_are_decompressed_plain_is_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"0 1\n1 2\n";
        let plain = dir.path().join("g.txt");
        std::fs::write(&plain, text).unwrap();
        assert!(matches!(open_input(&plain, &Budget::default()).unwrap(), Input::Mapped(_)));
        let gz = dir.path().join("g.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(&*open_input(&gz, &Budget::default()).unwrap(), text);
        // A zstd stream under a misleading name is still recognised by its magic number.
        let zst = dir.path().join("g.txt");
        std::fs::write(&zst, zstd::encode_all(&text[..], 3).unwrap()).unwrap();
        assert_eq!(&*open_input(&zst, &Budget::default()).unwrap(), text);
    }

    #[test]
    fn a_cut_stream_is_not_complete() {
        let dir = tempfile::tempdir().unwrap();
        let text: Vec<u8> = (0..100_000u32).flat_map(|i| format!("{i} {}\n", i * 7).into_bytes()).collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&text).unwrap();
        let gz = enc.finish().unwrap();
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        for (name, bytes) in [("g.gz", gz), ("g.zst", zst)] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(check_complete(&path).unwrap(), text.len() as u64, "{name}");
            std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
            assert!(check_complete(&path).is_err(), "{name} cut to a third");
        }
        let plain = dir.path().join("g.txt");
        std::fs::write(&plain, &text).unwrap();
        assert!(check_complete(&plain).is_err());
    }

    #[test]
    fn corrupt_stream_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("g.txt.gz");
        std::fs::write(&gz, b"\x1f\x8b not really gzip").unwrap();
        let err = open_input(&gz, &Budget::default()).err().unwrap().to_string();
        assert!(err.contains("g.txt.gz") && err.contains("corrupt"), "{err}");
    }

    #[test]
    fn a_bomb_is_stopped_at_the_budget_or_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("bomb.el.gz");
        let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::best());
        enc.write_all(&vec![b'0'; 8 << 20]).unwrap();
        enc.finish().unwrap();
        let small = Budget::from_flag(Some(1 << 20)).unwrap();
        let err = open_input(&gz, &small).err().unwrap().to_string();
        assert!(err.contains("decompressed into memory, is longer than the budget"), "{err}");
        let target = dir.path().join("out");
        let err = decompress_to_file(&gz, File::open(&gz).unwrap(), Compression::Gzip, &target, 1 << 20, "test")
            .unwrap_err()
            .to_string();
        assert!(err.contains("decompresses to more than 1.0 MiB (test)"), "{err}");
        assert_eq!(
            decompress_to_file(&gz, File::open(&gz).unwrap(), Compression::Gzip, &target, 8 << 20, "").unwrap(),
            8 << 20
        );
    }
}
