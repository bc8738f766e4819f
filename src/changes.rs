//! What changed since the previous copy: each step's fingerprint (of what the agent sees), the previous
//! copy's fingerprints as its manifest records them (the [`Basis`]), and the comparison of the two.
//!
//! A step's fingerprint is 16 hex digits of SHA-256 over its title, its rendered text, its answers
//! (label and the id of the step each leads to) and the names and contents of the images it shows. It
//! does not depend on where the step sits in its diagram, so reordering steps changes nothing. The
//! manifest records one line per step (`entries[].steps`):
//!
//! - open entry point: `FINGERPRINT DIAGRAM/NODE TITLE` (titles are in its file already), and one line
//!   per diagram in `entries[].diagram_titles`: `DIAGRAM TITLE`, so removed steps and diagrams can be
//!   named by title;
//! - locked entry point: `MARK(id, fingerprint) MARK(id)`, where MARK is an HMAC keyed with a key
//!   derived from the entry point's access key ([`Marker`]): nothing of the entry point can be read
//!   from them, yet two builds with the same key compare. After a key change its steps cannot be
//!   compared, and the comparison says so.
//!
//! The comparison needs only the previous manifest, never its files.

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hex digits of a fingerprint or mark.
pub const HEX_DIGITS: usize = 16;

/// One step of an entry point, as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `diagram/node`.
    pub id: String,
    pub title: String,
    pub fingerprint: String,
}

/// What a step shows, for its fingerprint.
pub struct Shown<'a> {
    pub title: &'a str,
    pub html: &'a str,
    /// Each answer's label and the entry point, diagram and node it leads to.
    pub answers: Vec<[&'a str; 4]>,
    /// Each image shown: the name it is written with, and its content id.
    pub images: Vec<(&'a str, &'a str)>,
}

