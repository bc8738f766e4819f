//! Model -> view model -> page: the Tera shell and the JSON payload of each entry point.

pub mod fields;
pub mod html;
pub mod locked;
pub mod map;
pub mod model;
pub mod search_index;
pub mod strings;
pub mod target;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::check::Checked;
use crate::content::{Diagram, Entry, Project};
use crate::snapshot::Snapshot;
use crate::theme::Theme;
use html::NodeRenderer;
use model::*;

/// One entry point, rendered but not yet assembled into its file.
pub struct RenderedEntry {
    pub id: String,
    /// The page shell from the template, with the four `@@LB_…@@` markers still in it.
    pub shell: String,
    /// The JSON payload, safe to place inside a `<script>` element.
    pub data_json: String,
    /// Open entry points only: the search texts and maps ([`More`]), safe inside a `<script>` element,
    /// written after the viewer script; a locked entry point keeps them in `data_json`.
    pub more_json: Option<String>,
    /// Open entry points only: the diagrams' nodes ([`Nodes`]), safe inside a `<script>` element,
    /// written just after the viewer script; `data_json` then holds what the home page needs.
    pub nodes_json: Option<String>,
    /// Ids of the images this entry point shows, in first-use order.
    pub images: Vec<String>,
    /// Locked entry points only: the public payload that goes in `#lb-data` instead of `data_json`,
    /// which is sealed with the images (`crate::access`).
    pub public_json: Option<String>,
    pub diagram_count: usize,
    pub node_count: usize,
    /// The packed segments of the bundle index of every other open entry point
    /// ([`search_index::Segment`]), space-separated, for `#lb-bundle`: set by the caller, which packs
    /// each segment once for the whole bundle (empty: no element).
    pub siblings: String,
    /// What the manifest records of its steps, and what changed since the previous copy.
    pub steps: crate::changes::Record,
}

pub struct RenderContext<'a> {
    pub project: &'a Project,
    pub checked: &'a Checked,
    pub theme: &'a Theme,
    pub snapshot: &'a Snapshot,
    pub csp: &'a str,
    pub tera: &'a Tera,
    /// The previous copy to compare with, when there is one.
    pub basis: Option<&'a crate::changes::Basis>,
    /// Marks a locked entry point's steps (from its key); `None` without a key, when a locked entry
    /// point records no steps (`verify --rebuild` takes them from the manifest).
    pub marker: Option<&'a dyn crate::changes::Marker>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the page template could not be rendered: {0}")]
    Template(String),
    #[error("the page data could not be serialized: {0}")]
    Json(#[from] serde_json::Error),
}

/// Compiles the theme's page template.
pub fn templates(theme: &Theme) -> Result<Tera, RenderError> {
    let mut tera = Tera::default();
    tera.add_raw_template("entry.html", &theme.template)
        .map_err(|e| RenderError::Template(error_chain(&e)))?;
    Ok(tera)
}

