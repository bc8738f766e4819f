//! `lifeboat publish`: copy a verified bundle to a file share, atomically, keeping previous bundles.

use std::process::ExitCode;

use crate::cli::PublishOptions;
use crate::publish::lock::Notice;
use crate::publish::{self, Ops, Options, PublishError, Steps};

/// Test-only hook: stop the publish after this many filesystem steps, as a crash would. Read only by a
/// binary built with the `test-hooks` feature (the one `cargo test` runs); a release binary ignores it.
#[cfg(feature = "test-hooks")]
const FAIL_AFTER_VAR: &str = "LIFEBOAT_PUBLISH_FAIL_AFTER";

/// The step after which the test hook stops the publish, if it is set (and compiled in).
fn fail_after() -> Option<usize> {
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
    let options = Options {
        keep: opts.keep,
        now,
        wait: std::time::Duration::from_secs(opts.wait),
        allow_older: opts.allow_older,
        notify: &notify,
    };
    match publish::publish(&opts.dir, &opts.to, &options, &mut ops) {
        Ok(p) => {
            if p.stale {
                eprintln!(
                    "warning: snapshot {} is past its renewal date; published anyway (it is the newest bundle)",
                    p.snapshot
                );
            }
            for (name, why) in &p.left {
                eprintln!(
                    "warning: left `{}` in place: the new bundle no longer has it, but it {why}, so it is not provably lifeboat's to delete",
                    opts.to.join(name).display()
                );
            }
            for (name, why) in &p.unpruned {
                eprintln!(
                    "warning: could not prune `{}` now ({why}: a file in it is probably open); the next publish tries again",
                    opts.to.join(name).display()
                );
            }
            if !opts.quiet {
                if p.changed {
                    println!(
                        "published snapshot {} to {} ({} files)",
                        p.snapshot,
                        opts.to.display(),
                        p.files
                    );
                } else {
                    println!(
                        "{} already holds snapshot {}: nothing to do",
                        opts.to.display(),
                        p.snapshot
                    );
                }
                if let Some(a) = &p.archived {
                    println!("  previous bundle kept in {}", opts.to.join(a).display());
                }
                for name in &p.pruned {
                    println!("  pruned archive/{name} (keeping {})", opts.keep);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (PublishError::BadBundle { .. }
            | PublishError::Locked { .. }
            | PublishError::Older { .. }),
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
