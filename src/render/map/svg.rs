//! The map's SVG markup: boxes, labels and edge paths of a [`Layout`], every text escaped, no `style`
//! attributes (the page's CSP forbids them); classes are styled by viewer.css.

use std::fmt::Write as _;

use super::*;

pub(super) fn markup(
    diagram_id: &str,
    nodes: &[MapNode],
    graph: &Graph,
    layout: &Layout,
    words: &MapWords,
) -> String {
    let mut s = String::with_capacity(4096);
    let (w, h) = (layout.width.ceil(), layout.height.ceil());
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lb-map-svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"group\" aria-label=\"{}\">",
        escape(&words.label)
    );
    // Edges under the boxes; decorative (each node's link names its answers).
    s.push_str("<g class=\"lb-map-edges\" aria-hidden=\"true\">");
    for ep in &layout.edges {
        let mut d = String::new();
        for (k, (x, y)) in ep.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if k == 0 { "M" } else { " L" },
                num(*x),
                num(*y)
            );
        }
        let _ = write!(s, "<path class=\"lb-map-edge\" d=\"{d}\"/>");
        if let Some(&(x, y)) = ep.points.last() {
            let dy = if ep.upward { 7.0 } else { -7.0 };
            let _ = write!(
                s,
                "<path class=\"lb-map-arrow\" d=\"M{} {} L{} {} L{} {} Z\"/>",
                num(x),
                num(y),
                num(x - 5.0),
                num(y + dy),
                num(x + 5.0),
                num(y + dy)
            );
        }
    }
    for ep in &layout.edges {
        let it = &layout.items[ep.label];
        let label = &graph.edges[ep.edge].2;
        let _ = write!(
            s,
            "<g class=\"lb-map-label\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
            num(it.x),
            num(it.y),
            num(it.w),
            num(it.h)
        );
        text_lines(
            &mut s,
            "lb-map-label-text",
            it,
            &wrap(label, LABEL_CHARS, 2),
            13.0,
            14.0,
        );
        s.push_str("</g>");
    }
    s.push_str("</g>");

    s.push_str("<g class=\"lb-map-nodes\">");
    for (b, &item) in layout.boxes.iter().enumerate() {
        let it = &layout.items[item];
        if b < graph.real {
            node_box(&mut s, diagram_id, &nodes[b], graph, b, it, words);
        } else {
            let (href, text) = &graph.stubs[b - graph.real];
            let _ = write!(
                s,
                "<a class=\"lb-map-box lb-map-stub\" href=\"{}\"><desc>{}</desc>",
                escape(href),
                escape(&format!("{} : {}", words.elsewhere, text))
            );
            let _ = write!(
                s,
                "<rect class=\"lb-map-shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\"/>",
                num(it.x),
                num(it.y),
                num(it.w),
                num(it.h)
            );
            let mut lines = wrap(&format!("↗ {text}"), STUB_CHARS, 2);
            if lines.is_empty() {
                lines.push(words.elsewhere.to_string());
            }
            text_lines(&mut s, "lb-map-stub-text", it, &lines, 12.0, 15.0);
            s.push_str("</a>");
        }
    }
    s.push_str("</g></svg>");
    s
}

fn node_box(
    s: &mut String,
    diagram_id: &str,
    node: &MapNode,
    graph: &Graph,
    b: usize,
    it: &Item,
    words: &MapWords,
) {
    let kind = Kind::of(node.answers.len());
    let kind_word = match kind {
        Kind::Decision => words.decision,
        Kind::Action => words.action,
        Kind::End => words.end,
    };
    let kind_text = if node.critical {
        format!("{} · {}", words.critical, kind_word)
    } else {
        kind_word.to_string()
    };
    // The name comes from the visible text (kind, title); the description has the full title and
    // where each answer leads.
    let mut name = node.title.to_string();
    let answers: Vec<String> = graph
        .edges
        .iter()
        .filter(|(from, _, _)| *from == b)
        .map(|(_, to, label)| format!("{label} → {}", box_title(graph, *to)))
        .collect();
    if !answers.is_empty() {
        name.push_str(". ");
        name.push_str(&answers.join(" ; "));
    }
    let _ = write!(
        s,
        "<a class=\"lb-map-box lb-map-node {}{}\" href=\"#/{}/{}\" data-node=\"{}\"><desc>{}</desc>",
        kind.class(),
        if node.critical { " lb-map-critical" } else { "" },
        escape(diagram_id),
        escape(node.id),
        escape(node.id),
        escape(&name)
    );
    let (x, y, w, h) = (it.x, it.y, it.w, it.h);
    match kind {
        Kind::Decision => {
            // A hexagon: pointed ends.
            let p = 14.0;
            let _ = write!(
                s,
                "<polygon class=\"lb-map-shape\" points=\"{},{} {},{} {},{} {},{} {},{} {},{}\"/>",
                num(x + p),
                num(y),
                num(x + w - p),
                num(y),
                num(x + w),
                num(y + h / 2.0),
                num(x + w - p),
                num(y + h),
                num(x + p),
                num(y + h),
                num(x),
                num(y + h / 2.0)
            );
        }
        Kind::Action => {
            let _ = write!(
                s,
                "<rect class=\"lb-map-shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
                num(x),
                num(y),
                num(w),
                num(h)
            );
        }
        Kind::End => {
            // A stadium with a second outline inside.
            let _ = write!(
                s,
                "<rect class=\"lb-map-shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"/><rect class=\"lb-map-inner\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"/>",
                num(x),
                num(y),
                num(w),
                num(h),
                num(h / 2.0),
                num(x + 4.0),
                num(y + 4.0),
                num(w - 8.0),
                num(h - 8.0),
                num(h / 2.0 - 4.0)
            );
        }
    }
    if node.critical {
        // A solid bar with "!" on the left edge: a mark of shape, not of colour.
        let _ = write!(
            s,
            "<rect class=\"lb-map-critical-bar\" x=\"{}\" y=\"{}\" width=\"8\" height=\"{}\"/>",
            num(x + if kind == Kind::Decision { 14.0 } else { 0.0 }),
            num(y),
            num(h)
        );
    }
    let mut lines = vec![kind_text];
    lines.extend(wrap(node.title, TITLE_CHARS, 2));
    text_lines(s, "lb-map-node-text", it, &lines, 13.0, 16.0);
    s.push_str("</a>");
}

/// The text of box `b`: a node's title or a stub's text.
fn box_title(graph: &Graph, b: usize) -> &str {
    if b < graph.real {
        &graph.titles[b]
    } else {
        &graph.stubs[b - graph.real].1
    }
}

/// Centred lines of text in an item; the first line gets the `-first` modifier class.
fn text_lines(s: &mut String, class: &str, it: &Item, lines: &[String], size: f64, lead: f64) {
    let total = lead * (lines.len().saturating_sub(1)) as f64;
    let cx = it.cx();
    let mut y = it.y + it.h / 2.0 - total / 2.0 + size * 0.35;
    let _ = write!(s, "<text class=\"{class}\" text-anchor=\"middle\">");
    for (k, line) in lines.iter().enumerate() {
        // A space between lines keeps words apart in the accessible name (taken from the text).
        if k > 0 {
            s.push(' ');
        }
        let _ = write!(
            s,
            "<tspan class=\"{}\" x=\"{}\" y=\"{}\">{}</tspan>",
            if k == 0 { "lb-map-t1" } else { "lb-map-tn" },
            num(cx),
            num(y),
            escape(line)
        );
        y += lead;
    }
    s.push_str("</text>");
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

fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
