//! The share's own part of its manifest, `[published]` (docs/manifest.md): where and when the bundle
//! was installed, and when a publish last confirmed that the share holds it. Every publish writes it,
//! one with nothing else to do too, so staleness counts from the last publish of unchanged content, not
//! from its last edit. The build's part of the manifest is copied byte for byte: the signature and the
//! zip's copy cover it, and the build's output stays byte-reproducible.

use std::path::Path;

use super::{copy_file, io_err, write_file, Ops, PublishError};
use crate::package::manifest::{self, Manifest, PublishRecord};
use crate::snapshot::rfc3339;
use crate::verify::share::{self, Found};
use crate::verify::VerifyError;

/// The record of a publish at `now` of the bundle whose build part is `build` to `share`, where
/// `current` is the manifest in place (and its build part): installed now, unless it already is.
pub(super) fn record(
    build: &[u8],
    current: Option<&(Manifest, Vec<u8>)>,
    share: &Path,
    now: i64,
) -> PublishRecord {
    let stamp = rfc3339(now);
    let kept = current
        .filter(|(_, raw)| raw.as_slice() == build)
        .and_then(|(m, _)| m.published.as_ref());
    PublishRecord {
        at: kept.map_or_else(|| stamp.clone(), |p| p.at.clone()),
        at_epoch: kept.map_or(now, |p| p.at_epoch),
        confirmed: stamp,
        confirmed_epoch: now,
        archive_sha256: kept.and_then(|p| p.archive_sha256.clone()),
        location: std::path::absolute(share)
            .unwrap_or_else(|_| share.to_path_buf())
            .display()
            .to_string(),
    }
}

/// Stages `names` of the bundle in `dir` into `staging`, the launcher replaced by `launcher` when the
/// share's notice is carried into it (`notice.rs`); returns the SHA-256 of its zip, hashed from the
/// bytes as they are written (the zip is read once, as every file is).
pub(super) fn stage(
    dir: &Path,
    staging: &Path,
    names: &[String],
    new: &Manifest,
    launcher: Option<&[u8]>,
    ops: &mut Ops,
) -> Result<Option<String>, PublishError> {
    let mut zip_sha256 = None;
    for name in names {
        let from = dir.join(name);
        if let Some(bytes) = launcher.filter(|_| name == super::notice::LAUNCHER_FILE) {
            write_file(staging, name, bytes, ops)?;
            continue;
        }
        if new.archive.as_deref() != Some(name.as_str()) {
            copy_file(&from, staging, name, ops)?;
            continue;
        }
        match share::read(&from, None)? {
            Found::File(bytes) => {
                zip_sha256 = Some(manifest::sha256_hex(&bytes));
                write_file(staging, name, &bytes, ops)?;
            }
            Found::Missing => return Err(io_err(&from)(std::io::ErrorKind::NotFound.into())),
            Found::NotAFile(why) => {
                return Err(VerifyError::NotOurs {
                    path: from.display().to_string(),
                    why,
                }
                .into())
            }
        }
    }
    Ok(zip_sha256)
}

/// The share's manifest for `build` with `record`.
pub(super) fn share_manifest(build: &[u8], record: &PublishRecord) -> Vec<u8> {
    manifest::with_published(build, record)
}

/// The share already holds the bundle: confirms it, rewriting only the manifest (temporary name,
/// fsync, rename), and only when the record changes. Returns the record in place.
pub(super) fn confirm(
    share: &Path,
    current: &(Manifest, Vec<u8>),
    now: i64,
    ops: &mut Ops,
) -> Result<PublishRecord, PublishError> {
    let record = record(&current.1, Some(current), share, now);
    if current.0.published.as_ref() != Some(&record) {
        let bytes = share_manifest(&current.1, &record);
        write_file(share, manifest::FILE_NAME, &bytes, ops)?;
    }
    Ok(record)
}
