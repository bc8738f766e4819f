//! `lifeboat import`: diagrams written in other formats.

use std::fs;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::{ImportCommand, ImportDrawioOptions, ImportMermaidOptions, ImportTwineOptions};
use crate::content::markdown::slug;
use crate::import::{drawio, mermaid, twine};
use crate::scaffold;

pub fn run(command: &ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Mermaid(opts) => import_mermaid(opts),
        ImportCommand::Drawio(opts) => import_drawio(opts),
        ImportCommand::Twine(opts) => import_twine(opts),
    }
}

/// Exit 1 when the flowchart cannot be read (the message names the file and line); exit 2 (`Err`) when
/// the command cannot run: unreadable file, no content folder or entry point, target already there.
fn import_mermaid(opts: &ImportMermaidOptions) -> anyhow::Result<ExitCode> {
    let (entry, id, folder) = target(&opts.into, &opts.content, opts.title.as_deref())?;
    let dest = new_file(&folder, id, opts.force)?;

    let text = read_text(&opts.file)?;
    let markdown = opts
        .file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown" | "mdx"));
    let name = opts.file.display().to_string();
    let chart = match mermaid::read(&text, markdown, &name) {
        Ok(chart) => chart,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(super::EXIT_PROBLEMS));
        }
    };

    let title = opts
        .title
        .clone()
        .or_else(|| chart.title.clone())
        .unwrap_or_else(|| scaffold::title_from_id(id));
    let language = scaffold::site_language(&opts.content);
    let written = mermaid::write::diagram(&chart, &title, language);
    let replaced = dest.exists();
    super::write_atomic(&dest, written.text.as_bytes(), opts.force)?;
    for warning in &chart.warnings {
        eprintln!("warning: {name}:{}: {}", warning.line, warning.message);
    }
    println!(
        "{} {} from {name}: {} nodes, {} answers",
        if replaced { "replaced" } else { "created" },
        dest.display(),
        written.nodes,
        written.answers
    );
    println!(
        "link to it from another diagram of `{entry}` with an answer such as `- [{title}]({id}.md)`, then run `lifeboat check`"
    );
    Ok(ExitCode::SUCCESS)
}

/// Exit 1 when the file cannot be read (the message names the file and line, and the page and cell);
/// exit 2 (`Err`) when the command cannot run: unreadable file, no content folder or entry point, no
/// such page, a target already there.
fn import_drawio(opts: &ImportDrawioOptions) -> anyhow::Result<ExitCode> {
    let (entry, id, folder) = target(&opts.into, &opts.content, opts.title.as_deref())?;
    let text = read_text(&opts.file)?;
    let name = opts.file.display().to_string();
    let pages = match drawio::read(&text, &name) {
        Ok(pages) => pages,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(super::EXIT_PROBLEMS));
        }
    };
    let pages: Vec<drawio::Page> = match &opts.page {
        Some(wanted) => {
            let number = wanted.parse::<usize>().ok();
            let found = pages
                .iter()
                .enumerate()
                .find(|(i, p)| p.name == *wanted || number == Some(i + 1));
            match found {
                Some((_, page)) => vec![page.clone()],
                None => {
                    let names: Vec<String> =
                        pages.iter().map(|p| format!("\"{}\"", p.name)).collect();
                    bail!(
                        "{name} has no page \"{wanted}\"; its pages: {}",
                        names.join(", ")
                    );
                }
            }
        }
        None => pages,
    };
    // Diagram ids: ID for one page, ID-PAGE for each of several.
    let mut taken = std::collections::HashSet::new();
    let ids: Vec<String> = pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            if pages.len() == 1 {
                return id.to_string();
            }
            let base = match slug(&page.name) {
                s if s.is_empty() => format!("{id}-{}", i + 1),
                s => format!("{id}-{s}"),
            };
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            candidate
        })
        .collect();
    let dests: Vec<std::path::PathBuf> =
        ids.iter().map(|i| folder.join(format!("{i}.md"))).collect();
    if !opts.force {
        if let Some(dest) = dests.iter().find(|d| d.exists()) {
            bail!(
                "{} already exists; pass --force to replace it",
                dest.display()
            );
        }
    }
    let files: std::collections::HashMap<&str, &str> = pages
        .iter()
        .zip(&ids)
        .filter(|(p, _)| !p.id.is_empty())
        .map(|(p, i)| (p.id.as_str(), i.as_str()))
        .collect();
    let language = scaffold::site_language(&opts.content);
    for ((page, diagram_id), dest) in pages.iter().zip(&ids).zip(&dests) {
        let mut chart = page.chart.clone();
        let mut warnings = chart.warnings.clone();
        for node in &mut chart.nodes {
            let line = node.line;
            for link in std::mem::take(&mut node.links) {
                if let Some(target) = drawio::page_link(&link.url) {
                    // A link to another page is an answer leading to that page's diagram.
                    match (files.get(target), pages.iter().find(|p| p.id == target)) {
                        (Some(file), Some(other)) => node.page_answers.push(mermaid::NodeLink {
                            url: format!("{file}.md"),
                            tooltip: Some(other.name.clone()),
                        }),
                        _ => warnings.push(mermaid::Warning {
                            line,
                            message: format!(
                                "a link to page `{target}`, which is not imported: dropped"
                            ),
                        }),
                    }
                    continue;
                }
                let lower = link.url.to_ascii_lowercase();
                let web = crate::content::links::WEB_SCHEMES
                    .iter()
                    .any(|s| lower.starts_with(&format!("{s}:")))
                    && !link.url.contains(char::is_whitespace);
                if web {
                    node.links.push(link);
                } else {
                    warnings.push(mermaid::Warning {
                        line,
                        message: format!(
                            "the link `{}` cannot leave the offline copy: dropped",
                            link.url
                        ),
                    });
                }
            }
        }
        let default_name = page.name.is_empty()
            || page
                .name
                .strip_prefix("Page-")
                .is_some_and(|n| n.parse::<usize>().is_ok());
        let title = match (&opts.title, pages.len()) {
            (Some(t), 1) => t.clone(),
            (Some(t), _) => format!("{t} — {}", page.name),
            (None, _) if !default_name => page.name.clone(),
            (None, _) => scaffold::title_from_id(diagram_id),
        };
        let written = mermaid::write::diagram(&chart, &title, language);
        let replaced = dest.exists();
        super::write_atomic(dest, written.text.as_bytes(), opts.force)?;
        for warning in &warnings {
            eprintln!("warning: {name}:{}: {}", warning.line, warning.message);
        }
        println!(
            "{} {} from {name}{}: {} steps, {} answers",
            if replaced { "replaced" } else { "created" },
            dest.display(),
            if page.name.is_empty() {
                String::new()
            } else {
                format!(" (page \"{}\")", page.name)
            },
            written.nodes,
            written.answers
        );
    }
    println!(
        "link to it from another diagram of `{entry}` with an answer such as `- [{}]({}.md)`, then run `lifeboat check`",
        pages.first().map_or("", |p| p.name.as_str()),
        ids.first().map_or(id, String::as_str)
    );
    Ok(ExitCode::SUCCESS)
}

