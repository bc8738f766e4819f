//! Publishing a verified bundle to a file share so that, at every instant, the share holds complete files
//! that verify, even if the publish is killed half-way. The design (docs/continuity.md):
//!
//! 0. take the share's lock (`lock.rs`): one publish at a time per share, the others wait or are refused;
//! 1. finish a publish that was interrupted after it started replacing files (its journal says which);
//! 2. stage the new files under `SHARE/.lifeboat-publish/<snapshot>/` (temporary name, fsync, rename),
//!    the staged manifest last: a complete staging folder is one with a manifest;
//! 3. copy (not move) the bundle in place to `SHARE/archive/<snapshot>/`, through a hidden folder renamed
//!    into place when complete;
//! 4. write the journal: from here on, `verify` accepts each file as the old version or the new one;
//! 5. rename each staged file over the old one (atomic on one filesystem), delete files the new bundle
//!    no longer has, rename the manifest into place last, then remove the journal and staging folder;
//! 6. withdraw from `archive/` the old copies of entry points that became locked or changed key
//!    (`withdraw.rs`; before the journal goes, so a crash there is finished by the rerun);
//! 7. prune the archive to the newest N bundles.
//!
//! Every call that changes the share goes through [`fs::ShareFs`]; one the share refuses because a file
//! is in use (Windows file shares) is retried with back-off, and if a replacement in step 5 still fails,
//! the files already replaced are put back to their previous versions from the archive copy of step 3
//! (`rollback.rs`), so the share is the previous bundle again, never a mix.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;
use std::time::Duration;

use crate::package::manifest::{self, Manifest};
use crate::verify::share::{self, Found};
use crate::verify::{
    self, FileStatus, Journal, VerifyError, Version, ARCHIVE_DIR, JOURNAL, PUBLISH_DIR,
};

pub mod fs;
pub mod leftovers;
pub mod lock;
pub mod notice;
mod record;
mod rollback;
mod signature;
pub mod space;
mod steps;
#[cfg(test)]
mod tests;
pub mod withdraw;

pub use fs::Steps;
use fs::{Backoff, RealFs, ShareFs};
use signature::{bad_signature, copy_signature, place_signature, staged_signature_problem};
use steps::{clear_work, copy_file, place, remove_dir, remove_file, rename, write_file};

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
    #[error("another publish to `{share}` is running: {holder}. One publish at a time per share: {advice}")]
    Locked {
        share: String,
        holder: String,
        waited: Duration,
        /// The lock file.
        path: String,
        /// What to do: wait, or clear a lock no publish holds.
        advice: String,
    },
    #[error("`{dir}` holds snapshot {new}, older than snapshot {current} on `{share}`: refusing to replace a newer bundle with an older one. To roll back on purpose, add --allow-older (`lifeboat publish {share}/archive/<snapshot> --to {share} --allow-older`)")]
    Older {
        dir: String,
        share: String,
        new: String,
        current: String,
    },
    #[error("refusing to change the notice of `{share}`: {why}. Nothing was changed")]
    Notice { share: String, why: String },
    #[error("`{share}` has {} free; this publish needs about {} before it can free anything (the new bundle staged, {}, a copy of the bundle in place for archive/, {}, and {} to spare). No file of the bundle on the share was replaced. Free some space (a lower --keep, or older bundles of `{share}/archive/`) and publish again", space::for_people(*free), space::for_people(need.total()), space::for_people(need.staged), space::for_people(need.archived), space::for_people(space::MARGIN_BYTES))]
    NoSpace {
        share: String,
        free: u64,
        need: space::Need,
    },
    #[error("`{0}` is the bundle folder itself; publish to another folder")]
    SameFolder(String),
    #[error("stopped after {0} filesystem steps (LIFEBOAT_PUBLISH_FAIL_AFTER, a test hook)")]
    Interrupted(usize),
    #[error("`{path}` could not be replaced or removed ({error}; {tries} tries over {waited:?}): it is probably open on a computer that uses the share, and a Windows file share does not replace a file that is open (a page in a browser, a preview pane, an antivirus scan). {outcome}")]
    InUse {
        path: String,
        error: io::Error,
        tries: usize,
        waited: Duration,
        /// What the share holds now, and what to do.
        outcome: String,
    },
}

