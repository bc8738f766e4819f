//! Call fields (docs/call-assistant.md): their declarations in site.toml and entry.toml, the
//! `{{ ask x }}` and `{{ call.x }}` written in diagrams, the wrap-up template and the call log settings.

use std::collections::{HashMap, HashSet};

use super::reach::{self, Graph};
use crate::content::config::{Field, FieldKind};
use crate::content::vars::{self, CallKind, CallUse};
use crate::content::{CallField, Diagram, Project};
use crate::diagnostics::{nearest, Diagnostic, FileId, Report};

/// The names a wrap-up template may use besides `{{ call.x }}`.
pub const WRAPUP_NAMES: &[&str] = &[
    "fields",
    "path",
    "end",
    "now",
    "started",
    "entry",
    "snapshot",
    "environment",
    "comment",
];

/// Longest `keep_days` of `[call_log]`: the log holds customer data on a workstation.
pub const MAX_KEEP_DAYS: i64 = 90;

pub(crate) fn check(project: &Project, graph: &Graph, report: &mut Report) {
    let site = &project.site;
    for (name, field) in &site.fields {
        check_declaration(name, field, project.site_file, report);
    }
    let mut asked_anywhere: HashSet<&str> = HashSet::new();
    for entry in &project.entries {
        for (name, field) in &entry.config.fields {
            check_declaration(name, field, entry.file, report);
            if site.fields.contains_key(name) {
                report.push(
                    Diagnostic::error(format!(
                        "field `{name}` is already declared in site.toml for every entry point"
                    ))
                    .at(entry.file, field.span())
                    .label("declared again here")
                    .hint("remove it here (the site's field is already offered), or rename it"),
                );
            }
        }
        let fields = project.call_fields(entry);
        let by_name: HashMap<&str, &CallField> = fields.iter().map(|f| (f.name, f)).collect();
        let mut asked: HashSet<&str> = HashSet::new();
        for diagram in &entry.diagrams {
            for call in &diagram.call_uses {
                if !by_name.contains_key(call.name.as_str()) {
                    report.push(unknown_field(call, diagram.file, &fields));
                    continue;
                }
                if let Some(place) = forbidden_place(diagram, call) {
                    report.push(
                        Diagnostic::error(format!(
                            "a call field cannot be used in {place}: only in a step's text"
                        ))
                        .at(diagram.file, call.span.clone())
                        .label("here")
                        .hint("titles and answers are the same for every call; put the value in the step's text"),
                    );
                }
                if call.kind == CallKind::Ask {
                    asked.insert(call.name.as_str());
                }
            }
        }
        for field in entry.config.fields.iter() {
            if !asked.contains(field.0.as_str()) && !site.fields.contains_key(field.0) {
                report.push(never_asked(
                    field.0,
                    entry.file,
                    field.1.span(),
                    "this entry point",
                ));
            }
        }
        asked_anywhere.extend(asked);
    }
    for (name, field) in &site.fields {
        if !asked_anywhere.contains(name.as_str()) {
            report.push(never_asked(
                name,
                project.site_file,
                field.span(),
                "any entry point",
            ));
        }
    }
    check_shown_before_asked(project, graph, report);
    check_wrapup(project, report);
    let keep = &site.call_log.keep_days;
    if !(1..=MAX_KEEP_DAYS).contains(keep.get_ref()) {
        report.push(
            Diagnostic::error(format!(
                "call_log.keep_days must be between 1 and {MAX_KEEP_DAYS} days"
            ))
            .at(project.site_file, keep.span())
            .label("out of range")
            .hint("the log holds customer data on agents' workstations: keep it only as long as the outage needs"),
        );
    }
}

