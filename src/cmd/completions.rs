//! `lifeboat completions SHELL` and `lifeboat man`: generated from the clap definitions.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsOptions};

pub fn run(opts: &CompletionsOptions) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(opts.shell, &mut command, "lifeboat", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// The manual page, roff, to stdout.
pub fn man() -> anyhow::Result<ExitCode> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout())?;
    Ok(ExitCode::SUCCESS)
}
