//! Rules that relate the parts of a content folder: ids, starts, answers and links, images, variables,
//! reachability. Every problem goes to the report; the result holds what rendering needs.

pub mod access;
pub mod branding;
pub mod content_warnings;
pub mod fields;
pub mod images;
pub mod reach;
pub mod resolve;
pub mod reviews;
pub mod secrets;
pub mod theme_trust;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::content::markdown::SectionNote;
use crate::content::{is_valid_id, links, Diagram, Project};
use crate::diagnostics::{nearest, Diagnostic, FileId, Report};
use images::ImageStore;
use resolve::Target;

/// Images over this size get a warning: they make the bundle slow to open.
pub const IMAGE_BUDGET_BYTES: usize = 1024 * 1024;

/// What `check` worked out, keyed by (diagram file, link text as written).
#[derive(Debug, Default)]
pub struct Checked {
    pub links: HashMap<(FileId, String), Target>,
    pub image_refs: HashMap<(FileId, String), String>,
    pub images: ImageStore,
    /// The user theme (`_theme/`), when there is one: whether it is trusted to run code, and its digest.
    pub user_theme: Option<theme_trust::UserTheme>,
}

pub fn check(project: &Project, report: &mut Report) -> Checked {
    let mut checked = Checked::default();
    // Read and hash every image on all cores first; the checks below then find them ready.
    let images: Vec<(&str, &str)> = project
        .entries
        .iter()
        .flat_map(|e| &e.diagrams)
        .flat_map(|d| {
            resolve::links_and_images(d)
                .filter(|f| f.is_image)
                .map(|f| (d.entry.as_str(), f.dest.as_str()))
        })
        .collect();
    checked.images.prefetch(&project.root, &images);
    check_site(project, report);
    branding::check(project, report);
    checked.user_theme = theme_trust::check(project, report);
    access::check(project, report);
    for entry in &project.entries {
        let start = &entry.config.start;
        if entry.diagram(start.get_ref()).is_none() {
            let names = entry.diagrams.iter().map(|d| d.id.as_str());
            report.push(
                Diagnostic::error(format!(
                    "start diagram `{}` not found in this entry point",
                    start.get_ref()
                ))
                .at(entry.file, start.span())
                .label("no such diagram")
                .hint_opt(nearest(start.get_ref(), names).map(|n| format!("did you mean `{n}`?"))),
            );
        }
        if entry.diagrams.is_empty() {
            report.push(
                Diagnostic::error("entry point has no diagrams (`*.md` files)").in_file(entry.file),
            );
        }
        for diagram in &entry.diagrams {
            check_nodes(diagram, report);
            check_links(project, diagram, &mut checked, report);
            check_variables(project, diagram, report);
            content_warnings::check(diagram, report);
        }
    }
    let graph = reach::Graph::new(project, &checked);
    reach::check(project, &graph, report);
    fields::check(project, &graph, report);
    // Only content that speaks of reviews needs the snapshot's date (git, or SOURCE_DATE_EPOCH).
    if reviews::needed(project) {
        if let Some(as_of) = reviews::as_of(&project.root) {
            reviews::check(project, as_of, report);
        }
    }
    checked.images.loaded();
    checked
}

fn check_site(project: &Project, report: &mut Report) {
    let site = &project.site;
    let file = project.site_file;
    let days = &site.backup.frequency_days;
    if *days.get_ref() <= 0 {
        report.push(
            Diagnostic::error("frequency_days must be a positive number of days")
                .at(file, days.span())
                .label("must be at least 1"),
        );
    }
    let url = site.online_url.get_ref();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() < 10
        || url.contains(char::is_whitespace)
    {
        report.push(
            Diagnostic::error(format!("online_url `{url}` is not a web address"))
                .at(file, site.online_url.span())
                .label("expected https://…"),
        );
    }
    if site.backup.deputy.is_none() {
        report.push(
            Diagnostic::warning(
                "backup.deputy is not set: nobody stands in for the owner of the offline copies",
            )
            .in_file(file)
            .hint("add e.g. deputy = { name = \"…\", phone = \"…\" } under [backup]"),
        );
    }
    if site.backup.locations.is_empty() {
        report.push(
            Diagnostic::warning(
                "backup.locations is empty: employees will not be told where newer copies are",
            )
            .in_file(file),
        );
    }
    for (name, values) in &site.environments {
        if !is_valid_id(name) {
            report.push(
                Diagnostic::error(format!(
                    "environment name `{name}` may only use letters, digits, `-` and `_`"
                ))
                .in_file(file),
            );
        }
        for (key, value) in values {
            if !crate::content::vars::is_valid_name(key) {
                report.push(
                    Diagnostic::error(format!("`{key}` is not a valid variable name"))
                        .at(file, value.span())
                        .hint("variable names use letters, digits and `_`"),
                );
            }
        }
    }
}

