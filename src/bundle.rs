//! Everything a build produces, streamed into a sink: render each entry point and write its file, then
//! the manifest, the documents and the zip archive that make up the rest of the bundle.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use rayon::prelude::*;

use crate::access::groups::{self, KeyRing};
use crate::access::{self, AccessError};
use crate::check::Checked;
use crate::content::Project;
use crate::inline::{self, Assets, InlineError};
use crate::package::archive;
use crate::package::cache::{CacheFile, CachedArchive, CachedEntry, Keys, Previous, ReusedFrom};
use crate::package::documents::{self, DocumentError};
use crate::package::manifest::{self, EntryRecord, FileRecord, KeyIdentifiers, KeySlot, Manifest};
use crate::package::signing::{self, Signer};
use crate::package::sink::{MemorySink, Sink};
use crate::progress::Progress;
use crate::render::search_index::PackedSegment;
use crate::render::{self, RenderContext, RenderError};
use crate::snapshot::Snapshot;
use crate::theme::{Theme, ThemeError};

/// A built entry point file.
#[derive(Debug, Clone)]
pub struct BuiltEntry {
    pub id: String,
    /// Its name, size and SHA-256.
    pub record: FileRecord,
    pub diagrams: usize,
    pub nodes: usize,
    /// SHA-256 over the entry point's sources (`manifest::source_hash`).
    pub source_sha256: String,
    /// Cache key (`package::cache`); `None` for a locked entry point, which is never reused.
    pub cache_key: Option<String>,
    /// The cache key without the other entry points' search index (`Keys::body_key`).
    pub body_key: Option<String>,
    /// Where the file's `#lb-bundle` element is (`inline::assemble`).
    pub siblings_at: [u64; 2],
    /// True when the file is the previous build's with its `#lb-bundle` element replaced: only the
    /// other entry points' search index changed.
    pub refreshed: bool,
    /// A locked entry point's key identifiers (`access::key_id`), per slot.
    pub key_ids: KeyIdentifiers,
    /// True when the file was taken from the previous build instead of being rendered.
    pub reused: bool,
    /// Its steps as the manifest records them, and what changed since the previous copy.
    pub steps: crate::changes::Record,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Theme(#[from] ThemeError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Inline(#[from] InlineError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error(transparent)]
    MissingString(#[from] render::strings::MissingString),
    #[error("cannot write `{0}`: {1}")]
    Write(String, io::Error),
    #[error("entry point `{0}` would be written as `{1}`, a name the bundle uses for itself; rename its folder")]
    ReservedName(String, String),
}

/// A whole bundle, written into a [`Sink`]: its entry points and the record of every file.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub entries: Vec<BuiltEntry>,
    pub manifest: Manifest,
    /// Every file but the zip archive, sorted by name.
    pub files: Vec<FileRecord>,
    /// The zip archive's name and size. It has no checksum: no file of the bundle can list it (the
    /// manifest is inside it), so it is not hashed.
    pub archive: (String, u64),
    /// What the next build into the same folder can reuse (written beside the bundle, not part of it).
    pub cache: CacheFile,
    /// Zip chunks whose compressed data came from the previous archive, and the chunks in all.
    pub zip_reused: (usize, usize),
}

/// How a build may use the previous output and show its progress.
#[derive(Clone, Copy)]
pub struct BuildOptions<'a> {
    /// The previous output folder's cache; `None` for a full build.
    pub previous: Option<&'a Previous>,
    pub progress: &'a Progress,
    /// Signs the manifest (`bcp-manifest.toml.sig`, also in the zip) when it holds the secret key; the
    /// contingency document names its public key either way.
    pub signing: Option<&'a Signer>,
    /// For `verify --rebuild`: the bytes of each locked entry point, by file name, taken as they are
    /// instead of being sealed again (sealing is random; this keeps the rest byte-comparable), with the
    /// key identifiers the bundle's manifest records for it (a rebuild has no key).
    pub locked_files: Option<&'a LockedFiles<'a>>,
    /// Where the time goes (`lifeboat build --timings`), when asked.
    pub timings: Option<&'a crate::timings::Timings>,
    /// The previous copy to say what changed since (`crate::changes`), when there is one.
    pub basis: Option<&'a crate::changes::Basis>,
}

impl BuildOptions<'_> {
    /// Runs `f`, adding its time to `stage` when timings are asked for.
    fn time<T>(&self, stage: crate::timings::Stage, f: impl FnOnce() -> T) -> T {
        match self.timings {
            Some(t) => t.time(stage, f),
            None => f(),
        }
    }
}

