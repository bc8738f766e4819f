//! The bundle as one zip file, byte-for-byte reproducible: members sorted by name, one fixed timestamp
//! (the snapshot time, or 1980-01-01 — the earliest a zip can say — if earlier), fixed permissions.
//!
//! Members are streamed from the files already written, never held whole in memory. Each member is cut
//! into content-defined chunks (FastCDC: the cut points depend on the bytes around them, not on their
//! offset, so an edit only changes the chunks it touches). Each chunk is deflated on its own and ends
//! with a sync flush, pigz-style, so chunks are compressed on all cores and their concatenation, closed
//! by an empty final block, is one valid deflate stream. A chunk that looks like base64 of compressed
//! images (high byte entropy, nothing for a match finder to find) is Huffman-coded only, by our own
//! encoder (`huffman`), many times faster than a general deflater for the same size. Since a chunk's compressed bytes depend on its bytes alone, the next build
//! copies the compressed data of every chunk it already made from the previous archive ([`Reuse`]).
//! Sizes and CRC follow each member's data (a data descriptor), so members need a single pass.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use fastcdc::v2020::ChunkData;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zlib_rs::{DeflateConfig, DeflateFlush};

use crate::package::manifest::{sha256_hex, FileRecord};
use crate::package::sink::{MemorySink, Sink};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read the zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the zip archive: {0}")]
    Io(#[from] io::Error),
}

/// Chunk sizes (bytes): minimum, average and maximum cut.
const MIN_CHUNK: u32 = 256 << 10;
const AVG_CHUNK: u32 = 1 << 20;
const MAX_CHUNK: u32 = 4 << 20;
/// Chunks compressed at once: enough for every core, few enough to bound memory.
const BATCH: usize = 8;
/// Above this many bits per byte, a chunk is taken for base64 of compressed data (base64 has 6; text
/// and markup have 4 to 5).
const RANDOM_BITS: f64 = 5.6;
/// An empty final deflate block (fixed codes): closes a stream of sync-flushed chunks.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// Where one chunk's compressed data lies in an archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkRecord {
    /// SHA-256 (hex) of the uncompressed bytes, and their number.
    pub sha256: String,
    pub size: u64,
    /// Offset of the compressed data in the archive, its length and CRC-32.
    pub at: u64,
    pub len: u64,
    pub crc: u32,
}

/// One member of an archive: its file's SHA-256, size and CRC-32, and its chunks in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRecord {
    pub sha256: String,
    pub size: u64,
    pub crc: u32,
    pub chunks: Vec<ChunkRecord>,
}

/// What a build remembers of the archive it wrote, to reuse its data next time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveIndex {
    pub members: Vec<MemberRecord>,
}

/// The previous archive, whose data may be copied as it is: a whole member when its file has the same
/// SHA-256 as before (it is not even read), else each chunk with the same bytes. Each copied chunk is
/// checked against the length and CRC-32 recorded when it was written; one that does not match is
/// compressed again.
pub struct Reuse {
    file: Mutex<File>,
    chunks: HashMap<String, ChunkRecord>,
    members: HashMap<(String, u64), MemberRecord>,
}

impl Reuse {
    /// `None` when the file is missing, is not a regular file, or does not have the recorded size.
    pub fn open(path: &Path, size: u64, index: &ArchiveIndex) -> Option<Reuse> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.file_type().is_file() || meta.len() != size {
            return None;
        }
        let chunks = index
            .members
            .iter()
            .flat_map(|m| &m.chunks)
            .map(|c| (c.sha256.clone(), c.clone()))
            .collect();
        let members = index
            .members
            .iter()
            .map(|m| ((m.sha256.clone(), m.size), m.clone()))
            .collect();
        Some(Reuse {
            file: Mutex::new(File::open(path).ok()?),
            chunks,
            members,
        })
    }

    /// The compressed data of `chunk`, if the previous archive still has it intact.
    fn get(&self, chunk: &ChunkRecord) -> Option<Vec<u8>> {
        let mut data = vec![0; usize::try_from(chunk.len).ok()?];
        {
            let mut file = self.file.lock().ok()?;
            file.seek(SeekFrom::Start(chunk.at)).ok()?;
            file.read_exact(&mut data).ok()?;
        }
        (zlib_rs::crc32::crc32(0, &data) == chunk.crc).then_some(data)
    }
}

