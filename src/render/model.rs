//! The view model: plain serde data the template and the viewer script read. The JSON form is described
//! in docs/viewer-contract.md.

use std::collections::BTreeMap;

use serde::Serialize;

/// Small values for the Tera page template (`page.*`).
#[derive(Debug, Serialize)]
pub struct Page<'a> {
    pub lang: &'a str,
    pub title: String,
    pub csp: &'a str,
    pub site_name: &'a str,
    pub entry_title: &'a str,
    pub entry_description: &'a str,
    pub online_url: &'a str,
    pub snapshot_date: &'a str,
    pub snapshot_iso: &'a str,
    pub revision: &'a str,
    pub dirty: bool,
    pub environment: &'a str,
}

/// The JSON payload the viewer renders (`#lb-data`).
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    pub v: u32,
    pub bundle: &'a str,
    pub lang: &'a str,
    pub site: SiteView<'a>,
    pub entry: EntryView<'a>,
    pub snapshot: SnapshotView<'a>,
    pub backup: BackupView<'a>,
    pub environment: Option<&'a str>,
    pub strings: &'a BTreeMap<String, String>,
    /// The call assistant's settings (docs/call-assistant.md): always present, so that the call notes
    /// and log work without fields too.
    pub call: CallView<'a>,
    /// What changed since the previous copy (`crate::changes`); absent when there was none to compare
    /// with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangesView>,
    /// True when the diagrams' nodes are in `#lb-nodes` ([`Nodes`]) rather than here.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nodes_later: bool,
    pub diagrams: Vec<DiagramView<'a>>,
}

/// `changes` of the payload: the steps added and changed since the previous copy (by `diagram/node`),
/// the titles of the steps and diagrams removed ([`crate::changes::EntryChanges`]), and the previous
/// copy's date and revision.
#[derive(Debug, Serialize)]
pub struct ChangesView {
    /// YYYY-MM-DD.
    pub previous: String,
    /// `previous` in words, as the documents write dates.
    pub previous_long: String,
    pub revision: Option<String>,
    #[serde(flatten)]
    pub changes: crate::changes::EntryChanges,
}

/// `call` of the payload: the storage namespace, the fields, the wrap-up template, the log settings.
#[derive(Debug, Serialize)]
pub struct CallView<'a> {
    /// 16 hex digits, the same for every entry point and every later build of the site.
    pub site: String,
    pub fields: Vec<FieldView<'a>>,
    pub wrapup: Option<&'a str>,
    pub log: LogView<'a>,
}

#[derive(Debug, Serialize)]
pub struct FieldView<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'static str,
    pub pattern: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub choices: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct LogView<'a> {
    pub enabled: bool,
    pub keep_days: i64,
    pub drop: Option<&'a str>,
}

impl<'a> CallView<'a> {
    pub fn of(project: &'a crate::content::Project, entry: &'a crate::content::Entry) -> Self {
        use sha2::{Digest, Sha256};
        let site = &project.site;
        let digest = Sha256::digest(format!("{}\n{}", site.name, site.online_url.get_ref()));
        CallView {
            site: digest[..8].iter().map(|b| format!("{b:02x}")).collect(),
            fields: project
                .call_fields(entry)
                .into_iter()
                .map(|f| {
                    let field = f.field.get_ref();
                    let kind = *field.kind.get_ref();
                    FieldView {
                        name: f.name,
                        label: &field.label,
                        kind: kind.name(),
                        pattern: field.pattern.as_ref().map(|p| p.get_ref().as_str()),
                        hint: field.hint.as_deref(),
                        choices: match (&field.choices, kind) {
                            (Some(c), crate::content::config::FieldKind::Choice) => c.get_ref(),
                            _ => &[],
                        },
                    }
                })
                .collect(),
            wrapup: site
                .wrapup
                .as_ref()
                .and_then(|w| w.template.as_ref())
                .map(|t| t.get_ref().as_str()),
            log: LogView {
                enabled: site.call_log.enabled,
                keep_days: *site.call_log.keep_days.get_ref(),
                drop: site.call_log.drop.as_deref(),
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub name: &'a str,
    pub online_url: &'a str,
}

#[derive(Debug, Serialize)]
pub struct EntryView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub start: NodeRef<'a>,
}

#[derive(Debug, Serialize)]
pub struct NodeRef<'a> {
    pub diagram: &'a str,
    pub node: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SnapshotView<'a> {
    pub epoch: i64,
    pub date: &'a str,
    /// The date in words, as the launcher writes it ("22 novembre 2025"), for the stale-copy alert:
    /// the viewer needs no date formatter before its first view.
    pub date_long: String,
    pub revision: Option<&'a str>,
    pub dirty: bool,
}

#[derive(Debug, Serialize)]
pub struct BackupView<'a> {
    pub frequency_days: i64,
    pub locations: &'a [String],
}

