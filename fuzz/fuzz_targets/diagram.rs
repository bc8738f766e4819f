//! One diagram file, end to end: front matter, `{{ var }}` substitution, node and answer splitting, every
//! check, rendering of each entry point file, and the drawing of every diagnostic.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use codespan_reporting::term::termcolor::NoColor;
use libfuzzer_sys::fuzz_target;
use lifeboat::content::config::{EntryConfig, Language, SiteConfig};
use lifeboat::content::{parse_diagram_text, parse_toml, Entry, Project};
use lifeboat::inline::{assemble, Assets};
use lifeboat::render::{render_entry, templates, RenderContext};
use lifeboat::snapshot::Snapshot;
use lifeboat::theme::Theme;

const SITE: &str = r#"
name = "Fuzz"
language = "en"
online_url = "https://app.example.com"
environment = "a"
[backup]
frequency_days = 30
owner = { name = "O" }
[environments.a]
phone = "1 800 555-0100"
tag = "<b>&</b>"
braces = "{{ phone }}"
empty = ""
[environments.b]
phone = "2"
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let vars: BTreeMap<String, String> = [
        ("phone", "1 800 555-0100"),
        ("tag", "<b>&</b>"),
        ("braces", "{{ phone }}"),
        ("empty", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (diagram, mut report) = parse_diagram_text(text, &vars);
    if let Some(diagram) = diagram {
        let site_file = report.add_file("site.toml".into(), SITE);
        let site: SiteConfig = parse_toml(&mut report, site_file, SITE, 0).unwrap();
        let entry_text = "title = \"E\"\nstart = \"diagram\"\n";
        let entry_file = report.add_file("entry/entry.toml".into(), entry_text);
        let config: EntryConfig = parse_toml(&mut report, entry_file, entry_text, 0).unwrap();
        let project = Project {
            dir: PathBuf::from("/nonexistent-lifeboat-fuzz"),
            root: PathBuf::from("/nonexistent-lifeboat-fuzz"),
            site,
            site_file,
            environment: Some(lifeboat::content::Environment {
                name: "a".into(),
                vars,
            }),
            entries: vec![Entry::new(
                "entry".into(),
                entry_file,
                config,
                vec![diagram],
            )],
            unloadable: Default::default(),
        };
        let checked = lifeboat::check::check(&project, &mut report);
        let snapshot = Snapshot {
            epoch: 0,
            date: "1970-01-01".into(),
            iso: "1970-01-01T00:00:00Z".into(),
            commit: None,
            dirty: false,
        };
        // As in `lifeboat build`: only content without errors is rendered.
        if report.has_errors() {
            return finish(report);
        }
        let (theme, assets, tera) = theme();
        let cx = RenderContext {
            project: &project,
            checked: &checked,
            theme,
            snapshot: &snapshot,
            csp: &assets.csp,
            tera,
        };
        for entry in &project.entries {
            let rendered = render_entry(&cx, entry).unwrap();
            let mut bytes = Vec::new();
            assemble(&rendered, assets, &checked.images, &mut bytes).unwrap();
            let html = String::from_utf8(bytes).unwrap();
            // Content can neither add a script element nor end one early.
            assert_eq!(html.matches("<script id=lb-data ").count(), 1);
            assert_eq!(
                html.matches("<script").count(),
                html.matches("</script>").count()
            );
        }
    }
    finish(report);
});

/// The built-in theme, made once (as `bundle::build_entries` does once per build).
fn theme() -> &'static (Theme, Assets, tera::Tera) {
    static THEME: OnceLock<(Theme, Assets, tera::Tera)> = OnceLock::new();
    THEME.get_or_init(|| {
        let theme = Theme::builtin(Language::En).unwrap();
        let assets = Assets::new(&theme.css, &theme.js).unwrap();
        let tera = templates(&theme).unwrap();
        (theme, assets, tera)
    })
}

/// Draws every diagnostic, as `check` does in both formats.
fn finish(mut report: lifeboat::diagnostics::Report) {
    report.sort();
    let mut out = NoColor::new(Vec::new());
    report.emit_text(&mut out).unwrap();
    let _ = report.to_json();
}
