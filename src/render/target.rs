//! How a page shows where a link or answer leads. A node of this or another open entry point is shown
//! as it is (ids in the URL, titles in the map and the whole-diagram view). A node of another entry
//! point that is locked is shown by position only (`facturation.html#/~at/2/5`: diagram 2, node 5 of
//! that file) with a neutral label: its titles and ids are what the key protects, and an open file is
//! readable by anyone on the share. The locked file's viewer turns the position back into its node once
//! it is unlocked.

use crate::check::resolve::Target;
use crate::content::Project;

/// A link target as a page of another entry point may show it.
#[derive(Debug, Clone, Copy)]
pub enum Shown<'a> {
    Open(&'a Target),
    /// A node of locked entry point `entry`: its diagram's position in the entry point and the node's
    /// position in that diagram, as in the locked file's payload.
    Protected {
        entry: &'a str,
        diagram: usize,
        node: usize,
    },
}

/// How a page of entry point `from_entry` shows `target`.
pub fn shown<'a>(project: &Project, from_entry: &str, target: &'a Target) -> Shown<'a> {
    if target.entry == from_entry {
        return Shown::Open(target);
    }
    match project.entry(&target.entry).filter(|e| e.is_locked()) {
        None => Shown::Open(target),
        Some(locked) => {
            let diagram = locked.diagram_position(&target.diagram).unwrap_or(0);
            let node = locked
                .diagrams
                .get(diagram)
                .and_then(|d| d.node_position(&target.node))
                .unwrap_or(0);
            Shown::Protected {
                entry: &target.entry,
                diagram,
                node,
            }
        }
    }
}

impl Shown<'_> {
    /// The viewer URL, as seen from a page of entry point `from_entry`.
    pub fn href(&self, from_entry: &str) -> String {
        match self {
            Shown::Open(target) => target.href(from_entry),
            Shown::Protected {
                entry,
                diagram,
                node,
            } => format!("{entry}.html#/~at/{diagram}/{node}"),
        }
    }
}
