//! The theme: page template, stylesheet, viewer script and UI strings, embedded in the binary; and the
//! continuity kit's documents (contingency document, launcher) with their stylesheet and wording.

use std::collections::BTreeMap;

use include_dir::{include_dir, Dir};

use crate::content::config::Language;

static DEFAULT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Debug, Clone)]
pub struct Theme {
    pub template: String,
    pub css: String,
    /// `payload.js`: defines `lbUnpack(text, done)`, which reads a packed payload.
    pub payload_js: String,
    /// `viewer.js`: defines `lbViewer(data, images)`.
    pub js: String,
    /// `map.js`: defines `lbMap`, which draws a diagram's map for the viewer.
    pub map_js: String,
    /// `search.js`: defines `lbSearch`, the viewer's search field and results.
    pub search_js: String,
    /// `calllog.js`: defines `lbCallLog`, the call assistant's storage (plain or sealed), call log view
    /// and exports.
    pub calllog_js: String,
    /// `call.js`: defines `lbCall`, the call assistant: fields, live values, the call notes panel.
    pub call_js: String,
    /// `layout.js`: defines `lbLayout`, the page's frame: the banner and stale alert (compact on narrow
    /// screens), the header menu, the colour scheme, the answers kept in view, the trail on one line.
    pub layout_js: String,
    /// `changes.js`: defines `lbChanges`, what changed since the previous copy: badges, counts and the
    /// `#/~changes` view.
    pub changes_js: String,
    /// `unlock.js`: reads the payload, asks for the key of a locked entry point, then starts the viewer.
    pub unlock_js: String,
    pub strings: BTreeMap<String, String>,
    pub documents: DocumentTheme,
}

/// Templates, stylesheet and wording of the documents built beside the entry points.
#[derive(Debug, Clone)]
pub struct DocumentTheme {
    pub contingency_html: String,
    pub contingency_md: String,
    pub index_html: String,
    pub css: String,
    /// `documents/<lang>.toml`: kept apart from the viewer's strings, which every entry file carries.
    pub strings: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme file `{0}` is missing")]
    Missing(String),
    #[error("theme file `{0}` is not valid: {1}")]
    Invalid(String, String),
}

impl DocumentTheme {
    /// `date` in words in the documents' language ([`crate::snapshot::long_date`] with their
    /// `months`, `day_one` and `date_format`).
    pub fn long_date(&self, date: time::Date) -> String {
        fn get<'a>(strings: &'a BTreeMap<String, String>, key: &'a str) -> &'a str {
            strings.get(key).map(String::as_str).unwrap_or(key)
        }
        let s = &self.strings;
        crate::snapshot::long_date(
            date,
            get(s, "months"),
            get(s, "day_one"),
            get(s, "date_format"),
        )
    }
}

impl Theme {
    /// The built-in theme with the UI strings of `language`.
    pub fn builtin(language: Language) -> Result<Theme, ThemeError> {
        let strings_path = format!("i18n/{}.toml", language.code());
        let strings = toml::from_str(&file(&strings_path)?)
            .map_err(|e| ThemeError::Invalid(strings_path, e.to_string()))?;
        let doc_strings_path = format!("documents/{}.toml", language.code());
        let doc_strings = toml::from_str(&file(&doc_strings_path)?)
            .map_err(|e| ThemeError::Invalid(doc_strings_path, e.to_string()))?;
        let mut theme = Theme {
            template: file("templates/entry.html")?,
            css: file("viewer.css")?,
            payload_js: file("payload.js")?,
            js: file("viewer.js")?,
            map_js: file("map.js")?,
            search_js: file("search.js")?,
            calllog_js: file("calllog.js")?,
            call_js: file("call.js")?,
            layout_js: file("layout.js")?,
            changes_js: file("changes.js")?,
            unlock_js: file("unlock.js")?,
            strings,
            documents: DocumentTheme {
                contingency_html: file("templates/contingency.html")?,
                contingency_md: file("templates/contingency.md")?,
                index_html: file("templates/index.html")?,
                css: file("document.css")?,
                strings: doc_strings,
            },
        };
        theme.share_stale_body();
        Ok(theme)
    }

