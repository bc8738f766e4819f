//! What a reader sees in a Mermaid flowchart, found by a deliberately simple scan of the source that
//! shares no code with the importer: the label of each node (the last one written for an id), the
//! edge labels, the subgraph titles, and the number of arrows. corpus.rs holds the imported diagrams
//! against it.

use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Seen {
    /// Node id -> its last label, normalized ([`normalize`]).
    pub nodes: BTreeMap<String, String>,
    pub edge_labels: Vec<String>,
    pub subgraph_titles: Vec<String>,
    pub arrows: usize,
}

/// Statements that hold no node, edge or title.
const SKIPPED: &[&str] = &[
    "%%",
    "classDef ",
    "class ",
    "style ",
    "linkStyle ",
    "click ",
    "accTitle",
    "direction ",
];

pub fn scan(source: &str) -> Seen {
    let mut seen = Seen::default();
    let mut in_descr = false;
    for piece in pieces(&without_front_matter(source)) {
        let t = piece.trim_start();
        if in_descr {
            in_descr = !piece.contains('}');
            continue;
        }
        if t.starts_with("accDescr") {
            in_descr = t.contains('{') && !t.contains('}');
            continue;
        }
        if SKIPPED.iter().any(|s| t.starts_with(s))
            || t.starts_with("flowchart")
            || t.starts_with("graph")
        {
            continue;
        }
        if let Some(rest) = t.strip_prefix("subgraph") {
            let title = match (rest.find('['), rest.rfind(']')) {
                (Some(a), Some(b)) if a < b => &rest[a + 1..b],
                _ => rest,
            };
            let title = normalize(title.trim().trim_matches('"'));
            if !title.is_empty() {
                seen.subgraph_titles.push(title);
            }
            continue;
        }
        let masked = node_labels(&piece, &mut seen);
        let masked = edge_labels(&masked, &mut seen);
        seen.arrows += arrows(&masked);
    }
    seen
}

fn without_front_matter(source: &str) -> String {
    let source = source.trim_start_matches('\u{feff}');
    let mut lines = source
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .peekable();
    if lines.peek().map(|l| l.trim()) == Some("---") {
        lines.next();
        for line in lines.by_ref() {
            if line.trim() == "---" {
                break;
            }
        }
    }
    lines.collect::<Vec<_>>().join("\n")
}

/// Statements: lines, split at `;` outside quotes and brackets; a label written over several lines
/// stays in one piece.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '(' | '{' if !quoted => depth += 1,
            ']' | ')' | '}' if !quoted => depth = (depth - 1).max(0),
            _ => {}
        }
        if (c == '\n' || c == ';') && !quoted && depth == 0 {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    out.push(current);
    out
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '_' | '.' | ':' | '-' | '&' | '\'' | '!' | '?' | '*' | '+' | '/' | '#' | '$' | '%'
        )
}

const OPENERS: &[&str] = &[
    "(((", "((", "([", "(-", "[[", "[(", "[/", "[\\", "{{", "(", "[", "{", ">",
];

