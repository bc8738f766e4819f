//! The faithful rate over tests/fixtures/mermaid-corpus (flowcharts from Mermaid's own docs and
//! rendering tests, which Mermaid accepts): each is imported with the real binary into one copy of
//! tests/fixtures/basic, `check` reads them all, and each imported diagram is held against the
//! flowchart. A flowchart is imported faithfully when
//!
//! - it imports (exit 0), and `check` finds no error in it and no node that cannot be reached;
//! - every labelled node is a step titled with its label, as [`oracle`](super::oracle) reads the
//!   label from the source independently of the importer, and as the importer read it;
//! - every edge the importer read is an answer of its source step leading to its target (with the
//!   edge's label, if any), every edge label of the source is an answer, and the source has as many
//!   arrows as the importer read (nothing skipped); subgraph titles are shown in their steps;
//! - no title or answer holds Mermaid syntax (arrows, brackets, `@{`, `:::`, icons, `$$`, entities,
//!   HTML tags, a written `\n`).
//!
//! `cargo test --locked --test import corpus -- --nocapture` prints the rate and each flowchart
//! imported unfaithfully with why (docs/import.md reports it). With `LIFEBOAT_CORPUS_BIN` set to
//! another build of lifeboat, that build imports the corpus (this one still checks and judges), to
//! measure an older importer; the goal is then not asserted.

use std::collections::HashMap;
use std::fs;

use lifeboat::content::config::Language;
use lifeboat::import::mermaid;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::common::*;
use super::oracle::{self, shown};

/// The issue's goal.
const GOAL: f64 = 0.97;

#[derive(Debug, Default)]
struct Section {
    id: String,
    title: String,
    subtitles: Vec<String>,
    /// (text, destination)
    answers: Vec<(String, String)>,
}

