//! The share's outage notice (`lifeboat notice`, `package::notice`): setting, replacing or clearing it
//! is a small publish of the same bundle with a new launcher and manifest (and signature), so it has a
//! publish's guarantees: it holds the share's lock, stages the files, writes the journal and renames
//! them into place manifest last. A crash leaves the old launcher and manifest or the new ones, `verify`
//! passes at every point, and the next `notice` or `publish` finishes it. Entry point files and the zip
//! are never touched.
//!
//! `publish` keeps the share's notice the same way (`carry`): the new bundle's launcher and manifest
//! get it before they are staged.

use std::path::Path;

use ed25519_dalek::SigningKey;

use super::signature::read_signature;
use super::{
    clear_work, finish, lock, place, read_current, replace, snapshot_folder, write_file, Ops,
    Options, PublishError, Staged,
};
use crate::package::manifest::{self, Manifest};
use crate::package::notice::{self, Notice, LAUNCHER};
use crate::package::signing::{self, Signer};
use crate::verify::share::{self, Found};
use crate::verify::{self, FileStatus, Journal, VerifyError, JOURNAL, PUBLISH_DIR};

/// The launcher's file name.
pub(super) const LAUNCHER_FILE: &str = LAUNCHER;

/// What `lifeboat notice` did.
#[derive(Debug, Clone)]
pub struct Noticed {
    pub snapshot: String,
    /// False when the share already had this notice (or none, to clear).
    pub changed: bool,
    /// The manifest's signature was made again.
    pub signed: bool,
}

/// A bundle's launcher, manifest and signature with a notice put in (or taken out).
pub(super) struct Carried {
    pub manifest: Manifest,
    pub raw: Vec<u8>,
    pub launcher: Vec<u8>,
    pub signature: Option<Vec<u8>>,
}

fn refuse(share: &Path, why: impl std::fmt::Display) -> PublishError {
    PublishError::Notice {
        share: share.display().to_string(),
        why: why.to_string(),
    }
}

/// The signature of `raw` by `key`, when `old` (the signature in place) says the bundle is signed; a
/// refusal when it is and `key` is missing or another key.
fn sign_again(
    share: &Path,
    old: Option<&[u8]>,
    raw: &[u8],
    key: Option<&SigningKey>,
) -> Result<Option<Vec<u8>>, PublishError> {
    let Some(old) = old else {
        return Ok(None);
    };
    let Some(claimed) = signing::claimed_key(old) else {
        return Err(refuse(
            share,
            format!("its {} is not a signature file", signing::SIGNATURE_FILE),
        ));
    };
    let Some(key) = key else {
        return Err(refuse(share, format!(
            "its manifest is signed ({}, key fingerprint {}) and the notice changes the manifest, so it must be signed again: give the secret signing key the way `lifeboat build` takes it, in LIFEBOAT_SIGNING_KEY (or the variable --signing-key-env names)",
            signing::SIGNATURE_FILE,
            signing::fingerprint(&claimed)
        )));
    };
    if key.verifying_key() != claimed {
        return Err(refuse(share, format!(
            "the signing key given (fingerprint {}) is not the one that signed its manifest (fingerprint {})",
            signing::fingerprint(&key.verifying_key()),
            signing::fingerprint(&claimed)
        )));
    }
    Ok(Signer::from_secret(key.clone()).sign(raw))
}

/// The bundle in `dir` (manifest `m`, bytes `raw`) with `notice` instead of its own (`None`: without
/// one), signed again with `key` when it is signed.
pub(super) fn carry(
    dir: &Path,
    m: &Manifest,
    raw: &[u8],
    notice: Option<&Notice>,
    key: Option<&SigningKey>,
) -> Result<Carried, PublishError> {
    let path = dir.join(LAUNCHER);
    let launcher = match share::read(&path, None)? {
        Found::File(bytes) => bytes,
        Found::Missing => return Err(io_missing(&path)),
        Found::NotAFile(why) => {
            return Err(VerifyError::NotOurs {
                path: path.display().to_string(),
                why,
            }
            .into())
        }
    };
    let applied = notice::apply(m, raw, &launcher, notice.cloned()).map_err(|e| refuse(dir, e))?;
    let old_sig = read_signature(dir)?;
    let signature = sign_again(dir, old_sig.as_deref(), &applied.manifest_raw, key)?;
    Ok(Carried {
        manifest: applied.manifest,
        raw: applied.manifest_raw,
        launcher: applied.launcher,
        signature,
    })
}

/// The bundle to publish from `dir` (manifest `new`, bytes `new_raw`) with the share's notice put in
/// (`share_notice`); a bundle with a notice of its own (an archived one put back) gets the share's, or
/// none. Unchanged, without a `Carried`, when neither has a notice.
pub(super) fn keep(
    dir: &Path,
    new: Manifest,
    new_raw: Vec<u8>,
    share_notice: Option<&Notice>,
    key: Option<&SigningKey>,
) -> Result<(Manifest, Vec<u8>, Option<Carried>), PublishError> {
    if share_notice.is_none() && new.notice.is_none() {
        return Ok((new, new_raw, None));
    }
    let c = carry(dir, &new, &new_raw, share_notice, key)?;
    Ok((c.manifest.clone(), c.raw.clone(), Some(c)))
}

/// Whether the share holds the signature the publish would put there.
pub(super) fn same_signature(
    dir: &Path,
    share_dir: &Path,
    carried: Option<&Carried>,
) -> Result<bool, PublishError> {
    match carried {
        Some(c) => Ok(c.signature == read_signature(share_dir).unwrap_or(None)),
        None => super::signature::same_signature(dir, share_dir),
    }
}

