//! Every UI string the theme asks for exists. A key missing from the strings (`i18n/<lang>.toml`, the
//! user theme's merged over the built-in's) would otherwise reach the page as the key itself: the viewer's
//! `S('key')` and [`Theme::string`] both fall back to it. The build stops instead, naming the key, the
//! file that uses it and the file to add it to.

use crate::content::config::Language;
use crate::theme::{Theme, USER_THEME_DIR};

/// Keys the build looks up itself with [`Theme::string`] (`render/html.rs`, `render/locked.rs`,
/// `render/map.rs`), with the file that does.
const BUILD_KEYS: &[(&str, &str)] = &[
    ("footnotes", "src/render/html.rs"),
    ("callout_caution", "src/render/html.rs"),
    ("callout_note", "src/render/html.rs"),
    ("callout_important", "src/render/html.rs"),
    ("callout_tip", "src/render/html.rs"),
    ("callout_warning", "src/render/html.rs"),
    ("locked_title", "src/render/locked.rs"),
    ("protected_procedure", "src/render/map.rs"),
];

#[derive(Debug, thiserror::Error)]
#[error("UI string `{key}` is missing: {used_in} uses it, and no strings file defines it; add `{key} = \"…\"` to {strings_file}")]
pub struct MissingString {
    pub key: String,
    /// The theme file that asks for it, as the author knows it (`_theme/viewer.js`, or the built-in's).
    pub used_in: String,
    /// Where it belongs: the user theme's strings file.
    pub strings_file: String,
}

/// Every key the template (`{{ t.key }}`), the scripts (`S('key')`) and the build use, with the theme file
/// that uses it, in file order.
pub fn used_keys(theme: &Theme) -> Vec<(String, &'static str)> {
    let mut used = Vec::new();
    for key in template_keys(&theme.template) {
        used.push((key, "templates/entry.html"));
    }
    for (file, text) in [
        ("payload.js", &theme.payload_js),
        ("viewer.js", &theme.js),
        ("map.js", &theme.map_js),
        ("search.js", &theme.search_js),
        ("calllog.js", &theme.calllog_js),
        ("call.js", &theme.call_js),
        ("layout.js", &theme.layout_js),
        ("changes.js", &theme.changes_js),
        ("unlock.js", &theme.unlock_js),
    ] {
        for key in script_keys(text) {
            used.push((key, file));
        }
    }
    for (key, file) in BUILD_KEYS {
        used.push((key.to_string(), file));
    }
    used
}

/// The first key the theme uses that its strings lack, as an error; `root` is the content folder (to say
/// whether the file using it is the user theme's).
pub fn verify(
    theme: &Theme,
    language: Language,
    user: Option<&crate::content::theme_files::ThemeFiles>,
) -> Result<(), MissingString> {
    let Some((key, file)) = used_keys(theme)
        .into_iter()
        .find(|(key, _)| !theme.strings.contains_key(key))
    else {
        return Ok(());
    };
    let used_in = if file.starts_with("src/") {
        format!("the build (`{file}`)")
    } else if user.is_some_and(|u| u.has(file)) {
        format!("`{USER_THEME_DIR}/{file}`")
    } else {
        format!("the default theme's `{file}`")
    };
    Err(MissingString {
        key,
        used_in,
        strings_file: format!("`{USER_THEME_DIR}/i18n/{}.toml`", language.code()),
    })
}

/// `key` of each `t.key` inside the template's `{{ … }}` and `{% … %}` tags.
fn template_keys(template: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{']) {
        let tag = &rest[open..];
        let close = match tag.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                rest = &rest[open + 1..];
                continue;
            }
        };
        let Some(end) = tag.find(close) else { break };
        keys.extend(prefixed_names(&tag[2..end], "t.", false));
        rest = &tag[end + 2..];
    }
    keys
}

/// `key` of each `S('key'` in a script (`S` standing alone or as `cx.S`).
fn script_keys(script: &str) -> Vec<String> {
    prefixed_names(script, "S('", true)
}

/// The `[a-z0-9_]+` names right after each `prefix` in `text` that does not continue an identifier (nor,
/// unless `after_dot`, a path: `page.t.x` is not `t.x`).
fn prefixed_names(text: &str, prefix: &str, after_dot: bool) -> Vec<String> {
    let continues =
        |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$' || (c == '.' && !after_dot);
    let mut names = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        if text[..at].chars().next_back().is_some_and(continues) {
            continue;
        }
        let name: String = text[at + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests;
