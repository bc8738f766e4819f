//! A passage's text: its links (`[[text]]`, `[[text|target]]`, `[[text->target]]`,
//! `[[target<-text]]`, and the link macros of Harlowe and SugarCube), its story-format code (macros,
//! hooks' markers, variables, Chapbook inserts and modifiers, Snowman scripts) dropped and reported,
//! and its prose as Markdown.

use crate::import::mermaid::write::escape;

/// A link in a passage, at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub target: String,
    pub line: usize,
}

/// A passage's text read: its prose lines (each a list of pieces), its trailing links (the answers),
/// and the story-format code dropped, by line.
#[derive(Debug, Default)]
pub struct Read {
    pub lines: Vec<Vec<Piece>>,
    pub answers: Vec<Link>,
    pub dropped: Vec<(usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Link(Link),
}

/// Reads a passage's text; `first_line` is the file line of its first line.
pub fn read(text: &str, first_line: usize) -> Read {
    let mut out = Read::default();
    let mut lines: Vec<(usize, Vec<Piece>)> = Vec::new();
    let mut in_vars = chapbook_vars(text);
    let mut hooks = 0usize;
    for (n, raw) in text.lines().enumerate() {
        let line = first_line + n;
        if in_vars {
            if raw.trim() == "--" {
                in_vars = false;
            }
            out.dropped
                .push((line, format!("Chapbook variable `{}`", raw.trim())));
            continue;
        }
        let trimmed = raw.trim();
        if is_chapbook_modifier(trimmed) {
            out.dropped
                .push((line, format!("Chapbook modifier `{trimmed}`")));
            continue;
        }
        let pieces = pieces(raw, line, &mut hooks, &mut out.dropped);
        lines.push((line, pieces));
    }
    // The links that end the passage, alone on their lines, are its answers.
    while let Some((_, last)) = lines.last() {
        let blank = last
            .iter()
            .all(|p| matches!(p, Piece::Text(t) if t.trim().is_empty()));
        let only_links = !blank
            && last.iter().all(|p| match p {
                Piece::Link(_) => true,
                Piece::Text(t) => t
                    .trim()
                    .chars()
                    .all(|c| matches!(c, '|' | '-' | '•' | '·' | ',' | ' ')),
            });
        if blank {
            lines.pop();
        } else if only_links {
            if let Some((_, pieces)) = lines.pop() {
                let links: Vec<Link> = pieces
                    .into_iter()
                    .filter_map(|p| match p {
                        Piece::Link(l) => Some(l),
                        Piece::Text(_) => None,
                    })
                    .collect();
                out.answers.splice(0..0, links);
            }
        } else {
            break;
        }
    }
    out.lines = lines.into_iter().map(|(_, p)| p).collect();
    out
}

/// Whether the passage starts with a Chapbook variables section (lines `name: value`, then `--`).
fn chapbook_vars(text: &str) -> bool {
    let mut lines = text.lines();
    let mut any = false;
    for line in lines.by_ref() {
        let t = line.trim();
        if t == "--" {
            return any;
        }
        let is_var = t.split_once(':').is_some_and(|(k, _)| {
            !k.is_empty()
                && k.chars().all(|c| {
                    c.is_alphanumeric()
                        || matches!(c, '_' | '.' | ' ' | '(' | ')' | '\'' | '"' | '=')
                })
        });
        if !is_var {
            return false;
        }
        any = true;
    }
    false
}

/// Chapbook modifiers: a line that is only `[if …]`, `[else]`, `[continue]`, `[JavaScript]`, `[note]`…
fn is_chapbook_modifier(line: &str) -> bool {
    let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
        return false;
    };
    if inner.starts_with('[') {
        return false;
    }
    let word = inner
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        word.as_str(),
        "if" | "else"
            | "unless"
            | "continue"
            | "javascript"
            | "css"
            | "note"
            | "fork"
            | "after"
            | "append"
            | "align"
            | "cont'd"
    )
}

