//! Size and shape of the content, per entry point and diagram, from the loaded and checked model:
//! authors see which trees grow too long or too branchy before agents do.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::check::reach::{self, Graph};
use crate::check::Checked;
use crate::content::{Diagram, Entry, Project};
use crate::diagnostics::Report;

/// Beyond this many nodes a diagram is hard to follow and to review: split it.
pub const ADVISED_MAX_NODES: usize = 150;

/// Longest-path search is exponential in the worst case; past this many steps the result is a lower bound.
const LONGEST_PATH_BUDGET: usize = 200_000;

#[derive(Debug, Serialize)]
pub struct Stats {
    pub entries: Vec<EntryStats>,
}

#[derive(Debug, Serialize)]
pub struct EntryStats {
    pub id: String,
    pub title: String,
    pub diagrams: Vec<DiagramStats>,
    pub nodes: usize,
    pub decisions: usize,
    pub end_points: usize,
    /// Distinct images (by content) in the entry point's file.
    pub images: usize,
    /// Diagram sources plus distinct image bytes.
    pub bytes: usize,
}

#[derive(Debug, Serialize)]
pub struct DiagramStats {
    pub id: String,
    pub title: String,
    pub nodes: usize,
    /// Nodes with two answers or more.
    pub decisions: usize,
    /// Nodes without answers.
    pub end_points: usize,
    /// Distinct images the diagram shows.
    pub images: usize,
    /// Size of the Markdown source.
    pub bytes: usize,
    /// Nodes on the longest answer path from the start node that visits no node twice.
    pub longest_path: usize,
    /// False when the search stopped at its budget: `longest_path` is then a lower bound.
    pub longest_path_exact: bool,
    /// Nodes nothing leads to from any diagram's start within the entry point.
    pub unreachable: Vec<String>,
}

pub fn compute(project: &Project, checked: &Checked, report: &Report) -> Stats {
    // The graph `check` finds unreachable nodes on.
    let graph = Graph::new(project, checked);
    let entries = project
        .entries
        .iter()
        .enumerate()
        .map(|(e, entry)| entry_stats(&graph, e, entry, checked, report))
        .collect();
    Stats { entries }
}

fn entry_stats(
    graph: &Graph,
    e: usize,
    entry: &Entry,
    checked: &Checked,
    report: &Report,
) -> EntryStats {
    // Every diagram is listed on the entry's home page, so each diagram's start is a way in; paths are
    // followed (answers and text links) while they stay in the entry point.
    let starts = entry
        .diagrams
        .iter()
        .enumerate()
        .filter_map(|(d, diagram)| Some(graph.node(e, d, reach::start(diagram)?)));
    let reached = graph.walk(starts, Some(e as u32));
    let diagrams: Vec<DiagramStats> = entry
        .diagrams
        .iter()
        .enumerate()
        .map(|(d, diagram)| {
            let at = |n: usize| reached[graph.node(e, d, n)];
            diagram_stats(graph, graph.node(e, d, 0), diagram, checked, report, at)
        })
        .collect();
    let images: BTreeSet<&String> = entry
        .diagrams
        .iter()
        .flat_map(|d| image_ids(d, checked))
        .collect();
    let image_bytes: usize = images
        .iter()
        .filter_map(|id| checked.images.get(id))
        .map(|image| image.len as usize)
        .sum();
    EntryStats {
        id: entry.id.clone(),
        title: entry.config.title.clone(),
        nodes: diagrams.iter().map(|d| d.nodes).sum(),
        decisions: diagrams.iter().map(|d| d.decisions).sum(),
        end_points: diagrams.iter().map(|d| d.end_points).sum(),
        images: images.len(),
        bytes: diagrams.iter().map(|d| d.bytes).sum::<usize>() + image_bytes,
        diagrams,
    }
}

fn image_ids<'a>(diagram: &Diagram, checked: &'a Checked) -> BTreeSet<&'a String> {
    checked
        .image_refs
        .iter()
        .filter(|((file, _), _)| *file == diagram.file)
        .map(|(_, id)| id)
        .collect()
}

