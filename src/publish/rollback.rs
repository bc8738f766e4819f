//! Putting a share back to the bundle in place when step 5 cannot finish (a file in use on a Windows
//! share, after the retries): each file the publish already replaced or deleted gets its previous
//! version back from the archive copy made in step 3, each file it added is deleted, and the journal
//! and staging folder go. The share then verifies as the previous bundle, as it did before the publish.
//!
//! Until the journal is removed (last), a crash here leaves what a crash in step 5 leaves: each file
//! the old or the new version, complete; the next publish rolls forward. Only files provably the
//! publish's own are touched: a restored copy must match the old manifest, a deleted or overwritten
//! file must be the new bundle's (by checksum); anything else is left as it is.

use std::collections::BTreeSet;
use std::path::Path;

use super::{clear_work, place, read_current, remove_file, snapshot_folder, Ops, PublishError};
use crate::verify::share::{self, Found};
use crate::verify::{VerifyError, Version, ARCHIVE_DIR, PUBLISH_DIR};

/// Rolls the share back; says what it holds again (`snapshot …`).
pub(super) fn roll_back(
    share: &Path,
    new: &Version,
    ops: &mut Ops,
) -> Result<String, PublishError> {
    let work = share.join(PUBLISH_DIR);
    // The manifest moves into place last: the one in place is still the previous bundle's.
    let old = read_current(share)?.map(|(manifest, raw)| Version::new(manifest, raw));
    let archive = old.as_ref().map(|old| {
        share
            .join(ARCHIVE_DIR)
            .join(snapshot_folder(&old.manifest.snapshot))
    });
    let mut names: BTreeSet<String> = new.names();
    if let Some(old) = &old {
        names.extend(old.names());
    }
    for name in &names {
        let path = share.join(name);
        let top = match share::read(&path, None)? {
            Found::File(bytes) => Some(bytes),
            Found::Missing => None,
            // Not the publish's: left alone.
            Found::NotAFile(_) => continue,
        };
        let ours = top.as_deref().is_some_and(|b| new.owns(name, b));
        match (&old, &archive) {
            (Some(old), Some(archive)) if old.expects(name) => {
                if top.as_deref().is_some_and(|b| old.matches(name, b).is_ok())
                    || !(ours || top.is_none())
                {
                    continue;
                }
                let copy = archive.join(name);
                let bytes = match share::read(&copy, None)? {
                    Found::File(bytes) if old.matches(name, &bytes).is_ok() => bytes,
                    _ => {
                        return Err(VerifyError::NotOurs {
                            path: copy.display().to_string(),
                            why: "is not the previous bundle's file (the archive copy to roll back from is missing or changed)",
                        }
                        .into())
                    }
                };
                place(&work.join(".rollback.tmp"), &path, &bytes, ops)?;
            }
            _ if ours => remove_file(&path, ops)?,
            _ => {}
        }
    }
    clear_work(&work, ops)?;
    Ok(match old {
        Some(old) => format!("snapshot {}", old.manifest.snapshot),
        None => "no bundle, as before this first publish to it".to_string(),
    })
}