fn check_nodes(diagram: &Diagram, report: &mut Report) {
    let file = diagram.file;
    if diagram.nodes.is_empty() {
        report.push(
            Diagnostic::error("diagram has no nodes")
                .in_file(file)
                .hint("each `## Heading` starts a node; add at least one"),
        );
        return;
    }
    let mut seen: HashMap<&str, &crate::content::Node> = HashMap::new();
    for node in &diagram.nodes {
        let span = node.heading_span.clone();
        if node.id.is_empty() {
            report.push(
                Diagnostic::error("this heading gives an empty node id")
                    .at(file, span)
                    .hint("add an explicit id: `## Title {#my-id}`"),
            );
            continue;
        }
        if !is_valid_id(&node.id) {
            report.push(
                Diagnostic::error(format!(
                    "node id `{}` may only use letters, digits, `-` and `_`",
                    node.id
                ))
                .at(file, span),
            );
            continue;
        }
        if let Some(first) = seen.get(node.id.as_str()) {
            let (line, _) = report
                .line_col(file, first.heading_span.start)
                .unwrap_or((0, 0));
            report.push(
                Diagnostic::error(format!("duplicate node id `{}`", node.id))
                    .at(file, span)
                    .label("second node with this id")
                    .hint(format!(
                        "the first is on line {line}; give one of them another `{{#id}}`"
                    )),
            );
            continue;
        }
        seen.insert(&node.id, node);
        if node.title.trim().is_empty() {
            report.push(
                Diagnostic::error("node heading has no text").at(file, node.heading_span.clone()),
            );
        }
        if let [only] = node.answers.as_slice() {
            if only.dest == format!("#{}", node.id) {
                report.push(
                    Diagnostic::warning("the only answer of this node leads back to itself")
                        .at(file, only.span.clone())
                        .label("loops forever"),
                );
            }
        }
        for answer in &node.answers {
            if answer.label.is_empty() {
                report.push(Diagnostic::error("answer has no text").at(file, answer.span.clone()));
            }
        }
    }
    if let Some(start) = &diagram.front.start {
        if diagram.node(start.get_ref()).is_none() {
            let ids = diagram.nodes.iter().map(|n| n.id.as_str());
            report.push(
                Diagnostic::error(format!(
                    "start node `{}` not found in this diagram",
                    start.get_ref()
                ))
                .at(file, diagram.front_span(start))
                .label("no such node")
                .hint_opt(nearest(start.get_ref(), ids).map(|n| format!("did you mean `{n}`?"))),
            );
        }
    }
    for (span, note) in &diagram.notes {
        let d = match note {
            SectionNote::MixedAnswerList => {
                Diagnostic::warning("this list mixes answer links with other items, so none of them is read as an answer")
                    .hint("put the answers in their own list at the end of the node, separated from other lists by a paragraph")
            }
            SectionNote::AnswersNotLast => {
                Diagnostic::warning("this list of answers is not at the end of its node, so it is not read as answers")
                    .hint("move the list to the end of the node")
            }
        };
        report.push(d.at(file, span.clone()));
    }
}

