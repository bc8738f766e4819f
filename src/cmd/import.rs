//! `lifeboat import`: diagrams written in other formats.

use std::fs;
use std::io::Write;
use std::path::Path;
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
    write_atomic(&dest, &written.text, opts.force)?;
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

/// Writes `text` to a temporary file beside `dest`, then moves it into place in one step: readers see
/// the old file or the new one, never half of one. Without `replace`, an existing `dest` is kept.
fn write_atomic(dest: &Path, text: &str, replace: bool) -> anyhow::Result<()> {
    let folder = dest.parent().unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("creating {}", temp.display()))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", temp.display()))?;
        drop(file);
        if replace {
            return fs::rename(&temp, dest)
                .with_context(|| format!("replacing {}", dest.display()));
        }
        // A hard link fails if `dest` appeared meanwhile, where a rename would replace it.
        match fs::hard_link(&temp, dest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!(
                    "{} already exists; pass --force to replace it",
                    dest.display()
                )
            }
            // Filesystems without hard links: check, then rename.
            Err(_) if !dest.exists() => {
                fs::rename(&temp, dest).with_context(|| format!("creating {}", dest.display()))
            }
            Err(e) => Err(anyhow::Error::new(e).context(format!("creating {}", dest.display()))),
        }
    })();
    if temp.exists() {
        fs::remove_file(&temp).ok();
    }
    result
}
