//! The map as compact data for the payload (as a JSON text inside it, see `DiagramView::map`): positions, polylines and pre-wrapped lines of a [`Layout`],
//! nothing the viewer can tell from the node data. themes/default/map.js draws the SVG from it (texts,
//! links, shapes, arrows, descriptions), with `createElementNS` and `textContent` only.
//!
//! JSON form (docs/viewer-contract.md): `{"w", "h", "boxes", "critical"?, "stubs", "edges"}`, every
//! number rounded to 0.1:
//! - `boxes[i]` = `[x, y, lines?]`: top-left corner of node `i`'s box (size [`NODE_W`] × [`NODE_H`]);
//! - `critical`: indices of the nodes with a CAUTION callout (absent when none);
//! - `stubs[k]` = `[x, y, href, text, [lines]]`: the box ([`STUB_W`] × [`STUB_H`]) of one target
//!   outside the diagram, shared by every answer with that `href`;
//! - `edges[e]` = `[x, y, [x0, y0, x1, y1, …], lines?]`: the label box ([`LABEL_W`] × [`LABEL_H`]) and
//!   the polyline of the `e`-th answer of the diagram (nodes in order, answers in order), from its source
//!   box to its target box, collinear points dropped; the arrow points up when the last segment does.
//!
//! `lines` are the box's text lines from [`wrap`], encoded against the text the viewer already has (the
//! node's title, the answer's label): absent when the one line is the text itself, a number `k` for the
//! two lines `text[..k]` and `text[k + 1..]` (UTF-16 offsets, as JavaScript's `slice`), else the lines.

use serde::ser::{Serialize, SerializeSeq, Serializer};

use super::*;

/// A coordinate rounded to 0.1, written without a fraction when it has none (`12`, `12.5`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Num {
    pub fn of(v: f64) -> Num {
        Num((v * 10.0).round() / 10.0)
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == self.0.trunc() && self.0.abs() < 1e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

/// Text lines of a box, relative to a text the viewer has (see the module comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lines {
    /// One line: the text itself.
    Same,
    /// Two lines: the text cut at this UTF-16 offset, the space there dropped.
    Split(usize),
    Other(Vec<String>),
}

impl Lines {
    pub fn of(text: &str, lines: Vec<String>) -> Lines {
        match lines.as_slice() {
            [one] if one == text => Lines::Same,
            [a, b]
                if text.len() == a.len() + 1 + b.len()
                    && text.starts_with(a.as_str())
                    && text[a.len()..].starts_with(' ')
                    && text.ends_with(b.as_str()) =>
            {
                Lines::Split(a.encode_utf16().count())
            }
            _ => Lines::Other(lines),
        }
    }

    /// The lines again, from the text (what the viewer does).
    pub fn decode(&self, text: &str) -> Vec<String> {
        match self {
            Lines::Same => vec![text.to_string()],
            Lines::Split(k) => {
                let units: Vec<u16> = text.encode_utf16().collect();
                vec![
                    String::from_utf16_lossy(&units[..*k]),
                    String::from_utf16_lossy(&units[k + 1..]),
                ]
            }
            Lines::Other(lines) => lines.clone(),
        }
    }
}

/// `[x, y]` or `[x, y, lines]`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxAt {
    pub x: Num,
    pub y: Num,
    pub lines: Lines,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StubAt(pub Num, pub Num, pub String, pub String, pub Vec<String>);

#[derive(Debug, Clone, PartialEq)]
pub struct EdgeAt {
    /// The label box.
    pub label: BoxAt,
    pub points: Vec<(Num, Num)>,
}

/// The map of one diagram, as it goes in the payload (`diagrams[].map`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MapData {
    pub w: Num,
    pub h: Num,
    pub boxes: Vec<BoxAt>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub critical: Vec<usize>,
    pub stubs: Vec<StubAt>,
    pub edges: Vec<EdgeAt>,
}

impl MapData {
    /// The JSON text that goes in the payload (a string there, parsed by the viewer when needed).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("map data is plain numbers and strings")
    }
}

fn lines_value(lines: &Lines) -> Option<serde_json::Value> {
    match lines {
        Lines::Same => None,
        Lines::Split(k) => Some((*k).into()),
        Lines::Other(l) => Some(l.clone().into()),
    }
}

