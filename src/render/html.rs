//! Markdown events of one node -> safe HTML: links rewritten to viewer URLs, images to references into
//! the image table, alerts to labelled callouts, footnotes kept with the node, everything sanitized.

use std::collections::{BTreeMap, HashSet};

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

use crate::check::Checked;
use crate::content::markdown::Ev;
use crate::content::{Diagram, Project};
use crate::encode::escape;
use crate::theme::Theme;

/// Renders events of a node (or of a diagram's introduction) to sanitized HTML.
pub struct NodeRenderer<'a> {
    pub project: &'a Project,
    pub checked: &'a Checked,
    pub diagram: &'a Diagram,
    /// The diagram's footnote definitions (see [`crate::content::Events::footnotes`]).
    pub footnotes: &'a BTreeMap<String, Vec<Ev>>,
    pub theme: &'a Theme,
}

/// Image ids in the order they are first shown, each once (a diagram can show thousands).
#[derive(Debug, Default)]
pub struct ShownImages {
    ids: Vec<String>,
    seen: HashSet<String>,
}

impl ShownImages {
    fn add(&mut self, id: &str) {
        if !self.seen.contains(id) {
            self.seen.insert(id.to_string());
            self.ids.push(id.to_string());
        }
    }

    pub fn into_ids(self) -> Vec<String> {
        self.ids
    }
}

impl NodeRenderer<'_> {
    /// Returns the HTML, and adds the ids of the images it shows to `images`.
    pub fn render(&self, events: &[Ev], images: &mut ShownImages) -> String {
        let mut cited: Vec<String> = Vec::new();
        let mut out: Vec<Event> = Vec::with_capacity(events.len());
        self.convert(events, &mut out, &mut cited, images);
        if !cited.is_empty() {
            out.push(Event::Html(CowStr::from(format!(
                "<section class=\"footnotes\"><p class=\"footnotes-label\">{}</p><ol>",
                escape(self.theme.string("footnotes"))
            ))));
            let mut done = 0;
            while done < cited.len() {
                let label = cited[done].clone();
                done += 1;
                out.push(Event::Html("<li>".into()));
                if let Some(def) = self.footnotes.get(&label) {
                    let inner = &def[1..def.len().saturating_sub(1)];
                    self.convert(inner, &mut out, &mut cited, images);
                }
                out.push(Event::Html("</li>".into()));
            }
            out.push(Event::Html("</ol></section>".into()));
        }
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
        crate::sanitize::sanitizer().clean(&html).to_string()
    }

    fn convert<'e>(
        &self,
        events: &'e [Ev],
        out: &mut Vec<Event<'e>>,
        cited: &mut Vec<String>,
        images: &mut ShownImages,
    ) {
        let file = self.diagram.file;
        let mut iter = events.iter();
        while let Some((event, _)) = iter.next() {
            match event {
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    let (class, key) = callout(*kind);
                    out.push(Event::Html(CowStr::from(format!(
                        "<aside class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-label\">{}</p>",
                        escape(self.theme.string(key))
                    ))));
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => out.push(Event::Html("</aside>".into())),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest = match self.checked.links.get(&(file, dest_url.to_string())) {
                        Some(target) => CowStr::from(
                            super::target::shown(self.project, &self.diagram.entry, target)
                                .href(&self.diagram.entry),
                        ),
                        None => dest_url.clone(),
                    };
                    out.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: dest,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => {
                    let mut alt = String::new();
                    let mut depth = 1;
                    for (inner, _) in iter.by_ref() {
                        match inner {
                            Event::Start(_) => depth += 1,
                            Event::End(_) => depth -= 1,
                            Event::Text(t) | Event::Code(t) => alt.push_str(t),
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                    }
                    let Some(id) = self.checked.image_refs.get(&(file, dest_url.to_string()))
                    else {
                        continue;
                    };
                    images.add(id);
                    let title = if title.is_empty() {
                        String::new()
                    } else {
                        format!(" title=\"{}\"", escape(title))
                    };
                    out.push(Event::Html(CowStr::from(format!(
                        "<img data-lb-img=\"{id}\" alt=\"{}\"{title}>",
                        escape(&alt)
                    ))));
                }
                Event::FootnoteReference(label) => {
                    let n = match cited.iter().position(|c| c == label.as_ref()) {
                        Some(i) => i + 1,
                        None => {
                            cited.push(label.to_string());
                            cited.len()
                        }
                    };
                    out.push(Event::Html(CowStr::from(format!(
                        "<sup class=\"footnote-ref\">[{n}]</sup>"
                    ))));
                }
                other => out.push(other.clone()),
            }
        }
    }
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Caution => ("caution", "callout_caution"),
        BlockQuoteKind::Note => ("note", "callout_note"),
        BlockQuoteKind::Important => ("important", "callout_important"),
        BlockQuoteKind::Tip => ("tip", "callout_tip"),
        BlockQuoteKind::Warning => ("warning", "callout_warning"),
    }
}
