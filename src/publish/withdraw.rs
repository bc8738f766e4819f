//! Withdrawing old copies of locked entry points from `archive/`. The share keeps previous bundles, so
//! once an entry point is locked (or its key rotated) the copy from before the lock opens with no key,
//! and the copy built with the old key opens with the old key, from the same share. So when `publish`
//! installs a bundle in which an entry point is locked with a key the share's bundle did not lock it
//! with (it was open there, locked with another key, or locked with an unrecorded key, or not there),
//! it removes that entry point's file from every archived bundle where it is not locked with the new key
//! (unless `--keep-old-keys`).
//!
//! Each archived bundle stays one that `lifeboat verify` passes: its manifest no longer lists the file;
//! its zip, which holds the file too, is removed (the folder keeps every other file), and so is its
//! signature, which signed the manifest as it was. Files go first and the manifest last, so a crash
//! half-way leaves an archived bundle with a file missing that a rerun (which follows the journal, where
//! the list of entry points to withdraw is written) finishes withdrawing. Only files that are provably
//! the archived bundle's are removed (checksum; for the zip, the manifest it holds; for the signature, the
//! manifest it signs); anything else is left, with a warning. Names come from the archived manifests,
//! which are checked like every manifest read from a share (`package::names`).
//!
//! Copies outside the share (downloads, desks, USB keys, mail, other shares, the share's own backups or
//! snapshots) are out of reach: docs/content-format.md says so.

use std::path::Path;

use super::{remove_file, write_file, Ops, PublishError};
use crate::content::config::Access;
use crate::package::manifest::{self, EntryRecord, Manifest};
use crate::package::signing;
use crate::verify::share::{self, Found};
use crate::verify::{self, Version, ARCHIVE_DIR};

/// What a withdrawal removed and left, paths relative to the share.
#[derive(Debug, Clone, Default)]
pub struct Withdrawn {
    /// Entry point files removed from archived bundles, with why each was an old copy.
    pub files: Vec<(String, String)>,
    /// Zips removed because they held such a file.
    pub zips: Vec<String>,
    /// Signatures removed because the manifest they signed changed.
    pub signatures: Vec<String>,
    /// Old copies (or what stands in their place) left where they are, with why.
    pub left: Vec<(String, String)>,
}

impl Withdrawn {
    /// Adds what `other` removed and left.
    pub fn absorb(&mut self, other: Withdrawn) {
        self.files.extend(other.files);
        self.zips.extend(other.zips);
        self.signatures.extend(other.signatures);
        self.left.extend(other.left);
    }
}

/// The entry points of `new` whose archived copies are withdrawn: locked in `new`, and in `current`, the
/// bundle the share holds (`None`: none, or unreadable), not locked only with keys that open it in `new`
/// too (one key per file before key groups: the same key; with slots: every key of `current`'s file
/// still has a slot, so a group whose key was rotated or taken off the entry point counts as a change).
pub fn key_changes(current: Option<&Manifest>, new: &Manifest) -> Vec<String> {
    new.entries
        .iter()
        .filter(|e| e.access == Access::Key)
        .filter(|e| {
            let before = current.and_then(|m| m.entries.iter().find(|old| old.id == e.id));
            !before.is_some_and(|old| same_key(old, e))
        })
        .map(|e| e.id.clone())
        .collect()
}

/// Both locked, with recorded key identifiers, and every key that opens `a` opens `b` too. Identifiers
/// are compared whatever the group: the same key and entry point give the same identifier.
fn same_key(a: &EntryRecord, b: &EntryRecord) -> bool {
    old_keys(a, b).is_none()
}

/// Why `a` (locked or not) opens for someone `b` refuses: `None` when both are locked and every
/// recorded key of `a` opens `b`.
fn old_keys(a: &EntryRecord, b: &EntryRecord) -> Option<String> {
    if a.access != Access::Key {
        return Some("open in that bundle, locked now".into());
    }
    let before = a.key_identifiers();
    if before.is_empty() {
        return Some("locked there with a key whose identifier was not recorded (built before lifeboat recorded key identifiers)".into());
    }
    let now: Vec<&str> = b.key_identifiers().into_iter().map(|(_, id)| id).collect();
    let gone: Vec<String> = before
        .iter()
        .filter(|(_, id)| !now.contains(id))
        .map(|(group, _)| match group {
            None => "the access key".to_string(),
            Some(g) => format!("`{g}`"),
        })
        .collect();
    if gone.is_empty() {
        None
    } else if matches!(before.as_slice(), [(None, _)]) {
        // One key of the implicit group: the message of before key groups.
        Some("locked there with another key".into())
    } else {
        Some(format!(
            "opens there with a key that does not open it now ({})",
            gone.join(", ")
        ))
    }
}

