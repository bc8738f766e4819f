//! `lifeboat build`: content folder -> output folder, all or nothing.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use crate::bundle;
use crate::cli::BuildOptions;
use crate::diagnostics::{summary, Severity};
use crate::package::signing::{self, Signer};
use crate::package::sink::Sink;
use crate::package::{cache, output};
use crate::progress::Progress;
use crate::snapshot::Snapshot;
use crate::timings::{Stage, Timings};

/// Content whose revision (its last commit: the snapshot's date when `SOURCE_DATE_EPOCH` is not set)
/// is already older than the backup policy makes a copy that opens stale: said as a warning, in the
/// sentence every reader of the bundle uses (`manifest::Age`). A `SOURCE_DATE_EPOCH` is a date chosen
/// on purpose (a reproduction, a test) and is not warned about. Now is `LIFEBOAT_NOW` when set.
fn stale_warning(project: &crate::content::Project, snapshot: &Snapshot) -> Option<String> {
    if std::env::var_os("SOURCE_DATE_EPOCH").is_some() || snapshot.commit.is_none() {
        return None;
    }
    let now = super::verify::now(None).ok()?;
    let frequency = *project.site.backup.frequency_days.get_ref();
    let age = crate::package::manifest::Age::at(snapshot.epoch, frequency, now);
    age.stale().then(|| {
        format!(
            "warning: the content's last commit is older than the backup policy ([backup] frequency_days): {}",
            crate::package::manifest::stale_sentence_en(age, &snapshot.date, frequency)
        )
    })
}

