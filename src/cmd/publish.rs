//! `lifeboat publish`: copy a verified bundle to a file share, atomically, keeping previous bundles.

use std::process::ExitCode;

use crate::cli::PublishOptions;
use crate::publish::lock::Notice;
use crate::publish::{self, Ops, Options, PublishError, Published, Steps};
use crate::verify;

/// Test-only hook: stop the publish after this many filesystem steps, as a crash would. Read only by a
/// binary built with the `test-hooks` feature (the one `cargo test` runs); a release binary ignores it.
#[cfg(feature = "test-hooks")]
const FAIL_AFTER_VAR: &str = "LIFEBOAT_PUBLISH_FAIL_AFTER";

/// The step after which the test hook stops the publish, if it is set (and compiled in).
pub(crate) fn fail_after() -> Option<usize> {
    #[cfg(feature = "test-hooks")]
    {
        std::env::var(FAIL_AFTER_VAR)
            .ok()
            .and_then(|v| v.trim().parse().ok())
    }
    #[cfg(not(feature = "test-hooks"))]
    {
        None
    }
}

pub fn run(opts: &PublishOptions) -> anyhow::Result<ExitCode> {
    let now = match super::verify::now(None) {
        Ok(now) => now,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(super::verify::EXIT_UNUSABLE));
        }
    };
    let mut ops = Ops::real(Steps {
        done: 0,
        fail_after: fail_after(),
    });
    let notify = |notice: Notice| match notice {
        Notice::Waiting { holder, wait } => eprintln!(
            "note: another publish to {} is running: {holder}; waiting for it (up to {}s, --wait)",
            opts.to.display(),
            wait.as_secs()
        ),
        Notice::TookOver { holder, why } => eprintln!(
            "warning: took over the publish lock of {holder}: {why}, so the lock is stale"
        ),
    };
    let key = match super::notice::signing_key(&opts.signing_key_env) {
        Ok(key) => key,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(super::verify::EXIT_UNUSABLE));
        }
    };
    let options = Options {
        keep: opts.keep,
        now,
        wait: std::time::Duration::from_secs(opts.wait),
        allow_older: opts.allow_older,
        keep_old_keys: opts.keep_old_keys,
        notify: &notify,
        signing: key.as_ref(),
    };
    match publish::publish(&opts.dir, &opts.to, &options, &mut ops) {
        Ok(p) => {
            report(opts, &p);
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (PublishError::BadBundle { .. }
            | PublishError::Locked { .. }
            | PublishError::Older { .. }
            | PublishError::Notice { .. }),
        ) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(super::EXIT_PROBLEMS))
        }
        Err(e @ PublishError::InUse { .. }) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(super::verify::EXIT_UNUSABLE))
        }
        Err(PublishError::Verify(e)) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(super::verify::EXIT_UNUSABLE))
        }
        Err(e) => Err(e.into()),
    }
}

/// Warnings on stderr; unless `--quiet`, what the publish did on stdout.
fn report(opts: &PublishOptions, p: &Published) {
    let at = |name: &str| opts.to.join(name).display().to_string();
    if p.stale {
        let why = if p.replaced_newer.is_some() {
            "--allow-older"
        } else {
            "it is the newest bundle"
        };
        eprintln!(
            "warning: snapshot {} is past its renewal date; published anyway ({why})",
            p.snapshot
        );
    }
    for (name, why) in &p.left {
        eprintln!(
            "warning: left `{}` in place: the new bundle no longer has it, but it {why}, so it is not provably lifeboat's to delete",
            at(name)
        );
    }
    for (name, why) in &p.unpruned {
        eprintln!(
            "warning: could not prune `{}` now ({why}: a file in it is probably open); the next publish tries again",
            at(name)
        );
    }
    let w = &p.withdrawn;
    for (name, why) in w.left.iter().chain(&p.kept.left) {
        eprintln!("warning: `{}` {why}", at(name));
    }
    if !p.kept.files.is_empty() {
        eprintln!(
            "warning: kept {} old copies of locked entry points in {} (--keep-old-keys); they open with the old key or with none:",
            p.kept.files.len(),
            at(verify::ARCHIVE_DIR)
        );
        for (name, why) in &p.kept.files {
            eprintln!("  {} ({why})", at(name));
        }
    }
    if opts.quiet {
        return;
    }
    if p.changed {
        println!(
            "published snapshot {} to {} ({} files)",
            p.snapshot,
            opts.to.display(),
            p.files
        );
        if let Some(d) = &p.steps {
            println!("  {}", steps_line(d));
        }
    } else {
        println!(
            "{} already holds snapshot {}: nothing to do",
            opts.to.display(),
            p.snapshot
        );
    }
    if let Some(newer) = &p.replaced_newer {
        println!("  rolled back from snapshot {newer} (--allow-older)");
    }
    if let Some(a) = &p.archived {
        println!("  previous bundle kept in {}", at(a));
    }
    let removed = !(w.files.is_empty() && w.zips.is_empty() && w.signatures.is_empty());
    if removed {
        for (name, why) in &w.files {
            println!("  withdrew {} ({why})", at(name));
        }
        for name in &w.zips {
            println!(
                "  removed {} (it held a withdrawn file; the folder keeps the bundle's other files)",
                at(name)
            );
        }
        for name in &w.signatures {
            println!(
                "  removed {} (it signed that bundle's manifest before the withdrawal; that bundle is unsigned now)",
                at(name)
            );
        }
        println!("  copies outside this share (downloads, other shares, USB keys, mail, backups and snapshots of the share) are not withdrawn: they still open as before");
    }
    for name in &p.pruned {
        println!("  pruned archive/{name} (keeping {})", opts.keep);
    }
}

/// "against what the share held: 1 step added, 3 changed, 2 removed".
fn steps_line(d: &crate::changes::Delta) -> String {
    let mut line = format!(
        "against what the share held: {} step{} added, {} changed, {} removed",
        d.added,
        if d.added == 1 { "" } else { "s" },
        d.changed,
        d.removed
    );
    if d.entries_added + d.entries_removed > 0 {
        line.push_str(&format!(
            " ({} entry point(s) added, {} removed)",
            d.entries_added, d.entries_removed
        ));
    }
    if d.not_compared > 0 {
        line.push_str(&format!(
            "; {} locked entry point(s) not compared (locked with another key than the share's)",
            d.not_compared
        ));
    }
    line
}
