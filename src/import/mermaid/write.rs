//! A [`Flowchart`] as a Lifeboat diagram: front matter, then one `## Label {#id}` node per Mermaid node,
//! the start node first and the others breadth-first from it, each ending with its answers.
//!
//! Shapes that mean something to an agent become callouts (docs/import.md): hexagon `{{ }}`, cylinder
//! `[( )]`, parallelograms `[/ /]` `[\ \]` and Mermaid 11's storage, document and manual-input shapes
//! (data) → `[!IMPORTANT]`; asymmetric `> ]` (a flag) → `[!WARNING]`; subroutine `[[ ]]` (a procedure
//! of its own) and comment braces → `[!NOTE]`. Other shapes are plain steps; a rhombus `{ }` is a
//! decision, which its answers already show.
//!
//! A node drawn inside subgraphs starts with their titles as a `###` line; `click` links and tooltips
//! follow as text. When several nodes start the flowchart (no edge leads to them), a first step asks
//! where to start, with one answer per start, so that every node can be reached.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{shapes, Flowchart, Label, Node, Shape};
use crate::content::config::Language;
use crate::content::markdown::slug;
use crate::scaffold::{title_from_id, toml_string};

/// The diagram text, with counts for the command's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    pub nodes: usize,
    pub answers: usize,
    /// The Lifeboat id of each node of [`Flowchart::nodes`], in that order.
    pub ids: Vec<String>,
}

/// The callout a shape becomes, if any.
pub fn callout(shape: Shape) -> Option<&'static str> {
    match shape {
        Shape::Hexagon | Shape::Cylinder | Shape::Parallelogram => Some("IMPORTANT"),
        Shape::Asymmetric => Some("WARNING"),
        Shape::Subroutine => Some("NOTE"),
        Shape::Named(name) => shapes::callout(name),
        _ => None,
    }
}

/// The first step of a flowchart that several nodes start: its id (unless taken) and title.
fn chooser_title(language: Language) -> &'static str {
    match language {
        Language::Fr => "Par où commencer ?",
        Language::En => "Where do you start?",
    }
}

pub fn diagram(chart: &Flowchart, title: &str, language: Language) -> Written {
    let (order, roots) = order(chart);
    let chooser = roots.len() > 1;
    let (ids, chooser_id) = node_ids(chart, chooser);
    let headings: Vec<String> = chart
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| heading(&node.label, &node.id, i, language))
        .collect();
    // Each node's edges, in the order written.
    let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); chart.nodes.len()];
    for (e, edge) in chart.edges.iter().enumerate() {
        if let Some(list) = by_source.get_mut(edge.from) {
            list.push(e);
        }
    }
    let mut text = format!("+++\ntitle = {}\n", toml_string(title));
    if !chart.tags.is_empty() {
        let tags: Vec<String> = chart.tags.iter().map(|t| toml_string(t)).collect();
        text.push_str(&format!("tags = [{}]\n", tags.join(", ")));
    }
    text.push_str("+++\n");
    let mut answers = 0;
    if chooser {
        text.push_str(&format!(
            "\n## {} {{#{chooser_id}}}\n\n",
            chooser_title(language)
        ));
        for &root in &roots {
            if let (Some(id), Some(head)) = (ids.get(root), headings.get(root)) {
                text.push_str(&format!("- [{head}](#{id})\n"));
                answers += 1;
            }
        }
    }
    for i in order {
        let (Some(node), Some(id), Some(head)) = (chart.nodes.get(i), ids.get(i), headings.get(i))
        else {
            continue;
        };
        text.push_str(&format!("\n## {head} {{#{id}}}\n"));
        body(&mut text, node, head, &ids);
        let mut seen = HashSet::new();
        let mut list = String::new();
        for edge in by_source
            .get(i)
            .into_iter()
            .flatten()
            .filter_map(|&e| chart.edges.get(e))
        {
            let (Some(target), Some(target_head)) = (ids.get(edge.to), headings.get(edge.to))
            else {
                continue;
            };
            let answer = match &edge.label {
                Some(label) => escape(&label.joined(), label.markdown),
                None => target_head.clone(),
            };
            if seen.insert((answer.clone(), edge.to)) {
                list.push_str(&format!("- [{answer}](#{target})\n"));
                answers += 1;
            }
        }
        for link in &node.page_answers {
            let shown = escape(link.tooltip.as_deref().unwrap_or(&link.url), false);
            list.push_str(&format!("- [{shown}]({})\n", escape_url(&link.url)));
            answers += 1;
        }
        if !list.is_empty() {
            text.push('\n');
            text.push_str(&list);
        }
    }
    Written {
        text,
        nodes: chart.nodes.len(),
        answers,
        ids,
    }
}

/// What a node says before its answers: its subgraphs' titles, its shape's callout, its `click`
/// links and tooltips.
fn body(text: &mut String, node: &Node, head: &str, ids: &[String]) {
    if !node.groups.is_empty() {
        let titles: Vec<String> = node
            .groups
            .iter()
            .map(|g| escape(&g.joined(), g.markdown))
            .collect();
        text.push_str(&format!("\n### {}\n", titles.join(" › ")));
    }
    if let Some(kind) = callout(node.shape) {
        text.push_str(&format!("\n> [!{kind}]\n> {}\n", escape_line_start(head)));
    }
    for link in &node.links {
        let shown = link.tooltip.as_deref().unwrap_or(&link.url);
        text.push_str(&format!(
            "\n[{}]({})\n",
            escape(shown.trim(), false),
            escape_url(&link.url)
        ));
    }
    if !node.body.trim().is_empty() {
        text.push('\n');
        text.push_str(&node_refs(node.body.trim_end(), ids));
        text.push('\n');
    }
    for note in &node.notes {
        text.push_str(&format!(
            "\n{}\n",
            escape_line_start(&escape(note.trim(), false))
        ));
    }
}

