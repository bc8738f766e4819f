//! Everything a build produces, in memory: render each entry point and assemble its file, then the
//! manifest, the documents and the zip archive that make up the rest of the bundle.

use rayon::prelude::*;

use crate::access::{self, AccessError, AccessKey};
use crate::check::Checked;
use crate::content::Project;
use crate::inline::{self, Assets, InlineError};
use crate::package::archive::{self, ArchiveError};
use crate::package::cache::{CacheFile, CachedEntry, Keys, Previous};
use crate::package::documents::{self, DocumentError};
use crate::package::manifest::{self, EntryRecord, FileRecord, Manifest};
use crate::progress::Progress;
use crate::render::{self, RenderContext, RenderError};
use crate::snapshot::Snapshot;
use crate::theme::{Theme, ThemeError};

/// A built entry point file.
#[derive(Debug, Clone)]
pub struct BuiltEntry {
    pub id: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`.
    pub sha256: String,
    pub diagrams: usize,
    pub nodes: usize,
    /// SHA-256 over the entry point's sources (`manifest::source_hash`).
    pub source_sha256: String,
    /// Cache key (`package::cache`); `None` for a locked entry point, which is never reused.
    pub cache_key: Option<String>,
    /// True when the file was taken from the previous build instead of being rendered.
    pub reused: bool,
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
    Archive(#[from] ArchiveError),
    #[error("entry point `{0}` would be written as `{1}`, a name the bundle uses for itself; rename its folder")]
    ReservedName(String, String),
}

/// A whole bundle: its entry points and every file of the output folder, sorted by name.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub entries: Vec<BuiltEntry>,
    pub manifest: Manifest,
    pub files: Vec<(String, Vec<u8>)>,
    /// What the next build into the same folder can reuse (written beside the bundle, not part of it).
    pub cache: CacheFile,
    /// Zip members whose compressed data came from the previous archive, and the members in all.
    pub zip_reused: (usize, usize),
}

/// How a build may use the previous output and show its progress.
#[derive(Clone, Copy)]
pub struct BuildOptions<'a> {
    /// The previous output folder's cache; `None` for a full build.
    pub previous: Option<&'a Previous>,
    pub progress: &'a Progress,
}

/// Builds the bundle of a checked project (which must have no errors): entry points, then the launcher
/// and contingency documents (which list the entry points' checksums), then the manifest (which lists
/// every file's checksum), then the zip of all of them. Locked entry points are sealed with `key`.
pub fn build(
    project: &Project,
    checked: &Checked,
    snapshot: &Snapshot,
    key: Option<&AccessKey>,
) -> Result<Bundle, BundleError> {
    let progress = Progress::hidden();
    let options = BuildOptions {
        previous: None,
        progress: &progress,
    };
    build_with(project, checked, snapshot, key, options)
}

/// [`build`], reusing what did not change from the previous output (`options.previous`) and showing
/// progress; the bundle is byte-identical to a full build's (except locked entry points, always new).
pub fn build_with(
    project: &Project,
    checked: &Checked,
    snapshot: &Snapshot,
    key: Option<&AccessKey>,
    options: BuildOptions,
) -> Result<Bundle, BundleError> {
    let theme = Theme::for_project(project)?;
    let entries = build_entries(project, checked, &theme, snapshot, key, options)?;
    let archive_name = manifest::archive_name(&project.site.name, &snapshot.date);
    let reserved = [
        documents::INDEX_HTML,
        documents::CONTINGENCY_HTML,
        documents::CONTINGENCY_MD,
        manifest::FILE_NAME,
        archive_name.as_str(),
    ];
    if let Some(e) = entries
        .iter()
        .find(|e| reserved.contains(&e.file_name.as_str()))
    {
        return Err(BundleError::ReservedName(e.id.clone(), e.file_name.clone()));
    }
    let records: Vec<EntryRecord> = entries
        .iter()
        .filter_map(|built| {
            let entry = project.entry(&built.id)?;
            Some(EntryRecord::of(
                entry,
                (&built.file_name, &built.bytes, &built.sha256),
                (built.diagrams, built.nodes),
                built.source_sha256.clone(),
            ))
        })
        .collect();
    let mut manifest = Manifest::new(project, snapshot, records);
    let docs = documents::render(&theme.documents, project.site.language, project, &manifest)?;
    manifest.documents = docs
        .iter()
        .map(|(name, bytes)| FileRecord::of(name, bytes))
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|e| (e.file_name.clone(), e.bytes.clone()))
        .chain(docs)
        .collect();
    files.push((
        manifest::FILE_NAME.to_string(),
        manifest.to_toml().into_bytes(),
    ));
    options.progress.step("compressing the zip", files.len());
    let previous_zip = options.previous.and_then(|p| p.archive(&archive_name));
    let progress = options.progress;
    let (zip, zip_reused) =
        archive::zip_reusing(&files, snapshot.epoch, previous_zip.as_deref(), &|| {
            progress.inc()
        })?;
    let zip_reused = (zip_reused, files.len());
    files.push((archive_name, zip));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let cache = CacheFile::new(
        entries
            .iter()
            .filter_map(|e| {
                Some(CachedEntry {
                    id: e.id.clone(),
                    file: e.file_name.clone(),
                    key: e.cache_key.clone()?,
                    sha256: e.sha256.clone(),
                    diagrams: e.diagrams,
                    nodes: e.nodes,
                })
            })
            .collect(),
    );
    Ok(Bundle {
        entries,
        manifest,
        files,
        cache,
        zip_reused,
    })
}

/// Builds every entry point of a checked project (which must have no errors) with the project's theme
/// (built-in files, the user theme and branding); locked ones need `key`. An open entry point whose
/// cache key and previous file are unchanged is taken from `options.previous` as it is.
pub fn build_entries(
    project: &Project,
    checked: &Checked,
    theme: &Theme,
    snapshot: &Snapshot,
    key: Option<&AccessKey>,
    options: BuildOptions,
) -> Result<Vec<BuiltEntry>, BundleError> {
    let assets = Assets::new(&theme.css, &theme.script())?;
    let tera = render::templates(theme)?;
    let cx = RenderContext {
        project,
        checked,
        theme,
        snapshot,
        csp: &assets.csp,
        tera: &tera,
    };
    let keys = Keys::new(project, checked, theme, &assets, snapshot);
    options
        .progress
        .step("building entry points", project.entries.len());
    // Entry points are independent: render them on all cores. Order is kept, so output stays deterministic.
    project
        .entries
        .par_iter()
        .map(|entry| {
            let file_name = format!("{}.html", entry.id);
            let source_sha256 = manifest::source_hash(project, entry, checked);
            let locked = access::is_locked(entry);
            let cache_key = (!locked).then(|| keys.key(entry, &source_sha256));
            let previous = options.previous.zip(cache_key.as_deref());
            if let Some(old) = previous.and_then(|(p, k)| p.entry(&entry.id, &file_name, k)) {
                options.progress.inc();
                return Ok(BuiltEntry {
                    id: entry.id.clone(),
                    file_name,
                    bytes: old.bytes,
                    sha256: old.sha256,
                    diagrams: old.diagrams,
                    nodes: old.nodes,
                    source_sha256,
                    cache_key,
                    reused: true,
                });
            }
            let rendered = render::render_entry(&cx, entry)?;
            let bytes = match (&rendered.public_json, key) {
                (None, _) => inline::assemble(&rendered, &assets, &checked.images)?,
                (Some(public), Some(key)) => {
                    access::lock_entry(&rendered, public, &assets, &checked.images, key)?
                }
                (Some(_), None) => return Err(AccessError::NoKey(vec![entry.id.clone()]).into()),
            };
            options.progress.inc();
            Ok(BuiltEntry {
                id: entry.id.clone(),
                file_name,
                sha256: manifest::sha256_hex(&bytes),
                bytes,
                diagrams: rendered.diagram_count,
                nodes: rendered.node_count,
                source_sha256,
                cache_key,
                reused: false,
            })
        })
        .collect()
}
