//! `lifeboat build`: content folder -> output folder, all or nothing.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use crate::bundle;
use crate::cli::BuildOptions;
use crate::diagnostics::{summary, Severity};
use crate::package::output;
use crate::snapshot::Snapshot;

pub fn run(opts: &BuildOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (report, loaded) = super::load_and_check(&opts.content_dir, opts.env.as_deref());
    super::print_report(&report);
    let Some((project, checked)) = loaded.filter(|_| !report.has_errors()) else {
        let errors = report.count(Severity::Error);
        let warnings = report.count(Severity::Warning);
        eprintln!(
            "build stopped ({}); `{}` was not changed",
            summary(errors, warnings),
            opts.out.display()
        );
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    };
    output::check_target(&opts.out, &project.root)?;
    let snapshot = Snapshot::take(&project.root, std::env::var("SOURCE_DATE_EPOCH").ok())?;
    let entries = bundle::build_entries(&project, &checked, &snapshot)?;
    let files: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|e| (e.file_name.clone(), e.bytes.clone()))
        .collect();
    output::write_folder(&opts.out, &files)
        .with_context(|| format!("writing {}", opts.out.display()))?;
    if !opts.quiet {
        let nodes: usize = entries.iter().map(|e| e.nodes).sum();
        let diagrams: usize = entries.iter().map(|e| e.diagrams).sum();
        let env = project
            .environment
            .as_ref()
            .map(|e| format!(", environment `{}`", e.name))
            .unwrap_or_default();
        println!(
            "built {} entry point{} ({diagrams} diagrams, {nodes} nodes{env}) into {} in {:.2} s",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            opts.out.display(),
            started.elapsed().as_secs_f64()
        );
        for e in &entries {
            println!(
                "  {} ({} KiB)",
                opts.out.join(&e.file_name).display(),
                e.bytes.len().div_ceil(1024)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
