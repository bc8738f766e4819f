//! `lifeboat verify --drill`: the monthly drill checklist of the contingency document (section 12 of
//! `contingency.md`, in the site's language, exactly as the bundle holds it), with the items `verify`
//! checks itself marked done or not, and the others left for the person running the drill.
//!
//! The build tags each item of the checklist with an HTML comment (`<!-- drill:verify -->`), invisible
//! once the Markdown is rendered; an item without a tag this lifeboat knows (a user theme's own) is left
//! to the person.

use std::path::Path;

use serde::Serialize;

use super::share::{self, Found};
use super::signature::{SignatureReport, SignatureStatus};
use super::{Verification, VerifyError};
use crate::package::documents::CONTINGENCY_MD;

const TAG: &str = "<!-- drill:";
/// Larger contingency documents are not ours.
const MAX_DOCUMENT_BYTES: u64 = 4 << 20;

/// One item of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct DrillItem {
    /// The item's tag (`open`, `key`, `verify`, `notice`, `call`, `contacts`, `due`), if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The item as the contingency document words it (Markdown).
    pub text: String,
    /// `true`: lifeboat checked it and it holds; `false`: lifeboat checked it and it does not;
    /// absent: for the person running the drill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<bool>,
    /// What lifeboat found, for an item it checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
}

/// The checklist with what lifeboat could check.
#[derive(Debug, Clone, Serialize)]
pub struct Drill {
    /// The section's heading (`12. Exercice mensuel`).
    pub heading: String,
    pub items: Vec<DrillItem>,
}

/// The checklist of `dir`'s contingency document, its items checked against `v` and `signature`.
pub fn drill(
    dir: &Path,
    v: &Verification,
    signature: &SignatureReport,
) -> Result<Drill, VerifyError> {
    let path = dir.join(CONTINGENCY_MD);
    let raw = match share::read(&path, Some(MAX_DOCUMENT_BYTES))? {
        Found::File(raw) => raw,
        Found::Missing | Found::NotAFile(_) => {
            return Err(VerifyError::NoDrill(path.display().to_string()))
        }
    };
    let text = String::from_utf8_lossy(&raw);
    let (heading, lines) =
        checklist(&text).ok_or_else(|| VerifyError::NoDrill(path.display().to_string()))?;
    let items = lines
        .into_iter()
        .map(|(id, text)| {
            let (done, checked) = match id.as_deref() {
                Some("verify") => check_verify(v, signature),
                Some("due") => check_due(v),
                Some("notice") => check_notice(v),
                _ => (None, None),
            };
            DrillItem {
                id,
                text,
                done,
                checked,
            }
        })
        .collect();
    Ok(Drill { heading, items })
}

/// An item of the checklist as the document has it: its tag, if any, and its text.
type Line = (Option<String>, String);

/// The section holding the first drill tag: its heading, and each `- [ ]` item with its tag.
fn checklist(text: &str) -> Option<(String, Vec<Line>)> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| l.contains(TAG))?;
    let start = lines[..first].iter().rposition(|l| l.starts_with("## "))?;
    let end = lines[first..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |i| first + i);
    let heading = lines[start].trim_start_matches('#').trim().to_string();
    let items = lines[start + 1..end]
        .iter()
        .filter_map(|l| l.strip_prefix("- [ ] "))
        .map(|item| match item.find(TAG) {
            Some(at) => {
                let id = item[at + TAG.len()..]
                    .split(" -->")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                (Some(id), item[..at].trim_end().to_string())
            }
            None => (None, item.trim_end().to_string()),
        })
        .collect();
    Some((heading, items))
}

type Checked = (Option<bool>, Option<String>);

fn check_verify(v: &Verification, signature: &SignatureReport) -> Checked {
    let files = v
        .files
        .iter()
        .filter(|f| f.status != super::FileStatus::Extra)
        .count();
    let sig = match signature.status {
        SignatureStatus::Unsigned => "not signed".to_string(),
        SignatureStatus::Valid => "signature valid".to_string(),
        SignatureStatus::Present => format!(
            "signature present (fingerprint {}; check it with --public-key)",
            signature.fingerprint.as_deref().unwrap_or("")
        ),
        SignatureStatus::Missing => "signature missing".to_string(),
        SignatureStatus::Bad => "signature bad".to_string(),
    };
    let ok = v.ok && !signature.is_problem();
    let text = if ok {
        format!("{files} files intact, {sig}")
    } else {
        format!("FAILED: see the problems above ({sig})")
    };
    (Some(ok), Some(text))
}

fn check_due(v: &Verification) -> Checked {
    let s = &v.stale;
    if s.future {
        return (
            Some(false),
            Some(format!("the snapshot {} is dated after now", v.snapshot)),
        );
    }
    if s.stale {
        return (Some(false), Some(s.sentence(&v.snapshot)));
    }
    (
        Some(true),
        Some(format!(
            "renew by {}, {} day(s) left; plan the next copy",
            s.next_due, s.days_left
        )),
    )
}

fn check_notice(v: &Verification) -> Checked {
    match &v.notice {
        None => (
            Some(true),
            Some("no notice left set on the launcher".to_string()),
        ),
        Some(n) => (
            Some(false),
            Some(format!(
                "a notice ({}) is set since {}: if it is the test one, clear it with `lifeboat notice {} --clear`",
                n.kind.name(),
                shown(&n.time),
                v.dir
            )),
        ),
    }
}

/// Text read from the share, for a terminal: control characters escaped, everything else as it is.
pub fn shown(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_debug().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

impl Drill {
    /// The checklist as text: `[x]` done by lifeboat, `[!]` checked and failing, `[ ]` for the person.
    pub fn text(&self) -> String {
        let mut out = format!("drill    {}\n", shown(&self.heading));
        for item in &self.items {
            let mark = match item.done {
                Some(true) => "[x]",
                Some(false) => "[!]",
                None => "[ ]",
            };
            out.push_str(&format!("{mark} {}\n", shown(&item.text)));
            if let Some(checked) = &item.checked {
                out.push_str(&format!("      lifeboat: {checked}\n"));
            }
        }
        let by_lifeboat = self.items.iter().filter(|i| i.done.is_some()).count();
        let failing = self.items.iter().filter(|i| i.done == Some(false)).count();
        out.push_str(&format!(
            "drill    {by_lifeboat} of {} items checked by lifeboat ({failing} failing), {} for you to do\n",
            self.items.len(),
            self.items.len() - by_lifeboat
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::checklist;

    #[test]
    fn the_checklist_is_the_section_with_the_tags() {
        let md = "## 11. Before\n- [ ] not this\n## 12. Drill\n\nIntro\n\n- [ ] open it <!-- drill:open -->\n- [ ] a user's own item\n- [ ] run verify <!-- drill:verify -->\n\n## 13. After\n- [ ] nor this\n";
        let (heading, items) = checklist(md).unwrap();
        assert_eq!(heading, "12. Drill");
        assert_eq!(
            items,
            [
                (Some("open".to_string()), "open it".to_string()),
                (None, "a user's own item".to_string()),
                (Some("verify".to_string()), "run verify".to_string()),
            ]
        );
        assert!(checklist("## 12. Drill\n- [ ] untagged\n").is_none());
    }
}