/// Length-prefixed fields, so that no two different inputs hash the same way.
fn add(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// A step's fingerprint: 16 lowercase hex digits.
pub fn fingerprint(shown: &Shown) -> String {
    let mut h = Sha256::new();
    add(&mut h, b"lifeboat-step:v1");
    add(&mut h, shown.title.as_bytes());
    add(&mut h, shown.html.as_bytes());
    h.update((shown.answers.len() as u64).to_le_bytes());
    for answer in &shown.answers {
        for part in answer {
            add(&mut h, part.as_bytes());
        }
    }
    h.update((shown.images.len() as u64).to_le_bytes());
    for (name, id) in &shown.images {
        add(&mut h, name.as_bytes());
        add(&mut h, id.as_bytes());
    }
    crate::encode::hex(&h.finalize()[..HEX_DIGITS / 2])
}

/// Keyed marks for a locked entry point's steps (`access::key_id::KeyIds` implements it).
pub trait Marker: Sync {
    /// The identifier of the key of entry point `entry` (`entries[].key_id`).
    fn key_id(&self, entry: &str) -> String;
    /// 16 hex digits that reveal nothing of `text` without the key.
    fn mark(&self, entry: &str, text: &str) -> String;
}

/// The lines an entry point's steps take in the manifest (see the module's documentation).
pub fn step_lines(entry: &str, steps: &[Step], marker: Option<&dyn Marker>) -> Vec<String> {
    let mut lines: Vec<String> = match marker {
        None => steps
            .iter()
            .map(|s| format!("{} {} {}", s.fingerprint, s.id, one_line(&s.title)))
            .collect(),
        Some(m) => steps.iter().map(|s| locked_line(m, entry, s)).collect(),
    };
    if marker.is_some() {
        // Sorted by mark: the order of a locked entry point's steps is not given away either.
        lines.sort_unstable_by(|a, b| a[HEX_DIGITS + 1..].cmp(&b[HEX_DIGITS + 1..]));
    }
    lines
}

fn locked_line(m: &dyn Marker, entry: &str, s: &Step) -> String {
    let id = m.mark(entry, &format!("id\0{}", s.id));
    let print = m.mark(entry, &format!("step\0{}\0{}", s.id, s.fingerprint));
    format!("{print} {id}")
}

/// A title on one line (a manifest line holds one step).
fn one_line(title: &str) -> String {
    title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The previous copy one entry point is compared with.
#[derive(Debug, Clone, Default)]
pub struct BasisEntry {
    pub locked: bool,
    pub key_id: Option<String>,
    /// By id (open) or id mark (locked): fingerprint (or its mark) and title (open only).
    steps: HashMap<String, (String, String)>,
    /// In the previous copy's order: `diagram/node` ids (open) or marks, for the removed ones.
    order: Vec<String>,
    /// Open entry points: each diagram's id and title, in order.
    diagrams: Vec<(String, String)>,
    /// SHA-256 over the lines it was read from: part of a cache key.
    digest: [u8; 32],
    /// The lines it was read from, as they were (kept to record it again: `package::cache`).
    pub lines: Vec<String>,
    pub diagram_lines: Vec<String>,
}

impl BasisEntry {
    /// Reads an entry point's lines from a manifest (`steps`, `diagram_titles`). Lines that do not
    /// parse are skipped: a manifest read from a share is untrusted, and a comparison is only a hint.
    pub fn read(
        locked: bool,
        key_id: Option<String>,
        steps: &[String],
        diagrams: &[String],
    ) -> BasisEntry {
        let mut h = Sha256::new();
        add(&mut h, &[u8::from(locked)]);
        add(&mut h, key_id.as_deref().unwrap_or("-").as_bytes());
        let mut entry = BasisEntry {
            locked,
            key_id,
            ..BasisEntry::default()
        };
        for line in steps {
            add(&mut h, line.as_bytes());
            let mut parts = line.splitn(3, ' ');
            let (Some(print), Some(id)) = (parts.next(), parts.next()) else {
                continue;
            };
            let title = parts.next().unwrap_or("").to_string();
            if print.len() != HEX_DIGITS || id.is_empty() {
                continue;
            }
            if entry
                .steps
                .insert(id.to_string(), (print.to_string(), title))
                .is_none()
            {
                entry.order.push(id.to_string());
            }
        }
        h.update(b"diagrams");
        for line in diagrams {
            add(&mut h, line.as_bytes());
            if let Some((id, title)) = line.split_once(' ') {
                entry.diagrams.push((id.to_string(), title.to_string()));
            } else if !line.is_empty() {
                entry.diagrams.push((line.to_string(), String::new()));
            }
        }
        entry.digest = h.finalize().into();
        entry.lines = steps.to_vec();
        entry.diagram_lines = diagrams.to_vec();
        entry
    }
}

/// The previous copy: its date and revision, and each entry point's steps.
#[derive(Debug, Clone, Default)]
pub struct Basis {
    /// RFC 3339.
    pub snapshot: String,
    pub revision: Option<String>,
    entries: HashMap<String, BasisEntry>,
    /// Titles of the previous copy's entry points, by id (empty for a locked one that hides it).
    titles: Vec<(String, String)>,
}

impl Basis {
    pub fn new(snapshot: String, revision: Option<String>) -> Basis {
        Basis {
            snapshot,
            revision,
            ..Basis::default()
        }
    }

    pub fn add(&mut self, id: &str, title: &str, entry: BasisEntry) {
        self.titles.push((id.to_string(), title.to_string()));
        self.entries.insert(id.to_string(), entry);
    }

    pub fn entry(&self, id: &str) -> Option<&BasisEntry> {
        self.entries.get(id)
    }

    /// Its entry points in the order they were added: id, title, record.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, &BasisEntry)> {
        self.titles.iter().filter_map(|(id, title)| {
            self.entries
                .get(id)
                .map(|e| (id.as_str(), title.as_str(), e))
        })
    }

    /// The date part of the previous snapshot (YYYY-MM-DD).
    pub fn date(&self) -> &str {
        self.snapshot.get(..10).unwrap_or(&self.snapshot)
    }

    /// What an entry point's cache key must include: the previous copy's date and revision and the
    /// entry point's steps there.
    pub fn cache_part(&self, id: &str) -> String {
        let mut h = Sha256::new();
        add(&mut h, self.snapshot.as_bytes());
        add(&mut h, self.revision.as_deref().unwrap_or("-").as_bytes());
        match self.entries.get(id) {
            Some(e) => add(&mut h, &e.digest),
            None => add(&mut h, b"absent"),
        }
        crate::encode::hex(&h.finalize())
    }

    /// Titles of the previous copy's entry points that `current` (ids) no longer has.
    pub fn removed_entries(&self, current: &HashSet<&str>) -> Vec<String> {
        self.titles
            .iter()
            .filter(|(id, _)| !current.contains(id.as_str()))
            .map(|(id, title)| {
                if title.is_empty() {
                    id.clone()
                } else {
                    title.clone()
                }
            })
            .collect()
    }
}

/// What changed in one entry point, for the manifest (`entries[].changes`) and the documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Counts {
    /// True when the previous copy had no such entry point: every step counts as added.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_entry: bool,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub diagrams_removed: usize,
    /// Titles of the diagrams with an added or changed step (open entry points only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagrams: Vec<String>,
}

