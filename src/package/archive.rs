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
//! Sizes and CRC follow each member's data (a data descriptor), so members need a single pass. Past
//! 4 GiB or 65,535 members the archive is zip64 (a member's sizes, an offset, the end records), and
//! only where a value does not fit, so a smaller archive has no zip64 record at all.

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
        (crc32fast::hash(&data) == chunk.crc).then_some(data)
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
    write_at(sink, members, epoch, previous, out, done, 0)
}

/// [`write`], for an archive whose first byte is at offset `start` of its file (tests place one past
/// 4 GiB in a sparse file this way).
fn write_at(
    sink: &dyn Sink,
    members: &[FileRecord],
    epoch: i64,
    previous: Option<Reuse>,
    out: &mut dyn Write,
    done: &(dyn Fn() + Sync),
    start: u64,
) -> Result<Written, ArchiveError> {
    let mut members: Vec<&FileRecord> = members.iter().collect();
    members.sort_by(|a, b| a.file.cmp(&b.file));
    let time = dos_time(epoch);
    let mut out = Counting {
        inner: out,
        at: start,
    };
    let mut index = ArchiveIndex::default();
    let mut reused = (0, 0);
    let mut directory = Vec::new();
    for member in members {
        let name = member.file.as_str();
        let offset = out.at;
        let zip64 = member.bytes >= ZIP64_MEMBER;
        out.write_all(&local_header(name, time, zip64)?)?;
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
        let sizes = Sizes {
            crc: record.crc,
            compressed: out.at - data_at,
            size: record.size,
            zip64,
        };
        index.members.push(record);
        out.write_all(&sizes.descriptor()?)?;
        directory.push(central_entry(name, time, &sizes, offset)?);
        done();
    }
    let directory_at = out.at;
    for entry in &directory {
        out.write_all(entry)?;
    }
    let directory_len = out.at - directory_at;
    out.write_all(&end_records(
        directory.len() as u64,
        directory_at,
        directory_len,
    ))?;
    Ok(Written { index, reused })
}

/// From this uncompressed size on, a member is written with zip64 sizes. Known before the member is
/// compressed, and far enough below 4 GiB that deflate's few bytes of overhead cannot reach it.
const ZIP64_MEMBER: u64 = 0xF000_0000;
/// What a 32-bit (16-bit) field of a zip record says when the value is in the zip64 records.
const IN_ZIP64: u32 = u32::MAX;
const IN_ZIP64_16: u16 = u16::MAX;
/// Version needed to extract: 2.0 (deflate), 4.5 (zip64).
const VERSION: u16 = 20;
const VERSION_ZIP64: u16 = 45;

/// A member's CRC-32 and sizes, as its data descriptor and central directory entry give them.
struct Sizes {
    crc: u32,
    compressed: u64,
    size: u64,
    /// Sizes as 64-bit values: in the zip64 extra field and the data descriptor.
    zip64: bool,
}

impl Sizes {
    /// The data descriptor that follows the member's data.
    fn descriptor(&self) -> io::Result<Vec<u8>> {
        let mut d = Vec::with_capacity(24);
        d.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        d.extend_from_slice(&self.crc.to_le_bytes());
        if self.zip64 {
            d.extend_from_slice(&self.compressed.to_le_bytes());
            d.extend_from_slice(&self.size.to_le_bytes());
        } else {
            d.extend_from_slice(&small(self.compressed)?.to_le_bytes());
            d.extend_from_slice(&small(self.size)?.to_le_bytes());
        }
        Ok(d)
    }
}

/// The fields a local header and a central directory entry share, from "version needed" to the name's
/// length.
fn common(
    name: &str,
    (time, date): (u16, u16),
    version: u16,
    [crc, compressed, size]: [u32; 3],
) -> io::Result<Vec<u8>> {
    let mut c = Vec::with_capacity(26);
    let flags: u16 = (1 << 3) | if name.is_ascii() { 0 } else { 1 << 11 };
    for v in [version, flags, 8, time, date] {
        c.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, compressed, size] {
        c.extend_from_slice(&v.to_le_bytes());
    }
    let name_len = u16::try_from(name.len())
        .map_err(|_| io::Error::other(format!("`{name}`: name too long for a zip archive")))?;
    c.extend_from_slice(&name_len.to_le_bytes());
    Ok(c)
}