/// A line's prose and links, story-format code dropped into `dropped`.
fn pieces(
    raw: &str,
    line: usize,
    hooks: &mut usize,
    dropped: &mut Vec<(usize, String)>,
) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    let flush = |text: &mut String, out: &mut Vec<Piece>| {
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(text)));
        }
    };
    while let Some(c) = rest.chars().next() {
        // `[[link]]`, with SugarCube's setter `[[text|target][$x to 1]]`.
        if let Some(after) = rest.strip_prefix("[[") {
            if let Some(end) = after.find("]]") {
                let inner = after.get(..end).unwrap_or("");
                let mut used = 2 + end + 2;
                let (inner, setter) = match inner.split_once("][") {
                    Some((link, setter)) => (link, Some(setter)),
                    None => (inner, None),
                };
                if setter.is_some() {
                    dropped.push((line, "a SugarCube link setter".into()));
                }
                if let Some(link) = link_of(inner, line) {
                    flush(&mut text, &mut out);
                    out.push(Piece::Link(link));
                    rest = rest.get(used..).unwrap_or("");
                    continue;
                }
                used = 2;
                text.push_str(rest.get(..used).unwrap_or(""));
                rest = rest.get(used..).unwrap_or("");
                continue;
            }
        }
        // SugarCube and Harlowe 1 macros `<<name …>>`; `<<link "text" "target">>`, `<<goto "target">>`.
        if let Some(after) = rest.strip_prefix("<<") {
            if let Some(end) = after.find(">>") {
                let inner = after.get(..end).unwrap_or("").trim();
                let name = inner.split_whitespace().next().unwrap_or("");
                let strings = quoted_strings(inner);
                let link = match (name, strings.as_slice()) {
                    ("link" | "button", [text, target, ..]) => Some((text.clone(), target.clone())),
                    ("goto", [target, ..]) => Some((target.clone(), target.clone())),
                    _ => None,
                };
                match link {
                    Some((t, target)) => {
                        flush(&mut text, &mut out);
                        out.push(Piece::Link(Link {
                            text: t,
                            target,
                            line,
                        }));
                    }
                    // A closing tag `<</if>>` is reported with its opening one.
                    None if !name.is_empty() && !name.starts_with('/') => {
                        dropped.push((line, format!("SugarCube macro `<<{name}>>`")))
                    }
                    None => {}
                }
                rest = after.get(end + 2..).unwrap_or("");
                continue;
            }
        }
        // Snowman `<% … %>`.
        if let Some(after) = rest.strip_prefix("<%") {
            let end = after.find("%>").map_or(after.len(), |e| e + 2);
            dropped.push((line, "a Snowman script `<% … %>`".into()));
            rest = after.get(end..).unwrap_or("");
            continue;
        }
        // Harlowe macros `(name: …)`; `(link-goto: "text", "target")`, `(goto: "target")`.
        if c == '(' {
            if let Some((name, inner, used)) = harlowe_macro(rest) {
                let strings = quoted_strings(inner);
                let link = match (name, strings.as_slice()) {
                    ("link-goto" | "linkgoto" | "click-goto", [text, target, ..]) => {
                        Some((text.clone(), target.clone()))
                    }
                    ("link-goto" | "linkgoto" | "goto", [target]) => {
                        Some((target.clone(), target.clone()))
                    }
                    _ => None,
                };
                match link {
                    Some((t, target)) => {
                        flush(&mut text, &mut out);
                        out.push(Piece::Link(Link {
                            text: t,
                            target,
                            line,
                        }));
                    }
                    None => dropped.push((line, format!("Harlowe macro `({name}:)`"))),
                }
                rest = rest.get(used..).unwrap_or("");
                // A hook right after the macro: its text is kept, its brackets dropped.
                if let Some(hook) = rest.strip_prefix('[').filter(|h| !h.starts_with('[')) {
                    rest = hook;
                    *hooks += 1;
                }
                continue;
            }
        }
        // Harlowe named hooks `|name>[` and `]<name|`, and the end of a hook.
        if c == '|' {
            if let Some(used) = hook_open(rest) {
                rest = rest.get(used..).unwrap_or("");
                *hooks += 1;
                continue;
            }
        }
        if c == ']' && *hooks > 0 && !rest.starts_with("]]") {
            *hooks -= 1;
            let after = rest.get(1..).unwrap_or("");
            let used = hook_close(after).map_or(1, |n| 1 + n);
            rest = rest.get(used..).unwrap_or("");
            continue;
        }
        // Chapbook inserts `{name: …}` and `{name}`; variables `$name`.
        if c == '{' {
            if let Some(end) = rest.find('}') {
                let inner = rest.get(1..end).unwrap_or("");
                if !inner.is_empty()
                    && inner.chars().next().is_some_and(char::is_alphabetic)
                    && !inner.contains('{')
                {
                    dropped.push((line, format!("Chapbook insert `{{{}}}`", short(inner))));
                    rest = rest.get(end + 1..).unwrap_or("");
                    continue;
                }
            }
        }
        if c == '$'
            && rest
                .get(1..)
                .and_then(|r| r.chars().next())
                .is_some_and(|n| n.is_alphabetic() || n == '_')
        {
            let len = 1 + rest
                .get(1..)
                .unwrap_or("")
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len() - 1);
            dropped.push((
                line,
                format!("variable `{}`", rest.get(..len).unwrap_or("")),
            ));
            rest = rest.get(len..).unwrap_or("");
            continue;
        }
        text.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    flush(&mut text, &mut out);
    out
}