impl<'a> SnapshotView<'a> {
    pub fn of(
        snapshot: &'a crate::snapshot::Snapshot,
        documents: &crate::theme::DocumentTheme,
    ) -> Self {
        let day = time::OffsetDateTime::from_unix_timestamp(snapshot.epoch)
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN);
        SnapshotView {
            epoch: snapshot.epoch,
            date: &snapshot.date,
            date_long: documents.long_date(day),
            revision: snapshot.short_commit(),
            dirty: snapshot.dirty,
        }
    }
}

impl<'a> BackupView<'a> {
    pub fn of(site: &'a crate::content::config::SiteConfig) -> Self {
        BackupView {
            frequency_days: *site.backup.frequency_days.get_ref(),
            locations: &site.backup.locations,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DiagramView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub tags: &'a [String],
    /// `owner` of the front matter, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    /// `reviewed` of the front matter (YYYY-MM-DD), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<String>,
    /// `reviewed` in words, as the documents write dates ("15 octobre 2025").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_long: Option<String>,
    pub intro_html: String,
    pub start: &'a str,
    /// Taken out into [`Nodes`] for an open entry point (absent from its `#lb-data` then).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeView<'a>>,
    /// The diagram's map layout (`render::map::MapData`) as a JSON text, drawn by the viewer
    /// (themes/default/map.js). A string, so that parsing the payload skips it: the viewer parses it
    /// when the map is opened. Absent when the diagram is too large to map (`render::map::MAX_MAP_ITEMS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NodeView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub html: String,
    pub answers: Vec<AnswerView<'a>>,
    /// The folded title and text the search looks in; taken out into [`More`] for an open entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
}

/// What the viewer needs only once the first node is shown — each node's search text and each
/// diagram's map — in `#lb-more`, after the viewer script, so the page shows its first node before
/// they are parsed. Aligned with the payload: `search[d][n]` and `map[d]` belong to diagram `d`, node
/// `n`. Locked entry points keep them in their sealed payload instead.
#[derive(Debug, Serialize)]
pub struct More {
    pub search: Vec<Vec<Option<String>>>,
    pub map: Vec<Option<String>>,
}

impl More {
    /// Takes the search texts and maps out of `diagrams`.
    pub fn take(diagrams: &mut [DiagramView]) -> More {
        More {
            search: diagrams
                .iter_mut()
                .map(|d| d.nodes.iter_mut().map(|n| n.search.take()).collect())
                .collect(),
            map: diagrams.iter_mut().map(|d| d.map.take()).collect(),
        }
    }
}

/// An open entry point's steps, in `#lb-nodes` after the viewer script: its `#lb-data` is only what
/// the home page needs (a few tens of kilobytes, plain JSON the viewer parses at once), so the first
/// view is in the document before the browser has read the rest of the file (docs/viewer-contract.md).
/// `nodes[d]` are diagram `d`'s nodes. Locked entry points keep them in their sealed payload.
#[derive(Debug, Serialize)]
pub struct Nodes<'a> {
    pub nodes: Vec<Vec<NodeView<'a>>>,
}

impl<'a> Nodes<'a> {
    /// Takes the nodes out of `diagrams` (after [`More::take`], which needs them).
    pub fn take(diagrams: &mut [DiagramView<'a>]) -> Nodes<'a> {
        Nodes {
            nodes: diagrams
                .iter_mut()
                .map(|d| std::mem::take(&mut d.nodes))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AnswerView<'a> {
    pub label: &'a str,
    /// Set when the answer opens another entry point's file (absent otherwise). The viewer makes the
    /// link from `entry`, `diagram` and `node`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<&'a str>,
    /// Empty when the answer opens a locked entry point's node: see `at`.
    pub diagram: &'a str,
    pub node: &'a str,
    /// Set instead of `diagram` and `node` when the answer opens a node of another entry point that is
    /// locked: the positions of its diagram and node in that file (`render::target`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<[usize; 2]>,
}
