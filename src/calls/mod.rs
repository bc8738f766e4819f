//! The outage call log the agents export from their browsers (docs/call-assistant.md, "Export formats"),
//! and its merge: read each export (JSON or CSV, told apart by content), check it, merge the records by
//! id, and write one file in either format for re-entry into the CRM.
//!
//! Reading never stops at the first problem of a run: every file is read, every problem is pushed into
//! the [`Report`] with its file and line, and the caller writes nothing when there is an error.

mod csv;
mod json;
mod path;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::diagnostics::{Diagnostic, FileId, Report};

pub use self::csv::write as to_csv;
pub use self::json::write as to_json;
pub use self::path::{join as path_text, split as path_steps};

/// `format` of a JSON export.
pub const FORMAT: &str = "lifeboat-calls";
/// The version of the export formats this module reads and writes.
pub const VERSION: u64 = 1;
/// An export larger than this is refused before it is read: a week of one agent's calls is a few
/// megabytes, so a larger file is not an export.
pub const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;
/// The CSV columns before the fields', in order.
pub const COLUMNS: [&str; 9] = [
    "id",
    "started",
    "ended",
    "entry",
    "environment",
    "snapshot",
    "end",
    "path",
    "comment",
];

/// One step of a call's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub diagram: String,
    pub step: String,
    /// `None` for the last step.
    pub answer: Option<String>,
}

/// One ended call. Empty optional values are `None` and untyped fields are absent, whichever format
/// the record came from, so that the same call read from a CSV and from a JSON export compares equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub started: String,
    pub ended: String,
    pub entry: String,
    /// Only JSON exports carry it.
    pub entry_title: Option<String>,
    pub environment: Option<String>,
    pub snapshot: String,
    pub path: Vec<Step>,
    pub end: Option<String>,
    /// Field name -> the value typed (never empty).
    pub fields: BTreeMap<String, String>,
    pub comment: String,
}

impl Record {
    /// Whether two records say the same thing, in what both formats carry: `entry_title` (JSON only)
    /// is left out and the path is compared as the CSV writes it.
    pub fn same_call(&self, other: &Record) -> bool {
        let (a, b) = (self, other);
        (&a.id, &a.started, &a.ended, &a.entry, &a.environment)
            == (&b.id, &b.started, &b.ended, &b.entry, &b.environment)
            && (&a.snapshot, &a.end, &a.fields, &a.comment)
                == (&b.snapshot, &b.end, &b.fields, &b.comment)
            && path_text(&a.path) == path_text(&b.path)
    }
}

/// A record and where it was read.
#[derive(Debug, Clone)]
pub struct Located {
    pub record: Record,
    pub file: FileId,
    /// The record's first line (CSV) or its opening brace (JSON).
    pub span: Range<usize>,
    /// `started`, parsed: the sort key.
    pub started_at: OffsetDateTime,
}

/// The site an export comes from (JSON exports only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub name: Option<String>,
    pub id: String,
    /// The `site_id` value in the export.
    pub span: Range<usize>,
}

/// A field column: its name and, when a JSON export gave one, its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Json,
    Csv,
}

/// One export, read and checked.
#[derive(Debug, Clone)]
pub struct Export {
    pub file: FileId,
    pub kind: Kind,
    pub site: Option<Site>,
    /// In the order of the export: the JSON `fields`, then fields only records name; the CSV header's.
    pub fields: Vec<Field>,
    pub records: Vec<Located>,
}

/// Reads one export: registers its text with `report` under `name`, pushes every problem found, and
/// returns the export when it has none. JSON or CSV is told from the content (a JSON export starts
/// with `{`), not from the file name.
pub fn read(report: &mut Report, name: &str, bytes: &[u8]) -> Option<Export> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            // The text before the first bad byte is the same in the lossy copy, which has U+FFFD there.
            let at = e.valid_up_to();
            let file = report.add_file(name.to_string(), lossy);
            report.push(
                Diagnostic::error(format!("`{name}` is not UTF-8 text: not a call log export"))
                    .at(file, at..at + '\u{fffd}'.len_utf8())
                    .label("not UTF-8")
                    .hint("the browser exports UTF-8; a file saved again by a spreadsheet may not be: merge the file the agent exported"),
            );
            return None;
        }
    };
    let file = report.add_file(name.to_string(), text.to_string());
    let errors_before = report.count(crate::diagnostics::Severity::Error);
    let export = match text.trim_start().as_bytes().first() {
        Some(b'{') => json::read(report, file),
        Some(_) => csv::read(report, file),
        None => {
            report.push(
                Diagnostic::error(format!("`{name}` is empty: not a call log export"))
                    .in_file(file),
            );
            None
        }
    };
    export.filter(|_| report.count(crate::diagnostics::Severity::Error) == errors_before)
}

/// The merge of several exports.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The site every JSON export named; `None` when only CSV exports were read.
    pub site: Option<Site>,
    pub fields: Vec<Field>,
    /// Sorted by `started`, then id.
    pub records: Vec<Record>,
    /// Records dropped because another with the same id was kept (identical or not).
    pub duplicates: usize,
    /// Of those, the ones that differed from the record kept (each one warned about).
    pub conflicts: usize,
}

