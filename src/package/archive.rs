//! The bundle as one zip file, byte-for-byte reproducible: members sorted by name, one fixed timestamp
//! (the snapshot time, or 1980-01-01 — the earliest a zip can say — if earlier), fixed permissions.

use std::io::{Cursor, Read, Write};

use rayon::prelude::*;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot write the zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the zip archive: {0}")]
    Io(#[from] std::io::Error),
}

/// Zips `files` (relative names) with every member dated `epoch` (UTC). Members are compressed in
/// parallel, each into an archive of its own, then copied raw into the final archive in name order:
/// deflating the entry-point files (mostly base64 images) is most of a large build's time otherwise.
pub fn zip(files: &[(String, Vec<u8>)], epoch: i64) -> Result<Vec<u8>, ArchiveError> {
    zip_reusing(files, epoch, None, &|| ()).map(|(bytes, _)| bytes)
}

/// A member of the archive being made: freshly compressed, or the index of an identical member of the
/// previous archive whose compressed data is copied as it is.
enum Part {
    Fresh(Vec<u8>),
    Reused(usize),
}

/// [`zip`], taking each member that is byte-for-byte the same (same name, date, permissions, and the
/// same bytes once decompressed) from the `previous` archive instead of compressing it again; the
/// result is identical to [`zip`]'s. Also returns how many members were reused. `done` is called as
/// each member is ready (progress).
pub fn zip_reusing(
    files: &[(String, Vec<u8>)],
    epoch: i64,
    previous: Option<&[u8]>,
    done: &(dyn Fn() + Sync),
) -> Result<(Vec<u8>, usize), ArchiveError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time(epoch))
        .unix_permissions(0o644);
    let previous = previous.and_then(|bytes| zip::ZipArchive::new(Cursor::new(bytes)).ok());
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<Part> = sorted
        .par_iter()
        .map(|(name, bytes)| {
            if let Some(index) = previous
                .clone()
                .and_then(|p| same_member(p, name, bytes, zip_time(epoch)))
            {
                done();
                return Ok(Part::Reused(index));
            }
            let one = if bytes.len() >= 2 * CHUNK && u32::try_from(bytes.len()).is_ok() {
                single_member_chunked(name, bytes, zip_time(epoch))?
            } else {
                let mut one = ZipWriter::new(Cursor::new(Vec::new()));
                one.start_file(name.as_str(), options)?;
                one.write_all(bytes)?;
                one.finish()?.into_inner()
            };
            done();
            Ok(Part::Fresh(one))
        })
        .collect::<Result<_, ArchiveError>>()?;
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let mut reused = 0;
    for part in parts {
        match part {
            Part::Fresh(part) => {
                let mut archive = zip::ZipArchive::new(Cursor::new(part))?;
                writer.raw_copy_file(archive.by_index_raw(0)?)?;
            }
            Part::Reused(index) => {
                // Only made when there is a previous archive.
                let mut previous = previous
                    .clone()
                    .ok_or(zip::result::ZipError::FileNotFound)?;
                writer.raw_copy_file(previous.by_index_raw(index)?)?;
                reused += 1;
            }
        }
    }
    Ok((writer.finish()?.into_inner(), reused))
}

/// Members at least twice this size are deflated in chunks of this size on all cores.
const CHUNK: usize = 4 << 20;

