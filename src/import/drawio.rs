//! draw.io (diagrams.net) files turned into Lifeboat diagrams, one per page: vertices become steps,
//! edges answers. Each page is read into the model of the Mermaid importer ([`Flowchart`]), so both
//! write the same Markdown ([`crate::import::mermaid::write::diagram`]). See docs/import.md.
//!
//! [`read`] takes a `.drawio` / `.xml` file: an `<mxfile>` of `<diagram>` pages, each compressed (base64
//! of raw deflate of URL-encoded XML) or a plain `<mxGraphModel>`, or a bare `<mxGraphModel>`. Nothing
//! here panics on any input; a page inflates to at most [`MAX_PAGE_BYTES`].

mod html;
mod style;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::io::Read;

use base64::Engine;

use crate::import::mermaid::{Edge, Flowchart, Label, Node, NodeLink, Warning};
use style::Style;

/// A compressed page that inflates to more than this is refused (a decompression bomb).
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Labels longer than this are refused: the sanitizer's work grows faster than their size.
const MAX_LABEL_BYTES: usize = 256 * 1024;
/// Words of a label kept in the step's id (`#check-the-modem-lights`).
const ID_WORDS: usize = 6;

/// One page of a draw.io file.
#[derive(Debug, Clone)]
pub struct Page {
    /// As named in draw.io ("Page-1" when never renamed).
    pub name: String,
    /// draw.io's id of the page (what `data:page/id,…` links name).
    pub id: String,
    pub chart: Flowchart,
}

/// Why a file cannot be imported, with the file and line (counted from 1) or the page and cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawioError {
    #[error("{file}:{line}: {message}")]
    File {
        file: String,
        line: usize,
        message: String,
    },
}

/// A link in a page to another page (`data:page/id,ID`): what [`Page::id`] it names.
pub fn page_link(url: &str) -> Option<&str> {
    url.strip_prefix("data:page/id,")
        .map(|rest| rest.split(',').next().unwrap_or(rest))
}

/// Reads every page of a draw.io file.
pub fn read(text: &str, file: &str) -> Result<Vec<Page>, DrawioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |line: usize, message: String| DrawioError::File {
        file: file.to_string(),
        line,
        message,
    };
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| error(e.pos().row as usize, format!("not a draw.io file: {e}")))?;
    // Line starts, once: roxmltree's own position lookup counts from the top at every call.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |node: roxmltree::Node| starts.partition_point(|&s| s <= node.range().start);
    let root = doc.root_element();
    match root.tag_name().name() {
        "mxGraphModel" => {
            let chart = model(root, &|n| line_of(n)).map_err(|(l, m)| error(l, m))?;
            Ok(vec![Page {
                name: String::new(),
                id: String::new(),
                chart,
            }])
        }
        "mxfile" => {
            let mut pages = Vec::new();
            for (n, diagram) in root
                .children()
                .filter(|c| c.has_tag_name("diagram"))
                .enumerate()
            {
                let at = line_of(diagram);
                let name = diagram
                    .attribute("name")
                    .map_or_else(|| format!("Page-{}", n + 1), str::to_string);
                let id = diagram.attribute("id").unwrap_or("").to_string();
                let chart = match diagram.children().find(|c| c.has_tag_name("mxGraphModel")) {
                    Some(graph) => model(graph, &|n| line_of(n)).map_err(|(l, m)| error(l, m))?,
                    None => {
                        let xml = inflate(diagram.text().unwrap_or(""), MAX_PAGE_BYTES)
                            .map_err(|m| error(at, format!("page \"{name}\": {m}")))?;
                        let inner = roxmltree::Document::parse(&xml).map_err(|e| {
                            error(at, format!("page \"{name}\" does not hold a diagram: {e}"))
                        })?;
                        let graph = inner.root_element();
                        if !graph.has_tag_name("mxGraphModel") {
                            return Err(error(at, format!("page \"{name}\" does not hold an mxGraphModel")));
                        }
                        model(graph, &|_| at)
                            .map_err(|(_, m)| error(at, format!("page \"{name}\": {m}")))?
                    }
                };
                pages.push(Page {
                    name,
                    id,
                    chart: Flowchart {
                        title: None,
                        ..chart
                    },
                });
            }
            if pages.is_empty() {
                return Err(error(line_of(root), "the file has no page (`<diagram>`)".into()));
            }
            Ok(pages)
        }
        other => Err(error(
            line_of(root),
            format!("not a draw.io file: it starts with `<{other}>`, not `<mxfile>` or `<mxGraphModel>`"),
        )),
    }
}

