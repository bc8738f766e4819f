//! The documents built beside the entry points: the contingency document (HTML to print, Markdown for a
//! wiki) for IT, and the launcher page (`index.html`) for employees who open the share folder.
//!
//! They are rendered from the manifest (plus entry descriptions and the call log's settings), so they say
//! exactly what it records.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tera::{Context, Tera};

use super::manifest::{self, FileRecord, Manifest, PersonInfo};
use super::notice::Slot;
use crate::content::config::Language;
use crate::content::config::{Access, Contact};
use crate::content::Project;
use crate::encode::escape;
use crate::inline::{self, InlineError};
use crate::theme::DocumentTheme;

pub const CONTINGENCY_HTML: &str = "contingency.html";
pub const CONTINGENCY_MD: &str = "contingency.md";
pub const INDEX_HTML: &str = "index.html";

/// Compares the snapshot's due date with today and fills the `role="alert"` element when it has passed.
/// Static text: the values come from `data-` attributes, so one CSP hash admits it.
/// Counts as `manifest::Age` does: whole UTC days from the snapshot's date, stale past the frequency.
const LAUNCHER_SCRIPT: &str = "(function(){var e=document.getElementById('lb-stale');if(!e)return;\
var at=Number(e.getAttribute('data-snapshot')),days=Number(e.getAttribute('data-days'));\
if(!(at>0)||!(days>0))return;var age=Math.floor(Date.now()/86400000)-Math.floor(at/86400);\
if(age<=days)return;e.textContent=(e.getAttribute('data-message')||'').replace('{age}',String(age))\
.replace('{late}',String(age-days));})();";

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("document template `{0}`: {1}")]
    Template(String, String),
    #[error(transparent)]
    Inline(#[from] InlineError),
}

/// The three documents, by file name, in the order they are rendered.
pub fn render(
    theme: &DocumentTheme,
    language: Language,
    project: &Project,
    manifest: &Manifest,
    signing: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<Vec<(String, Vec<u8>)>, DocumentError> {
    let tera = templates(theme)?;
    let css = inline::minify_css(&theme.css)?;
    let descriptions: HashMap<&str, &str> = project
        .entries
        .iter()
        // The documents sit beside the locked files: a locked entry point's description stays inside it.
        .map(|e| (e.id.as_str(), crate::render::locked::shown_description(e)))
        .collect();
    let mut view = DocView::new(manifest, language, theme, &descriptions, &css);
    view.calls = CallsDoc::of(project);
    view.keys = KeysDoc::of(project);
    view.reviews = ReviewsDoc::of(project, manifest.snapshot_epoch);
    view.changes = ChangesDoc::of(theme, manifest);
    view.signing = signing.map(|key| SigningDoc {
        public_key: crate::package::signing::encode_public(key),
        fingerprint: crate::package::signing::fingerprint(key),
        file: crate::package::signing::SIGNATURE_FILE,
    });
    let strings = Strings::fill(theme, language, manifest, &view);
    view.notice =
        notice_slot(language, &strings.text).html(manifest.notice.as_ref(), &manifest.online_url);

    view.csp = format!(
        // img-src data: for the site's logo (branding CSS), as in the entry files.
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        inline::hash(LAUNCHER_SCRIPT),
        inline::hash(&css)
    );
    let index = render_one(&tera, INDEX_HTML, &view, &strings.html, &strings.text)?;

    // The contingency document lists the launcher's checksum with the entry points'; its own checksum
    // can only be in the manifest.
    let index_record = FileRecord::of(INDEX_HTML, index.as_bytes());
    view.documents = vec![index_record.clone()];
    view.checksums.push(index_record);
    view.csp = format!(
        "default-src 'none'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        inline::hash(&css)
    );
    let html = render_one(&tera, CONTINGENCY_HTML, &view, &strings.html, &strings.text)?;
    let md = render_one(&tera, CONTINGENCY_MD, &view, &strings.text, &strings.text)?;
    Ok(vec![
        (INDEX_HTML.to_string(), index.into_bytes()),
        (CONTINGENCY_HTML.to_string(), html.into_bytes()),
        (CONTINGENCY_MD.to_string(), md.into_bytes()),
    ])
}

fn templates(theme: &DocumentTheme) -> Result<Tera, DocumentError> {
    let mut tera = Tera::default();
    for (name, text) in [
        (CONTINGENCY_HTML, &theme.contingency_html),
        (CONTINGENCY_MD, &theme.contingency_md),
        (INDEX_HTML, &theme.index_html),
    ] {
        tera.add_raw_template(name, text).map_err(|e| {
            DocumentError::Template(name.to_string(), crate::render::error_chain(&e))
        })?;
    }
    tera.register_filter("cell", markdown_cell);
    Ok(tera)
}

/// A value safe inside a Markdown table cell.
fn markdown_cell(
    value: &tera::Value,
    _: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text = text.replace('|', "\\|").replace(['\r', '\n'], " ");
    Ok(tera::Value::String(if text.is_empty() {
        "—".into()
    } else {
        text
    }))
}

fn render_one(
    tera: &Tera,
    name: &str,
    view: &DocView,
    strings: &BTreeMap<String, String>,
    text: &BTreeMap<String, String>,
) -> Result<String, DocumentError> {
    let mut context = Context::new();
    context.insert("d", view);
    context.insert("s", strings);
    context.insert("t", text);
    tera.render(name, &context)
        .map_err(|e| DocumentError::Template(name.to_string(), crate::render::error_chain(&e)))
}

/// What the document templates see.
#[derive(Debug, Serialize)]
struct DocView<'a> {
    lang: &'static str,
    site: &'a str,
    online_url: &'a str,
    snapshot: &'a str,
    date_long: String,
    next_due: &'a str,
    next_due_long: String,
    /// The snapshot's time: the launcher's script counts the copy's age from it (`manifest::Age`).
    snapshot_epoch: i64,
    frequency_days: i64,
    revision: Option<&'a str>,
    dirty: bool,
    environment: Option<&'a str>,
    variables: &'a [String],
    owner: &'a PersonInfo,
    deputy: Option<&'a PersonInfo>,
    contacts: &'a [Contact],
    locations: &'a [String],
    entries: Vec<EntryDoc<'a>>,
    /// Documents listed in the contingency document (the launcher).
    documents: Vec<FileRecord>,
    /// Files whose checksums a reader can check by hand.
    checksums: Vec<FileRecord>,
    archive: &'a str,
    generator: String,
    format_version: u32,
    any_key: bool,
    keys: KeysDoc,
    csp: String,
    /// The launcher's notice slot (`package::notice`), with the notice block when one is set.
    notice: String,
    css: &'a str,
    script: &'static str,
    /// Present when the build signs the manifest.
    signing: Option<SigningDoc>,
    calls: CallsDoc,
    reviews: ReviewsDoc,
    /// Present when the build was compared with a previous copy.
    changes: Option<ChangesDoc>,
}