impl PublishError {
    /// Says what the share holds after a file in use stopped the publish.
    fn with_outcome(self, outcome: impl FnOnce() -> String) -> PublishError {
        match self {
            PublishError::InUse {
                path,
                error,
                tries,
                waited,
                outcome: old,
            } if old.is_empty() => PublishError::InUse {
                path,
                error,
                tries,
                waited,
                outcome: outcome(),
            },
            other => other,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What a publish writes with: the file system, how it waits for a file in use, and the step counter.
pub struct Ops<'a> {
    pub fs: &'a dyn ShareFs,
    pub backoff: Backoff<'a>,
    pub steps: Steps,
}

impl Ops<'static> {
    /// The machine's file system, [`Backoff::standard`].
    pub fn real(steps: Steps) -> Ops<'static> {
        Ops {
            fs: &RealFs,
            backoff: Backoff::standard(),
            steps,
        }
    }
}

impl Ops<'_> {
    fn step(&mut self) -> Result<(), PublishError> {
        self.steps.step()
    }

    /// Runs `call` on `path`, again after each back-off delay while the share says a file is in use.
    fn retry(
        &self,
        path: &Path,
        mut call: impl FnMut(&dyn ShareFs) -> io::Result<()>,
    ) -> Result<(), PublishError> {
        let mut delays = self.backoff.delays.iter();
        let mut waited = Duration::ZERO;
        let mut tries = 1;
        loop {
            match call(self.fs) {
                Ok(()) => return Ok(()),
                Err(e) if fs::is_in_use(&e) => match delays.next() {
                    Some(delay) => {
                        (self.backoff.sleep)(*delay);
                        waited += *delay;
                        tries += 1;
                    }
                    None => {
                        return Err(PublishError::InUse {
                            path: path.display().to_string(),
                            error: e,
                            tries,
                            waited,
                            outcome: String::new(),
                        })
                    }
                },
                Err(e) => return Err(io_err(path)(e)),
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Published {
    pub snapshot: String,
    /// False when the share already held this bundle.
    pub changed: bool,
    /// Files of the bundle on the share, counted as `verify` counts them (`Manifest::listed_files`).
    pub files: usize,
    /// `archive/<name>` the previous bundle was copied to.
    pub archived: Option<String>,
    pub pruned: Vec<String>,
    /// Files of the previous bundle that the new one no longer has but that lifeboat left in place,
    /// because they are not provably the previous bundle's (changed since, or not a regular file); why.
    pub left: Vec<(String, String)>,
    /// Folders of `archive/` that could not be pruned now (a file in them in use); why.
    pub unpruned: Vec<(String, String)>,
    /// The bundle is past its due date (published anyway).
    pub stale: bool,
    /// The snapshot the share held when the bundle installed is older (`--allow-older`).
    pub replaced_newer: Option<String>,
    /// Old copies of locked entry points removed from `archive/`.
    pub withdrawn: withdraw::Withdrawn,
    /// With `--keep-old-keys`: the old copies that were not removed.
    pub kept: withdraw::Withdrawn,
    /// Steps added, changed and removed against the bundle the share held, when it held one.
    pub steps: Option<crate::changes::Delta>,
    /// What the share's manifest says of this publish (`[published]`).
    pub confirmed: manifest::PublishRecord,
    /// The snapshot of an interrupted publish (a journal left on the share) that this run completed
    /// first.
    pub resumed: Option<String>,
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

/// How a publish runs: retention, the time, and what it may do besides installing a newer bundle.
pub struct Options<'a> {
    /// How many previous bundles to keep under `archive/`.
    pub keep: usize,
    /// The time (seconds since 1970).
    pub now: i64,
    /// How long to wait for another publish to the same share to finish (zero: refuse at once).
    pub wait: Duration,
    /// Install a bundle whose snapshot is older than the share's (a rollback).
    pub allow_older: bool,
    /// Leave in `archive/` the copies of entry points that became locked or changed key.
    pub keep_old_keys: bool,
    /// Hears of a wait for the share's lock and of a stale lock taken over.
    pub notify: &'a dyn Fn(lock::Notice),
    /// The secret signing key, to sign a manifest again when the share's notice is carried into a
    /// signed bundle (`notice.rs`).
    pub signing: Option<&'a ed25519_dalek::SigningKey>,
    /// The space available on the share ([`space::available`]; tests pretend).
    pub free_space: &'a dyn Fn(&Path) -> io::Result<u64>,
}

fn ignore(_: lock::Notice) {}

impl Options<'static> {
    /// Keep `keep`, at `now`; no wait, no older bundle, nothing told.
    pub fn new(keep: usize, now: i64) -> Options<'static> {
        Options {
            keep,
            now,
            wait: Duration::ZERO,
            allow_older: false,
            keep_old_keys: false,
            notify: &ignore,
            signing: None,
            free_space: &space::available,
        }
    }
}

pub fn publish(
    dir: &Path,
    share: &Path,
    opts: &Options,
    ops: &mut Ops,
) -> Result<Published, PublishError> {
    let (keep, now) = (opts.keep, opts.now);
    let check = verify::verify(dir, now, None, i64::MAX)?;
    let broken: Vec<String> = check
        .files
        .iter()
        .filter(|f| !matches!(f.status, FileStatus::Ok))
        .map(|f| format!("{} {}", f.status.word(), f.file))
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
    ops.fs.create_dir_all(share).map_err(io_err(share))?;
    if same_folder(dir, share) {
        return Err(PublishError::SameFolder(share.display().to_string()));
    }
    let work = share.join(PUBLISH_DIR);
    // Lifeboat writes into these two folders: a link would send its writes (and prune's deletions)
    // anywhere.
    share::real_dir(&work)?;
    share::real_dir(&share.join(ARCHIVE_DIR))?;
    // Held to the end, whichever way this returns.
    let _lock = lock::acquire(
        share,
        &new.snapshot,
        now,
        opts.wait,
        ops.backoff.sleep,
        opts.notify,
    )?;
    let mut left = Vec::new();

    // 1. An interrupted publish is rolled forward first, so the share is one complete bundle again;
    //    the journal and what it points at are checked first: anyone can write to a share.
    let (rolled_forward, resumed) = match share::read_journal(share)? {
        Some(journal) => (
            finish(share, &journal, Staged::Unverified, &mut left, ops)?,
            Some(journal.snapshot),
        ),
        None => (withdraw::Withdrawn::default(), None),
    };
    let current = read_current(share)?;
    let mut replaced_newer = None;
    if let Some((old, _)) = current.as_ref() {
        if new.snapshot_epoch < old.snapshot_epoch {
            replaced_newer = Some(old.snapshot.clone());
        }
        if replaced_newer.is_some() && !opts.allow_older {
            return Err(PublishError::Older {
                dir: dir.display().to_string(),
                share: share.display().to_string(),
                new: new.snapshot.clone(),
                current: old.snapshot.clone(),
            });
        }
    }
    let steps = current
        .as_ref()
        .map(|(old, _)| old.basis().delta(&new.basis()));
    // The share's notice stays (`notice.rs`).
    let share_notice = current.as_ref().and_then(|(m, _)| m.notice.as_ref());
    let (new, new_raw, carried) = notice::keep(dir, new, new_raw, share_notice, opts.signing)?;
    let same_sig = notice::same_signature(dir, share, carried.as_ref())?;
    let snapshot_dir = snapshot_folder(&new.snapshot);
    let mut unpruned = Vec::new();
    if current.as_ref().is_some_and(|(_, raw)| *raw == new_raw)
        && share_is_intact(share, now)
        && same_sig
    {
        clear_work(&work, ops)?;
        let confirmed = record::confirm(share, current.as_ref().expect("held"), now, ops)?;
        let pruned = prune(share, keep, &snapshot_dir, &mut unpruned, ops)?;
        return Ok(Published {
            confirmed,
            snapshot: new.snapshot,
            changed: false,
            files: 0,
            archived: None,
            pruned,
            left,
            unpruned,
            stale: check.stale.stale,
            replaced_newer: None,
            withdrawn: rolled_forward,
            kept: withdraw::Withdrawn::default(),
            steps: None,
            resumed,
        });
    }
    let untouched = || {
        let holds = match &current {
            Some((old, _)) => format!("snapshot {}", old.snapshot),
            None => "what it held before".to_string(),
        };
        format!("No file of the bundle on the share was replaced: it still holds {holds}. Close the file (or wait) and run `lifeboat publish` again.")
    };

    // 2. Stage the new bundle, manifest last, if the share has room for it and the archive copy.
    space::check(dir, &new, share, current.as_ref().map(|(m, _)| m), opts)?;
    let staging = work.join(&snapshot_dir);
    let names = file_names(&new);
    let mut confirmed = record::record(&new_raw, current.as_ref(), share, now);
    let staged = (|| {
        clear_work(&work, ops)?;
        let launcher = carried.as_ref().map(|c| c.launcher.as_slice());
        confirmed.archive_sha256 = record::stage(dir, &staging, &names, &new, launcher, ops)?;
        notice::stage_signature(dir, &staging, carried.as_ref(), ops)?;
        let bytes = record::share_manifest(&new_raw, &confirmed);
        write_file(&staging, manifest::FILE_NAME, &bytes, ops)
    })();
    if let Err(e) = staged {
        // A full disk or a refused write: the staging folder goes too, so nothing half-made is left on
        // the share (a crash, simulated by the test hook, leaves it for the next run to remove).
        if !matches!(e, PublishError::Interrupted(_)) {
            ops.fs.remove_dir_all(&staging).ok();
        }
        return Err(e.with_outcome(untouched));
    }

    // 3. Archive the bundle in place (when it is intact: a damaged one is not worth keeping).
    let mut archived = None;
    if let Some((old, _)) = current.as_ref().filter(|_| share_is_intact(share, now)) {
        let name = snapshot_folder(&old.snapshot);
        if name != snapshot_dir {
            if let Err(e) = archive_current(share, old, &name, ops) {
                // As for staging: nothing half-made is left but what a crash leaves.
                if !matches!(e, PublishError::Interrupted(_)) {
                    clear_work(&work, ops).ok();
                    ops.fs
                        .remove_dir_all(&share.join(ARCHIVE_DIR).join(format!(".{name}.partial")))
                        .ok();
                }
                return Err(e.with_outcome(untouched));
            }
            archived = Some(format!("{ARCHIVE_DIR}/{name}"));
        }
    }

    // 4-6. Journal, then replace the files and withdraw old copies of locked entry points.
    let changes = withdraw::key_changes(current.as_ref().map(|(m, _)| m), &new);
    let journal = Journal {
        staging: snapshot_dir.clone(),
        snapshot: new.snapshot.clone(),
        started_epoch: now,
        withdraw: if opts.keep_old_keys {
            Vec::new()
        } else {
            changes.clone()
        },
    };
    let text = toml::to_string(&journal).unwrap_or_default();
    if let Err(e) = write_file(&work, JOURNAL, text.as_bytes(), ops) {
        if !matches!(e, PublishError::Interrupted(_)) {
            clear_work(&work, ops).ok();
        }
        return Err(e.with_outcome(untouched));
    }
    let mut withdrawn = finish(share, &journal, Staged::Ours, &mut left, ops)?;
    withdrawn.absorb(rolled_forward);
    let kept = if opts.keep_old_keys {
        withdraw::withdraw(share, &new, &changes, true, ops)?
    } else {
        withdraw::Withdrawn::default()
    };

    // 7. Retention.
    let pruned = prune(share, keep, &snapshot_dir, &mut unpruned, ops)?;
    Ok(Published {
        confirmed,
        snapshot: new.snapshot,
        changed: true,
        // Counted as `verify` counts them: the files the manifest lists (`Manifest::listed_files`).
        files: names.len(),
        archived,
        pruned,
        left,
        unpruned,
        stale: check.stale.stale,
        replaced_newer,
        withdrawn,
        kept,
        steps,
        resumed,
    })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Every file of a bundle but its manifest, sorted.
fn file_names(m: &Manifest) -> Vec<String> {
    m.listed_files()
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
    verify::verify(share, now, None, i64::MAX).is_ok_and(|v| {
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

/// Moves the staged files of `journal` into place, manifest last, withdraws the old copies of the
/// entry points the journal lists, then removes the journal. Each step can be repeated, so a rerun
/// after a crash picks up where this stopped. Files of the old bundle that the new one lacks are deleted
/// only when they still are the old bundle's; the others are `left`.
fn finish(
    share: &Path,
    journal: &Journal,
    staged: Staged,
    left: &mut Vec<(String, String)>,
    ops: &mut Ops,
) -> Result<withdraw::Withdrawn, PublishError> {
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
        // The staged manifest moves into place last: without it, only the withdrawal may be left.
        Err(VerifyError::NoManifest(_)) => {
            let mut withdrawn = withdraw::Withdrawn::default();
            if let Some((installed, _)) = read_current(share)? {
                if installed.snapshot == journal.snapshot {
                    withdrawn =
                        withdraw::withdraw(share, &installed, &journal.withdraw, false, ops)?;
                }
            }
            clear_work(&work, ops)?;
            return Ok(withdrawn);
        }
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
    let mut dropped = Vec::new();
    match replace(share, &staging, &new, &mut dropped, ops) {
        Err(e @ PublishError::InUse { .. }) => {
            // Never a mixed share: the files already replaced go back to their previous versions.
            let outcome = match rollback::roll_back(share, &new, ops) {
                Ok(holds) => format!("The files already replaced were put back: the share holds {holds} again and verifies as it did. Close the file (or wait) and run `lifeboat publish` again."),
                Err(e) => format!("They could not all be put back ({e}): the share holds old and new files, each complete, and `lifeboat verify` reports a publish in progress (exit 1 once it is older than --in-progress-max). Close the file (or wait) and run `lifeboat publish` again: it finishes this publish first."),
            };
            return Err(e.with_outcome(|| outcome));
        }
        other => other?,
    }
    left.extend(dropped);
    // The publish is complete once the manifest is in place; the withdrawal and bookkeeping are left.
    let withdrawn = withdraw::withdraw(share, &new.manifest, &journal.withdraw, false, ops)
        .map_err(|e| {
            e.with_outcome(|| "The new bundle is in place; old copies of locked entry points may be left in `archive/`: run `lifeboat publish` again to withdraw them.".to_string())
        })?;
    clear_work(&work, ops).map_err(|e| {
        e.with_outcome(|| format!("The new bundle is in place; lifeboat's own folder `{}` is left over, and the next publish removes it.", work.display()))
    })?;
    Ok(withdrawn)
}

/// Step 5 up to the manifest: renames the staged files over the old ones, deletes the old bundle's files
/// that the new one lacks (when they are provably the old bundle's; the others are `left`), then moves
/// the manifest into place.
fn replace(
    share: &Path,
    staging: &Path,
    new: &Version,
    left: &mut Vec<(String, String)>,
    ops: &mut Ops,
) -> Result<(), PublishError> {
    let new_names = &new.names();
    for name in new_names {
        let from = staging.join(name);
        if std::fs::symlink_metadata(&from).is_ok() {
            rename(&from, &share.join(name), ops)?;
        }
    }
    if let Some((old, raw)) = read_current(share)? {
        let old = Version::new(old, raw);
        let gone: BTreeSet<String> = old.names().difference(new_names).cloned().collect();
        for name in gone {
            let path = share.join(&name);
            match share::read(&path, None)? {
                Found::Missing => {}
                Found::File(bytes) if old.owns(&name, &bytes) => remove_file(&path, ops)?,
                Found::File(_) => left.push((name, "changed since it was published".into())),
                Found::NotAFile(why) => left.push((name, why.to_string())),
            }
        }
        place_signature(share, staging, [&old.raw, &new.raw], left, ops)?;
    } else {
        place_signature(share, staging, [&[], &new.raw], left, ops)?;
    }
    let staged_manifest = staging.join(manifest::FILE_NAME);
    rename(&staged_manifest, &share.join(manifest::FILE_NAME), ops)
}

/// Copies the bundle in place to `archive/<name>/`, through a hidden folder renamed when complete.
fn archive_current(
    share: &Path,
    old: &Manifest,
    name: &str,
    ops: &mut Ops,
) -> Result<(), PublishError> {
    let archive = share.join(ARCHIVE_DIR);
    let target = archive.join(name);
    if target.exists() {
        return Ok(());
    }
    let partial = archive.join(format!(".{name}.partial"));
    remove_dir(&partial, ops)?;
    for file in file_names(old)
        .iter()
        .map(String::as_str)
        .chain([manifest::FILE_NAME])
    {
        copy_file(&share.join(file), &partial, file, ops)?;
    }
    copy_signature(share, &partial, ops)?;
    rename(&partial, &target, ops)
}

/// Keeps the `keep` newest bundles in `archive/` (never `current`); removes the others and any leftover
/// of an interrupted archive or prune. A folder holding a file in use is left for the next publish
/// (`unpruned`): the new bundle is in place by now.
fn prune(
    share: &Path,
    keep: usize,
    current: &str,
    unpruned: &mut Vec<(String, String)>,
    ops: &mut Ops,
) -> Result<Vec<String>, PublishError> {
    let archive = share.join(ARCHIVE_DIR);
    let Ok(read) = std::fs::read_dir(&archive) else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    let mut leftovers = Vec::new();
    for item in read.flatten() {
        let name = item.file_name().to_string_lossy().to_string();
        // Links are never followed, and only folders that hold a manifest are bundles of ours.
        let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
        let is_bundle = is_dir
            && std::fs::symlink_metadata(item.path().join(manifest::FILE_NAME))
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
    let mut pruned = Vec::new();
    for name in kept.into_iter().skip(keep) {
        // Out of sight first (one rename), then deleted: nobody browses a half-deleted bundle.
        let hidden = archive.join(format!(".{name}.deleting"));
        match rename(&archive.join(&name), &hidden, ops) {
            Err(PublishError::InUse { error, .. }) => {
                unpruned.push((format!("{ARCHIVE_DIR}/{name}"), error.to_string()));
                continue;
            }
            other => other?,
        }
        leftovers.push(format!(".{name}.deleting"));
        pruned.push(name);
    }
    leftovers.sort();
    for name in leftovers {
        match remove_dir(&archive.join(&name), ops) {
            Err(PublishError::InUse { error, .. }) => {
                unpruned.push((format!("{ARCHIVE_DIR}/{name}"), error.to_string()));
            }
            other => other?,
        }
    }
    Ok(pruned)
}