/// An error and its sources, one line: Tera hides the useful part in `source()`.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Renders one diagram's nodes; returns the view, the ids of the images it shows and its steps'
/// fingerprints (`crate::changes`).
fn render_diagram<'a>(
    cx: &RenderContext<'a>,
    entry: &'a Entry,
    diagram: &'a Diagram,
    labels: &fields::Labels,
) -> (DiagramView<'a>, Vec<String>, Vec<crate::changes::Step>) {
    let mut steps = Vec::with_capacity(diagram.nodes.len());
    let mut images = html::ShownImages::default();
    let events = diagram.events();
    let renderer = NodeRenderer {
        project: cx.project,
        checked: cx.checked,
        diagram,
        footnotes: &events.footnotes,
        theme: cx.theme,
    };
    let nodes: Vec<NodeView> = diagram
        .nodes
        .iter()
        .zip(&events.nodes)
        .map(|(node, node_events)| {
            let answers = node
                .answers
                .iter()
                .filter_map(|a| {
                    let target = cx.checked.links.get(&(diagram.file, a.dest.clone()))?;
                    Some(match target::shown(cx.project, &entry.id, target) {
                        target::Shown::Open(t) => AnswerView {
                            label: &a.label,
                            entry: (t.entry != entry.id).then_some(t.entry.as_str()),
                            diagram: &t.diagram,
                            node: &t.node,
                            at: None,
                        },
                        target::Shown::Protected {
                            entry,
                            diagram,
                            node,
                        } => AnswerView {
                            label: &a.label,
                            entry: Some(entry),
                            diagram: "",
                            node: "",
                            at: Some([diagram, node]),
                        },
                    })
                })
                .collect();
            let search = search_index::node_text(node, node_events, labels);
            let html = fields::expand(renderer.render(node_events, &mut images), labels);
            steps.push(step_of(cx, diagram, node, &html, node_events));
            NodeView {
                id: &node.id,
                title: &node.title,
                html,
                answers,
                search: Some(search),
            }
        })
        .collect();
    let reviewed = diagram
        .front
        .reviewed
        .as_ref()
        .and_then(|r| crate::check::reviews::plain_date(r.get_ref()));
    let view = DiagramView {
        id: &diagram.id,
        title: &diagram.front.title,
        description: &diagram.front.description,
        tags: &diagram.front.tags,
        owner: diagram.front.owner.as_deref(),
        reviewed: reviewed.map(|d| d.to_string()),
        reviewed_long: reviewed.map(|d| cx.theme.documents.long_date(d)),
        intro_html: fields::expand(renderer.render(&events.intro, &mut images), labels),
        start: diagram.start_node().map(|n| n.id.as_str()).unwrap_or(""),
        nodes,
        map: map::diagram_map(cx, entry, diagram).map(|m| m.to_json()),
    };
    (view, images.into_ids(), steps)
}

/// A node's fingerprint of what the agent sees (`crate::changes`): its title, its HTML, its answers by
/// the ids they lead to (not their positions) and its images by name and content.
fn step_of(
    cx: &RenderContext,
    diagram: &Diagram,
    node: &crate::content::Node,
    html: &str,
    events: &[crate::content::markdown::Ev],
) -> crate::changes::Step {
    use pulldown_cmark::{Event, Tag};
    let answers = node
        .answers
        .iter()
        .map(
            |a| match cx.checked.links.get(&(diagram.file, a.dest.clone())) {
                Some(t) => [a.label.as_str(), &t.entry, &t.diagram, &t.node],
                None => [a.label.as_str(), "", "", ""],
            },
        )
        .collect();
    let images = events
        .iter()
        .filter_map(|(event, _)| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.as_ref()),
            _ => None,
        })
        .map(|name| {
            let id = cx
                .checked
                .image_refs
                .get(&(diagram.file, name.to_string()))
                .map_or("", String::as_str);
            (name, id)
        })
        .collect();
    let shown = crate::changes::Shown {
        title: &node.title,
        html,
        answers,
        images,
    };
    crate::changes::Step {
        id: format!("{}/{}", diagram.id, node.id),
        title: node.title.clone(),
        fingerprint: crate::changes::fingerprint(&shown),
    }
}

