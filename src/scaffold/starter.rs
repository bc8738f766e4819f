//! The starter project written by `lifeboat init`: real files under `starter/` at the top of the
//! repository, embedded in the binary. The JSON Schemas are generated, not copied, so they always match.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::content::config::Language;

/// (path in the new project, contents).
type Files = &'static [(&'static str, &'static str)];

macro_rules! starter {
    ($($lang:literal => $path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../starter/", $lang, "/", $path)))),*]
    };
}

const SHARED: Files = starter![
    "shared" => "content/procedures/images/modem.svg",
];

const FR: Files = starter![
    "fr" => ".gitignore",
    "fr" => ".github/workflows/lifeboat.yml",
    "fr" => "README.md",
    "fr" => "content/site.toml",
    "fr" => "content/procedures/entry.toml",
    "fr" => "content/procedures/panne-internet.md",
    "fr" => "content/procedures/redemarrer-modem.md",
];

const EN: Files = starter![
    "en" => ".gitignore",
    "en" => ".github/workflows/lifeboat.yml",
    "en" => "README.md",
    "en" => "content/site.toml",
    "en" => "content/procedures/entry.toml",
    "en" => "content/procedures/no-internet.md",
    "en" => "content/procedures/restart-modem.md",
];

/// Every file of the starter project in `language`, schemas included.
pub fn files(language: Language) -> Vec<(String, String)> {
    let texts = match language {
        Language::Fr => FR,
        Language::En => EN,
    };
    let mut files: Vec<(String, String)> = texts
        .iter()
        .chain(SHARED)
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    for (name, text) in super::schema::generate() {
        files.push((format!("schemas/{name}"), text));
    }
    files.sort();
    files
}

/// Writes the starter project into `dir`. Refuses a folder that holds anything unless `force`.
pub fn write(dir: &Path, language: Language, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("`{}` exists and is not a folder", dir.display());
        }
        let not_empty = fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_some();
        if not_empty && !force {
            bail!(
                "`{}` is not empty; `lifeboat init` starts a new project in an empty or new folder \
                 (pass --force to write the starter files into it anyway, replacing files of the same name)",
                dir.display()
            );
        }
    }
    let mut written = Vec::new();
    for (path, text) in files(language) {
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&target, text).with_context(|| format!("writing {}", target.display()))?;
        written.push(PathBuf::from(path));
    }
    Ok(written)
}