/// The body with each `\u{1}N\u{1}` replaced by `#` and node N's id.
fn node_refs(body: &str, ids: &[String]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut parts = body.split('\u{1}');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    while let (Some(number), Some(after)) = (parts.next(), parts.next()) {
        if let Some(id) = number.parse::<usize>().ok().and_then(|n| ids.get(n)) {
            out.push('#');
            out.push_str(id);
        }
        out.push_str(after);
    }
    out
}

/// A link destination: backslashes before what Markdown or `{{ variables }}` would read.
fn escape_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if matches!(c, '\\' | '(' | ')' | '<' | '>' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Lifeboat node ids: the slugged Mermaid id (`Step_1` → `step-1`), made unique with `-2`, `-3`…; and
/// the chooser's id (`start`, or `start-2`… when a node has it), reserved when `chooser` is set.
fn node_ids(chart: &Flowchart, chooser: bool) -> (Vec<String>, String) {
    let mut taken = HashSet::new();
    // The next suffix to try per base: many ids may fold to one base (case, accents).
    let mut next: HashMap<String, usize> = HashMap::new();
    let slugs: Vec<String> = chart
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let base = slug(&node.id);
            if base.is_empty() {
                format!("node-{}", i + 1)
            } else {
                base
            }
        })
        .collect();
    let mut chooser_id = String::from("start");
    if chooser {
        let bases: HashSet<&str> = slugs.iter().map(String::as_str).collect();
        let mut n = 2;
        while bases.contains(chooser_id.as_str()) {
            chooser_id = format!("start-{n}");
            n += 1;
        }
        taken.insert(chooser_id.clone());
    }
    let ids = slugs
        .into_iter()
        .map(|base| {
            let mut id = base.clone();
            let n = next.entry(base.clone()).or_insert(2);
            while !taken.insert(id.clone()) {
                id = format!("{base}-{n}");
                *n += 1;
            }
            id
        })
        .collect();
    (ids, chooser_id)
}

/// The heading: the label on one line, escaped; a node without a label is titled from its id, or
/// numbered.
fn heading(label: &Label, id: &str, index: usize, language: Language) -> String {
    if !label.is_empty() {
        return escape(&label.joined(), label.markdown);
    }
    let from_id = title_from_id(id);
    if from_id.chars().any(char::is_alphanumeric) {
        escape(&from_id, false)
    } else {
        match language {
            Language::Fr => format!("Étape {}", index + 1),
            Language::En => format!("Step {}", index + 1),
        }
    }
}

/// The start node (the first one no edge leads to, else the first one), then breadth-first along the
/// edges in the order written, then the nodes not reached, each followed by what it leads to; and the
/// nodes each breadth-first walk started from (the start first).
fn order(chart: &Flowchart) -> (Vec<usize>, Vec<usize>) {
    let count = chart.nodes.len();
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut incoming = vec![false; count];
    for edge in &chart.edges {
        if let Some(out) = outgoing.get_mut(edge.from) {
            out.push(edge.to);
        }
        if edge.from != edge.to {
            if let Some(flag) = incoming.get_mut(edge.to) {
                *flag = true;
            }
        }
    }
    let start = chart
        .start
        .filter(|&s| s < count)
        .unwrap_or_else(|| incoming.iter().position(|has| !has).unwrap_or(0));
    let mut seen = vec![false; count];
    let mut order = Vec::with_capacity(count);
    let mut roots = Vec::new();
    // Nodes no edge leads to first, in the order written, then whatever cycles are left.
    let unreached = (0..count)
        .filter(|&i| !incoming.get(i).copied().unwrap_or(true))
        .chain(0..count);
    for root in std::iter::once(start).chain(unreached) {
        if seen.get(root) != Some(&false) {
            continue;
        }
        roots.push(root);
        let mut queue = VecDeque::from([root]);
        if let Some(flag) = seen.get_mut(root) {
            *flag = true;
        }
        while let Some(node) = queue.pop_front() {
            order.push(node);
            for &next in outgoing.get(node).map_or(&[][..], Vec::as_slice) {
                if let Some(flag @ false) = seen.get_mut(next) {
                    *flag = true;
                    queue.push_back(next);
                }
            }
        }
    }
    (order, roots)
}

/// Backslash-escapes what Markdown (or Lifeboat's `{{ variables }}` and `{#id}`) would read. Markdown
/// strings keep their emphasis (`*`, `_`, `` ` ``, `~`).
pub fn escape(text: &str, markdown: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let special = match c {
            // A backslash always: a raw one in a Markdown string would undo the escape that follows.
            '\\' | '[' | ']' | '<' | '>' | '#' | '|' | '{' | '}' | '!' => true,
            '*' | '_' | '`' | '~' => !markdown,
            '&' => looks_like_entity(text.get(i + 1..).unwrap_or("")),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn looks_like_entity(after: &str) -> bool {
    let name = after.strip_prefix('#').unwrap_or(after);
    let len = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    len > 0 && name.get(len..).is_some_and(|r| r.starts_with(';'))
}

/// Escapes a line start Markdown would read as a list, a quote or a rule (in a callout).
pub fn escape_line_start(line: &str) -> String {
    if line.starts_with(['-', '+', '=', '>']) || line.starts_with("* ") {
        return format!("\\{line}");
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        if let Some(rest) = line.get(digits..) {
            if rest.starts_with(['.', ')']) {
                return format!("{}\\{rest}", line.get(..digits).unwrap_or(""));
            }
        }
    }
    line.to_string()
}
