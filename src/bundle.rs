//! Everything a build produces, in memory: render each entry point and assemble its file, then the
//! manifest, the documents and the zip archive that make up the rest of the bundle.

use rayon::prelude::*;

use crate::access::{self, AccessError, AccessKey};
use crate::check::Checked;
use crate::content::Project;
use crate::inline::{self, Assets, InlineError};
use crate::package::archive::{self, ArchiveError};
use crate::package::documents::{self, DocumentError};
use crate::package::manifest::{self, EntryRecord, FileRecord, Manifest};
use crate::render::{self, RenderContext, RenderError};
use crate::snapshot::Snapshot;
use crate::theme::{Theme, ThemeError};

/// A built entry point file.
#[derive(Debug, Clone)]
pub struct BuiltEntry {
    pub id: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub diagrams: usize,
    pub nodes: usize,
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
    let theme = Theme::for_project(project)?;
    let entries = build_entries(project, checked, &theme, snapshot, key)?;
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
                project,
                checked,
                entry,
                &built.file_name,
                &built.bytes,
                (built.diagrams, built.nodes),
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
    let zip = archive::zip(&files, snapshot.epoch)?;
    files.push((archive_name, zip));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Bundle {
        entries,
        manifest,
        files,
    })
}

/// Builds every entry point of a checked project (which must have no errors) with the project's theme
/// (built-in files, the user theme and branding); locked ones need `key`.
pub fn build_entries(
    project: &Project,
    checked: &Checked,
    theme: &Theme,
    snapshot: &Snapshot,
    key: Option<&AccessKey>,
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
    // Entry points are independent: render them on all cores. Order is kept, so output stays deterministic.
    project
        .entries
        .par_iter()
        .map(|entry| {
            let rendered = render::render_entry(&cx, entry)?;
            let bytes = match (&rendered.public_json, key) {
                (None, _) => inline::assemble(&rendered, &assets, &checked.images)?,
                (Some(public), Some(key)) => {
                    access::lock_entry(&rendered, public, &assets, &checked.images, key)?
                }
                (Some(_), None) => return Err(AccessError::NoKey(vec![entry.id.clone()]).into()),
            };
            Ok(BuiltEntry {
                id: entry.id.clone(),
                file_name: format!("{}.html", entry.id),
                bytes,
                diagrams: rendered.diagram_count,
                nodes: rendered.node_count,
            })
        })
        .collect()
}