/// Stages the bundle's signature, or the one made again for the notice.
pub(super) fn stage_signature(
    dir: &Path,
    staging: &Path,
    carried: Option<&Carried>,
    ops: &mut Ops,
) -> Result<(), PublishError> {
    match carried.map(|c| &c.signature) {
        Some(Some(sig)) => write_file(staging, signing::SIGNATURE_FILE, sig, ops),
        Some(None) => Ok(()),
        None => super::signature::copy_signature(dir, staging, ops),
    }
}

fn io_missing(path: &Path) -> PublishError {
    PublishError::Io {
        path: path.display().to_string(),
        source: std::io::ErrorKind::NotFound.into(),
    }
}

/// Sets `notice` on the share (`None`: clears it), signing the manifest again with `key` when the
/// share's is signed. `opts.keep` and the rollback options are not used.
pub fn set(
    share_dir: &Path,
    notice: Option<Notice>,
    key: Option<&SigningKey>,
    opts: &Options,
    ops: &mut Ops,
) -> Result<Noticed, PublishError> {
    let now = opts.now;
    let Some((m, _)) = read_current(share_dir)? else {
        return Err(VerifyError::NoManifest(share_dir.display().to_string()).into());
    };
    let work = share_dir.join(PUBLISH_DIR);
    share::real_dir(&work)?;
    let _lock = lock::acquire(
        share_dir,
        &m.snapshot,
        now,
        opts.wait,
        ops.backoff.sleep,
        opts.notify,
    )?;
    // An interrupted publish (or notice) is finished first, as publish does.
    let mut left = Vec::new();
    if let Some(journal) = share::read_journal(share_dir)? {
        finish(share_dir, &journal, Staged::Unverified, &mut left, ops)?;
    }
    let Some((m, raw)) = read_current(share_dir)? else {
        return Err(VerifyError::NoManifest(share_dir.display().to_string()).into());
    };
    if notice.is_none() && m.notice.is_none() {
        clear_work(&work, ops)?;
        return Ok(Noticed {
            snapshot: m.snapshot,
            changed: false,
            signed: false,
        });
    }
    // Only a share that verifies gets a notice: its launcher is then the one its manifest lists.
    let check = verify::verify(share_dir, now, None, i64::MAX)?;
    let broken: Vec<String> = check
        .files
        .iter()
        .filter(|f| !matches!(f.status, FileStatus::Ok | FileStatus::Extra))
        .map(|f| format!("{} {}", super::status_word(f.status), f.file))
        .collect();
    if !broken.is_empty() {
        return Err(refuse(
            share_dir,
            format!(
            "it does not verify ({}); publish the bundle again first (see `lifeboat verify {}`)",
            broken.join(", "),
            share_dir.display()
        ),
        ));
    }
    if let Some(why) = super::signature::bad_signature(share_dir)? {
        return Err(refuse(share_dir, format!("its signature is bad ({why})")));
    }
    let carried = carry(share_dir, &m, &raw, notice.as_ref(), key)?;
    let signed = carried.signature.is_some();
    if carried.raw == raw {
        clear_work(&work, ops)?;
        return Ok(Noticed {
            snapshot: m.snapshot,
            changed: false,
            signed: false,
        });
    }
    let old_launcher = match share::read(&share_dir.join(LAUNCHER), None)? {
        Found::File(bytes) => bytes,
        _ => return Err(io_missing(&share_dir.join(LAUNCHER))),
    };
    let old_sig = read_signature(share_dir)?;

    // Stage the launcher, the signature and the manifest (last), then journal and rename, as publish.
    let staging_name = snapshot_folder(&m.snapshot);
    let staging = work.join(&staging_name);
    clear_work(&work, ops)?;
    write_file(&staging, LAUNCHER, &carried.launcher, ops)?;
    if let Some(sig) = &carried.signature {
        write_file(&staging, signing::SIGNATURE_FILE, sig, ops)?;
    }
    write_file(&staging, manifest::FILE_NAME, &carried.raw, ops)?;
    let journal = Journal {
        staging: staging_name,
        snapshot: m.snapshot.clone(),
        started_epoch: now,
        withdraw: Vec::new(),
    };
    let text = toml::to_string(&journal).unwrap_or_default();
    write_file(&work, JOURNAL, text.as_bytes(), ops)?;
    let new = verify::Version::new(carried.manifest, carried.raw);
    match replace(share_dir, &staging, &new, &mut left, ops) {
        Err(e @ PublishError::InUse { .. }) => {
            // The launcher or signature in use: the old ones go back (the manifest was not replaced).
            // Only what was replaced goes back (a file still in use was not).
            let put_back = (|| {
                let olds = [
                    (LAUNCHER, Some(&old_launcher)),
                    (signing::SIGNATURE_FILE, old_sig.as_ref()),
                ];
                for (name, old) in olds {
                    let Some(old) = old else { continue };
                    let to = share_dir.join(name);
                    if !matches!(share::read(&to, None)?, Found::File(now) if now == *old) {
                        place(&work.join(".rollback.tmp"), &to, old, ops)?;
                    }
                }
                clear_work(&work, ops)
            })();
            let outcome = match put_back {
                Ok(()) => "The launcher was put back: the share is as it was and verifies. Close the file (or wait) and run `lifeboat notice` again.".to_string(),
                Err(e) => format!("The launcher could not be put back ({e}): the share holds the old or the new launcher, each complete, and verifies; run `lifeboat notice` again once the file is closed."),
            };
            return Err(e.with_outcome(|| outcome));
        }
        other => other?,
    }
    clear_work(&work, ops)?;
    Ok(Noticed {
        snapshot: m.snapshot,
        changed: true,
        signed,
    })
}