/// What changed since the previous copy (`Manifest::compared_with`, `entries[].changes`): counts per
/// entry point and the titles of the diagrams touched (none for a locked entry point).
#[derive(Debug, Serialize)]
struct ChangesDoc {
    previous_long: String,
    previous_revision: Option<String>,
    added: usize,
    changed: usize,
    removed: usize,
    diagrams_removed: usize,
    entries: Vec<EntryChangesDoc>,
    entries_removed: Vec<String>,
    /// Locked entry points that could not be compared (locked with another key than then).
    not_compared: Vec<String>,
}

#[derive(Debug, Serialize)]
struct EntryChangesDoc {
    title: String,
    new_entry: bool,
    added: usize,
    changed: usize,
    removed: usize,
    diagrams_removed: usize,
    diagrams: Vec<String>,
    locked: bool,
}

impl ChangesDoc {
    fn of(theme: &DocumentTheme, m: &Manifest) -> Option<ChangesDoc> {
        let compared = m.compared_with.as_ref()?;
        let title = |e: &manifest::EntryRecord| {
            if e.title.is_empty() {
                string(theme, "locked_title")
            } else {
                e.title.clone()
            }
        };
        let entries: Vec<EntryChangesDoc> = m
            .entries
            .iter()
            .filter_map(|e| {
                let c = e.changes.as_ref()?;
                Some(EntryChangesDoc {
                    title: title(e),
                    new_entry: c.new_entry,
                    added: c.added,
                    changed: c.changed,
                    removed: c.removed,
                    diagrams_removed: c.diagrams_removed,
                    diagrams: c.diagrams.clone(),
                    locked: e.access != Access::Open,
                })
            })
            .filter(|e| e.new_entry || e.added + e.changed + e.removed + e.diagrams_removed > 0)
            .collect();
        let sum = |f: fn(&EntryChangesDoc) -> usize| entries.iter().map(f).sum();
        Some(ChangesDoc {
            previous_long: compared
                .snapshot
                .get(..10)
                .and_then(manifest::parse_date)
                .map(|d| theme.long_date(d))
                .unwrap_or_else(|| compared.snapshot.clone()),
            previous_revision: compared
                .commit
                .as_deref()
                .map(|c| c[..c.len().min(12)].to_string()),
            added: sum(|e| e.added),
            changed: sum(|e| e.changed),
            removed: sum(|e| e.removed),
            diagrams_removed: sum(|e| e.diagrams_removed),
            entries_removed: compared.entries_removed.clone(),
            not_compared: m
                .entries
                .iter()
                .filter(|e| e.changes.is_none())
                .map(title)
                .collect(),
            entries,
        })
    }
}

