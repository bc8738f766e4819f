//! Problems found in content, with where they are and how to fix them.
//!
//! Every stage pushes into one [`Report`]; nothing stops at the first problem. The report keeps the text of
//! each file it has seen so that snippets can be drawn (by codespan-reporting) with lines counted from the
//! top of the file, front matter included.

use std::io;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use std::sync::Arc;

use codespan_reporting::files::{Files, SimpleFiles};
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Index of a file registered with [`Report::add_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(usize);

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: Option<FileId>,
    /// Byte range in the file's text.
    pub span: Option<Range<usize>>,
    pub message: String,
    /// Short text drawn under the marked source.
    pub label: String,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: None,
            span: None,
            message: message.into(),
            label: String::new(),
            hints: Vec::new(),
        }
    }

    /// Points at a whole file (no snippet).
    pub fn in_file(mut self, file: FileId) -> Self {
        self.file = Some(file);
        self
    }

    pub fn at(mut self, file: FileId, span: Range<usize>) -> Self {
        self.file = Some(file);
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn hint_opt(self, hint: Option<String>) -> Self {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }
}

/// A diagnostic flattened for machines (`check --format json`).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: Severity,
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub message: &'a str,
    pub label: &'a str,
    pub hints: &'a [String],
}

pub struct Report {
    files: SimpleFiles<String, Arc<str>>,
    diagnostics: Vec<Diagnostic>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            files: SimpleFiles::new(),
            diagnostics: Vec::new(),
        }
    }
}

impl Report {
    /// Registers a file's text; `name` is the path shown to users (relative to the content folder's parent).
    /// Adds a file's text (shared: the content model keeps the same text to parse it again later).
    pub fn add_file(&mut self, name: String, text: impl Into<Arc<str>>) -> FileId {
        FileId(self.files.add(name, text.into()))
    }

    pub fn file_name(&self, id: FileId) -> &str {
        self.files
            .get(id.0)
            .map(|f| f.name().as_str())
            .unwrap_or("")
    }

    pub fn file_text(&self, id: FileId) -> &str {
        self.files
            .get(id.0)
            .map(|f| f.source().as_ref())
            .unwrap_or("")
    }

    /// Every registered file: id, name, text.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &str, &str)> {
        (0..)
            .map_while(|i| self.files.get(i).ok().map(|f| (i, f)))
            .map(|(i, f)| (FileId(i), f.name().as_str(), f.source().as_ref()))
    }

    /// Keeps only the diagnostics `keep` accepts (a later rule may replace an earlier, vaguer message).
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.diagnostics.retain(keep);
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(diagnostics);
    }

    /// The diagnostics, without the files they point into (their file ids stay valid in the report
    /// that holds those files).
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> Option<(usize, usize)> {
        let line = self.files.line_index(file.0, offset).ok()?;
        let col = self.files.column_number(file.0, line, offset).ok()?;
        Some((line + 1, col))
    }

    /// Sorts by file name, then position, then severity; drops exact duplicates.
    pub fn sort(&mut self) {
        let files = &self.files;
        let key = |d: &Diagnostic| {
            let name = d
                .file
                .and_then(|f| files.get(f.0).ok())
                .map(|f| f.name().clone());
            let start = d.span.as_ref().map(|s| s.start);
            (name, start, d.severity, d.message.clone())
        };
        self.diagnostics.sort_by_key(key);
        self.diagnostics.dedup_by(|a, b| {
            a.file == b.file
                && a.span == b.span
                && a.message == b.message
                && a.severity == b.severity
        });
    }

    /// Draws every diagnostic rustc-style, then a summary line.
    pub fn emit_text(&self, out: &mut dyn termcolor::WriteColor) -> io::Result<()> {
        let config = term::Config::default();
        for d in &self.diagnostics {
            term::emit(out, &config, &self.files, &self.to_codespan(d))
                .map_err(io::Error::other)?;
        }
        let (errors, warnings) = (self.count(Severity::Error), self.count(Severity::Warning));
        if errors + warnings > 0 {
            writeln!(out, "{}", summary(errors, warnings))?;
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        let items: Vec<JsonDiagnostic> = self
            .diagnostics
            .iter()
            .map(|d| {
                let start = d
                    .file
                    .zip(d.span.as_ref())
                    .and_then(|(f, s)| self.line_col(f, s.start));
                let end = d
                    .file
                    .zip(d.span.as_ref())
                    .and_then(|(f, s)| self.line_col(f, s.end));
                JsonDiagnostic {
                    severity: d.severity,
                    file: d.file.map(|f| self.file_name(f)),
                    line: start.map(|p| p.0),
                    column: start.map(|p| p.1),
                    end_line: end.map(|p| p.0),
                    end_column: end.map(|p| p.1),
                    message: &d.message,
                    label: &d.label,
                    hints: &d.hints,
                }
            })
            .collect();
        serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
    }

    fn to_codespan(&self, d: &Diagnostic) -> CsDiagnostic<usize> {
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut out = CsDiagnostic::new(severity).with_message(&d.message);
        let mut notes: Vec<String> = d.hints.iter().map(|h| format!("help: {h}")).collect();
        match (d.file, &d.span) {
            (Some(file), Some(span)) => {
                let text = self.file_text(file);
                let mut span = span.start.min(text.len())..span.end.min(text.len());
                while !text.is_char_boundary(span.end) {
                    span.end -= 1;
                }
                while span.end > span.start && text[..span.end].ends_with(char::is_whitespace) {
                    span.end -= text[..span.end]
                        .chars()
                        .next_back()
                        .map_or(1, char::len_utf8);
                }
                out = out.with_labels(vec![Label::primary(file.0, span).with_message(&d.label)]);
            }
            (Some(file), None) => notes.insert(0, format!("in {}", self.file_name(file))),
            _ => {}
        }
        out.with_notes(notes)
    }
}

pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Names longer than this (in characters) get no "did you mean" hint: the edit distance takes time and
/// memory in the product of the two lengths, and nobody types a typo into a name that long.
pub const MAX_SUGGESTION_CHARS: usize = 256;

/// The nearest candidate to `wanted`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = wanted.chars().count();
    if len > MAX_SUGGESTION_CHARS {
        return None;
    }
    candidates
        .into_iter()
        // A score of 0.5 needs the lengths within a factor of two; skipping the others also bounds the cost.
        .filter(|c| {
            let (n, m) = (len, c.chars().count());
            m <= MAX_SUGGESTION_CHARS && n.max(m) <= 2 * n.min(m)
        })
        .map(|c| (strsim::normalized_damerau_levenshtein(wanted, c), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// Prints diagnostics to stderr, in colour on a terminal (not with `NO_COLOR`).
pub fn print_to_stderr(report: &Report) {
    use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
    use std::io::IsTerminal;
    let choice = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut stderr = StandardStream::stderr(choice);
    report.emit_text(&mut stderr).ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_rejects_strangers() {
        let ids = ["redemarrer", "voyants", "alimentation"];
        assert_eq!(nearest("redemarer", ids), Some("redemarrer"));
        assert_eq!(nearest("voyant", ids), Some("voyants"));
        assert_eq!(nearest("zzz", ids), None);
    }

    #[test]
    fn nearest_skips_names_too_long_to_compare() {
        let long = "a".repeat(MAX_SUGGESTION_CHARS + 1);
        let near = format!("{}b", &long[1..]);
        assert_eq!(nearest(&near, [long.as_str()]), None);
        let short = "a".repeat(MAX_SUGGESTION_CHARS);
        assert_eq!(nearest(&short[1..], [short.as_str()]), Some(short.as_str()));
    }

    #[test]
    fn line_col_counts_from_the_top_of_the_file() {
        let mut report = Report::default();
        let f = report.add_file("a.md".into(), "+++\ntitle = 1\n+++\nbody");
        assert_eq!(report.line_col(f, 4), Some((2, 1)));
        assert_eq!(report.line_col(f, 18), Some((4, 1)));
    }
}
