//! Loading a content folder into a typed model with source positions.
//!
//! This stage reads files and reports what is wrong with each one on its own (TOML syntax, unknown keys,
//! bad front matter, non-UTF-8 text). Rules that relate files to each other (links, images, variables,
//! reachability) live in `check`.

pub mod branding;
pub mod config;
pub mod links;
pub mod markdown;
mod parse;
pub mod theme_files;
pub mod vars;

use parse::parse_diagram;
pub use parse::{parse_diagram_text, parse_toml, split_front_matter};

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, FileId, Report};
use config::{EntryConfig, FrontMatter, SiteConfig};
use markdown::{Answer, Ev, SectionNote, TextRef};
use vars::VarUse;

/// Text files larger than this are refused rather than parsed.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub struct Project {
    /// The content folder as given (used to show paths to users).
    pub dir: PathBuf,
    /// The content folder, canonical (used to keep every read inside it).
    pub root: PathBuf,
    pub site: SiteConfig,
    pub site_file: FileId,
    pub environment: Option<Environment>,
    pub entries: Vec<Entry>,
    /// Entry points (`entry`) and diagrams (`entry/diagram`) that exist but could not be loaded; their
    /// own errors are reported, so links to them are not reported again.
    pub unloadable: std::collections::BTreeSet<String>,
    /// The branding of site.toml, parsed.
    pub branding: branding::Branding,
    /// The user theme folder `_theme/`, read at load; `None` when there is none.
    pub theme_files: Option<theme_files::ThemeFiles>,
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Entry {
    pub id: String,
    pub file: FileId,
    pub config: EntryConfig,
    pub diagrams: Vec<Diagram>,
    /// Position in `diagrams` of each diagram id: links are looked up by id, thousands of times.
    diagram_index: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct Diagram {
    pub id: String,
    pub entry: String,
    pub file: FileId,
    pub front: FrontMatter,
    /// Where the front matter's TOML starts in the file: its spans are relative to it.
    pub front_offset: usize,
    pub nodes: Vec<Node>,
    /// Links and images of the introduction (each node holds its own).
    pub intro_refs: Vec<TextRef>,
    /// Links and images of the footnote definitions, in the order of their labels.
    pub footnote_refs: Vec<TextRef>,
    /// Raw HTML written anywhere in the diagram, in order (the sanitizer removes some of it).
    pub raw_html: Vec<(String, Range<usize>)>,
    pub var_uses: Vec<VarUse>,
    /// Call fields asked and shown (`{{ ask x }}`, `{{ call.x }}`), in order; checked by
    /// `check::fields`.
    pub call_uses: Vec<vars::CallUse>,
    /// The file's text, parsed again by [`Diagram::events`] when the diagram is rendered: a corpus's
    /// events take several times the room of its text, so they are not kept.
    source: Source,
    /// Warnings noticed while splitting nodes, reported by `check`.
    pub notes: Vec<(Range<usize>, SectionNote)>,
    /// Node id -> index of the first node with that id: links are resolved by id, and a diagram may hold
    /// tens of thousands of nodes.
    node_index: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct Node {
    pub id: String,
    /// Whether the id was written as `{#id}` (else it is the title's slug).
    pub explicit_id: bool,
    pub title: String,
    pub heading_span: Range<usize>,
    pub answers: Vec<Answer>,
    /// Links and images in the node's text (its answers excluded).
    pub refs: Vec<TextRef>,
    /// Words in the node's text, for the "too long to read during a call" warning.
    pub words: usize,
    /// Whether the node holds a `> [!CAUTION]` alert.
    pub caution: bool,
}

/// A diagram file's text (shared with the report) and what its Markdown body needs to be read again.
#[derive(Debug)]
struct Source {
    text: Arc<str>,
    /// Where the body starts, after the front matter.
    start: usize,
    vars: Arc<BTreeMap<String, String>>,
}

impl Source {
    fn body(&self) -> &str {
        &self.text[self.start..]
    }

    fn parse(&self) -> markdown::Parsed {
        self.parse_substituted(&vars::substitute(self.body(), &self.vars))
    }

    fn parse_substituted(&self, sub: &vars::Substituted) -> markdown::Parsed {
        let to_file = |r: &Range<usize>| {
            let r = sub.map.range_to_original(r);
            self.start + r.start..self.start + r.end
        };
        markdown::parse(&sub.text, &to_file)
    }
}

/// A diagram's Markdown events, with their spans in the file.
#[derive(Debug, Default)]
pub struct Events {
    pub intro: Vec<Ev>,
    /// The content of each node (heading and answers excluded), in the order of [`Diagram::nodes`].
    pub nodes: Vec<Vec<Ev>>,
    /// Footnote definitions by label, shown with every node that cites them.
    pub footnotes: BTreeMap<String, Vec<Ev>>,
}

impl Diagram {
    /// The place in the file of a value of the front matter.
    pub fn front_span<T>(&self, value: &toml::Spanned<T>) -> Range<usize> {
        let r = value.span();
        self.front_offset + r.start..self.front_offset + r.end
    }

    /// Parses the diagram's Markdown again: the same events `load` saw, node by node.
    pub fn events(&self) -> Events {
        let parsed = self.source.parse();
        debug_assert_eq!(parsed.sections.len(), self.nodes.len());
        Events {
            intro: parsed.intro,
            nodes: parsed.sections.into_iter().map(|s| s.events).collect(),
            footnotes: parsed.footnotes,
        }
    }

    pub fn start_node(&self) -> Option<&Node> {
        match &self.front.start {
            Some(start) => self.node(start.get_ref()),
            None => self.nodes.first(),
        }
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.node_index.get(id).map(|&i| &self.nodes[i])
    }

    /// The position in [`Diagram::nodes`] of the first node with id `id`.
    pub fn node_position(&self, id: &str) -> Option<usize> {
        self.node_index.get(id).copied()
    }
}

impl Project {
    /// The entry point `id`. `entries` must be sorted by id, as `load` leaves them: a build may hold
    /// thousands, each linked from many places.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        let i = self
            .entries
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()?;
        Some(&self.entries[i])
    }
}

/// A call field an entry point offers (`[fields.NAME]` of site.toml or of its entry.toml).
#[derive(Debug, Clone, Copy)]
pub struct CallField<'a> {
    pub name: &'a str,
    pub field: &'a toml::Spanned<config::Field>,
    /// The file that declares it: site.toml or the entry point's entry.toml.
    pub file: FileId,
}