impl Serialize for BoxAt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let extra = lines_value(&self.lines);
        let mut seq = s.serialize_seq(Some(2 + usize::from(extra.is_some())))?;
        seq.serialize_element(&self.x)?;
        seq.serialize_element(&self.y)?;
        if let Some(v) = extra {
            seq.serialize_element(&v)?;
        }
        seq.end()
    }
}

impl Serialize for EdgeAt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let extra = lines_value(&self.label.lines);
        let flat: Vec<Num> = self.points.iter().flat_map(|&(x, y)| [x, y]).collect();
        let mut seq = s.serialize_seq(Some(3 + usize::from(extra.is_some())))?;
        seq.serialize_element(&self.label.x)?;
        seq.serialize_element(&self.label.y)?;
        seq.serialize_element(&flat)?;
        if let Some(v) = extra {
            seq.serialize_element(&v)?;
        }
        seq.end()
    }
}

/// The compact form of a laid-out graph.
pub(super) fn compact(nodes: &[MapNode], graph: &Graph, layout: &Layout) -> MapData {
    let boxes = (0..graph.real)
        .map(|b| {
            let it = &layout.items[layout.boxes[b]];
            BoxAt {
                x: Num::of(it.x),
                y: Num::of(it.y),
                lines: Lines::of(nodes[b].title, wrap(nodes[b].title, TITLE_CHARS, 2)),
            }
        })
        .collect();
    let critical = (0..graph.real).filter(|&b| nodes[b].critical).collect();
    let stubs = graph
        .stubs
        .iter()
        .enumerate()
        .map(|(k, (href, text))| {
            let it = &layout.items[layout.boxes[graph.real + k]];
            // Never empty: the text starts with the arrow.
            let lines = wrap(&format!("↗ {text}"), STUB_CHARS, 2);
            StubAt(
                Num::of(it.x),
                Num::of(it.y),
                href.clone(),
                text.clone(),
                lines,
            )
        })
        .collect();
    let edges = layout
        .edges
        .iter()
        .map(|ep| {
            let it = &layout.items[ep.label];
            let label = &graph.edges[ep.edge].2;
            EdgeAt {
                label: BoxAt {
                    x: Num::of(it.x),
                    y: Num::of(it.y),
                    lines: Lines::of(label, wrap(label, LABEL_CHARS, 2)),
                },
                points: simplify(&ep.points),
            }
        })
        .collect();
    MapData {
        w: Num(layout.width.ceil()),
        h: Num(layout.height.ceil()),
        boxes,
        critical,
        stubs,
        edges,
    }
}

/// Rounds a polyline and drops the points that do not change how it is drawn: repeats, and points in
/// the middle of a straight run (same direction on both sides). Turning points and reversals stay.
pub fn simplify(points: &[(f64, f64)]) -> Vec<(Num, Num)> {
    let mut out: Vec<(Num, Num)> = Vec::with_capacity(points.len());
    for &(x, y) in points {
        let p = (Num::of(x), Num::of(y));
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let (ux, uy) = (b.0 .0 - a.0 .0, b.1 .0 - a.1 .0);
            let (vx, vy) = (p.0 .0 - b.0 .0, p.1 .0 - b.1 .0);
            let cross = ux * vy - uy * vx;
            let dot = ux * vx + uy * vy;
            if cross.abs() < 1e-6 && dot > 0.0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Word-wraps `text` into at most `max_lines` lines of about `width` characters; the rest is cut with "…".
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    for word in text.split_whitespace() {
        let word: String = if word.chars().count() > width {
            word.chars().take(width - 1).collect::<String>() + "…"
        } else {
            word.to_string()
        };
        let len = current.chars().count();
        if len == 0 {
            current = word;
        } else if len + 1 + word.chars().count() <= width {
            current.push(' ');
            current.push_str(&word);
        } else {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                cut = true;
                break;
            }
            current = word;
        }
    }
    if !current.is_empty() && lines.len() < max_lines {
        lines.push(current);
    }
    if cut {
        if let Some(last) = lines.last_mut() {
            while last.chars().count() + 1 > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}