/// Exit 1 when the story cannot be read (the message names the file and line); exit 2 (`Err`) when
/// the command cannot run, as for Mermaid.
fn import_twine(opts: &ImportTwineOptions) -> anyhow::Result<ExitCode> {
    let (entry, id, folder) = target(&opts.into, &opts.content, opts.title.as_deref())?;
    let dest = new_file(&folder, id, opts.force)?;
    let text = read_text(&opts.file)?;
    let name = opts.file.display().to_string();
    let story = match twine::read(&text, &name) {
        Ok(story) => story,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(super::EXIT_PROBLEMS));
        }
    };
    let title = opts
        .title
        .clone()
        .or(story.title.clone())
        .unwrap_or_else(|| scaffold::title_from_id(id));
    let language = scaffold::site_language(&opts.content);
    let written = mermaid::write::diagram(&story.chart, &title, language);
    let replaced = dest.exists();
    super::write_atomic(&dest, written.text.as_bytes(), opts.force)?;
    for warning in &story.chart.warnings {
        eprintln!("warning: {name}:{}: {}", warning.line, warning.message);
    }
    println!(
        "{} {} from {name}: {} passages, {} answers",
        if replaced { "replaced" } else { "created" },
        dest.display(),
        written.nodes,
        written.answers
    );
    println!(
        "link to it from another diagram of `{entry}` with an answer such as `- [{title}]({id}.md)`, then run `lifeboat check`"
    );
    Ok(ExitCode::SUCCESS)
}

/// Where an import goes: `ENTRY/ID` split, the content folder and the entry point's folder checked, and
/// an empty `--title` refused. Errors are exit 2: the command cannot run.
fn target<'a>(
    into: &'a str,
    content: &std::path::Path,
    title: Option<&str>,
) -> anyhow::Result<(&'a str, &'a str, std::path::PathBuf)> {
    let (entry, id) = super::new::split_entry_id(into)?;
    if !content.join("site.toml").is_file() {
        bail!(
            "`{}` is not a content folder (no site.toml); pass --content DIR",
            content.display()
        );
    }
    let folder = content.join(entry);
    if !folder.join("entry.toml").is_file() {
        bail!(
            "entry point `{entry}` not found in {} (no {entry}/entry.toml); create it first with `lifeboat new entry {entry}`",
            content.display()
        );
    }
    if title.is_some_and(|t| t.trim().is_empty()) {
        bail!("--title must not be empty");
    }
    Ok((entry, id, folder))
}

/// `<folder>/<id>.md`, refused when it exists without `--force`.
fn new_file(folder: &std::path::Path, id: &str, force: bool) -> anyhow::Result<std::path::PathBuf> {
    let dest = folder.join(format!("{id}.md"));
    if dest.exists() && !force {
        bail!(
            "{} already exists; pass --force to replace it",
            dest.display()
        );
    }
    Ok(dest)
}

/// The file to import, as UTF-8 text.
fn read_text(file: &std::path::Path) -> anyhow::Result<String> {
    let bytes = fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", file.display()))
}