/// `first` is the number of the diagram's first node in `graph`; `reached(n)` whether its `n`th node is.
fn diagram_stats(
    graph: &Graph,
    first: usize,
    diagram: &Diagram,
    checked: &Checked,
    report: &Report,
    reached: impl Fn(usize) -> bool,
) -> DiagramStats {
    let (longest_path, longest_path_exact) = longest_path(graph, first, diagram);
    DiagramStats {
        id: diagram.id.clone(),
        title: diagram.front.title.clone(),
        nodes: diagram.nodes.len(),
        decisions: diagram
            .nodes
            .iter()
            .filter(|n| n.answers.len() >= 2)
            .count(),
        end_points: diagram
            .nodes
            .iter()
            .filter(|n| n.answers.is_empty())
            .count(),
        images: image_ids(diagram, checked).len(),
        bytes: report.file_text(diagram.file).len(),
        longest_path,
        longest_path_exact,
        unreachable: diagram
            .nodes
            .iter()
            // A node sharing an earlier node's id is reached with it: links go to the first.
            .filter(|n| !diagram.node_position(&n.id).is_some_and(&reached))
            .map(|n| n.id.clone())
            .collect(),
    }
}

/// The longest simple path of answers inside the diagram, in nodes, from its start node.
fn longest_path(graph: &Graph, first: usize, diagram: &Diagram) -> (usize, bool) {
    let Some(start) = reach::start(diagram) else {
        return (0, true);
    };
    let inside = first..first + diagram.nodes.len();
    let edges: Vec<Vec<usize>> = inside
        .clone()
        .map(|n| {
            let mut next: Vec<usize> = graph
                .answers(n)
                .iter()
                .map(|&m| m as usize)
                .filter(|m| inside.contains(m))
                .map(|m| m - first)
                .collect();
            next.dedup();
            next
        })
        .collect();
    longest_simple_path(&edges, start)
}

/// Depth-first search over simple paths with an explicit stack (a diagram may be a chain of thousands of
/// nodes). Returns (nodes on the longest path, whether the search finished within its budget).
fn longest_simple_path(edges: &[Vec<usize>], start: usize) -> (usize, bool) {
    let mut on_path = vec![false; edges.len()];
    // (node, index of the next edge to try)
    let mut stack = vec![(start, 0usize)];
    on_path[start] = true;
    let mut best = 1;
    let mut steps = 0;
    while let Some((node, next)) = stack.last_mut() {
        let node = *node;
        match edges[node].get(*next) {
            Some(&to) => {
                *next += 1;
                if !on_path[to] {
                    steps += 1;
                    if steps >= LONGEST_PATH_BUDGET {
                        return (best, false);
                    }
                    on_path[to] = true;
                    stack.push((to, 0));
                    best = best.max(stack.len());
                    if best == edges.len() {
                        return (best, true);
                    }
                }
            }
            None => {
                on_path[node] = false;
                stack.pop();
            }
        }
    }
    (best, true)
}

#[cfg(test)]
mod tests {
    use super::longest_simple_path;

    #[test]
    fn longest_path_ignores_loops_back() {
        // 0 -> 1 -> 2 -> 0 (loop back), 0 -> 3
        let edges = vec![vec![1, 3], vec![2], vec![0], vec![]];
        assert_eq!(longest_simple_path(&edges, 0), (3, true));
    }

    #[test]
    fn longest_path_of_a_long_chain_does_not_overflow() {
        let n = 100_000;
        let edges: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        assert_eq!(longest_simple_path(&edges, 0), (n, true));
    }

    #[test]
    fn longest_path_stops_once_every_node_is_on_it() {
        // A complete graph: the first path tried holds every node; the search must not go on.
        let n = 40;
        let edges: Vec<Vec<usize>> = (0..n)
            .map(|i| (0..n).filter(|&j| j != i).collect())
            .collect();
        assert_eq!(longest_simple_path(&edges, 0), (n, true));
    }
}
