//! Checks of a built or published bundle folder against its manifest: every checksum, missing and extra
//! files, the zip archive's members, staleness under the backup policy, and (given the sources' hashes)
//! whether the content has moved on since the snapshot.
//!
//! A share that `publish` is writing to (or that a killed publish left half-way) holds a journal and the
//! new bundle's staged files: then each file may be the old version or the new one (see
//! docs/continuity.md), and the folder is still complete and consistent.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::package::cache;
use crate::package::manifest::{self, Manifest, FORMAT_VERSION};
use crate::package::output::MARKER;

pub mod archived;
pub mod changes;
pub mod drill;
pub mod rebuild;
pub mod share;
pub mod signature;
mod version;
pub mod zipfile;

use share::Found;
pub use version::Version;

/// Folder of a share where `publish` stages the next bundle and keeps its journal.
pub const PUBLISH_DIR: &str = ".lifeboat-publish";
/// The journal: present from the first rename of a publish until its manifest is in place.
pub const JOURNAL: &str = "journal.toml";
pub use crate::package::names::ARCHIVE_DIR;
/// How long (seconds) a publish may stay in progress before `verify` reports it as a problem: a publish
/// takes seconds, so one still "in progress" after this has stopped (killed, or blocked by a file it
/// could not replace) and left the share a mix of old and new files.
pub const DEFAULT_IN_PROGRESS_MAX: i64 = 600;
/// Files the operating system drops into folders people browse; not reported as extra.
const OS_FILES: [&str; 3] = ["Thumbs.db", "desktop.ini", ".DS_Store"];

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("`{0}` is not reachable or holds no bundle (no {file}): is the share mounted?", file = manifest::FILE_NAME)]
    NoManifest(String),
    #[error("`{0}` holds no {file}: not a bundle zip (`lifeboat build` writes one beside the files)", file = manifest::FILE_NAME)]
    NoManifestInZip(String),
    #[error("cannot read `{path}`: {source}")]
    Io { path: String, source: io::Error },
    #[error("`{0}` is not a valid manifest: {1}")]
    BadManifest(String, String),
    #[error("`{0}` has format_version {1}; this lifeboat reads version {FORMAT_VERSION} (upgrade lifeboat)")]
    UnknownFormat(String, i64),
    #[error("`{path}`: {field} is `{name}`, which is not a file of a bundle: {why}. Lifeboat wrote no such manifest; it will not read, replace or delete that path")]
    UnsafeName {
        path: String,
        field: String,
        name: String,
        why: crate::package::names::BadName,
    },
    #[error("`{0}` is larger than the {limit} MiB limit for a manifest or journal", limit = .1 >> 20)]
    TooLarge(String, u64),
    #[error("`{0}` holds no drill checklist (a `<!-- drill:… -->` item): a bundle built by a lifeboat without `verify --drill`, or a user theme's contingency.md without the tags; rebuild and publish it")]
    NoDrill(String),
    #[error("`{0}` is not a usable bundle zip: {1}")]
    BadZip(String, String),
    #[error("`{path}` {why}; lifeboat will not use it")]
    NotOurs { path: String, why: &'static str },
    #[error("`{path}` {why}. Lifeboat did not write this journal and will not follow it. If no publish is running on this share, remove the folder `{work}` and publish again")]
    BadJournal {
        path: String,
        why: String,
        work: String,
    },
}

/// The journal `publish` writes before it starts replacing files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// Folder under `.lifeboat-publish/` holding the new bundle.
    pub staging: String,
    /// Snapshot (RFC 3339) of the bundle being published.
    pub snapshot: String,
    /// When the publish started replacing files (seconds since 1970).
    pub started_epoch: i64,
    /// Entry points whose old copies are withdrawn from `archive/` once the new bundle is in place (ids:
    /// matched against the manifests' entries, never used as paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdraw: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Ok,
    /// Publish in progress: the old version is still in place, the new one is staged.
    Pending,
    Changed,
    Missing,
    Extra,
}

impl FileStatus {
    /// The word JSON uses.
    pub fn word(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Pending => "pending",
            FileStatus::Changed => "changed",
            FileStatus::Missing => "missing",
            FileStatus::Extra => "extra",
        }
    }
}