/// The locked entry points' files of an existing bundle, their key identifiers and what its manifest
/// records of their steps, by file name (`None`: not there).
pub type LockedFiles<'a> =
    dyn Fn(&str) -> Option<(Vec<u8>, KeyIdentifiers, crate::changes::Record)> + Sync + 'a;

/// A bundle built in memory (the preview server's): every file but the zip archive, which
/// [`InMemory::zip`] makes when it is asked for, byte-identical to the one `lifeboat build` writes.
pub struct InMemory {
    /// Every file but the zip, by name.
    pub files: BTreeMap<String, Arc<Vec<u8>>>,
    /// The zip archive's name.
    pub archive_name: String,
    /// The open entry points, for the next build to reuse ([`Previous::in_memory`]).
    pub entries: Vec<CachedEntry>,
    /// How many entry points were taken from the previous build as they were, and how many there are.
    pub reused: (usize, usize),
    records: Vec<FileRecord>,
    epoch: i64,
}

/// Builds the bundle of a checked project (which must have no errors) in memory, reusing the entry
/// points of `previous` whose cache keys did not change, and saying what changed since `basis`.
pub fn build_in_memory(
    project: &Project,
    checked: &Checked,
    snapshot: &Snapshot,
    keys: &KeyRing,
    previous: Option<&Previous>,
    basis: Option<&crate::changes::Basis>,
) -> Result<InMemory, BundleError> {
    let progress = Progress::hidden();
    let options = BuildOptions {
        previous,
        progress: &progress,
        signing: None,
        locked_files: None,
        timings: None,
        basis,
    };
    let sink = MemorySink::new();
    let unzipped = build_files(&sink, project, checked, snapshot, keys, options)?;
    let reused = unzipped.entries.iter().filter(|e| e.reused).count();
    Ok(InMemory {
        files: sink.into_files(),
        reused: (reused, unzipped.entries.len()),
        entries: cached_entries(&unzipped.entries),
        archive_name: unzipped.archive_name,
        records: unzipped.files,
        epoch: snapshot.epoch,
    })
}

impl InMemory {
    /// The snapshot time it was built with (seconds since 1970).
    pub fn epoch(&self) -> i64 {
        self.epoch
    }

    /// The zip archive of the files.
    pub fn zip(&self) -> Result<Vec<u8>, BundleError> {
        let sink = MemorySink::holding(self.files.clone());
        let progress = Progress::hidden();
        write_zip(
            &sink,
            &self.archive_name,
            &self.records,
            self.epoch,
            None,
            &progress,
        )?;
        let mut files = sink.into_files();
        let zip = files.remove(&self.archive_name).ok_or_else(|| {
            BundleError::Write(self.archive_name.clone(), io::Error::other("not written"))
        })?;
        Ok(Arc::try_unwrap(zip).unwrap_or_else(|shared| shared.as_ref().clone()))
    }
}

/// A bundle's files, written, before its zip.
pub struct Unzipped {
    entries: Vec<BuiltEntry>,
    manifest: Manifest,
    files: Vec<FileRecord>,
    archive_name: String,
}