impl Project {
    /// The call fields of entry point `entry`: site.toml's, then its own, each in the order written (an
    /// entry field that repeats a site field's name, an error of `check`, is left out).
    pub fn call_fields<'a>(&'a self, entry: &'a Entry) -> Vec<CallField<'a>> {
        let in_order = |fields: &'a BTreeMap<String, toml::Spanned<config::Field>>, file| {
            let mut list: Vec<CallField<'a>> = fields
                .iter()
                .map(|(name, field)| CallField {
                    name: name.as_str(),
                    field,
                    file,
                })
                .collect();
            list.sort_by_key(|f| f.field.span().start);
            list
        };
        let mut fields = in_order(&self.site.fields, self.site_file);
        fields.extend(
            in_order(&entry.config.fields, entry.file)
                .into_iter()
                .filter(|f| !self.site.fields.contains_key(f.name)),
        );
        fields
    }
}

impl Entry {
    /// The entry point `id` (folder name) defined by `file` (its entry.toml), holding `diagrams`.
    pub fn new(id: String, file: FileId, config: EntryConfig, diagrams: Vec<Diagram>) -> Entry {
        let mut diagram_index = HashMap::with_capacity(diagrams.len());
        for (i, d) in diagrams.iter().enumerate() {
            diagram_index.entry(d.id.clone()).or_insert(i);
        }
        Entry {
            id,
            file,
            config,
            diagrams,
            diagram_index,
        }
    }

    pub fn diagram(&self, id: &str) -> Option<&Diagram> {
        self.diagram_index.get(id).map(|&i| &self.diagrams[i])
    }

    /// The position in [`Entry::diagrams`] of diagram `id`.
    pub fn diagram_position(&self, id: &str) -> Option<usize> {
        self.diagram_index.get(id).copied()
    }

    /// Locked with an access key (`access = "key"`): nothing of it may be readable in any other file.
    pub fn is_locked(&self) -> bool {
        *self.config.access.get_ref() == config::Access::Key
    }
}

/// Why a content file with this metadata cannot be read, if it cannot: content files must be regular
/// files (or links to them, `metadata` follows links). Opening a FIFO to read it waits for a writer, and
/// a device never ends, so the type is checked before the file is opened.
pub fn not_regular(meta: &fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("is not a regular file (a folder)");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("is not a regular file (a FIFO)");
        }
        if kind.is_socket() {
            return Some("is not a regular file (a socket)");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("is not a regular file (a device)");
        }
    }
    Some("is not a regular file")
}