/// While a publish is in progress: which bundle a file of the share currently is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Still the bundle in place (status `pending`: the new version is staged).
    Old,
    /// Already the bundle being published (status `ok`; a file the new bundle drops is `new` once
    /// it is gone).
    New,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    pub file: String,
    pub status: FileStatus,
    /// Present only while a publish is in progress: `old` or `new`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Side>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What staleness counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CountedFrom {
    /// The content's revision time (`snapshot`): a bundle never published (a zip, a copy).
    Snapshot,
    /// The last publish that confirmed the share holds this bundle (`published.confirmed`), later
    /// than the snapshot.
    Confirmed,
    /// A build output (`lifeboat build`'s folder, never published): counted from now, since a
    /// publish of it confirms it; it is never stale.
    Build,
}

#[derive(Debug, Clone, Serialize)]
pub struct Staleness {
    pub stale: bool,
    pub frequency_days: i64,
    /// The later of the snapshot's date and the last confirmation's, plus `frequency_days`.
    pub next_due: String,
    pub counted_from: CountedFrom,
    /// When a publish last confirmed the share holds this bundle (RFC 3339), on a share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
    /// Whole days (UTC) from the snapshot's date to now (`manifest::Age`).
    pub days_old: i64,
    /// Whole days past `next_due` (0 when not stale).
    pub days_overdue: i64,
    /// Whole days left before the copy goes stale (0 once it is).
    pub days_left: i64,
    /// The snapshot is dated after now (beyond a few minutes of clock skew): a clock or a
    /// `SOURCE_DATE_EPOCH` gone wrong, and a copy that would never look stale. A problem.
    pub future: bool,
}

impl Staleness {
    /// The one stale sentence (`manifest::Age`, the UI string `stale_body` in English) for a copy of
    /// `snapshot` (RFC 3339; its date is said), then when it was due.
    pub fn sentence(&self, snapshot: &str) -> String {
        let age = manifest::Age {
            days: self.days_old,
            late: self.days_overdue,
        };
        let date = snapshot.get(..10).unwrap_or(snapshot);
        // On a share a later publish confirmed: counted from that confirmation, not the snapshot's age.
        if let (CountedFrom::Confirmed, Some(at)) = (self.counted_from, &self.confirmed) {
            return format!(
                "This copy is from {date}; a publish last confirmed it at {at}, and it is renewed every {} days, so it is {} day(s) out of date. It was due by {}.",
                self.frequency_days, self.days_overdue, self.next_due
            );
        }
        format!(
            "{} It was due by {}.",
            manifest::stale_sentence_en(age, date, self.frequency_days),
            self.next_due
        )
    }
}

/// Clock skew between the build machine and the one verifying, tolerated before a snapshot counts as
/// dated in the future.
pub const FUTURE_SKEW_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BehindStatus {
    /// The entry point's sources changed since the snapshot.
    Changed,
    /// The entry point exists in the sources but not in the bundle.
    Added,
    /// The entry point is in the bundle but no longer in the sources.
    Removed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Behind {
    pub entry: String,
    pub status: BehindStatus,
}

/// Which part of a publish is in progress (or was interrupted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Replacing files: each is the old bundle's or the new one's (step 5).
    Replacing,
    /// The new bundle is in place (its manifest too); withdrawing old copies of locked entry points
    /// from `archive/` and clearing `.lifeboat-publish/` are left (step 6).
    Finishing,
}

#[derive(Debug, Clone, Serialize)]
pub struct Publishing {
    pub snapshot: String,
    /// `replacing` (files are a mix of both bundles) or `finishing` (the new bundle is in place).
    pub phase: Phase,
    pub started_epoch: i64,
    /// Files already replaced by their new version, out of `total`.
    pub done: usize,
    pub total: usize,
    /// Seconds since the publish started replacing files (0 if the journal is from the future).
    pub age_seconds: i64,
    /// The longest a publish may be in progress (`--in-progress-max`) before it is a problem.
    pub max_seconds: i64,
    /// In progress for longer than `max_seconds`: the publish has stopped; counted as a problem.
    pub overdue: bool,
}

