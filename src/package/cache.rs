//! Incremental builds: the previous output folder is the cache. Each build writes `.lifeboat-cache.toml`
//! beside the bundle, with one key per open entry point: a SHA-256 over everything its file is made from
//! (its sources, what it shows of the entry points it links to, site.toml, the environment's values, the
//! theme, the snapshot, the generator and the previous copy's record of it, which says what changed). The next build into the same folder reuses an entry point's
//! file when its key is the same and the file still has the checksum recorded then; the zip archive
//! reuses the compressed data of each member whose bytes did not change. The result is byte-identical
//! to a full build. Locked entry points are never reused (fresh salt and nonce each build). The cache file
//! also lists the zip archive's chunks (`archive::ArchiveIndex`), whose compressed data the next archive
//! copies when the same bytes come again.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::check::resolve::Target;
use crate::check::Checked;
use crate::content::{Entry, Project};
use crate::diagnostics::FileId;
use crate::inline::Assets;
use crate::package::archive::{ArchiveIndex, Reuse};
use crate::package::manifest::FileRecord;
use crate::package::sink::hash_file;
use crate::render::search_index::PackedSegment;
use crate::snapshot::Snapshot;
use crate::theme::Theme;

/// The cache file inside the output folder (not part of the bundle: not in the manifest nor the zip,
/// not copied by `publish`, ignored by `verify`).
pub const FILE_NAME: &str = ".lifeboat-cache.toml";
const FORMAT: u32 = 3;

/// Identifies the code that builds: a cache written by another binary is ignored.
pub fn generator() -> String {
    format!(
        "{} {} {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        env!("LIFEBOAT_FINGERPRINT")
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheFile {
    pub format: u32,
    pub generator: String,
    #[serde(default)]
    pub entries: Vec<CachedEntry>,
    pub archive: Option<CachedArchive>,
    /// The previous copy the build was compared with (`crate::changes`), so that the next build of
    /// the same snapshot into the same folder compares with it too (see [`stored_basis`]).
    #[serde(default)]
    pub basis: Option<CachedBasis>,
}

/// A previous copy's record, as a build compared with it (`crate::changes::Basis`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedBasis {
    pub snapshot: String,
    pub commit: Option<String>,
    #[serde(default)]
    pub entries: Vec<CachedBasisEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedBasisEntry {
    pub id: String,
    pub title: String,
    pub locked: bool,
    pub key_id: Option<String>,
    #[serde(default)]
    pub steps: Vec<String>,
    #[serde(default)]
    pub diagram_titles: Vec<String>,
}

impl CachedBasis {
    pub fn of(basis: &crate::changes::Basis) -> CachedBasis {
        CachedBasis {
            snapshot: basis.snapshot.clone(),
            commit: basis.revision.clone(),
            entries: basis
                .entries()
                .map(|(id, title, e)| CachedBasisEntry {
                    id: id.to_string(),
                    title: title.to_string(),
                    locked: e.locked,
                    key_id: e.key_id.clone(),
                    steps: e.lines.clone(),
                    diagram_titles: e.diagram_lines.clone(),
                })
                .collect(),
        }
    }

    pub fn basis(&self) -> crate::changes::Basis {
        let mut basis = crate::changes::Basis::new(self.snapshot.clone(), self.commit.clone());
        for e in &self.entries {
            let entry = crate::changes::BasisEntry::read(
                e.locked,
                e.key_id.clone(),
                &e.steps,
                &e.diagram_titles,
            );
            basis.add(&e.id, &e.title, entry);
        }
        basis
    }
}

/// The previous copy the build in `out` was compared with, from its cache file: `None` when it was
/// compared with none, or the cache file is missing or of another format. A build of the same snapshot
/// into the same folder compares with it again, so that rebuilding changes neither what the files say
/// changed nor what can be reused.
pub fn stored_basis(out: &Path) -> Option<crate::changes::Basis> {
    let text = fs::read_to_string(out.join(FILE_NAME)).ok()?;
    let file: CacheFile = toml::from_str(&text).ok()?;
    (file.format == FORMAT).then_some(file.basis?.basis())
}

/// The zip archive of the previous build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedArchive {
    pub file: String,
    pub bytes: u64,
    pub index: ArchiveIndex,
}

/// One open entry point of the previous build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedEntry {
    pub id: String,
    pub file: String,
    /// The cache key the file was built with (see [`Keys`]).
    pub key: String,
    /// The same key without the other entry points' search index (`#lb-bundle`): when only that
    /// changed, the file is the previous one with its `#lb-bundle` element replaced.
    pub body_key: String,
    /// Where the `#lb-bundle` element is in the file: its first byte and the byte after it (the same
    /// twice when the file has none: where it goes).
    pub siblings_at: [u64; 2],
    /// SHA-256 of the file as it was written.
    pub sha256: String,
    pub diagrams: usize,
    pub nodes: usize,
    /// What the manifest records of its steps (`crate::changes::Record`).
    #[serde(default)]
    pub steps: Vec<String>,
    #[serde(default)]
    pub diagram_titles: Vec<String>,
    #[serde(default)]
    pub changes: Option<crate::changes::Counts>,
}

