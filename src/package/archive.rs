//! The bundle as one zip file, byte-for-byte reproducible: members sorted by name, one fixed timestamp
//! (the snapshot time, or 1980-01-01 — the earliest a zip can say — if earlier), fixed permissions.

use std::io::{Cursor, Write};

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
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time(epoch))
        .unix_permissions(0o644);
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<Vec<u8>> = sorted
        .par_iter()
        .map(|(name, bytes)| {
            let mut one = ZipWriter::new(Cursor::new(Vec::new()));
            one.start_file(name.as_str(), options)?;
            one.write_all(bytes)?;
            Ok(one.finish()?.into_inner())
        })
        .collect::<Result<_, ArchiveError>>()?;
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for part in parts {
        let mut archive = zip::ZipArchive::new(Cursor::new(part))?;
        writer.raw_copy_file(archive.by_index_raw(0)?)?;
    }
    Ok(writer.finish()?.into_inner())
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
}
