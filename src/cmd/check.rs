//! `lifeboat check`: report every problem, write nothing.

use std::process::ExitCode;

use crate::cli::{CheckOptions, Format};
use crate::diagnostics::Severity;

pub fn run(opts: &CheckOptions) -> anyhow::Result<ExitCode> {
    let (report, loaded) = super::load_and_check(&opts.content_dir, opts.env.as_deref());
    match opts.format {
        Format::Text => {
            super::print_report(&report);
            if report.diagnostics().is_empty() {
                eprintln!("no problems found in {}", opts.content_dir.display());
            }
        }
        Format::Json => println!("{}", report.to_json()),
    }
    if loaded.is_none() {
        return Ok(super::unloaded_exit(&opts.content_dir));
    }
    let failed = report.has_errors() || (opts.deny_warnings && report.count(Severity::Warning) > 0);
    Ok(if failed {
        ExitCode::from(super::EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    })
}
