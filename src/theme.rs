//! The theme: page template, stylesheet, viewer script and UI strings, embedded in the binary.

use std::collections::BTreeMap;

use include_dir::{include_dir, Dir};

use crate::content::config::Language;

static DEFAULT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Debug, Clone)]
pub struct Theme {
    pub template: String,
    pub css: String,
    pub js: String,
    pub strings: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme file `{0}` is missing")]
    Missing(String),
    #[error("theme file `{0}` is not valid: {1}")]
    Invalid(String, String),
}

impl Theme {
    /// The built-in theme with the UI strings of `language`.
    pub fn builtin(language: Language) -> Result<Theme, ThemeError> {
        let strings_path = format!("i18n/{}.toml", language.code());
        let strings = toml::from_str(&file(&strings_path)?)
            .map_err(|e| ThemeError::Invalid(strings_path, e.to_string()))?;
        Ok(Theme {
            template: file("templates/entry.html")?,
            css: file("viewer.css")?,
            js: file("viewer.js")?,
            strings,
        })
    }

    pub fn string<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).map(String::as_str).unwrap_or(key)
    }
}

fn file(path: &str) -> Result<String, ThemeError> {
    DEFAULT
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .map(String::from)
        .ok_or_else(|| ThemeError::Missing(path.to_string()))
}