impl Counts {
    /// Steps added, changed or removed.
    pub fn steps(&self) -> usize {
        self.added + self.changed + self.removed
    }
}

/// The comparison of one entry point with its previous copy: for the viewer (the payload's `changes`,
/// inside the entry point's own file, sealed with it when it is locked) and, as [`Counts`], for the
/// manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntryChanges {
    pub new_entry: bool,
    /// `diagram/node` ids, in the entry point's order.
    pub added: Vec<String>,
    pub changed: Vec<String>,
    /// Titles of the removed steps (`diagram title › step title`); empty for a locked entry point,
    /// whose previous titles are not recorded: see `removed_count`.
    pub removed: Vec<String>,
    pub removed_count: usize,
    /// Titles of the removed diagrams (open entry points only).
    pub diagrams_removed: Vec<String>,
    pub diagrams_removed_count: usize,
    /// Titles of the diagrams with an added or changed step.
    pub diagrams: Vec<String>,
}

impl EntryChanges {
    pub fn counts(&self, locked: bool) -> Counts {
        Counts {
            new_entry: self.new_entry,
            added: self.added.len(),
            changed: self.changed.len(),
            removed: self.removed_count,
            diagrams_removed: self.diagrams_removed_count,
            diagrams: if locked {
                Vec::new()
            } else {
                self.diagrams.clone()
            },
        }
    }
}

/// What the manifest records of one entry point for the next build's comparison, and what changed in
/// it (`entries[].steps`, `diagram_titles`, `changes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub steps: Vec<String>,
    pub diagram_titles: Vec<String>,
    pub counts: Option<Counts>,
}

/// Why an entry point could not be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCompared {
    /// Locked with another key than the previous copy (or locked now and open then, or the reverse).
    KeyChanged,
}

