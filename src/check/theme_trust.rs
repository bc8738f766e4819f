//! A user theme (`_theme/`) may restyle the pages and reword them, but not run code: a theme that
//! replaces a script, or a template that adds script or changes the Content-Security-Policy, would run
//! in every agent's browser. Such a theme is refused unless `site.toml` says `[theme] trusted = true`;
//! then each overriding file is named in a warning, and the manifest records the theme's SHA-256
//! (`UserTheme`), so IT can see which theme a bundle was built with.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::content::Project;
use crate::diagnostics::{Diagnostic, FileId, Report};
use crate::theme::{self, Theme, USER_THEME_DIR};

/// Theme files that are script: replacing one replaces code that runs in the page.
pub const SCRIPT_FILES: [&str; 9] = [
    "payload.js",
    "viewer.js",
    "map.js",
    "search.js",
    "calllog.js",
    "call.js",
    "layout.js",
    "changes.js",
    "unlock.js",
];

/// Page templates, each checked against the built-in template of the same path.
const TEMPLATES: [&str; 3] = [
    "templates/entry.html",
    "templates/contingency.html",
    "templates/index.html",
];

/// What the manifest records of a user theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserTheme {
    /// `[theme] trusted` of site.toml.
    pub trusted: bool,
    /// Files of `_theme/` that change script or the CSP (allowed only when trusted).
    pub code_files: Vec<String>,
    /// SHA-256 over every file of `_theme/`: each path, a NUL, its SHA-256, a newline, sorted by path.
    pub sha256: String,
}

/// Checks the user theme of `project`; `None` when there is none.
pub fn check(project: &Project, report: &mut Report) -> Option<UserTheme> {
    let files = project.theme_files.as_ref()?;
    let builtin = Theme::builtin(project.site.language).ok()?;
    let trusted = project.site.theme.trusted;
    let mut code_files = Vec::new();
    let read = |rel: &str| theme::user_file(files, rel).ok().flatten();
    for rel in SCRIPT_FILES {
        if read(rel).is_some() {
            code_files.push((
                rel.to_string(),
                "replaces a script of the viewer".to_string(),
            ));
        }
    }
    for rel in TEMPLATES {
        if let Some(text) = read(rel) {
            let original = builtin_template(&builtin, rel);
            if let Some(why) = template_runs_code(&text, original) {
                code_files.push((rel.to_string(), why));
            }
        }
    }
    for (rel, why) in &code_files {
        let file = theme_file(report, project, rel);
        let shown = format!("{USER_THEME_DIR}/{rel}");
        report.push(if trusted {
            Diagnostic::warning(format!(
                "`{shown}` {why}: it runs in every agent's browser (the theme is trusted in site.toml)"
            ))
            .in_file(file)
        } else {
            Diagnostic::error(format!("`{shown}` {why}: a theme may not run code in the pages"))
                .in_file(file)
                .label("theme code")
                .hint("remove the file, or, if you wrote and reviewed it, add `[theme]` with `trusted = true` to site.toml")
        });
    }
    check_styles(project, &builtin, &read, report);
    Some(UserTheme {
        trusted,
        code_files: code_files.into_iter().map(|(rel, _)| rel).collect(),
        sha256: digest(files),
    })
}

/// The user stylesheets go through the same CSS processing as at build time (`custom.css` after the
/// viewer's stylesheet), so `check` finds what would stop the build.
fn check_styles(
    project: &Project,
    builtin: &Theme,
    read: &dyn Fn(&str) -> Option<String>,
    report: &mut Report,
) {
    let viewer = read("viewer.css");
    let custom = read(theme::USER_EXTRA_CSS);
    let base = viewer.clone().unwrap_or_else(|| builtin.css.clone());
    let sheets = [
        ("viewer.css", viewer.clone()),
        (
            theme::USER_EXTRA_CSS,
            custom.map(|custom| format!("{base}\n{custom}")),
        ),
        ("document.css", read("document.css")),
    ];
    for (rel, css) in sheets {
        let Some(css) = css else { continue };
        let Err(e) = theme::minify_css(&css) else {
            continue;
        };
        let text = read(rel).unwrap_or_default();
        let file = theme_file(report, project, rel);
        let shown = format!("{USER_THEME_DIR}/{rel}");
        let d = if text.to_ascii_lowercase().contains("@import") {
            Diagnostic::error(format!(
                "`{shown}` uses `@import`: an offline file loads no other stylesheet"
            ))
            .hint("paste the imported rules into the file instead")
        } else {
            Diagnostic::error(format!("`{shown}` cannot be used: {e}"))
        };
        report.push(d.in_file(file).label("stylesheet"));
    }
}

fn builtin_template<'a>(theme: &'a Theme, rel: &str) -> &'a str {
    match rel {
        "templates/entry.html" => &theme.template,
        "templates/contingency.html" => &theme.documents.contingency_html,
        _ => &theme.documents.index_html,
    }
}

