//! What a locked entry point shows before its key is given: the public payload and the page's title and
//! description. Nothing from the diagrams (titles, nodes, text, images, search) is in it.

use serde::Serialize;

use super::model::{BackupView, SiteView, SnapshotView};
use super::{script_safe_json, RenderContext};
use crate::content::Entry;

/// The public payload of a locked entry point (`#lb-data`); the full one is sealed in `#lb-locked`.
#[derive(Debug, Serialize)]
pub struct PublicPayload<'a> {
    pub v: u32,
    pub bundle: &'a str,
    pub lang: &'a str,
    pub locked: bool,
    pub site: SiteView<'a>,
    pub entry: PublicEntry<'a>,
    pub snapshot: SnapshotView<'a>,
    pub backup: BackupView<'a>,
    pub environment: Option<&'a str>,
    pub strings: &'a std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct PublicEntry<'a> {
    pub id: &'a str,
    /// Empty when the entry point hides its title (`hide_title = true`).
    pub title: &'a str,
    /// Who gives out the key (roles from entry.toml, then its key groups' holders): public already (the
    /// manifest and the contingency document list them), so the prompt can say whom to ask.
    pub key_holders: Vec<&'a str>,
    /// The labels of the key groups whose keys open it (none for the build's one access key): the prompt
    /// says "Clé du groupe Facturation ou Direction".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_groups: Vec<&'a str>,
}

/// The labels of `entry`'s key groups, and every holder of its keys (entry.toml's `key_holders`, then
/// each group's `holders`), each once.
pub fn groups_and_holders<'a>(
    site: &'a crate::content::config::SiteConfig,
    entry: &'a Entry,
) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut holders: Vec<&str> = Vec::new();
    let mut labels: Vec<&str> = Vec::new();
    let add = |holders: &mut Vec<&'a str>, h: &'a str| {
        if !holders.contains(&h) {
            holders.push(h);
        }
    };
    for h in &entry.config.key_holders {
        add(&mut holders, h);
    }
    for name in entry.config.key_groups.iter().flat_map(|g| g.get_ref()) {
        let Some(group) = site.key_groups.get(name.get_ref().as_str()) else {
            continue;
        };
        if !labels.contains(&group.label.as_str()) {
            labels.push(&group.label);
        }
        for h in &group.holders {
            add(&mut holders, h);
        }
    }
    (labels, holders)
}

/// The title a page shows before unlocking: the entry's own, or a neutral one when it is hidden.
pub fn shown_title<'a>(cx: &RenderContext<'a>, entry: &'a Entry) -> &'a str {
    if entry.is_locked() && entry.config.hide_title {
        cx.theme.string("locked_title")
    } else {
        &entry.config.title
    }
}

/// The description a page shows before the viewer runs: none for a locked entry point.
pub fn shown_description(entry: &Entry) -> &str {
    if entry.is_locked() {
        ""
    } else {
        &entry.config.description
    }
}

/// The public payload of a locked entry point, or `None` for an open one.
pub fn public_json(
    cx: &RenderContext,
    entry: &Entry,
    environment: Option<&str>,
) -> Result<Option<String>, serde_json::Error> {
    if !entry.is_locked() {
        return Ok(None);
    }
    let site = &cx.project.site;
    let (key_groups, key_holders) = groups_and_holders(site, entry);
    let payload = PublicPayload {
        v: 1,
        bundle: &entry.id,
        lang: site.language.code(),
        locked: true,
        site: SiteView {
            name: &site.name,
            online_url: site.online_url.get_ref(),
        },
        entry: PublicEntry {
            id: &entry.id,
            title: if entry.config.hide_title {
                ""
            } else {
                &entry.config.title
            },
            key_holders,
            key_groups,
        },
        snapshot: SnapshotView::of(cx.snapshot, &cx.theme.documents),
        backup: BackupView::of(site),
        environment,
        strings: &cx.theme.strings,
    };
    script_safe_json(&payload).map(Some)
}