/// What writing an archive did.
pub struct Written {
    pub index: ArchiveIndex,
    /// Chunks copied from the previous archive, and chunks in all.
    pub reused: (usize, usize),
}

/// Writes the zip of the files `members` of `sink` (sorted here by name) into `out`, every member dated
/// `epoch` (UTC). `done` is called as each member is written (progress).
pub fn write(
    sink: &dyn Sink,
    members: &[FileRecord],
    epoch: i64,
    previous: Option<Reuse>,
    out: &mut dyn Write,
    done: &(dyn Fn() + Sync),
) -> Result<Written, ArchiveError> {
    let mut members: Vec<&FileRecord> = members.iter().collect();
    members.sort_by(|a, b| a.file.cmp(&b.file));
    let (time, date) = dos_time(epoch);
    let mut out = Counting { inner: out, at: 0 };
    let mut index = ArchiveIndex::default();
    let mut reused = (0, 0);
    let mut directory = Vec::new();
    for member in members {
        let name = member.file.as_str();
        let offset = out.at;
        let common = |crc: u32, compressed: u64, size: u64| -> io::Result<Vec<u8>> {
            let mut c = Vec::with_capacity(26);
            let flags: u16 = (1 << 3) | if name.is_ascii() { 0 } else { 1 << 11 };
            for v in [20u16, flags, 8, time, date] {
                c.extend_from_slice(&v.to_le_bytes());
            }
            for v in [crc, small(compressed)?, small(size)?] {
                c.extend_from_slice(&v.to_le_bytes());
            }
            let name_len = u16::try_from(name.len()).map_err(|_| too_large())?;
            c.extend_from_slice(&name_len.to_le_bytes());
            Ok(c)
        };
        // Local header: CRC and sizes are in the data descriptor after the data.
        out.write_all(&0x0403_4b50u32.to_le_bytes())?;
        out.write_all(&common(0, 0, 0)?)?;
        out.write_all(&0u16.to_le_bytes())?;
        out.write_all(name.as_bytes())?;
        let data_at = out.at;
        let same = previous
            .as_ref()
            .and_then(|p| p.members.get(&(member.sha256.clone(), member.bytes)))
            .cloned();
        let record = match same {
            Some(old) => copy_member(sink, name, old, previous.as_ref(), &mut out, &mut reused)?,
            None => deflate_member(sink, member, previous.as_ref(), &mut out, &mut reused)?,
        };
        out.write_all(&FINAL_BLOCK)?;
        let compressed = out.at - data_at;
        let (crc, size) = (record.crc, record.size);
        index.members.push(record);
        out.write_all(&0x0807_4b50u32.to_le_bytes())?;
        for v in [crc, small(compressed)?, small(size)?] {
            out.write_all(&v.to_le_bytes())?;
        }
        let mut entry = Vec::new();
        entry.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        entry.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: Unix
        entry.extend_from_slice(&common(crc, compressed, size)?);
        for v in [0u16, 0, 0, 0] {
            // extra field, comment, disk number, internal attributes
            entry.extend_from_slice(&v.to_le_bytes());
        }
        entry.extend_from_slice(&((0o100_644u32) << 16).to_le_bytes());
        entry.extend_from_slice(&small(offset)?.to_le_bytes());
        entry.extend_from_slice(name.as_bytes());
        directory.push(entry);
        done();
    }
    let directory_at = out.at;
    for entry in &directory {
        out.write_all(entry)?;
    }
    let directory_len = out.at - directory_at;
    let count = u16::try_from(directory.len()).map_err(|_| too_large())?;
    out.write_all(&0x0605_4b50u32.to_le_bytes())?;
    for v in [0u16, 0, count, count] {
        out.write_all(&v.to_le_bytes())?;
    }
    out.write_all(&small(directory_len)?.to_le_bytes())?;
    out.write_all(&small(directory_at)?.to_le_bytes())?;
    out.write_all(&0u16.to_le_bytes())?;
    Ok(Written { index, reused })
}

/// One chunk ready to be written: its bytes' SHA-256, size and CRC-32, and its compressed data.
struct Prepared {
    sha256: String,
    size: u64,
    crc: flate2::Crc,
    compressed: Vec<u8>,
    reused: bool,
}

