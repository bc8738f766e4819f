//! `lifeboat completions SHELL` and `lifeboat man`: generated from the clap definitions.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsOptions};

pub fn run(opts: &CompletionsOptions) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(opts.shell, &mut command, "lifeboat", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// The manual page, roff, to stdout: one page. clap_mangen's own subcommand section points at a page
/// per command (`lifeboat-build(1)`), which lifeboat does not install; this one lists the commands with
/// what each does and where its options are (`lifeboat COMMAND --help`).
pub fn man() -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    let page = clap_mangen::Man::new(command.clone());
    let mut out = Vec::new();
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    out.extend_from_slice(commands_section(&command).as_bytes());
    page.render_version_section(&mut out)?;
    std::io::Write::write_all(&mut std::io::stdout(), &out)?;
    Ok(ExitCode::SUCCESS)
}

/// `.SH COMMANDS`: each command (and each of a command's own commands) with its one-line help.
fn commands_section(command: &clap::Command) -> String {
    let mut out = String::from(".SH COMMANDS\n");
    let mut add = |path: &str, sub: &clap::Command| {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(path), roff(&about)));
    };
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let path = format!("lifeboat {}", sub.get_name());
        add(&path, sub);
        for inner in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
            add(&format!("{path} {}", inner.get_name()), inner);
        }
    }
    out.push_str(".PP\nEach command's options: \\fBlifeboat COMMAND \\-\\-help\\fR. The guides are in the \\fIdocs/\\fR folder of the Lifeboat repository.\n");
    out
}

/// Text as roff reads it: backslashes and dashes escaped, no line starting with a control character.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    text.lines()
        .map(|line| {
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