/// Writes the bundle of a checked project (which must have no errors) into `sink`: entry points, then
/// the launcher and contingency documents (which list the entry points' checksums), then the manifest
/// (which lists every file's checksum), then the zip of all of them. Locked entry points are sealed
/// with `keys`. What did not change since the previous output (`options.previous`) is reused; the bundle
/// is byte-identical to a full build's (except locked entry points, always new).
///
/// This first part writes every file but the zip; [`zip_into`] writes the zip, which needs none of the
/// content model (`lifeboat build` drops the model in between).
pub fn build_files(
    sink: &dyn Sink,
    project: &Project,
    checked: &Checked,
    snapshot: &Snapshot,
    keys: &KeyRing,
    options: BuildOptions,
) -> Result<Unzipped, BundleError> {
    let theme = Theme::for_project(project)?;
    render::strings::verify(&theme, project.site.language, project.theme_files.as_ref())?;
    let archive_name = manifest::archive_name(&project.site.name, &snapshot.date);
    let reserved = [
        documents::INDEX_HTML,
        documents::CONTINGENCY_HTML,
        documents::CONTINGENCY_MD,
        manifest::FILE_NAME,
        archive_name.as_str(),
    ];
    if let Some(e) = project
        .entries
        .iter()
        .find(|e| reserved.contains(&format!("{}.html", e.id).as_str()))
    {
        return Err(BundleError::ReservedName(
            e.id.clone(),
            format!("{}.html", e.id),
        ));
    }
    let entries = build_entries(sink, project, checked, &theme, snapshot, keys, options)?;
    let records: Vec<EntryRecord> = entries
        .iter()
        .filter_map(|built| {
            let entry = project.entry(&built.id)?;
            Some(EntryRecord::of(
                entry,
                &built.record,
                (built.diagrams, built.nodes),
                built.source_sha256.clone(),
                built.key_ids.clone(),
                built.steps.clone(),
            ))
        })
        .collect();
    let started = std::time::Instant::now();
    let mut manifest = Manifest::new(project, snapshot, records);
    manifest.theme = checked.user_theme.as_ref().map(Into::into);
    manifest.compared_with = options.basis.map(|basis| {
        let current: std::collections::HashSet<&str> =
            project.entries.iter().map(|e| e.id.as_str()).collect();
        manifest::ComparedWith {
            snapshot: basis.snapshot.clone(),
            commit: basis.revision.clone(),
            entries_removed: basis.removed_entries(&current),
        }
    });
    let docs = documents::render(
        &theme.documents,
        project.site.language,
        project,
        &manifest,
        options.signing.map(|s| &s.public),
    )?;
    manifest.documents = docs
        .iter()
        .map(|(name, bytes)| write(sink, name, bytes))
        .collect::<Result<_, _>>()?;
    let mut files: Vec<FileRecord> = entries.iter().map(|e| e.record.clone()).collect();
    files.extend(manifest.documents.iter().cloned());
    manifest.bundle_id = Some(manifest.compute_bundle_id());
    let manifest_bytes = manifest.to_toml();
    files.push(write(sink, manifest::FILE_NAME, manifest_bytes.as_bytes())?);
    // Signed right after the manifest, so the zip holds the signature too.
    if let Some(sig) = options
        .signing
        .and_then(|s| s.sign(manifest_bytes.as_bytes()))
    {
        files.push(write(sink, signing::SIGNATURE_FILE, &sig)?);
    }
    if let Some(t) = options.timings {
        t.add(crate::timings::Stage::Documents, started.elapsed());
    }
    Ok(Unzipped {
        entries,
        manifest,
        files,
        archive_name,
    })
}

/// The second part of a build (after [`build_files`]): the zip of the files, then what the next build
/// may reuse.
pub fn zip_into(
    sink: &dyn Sink,
    unzipped: Unzipped,
    snapshot: &Snapshot,
    options: BuildOptions,
) -> Result<Bundle, BundleError> {
    let Unzipped {
        entries,
        manifest,
        mut files,
        archive_name,
    } = unzipped;
    options.progress.step("compressing the zip", files.len());
    let previous_zip = options.previous.and_then(|p| p.archive(&archive_name));
    let (zip_bytes, written) = options.time(crate::timings::Stage::Zip, || {
        write_zip(
            sink,
            &archive_name,
            &files,
            snapshot.epoch,
            previous_zip,
            options.progress,
        )
    })?;
    files.sort_by(|a, b| a.file.cmp(&b.file));
    let cache = CacheFile::new(
        cached_entries(&entries),
        Some(CachedArchive {
            file: archive_name.clone(),
            bytes: zip_bytes,
            index: written.index,
        }),
        options.basis,
    );
    Ok(Bundle {
        entries,
        manifest,
        files,
        archive: (archive_name, zip_bytes),
        cache,
        zip_reused: written.reused,
    })
}

/// Writes the zip archive `name` of `files` (read back from `sink`) into `sink`, reusing the compressed
/// data of `previous`; its size and index.
fn write_zip(
    sink: &dyn Sink,
    name: &str,
    files: &[FileRecord],
    epoch: i64,
    previous: Option<archive::Reuse>,
    progress: &Progress,
) -> Result<(u64, archive::Written), BundleError> {
    let mut previous = previous;
    let mut written = None;
    let bytes = sink
        .write_unhashed(name, &mut |w| {
            let done = archive::write(sink, files, epoch, previous.take(), w, &|| progress.inc())
                .map_err(io::Error::other)?;
            written = Some(done);
            Ok(())
        })
        .map_err(|e| BundleError::Write(name.to_string(), e))?;
    let written = written
        .ok_or_else(|| BundleError::Write(name.to_string(), io::Error::other("not written")))?;
    Ok((bytes, written))
}