/// Compares an entry point's `steps` (in order) and `diagrams` (id and title, in order) with its
/// previous copy. `locked`: the marker of its key, when it is locked.
pub fn compare(
    basis: &Basis,
    entry: &str,
    steps: &[Step],
    diagrams: &[(&str, &str)],
    locked: Option<&dyn Marker>,
) -> Result<EntryChanges, NotCompared> {
    let Some(old) = basis.entry(entry) else {
        // Every diagram with a step is touched.
        let with_steps: HashSet<&str> = steps.iter().map(|s| diagram_of(&s.id)).collect();
        return Ok(EntryChanges {
            new_entry: true,
            added: steps.iter().map(|s| s.id.clone()).collect(),
            diagrams: diagrams
                .iter()
                .filter(|(id, _)| with_steps.contains(id))
                .map(|(_, title)| title.to_string())
                .collect(),
            ..EntryChanges::default()
        });
    };
    let key_id = locked.map(|m| m.key_id(entry));
    if old.locked != locked.is_some() || (locked.is_some() && old.key_id != key_id) {
        return Err(NotCompared::KeyChanged);
    }
    let mut out = EntryChanges::default();
    let mut present: HashSet<String> = HashSet::with_capacity(steps.len());
    let mut touched: HashSet<&str> = HashSet::new();
    for s in steps {
        let (id, print) = match locked {
            None => (s.id.clone(), s.fingerprint.clone()),
            Some(m) => {
                let line = locked_line(m, entry, s);
                let (print, id) = line.split_at(HEX_DIGITS);
                (id[1..].to_string(), print.to_string())
            }
        };
        match old.steps.get(&id) {
            None => {
                out.added.push(s.id.clone());
                touched.insert(diagram_of(&s.id));
            }
            Some((was, _)) if *was != print => {
                out.changed.push(s.id.clone());
                touched.insert(diagram_of(&s.id));
            }
            Some(_) => {}
        }
        present.insert(id);
    }
    out.diagrams = diagrams
        .iter()
        .filter(|(id, _)| touched.contains(id))
        .map(|(_, title)| title.to_string())
        .collect();
    let current_diagrams: HashSet<&str> = diagrams.iter().map(|(id, _)| *id).collect();
    let old_titles: HashMap<&str, &str> = old
        .diagrams
        .iter()
        .map(|(id, t)| (id.as_str(), t.as_str()))
        .collect();
    for id in &old.order {
        if present.contains(id) {
            continue;
        }
        out.removed_count += 1;
        if !old.locked {
            let title = old.steps.get(id).map(|(_, t)| t.as_str()).unwrap_or("");
            let diagram = diagram_of(id);
            let step_title = if title.is_empty() { id.as_str() } else { title };
            out.removed.push(match old_titles.get(diagram) {
                Some(d) if !d.is_empty() && current_diagrams.contains(diagram) => {
                    format!("{d} › {step_title}")
                }
                _ => step_title.to_string(),
            });
        }
    }
    for (id, title) in &old.diagrams {
        if !current_diagrams.contains(id.as_str()) {
            out.diagrams_removed_count += 1;
            out.diagrams_removed.push(if title.is_empty() {
                id.clone()
            } else {
                title.clone()
            });
        }
    }
    if old.locked {
        // A locked entry point records no diagram titles: diagrams removed are not known apart from
        // their steps.
        out.diagrams_removed.clear();
    }
    Ok(out)
}

fn diagram_of(step: &str) -> &str {
    step.split_once('/').map_or(step, |(d, _)| d)
}

/// Steps added, changed and removed between two copies, counted from their manifests alone
/// (`publish`'s summary of what it installs against what the share held).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Entry points only one of the two has.
    pub entries_added: usize,
    pub entries_removed: usize,
    /// Locked entry points whose key changed: their steps cannot be compared.
    pub not_compared: usize,
}

