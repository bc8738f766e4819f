//! Keys never live in the content: a key in `site.toml` or an `entry.toml` would be copied, versioned and
//! read by everyone who can read the folder. Any setting named like a key or password, and any text that
//! is a valid access key, is an error.

use std::ops::Range;

use toml_edit::{ImDocument, Item, Table, Value};

use super::key::AccessKey;
use crate::diagnostics::{Diagnostic, FileId, Report};

/// Setting names that announce a secret (compared lower case, `-` read as `_`).
const SECRET_NAMES: &[&str] = &[
    "key",
    "access_key",
    "accesskey",
    "lifeboat_key",
    "encryption_key",
    "secret_key",
    "secret",
    "passkey",
    "pass_key",
    "password",
    "passwd",
    "passphrase",
];

const HINT: &str = "give the key to `lifeboat build` only: in the LIFEBOAT_ACCESS_KEY environment \
    variable or with `--key-file PATH`; if this was a real key, consider it known: make a new one with \
    `lifeboat key new`, rebuild and hand it to the key holders";

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace('-', "_");
    SECRET_NAMES.contains(&name.as_str())
}

/// Scans the `site.toml` and `entry.toml` files the loader read. A setting with a secret's name replaces
/// the loader's "unknown field" error for it with one that says why.
pub fn scan(report: &mut Report) {
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
            if let Finding::Name(name, _) = &finding {
                let unknown = format!("unknown field `{name}`");
                report.retain(|d| !(d.file == Some(file) && d.message.starts_with(&unknown)));
            }
            report.push(finding.diagnostic(file));
        }
    }
}

enum Finding {
    /// A setting named like a secret: its name and the span of the key.
    Name(String, Option<Range<usize>>),
    /// A text value that is a valid access key: the setting's path and the value's span.
    Value(String, Option<Range<usize>>),
}

impl Finding {
    fn diagnostic(&self, file: FileId) -> Diagnostic {
        let (d, span) = match self {
            Finding::Name(name, span) => (
                Diagnostic::error(format!(
                    "`{name}`: access keys and passwords must never be written in the content"
                ))
                .label("secret setting"),
                span,
            ),
            Finding::Value(path, span) => (
                Diagnostic::error(format!(
                    "`{path}` holds a Lifeboat access key: keys must never be written in the content"
                ))
                .label("an access key"),
                span,
            ),
        };
        let d = d.hint(HINT);
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
            found.push(Finding::Name(name.to_string(), key.span()));
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
        Value::String(s) if AccessKey::parse(s.value()).is_ok() => {
            found.push(Finding::Value(path.to_string(), s.span()));
        }
        Value::Array(a) => a.iter().for_each(|v| walk_value(v, path, found)),
        Value::InlineTable(t) => {
            for (name, _) in t.iter() {
                let Some((key, item)) = t.get_key_value(name) else {
                    continue;
                };
                if is_secret_name(name) {
                    found.push(Finding::Name(name.to_string(), key.span()));
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
        assert!(found[0].starts_with("`access_key`"), "{found:?}");
        assert!(found[1].starts_with("`Password`"), "{found:?}");
        assert!(
            found[2].starts_with("`environments.bcp.code` holds"),
            "{found:?}"
        );
        assert!(findings("name = \"Clé du coffre\"\nkeys = 1\n").is_empty());
    }
}