impl CacheFile {
    pub fn new(
        entries: Vec<CachedEntry>,
        archive: Option<CachedArchive>,
        basis: Option<&crate::changes::Basis>,
    ) -> CacheFile {
        CacheFile {
            format: FORMAT,
            generator: generator(),
            entries,
            archive,
            basis: basis.map(CachedBasis::of),
        }
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// An entry point file of the previous build that can be reused as it is, or with its `#lb-bundle`
/// element replaced (`siblings_at`).
pub struct Reused {
    /// Where its bytes are.
    pub from: ReusedFrom,
    pub record: FileRecord,
    pub diagrams: usize,
    pub nodes: usize,
    pub siblings_at: [u64; 2],
    pub steps: crate::changes::Record,
}

/// Where a reused file's bytes are: in the previous output folder, or in memory (`lifeboat serve`).
pub enum ReusedFrom {
    Path(PathBuf),
    Bytes(Arc<Vec<u8>>),
}

/// Where the previous build's files are.
#[derive(Debug)]
enum Files {
    /// The previous output folder.
    Dir(PathBuf),
    /// The previous build of the preview server, kept in memory by it.
    Memory(BTreeMap<String, Arc<Vec<u8>>>),
}

/// The previous build, when it can be used: an output folder holding a cache this binary wrote, or the
/// preview server's last good build.
#[derive(Debug)]
pub struct Previous {
    files: Files,
    entries: HashMap<String, CachedEntry>,
    archive: Option<CachedArchive>,
}

impl Previous {
    /// `None` when `out` holds no readable cache file, or one from another format or generator.
    pub fn load(out: &Path) -> Option<Previous> {
        let text = fs::read_to_string(out.join(FILE_NAME)).ok()?;
        let file: CacheFile = toml::from_str(&text).ok()?;
        if file.format != FORMAT || file.generator != generator() {
            return None;
        }
        Some(Previous {
            files: Files::Dir(out.to_path_buf()),
            entries: by_id(file.entries),
            archive: file.archive,
        })
    }

    /// A build kept in memory (the preview server's last good one): its entry points and its files.
    /// Its zip is never reused (the preview server makes the zip only when asked for it).
    pub fn in_memory(entries: Vec<CachedEntry>, files: BTreeMap<String, Arc<Vec<u8>>>) -> Previous {
        Previous {
            files: Files::Memory(files),
            entries: by_id(entries),
            archive: None,
        }
    }

    /// The previous file of entry point `id`, when it was built with `key` into `file` and was not
    /// changed since: on disk, its SHA-256 is still the recorded one (the file is read to check, never
    /// kept); in memory, nothing else can change it.
    pub fn entry(&self, id: &str, file: &str, key: &str) -> Option<Reused> {
        self.entry_where(id, file, |r| r.key == key)
    }

    /// The previous file of entry point `id`, when it was built with `body_key` (everything but the
    /// other entry points' search index) into `file` and was not changed since: its `#lb-bundle`
    /// element at `siblings_at` is all that may differ from what this build would write.
    pub fn entry_body(&self, id: &str, file: &str, body_key: &str) -> Option<Reused> {
        let [start, end] = self.entries.get(id)?.siblings_at;
        self.entry_where(id, file, |r| r.body_key == body_key)
            .filter(|old| start <= end && end <= old.record.bytes)
    }

    fn entry_where(
        &self,
        id: &str,
        file: &str,
        same: impl Fn(&CachedEntry) -> bool,
    ) -> Option<Reused> {
        let record = self.entries.get(id)?;
        if record.file != file || !same(record) {
            return None;
        }
        let (from, found) = match &self.files {
            Files::Dir(dir) => {
                let path = dir.join(file);
                if !fs::symlink_metadata(&path).ok()?.file_type().is_file() {
                    return None;
                }
                let found = hash_file(&path).ok()?;
                (ReusedFrom::Path(path), found)
            }
            Files::Memory(files) => {
                let bytes = files.get(file)?;
                let found = FileRecord {
                    file: file.to_string(),
                    bytes: bytes.len() as u64,
                    sha256: record.sha256.clone(),
                };
                (ReusedFrom::Bytes(Arc::clone(bytes)), found)
            }
        };
        (found.sha256 == record.sha256).then(|| Reused {
            from,
            record: FileRecord {
                file: file.to_string(),
                ..found
            },
            diagrams: record.diagrams,
            nodes: record.nodes,
            siblings_at: record.siblings_at,
            steps: crate::changes::Record {
                steps: record.steps.clone(),
                diagram_titles: record.diagram_titles.clone(),
                counts: record.changes.clone(),
            },
        })
    }

    /// The previous zip archive of this name, when it is still as it was written: its chunks can be
    /// copied into the new one.
    pub fn archive(&self, name: &str) -> Option<Reuse> {
        let archive = self.archive.as_ref().filter(|a| a.file == name)?;
        match &self.files {
            Files::Dir(dir) => Reuse::open(&dir.join(name), archive.bytes, &archive.index),
            Files::Memory(_) => None,
        }
    }
}

fn by_id(entries: Vec<CachedEntry>) -> HashMap<String, CachedEntry> {
    entries.into_iter().map(|e| (e.id.clone(), e)).collect()
}

/// Computes cache keys: one part shared by every entry point, one per entry point.
pub struct Keys<'a> {
    project: &'a Project,
    siblings: &'a [PackedSegment],
    common: [u8; 32],
    links: HashMap<FileId, Vec<(&'a str, &'a Target)>>,
    images: HashMap<FileId, Vec<&'a str>>,
    checked: &'a Checked,
    basis: Option<&'a crate::changes::Basis>,
}

/// Length-prefixed fields, so that no two different inputs hash the same way.
struct Fields(Sha256);

impl Fields {
    fn add(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let bytes = bytes.as_ref();
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }
}

impl<'a> Keys<'a> {
    pub fn new(
        project: &'a Project,
        checked: &'a Checked,
        theme: &Theme,
        assets: &Assets,
        snapshot: &Snapshot,
        siblings: &'a [PackedSegment],
        basis: Option<&'a crate::changes::Basis>,
    ) -> Keys<'a> {
        let mut h = Fields(Sha256::new());
        h.add(generator());
        h.add(&theme.template).add(&theme.css).add(&theme.js);
        h.add(&theme.unlock_js);
        add_map(&mut h, &theme.strings);
        h.add(&assets.css).add(&assets.js).add(&assets.csp);
        h.add(project.site.language.code());
        match &project.environment {
            Some(env) => {
                h.add("environment").add(&env.name);
                add_map(&mut h, &env.vars);
            }
            None => {
                h.add("no environment");
            }
        }
        h.add(snapshot.epoch.to_le_bytes()).add(&snapshot.date);
        h.add(&snapshot.iso);
        h.add(snapshot.commit.as_deref().unwrap_or("-"));
        h.add([u8::from(snapshot.dirty)]);
        let mut links: HashMap<FileId, Vec<(&str, &Target)>> = HashMap::new();
        for ((file, dest), target) in &checked.links {
            links.entry(*file).or_default().push((dest, target));
        }
        let mut images: HashMap<FileId, Vec<&str>> = HashMap::new();
        for ((file, _), id) in &checked.image_refs {
            images.entry(*file).or_default().push(id);
        }
        Keys {
            project,
            siblings,
            common: h.0.finalize().into(),
            links,
            images,
            checked,
            basis,
        }
    }