/// Finds `id[label]` (every shape) and `id@{ … label: … }`, records the labels, and returns the piece
/// with them blanked out.
fn node_labels(piece: &str, seen: &mut Seen) -> String {
    let chars: Vec<char> = piece.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        // Quoted text and `|edge labels|` hold no node.
        if chars[i] == '"' || chars[i] == '|' {
            let close = (i + 1..chars.len())
                .find(|&k| chars[k] == chars[i])
                .unwrap_or(chars.len());
            i = close + 1;
            continue;
        }
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let rest: String = chars[i..].iter().take(3).collect();
        let opener = OPENERS.iter().find(|o| rest.starts_with(**o));
        let after_id = prev.is_some_and(|p| {
            if chars[i] == '>' {
                p.is_alphanumeric() || p == '_'
            } else {
                is_id_char(p)
            }
        });
        if chars[i] == '@' && chars.get(i + 1) == Some(&'{') && prev.is_some_and(is_id_char) {
            let id = id_before(&chars, i);
            let mut j = i + 2;
            let mut quote = None;
            while j < chars.len() && !(chars[j] == '}' && quote.is_none()) {
                match (chars[j], quote) {
                    ('"' | '\'', None) => quote = Some(chars[j]),
                    (c, Some(q)) if c == q => quote = None,
                    _ => {}
                }
                j += 1;
            }
            let body: String = chars[i + 2..j.min(chars.len())].iter().collect();
            if let Some(label) = data_label(&body) {
                seen.nodes.insert(id, normalize(&label));
            } else if let Some(icon) = data_value(&body, "icon") {
                seen.nodes.entry(id).or_insert_with(|| icon_words(&icon));
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
            continue;
        }
        if let (Some(opener), true) = (opener, after_id) {
            let id = id_before(&chars, i);
            let start = i + opener.chars().count();
            let mut j = start;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let (text, end) = if chars.get(j) == Some(&'"') {
                let close = (j + 1..chars.len())
                    .find(|&k| chars[k] == '"')
                    .unwrap_or(chars.len());
                let text: String = chars[j + 1..close.min(chars.len())].iter().collect();
                let mut end = close + 1;
                while end < chars.len() && matches!(chars[end], ' ' | ')' | ']' | '}' | '/' | '\\')
                {
                    end += 1;
                }
                (text.trim_matches('`').to_string(), end)
            } else {
                let close = (start..chars.len())
                    .find(|&k| matches!(chars[k], ']' | ')' | '}'))
                    .unwrap_or(chars.len());
                let mut text: String = chars[start..close].iter().collect();
                if opener.starts_with("[/") || opener.starts_with("[\\") {
                    text = text.trim_end_matches(['/', '\\']).to_string();
                }
                if *opener == "(-" {
                    text = text.trim_end_matches('-').to_string();
                }
                let mut end = close;
                while end < chars.len() && matches!(chars[end], ')' | ']' | '}') {
                    end += 1;
                }
                (text, end)
            };
            let label = normalize(&text);
            if label.is_empty() {
                seen.nodes.entry(id).or_default();
            } else {
                seen.nodes.insert(id, label);
            }
            blank(&mut out, i, end);
            i = end;
            continue;
        }
        i += 1;
    }
    out.into_iter().collect()
}

fn id_before(chars: &[char], at: usize) -> String {
    let mut s = at;
    while s > 0 && is_id_char(chars[s - 1]) {
        s -= 1;
    }
    let id: String = chars[s..at].iter().collect();
    // `A---B[x]`: the id is what follows the last arrow.
    let cut = ["--", "-.", ".-", "=="]
        .iter()
        .filter_map(|a| id.rfind(a).map(|i| i + a.len()))
        .max()
        .unwrap_or(0);
    id[cut..].trim_start_matches(['-', '.', '&']).to_string()
}

fn blank(out: &mut [char], from: usize, to: usize) {
    let to = to.min(out.len());
    for c in out.iter_mut().take(to).skip(from) {
        *c = ' ';
    }
}

fn data_value(body: &str, key: &str) -> Option<String> {
    let at = body.find(&format!("{key}:"))?;
    let value = body[at + key.len() + 1..].trim_start();
    let quote = value.chars().next()?;
    if quote == '"' || quote == '\'' {
        let inner = &value[1..];
        return Some(inner[..inner.find(quote)?].to_string());
    }
    Some(value.split([',', '\n', '}']).next()?.trim().to_string())
}

fn data_label(body: &str) -> Option<String> {
    data_value(body, "label")
        .map(|l| l.trim_matches('`').to_string())
        .filter(|l| !l.trim().is_empty())
}