/// Longest entry point folder name: it becomes `<name>.html` on a share, and Windows opens paths of at
/// most 260 characters, the share's own path included.
pub const MAX_ENTRY_ID_BYTES: usize = 100;

/// True for ids usable in file names and URL fragments.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Loads the content folder. Returns `None` when it cannot go on (no readable site.toml, no environment);
/// every problem found is in `report`.
pub fn load(dir: &Path, env: Option<&str>, report: &mut Report) -> Option<Project> {
    let root = match dir.canonicalize() {
        Ok(root) if root.is_dir() => root,
        Ok(_) => {
            report.push(
                Diagnostic::error(format!(
                    "content folder `{}` is not a folder",
                    dir.display()
                ))
                .hint("pass the folder that holds site.toml, e.g. `lifeboat build content`"),
            );
            return None;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.push(
                Diagnostic::error(format!("content folder `{}` not found", dir.display()))
                    .hint("pass the folder that holds site.toml, e.g. `lifeboat build content`"),
            );
            return None;
        }
        // Too long a path, no permission, a loop of links: say what the system said.
        Err(e) => {
            let shown: String = dir.display().to_string().chars().take(120).collect();
            let more = if shown.len() < dir.as_os_str().len() {
                "…"
            } else {
                ""
            };
            report.push(Diagnostic::error(format!(
                "content folder `{shown}{more}` cannot be opened: {e}"
            )));
            return None;
        }
    };
    let mut loader = Loader {
        dir,
        root,
        report,
        unloadable: Default::default(),
    };
    let (site_file, site) = loader.toml_file::<SiteConfig>(&dir.join("site.toml"))?;
    let environment = loader.choose_environment(&site, site_file, env)?;
    let vars = Arc::new(
        environment
            .as_ref()
            .map(|e| e.vars.clone())
            .unwrap_or_default(),
    );
    let mut entries = loader.entries(&vars);
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    let branding = branding::Branding::of(&site, &loader.root);
    let theme_files = theme_files::ThemeFiles::read(&loader.root);
    Some(Project {
        branding,
        theme_files,
        dir: dir.to_path_buf(),
        root: loader.root,
        site,
        site_file,
        environment,
        entries,
        unloadable: loader.unloadable,
    })
}

struct Loader<'a> {
    dir: &'a Path,
    root: PathBuf,
    report: &'a mut Report,
    unloadable: std::collections::BTreeSet<String>,
}

