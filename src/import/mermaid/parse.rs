//! The flowchart reader: a hand-written scanner over the whole text (labels may span lines), one
//! statement at a time. Byte offsets only ever move forward and always land on `char` boundaries.

use std::collections::{HashMap, HashSet};

use super::label::clean_edge;
use super::lex;
use super::{Edge, Flowchart, Label, Node, Problem, Shape};

/// More edges than this (`&` multiplies them) is refused rather than exhausting memory.
const MAX_EDGES: usize = 100_000;
/// Subgraphs nested deeper than this are refused: every node is a member of each open subgraph.
const MAX_SUBGRAPH_DEPTH: usize = 64;

/// Other Mermaid diagram types, named in the error when a file holds one.
const OTHER_DIAGRAMS: &[&str] = &[
    "sequenceDiagram",
    "classDiagram",
    "classDiagram-v2",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "quadrantChart",
    "requirementDiagram",
    "gitGraph",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
    "mindmap",
    "timeline",
    "zenuml",
    "sankey-beta",
    "xychart-beta",
    "block-beta",
    "packet-beta",
    "kanban",
    "architecture-beta",
    "radar-beta",
];

/// Statements that only style or annotate: skipped to the end of the statement.
const IGNORED: &[&str] = &[
    "classDef",
    "class",
    "style",
    "linkStyle",
    "click",
    "direction",
];

struct Subgraph {
    id: Option<String>,
    line: usize,
    /// Each node once, in the order first met.
    members: Vec<String>,
    seen: HashSet<String>,
}

struct Link {
    label: Option<String>,
    both_ways: bool,
    invisible: bool,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    lines_before: usize,
    /// Line-counting cache: the line at `line_pos`.
    line_pos: usize,
    line: usize,
    title: Option<String>,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    /// Nodes given a shape or label somewhere (not just mentioned).
    shaped: HashSet<String>,
    edges: Vec<(String, String, Option<String>)>,
    subgraphs: Vec<Subgraph>,
    open: Vec<usize>,
}

