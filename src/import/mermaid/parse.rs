//! The flowchart reader: a hand-written scanner over the whole text (labels and arrows may span lines),
//! one statement at a time, following Mermaid's grammar (packages/mermaid/src/diagrams/flowchart/
//! parser/flow.jison). Byte offsets only ever move forward and always land on `char` boundaries.

use std::collections::{HashMap, HashSet};

use super::label::{clean, clean_edge, icon_words, LabelNote};
use super::lex::{self, Raw};
use super::{click, Label, Node, NodeLink, Problem, Shape, Warning};
use super::{resolve, Flowchart};

mod head;

/// More edges than this (`&` multiplies them) is refused rather than exhausting memory.
pub(super) const MAX_EDGES: usize = 100_000;
/// Subgraphs nested deeper than this are refused: every node is a member of each open subgraph.
pub(super) const MAX_SUBGRAPH_DEPTH: usize = 64;

/// Statements that only style or annotate: skipped to the end of the statement.
const IGNORED: &[&str] = &["classDef", "class", "style", "linkStyle", "direction"];

pub(super) struct Subgraph {
    pub id: Option<String>,
    pub title: Label,
    pub line: usize,
    /// The subgraph it is drawn in.
    pub parent: Option<usize>,
    /// Each node written inside it (nested subgraphs included) once, in the order first met.
    pub members: Vec<String>,
    seen: HashSet<String>,
    /// Nodes written directly inside it (not in a nested subgraph).
    direct: Vec<String>,
}

/// An edge between Mermaid ids, before subgraphs are resolved.
pub(super) struct RawEdge {
    pub from: String,
    pub to: String,
    pub label: Option<Label>,
}

struct Link {
    label: Option<Label>,
    both_ways: bool,
    invisible: bool,
}

pub(super) struct Parser<'a> {
    text: &'a str,
    pos: usize,
    lines_before: usize,
    /// Line-counting cache: the line at `line_pos`.
    line_pos: usize,
    line: usize,
    pub title: Option<String>,
    pub nodes: Vec<Node>,
    pub index: HashMap<String, usize>,
    /// Nodes given a shape or label somewhere (not just mentioned).
    pub shaped: HashSet<String>,
    pub edges: Vec<RawEdge>,
    /// Edge ids (`A e1@--> B`), whose `e1@{ … }` is layout.
    edge_ids: HashSet<String>,
    pub subgraphs: Vec<Subgraph>,
    open: Vec<usize>,
    /// The subgraph each node is drawn in: the first closed that names it directly, as in Mermaid.
    pub owner: HashMap<String, usize>,
    pub warnings: Vec<Warning>,
    pub links: usize,
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
        edge_ids: HashSet::new(),
        subgraphs: Vec::new(),
        open: Vec::new(),
        owner: HashMap::new(),
        warnings: Vec::new(),
        links: 0,
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
    resolve::finish(p)
}

