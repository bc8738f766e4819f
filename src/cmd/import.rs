//! `lifeboat import`: diagrams written in other formats.

use std::process::ExitCode;

use crate::cli::ImportCommand;

pub fn run(command: &ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Mermaid(_opts) => anyhow::bail!("not yet"),
    }
}