fn check_links(project: &Project, diagram: &Diagram, checked: &mut Checked, report: &mut Report) {
    let file = diagram.file;
    let mut resolve_into =
        |dest: &str, span: std::ops::Range<usize>, report: &mut Report| match resolve::resolve(
            project, diagram, dest,
        ) {
            Ok(target) => {
                checked.links.insert((file, dest.to_string()), target);
            }
            Err(problem) if problem.is_about_unloadable(project) => {}
            Err(problem) => report.push(
                Diagnostic::error(problem.message())
                    .at(file, span)
                    .label("broken link")
                    .hint_opt(problem.hint()),
            ),
        };
    for answer in diagram.nodes.iter().flat_map(|n| n.answers.iter()) {
        resolve_into(&answer.dest, answer.span.clone(), report);
    }
    for found in resolve::links_and_images(diagram) {
        let dest = found.dest.as_str();
        if found.is_image {
            match checked.images.load(&project.root, &diagram.entry, dest) {
                Ok(image) => {
                    if image.len > IMAGE_BUDGET_BYTES as u64 {
                        report.push(
                            Diagnostic::warning(format!(
                                "image is {} KiB, over the {} KiB budget: the bundle will be slow to open",
                                image.len / 1024,
                                IMAGE_BUDGET_BYTES / 1024
                            ))
                            .at(file, found.span.clone()),
                        );
                    }
                    checked
                        .image_refs
                        .insert((file, dest.to_string()), image.id.clone());
                }
                Err(e) => report.push(
                    Diagnostic::error(e.to_string())
                        .at(file, found.span.clone())
                        .label("image"),
                ),
            }
        } else if links::is_diagram_link(dest) {
            resolve_into(dest, found.span.clone(), report);
        } else if links::is_external(dest) {
            if let Err(e) = links::check_external(dest) {
                report.push(
                    Diagnostic::error(format!("link to `{dest}`: {e}"))
                        .at(file, found.span.clone())
                        .label("not allowed")
                        .hint("write the full web address (`https://…`), or a `mailto:` or `tel:` link"),
                );
            }
        } else if !dest.is_empty() {
            report.push(
                Diagnostic::error(format!(
                    "link to `{}` leads to a file that is not in the offline copy",
                    dest
                ))
                .at(file, found.span.clone())
                .label("not bundled")
                .hint("link to a diagram (`x.md`, `x.md#node`) or to a full web address"),
            );
        }
    }
}

fn check_variables(project: &Project, diagram: &Diagram, report: &mut Report) {
    let envs = &project.site.environments;
    let file = diagram.file;
    let chosen = project.environment.as_ref();
    let mut reported_missing: HashSet<(&str, &str)> = HashSet::new();
    for var in &diagram.var_uses {
        let name = var.name.as_str();
        let defined_somewhere = envs.values().any(|vars| vars.contains_key(name));
        if !defined_somewhere {
            let all_names: BTreeMap<&str, ()> = envs
                .values()
                .flat_map(|v| v.keys())
                .map(|k| (k.as_str(), ()))
                .collect();
            let mut d =
                Diagnostic::error(format!("unknown variable `{name}`")).at(file, var.span.clone());
            d = match nearest(name, all_names.keys().copied()) {
                Some(n) => d.hint(format!("did you mean `{{{{ {n} }}}}`?")),
                None if envs.is_empty() => {
                    d.hint("define it under [environments.NAME] in site.toml")
                }
                None => d.hint("define it in every [environments.*] table of site.toml"),
            };
            report.push(d);
            continue;
        }
        for (env_name, vars) in envs {
            if vars.contains_key(name) || !reported_missing.insert((name, env_name)) {
                continue;
            }
            let chosen_here = chosen.is_some_and(|c| c.name == *env_name);
            let severity = if chosen_here {
                "used by this build"
            } else {
                "every environment needs every variable"
            };
            report.push(
                Diagnostic::error(format!(
                    "variable `{name}` is missing from environment `{env_name}`"
                ))
                .at(file, var.span.clone())
                .label(severity)
                .hint(format!(
                    "add `{name} = \"…\"` under [environments.{env_name}] in site.toml"
                )),
            );
        }
    }
    check_hard_coded(project, diagram, report);
}

/// Warns where content types by hand a value that an environment defines (it will not change with --env).
fn check_hard_coded(project: &Project, diagram: &Diagram, report: &mut Report) {
    let text = report.file_text(diagram.file).to_string();
    let Some((_, body_start)) = crate::content::split_front_matter(&text) else {
        return;
    };
    let mut found = Vec::new();
    for (env_name, vars) in &project.site.environments {
        for (name, value) in vars {
            let value = value.get_ref().to_string();
            if value.chars().count() < 5 {
                continue;
            }
            for (at, _) in text[body_start..].match_indices(value.as_str()) {
                let start = body_start + at;
                found.push((start..start + value.len(), name.clone(), env_name.clone()));
            }
        }
    }
    found.sort_by(|a, b| (a.0.start, &a.1).cmp(&(b.0.start, &b.1)));
    found.dedup_by(|a, b| a.0 == b.0);
    for (span, name, env_name) in found {
        report.push(
            Diagnostic::warning(format!(
                "hard-coded value of `{name}` from environment `{env_name}`"
            ))
            .at(diagram.file, span)
            .label("will not change with the environment")
            .hint(format!("write `{{{{ {name} }}}}` instead")),
        );
    }
}
