//! Publishing a verified bundle to a file share so that, at every instant, the share holds complete files
//! that verify, even if the publish is killed half-way. The design (docs/continuity.md):
//!
//! 1. finish a publish that was interrupted after it started replacing files (its journal says which);
//! 2. stage the new files under `SHARE/.lifeboat-publish/<snapshot>/` (temporary name, fsync, rename),
//!    the staged manifest last: a complete staging folder is one with a manifest;
//! 3. copy (not move) the bundle in place to `SHARE/archive/<snapshot>/`, through a hidden folder renamed
//!    into place when complete;
//! 4. write the journal: from here on, `verify` accepts each file as the old version or the new one;
//! 5. rename each staged file over the old one (atomic on one filesystem), delete files the new bundle
//!    no longer has, rename the manifest into place last, then remove the journal and staging folder;
//! 6. prune the archive to the newest N bundles.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use crate::package::manifest::{self, Manifest};
use crate::signing;
use crate::verify::share::{self, Found};
use crate::verify::{
    self, FileStatus, Journal, VerifyError, Version, ARCHIVE_DIR, JOURNAL, PUBLISH_DIR,
};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(
        "`{dir}` has problems ({problems}); refusing to publish it (see `lifeboat verify {dir}`)"
    )]
    BadBundle { dir: String, problems: String },
    #[error("cannot write `{path}`: {source}")]
    Io { path: String, source: io::Error },
    #[error("`{0}` is the bundle folder itself; publish to another folder")]
    SameFolder(String),
    #[error("stopped after {0} filesystem steps (LIFEBOAT_PUBLISH_FAIL_AFTER, a test hook)")]
    Interrupted(usize),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Counts filesystem steps; with `fail_after`, stops the publish after that many (tests simulate a
/// crash at every point this way).
#[derive(Debug, Default)]
pub struct Steps {
    pub done: usize,
    pub fail_after: Option<usize>,
}

impl Steps {
    fn step(&mut self) -> Result<(), PublishError> {
        self.done += 1;
        match self.fail_after {
            Some(limit) if self.done >= limit => Err(PublishError::Interrupted(self.done)),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Published {
    pub snapshot: String,
    /// False when the share already held this bundle.
    pub changed: bool,
    /// Files written into the share.
    pub files: usize,
    /// `archive/<name>` the previous bundle was copied to.
    pub archived: Option<String>,
    pub pruned: Vec<String>,
    /// Files of the previous bundle that the new one no longer has but that lifeboat left in place,
    /// because they are not provably the previous bundle's (changed since, or not a regular file); why.
    pub left: Vec<(String, String)>,
    /// The bundle is past its due date (published anyway: it is the newest there is).
    pub stale: bool,
}

/// `2026-11-22T08:26:40Z` -> `2026-11-22T08-26-40Z`: a folder name every filesystem accepts.
pub fn snapshot_folder(snapshot: &str) -> String {
    snapshot
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else if c == ':' {
                '-'
            } else {
                '_'
            }
        })
        .collect()
}

pub fn publish(
    dir: &Path,
    share: &Path,
    keep: usize,
    now: i64,
    steps: &mut Steps,
) -> Result<Published, PublishError> {
    let check = verify::verify(dir, now, None)?;
    let broken: Vec<String> = check
        .files
        .iter()
        .filter(|f| !matches!(f.status, FileStatus::Ok))
        .map(|f| format!("{} {}", status_word(f.status), f.file))
        .collect();
    if let Some(why) = bad_signature(dir)? {
        return Err(PublishError::BadBundle {
            dir: dir.display().to_string(),
            problems: why,
        });
    }
    if !broken.is_empty() || check.publishing.is_some() {
        return Err(PublishError::BadBundle {
            dir: dir.display().to_string(),
            problems: broken.join(", "),
        });
    }
    let (new, new_raw) = verify::read_manifest(&dir.join(manifest::FILE_NAME))?;
    fs::create_dir_all(share).map_err(io_err(share))?;
    if same_folder(dir, share) {
        return Err(PublishError::SameFolder(share.display().to_string()));
    }
    let work = share.join(PUBLISH_DIR);
    // Lifeboat writes into these two folders: a link would send its writes (and prune's deletions)
    // anywhere.
    share::real_dir(&work)?;
    share::real_dir(&share.join(ARCHIVE_DIR))?;
    let mut left = Vec::new();

    // 1. An interrupted publish is rolled forward first, so the share is one complete bundle again;
    //    the journal and what it points at are checked first: anyone can write to a share.
    if let Some(journal) = share::read_journal(share)? {
        finish(share, &journal, Staged::Unverified, &mut left, steps)?;
    }
    let current = read_current(share)?;
    let snapshot_dir = snapshot_folder(&new.snapshot);
    if current.as_ref().is_some_and(|(_, raw)| *raw == new_raw)
        && share_is_intact(share, now)
        && same_signature(dir, share)?
    {
        remove_dir(&work, steps)?;
        let pruned = prune(share, keep, &snapshot_dir, steps)?;
        return Ok(Published {
            snapshot: new.snapshot,
            changed: false,
            files: 0,
            archived: None,
            pruned,
            left,
            stale: check.stale.stale,
        });
    }

    // 2. Stage the new bundle, manifest last.
    remove_dir(&work, steps)?;
    let staging = work.join(&snapshot_dir);
    let names = file_names(&new);
    for name in &names {
        copy_file(&dir.join(name), &staging, name, steps)?;
    }
    copy_signature(dir, &staging, steps)?;
    write_file(&staging, manifest::FILE_NAME, &new_raw, steps)?;

    // 3. Archive the bundle in place (when it is intact: a damaged one is not worth keeping).
    let mut archived = None;
    if let Some((old, _)) = current.as_ref().filter(|_| share_is_intact(share, now)) {
        let name = snapshot_folder(&old.snapshot);
        if name != snapshot_dir {
            archive_current(share, old, &name, steps)?;
            archived = Some(format!("{ARCHIVE_DIR}/{name}"));
        }
    }

    // 4-5. Journal, then replace the files.
    let journal = Journal {
        staging: snapshot_dir.clone(),
        snapshot: new.snapshot.clone(),
        started_epoch: now,
    };
    let text = toml::to_string(&journal).unwrap_or_default();
    write_file(&work, JOURNAL, text.as_bytes(), steps)?;
    finish(share, &journal, Staged::Ours, &mut left, steps)?;

    // 6. Retention.
    let pruned = prune(share, keep, &snapshot_dir, steps)?;
    Ok(Published {
        snapshot: new.snapshot,
        changed: true,
        files: names.len() + 1,
        archived,
        pruned,
        left,
        stale: check.stale.stale,
    })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn status_word(status: FileStatus) -> &'static str {
    match status {
        FileStatus::Ok => "ok",
        FileStatus::Pending => "pending",
        FileStatus::Changed => "changed",
        FileStatus::Missing => "missing",
        FileStatus::Extra => "extra",
    }
}

/// Every file of a bundle but its manifest, sorted.
fn file_names(m: &Manifest) -> Vec<String> {
    let mut names: Vec<String> = m
        .files()
        .map(|(f, _, _)| f.to_string())
        .chain(m.archive.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The share's manifest. A damaged one (unreadable, another format) is as good as none: the publish
/// replaces it. One that names files outside the bundle was not written by lifeboat: refused.
fn read_current(share: &Path) -> Result<Option<(Manifest, Vec<u8>)>, PublishError> {
    match verify::read_manifest(&share.join(manifest::FILE_NAME)) {
        Ok(current) => Ok(Some(current)),
        Err(
            e @ (VerifyError::UnsafeName { .. }
            | VerifyError::NotOurs { .. }
            | VerifyError::TooLarge(..)),
        ) => Err(e.into()),
        Err(_) => Ok(None),
    }
}

/// Every file of the share matches its manifest (staleness and extra files aside).
fn share_is_intact(share: &Path, now: i64) -> bool {
    verify::verify(share, now, None).is_ok_and(|v| {
        v.publishing.is_none()
            && v.files
                .iter()
                .all(|f| matches!(f.status, FileStatus::Ok | FileStatus::Extra))
    })
}

/// Whether the staged files were written by this very run, or found on the share (a publish that was
/// interrupted, or a planted journal: their content is checked before anything is moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Staged {
    Ours,
    Unverified,
}

/// Moves the staged files of `journal` into place, manifest last, then removes the journal. Each step
/// can be repeated, so a rerun after a crash picks up where this stopped. Files of the old bundle that
/// the new one lacks are deleted only when they still are the old bundle's; the others are `left`.
fn finish(
    share: &Path,
    journal: &Journal,
    staged: Staged,
    left: &mut Vec<(String, String)>,
    steps: &mut Steps,
) -> Result<(), PublishError> {
    let work = share.join(PUBLISH_DIR);
    let staging = work.join(&journal.staging);
    let staged_manifest = staging.join(manifest::FILE_NAME);
    let refuse = |why: String| VerifyError::BadJournal {
        path: work.join(JOURNAL).display().to_string(),
        why,
        work: work.display().to_string(),
    };
    let new = match verify::read_manifest(&staged_manifest) {
        Ok((manifest, raw)) => Version::new(manifest, raw),
        // The staged manifest moves into place last: without it, there is nothing left to do.
        Err(VerifyError::NoManifest(_)) => return remove_dir(&work, steps),
        Err(e) => {
            return Err(refuse(format!(
                "points at a staged bundle that cannot be used: {e}"
            ))
            .into())
        }
    };
    let new_names = new.names();
    if staged == Staged::Unverified {
        for name in &new_names {
            match share::read(&staging.join(name), None)? {
                Found::Missing => {}
                Found::File(bytes) => new.matches(name, &bytes).map_err(|why| {
                    refuse(format!(
                        "points at a staged `{name}` that does not verify ({why})"
                    ))
                })?,
                Found::NotAFile(why) => {
                    return Err(refuse(format!("points at a staged `{name}` that {why}")).into())
                }
            }
        }
        if let Some(why) = staged_signature_problem(&staging, &new.raw)? {
            return Err(refuse(why).into());
        }
    }
    for name in &new_names {
        let from = staging.join(name);
        if fs::symlink_metadata(&from).is_ok() {
            rename(&from, &share.join(name), steps)?;
        }
    }
    if let Some((old, raw)) = read_current(share)? {
        let old = Version::new(old, raw);
        let gone: BTreeSet<String> = old.names().difference(&new_names).cloned().collect();
        for name in gone {
            let path = share.join(&name);
            match share::read(&path, None)? {
                Found::Missing => {}
                Found::File(bytes) if old.owns(&name, &bytes) => {
                    fs::remove_file(&path).map_err(io_err(&path))?;
                    steps.step()?;
                }
                Found::File(_) => left.push((name, "changed since it was published".into())),
                Found::NotAFile(why) => left.push((name, why.to_string())),
            }
        }
        place_signature(share, &staging, [&old.raw, &new.raw], left, steps)?;
    } else {
        place_signature(share, &staging, [&[], &new.raw], left, steps)?;
    }
    rename(&staged_manifest, &share.join(manifest::FILE_NAME), steps)?;
    remove_dir(&work, steps)
}

/// Copies the bundle in place to `archive/<name>/`, through a hidden folder renamed when complete.
fn archive_current(
    share: &Path,
    old: &Manifest,
    name: &str,
    steps: &mut Steps,
) -> Result<(), PublishError> {
    let archive = share.join(ARCHIVE_DIR);
    let target = archive.join(name);
    if target.exists() {
        return Ok(());
    }
    let partial = archive.join(format!(".{name}.partial"));
    remove_dir(&partial, steps)?;
    for file in file_names(old)
        .iter()
        .map(String::as_str)
        .chain([manifest::FILE_NAME])
    {
        copy_file(&share.join(file), &partial, file, steps)?;
    }
    copy_signature(share, &partial, steps)?;
    rename(&partial, &target, steps)
}

/// Keeps the `keep` newest bundles in `archive/` (never `current`); removes the others and any leftover
/// of an interrupted archive or prune.
fn prune(
    share: &Path,
    keep: usize,
    current: &str,
    steps: &mut Steps,
) -> Result<Vec<String>, PublishError> {
    let archive = share.join(ARCHIVE_DIR);
    let Ok(read) = fs::read_dir(&archive) else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    let mut leftovers = Vec::new();
    for item in read.flatten() {
        let name = item.file_name().to_string_lossy().to_string();
        // Links are never followed, and only folders that hold a manifest are bundles of ours.
        let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
        let is_bundle = is_dir
            && fs::symlink_metadata(item.path().join(manifest::FILE_NAME))
                .is_ok_and(|m| m.file_type().is_file());
        if name.starts_with('.') {
            // Only our own leftovers (an interrupted copy or prune); a `.DS_Store` or other file a
            // desktop leaves in the folder is none of ours.
            if is_dir && (name.ends_with(".partial") || name.ends_with(".deleting")) {
                leftovers.push(name);
            }
        } else if is_bundle && name != current {
            kept.push(name);
        }
    }
    kept.sort();
    kept.reverse();
    let pruned: Vec<String> = kept.into_iter().skip(keep).collect();
    for name in &pruned {
        // Out of sight first (one rename), then deleted: nobody browses a half-deleted bundle.
        let hidden = archive.join(format!(".{name}.deleting"));
        rename(&archive.join(name), &hidden, steps)?;
        leftovers.push(format!(".{name}.deleting"));
    }
    leftovers.sort();
    for name in leftovers {
        remove_dir(&archive.join(name), steps)?;
    }
    Ok(pruned)
}

/// Writes `bytes` as `dir/name` through a temporary name: fsync, then rename.
fn write_file(dir: &Path, name: &str, bytes: &[u8], steps: &mut Steps) -> Result<(), PublishError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    steps.step()?;
    rename(&tmp, &dir.join(name), steps)
}

/// Copies a regular file (never what a link points at).
fn copy_file(from: &Path, dir: &Path, name: &str, steps: &mut Steps) -> Result<(), PublishError> {
    match share::read(from, None)? {
        Found::File(bytes) => write_file(dir, name, &bytes, steps),
        Found::Missing => Err(io_err(from)(io::ErrorKind::NotFound.into())),
        Found::NotAFile(why) => Err(VerifyError::NotOurs {
            path: from.display().to_string(),
            why,
        }
        .into()),
    }
}

fn rename(from: &Path, to: &Path, steps: &mut Steps) -> Result<(), PublishError> {
    fs::rename(from, to).map_err(io_err(to))?;
    sync_dir(to.parent());
    steps.step()
}

fn remove_dir(dir: &Path, steps: &mut Steps) -> Result<(), PublishError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => steps.step(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(dir)(e)),
    }
}

