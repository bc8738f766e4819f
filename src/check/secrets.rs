//! Keys never live in the content: a key in `site.toml` or an `entry.toml` would be copied, versioned and
//! read by everyone who can read the folder. Any setting named like a key or password, and any text that
//! is a valid access key, is an error.

use std::ops::Range;

use toml_edit::{ImDocument, Item, Table, Value};

use crate::content::config::is_secret_name;
use crate::diagnostics::{Diagnostic, FileId, Report};
use crate::key::AccessKey;

const HINT: &str = "give the key to `lifeboat build` only: in the LIFEBOAT_ACCESS_KEY environment \
    variable or with `--key-file PATH`; if this was a real key, consider it known: make a new one with \
    `lifeboat key new`, rebuild and hand it to the key holders";

/// Scans every text file the loader read (site.toml, entry.toml, diagrams) for access keys written
/// anywhere in them, whole values, inside longer strings, comments or body text (`keys_in_text`), and the
/// `site.toml` and `entry.toml` files for settings named like a secret.
pub fn scan(report: &mut Report) {
    scan_texts(report, None);
    scan_settings(report);
}

/// Looks for access keys in every file of `report`: without `key`, any key-shaped text whose check
/// symbol matches (what `check` does); with the build's own `key`, that key in any case, spacing or
/// grouping (what `build` adds once it has the key).
pub fn scan_texts(report: &mut Report, key: Option<&AccessKey>) {
    let wanted = key.map(|k| normalized(&k.display()).0);
    let mut found = Vec::new();
    for (file, _, text) in report.files() {
        let spans = match &wanted {
            None => keys_in_text(text, None),
            Some(wanted) => key_in_text(text, wanted),
        };
        found.extend(spans.into_iter().map(|span| (file, span)));
    }
    for (file, span) in found {
        report.push(
            Diagnostic::error(
                "this text holds a Lifeboat access key: keys must never be written in the content",
            )
            .at(file, span)
            .label("an access key")
            .hint(HINT),
        );
    }
}

/// Adds the text files of the user theme (`_theme/`, as the loader read them: regular files inside the
/// content folder, links left out: the key scan sees the file a link leads to where it is) to `report`,
/// so that [`scan_texts`] looks in them too. `shown` is the content folder as the user named it (file
/// names in messages start with it).
pub fn add_theme_files(
    report: &mut Report,
    files: &crate::content::theme_files::ThemeFiles,
    shown: &std::path::Path,
) {
    for (rel, file) in files.iter().filter(|(_, f)| !f.linked) {
        let Ok(bytes) = &file.content else { continue };
        if bytes.len() as u64 > crate::content::MAX_TEXT_BYTES {
            continue; // the theme refuses it
        }
        if let Ok(text) = std::str::from_utf8(bytes) {
            let path = shown.join(crate::theme::USER_THEME_DIR).join(rel);
            report.add_file(path.display().to_string(), text.to_string());
        }
    }
}

/// The key symbols of `text` (upper case, `O` read as `0`, `I`/`L` as `1`), spaces and dashes dropped,
/// with the byte offset in `text` of each symbol. Other characters break the stream (`#`).
fn normalized(text: &str) -> (String, Vec<usize>) {
    let mut symbols = String::new();
    let mut offsets = Vec::new();
    for (i, c) in text.char_indices() {
        if c == ' ' || c == '\t' || c == '-' {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii_alphanumeric() || matches!(c, '*' | '~' | '$' | '=') => c,
            _ => '#',
        };
        symbols.push(c);
        offsets.push(i);
    }
    (symbols, offsets)
}

