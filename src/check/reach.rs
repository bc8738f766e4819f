//! Reachability: nodes no path leads to, and diagrams the entry's start never leads to. The `Graph` is
//! also what `stats` counts unreachable nodes and longest paths on.

use std::collections::{HashMap, VecDeque};

use super::resolve::Target;
use super::Checked;
use crate::content::{Diagram, Project};
use crate::diagnostics::{Diagnostic, Report};

/// Every node of the build numbered in order (entry points, diagrams, nodes), with the edges from each:
/// its answers and the node links in its text. Numbers, not names: a build may hold 100,000 nodes.
pub(crate) struct Graph {
    /// Index of each diagram's first node, by (entry point, diagram) position.
    first: Vec<Vec<usize>>,
    /// The entry point (position) of each node.
    entry_of: Vec<u32>,
    /// The number of each entry point's first node, and the node count last.
    entry_start: Vec<usize>,
    /// Each node's answers (resolved, in order), then the node links in its text.
    edges: Vec<Vec<u32>>,
    /// How many of each node's edges are answers.
    answers: Vec<u32>,
}

impl Graph {
    pub(crate) fn new(project: &Project, checked: &Checked) -> Graph {
        let mut first = Vec::with_capacity(project.entries.len());
        let mut entry_of = Vec::new();
        let mut by_name: HashMap<(&str, &str), (usize, &Diagram)> = HashMap::new();
        let mut entry_start = Vec::with_capacity(project.entries.len() + 1);
        for (e, entry) in project.entries.iter().enumerate() {
            entry_start.push(entry_of.len());
            let mut starts = Vec::with_capacity(entry.diagrams.len());
            for diagram in &entry.diagrams {
                starts.push(entry_of.len());
                by_name
                    .entry((entry.id.as_str(), diagram.id.as_str()))
                    .or_insert((entry_of.len(), diagram));
                entry_of.resize(entry_of.len() + diagram.nodes.len(), e as u32);
            }
            first.push(starts);
        }
        entry_start.push(entry_of.len());
        let index = |t: &Target| -> Option<u32> {
            let (base, diagram) = by_name.get(&(t.entry.as_str(), t.diagram.as_str()))?;
            Some((base + diagram.node_position(&t.node)?) as u32)
        };
        let mut edges = Vec::with_capacity(entry_of.len());
        let mut answers = Vec::with_capacity(entry_of.len());
        for diagram in project.entries.iter().flat_map(|e| &e.diagrams) {
            let resolve = |dest: &str| {
                checked
                    .links
                    .get(&(diagram.file, dest.to_string()))
                    .and_then(index)
            };
            for node in &diagram.nodes {
                let mut to: Vec<u32> = node
                    .answers
                    .iter()
                    .filter_map(|a| resolve(&a.dest))
                    .collect();
                answers.push(to.len() as u32);
                to.extend(
                    node.refs
                        .iter()
                        .filter(|r| !r.is_image)
                        .filter_map(|r| resolve(&r.dest)),
                );
                edges.push(to);
            }
        }
        Graph {
            first,
            entry_of,
            entry_start,
            edges,
            answers,
        }
    }

    /// The number of node `n` of diagram `d` of entry point `e` (positions).
    pub(crate) fn node(&self, e: usize, d: usize, n: usize) -> usize {
        self.first[e][d] + n
    }

    /// Where the answers of node `n` lead, in order (links in its text left out).
    pub(crate) fn answers(&self, n: usize) -> &[u32] {
        &self.edges[n][..self.answers[n] as usize]
    }

    /// The numbers of entry point `e`'s nodes (its diagrams' nodes are numbered one after the other).
    pub(crate) fn entry_nodes(&self, e: usize) -> std::ops::Range<usize> {
        self.entry_start[e]..self.entry_start[e + 1]
    }

