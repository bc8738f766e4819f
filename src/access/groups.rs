//! Key groups and the recovery key: who holds which key, where a build takes each one, and which keys
//! open a locked entry point.
//!
//! - The **implicit group**: `LIFEBOAT_ACCESS_KEY` or `--key-file PATH`, the one key of builds before key
//!   groups; it opens every locked entry point without `key_groups`.
//! - A **key group** `[key_groups.NAME]` of site.toml: `LIFEBOAT_KEY_<NAME>` (upper case, `-` read as `_`)
//!   or `--key-file NAME=PATH`; it opens the locked entry points whose `key_groups` name it.
//! - The **recovery key** (`[access] recovery = true`): `LIFEBOAT_RECOVERY_KEY` or
//!   `--key-file recovery=PATH`; it opens every locked entry point.
//!
//! `check` refuses group names that are not lower-case letters, digits, `-` and `_`, the reserved name
//! `recovery`, and two names that read as the same variable (`a-b`, `a_b`), so the mapping is one to one.

use std::collections::BTreeMap;
use std::path::Path;

use super::{AccessError, AccessKey};
use crate::content::{Entry, Project};

pub use crate::key::groups::{
    env_var, is_valid_group_name, GROUP_ENV_PREFIX, IMPLICIT_SLOT, MAX_GROUP_NAME, RECOVERY,
    RECOVERY_ENV,
};

/// Who holds a key: the implicit group, a key group, or the recovery key's holders.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    Implicit,
    Group(String),
    Recovery,
}

impl Holder {
    /// The name of this holder's slot in a locked file and in the manifest.
    pub fn slot_name(&self) -> &str {
        match self {
            Holder::Implicit => IMPLICIT_SLOT,
            Holder::Group(name) => name,
            Holder::Recovery => RECOVERY,
        }
    }

    /// Where a build takes this holder's key, for messages.
    pub fn how_to_give(&self) -> String {
        match self {
            Holder::Implicit => format!(
                "the {} environment variable or `--key-file PATH`",
                super::KEY_ENV
            ),
            Holder::Group(name) => format!(
                "the {} environment variable or `--key-file {name}=PATH`",
                env_var(name)
            ),
            Holder::Recovery => {
                format!("the {RECOVERY_ENV} environment variable or `--key-file {RECOVERY}=PATH`")
            }
        }
    }

    fn shown(&self) -> String {
        match self {
            Holder::Implicit => "the access key".to_string(),
            Holder::Group(name) => format!("the key of group `{name}`"),
            Holder::Recovery => "the recovery key".to_string(),
        }
    }
}

/// The keys whose slots a locked entry point gets, in order: the implicit group's or its key groups' (as
/// listed), then the recovery key's when site.toml asks for one. Empty for an open entry point.
pub fn holders_of(project: &Project, entry: &Entry) -> Vec<Holder> {
    if !entry.is_locked() {
        return Vec::new();
    }
    let mut out: Vec<Holder> = match &entry.config.key_groups {
        None => vec![Holder::Implicit],
        Some(groups) => {
            let mut names: Vec<Holder> = Vec::with_capacity(groups.get_ref().len());
            for g in groups.get_ref() {
                let holder = Holder::Group(g.get_ref().clone());
                if !names.contains(&holder) {
                    names.push(holder);
                }
            }
            names
        }
    };
    if *project.site.access.recovery.get_ref() {
        out.push(Holder::Recovery);
    }
    out
}

/// The keys of one build, by holder. Its `Debug` form shows no key.
#[derive(Debug, Default, Clone)]
pub struct KeyRing {
    keys: BTreeMap<Holder, AccessKey>,
}

impl KeyRing {
    /// A ring of the implicit group's key alone (the build of before key groups).
    pub fn single(key: AccessKey) -> KeyRing {
        let mut ring = KeyRing::default();
        ring.keys.insert(Holder::Implicit, key);
        ring
    }