/// Where `text` holds an access key. A key-shaped token — 27 symbols in one run or as the groups
/// `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XX` (dashes or spaces) — counts when its check symbol matches and it
/// holds a digit (a random key lacks one once in 25,000; a run of words has one rarely, and then passes
/// the check once in 37). `wanted`, the build's key as `normalized` writes it, is found in any
/// spacing, grouping or case.
pub fn keys_in_text(text: &str, wanted: Option<&str>) -> Vec<Range<usize>> {
    let mut spans = wanted.map_or_else(Vec::new, |w| key_in_text(text, w));
    for (start, line) in lines_with_offsets(text) {
        for span in key_shaped(line) {
            let span = start + span.start..start + span.end;
            if !spans
                .iter()
                .any(|s: &Range<usize>| s.start <= span.start && span.end <= s.end)
            {
                spans.push(span);
            }
        }
    }
    spans.sort_by_key(|s| s.start);
    spans
}

/// Where `text` holds the key `wanted` ([`normalized`]), in any spacing, grouping or case.
fn key_in_text(text: &str, wanted: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for (start, line) in lines_with_offsets(text) {
        let (symbols, offsets) = normalized(line);
        let mut from = 0;
        while let Some(at) = symbols[from..].find(wanted) {
            let first = from + at;
            let last = first + wanted.len() - 1;
            let width = line[offsets[last]..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
            spans.push(start + offsets[first]..start + offsets[last] + width);
            from = last + 1;
        }
    }
    spans
}

fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let at = start;
        start += line.len();
        (at, line)
    })
}

