//! `lifeboat notice`: the outage notice at the top of a share's launcher (`publish::notice`).

use std::process::ExitCode;

use ed25519_dalek::SigningKey;

use crate::cli::NoticeOptions;
use crate::package::notice::{self, Notice, NoticeKind};
use crate::package::signing;
use crate::publish::lock::Notice as LockNotice;
use crate::publish::{self, Ops, Options, PublishError, Steps};
use crate::snapshot::rfc3339;

/// The secret signing key in the environment variable `var`, if it is set; an error naming the variable
/// when it holds no key.
pub(crate) fn signing_key(var: &str) -> Result<Option<SigningKey>, String> {
    let raw = std::env::var(var).unwrap_or_default();
    if raw.trim().is_empty() {
        return Ok(None);
    }
    signing::parse_secret(&raw)
        .map(Some)
        .map_err(|e| format!("the secret signing key in {var} {e}"))
}

pub fn run(opts: &NoticeOptions) -> anyhow::Result<ExitCode> {
    let problem = |message: String| {
        eprintln!("error: {message}");
        Ok(ExitCode::from(super::EXIT_PROBLEMS))
    };
    // The one moment of a bundle's life that is not reproducible: the notice says when it was set.
    let now = match super::verify::now(None) {
        Ok(now) => now,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(super::verify::EXIT_UNUSABLE));
        }
    };
    let wanted = match (&opts.text, opts.clear) {
        (_, true) | (None, _) => None,
        (Some(text), false) => {
            let text = match notice::check_text(text) {
                Ok(text) => text,
                Err(e) => return problem(e.to_string()),
            };
            let by = match opts.by.as_deref().map(notice::check_by).transpose() {
                Ok(by) => by.flatten(),
                Err(e) => return problem(e.to_string()),
            };
            Some(Notice {
                kind: if opts.restored {
                    NoticeKind::Restored
                } else {
                    NoticeKind::Set
                },
                text,
                by,
                time: rfc3339(now),
                epoch: now,
                built_manifest_sha256: String::new(),
            })
        }
    };
    let key = match signing_key(&opts.signing_key_env) {
        Ok(key) => key,
        Err(message) => return problem(message),
    };
    let mut ops = Ops::real(Steps {
        done: 0,
        fail_after: super::publish::fail_after(),
    });
    let notify = |n: LockNotice| match n {
        LockNotice::Waiting { holder, wait } => eprintln!(
            "note: a publish to {} is running: {holder}; waiting for it (up to {}s, --wait)",
            opts.share.display(),
            wait.as_secs()
        ),
        LockNotice::TookOver { holder, why } => eprintln!(
            "warning: took over the publish lock of {holder}: {why}, so the lock is stale"
        ),
    };
    let mut options = Options::new(0, now);
    options.wait = std::time::Duration::from_secs(opts.wait);
    options.notify = &notify;
    let kind = wanted.as_ref().map(|n| n.kind);
    match publish::notice::set(&opts.share, wanted, key.as_ref(), &options, &mut ops) {
        Ok(done) => {
            if !opts.quiet {
                let share = opts.share.display();
                let what = match kind {
                    Some(NoticeKind::Set) => "notice set",
                    Some(NoticeKind::Restored) => "notice \"restored\" set",
                    None => "notice cleared",
                };
                match (done.changed, kind) {
                    (false, None) => println!("{share} has no notice: nothing to do"),
                    (false, Some(_)) => {
                        println!("{share} already shows this notice: nothing to do")
                    }
                    (true, _) => println!(
                        "{what} on {share} (snapshot {}): index.html and {} rewritten{}",
                        done.snapshot,
                        crate::package::manifest::FILE_NAME,
                        if done.signed {
                            ", manifest signed again"
                        } else {
                            ""
                        }
                    ),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (PublishError::Notice { .. }
            | PublishError::Locked { .. }
            | PublishError::BadBundle { .. }),
        ) => problem(e.to_string()),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(super::verify::EXIT_UNUSABLE))
        }
    }
}