/// The steps of a written diagram, as a reader sees them.
fn sections(markdown: &str) -> Vec<Section> {
    let body = markdown
        .strip_prefix("+++\n")
        .and_then(|rest| rest.find("\n+++\n").map(|end| &rest[end + 5..]))
        .unwrap_or(markdown);
    let options = Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_GFM | Options::ENABLE_TABLES;
    let mut out: Vec<Section> = Vec::new();
    let mut heading: Option<HeadingLevel> = None;
    let mut link: Option<String> = None;
    let mut text = String::new();
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                if level == HeadingLevel::H2 {
                    out.push(Section {
                        id: id.map(|i| i.to_string()).unwrap_or_default(),
                        ..Section::default()
                    });
                }
                heading = Some(level);
                text.clear();
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(section) = out.last_mut() {
                    match level {
                        HeadingLevel::H2 => section.title = text.clone(),
                        _ => section.subtitles.push(text.clone()),
                    }
                }
                heading = None;
            }
            Event::Start(Tag::Link { dest_url, .. }) if heading.is_none() => {
                link = Some(dest_url.to_string());
                text.clear();
            }
            Event::End(TagEnd::Link) => {
                if let (Some(dest), Some(section)) = (link.take(), out.last_mut()) {
                    section.answers.push((text.clone(), dest));
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    out
}

/// Mermaid syntax that must not be left in a title or an answer.
fn leftover(text: &str) -> Option<&'static str> {
    const SYNTAX: &[&str] = &[
        "-->", "---", "==>", "===", "-.-", ".->", "~~~", "@{", ":::", "fa:fa-", "fab:fa-", "$$",
        "#quot;", "&quot;", "&amp;", "&lt;", "<br", "</", "\\n", "\"`", "`\"", "[[", "]]", "((",
        "))", "{{", "}}", "[(", ")]", "([", "])",
    ];
    // A KaTeX formula is kept as its TeX source on purpose (with a warning): its braces are TeX.
    let tex = text.contains('\\') && text.chars().any(|c| c.is_ascii_alphabetic());
    if let Some(s) = SYNTAX
        .iter()
        .filter(|s| !(tex && (**s == "\\n" || s.chars().all(|c| "[](){}".contains(c)))))
        .find(|s| text.contains(**s))
    {
        return Some(s);
    }
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find('<') {
        if lower[at + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && lower[at..].contains('>')
        {
            return Some("an HTML tag");
        }
    }
    if text.len() > 1 && text.starts_with('"') && text.ends_with('"') {
        return Some("quotes around the text");
    }
    None
}

/// What the judge held against the source, over the corpus.
#[derive(Debug, Default)]
struct Checked {
    node_labels: usize,
    edge_labels: usize,
    subgraph_titles: usize,
    arrows: usize,
    edges: usize,
}

/// Why one imported flowchart is not faithful (empty: it is).
fn judge(
    source: &str,
    name: &str,
    written: &str,
    problems: &[String],
    checked: &mut Checked,
) -> Vec<String> {
    let mut why: Vec<String> = problems.to_vec();
    let chart = match mermaid::read(source, false, name) {
        Ok(chart) => chart,
        Err(e) => return vec![format!("the library refuses it: {e}")],
    };
    let ids = mermaid::write::diagram(&chart, "T", Language::En).ids;
    let steps = sections(written);
    let by_id: HashMap<&str, &Section> = steps.iter().map(|s| (s.id.as_str(), s)).collect();
    let titles: Vec<String> = steps.iter().map(|s| shown(&s.title)).collect();
    let subtitles: Vec<String> = steps
        .iter()
        .flat_map(|s| s.subtitles.iter().map(|t| shown(t)))
        .collect();
    let answers: Vec<String> = steps
        .iter()
        .flat_map(|s| s.answers.iter().map(|a| shown(&a.0)))
        .collect();

    let seen = oracle::scan(source);
    checked.node_labels += seen.nodes.values().filter(|l| !l.is_empty()).count();
    checked.edge_labels += seen.edge_labels.len();
    checked.subgraph_titles += seen.subgraph_titles.len();
    checked.arrows += seen.arrows;
    checked.edges += chart.edges.len();
    let node_of: HashMap<&str, usize> = chart
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for (id, label) in &seen.nodes {
        if label.is_empty() {
            continue;
        }
        let shown = match node_of
            .get(id.as_str())
            .and_then(|&i| ids.get(i))
            .and_then(|lb| by_id.get(lb.as_str()))
        {
            Some(step) => shown(&step.title) == *label,
            None => titles.contains(label),
        };
        if !shown {
            why.push(format!(
                "node `{id}`: label \"{label}\" is not its step's title"
            ));
        }
    }
    for (i, node) in chart.nodes.iter().enumerate() {
        let step = ids.get(i).and_then(|id| by_id.get(id.as_str()));
        match step {
            None => why.push(format!("node `{}` has no step", node.id)),
            Some(step)
                if !node.label.is_empty() && shown(&step.title) != shown(&node.label.joined()) =>
            {
                why.push(format!(
                    "node `{}`: step titled \"{}\", label \"{}\"",
                    node.id,
                    step.title,
                    node.label.joined()
                ))
            }
            _ => {}
        }
    }
    for edge in &chart.edges {
        let (Some(from), Some(to)) = (ids.get(edge.from), ids.get(edge.to)) else {
            continue;
        };
        let target = format!("#{to}");
        let found = by_id.get(from.as_str()).is_some_and(|step| {
            step.answers.iter().any(|(text, dest)| {
                *dest == target
                    && edge
                        .label
                        .as_ref()
                        .map_or(true, |l| shown(text) == shown(&l.joined()))
            })
        });
        if !found {
            why.push(format!("edge {from} -> {to} is not an answer"));
        }
    }
    for label in &seen.edge_labels {
        if !answers.contains(label) {
            why.push(format!("edge label \"{label}\" is not an answer"));
        }
    }
    if seen.arrows != chart.links {
        why.push(format!(
            "{} arrows in the source, {} read",
            seen.arrows, chart.links
        ));
    }
    for title in &seen.subgraph_titles {
        if !subtitles.iter().any(|s| s.contains(title.as_str())) && !titles.contains(title) {
            why.push(format!("subgraph title \"{title}\" is not shown"));
        }
    }
    for step in &steps {
        for text in std::iter::once(&step.title).chain(step.answers.iter().map(|a| &a.0)) {
            if let Some(syntax) = leftover(text) {
                why.push(format!("Mermaid syntax ({syntax}) left in \"{text}\""));
            }
        }
    }
    why
}

#[test]
fn corpus_imports_faithfully() {
    let corpus = fixture("mermaid-corpus");
    let mut files: Vec<String> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mmd"))
        .collect();
    files.sort();
    assert!(files.len() >= 300, "{} flowcharts", files.len());

    let other = std::env::var_os("LIFEBOAT_CORPUS_BIN");
    let dir = super::basic();
    let mut problems: HashMap<String, Vec<String>> = HashMap::new();
    for name in &files {
        let id = format!("m{}", name.trim_end_matches(".mmd"));
        let file = corpus.join(name).display().to_string();
        let into = format!("support/{id}");
        let args = ["import", "mermaid", file.as_str(), "--into", into.as_str()];
        let run = match &other {
            Some(bin) => {
                let out = std::process::Command::new(bin)
                    .args(args)
                    .current_dir(dir.path())
                    .output()
                    .unwrap();
                Run {
                    code: out.status.code().unwrap_or(-1),
                    stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                }
            }
            None => lifeboat(dir.path(), &args),
        };
        if run.code != 0 {
            let first = run.stderr.lines().next().unwrap_or("").replace(&file, name);
            problems
                .entry(id)
                .or_default()
                .push(format!("refused: {first}"));
        }
    }
    let check = lifeboat(dir.path(), &["check", "content", "--format", "json"]);
    let diagnostics: serde_json::Value = serde_json::from_str(&check.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", check.transcript()));
    for d in diagnostics.as_array().unwrap() {
        let file = d["file"].as_str().unwrap_or("");
        let message = d["message"].as_str().unwrap_or("");
        let Some(id) = file
            .strip_prefix("content/support/")
            .and_then(|f| f.strip_suffix(".md"))
        else {
            continue;
        };
        let fatal = d["severity"] == "error"
            || message.contains("cannot be reached: no answer or link leads to it");
        if fatal && id.starts_with('m') {
            problems
                .entry(id.to_string())
                .or_default()
                .push(format!("check: {message}"));
        }
    }

    let mut unfaithful = Vec::new();
    let mut checked = Checked::default();
    for name in &files {
        let id = format!("m{}", name.trim_end_matches(".mmd"));
        let source = fs::read_to_string(corpus.join(name)).unwrap();
        let written = fs::read_to_string(dir.path().join(format!("content/support/{id}.md")))
            .unwrap_or_default();
        let why = judge(
            &source,
            name,
            &written,
            problems.get(&id).map_or(&[], Vec::as_slice),
            &mut checked,
        );
        if !why.is_empty() {
            unfaithful.push((name.clone(), why));
        }
    }
    let total = files.len();
    let faithful = total - unfaithful.len();
    let rate = faithful as f64 / total as f64;
    println!(
        "faithful: {faithful} of {total} flowcharts ({:.1} %)",
        rate * 100.0
    );
    println!(
        "checked: {} node labels, {} edge labels, {} subgraph titles, {} arrows, {} edges",
        checked.node_labels,
        checked.edge_labels,
        checked.subgraph_titles,
        checked.arrows,
        checked.edges
    );
    for (name, why) in &unfaithful {
        println!("  {name}:");
        for reason in why {
            println!("    {reason}");
        }
    }
    if other.is_some() {
        return;
    }
    assert!(
        rate >= GOAL,
        "faithful rate {:.1} % below {:.0} %",
        rate * 100.0,
        GOAL * 100.0
    );
}