    /// The page's one inline script: payload unpacking, the viewer with its map, its search and its call
    /// assistant and its frame (`layout.js`), then the start-up (and unlock) code that calls it.
    pub fn script(&self) -> String {
        [
            &self.payload_js,
            &self.js,
            &self.map_js,
            &self.search_js,
            &self.calllog_js,
            &self.call_js,
            &self.layout_js,
            &self.changes_js,
            &self.unlock_js,
        ]
        .map(String::as_str)
        .join("\n")
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

/* ---------- user theme and branding ---------- */

pub use crate::content::theme_files::USER_THEME_DIR;

/// Appended after `viewer.css` when present in the user theme: small changes without copying the file.
pub const USER_EXTRA_CSS: &str = "custom.css";

impl Theme {
    /// The theme a project builds with: built-in files, each replaced by the user theme's file of the same
    /// path (`<content>/_theme/…`) when there is one, then `custom.css`, then the site's branding (accent
    /// colours, logo) from `site.toml`. UI strings are merged key by key (user keys win).
    pub fn for_project(project: &crate::content::Project) -> Result<Theme, ThemeError> {
        let mut theme = Theme::builtin(project.site.language)?;
        if let Some(files) = &project.theme_files {
            theme.apply_user_dir(files, project.site.language)?;
        }
        // The launcher and the contingency document carry the same branding as the entry files.
        let branding = branding_css(project)?;
        theme.css.push_str(&branding);
        theme.documents.css.push_str(&branding);
        theme.share_stale_body();
        Ok(theme)
    }

    /// The launcher says the viewer's stale sentence (`stale_body`, of the UI strings): one sentence for
    /// every reader of the bundle, a user theme's included.
    fn share_stale_body(&mut self) {
        let body = self.string("stale_body").to_string();
        self.documents.strings.insert("stale_body".into(), body);
    }

    fn apply_user_dir(
        &mut self,
        files: &crate::content::theme_files::ThemeFiles,
        language: Language,
    ) -> Result<(), ThemeError> {
        let read = |rel: &str| user_file(files, rel);
        let lang = language.code();
        if let Some(t) = read("templates/entry.html")? {
            self.template = t;
        }
        if let Some(t) = read("viewer.css")? {
            self.css = t;
        }
        if let Some(t) = read(USER_EXTRA_CSS)? {
            self.css.push('\n');
            self.css.push_str(&t);
        }
        if let Some(t) = read("payload.js")? {
            self.payload_js = t;
        }
        if let Some(t) = read("viewer.js")? {
            self.js = t;
        }
        if let Some(t) = read("map.js")? {
            self.map_js = t;
        }
        if let Some(t) = read("search.js")? {
            self.search_js = t;
        }
        if let Some(t) = read("calllog.js")? {
            self.calllog_js = t;
        }
        if let Some(t) = read("call.js")? {
            self.call_js = t;
        }
        if let Some(t) = read("layout.js")? {
            self.layout_js = t;
        }
        if let Some(t) = read("changes.js")? {
            self.changes_js = t;
        }
        if let Some(t) = read("unlock.js")? {
            self.unlock_js = t;
        }
        let strings_path = format!("i18n/{lang}.toml");
        if let Some(t) = read(&strings_path)? {
            let extra: BTreeMap<String, String> = toml::from_str(&t).map_err(|e| {
                ThemeError::Invalid(format!("{USER_THEME_DIR}/{strings_path}"), e.to_string())
            })?;
            self.strings.extend(extra);
        }
        let docs = &mut self.documents;
        for (rel, field) in [
            ("templates/contingency.html", &mut docs.contingency_html),
            ("templates/contingency.md", &mut docs.contingency_md),
            ("templates/index.html", &mut docs.index_html),
            ("document.css", &mut docs.css),
        ] {
            if let Some(t) = read(rel)? {
                *field = t;
            }
        }
        let doc_strings_path = format!("documents/{lang}.toml");
        if let Some(t) = read(&doc_strings_path)? {
            let extra: BTreeMap<String, String> = toml::from_str(&t).map_err(|e| {
                ThemeError::Invalid(
                    format!("{USER_THEME_DIR}/{doc_strings_path}"),
                    e.to_string(),
                )
            })?;
            docs.strings.extend(extra);
        }
        Ok(())
    }
}

/// The text of the user theme's file `rel`, if there is one; an error if it leads outside the content
/// folder or cannot be read (as the loader found it).
pub(crate) fn user_file(
    files: &crate::content::theme_files::ThemeFiles,
    rel: &str,
) -> Result<Option<String>, ThemeError> {
    files
        .text(rel)
        .map(|t| t.map(String::from))
        .map_err(|e| ThemeError::Invalid(format!("{USER_THEME_DIR}/{rel}"), e))
}

/// CSS for `accent`, `accent_dark` and `logo` of site.toml, from the values the loader parsed
/// (`content::branding`; `check::branding` reports the unusable ones). The same CSS follows `viewer.css`
/// and `document.css`: both use `--accent` and `.lb-brand-logo`.
fn branding_css(project: &crate::content::Project) -> Result<String, ThemeError> {
    use base64::Engine;

    let branding = &project.branding;
    let hex = |[r, g, b]: [u8; 3]| format!("#{r:02x}{g:02x}{b:02x}");
    let mut css = String::new();
    if let Some(accent) = branding.accent.map(hex) {
        css.push_str(&format!(
            "\n:root{{--accent:{accent};--note:{accent}}}\n@media print{{:root{{--accent:#000000}}}}\n"
        ));
    }
    if let Some(dark) = branding.accent_dark.map(hex) {
        css.push_str(&format!(
            "@media screen and (prefers-color-scheme:dark){{:root:not([data-scheme=\"light\"]){{--accent:{dark};--note:{dark}}}}}\n@media screen{{:root[data-scheme=\"dark\"]{{--accent:{dark};--note:{dark}}}}}\n"
        ));
    }
    if let (Some(raw), Some(logo)) = (&project.site.logo, &branding.logo) {
        let shown = format!("logo {}", raw.get_ref());
        let logo = logo
            .as_ref()
            .map_err(|e| ThemeError::Invalid(shown.clone(), e.clone()))?;
        let bytes =
            std::fs::read(&logo.path).map_err(|e| ThemeError::Invalid(shown, e.to_string()))?;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        css.push_str(&format!(
            ".lb-brand-logo{{display:block;background-image:url(\"data:{};base64,{data}\")}}\n",
            logo.mime
        ));
    }
    Ok(css)
}

/// A stylesheet parsed, minified and printed as it goes into a page (lightningcss); the error says why
/// it cannot be used. `check` runs the user theme's stylesheets through it, so it predicts the build.
pub fn minify_css(css: &str) -> Result<String, String> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    let mut sheet = StyleSheet::parse(css, ParserOptions::default()).map_err(|e| e.to_string())?;
    sheet
        .minify(MinifyOptions::default())
        .map_err(|e| e.to_string())?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .map_err(|e| e.to_string())?;
    Ok(printed.code)
}