/// Writes `file` as the previous build's `old` with its `#lb-bundle` element (at `old.siblings_at`)
/// replaced by the one for `siblings`; returns its record and where the new element is.
fn refresh_siblings(
    sink: &dyn Sink,
    file: &str,
    old: &crate::package::cache::Reused,
    siblings: &str,
) -> io::Result<(FileRecord, [u64; 2])> {
    use std::io::{Read, Seek, SeekFrom};
    let [start, end] = old.siblings_at;
    let element = inline::siblings_element(siblings);
    let record = sink.write_with(file, &mut |w| match &old.from {
        ReusedFrom::Path(path) => {
            let mut f = std::fs::File::open(path)?;
            io::copy(&mut (&mut f).take(start), w)?;
            w.write_all(element.as_bytes())?;
            f.seek(SeekFrom::Start(end))?;
            io::copy(&mut f, w).map(|_| ())
        }
        ReusedFrom::Bytes(bytes) => {
            let (start, end) = (start as usize, end as usize);
            let (head, tail) = (bytes.get(..start), bytes.get(end..));
            let (Some(head), Some(tail)) = (head, tail) else {
                return Err(io::Error::other(
                    "the previous file is shorter than its cache says",
                ));
            };
            w.write_all(head)?;
            w.write_all(element.as_bytes())?;
            w.write_all(tail)
        }
    })?;
    Ok((record, [start, start + element.len() as u64]))
}

/// The bundle index segment of every open entry point (`render::search_index`), packed once for all
/// the files that carry it, with the SHA-256 of its JSON for the cache keys.
fn packed_segments(project: &Project) -> Result<Vec<PackedSegment>, BundleError> {
    use sha2::{Digest, Sha256};
    render::search_index::segments(project)
        .map_err(RenderError::from)?
        .into_par_iter()
        .map(|s| {
            Ok(PackedSegment {
                digest: Sha256::digest(s.json.as_bytes()).into(),
                text: inline::pack_shared(&s.json).map_err(InlineError::from)?,
                entry: s.entry,
            })
        })
        .collect()
}

/// What `#lb-bundle` of entry point `id` holds: every other open entry point's packed segment, in the
/// project's order, space-separated.
fn siblings_of(segments: &[PackedSegment], id: &str) -> String {
    let others: Vec<&str> = segments
        .iter()
        .filter(|s| s.entry != id)
        .map(|s| s.text.as_str())
        .collect();
    others.join(" ")
}

/// What the next build needs to know of the open entry points built (locked ones are never reused).
fn cached_entries(entries: &[BuiltEntry]) -> Vec<CachedEntry> {
    entries
        .iter()
        .filter_map(|e| {
            Some(CachedEntry {
                id: e.id.clone(),
                file: e.record.file.clone(),
                key: e.cache_key.clone()?,
                body_key: e.body_key.clone()?,
                siblings_at: e.siblings_at,
                sha256: e.record.sha256.clone(),
                diagrams: e.diagrams,
                nodes: e.nodes,
                steps: e.steps.steps.clone(),
                diagram_titles: e.steps.diagram_titles.clone(),
                changes: e.steps.counts.clone(),
            })
        })
        .collect()
}

fn write(sink: &dyn Sink, name: &str, bytes: &[u8]) -> Result<FileRecord, BundleError> {
    sink.write(name, bytes)
        .map_err(|e| BundleError::Write(name.to_string(), e))
}

