//! `verify --archive`: the previous bundles a share keeps in `archive/` are the rollback source
//! (`lifeboat publish SHARE/archive/<snapshot> --to SHARE --allow-older`), so they are checked too, or
//! they could rot unnoticed until the day they are needed. Each is checked as a bundle folder, its files
//! against its manifest; staleness does not apply (an archived bundle is old by design).

use std::path::Path;

use serde::Serialize;

use super::{verify, FileStatus, VerifyError, ARCHIVE_DIR};
use crate::package::manifest;

/// One archived bundle, checked.
#[derive(Debug, Clone, Serialize)]
pub struct ArchivedCheck {
    /// `archive/<snapshot>`.
    pub folder: String,
    pub ok: bool,
    /// The snapshot its manifest records (empty when it cannot be read).
    pub snapshot: String,
    /// Files of the bundle checked.
    pub files: usize,
    /// Each problem: `changed x.html (…)`, `missing y.html`, `extra z`, or why the folder cannot be used.
    pub problems: Vec<String>,
}

/// Every bundle folder of `share/archive/` (links are never followed; hidden folders are lifeboat's own
/// leftovers, reported by `verify` as such), sorted, checked at `now`.
pub fn check(share: &Path, now: i64) -> Result<Vec<ArchivedCheck>, VerifyError> {
    let archive = share.join(ARCHIVE_DIR);
    if !super::share::real_dir(&archive)? {
        return Ok(Vec::new());
    }
    let mut folders: Vec<String> = std::fs::read_dir(&archive)
        .map_err(|source| VerifyError::Io {
            path: archive.display().to_string(),
            source,
        })?
        .flatten()
        .filter(|item| item.file_type().is_ok_and(|t| t.is_dir()))
        .map(|item| item.file_name().to_string_lossy().to_string())
        .filter(|name| !name.starts_with('.'))
        .collect();
    folders.sort();
    let mut out = Vec::new();
    for name in folders {
        let folder = archive.join(&name);
        let shown = format!("{ARCHIVE_DIR}/{name}");
        // A folder without a manifest is not a bundle: somebody's, left alone.
        if std::fs::symlink_metadata(folder.join(manifest::FILE_NAME)).is_err() {
            continue;
        }
        out.push(match verify(&folder, now, None, i64::MAX) {
            Ok(v) => {
                let problems: Vec<String> = v
                    .files
                    .iter()
                    .filter(|f| !matches!(f.status, FileStatus::Ok | FileStatus::Pending))
                    .map(|f| match &f.detail {
                        Some(d) => format!("{} {} ({d})", f.status.word(), f.file),
                        None => format!("{} {}", f.status.word(), f.file),
                    })
                    .collect();
                let files = v
                    .files
                    .iter()
                    .filter(|f| f.status != FileStatus::Extra)
                    .count();
                ArchivedCheck {
                    folder: shown,
                    ok: problems.is_empty(),
                    snapshot: v.snapshot,
                    files,
                    problems,
                }
            }
            Err(e) => ArchivedCheck {
                folder: shown,
                ok: false,
                snapshot: String::new(),
                files: 0,
                problems: vec![format!("cannot be used: {e}")],
            },
        });
    }
    Ok(out)
}
