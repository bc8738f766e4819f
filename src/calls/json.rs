//! The JSON export (`format = "lifeboat-calls"`, `version = 1`).
//!
//! Every object is first read with its values left as raw text ([`RawValue`], borrowed from the file),
//! which serde_json checks for syntax, unknown keys, duplicate keys and missing keys with a line and
//! column; each value is then read on its own, so a wrong value is reported exactly where it is.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use super::{Export, Field, Kind, Located, Merged, Record, Site, Step};
use crate::diagnostics::{Diagnostic, FileId, Report};

/// Just enough to tell a call log export from another JSON file.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow)]
    format: Option<&'a RawValue>,
    #[serde(borrow)]
    version: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExport<'a> {
    #[serde(borrow)]
    #[allow(dead_code)]
    format: &'a RawValue,
    #[serde(borrow)]
    #[allow(dead_code)]
    version: &'a RawValue,
    #[serde(borrow)]
    site: Option<&'a RawValue>,
    #[serde(borrow)]
    site_id: Option<&'a RawValue>,
    #[serde(borrow)]
    exported: Option<&'a RawValue>,
    #[serde(borrow)]
    fields: Option<&'a RawValue>,
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDecl {
    name: String,
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    #[serde(borrow)]
    started: &'a RawValue,
    #[serde(borrow)]
    ended: &'a RawValue,
    #[serde(borrow)]
    entry: &'a RawValue,
    #[serde(borrow)]
    entry_title: Option<&'a RawValue>,
    #[serde(borrow)]
    environment: Option<&'a RawValue>,
    #[serde(borrow)]
    snapshot: &'a RawValue,
    #[serde(borrow)]
    path: &'a RawValue,
    #[serde(borrow)]
    end: Option<&'a RawValue>,
    #[serde(borrow)]
    fields: Option<&'a RawValue>,
    #[serde(borrow)]
    comment: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonStep {
    diagram: String,
    step: String,
    answer: Option<String>,
}

/// Reads a JSON export registered as `file`; `None` when it cannot be read at all.
pub fn read(report: &mut Report, file: FileId) -> Option<Export> {
    let text = report.file_text(file).to_string();
    let mut reader = Reader {
        text: &text,
        file,
        problems: Vec::new(),
    };
    let export = reader.export();
    report.extend(reader.problems);
    export
}

struct Reader<'t> {
    text: &'t str,
    file: FileId,
    problems: Vec<Diagnostic>,
}