/// A compressed page's XML: base64, then raw deflate, then URL-decoding (when the text is encoded).
fn inflate(text: &str, limit: u64) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err("the page is empty".into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("the compressed page is not base64: {e}"))?;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(bytes.as_slice())
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the compressed page does not inflate: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!(
            "the compressed page inflates to more than {} KiB",
            limit / 1024
        ));
    }
    let text =
        String::from_utf8(out).map_err(|_| "the compressed page is not UTF-8".to_string())?;
    if text.trim_start().starts_with('<') {
        return Ok(text);
    }
    percent_encoding::percent_decode_str(&text)
        .decode_utf8()
        .map(|t| t.into_owned())
        .map_err(|_| "the compressed page is not UTF-8 once URL-decoded".to_string())
}

/// One cell of a page: `<mxCell>`, or `<UserObject>`/`<object>` around one.
struct Cell<'a> {
    id: &'a str,
    value: &'a str,
    style: Style<'a>,
    vertex: bool,
    edge: bool,
    parent: &'a str,
    source: Option<&'a str>,
    target: Option<&'a str>,
    link: Option<&'a str>,
    line: usize,
}

fn cells<'a>(
    graph: roxmltree::Node<'a, 'a>,
    line_of: &dyn Fn(roxmltree::Node) -> usize,
) -> Vec<Cell<'a>> {
    let Some(root) = graph.children().find(|c| c.has_tag_name("root")) else {
        return Vec::new();
    };
    root.children()
        .filter(|c| c.is_element())
        .filter_map(|c| {
            let (outer, cell) = if c.has_tag_name("mxCell") {
                (c, c)
            } else {
                (c, c.children().find(|x| x.has_tag_name("mxCell"))?)
            };
            let value = if outer == cell {
                cell.attribute("value").unwrap_or("")
            } else {
                outer.attribute("label").unwrap_or("")
            };
            Some(Cell {
                id: outer.attribute("id").unwrap_or(""),
                value,
                style: Style::parse(cell.attribute("style").unwrap_or("")),
                vertex: cell.attribute("vertex") == Some("1"),
                edge: cell.attribute("edge") == Some("1"),
                parent: cell.attribute("parent").unwrap_or(""),
                source: cell.attribute("source"),
                target: cell.attribute("target"),
                link: outer.attribute("link"),
                line: line_of(outer),
            })
        })
        .collect()
}

