//! The CSV export: UTF-8 with a byte order mark (optional on read), RFC 4180 quoting, CRLF line ends
//! (LF accepted on read); the header `id,started,ended,entry,environment,snapshot,end,path,comment`,
//! then one column per field, headed by the field's name. The header is the contract: a file whose
//! header differs is not read.

use std::collections::BTreeMap;
use std::io;

use ::csv::{QuoteStyle, ReaderBuilder, StringRecord, Terminator, WriterBuilder};

use super::{Export, Field, Kind, Located, Merged, Record, COLUMNS};
use crate::diagnostics::{Diagnostic, FileId, Report};

/// Reads a CSV export registered as `file` (its byte order mark already removed); `None` when it
/// cannot be read at all.
pub fn read(report: &mut Report, file: FileId) -> Option<Export> {
    let text = report.file_text(file).to_string();
    let mut problems = Vec::new();
    let export = rows(&text, file, &mut problems);
    report.extend(problems);
    export
}

fn rows(text: &str, file: FileId, problems: &mut Vec<Diagnostic>) -> Option<Export> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            problems.push(unreadable(text, file, &e));
            return None;
        }
        None => {
            problems.push(Diagnostic::error("the file has no header").in_file(file));
            return None;
        }
    };
    let fields = header_fields(text, file, &header, problems)?;

    let mut located = Vec::new();
    for row in records {
        match row {
            Ok(row) => {
                if let Some(record) = record(text, file, &row, &fields, problems) {
                    located.push(record);
                }
            }
            Err(e) => {
                problems.push(unreadable(text, file, &e));
                return None;
            }
        }
    }
    // Every quote of a well-formed file opens, closes or doubles one: an odd count is a quoted cell
    // that never ends, most likely a file cut short (the reader takes it to the end of the file).
    if text.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
        let at = located.last().map_or(0, |l: &Located| l.span.start);
        problems.push(
            Diagnostic::error("a quoted cell is never closed: the file may have been cut short")
                .at(file, super::line_span(text, at))
                .label("in this record or after it")
                .hint("export the call log again from the browser"),
        );
        return None;
    }
    Some(Export {
        file,
        kind: Kind::Csv,
        site: None,
        fields,
        records: located,
    })
}

fn unreadable(text: &str, file: FileId, e: &::csv::Error) -> Diagnostic {
    let at = start(text, e.position());
    Diagnostic::error(format!("this CSV cannot be read: {e}"))
        .at(file, super::line_span(text, at))
        .label("here")
}

/// Where a record starts: the reader's position can be on the end of the line before (the `\n` of a
/// `\r\n`).
fn start(text: &str, position: Option<&::csv::Position>) -> usize {
    let at = position.map_or(0, |p| p.byte() as usize).min(text.len());
    let skipped = text.as_bytes()[at..]
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    at + skipped
}

/// The bytes of cell `index` of the record that starts at `start` (quotes included), or an empty span
/// at the end of the record when it has fewer cells.
fn cell_span(text: &str, start: usize, index: usize) -> std::ops::Range<usize> {
    let bytes = text.as_bytes();
    let mut at = start;
    for i in 0.. {
        let cell_start = at;
        if bytes.get(at) == Some(&b'"') {
            at += 1;
            while at < bytes.len() {
                match (bytes[at], bytes.get(at + 1)) {
                    (b'"', Some(b'"')) => at += 2,
                    (b'"', _) => {
                        at += 1;
                        break;
                    }
                    _ => at += 1,
                }
            }
        }
        while at < bytes.len() && !matches!(bytes[at], b',' | b'\r' | b'\n') {
            at += 1;
        }
        if i == index {
            return cell_start..at;
        }
        if bytes.get(at) != Some(&b',') {
            return at..at;
        }
        at += 1;
    }
    at..at
}

