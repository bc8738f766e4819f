//! Size and shape of the content, per entry point and diagram, from the loaded and checked model:
//! authors see which trees grow too long or too branchy before agents do.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde::Serialize;

use crate::check::resolve::Target;
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
    let entries = project
        .entries
        .iter()
        .map(|entry| entry_stats(entry, checked, report))
        .collect();
    Stats { entries }
}

fn entry_stats(entry: &Entry, checked: &Checked, report: &Report) -> EntryStats {
    let reached = reached_in_entry(entry, checked);
    let diagrams: Vec<DiagramStats> = entry
        .diagrams
        .iter()
        .map(|d| diagram_stats(d, checked, report, &reached))
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

fn diagram_stats(
    diagram: &Diagram,
    checked: &Checked,
    report: &Report,
    reached: &HashSet<Target>,
) -> DiagramStats {
    let (longest_path, longest_path_exact) = longest_path(diagram, checked);
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
            .filter(|n| !reached.contains(&target(diagram, &n.id)))
            .map(|n| n.id.clone())
            .collect(),
    }
}

fn target(diagram: &Diagram, node: &str) -> Target {
    Target {
        entry: diagram.entry.clone(),
        diagram: diagram.id.clone(),
        node: node.to_string(),
    }
}

/// Where a node's links (answers first, then links in its text) lead, resolved by `check`.
fn links<'a>(
    diagram: &'a Diagram,
    node: &'a crate::content::Node,
    checked: &'a Checked,
    with_text: bool,
) -> impl Iterator<Item = &'a Target> + 'a {
    let text_links = node
        .refs
        .iter()
        .filter(move |r| with_text && !r.is_image)
        .map(|r| r.dest.as_str());
    node.answers
        .iter()
        .map(|a| a.dest.as_str())
        .chain(text_links)
        .filter_map(move |dest| checked.links.get(&(diagram.file, dest.to_string())))
}

/// Nodes reached from every diagram's start node (each is listed on the home page), following answers
/// and text links that stay in the entry point.
fn reached_in_entry(entry: &Entry, checked: &Checked) -> HashSet<Target> {
    let mut seen = HashSet::new();
    let mut queue: VecDeque<Target> = entry
        .diagrams
        .iter()
        .filter_map(|d| d.start_node().map(|n| target(d, &n.id)))
        .collect();
    while let Some(t) = queue.pop_front() {
        if t.entry != entry.id || !seen.insert(t.clone()) {
            continue;
        }
        let Some(diagram) = entry.diagram(&t.diagram) else {
            continue;
        };
        if let Some(node) = diagram.node(&t.node) {
            queue.extend(links(diagram, node, checked, true).cloned());
        }
    }
    seen
}

/// The longest simple path of answers inside the diagram, in nodes, from its start node.
fn longest_path(diagram: &Diagram, checked: &Checked) -> (usize, bool) {
    let Some(start) = diagram.start_node() else {
        return (0, true);
    };
    let index: HashMap<&str, usize> = diagram
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = diagram
        .nodes
        .iter()
        .map(|node| {
            let mut next: Vec<usize> = links(diagram, node, checked, false)
                .filter(|t| t.entry == diagram.entry && t.diagram == diagram.id)
                .filter_map(|t| index.get(t.node.as_str()).copied())
                .collect();
            next.dedup();
            next
        })
        .collect();
    longest_simple_path(&edges, index[start.id.as_str()])
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