fn check_declaration(name: &str, field: &toml::Spanned<Field>, file: FileId, report: &mut Report) {
    let span = field.span();
    let field = field.get_ref();
    if !vars::is_valid_name(name) {
        report.push(
            Diagnostic::error(format!(
                "field name `{name}` may only use letters, digits and `_`, and not start with a digit"
            ))
            .at(file, span.clone())
            .label("in this table"),
        );
    }
    if field.label.trim().is_empty() {
        report.push(
            Diagnostic::error(format!("field `{name}` has an empty label"))
                .at(file, span.clone())
                .label("in this table")
                .hint("the label is what the agent reads beside the input, e.g. label = \"Numéro de compte\""),
        );
    }
    if let Some(pattern) = &field.pattern {
        if let Err(e) = regress::Regex::with_flags(pattern.get_ref(), "u") {
            report.push(
                Diagnostic::error(format!(
                    "pattern of field `{name}` is not a valid regular expression: {e}"
                ))
                .at(file, pattern.span())
                .label("invalid")
                .hint("patterns are JavaScript regular expressions, e.g. pattern = '^\\d{8}$'"),
            );
        }
    }
    let kind = *field.kind.get_ref();
    match (&field.choices, kind) {
        (Some(choices), k) if k != FieldKind::Choice => report.push(
            Diagnostic::error(format!(
                "`choices` is only for kind = \"choice\"; field `{name}` is kind = \"{}\"",
                k.name()
            ))
            .at(file, choices.span())
            .label("not used by this kind")
            .hint("write kind = \"choice\", or remove `choices`"),
        ),
        (None, FieldKind::Choice) => report.push(
            Diagnostic::error(format!(
                "field `{name}` is kind = \"choice\" but has no `choices`"
            ))
            .at(file, span.clone())
            .label("in this table")
            .hint("list what the agent picks from: choices = [\"Panne\", \"Facture\", \"Autre\"]"),
        ),
        (Some(choices), FieldKind::Choice) => {
            let mut seen = HashSet::new();
            if choices.get_ref().is_empty() {
                report.push(
                    Diagnostic::error(format!("field `{name}` has an empty `choices` list"))
                        .at(file, choices.span())
                        .label("empty"),
                );
            }
            for choice in choices.get_ref() {
                if choice.trim().is_empty() || !seen.insert(choice.as_str()) {
                    report.push(
                        Diagnostic::error(format!(
                            "field `{name}`: choice `{choice}` is empty or listed twice"
                        ))
                        .at(file, choices.span())
                        .label("in this list"),
                    );
                }
            }
        }
        (_, _) => {}
    }
}

fn unknown_field(call: &CallUse, file: FileId, fields: &[CallField]) -> Diagnostic {
    let written = match call.kind {
        CallKind::Ask => format!("{{{{ ask {} }}}}", call.name),
        CallKind::Show => format!("{{{{ call.{} }}}}", call.name),
    };
    let hint = match nearest(&call.name, fields.iter().map(|f| f.name)) {
        Some(n) => match call.kind {
            CallKind::Ask => format!("did you mean `{{{{ ask {n} }}}}`?"),
            CallKind::Show => format!("did you mean `{{{{ call.{n} }}}}`?"),
        },
        None => format!(
            "declare it in site.toml (every entry point) or this entry point's entry.toml:\n[fields.{}]\nlabel = \"…\"",
            call.name
        ),
    };
    Diagnostic::error(format!("unknown call field `{}` in `{written}`", call.name))
        .at(file, call.span.clone())
        .label("not declared")
        .hint(hint)
}

fn never_asked(name: &str, file: FileId, span: std::ops::Range<usize>, by: &str) -> Diagnostic {
    Diagnostic::warning(format!(
        "field `{name}` is declared but never asked in {by}"
    ))
    .at(file, span)
    .label("no `{{ ask … }}` for it")
    .hint(format!(
        "put `{{{{ ask {name} }}}}` in the step where the agent learns it, or remove the field"
    ))
}

/// The position of the node whose text holds `offset` (the introduction counts as the start node's).
fn node_at(diagram: &Diagram, offset: usize) -> Option<usize> {
    let i = diagram
        .nodes
        .partition_point(|n| n.heading_span.start <= offset);
    match i.checked_sub(1) {
        Some(i) => Some(i),
        None => reach::start(diagram),
    }
}

/// Where a call field may not stand: in a step's title or in an answer.
fn forbidden_place(diagram: &Diagram, call: &CallUse) -> Option<&'static str> {
    let node = &diagram.nodes[node_at(diagram, call.span.start)?];
    let at = call.span.start;
    if node.heading_span.contains(&at) {
        return Some("a step's title");
    }
    let i = node.answers.partition_point(|a| a.span.start <= at);
    let answer = node.answers.get(i.checked_sub(1)?)?;
    answer.span.contains(&at).then_some("an answer")
}

