//! `bcp-manifest.toml`: the machine-readable record of a bundle (what was built, from which revision,
//! checksums, backup policy, environment, access). Never holds a secret or a variable's value.
//! The format is documented in docs/manifest.md; its JSON Schema is generated from these types.

use std::collections::HashSet;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::check::Checked;
use crate::content::config::{Access, Contact, Person};
use crate::content::{markdown, Entry, Project};
use crate::diagnostics::FileId;
use crate::snapshot::Snapshot;

pub const FILE_NAME: &str = "bcp-manifest.toml";
pub const FORMAT_VERSION: u32 = 1;

// Strict in the schema (what lifeboat writes); a reader warns of unknown fields (a newer lifeboat's,
// another tool's) instead of refusing the manifest (`Manifest::from_toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Manifest {
    /// Version of this format; readers refuse versions they do not know.
    pub format_version: u32,
    /// Identifies this bundle among others: 16 hex digits of a SHA-256 over the name and SHA-256 of every
    /// file the manifest lists ([`Manifest::compute_bundle_id`]); the same for a byte-identical rebuild.
    /// Absent in bundles built before lifeboat recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{16}$"))]
    pub bundle_id: Option<String>,
    pub generator: Generator,
    /// The organisation (`name` in site.toml).
    pub site: String,
    /// The online system this bundle stands in for (`online_url` in site.toml).
    pub online_url: String,
    /// When the content was taken (RFC 3339, UTC).
    pub snapshot: String,
    /// The same instant in seconds since 1970.
    pub snapshot_epoch: i64,
    pub source: Source,
    pub environment: EnvironmentInfo,
    pub backup: BackupPolicy,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// One per entry point file.
    pub entries: Vec<EntryRecord>,
    /// Other files of the bundle (contingency document, launcher), with their checksums.
    #[serde(default)]
    pub documents: Vec<FileRecord>,
    /// File name of the zip archive that holds all of the above (and this manifest). Its checksum cannot
    /// be here (the archive contains this file): `verify` checks each member against this manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// The user theme (`_theme/`) the bundle was built with, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeRecord>,
    /// The previous copy this bundle was compared with (`lifeboat build --previous`, else the previous
    /// build in `--out`); absent when there was none. Each entry point's `changes` says what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<ComparedWith>,
    /// The outage notice the launcher shows (`lifeboat notice`), when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<super::notice::Notice>,
    /// On a share only: where and when `publish` installed the bundle, and when a publish last
    /// confirmed it. Written after the build's manifest (see [`split_published`]); never in a build's
    /// manifest, which stays byte-reproducible. Must stay the last field: it is the last table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PublishRecord>,
    /// Fields of the manifest read that this lifeboat does not know (never written).
    #[serde(skip)]
    #[schemars(skip)]
    pub unknown: Vec<String>,
}

/// The previous copy a bundle was compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ComparedWith {
    /// Its snapshot (RFC 3339, UTC).
    pub snapshot: String,
    /// Its git commit, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Titles (ids for a locked entry point that hides its title) of its entry points that this
    /// bundle no longer has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries_removed: Vec<String>,
}

/// What `publish` adds to the manifest on the share, as the `[published]` table after the build's
/// manifest. The signature and the zip's copy cover the build's part only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRecord {
    /// When this bundle was installed on this share (RFC 3339, UTC).
    pub at: String,
    pub at_epoch: i64,
    /// When a publish last confirmed that the share holds this bundle (every publish writes it, even one
    /// with nothing else to do): staleness counts from the later of this and the snapshot.
    pub confirmed: String,
    pub confirmed_epoch: i64,
    /// The share, as the publish reached it (an absolute path).
    pub location: String,
    /// SHA-256 of the bundle's zip (`archive`) as it was published: the build's manifest cannot hold
    /// it (the zip holds the manifest). Absent when the bundle has no zip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub archive_sha256: Option<String>,
}

/// The line that starts a share's `[published]` table; a blank line separates it from the build's part.
const PUBLISHED_HEADER: &[u8] = b"\n[published]\n";

/// A manifest's bytes split into the build's part (what the zip holds and the signature covers) and,
/// on a share, the `[published]` table `publish` wrote after it.
pub fn split_published(raw: &[u8]) -> (&[u8], Option<&[u8]>) {
    let at = raw
        .windows(PUBLISHED_HEADER.len())
        .rposition(|w| w == PUBLISHED_HEADER);
    match at {
        Some(at) => (&raw[..at], Some(&raw[at + 1..])),
        None => (raw, None),
    }
}