/// The result of verifying a folder.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub dir: String,
    pub ok: bool,
    pub site: String,
    pub snapshot: String,
    pub files: Vec<FileCheck>,
    pub stale: Staleness,
    /// Present when the sources were compared (`--content`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behind: Option<Vec<Behind>>,
    /// Present when a publish is in progress (or was interrupted) in this folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publishing: Option<Publishing>,
    /// What changed since the copy the bundle was compared with, when it was (`build --previous`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<changes::ChangesSummary>,
    /// The outage notice the launcher shows (`lifeboat notice`), when one is set; not a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<crate::package::notice::Notice>,
    /// Fields of the manifest this lifeboat does not know (a newer lifeboat's, another tool's): ignored,
    /// with a warning; not a problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_fields: Vec<String>,
    /// The whole manifest, as read (on a share with its `published` table): for tools that do not read
    /// TOML (docs/manifest.md).
    pub manifest: Manifest,
}

impl Verification {
    pub fn problems(&self) -> usize {
        let files = self
            .files
            .iter()
            .filter(|f| !matches!(f.status, FileStatus::Ok | FileStatus::Pending))
            .count();
        let overdue = self.publishing.as_ref().is_some_and(|p| p.overdue);
        files
            + usize::from(self.stale.stale)
            + usize::from(self.stale.future)
            + usize::from(overdue)
            + self.behind.as_ref().map_or(0, Vec::len)
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> VerifyError + '_ {
    move |source| VerifyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads and parses a manifest, refusing unknown format versions before looking at anything else.
pub fn read_manifest(path: &Path) -> Result<(Manifest, Vec<u8>), VerifyError> {
    let shown = path.display().to_string();
    let raw = match share::read(path, Some(share::MAX_RECORD_BYTES))? {
        Found::File(raw) => raw,
        Found::Missing => {
            let dir = path.parent().unwrap_or(path);
            return Err(VerifyError::NoManifest(dir.display().to_string()));
        }
        Found::NotAFile(why) => return Err(VerifyError::NotOurs { path: shown, why }),
    };
    let manifest = parse_manifest(&shown, &raw)?;
    // The build's part: what the zip holds, the signature covers and two manifests are compared by.
    let build = manifest::split_published(&raw).0.len();
    let mut raw = raw;
    raw.truncate(build);
    Ok((manifest, raw))
}

/// Parses the manifest `raw` read from `shown` (a path, for messages): refuses unknown format versions
/// before looking at anything else, and names that are not plain file names of a bundle.
pub fn parse_manifest(shown: &str, raw: &[u8]) -> Result<Manifest, VerifyError> {
    let shown = shown.to_string();
    let (build, published) = manifest::split_published(raw);
    let mut manifest = parse_build_part(&shown, build)?;
    if manifest.published.is_some() {
        return Err(VerifyError::BadManifest(
            shown,
            "[published] must be the last table, written once by `lifeboat publish`".into(),
        ));
    }
    if let Some(part) = published {
        // Only the table `publish` writes, alone: nothing after it escapes the signature's cover.
        let record = std::str::from_utf8(part)
            .map_err(|e| e.to_string())
            .and_then(|text| manifest::parse_published(text).map_err(|e| e.to_string()))
            .map_err(|e| VerifyError::BadManifest(shown.clone(), format!("[published]: {e}")))?;
        manifest.published = Some(record);
    }
    Ok(manifest)
}

/// The build's part of a manifest (what the zip holds and the signature covers).
fn parse_build_part(shown: &str, raw: &[u8]) -> Result<Manifest, VerifyError> {
    let shown = shown.to_string();
    let text = std::str::from_utf8(raw)
        .map_err(|e| VerifyError::BadManifest(shown.clone(), e.to_string()))?;
    let table: toml::Table =
        toml::from_str(text).map_err(|e| VerifyError::BadManifest(shown.clone(), e.to_string()))?;
    match table
        .get("format_version")
        .and_then(toml::Value::as_integer)
    {
        Some(v) if v == i64::from(FORMAT_VERSION) => {}
        Some(v) => return Err(VerifyError::UnknownFormat(shown, v)),
        None => {
            return Err(VerifyError::BadManifest(
                shown,
                "no integer `format_version`".into(),
            ))
        }
    }
    let manifest = Manifest::from_toml(text)
        .map_err(|e| VerifyError::BadManifest(shown.clone(), e.to_string()))?;
    if let Some((field, name, why)) = manifest.unsafe_name() {
        return Err(VerifyError::UnsafeName {
            path: shown,
            field,
            name: name.escape_debug().to_string(),
            why,
        });
    }
    Ok(manifest)
}

/// The manifest of the bundle at `path`: a bundle folder's `bcp-manifest.toml`, or the one a zip holds.
pub fn manifest_of(path: &Path) -> Result<Manifest, VerifyError> {
    if is_file(path) {
        return zipfile::manifest_of(path).map(|(v, _)| v.manifest);
    }
    read_manifest(&path.join(manifest::FILE_NAME)).map(|(m, _)| m)
}

/// A regular file (a zip), not a folder, nor a link to anything.
fn is_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// The publish in progress in `dir`, if any: its journal and, while it replaces files, the staged
/// manifest (`None` once that is in place: the publish is finishing).
type Transition = Option<(Journal, Option<(Version, PathBuf)>)>;

fn transition(dir: &Path) -> Result<Transition, VerifyError> {
    let Some(journal) = share::read_journal(dir)? else {
        return Ok(None);
    };
    let staging = dir.join(PUBLISH_DIR).join(&journal.staging);
    // The staged manifest moves into place last: once it is gone, the files are the new bundle's, and
    // only the withdrawal and clearing the journal are left.
    match read_manifest(&staging.join(manifest::FILE_NAME)) {
        Ok((manifest, raw)) => Ok(Some((
            journal,
            Some((Version::new(manifest, raw), staging)),
        ))),
        Err(VerifyError::NoManifest(_)) => Ok(Some((journal, None))),
        Err(e) => Err(e),
    }
}

/// Verifies the bundle in `dir` at time `now` (seconds since 1970). `sources`, when given, maps each
/// entry point of the content to its current source hash (`manifest::source_hash`). A publish in
/// progress for longer than `in_progress_max` seconds is a problem.
pub fn verify(
    dir: &Path,
    now: i64,
    sources: Option<&BTreeMap<String, String>>,
    in_progress_max: i64,
) -> Result<Verification, VerifyError> {
    if is_file(dir) {
        return zipfile::verify(dir, now, sources);
    }
    let transition = transition(dir)?;
    let pending = transition
        .as_ref()
        .and_then(|(journal, staged)| staged.as_ref().map(|(v, s)| (journal, v, s)));
    let current = match read_manifest(&dir.join(manifest::FILE_NAME)) {
        Ok((manifest, raw)) => Some(Version::new(manifest, raw)),
        // A first publish, interrupted: there is no old manifest yet, only the staged one.
        Err(VerifyError::NoManifest(_)) if pending.is_some() => None,
        Err(e) => return Err(e),
    };
    let mut names: BTreeSet<String> = current.as_ref().map(Version::names).unwrap_or_default();
    if let Some((_, new, _)) = &pending {
        names.extend(new.names());
    }
    let mut files = Vec::new();
    let mut done = 0;
    for name in &names {
        let top = match share::read(&dir.join(name), None)? {
            Found::File(bytes) => Some(bytes),
            Found::Missing => None,
            Found::NotAFile(why) => {
                files.push(FileCheck {
                    file: name.clone(),
                    status: FileStatus::Changed,
                    version: None,
                    detail: Some(why.to_string()),
                });
                continue;
            }
        };
        let (check, version) = match &pending {
            None => (
                zip_hash_check(
                    current.as_ref(),
                    name,
                    top.as_deref(),
                    plain_check(current.as_ref(), name, top.as_deref()),
                ),
                None,
            ),
            Some((_, new, staging)) => {
                let staged = match share::read(&staging.join(name), None)? {
                    Found::File(bytes) => Some(bytes),
                    Found::Missing | Found::NotAFile(_) => None,
                };
                let (check, side) =
                    transition_check(current.as_ref(), new, name, top.as_deref(), staged);
                done += usize::from(side == Some(Side::New) && new.expects(name));
                (check, side)
            }
        };
        files.push(FileCheck {
            file: name.clone(),
            status: check.0,
            version,
            detail: check.1,
        });
    }
    files.extend(extra_files(dir, &names)?);
    let Some(reference) = current.as_ref().or(pending.map(|p| p.1)) else {
        return Err(VerifyError::NoManifest(dir.display().to_string()));
    };
    let m = &reference.manifest;
    // A build output carries the marker `lifeboat build` writes; a share or a copy does not.
    let build = fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file());
    let stale = staleness(m, now, build);
    let behind = sources.map(|s| behind(m, s));
    let publishing = transition.as_ref().map(|(journal, staged)| {
        let age_seconds = now.saturating_sub(journal.started_epoch).max(0);
        let (phase, total) = match staged {
            Some((new, _)) => (Phase::Replacing, new.names().len()),
            None => {
                let total = reference.names().len();
                done = total;
                (Phase::Finishing, total)
            }
        };
        Publishing {
            snapshot: journal.snapshot.clone(),
            phase,
            started_epoch: journal.started_epoch,
            done,
            total,
            age_seconds,
            max_seconds: in_progress_max,
            overdue: age_seconds > in_progress_max,
        }
    });
    let mut result = Verification {
        dir: dir.display().to_string(),
        ok: false,
        site: m.site.clone(),
        snapshot: m.snapshot.clone(),
        files,
        stale,
        behind,
        publishing,
        changes: changes::summary(m),
        notice: m.notice.clone(),
        unknown_fields: m.unknown.clone(),
        manifest: m.clone(),
    };
    result.ok = result.problems() == 0;
    Ok(result)
}

type Check = (FileStatus, Option<String>);

fn plain_check(current: Option<&Version>, name: &str, top: Option<&[u8]>) -> Check {
    match (current, top) {
        (_, None) => (FileStatus::Missing, None),
        (Some(v), Some(bytes)) => match v.matches(name, bytes) {
            Ok(()) => (FileStatus::Ok, None),
            Err(why) => (FileStatus::Changed, Some(why)),
        },
        (None, Some(_)) => (FileStatus::Changed, None),
    }
}

/// On a share, the zip whose members match is also the very zip that was published: its SHA-256 is the
/// one `[published]` records (a zip rebuilt from the same members is not).
fn zip_hash_check(
    current: Option<&Version>,
    name: &str,
    top: Option<&[u8]>,
    check: Check,
) -> Check {
    let Some(m) = current.map(|v| &v.manifest) else {
        return check;
    };
    let recorded = m
        .published
        .as_ref()
        .and_then(|p| p.archive_sha256.as_deref());
    match (recorded, top) {
        (Some(sha), Some(bytes))
            if check.0 == FileStatus::Ok && m.archive.as_deref() == Some(name) =>
        {
            let actual = manifest::sha256_hex(bytes);
            if actual == sha {
                check
            } else {
                (
                    FileStatus::Changed,
                    Some(format!(
                        "sha256 {actual}, the share's manifest records {sha} ([published] archive_sha256)"
                    )),
                )
            }
        }
        _ => check,
    }
}

/// A file while `new` is being published over `old`, and which of the two it is (none: neither).
fn transition_check(
    old: Option<&Version>,
    new: &Version,
    name: &str,
    top: Option<&[u8]>,
    staged: Option<Vec<u8>>,
) -> (Check, Option<Side>) {
    let in_old = old.filter(|v| v.expects(name));
    if new.expects(name) {
        if top.is_some_and(|b| new.matches(name, b).is_ok()) {
            return ((FileStatus::Ok, None), Some(Side::New));
        }
        let staged_ok = staged.is_some_and(|b| new.matches(name, &b).is_ok());
        let top_old = match (top, in_old) {
            (None, _) => true,
            (Some(b), Some(old)) => old.matches(name, b).is_ok(),
            (Some(_), None) => false,
        };
        if staged_ok && top_old {
            return ((FileStatus::Pending, None), Some(Side::Old));
        }
        let detail = Some("matches neither the bundle in place nor the one being published".into());
        let status = if top.is_none() {
            FileStatus::Missing
        } else {
            FileStatus::Changed
        };
        return ((status, detail), None);
    }
    // Only in the old bundle: removed by the publish, or about to be.
    match (top, in_old) {
        (None, _) => ((FileStatus::Ok, None), Some(Side::New)),
        (Some(b), Some(old)) if old.matches(name, b).is_ok() => {
            ((FileStatus::Pending, None), Some(Side::Old))
        }
        _ => ((FileStatus::Changed, None), None),
    }
}

/// Files of `dir` that no manifest accounts for.
fn extra_files(dir: &Path, known: &BTreeSet<String>) -> Result<Vec<FileCheck>, VerifyError> {
    let mut extra = Vec::new();
    for item in fs::read_dir(dir).map_err(io_err(dir))? {
        let item = item.map_err(io_err(dir))?;
        let name = item.file_name().to_string_lossy().to_string();
        let ignored = known.contains(&name)
            || name == manifest::FILE_NAME
            || name == crate::package::signing::SIGNATURE_FILE
            || name == MARKER
            || name == cache::FILE_NAME
            || name == PUBLISH_DIR
            || name == ARCHIVE_DIR
            || OS_FILES.contains(&name.as_str());
        if !ignored {
            extra.push(FileCheck {
                file: name,
                status: FileStatus::Extra,
                version: None,
                detail: None,
            });
        }
    }
    extra.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(extra)
}

/// Staleness at `now`, counted from the later of the snapshot and the last confirmation by a publish
/// (`build`: the folder is a build output, counted from now).
fn staleness(m: &Manifest, now: i64, build: bool) -> Staleness {
    let confirmed = m.published.as_ref().map(|p| p.confirmed_epoch);
    let (counted_from, due) = match confirmed {
        Some(at) if at > m.snapshot_epoch => (
            CountedFrom::Confirmed,
            Some(manifest::next_due(at, m.backup.frequency_days)),
        ),
        None if build => (
            CountedFrom::Build,
            Some(manifest::next_due(
                now.max(m.snapshot_epoch),
                m.backup.frequency_days,
            )),
        ),
        _ => (CountedFrom::Snapshot, m.next_due_date()),
    };
    let from = due.map(manifest::stale_from).unwrap_or(i64::MAX);
    let stale = now >= from;
    // Counted as every reader counts it (`manifest::Age`): the same number as the viewer's alert.
    let age = manifest::Age::at(m.snapshot_epoch, m.backup.frequency_days, now);
    Staleness {
        stale,
        frequency_days: m.backup.frequency_days,
        next_due: due.map_or_else(|| m.backup.next_due.clone(), |d| d.to_string()),
        counted_from,
        confirmed: m.published.as_ref().map(|p| p.confirmed.clone()),
        days_old: age.days,
        days_overdue: if stale { (now - from) / 86_400 + 1 } else { 0 },
        days_left: if stale {
            0
        } else {
            (from.saturating_sub(now) + 86_399) / 86_400
        },
        future: m.snapshot_epoch > now.saturating_add(FUTURE_SKEW_SECONDS),
    }
}

fn behind(m: &Manifest, sources: &BTreeMap<String, String>) -> Vec<Behind> {
    let mut out = Vec::new();
    for e in &m.entries {
        match sources.get(&e.id) {
            Some(hash) if *hash == e.source_sha256 => {}
            Some(_) => out.push(Behind {
                entry: e.id.clone(),
                status: BehindStatus::Changed,
            }),
            None => out.push(Behind {
                entry: e.id.clone(),
                status: BehindStatus::Removed,
            }),
        }
    }
    let built: BTreeSet<&str> = m.entries.iter().map(|e| e.id.as_str()).collect();
    for id in sources.keys() {
        if !built.contains(id.as_str()) {
            out.push(Behind {
                entry: id.clone(),
                status: BehindStatus::Added,
            });
        }
    }
    out.sort_by(|a, b| a.entry.cmp(&b.entry));
    out
}
