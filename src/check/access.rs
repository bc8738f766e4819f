//! The content rules for locked entry points and key groups (docs/content-format.md): a locked entry
//! point should say who holds its keys; `hide_title`, `key_holders` and `key_groups` only mean something
//! on a locked one; every group an entry point names is declared in site.toml, with a usable name, and
//! every declared group is used.

use std::collections::{BTreeMap, BTreeSet};

use crate::content::{Entry, Project};
use crate::diagnostics::{nearest, Diagnostic, Report};
use crate::key::groups::{self, RECOVERY};

pub fn check(project: &Project, report: &mut Report) {
    let usable = check_groups(project, report);
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &project.entries {
        check_entry(project, entry, report);
        // Named by an entry point that is not locked is that entry point's error, not an unused group.
        for name in entry.config.key_groups.iter().flat_map(|n| n.get_ref()) {
            *used.entry(name.get_ref().as_str()).or_default() += 1;
        }
    }
    let site = project.site_file;
    for name in project.site.key_groups.keys() {
        if usable.contains(&name.get_ref().as_str()) && !used.contains_key(name.get_ref().as_str())
        {
            report.push(
                Diagnostic::warning(format!(
                    "key group `{}` is declared but no locked entry point names it",
                    name.get_ref()
                ))
                .at(site, name.span())
                .label("used by no entry point")
                .hint(format!(
                    "add `key_groups = [\"{}\"]` to the entry.toml of the entry points its key should open, or remove the group",
                    name.get_ref()
                )),
            );
        }
    }
    let access = &project.site.access;
    if *access.recovery.get_ref() && access.recovery_holders.is_empty() {
        report.push(
            Diagnostic::warning("the recovery key has no holders")
                .at(site, access.recovery.span())
                .label("recovery key here")
                .hint("add `recovery_holders = [\"Responsable continuité\"]` under [access] (roles, never the key) so the contingency document says who holds it"),
        );
    }
}

/// Group names: their shape, the reserved name, and two names that read as one variable. Returns the
/// names that pass.
fn check_groups<'p>(project: &'p Project, report: &mut Report) -> BTreeSet<&'p str> {
    let site = project.site_file;
    let mut usable = BTreeSet::new();
    let mut variables: BTreeMap<String, &str> = BTreeMap::new();
    for (name, group) in &project.site.key_groups {
        let text = name.get_ref().as_str();
        if !groups::is_valid_group_name(text) {
            report.push(
                Diagnostic::error(format!("key group name `{text}` cannot be used"))
                    .at(site, name.span())
                    .label("not a group name")
                    .hint(format!(
                        "a group name has lower-case letters a–z, digits, `-` and `_`, starts with a letter or digit, and is at most {} characters (it becomes the variable LIFEBOAT_KEY_<NAME>)",
                        groups::MAX_GROUP_NAME
                    )),
            );
            continue;
        }
        if text == RECOVERY {
            report.push(
                Diagnostic::error("`recovery` is the recovery key's name, not a key group's")
                    .at(site, name.span())
                    .label("reserved name")
                    .hint("name the group otherwise; for a key that opens every locked entry point, set `recovery = true` under [access]"),
            );
            continue;
        }
        let var = groups::env_var(text);
        if let Some(other) = variables.get(&var) {
            report.push(
                Diagnostic::error(format!(
                    "key groups `{other}` and `{text}` would both read their key from {var}"
                ))
                .at(site, name.span())
                .label("same variable")
                .hint("`-` and `_` read the same in a variable name: rename one of the groups"),
            );
            continue;
        }
        variables.insert(var, text);
        usable.insert(text);
        if group.label.trim().is_empty() {
            report.push(
                Diagnostic::error(format!("key group `{text}` has an empty `label`"))
                    .at(site, name.span())
                    .label("no label")
                    .hint("the key prompt says \"Clé du groupe <label>\": give the group's name for people"),
            );
        }
    }
    usable
}

fn check_entry(project: &Project, entry: &Entry, report: &mut Report) {
    let config = &entry.config;
    let access_span = config.access.span();
    let empty_groups = config
        .key_groups
        .as_ref()
        .is_some_and(|g| g.get_ref().is_empty());
    if entry.is_locked() && !empty_groups {
        let holders = !config.key_holders.is_empty()
            || config.key_groups.as_ref().is_some_and(|names| {
                names.get_ref().iter().any(|n| {
                    project
                        .site
                        .key_groups
                        .get(n.get_ref().as_str())
                        .is_some_and(|g| !g.holders.is_empty())
                })
            });
        if !holders {
            report.push(
                Diagnostic::warning("locked entry point names no key holders")
                    .at(entry.file, access_span)
                    .label("locked here")
                    .hint("add `key_holders = [\"Responsable continuité\"]` (roles, never the key itself) so the contingency document says whom to ask for the key"),
            );
        }
    } else if !entry.is_locked() {
        let unused = [
            (config.hide_title, "hide_title"),
            (!config.key_holders.is_empty(), "key_holders"),
        ];
        for (set, name) in unused {
            if set {
                report.push(
                    Diagnostic::warning(format!(
                        "`{name}` only applies to locked entry points (access = \"key\")"
                    ))
                    .in_file(entry.file),
                );
            }
        }
    }
    let Some(names) = &config.key_groups else {
        return;
    };
    if !entry.is_locked() {
        report.push(
            Diagnostic::error(
                "`key_groups` without `access = \"key\"`: this entry point would be built open",
            )
            .at(entry.file, names.span())
            .label("groups of a file that is not locked")
            .hint(
                "add `access = \"key\"` to lock it with these groups' keys, or remove `key_groups`",
            ),
        );
        return;
    }
    if names.get_ref().is_empty() {
        report.push(
            Diagnostic::error("`key_groups` is empty: no key would open this entry point")
                .at(entry.file, names.span())
                .label("no group")
                .hint("name the groups whose keys open it, e.g. `key_groups = [\"facturation\"]`, or remove `key_groups` to lock it with the build's one access key (LIFEBOAT_ACCESS_KEY)"),
        );
        return;
    }
    let declared = &project.site.key_groups;
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for name in names.get_ref() {
        let text = name.get_ref().as_str();
        if !seen.insert(text) {
            report.push(
                Diagnostic::warning(format!("key group `{text}` is named twice"))
                    .at(entry.file, name.span())
                    .label("again"),
            );
            continue;
        }
        if !declared.contains_key(text) {
            let candidates = declared.keys().map(|k| k.get_ref().as_str());
            let hint = match nearest(text, candidates) {
                Some(n) => format!("did you mean `{n}`?"),
                None if text == RECOVERY => "the recovery key opens every locked entry point by itself (`[access] recovery = true` in site.toml): do not name it here".to_string(),
                None => format!("declare it in site.toml: `[key_groups.{text}]` with `label = \"…\"` and `holders = [\"…\"]`"),
            };
            report.push(
                Diagnostic::error(format!("unknown key group `{text}`"))
                    .at(entry.file, name.span())
                    .label("not declared in site.toml [key_groups]")
                    .hint(hint),
            );
        }
    }
}