impl<'t> Reader<'t> {
    fn export(&mut self) -> Option<Export> {
        let text = self.text;
        let probe: Probe = self.parse(text, 0)?;
        let format = probe
            .format
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
        if format.as_deref() != Some(super::FORMAT) {
            let (span, label) = match probe.format {
                Some(raw) => (self.span(raw), "not `lifeboat-calls`"),
                None => (super::line_span(text, 0), "no `format`"),
            };
            self.problems.push(
                Diagnostic::error(format!(
                    "not a Lifeboat call log export: its `format` is not `{}`",
                    super::FORMAT
                ))
                .at(self.file, span)
                .label(label)
                .hint("merge the files the call log view of a Lifeboat page exports (appels-….json or .csv)"),
            );
            return None;
        }
        let version = probe
            .version
            .and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok());
        if version != Some(super::VERSION) {
            let span = match probe.version {
                Some(raw) => self.span(raw),
                None => super::line_span(text, 0),
            };
            self.problems.push(
                Diagnostic::error(format!(
                    "this export's `version` is not {}, the only one this lifeboat reads",
                    super::VERSION
                ))
                .at(self.file, span)
                .label("unsupported version")
                .hint("an export made by a newer Lifeboat page needs a newer lifeboat to merge it"),
            );
            return None;
        }
        let raw: RawExport = self.parse(text, 0)?;
        let name = raw
            .site
            .and_then(|v| self.value::<Option<String>>("site", v));
        let id = raw
            .site_id
            .and_then(|v| self.value::<Option<String>>("site_id", v));
        if let Some(v) = raw.exported {
            self.value::<Option<String>>("exported", v);
        }
        let site = id.flatten().filter(|id| !id.is_empty()).map(|id| Site {
            name: name.flatten(),
            id,
            span: raw.site_id.map(|v| self.span(v)).unwrap_or_default(),
        });
        let mut fields = self.fields(raw.fields);
        let records: Vec<Located> = raw
            .records
            .iter()
            .filter_map(|raw| self.record(raw))
            .collect();
        for record in &records {
            for name in record.record.fields.keys() {
                if !fields.iter().any(|f| &f.name == name) {
                    fields.push(Field {
                        name: name.clone(),
                        label: None,
                    });
                }
            }
        }
        Some(Export {
            file: self.file,
            kind: Kind::Json,
            site,
            fields,
            records,
        })
    }

    fn fields(&mut self, raw: Option<&RawValue>) -> Vec<Field> {
        let Some(raw) = raw else { return Vec::new() };
        let Some(decls) = self.value::<Option<Vec<FieldDecl>>>("fields", raw) else {
            return Vec::new();
        };
        let mut fields: Vec<Field> = Vec::new();
        for decl in decls.into_iter().flatten() {
            if let Some(problem) = super::field_name_problem(&decl.name) {
                self.error::<()>(problem, self.span(raw), "in `fields`");
            } else if fields.iter().any(|f| f.name == decl.name) {
                let message = format!("field `{}` is declared twice", decl.name);
                self.error::<()>(message, self.span(raw), "in `fields`");
            } else {
                fields.push(Field {
                    name: decl.name,
                    label: super::non_empty(decl.label),
                });
            }
        }
        fields
    }

    fn record(&mut self, raw: &'t RawValue) -> Option<Located> {
        let start = self.span(raw).start;
        if !raw.get().starts_with('{') {
            let span = start..start + 1;
            return self.error("a record is not a JSON object", span, "record");
        }
        let fields: RawRecord = self.parse(raw.get(), start)?;
        let before = self.problems.len();
        let id = self.required("id", fields.id);
        let started = self.value::<String>("started", fields.started);
        let started_at = started.as_deref().and_then(|s| match super::parse_time(s) {
            Ok(t) => Some(t),
            Err(message) => self.error(
                format!("`started`: {message}"),
                self.span(fields.started),
                "`started`",
            ),
        });
        let ended = self.value::<String>("ended", fields.ended);
        if let Some(Err(message)) = ended.as_deref().map(super::parse_time) {
            self.error::<()>(
                format!("`ended`: {message}"),
                self.span(fields.ended),
                "`ended`",
            );
        }
        let entry = self.required("entry", fields.entry);
        let optional = |this: &mut Self, key: &str, raw: Option<&RawValue>| {
            raw.and_then(|raw| this.value::<Option<String>>(key, raw))
                .flatten()
                .filter(|v| !v.is_empty())
        };
        let entry_title = optional(self, "entry_title", fields.entry_title);
        let environment = optional(self, "environment", fields.environment);
        let end = optional(self, "end", fields.end);
        let comment = optional(self, "comment", fields.comment).unwrap_or_default();
        let snapshot = self.value::<String>("snapshot", fields.snapshot);
        let path = self.value::<Vec<JsonStep>>("path", fields.path);
        let values = fields.fields.and_then(|raw| self.values(raw));
        if self.problems.len() > before {
            return None;
        }
        let record = Record {
            id: id?,
            started: started?,
            ended: ended?,
            entry: entry?,
            entry_title,
            environment,
            snapshot: snapshot?,
            path: path?
                .into_iter()
                .map(|s| Step {
                    diagram: s.diagram,
                    step: s.step,
                    answer: s.answer,
                })
                .collect(),
            end,
            fields: values.unwrap_or_default(),
            comment,
        };
        Some(Located {
            record,
            file: self.file,
            span: start..start + 1,
            started_at: started_at?,
        })
    }

    /// A record's `fields`: name -> value, the untyped (`null`, empty) left out.
    fn values(&mut self, raw: &'t RawValue) -> Option<BTreeMap<String, String>> {
        let start = self.span(raw).start;
        let pairs: Option<Pairs<'t>> = self.parse(raw.get(), start)?;
        let mut values = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for (name, value) in pairs.into_iter().flat_map(|p| p.0) {
            if !seen.insert(name.clone()) {
                let message = format!("field `{name}` is in `fields` twice");
                self.error::<()>(message, self.span(value), "again");
            }
            if let Some(problem) = super::field_name_problem(&name) {
                self.error::<()>(problem, self.span(value), "in `fields`");
            }
            let key = format!("fields.{name}");
            if let Some(value) = self.value::<Option<String>>(&key, value).flatten() {
                if !value.is_empty() {
                    values.insert(name, value);
                }
            }
        }
        Some(values)
    }

    /// Parses `text`, which starts at byte `base` of the file.
    fn parse<T: Deserialize<'t>>(&mut self, text: &'t str, base: usize) -> Option<T> {
        match serde_json::from_str(text) {
            Ok(value) => Some(value),
            Err(e) => {
                let at = base + offset(text, e.line(), e.column());
                let span = at..(at + 1).min(self.text.len()).max(at);
                let mut problem = Diagnostic::error(message(&e))
                    .at(self.file, span)
                    .label("here");
                if e.is_eof() {
                    problem = problem.hint(
                        "the file ends in the middle: it was cut short (a copy that did not finish?); export it again",
                    );
                }
                self.problems.push(problem);
                None
            }
        }
    }

    /// Reads one value of a key; a wrong one is reported at the value.
    fn value<T: DeserializeOwned>(&mut self, key: &str, raw: &RawValue) -> Option<T> {
        match serde_json::from_str(raw.get()) {
            Ok(value) => Some(value),
            Err(e) => self.error(
                format!("`{key}`: {}", message(&e)),
                self.span(raw),
                format!("`{key}`"),
            ),
        }
    }

    /// A string that must not be empty.
    fn required(&mut self, key: &str, raw: &RawValue) -> Option<String> {
        let value = self.value::<String>(key, raw)?;
        if value.trim().is_empty() {
            return self.error(format!("`{key}` is empty"), self.span(raw), "empty");
        }
        Some(value)
    }

    fn error<T>(
        &mut self,
        message: impl Into<String>,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Option<T> {
        self.problems
            .push(Diagnostic::error(message).at(self.file, span).label(label));
        None
    }

    /// Where a raw value borrowed from the file's text is in it.
    fn span(&self, raw: &RawValue) -> Range<usize> {
        let start = (raw.get().as_ptr() as usize)
            .checked_sub(self.text.as_ptr() as usize)
            .filter(|&s| s <= self.text.len())
            .unwrap_or(0);
        start..(start + raw.get().len()).min(self.text.len())
    }
}

