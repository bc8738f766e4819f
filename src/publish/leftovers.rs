//! What `verify` reports of a share beyond its bundle: the publish lock (who holds it, since when,
//! whether it is stale) and what a publish that stopped before its end left on the share (a staging
//! folder, an archive copy or prune that did not finish). Both are problems once no live publish
//! holds the lock: a stale lock blocks other machines' publishes for up to an hour, and a leftover
//! staging folder can hold more than the bundle's size on a share that may be full.

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::lock::{self, LOCK_FILE, TAKEOVER_FILE};
use super::PublishError;
use crate::verify::{share, ARCHIVE_DIR, JOURNAL, PUBLISH_DIR};

/// The share's publish lock, as found.
#[derive(Debug, Clone, Serialize)]
pub struct LockReport {
    /// Who holds it since when, for people.
    pub holder: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// When it was taken (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    pub age_seconds: i64,
    /// Left by a publish that is gone (docs/continuity.md, the stale-lock rule): a problem.
    pub stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Something a publish that stopped left on the share.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    /// Relative to the share, `/`-separated.
    pub path: String,
    /// Bytes of the files under it.
    pub bytes: u64,
    /// What it is.
    pub what: String,
}

/// The lock and the leftovers of `share` at `now`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShareState {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<LockReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<Leftover>,
}

impl ShareState {
    /// A publish holds the lock and is not known to be gone: its staging folder is not a leftover.
    pub fn running(&self) -> bool {
        self.lock.as_ref().is_some_and(|l| !l.stale)
    }

    /// A stale lock, and leftovers when no publish runs.
    pub fn problems(&self) -> usize {
        let stale = self.lock.as_ref().is_some_and(|l| l.stale);
        usize::from(stale)
            + if self.running() {
                0
            } else {
                self.leftovers.len()
            }
    }
}

/// Inspects `share` (a bundle folder; a zip has neither lock nor leftovers). `staging` is the staging
/// folder the journal names, part of a publish in progress rather than a leftover.
pub fn inspect(share: &Path, now: i64, staging: Option<&str>) -> Result<ShareState, PublishError> {
    let mut state = ShareState::default();
    if !fs::symlink_metadata(share).is_ok_and(|m| m.is_dir()) {
        return Ok(state);
    }
    state.lock = lock::inspect(share, now)?.map(|(held, why)| LockReport {
        holder: held.describe(),
        host: held.holder.as_ref().map(|h| h.host.clone()),
        pid: held.holder.as_ref().map(|h| h.pid),
        started: held.holder.as_ref().map(|h| h.started.clone()),
        age_seconds: held.age,
        stale: why.is_some(),
        why,
    });
    let work = share.join(PUBLISH_DIR);
    if share::real_dir(&work)? {
        for (name, is_dir) in names(&work) {
            let ours = [LOCK_FILE, TAKEOVER_FILE, JOURNAL].contains(&name.as_str())
                || staging == Some(name.as_str());
            if !ours {
                let what = if is_dir {
                    "the staging folder of a publish that stopped before it replaced any file"
                } else {
                    "a temporary file of a publish that stopped"
                };
                state
                    .leftovers
                    .push(leftover(share, &format!("{PUBLISH_DIR}/{name}"), what));
            }
        }
    }
    let archive = share.join(ARCHIVE_DIR);
    if share::real_dir(&archive)? {
        for (name, is_dir) in names(&archive) {
            let what = match name.strip_prefix('.') {
                Some(n) if is_dir && n.ends_with(".partial") => {
                    "an archive copy of a publish that stopped before it was complete"
                }
                Some(n) if is_dir && n.ends_with(".deleting") => {
                    "an archived bundle whose pruning did not finish"
                }
                _ => continue,
            };
            state
                .leftovers
                .push(leftover(share, &format!("{ARCHIVE_DIR}/{name}"), what));
        }
    }
    Ok(state)
}

/// The names in `dir`, sorted, each with whether it is a real folder (links are not followed).
fn names(dir: &Path) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|item| {
            let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
            (item.file_name().to_string_lossy().to_string(), is_dir)
        })
        .collect();
    names.sort();
    names
}

fn leftover(share: &Path, rel: &str, what: &str) -> Leftover {
    let bytes = walkdir::WalkDir::new(share.join(rel))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    Leftover {
        path: rel.to_string(),
        bytes,
        what: what.to_string(),
    }
}
