//! Authoring helpers: the starter project of `lifeboat init`, the files of `lifeboat new`, and the JSON
//! Schemas of the TOML files.

pub mod schema;
pub mod starter;

use std::fs;
use std::path::Path;

use anyhow::{bail, Context};

use crate::content::config::Language;
use crate::content::is_valid_id;

/// Refuses ids that could not be file names and URL fragments.
pub fn require_id(what: &str, id: &str) -> anyhow::Result<()> {
    if !is_valid_id(id) {
        bail!("invalid {what} id `{id}`: use letters, digits, `-` and `_` only (it becomes a file name and part of links)");
    }
    Ok(())
}

/// A readable title from an id: `no-internet` -> "No internet".
pub fn title_from_id(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A TOML basic string holding `text`, quotes and escapes included.
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The language of an existing content folder's site.toml; English when it cannot be read.
pub fn site_language(content: &Path) -> Language {
    #[derive(serde::Deserialize)]
    struct Site {
        language: Language,
    }
    fs::read_to_string(content.join("site.toml"))
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|table| toml::Value::Table(table).try_into::<Site>().ok())
        .map_or(Language::En, |site| site.language)
}

/// Writes a new file, refusing to replace one (create_new: no race with another writer).
pub fn create_file(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists; lifeboat does not overwrite it",
                    path.display()
                )
            }
            _ => anyhow::Error::new(e).context(format!("creating {}", path.display())),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Front matter and two nodes linked by an answer: the smallest diagram `check` accepts.
pub fn diagram_text(title: &str, language: Language) -> String {
    let (intro, start, body, answer, end, end_body) = match language {
        Language::Fr => (
            "Décrivez ici quand utiliser cette procédure.",
            "Première étape",
            "Ce que l'agent dit ou vérifie.",
            "C'est fait",
            "Fin de la procédure",
            "Remerciez le client.",
        ),
        Language::En => (
            "Say here when to use this procedure.",
            "First step",
            "What the agent says or checks.",
            "Done",
            "End of the procedure",
            "Thank the customer.",
        ),
    };
    format!(
        "+++\ntitle = {}\ndescription = \"\"\ntags = []\n+++\n\n{intro}\n\n## {start} {{#start}}\n\n{body}\n\n- [{answer}](#end)\n\n## {end} {{#end}}\n\n{end_body}\n",
        toml_string(title)
    )
}

/// An entry.toml whose start is diagram `start`; points at the schema when one is at hand.
pub fn entry_text(title: &str, start: &str, schema_line: Option<&str>) -> String {
    let mut text = String::new();
    if let Some(path) = schema_line {
        text.push_str(&format!("#:schema {path}\n"));
    }
    text.push_str(&format!(
        "title = {}\ndescription = \"\"\nstart = {}\naccess = \"open\"\n",
        toml_string(title),
        toml_string(start)
    ));
    text
}

/// The `#:schema` path for an entry.toml in `content/<entry>/`, when `lifeboat init`'s `schemas/` folder
/// sits beside the content folder.
pub fn entry_schema_path(content: &Path) -> Option<&'static str> {
    let schemas = content.join("..").join("schemas").join(schema::ENTRY);
    schemas
        .is_file()
        .then_some("../../schemas/entry.schema.json")
}