pub(super) fn flowchart(text: &str, lines_before: usize) -> Result<Flowchart, Problem> {
    let mut p = Parser {
        text,
        pos: 0,
        lines_before,
        line_pos: 0,
        line: 1,
        title: None,
        nodes: Vec::new(),
        index: HashMap::new(),
        shaped: HashSet::new(),
        edges: Vec::new(),
        subgraphs: Vec::new(),
        open: Vec::new(),
    };
    p.front_matter()?;
    let header_line = p.header()?;
    p.statements()?;
    if let Some(line) = p
        .open
        .last()
        .and_then(|&i| p.subgraphs.get(i))
        .map(|s| s.line)
    {
        return Err(Problem::Syntax {
            line,
            message: "this `subgraph` is not closed by `end`".into(),
        });
    }
    if p.nodes.is_empty() {
        return Err(Problem::Empty { line: header_line });
    }
    p.finish()
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self, bytes: usize) {
        self.pos = (self.pos + bytes).min(self.text.len());
    }

    /// The file line of the current position.
    fn line(&mut self) -> usize {
        if self.pos > self.line_pos {
            let seen = self.text.get(self.line_pos..self.pos).unwrap_or("");
            self.line += seen.matches('\n').count();
            self.line_pos = self.pos;
        }
        self.line + self.lines_before
    }

    fn error(&mut self, message: impl Into<String>) -> Problem {
        Problem::Syntax {
            line: self.line(),
            message: message.into(),
        }
    }

    /// The rest of the current line, shortened, for error messages.
    fn here(&self) -> String {
        let line = self.rest().lines().next().unwrap_or("").trim_end();
        let short: String = line.chars().take(30).collect();
        if short.len() < line.len() {
            format!("{short}…")
        } else {
            short
        }
    }

    fn skip_spaces(&mut self) {
        let n = self.rest().len() - self.rest().trim_start_matches([' ', '\t', '\r']).len();
        self.bump(n);
    }

    fn skip_to_line_end(&mut self) {
        let n = self.rest().find('\n').unwrap_or(self.rest().len());
        self.bump(n);
    }

    /// Skips blank lines, `;` and `%%` comments (directives `%%{…}%%` included).
    fn skip_blank(&mut self) {
        loop {
            let n = self.rest().len()
                - self
                    .rest()
                    .trim_start_matches([' ', '\t', '\r', '\n', ';'])
                    .len();
            self.bump(n);
            if self.rest().starts_with("%%") {
                self.skip_to_line_end();
            } else {
                return;
            }
        }
    }

    fn at_statement_end(&self) -> bool {
        let rest = self.rest();
        rest.is_empty() || rest.starts_with(['\n', ';']) || rest.starts_with("%%")
    }

    /// Mermaid front matter: `---`, YAML (only `title:` is read), `---`.
    fn front_matter(&mut self) -> Result<(), Problem> {
        let blank = self.rest().len()
            - self
                .rest()
                .trim_start_matches([' ', '\t', '\r', '\n'])
                .len();
        let after = self.rest().get(blank..).unwrap_or("");
        if after.lines().next().map(str::trim_end) != Some("---") {
            return Ok(());
        }
        self.bump(blank);
        let start_line = self.line();
        self.skip_to_line_end();
        self.bump(1);
        loop {
            if self.rest().is_empty() {
                return Err(Problem::Syntax {
                    line: start_line,
                    message: "the front matter `---` is not closed by a `---` line".into(),
                });
            }
            let line = self.rest().lines().next().unwrap_or("");
            if line.trim_end() == "---" {
                self.skip_to_line_end();
                return Ok(());
            }
            if let Some(value) = line.strip_prefix("title:") {
                let value = value.trim();
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(value);
                if !unquoted.trim().is_empty() {
                    self.title = Some(unquoted.trim().to_string());
                }
            }
            self.skip_to_line_end();
            self.bump(1);
        }
    }

    /// `flowchart TD` or `graph LR` (direction optional), maybe followed by `;` and statements.
    fn header(&mut self) -> Result<usize, Problem> {
        self.skip_blank();
        let line = self.line();
        let word: &str = self
            .rest()
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or("");
        if !matches!(word, "flowchart" | "graph" | "flowchart-elk") {
            if OTHER_DIAGRAMS.contains(&word) {
                return Err(Problem::Unsupported {
                    line,
                    kind: word.to_string(),
                });
            }
            let found = self.here();
            return Err(self.error(format!(
                "a flowchart starts with `flowchart` or `graph` (and a direction such as `TD`), found `{found}`"
            )));
        }
        self.bump(word.len());
        self.skip_spaces();
        let direction: &str = self
            .rest()
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or("");
        if !direction.is_empty() && !direction.starts_with("%%") {
            if !matches!(
                direction,
                "TD" | "TB" | "BT" | "LR" | "RL" | ">" | "<" | "^" | "v"
            ) {
                return Err(self.error(format!(
                    "unknown direction `{direction}`: use TD, TB, BT, LR or RL"
                )));
            }
            self.bump(direction.len());
            self.skip_spaces();
        }
        if !self.at_statement_end() {
            let found = self.here();
            return Err(self.error(format!(
                "expected `;` or the end of the line, found `{found}`"
            )));
        }
        Ok(line)
    }

    fn statements(&mut self) -> Result<(), Problem> {
        loop {
            self.skip_blank();
            if self.rest().is_empty() {
                return Ok(());
            }
            let word_len = self
                .rest()
                .find(|c: char| !is_id_char(c))
                .unwrap_or(self.rest().len());
            let word = self.rest().get(..word_len).unwrap_or("");
            let after = self.rest().get(word_len..).unwrap_or("");
            let keyword_end = after.is_empty() || after.starts_with([' ', '\t', '\r', '\n', ';']);
            match word {
                "subgraph" if keyword_end => {
                    self.bump(word_len);
                    self.subgraph()?;
                }
                "end" if keyword_end => {
                    if self.open.pop().is_none() {
                        return Err(self.error("`end` without a `subgraph` to close"));
                    }
                    self.bump(word_len);
                }
                "accTitle" | "accDescr" if after.trim_start().starts_with(['{', ':']) => {
                    if after.trim_start().starts_with('{') {
                        let n = self.rest().find('}').map_or(self.rest().len(), |i| i + 1);
                        self.bump(n);
                    } else {
                        self.skip_to_line_end();
                    }
                }
                w if keyword_end && IGNORED.contains(&w) => {
                    let n = self.rest().find(['\n', ';']).unwrap_or(self.rest().len());
                    self.bump(n);
                }
                _ => self.statement()?,
            }
        }
    }

    /// `subgraph id [title]`, `subgraph id`, `subgraph "title"`: only the id is kept (edges may point
    /// at the subgraph).
    fn subgraph(&mut self) -> Result<(), Problem> {
        if self.open.len() >= MAX_SUBGRAPH_DEPTH {
            return Err(self.error(format!(
                "subgraphs nested more than {MAX_SUBGRAPH_DEPTH} deep"
            )));
        }
        let at = self.line();
        let line = self.rest().lines().next().unwrap_or("");
        let line = line.split(';').next().unwrap_or("").trim();
        let id = match line.find('[') {
            Some(i) => Some(line.get(..i).unwrap_or("").trim()),
            None if line.chars().all(|c| is_id_char(c) || c == '-') => Some(line),
            None => None,
        }
        .filter(|id| !id.is_empty())
        .map(str::to_string);
        self.subgraphs.push(Subgraph {
            id,
            line: at,
            members: Vec::new(),
            seen: HashSet::new(),
        });
        self.open.push(self.subgraphs.len() - 1);
        let n = self.rest().find(['\n', ';']).unwrap_or(self.rest().len());
        self.bump(n);
        Ok(())
    }

    /// `A & B --> C -->|yes| D`: node groups joined by links.
    fn statement(&mut self) -> Result<(), Problem> {
        let mut left = self.group()?;
        loop {
            self.skip_spaces();
            if self.at_statement_end() {
                return Ok(());
            }
            let Some(link) = self.link()? else {
                let found = self.here();
                return Err(self.error(format!(
                    "expected an arrow such as `-->`, `&` or the end of the statement, found `{found}`"
                )));
            };
            self.skip_spaces();
            let right = self.group()?;
            if !link.invisible {
                for from in &left {
                    for to in &right {
                        if self.edges.len() >= MAX_EDGES {
                            return Err(self.error(format!("more than {MAX_EDGES} edges")));
                        }
                        self.edges
                            .push((from.clone(), to.clone(), link.label.clone()));
                        if link.both_ways {
                            self.edges
                                .push((to.clone(), from.clone(), link.label.clone()));
                        }
                    }
                }
            }
            left = right;
        }
    }

    fn group(&mut self) -> Result<Vec<String>, Problem> {
        let mut ids = vec![self.vertex()?];
        loop {
            self.skip_spaces();
            if self.peek() != Some('&') {
                return Ok(ids);
            }
            self.bump(1);
            self.skip_spaces();
            ids.push(self.vertex()?);
        }
    }

    /// An id, maybe a shape with a label, maybe a `:::class`.
    fn vertex(&mut self) -> Result<String, Problem> {
        let line = self.line();
        let rest = self.rest();
        let mut len = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            if is_id_char(c) || (c == '-' && len > 0 && next.is_some_and(is_id_char)) {
                len = i + c.len_utf8();
            } else {
                break;
            }
        }
        if len == 0 {
            let found = self.here();
            return Err(self.error(format!("expected a node id, found `{found}`")));
        }
        let id = rest.get(..len).unwrap_or("").to_string();
        self.bump(len);
        let spaces = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        let after_spaces = self.rest().get(spaces..).unwrap_or("");
        let shaped = if self.rest().starts_with('>') || self.rest().starts_with("@{") {
            self.shape()?
        } else if after_spaces.starts_with(['[', '(', '{']) {
            self.bump(spaces);
            self.shape()?
        } else {
            None
        };
        if let Some(class) = self.rest().strip_prefix(":::") {
            let n = class
                .find(|c: char| !(is_id_char(c) || c == '-'))
                .unwrap_or(class.len());
            self.bump(3 + n);
        }
        self.add_node(&id, shaped, line);
        Ok(id)
    }

    fn add_node(&mut self, id: &str, shaped: Option<(Shape, Label)>, line: usize) {
        for &open in &self.open {
            if let Some(subgraph) = self.subgraphs.get_mut(open) {
                if subgraph.seen.insert(id.to_string()) {
                    subgraph.members.push(id.to_string());
                }
            }
        }
        let index = match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.nodes.push(Node {
                    id: id.to_string(),
                    label: Label::default(),
                    shape: Shape::Bare,
                    line,
                });
                self.index.insert(id.to_string(), self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        if let (Some((shape, label)), Some(node)) = (shaped, self.nodes.get_mut(index)) {
            node.shape = shape;
            node.label = label;
            self.shaped.insert(id.to_string());
        }
    }

    /// A shape and its label, at an opening bracket (or `@{ … }`).
    fn shape(&mut self) -> Result<Option<(Shape, Label)>, Problem> {
        match lex::shape(self.rest()) {
            Ok((shape, label, used)) => {
                self.bump(used);
                Ok(Some((shape, label)))
            }
            Err(message) => Err(self.error(message)),
        }
    }

    /// An arrow at the current position, with its label (`-- text -->`, `-->|text|`), or `None`.
    fn link(&mut self) -> Result<Option<Link>, Problem> {
        let arrow = match lex::arrow(self.rest()) {
            Ok(Some(arrow)) => arrow,
            Ok(None) => return Ok(None),
            Err(message) => return Err(self.error(message)),
        };
        self.bump(arrow.len);
        let mut label = arrow.label;
        if !arrow.invisible {
            self.skip_spaces();
            if let Some(after) = self.rest().strip_prefix('|') {
                let line = after
                    .get(..after.find('\n').unwrap_or(after.len()))
                    .unwrap_or("");
                let Some(close) = line.find('|') else {
                    return Err(self.error("the edge label `|…` is not closed by `|`"));
                };
                label = line.get(..close).map(str::to_string);
                self.bump(close + 2);
            }
        }
        Ok(Some(Link {
            label: label.and_then(|l| clean_edge(&l)),
            both_ways: arrow.both_ways,
            invisible: arrow.invisible,
        }))
    }

    /// Subgraphs used as edge ends become their nodes: an edge to one goes to its first node; an edge
    /// from one leaves from its nodes that have no edge out.
    fn finish(self) -> Result<Flowchart, Problem> {
        let mut drop: HashMap<&str, &Subgraph> = HashMap::new();
        for subgraph in &self.subgraphs {
            if let Some(id) = &subgraph.id {
                let members: Vec<&String> = subgraph.members.iter().filter(|m| *m != id).collect();
                if !self.shaped.contains(id) && !members.is_empty() && self.index.contains_key(id) {
                    drop.insert(id.as_str(), subgraph);
                }
            }
        }
        let has_out: HashSet<&str> = self.edges.iter().map(|(f, _, _)| f.as_str()).collect();
        // The exits of each subgraph used as an edge's source, computed once.
        let mut exits_of: HashMap<&str, Vec<&String>> = HashMap::new();
        for (&id, s) in &drop {
            let members: Vec<&String> = s
                .members
                .iter()
                .filter(|m| !drop.contains_key(m.as_str()))
                .collect();
            let exits: Vec<&String> = members
                .iter()
                .copied()
                .filter(|m| !has_out.contains(m.as_str()))
                .collect();
            let exits = if exits.is_empty() {
                members.last().copied().into_iter().collect()
            } else {
                exits
            };
            exits_of.insert(id, exits);
        }
        let mut edges: Vec<(String, String, Option<String>)> = Vec::new();
        for (from, to, label) in &self.edges {
            let froms: Vec<&String> = match exits_of.get(from.as_str()) {
                Some(exits) => exits.clone(),
                None => vec![from],
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
                Some(s) => s.members.iter().find(|m| !drop.contains_key(m.as_str())),
                None => Some(to),
            };
            for from in froms {
                if let Some(to) = to {
                    edges.push((from.clone(), to.clone(), label.clone()));
                }
            }
        }
        let nodes: Vec<Node> = self
            .nodes
            .into_iter()
            .filter(|n| !drop.contains_key(n.id.as_str()))
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
                    from: *index.get(from.as_str())?,
                    to: *index.get(to.as_str())?,
                    label: label.clone(),
                })
            })
            .collect();
        Ok(Flowchart {
            title: self.title,
            nodes,
            edges,
        })
    }
}
