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
    pub problems: Vec<VarProblem>,
}

pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces every `{{ name }}` found in `values`; unknown names are left as written (the caller reports
/// them from `uses`).
pub fn substitute(text: &str, values: &BTreeMap<String, String>) -> Substituted {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMap::default();
    let mut uses = Vec::new();
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
    fn malformed_placeholders_are_problems() {
        let s = substitute("x {{ two words }} y {{ open", &vars());
        assert_eq!(s.problems.len(), 2);
        assert!(matches!(s.problems[1], VarProblem::Unclosed { at: 20 }));
    }
}
