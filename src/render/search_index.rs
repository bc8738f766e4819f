//! What the search reads. Each node's search text is its plain text (a field's use reads as its label)
//! followed by its answers' labels, one a line, unfolded: the viewer folds it when it builds its index
//! and shows a snippet of it around the match. An entry point's own texts go in `#lb-more`
//! ([`super::model::More`]); every *open* entry point also gets one [`Segment`] that each other file of
//! the bundle carries in `#lb-bundle`, so a search in any file finds the steps of its open siblings.
//! A locked entry point never has a segment: nothing of it may be readable outside its sealed payload.

use rayon::prelude::*;
use serde::Serialize;

use super::fields::{self, Labels};
use super::model::CallView;
use crate::content::markdown::{block_text, Ev};
use crate::content::{Node, Project};

/// The search text of `node` (see the module's comment): its text, then its answers' labels.
pub fn node_text(node: &Node, events: &[Ev], labels: &Labels) -> String {
    let mut text = block_text(events);
    for answer in &node.answers {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&answer.label);
    }
    fields::search_text(&text, labels)
}

/// The field labels a page of `entry` shows for `{{ call.x }}`.
pub fn labels<'a>(call: &'a CallView<'a>) -> Labels<'a> {
    call.fields.iter().map(|f| (f.name, f.label)).collect()
}

/// One open entry point's part of the bundle index, as JSON: `[entry id, entry title, diagrams]`, each
/// diagram `[id, title, tags, nodes]`, each node `[id, title, search text]` (docs/viewer-contract.md).
pub struct Segment {
    pub entry: String,
    pub json: String,
}

/// A [`Segment`] as the files carry it: packed (`inline::pack`) once for the whole bundle, with the
/// SHA-256 of its JSON, which the cache key of every other entry point includes.
pub struct PackedSegment {
    pub entry: String,
    pub text: String,
    pub digest: [u8; 32],
}

#[derive(Serialize)]
struct EntryIndex<'a>(&'a str, &'a str, Vec<DiagramIndex<'a>>);

#[derive(Serialize)]
struct DiagramIndex<'a>(
    &'a str,
    &'a str,
    &'a [String],
    Vec<(&'a str, &'a str, String)>,
);

/// The segment of every open entry point of `project`, in the project's order (locked ones have none).
pub fn segments(project: &Project) -> Result<Vec<Segment>, serde_json::Error> {
    project
        .entries
        .par_iter()
        .filter(|entry| !entry.is_locked())
        .map(|entry| {
            let call = CallView::of(project, entry);
            let labels = labels(&call);
            let diagrams = entry
                .diagrams
                .iter()
                .map(|diagram| {
                    let events = diagram.events();
                    let nodes = diagram
                        .nodes
                        .iter()
                        .zip(&events.nodes)
                        .map(|(node, ev)| {
                            (
                                node.id.as_str(),
                                node.title.as_str(),
                                node_text(node, ev, &labels),
                            )
                        })
                        .collect();
                    DiagramIndex(
                        &diagram.id,
                        &diagram.front.title,
                        &diagram.front.tags,
                        nodes,
                    )
                })
                .collect();
            let json =
                serde_json::to_string(&EntryIndex(&entry.id, &entry.config.title, diagrams))?;
            Ok(Segment {
                entry: entry.id.clone(),
                json,
            })
        })
        .collect()
}