/// A zip64 extended information extra field holding `values` (8 bytes each).
fn zip64_extra(values: &[u64]) -> Vec<u8> {
    let mut e = Vec::with_capacity(4 + 8 * values.len());
    e.extend_from_slice(&1u16.to_le_bytes());
    e.extend_from_slice(&(8 * values.len() as u16).to_le_bytes());
    for v in values {
        e.extend_from_slice(&v.to_le_bytes());
    }
    e
}

/// A member's local header: CRC and sizes are in the data descriptor after the data (for a zip64
/// member, marked as such, with a zip64 field of zero sizes, as streaming writers do).
fn local_header(name: &str, time: (u16, u16), zip64: bool) -> io::Result<Vec<u8>> {
    let (version, sizes, extra) = if zip64 {
        (VERSION_ZIP64, [0, IN_ZIP64, IN_ZIP64], zip64_extra(&[0, 0]))
    } else {
        (VERSION, [0, 0, 0], Vec::new())
    };
    let mut h = 0x0403_4b50u32.to_le_bytes().to_vec();
    h.extend_from_slice(&common(name, time, version, sizes)?);
    h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
    h.extend_from_slice(name.as_bytes());
    h.extend_from_slice(&extra);
    Ok(h)
}

/// A member's central directory entry; `offset` is where its local header is.
fn central_entry(name: &str, time: (u16, u16), s: &Sizes, offset: u64) -> io::Result<Vec<u8>> {
    // Zip64 values, in the order the format fixes, for the fields that say `IN_ZIP64`.
    let mut large = Vec::new();
    let mut field = |v: u64, zip64: bool| {
        if zip64 || v >= u64::from(IN_ZIP64) {
            large.push(v);
            Ok(IN_ZIP64)
        } else {
            small(v)
        }
    };
    let size = field(s.size, s.zip64)?;
    let compressed = field(s.compressed, s.zip64)?;
    let local = field(offset, false)?;
    let (version, extra) = match large.is_empty() {
        true => (VERSION, Vec::new()),
        false => (VERSION_ZIP64, zip64_extra(&large)),
    };
    let mut entry = 0x0201_4b50u32.to_le_bytes().to_vec();
    entry.extend_from_slice(&((3u16 << 8) | version).to_le_bytes()); // made by: Unix
    entry.extend_from_slice(&common(name, time, version, [s.crc, compressed, size])?);
    // extra field, comment, disk number, internal attributes
    for v in [extra.len() as u16, 0, 0, 0] {
        entry.extend_from_slice(&v.to_le_bytes());
    }
    entry.extend_from_slice(&((0o100_644u32) << 16).to_le_bytes());
    entry.extend_from_slice(&local.to_le_bytes());
    entry.extend_from_slice(name.as_bytes());
    entry.extend_from_slice(&extra);
    Ok(entry)
}

