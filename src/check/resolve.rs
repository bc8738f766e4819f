//! Answer and link targets: from the text of a link to the node it opens.

use serde::Serialize;

use crate::content::links::{self, LinkError};
use crate::content::markdown::TextRef;
use crate::content::{Diagram, Project};
use crate::diagnostics::nearest;

/// A node somewhere in the build.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Target {
    pub entry: String,
    pub diagram: String,
    pub node: String,
}

impl Target {
    /// The viewer URL of this node, as seen from a page of entry point `from_entry`.
    pub fn href(&self, from_entry: &str) -> String {
        if self.entry == from_entry {
            format!("#/{}/{}", self.diagram, self.node)
        } else {
            format!("{}.html#/{}/{}", self.entry, self.diagram, self.node)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Link(LinkError),
    MissingEntry {
        entry: String,
        suggestion: Option<String>,
    },
    MissingDiagram {
        entry: String,
        diagram: String,
        suggestion: Option<String>,
    },
    MissingNode {
        diagram: String,
        node: String,
        suggestion: Option<String>,
    },
    NoStart {
        diagram: String,
    },
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::Link(e) => e.to_string(),
            Problem::MissingEntry { entry, .. } => format!("there is no entry point `{entry}`"),
            Problem::MissingDiagram { entry, diagram, .. } => {
                format!("there is no diagram `{diagram}.md` in entry point `{entry}`")
            }
            Problem::MissingNode { diagram, node, .. } => {
                format!("diagram `{diagram}` has no node `#{node}`")
            }
            Problem::NoStart { diagram } => format!("diagram `{diagram}` has no start node"),
        }
    }

    /// True when the problem only repeats that a file could not be loaded (already reported).
    pub fn is_about_unloadable(&self, project: &Project) -> bool {
        match self {
            Problem::MissingEntry { entry, .. } => project.unloadable.contains(entry),
            Problem::MissingDiagram { entry, diagram, .. } => {
                project.unloadable.contains(&format!("{entry}/{diagram}"))
            }
            _ => false,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Problem::MissingEntry {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `../{s}/`?")),
            Problem::MissingDiagram {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}.md`?")),
            Problem::MissingNode {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `#{s}`?")),
            _ => None,
        }
    }
}

/// Resolves a diagram link written in `from`.
pub fn resolve(project: &Project, from: &Diagram, dest: &str) -> Result<Target, Problem> {
    let link = links::parse_diagram_link(dest, &from.entry).map_err(Problem::Link)?;
    let diagram = match &link.diagram {
        None => from,
        Some((entry_id, diagram_id)) => {
            let entry = project
                .entry(entry_id)
                .ok_or_else(|| Problem::MissingEntry {
                    entry: entry_id.clone(),
                    suggestion: nearest(entry_id, project.entries.iter().map(|e| e.id.as_str()))
                        .map(String::from),
                })?;
            entry
                .diagram(diagram_id)
                .ok_or_else(|| Problem::MissingDiagram {
                    entry: entry_id.clone(),
                    diagram: diagram_id.clone(),
                    suggestion: nearest(diagram_id, entry.diagrams.iter().map(|d| d.id.as_str()))
                        .map(String::from),
                })?
        }
    };
    let node = match &link.node {
        Some(id) => diagram.node(id).ok_or_else(|| Problem::MissingNode {
            diagram: diagram.id.clone(),
            node: id.clone(),
            suggestion: nearest(id, diagram.nodes.iter().map(|n| n.id.as_str())).map(String::from),
        })?,
        None => diagram.start_node().ok_or_else(|| Problem::NoStart {
            diagram: diagram.id.clone(),
        })?,
    };
    Ok(Target {
        entry: diagram.entry.clone(),
        diagram: diagram.id.clone(),
        node: node.id.clone(),
    })
}

/// Every link and image destination in a diagram (intro, nodes and footnotes; answers excluded).
pub fn links_and_images(diagram: &Diagram) -> impl Iterator<Item = &TextRef> {
    diagram
        .intro_refs
        .iter()
        .chain(diagram.nodes.iter().flat_map(|n| n.refs.iter()))
        .chain(diagram.footnote_refs.iter())
}