pub fn render_entry(cx: &RenderContext, entry: &Entry) -> Result<RenderedEntry, RenderError> {
    let project = cx.project;
    let site = &project.site;
    let call = CallView::of(project, entry);
    let labels = search_index::labels(&call);
    // Diagrams render on all cores; collecting keeps their order, so the output stays deterministic.
    let rendered: Vec<(DiagramView, Vec<String>, Vec<crate::changes::Step>)> = entry
        .diagrams
        .par_iter()
        .map(|diagram| render_diagram(cx, entry, diagram, &labels))
        .collect();
    let mut images: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut diagrams = Vec::with_capacity(rendered.len());
    let mut steps = Vec::new();
    for (view, ids, diagram_steps) in rendered {
        images.extend(ids.into_iter().filter(|id| seen.insert(id.clone())));
        diagrams.push(view);
        steps.extend(diagram_steps);
    }
    let (step_record, changes) = changes_of(cx, entry, &steps, &diagrams);
    let node_count = diagrams.iter().map(|d| d.nodes.len()).sum();
    let start_diagram = entry.diagram(entry.config.start.get_ref());
    let start = NodeRef {
        diagram: entry.config.start.get_ref(),
        node: start_diagram
            .and_then(|d| d.start_node())
            .map(|n| n.id.as_str())
            .unwrap_or(""),
    };
    let env_name = project.environment.as_ref().map(|e| e.name.as_str());
    let more = (!entry.is_locked()).then(|| More::take(&mut diagrams));
    let nodes = (!entry.is_locked()).then(|| Nodes::take(&mut diagrams));
    let payload = Payload {
        v: 1,
        bundle: &entry.id,
        lang: site.language.code(),
        site: SiteView {
            name: &site.name,
            online_url: site.online_url.get_ref(),
        },
        entry: EntryView {
            id: &entry.id,
            title: &entry.config.title,
            description: &entry.config.description,
            start,
        },
        snapshot: SnapshotView::of(cx.snapshot, &cx.theme.documents),
        backup: BackupView::of(site),
        environment: env_name,
        strings: &cx.theme.strings,
        call,
        changes,
        nodes_later: nodes.is_some(),
        diagrams,
    };
    let diagram_count = payload.diagrams.len();
    let data_json = script_safe_json(&payload)?;
    let more_json = more.as_ref().map(script_safe_json).transpose()?;
    let nodes_json = nodes.as_ref().map(script_safe_json).transpose()?;
    let public_json = locked::public_json(cx, entry, env_name)?;
    let page = Page {
        lang: site.language.code(),
        title: format!("{} — {}", locked::shown_title(cx, entry), site.name),
        csp: cx.csp,
        site_name: &site.name,
        entry_title: locked::shown_title(cx, entry),
        entry_description: locked::shown_description(entry),
        online_url: site.online_url.get_ref(),
        snapshot_date: &cx.snapshot.date,
        snapshot_iso: &cx.snapshot.iso,
        revision: cx.snapshot.short_commit().unwrap_or(""),
        dirty: cx.snapshot.dirty,
        environment: env_name.unwrap_or(""),
    };
    let mut context = Context::new();
    context.insert("page", &page);
    context.insert("t", &cx.theme.strings);
    let shell = cx
        .tera
        .render("entry.html", &context)
        .map_err(|e| RenderError::Template(error_chain(&e)))?;
    Ok(RenderedEntry {
        id: entry.id.clone(),
        shell,
        data_json,
        more_json,
        nodes_json,
        images,
        public_json,
        diagram_count,
        node_count,
        siblings: String::new(),
        steps: step_record,
    })
}

/// What the manifest records of an entry point's steps, and the comparison with the previous copy for
/// its payload. A locked entry point without a marker (no key: `verify --rebuild`) records nothing.
fn changes_of<'a>(
    cx: &RenderContext<'a>,
    entry: &Entry,
    steps: &[crate::changes::Step],
    diagrams: &[DiagramView<'a>],
) -> (crate::changes::Record, Option<ChangesView>) {
    use crate::changes;
    let locked = entry.is_locked();
    let marker = cx.marker.filter(|_| locked);
    if locked && marker.is_none() {
        return (changes::Record::default(), None);
    }
    let titles: Vec<(&str, &str)> = diagrams.iter().map(|d| (d.id, d.title)).collect();
    let mut record = changes::Record {
        steps: changes::step_lines(&entry.id, steps, marker),
        diagram_titles: if locked {
            Vec::new()
        } else {
            titles
                .iter()
                .map(|(id, title)| format!("{id} {}", title.replace(char::is_control, " ")))
                .collect()
        },
        counts: None,
    };
    let Some(basis) = cx.basis else {
        return (record, None);
    };
    let Ok(found) = changes::compare(basis, &entry.id, steps, &titles, marker) else {
        return (record, None);
    };
    record.counts = Some(found.counts(locked));
    let view = ChangesView {
        previous: basis.date().to_string(),
        previous_long: crate::snapshot::parse_date(basis.date())
            .map(|d| cx.theme.documents.long_date(d))
            .unwrap_or_else(|| basis.date().to_string()),
        revision: basis
            .revision
            .as_ref()
            .map(|r| r.chars().take(12).collect()),
        changes: found,
    };
    (record, Some(view))
}