/// Warns about a `{{ call.x }}` that no step asking `x` leads to: the value is always empty there. A
/// site field's value is kept from one entry point's file to the next (the call is stored per site), so
/// its paths cross entry points; an entry point's own field stays within its file.
fn check_shown_before_asked(project: &Project, graph: &Graph, report: &mut Report) {
    // (entry point for its own fields, or None for the site's; name) -> the nodes asking it and the uses
    // showing it, found in one pass over the uses.
    type Key<'a> = (Option<usize>, &'a str);
    let mut asks: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut shows: HashMap<Key, Vec<(usize, &Diagram, &CallUse)>> = HashMap::new();
    for (e, entry) in project.entries.iter().enumerate() {
        for (d, diagram) in entry.diagrams.iter().enumerate() {
            for call in &diagram.call_uses {
                let name = call.name.as_str();
                let scope = if project.site.fields.contains_key(name) {
                    None
                } else if entry.config.fields.contains_key(name) {
                    Some(e)
                } else {
                    continue;
                };
                let Some(n) = node_at(diagram, call.span.start) else {
                    continue;
                };
                let number = graph.node(e, d, n);
                match call.kind {
                    CallKind::Ask => asks.entry((scope, name)).or_default().push(number),
                    CallKind::Show => shows
                        .entry((scope, name))
                        .or_default()
                        .push((number, diagram, call)),
                }
            }
        }
    }
    let mut keys: Vec<&Key> = shows.keys().collect();
    keys.sort();
    for key in keys {
        let roots = asks.get(key).cloned().unwrap_or_default();
        let (reached, base) = match key.0 {
            Some(e) => (graph.walk_entry(e, roots), graph.entry_nodes(e).start),
            None => (graph.walk(roots, None), 0),
        };
        let name = key.1;
        for (number, diagram, call) in &shows[key] {
            if reached[number - base] {
                continue;
            }
            report.push(
                Diagnostic::warning(format!(
                    "`{{{{ call.{name} }}}}` is shown where `{name}` can never have been asked"
                ))
                .at(diagram.file, call.span.clone())
                .label("always empty here")
                .hint(format!(
                    "no path from a step with `{{{{ ask {name} }}}}` leads to this step: ask it earlier, e.g. at the identification step"
                )),
            );
        }
    }
}

fn check_wrapup(project: &Project, report: &mut Report) {
    let Some(template) = project
        .site
        .wrapup
        .as_ref()
        .and_then(|w| w.template.as_ref())
    else {
        return;
    };
    let file = project.site_file;
    let span = template.span();
    let declared: HashSet<&str> = project
        .site
        .fields
        .keys()
        .map(String::as_str)
        .chain(
            project
                .entries
                .iter()
                .flat_map(|e| e.config.fields.keys().map(String::as_str)),
        )
        .collect();
    // The template as written, when it holds no escapes: then each problem points at its own `{{ … }}`.
    let text = template.get_ref();
    let base = report
        .file_text(file)
        .get(span.clone())
        .and_then(|raw| raw.find(text.as_str()))
        .filter(|_| !text.is_empty())
        .map(|at| span.start + at);
    let at = |r: &std::ops::Range<usize>| match base {
        Some(b) => b + r.start..b + r.end,
        None => span.clone(),
    };
    let sub = vars::substitute(text, &Default::default());
    for problem in &sub.problems {
        let (text, place) = match problem {
            vars::VarProblem::Unclosed { at: o } => {
                ("`{{` is not closed by `}}`".to_string(), *o..*o + 2)
            }
            vars::VarProblem::BadName { name, span } => {
                (format!("`{name}` is not a valid name"), span.clone())
            }
        };
        report.push(
            Diagnostic::error(format!("wrap-up template: {text}"))
                .at(file, at(&place))
                .label("in this template"),
        );
    }
    for used in &sub.uses {
        if WRAPUP_NAMES.contains(&used.name.as_str()) {
            continue;
        }
        let hint = match nearest(&used.name, WRAPUP_NAMES.iter().copied()) {
            Some(n) => format!("did you mean `{{{{ {n} }}}}`?"),
            None if declared.contains(used.name.as_str()) => {
                format!("a field's value is written `{{{{ call.{} }}}}`", used.name)
            }
            None => format!("the template may use {}", names_list()),
        };
        report.push(
            Diagnostic::error(format!("wrap-up template: unknown name `{}`", used.name))
                .at(file, at(&used.span))
                .label("in this template")
                .hint(hint),
        );
    }
    for call in &sub.calls {
        let problem = match call.kind {
            CallKind::Ask => Some(format!(
                "`{{{{ ask {} }}}}` has no place in a note: write `{{{{ call.{} }}}}`",
                call.name, call.name
            )),
            CallKind::Show if !declared.contains(call.name.as_str()) => {
                Some(format!("unknown call field `{}`", call.name))
            }
            CallKind::Show => None,
        };
        if let Some(problem) = problem {
            report.push(
                Diagnostic::error(format!("wrap-up template: {problem}"))
                    .at(file, at(&call.span))
                    .label("in this template")
                    .hint_opt(
                        nearest(&call.name, declared.iter().copied())
                            .filter(|_| call.kind == CallKind::Show)
                            .map(|n| format!("did you mean `{{{{ call.{n} }}}}`?")),
                    ),
            );
        }
    }
}

fn names_list() -> String {
    let mut list: Vec<String> = WRAPUP_NAMES
        .iter()
        .map(|n| format!("`{{{{ {n} }}}}`"))
        .collect();
    list.push("`{{ call.x }}`".into());
    list.join(", ")
}