/// Diagrams past the review policy (`[backup] review_days`) at the snapshot's date, by owner. A locked
/// entry point's diagrams are only counted: their titles stay inside it.
#[derive(Debug, Default, Serialize)]
struct ReviewsDoc {
    /// `review_days`, when there is a policy.
    days: Option<i64>,
    owners: Vec<OwnerReviews>,
    locked_overdue: usize,
}

#[derive(Debug, Serialize)]
struct OwnerReviews {
    /// Empty when the diagrams name no owner.
    owner: String,
    diagrams: Vec<OverdueDiagram>,
}

#[derive(Debug, Serialize)]
struct OverdueDiagram {
    entry: String,
    title: String,
    /// YYYY-MM-DD, or empty when never reviewed.
    reviewed: String,
}

impl ReviewsDoc {
    fn of(project: &Project, snapshot_epoch: i64) -> ReviewsDoc {
        use crate::check::reviews::Review;
        let days = project
            .site
            .backup
            .review_days
            .as_ref()
            .map(|d| *d.get_ref());
        let as_of = time::OffsetDateTime::from_unix_timestamp(snapshot_epoch)
            .map(|t| t.date())
            .ok();
        let (Some(limit), Some(as_of)) = (days, as_of) else {
            return ReviewsDoc::default();
        };
        let mut by_owner: BTreeMap<String, Vec<OverdueDiagram>> = BTreeMap::new();
        let mut locked_overdue = 0;
        for entry in &project.entries {
            for diagram in &entry.diagrams {
                let review = Review::of(diagram, as_of);
                if !review.overdue(Some(limit)) {
                    continue;
                }
                if entry.is_locked() {
                    locked_overdue += 1;
                    continue;
                }
                by_owner
                    .entry(diagram.front.owner.clone().unwrap_or_default())
                    .or_default()
                    .push(OverdueDiagram {
                        entry: entry.config.title.clone(),
                        title: diagram.front.title.clone(),
                        reviewed: match review {
                            Review::Reviewed { on, .. } => on.to_string(),
                            Review::Never => String::new(),
                        },
                    });
            }
        }
        ReviewsDoc {
            days: Some(limit),
            owners: by_owner
                .into_iter()
                .map(|(owner, diagrams)| OwnerReviews { owner, diagrams })
                .collect(),
            locked_overdue,
        }
    }
}

/// The key groups and the recovery key (site.toml): who holds each key and which files it opens. Never a
/// key: the build has them, the documents do not.
#[derive(Debug, Default, Serialize)]
struct KeysDoc {
    groups: Vec<GroupDoc>,
    /// The recovery key's holders, when there is one (`[access] recovery = true`).
    recovery: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct GroupDoc {
    label: String,
    holders: Vec<String>,
    files: Vec<String>,
}

impl KeysDoc {
    fn of(project: &Project) -> KeysDoc {
        // One pass over the entry points: the files each group's key opens.
        let mut files: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut any_locked = false;
        for entry in project.entries.iter().filter(|e| e.is_locked()) {
            any_locked = true;
            let file = format!("{}.html", entry.id);
            for name in entry.config.key_groups.iter().flat_map(|g| g.get_ref()) {
                let list = files.entry(name.get_ref().as_str()).or_default();
                if list.last() != Some(&file) {
                    list.push(file.clone());
                }
            }
        }
        let groups = project
            .site
            .key_groups
            .iter()
            .filter_map(|(name, group)| {
                Some(GroupDoc {
                    label: group.label.clone(),
                    holders: group.holders.clone(),
                    files: files.remove(name.get_ref().as_str())?,
                })
            })
            .collect();
        let access = &project.site.access;
        KeysDoc {
            groups,
            recovery: (*access.recovery.get_ref() && any_locked)
                .then(|| access.recovery_holders.clone()),
        }
    }
}

/// The call log agents keep in their browsers (docs/call-assistant.md): how long, where exports go,
/// which fields they type (the site's and open entry points' own: a locked one's stay inside it).
#[derive(Debug, Default, Serialize)]
struct CallsDoc {
    enabled: bool,
    keep_days: i64,
    drop: Option<String>,
    fields: Vec<String>,
}

impl CallsDoc {
    fn of(project: &Project) -> CallsDoc {
        let log = &project.site.call_log;
        let mut fields: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for entry in project.entries.iter().filter(|e| !e.is_locked()) {
            for f in project.call_fields(entry) {
                if seen.insert(f.name) {
                    fields.push(f.field.get_ref().label.clone());
                }
            }
        }
        if project.entries.iter().all(|e| e.is_locked()) {
            let site = project
                .site
                .fields
                .values()
                .map(|f| f.get_ref().label.clone());
            fields.extend(site);
        }
        CallsDoc {
            enabled: log.enabled,
            keep_days: *log.keep_days.get_ref(),
            drop: log.drop.clone(),
            fields,
        }
    }
}

/// The key that signs the manifest, for IT to check a copy with.
#[derive(Debug, Serialize)]
struct SigningDoc {
    public_key: String,
    fingerprint: String,
    file: &'static str,
}

#[derive(Debug, Serialize)]
struct EntryDoc<'a> {
    file: &'a str,
    title: String,
    description: &'a str,
    diagrams: usize,
    nodes: usize,
    bytes: u64,
    sha256: &'a str,
    access: String,
    /// A locked entry point: the launcher marks it.
    locked: bool,
    key_holders: &'a [String],
    /// A locked entry point: the identifier of its key (`entries[].key_id`), to tell a rotation.
    key_id: Option<&'a str>,
}

