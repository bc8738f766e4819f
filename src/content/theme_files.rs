//! The user theme folder `_theme/`, read once, at load, like the rest of the content folder: `check`
//! (trust, stylesheets, the key scan), the theme (`theme::Theme::for_project`), the strings check and
//! the manifest's digest all read it from here, never from the disk again.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The user theme folder inside a content folder. Its name starts with `_`, so the loader does not take
/// it for an entry point, and it sits inside the content folder, so the build reads nothing outside.
pub const USER_THEME_DIR: &str = "_theme";

/// The files of `_theme/`, by their path inside it (`/`-separated), sorted.
#[derive(Debug, Default)]
pub struct ThemeFiles {
    files: BTreeMap<String, ThemeFile>,
}

/// One file of `_theme/`.
#[derive(Debug)]
pub struct ThemeFile {
    /// The bytes, or why the file cannot be used (it leads outside the content folder, it cannot be
    /// read).
    pub content: Result<Arc<[u8]>, String>,
    /// Reached through a symbolic link (inside the content folder): used by the theme, but left out of
    /// the digest and of the key scan, which see the file it leads to where it is.
    pub linked: bool,
}

impl ThemeFiles {
    /// Reads `<root>/_theme/`; `None` when there is no such folder.
    pub fn read(root: &Path) -> Option<ThemeFiles> {
        let dir = root.join(USER_THEME_DIR);
        if !dir.is_dir() {
            return None;
        }
        let mut files = BTreeMap::new();
        let walk = walkdir::WalkDir::new(&dir).follow_links(false);
        for item in walk.into_iter().filter_map(Result::ok) {
            let Ok(rel) = item.path().strip_prefix(&dir) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let kind = item.file_type();
            let file = if kind.is_file() {
                ThemeFile {
                    content: std::fs::read(item.path())
                        .map(Arc::from)
                        .map_err(|e| e.to_string()),
                    linked: false,
                }
            } else if kind.is_symlink() {
                let content = match item.path().canonicalize() {
                    // A link to nothing: as if the file were not there.
                    Err(_) => continue,
                    Ok(real) if !real.starts_with(root) => {
                        Err("leads outside the content folder".into())
                    }
                    Ok(real) if !real.is_file() => continue,
                    Ok(real) => std::fs::read(real)
                        .map(Arc::from)
                        .map_err(|e| e.to_string()),
                };
                ThemeFile {
                    content,
                    linked: true,
                }
            } else {
                continue;
            };
            files.insert(rel, file);
        }
        Some(ThemeFiles { files })
    }

    /// The text of `rel`, if the theme has it; an error saying why it cannot be used (not UTF-8, leads
    /// outside the content folder, unreadable).
    pub fn text(&self, rel: &str) -> Result<Option<&str>, String> {
        let Some(file) = self.files.get(rel) else {
            return Ok(None);
        };
        let bytes = file.content.as_ref().map_err(Clone::clone)?;
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "stream did not contain valid UTF-8".to_string())
    }

    /// Whether the theme has a file at `rel` (usable or not).
    pub fn has(&self, rel: &str) -> bool {
        self.files.contains_key(rel)
    }

    /// Every file, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ThemeFile)> {
        self.files.iter().map(|(rel, f)| (rel.as_str(), f))
    }
}