/// The share's manifest: the build's part as it is, a blank line, then `[published]`.
pub fn with_published(build: &[u8], record: &PublishRecord) -> Vec<u8> {
    #[derive(Serialize)]
    struct Table<'a> {
        published: &'a PublishRecord,
    }
    let table = toml::to_string_pretty(&Table { published: record }).unwrap_or_default();
    let mut out = build.to_vec();
    out.push(b'\n');
    out.extend_from_slice(table.as_bytes());
    out
}

/// The `[published]` table alone, as [`with_published`] writes it; refuses anything else.
pub fn parse_published(text: &str) -> Result<PublishRecord, toml::de::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Table {
        published: PublishRecord,
    }
    toml::from_str::<Table>(text).map(|t| t.published)
}

/// A user theme, as the manifest records it: which theme a bundle was built with, and whether it was
/// trusted to run code in the pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ThemeRecord {
    /// `[theme] trusted` of site.toml.
    pub trusted: bool,
    /// Files of `_theme/` that replace a script or change a template's script or CSP.
    #[serde(default)]
    pub code_files: Vec<String>,
    /// SHA-256 over the files of `_theme/` (each path, a NUL, its SHA-256, a newline, sorted by path).
    pub sha256: String,
}

impl From<&crate::check::theme_trust::UserTheme> for ThemeRecord {
    fn from(theme: &crate::check::theme_trust::UserTheme) -> ThemeRecord {
        ThemeRecord {
            trusted: theme.trusted,
            code_files: theme.code_files.clone(),
            sha256: theme.sha256.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Source {
    /// Git commit of the content, when it was in a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// True when the content folder had uncommitted changes at build time.
    pub dirty: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EnvironmentInfo {
    /// The environment whose values the bundle carries; absent when the site defines none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Names (never values) of the variables the content uses.
    #[serde(default)]
    pub variables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BackupPolicy {
    pub frequency_days: i64,
    /// Date (YYYY-MM-DD) after which this bundle is stale and must be republished.
    pub next_due: String,
    pub owner: PersonInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deputy: Option<PersonInfo>,
    #[serde(default)]
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PersonInfo {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EntryRecord {
    pub id: String,
    pub title: String,
    /// File name inside the bundle folder.
    pub file: String,
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// `open`, or `key` for a locked entry point.
    pub access: Access,
    /// Locked entry points: who holds the key (roles from entry.toml; never the key itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_holders: Vec<String>,
    /// Locked entry points: which key locks the file, as 16 lowercase hex digits that reveal nothing of
    /// it (`access::key_id`); the same for every build with the same key. Absent in bundles built before
    /// lifeboat recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{16}$"))]
    pub key_id: Option<String>,
    /// Locked entry points opened by key groups or the recovery key: one slot per key that opens the
    /// file, its group's name (`recovery` for the recovery key) and its key's identifier (as `key_id`).
    /// `key_id` stays the implicit group's (`LIFEBOAT_ACCESS_KEY`), when that key opens it too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_slots: Vec<KeySlot>,
    pub diagrams: usize,
    pub nodes: usize,
    /// SHA-256 over the entry point's source files (see `source_hash`): compared by `verify --content`.
    pub source_sha256: String,
    /// One line per step, what the next build compares with (`crate::changes`): open entry points
    /// `FINGERPRINT DIAGRAM/NODE TITLE`, locked ones two keyed marks that reveal nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(regex(pattern = r"^[0-9a-f]{16} [^ ]+( .*)?$"))]
    pub steps: Vec<String>,
    /// Open entry points: `DIAGRAM TITLE` per diagram, to name removed diagrams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagram_titles: Vec<String>,
    /// What changed since the previous copy (`compared_with`); absent when there was none, or when the
    /// entry point could not be compared (locked with another key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::changes::Counts>,
}

/// A key slot of a locked file: whose key opens it, and which key (its identifier, `access::key_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeySlot {
    /// The key group's name (`[key_groups.NAME]`), or `recovery`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]*$"))]
    pub group: String,
    #[schemars(regex(pattern = r"^[0-9a-f]{16}$"))]
    pub key_id: String,
}

/// The key identifiers of a locked file: the implicit group's (`key_id`) and its named slots'.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyIdentifiers {
    pub key_id: Option<String>,
    pub key_slots: Vec<KeySlot>,
}

impl EntryRecord {
    /// The identifiers of every key that opens this locked file, with whose each is (`None`: the
    /// implicit group); empty when none was recorded (an open entry point, or a bundle built before
    /// lifeboat recorded them).
    pub fn key_identifiers(&self) -> Vec<(Option<&str>, &str)> {
        let mut out: Vec<(Option<&str>, &str)> = Vec::new();
        if self.access != Access::Key {
            return out;
        }
        if let Some(id) = &self.key_id {
            out.push((None, id));
        }
        out.extend(
            self.key_slots
                .iter()
                .map(|s| (Some(s.group.as_str()), s.key_id.as_str())),
        );
        out
    }

    /// What [`EntryRecord::of`] was given for this record's keys.
    pub fn identifiers(&self) -> KeyIdentifiers {
        KeyIdentifiers {
            key_id: self.key_id.clone(),
            key_slots: self.key_slots.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FileRecord {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

impl EntryRecord {
    /// `file` is the written file's record; `source_sha256` is [`source_hash`]'s; `keys` the
    /// identifiers of the keys that open it.
    pub fn of(
        entry: &Entry,
        file: &FileRecord,
        counts: (usize, usize),
        source_sha256: String,
        keys: KeyIdentifiers,
        steps: crate::changes::Record,
    ) -> EntryRecord {
        let locked = entry.is_locked();
        EntryRecord {
            id: entry.id.clone(),
            // A locked entry point that hides its title hides it here too: the manifest sits beside
            // the locked file on the share.
            title: if entry.is_locked() && entry.config.hide_title {
                String::new()
            } else {
                entry.config.title.clone()
            },
            file: file.file.clone(),
            bytes: file.bytes,
            sha256: file.sha256.clone(),
            access: *entry.config.access.get_ref(),
            key_holders: if entry.is_locked() {
                entry.config.key_holders.clone()
            } else {
                Vec::new()
            },
            key_id: keys.key_id.filter(|_| locked),
            key_slots: if locked { keys.key_slots } else { Vec::new() },
            diagrams: counts.0,
            nodes: counts.1,
            source_sha256,
            steps: steps.steps,
            diagram_titles: steps.diagram_titles,
            changes: steps.counts,
        }
    }
}

impl Manifest {
    /// This manifest as the previous copy of the next build (`crate::changes::Basis`).
    pub fn basis(&self) -> crate::changes::Basis {
        let mut basis =
            crate::changes::Basis::new(self.snapshot.clone(), self.source.commit.clone());
        for e in &self.entries {
            let locked = e.access == Access::Key;
            // The key the steps are marked with: the implicit group's, else the first slot's.
            let marking = e
                .key_id
                .clone()
                .or_else(|| e.key_slots.first().map(|s| s.key_id.clone()));
            let entry =
                crate::changes::BasisEntry::read(locked, marking, &e.steps, &e.diagram_titles);
            let title = if e.title.is_empty() { &e.id } else { &e.title };
            basis.add(&e.id, title, entry);
        }
        basis
    }
}

/// `<site-slug>-offline-<YYYY-MM-DD>.zip`.
pub fn archive_name(site: &str, date: &str) -> String {
    let slug = markdown::slug(site);
    let slug = if slug.is_empty() { "lifeboat" } else { &slug };
    format!("{slug}-offline-{date}.zip")
}

/// Snapshot date (UTC) plus `frequency_days`.
pub fn next_due(snapshot_epoch: i64, frequency_days: i64) -> time::Date {
    let day = time::OffsetDateTime::from_unix_timestamp(snapshot_epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    day.checked_add(time::Duration::days(frequency_days.max(0)))
        .unwrap_or(day)
}

pub use crate::snapshot::parse_date;

/// How old a copy is, counted the one way every reader of a bundle counts it — the viewer's alert, the
/// launcher, `lifeboat verify` and `lifeboat build` (issue 24): whole UTC calendar days from the
/// snapshot's date to today's. The copy is stale once it is more than `frequency_days` old, which is
/// from [`stale_from`] its `next_due` on. The sentence that says so is the UI string `stale_body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age {
    /// Whole days from the snapshot's date to today's (UTC).
    pub days: i64,
    /// Days past the policy: `days - frequency_days`, 0 while the copy is not stale.
    pub late: i64,
}

impl Age {
    pub fn at(snapshot_epoch: i64, frequency_days: i64, now: i64) -> Age {
        let days = now.div_euclid(86_400) - snapshot_epoch.div_euclid(86_400);
        Age {
            days,
            late: (days - frequency_days.max(0)).max(0),
        }
    }

    pub fn stale(self) -> bool {
        self.late > 0
    }

    /// `stale_body` (`{date}`, `{age}`, `{days}`, `{late}`) filled in for this age.
    pub fn sentence(self, stale_body: &str, date: &str, frequency_days: i64) -> String {
        stale_body
            .replace("{date}", date)
            .replace("{age}", &self.days.to_string())
            .replace("{days}", &frequency_days.to_string())
            .replace("{late}", &self.late.to_string())
    }
}

/// The stale sentence in English, as the command line says it (`verify`, `build`).
pub fn stale_sentence_en(age: Age, date: &str, frequency_days: i64) -> String {
    // The built-in theme is embedded in the binary: it always loads.
    let body = crate::theme::Theme::builtin(crate::content::config::Language::En)
        .map(|t| t.string("stale_body").to_string())
        .unwrap_or_default();
    age.sentence(&body, date, frequency_days)
}

/// First second (UTC) of the day after `next_due`: from then on the bundle is stale.
pub fn stale_from(next_due: time::Date) -> i64 {
    next_due
        .next_day()
        .unwrap_or(next_due)
        .midnight()
        .assume_utc()
        .unix_timestamp()
}

impl FileRecord {
    pub fn of(file: &str, bytes: &[u8]) -> FileRecord {
        FileRecord {
            file: file.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

impl From<&Person> for PersonInfo {
    fn from(p: &Person) -> Self {
        PersonInfo {
            name: p.name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::encode::hex(&Sha256::digest(bytes))
}

/// Hash of what an entry point is built from: site.toml, every file under the entry's folder (by relative
/// path and the SHA-256 of its content), and the content hashes of the images it shows (which may live
/// elsewhere). Stable across machines and checkouts; independent of the build time and of any access key.
/// Images that the check already read and hashed are not read again.
pub fn source_hash(project: &Project, entry: &Entry, checked: &Checked) -> String {
    let mut hasher = Sha256::new();
    let mut add = |name: &str, digest: &[u8]| {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((digest.len() as u64).to_le_bytes());
        hasher.update(digest);
    };
    let digest_of = |path: &Path| -> [u8; 32] {
        match checked.images.at(path) {
            Some(image) => image.sha256,
            None => Sha256::digest(std::fs::read(path).unwrap_or_default()).into(),
        }
    };
    add("site.toml", &digest_of(&project.root.join("site.toml")));
    let dir = project.root.join(&entry.id);
    for item in WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if item.file_type().is_file() {
            let rel = relative_name(&project.root, item.path());
            add(&rel, &digest_of(item.path()));
        }
    }
    let files: HashSet<FileId> = entry.diagrams.iter().map(|d| d.file).collect();
    let mut shown: Vec<&[u8; 32]> = checked
        .image_refs
        .iter()
        .filter(|((file, _), _)| files.contains(file))
        .filter_map(|(_, id)| checked.images.get(id))
        .map(|image| &image.sha256)
        .collect();
    shown.sort();
    shown.dedup();
    for sha256 in shown {
        add("image", sha256);
    }
    crate::encode::hex(&hasher.finalize())
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Manifest {
    /// The manifest of a build, before its documents are known (`documents` is empty).
    pub fn new(project: &Project, snapshot: &Snapshot, entries: Vec<EntryRecord>) -> Manifest {
        let site = &project.site;
        let backup = &site.backup;
        let frequency_days = *backup.frequency_days.get_ref();
        let mut variables: Vec<String> = project
            .entries
            .iter()
            .flat_map(|e| &e.diagrams)
            .flat_map(|d| &d.var_uses)
            .map(|v| v.name.clone())
            .collect();
        variables.sort();
        variables.dedup();
        Manifest {
            format_version: FORMAT_VERSION,
            bundle_id: None,
            generator: Generator {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            site: site.name.clone(),
            online_url: site.online_url.get_ref().clone(),
            snapshot: snapshot.iso.clone(),
            snapshot_epoch: snapshot.epoch,
            source: Source {
                commit: snapshot.commit.clone(),
                dirty: snapshot.dirty,
            },
            environment: EnvironmentInfo {
                name: project.environment.as_ref().map(|e| e.name.clone()),
                variables,
            },
            backup: BackupPolicy {
                frequency_days,
                next_due: next_due(snapshot.epoch, frequency_days).to_string(),
                owner: PersonInfo::from(&backup.owner),
                deputy: backup.deputy.as_ref().map(PersonInfo::from),
                locations: backup.locations.clone(),
            },
            contacts: site.contingency.contacts.clone(),
            entries,
            documents: Vec::new(),
            archive: Some(archive_name(&site.name, &snapshot.date)),
            theme: None,
            compared_with: None,
            notice: None,
            published: None,
            unknown: Vec::new(),
        }
    }

    /// Every file the manifest lists with a checksum: entry points, then documents.
    pub fn files(&self) -> impl Iterator<Item = (&str, u64, &str)> {
        self.entries
            .iter()
            .map(|e| (e.file.as_str(), e.bytes, e.sha256.as_str()))
            .chain(
                self.documents
                    .iter()
                    .map(|d| (d.file.as_str(), d.bytes, d.sha256.as_str())),
            )
    }

    /// The bundle id of the files listed: SHA-256 over `lifeboat-bundle-id:v1\n`, then for each file,
    /// sorted by name, its name, a NUL, its SHA-256 in hex and a newline; the first 16 hex digits.
    pub fn compute_bundle_id(&self) -> String {
        let mut files: Vec<(&str, &str)> = self.files().map(|(f, _, sha)| (f, sha)).collect();
        files.sort_unstable();
        let mut hasher = Sha256::new();
        hasher.update(b"lifeboat-bundle-id:v1\n");
        for (file, sha) in files {
            hasher.update(file.as_bytes());
            hasher.update([0]);
            hasher.update(sha.as_bytes());
            hasher.update(b"\n");
        }
        crate::encode::hex(&hasher.finalize()[..8])
    }

    /// The files of the bundle this manifest lists, sorted: entry points, documents and the zip archive.
    /// `publish` ("N files") and `verify` ("N files intact") count these: the manifest itself and its
    /// signature are not counted.
    pub fn listed_files(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .files()
            .map(|(f, _, _)| f.to_string())
            .chain(self.archive.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The first file name that is not a plain file of a bundle folder (`package::names`), with the
    /// field that holds it: a manifest read from a share may have been written by anyone.
    pub fn unsafe_name(&self) -> Option<(String, &str, super::names::BadName)> {
        let entries = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("entries[{i}].file"), e.file.as_str()));
        let documents = self
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("documents[{i}].file"), d.file.as_str()));
        let archive = self
            .archive
            .iter()
            .map(|a| ("archive".to_string(), a.as_str()));
        entries
            .chain(documents)
            .chain(archive)
            .find_map(|(field, name)| {
                super::names::check_file_name(name)
                    .err()
                    .map(|why| (field, name, why))
            })
    }

    /// The date after which the bundle is stale.
    pub fn next_due_date(&self) -> Option<time::Date> {
        parse_date(&self.backup.next_due)
    }

    /// The manifest's text: the build's part, then `[published]` when it has one.
    pub fn to_toml(&self) -> String {
        let build = Manifest {
            published: None,
            ..self.clone()
        };
        let text = toml::to_string_pretty(&build).unwrap_or_default();
        match &self.published {
            Some(record) => {
                String::from_utf8(with_published(text.as_bytes(), record)).unwrap_or_default()
            }
            None => text,
        }
    }

    /// Parses a manifest; fields this lifeboat does not know (a newer lifeboat's, another tool's) are
    /// ignored and listed in `unknown`, dotted (`entries[2].owner`), for a warning.
    pub fn from_toml(text: &str) -> Result<Manifest, toml::de::Error> {
        let mut unknown = Vec::new();
        let mut manifest: Manifest =
            serde_ignored::deserialize(toml::Deserializer::new(text), |path| {
                unknown.push(path.to_string());
            })?;
        manifest.unknown = unknown;
        Ok(manifest)
    }

    /// The manifest's JSON Schema (docs/bcp-manifest.schema.json is this, committed).
    pub fn json_schema() -> String {
        serde_json::to_string_pretty(&schemars::schema_for!(Manifest)).unwrap_or_default()
    }
}

#[cfg(test)]
mod age_tests {
    use super::*;

    #[test]
    fn a_copy_is_stale_from_the_day_after_its_due_date_and_late_by_whole_days() {
        // Snapshot 2025-11-22 at 08:26:40 UTC, renewed every 30 days: due 2025-12-22.
        let snapshot = 1_763_800_000;
        let due = next_due(snapshot, 30);
        assert_eq!(due.to_string(), "2025-12-22");
        let from = stale_from(due);
        for (now, days, late) in [
            (snapshot, 0, 0),
            (from - 1, 30, 0),
            (from, 31, 1),
            (from + 86_399, 31, 1),
            (from + 86_400, 32, 2),
        ] {
            let age = Age::at(snapshot, 30, now);
            assert_eq!((age.days, age.late), (days, late), "at {now}");
            assert_eq!(
                age.stale(),
                now >= from,
                "stale as the due date says, at {now}"
            );
        }
        assert_eq!(
            stale_sentence_en(Age::at(snapshot, 30, from + 86_400), "2025-11-22", 30),
            "This copy is from 2025-11-22, 32 days ago; it is renewed every 30 days, so it is 2 day(s) out of date."
        );
    }
}