/// Makes a rename durable. Not possible on every platform (Windows cannot open a folder as a file);
/// the rename itself is still atomic there.
fn sync_dir(dir: Option<&Path>) {
    if let Some(dir) = dir {
        if let Ok(handle) = File::open(dir) {
            handle.sync_all().ok();
        }
    }
}

// The manifest's signature (`bcp-manifest.toml.sig`): not listed in the manifest (it signs it), so it
// travels beside it: staged and archived with it, and renamed into place just before it.

/// Why the bundle's signature does not vouch for its manifest, if it has one that does not.
fn bad_signature(dir: &Path) -> Result<Option<String>, PublishError> {
    let report = verify::signature::check_dir(dir, None)?;
    Ok(report.is_problem().then(|| {
        report
            .detail
            .unwrap_or_else(|| format!("bad {}", signing::SIGNATURE_FILE))
    }))
}

fn read_signature(dir: &Path) -> Result<Option<Vec<u8>>, PublishError> {
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
fn same_signature(dir: &Path, share: &Path) -> Result<bool, PublishError> {
    Ok(read_signature(dir)? == read_signature(share).unwrap_or(None))
}

/// Copies `from`'s signature, if it has one, into `to`.
fn copy_signature(from: &Path, to: &Path, steps: &mut Steps) -> Result<(), PublishError> {
    match read_signature(from)? {
        Some(sig) => write_file(to, signing::SIGNATURE_FILE, &sig, steps),
        None => Ok(()),
    }
}

/// A staged signature found on the share (an interrupted publish, or planted) must sign the staged
/// manifest, by the key it names, before it is moved into place.
fn staged_signature_problem(
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
fn place_signature(
    share: &Path,
    staging: &Path,
    [old_manifest, new_manifest]: [&[u8]; 2],
    left: &mut Vec<(String, String)>,
    steps: &mut Steps,
) -> Result<(), PublishError> {
    let staged = staging.join(signing::SIGNATURE_FILE);
    let target = share.join(signing::SIGNATURE_FILE);
    if fs::symlink_metadata(&staged).is_ok() {
        return rename(&staged, &target, steps);
    }
    match share::read(&target, Some(signing::MAX_SIGNATURE_BYTES)) {
        Ok(Found::Missing) => {}
        Ok(Found::File(sig)) if signing::self_consistent(new_manifest, &sig) => {}
        Ok(Found::File(sig)) if signing::self_consistent(old_manifest, &sig) => {
            fs::remove_file(&target).map_err(io_err(&target))?;
            steps.step()?;
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
