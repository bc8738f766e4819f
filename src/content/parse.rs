//! One file's text on its own, no file system access: a diagram (front matter, variables, nodes and
//! answers) and TOML, each problem reported at its place.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::config::FrontMatter;
use super::markdown;
use super::vars::{self, CallUse, VarProblem, VarUse};
use super::{config, Diagram, Node, Source};
use crate::diagnostics::{Diagnostic, FileId, Report};

/// Parses one diagram file's text on its own (no file system access): front matter, variables, nodes and
/// answers. Returns the diagram (named `entry/diagram`) if it could be read, and every problem found.
/// The fuzz target's way in.
pub fn parse_diagram_text(
    text: &str,
    vars: &BTreeMap<String, String>,
) -> (Option<Diagram>, Report) {
    let mut report = Report::default();
    let text: Arc<str> = text.into();
    let file = report.add_file("diagram.md".into(), text.clone());
    let vars = Arc::new(vars.clone());
    let diagram = parse_diagram(&mut report, file, "entry", "diagram".into(), &text, &vars);
    (diagram, report)
}

/// The text of a diagram -> its model; `file` must already hold `text` in `report`.
pub(super) fn parse_diagram(
    report: &mut Report,
    file: FileId,
    entry: &str,
    id: String,
    text: &Arc<str>,
    vars: &Arc<BTreeMap<String, String>>,
) -> Option<Diagram> {
    let Some((front_range, body_start)) = split_front_matter(text) else {
        if text.lines().next().is_some_and(|l| l.trim() == "+++") {
            report.push(
                Diagnostic::error("front matter is never closed")
                    .at(file, 0..3)
                    .label("opened here")
                    .hint("end the front matter with a line holding only `+++`"),
            );
            return None;
        }
        report.push(
            Diagnostic::error("a diagram must start with TOML front matter between `+++` lines")
                .at(file, 0..text.find('\n').unwrap_or(text.len()))
                .label("expected `+++` here")
                .hint("start the file with:\n+++\ntitle = \"…\"\n+++"),
        );
        return None;
    };
    let front =
        parse_toml::<FrontMatter>(report, file, &text[front_range.clone()], front_range.start)?;
    let body = &text[body_start..];
    let sub = vars::substitute(body, vars);
    for problem in &sub.problems {
        let d = match problem {
            VarProblem::Unclosed { at } => Diagnostic::error("`{{` is not closed by `}}`")
                .at(file, body_start + at..body_start + at + 2)
                .label("opened here"),
            VarProblem::BadName { span, name } => {
                Diagnostic::error(format!("`{name}` is not a valid variable name"))
                    .at(file, body_start + span.start..body_start + span.end)
                    .hint("variable names use letters, digits and `_`, e.g. `{{ support_phone }}`")
            }
        };
        report.push(d);
    }
    let source = Source {
        text: text.clone(),
        start: body_start,
        vars: vars.clone(),
    };
    let parsed = source.parse_substituted(&sub);
    if let Some(span) = parsed.too_deep {
        let (what, hint) = if parsed.too_deep_in_html {
            ("HTML", "elements opened by raw HTML count as levels, with the Markdown around them; close each element you open (`<div>` … `</div>`) or flatten the structure")
        } else {
            ("Markdown", "lists, quotes, emphasis and links inside each other count as levels; flatten the structure")
        };
        report.push(
            Diagnostic::error(format!(
                "{what} nested more than {} levels deep",
                markdown::MAX_NESTING_DEPTH
            ))
            .at(file, span)
            .label("too deep here")
            .hint(hint),
        );
        return None;
    }
    let var_uses = sub
        .uses
        .into_iter()
        .map(|u| VarUse {
            name: u.name,
            span: body_start + u.span.start..body_start + u.span.end,
        })
        .collect();
    let call_uses = sub
        .calls
        .into_iter()
        .map(|u| CallUse {
            span: body_start + u.span.start..body_start + u.span.end,
            ..u
        })
        .collect();
    let mut notes = Vec::new();
    let mut raw_html: Vec<(String, Range<usize>)> = markdown::raw_html(&parsed.intro).collect();
    let nodes: Vec<Node> = parsed
        .sections
        .into_iter()
        .map(|s| {
            notes.extend(s.notes);
            raw_html.extend(markdown::raw_html(&s.events));
            Node {
                id: s
                    .explicit_id
                    .clone()
                    .unwrap_or_else(|| markdown::slug(&s.title)),
                explicit_id: s.explicit_id.is_some(),
                title: s.title,
                heading_span: s.heading_span,
                answers: s.answers,
                refs: markdown::text_refs(&s.events),
                words: markdown::block_text(&s.events).split_whitespace().count(),
                caution: markdown::has_caution(&s.events),
            }
        })
        .collect();
    raw_html.extend(
        parsed
            .footnotes
            .values()
            .flat_map(|e| markdown::raw_html(e)),
    );
    let mut node_index = HashMap::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        node_index.entry(node.id.clone()).or_insert(i);
    }
    Some(Diagram {
        node_index,
        id,
        entry: entry.to_string(),
        file,
        front,
        front_offset: front_range.start,
        intro_refs: markdown::text_refs(&parsed.intro),
        footnote_refs: parsed
            .footnotes
            .values()
            .flat_map(|e| markdown::text_refs(e))
            .collect(),
        nodes,
        raw_html,
        var_uses,
        call_uses,
        notes,
        source,
    })
}

/// Parses TOML found at byte `offset` of a file, reporting syntax and type errors at their place.
pub fn parse_toml<T: DeserializeOwned>(
    report: &mut Report,
    file: FileId,
    text: &str,
    offset: usize,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let span = e
                .span()
                .map(|s| offset + s.start..offset + s.end.max(s.start));
            let message = e.message().trim().to_string();
            // A setting named like a secret is the secret rule's to report (`check::secrets`), with why.
            let field = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(name, _)| name);
            if field.is_some_and(config::is_secret_name) {
                return None;
            }
            let d = Diagnostic::error(message.clone()).hint_opt(unknown_key_hint(&message));
            report.push(match span {
                Some(span) => d.at(file, span).label(short_label(&message)),
                None => d.in_file(file),
            });
            None
        }
    }
}

/// "did you mean `title`?" for toml's "unknown field `titel`, expected one of `title`, …".
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (wanted, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    crate::diagnostics::nearest(wanted, candidates).map(|c| format!("did you mean `{c}`?"))
}

fn short_label(message: &str) -> String {
    if message.starts_with("unknown field") {
        "unknown key".into()
    } else if message.starts_with("missing field") {
        "in this table".into()
    } else {
        String::new()
    }
}

/// Finds `+++` front matter: returns the TOML's byte range and where the body starts.
pub fn split_front_matter(text: &str) -> Option<(Range<usize>, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim() != "+++" {
        return None;
    }
    let mut pos = first_end + 1;
    while pos <= text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        if text[pos..end].trim_end() == "+++" {
            return Some((first_end + 1..pos, (end + 1).min(text.len())));
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
    }
    None
}
