//! Tokens of a statement: node shapes with their labels, and arrows. Free functions over the text
//! that follows; each says how many bytes it took.

use super::label::clean;
use super::{Label, Shape};

/// Node shapes by opening bracket, longest first; each with its closing brackets.
const SHAPES: &[(&str, &[(&str, Shape)])] = &[
    ("(((", &[(")))", Shape::DoubleCircle)]),
    ("((", &[("))", Shape::Circle)]),
    ("([", &[("])", Shape::Stadium)]),
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

/// An arrow: its length in bytes, its inline label (`-- text -->`), its kind.
pub(super) struct Arrow {
    pub len: usize,
    pub label: Option<String>,
    pub both_ways: bool,
    pub invisible: bool,
}

/// The shape and label at an opening bracket (or `@{ … }`) that `rest` starts with, and the bytes
/// they take.
pub(super) fn shape(rest: &str) -> Result<(Shape, Label, usize), String> {
    if rest.starts_with("@{") {
        return shape_data(rest);
    }
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let mut opened = None;
    for (open, closers) in SHAPES {
        if !rest.starts_with(open) {
            continue;
        }
        opened.get_or_insert(*open);
        let inner = rest.get(open.len()..).unwrap_or("");
        let found = if inner.trim_start().starts_with('"') {
            quoted(inner, closers)
        } else {
            let line = inner
                .get(..line_end.saturating_sub(open.len()))
                .unwrap_or("");
            closers
                .iter()
                .filter_map(|(close, shape)| line.find(close).map(|i| (i, *close, *shape)))
                .min_by_key(|(i, _, _)| *i)
                .map(|(i, close, shape)| {
                    (shape, line.get(..i).unwrap_or(""), false, i + close.len())
                })
        };
        if let Some((shape, raw, was_quoted, used)) = found {
            return Ok((shape, clean(raw, was_quoted), open.len() + used));
        }
    }
    let open = opened.unwrap_or("[");
    Err(format!("the node label opened by `{open}` is not closed"))
}

/// Mermaid 11 `A@{ shape: diamond, label: "Text" }`. Commas and `}` inside quotes belong to the value.
fn shape_data(rest: &str) -> Result<(Shape, Label, usize), String> {
    let body = rest.get(2..).unwrap_or("");
    let mut fields = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut end = None;
    for (i, c) in body.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' | '\n' if !quoted => {
                fields.push(body.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            '}' if !quoted => {
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
    let mut shape = Shape::Rect;
    let mut label = Label::default();
    for field in fields {
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        match key.trim() {
            "label" => label = clean(unquoted, value.starts_with('"')),
            "shape" => shape = named_shape(unquoted),
            _ => {}
        }
    }
    Ok((shape, label, 2 + end + 1))
}

/// The arrow `rest` starts with (its label if written `-- text -->`), or `None`.
pub(super) fn arrow(rest: &str) -> Result<Option<Arrow>, String> {
    let line = rest
        .get(..rest.find('\n').unwrap_or(rest.len()))
        .unwrap_or("");
    let b = line.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let both_ways = matches!(at(0), b'<' | b'o' | b'x')
        && (matches!((at(1), at(2)), (b'-', b'-') | (b'=', b'=') | (b'-', b'.')));
    if both_ways {
        i = 1;
    }
    let head = |i: usize| usize::from(matches!(at(i), b'>' | b'o' | b'x'));
    let mut label = None;
    let c = at(i);
    if line.get(i..).is_some_and(|l| l.starts_with("~~~")) {
        let n = line
            .get(i..)
            .map_or(0, |l| l.len() - l.trim_start_matches('~').len());
        return Ok(Some(Arrow {
            len: i + n,
            label: None,
            both_ways: false,
            invisible: true,
        }));
    }
    let end = if c == b'-' || c == b'=' {
        let run = b
            .get(i..)
            .map_or(0, |s| s.iter().take_while(|&&x| x == c).count());
        if c == b'-' && run == 1 && at(i + 1) == b'.' {
            let dots = b
                .get(i + 1..)
                .map_or(0, |s| s.iter().take_while(|&&x| x == b'.').count());
            if at(i + 1 + dots) == b'-' {
                let j = i + 2 + dots;
                j + head(j)
            } else {
                // `-. text .->`
                let Some(close) = line.get(i + 2..).and_then(|l| l.find(".-")) else {
                    return Err("the dotted arrow `-.` is not closed by `.->` or `.-`".into());
                };
                let close = i + 2 + close;
                label = line.get(i + 2..close).map(str::to_string);
                let j = close + 2;
                j + head(j)
            }
        } else if run >= 2 && head(i + run) == 1 {
            i + run + 1
        } else if run >= 3 {
            i + run
        } else if run == 2 {
            // `-- text -->` / `== text ==>`
            let pair = if c == b'-' { "--" } else { "==" };
            let text_start = i + 2;
            let close = line.get(text_start..).and_then(|l| {
                l.match_indices(pair).map(|(k, _)| k).find(|&k| {
                    let after = at(text_start + k + 2);
                    after == c || matches!(after, b'>' | b'o' | b'x')
                })
            });
            let Some(close) = close else {
                return Err(format!(
                    "the arrow `{pair}` is not closed (write `{pair} text {pair}>` or `{pair}>`)"
                ));
            };
            let close = text_start + close;
            label = line.get(text_start..close).map(str::to_string);
            let run = b
                .get(close..)
                .map_or(0, |s| s.iter().take_while(|&&x| x == c).count());
            close + run + head(close + run)
        } else {
            return Ok(None);
        }
    } else {
        return Ok(None);
    };
    Ok(Some(Arrow {
        len: end,
        label,
        both_ways,
        invisible: false,
    }))
}

/// A quoted label `"…"` then one of the closers: (shape, raw label, quoted, bytes used).
fn quoted<'t>(inner: &'t str, closers: &[(&str, Shape)]) -> Option<(Shape, &'t str, bool, usize)> {
    let lead = inner.len() - inner.trim_start().len();
    let body = inner.get(lead + 1..)?;
    let close = body.find('"')?;
    let after = body.get(close + 1..)?;
    let trail = after.len() - after.trim_start_matches([' ', '\t']).len();
    let after = after.get(trail..)?;
    let (close_text, shape) = closers.iter().find(|(c, _)| after.starts_with(c))?;
    Some((
        *shape,
        body.get(..close)?,
        true,
        lead + 1 + close + 1 + trail + close_text.len(),
    ))
}

/// Mermaid 11 shape names (`@{ shape: … }`); unknown names are drawn as rectangles.
fn named_shape(name: &str) -> Shape {
    match name.trim() {
        "rounded" | "event" => Shape::Round,
        "stadium" | "pill" | "terminal" => Shape::Stadium,
        "subproc" | "subprocess" | "subroutine" | "fr-rect" | "framed-rectangle" => {
            Shape::Subroutine
        }
        "cyl" | "cylinder" | "database" | "db" => Shape::Cylinder,
        "circle" | "circ" | "sm-circ" | "start" => Shape::Circle,
        "dbl-circ" | "double-circle" | "fr-circ" | "stop" => Shape::DoubleCircle,
        "diam" | "diamond" | "decision" | "question" => Shape::Rhombus,
        "hex" | "hexagon" | "prepare" => Shape::Hexagon,
        "lean-r" | "lean-l" | "in-out" | "out-in" | "lean-right" | "lean-left" => {
            Shape::Parallelogram
        }
        "trap-b" | "priority" | "trapezoid-bottom" => Shape::Trapezoid,
        "trap-t" | "manual" | "trapezoid-top" => Shape::TrapezoidAlt,
        "flag" | "paper-tape" | "odd" => Shape::Asymmetric,
        _ => Shape::Rect,
    }
}