/// Cuts a member into chunks and writes each one's compressed data: copied from the previous archive
/// when it has the same bytes, else deflated. Three stages overlap, a batch of chunks each: the next
/// batch is read and cut while this one is hashed and compressed (on all cores) and the one before is
/// written.
fn deflate_member(
    sink: &dyn Sink,
    member: &FileRecord,
    previous: Option<&Reuse>,
    out: &mut Counting,
    reused: &mut (usize, usize),
) -> io::Result<MemberRecord> {
    let mut crc = flate2::Crc::new();
    let mut chunks_out = Vec::new();
    let mut chunks =
        fastcdc::v2020::StreamCDC::new(sink.open(&member.file)?, MIN_CHUNK, AVG_CHUNK, MAX_CHUNK);
    let mut batch = read_batch(&mut chunks)?;
    let mut ready: Vec<Prepared> = Vec::new();
    while !batch.is_empty() || !ready.is_empty() {
        let to_write = std::mem::take(&mut ready);
        let mut cut = None;
        let written = rayon::in_place_scope(|scope| {
            scope.spawn(|_| {
                cut = Some(rayon::join(
                    || read_batch(&mut chunks),
                    || {
                        batch
                            .par_iter()
                            .map(|data| prepare(data, previous))
                            .collect::<io::Result<Vec<_>>>()
                    },
                ));
            });
            // Meanwhile, on this thread: the batch before.
            for chunk in to_write {
                crc.combine(&chunk.crc);
                reused.0 += usize::from(chunk.reused);
                reused.1 += 1;
                chunks_out.push(put_chunk(out, chunk.sha256, chunk.size, &chunk.compressed)?);
            }
            io::Result::Ok(())
        });
        let (next, prepared) = cut.ok_or_else(|| io::Error::other("a batch was not compressed"))?;
        written?;
        ready = prepared?;
        batch = next?;
    }
    let size = chunks_out.iter().map(|c| c.size).sum();
    Ok(MemberRecord {
        sha256: member.sha256.clone(),
        size,
        crc: crc.sum(),
        chunks: chunks_out,
    })
}

/// Hashes one chunk and finds its compressed data: in the previous archive if it has a chunk with the
/// same bytes (intact), else by deflating it.
fn prepare(data: &[u8], previous: Option<&Reuse>) -> io::Result<Prepared> {
    let sha256 = sha256_hex(data);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    let old = previous.and_then(|p| p.get(p.chunks.get(&sha256)?));
    let reused = old.is_some();
    let compressed = match old {
        Some(bytes) => bytes,
        None => deflate_chunk(data)?,
    };
    Ok(Prepared {
        sha256,
        size: data.len() as u64,
        crc,
        compressed,
        reused,
    })
}

/// Writes a member whose file is the same as one of the previous archive by copying that member's
/// chunks; a chunk found damaged is deflated again from the file.
fn copy_member(
    sink: &dyn Sink,
    name: &str,
    old: MemberRecord,
    previous: Option<&Reuse>,
    out: &mut Counting,
    reused: &mut (usize, usize),
) -> io::Result<MemberRecord> {
    let mut chunks = Vec::with_capacity(old.chunks.len());
    let mut start = 0u64;
    for chunk in &old.chunks {
        let bytes = match previous.and_then(|p| p.get(chunk)) {
            Some(bytes) => {
                reused.0 += 1;
                bytes
            }
            None => {
                let mut file = sink.open(name)?;
                io::copy(&mut (&mut file).take(start), &mut io::sink())?;
                let mut data = Vec::new();
                file.take(chunk.size).read_to_end(&mut data)?;
                if sha256_hex(&data) != chunk.sha256 {
                    return Err(io::Error::other(format!(
                        "`{name}` changed while the archive was written"
                    )));
                }
                deflate_chunk(&data)?
            }
        };
        chunks.push(put_chunk(out, chunk.sha256.clone(), chunk.size, &bytes)?);
        reused.1 += 1;
        start += chunk.size;
    }
    Ok(MemberRecord { chunks, ..old })
}

/// Writes one chunk's compressed data; returns its record.
fn put_chunk(
    out: &mut Counting,
    sha256: String,
    size: u64,
    bytes: &[u8],
) -> io::Result<ChunkRecord> {
    let record = ChunkRecord {
        sha256,
        size,
        at: out.at,
        len: bytes.len() as u64,
        crc: zlib_rs::crc32::crc32(0, bytes),
    };
    out.write_all(bytes)?;
    Ok(record)
}

