//! Subgraphs resolved into what a step can show: each node gets the titles of the subgraphs it is
//! drawn in; a subgraph used as an edge's end becomes nodes of it. An edge to a subgraph goes to its
//! entry node (the first of its nodes that no edge from inside it leads to); an edge from a subgraph
//! leaves from its exits (its nodes that have no edge out).

use std::collections::{HashMap, HashSet};

use super::parse::{Parser, RawEdge, Subgraph, MAX_EDGES, MAX_SUBGRAPH_DEPTH};
use super::{Edge, Flowchart, Label, Node, Problem};

pub(super) fn finish(p: Parser<'_>) -> Result<Flowchart, Problem> {
    let drop = dropped(&p);
    let groups = groups_of(&p);
    let entries = entries(&p, &drop);
    let exits = exits(&p, &drop);

    let mut edges: Vec<(&str, &str, &Option<Label>)> = Vec::new();
    for RawEdge { from, to, label } in &p.edges {
        let froms: Vec<&str> = match exits.get(from.as_str()) {
            Some(exits) => exits.clone(),
            None => vec![from.as_str()],
        };
        if edges.len().saturating_add(froms.len()) > MAX_EDGES {
            return Err(Problem::Syntax {
                line: drop.get(from.as_str()).map_or(1, |s| s.line),
                message: format!(
                    "more than {MAX_EDGES} edges once subgraphs are expanded to their nodes"
                ),
            });
        }
        let to = match drop.get(to.as_str()) {
            Some(_) => entries.get(to.as_str()).copied(),
            None => Some(to.as_str()),
        };
        if let Some(to) = to {
            for from in froms {
                edges.push((from, to, label));
            }
        }
    }

    let titles: HashMap<&str, &Label> = p
        .subgraphs
        .iter()
        .filter_map(|s| Some((s.id.as_deref()?, &s.title)))
        .collect();
    let nodes: Vec<Node> = p
        .nodes
        .iter()
        .filter(|n| !drop.contains_key(n.id.as_str()))
        .map(|n| {
            let mut node = n.clone();
            node.groups = groups.get(n.id.as_str()).cloned().unwrap_or_default();
            // An empty subgraph used as a node: it is drawn with its title.
            if node.label.is_empty() && !p.shaped.contains(&n.id) {
                if let Some(title) = titles.get(n.id.as_str()) {
                    node.label = (*title).clone();
                }
            }
            node
        })
        .collect();
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let edges = edges
        .iter()
        .filter_map(|(from, to, label)| {
            Some(Edge {
                from: *index.get(from)?,
                to: *index.get(to)?,
                label: (*label).clone(),
            })
        })
        .collect();
    Ok(Flowchart {
        title: p.title.clone(),
        nodes,
        edges,
        warnings: p.warnings.clone(),
        links: p.links,
        start: None,
        tags: Vec::new(),
    })
}

/// Subgraphs that stand for their nodes: named, used as a node, never given a shape, not empty.
fn dropped<'p>(p: &'p Parser<'_>) -> HashMap<&'p str, &'p Subgraph> {
    let mut drop = HashMap::new();
    for subgraph in &p.subgraphs {
        if let Some(id) = &subgraph.id {
            let has_members = subgraph.members.iter().any(|m| m != id);
            if !p.shaped.contains(id) && has_members && p.index.contains_key(id) {
                drop.insert(id.as_str(), subgraph);
            }
        }
    }
    drop
}

/// Each node's subgraph titles, outermost first (untitled subgraphs left out). A subgraph is drawn
/// inside the one it is written in, or else the one that names its id (`subgraph O` holding `A`, and
/// `subgraph A … end` elsewhere), as Mermaid nests them.
fn groups_of<'p>(p: &'p Parser<'_>) -> HashMap<&'p str, Vec<Label>> {
    let parent = |i: usize| -> Option<usize> {
        let subgraph = p.subgraphs.get(i)?;
        subgraph.parent.or_else(|| {
            let id = subgraph.id.as_ref()?;
            p.owner.get(id).copied().filter(|&o| o != i)
        })
    };
    // Each subgraph's chain of ancestors, cut at the nesting limit (names may form a cycle).
    let paths: Vec<Vec<Label>> = (0..p.subgraphs.len())
        .map(|i| {
            let mut chain = vec![i];
            let mut at = i;
            while let Some(up) = parent(at) {
                if chain.len() > MAX_SUBGRAPH_DEPTH || chain.contains(&up) {
                    break;
                }
                chain.push(up);
                at = up;
            }
            chain
                .iter()
                .rev()
                .filter_map(|&s| p.subgraphs.get(s))
                .filter(|s| !s.title.is_empty())
                .map(|s| s.title.clone())
                .collect()
        })
        .collect();
    p.owner
        .iter()
        .filter_map(|(id, &s)| {
            let path = paths.get(s)?;
            (!path.is_empty()).then(|| (id.as_str(), path.clone()))
        })
        .collect()
}

/// The entry node of each subgraph that stands for its nodes: the first of its nodes (in the order
/// written) that no edge from another of its nodes leads to; else its first node.
fn entries<'p>(
    p: &'p Parser<'_>,
    drop: &HashMap<&'p str, &'p Subgraph>,
) -> HashMap<&'p str, &'p str> {
    let mut incoming: HashMap<&str, Vec<&str>> = HashMap::new();
    for edge in &p.edges {
        if edge.from != edge.to {
            incoming
                .entry(edge.to.as_str())
                .or_default()
                .push(edge.from.as_str());
        }
    }
    let mut entries = HashMap::new();
    for (&id, subgraph) in drop {
        let inside: HashSet<&str> = subgraph.members.iter().map(String::as_str).collect();
        let candidates: Vec<&str> = subgraph
            .members
            .iter()
            .map(String::as_str)
            .filter(|m| !drop.contains_key(m))
            .collect();
        let entry = candidates
            .iter()
            .find(|m| {
                !incoming
                    .get(*m)
                    .is_some_and(|from| from.iter().any(|f| inside.contains(f)))
            })
            .or(candidates.first());
        if let Some(entry) = entry {
            entries.insert(id, *entry);
        }
    }
    entries
}

/// The exits of each subgraph that stands for its nodes: its nodes without an edge out, else its last.
fn exits<'p>(
    p: &'p Parser<'_>,
    drop: &HashMap<&'p str, &'p Subgraph>,
) -> HashMap<&'p str, Vec<&'p str>> {
    let has_out: HashSet<&str> = p.edges.iter().map(|e| e.from.as_str()).collect();
    let mut exits_of = HashMap::new();
    for (&id, s) in drop {
        let members: Vec<&str> = s
            .members
            .iter()
            .map(String::as_str)
            .filter(|m| !drop.contains_key(m))
            .collect();
        let exits: Vec<&str> = members
            .iter()
            .copied()
            .filter(|m| !has_out.contains(m))
            .collect();
        let exits = if exits.is_empty() {
            members.last().copied().into_iter().collect()
        } else {
            exits
        };
        exits_of.insert(id, exits);
    }
    exits_of
}