/// A JSON object's members in order, duplicates kept (a map would keep only the last of them).
struct Pairs<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Pairs<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of field names and values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs<'de>, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// serde_json's message without its " at line L column C" (the diagnostic shows where).
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
        None => text,
    }
}

/// The byte offset of serde_json's 1-based line and column (the column counts the bytes read on that
/// line, so it is the last byte read).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    super::floor_char_boundary(
        text,
        (line_start + column.saturating_sub(1)).min(text.len()),
    )
}

#[derive(Serialize)]
struct OutExport<'a> {
    format: &'static str,
    version: u64,
    site: Option<&'a str>,
    site_id: Option<&'a str>,
    exported: String,
    fields: Vec<OutField<'a>>,
    records: Vec<OutRecord<'a>>,
}

#[derive(Serialize)]
struct OutField<'a> {
    name: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct OutRecord<'a> {
    id: &'a str,
    started: &'a str,
    ended: &'a str,
    entry: &'a str,
    entry_title: Option<&'a str>,
    environment: Option<&'a str>,
    snapshot: &'a str,
    path: Vec<OutStep<'a>>,
    end: Option<&'a str>,
    fields: Values<'a>,
    comment: &'a str,
}

#[derive(Serialize)]
struct OutStep<'a> {
    diagram: &'a str,
    step: &'a str,
    answer: Option<&'a str>,
}

/// A record's values in the order of the merged field columns.
struct Values<'a>(&'a [Field], &'a BTreeMap<String, String>);

impl Serialize for Values<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.1.len()))?;
        for field in self.0 {
            if let Some(value) = self.1.get(&field.name) {
                map.serialize_entry(&field.name, value)?;
            }
        }
        map.end()
    }
}

/// The merge as a JSON export, made at `exported`. A field label no JSON export gave is the field's
/// name; an entry title no JSON export gave is `null`, and so are `site` and `site_id` when only CSV
/// exports were merged.
pub fn write(merged: &Merged, exported: OffsetDateTime) -> std::io::Result<Vec<u8>> {
    let time =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    let out = OutExport {
        format: super::FORMAT,
        version: super::VERSION,
        site: merged.site.as_ref().and_then(|s| s.name.as_deref()),
        site_id: merged.site.as_ref().map(|s| s.id.as_str()),
        exported: exported
            .to_offset(UtcOffset::UTC)
            .format(&time)
            .unwrap_or_default(),
        fields: merged
            .fields
            .iter()
            .map(|f| OutField {
                name: &f.name,
                label: f.label.as_deref().unwrap_or(&f.name),
            })
            .collect(),
        records: merged
            .records
            .iter()
            .map(|r| OutRecord {
                id: &r.id,
                started: &r.started,
                ended: &r.ended,
                entry: &r.entry,
                entry_title: r.entry_title.as_deref(),
                environment: r.environment.as_deref(),
                snapshot: &r.snapshot,
                path: r
                    .path
                    .iter()
                    .map(|s| OutStep {
                        diagram: &s.diagram,
                        step: &s.step,
                        answer: s.answer.as_deref(),
                    })
                    .collect(),
                end: r.end.as_deref(),
                fields: Values(&merged.fields, &r.fields),
                comment: &r.comment,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&out)?;
    bytes.push(b'\n');
    Ok(bytes)
}