/// The next chunks of a member, up to [`BATCH`]; empty at its end.
fn read_batch(
    chunks: &mut impl Iterator<Item = Result<ChunkData, fastcdc::v2020::Error>>,
) -> io::Result<Vec<Vec<u8>>> {
    let mut batch = Vec::with_capacity(BATCH);
    for chunk in chunks.take(BATCH) {
        batch.push(chunk.map_err(io::Error::from)?.data);
    }
    Ok(batch)
}

/// Deflates one chunk on its own (no dictionary from the chunk before) and ends it with a sync flush.
fn deflate_chunk(data: &[u8]) -> io::Result<Vec<u8>> {
    let counts = byte_counts(data);
    if bits_per_byte(&counts, data.len()) > RANDOM_BITS {
        return Ok(huffman::encode(data, &counts));
    }
    let mut deflate = zlib_rs::Deflate::new_with_config(DeflateConfig {
        level: 6,
        window_bits: -15,
        ..DeflateConfig::default()
    });
    let mut out = vec![0u8; zlib_rs::compress_bound(data.len()) + 64];
    loop {
        let (read, written) = (deflate.total_in() as usize, deflate.total_out() as usize);
        deflate
            .compress(&data[read..], &mut out[written..], DeflateFlush::SyncFlush)
            .map_err(|e| io::Error::other(e.as_str()))?;
        let written = deflate.total_out() as usize;
        if deflate.total_in() as usize == data.len() && written < out.len() {
            out.truncate(written);
            return Ok(out);
        }
        out.resize(out.len() * 2, 0);
    }
}

/// How many times each byte value occurs in `data` (a chunk: far less than 16 GiB).
fn byte_counts(data: &[u8]) -> [u64; 256] {
    // Four tables, so that runs of one byte value do not wait on the same counter.
    let mut tables = [[0u32; 256]; 4];
    let mut quads = data.chunks_exact(4);
    for q in &mut quads {
        for (table, &b) in tables.iter_mut().zip(q) {
            table[usize::from(b)] += 1;
        }
    }
    let mut counts = [0u64; 256];
    for &b in quads.remainder() {
        counts[usize::from(b)] += 1;
    }
    for table in &tables {
        for (c, &t) in counts.iter_mut().zip(table) {
            *c += u64::from(t);
        }
    }
    counts
}

/// Order-0 entropy, in bits per byte, of `len` bytes whose values occur `counts` times.
fn bits_per_byte(counts: &[u64; 256], len: usize) -> f64 {
    let n = len as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A writer that knows how many bytes went through it.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    at: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.at += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn too_large() -> io::Error {
    io::Error::other("the bundle is too large for a zip archive without zip64 (4 GiB)")
}

fn small(v: u64) -> io::Result<u32> {
    u32::try_from(v).map_err(|_| too_large())
}

/// MS-DOS time and date of `epoch` (UTC), clamped to 1980-01-01 00:00:00.
fn dos_time(epoch: i64) -> (u16, u16) {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .filter(|t| (1980..=2107).contains(&t.year()));
    match t {
        Some(t) => (
            (u16::from(t.hour()) << 11)
                | (u16::from(t.minute()) << 5)
                | (u16::from(t.second()) / 2),
            (((t.year() - 1980) as u16) << 9)
                | (u16::from(u8::from(t.month())) << 5)
                | u16::from(t.day()),
        ),
        None => (0, (1 << 5) | 1),
    }
}

/// Zips `files` (relative names) in memory with every member dated `epoch` (UTC).
pub fn zip(files: &[(String, Vec<u8>)], epoch: i64) -> Result<Vec<u8>, ArchiveError> {
    let sink = MemorySink::new();
    let records = files
        .iter()
        .map(|(name, bytes)| sink.write(name, bytes))
        .collect::<io::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    write(&sink, &records, epoch, None, &mut out, &|| ())?;
    Ok(out)
}

/// The members of a zip archive, by name, in archive order.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        let mut data = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 30));
        io::copy(&mut file, &mut data)?;
        out.push((file.name().to_string(), data));
    }
    Ok(out)
}

mod huffman;

#[cfg(test)]
mod tests;
