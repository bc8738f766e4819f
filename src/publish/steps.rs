//! The step-counted file operations of a publish (and of `lifeboat notice`) on a share: each write goes
//! through a temporary name, fsync and rename; each rename and removal is retried while the file is in
//! use and counts as one step for the fault-injection hook (`Ops`).

use std::io;
use std::path::Path;

use super::{io_err, lock, Ops, PublishError, JOURNAL};
use crate::verify::share::{self, Found};
use crate::verify::VerifyError;

/// Writes `bytes` as `dir/name` through a temporary name: fsync, then rename.
pub(super) fn write_file(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    ops: &mut Ops,
) -> Result<(), PublishError> {
    ops.fs.create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    place(&tmp, &dir.join(name), bytes, ops)
}

/// Writes `bytes` to `tmp` (fsync), then renames it to `to`.
pub(super) fn place(
    tmp: &Path,
    to: &Path,
    bytes: &[u8],
    ops: &mut Ops,
) -> Result<(), PublishError> {
    ops.fs.write_synced(tmp, bytes).map_err(io_err(tmp))?;
    ops.step()?;
    rename(tmp, to, ops)
}

/// Copies a regular file (never what a link points at).
pub(super) fn copy_file(
    from: &Path,
    dir: &Path,
    name: &str,
    ops: &mut Ops,
) -> Result<(), PublishError> {
    match share::read(from, None)? {
        Found::File(bytes) => write_file(dir, name, &bytes, ops),
        Found::Missing => Err(io_err(from)(io::ErrorKind::NotFound.into())),
        Found::NotAFile(why) => Err(VerifyError::NotOurs {
            path: from.display().to_string(),
            why,
        }
        .into()),
    }
}

/// Renames `from` over `to` (retried while `to` is in use), durably where the platform allows it.
pub(super) fn rename(from: &Path, to: &Path, ops: &mut Ops) -> Result<(), PublishError> {
    ops.retry(to, |fs| fs.rename(from, to))?;
    if let Some(dir) = to.parent() {
        ops.fs.sync_dir(dir);
    }
    ops.step()
}

pub(super) fn remove_file(path: &Path, ops: &mut Ops) -> Result<(), PublishError> {
    ops.retry(path, |fs| fs.remove_file(path))?;
    ops.step()
}

/// Empties lifeboat's folder `.lifeboat-publish/` but for the lock, the journal first: once the journal
/// is gone, the staging folder is only a leftover.
pub(super) fn clear_work(work: &Path, ops: &mut Ops) -> Result<(), PublishError> {
    let Ok(read) = std::fs::read_dir(work) else {
        return Ok(());
    };
    let mut items: Vec<(String, bool)> = read
        .flatten()
        .map(|item| {
            let name = item.file_name().to_string_lossy().to_string();
            // Never follows a link: a link is removed as a file.
            let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
            (name, is_dir)
        })
        .filter(|(name, _)| name != lock::LOCK_FILE && name != lock::TAKEOVER_FILE)
        .collect();
    items.sort_by_key(|(name, _)| (name != JOURNAL, name.clone()));
    for (name, is_dir) in items {
        let path = work.join(name);
        if is_dir {
            remove_dir(&path, ops)?;
        } else {
            remove_file(&path, ops)?;
        }
    }
    Ok(())
}

pub(super) fn remove_dir(dir: &Path, ops: &mut Ops) -> Result<(), PublishError> {
    let mut gone = false;
    ops.retry(dir, |fs| match fs.remove_dir_all(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            gone = true;
            Ok(())
        }
        other => other,
    })?;
    if gone {
        Ok(())
    } else {
        ops.step()
    }
}
