//! `lifeboat new entry|diagram`: one new entry point or diagram that passes `check`.

use std::process::ExitCode;

use anyhow::bail;

use crate::cli::{NewCommand, NewDiagramOptions, NewEntryOptions};
use crate::scaffold::{self, create_file, require_id};

/// The diagram `lifeboat new entry` creates with the entry point (its start).
const FIRST_DIAGRAM: &str = "start";

pub fn run(command: &NewCommand) -> anyhow::Result<ExitCode> {
    match command {
        NewCommand::Entry(opts) => entry(opts),
        NewCommand::Diagram(opts) => diagram(opts),
    }
}

fn require_content(content: &std::path::Path) -> anyhow::Result<()> {
    if !content.join("site.toml").is_file() {
        bail!(
            "`{}` is not a content folder (no site.toml); pass --content DIR, or start one with `lifeboat init`",
            content.display()
        );
    }
    Ok(())
}

fn entry(opts: &NewEntryOptions) -> anyhow::Result<ExitCode> {
    require_id("entry point", &opts.id)?;
    require_content(&opts.content)?;
    let folder = opts.content.join(&opts.id);
    if folder.exists() {
        bail!("{} already exists; pick another id", folder.display());
    }
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| scaffold::title_from_id(&opts.id));
    let language = scaffold::site_language(&opts.content);
    let schema = scaffold::entry_schema_path(&opts.content);
    let entry_file = folder.join("entry.toml");
    let diagram_file = folder.join(format!("{FIRST_DIAGRAM}.md"));
    create_file(
        &entry_file,
        &scaffold::entry_text(&title, FIRST_DIAGRAM, schema),
    )?;
    create_file(&diagram_file, &scaffold::diagram_text(&title, language))?;
    println!("created {}", entry_file.display());
    println!("created {}", diagram_file.display());
    Ok(ExitCode::SUCCESS)
}

fn diagram(opts: &NewDiagramOptions) -> anyhow::Result<ExitCode> {
    let (entry, id) = split_entry_id(&opts.path)?;
    require_content(&opts.content)?;
    let folder = opts.content.join(entry);
    if !folder.join("entry.toml").is_file() {
        bail!(
            "entry point `{entry}` not found in {} (no {entry}/entry.toml); create it with `lifeboat new entry {entry}`",
            opts.content.display()
        );
    }
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| scaffold::title_from_id(id));
    let file = folder.join(format!("{id}.md"));
    let language = scaffold::site_language(&opts.content);
    create_file(&file, &scaffold::diagram_text(&title, language))?;
    println!("created {}", file.display());
    println!("link to it from another diagram of `{entry}` with an answer such as `- [{title}]({id}.md)`");
    Ok(ExitCode::SUCCESS)
}

/// `ENTRY/ID` -> (entry, id), both valid ids.
pub fn split_entry_id(path: &str) -> anyhow::Result<(&str, &str)> {
    let path = path.strip_suffix(".md").unwrap_or(path);
    let Some((entry, id)) = path.split_once('/') else {
        bail!("expected ENTRY/ID (the entry point folder and the diagram id), got `{path}`");
    };
    require_id("entry point", entry)?;
    require_id("diagram", id)?;
    Ok((entry, id))
}