/// A page's model as a flowchart; a problem as (line, message).
fn model(
    graph: roxmltree::Node<'_, '_>,
    line_of: &dyn Fn(roxmltree::Node) -> usize,
) -> Result<Flowchart, (usize, String)> {
    let cells = cells(graph, line_of);
    let mut warnings = Vec::new();
    let by_id: HashMap<&str, &Cell> = cells.iter().map(|c| (c.id, c)).collect();
    let edge_ids: HashSet<&str> = cells.iter().filter(|c| c.edge).map(|c| c.id).collect();
    // Labels of edges written as child cells of the edge.
    let mut edge_labels: HashMap<&str, Vec<String>> = HashMap::new();
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for cell in cells.iter().filter(|c| c.vertex) {
        if edge_ids.contains(cell.parent) {
            let text = label_text(cell).map_err(|m| (cell.line, m))?;
            edge_labels.entry(cell.parent).or_default().push(text);
        } else if by_id.get(cell.parent).is_some_and(|p| p.vertex) {
            children.entry(cell.parent).or_default().push(cell.id);
        }
    }
    // Vertices holding others (groups, swimlanes, containers) are titles of what they hold.
    let containers: HashSet<&str> = children.keys().copied().collect();
    let connected: HashSet<&str> = cells
        .iter()
        .filter(|c| c.edge)
        .flat_map(|c| c.source.into_iter().chain(c.target))
        .collect();

    let mut nodes: Vec<Node> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut cell_ids: Vec<&str> = Vec::new();
    for cell in &cells {
        if !cell.vertex || edge_ids.contains(cell.parent) || containers.contains(cell.id) {
            continue;
        }
        let lines = lines_of(cell).map_err(|m| (cell.line, m))?;
        let linked = connected.contains(cell.id);
        if cell.style.is_image() {
            warnings.push(Warning {
                line: cell.line,
                message: format!("cell `{}` is an image: images are not imported", cell.id),
            });
            if lines.is_empty() && !linked {
                continue;
            }
        }
        if lines.is_empty() && !linked {
            continue;
        }
        if cell.style.is_text() && !linked {
            warnings.push(Warning {
                line: cell.line,
                message: format!(
                    "cell `{}` is text connected to nothing (\"{}\"): not imported",
                    cell.id,
                    lines.first().map_or("", |l| l.plain.as_str())
                ),
            });
            continue;
        }
        if !linked {
            warnings.push(Warning {
                line: cell.line,
                message: format!(
                    "cell `{}` (\"{}\") is connected to nothing: it is a start of its own",
                    cell.id,
                    lines.first().map_or("", |l| l.plain.as_str())
                ),
            });
        }
        index.insert(cell.id, nodes.len());
        cell_ids.push(cell.id);
        nodes.push(node_of(cell, &lines, &groups_of(cell, &by_id, &containers)));
    }

    // Edges to a container lead to its first child no sibling leads to; edges from one leave from
    // its children that lead nowhere.
    let mut raw: Vec<(&str, &str, Option<String>, usize)> = Vec::new();
    for cell in cells.iter().filter(|c| c.edge) {
        let (Some(from), Some(to)) = (cell.source, cell.target) else {
            warnings.push(Warning {
                line: cell.line,
                message: format!(
                    "edge `{}` has no {}: dropped",
                    cell.id,
                    if cell.source.is_none() {
                        "source"
                    } else {
                        "target"
                    }
                ),
            });
            continue;
        };
        let mut texts = Vec::new();
        let own = label_text(cell).map_err(|m| (cell.line, m))?;
        if !own.is_empty() {
            texts.push(own);
        }
        texts.extend(
            edge_labels
                .get(cell.id)
                .into_iter()
                .flatten()
                .filter(|t| !t.is_empty())
                .cloned(),
        );
        let label = (!texts.is_empty()).then(|| texts.join(" "));
        if from == to {
            warnings.push(Warning {
                line: cell.line,
                message: format!("edge `{}` leads from cell `{from}` back to itself", cell.id),
            });
        }
        raw.push((from, to, label, cell.line));
    }
    let has_out: HashSet<&str> = raw.iter().map(|e| e.0).collect();
    let mut sources_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (from, to, _, _) in &raw {
        sources_of.entry(to).or_default().push(from);
    }
    // Each container's entry and exits, once.
    let mut entry: HashMap<&str, Option<&str>> = HashMap::new();
    let mut exits: HashMap<&str, Vec<&str>> = HashMap::new();
    for (&container, kids) in &children {
        let inside: HashSet<&str> = kids.iter().copied().collect();
        let first = kids
            .iter()
            .copied()
            .find(|k| {
                !sources_of
                    .get(k)
                    .is_some_and(|from| from.iter().any(|f| inside.contains(f)))
            })
            .or(kids.first().copied());
        entry.insert(container, first);
        let out: Vec<&str> = kids
            .iter()
            .copied()
            .filter(|k| !has_out.contains(k))
            .collect();
        exits.insert(
            container,
            if out.is_empty() {
                kids.last().copied().into_iter().collect()
            } else {
                out
            },
        );
    }
    let mut edges = Vec::new();
    for (from, to, label, line) in &raw {
        let froms: Vec<&str> = exits.get(from).cloned().unwrap_or_else(|| vec![*from]);
        let to = entry.get(to).copied().unwrap_or(Some(*to));
        let Some(to_index) = to.and_then(|t| index.get(t)) else {
            warnings.push(Warning {
                line: *line,
                message: format!(
                    "an edge leads to cell `{}`, which is not a step: dropped",
                    to.unwrap_or("")
                ),
            });
            continue;
        };
        for f in froms {
            match index.get(f) {
                Some(&from_index) => edges.push(Edge {
                    from: from_index,
                    to: *to_index,
                    label: label.clone().map(|l| Label {
                        lines: vec![l],
                        markdown: false,
                    }),
                }),
                None => warnings.push(Warning {
                    line: *line,
                    message: format!(
                        "an edge leaves from cell `{f}`, which is not a step: dropped"
                    ),
                }),
            }
        }
    }
    if nodes.is_empty() {
        return Err((line_of(graph), "the page has no shapes to import".into()));
    }
    // Starts after the first (vertices no edge leads to): the diagram asks where to start.
    let mut reached = vec![false; nodes.len()];
    for edge in edges.iter().filter(|e: &&Edge| e.from != e.to) {
        if let Some(flag) = reached.get_mut(edge.to) {
            *flag = true;
        }
    }
    let linked: HashSet<usize> = edges.iter().flat_map(|e| [e.from, e.to]).collect();
    for (i, node) in nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| !reached[*i])
        .skip(1)
    {
        if linked.contains(&i) {
            warnings.push(Warning {
                line: node.line,
                message: format!(
                    "cell `{}` (\"{}\") is reached by no edge: it becomes an answer of a first step that asks where to start",
                    cell_ids.get(i).copied().unwrap_or(""),
                    node.label.joined()
                ),
            });
        }
    }
    warnings.sort_by_key(|w| w.line);
    Ok(Flowchart {
        title: None,
        nodes,
        edges,
        warnings,
        links: raw.len(),
        start: None,
        tags: Vec::new(),
    })
}

