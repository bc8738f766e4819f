//! Warnings about what agents will read: raw HTML the sanitizer will drop, nodes too long to read
//! during a call, and callouts of an unknown kind (shown as a plain quote).

use crate::content::Diagram;
use crate::diagnostics::{nearest, Diagnostic, Report};
use crate::sanitize::removed_by_sanitizer;

/// Nodes with more words than this get a warning.
pub const LONG_NODE_WORDS: usize = 400;

/// The callout kinds Markdown alerts know (`> [!NOTE]` …), as written.
const CALLOUT_KINDS: [&str; 5] = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"];

pub fn check(diagram: &Diagram, report: &mut Report) {
    unknown_callouts(diagram, report);
    for (raw, span) in &diagram.raw_html {
        let removed = removed_by_sanitizer(raw);
        if !removed.is_empty() {
            report.push(
                Diagnostic::warning(format!(
                    "raw HTML will be removed from the offline copy: {}",
                    removed.join(", ")
                ))
                .at(diagram.file, span.clone())
                .label("removed by sanitizing")
                .hint("the offline copy never runs script or loads anything; use Markdown instead"),
            );
        }
    }
    for node in &diagram.nodes {
        let words = node.words;
        if words > LONG_NODE_WORDS {
            report.push(
                Diagnostic::warning(format!(
                    "node `{}` has {words} words; agents read it during a call (keep nodes under {LONG_NODE_WORDS})",
                    node.id
                ))
                .at(diagram.file, node.heading_span.clone())
                .label("very long node")
                .hint("split it into several nodes linked by answers"),
            );
        }
    }
}

/// `> [!TIPP]`: a callout kind Markdown does not know renders as a quote starting with `[!TIPP]`.
fn unknown_callouts(diagram: &Diagram, report: &mut Report) {
    let text = report.file_text(diagram.file).to_string();
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        for mark in ["```", "~~~"] {
            if trimmed.starts_with(mark) {
                fence = match fence {
                    Some(open) if open == mark => None,
                    None => Some(mark),
                    other => other,
                };
            }
        }
        if fence.is_some() {
            continue;
        }
        let Some(rest) = trimmed.strip_prefix('>') else {
            continue;
        };
        let Some(kind) = rest
            .trim_start_matches(['>', ' '])
            .strip_prefix("[!")
            .and_then(|r| r.split_once(']'))
            .map(|(kind, _)| kind)
        else {
            continue;
        };
        if kind.is_empty()
            || !kind.chars().all(|c| c.is_ascii_alphabetic())
            || CALLOUT_KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind))
        {
            continue;
        }
        let at = start + line.find("[!").unwrap_or(0);
        found.push((kind.to_string(), at..at + kind.len() + 3));
    }
    for (kind, span) in found {
        let upper = kind.to_ascii_uppercase();
        let hint = match nearest(&upper, CALLOUT_KINDS) {
            Some(k) => format!("did you mean `[!{k}]`? Callouts are {}", kinds_list()),
            None => format!("callouts are {}", kinds_list()),
        };
        report.push(
            Diagnostic::warning(format!(
                "unknown callout `[!{kind}]`: it will show as a plain quote"
            ))
            .at(diagram.file, span)
            .label("unknown kind")
            .hint(hint),
        );
    }
}

fn kinds_list() -> String {
    CALLOUT_KINDS
        .iter()
        .map(|k| format!("`[!{k}]`"))
        .collect::<Vec<_>>()
        .join(", ")
}