/// Builds every entry point of a checked project (which must have no errors) with the project's theme
/// (built-in files, the user theme and branding) into `sink`; locked ones need their keys in `keys`. An open entry
/// point whose cache key and previous file are unchanged is taken from `options.previous` as it is.
pub fn build_entries(
    sink: &dyn Sink,
    project: &Project,
    checked: &Checked,
    theme: &Theme,
    snapshot: &Snapshot,
    ring: &KeyRing,
    options: BuildOptions,
) -> Result<Vec<BuiltEntry>, BundleError> {
    let assets = Assets::new(&theme.css, &theme.script())?;
    let tera = render::templates(theme)?;
    // Which keys open each locked entry point (empty for an open one), in project order.
    let holders: Vec<Vec<groups::Holder>> = project
        .entries
        .iter()
        .map(|e| groups::holders_of(project, e))
        .collect();
    let any_locked = holders.iter().any(|h| !h.is_empty());
    // One key derivation per key and build for the identifiers and step marks, and one for the slots'
    // wrapping keys (none when nothing is sealed here: no key, or `verify --rebuild`'s files taken as
    // they are); on all cores, as each is a 600,000-round PBKDF2.
    let keyed: Vec<(&groups::Holder, &access::AccessKey)> = if any_locked {
        ring.iter().collect()
    } else {
        Vec::new()
    };
    let seals = any_locked && options.locked_files.is_none() && !ring.is_empty();
    // Timed as sealing (`--timings`): it is what a locked file costs.
    let (key_ids, sealer) = options.time(crate::timings::Stage::Seal, || {
        rayon::join(
            || -> Vec<(groups::Holder, access::key_id::KeyIds)> {
                keyed
                    .par_iter()
                    .map(|(h, k)| ((*h).clone(), access::key_id::KeyIds::new(k)))
                    .collect()
            },
            || seals.then(|| access::Sealer::new(ring, holders.iter().cloned())),
        )
    });
    let sealer = sealer.transpose()?;
    let markers = Markers::new(project, &holders, &key_ids);
    let cx = RenderContext {
        project,
        checked,
        theme,
        snapshot,
        csp: &assets.csp,
        tera: &tera,
        basis: options.basis,
        marker: markers.as_ref().map(|m| m as &dyn crate::changes::Marker),
    };
    let segments = options.time(crate::timings::Stage::Render, || packed_segments(project))?;
    let keys = Keys::new(
        project,
        checked,
        theme,
        &assets,
        snapshot,
        &segments,
        options.basis,
    );
    options
        .progress
        .step("building entry points", project.entries.len());
    // Entry points are independent: render them on all cores. Order is kept, so output stays deterministic.
    project
        .entries
        .par_iter()
        .zip(holders.par_iter())
        .map(|(entry, holders)| {
            let file_name = format!("{}.html", entry.id);
            let source_sha256 = manifest::source_hash(project, entry, checked);
            let locked = entry.is_locked();
            let cache_key = (!locked).then(|| keys.key(entry, &source_sha256));
            let body_key = (!locked).then(|| keys.body_key(entry, &source_sha256));
            let siblings = siblings_of(&segments, &entry.id);
            let previous = options.previous.zip(cache_key.as_deref());
            if let Some(old) = previous.and_then(|(p, k)| p.entry(&entry.id, &file_name, k)) {
                let linked = match &old.from {
                    ReusedFrom::Path(path) => sink.link(&file_name, path),
                    ReusedFrom::Bytes(bytes) => sink.share(&file_name, bytes),
                };
                if !linked {
                    let copied = sink.write_with(&file_name, &mut |w| match &old.from {
                        ReusedFrom::Path(path) => {
                            io::copy(&mut std::fs::File::open(path)?, w).map(|_| ())
                        }
                        ReusedFrom::Bytes(bytes) => w.write_all(bytes),
                    });
                    copied.map_err(|e| BundleError::Write(file_name.clone(), e))?;
                }
                options.progress.inc();
                return Ok(BuiltEntry {
                    id: entry.id.clone(),
                    record: old.record,
                    diagrams: old.diagrams,
                    nodes: old.nodes,
                    source_sha256,
                    cache_key,
                    body_key,
                    siblings_at: old.siblings_at,
                    key_ids: KeyIdentifiers::default(),
                    reused: true,
                    refreshed: false,
                    steps: old.steps,
                });
            }
            // Only the other entry points' search index changed: the previous file with its
            // `#lb-bundle` element replaced is byte for byte what rendering it again would write.
            let body = options.previous.zip(body_key.as_deref());
            if let Some(old) = body.and_then(|(p, k)| p.entry_body(&entry.id, &file_name, k)) {
                let (record, siblings_at) = options
                    .time(crate::timings::Stage::Inline, || {
                        refresh_siblings(sink, &file_name, &old, &siblings)
                    })
                    .map_err(|e| BundleError::Write(file_name.clone(), e))?;
                options.progress.inc();
                return Ok(BuiltEntry {
                    id: entry.id.clone(),
                    record,
                    diagrams: old.diagrams,
                    nodes: old.nodes,
                    source_sha256,
                    cache_key,
                    body_key,
                    siblings_at,
                    key_ids: KeyIdentifiers::default(),
                    reused: false,
                    refreshed: true,
                    steps: old.steps,
                });
            }
            let mut rendered = options.time(crate::timings::Stage::Render, || {
                render::render_entry(&cx, entry)
            })?;
            rendered.siblings = siblings;
            let taken = rendered
                .public_json
                .as_ref()
                .and(options.locked_files)
                .map(|files| files(&file_name).unwrap_or_default());
            let entry_key_ids = match (&rendered.public_json, &taken) {
                (None, _) => KeyIdentifiers::default(),
                (Some(_), Some((_, taken_ids, _))) => taken_ids.clone(),
                (Some(_), None) => identifiers(&key_ids, holders, &entry.id),
            };
            let stage = match rendered.public_json {
                None => crate::timings::Stage::Inline,
                Some(_) => crate::timings::Stage::Seal,
            };
            let mut siblings_at = [0; 2];
            let record = options
                .time(stage, || match (&rendered.public_json, &sealer) {
                    (None, _) => Ok(sink.write_with(&file_name, &mut |w| {
                        siblings_at = inline::assemble(&rendered, &assets, &checked.images, w)
                            .map_err(io::Error::other)?;
                        Ok(())
                    })),
                    (Some(_), _) if taken.is_some() => Ok(sink.write(
                        &file_name,
                        taken
                            .as_ref()
                            .map(|(bytes, _, _)| bytes.as_slice())
                            .unwrap_or_default(),
                    )),
                    (Some(public), Some(sealer)) => access::lock_entry(
                        &rendered,
                        public,
                        &assets,
                        &checked.images,
                        sealer,
                        holders,
                    )
                    .map(|bytes| sink.write(&file_name, &bytes)),
                    (Some(_), None) => Err(AccessError::NoKey(vec![entry.id.clone()])),
                })?
                .map_err(|e| BundleError::Write(file_name.clone(), e))?;
            options.progress.inc();
            let steps = match taken {
                Some((_, _, steps)) => steps,
                None => rendered.steps,
            };
            Ok(BuiltEntry {
                id: entry.id.clone(),
                record,
                diagrams: rendered.diagram_count,
                nodes: rendered.node_count,
                source_sha256,
                cache_key,
                body_key,
                siblings_at,
                key_ids: entry_key_ids,
                reused: false,
                refreshed: false,
                steps,
            })
        })
        .collect()
}