/// The field columns of a header that starts with [`COLUMNS`].
fn header_fields(
    text: &str,
    file: FileId,
    header: &StringRecord,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<Field>> {
    let span = super::line_span(text, 0);
    let expected = COLUMNS.join(",");
    let wrong = COLUMNS
        .iter()
        .enumerate()
        .find(|(i, want)| header.get(*i) != Some(**want));
    if let Some((i, want)) = wrong {
        let semicolons = header.len() == 1 && header.get(0).is_some_and(|h| h.contains(';'));
        let message = match header.get(i) {
            _ if semicolons => {
                "not a Lifeboat call log export: its cells are separated by semicolons, not commas"
                    .to_string()
            }
            Some(got) => format!(
                "not a Lifeboat call log export: column {} of the header is `{got}`, expected `{want}`",
                i + 1
            ),
            None => format!(
                "not a Lifeboat call log export: the header has {} columns, expected at least {}",
                header.len(),
                COLUMNS.len()
            ),
        };
        let span = match header.get(i) {
            Some(_) if !semicolons => cell_span(text, 0, i),
            _ => span,
        };
        let mut problem = Diagnostic::error(message)
            .at(file, span)
            .label("header")
            .hint(format!(
                "a call log CSV starts with the header `{expected}`"
            ));
        if semicolons {
            problem = problem
                .hint("a spreadsheet saved this file again; merge the file the agent exported");
        }
        problems.push(problem);
        return None;
    }
    let mut fields: Vec<Field> = Vec::new();
    let mut ok = true;
    for name in header.iter().skip(COLUMNS.len()) {
        let problem = super::field_name_problem(name).or_else(|| {
            fields
                .iter()
                .any(|f| f.name == name)
                .then(|| format!("column `{name}` is in the header twice"))
        });
        match problem {
            Some(message) => {
                ok = false;
                problems.push(
                    Diagnostic::error(message)
                        .at(file, span.clone())
                        .label("header"),
                );
            }
            None => fields.push(Field {
                name: name.to_string(),
                label: None,
            }),
        }
    }
    ok.then_some(fields)
}

fn record(
    text: &str,
    file: FileId,
    row: &StringRecord,
    fields: &[Field],
    problems: &mut Vec<Diagnostic>,
) -> Option<Located> {
    let at = start(text, row.position());
    let span = super::line_span(text, at);
    let mut error = |message: String, cell: Option<usize>| {
        let (span, label) = match cell {
            Some(i) => (cell_span(text, at, i), COLUMNS[i]),
            None => (span.clone(), "record"),
        };
        problems.push(Diagnostic::error(message).at(file, span).label(label));
    };
    let columns = COLUMNS.len() + fields.len();
    if row.len() != columns {
        error(
            format!(
                "this record has {} cells, the header has {columns}",
                row.len()
            ),
            None,
        );
        return None;
    }
    let cell = |i: usize| row.get(i).unwrap_or_default().to_string();
    let mut ok = true;
    for (i, name) in [(0, "id"), (3, "entry")] {
        if cell(i).trim().is_empty() {
            error(format!("`{name}` is empty"), Some(i));
            ok = false;
        }
    }
    let started_at = match super::parse_time(&cell(1)) {
        Ok(t) => Some(t),
        Err(message) => {
            error(format!("`started`: {message}"), Some(1));
            None
        }
    };
    if let Err(message) = super::parse_time(&cell(2)) {
        error(format!("`ended`: {message}"), Some(2));
        ok = false;
    }
    let values: BTreeMap<String, String> = fields
        .iter()
        .zip(row.iter().skip(COLUMNS.len()))
        .filter(|(_, value)| !value.is_empty())
        .map(|(field, value)| (field.name.clone(), value.to_string()))
        .collect();
    let record = Record {
        id: cell(0),
        started: cell(1),
        ended: cell(2),
        entry: cell(3),
        entry_title: None,
        environment: super::non_empty(Some(cell(4))),
        snapshot: cell(5),
        end: super::non_empty(Some(cell(6))),
        path: super::path_steps(&cell(7)),
        comment: cell(8),
        fields: values,
    };
    Some(Located {
        record,
        file,
        span: cell_span(text, at, 0),
        started_at: started_at.filter(|_| ok)?,
    })
}

/// The merge as a CSV export, as the browser writes one.
pub fn write(merged: &Merged) -> io::Result<Vec<u8>> {
    let mut writer = WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .quote_style(QuoteStyle::Necessary)
        .from_writer("\u{feff}".as_bytes().to_vec());
    let header = COLUMNS
        .iter()
        .copied()
        .chain(merged.fields.iter().map(|f| f.name.as_str()));
    writer.write_record(header)?;
    for r in &merged.records {
        let path = super::path_text(&r.path);
        let optional = |v: &Option<String>| v.as_deref().unwrap_or_default().to_string();
        let base = [
            r.id.clone(),
            r.started.clone(),
            r.ended.clone(),
            r.entry.clone(),
            optional(&r.environment),
            r.snapshot.clone(),
            optional(&r.end),
            path,
            r.comment.clone(),
        ];
        let values = merged
            .fields
            .iter()
            .map(|f| r.fields.get(&f.name).cloned().unwrap_or_default());
        writer.write_record(base.into_iter().chain(values))?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}
