//! Reachability: nodes no path leads to, and diagrams the entry's start never leads to.

use std::collections::{HashMap, HashSet, VecDeque};

use super::resolve::Target;
use super::Checked;
use crate::content::{Diagram, Project};
use crate::diagnostics::{Diagnostic, Report};

type Graph = HashMap<Target, Vec<Target>>;

/// Edges from each node: its answers and the node links in its text.
fn graph(project: &Project, checked: &Checked) -> Graph {
    let mut graph = Graph::new();
    for entry in &project.entries {
        for diagram in &entry.diagrams {
            for node in &diagram.nodes {
                let from = target(diagram, &node.id);
                let dests = node.answers.iter().map(|a| a.dest.as_str()).chain(
                    node.refs
                        .iter()
                        .filter(|r| !r.is_image)
                        .map(|r| r.dest.as_str()),
                );
                let edges = dests
                    .filter_map(|d| checked.links.get(&(diagram.file, d.to_string())).cloned())
                    .collect();
                graph.insert(from, edges);
            }
        }
    }
    graph
}

fn target(diagram: &Diagram, node: &str) -> Target {
    Target {
        entry: diagram.entry.clone(),
        diagram: diagram.id.clone(),
        node: node.to_string(),
    }
}

/// Nodes reached from `roots`, following only edges into entry point `within` when it is given.
fn walk(
    graph: &Graph,
    roots: impl IntoIterator<Item = Target>,
    within: Option<&str>,
) -> HashSet<Target> {
    let mut seen: HashSet<Target> = HashSet::new();
    let mut queue: VecDeque<Target> = roots.into_iter().collect();
    while let Some(t) = queue.pop_front() {
        if !seen.insert(t.clone()) {
            continue;
        }
        if let Some(next) = graph.get(&t) {
            queue.extend(
                next.iter()
                    .filter(|n| within.map_or(true, |e| n.entry == e) && !seen.contains(*n))
                    .cloned(),
            );
        }
    }
    seen
}

pub fn check(project: &Project, checked: &Checked, report: &mut Report) {
    let graph = graph(project, checked);
    // Every diagram is listed on the entry's home page, so each diagram's start is a way in.
    let starts = project
        .entries
        .iter()
        .flat_map(|e| e.diagrams.iter())
        .filter_map(|d| d.start_node().map(|n| target(d, &n.id)));
    let reached = walk(&graph, starts, None);
    for diagram in project.entries.iter().flat_map(|e| e.diagrams.iter()) {
        for node in &diagram.nodes {
            if !node.id.is_empty() && !reached.contains(&target(diagram, &node.id)) {
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
    for entry in &project.entries {
        let Some(start) = entry
            .diagram(entry.config.start.get_ref())
            .and_then(|d| d.start_node().map(|n| target(d, &n.id)))
        else {
            continue;
        };
        // Within the entry point's own file: a way back through another entry point's file is not a path
        // in this one, and walking the whole build from every entry point would be quadratic.
        let from_start = walk(&graph, [start], Some(&entry.id));
        for diagram in &entry.diagrams {
            if diagram.id == *entry.config.start.get_ref() {
                continue;
            }
            if !from_start
                .iter()
                .any(|t| t.entry == entry.id && t.diagram == diagram.id)
            {
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