impl Basis {
    /// What changed from `self` (the older copy) to `new`.
    pub fn delta(&self, new: &Basis) -> Delta {
        let mut d = Delta::default();
        for (id, _) in &new.titles {
            let Some(now) = new.entries.get(id) else {
                continue;
            };
            let Some(was) = self.entries.get(id) else {
                d.entries_added += 1;
                d.added += now.steps.len();
                continue;
            };
            if was.locked != now.locked || was.key_id != now.key_id {
                d.not_compared += 1;
                continue;
            }
            for (step, (print, _)) in &now.steps {
                match was.steps.get(step) {
                    None => d.added += 1,
                    Some((old, _)) if old != print => d.changed += 1,
                    Some(_) => {}
                }
            }
            d.removed += was
                .steps
                .keys()
                .filter(|step| !now.steps.contains_key(*step))
                .count();
        }
        for (id, _) in &self.titles {
            if !new.entries.contains_key(id) {
                d.entries_removed += 1;
                d.removed += self.entries.get(id).map_or(0, |e| e.steps.len());
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, title: &str, text: &str) -> Step {
        Step {
            id: id.into(),
            title: title.into(),
            fingerprint: fingerprint(&Shown {
                title,
                html: text,
                answers: Vec::new(),
                images: Vec::new(),
            }),
        }
    }

    fn basis_of(steps: &[Step], diagrams: &[&str]) -> Basis {
        let lines = step_lines("e", steps, None);
        let diagrams: Vec<String> = diagrams.iter().map(|d| d.to_string()).collect();
        let mut basis = Basis::new("2026-11-01T00:00:00Z".into(), Some("abc".into()));
        basis.add("e", "E", BasisEntry::read(false, None, &lines, &diagrams));
        basis
    }

    #[test]
    fn edited_added_and_removed_steps_are_found_and_order_does_not_matter() {
        let before = [
            step("a/one", "One", "x"),
            step("a/two", "Two", "y"),
            step("b/three", "Three", "z"),
        ];
        let basis = basis_of(&before, &["a Alpha", "b Beta"]);
        let after = [
            step("a/two", "Two", "y (edited)"),
            step("a/one", "One", "x"),
            step("a/four", "Four", "w"),
        ];
        let c = compare(&basis, "e", &after, &[("a", "Alpha")], None).unwrap();
        assert_eq!(c.added, ["a/four"]);
        assert_eq!(c.changed, ["a/two"]);
        assert_eq!(c.removed, ["Three"]);
        assert_eq!(c.diagrams_removed, ["Beta"]);
        assert_eq!(c.diagrams, ["Alpha"]);
        let same = compare(&basis, "e", &before, &[("a", "Alpha"), ("b", "Beta")], None).unwrap();
        assert_eq!(same, EntryChanges::default());
    }

    struct Fixed(&'static str);
    impl Marker for Fixed {
        fn key_id(&self, _: &str) -> String {
            self.0.to_string()
        }
        fn mark(&self, entry: &str, text: &str) -> String {
            let mut h = Sha256::new();
            h.update(self.0);
            h.update(entry);
            h.update(text);
            crate::encode::hex(&h.finalize()[..8])
        }
    }

    #[test]
    fn locked_lines_hide_ids_and_titles_and_compare_only_with_the_same_key() {
        let steps = [step("secret/step", "Secret title", "x")];
        let lines = step_lines("e", &steps, Some(&Fixed("k1")));
        assert!(!lines[0].contains("secret") && !lines[0].contains("Secret"));
        let mut basis = Basis::new("2026-11-01T00:00:00Z".into(), None);
        basis.add(
            "e",
            "",
            BasisEntry::read(true, Some("k1".into()), &lines, &[]),
        );
        let edited = [step("secret/step", "Secret title", "y")];
        let c = compare(&basis, "e", &edited, &[], Some(&Fixed("k1"))).unwrap();
        assert_eq!(c.changed, ["secret/step"]);
        assert_eq!(
            compare(&basis, "e", &edited, &[], Some(&Fixed("k2"))),
            Err(NotCompared::KeyChanged)
        );
    }

    #[test]
    fn a_delta_between_two_manifests_counts_steps_and_entry_points() {
        let old = basis_of(&[step("a/one", "One", "x"), step("a/two", "Two", "y")], &[]);
        let mut new = basis_of(
            &[step("a/one", "One", "x!"), step("a/three", "Three", "z")],
            &[],
        );
        let lines = step_lines("f", &[step("b/x", "X", "x")], None);
        new.add("f", "F", BasisEntry::read(false, None, &lines, &[]));
        let d = old.delta(&new);
        assert_eq!((d.added, d.changed, d.removed), (2, 1, 1));
        assert_eq!(
            (d.entries_added, d.entries_removed, d.not_compared),
            (1, 0, 0)
        );
        assert_eq!(new.delta(&new), Delta::default());
    }
}