pub fn run(opts: &BuildOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let progress = Progress::on_stderr(opts.quiet);
    progress.step("checking the content", 0);
    let timings = Timings::default();
    let crate::pipeline::Prepared {
        report,
        loaded,
        keys,
    } = crate::pipeline::prepare_timed(
        &opts.content_dir,
        opts.env.as_deref(),
        &opts.key_file,
        &timings,
    );
    progress.finish();
    super::print_report(&report);
    let unloaded = loaded.is_none();
    let Some((project, checked)) = loaded.filter(|_| !report.has_errors()) else {
        let errors = report.count(Severity::Error);
        let warnings = report.count(Severity::Warning);
        eprintln!(
            "build stopped ({}); `{}` was not changed",
            summary(errors, warnings),
            opts.out.display()
        );
        return Ok(if unloaded {
            super::unloaded_exit(&opts.content_dir)
        } else {
            ExitCode::from(super::EXIT_PROBLEMS)
        });
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("build stopped; `{}` was not changed", opts.out.display());
            return Ok(ExitCode::from(2));
        }
    };
    let signer = match signer(&project) {
        Ok(signer) => signer,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("build stopped; `{}` was not changed", opts.out.display());
            return Ok(ExitCode::from(2));
        }
    };
    // A linked --out is followed: the build replaces the folder it points at, and the link stays.
    let (out, followed) = output::resolve_out(&opts.out)?;
    if let Some(target) = &followed {
        eprintln!(
            "note: `{}` is a symbolic link; building into the folder it points at, `{}`",
            opts.out.display(),
            target.display()
        );
    }
    output::check_target(&out, &project.root)?;
    let snapshot = Snapshot::take(&project.root, std::env::var("SOURCE_DATE_EPOCH").ok())?;
    let basis = match previous_copy(opts, &out, &snapshot) {
        Ok(basis) => basis,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("build stopped; `{}` was not changed", opts.out.display());
            return Ok(ExitCode::from(2));
        }
    };
    // The previous output is the cache: only a folder lifeboat made (checked above), never with --no-cache.
    let previous = (!opts.no_cache)
        .then(|| cache::Previous::load(&out))
        .flatten();
    let progress = Progress::on_stderr(opts.quiet);
    let options = bundle::BuildOptions {
        previous: previous.as_ref(),
        progress: &progress,
        signing: signer.as_ref(),
        locked_files: None,
        timings: opts.timings.then_some(&timings),
        basis: basis.as_ref(),
    };
    // Files go straight into a folder beside the output, which replaces it only once complete.
    let staging = output::Staging::new(&out)?;
    let env = project
        .environment
        .as_ref()
        .map(|e| format!(", environment `{}`", e.name))
        .unwrap_or_default();
    let unzipped = bundle::build_files(&staging, &project, &checked, &snapshot, &keys, options)?;
    let stale = stale_warning(&project, &snapshot);
    // The zip needs only the written files: the content model's memory goes before the zip's buffers come.
    drop((project, checked, report));
    let bundle = bundle::zip_into(&staging, unzipped, &snapshot, options)?;
    drop(previous);
    let entries = &bundle.entries;
    let files = &bundle.files;
    progress.step("writing", 0);
    timings.time(Stage::Write, || {
        staging
            .write(cache::FILE_NAME, bundle.cache.to_toml().as_bytes())
            .with_context(|| format!("writing {}", opts.out.display()))?;
        staging
            .commit()
            .with_context(|| format!("writing {}", opts.out.display()))
    })?;
    progress.finish();
    if let Some(warning) = stale {
        eprintln!("{warning}");
    }
    if opts.timings {
        eprint!("{}", timings.table(started.elapsed()));
    }
    if !opts.quiet {
        let nodes: usize = entries.iter().map(|e| e.nodes).sum();
        let diagrams: usize = entries.iter().map(|e| e.diagrams).sum();
        println!(
            "built {} entry point{} ({diagrams} diagrams, {nodes} nodes{env}) into {} in {:.2} s",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            opts.out.display(),
            started.elapsed().as_secs_f64()
        );
        let reused = entries.iter().filter(|e| e.reused).count();
        let refreshed = match entries.iter().filter(|e| e.refreshed).count() {
            0 => String::new(),
            n => format!(" ({n} more with only the other entry points' search index replaced)"),
        };
        let (members_reused, members) = bundle.zip_reused;
        println!(
            "reused {reused} of {} entry point{}{refreshed} and {members_reused} of {members} zip chunks from the previous build{}",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            if opts.no_cache { " (--no-cache)" } else { "" }
        );
        if let Some(changes) = crate::verify::changes::summary(&bundle.manifest) {
            println!("changes: {}", changes.line());
        }
        if let Some(signer) = &signer {
            println!(
                "signed {} (key fingerprint {})",
                crate::package::manifest::FILE_NAME,
                signer.fingerprint()
            );
        }
        let mut listed: Vec<(&str, u64)> = files
            .iter()
            .map(|f| (f.file.as_str(), f.bytes))
            .chain([(bundle.archive.0.as_str(), bundle.archive.1)])
            .collect();
        listed.sort();
        for (file, bytes) in listed {
            println!(
                "  {} ({} KiB)",
                opts.out.join(file).display(),
                bytes.div_ceil(1024)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The previous copy to compare with, unless `--no-previous`: `--previous` (a warning when it holds no
/// bundle, an error when its manifest cannot be used); else the previous build in `out` when it has a
/// manifest that reads (else none, silently) — or, when that build is of the same snapshot as this one
/// (edits not yet committed, a rebuild), the copy it was itself compared with, so that rebuilding says
/// the same and reuses what did not change.
fn previous_copy(
    opts: &BuildOptions,
    out: &std::path::Path,
    snapshot: &Snapshot,
) -> Result<Option<crate::changes::Basis>, String> {
    if opts.no_previous {
        return Ok(None);
    }
    match &opts.previous {
        Some(path) => super::previous_basis(path),
        None => Ok(match crate::verify::manifest_of(out) {
            Err(_) => None,
            Ok(m) if m.snapshot_epoch == snapshot.epoch && m.source.commit == snapshot.commit => {
                cache::stored_basis(out)
            }
            Ok(m) => Some(m.basis()),
        }),
    }
}

/// The key that signs the manifest when site.toml has `[signing]`: read from the environment variable
/// it names. An error (naming the variable) when it is unset or not a key: a bundle that should be
/// signed is never built unsigned.
pub(crate) fn signer(project: &crate::content::Project) -> Result<Option<Signer>, String> {
    let Some(config) = &project.site.signing else {
        return Ok(None);
    };
    let var = config.key_env();
    let raw = std::env::var(var).unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(format!(
            "site.toml has [signing], but the environment variable {var} that holds the secret signing key is not set; set it (a new key pair: `lifeboat key new-signing`), or remove [signing]"
        ));
    }
    signing::parse_secret(&raw)
        .map(|key| Some(Signer::from_secret(key)))
        .map_err(|e| format!("the secret signing key in {var} {e}"))
}