/// A one-member archive whose data is deflated in parallel, pigz-style: each chunk on its own, ended by a
/// sync flush (byte-aligned, empty stored block), the last one by the final block; the concatenation is
/// one valid deflate stream. The whole member is then on all cores instead of one: a large entry point's
/// member is the critical path of a build. Only for members under 4 GiB (no zip64 fields here).
fn single_member_chunked(
    name: &str,
    bytes: &[u8],
    time: DateTime,
) -> Result<Vec<u8>, ArchiveError> {
    use flate2::write::DeflateEncoder;
    use flate2::Compression;

    let chunks: Vec<&[u8]> = bytes.chunks(CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    let deflated: Vec<Vec<u8>> = chunks
        .par_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(chunk)?;
            if i == last {
                encoder.finish()
            } else {
                encoder.flush()?;
                Ok(std::mem::take(encoder.get_mut()))
            }
        })
        .collect::<Result<_, std::io::Error>>()?;
    let compressed: usize = deflated.iter().map(Vec::len).sum();
    let too_large = || std::io::Error::other("zip member too large");
    let compressed = u32::try_from(compressed).map_err(|_| too_large())?;
    let size = u32::try_from(bytes.len()).map_err(|_| too_large())?;
    let name_len = u16::try_from(name.len()).map_err(|_| too_large())?;
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    let flags: u16 = if name.is_ascii() { 0 } else { 1 << 11 };
    // The fields both headers share, from "version needed" to the name's length.
    let mut common = Vec::with_capacity(26);
    for v in [20u16, flags, 8, time.timepart(), time.datepart()] {
        common.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc.sum(), compressed, size] {
        common.extend_from_slice(&v.to_le_bytes());
    }
    common.extend_from_slice(&name_len.to_le_bytes());
    let mut out = Vec::with_capacity(compressed as usize + 2 * name.len() + 128);
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&common);
    out.extend_from_slice(&0u16.to_le_bytes()); // extra field length
    out.extend_from_slice(name.as_bytes());
    for part in &deflated {
        out.extend_from_slice(part);
    }
    let directory_at = u32::try_from(out.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: Unix
    out.extend_from_slice(&common);
    for v in [0u16, 0, 0, 0] {
        // extra field, comment, disk number, internal attributes
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&((0o100_644u32) << 16).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let directory_len = u32::try_from(out.len()).map_err(|_| too_large())? - directory_at;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, 1, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// Index of the member `name` of `previous` when it is what compressing `bytes` now would give: same
/// method, date, permissions and size, and the same bytes once decompressed (the reader also checks the
/// stored CRC at the end, so a damaged member is never copied).
fn same_member(
    mut previous: zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    bytes: &[u8],
    time: DateTime,
) -> Option<usize> {
    let index = previous.index_for_name(name)?;
    let mut member = previous.by_index(index).ok()?;
    let same_header = member.compression() == CompressionMethod::Deflated
        && member.last_modified() == Some(time)
        && member.unix_mode().map(|m| m & 0o777) == Some(0o644)
        && member.size() == bytes.len() as u64;
    if !same_header {
        return None;
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut at = 0;
    loop {
        let n = member.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        if bytes.get(at..at + n)? != buf.get(..n)? {
            return None;
        }
        at += n;
    }
    (at == bytes.len()).then_some(index)
}

fn zip_time(epoch: i64) -> DateTime {
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| {
            DateTime::from_date_and_time(
                u16::try_from(t.year()).ok()?,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// The members of a zip archive, by name, in archive order.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        let mut data = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 30));
        std::io::copy(&mut file, &mut data)?;
        out.push((file.name().to_string(), data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_input_same_bytes_and_members_sorted() {
        let files = vec![
            ("b.html".to_string(), b"bbb".to_vec()),
            ("a.html".to_string(), b"aaa".to_vec()),
        ];
        let one = zip(&files, 1_763_800_000).unwrap();
        let two = zip(&files, 1_763_800_000).unwrap();
        assert_eq!(one, two);
        let names: Vec<String> = read(&one).unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(names, ["a.html", "b.html"]);
        // Before 1980 the zip format cannot say: the date is clamped, not an error.
        assert!(zip(&files, 0).is_ok());
    }

    #[test]
    fn large_members_are_deflated_in_chunks_and_read_back_exactly() {
        // Not very compressible, like base64 images, and crossing several chunks.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let big: Vec<u8> = (0..2 * CHUNK + 12_345)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(state % 64) as usize]
            })
            .collect();
        let files = vec![
            ("big.html".to_string(), big.clone()),
            ("small.txt".to_string(), b"small".to_vec()),
        ];
        let one = zip(&files, 1_763_800_000).unwrap();
        assert!(one.len() < big.len(), "compressed");
        assert_eq!(read(&one).unwrap(), files);
        let mut archive = zip::ZipArchive::new(Cursor::new(&one)).unwrap();
        let member = archive.by_name("big.html").unwrap();
        assert_eq!(member.unix_mode().map(|m| m & 0o777), Some(0o644));
        assert_eq!(member.last_modified(), Some(zip_time(1_763_800_000)));
        drop(member);
        // Reusing the previous archive's members gives the same bytes.
        let (again, reused) = zip_reusing(&files, 1_763_800_000, Some(&one), &|| ()).unwrap();
        assert_eq!((again == one, reused), (true, 2));
    }
}