    /// The nodes of entry point `e` reached from `roots` (numbers of its nodes) by edges within it,
    /// indexed from its first node: the cost is the entry point's size, not the build's.
    pub(crate) fn walk_entry(&self, e: usize, roots: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let range = self.entry_nodes(e);
        let mut seen = vec![false; range.len()];
        let mut queue: VecDeque<usize> = roots.into_iter().collect();
        while let Some(n) = queue.pop_front() {
            if std::mem::replace(&mut seen[n - range.start], true) {
                continue;
            }
            queue.extend(
                self.edges[n]
                    .iter()
                    .map(|&m| m as usize)
                    .filter(|m| range.contains(m) && !seen[m - range.start]),
            );
        }
        seen
    }

    /// Nodes reached from `roots`, following only edges into entry point `within` when it is given.
    pub(crate) fn walk(
        &self,
        roots: impl IntoIterator<Item = usize>,
        within: Option<u32>,
    ) -> Vec<bool> {
        let mut seen = vec![false; self.edges.len()];
        let mut queue: VecDeque<usize> = roots.into_iter().collect();
        while let Some(n) = queue.pop_front() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            queue.extend(
                self.edges[n]
                    .iter()
                    .map(|&m| m as usize)
                    .filter(|&m| within.map_or(true, |e| self.entry_of[m] == e) && !seen[m]),
            );
        }
        seen
    }
}

/// The position of a diagram's start node. A `start` naming no node (an error of its own) counts as
/// the first node, the default, so that one typo gives one error, not an "unreachable" per node.
pub(crate) fn start(diagram: &Diagram) -> Option<usize> {
    match diagram.start_node() {
        Some(n) => diagram.node_position(&n.id),
        None if diagram.nodes.is_empty() => None,
        None => Some(0),
    }
}

pub(crate) fn check(project: &Project, graph: &Graph, report: &mut Report) {
    // Every diagram is listed on the entry's home page, so each diagram's start is a way in.
    let starts = project.entries.iter().enumerate().flat_map(|(e, entry)| {
        let graph = &graph;
        entry
            .diagrams
            .iter()
            .enumerate()
            .filter_map(move |(d, diagram)| Some(graph.node(e, d, start(diagram)?)))
    });
    let reached = graph.walk(starts, None);
    for (e, entry) in project.entries.iter().enumerate() {
        for (d, diagram) in entry.diagrams.iter().enumerate() {
            for node in &diagram.nodes {
                // A node sharing an earlier node's id (an error of its own) is reached with it: links go
                // to the first.
                let n = diagram.node_position(&node.id).unwrap_or_default();
                if node.id.is_empty() || reached[graph.node(e, d, n)] {
                    continue;
                }
                report.push(
                    Diagnostic::warning(format!(
                        "node `{}` cannot be reached: no answer or link leads to it",
                        node.id
                    ))
                    .at(diagram.file, node.heading_span.clone())
                    .label("unreachable")
                    .hint(format!(
                        "link to it with `[…](#{})` from another node, or remove it",
                        node.id
                    )),
                );
            }
        }
    }
    for (e, entry) in project.entries.iter().enumerate() {
        let start_id = entry.config.start.get_ref();
        let Some((d, n)) = entry
            .diagrams
            .iter()
            .position(|d| d.id == *start_id)
            .and_then(|d| Some((d, start(&entry.diagrams[d])?)))
        else {
            continue;
        };
        // Within the entry point's own file: a way back through another entry point's file is not a path
        // in this one, and walking the whole build from every entry point would be quadratic.
        let from_start = graph.walk_entry(e, [graph.node(e, d, n)]);
        let base = graph.entry_nodes(e).start;
        for (d, diagram) in entry.diagrams.iter().enumerate() {
            if diagram.id == *start_id {
                continue;
            }
            let first = graph.node(e, d, 0) - base;
            if !from_start[first..first + diagram.nodes.len()].contains(&true) {
                report.push(
                    Diagnostic::warning(format!(
                        "diagram `{}` cannot be reached from the start diagram `{}` (only from the home page list)",
                        diagram.id,
                        entry.config.start.get_ref()
                    ))
                    .in_file(diagram.file),
                );
            }
        }
    }
}