/// Why `archived` is an old copy of `new`'s entry point, or `None` if every key that opens it opens the
/// new one too.
fn old_copy(archived: &EntryRecord, new: &Manifest) -> Option<String> {
    let now = new.entries.iter().find(|e| e.id == archived.id)?;
    old_keys(archived, now)
}

/// Removes the old copies of the entry points `ids` of `new` from every bundle of `share/archive/`.
/// With `dry_run`, only says what it would remove (for `--keep-old-keys`).
pub fn withdraw(
    share: &Path,
    new: &Manifest,
    ids: &[String],
    dry_run: bool,
    ops: &mut Ops,
) -> Result<Withdrawn, PublishError> {
    let mut out = Withdrawn::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let archive = share.join(ARCHIVE_DIR);
    let Ok(read) = std::fs::read_dir(&archive) else {
        return Ok(out);
    };
    let mut folders: Vec<String> = read
        .flatten()
        // Links are never followed; hidden folders are lifeboat's leftovers, which prune removes.
        .filter(|item| item.file_type().is_ok_and(|t| t.is_dir()))
        .map(|item| item.file_name().to_string_lossy().to_string())
        .filter(|name| !name.starts_with('.'))
        .collect();
    folders.sort();
    for name in folders {
        let folder = archive.join(&name);
        let shown = |file: &str| format!("{ARCHIVE_DIR}/{name}/{file}");
        let (m, raw) = match verify::read_manifest(&folder.join(manifest::FILE_NAME)) {
            Ok(found) => found,
            // Not a bundle: a folder somebody keeps there.
            Err(verify::VerifyError::NoManifest(_)) => continue,
            Err(e) => {
                out.left.push((
                    format!("{ARCHIVE_DIR}/{name}"),
                    format!("has a manifest that cannot be used ({e}), so lifeboat cannot tell whether it holds an old copy of a locked entry point; look at it"),
                ));
                continue;
            }
        };
        let targets: Vec<(&EntryRecord, String)> = m
            .entries
            .iter()
            .filter(|e| ids.contains(&e.id))
            .filter_map(|e| old_copy(e, new).map(|why| (e, why)))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let old = Version::new(m.clone(), raw.clone());

        // The signature signs the manifest about to change: it goes first (the bundle is then unsigned,
        // and still verifies).
        let sig_path = folder.join(signing::SIGNATURE_FILE);
        match share::read(&sig_path, Some(signing::MAX_SIGNATURE_BYTES)) {
            Ok(Found::Missing) => {}
            Ok(Found::File(sig)) if signing::self_consistent(&raw, &sig) => {
                if !dry_run {
                    remove_file(&sig_path, ops)?;
                }
                out.signatures.push(shown(signing::SIGNATURE_FILE));
            }
            _ => out.left.push((
                shown(signing::SIGNATURE_FILE),
                "does not sign that bundle's manifest, so it is not provably lifeboat's to remove"
                    .into(),
            )),
        }

        let mut withdrawn: Vec<&str> = Vec::new();
        for (e, why) in &targets {
            let path = folder.join(&e.file);
            match share::read(&path, None)? {
                Found::Missing => withdrawn.push(&e.id),
                Found::File(bytes) if old.owns(&e.file, &bytes) => {
                    if !dry_run {
                        remove_file(&path, ops)?;
                    }
                    out.files.push((shown(&e.file), why.to_string()));
                    withdrawn.push(&e.id);
                }
                Found::File(_) => out.left.push((
                    shown(&e.file),
                    format!("is an old copy ({why}) but was changed since it was archived, so it is not provably lifeboat's to remove; it may open without the new key: remove it by hand"),
                )),
                Found::NotAFile(why) => out.left.push((shown(&e.file), why.to_string())),
            }
        }

        // The zip holds the withdrawn files too.
        let mut zip_gone = true;
        if let Some(zip) = &m.archive {
            let path = folder.join(zip);
            match share::read(&path, None)? {
                Found::Missing => {}
                Found::File(bytes) if old.owns(zip, &bytes) => {
                    if !dry_run {
                        remove_file(&path, ops)?;
                    }
                    out.zips.push(shown(zip));
                }
                Found::File(_) => {
                    zip_gone = false;
                    out.left.push((
                        shown(zip),
                        "may hold an old copy of a locked entry point, but it does not hold that bundle's manifest, so it is not provably lifeboat's to remove; look at it".into(),
                    ));
                }
                Found::NotAFile(why) => {
                    zip_gone = false;
                    out.left.push((shown(zip), why.to_string()));
                }
            }
        }

        // The manifest last: it no longer lists what was removed.
        if !dry_run {
            let mut rewritten = m.clone();
            rewritten
                .entries
                .retain(|e| !withdrawn.contains(&e.id.as_str()));
            if zip_gone {
                rewritten.archive = None;
            }
            write_file(
                &folder,
                manifest::FILE_NAME,
                rewritten.to_toml().as_bytes(),
                ops,
            )?;
        }
    }
    Ok(out)
}