/// The report's file for `_theme/<rel>` (the pipeline adds the theme's files for the key scan), or a new one.
fn theme_file(report: &mut Report, project: &Project, rel: &str) -> FileId {
    let suffix = format!("{USER_THEME_DIR}/{rel}");
    let found = report.files().find_map(|(id, name, _)| {
        let name = name.replace('\\', "/");
        (name == suffix || name.ends_with(&format!("/{suffix}"))).then_some(id)
    });
    found.unwrap_or_else(|| {
        let text = project
            .theme_files
            .as_ref()
            .and_then(|files| files.text(rel).ok().flatten())
            .unwrap_or_default()
            .to_string();
        report.add_file(suffix, text)
    })
}

/// Why a user template would run code or change what the page may load, compared with the built-in
/// template it replaces; `None` when it only changes markup, wording and style.
///
/// The page's CSP is a `<meta>` element, which governs only what follows it: the template must start
/// exactly as the built-in one does, up to and including that element. After it, the only `<script>`
/// elements allowed are the built-in ones (whose contents the build fills and hashes), and no element
/// may change the page's rules or where it goes (`http-equiv`, `<base>`, frames, plug-ins).
pub fn template_runs_code(user: &str, builtin: &str) -> Option<String> {
    let user = user.replace("\r\n", "\n");
    let lower = user.to_ascii_lowercase();
    let csp_end = |text: &str| {
        let at = text.find("content-security-policy")?;
        Some(at + text[at..].find('>')? + 1)
    };
    let builtin_lower = builtin.to_ascii_lowercase();
    let Some(end) = csp_end(&builtin_lower) else {
        return None; // a built-in template without a CSP has nothing to keep
    };
    if !user.starts_with(&builtin[..end]) {
        return Some(format!(
            "changes the page's head before or in its Content-Security-Policy (it must start as the built-in template does, up to `{}`)",
            builtin[..end].lines().last().unwrap_or("").trim()
        ));
    }
    // Whole script elements, `<script …>` to `</script>`: the built-in ones hold placeholders.
    let elements = |text: &str, lower: &str| -> Vec<String> {
        lower
            .match_indices("<script")
            .map(|(i, _)| {
                let close = lower[i..].find("</script").map_or(text.len(), |j| i + j);
                text[i..close].to_string()
            })
            .collect()
    };
    let mut allowed = elements(builtin, &builtin_lower);
    for element in elements(&user, &lower) {
        match allowed.iter().position(|a| *a == element) {
            Some(i) => {
                allowed.swap_remove(i);
            }
            None => {
                let start: String = element.chars().take(60).collect();
                return Some(format!("adds a script element (`{start}`)"));
            }
        }
    }
    for (name, what) in [
        ("http-equiv", "a `<meta http-equiv>`"),
        ("<base", "a `<base>` element"),
        ("<iframe", "a frame"),
        ("<frame", "a frame"),
        ("<object", "a plug-in"),
        ("<embed", "a plug-in"),
        ("javascript:", "a `javascript:` link"),
    ] {
        if lower.matches(name).count() > builtin_lower.matches(name).count() {
            return Some(format!("adds {what}"));
        }
    }
    None
}

/// SHA-256 over the theme folder's files (regular files; links left out), sorted by path.
fn digest(files: &crate::content::theme_files::ThemeFiles) -> String {
    let mut hasher = Sha256::new();
    for (rel, file) in files.iter().filter(|(_, f)| !f.linked) {
        let Ok(bytes) = &file.content else { continue };
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update(format!("{:x}", Sha256::digest(bytes)).as_bytes());
        hasher.update(b"\n");
    }
    format!("{:x}", hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::config::Language;

    #[test]
    fn markup_and_wording_are_allowed_script_and_csp_changes_are_not() {
        let theme = Theme::builtin(Language::Fr).unwrap();
        let original = theme.template.as_str();
        assert_eq!(template_runs_code(original, original), None);
        let restyled = original.replace("<main class=\"lb-main\"", "<main class=\"lb-main wide\"");
        assert_eq!(template_runs_code(&restyled, original), None);
        let cases = [
            original.replace("</body>", "<script>alert(1)</script></body>"),
            original.replace("<head>", "<head><script>alert(1)</script>"),
            original.replace("content=\"{{ page.csp }}\"", "content=\"default-src *\""),
            original.replace(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"{{ page.csp }}\">\n",
                "",
            ),
            original.replace(
                "</head>",
                "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\"></head>",
            ),
            original.replace("</head>", "<base href=\"https://evil.example/\"></head>"),
            original.replace("</body>", "<SCRIPT src=x></SCRIPT></body>"),
            original.replace(
                "</body>",
                "<iframe src=\"https://evil.example/\"></iframe></body>",
            ),
        ];
        for case in cases {
            assert!(template_runs_code(&case, original).is_some(), "{case}");
        }
    }
}