/// Keyed marks of the locked entry points' steps (`changes::Marker`): each entry point's are keyed with
/// its first key (the implicit group's, else its first group's), whose identifier the comparison with
/// the previous copy checks (`Manifest::basis`: `key_id`, else the first slot's). Rotating that key
/// leaves its steps uncompared; rotating another of its keys does not.
struct Markers<'a> {
    by_entry: std::collections::HashMap<&'a str, &'a access::key_id::KeyIds>,
}

impl<'a> Markers<'a> {
    /// `None` when no locked entry point has a key here (`verify --rebuild`: nothing is marked).
    fn new(
        project: &'a Project,
        holders: &[Vec<groups::Holder>],
        key_ids: &'a [(groups::Holder, access::key_id::KeyIds)],
    ) -> Option<Markers<'a>> {
        let by_entry: std::collections::HashMap<&str, &access::key_id::KeyIds> = project
            .entries
            .iter()
            .zip(holders)
            .filter_map(|(entry, holders)| {
                let first = holders.first()?;
                let (_, ids) = key_ids.iter().find(|(h, _)| h == first)?;
                Some((entry.id.as_str(), ids))
            })
            .collect();
        (!by_entry.is_empty()).then_some(Markers { by_entry })
    }
}

impl crate::changes::Marker for Markers<'_> {
    fn key_id(&self, entry: &str) -> String {
        self.by_entry
            .get(entry)
            .map(|k| k.of(entry))
            .unwrap_or_default()
    }

    fn mark(&self, entry: &str, text: &str) -> String {
        self.by_entry
            .get(entry)
            .map(|k| crate::changes::Marker::mark(*k, entry, text))
            .unwrap_or_default()
    }
}

/// The identifiers of the keys of `holders` for entry point `entry_id`: the implicit group's as
/// `key_id`, the others' as slots (in the file's order).
fn identifiers(
    key_ids: &[(groups::Holder, access::key_id::KeyIds)],
    holders: &[groups::Holder],
    entry_id: &str,
) -> KeyIdentifiers {
    let mut out = KeyIdentifiers::default();
    for holder in holders {
        let Some((_, ids)) = key_ids.iter().find(|(h, _)| h == holder) else {
            continue;
        };
        let id = ids.of(entry_id);
        match holder {
            groups::Holder::Implicit => out.key_id = Some(id),
            other => out.key_slots.push(KeySlot {
                group: other.slot_name().to_string(),
                key_id: id,
            }),
        }
    }
    out
}
