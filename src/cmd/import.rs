//! `lifeboat import`: diagrams written in other formats.

use std::fs;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::{ImportCommand, ImportMermaidOptions};
use crate::import::mermaid;
use crate::scaffold;

pub fn run(command: &ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Mermaid(opts) => import_mermaid(opts),
    }
}

/// Exit 1 when the flowchart cannot be read (the message names the file and line); exit 2 (`Err`) when
/// the command cannot run: unreadable file, no content folder or entry point, target already there.
fn import_mermaid(opts: &ImportMermaidOptions) -> anyhow::Result<ExitCode> {
    let (entry, id) = super::new::split_entry_id(&opts.into)?;
    let content = &opts.content;
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
    let dest = folder.join(format!("{id}.md"));
    if dest.exists() && !opts.force {
        bail!(
            "{} already exists; pass --force to replace it",
            dest.display()
        );
    }
    if opts.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        bail!("--title must not be empty");
    }

    let bytes = fs::read(&opts.file).with_context(|| format!("reading {}", opts.file.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        bail!("{} is not UTF-8 text", opts.file.display());
    };
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
    let language = scaffold::site_language(content);
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
