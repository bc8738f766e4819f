//! Tokens of a statement: node shapes with their raw labels, shape data (`@{ … }`), arrows. Free
//! functions over the text that follows; each says how many bytes it took. What Mermaid's lexer
//! refuses (a bracket or `"` inside an unquoted label) is refused here too.

use super::shapes;
use super::Shape;

/// Node shapes by opening bracket, longest first; each with its closing brackets.
const SHAPES: &[(&str, &[(&str, Shape)])] = &[
    ("(((", &[(")))", Shape::DoubleCircle)]),
    ("((", &[("))", Shape::Circle)]),
    ("([", &[("])", Shape::Stadium)]),
    ("(-", &[("-)", Shape::Round)]),
    ("(", &[(")", Shape::Round)]),
    ("[[", &[("]]", Shape::Subroutine)]),
    ("[(", &[(")]", Shape::Cylinder)]),
    (
        "[/",
        &[("/]", Shape::Parallelogram), ("\\]", Shape::Trapezoid)],
    ),
    (
        "[\\",
        &[("\\]", Shape::Parallelogram), ("/]", Shape::TrapezoidAlt)],
    ),
    ("[", &[("]", Shape::Rect)]),
    ("{{", &[("}}", Shape::Hexagon)]),
    ("{", &[("}", Shape::Rhombus)]),
    (">", &[("]", Shape::Asymmetric)]),
];

/// Characters Mermaid's lexer ends or refuses an unquoted label at.
const LABEL_STOPS: &[char] = &['[', ']', '(', ')', '{', '}', '|', '"'];

/// A label as written: its text (quotes removed) and whether it was quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Raw {
    pub text: String,
    pub quoted: bool,
}

/// An arrow: its length in bytes, its inline label (`-- text -->`), its kind.
pub(super) struct Arrow {
    pub len: usize,
    pub label: Option<Raw>,
    pub both_ways: bool,
    pub invisible: bool,
}

/// `@{ shape: …, label: …, icon: …, img: … }`; other keys (`animate`, `pos`, `w`…) are layout.
#[derive(Debug, Default)]
pub(super) struct ShapeData {
    pub shape: Option<Shape>,
    pub label: Option<Raw>,
    pub icon: Option<String>,
    pub img: Option<String>,
}

/// The shape and raw label at an opening bracket that `rest` starts with, and the bytes they take.
pub(super) fn shape(rest: &str) -> Result<(Shape, Raw, usize), String> {
    let mut opened = None;
    for (open, closers) in SHAPES {
        if !rest.starts_with(open) {
            continue;
        }
        opened.get_or_insert(*open);
        let inner = rest.get(open.len()..).unwrap_or("");
        let found = if inner.trim_start_matches([' ', '\t']).starts_with('"') {
            quoted(inner, closers)
        } else {
            unquoted(inner, closers)?
        };
        if let Some((shape, raw, used)) = found {
            return Ok((shape, raw, open.len() + used));
        }
    }
    let open = opened.unwrap_or("[");
    Err(format!("the node label opened by `{open}` is not closed"))
}

/// An unquoted label up to the first of `closers`: Mermaid's lexer stops at any bracket, `|` or `"`,
/// so one of those before the closer is refused. Labels may span lines.
fn unquoted(inner: &str, closers: &[(&str, Shape)]) -> Result<Option<(Shape, Raw, usize)>, String> {
    for (i, c) in inner.char_indices() {
        let here = inner.get(i..).unwrap_or("");
        if let Some((close, shape)) = closers.iter().find(|(close, _)| here.starts_with(close)) {
            let text = inner.get(..i).unwrap_or("").to_string();
            return Ok(Some((
                *shape,
                Raw {
                    text,
                    quoted: false,
                },
                i + close.len(),
            )));
        }
        if LABEL_STOPS.contains(&c) {
            let so_far: String = inner.get(..i).unwrap_or("").chars().take(30).collect();
            return Err(format!(
                "`{c}` inside the unquoted label `{}…`: Mermaid refuses it; put the label in quotes (`[\"…\"]`)",
                so_far.trim()
            ));
        }
    }
    Ok(None)
}

