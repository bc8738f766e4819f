//! What a bundle says changed since the copy it was compared with (`Manifest::compared_with` and each
//! entry point's `changes`), for `verify`'s report and `build`'s and `publish`'s output. Counts and
//! diagram titles only: a locked entry point's record carries no titles.

use serde::Serialize;

use crate::package::manifest::Manifest;

/// `changes` of `verify --format json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChangesSummary {
    /// The previous copy's snapshot (RFC 3339) and commit.
    pub previous: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub diagrams_removed: usize,
    /// Entry points with a change (or new), in the manifest's order.
    pub entries: Vec<EntryChanges>,
    /// Entry points the previous copy had and this one has not.
    pub entries_removed: Vec<String>,
    /// Locked entry points that could not be compared (locked with another key than then).
    pub not_compared: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntryChanges {
    pub entry: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new_entry: bool,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub diagrams_removed: usize,
    /// Titles of the diagrams with an added or changed step (open entry points only).
    pub diagrams: Vec<String>,
}

/// `None` when the bundle was not compared with a previous copy.
pub fn summary(m: &Manifest) -> Option<ChangesSummary> {
    let compared = m.compared_with.as_ref()?;
    let mut out = ChangesSummary {
        previous: compared.snapshot.clone(),
        commit: compared.commit.clone(),
        added: 0,
        changed: 0,
        removed: 0,
        diagrams_removed: 0,
        entries: Vec::new(),
        entries_removed: compared.entries_removed.clone(),
        not_compared: Vec::new(),
    };
    for e in &m.entries {
        let Some(c) = &e.changes else {
            out.not_compared.push(e.id.clone());
            continue;
        };
        out.added += c.added;
        out.changed += c.changed;
        out.removed += c.removed;
        out.diagrams_removed += c.diagrams_removed;
        if c.new_entry || c.steps() + c.diagrams_removed > 0 {
            out.entries.push(EntryChanges {
                entry: e.id.clone(),
                new_entry: c.new_entry,
                added: c.added,
                changed: c.changed,
                removed: c.removed,
                diagrams_removed: c.diagrams_removed,
                diagrams: c.diagrams.clone(),
            });
        }
    }
    Some(out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl ChangesSummary {
    /// "3 steps added, 2 changed, 1 removed since the copy of 2026-11-01 (abc1234)".
    pub fn line(&self) -> String {
        let date = self.previous.get(..10).unwrap_or(&self.previous);
        let commit = self
            .commit
            .as_deref()
            .map(|c| format!(" ({})", c.get(..7).unwrap_or(c)))
            .unwrap_or_default();
        let mut line = format!(
            "{} added, {} changed, {} removed",
            plural(self.added, "step", "steps"),
            self.changed,
            self.removed
        );
        if self.diagrams_removed > 0 {
            line.push_str(&format!(
                ", {} removed",
                plural(self.diagrams_removed, "diagram", "diagrams")
            ));
        }
        line.push_str(&format!(" since the copy of {date}{commit}"));
        let new: Vec<&str> = self
            .entries
            .iter()
            .filter(|e| e.new_entry)
            .map(|e| e.entry.as_str())
            .collect();
        if !new.is_empty() {
            line.push_str(&format!("; new entry points: {}", new.join(", ")));
        }
        if !self.entries_removed.is_empty() {
            line.push_str(&format!(
                "; entry points removed: {}",
                self.entries_removed.join(", ")
            ));
        }
        if !self.not_compared.is_empty() {
            line.push_str(&format!(
                "; not compared (locked with another key than then): {}",
                self.not_compared.join(", ")
            ));
        }
        line
    }
}