/// How many bytes of `rest` a node id takes, as Mermaid's lexer reads one: letters, digits and
/// ``_ ! # $ % & ' * + . ` ? \ / , :``, `=` not before another, and `-` not starting an arrow; never
/// `:::` (a class follows) nor `@` followed by `{` (shape data follows).
fn id_len(rest: &str) -> usize {
    let mut chars = rest.char_indices().peekable();
    let mut len = 0;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let ok = match c {
            '-' => next.is_some_and(|n| !matches!(n, '-' | '>' | '.')),
            '=' => next != Some('='),
            ':' => !rest.get(i..).is_some_and(|r| r.starts_with(":::")),
            '_' | '!' | '#' | '$' | '%' | '&' | '\'' | '*' | '+' | '.' | '`' | '?' | '\\' | '/'
            | ',' => true,
            c => c.is_alphanumeric(),
        };
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
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

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push(Warning { line, message });
    }

    /// What follows, for error messages: the rest of the line shortened and quoted, or "the end of
    /// the line" / "the end of the file".
    fn found(&self) -> String {
        let rest = self.rest();
        let line = rest.lines().next().unwrap_or("").trim_end();
        if line.is_empty() {
            return if rest.trim().is_empty() {
                "the end of the file".into()
            } else {
                "the end of the line".into()
            };
        }
        let short: String = line.chars().take(30).collect();
        if short.len() < line.len() {
            format!("`{short}…`")
        } else {
            format!("`{short}`")
        }
    }

    fn skip_spaces(&mut self) {
        let n = self.rest().len() - self.rest().trim_start_matches([' ', '\t', '\r']).len();
        self.bump(n);
    }

    /// Skips spaces, line ends and whole-line `%%` comments (which Mermaid removes before parsing):
    /// what Mermaid's arrows take around them.
    fn skip_layout(&mut self) {
        loop {
            let n = self.rest().len()
                - self
                    .rest()
                    .trim_start_matches([' ', '\t', '\r', '\n'])
                    .len();
            self.bump(n);
            if self.rest().starts_with("%%") {
                self.skip_to_line_end();
            } else {
                return;
            }
        }
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

    fn statements(&mut self) -> Result<(), Problem> {
        loop {
            self.skip_blank();
            if self.rest().is_empty() {
                return Ok(());
            }
            let word_len = self
                .rest()
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
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
                    let Some(closed) = self.open.pop() else {
                        return Err(self.error("`end` without a `subgraph` to close"));
                    };
                    if let Some(subgraph) = self.subgraphs.get(closed) {
                        for id in &subgraph.direct {
                            self.owner.entry(id.clone()).or_insert(closed);
                        }
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
                "click" if keyword_end => {
                    self.bump(word_len);
                    self.click()?;
                }
                w if keyword_end && IGNORED.contains(&w) => {
                    let n = self.rest().find(['\n', ';']).unwrap_or(self.rest().len());
                    self.bump(n);
                }
                _ => self.statement()?,
            }
        }
    }

    /// `subgraph id [title]`, `subgraph id`, `subgraph "title"`, `subgraph some title`: Mermaid's
    /// title is the bracketed text, else what follows `subgraph`; the id is what precedes the
    /// bracket, else that text when it has no space (edges may point at the subgraph).
    fn subgraph(&mut self) -> Result<(), Problem> {
        if self.open.len() >= MAX_SUBGRAPH_DEPTH {
            return Err(self.error(format!(
                "subgraphs nested more than {MAX_SUBGRAPH_DEPTH} deep"
            )));
        }
        let at = self.line();
        self.skip_spaces();
        let (id, title) = if self.peek() == Some('"') {
            let body = self.rest().get(1..).unwrap_or("");
            let Some(end) = body.find('"') else {
                return Err(self.error("the subgraph title `\"` is not closed"));
            };
            let text = body.get(..end).unwrap_or("").to_string();
            self.bump(end + 2);
            let id = (!text.contains(char::is_whitespace)).then(|| text.clone());
            (id, clean(&text, true).label)
        } else {
            let rest = self.rest();
            let end = rest.find(['[', '\n', ';']).unwrap_or(rest.len());
            let words = rest.get(..end).unwrap_or("").trim().to_string();
            self.bump(end);
            if self.peek() == Some('[') {
                let (_, raw, used) = lex::shape(self.rest()).map_err(|m| self.error(m))?;
                self.bump(used);
                (Some(words), clean(&raw.text, raw.quoted).label)
            } else {
                let id = (!words.contains(char::is_whitespace)).then(|| words.clone());
                (id, clean(&words, false).label)
            }
        };
        let id = id.filter(|id| !id.is_empty());
        self.subgraphs.push(Subgraph {
            id,
            title,
            line: at,
            parent: self.open.last().copied(),
            members: Vec::new(),
            seen: HashSet::new(),
            direct: Vec::new(),
        });
        self.open.push(self.subgraphs.len() - 1);
        let n = self.rest().find(['\n', ';']).unwrap_or(self.rest().len());
        self.bump(n);
        Ok(())
    }

    /// `click A …`: a link is kept in the step's text, a callback dropped with a warning.
    fn click(&mut self) -> Result<(), Problem> {
        let line = self.line();
        let (click, used) = click::parse(self.rest()).map_err(|m| self.error(m))?;
        self.bump(used);
        for id in &click.ids {
            let Some(&index) = self.index.get(id) else {
                self.warn(
                    line,
                    format!("`click {id}`: no node `{id}` is declared before it; ignored, as Mermaid does"),
                );
                continue;
            };
            if let Some(callback) = &click.callback {
                self.warn(
                    line,
                    format!("`click {id} {callback}`: callbacks cannot run in the offline copy; dropped"),
                );
            }
            let mut drop_url = None;
            if let Some(node) = self.nodes.get_mut(index) {
                match &click.url {
                    Some(url) if click::is_outside_link(url) => node.links.push(NodeLink {
                        url: url.trim().to_string(),
                        tooltip: click.tooltip.clone(),
                    }),
                    Some(url) => drop_url = Some(url.clone()),
                    None => node.notes.extend(click.tooltip.clone()),
                }
            }
            if let Some(url) = drop_url {
                self.warn(
                    line,
                    format!("`click {id}` links to `{url}`: only http(s), mailto and tel links can leave the offline copy; dropped"),
                );
            }
        }
        Ok(())
    }

    /// `A & B --> C -->|yes| D`: node groups joined by links. An arrow may end a line or start the
    /// next one (Mermaid's arrows take the line ends around them).
    fn statement(&mut self) -> Result<(), Problem> {
        if self.edge_data()? {
            return Ok(());
        }
        let mut left = self.group()?;
        loop {
            self.skip_spaces();
            if self.at_statement_end() && !self.continued() {
                return Ok(());
            }
            let Some(link) = self.link()? else {
                let found = self.found();
                return Err(self.error(format!(
                    "expected an arrow such as `-->`, `&` or the end of the statement, found {found}"
                )));
            };
            self.skip_layout();
            let right = self.group()?;
            self.links += 1;
            if !link.invisible {
                for from in &left {
                    for to in &right {
                        if self.edges.len() >= MAX_EDGES {
                            return Err(self.error(format!("more than {MAX_EDGES} edges")));
                        }
                        self.edges.push(RawEdge {
                            from: from.clone(),
                            to: to.clone(),
                            label: link.label.clone(),
                        });
                        if link.both_ways {
                            self.edges.push(RawEdge {
                                from: to.clone(),
                                to: from.clone(),
                                label: link.label.clone(),
                            });
                        }
                    }
                }
            }
            left = right;
        }
    }

    /// At a line end: whether the next line (after blank and comment lines) starts with an arrow,
    /// which continues the statement; if so, moves there.
    fn continued(&mut self) -> bool {
        if !self.rest().starts_with('\n') {
            return false;
        }
        let start = self.pos;
        self.skip_layout();
        if matches!(lex::arrow(self.rest()), Ok(Some(_))) {
            return true;
        }
        self.pos = start;
        false
    }

    /// `e1@{ animate: true }` for an edge id written before: layout of the edge, skipped.
    fn edge_data(&mut self) -> Result<bool, Problem> {
        let len = id_len(self.rest());
        let id = self.rest().get(..len).unwrap_or("").to_string();
        let after = self.rest().get(len..).unwrap_or("");
        if len == 0 || !after.starts_with("@{") || !self.edge_ids.contains(&id) {
            return Ok(false);
        }
        self.bump(len);
        let (_, used) = lex::shape_data(self.rest()).map_err(|m| self.error(m))?;
        self.bump(used);
        self.skip_spaces();
        if !self.at_statement_end() {
            let found = self.found();
            return Err(self.error(format!(
                "expected the end of the statement after the data of edge `{id}`, found {found}"
            )));
        }
        Ok(true)
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

    /// An id, maybe a shape with a label, maybe `:::class`, maybe shape data `@{ … }`.
    fn vertex(&mut self) -> Result<String, Problem> {
        let line = self.line();
        let len = id_len(self.rest());
        if len == 0 {
            let found = self.found();
            return Err(self.error(format!("expected a node id, found {found}")));
        }
        let id = self.rest().get(..len).unwrap_or("").to_string();
        if id == "end" {
            return Err(self.error(
                "`end` cannot be a node id: Mermaid reads it as the end of a subgraph; write `End` or `END`",
            ));
        }
        self.bump(len);
        let spaces = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        let after_spaces = self.rest().get(spaces..).unwrap_or("");
        let mut shape = None;
        let mut label = None;
        if self.rest().starts_with('>') || after_spaces.starts_with(['[', '(', '{']) {
            if !self.rest().starts_with('>') {
                self.bump(spaces);
            }
            let (s, raw, used) =
                lex::shape(self.rest()).map_err(|m| self.error(format!("node `{id}`: {m}")))?;
            self.bump(used);
            shape = Some(s);
            label = Some(self.label(&id, &raw, line));
        }
        if let Some(class) = self.rest().strip_prefix(":::") {
            let n = id_len(class);
            self.bump(3 + n);
        }
        if self.rest().starts_with("@{") {
            let (data, used) = lex::shape_data(self.rest())
                .map_err(|m| self.error(format!("node `{id}`: {m}")))?;
            self.bump(used);
            shape = data.shape.or(shape);
            if let Some(raw) = &data.label {
                label = Some(self.label(&id, raw, line));
            }
            let has_label = label.as_ref().is_some_and(|l: &Label| !l.is_empty())
                || self
                    .index
                    .get(&id)
                    .and_then(|&i| self.nodes.get(i))
                    .is_some_and(|n| !n.label.is_empty());
            if !has_label {
                if let Some(icon) = &data.icon {
                    let words = icon_words(icon);
                    self.warn(
                        line,
                        format!("node `{id}` is only an icon (`{icon}`): titled \"{words}\""),
                    );
                    label = Some(Label {
                        lines: vec![words],
                        markdown: false,
                    });
                } else if let Some(img) = &data.img {
                    self.warn(
                        line,
                        format!("node `{id}` is only an image (`{img}`): images are not imported; titled from its id"),
                    );
                }
            }
        }
        self.add_node(&id, shape, label, line);
        Ok(id)
    }

    /// A node label cleaned, with a warning for what Mermaid draws and a step cannot.
    fn label(&mut self, id: &str, raw: &Raw, line: usize) -> Label {
        let cleaned = clean(&raw.text, raw.quoted);
        for note in cleaned.notes {
            let message = match note {
                LabelNote::IconOnly(words) => {
                    format!("the label of `{id}` is only an icon: titled \"{words}\"")
                }
                LabelNote::ImageOnly { alt: true } => format!(
                    "the label of `{id}` is only an image: images are not imported; titled with its alt text"
                ),
                LabelNote::ImageOnly { alt: false } => format!(
                    "the label of `{id}` is only an image without alt text: images are not imported; titled from its id"
                ),
                LabelNote::Katex => format!(
                    "the label of `{id}` holds a KaTeX formula (`$$…$$`): kept as its TeX source"
                ),
            };
            self.warn(line, message);
        }
        cleaned.label
    }

    /// Records a node mention; a shape or label given replaces the one before, each on its own (a
    /// shape-only `A@{ shape: diamond }` keeps A's label, as in Mermaid).
    fn add_node(&mut self, id: &str, shape: Option<Shape>, label: Option<Label>, line: usize) {
        for &open in &self.open {
            if let Some(subgraph) = self.subgraphs.get_mut(open) {
                if subgraph.seen.insert(id.to_string()) {
                    subgraph.members.push(id.to_string());
                }
            }
        }
        if let Some(subgraph) = self.open.last().and_then(|&i| self.subgraphs.get_mut(i)) {
            subgraph.direct.push(id.to_string());
        }
        let index = match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.nodes.push(Node {
                    id: id.to_string(),
                    label: Label::default(),
                    shape: Shape::Bare,
                    line,
                    groups: Vec::new(),
                    links: Vec::new(),
                    notes: Vec::new(),
                    body: String::new(),
                    page_answers: Vec::new(),
                });
                self.index.insert(id.to_string(), self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        if shape.is_none() && label.is_none() {
            return;
        }
        if let Some(node) = self.nodes.get_mut(index) {
            if let Some(shape) = shape {
                node.shape = shape;
            }
            if let Some(label) = label {
                node.label = label;
            }
            self.shaped.insert(id.to_string());
        }
    }

    /// An arrow at the current position, maybe named (`e1@-->`), with its label (`-- text -->`,
    /// `-->|text|`), or `None`.
    fn link(&mut self) -> Result<Option<Link>, Problem> {
        let rest = self.rest();
        let named = Some(id_len(rest))
            .filter(|&i| i > 0 && rest.get(i..).is_some_and(|r| r.starts_with('@')))
            .filter(|&i| matches!(lex::arrow(rest.get(i + 1..).unwrap_or("")), Ok(Some(_))));
        if let Some(i) = named {
            self.edge_ids
                .insert(rest.get(..i).unwrap_or("").to_string());
            self.bump(i + 1);
        }
        let arrow = match lex::arrow(self.rest()) {
            Ok(Some(arrow)) => arrow,
            Ok(None) => return Ok(None),
            Err(message) => return Err(self.error(message)),
        };
        self.bump(arrow.len);
        let mut raw = arrow.label;
        if !arrow.invisible {
            let start = self.pos;
            self.skip_layout();
            if self.peek() == Some('|') {
                raw = Some(self.pipe_label()?);
            } else {
                self.pos = start;
            }
        }
        let label = raw.and_then(|raw| clean_edge(&raw.text, raw.quoted).map(|c| c.label));
        Ok(Some(Link {
            label,
            both_ways: arrow.both_ways,
            invisible: arrow.invisible,
        }))
    }

    /// `|text|` or `|"text"|` after an arrow; a bracket or `"` in unquoted text is refused, as Mermaid
    /// refuses it.
    fn pipe_label(&mut self) -> Result<Raw, Problem> {
        let after = self.rest().get(1..).unwrap_or("");
        let lead = after.len() - after.trim_start_matches([' ', '\t']).len();
        if let Some(body) = after.get(lead..).and_then(|a| a.strip_prefix('"')) {
            let close = body.find('"');
            let tail = close.and_then(|c| body.get(c + 1..)).unwrap_or("");
            let trail = tail.len() - tail.trim_start_matches([' ', '\t']).len();
            match close {
                Some(c) if tail.get(trail..).is_some_and(|t| t.starts_with('|')) => {
                    let text = body.get(..c).unwrap_or("").to_string();
                    self.bump(1 + lead + 1 + c + 1 + trail + 1);
                    return Ok(Raw { text, quoted: true });
                }
                _ => return Err(self.error("the edge label `|\"…` is not closed by `\"|`")),
            }
        }
        for (i, c) in after.char_indices() {
            match c {
                '|' => {
                    let text = after.get(..i).unwrap_or("").to_string();
                    self.bump(1 + i + 1);
                    return Ok(Raw {
                        text,
                        quoted: false,
                    });
                }
                '[' | ']' | '(' | ')' | '{' | '}' | '"' => {
                    let so_far: String = after.get(..i).unwrap_or("").chars().take(30).collect();
                    return Err(self.error(format!(
                        "`{c}` inside the unquoted edge label `|{}…`: Mermaid refuses it; put the label in quotes (`|\"…\"|`)",
                        so_far.trim()
                    )));
                }
                _ => {}
            }
        }
        Err(self.error("the edge label `|…` is not closed by `|`"))
    }
}