/// JSON that cannot end or confuse the `<script>` element it sits in.
pub fn script_safe_json<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    // Only `<` followed by `/`, `!` or `s` can end the element or change how it is parsed (`</script`,
    // `<!--`, `<script`); `<` appears in JSON only inside strings, where `\\u003c` means the same.
    let mut out = String::with_capacity(json.len() + json.len() / 64);
    let mut rest = json.as_str();
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let next = rest[at + 1..].chars().next();
        if matches!(next, Some('/' | '!' | 's' | 'S')) {
            out.push_str("\\u003c");
        } else {
            out.push('<');
        }
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::script_safe_json;

    #[test]
    fn json_cannot_close_or_confuse_its_script_element() {
        let json = script_safe_json(&"a</script><!--<script>b < c").unwrap();
        assert!(!json.contains("</") && !json.contains("<!") && !json.contains("<s"));
        assert!(json.contains("b < c"), "other `<` are kept: {json}");
        let back: String = serde_json::from_str(&json).unwrap();
        assert_eq!(back, "a</script><!--<script>b < c");
    }
}

/// Issue 22: the parts of rendering that look things up per answer, image or footnote stay linear. Each
/// test times the same work on `n` and `2n` items in one run (fastest of three, interleaved) and holds
/// the ratio under 3: linear is about 2, a linear scan per item about 4. Never an absolute time.
#[cfg(test)]
mod linear_tests {
    use std::fmt::Write as _;
    use std::path::Path;
    use std::time::{Duration, Instant};

    use super::{html, map};
    use crate::check::Checked;
    use crate::content::Project;
    use crate::diagnostics::Report;

    const SITE: &str = "name = \"S\"\nlanguage = \"en\"\nonline_url = \"https://a.example.com\"\n\n[backup]\nfrequency_days = 30\nowner = { name = \"A\" }\nlocations = [\"/mnt/s\"]\n";

    /// A loaded and checked content folder with entry point `e` holding `diagrams` (stem, body).
    fn site(dir: &Path, diagrams: &[(String, String)]) -> (Project, Checked) {
        std::fs::create_dir_all(dir.join("e")).unwrap();
        std::fs::write(dir.join("site.toml"), SITE).unwrap();
        let start = format!("title = \"E\"\nstart = \"{}\"\n", diagrams[0].0);
        std::fs::write(dir.join("e/entry.toml"), start).unwrap();
        for (stem, body) in diagrams {
            let text = format!("+++\ntitle = \"{stem}\"\n+++\n{body}");
            std::fs::write(dir.join(format!("e/{stem}.md")), text).unwrap();
        }
        let mut report = Report::default();
        let project = crate::content::load(dir, None, &mut report).expect("loads");
        let checked = crate::check::check(&project, &mut report);
        assert!(!report.has_errors(), "{:?}", report.diagnostics());
        (project, checked)
    }