impl<'a> DocView<'a> {
    fn new(
        m: &'a Manifest,
        language: Language,
        theme: &DocumentTheme,
        descriptions: &HashMap<&str, &'a str>,
        css: &'a str,
    ) -> DocView<'a> {
        let due = m.next_due_date();
        let snapshot_day = time::OffsetDateTime::from_unix_timestamp(m.snapshot_epoch)
            .map(|t| t.date())
            .ok();
        let entries = m
            .entries
            .iter()
            .map(|e| EntryDoc {
                file: &e.file,
                title: if e.title.is_empty() {
                    string(theme, "locked_title")
                } else {
                    e.title.clone()
                },
                description: descriptions.get(e.id.as_str()).copied().unwrap_or(""),
                diagrams: e.diagrams,
                nodes: e.nodes,
                bytes: e.bytes,
                sha256: &e.sha256,
                access: string(theme, &format!("access_{}", e.access.name())),
                locked: e.access != Access::Open,
                key_holders: &e.key_holders,
                key_id: e.key_id.as_deref(),
            })
            .collect();
        DocView {
            lang: language.code(),
            site: &m.site,
            online_url: &m.online_url,
            snapshot: &m.snapshot,
            date_long: snapshot_day.map(|d| theme.long_date(d)).unwrap_or_default(),
            next_due: &m.backup.next_due,
            next_due_long: due
                .map(|d| theme.long_date(d))
                .unwrap_or_else(|| m.backup.next_due.clone()),
            snapshot_epoch: m.snapshot_epoch,
            frequency_days: m.backup.frequency_days,
            revision: m.source.commit.as_deref().map(|c| &c[..c.len().min(12)]),
            dirty: m.source.dirty,
            environment: m.environment.name.as_deref(),
            variables: &m.environment.variables,
            owner: &m.backup.owner,
            deputy: m.backup.deputy.as_ref(),
            contacts: &m.contacts,
            locations: &m.backup.locations,
            entries,
            documents: Vec::new(),
            checksums: m
                .entries
                .iter()
                .map(|e| FileRecord {
                    file: e.file.clone(),
                    bytes: e.bytes,
                    sha256: e.sha256.clone(),
                })
                .collect(),
            archive: m.archive.as_deref().unwrap_or(""),
            generator: format!("{} {}", m.generator.name, m.generator.version),
            format_version: m.format_version,
            any_key: m.entries.iter().any(|e| e.access != Access::Open),
            keys: KeysDoc::default(),
            csp: String::new(),
            notice: String::new(),
            css,
            script: LAUNCHER_SCRIPT,
            signing: None,
            calls: CallsDoc::default(),
            reviews: ReviewsDoc::default(),
            changes: None,
        }
    }
}

/// The wording of the launcher's notice block, from the documents' strings (filled in, French spacing
/// applied), for the launcher to carry in its slot.
fn notice_slot(language: Language, text: &BTreeMap<String, String>) -> Slot {
    let get = |key: &str| text.get(key).cloned().unwrap_or_else(|| key.to_string());
    Slot {
        lang: language.code().to_string(),
        heading_set: get("notice_heading_set"),
        heading_restored: get("notice_heading_restored"),
        meta: get("notice_meta"),
        meta_by: get("notice_meta_by"),
        back: get("notice_back"),
        months: get("months"),
        date_format: get("date_format"),
        day_one: get("day_one"),
    }
}

