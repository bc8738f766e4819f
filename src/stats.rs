//! Size and shape of the content, per entry point and diagram, from the loaded and checked model:
//! authors see which trees grow too long or too branchy before agents do.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::check::reach::{self, Graph};
use crate::check::reviews;
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
    /// `owner` of the front matter.
    pub owner: Option<String>,
    /// `reviewed` of the front matter (YYYY-MM-DD).
    pub reviewed: Option<String>,
    /// Against `[backup] review_days`, counted from the snapshot's date: `ok`, `overdue` or `never`
    /// (never reviewed); absent without a policy.
    pub review: Option<&'static str>,
}

pub fn compute(project: &Project, checked: &Checked, report: &Report) -> Stats {
    // The graph `check` finds unreachable nodes on.
    let graph = Graph::new(project, checked);
    let policy = project
        .site
        .backup
        .review_days
        .as_ref()
        .map(|d| *d.get_ref());
    let as_of = reviews::needed(project)
        .then(|| reviews::as_of(&project.root))
        .flatten();
    let cx = Cx {
        graph: &graph,
        checked,
        report,
        policy: policy.zip(as_of),
    };
    let entries = project
        .entries
        .iter()
        .enumerate()
        .map(|(e, entry)| entry_stats(&cx, e, entry))
        .collect();
    Stats { entries }
}

/// What every diagram's figures are computed from.
struct Cx<'a> {
    graph: &'a Graph,
    checked: &'a Checked,
    report: &'a Report,
    /// The review policy in days and the date it is counted against.
    policy: Option<(i64, time::Date)>,
}

fn entry_stats(cx: &Cx, e: usize, entry: &Entry) -> EntryStats {
    let (graph, checked) = (cx.graph, cx.checked);
    // Every diagram is listed on the entry's home page, so each diagram's start is a way in; paths are
    // followed (answers and text links) while they stay in the entry point.
    let starts = entry
        .diagrams
        .iter()
        .enumerate()
        .filter_map(|(d, diagram)| Some(graph.node(e, d, reach::start(diagram)?)));
    let reached = graph.walk_entry(e, starts);
    let base = graph.entry_nodes(e).start;
    let diagrams: Vec<DiagramStats> = entry
        .diagrams
        .iter()
        .enumerate()
        .map(|(d, diagram)| {
            let at = |n: usize| reached[graph.node(e, d, n) - base];
            diagram_stats(cx, graph.node(e, d, 0), diagram, at)
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

/// The images a diagram shows, found from its own references (not by a scan of every image of the build,
/// which would make stats quadratic in the number of diagrams).
fn image_ids<'a>(diagram: &Diagram, checked: &'a Checked) -> BTreeSet<&'a String> {
    crate::check::resolve::links_and_images(diagram)
        .filter(|r| r.is_image)
        .filter_map(|r| checked.image_refs.get(&(diagram.file, r.dest.to_string())))
        .collect()
}

/// `first` is the number of the diagram's first node in `graph`; `reached(n)` whether its `n`th node is.
fn diagram_stats(
    cx: &Cx,
    first: usize,
    diagram: &Diagram,
    reached: impl Fn(usize) -> bool,
) -> DiagramStats {
    let (checked, report) = (cx.checked, cx.report);
    let (longest_path, longest_path_exact) = longest_path(cx.graph, first, diagram);
    let review = cx.policy.map(|(days, as_of)| {
        let review = reviews::Review::of(diagram, as_of);
        match (review, review.overdue(Some(days))) {
            (reviews::Review::Never, _) => "never",
            (_, true) => "overdue",
            (_, false) => "ok",
        }
    });
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
        owner: diagram.front.owner.clone(),
        reviewed: diagram
            .front
            .reviewed
            .as_ref()
            .and_then(|r| reviews::plain_date(r.get_ref()))
            .map(|d| d.to_string()),
        review,
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
