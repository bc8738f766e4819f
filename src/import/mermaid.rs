//! Mermaid flowcharts (`flowchart`/`graph`) turned into Lifeboat diagrams: each Mermaid node becomes a
//! `##` node, each edge an answer of its source node. See docs/import.md for what is read and how shapes
//! map to callouts.
//!
//! [`source`] finds the flowchart in a file (a `.mmd` file, or the one ```` ```mermaid ```` block of a
//! Markdown file), [`parse`] reads it into a [`Flowchart`], and [`write::diagram`] writes the diagram.
//! Nothing here panics on any input; every problem is an [`ImportError`] with the file's line number,
//! and what is imported differently from how Mermaid draws it is a [`Warning`] with its line.

mod click;
mod label;
mod lex;
mod parse;
mod resolve;
mod shapes;
pub mod write;

#[cfg(test)]
mod tests;

/// Node shapes. `Bare` is a node written without one (`A`), drawn as a rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Bare,
    /// `A[text]`
    Rect,
    /// `A(text)`
    Round,
    /// `A([text])`
    Stadium,
    /// `A[[text]]`
    Subroutine,
    /// `A[(text)]`
    Cylinder,
    /// `A((text))`
    Circle,
    /// `A(((text)))`
    DoubleCircle,
    /// `A>text]`
    Asymmetric,
    /// `A{text}`
    Rhombus,
    /// `A{{text}}`
    Hexagon,
    /// `A[/text/]` and `A[\text\]`
    Parallelogram,
    /// `A[/text\]`
    Trapezoid,
    /// `A[\text/]`
    TrapezoidAlt,
    /// A Mermaid 11 shape without a bracket form (`A@{ shape: doc }`), by its short name.
    Named(&'static str),
}

/// A node label: lines of plain text (`<br>` and newlines split lines; HTML tags and entities are
/// resolved). `markdown` is set for Mermaid markdown strings (``"`**bold**`"``), whose emphasis is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    pub lines: Vec<String>,
    pub markdown: bool,
}

impl Label {
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    /// All lines on one line.
    pub fn joined(&self) -> String {
        let parts: Vec<&str> = self
            .lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        parts.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The Mermaid id, as written.
    pub id: String,
    pub label: Label,
    pub shape: Shape,
    /// Line (in the file) where the node first appears.
    pub line: usize,
    /// Titles of the subgraphs the node is drawn in, outermost first (untitled ones left out).
    pub groups: Vec<Label>,
    /// `click` links that may leave the offline copy (`http(s)`, `mailto`, `tel`).
    pub links: Vec<NodeLink>,
    /// Tooltips of `click` callbacks (the callback itself cannot run offline).
    pub notes: Vec<String>,
    /// Markdown written after the heading as it is (the draw.io and Twine importers' rich text);
    /// empty for Mermaid. `\u{1}N\u{1}` in it stands for `#` and the id of node N (a link in text).
    pub body: String,
    /// Answers to other diagrams, after those of the edges (a draw.io link to another page):
    /// `tooltip` is the answer's text, `url` the diagram file.
    pub page_answers: Vec<NodeLink>,
}

/// A `click A "https://…" "tooltip"` link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeLink {
    pub url: String,
    pub tooltip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Indexes into [`Flowchart::nodes`].
    pub from: usize,
    pub to: usize,
    /// On one line; `markdown` for a markdown string (``"`**Yes**`"``).
    pub label: Option<Label>,
}

/// Something imported differently from how Mermaid draws it, at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// A flowchart: nodes in the order they first appear, edges in the order they are written (subgraphs
/// flattened, styling dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flowchart {
    /// `title:` of the Mermaid front matter.
    pub title: Option<String>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// In the order of the file.
    pub warnings: Vec<Warning>,
    /// Links read (arrows, `~~~` included; `A --> B --> C` is two), before `&` and subgraphs expand
    /// them: what the corpus test compares with its own count.
    pub links: usize,
    /// The node to start with, when the format says (Twine's start passage); else the first node no
    /// edge leads to.
    pub start: Option<usize>,
    /// The diagram's tags (Twine's passage tags).
    pub tags: Vec<String>,
}