/// Merges exports given in this order: one record per id (the first read wins, a different one is a
/// warning naming both files), sorted by `started` then id; the fields of every export, in the order
/// they first appear. Exports of two different sites are an error (pushed to `report`; `None`).
pub fn merge(report: &mut Report, exports: &[Export]) -> Option<Merged> {
    let site = one_site(report, exports)?;

    let mut fields: Vec<Field> = Vec::new();
    let mut column: HashMap<String, usize> = HashMap::new();
    for field in exports.iter().flat_map(|e| &e.fields) {
        match column.get(&field.name) {
            Some(&i) => {
                if fields[i].label.is_none() {
                    fields[i].label.clone_from(&field.label);
                }
            }
            None => {
                column.insert(field.name.clone(), fields.len());
                fields.push(field.clone());
            }
        }
    }

    let mut kept: Vec<Located> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let (mut duplicates, mut conflicts) = (0, 0);
    for located in exports.iter().flat_map(|e| &e.records) {
        let Some(&i) = by_id.get(&located.record.id) else {
            by_id.insert(located.record.id.clone(), kept.len());
            kept.push(located.clone());
            continue;
        };
        duplicates += 1;
        let first = &mut kept[i];
        if first.record.same_call(&located.record) {
            // The same call from a CSV then a JSON export: keep what only the JSON one says.
            if first.record.entry_title.is_none() {
                first
                    .record
                    .entry_title
                    .clone_from(&located.record.entry_title);
            }
            continue;
        }
        conflicts += 1;
        let (first_at, first_name) = position(report, first.file, first.span.start);
        let this_name = report.file_name(located.file).to_string();
        report.push(
            Diagnostic::warning(format!(
                "record `{}` is in `{first_name}` and in `{this_name}` with different content; keeping the one from `{first_name}`",
                located.record.id
            ))
            .at(located.file, located.span.clone())
            .label("dropped")
            .hint(format!("the record kept is at {first_name}:{first_at}; the first file given wins: put the one to keep first")),
        );
    }

    // Titles of entry points known from JSON records, for the records read from CSV.
    let mut titles: HashMap<String, String> = HashMap::new();
    for record in kept.iter().map(|l| &l.record) {
        if let Some(title) = &record.entry_title {
            titles
                .entry(record.entry.clone())
                .or_insert_with(|| title.clone());
        }
    }
    kept.sort_by(|a, b| (a.started_at, &a.record.id).cmp(&(b.started_at, &b.record.id)));
    let records = kept
        .into_iter()
        .map(|l| {
            let mut record = l.record;
            if record.entry_title.is_none() {
                record.entry_title = titles.get(&record.entry).cloned();
            }
            record
        })
        .collect();
    Some(Merged {
        site,
        fields,
        records,
        duplicates,
        conflicts,
    })
}

/// The site of the JSON exports, which must all agree (CSV exports do not say theirs).
fn one_site(report: &mut Report, exports: &[Export]) -> Option<Option<Site>> {
    let mut first: Option<(&Site, FileId)> = None;
    let mut ok = true;
    for export in exports {
        let Some(site) = &export.site else { continue };
        match first {
            None => first = Some((site, export.file)),
            Some((kept, _)) if kept.id == site.id => {}
            Some((kept, kept_file)) => {
                ok = false;
                let show = |s: &Site| match &s.name {
                    Some(name) => format!("`{name}` ({})", s.id),
                    None => format!("site {}", s.id),
                };
                let (kept_at, kept_name) = position(report, kept_file, kept.span.start);
                let message = format!(
                    "`{kept_name}` is an export of {}, `{}` of {}: one merge is for one site's calls",
                    show(kept),
                    report.file_name(export.file),
                    show(site),
                );
                report.push(
                    Diagnostic::error(message)
                        .at(export.file, site.span.clone())
                        .label("another site")
                        .hint(format!("the first site is at {kept_name}:{kept_at}"))
                        .hint("merge each site's exports separately"),
                );
            }
        }
    }
    ok.then(|| first.map(|(site, _)| site.clone()))
}

/// `line:column` of a byte offset, and the file's name.
fn position(report: &Report, file: FileId, offset: usize) -> (String, String) {
    let at = report
        .line_col(file, offset)
        .map_or_else(String::new, |(line, col)| format!("{line}:{col}"));
    (at, report.file_name(file).to_string())
}

/// The line holding byte `at`, as a span (at least one byte when the text has one).
fn line_span(text: &str, at: usize) -> Range<usize> {
    let at = floor_char_boundary(text, at.min(text.len()));
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let end = if end > start {
        end
    } else {
        (start + 1).min(text.len())
    };
    start..end
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// An RFC 3339 time (`2026-12-02T14:58:00.000Z`, as the browser writes them).
fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        format!("`{text}` is not a time: expected RFC 3339, such as 2026-12-02T14:58:00.000Z")
    })
}

/// The checks both readers make of a field name (a column header or a JSON key).
fn field_name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("a field has an empty name".into())
    } else if COLUMNS.contains(&name) {
        Some(format!("field `{name}` has the name of a standard column"))
    } else {
        None
    }
}

/// `None` for an empty value: the formats write a missing value as an empty cell or `null`.
fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests;
