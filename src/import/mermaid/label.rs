//! Label text as Mermaid draws it: `<br>` and newlines break lines, other HTML tags are dropped (their
//! text kept), entities (`#quot;`, `#35;`, `&amp;`) are decoded, Font Awesome icons (`fa:fa-phone`) are
//! dropped, and runs of spaces are collapsed.

use super::Label;

/// A node label; `quoted` when it was written `"…"` (then ``"`…`"`` is a markdown string).
pub(super) fn clean(raw: &str, quoted: bool) -> Label {
    let trimmed = raw.trim();
    let markdown_text = trimmed
        .strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .filter(|_| quoted);
    let (text, markdown) = match markdown_text {
        Some(inner) => (inner, true),
        None => (trimmed, false),
    };
    let lines = split_lines(text)
        .iter()
        .map(|line| tidy(&decode(line)))
        .filter(|line| !line.is_empty())
        .collect();
    Label { lines, markdown }
}

/// An edge label on one line, quotes removed; `None` when empty.
pub(super) fn clean_edge(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let (text, quoted) = match trimmed.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => (inner, true),
        None => (trimmed, false),
    };
    let label = clean(text, quoted).joined();
    (!label.is_empty()).then_some(label)
}

/// Splits at newlines and `<br>` (any case, `<br/>`, `<br />`), dropping other tags.
fn split_lines(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(name) = tag_name(rest) {
                let end = rest.find('>').map_or(rest.len(), |i| i + 1);
                if name.eq_ignore_ascii_case("br") {
                    lines.push(String::new());
                } else if let Some(last) = lines.last_mut() {
                    last.push(' ');
                }
                rest = rest.get(end..).unwrap_or("");
                continue;
            }
        }
        if c == '\n' {
            lines.push(String::new());
        } else if let Some(last) = lines.last_mut() {
            last.push(c);
        }
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    lines
}

/// The name of the HTML tag `text` starts with (`<b>`, `</span>`, `<br/>`), if it is one.
fn tag_name(text: &str) -> Option<&str> {
    let inside = text.get(1..text.find('>')?)?;
    if inside.contains('<') {
        return None;
    }
    let inside = inside.strip_prefix('/').unwrap_or(inside);
    let len = inside
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inside.len());
    let name = inside.get(..len)?;
    let first = name.chars().next()?;
    let after = inside.get(len..).unwrap_or("");
    (first.is_ascii_alphabetic() && (after.is_empty() || after.starts_with([' ', '/', '\t'])))
        .then_some(name)
}

/// Decodes Mermaid entities (`#quot;`, `#9829;`) and HTML ones (`&amp;`, `&#39;`); anything else,
/// control characters included, is left as written.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '#' || c == '&' {
            if let Some((decoded, used)) = entity(rest) {
                out.push(decoded);
                rest = rest.get(used..).unwrap_or("");
                continue;
            }
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

/// The character of the entity `text` starts with, and its length in bytes.
fn entity(text: &str) -> Option<(char, usize)> {
    let semi = text.bytes().take(12).position(|b| b == b';')?;
    let body = text.get(1..semi)?;
    let (numeric, body) = match body.strip_prefix('#') {
        Some(digits) if text.starts_with('&') => (true, digits),
        _ => (false, body),
    };
    let c = if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        char::from_u32(body.parse().ok()?).filter(|c| !c.is_control())?
    } else if numeric {
        return None;
    } else {
        match body {
            "quot" => '"',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            "nbsp" => ' ',
            _ => return None,
        }
    };
    Some((c, semi + 1))
}

/// Drops Font Awesome icons and collapses spaces.
fn tidy(line: &str) -> String {
    let words: Vec<&str> = line
        .split_whitespace()
        .filter(|w| {
            !w.split_once(':').is_some_and(|(prefix, icon)| {
                matches!(prefix, "fa" | "fab" | "fas" | "far" | "fal" | "fak")
                    && icon.starts_with("fa-")
            })
        })
        .collect();
    words.join(" ")
}
