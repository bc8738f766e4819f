//! `{{ name }}` substitution, done on the raw Markdown before it is interpreted, with a map from the
//! substituted text back to the original so that later diagnostics still point at the right line.

use std::collections::BTreeMap;
use std::ops::Range;

/// A `{{ name }}` found in the text.
#[derive(Debug, Clone)]
pub struct VarUse {
    pub name: String,
    /// Range of the whole `{{ … }}` in the original text.
    pub span: Range<usize>,
}

/// How a call field is used in the text (docs/call-assistant.md): `{{ ask x }}` puts its input there,
/// `{{ call.x }}` shows the value typed so far. Never substituted at build time: each becomes a
/// [`marker`] that rendering turns into the element the viewer fills in (`render::fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Ask,
    Show,
}

/// A call field found in the text.
#[derive(Debug, Clone)]
pub struct CallUse {
    pub kind: CallKind,
    pub name: String,
    /// Range of the whole `{{ … }}` in the original text.
    pub span: Range<usize>,
}

/// What a call field's use becomes in the substituted text: letters and digits only (the field's name
/// in hex between a prefix and `z`), so Markdown reads it as one plain word wherever it stands, in text,
/// tables and link destinations alike, and the sanitizer keeps it as it is.
pub const MARKER_PREFIX: &str = "lbcallfield";

/// The marker of a use of field `name`.
pub fn marker(kind: CallKind, name: &str) -> String {
    let mut out = String::with_capacity(MARKER_PREFIX.len() + 2 + 2 * name.len());
    out.push_str(MARKER_PREFIX);
    out.push(match kind {
        CallKind::Ask => 'a',
        CallKind::Show => 'c',
    });
    for b in name.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out.push('z');
    out
}

/// A marker found in a text: where, which use, which field.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub range: Range<usize>,
    pub kind: CallKind,
    pub name: String,
}

/// The markers in `text`, in order (text that only looks like the prefix is left alone).
pub fn markers(text: &str) -> impl Iterator<Item = Marker> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while let Some(found) = text[pos..].find(MARKER_PREFIX) {
            let start = pos + found;
            pos = start + MARKER_PREFIX.len();
            if let Some(m) = marker_at(text, start) {
                pos = m.range.end;
                return Some(m);
            }
        }
        None
    })
}

fn marker_at(text: &str, start: usize) -> Option<Marker> {
    let bytes = text.as_bytes();
    let mut i = start + MARKER_PREFIX.len();
    let kind = match bytes.get(i)? {
        b'a' => CallKind::Ask,
        b'c' => CallKind::Show,
        _ => return None,
    };
    i += 1;
    let mut name = Vec::new();
    loop {
        match bytes.get(i)? {
            b'z' => break,
            _ => {
                let pair = text.get(i..i + 2)?;
                name.push(u8::from_str_radix(pair, 16).ok()?);
                i += 2;
            }
        }
    }
    let name = String::from_utf8(name).ok().filter(|n| is_valid_name(n))?;
    Some(Marker {
        range: start..i + 1,
        kind,
        name,
    })
}

/// `ask NAME` or `call.NAME`, as written between the braces (already trimmed).
fn call_use(inner: &str) -> Option<(CallKind, &str)> {
    if let Some(name) = inner.strip_prefix("call.") {
        return Some((CallKind::Show, name));
    }
    let (word, name) = inner.split_once(char::is_whitespace)?;
    (word == "ask").then_some((CallKind::Ask, name.trim()))
}

/// Problems found while substituting.
#[derive(Debug, Clone, PartialEq)]
pub enum VarProblem {
    Unclosed { at: usize },
    BadName { span: Range<usize>, name: String },
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    sub: usize,
    orig: usize,
    verbatim: bool,
}

/// Maps offsets in substituted text to offsets in the original text.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    segments: Vec<Segment>,
}

impl OffsetMap {
    pub fn to_original(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|s| s.sub <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some(s) if s.verbatim => s.orig + (offset - s.sub),
            Some(s) => s.orig,
            None => offset,
        }
    }

    pub fn range_to_original(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.to_original(range.start);
        let end = self.to_original(range.end).max(start);
        start..end
    }
}

pub struct Substituted {
    pub text: String,
    pub map: OffsetMap,
    pub uses: Vec<VarUse>,
    pub calls: Vec<CallUse>,
    pub problems: Vec<VarProblem>,
}

pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces every `{{ name }}` found in `values`; unknown names are left as written (the caller reports
/// them from `uses`). Call fields (`{{ ask x }}`, `{{ call.x }}`) become their [`marker`], listed in
/// `calls`.
pub fn substitute(text: &str, values: &BTreeMap<String, String>) -> Substituted {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMap::default();
    let mut uses = Vec::new();
    let mut calls = Vec::new();
    let mut problems = Vec::new();
    let mut pos = 0;
    map.segments.push(Segment {
        sub: 0,
        orig: 0,
        verbatim: true,
    });
    while let Some(found) = text[pos..].find("{{") {
        let open = pos + found;
        let Some(len) = text[open + 2..].find("}}") else {
            problems.push(VarProblem::Unclosed { at: open });
            break;
        };
        let close = open + 2 + len + 2;
        let raw = &text[open + 2..close - 2];
        let name = raw.trim();
        if let Some((kind, field)) = call_use(name).filter(|_| !raw.contains('\n')) {
            if !is_valid_name(field) {
                problems.push(VarProblem::BadName {
                    span: open..close,
                    name: field.to_string(),
                });
                out.push_str(&text[pos..close]);
                pos = close;
                continue;
            }
            calls.push(CallUse {
                kind,
                name: field.to_string(),
                span: open..close,
            });
            out.push_str(&text[pos..open]);
            map.segments.push(Segment {
                sub: out.len(),
                orig: open,
                verbatim: false,
            });
            out.push_str(&marker(kind, field));
            map.segments.push(Segment {
                sub: out.len(),
                orig: close,
                verbatim: true,
            });
            pos = close;
            continue;
        }
        if !is_valid_name(name) || raw.contains('\n') {
            problems.push(VarProblem::BadName {
                span: open..close,
                name: name.to_string(),
            });
            out.push_str(&text[pos..close]);
            pos = close;
            continue;
        }
        uses.push(VarUse {
            name: name.to_string(),
            span: open..close,
        });
        out.push_str(&text[pos..open]);
        if let Some(value) = values.get(name) {
            map.segments.push(Segment {
                sub: out.len(),
                orig: open,
                verbatim: false,
            });
            out.push_str(value);
        } else {
            map.segments.push(Segment {
                sub: out.len(),
                orig: open,
                verbatim: true,
            });
            out.push_str(&text[open..close]);
        }
        map.segments.push(Segment {
            sub: out.len(),
            orig: close,
            verbatim: true,
        });
        pos = close;
    }
    out.push_str(&text[pos..]);
    Substituted {
        text: out,
        map,
        uses,
        calls,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("phone".to_string(), "1 800 555-0199".to_string())].into()
    }

    #[test]
    fn replaces_and_maps_offsets_back() {
        let s = substitute("Call {{ phone }} now.\nNext line", &vars());
        assert_eq!(s.text, "Call 1 800 555-0199 now.\nNext line");
        let next = s.text.find("Next").unwrap();
        assert_eq!(s.map.to_original(next), "Call {{ phone }} now.\n".len());
        assert_eq!(
            s.map.to_original(7),
            5,
            "inside a value maps to the placeholder"
        );
        assert_eq!(s.uses[0].name, "phone");
        assert_eq!(s.uses[0].span, 5..16);
    }

    #[test]
    fn unknown_names_stay_and_are_reported_as_uses() {
        let s = substitute("a {{ nope }} b", &vars());
        assert_eq!(s.text, "a {{ nope }} b");
        assert_eq!(s.uses[0].name, "nope");
        assert!(s.problems.is_empty());
    }

    #[test]
    fn call_fields_become_markers_that_read_back() {
        let s = substitute(
            "Compte {{ ask numero_compte }} puis {{ call.numero_compte }}.\n{{ phone }}",
            &vars(),
        );
        assert!(s.uses.iter().all(|u| u.name == "phone"));
        assert_eq!(s.calls.len(), 2);
        assert_eq!(s.calls[0].kind, CallKind::Ask);
        assert_eq!(s.calls[1].kind, CallKind::Show);
        assert_eq!(s.calls[1].span, 36..60);
        assert!(s.text.chars().all(|c| c.is_ascii() || c == '\n'));
        let found: Vec<Marker> = markers(&s.text).collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "numero_compte");
        assert_eq!(found[1].kind, CallKind::Show);
        assert!(s.text[found[0].range.clone()]
            .chars()
            .all(|c| c.is_ascii_alphanumeric()));
        let after = s.text.find('.').unwrap();
        assert_eq!(
            s.map.to_original(after),
            60,
            "offsets after a marker map back"
        );
        assert!(s.text.ends_with("1 800 555-0199"));
    }

    #[test]
    fn text_that_only_looks_like_a_marker_is_left_alone() {
        let text = format!("{MARKER_PREFIX} {MARKER_PREFIX}a6zz {MARKER_PREFIX}x41z");
        assert_eq!(markers(&text).count(), 0);
        let bad = substitute("{{ call.two words }} {{ ask }}", &vars());
        assert!(bad.calls.is_empty());
        assert_eq!(bad.problems.len(), 1);
        assert_eq!(bad.uses[0].name, "ask", "`{{ ask }}` alone is a variable");
    }

    #[test]
    fn malformed_placeholders_are_problems() {
        let s = substitute("x {{ two words }} y {{ open", &vars());
        assert_eq!(s.problems.len(), 2);
        assert!(matches!(s.problems[1], VarProblem::Unclosed { at: 20 }));
    }
}
