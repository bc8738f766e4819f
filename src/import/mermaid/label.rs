//! Label text as Mermaid draws it: `<br>`, newlines and a written `\n` break lines, other HTML tags are
//! dropped (their text kept, an `<img>` by its `alt` text), entities (`#quot;`, `#35;`, `&amp;`) are
//! decoded, KaTeX formulas (`$$x^2$$`) keep their TeX source, Font Awesome icons (`fa:fa-phone`) are
//! dropped unless they are the whole label (then their names stand for it), and runs of spaces are
//! collapsed.

use super::Label;

/// What cleaning a label noticed that the user should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LabelNote {
    /// The label was only icons: their names (`fa:fa-phone` → "phone") stand for it.
    IconOnly(String),
    /// The label was only an image; its `alt` text, if any, stands for it.
    ImageOnly { alt: bool },
    /// A KaTeX formula, kept as its TeX source.
    Katex,
}

/// A cleaned label, and what was noticed.
pub(super) struct Cleaned {
    pub label: Label,
    pub notes: Vec<LabelNote>,
}

/// A label; `quoted` when it was written `"…"` (then ``"`…`"`` is a markdown string).
pub(super) fn clean(raw: &str, quoted: bool) -> Cleaned {
    let trimmed = raw.trim();
    let markdown_text = trimmed
        .strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .filter(|_| quoted);
    let (text, markdown) = match markdown_text {
        Some(inner) => (inner, true),
        None => (trimmed, false),
    };
    let mut notes = Vec::new();
    let (lines, images, katex) = split_lines(text);
    let mut icons = Vec::new();
    let lines: Vec<String> = lines
        .iter()
        .map(|line| tidy(line, &mut icons))
        .filter(|line| !line.is_empty())
        .collect();
    if katex {
        notes.push(LabelNote::Katex);
    }
    let mut label = Label { lines, markdown };
    if label.is_empty() && !icons.is_empty() {
        let names = icons.join(" ");
        notes.push(LabelNote::IconOnly(names.clone()));
        label.lines = vec![names];
        label.markdown = false;
    } else if images.total > 0 && images.total == images.with_alt && only_alt(&label, &images) {
        notes.push(LabelNote::ImageOnly { alt: true });
    } else if images.total > 0 && label.is_empty() {
        notes.push(LabelNote::ImageOnly { alt: false });
    }
    Cleaned { label, notes }
}

/// Whether the label is nothing but the images' alt texts.
fn only_alt(label: &Label, images: &Images) -> bool {
    label.joined() == images.alts.join(" ")
}

/// An edge label (quotes already removed) on one line; `None` when empty.
pub(super) fn clean_edge(text: &str, quoted: bool) -> Option<Cleaned> {
    let mut cleaned = clean(text, quoted);
    let joined = cleaned.label.joined();
    if joined.is_empty() {
        return None;
    }
    cleaned.label.lines = vec![joined];
    Some(cleaned)
}

/// The words an icon name stands for: `fa:fa-car-side` → "car side", `logos:aws` → "aws".
pub(super) fn icon_words(icon: &str) -> String {
    let name = icon.rsplit(':').next().unwrap_or(icon);
    let name = name.strip_prefix("fa-").unwrap_or(name);
    let words: Vec<&str> = name.split(['-', '_']).filter(|w| !w.is_empty()).collect();
    words.join(" ")
}

#[derive(Default)]
struct Images {
    total: usize,
    with_alt: usize,
    alts: Vec<String>,
}

/// Splits at newlines, `<br>` (any case, `<br/>`, `<br />`) and a written `\n`, dropping other tags
/// (an `<img>` leaves its `alt` text) and decoding entities; a KaTeX formula `$$…$$` is kept as its
/// TeX source, as written (`\nu` is a letter there). Also says whether there was a formula.
fn split_lines(text: &str) -> (Vec<String>, Images, bool) {
    let mut lines = vec![String::new()];
    let mut images = Images::default();
    let mut katex = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(formula) = rest.strip_prefix("$$") {
            if let Some(end) = formula.find("$$") {
                if let Some(last) = lines.last_mut() {
                    last.push_str(formula.get(..end).unwrap_or("").trim());
                }
                katex = true;
                rest = formula.get(end + 2..).unwrap_or("");
                continue;
            }
        }
        if c == '<' {
            if let Some(name) = tag_name(rest) {
                let end = rest.find('>').map_or(rest.len(), |i| i + 1);
                let tag = rest.get(..end).unwrap_or("");
                if name.eq_ignore_ascii_case("br") {
                    lines.push(String::new());
                } else if let Some(last) = lines.last_mut() {
                    last.push(' ');
                    if name.eq_ignore_ascii_case("img") {
                        images.total += 1;
                        if let Some(alt) = attribute(tag, "alt").filter(|a| !a.trim().is_empty()) {
                            images.with_alt += 1;
                            images.alts.push(alt.trim().to_string());
                            last.push_str(alt);
                            last.push(' ');
                        }
                    }
                }
                rest = rest.get(end..).unwrap_or("");
                continue;
            }
        }
        if c == '\n' || (c == '\\' && rest.starts_with("\\n")) {
            lines.push(String::new());
            rest = rest.get(if c == '\n' { 1 } else { 2 }..).unwrap_or("");
            continue;
        }
        if c == '#' || c == '&' {
            if let Some((decoded, used)) = entity(rest) {
                if let Some(last) = lines.last_mut() {
                    last.push(decoded);
                }
                rest = rest.get(used..).unwrap_or("");
                continue;
            }
        }
        if let Some(last) = lines.last_mut() {
            last.push(c);
        }
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    (lines, images, katex)
}

/// The value of an attribute of an HTML tag (`alt="Modem"`, `alt='Modem'`).
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower.get(from..)?.find(name) {
        let at = from + i;
        from = at + name.len();
        let before = lower.get(..at)?.chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let after = tag.get(from..)?.trim_start();
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            let body = value.get(1..)?;
            return body.find(quote).and_then(|end| body.get(..end));
        }
        let end = value
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(value.len());
        return value.get(..end);
    }
    None
}

/// The name of the HTML tag `text` starts with (`<b>`, `</span>`, `<br/>`), if it is one.
fn tag_name(text: &str) -> Option<&str> {
    // Up to the first `>` or `<` only: a label full of `<` is read in one pass.
    let end = 1 + text.get(1..)?.find(['<', '>'])?;
    if !text.get(end..)?.starts_with('>') {
        return None;
    }
    let inside = text.get(1..end)?;
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

/// Whether a word is a Font Awesome icon (`fa:fa-phone`, `fab:fa-github`).
fn is_icon(word: &str) -> bool {
    word.split_once(':').is_some_and(|(prefix, icon)| {
        matches!(prefix, "fa" | "fab" | "fas" | "far" | "fal" | "fak") && icon.starts_with("fa-")
    })
}

/// Drops Font Awesome icons (their names go to `icons`) and collapses spaces.
fn tidy(line: &str, icons: &mut Vec<String>) -> String {
    let mut words = Vec::new();
    for word in line.split_whitespace() {
        if is_icon(word) {
            icons.push(icon_words(word));
        } else {
            words.push(word);
        }
    }
    words.join(" ")
}