/// A cell's label as lines (HTML turned into Markdown when the style says `html=1`).
fn lines_of(cell: &Cell) -> Result<Vec<html::Line>, String> {
    if cell.value.len() > MAX_LABEL_BYTES {
        return Err(format!(
            "the label of cell `{}` is longer than {} KiB",
            cell.id,
            MAX_LABEL_BYTES / 1024
        ));
    }
    Ok(if cell.style.html() {
        html::lines(cell.value)
    } else {
        html::plain(cell.value)
    })
}

/// A cell's label on one line, without formatting.
fn label_text(cell: &Cell) -> Result<String, String> {
    let lines = lines_of(cell)?;
    let plain: Vec<&str> = lines.iter().map(|l| l.plain.as_str()).collect();
    Ok(plain.join(" "))
}

/// The titles of the containers a cell is drawn in, outermost first.
fn groups_of(cell: &Cell, by_id: &HashMap<&str, &Cell>, containers: &HashSet<&str>) -> Vec<Label> {
    let mut titles = Vec::new();
    let mut at = cell.parent;
    let mut seen = HashSet::new();
    while containers.contains(at) && seen.insert(at) && seen.len() <= 64 {
        let Some(parent) = by_id.get(at) else {
            break;
        };
        if let Ok(text) = label_text(parent) {
            if !text.is_empty() {
                titles.push(Label {
                    lines: vec![text],
                    markdown: false,
                });
            }
        }
        at = parent.parent;
    }
    titles.reverse();
    titles
}

/// A step: titled with the label's first line; the other lines are its text.
fn node_of(cell: &Cell, lines: &[html::Line], groups: &[Label]) -> Node {
    let title = lines.first().map(|l| l.plain.clone()).unwrap_or_default();
    let words: Vec<&str> = title.split_whitespace().take(ID_WORDS).collect();
    let id = if words.is_empty() {
        cell.id.to_string()
    } else {
        words.join(" ")
    };
    let mut body = String::new();
    let mut previous_item = false;
    for line in lines.iter().skip(1) {
        let is_item = line.item.is_some();
        let same_list = is_item && previous_item;
        if !body.is_empty() && !same_list {
            body.push('\n');
        }
        match line.item {
            Some(html::Item::Bullet) => body.push_str(&format!("* {}\n", line.markdown)),
            Some(html::Item::Numbered(n)) => body.push_str(&format!("{n}. {}\n", line.markdown)),
            None => {
                body.push_str(&crate::import::mermaid::write::escape_line_start(
                    &line.markdown,
                ));
                body.push('\n');
            }
        }
        previous_item = is_item;
    }
    let links = cell
        .link
        .map(|url| NodeLink {
            url: url.trim().to_string(),
            tooltip: None,
        })
        .into_iter()
        .collect();
    Node {
        id,
        label: Label {
            lines: vec![title],
            markdown: false,
        },
        shape: cell.style.meaning(),
        line: cell.line,
        groups: groups.to_vec(),
        links,
        notes: Vec::new(),
        body,
        page_answers: Vec::new(),
    }
}
