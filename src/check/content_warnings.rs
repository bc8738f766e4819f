//! Warnings about what agents will read: raw HTML the sanitizer will drop, and nodes too long to read
//! during a call.

use crate::content::Diagram;
use crate::diagnostics::{Diagnostic, Report};
use crate::sanitize::removed_by_sanitizer;

/// Nodes with more words than this get a warning.
pub const LONG_NODE_WORDS: usize = 400;

pub fn check(diagram: &Diagram, report: &mut Report) {
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
