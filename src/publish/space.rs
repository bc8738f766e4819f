//! Free space on the share, checked before anything is staged: a publish needs room for the new bundle
//! (staged beside the old one until the renames) and for a copy of the bundle in place (archived before
//! it is replaced). Without the check, a full share failed half-way through staging, after filling the
//! disk to 100 %. Measured with `fs4` (statvfs on Unix, GetDiskFreeSpaceExW on Windows).

use std::io;
use std::path::Path;

use super::{snapshot_folder, Options, PublishError};
use crate::package::manifest::{self, Manifest};
use crate::verify::ARCHIVE_DIR;

/// Kept free beyond the bundle's own bytes: the journal, temporary names, folder entries.
pub const MARGIN_BYTES: u64 = 1 << 20;

/// The space available to this user on the file system that holds `path`.
pub fn available(path: &Path) -> io::Result<u64> {
    fs4::available_space(path)
}

/// What a publish of `new` (in `dir`) to `share` writes before it frees anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The new bundle, staged.
    pub staged: u64,
    /// The copy of the bundle in place for `archive/` (0 when none is made).
    pub archived: u64,
}

impl Need {
    pub fn total(&self) -> u64 {
        self.staged + self.archived + MARGIN_BYTES
    }
}

/// Bytes of a bundle's files in `dir`: those its manifest lists, its zip, the manifest and signature
/// as they are on disk.
fn bundle_bytes(dir: &Path, m: &Manifest) -> u64 {
    let size = |name: &str| std::fs::symlink_metadata(dir.join(name)).map_or(0, |m| m.len());
    let listed: u64 = m.files().map(|(_, bytes, _)| bytes).sum();
    listed
        + m.archive.as_deref().map_or(0, size)
        + size(manifest::FILE_NAME)
        + size(crate::package::signing::SIGNATURE_FILE)
}

/// What publishing `new` from `dir` over `current` needs.
pub fn need(dir: &Path, new: &Manifest, share: &Path, current: Option<&Manifest>) -> Need {
    let archived = current
        .filter(|old| old.snapshot != new.snapshot)
        .filter(|old| {
            let name = snapshot_folder(&old.snapshot);
            std::fs::symlink_metadata(share.join(ARCHIVE_DIR).join(name)).is_err()
        })
        .map_or(0, |old| bundle_bytes(share, old));
    Need {
        staged: bundle_bytes(dir, new),
        archived,
    }
}

/// Refuses the publish, before it writes anything, when the share has less room than it needs. A share
/// whose free space cannot be measured is not refused.
pub fn check(
    dir: &Path,
    new: &Manifest,
    share: &Path,
    current: Option<&Manifest>,
    opts: &Options,
) -> Result<(), PublishError> {
    let Ok(free) = (opts.free_space)(share) else {
        return Ok(());
    };
    let need = need(dir, new, share, current);
    if free >= need.total() {
        return Ok(());
    }
    Err(PublishError::NoSpace {
        share: share.display().to_string(),
        free,
        need,
    })
}

/// `512 bytes`, `12.0 KiB`, `1.4 MiB`, `2.1 GiB`.
pub fn for_people(n: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut size = n as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}
