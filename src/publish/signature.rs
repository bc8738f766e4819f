//! The manifest's signature (`bcp-manifest.toml.sig`) in a publish: not listed in the manifest (it
//! signs it), so it travels beside it: staged and archived with it, and renamed into place just before
//! it.

use std::path::Path;

use super::{remove_file, rename, write_file, Ops, PublishError};
use crate::package::signing;
use crate::verify::share::{self, Found};
use crate::verify::{self, VerifyError};

/// Why the bundle's signature does not vouch for its manifest, if it has one that does not.
pub(super) fn bad_signature(dir: &Path) -> Result<Option<String>, PublishError> {
    let report = verify::signature::check_dir(dir, None)?;
    Ok(report.is_problem().then(|| {
        report
            .detail
            .unwrap_or_else(|| format!("bad {}", signing::SIGNATURE_FILE))
    }))
}

pub(super) fn read_signature(dir: &Path) -> Result<Option<Vec<u8>>, PublishError> {
    match share::read(
        &dir.join(signing::SIGNATURE_FILE),
        Some(signing::MAX_SIGNATURE_BYTES),
    )? {
        Found::File(bytes) => Ok(Some(bytes)),
        Found::Missing => Ok(None),
        Found::NotAFile(why) => Err(VerifyError::NotOurs {
            path: dir.join(signing::SIGNATURE_FILE).display().to_string(),
            why,
        }
        .into()),
    }
}

/// Whether the share holds the bundle's signature as it is (or both have none).
pub(super) fn same_signature(dir: &Path, share: &Path) -> Result<bool, PublishError> {
    Ok(read_signature(dir)? == read_signature(share).unwrap_or(None))
}

/// Copies `from`'s signature, if it has one, into `to`.
pub(super) fn copy_signature(from: &Path, to: &Path, ops: &mut Ops) -> Result<(), PublishError> {
    match read_signature(from)? {
        Some(sig) => write_file(to, signing::SIGNATURE_FILE, &sig, ops),
        None => Ok(()),
    }
}

/// A staged signature found on the share (an interrupted publish, or planted) must sign the staged
/// manifest, by the key it names, before it is moved into place.
pub(super) fn staged_signature_problem(
    staging: &Path,
    manifest: &[u8],
) -> Result<Option<String>, PublishError> {
    let path = staging.join(signing::SIGNATURE_FILE);
    Ok(
        match share::read(&path, Some(signing::MAX_SIGNATURE_BYTES)) {
            Ok(Found::Missing) => None,
            Ok(Found::File(sig)) if signing::self_consistent(manifest, &sig) => None,
            Ok(Found::File(_)) => Some(format!(
                "points at a staged `{}` that does not sign the staged manifest",
                signing::SIGNATURE_FILE
            )),
            Ok(Found::NotAFile(why)) => Some(format!(
                "points at a staged `{}` that {why}",
                signing::SIGNATURE_FILE
            )),
            Err(e) => Some(format!(
                "points at a staged `{}`: {e}",
                signing::SIGNATURE_FILE
            )),
        },
    )
}

/// Renames the staged signature into place. Otherwise the signature in place is kept when it signs the
/// new manifest (a rerun after it was moved), deleted when it provably is the old manifest's (the new
/// bundle is unsigned), and left with a warning when it is neither.
pub(super) fn place_signature(
    share: &Path,
    staging: &Path,
    [old_manifest, new_manifest]: [&[u8]; 2],
    left: &mut Vec<(String, String)>,
    ops: &mut Ops,
) -> Result<(), PublishError> {
    let staged = staging.join(signing::SIGNATURE_FILE);
    let target = share.join(signing::SIGNATURE_FILE);
    if std::fs::symlink_metadata(&staged).is_ok() {
        return rename(&staged, &target, ops);
    }
    match share::read(&target, Some(signing::MAX_SIGNATURE_BYTES)) {
        Ok(Found::Missing) => {}
        Ok(Found::File(sig)) if signing::self_consistent(new_manifest, &sig) => {}
        Ok(Found::File(sig)) if signing::self_consistent(old_manifest, &sig) => {
            remove_file(&target, ops)?;
        }
        Ok(Found::File(_)) => left.push((
            signing::SIGNATURE_FILE.into(),
            "does not sign the previous manifest".into(),
        )),
        Ok(Found::NotAFile(why)) => left.push((signing::SIGNATURE_FILE.into(), why.to_string())),
        Err(e) => left.push((signing::SIGNATURE_FILE.into(), e.to_string())),
    }
    Ok(())
}