    /// The key of `entry`, whose source hash (`manifest::source_hash`: its folder, site.toml, the
    /// images it shows) is `source`. Adds what the file shows of other diagrams and entry points: every
    /// resolved link target with its diagram's and node's titles (answers, the map's stubs), and the
    /// bundle index of every other open entry point (`#lb-bundle`), by the digest of its JSON.
    pub fn key(&self, entry: &Entry, source: &str) -> String {
        let mut h = Fields(Sha256::new());
        h.add(self.body_key(entry, source));
        for sibling in self.siblings.iter().filter(|s| s.entry != entry.id) {
            h.add("sibling").add(&sibling.entry).add(sibling.digest);
        }
        crate::encode::hex(&h.0.finalize())
    }

    /// [`Keys::key`] without the other entry points' search index: what the file is made of but its
    /// `#lb-bundle` element.
    pub fn body_key(&self, entry: &Entry, source: &str) -> String {
        let mut h = Fields(Sha256::new());
        h.add(self.common).add(&entry.id).add(source);
        // What the file says changed depends on the previous copy's record of this entry point.
        match self.basis {
            Some(basis) => h.add(basis.cache_part(&entry.id)),
            None => h.add("no previous copy"),
        };
        for diagram in &entry.diagrams {
            h.add("diagram").add(&diagram.id);
            let mut links = self.links.get(&diagram.file).cloned().unwrap_or_default();
            links.sort_by(|a, b| a.0.cmp(b.0));
            for (dest, t) in links {
                let target = self
                    .project
                    .entry(&t.entry)
                    .and_then(|e| e.diagram(&t.diagram));
                let node = target.and_then(|d| d.node(&t.node));
                h.add(dest).add(&t.entry).add(&t.diagram).add(&t.node);
                h.add(target.map_or("", |d| d.front.title.as_str()));
                h.add(node.map_or("", |n| n.title.as_str()));
            }
            let mut images = self.images.get(&diagram.file).cloned().unwrap_or_default();
            images.sort_unstable();
            images.dedup();
            for id in images {
                let mime = self.checked.images.get(id).map_or("", |i| i.mime);
                h.add(id).add(mime);
            }
        }
        crate::encode::hex(&h.0.finalize())
    }
}

fn add_map(h: &mut Fields, map: &BTreeMap<String, String>) {
    h.add((map.len() as u64).to_le_bytes());
    for (k, v) in map {
        h.add(k).add(v);
    }
}
