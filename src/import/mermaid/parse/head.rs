//! The start of a flowchart: Mermaid front matter (its `title`) and the `flowchart`/`graph` header.

use super::Parser;
use crate::import::mermaid::Problem;

/// Other Mermaid diagram types, named in the error when a file holds one.
const OTHER_DIAGRAMS: &[&str] = &[
    "sequenceDiagram",
    "classDiagram",
    "classDiagram-v2",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "quadrantChart",
    "requirementDiagram",
    "gitGraph",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
    "mindmap",
    "timeline",
    "zenuml",
    "sankey-beta",
    "xychart-beta",
    "block-beta",
    "packet-beta",
    "kanban",
    "architecture-beta",
    "radar-beta",
];

impl Parser<'_> {
    /// Mermaid front matter: `---`, YAML (only `title:` is read), `---`.
    pub(super) fn front_matter(&mut self) -> Result<(), Problem> {
        let blank = self.rest().len()
            - self
                .rest()
                .trim_start_matches([' ', '\t', '\r', '\n'])
                .len();
        let after = self.rest().get(blank..).unwrap_or("");
        if after.lines().next().map(str::trim_end) != Some("---") {
            return Ok(());
        }
        self.bump(blank);
        let start_line = self.line();
        self.skip_to_line_end();
        self.bump(1);
        loop {
            if self.rest().is_empty() {
                return Err(Problem::Syntax {
                    line: start_line,
                    message: "the front matter `---` is not closed by a `---` line".into(),
                });
            }
            let line = self.rest().lines().next().unwrap_or("");
            if line.trim_end() == "---" {
                self.skip_to_line_end();
                return Ok(());
            }
            if let Some(value) = line.strip_prefix("title:") {
                let value = value.trim();
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(value);
                if !unquoted.trim().is_empty() {
                    self.title = Some(unquoted.trim().to_string());
                }
            }
            self.skip_to_line_end();
            self.bump(1);
        }
    }

    /// `flowchart TD` or `graph LR` (direction optional), maybe followed by `;` and statements.
    pub(super) fn header(&mut self) -> Result<usize, Problem> {
        self.skip_blank();
        let line = self.line();
        let word: &str = self
            .rest()
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or("");
        if !matches!(word, "flowchart" | "graph" | "flowchart-elk") {
            if OTHER_DIAGRAMS.contains(&word) {
                return Err(Problem::Unsupported {
                    line,
                    kind: word.to_string(),
                });
            }
            let found = self.found();
            return Err(self.error(format!(
                "a flowchart starts with `flowchart` or `graph` (and a direction such as `TD`), found {found}"
            )));
        }
        self.bump(word.len());
        self.skip_spaces();
        let direction: &str = self
            .rest()
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or("");
        if !direction.is_empty() && !direction.starts_with("%%") {
            if !matches!(
                direction,
                "TD" | "TB" | "BT" | "LR" | "RL" | ">" | "<" | "^" | "v"
            ) {
                return Err(self.error(format!(
                    "unknown direction `{direction}`: use TD, TB, BT, LR or RL"
                )));
            }
            self.bump(direction.len());
            self.skip_spaces();
        }
        if !self.at_statement_end() {
            let found = self.found();
            return Err(self.error(format!(
                "expected `;` or the end of the line, found {found}"
            )));
        }
        Ok(line)
    }
}
