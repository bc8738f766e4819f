//! Everything a build produces, in memory: render each entry point and assemble its file.

use rayon::prelude::*;

use crate::check::Checked;
use crate::content::Project;
use crate::inline::{self, Assets, InlineError};
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
}

/// Builds every entry point of a checked project (which must have no errors).
pub fn build_entries(
    project: &Project,
    checked: &Checked,
    snapshot: &Snapshot,
) -> Result<Vec<BuiltEntry>, BundleError> {
    let theme = Theme::builtin(project.site.language)?;
    let assets = Assets::new(&theme.css, &theme.js)?;
    let tera = render::templates(&theme)?;
    let cx = RenderContext {
        project,
        checked,
        theme: &theme,
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
            let bytes = inline::assemble(&rendered, &assets, &checked.images)?;
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