/// Key-shaped tokens of one line that parse as a key (see [`keys_in_text`]).
fn key_shaped(line: &str) -> Vec<Range<usize>> {
    let is_symbol = |c: char| c.is_ascii_alphanumeric() || matches!(c, '*' | '~' | '$' | '=');
    // Groups of symbols, each with the separator that follows it (if it is a dash or a space).
    let mut groups: Vec<(Range<usize>, bool)> = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_symbol(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !is_symbol(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        let joined = matches!(chars.peek(), Some(&(_, ' ' | '-')));
        groups.push((i..end, joined));
    }
    let mut spans = Vec::new();
    let mut g = 0;
    while g < groups.len() {
        let candidate = if groups[g].0.len() == 27 {
            Some(groups[g].0.clone())
        } else if g + 5 < groups.len()
            && (0..5).all(|k| groups[g + k].0.len() == 5 && groups[g + k].1)
            && groups[g + 5].0.len() == 2
        {
            Some(groups[g].0.start..groups[g + 5].0.end)
        } else {
            None
        };
        match candidate {
            Some(span)
                if line[span.clone()].chars().any(|c| c.is_ascii_digit())
                    && AccessKey::parse(&line[span.clone()]).is_ok() =>
            {
                g += if span.len() == 27 { 1 } else { 6 };
                spans.push(span);
            }
            _ => g += 1,
        }
    }
    spans
}

/// The `site.toml` and `entry.toml` files the loader read: a setting with a secret's name replaces the
/// loader's "unknown field" error for it with one that says why.
fn scan_settings(report: &mut Report) {
    let files: Vec<(FileId, String)> = report
        .files()
        .filter(|(_, name, _)| {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            base == "site.toml" || base == "entry.toml"
        })
        .map(|(id, _, text)| (id, text.to_string()))
        .collect();
    for (file, text) in files {
        let Ok(doc) = ImDocument::parse(text.as_str()) else {
            continue; // the loader already reported the syntax error
        };
        let mut found = Vec::new();
        walk_table(doc.as_table(), "", &mut found);
        for finding in found {
            report.push(finding.diagnostic(file));
        }
    }
}

/// A setting named like a secret: its name and the span of the key.
struct Finding(String, Option<Range<usize>>);

impl Finding {
    fn diagnostic(&self, file: FileId) -> Diagnostic {
        let Finding(name, span) = self;
        let d = Diagnostic::error(format!(
            "`{name}`: access keys and passwords must never be written in the content"
        ))
        .label("secret setting")
        .hint(HINT);
        match span {
            Some(span) => d.at(file, span.clone()),
            None => d.in_file(file),
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn walk_table(table: &Table, path: &str, found: &mut Vec<Finding>) {
    for (name, _) in table.iter() {
        let Some((key, item)) = table.get_key_value(name) else {
            continue;
        };
        let here = join(path, name);
        if is_secret_name(name) {
            found.push(Finding(name.to_string(), key.span()));
        }
        walk_item(item, &here, found);
    }
}

fn walk_item(item: &Item, path: &str, found: &mut Vec<Finding>) {
    match item {
        Item::Table(t) => walk_table(t, path, found),
        Item::ArrayOfTables(a) => a.iter().for_each(|t| walk_table(t, path, found)),
        Item::Value(v) => walk_value(v, path, found),
        Item::None => {}
    }
}

fn walk_value(value: &Value, path: &str, found: &mut Vec<Finding>) {
    match value {
        Value::Array(a) => a.iter().for_each(|v| walk_value(v, path, found)),
        Value::InlineTable(t) => {
            for (name, _) in t.iter() {
                let Some((key, item)) = t.get_key_value(name) else {
                    continue;
                };
                if is_secret_name(name) {
                    found.push(Finding(name.to_string(), key.span()));
                }
                walk_item(item, &join(path, name), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<String> {
        let mut report = Report::default();
        report.add_file("content/site.toml".into(), text);
        scan(&mut report);
        report
            .diagnostics()
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn names_and_values_of_keys_are_found_anywhere() {
        let key = AccessKey::generate().unwrap().display();
        let text = format!(
            "name = \"x\"\naccess_key = \"abc\"\n[backup]\nowner = {{ name = \"a\", Password = \"p\" }}\n\
             [environments.bcp]\ncode = \"{key}\"\n"
        );
        let found = findings(&text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("this text holds"), "{found:?}");
        assert!(found[1].starts_with("`access_key`"), "{found:?}");
        assert!(found[2].starts_with("`Password`"), "{found:?}");
        assert!(findings("name = \"Clé du coffre\"\nkeys = 1\n").is_empty());
    }

    fn spans<'t>(text: &'t str, key: Option<&AccessKey>) -> Vec<&'t str> {
        let wanted = key.map(|k| normalized(&k.display()).0);
        keys_in_text(text, wanted.as_deref())
            .into_iter()
            .map(|s| &text[s])
            .collect()
    }

    #[test]
    fn a_key_is_found_inside_any_text_in_any_spacing() {
        let key = AccessKey::parse("QNTN6-7SMQW-QXER1-4VSNH-SF871-SS").unwrap();
        let shown = key.display();
        // Without knowing the key: by its shape and check symbol, inside longer text.
        let line = format!("# clé du coffre : {shown} (ne pas diffuser)\n");
        assert_eq!(spans(&line, None), [shown.as_str()]);
        let lower = format!("note = \"code {}\"", shown.to_lowercase().replace('-', " "));
        assert_eq!(spans(&lower, None).len(), 1, "{lower}");
        let run = format!("x{}y", key.canonical());
        assert!(
            spans(&run, None).is_empty(),
            "a longer run is not a key: {run}"
        );
        let joined = format!(
            "Le code est {}{} .",
            key.canonical(),
            &shown[shown.len() - 1..]
        );
        assert_eq!(spans(&joined, None).len(), 1, "{joined}");
        // The build's own key, however it is broken up.
        let odd = "q n t n 6 7smqw-qxer14vsnh sf871 ss".to_string();
        assert!(spans(&odd, None).is_empty(), "not key-shaped: {odd}");
        assert_eq!(spans(&format!("voir {odd}!"), Some(&key)), [odd.as_str()]);
        // A typo (wrong check symbol) is not a key; nor is ordinary text.
        assert!(spans("QNTN6-7SMQW-QXER1-4VSNH-SF871-ST", None).is_empty());
        for prose in [
            "Cette carte reste bloq uée ju squ'à la fi n du mo is",
            "Redémarrez le modem, attendez deux minutes puis testez.",
            "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FF",
        ] {
            assert!(spans(prose, Some(&key)).is_empty(), "{prose}");
        }
    }
}
