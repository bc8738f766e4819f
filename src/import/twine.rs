//! Twine stories turned into Lifeboat diagrams: each passage a step, the links that end a passage its
//! answers, the other links links in its text. Twee 3 (`.twee`, `.tw`) and Twine 2 archives or
//! published stories (HTML holding `<tw-storydata>`) are read into the Mermaid importer's model
//! ([`Flowchart`]) and written by its writer. Story-format code (Harlowe, SugarCube, Chapbook and
//! Snowman macros, variables) is dropped with a warning at its line, never copied; the story's
//! JavaScript and stylesheets are never imported. See docs/import.md.

mod archive;
mod passage;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use crate::import::mermaid::write::escape_line_start;
use crate::import::mermaid::{Edge, Flowchart, Label, Node, Shape, Warning};
use passage::Piece;

/// A story read: its title (`StoryTitle`, or the archive's `name`) and its passages as a flowchart.
#[derive(Debug, Clone)]
pub struct Story {
    pub title: Option<String>,
    pub chart: Flowchart,
}

/// Why a file cannot be imported, with the file and line (counted from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct TwineError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One passage as written.
#[derive(Debug, Clone, Default)]
struct Passage {
    name: String,
    tags: Vec<String>,
    text: String,
    /// The file line of the passage's first line of text.
    line: usize,
    /// Twine 2's passage id (`pid`), for `startnode`.
    pid: Option<String>,
}

/// Passages that are story-format set-up, not steps (SugarCube's special names).
const SPECIAL_NAMES: &[&str] = &[
    "StoryInit",
    "StoryCaption",
    "StoryMenu",
    "StoryBanner",
    "StorySubtitle",
    "StoryAuthor",
    "StoryInterface",
    "StoryShare",
    "PassageReady",
    "PassageDone",
    "PassageHeader",
    "PassageFooter",
];

/// Tags of passages that are code or set-up: never steps.
const SPECIAL_TAGS: &[&str] = &[
    "script",
    "stylesheet",
    "widget",
    "header",
    "footer",
    "startup",
    "debug-header",
    "debug-footer",
    "debug-startup",
    "Twine.private",
    "Twine.image",
];

/// Reads a story: Twine 2 HTML when the text holds `<tw-storydata`, else Twee 3.
pub fn read(text: &str, file: &str) -> Result<Story, TwineError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |line: usize, message: String| TwineError {
        file: file.to_string(),
        line,
        message,
    };
    let (title, start, passages) = if text.contains("<tw-storydata") {
        let story = archive::read(text).map_err(|(l, m)| error(l, m))?;
        let start = story.start_pid.and_then(|pid| {
            story
                .passages
                .iter()
                .find(|p| p.pid.as_deref() == Some(pid.as_str()))
                .map(|p| p.name.clone())
        });
        (story.name, start, story.passages)
    } else {
        twee(text).map_err(|(l, m)| error(l, m))?
    };
    story(title, start, passages).map_err(|(l, m)| error(l, m))
}

/// A story as written: its title, the name of its start passage, its passages.
type Written = (Option<String>, Option<String>, Vec<Passage>);

/// Twee 3: `:: Name [tags] {metadata}` headers, `StoryTitle`, `StoryData` (JSON, with `start`).
fn twee(text: &str) -> Result<Written, (usize, String)> {
    let mut passages: Vec<Passage> = Vec::new();
    let mut current: Option<Passage> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(header) = line.strip_prefix("::") {
            if let Some(done) = current.take() {
                passages.push(done);
            }
            let (name, tags) = header_of(header);
            if name.is_empty() {
                return Err((i + 1, "a passage header `::` without a name".into()));
            }
            current = Some(Passage {
                name,
                tags,
                line: i + 2,
                ..Passage::default()
            });
        } else if let Some(p) = current.as_mut() {
            p.text.push_str(line);
            p.text.push('\n');
        } else if !line.trim().is_empty() {
            return Err((
                i + 1,
                "text before the first passage header (`:: Name`): is this a Twee file?".into(),
            ));
        }
    }
    passages.extend(current);
    let mut title = None;
    let mut start = None;
    passages.retain(|p| match p.name.as_str() {
        "StoryTitle" => {
            title = Some(p.text.trim().to_string()).filter(|t| !t.is_empty());
            false
        }
        "StoryData" => {
            start = serde_json::from_str::<serde_json::Value>(&p.text)
                .ok()
                .and_then(|v| v.get("start").and_then(|s| s.as_str()).map(str::to_string));
            false
        }
        _ => true,
    });
    Ok((title, start.or_else(|| Some("Start".into())), passages))
}