/// A quoted label `"…"` then one of the closers: (shape, raw label, bytes used).
fn quoted(inner: &str, closers: &[(&str, Shape)]) -> Option<(Shape, Raw, usize)> {
    let lead = inner.len() - inner.trim_start_matches([' ', '\t']).len();
    let body = inner.get(lead + 1..)?;
    let close = body.find('"')?;
    let after = body.get(close + 1..)?;
    let trail = after.len() - after.trim_start_matches([' ', '\t']).len();
    let after = after.get(trail..)?;
    let (close_text, shape) = closers.iter().find(|(c, _)| after.starts_with(c))?;
    Some((
        *shape,
        Raw {
            text: body.get(..close)?.to_string(),
            quoted: true,
        },
        lead + 1 + close + 1 + trail + close_text.len(),
    ))
}

/// Mermaid 11 shape data `@{ shape: diamond, label: "Text" }` at `rest`, and the bytes it takes.
/// Commas and `}` inside quotes belong to the value; an unknown shape name is refused.
pub(super) fn shape_data(rest: &str) -> Result<(ShapeData, usize), String> {
    let body = rest.get(2..).unwrap_or("");
    let mut fields = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut end = None;
    for (i, c) in body.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            (',' | '\n', None) => {
                fields.push(body.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            ('}', None) => {
                fields.push(body.get(start..i).unwrap_or(""));
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(end) = end else {
        return Err("`@{` is not closed by `}`".into());
    };
    let mut data = ShapeData::default();
    for field in fields {
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)));
        let text = unquoted.unwrap_or(value).to_string();
        match key.trim() {
            "label" => {
                data.label = Some(Raw {
                    text,
                    quoted: unquoted.is_some(),
                })
            }
            "shape" => data.shape = Some(shapes::named(&text)?),
            "icon" => data.icon = Some(text),
            "img" => data.img = Some(text),
            _ => {}
        }
    }
    Ok((data, 2 + end + 1))
}

/// Whether `c` opens a both-ways arrow that ends with `head`: `<-->`, `o--o`, `x--x`.
fn pairs(c: u8, head: u8) -> bool {
    matches!((c, head), (b'<', b'>') | (b'o', b'o') | (b'x', b'x'))
}

/// The arrow `rest` starts with (its label if written `-- text -->`), or `None`. Mermaid's forms:
/// `--+[-xo>]`, `==+[=xo>]`, `-?.+-[xo>]?`, `~~~+`, each maybe opened by `<`, `o` or `x`, and the
/// labelled `-- text -->`, `== text ==>`, `-. text .->` (the text may span lines).
pub(super) fn arrow(rest: &str) -> Result<Option<Arrow>, String> {
    let b = rest.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let run = |i: usize, c: u8| {
        b.get(i..)
            .map_or(0, |s| s.iter().take_while(|&&x| x == c).count())
    };
    let is_head = |c: u8| matches!(c, b'>' | b'o' | b'x');
    if rest.starts_with("~~~") {
        return Ok(Some(Arrow {
            len: run(0, b'~'),
            label: None,
            both_ways: false,
            invisible: true,
        }));
    }
    let prefix = usize::from(
        matches!(at(0), b'<' | b'o' | b'x')
            && matches!(
                (at(1), at(2)),
                (b'-', b'-') | (b'=', b'=') | (b'-', b'.') | (b'.', _)
            ),
    );
    let i = prefix;
    let c = at(i);
    let arrow = |len: usize, head: u8, label: Option<Raw>| Arrow {
        len,
        label,
        both_ways: prefix == 1 && pairs(at(0), head),
        invisible: false,
    };
    // Dotted: `-?.+-[xo>]?` closed, or `-.` opening a label.
    let dash = usize::from(c == b'-');
    if at(i + dash) == b'.' && (dash == 1 || c == b'.') {
        let dots = run(i + dash, b'.');
        if at(i + dash + dots) == b'-' {
            let j = i + dash + dots + 1;
            let head = if is_head(at(j)) { at(j) } else { 0 };
            return Ok(Some(arrow(j + usize::from(head != 0), head, None)));
        }
        if dash == 1 && dots == 1 {
            return labelled(rest, i + 2, Close::Dotted)
                .map(|(len, head, label)| Some(arrow(len, head, Some(label))));
        }
        return Ok(None);
    }
    if c != b'-' && c != b'=' {
        return Ok(None);
    }
    let n = run(i, c);
    if n >= 2 && is_head(at(i + n)) {
        return Ok(Some(arrow(i + n + 1, at(i + n), None)));
    }
    if n >= 3 {
        return Ok(Some(arrow(i + n, 0, None)));
    }
    if n == 2 {
        let close = if c == b'-' {
            Close::Normal
        } else {
            Close::Thick
        };
        return labelled(rest, i + 2, close)
            .map(|(len, head, label)| Some(arrow(len, head, Some(label))));
    }
    Ok(None)
}