    pub fn get(&self, holder: &Holder) -> Option<&AccessKey> {
        self.keys.get(holder)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Every key with its holder, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (&Holder, &AccessKey)> {
        self.keys.iter()
    }

    pub fn insert(&mut self, holder: Holder, key: AccessKey) {
        self.keys.insert(holder, key);
    }
}

/// Reads where `--key-file` values point: `PATH` (the implicit group), `GROUP=PATH` or `recovery=PATH`.
/// A value is `GROUP=PATH` when what comes before its first `=` is a group name's shape (a path that
/// starts so is written `./name=…`).
pub fn parse_key_file(value: &str) -> (Option<&str>, &str) {
    match value.split_once('=') {
        Some((name, path)) if is_valid_group_name(name) => (Some(name), path),
        _ => (None, value),
    }
}

/// Where each key came from, for messages, and its text.
struct Given {
    from: String,
    text: String,
}

/// The keys a build takes, from `--key-file` values (`key_files`) and the environment (`env`): one per
/// holder, never two ways at once; a key file inside `content_root` is refused; an unknown group in
/// `--key-file` is refused with the nearest name; a needed key that is missing is refused, naming its
/// holder and how to give it; two holders with the same key are refused.
pub fn keys_for_build(
    key_files: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    project: &Project,
) -> Result<KeyRing, AccessError> {
    let declared: Vec<&str> = project
        .site
        .key_groups
        .keys()
        .map(|k| k.get_ref().as_str())
        .collect();
    let mut given: BTreeMap<Holder, Given> = BTreeMap::new();
    for value in key_files {
        let (name, path) = parse_key_file(value);
        let holder = match name {
            None => Holder::Implicit,
            Some(RECOVERY) => Holder::Recovery,
            Some(name) if declared.contains(&name) => Holder::Group(name.to_string()),
            Some(name) => {
                return Err(AccessError::UnknownGroup {
                    name: name.to_string(),
                    hint: crate::diagnostics::nearest(name, declared.iter().copied())
                        .map(|n| format!("did you mean `{n}`? "))
                        .unwrap_or_default(),
                })
            }
        };
        let text = read_key_file(Path::new(path), &project.root)?;
        let from = format!("`{path}`");
        if given.insert(holder.clone(), Given { from, text }).is_some() {
            return Err(AccessError::TwoKeys(holder.shown()));
        }
    }
    let mut env_names: Vec<(Holder, String)> = vec![
        (Holder::Implicit, super::KEY_ENV.to_string()),
        (Holder::Recovery, RECOVERY_ENV.to_string()),
    ];
    env_names.extend(
        declared
            .iter()
            .map(|name| (Holder::Group(name.to_string()), env_var(name))),
    );
    for (holder, var) in env_names {
        let Some(text) = env(&var).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        if given.contains_key(&holder) {
            return Err(AccessError::TwoKeys(holder.shown()));
        }
        given.insert(holder, Given { from: var, text });
    }

    let mut ring = KeyRing::default();
    // Each key's canonical form, to refuse one key for two holders.
    let mut seen: BTreeMap<String, Holder> = BTreeMap::new();
    for (holder, Given { from, text }) in given {
        let key =
            AccessKey::parse(text.trim()).map_err(|source| AccessError::BadKey { from, source })?;
        if let Some(other) = seen.get(&key.canonical()) {
            return Err(AccessError::SameKey(other.shown(), holder.shown()));
        }
        seen.insert(key.canonical(), holder.clone());
        ring.insert(holder, key);
    }

    // What the locked entry points need, in order: each holder with the entry points it opens.
    let mut needed: BTreeMap<Holder, Vec<String>> = BTreeMap::new();
    for entry in &project.entries {
        for holder in holders_of(project, entry) {
            needed.entry(holder).or_default().push(entry.id.clone());
        }
    }
    let missing: Vec<(Holder, Vec<String>)> = needed
        .into_iter()
        .filter(|(holder, _)| ring.get(holder).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(ring);
    }
    if let [(Holder::Implicit, ids)] = missing.as_slice() {
        return Err(AccessError::NoKey(ids.clone()));
    }
    Err(AccessError::MissingKeys(super::MissingList(
        missing
            .iter()
            .map(|(holder, ids)| missing_message(holder, ids))
            .collect(),
    )))
}

fn missing_message(holder: &Holder, ids: &[String]) -> String {
    let what = match holder {
        Holder::Implicit => "no access key was given".to_string(),
        Holder::Group(name) => format!("no key was given for key group `{name}`"),
        Holder::Recovery => {
            "site.toml has `[access] recovery = true` but no recovery key was given".to_string()
        }
    };
    format!(
        "{what}, needed by {}\n  help: pass it in {}; make one with `lifeboat key new`",
        super::entry_list(ids),
        holder.how_to_give()
    )
}

fn read_key_file(path: &Path, content_root: &Path) -> Result<String, AccessError> {
    let shown = path.display().to_string();
    if path
        .canonicalize()
        .is_ok_and(|real| real.starts_with(content_root))
    {
        return Err(AccessError::KeyFileInContent(shown));
    }
    std::fs::read_to_string(path).map_err(|e| AccessError::KeyFile {
        path: shown,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_map_to_variables_one_to_one() {
        assert_eq!(env_var("facturation"), "LIFEBOAT_KEY_FACTURATION");
        assert_eq!(env_var("service-client"), "LIFEBOAT_KEY_SERVICE_CLIENT");
        assert_eq!(env_var("b2b_2"), "LIFEBOAT_KEY_B2B_2");
        for ok in ["facturation", "b2b", "service-client", "a_b", "9"] {
            assert!(is_valid_group_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Facturation",
            "-a",
            "_a",
            "a b",
            "é",
            "a.b",
            &"a".repeat(41),
        ] {
            assert!(!is_valid_group_name(bad), "{bad}");
        }
    }

    #[test]
    fn key_file_values_name_a_group_or_a_path() {
        assert_eq!(parse_key_file("/k/a.key"), (None, "/k/a.key"));
        assert_eq!(
            parse_key_file("facturation=/k/f.key"),
            (Some("facturation"), "/k/f.key")
        );
        assert_eq!(
            parse_key_file("recovery=r.key"),
            (Some("recovery"), "r.key")
        );
        assert_eq!(parse_key_file("./a=b"), (None, "./a=b"));
        assert_eq!(parse_key_file("C:\\k=1"), (None, "C:\\k=1"));
    }
}