/// A header's name (Twee escapes `\[`, `\]`, `\{`, `\}`, `\\` read) and tags.
fn header_of(header: &str) -> (String, Vec<String>) {
    let mut name = String::new();
    let mut chars = header.trim_start().chars().peekable();
    let mut rest = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    name.push(n);
                }
            }
            '[' | '{' => {
                rest.push(c);
                rest.extend(chars.by_ref());
            }
            c => name.push(c),
        }
    }
    let tags = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(t, _)| t.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    (name.trim().to_string(), tags)
}

/// The passages as a flowchart.
fn story(
    title: Option<String>,
    start: Option<String>,
    passages: Vec<Passage>,
) -> Result<Story, (usize, String)> {
    let mut warnings = Vec::new();
    let mut kept = Vec::new();
    for p in passages {
        let code = p.tags.iter().find(|t| SPECIAL_TAGS.contains(&t.as_str()));
        if let Some(tag) = code {
            warnings.push(Warning {
                line: p.line.saturating_sub(1).max(1),
                message: format!(
                    "passage \"{}\" (tagged `{tag}`) is story code or set-up: not imported",
                    p.name
                ),
            });
        } else if SPECIAL_NAMES.contains(&p.name.as_str()) {
            warnings.push(Warning {
                line: p.line.saturating_sub(1).max(1),
                message: format!("passage \"{}\" is story set-up: not imported", p.name),
            });
        } else {
            kept.push(p);
        }
    }
    if kept.is_empty() {
        return Err((1, "the story has no passages to import".into()));
    }
    let index: HashMap<&str, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut links = 0;
    let mut tags: Vec<String> = Vec::new();
    let mut seen_tags = std::collections::HashSet::new();
    for (i, p) in kept.iter().enumerate() {
        for tag in &p.tags {
            if seen_tags.insert(tag.clone()) {
                tags.push(tag.clone());
            }
        }
        let read = passage::read(&p.text, p.line);
        let mut dropped_by_line: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (line, what) in read.dropped {
            let list = dropped_by_line.entry(line).or_default();
            if !list.contains(&what) {
                list.push(what);
            }
        }
        for (line, what) in dropped_by_line {
            warnings.push(Warning {
                line,
                message: format!(
                    "{} dropped: story-format code is not imported",
                    what.join(", ")
                ),
            });
        }
        let mut body = String::new();
        for pieces in &read.lines {
            let mut line = String::new();
            for piece in pieces {
                match piece {
                    Piece::Text(t) => line.push_str(&passage::prose(t)),
                    Piece::Link(l) => {
                        links += 1;
                        let text = passage::prose(&l.text);
                        match index.get(l.target.as_str()) {
                            Some(n) => line.push_str(&format!("[{text}](\u{1}{n}\u{1})")),
                            None => {
                                warnings.push(broken(l, "kept as text"));
                                line.push_str(&text);
                            }
                        }
                    }
                }
            }
            let line = line.trim();
            if !line.is_empty() {
                body.push_str(&escape_line_start(line));
                body.push_str("\n\n");
            }
        }
        for answer in &read.answers {
            links += 1;
            match index.get(answer.target.as_str()) {
                Some(&to) => edges.push(Edge {
                    from: i,
                    to,
                    label: Some(Label {
                        lines: vec![answer.text.clone()],
                        markdown: false,
                    }),
                }),
                None => warnings.push(broken(answer, "dropped")),
            }
        }
        nodes.push(Node {
            id: p.name.clone(),
            label: Label {
                lines: vec![p.name.clone()],
                markdown: false,
            },
            shape: Shape::Bare,
            line: p.line.saturating_sub(1).max(1),
            groups: Vec::new(),
            links: Vec::new(),
            notes: Vec::new(),
            body,
            page_answers: Vec::new(),
        });
    }
    let start_index = start.as_deref().and_then(|s| index.get(s).copied());
    warnings.sort_by_key(|w| w.line);
    Ok(Story {
        title,
        chart: Flowchart {
            title: None,
            nodes,
            edges,
            warnings,
            links,
            start: start_index,
            tags,
        },
    })
}

fn broken(link: &passage::Link, what: &str) -> Warning {
    Warning {
        line: link.line,
        message: format!(
            "the link \"{}\" leads to \"{}\", which is no passage: {what}",
            link.text, link.target
        ),
    }
}
