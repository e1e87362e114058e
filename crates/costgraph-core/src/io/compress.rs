//! The bytes of an input file: memory-mapped when it is plain, decompressed into memory when it is
//! `.gz` or `.zst` (recognised by the file name or by the stream's magic number).

use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::Path;

use memmap2::Mmap;

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

/// Opens `path`: maps it when plain, decompresses it into memory when compressed.
pub fn open_input(path: &Path) -> Result<Input> {
    let mut file = super::file::open(path)?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Ok(Input::Owned(Vec::new()));
    }
    let mut head = [0u8; 4];
    let got = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    let compression = Compression::detect(path, &head[..got]);
    if compression == Compression::None {
        // SAFETY: the map is read-only and lives as long as the returned `Input`. Another process
        // truncating or rewriting the file while we parse could change what we read (or fault on
        // truncation); costgraph never modifies its inputs.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        return Ok(Input::Mapped(map));
    }
    let file = super::file::open(path)?;
    decompress(path, file, compression).map(Input::Owned)
}

/// Decompresses the whole of `reader` (in `compression`) into memory.
pub fn decompress(path: &Path, reader: impl Read, compression: Compression) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let result = match compression {
        Compression::None => std::io::BufReader::new(reader).read_to_end(&mut out),
        Compression::Gzip => flate2::read::MultiGzDecoder::new(std::io::BufReader::new(reader)).read_to_end(&mut out),
        Compression::Zstd => zstd::stream::read::Decoder::new(reader).and_then(|mut d| d.read_to_end(&mut out)),
    };
    result.map_err(|e| stream_error(path, compression, e))?;
    Ok(out)
}

/// Decompresses `reader` (in `compression`, read from `path`) into the file `target` block by
/// block, never whole in memory; returns the bytes written.
pub fn decompress_to_file(path: &Path, reader: impl Read, compression: Compression, target: &Path) -> Result<u64> {
    let mut input: Box<dyn Read> = match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(reader))),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(reader).map_err(|e| stream_error(path, compression, e))?)
        }
    };
    let file = File::create(target).map_err(|e| Error::io(target, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        let k = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(stream_error(path, compression, e)),
        };
        std::io::Write::write_all(&mut out, &buf[..k]).map_err(|e| Error::io(target, e))?;
        total += k as u64;
    }
    std::io::Write::flush(&mut out).map_err(|e| Error::io(target, e))?;
    Ok(total)
}

/// Decompresses the whole of the gzip or zstd file `path` without keeping it (for checking that a
/// download is complete: a stream cut short misses its end, its trailer or its frame checksum),
/// and returns its decompressed size; an error for a plain file, which has nothing to check.
pub fn check_complete(path: &Path) -> Result<u64> {
    let mut file = super::file::open(path)?;
    let mut head = [0u8; 4];
    let got = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    let compression = Compression::detect(path, &head[..got]);
    let file = super::file::open(path)?;
    let mut input: Box<dyn Read> = match compression {
        Compression::None => {
            return Err(Error::format(path, "not compressed, so nothing in it says whether it is whole"));
        }
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file))),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(file).map_err(|e| stream_error(path, compression, e))?)
        }
    };
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
        assert!(matches!(open_input(&plain).unwrap(), Input::Mapped(_)));
        let gz = dir.path().join("g.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(&*open_input(&gz).unwrap(), text);
        // A zstd stream under a misleading name is still recognised by its magic number.
        let zst = dir.path().join("g.txt");
        std::fs::write(&zst, zstd::encode_all(&text[..], 3).unwrap()).unwrap();
        assert_eq!(&*open_input(&zst).unwrap(), text);
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
        let err = open_input(&gz).err().unwrap().to_string();
        assert!(err.contains("g.txt.gz") && err.contains("corrupt"), "{err}");
    }
}