/// Why a file cannot be imported. Lines are counted from the top of the file, from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: `{kind}` diagrams cannot be imported; only flowcharts (`flowchart` or `graph`) can")]
    Unsupported {
        file: String,
        line: usize,
        kind: String,
    },
    #[error("{file}:1: no ```mermaid block found in this Markdown file")]
    NoBlock { file: String },
    #[error("{file}:{line}: a second ```mermaid block; put the flowchart to import alone in a file (.mmd)")]
    SeveralBlocks { file: String, line: usize },
    #[error("{file}:{line}: this ```mermaid block is not closed")]
    Unclosed { file: String, line: usize },
    #[error("{file}:{line}: the flowchart has no nodes")]
    Empty { file: String, line: usize },
}

/// A syntax problem, before the file name is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    Syntax { line: usize, message: String },
    Unsupported { line: usize, kind: String },
    Empty { line: usize },
}

impl Problem {
    fn in_file(self, file: &str) -> ImportError {
        let file = file.to_string();
        match self {
            Problem::Syntax { line, message } => ImportError::Syntax {
                file,
                line,
                message,
            },
            Problem::Unsupported { line, kind } => ImportError::Unsupported { file, line, kind },
            Problem::Empty { line } => ImportError::Empty { file, line },
        }
    }
}

/// The flowchart text of a file and the number of lines before it: the whole file, or for Markdown
/// (`markdown` set) the inside of its one ```` ```mermaid ```` block.
pub fn source<'a>(
    text: &'a str,
    markdown: bool,
    file: &str,
) -> Result<(&'a str, usize), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !markdown {
        return Ok((text, 0));
    }
    let mut found: Option<(usize, usize)> = None;
    let mut open: Option<(usize, char, usize, usize)> = None; // (line index, fence char, length, start)
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let indent = trimmed.len() - trimmed.trim_start_matches(' ').len();
        if indent > 3 {
            continue;
        }
        let fence = &trimmed[indent..];
        let Some(c) = fence.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let len = fence.chars().take_while(|x| *x == c).count();
        if len < 3 {
            continue;
        }
        let info = fence[len..].trim();
        match open {
            Some((line_index, oc, olen, body)) if c == oc && len >= olen && info.is_empty() => {
                open = None;
                if line_index != usize::MAX {
                    if found.is_some() {
                        return Err(ImportError::SeveralBlocks {
                            file: file.to_string(),
                            line: line_index + 1,
                        });
                    }
                    found = Some((body, start));
                }
            }
            Some(_) => {}
            None => {
                let is_mermaid = info.split_whitespace().next() == Some("mermaid");
                // usize::MAX marks another language's block, skipped whole.
                let line_index = if is_mermaid { index } else { usize::MAX };
                open = Some((line_index, c, len, offset));
            }
        }
    }
    if let Some((line_index, _, _, _)) = open.filter(|o| o.0 != usize::MAX) {
        return Err(ImportError::Unclosed {
            file: file.to_string(),
            line: line_index + 1,
        });
    }
    match found {
        Some((body, end)) => {
            let inner = text.get(body..end).unwrap_or("");
            let before = text.get(..body).map_or(0, |b| b.matches('\n').count());
            Ok((inner, before))
        }
        None => Err(ImportError::NoBlock {
            file: file.to_string(),
        }),
    }
}

/// Parses flowchart text; `lines_before` is how many lines of the file come before `text`.
pub fn parse(text: &str, lines_before: usize, file: &str) -> Result<Flowchart, ImportError> {
    parse::flowchart(text, lines_before).map_err(|p| p.in_file(file))
}

/// Reads a whole file's text: `markdown` for a Markdown file holding one ```` ```mermaid ```` block.
pub fn read(text: &str, markdown: bool, file: &str) -> Result<Flowchart, ImportError> {
    let (inner, before) = source(text, markdown, file)?;
    parse(inner, before, file)
}
