//! Reading a bundle folder or share that someone else may have written to. Share folders are writable by
//! many people, so nothing found there is followed on trust: links are never followed, only regular
//! files are read (a FIFO would hang the read), records are size-limited, and every name read from a
//! manifest or journal is checked (`package::names`) before it is joined to a path.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use super::{Journal, VerifyError, JOURNAL, PUBLISH_DIR};
use crate::package::names;

/// Largest manifest or journal read: a planted multi-gigabyte file is refused, not read.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;

/// What is at a path of a share, looked at without following a link.
#[derive(Debug)]
pub enum Found {
    Missing,
    File(Vec<u8>),
    /// Something that is not a regular file: never read, never replaced or deleted.
    NotAFile(&'static str),
}

fn kind_of(meta: &fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        None
    } else if kind.is_symlink() {
        Some("is a symbolic link (lifeboat never follows links on a share)")
    } else if kind.is_dir() {
        Some("is a folder, not a file")
    } else {
        Some("is not a regular file")
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> VerifyError + '_ {
    move |source| VerifyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads `path` if it is a regular file (not a link to one); `limit` bounds what is read.
pub fn read(path: &Path, limit: Option<u64>) -> Result<Found, VerifyError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(io_err(path)(e)),
    };
    if let Some(why) = kind_of(&meta) {
        return Ok(Found::NotAFile(why));
    }
    if let Some(limit) = limit.filter(|l| meta.len() > *l) {
        return Err(VerifyError::TooLarge(path.display().to_string(), limit));
    }
    let mut file = File::open(path).map_err(io_err(path))?;
    // The path may have been swapped for something else between the look and the open.
    let opened = file.metadata().map_err(io_err(path))?;
    if kind_of(&opened).is_some() || !same_file(&meta, &opened) {
        return Ok(Found::NotAFile("changed while it was being read"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    match limit {
        Some(limit) => file.take(limit + 1).read_to_end(&mut bytes),
        None => file.read_to_end(&mut bytes),
    }
    .map_err(io_err(path))?;
    if let Some(limit) = limit.filter(|l| bytes.len() as u64 > *l) {
        return Err(VerifyError::TooLarge(path.display().to_string(), limit));
    }
    Ok(Found::File(bytes))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

/// `Ok(true)` when `path` is a real folder, `Ok(false)` when nothing is there; an error when it is a
/// link or a file (lifeboat writes into these folders, so it must not be sent elsewhere).
pub fn real_dir(path: &Path) -> Result<bool, VerifyError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_dir() => Ok(true),
        Ok(meta) => Err(VerifyError::NotOurs {
            path: path.display().to_string(),
            why: kind_of(&meta).unwrap_or("is a file, not a folder"),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// The journal of a publish in `dir`, if there is one, checked: it must parse, and its staging folder
/// must be a plain folder name inside `.lifeboat-publish/` that is a real folder.
pub fn read_journal(dir: &Path) -> Result<Option<Journal>, VerifyError> {
    let work = dir.join(PUBLISH_DIR);
    if !real_dir(&work)? {
        return Ok(None);
    }
    let path = work.join(JOURNAL);
    let refuse = |why: String| VerifyError::BadJournal {
        path: path.display().to_string(),
        why,
        work: work.display().to_string(),
    };
    let raw = match read(&path, Some(MAX_RECORD_BYTES))? {
        Found::Missing => return Ok(None),
        Found::NotAFile(why) => return Err(refuse(why.to_string())),
        Found::File(raw) => raw,
    };
    let journal: Journal = std::str::from_utf8(&raw)
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(t).map_err(|e| e.message().to_string()))
        .map_err(|e| refuse(format!("cannot be read ({e})")))?;
    names::check_file_name(&journal.staging).map_err(|why| {
        refuse(format!(
            "names the staging folder `{}`, which is not a folder of `{PUBLISH_DIR}/`: {why}",
            journal.staging.escape_debug()
        ))
    })?;
    let staging = work.join(&journal.staging);
    match fs::symlink_metadata(&staging) {
        Ok(meta) if meta.file_type().is_dir() => {}
        Ok(_) => {
            return Err(refuse(format!(
                "names the staging folder `{}`, which is not a folder",
                journal.staging
            )))
        }
        // The staging folder goes last, after the journal: a publish that died then is complete.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&staging)(e)),
    }
    Ok(Some(journal))
}