fn string(theme: &DocumentTheme, key: &str) -> String {
    theme
        .strings
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.into())
}

/// The documents' wording with the values filled in: as text (Markdown, `<pre>`, attributes; escaped by
/// Tera where needed) and as HTML (escaped here, `code` spans marked up).
struct Strings {
    text: BTreeMap<String, String>,
    html: BTreeMap<String, String>,
}

impl Strings {
    fn fill(theme: &DocumentTheme, language: Language, m: &Manifest, view: &DocView) -> Strings {
        let owner = match m.backup.owner.phone.as_str() {
            "" => m.backup.owner.name.clone(),
            phone => format!("{} ({phone})", m.backup.owner.name),
        };
        let changes = view.changes.as_ref();
        let values: [(&str, String); 24] = [
            // First: the stale sentence's own `{date}` and `{days}` are filled by what follows (its
            // `{age}` and `{late}` by the launcher's script, at the day it is opened).
            (
                "{stale_body}",
                theme.strings.get("stale_body").cloned().unwrap_or_default(),
            ),
            ("{snapshot}", m.snapshot.clone()),
            ("{site}", m.site.clone()),
            ("{online_url}", m.online_url.clone()),
            ("{date}", view.date_long.clone()),
            ("{next_due}", view.next_due_long.clone()),
            ("{days}", m.backup.frequency_days.to_string()),
            (
                "{environment}",
                m.environment.name.clone().unwrap_or_default(),
            ),
            ("{archive}", m.archive.clone().unwrap_or_default()),
            ("{count}", m.entries.len().to_string()),
            ("{owner}", owner),
            ("{generator}", view.generator.clone()),
            ("{format_version}", m.format_version.to_string()),
            ("{keep_days}", view.calls.keep_days.to_string()),
            ("{drop}", view.calls.drop.clone().unwrap_or_default()),
            ("{fields}", view.calls.fields.join(", ")),
            (
                "{review_days}",
                view.reviews.days.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("{locked_overdue}", view.reviews.locked_overdue.to_string()),
            (
                "{previous_date}",
                changes.map(|c| c.previous_long.clone()).unwrap_or_default(),
            ),
            (
                "{previous_revision}",
                changes
                    .and_then(|c| c.previous_revision.clone())
                    .unwrap_or_default(),
            ),
            ("{added}", changes.map_or(0, |c| c.added).to_string()),
            ("{changed}", changes.map_or(0, |c| c.changed).to_string()),
            ("{removed}", changes.map_or(0, |c| c.removed).to_string()),
            (
                "{diagrams_removed}",
                changes.map_or(0, |c| c.diagrams_removed).to_string(),
            ),
        ];
        let mut text = BTreeMap::new();
        let mut html = BTreeMap::new();
        for (key, raw) in &theme.strings {
            let mut filled = raw.clone();
            for (placeholder, value) in &values {
                filled = filled.replace(placeholder, value);
            }
            if language == Language::Fr {
                filled = french_spacing(&filled);
            }
            html.insert(key.clone(), code_spans(&escape(&filled)));
            text.insert(key.clone(), filled);
        }
        Strings { text, html }
    }
}

/// No-break spaces where French typography wants them (before `: ; ? !`, inside « »).
fn french_spacing(text: &str) -> String {
    text.replace(" :", "\u{a0}:")
        .replace(" ;", "\u{a0};")
        .replace(" ?", "\u{a0}?")
        .replace(" !", "\u{a0}!")
        .replace("« ", "«\u{a0}")
        .replace(" »", "\u{a0}»")
}

/// `text` between backticks -> `<code>text</code>` (the input is already escaped).
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    for (i, part) in rest.iter().enumerate() {
        let inside = i % 2 == 0;
        if inside && i + 1 < rest.len() {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else if inside {
            out.push('`');
            out.push_str(part);
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_are_marked_up_and_a_lone_backtick_is_kept() {
        assert_eq!(code_spans("run `a` now"), "run <code>a</code> now");
        assert_eq!(code_spans("a ` b"), "a ` b");
    }

    #[test]
    fn french_spacing_uses_no_break_spaces() {
        assert_eq!(french_spacing("« x » : y"), "«\u{a0}x\u{a0}»\u{a0}: y");
    }
}