/// What follows the central directory: the end of central directory record, preceded by the zip64 end
/// record and its locator when the count, the directory's size or its offset does not fit.
fn end_records(count: u64, directory_at: u64, directory_len: u64) -> Vec<u8> {
    let count16 = u16::try_from(count).ok().filter(|&c| c < IN_ZIP64_16);
    let len32 = u32::try_from(directory_len).ok().filter(|&v| v < IN_ZIP64);
    let at32 = u32::try_from(directory_at).ok().filter(|&v| v < IN_ZIP64);
    let mut end = Vec::new();
    if count16.is_none() || len32.is_none() || at32.is_none() {
        let zip64_end_at = directory_at + directory_len;
        end.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        end.extend_from_slice(&44u64.to_le_bytes()); // the size of what follows
        for v in [(3u16 << 8) | VERSION_ZIP64, VERSION_ZIP64] {
            end.extend_from_slice(&v.to_le_bytes());
        }
        end.extend_from_slice(&[0; 8]); // this disk, the directory's disk
        for v in [count, count, directory_len, directory_at] {
            end.extend_from_slice(&v.to_le_bytes());
        }
        end.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        end.extend_from_slice(&0u32.to_le_bytes());
        end.extend_from_slice(&zip64_end_at.to_le_bytes());
        end.extend_from_slice(&1u32.to_le_bytes());
    }
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let count = count16.unwrap_or(IN_ZIP64_16);
    for v in [0u16, 0, count, count] {
        end.extend_from_slice(&v.to_le_bytes());
    }
    end.extend_from_slice(&len32.unwrap_or(IN_ZIP64).to_le_bytes());
    end.extend_from_slice(&at32.unwrap_or(IN_ZIP64).to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end
}

/// One chunk ready to be written: its bytes' SHA-256, size and CRC-32, and its compressed data.
struct Prepared {
    sha256: String,
    size: u64,
    crc: crc32fast::Hasher,
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
    let mut crc = crc32fast::Hasher::new();
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
        crc: crc.finalize(),
        chunks: chunks_out,
    })
}

/// Hashes one chunk and finds its compressed data: in the previous archive if it has a chunk with the
/// same bytes (intact), else by deflating it.
fn prepare(data: &[u8], previous: Option<&Reuse>) -> io::Result<Prepared> {
    let sha256 = sha256_hex(data);
    let mut crc = crc32fast::Hasher::new();
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
        crc: crc32fast::hash(bytes),
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
    zlib_deflate(data, zlib_rs::Strategy::Default)
}

/// `data` deflated by zlib-rs at level 6 with `strategy`, raw (no zlib header), ending in a sync flush.
fn zlib_deflate(data: &[u8], strategy: zlib_rs::Strategy) -> io::Result<Vec<u8>> {
    let mut deflate = zlib_rs::Deflate::new_with_config(DeflateConfig {
        level: 6,
        window_bits: -15,
        strategy,
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

/// A 32-bit size of a member not written as zip64: below [`ZIP64_MEMBER`], so this cannot fail short of
/// a deflater that more than doubles its input.
fn small(v: u64) -> io::Result<u32> {
    u32::try_from(v).map_err(|_| io::Error::other("a zip member grew past 4 GiB when compressed"))
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

/// The A/B of the Huffman-only encoder (`huffman`) against zlib-rs's own Huffman-only strategy, run by
/// `cargo bench --bench huffman_ab --features test-hooks` (bench/huffman_ab.rs). Not in a release binary.
#[cfg(feature = "test-hooks")]
pub mod ab {
    use std::io;

    /// The chunks of a file's `bytes` that the archive gives to the Huffman-only encoder, each with its
    /// byte counts (computed by the archive in either case, to choose the encoder).
    pub fn random_chunks(bytes: &[u8]) -> Vec<(Vec<u8>, [u64; 256])> {
        fastcdc::v2020::FastCDC::new(bytes, super::MIN_CHUNK, super::AVG_CHUNK, super::MAX_CHUNK)
            .map(|c| bytes[c.offset..c.offset + c.length].to_vec())
            .map(|c| {
                let counts = super::byte_counts(&c);
                (c, counts)
            })
            .filter(|(c, counts)| super::bits_per_byte(counts, c.len()) > super::RANDOM_BITS)
            .collect()
    }

    /// The archive's encoder.
    pub fn own(data: &[u8], counts: &[u64; 256]) -> Vec<u8> {
        super::huffman::encode(data, counts)
    }

    /// zlib-rs with `Z_HUFFMAN_ONLY`, the same framing.
    pub fn zlib_huffman_only(data: &[u8]) -> io::Result<Vec<u8>> {
        super::zlib_deflate(data, zlib_rs::Strategy::HuffmanOnly)
    }
}

#[cfg(test)]
mod tests;
