//! The manifest's signature (`bcp-manifest.toml.sig`, see [`crate::package::signing`]) in a bundle folder or a
//! share: present, valid, by which key, and the same for the copy inside the zip.
//!
//! While a publish is in progress (a journal and a staged bundle, see docs/continuity.md) the signature
//! and the manifest are each the old or the new one: a signature that vouches for either manifest is
//! accepted, as every other file is.

use std::io::{self, Read};
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::share::{self, Found};
use super::{read_manifest, VerifyError, PUBLISH_DIR};
use crate::package::manifest;
use crate::package::signing::{self, Checked, MAX_SIGNATURE_BYTES, SIGNATURE_FILE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureStatus {
    /// Signed by the trusted key (`--public-key`).
    Valid,
    /// Signed, and the signature matches the manifest, but no trusted key was given to check whose it is.
    Present,
    /// No signature, and none was asked for.
    Unsigned,
    /// No signature, but a trusted key was given: a problem.
    Missing,
    /// A signature that does not vouch for the manifest: a problem.
    Bad,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    pub file: &'static str,
    pub status: SignatureStatus,
    /// SHA-256 of the public key that signed (as the signature file names it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl SignatureReport {
    pub fn is_problem(&self) -> bool {
        matches!(self.status, SignatureStatus::Missing | SignatureStatus::Bad)
    }
}

/// A file that may be absent: `None` for missing, an error message for something that is not a file.
fn optional(
    path: &Path,
    limit: Option<u64>,
) -> Result<Result<Option<Vec<u8>>, String>, VerifyError> {
    Ok(match share::read(path, limit) {
        Ok(Found::File(bytes)) => Ok(Some(bytes)),
        Ok(Found::Missing) => Ok(None),
        Ok(Found::NotAFile(why)) => Err(format!("`{}` {why}", path.display())),
        Err(VerifyError::TooLarge(..)) => Err(format!(
            "`{}` is larger than any signature lifeboat writes",
            path.display()
        )),
        Err(e) => return Err(e),
    })
}

/// Checks the signature of the bundle in `dir`, against `trusted` when given.
pub fn check_dir(
    dir: &Path,
    trusted: Option<&VerifyingKey>,
) -> Result<SignatureReport, VerifyError> {
    let report = |status, fingerprint, detail| SignatureReport {
        file: SIGNATURE_FILE,
        status,
        fingerprint,
        detail,
    };
    if super::is_file(dir) {
        return check_zip(dir, trusted);
    }
    let mut manifests = Vec::new();
    match read_manifest(&dir.join(manifest::FILE_NAME)) {
        Ok((_, raw)) => manifests.push(raw),
        Err(VerifyError::NoManifest(_)) => {}
        Err(e) => return Err(e),
    }
    let mut sigs = Vec::new();
    match optional(&dir.join(SIGNATURE_FILE), Some(MAX_SIGNATURE_BYTES))? {
        Ok(Some(sig)) => sigs.push(sig),
        Ok(None) => {}
        Err(why) => return Ok(report(SignatureStatus::Bad, None, Some(why))),
    }
    // A publish in progress: the staged manifest and signature are the bundle's new version.
    if let Some(journal) = share::read_journal(dir)? {
        let staging = dir.join(PUBLISH_DIR).join(&journal.staging);
        if let Ok((_, raw)) = read_manifest(&staging.join(manifest::FILE_NAME)) {
            manifests.push(raw);
        }
        if let Ok(Some(sig)) = optional(&staging.join(SIGNATURE_FILE), Some(MAX_SIGNATURE_BYTES))? {
            sigs.push(sig);
        }
    }
    if sigs.is_empty() {
        return Ok(match trusted {
            Some(_) => report(
                SignatureStatus::Missing,
                None,
                Some(format!(
                    "the bundle holds no {SIGNATURE_FILE}: it is not signed"
                )),
            ),
            None => report(SignatureStatus::Unsigned, None, None),
        });
    }
    let mut first_failure = None;
    for sig in &sigs {
        for raw in &manifests {
            match signing::check(raw, sig, trusted) {
                Checked::Good { fingerprint } => {
                    if let Some(why) = zip_signature(dir, trusted)? {
                        return Ok(report(SignatureStatus::Bad, Some(fingerprint), Some(why)));
                    }
                    let status = if trusted.is_some() {
                        SignatureStatus::Valid
                    } else {
                        SignatureStatus::Present
                    };
                    return Ok(report(status, Some(fingerprint), None));
                }
                Checked::Bad(why) => {
                    first_failure.get_or_insert(why);
                }
            }
        }
    }
    Ok(report(
        SignatureStatus::Bad,
        None,
        first_failure.map(|why| format!("{SIGNATURE_FILE} {why}")),
    ))
}

/// The signature of a bundle's zip given on its own (`verify bundle.zip`): its signature member over its
/// manifest member.
fn check_zip(path: &Path, trusted: Option<&VerifyingKey>) -> Result<SignatureReport, VerifyError> {
    let report = |status, fingerprint, detail| SignatureReport {
        file: SIGNATURE_FILE,
        status,
        fingerprint,
        detail,
    };
    let Ok(Some(bytes)) = optional(path, None)? else {
        return Ok(report(SignatureStatus::Unsigned, None, None)); // `verify` reports the zip itself
    };
    let Ok(mut zip) = zip::ZipArchive::new(io::Cursor::new(bytes)) else {
        return Ok(report(SignatureStatus::Unsigned, None, None));
    };
    let raw = super::zipfile::read_manifest_member(&mut zip).unwrap_or_default();
    let sig = zip.by_name(SIGNATURE_FILE).ok().and_then(|member| {
        let mut data = Vec::new();
        member
            .take(MAX_SIGNATURE_BYTES)
            .read_to_end(&mut data)
            .ok()
            .map(|_| data)
    });
    Ok(match (sig, trusted) {
        (None, Some(_)) => report(
            SignatureStatus::Missing,
            None,
            Some(format!(
                "the zip holds no {SIGNATURE_FILE}: it is not signed"
            )),
        ),
        (None, None) => report(SignatureStatus::Unsigned, None, None),
        (Some(sig), _) => match signing::check(&raw, &sig, trusted) {
            Checked::Good { fingerprint } => {
                let status = if trusted.is_some() {
                    SignatureStatus::Valid
                } else {
                    SignatureStatus::Present
                };
                report(status, Some(fingerprint), None)
            }
            Checked::Bad(why) => report(
                SignatureStatus::Bad,
                None,
                Some(format!("{SIGNATURE_FILE} {why}")),
            ),
        },
    })
}

/// Why the zip's copy of the signature does not vouch for the zip's manifest, if it does not (the zip's
/// manifest itself is compared with the folder's by `verify`).
fn zip_signature(
    dir: &Path,
    trusted: Option<&VerifyingKey>,
) -> Result<Option<String>, VerifyError> {
    let Ok((m, _)) = read_manifest(&dir.join(manifest::FILE_NAME)) else {
        return Ok(None);
    };
    let Some(name) = m.archive else {
        return Ok(None);
    };
    let Ok(Some(bytes)) = optional(&dir.join(&name), None)? else {
        // A missing or odd zip is `verify`'s to report.
        return Ok(None);
    };
    let Ok(mut zip) = zip::ZipArchive::new(io::Cursor::new(bytes)) else {
        return Ok(None);
    };
    let mut member = |file: &str, limit: u64| -> Option<Vec<u8>> {
        let member = zip.by_name(file).ok()?;
        let mut data = Vec::new();
        member.take(limit).read_to_end(&mut data).ok()?;
        Some(data)
    };
    let Some(sig) = member(SIGNATURE_FILE, MAX_SIGNATURE_BYTES) else {
        return Ok(Some(format!(
            "the zip {name} holds no {SIGNATURE_FILE}, though the folder is signed"
        )));
    };
    let Some(raw) = member(manifest::FILE_NAME, share::MAX_RECORD_BYTES) else {
        return Ok(None);
    };
    Ok(match signing::check(&raw, &sig, trusted) {
        Checked::Good { .. } => None,
        Checked::Bad(why) => Some(format!("the {SIGNATURE_FILE} in the zip {name} {why}")),
    })
}