/// Records `|label|` and `-- label -->` (`==`, `-.`) labels; returns the piece with each label and the
/// opening half of its arrow blanked out.
fn edge_labels(piece: &str, seen: &mut Seen) -> String {
    let chars: Vec<char> = piece.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '|' {
            let close = if chars.get(i + 1) == Some(&'"') {
                (i + 2..chars.len())
                    .find(|&k| chars[k] == '"')
                    .and_then(|q| (q + 1..chars.len()).find(|&k| chars[k] == '|'))
            } else {
                (i + 1..chars.len()).find(|&k| chars[k] == '|')
            };
            if let Some(close) = close {
                let text: String = chars[i + 1..close].iter().collect();
                push_edge(seen, text.trim().trim_matches('"').trim_matches('`'));
                blank(&mut out, i, close + 1);
                i = close + 1;
                continue;
            }
        }
        let pair: String = chars[i..].iter().take(2).collect();
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 2).copied().unwrap_or('\n');
        let close = match pair.as_str() {
            "--" => Some("--"),
            "==" => Some("=="),
            "-." => Some(".-"),
            _ => None,
        };
        if let Some(close) = close {
            if !matches!(prev, '-' | '=' | '.')
                && !matches!(next, '-' | '>' | 'x' | 'o' | '.' | '=' | '\n')
            {
                let text_start = i + 2;
                let found = (text_start..chars.len().saturating_sub(1))
                    .find(|&k| chars[k..].iter().take(2).collect::<String>() == close);
                if let Some(k) = found {
                    let text: String = chars[text_start..k].iter().collect();
                    push_edge(seen, text.trim().trim_matches('"').trim_matches('`'));
                    blank(&mut out, i, k);
                    i = k;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.into_iter().collect()
}

fn push_edge(seen: &mut Seen, text: &str) {
    let label = normalize(text);
    if !label.is_empty() {
        seen.edge_labels.push(label);
    }
}

/// Counts arrows: runs of `-`, `=`, `.`, `~` that hold `--`, `==`, `-.`, `.-` or `~~~`.
fn arrows(masked: &str) -> usize {
    let chars: Vec<char> = masked.chars().collect();
    let mut count = 0;
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '-' | '=' | '.' | '~') {
            let start = i;
            while i < chars.len() && matches!(chars[i], '-' | '=' | '.' | '~') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            if run.contains("--")
                || run.contains("==")
                || run.contains("-.")
                || run.contains(".-")
                || run.contains("~~~")
            {
                count += 1;
            }
        } else {
            i += 1;
        }
    }
    count
}

fn icon_words(icon: &str) -> String {
    let name = icon.rsplit(':').next().unwrap_or(icon);
    let name = name.strip_prefix("fa-").unwrap_or(name);
    normalize(&name.replace(['-', '_'], " "))
}

/// Text as a reader sees it, to compare labels with what the imported diagram shows: entities
/// decoded, `<br>`, `\n` and line ends as spaces, tags dropped (an image by its alt text), icons and
/// `$$` dropped, emphasis marks and backslashes dropped, spaces collapsed.
pub fn normalize(text: &str) -> String {
    let mut s = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(formula) = rest.strip_prefix("$$") {
            if let Some(end) = formula.find("$$") {
                s.push_str(&formula[..end]);
                rest = &formula[end + 2..];
                continue;
            }
        }
        if c == '<' {
            if let Some(end) = rest.find('>') {
                let tag = &rest[..=end];
                let lower = tag.to_ascii_lowercase();
                if lower.starts_with("<img") {
                    if let Some(a) = lower.find("alt=") {
                        let v = &tag[a + 4..];
                        let q = v.chars().next().unwrap_or('"');
                        let v = &v[1..];
                        s.push(' ');
                        s.push_str(&v[..v.find(q).unwrap_or(0)]);
                    }
                    s.push(' ');
                    rest = &rest[end + 1..];
                    continue;
                }
                if lower[1..]
                    .trim_start_matches('/')
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                {
                    s.push(' ');
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        if rest.starts_with("\\n") {
            s.push(' ');
            rest = &rest[2..];
            continue;
        }
        if c == '#' || c == '&' {
            if let Some(semi) = rest[..rest.len().min(12)].find(';') {
                let body = &rest[1..semi];
                let body = body.strip_prefix('#').filter(|_| c == '&').unwrap_or(body);
                let decoded = match body {
                    "quot" => Some('"'),
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    digits if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                        digits.parse().ok().and_then(char::from_u32)
                    }
                    _ => None,
                };
                if let Some(d) = decoded {
                    s.push(d);
                    rest = &rest[semi + 1..];
                    continue;
                }
            }
        }
        s.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let words: Vec<&str> = s
        .split_whitespace()
        .filter(|w| {
            !w.split_once(':').is_some_and(|(p, i)| {
                matches!(p, "fa" | "fab" | "fas" | "far" | "fal" | "fak") && i.starts_with("fa-")
            })
        })
        .collect();
    shown(&words.join(" ").replace("$$", ""))
}

/// Text shown in an imported diagram (already plain), in the form [`normalize`] gives: emphasis
/// marks and backslashes dropped, spaces collapsed.
pub fn shown(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '~' | '\\'))
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}