impl Loader<'_> {
    fn display(&self, path: &Path) -> String {
        match path
            .strip_prefix(self.dir)
            .or_else(|_| path.strip_prefix(&self.root))
        {
            Ok(rel) => self.dir.join(rel).display().to_string(),
            Err(_) => path.display().to_string(),
        }
    }

    /// Reads a UTF-8 text file that must stay inside the content folder.
    fn read_text(&mut self, path: &Path) -> Option<(FileId, Arc<str>)> {
        let shown = self.display(path);
        let fail = |report: &mut Report, message: String| {
            report.push(Diagnostic::error(message));
            None
        };
        match path.canonicalize() {
            Ok(real) if !real.starts_with(&self.root) => {
                return fail(
                    self.report,
                    format!("{shown}: is a link to a file outside the content folder"),
                );
            }
            Err(e) => return fail(self.report, format!("{shown}: cannot be read: {e}")),
            Ok(_) => {}
        }
        match fs::metadata(path) {
            Ok(m) if not_regular(&m).is_some() => {
                let why = not_regular(&m).unwrap_or_default();
                return fail(self.report, format!("{shown}: {why}"));
            }
            Ok(m) if m.len() > MAX_TEXT_BYTES => {
                let limit = MAX_TEXT_BYTES / (1024 * 1024);
                return fail(
                    self.report,
                    format!("{shown}: is larger than the {limit} MiB limit for text files"),
                );
            }
            Err(e) => return fail(self.report, format!("{shown}: cannot be read: {e}")),
            Ok(_) => {}
        }
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return fail(self.report, format!("{shown}: cannot be read: {e}")),
        };
        match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.replace_range(..3, "   ");
                }
                let text: Arc<str> = text.into();
                let id = self.report.add_file(shown, text.clone());
                Some((id, text))
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
                fail(
                    self.report,
                    format!("{shown}:{line}: is not UTF-8 text (invalid byte at offset {at}); save it as UTF-8"),
                )
            }
        }
    }

    fn toml_file<T: DeserializeOwned>(&mut self, path: &Path) -> Option<(FileId, T)> {
        let (file, text) = self.read_text(path)?;
        let value = parse_toml(self.report, file, &text, 0)?;
        Some((file, value))
    }

    fn choose_environment(
        &mut self,
        site: &SiteConfig,
        file: FileId,
        wanted: Option<&str>,
    ) -> Option<Option<Environment>> {
        let names: Vec<&str> = site.environments.keys().map(String::as_str).collect();
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (name, span) = match (wanted, &site.environment) {
            (Some(name), _) => (name.to_string(), None),
            (None, Some(default)) => (default.get_ref().clone(), Some(default.span())),
            (None, None) if names.is_empty() => return Some(None),
            (None, None) => {
                self.report.push(
                    Diagnostic::error(format!("no environment chosen; site.toml defines {list}"))
                        .in_file(file)
                        .hint("pass `--env NAME`, or set `environment = \"NAME\"` in site.toml"),
                );
                return None;
            }
        };
        let Some(values) = site.environments.get(&name) else {
            let message = if names.is_empty() {
                format!("unknown environment `{name}`: site.toml has no [environments] section")
            } else {
                format!("unknown environment `{name}`; site.toml defines {list}")
            };
            let mut d = Diagnostic::error(message).hint_opt(
                crate::diagnostics::nearest(&name, names.iter().copied())
                    .map(|n| format!("did you mean `{n}`?")),
            );
            d = match span {
                Some(span) => d.at(file, span).label("chosen here"),
                None => d.in_file(file),
            };
            self.report.push(d);
            return None;
        };
        let vars = values
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().to_string()))
            .collect();
        Some(Some(Environment { name, vars }))
    }

    fn entries(&mut self, vars: &Arc<BTreeMap<String, String>>) -> Vec<Entry> {
        let mut entries = Vec::new();
        for dir in sorted_children(&self.root, |p| p.is_dir()) {
            let id = file_name(&dir);
            if id.starts_with('.') || id.starts_with('_') {
                continue;
            }
            if !is_valid_id(&id) {
                self.report.push(Diagnostic::error(format!(
                    "{}: entry point folder names may only use letters, digits, `-` and `_`",
                    self.display(&dir)
                )));
                continue;
            }
            if id.len() > MAX_ENTRY_ID_BYTES {
                self.report.push(
                    Diagnostic::error(format!(
                        "{}: entry point folder name is {} characters long, over the {MAX_ENTRY_ID_BYTES} limit (it names the entry point's file on the share)",
                        self.display(&dir),
                        id.len(),
                    ))
                    .hint("Windows opens paths of at most 260 characters, share folder included; choose a shorter name"),
                );
                self.unloadable.insert(id);
                continue;
            }
            let entry_toml = dir.join("entry.toml");
            if !entry_toml.exists() {
                self.report.push(
                    Diagnostic::error(format!("{}: entry point folder has no entry.toml", self.display(&dir)))
                        .hint("add entry.toml with `title` and `start`, or rename the folder to start with `_` to leave it out"),
                );
                continue;
            }
            // A broken entry.toml leaves the entry point out, but its diagrams are still read and
            // parsed, so that one run reports their problems too.
            let config = self.toml_file::<EntryConfig>(&entry_toml);
            // Files are read in order (each joins the report), then parsed on all cores.
            let mut texts = Vec::new();
            // Anything named `*.md` that resolves and is not a folder is a diagram: a FIFO or a device
            // is refused by name when read (see `not_regular`), not skipped.
            for path in sorted_children(&dir, |p| {
                p.extension().is_some_and(|e| e == "md") && p.exists() && !p.is_dir()
            }) {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let read = self.read_text(&path);
                texts.push((stem, read));
            }
            let parsed: Vec<(String, Option<Diagram>, Vec<Diagnostic>)> = texts
                .into_par_iter()
                .map(|(stem, read)| {
                    let mut report = Report::default();
                    let diagram = read.and_then(|(file, text)| {
                        if !is_valid_id(&stem) {
                            report.push(
                                Diagnostic::error(
                                    "diagram file names may only use letters, digits, `-` and `_`",
                                )
                                .in_file(file),
                            );
                            return None;
                        }
                        parse_diagram(&mut report, file, &id, stem.clone(), &text, vars)
                    });
                    (stem, diagram, report.into_diagnostics())
                })
                .collect();
            let mut diagrams = Vec::new();
            for (stem, diagram, problems) in parsed {
                self.report.extend(problems);
                match diagram {
                    Some(diagram) => diagrams.push(diagram),
                    None => {
                        self.unloadable.insert(format!("{id}/{stem}"));
                    }
                }
            }
            match config {
                Some((file, config)) => entries.push(Entry::new(id, file, config, diagrams)),
                None => {
                    self.unloadable.insert(id);
                }
            }
        }
        entries
    }
}