    /// Fastest of three runs of `small` and of `large`, interleaved; returns large / small.
    fn ratio(mut small: impl FnMut(), mut large: impl FnMut()) -> f64 {
        let time = |f: &mut dyn FnMut()| {
            let started = Instant::now();
            f();
            started.elapsed()
        };
        let (mut a, mut b) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            a = a.min(time(&mut small));
            b = b.min(time(&mut large));
        }
        b.as_secs_f64() / a.as_secs_f64()
    }

    /// Draws the map of diagram `d` (the chain, or the fan-out's start).
    fn maps(project: &Project, checked: &Checked) {
        let entry = &project.entries[0];
        let diagram = entry.diagram("d").unwrap();
        let theme = crate::theme::Theme::builtin(project.site.language).unwrap();
        let tera = super::templates(&theme).unwrap();
        let snapshot = crate::snapshot::Snapshot::at(0, None, false);
        let cx = super::RenderContext {
            project,
            checked,
            theme: &theme,
            snapshot: &snapshot,
            csp: "",
            tera: &tera,
            basis: None,
            marker: None,
        };
        std::hint::black_box(map::diagram_map(&cx, entry, diagram));
    }

    /// A chain of `n` nodes (each answering the next), or a start node answering `n` other diagrams.
    fn chain(n: usize) -> Vec<(String, String)> {
        let mut body = String::new();
        for i in 0..n {
            writeln!(
                body,
                "## S{i} {{#n{i}}}\n\nx\n\n- [Next](#n{})\n",
                (i + 1) % n
            )
            .unwrap();
        }
        vec![("d".into(), body)]
    }

    fn fan_out_to_diagrams(n: usize) -> Vec<(String, String)> {
        let mut start = String::from("## Start\n\n");
        for i in 0..n {
            writeln!(start, "- [To {i}](o{i}.md)").unwrap();
        }
        let mut diagrams = vec![("d".to_string(), start)];
        diagrams.extend((0..n).map(|i| (format!("o{i}"), format!("## O{i}\n\n- [Back](d.md)\n"))));
        diagrams
    }

    #[test]
    fn maps_of_a_long_chain_and_a_wide_fan_out_take_linear_time() {
        // Past the map's budget at both sizes (no layout): what is left is the lookup of every
        // answer's target (a scan of the nodes, then of the stubs and the entry's diagrams, before).
        for (name, shape) in [
            ("chain", chain as fn(usize) -> Vec<(String, String)>),
            ("fan-out to other diagrams", fan_out_to_diagrams),
        ] {
            let n = 10_000;
            let (small_dir, large_dir) =
                (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let (p1, c1) = site(small_dir.path(), &shape(n));
            let (p2, c2) = site(large_dir.path(), &shape(2 * n));
            let r = ratio(|| maps(&p1, &c1), || maps(&p2, &c2));
            assert!(
                r < 3.0,
                "{name}: {n} -> {} took {r:.2} times as long",
                2 * n
            );
        }
    }

    #[test]
    fn a_node_with_many_images_renders_in_linear_time() {
        // One node showing `n` distinct images: each image id was looked for in the list of those
        // the diagram had shown so far.
        let render = |n: usize| {
            let mut body = String::from("## A\n\n");
            for i in 0..n {
                write!(body, "![](i{i}.png) ").unwrap();
            }
            body.push('\n');
            let text = format!("+++\ntitle = \"A\"\n+++\n{body}");
            let (diagram, _) = crate::content::parse_diagram_text(&text, &Default::default());
            let diagram = diagram.expect("parses");
            let mut checked = Checked::default();
            for i in 0..n {
                checked
                    .image_refs
                    .insert((diagram.file, format!("i{i}.png")), format!("{i:016x}"));
            }
            (diagram, checked)
        };
        let theme = crate::theme::Theme::builtin(crate::content::config::Language::En).unwrap();
        let n = 10_000;
        let ((d1, c1), (d2, c2)) = (render(n), render(2 * n));
        let (e1, e2) = (d1.events(), d2.events());
        // The renderer asks the project only about link targets; these nodes have none.
        let project_dir = tempfile::tempdir().unwrap();
        let (project, _) = site(project_dir.path(), &[("d".into(), "## A\n".into())]);
        let run = |d, c, e: &crate::content::Events, count: usize| {
            let renderer = html::NodeRenderer {
                project: &project,
                checked: c,
                diagram: d,
                footnotes: &e.footnotes,
                theme: &theme,
            };
            let mut images = html::ShownImages::default();
            std::hint::black_box(renderer.render(&e.nodes[0], &mut images));
            assert_eq!(images.into_ids().len(), count);
        };
        let r = ratio(|| run(&d1, &c1, &e1, n), || run(&d2, &c2, &e2, 2 * n));
        assert!(r < 3.0, "{n} -> {} took {r:.2} times as long", 2 * n);
    }
}