#[derive(Clone, Copy)]
enum Close {
    Normal,
    Thick,
    Dotted,
}

/// A labelled arrow's text from `from` (just after `--`, `==` or `-.`) and its closing arrow: (bytes
/// to the end of the arrow, head, label). The text ends at the first `--` (`==`, `.-`), which must
/// close the arrow, as in Mermaid; a quoted text may hold those.
fn labelled(rest: &str, from: usize, close: Close) -> Result<(usize, u8, Raw), String> {
    let (open, pair) = match close {
        Close::Normal => ("--", "--"),
        Close::Thick => ("==", "=="),
        Close::Dotted => ("-.", ".-"),
    };
    let not_closed = || {
        format!(
            "the arrow `{open}` is not closed (write `{open} text {}` or `{}`)",
            match close {
                Close::Normal => "-->",
                Close::Thick => "==>",
                Close::Dotted => ".->",
            },
            match close {
                Close::Normal => "-->",
                Close::Thick => "==>",
                Close::Dotted => "-.->",
            }
        )
    };
    let text = rest.get(from..).unwrap_or("");
    let lead = text.len() - text.trim_start().len();
    let (label, search_from) = match text.get(lead..).and_then(|t| t.strip_prefix('"')) {
        Some(body) => {
            let end = body.find('"').ok_or_else(not_closed)?;
            let label = Raw {
                text: body.get(..end).unwrap_or("").to_string(),
                quoted: true,
            };
            (Some(label), from + lead + 1 + end + 1)
        }
        None => (None, from),
    };
    let after = rest.get(search_from..).unwrap_or("");
    let k = after.find(pair).ok_or_else(not_closed)?;
    let start = search_from + k;
    if label.is_some() && !after.get(..k).unwrap_or("").trim().is_empty() {
        return Err(format!(
            "text after the quoted label of `{open} \"…\"`: Mermaid refuses it; put all the text in the quotes"
        ));
    }
    let b = rest.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let is_head = |c: u8| matches!(c, b'>' | b'o' | b'x');
    let (text_end, end, head) = match close {
        Close::Normal | Close::Thick => {
            let c = at(start);
            let n = b
                .get(start..)
                .map_or(0, |s| s.iter().take_while(|&&x| x == c).count());
            if n >= 2 && is_head(at(start + n)) {
                (start, start + n + 1, at(start + n))
            } else if n >= 3 {
                (start, start + n, 0)
            } else {
                return Err(not_closed());
            }
        }
        Close::Dotted => {
            // `.-` found at its last dot: take the dots before it, and one `-` before them.
            let mut s = start;
            while s > search_from && at(s - 1) == b'.' {
                s -= 1;
            }
            if s > search_from && at(s - 1) == b'-' {
                s -= 1;
            }
            let j = start + 2;
            let head = if is_head(at(j)) { at(j) } else { 0 };
            (s, j + usize::from(head != 0), head)
        }
    };
    let label = label.unwrap_or_else(|| Raw {
        text: rest.get(from..text_end).unwrap_or("").to_string(),
        quoted: false,
    });
    Ok((end, head, label))
}