fn short(text: &str) -> String {
    let s: String = text.chars().take(30).collect();
    if s.len() < text.len() {
        format!("{s}…")
    } else {
        s
    }
}

/// `[[…]]`'s inside as a link: `text|target`, `text->target`, `target<-text`, `target`.
fn link_of(inner: &str, line: usize) -> Option<Link> {
    let (text, target) = if let Some((text, target)) = inner.split_once('|') {
        (text, target)
    } else if let Some(i) = inner.rfind("->") {
        (inner.get(..i)?, inner.get(i + 2..)?)
    } else if let Some(i) = inner.find("<-") {
        (inner.get(i + 2..)?, inner.get(..i)?)
    } else {
        (inner, inner)
    };
    let (text, target) = (text.trim(), target.trim());
    (!target.is_empty()).then(|| Link {
        text: if text.is_empty() {
            target.to_string()
        } else {
            text.to_string()
        },
        target: target.to_string(),
        line,
    })
}

/// The strings `"…"` or `'…'` in a macro's arguments.
fn quoted_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(['"', '\'']) {
        let quote = rest
            .get(start..)
            .and_then(|r| r.chars().next())
            .unwrap_or('"');
        let body = rest.get(start + 1..).unwrap_or("");
        let Some(end) = body.find(quote) else {
            break;
        };
        out.push(body.get(..end).unwrap_or("").to_string());
        rest = body.get(end + 1..).unwrap_or("");
    }
    out
}

/// A Harlowe macro at `text` (`(name: …)`, parentheses and quotes balanced): its name, its arguments
/// and the bytes it takes.
fn harlowe_macro(text: &str) -> Option<(&str, &str, usize)> {
    let after = text.get(1..)?;
    let name_len = after.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))?;
    if name_len == 0 || !after.get(name_len..)?.starts_with(':') {
        return None;
    }
    let name = after.get(..name_len)?;
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    for (i, c) in after.char_indices().skip(name_len + 1) {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('(', None) => depth += 1,
            (')', None) => {
                depth -= 1;
                if depth == 0 {
                    return Some((name, after.get(name_len + 1..i)?, 1 + i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// `|name>[` at the start of `text`: the bytes it takes.
fn hook_open(text: &str) -> Option<usize> {
    let after = text.get(1..)?;
    let len = after.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))?;
    (len > 0 && after.get(len..)?.starts_with(">[")).then_some(1 + len + 2)
}

/// `<name|` right after a hook's `]`: the bytes it takes.
fn hook_close(text: &str) -> Option<usize> {
    let after = text.strip_prefix('<')?;
    let len = after.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))?;
    (len > 0 && after.get(len..)?.starts_with('|')).then_some(1 + len + 1)
}

/// Harlowe and SugarCube emphasis as Markdown (`''bold''` → `**bold**`, `//italic//` → `*italic*`),
/// the rest of the text escaped.
pub fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut bold = false;
    let mut italic = false;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("''") && (bold || rest.get(2..).is_some_and(|r| r.contains("''"))) {
            out.push_str("**");
            bold = !bold;
            rest = rest.get(2..).unwrap_or("");
            continue;
        }
        let after_colon = out.ends_with(':');
        if rest.starts_with("//")
            && !after_colon
            && (italic || rest.get(2..).is_some_and(|r| r.contains("//")))
        {
            out.push('*');
            italic = !italic;
            rest = rest.get(2..).unwrap_or("");
            continue;
        }
        out.push_str(&escape(&c.to_string(), false));
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}
