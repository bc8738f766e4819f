//! One module per command. Commands return an exit code; only `main` exits.

pub mod build;
pub mod check;
pub mod completions;
pub mod import;
pub mod init;
pub mod key;
pub mod new;
pub mod publish;
pub mod schema;
pub mod serve;
pub mod stats;
pub mod verify;

use std::io::IsTerminal;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::check::Checked;
use crate::content::{self, Project};
use crate::diagnostics::Report;

/// Exit code for content problems.
pub const EXIT_PROBLEMS: u8 = 1;

/// Loads and checks a content folder; every problem found is in the report.
pub fn load_and_check(
    dir: &std::path::Path,
    env: Option<&str>,
) -> (Report, Option<(Project, Checked)>) {
    let mut report = Report::default();
    let project = content::load(dir, env, &mut report);
    crate::access::secrets::scan(&mut report);
    let result = project.map(|project| {
        let checked = crate::check::check(&project, &mut report);
        (project, checked)
    });
    report.sort();
    (report, result)
}

/// Prints diagnostics to stderr, in colour on a terminal.
pub fn print_report(report: &Report) {
    let choice = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut stderr = StandardStream::stderr(choice);
    report.emit_text(&mut stderr).ok();
}