fn sorted_children(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| keep(p))
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("phone".to_string(), "555".to_string())].into()
    }

    #[test]
    fn diagram_text_parses_on_its_own() {
        let text = "+++\ntitle = \"A\"\n+++\n## One {#one}\n\nCall {{ phone }}.\n\n- [Two](#two)\n\n## Two {#two}\n";
        let (diagram, report) = parse_diagram_text(text, &vars());
        let diagram = diagram.expect("parsed");
        assert!(report.diagnostics().is_empty());
        assert_eq!(diagram.front.title, "A");
        assert_eq!(diagram.node("two").map(|n| n.title.as_str()), Some("Two"));
        assert_eq!(diagram.start_node().map(|n| n.id.as_str()), Some("one"));
        assert_eq!(diagram.nodes[0].answers[0].dest, "#two");
        assert_eq!(&text[diagram.var_uses[0].span.clone()], "{{ phone }}");
    }

    #[test]
    fn first_node_wins_a_duplicate_id() {
        let text = "+++\ntitle = \"A\"\n+++\n## X {#a}\n## Y {#a}\n";
        let (diagram, _) = parse_diagram_text(text, &vars());
        assert_eq!(diagram.unwrap().node("a").unwrap().title, "X");
    }

    #[test]
    fn too_deep_markdown_is_an_error_with_its_line() {
        let text = format!("+++\ntitle = \"A\"\n+++\n## X\n\n{}x\n", "> ".repeat(1000));
        let (diagram, report) = parse_diagram_text(&text, &vars());
        assert!(diagram.is_none());
        let d = &report.diagnostics()[0];
        assert!(
            d.message.contains("nested more than 100 levels"),
            "{}",
            d.message
        );
        assert_eq!(
            report
                .line_col(d.file.unwrap(), d.span.as_ref().unwrap().start)
                .unwrap()
                .0,
            6
        );
    }

    #[test]
    fn too_deep_raw_html_is_an_error_with_its_line_and_column() {
        // 99 open `<div>` are fine inside an HTML block (one level); the 100th goes too deep.
        let at = |divs: usize| {
            let text = format!(
                "+++\ntitle = \"A\"\n+++\n## X\n\nText.\n\n{}\n",
                "<div>".repeat(divs)
            );
            let (diagram, report) = parse_diagram_text(&text, &vars());
            let d = report.diagnostics().first().map(|d| {
                let (line, col) = report
                    .line_col(d.file.unwrap(), d.span.as_ref().unwrap().start)
                    .unwrap();
                (d.message.clone(), line, col)
            });
            (diagram.is_some(), d)
        };
        assert_eq!(at(99), (true, None));
        let (loaded, d) = at(100);
        assert!(!loaded);
        let (message, line, col) = d.unwrap();
        assert_eq!(message, "HTML nested more than 100 levels deep");
        assert_eq!((line, col), (8, 1));
        // Markdown and HTML add up: 60 quotes around 60 open `<span>`.
        let text = format!(
            "+++\ntitle = \"A\"\n+++\n## X\n\n{}x {}\n",
            "> ".repeat(60),
            "<span>".repeat(60)
        );
        let (diagram, report) = parse_diagram_text(&text, &vars());
        assert!(diagram.is_none());
        assert!(report.diagnostics()[0]
            .message
            .contains("nested more than 100 levels"));
        // Closed and void elements do not add up, nor do elements left open in another node.
        let text = format!(
            "+++\ntitle = \"A\"\n+++\n## X\n\n{}\n\n{}\n\n## Y\n\n{}\n",
            "<div><span>x</span></div><br>".repeat(1000),
            "<section>".repeat(90),
            "<section>".repeat(90),
        );
        let (diagram, report) = parse_diagram_text(&text, &vars());
        assert!(diagram.is_some(), "{:?}", report.diagnostics());
    }

    #[test]
    fn front_matter_is_split_at_plus_lines() {
        let text = "+++\ntitle = \"A\"\n+++\n## N\n";
        let (fm, body) = split_front_matter(text).unwrap();
        assert_eq!(&text[fm], "title = \"A\"\n");
        assert_eq!(&text[body..], "## N\n");
        assert!(split_front_matter("title = 1\n").is_none());
        assert!(split_front_matter("+++\ntitle = 1\n").is_none());
    }
}
