//! `lifeboat verify`: is this bundle folder intact, current, and in step with its sources?

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::{Format, VerifyOptions};
use crate::package::manifest;
use crate::package::signing;
use crate::publish::leftovers::ShareState;
use crate::verify::archived::ArchivedCheck;
use crate::verify::rebuild::{Rebuild, RebuildStatus};
use crate::verify::signature::{SignatureReport, SignatureStatus};
use crate::verify::{self, BehindStatus, FileStatus, Phase, Side, Verification};

/// Exit code when the folder cannot be verified at all (no manifest, unreadable, unknown format).
pub const EXIT_UNUSABLE: u8 = 2;

pub fn run(opts: &VerifyOptions) -> anyhow::Result<ExitCode> {
    let now = match now(opts.now.as_deref()) {
        Ok(now) => now,
        Err(message) => return Ok(unusable(opts.format, &message)),
    };
    let trusted = match opts.public_key.as_deref().map(signing::public_key_argument) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(message)) => return Ok(unusable(opts.format, &message)),
    };
    let sources = match &opts.content {
        None => None,
        Some(content) => {
            // Compare with the environment the bundle was built for: its values are part of the sources.
            let env = verify::manifest_of(&opts.dir)
                .ok()
                .and_then(|m| m.environment.name);
            let (report, loaded) = super::load_and_check(content, env.as_deref());
            let Some((project, checked)) = loaded.filter(|_| !report.has_errors()) else {
                super::print_report(&report);
                return Ok(unusable(
                    opts.format,
                    &format!(
                        "the content in `{}` has errors; it cannot be compared with the bundle",
                        content.display()
                    ),
                ));
            };
            let hashes: BTreeMap<String, String> = project
                .entries
                .iter()
                .map(|e| (e.id.clone(), manifest::source_hash(&project, e, &checked)))
                .collect();
            Some(hashes)
        }
    };
    let mut result = match verify::verify(&opts.dir, now, sources.as_ref(), opts.in_progress_max) {
        Ok(result) => result,
        Err(e) => return Ok(unusable(opts.format, &e.to_string())),
    };
    let signature = match verify::signature::check_dir(&opts.dir, trusted.as_ref()) {
        Ok(signature) => signature,
        Err(e) => return Ok(unusable(opts.format, &e.to_string())),
    };
    let rebuilt = match &opts.rebuild {
        None => None,
        Some(content) => match rebuild(opts, content, trusted.as_ref()) {
            Ok(rebuilt) => Some(rebuilt),
            Err(code) => return Ok(code),
        },
    };
    let drill = match opts.drill {
        false => None,
        true => match verify::drill::drill(&opts.dir, &result, &signature) {
            Ok(drill) => Some(drill),
            Err(e) => return Ok(unusable(opts.format, &e.to_string())),
        },
    };
    // The lock and what a stopped publish left: the share's, not the bundle's (publish reads the
    // bundle with `verify::verify` while its own lock and staging folder are on the share).
    let staging = verify::share::read_journal(&opts.dir)
        .ok()
        .flatten()
        .map(|j| j.staging);
    let share = match crate::publish::leftovers::inspect(&opts.dir, now, staging.as_deref()) {
        Ok(share) => share,
        Err(e) => return Ok(unusable(opts.format, &e.to_string())),
    };
    let archived = if opts.archive {
        match verify::archived::check(&opts.dir, now) {
            Ok(archived) => Some(archived),
            Err(e) => return Ok(unusable(opts.format, &e.to_string())),
        }
    } else {
        None
    };
    let extras = Extras {
        signature: &signature,
        rebuild: rebuilt.as_ref(),
        share: &share,
        archived: archived.as_deref(),
    };
    result.ok = result.ok && extras.problems() == 0;
    // An early warning before the due date: not a problem, the exit stays 0.
    let stale_soon = opts
        .warn_days
        .filter(|days| !result.stale.stale && result.stale.days_left <= *days)
        .map(|_| {
            format!(
                "the copy goes stale in {} day(s): renew it by {}",
                result.stale.days_left, result.stale.next_due
            )
        });
    // A newer lifeboat or another tool added fields: monitoring must not break over it.
    let unknown = (!result.unknown_fields.is_empty()).then(|| {
        format!(
            "the manifest has fields this lifeboat does not know, ignored: {} (written by a newer lifeboat or another tool)",
            result.unknown_fields.join(", ")
        )
    });
    let warnings: Vec<String> = stale_soon.into_iter().chain(unknown).collect();
    let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
    let text = match opts.format {
        Format::Text => {
            let mut text = text(&result, &extras);
            for w in warnings.iter().rev() {
                text.insert_str(0, &format!("warning  {w}\n"));
            }
            if let Some(drill) = &drill {
                text.push_str(&drill.text());
            }
            text
        }
        Format::Json => {
            let report = JsonReport {
                status: if result.ok { "ok" } else { "problems" },
                warning: warning.as_deref(),
                verification: &result,
                signature: &signature,
                rebuild: rebuilt.as_ref(),
                drill: drill.as_ref(),
                share: &share,
                archive: archived.as_deref(),
            };
            serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
        }
    };
    // A monitoring pipe that closes early is not an error of the bundle.
    std::io::stdout().lock().write_all(text.as_bytes()).ok();
    Ok(if result.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PROBLEMS)
    })
}

/// What `--public-key` and `--rebuild` add to the checks against the manifest.
struct Extras<'a> {
    signature: &'a SignatureReport,
    rebuild: Option<&'a Rebuild>,
    share: &'a ShareState,
    /// `--archive`: each bundle of `archive/`.
    archived: Option<&'a [ArchivedCheck]>,
}

impl Extras<'_> {
    fn problems(&self) -> usize {
        usize::from(self.signature.is_problem())
            + self.rebuild.map_or(0, Rebuild::problems)
            + self.share.problems()
            + self
                .archived
                .map_or(0, |a| a.iter().map(|c| c.problems.len()).sum())
    }
}

/// The JSON report: the verification's fields, then the signature and the rebuild.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    /// `ok` (exit 0) or `problems` (exit 1); `unusable` (exit 2) is written by [`unusable`].
    status: &'static str,
    /// `--warn-days`: the copy goes stale soon.
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<&'a str>,
    #[serde(flatten)]
    verification: &'a Verification,
    signature: &'a SignatureReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    rebuild: Option<&'a Rebuild>,
    /// `--drill`: the contingency document's drill checklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    drill: Option<&'a verify::drill::Drill>,
    /// `lock` (the share's publish lock, when held) and `leftovers` (what a stopped publish left).
    #[serde(flatten)]
    share: &'a ShareState,
    /// `--archive`: each bundle of `archive/`, checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    archive: Option<&'a [ArchivedCheck]>,
}

/// `--rebuild CONTENT`: loads the content with the environment the bundle was built for, then rebuilds
/// and compares. Content with errors is reported as `--content` does (exit 2).
fn rebuild(
    opts: &VerifyOptions,
    content: &std::path::Path,
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<Rebuild, ExitCode> {
    let (dir, format) = (opts.dir.as_path(), opts.format);
    let basis = match &opts.previous {
        Some(path) => Some(
            verify::manifest_of(path)
                .map_err(|e| unusable(format, &format!("--previous: {e}")))?
                .basis(),
        ),
        None => None,
    };
    let env = verify::read_manifest(&dir.join(manifest::FILE_NAME))
        .map_err(|e| unusable(format, &e.to_string()))?
        .0
        .environment
        .name;
    let (report, loaded) = super::load_and_check(content, env.as_deref());
    let Some((project, checked)) = loaded.filter(|_| !report.has_errors()) else {
        super::print_report(&report);
        return Err(unusable(
            format,
            &format!(
                "the content in `{}` has errors; it cannot be rebuilt to compare with the bundle",
                content.display()
            ),
        ));
    };
    verify::rebuild::rebuild(dir, &project, &checked, trusted, basis.as_ref())
        .map_err(|e| unusable(format, &e))
}

/// Exit 2, saying why on stderr, and with `--format json` as a JSON object on stdout too, so that a
/// monitoring job reading the JSON sees every failure: `{"status": "unusable", "error": "…"}`.
fn unusable(format: Format, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    if format == Format::Json {
        let report = serde_json::json!({ "status": "unusable", "error": message });
        let text = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
        std::io::stdout().lock().write_all(text.as_bytes()).ok();
    }
    ExitCode::from(EXIT_UNUSABLE)
}

/// The current time: `--now`, else `LIFEBOAT_NOW` (both for tests and dry runs), else the clock.
pub fn now(flag: Option<&str>) -> Result<i64, String> {
    if let Some(raw) = flag {
        return parse_time(raw).ok_or_else(|| {
            format!("--now must be an RFC 3339 time (2025-12-24T08:00:00Z) or seconds since 1970, not `{raw}`")
        });
    }
    match std::env::var("LIFEBOAT_NOW") {
        Ok(raw) => parse_time(&raw).ok_or_else(|| {
            format!("LIFEBOAT_NOW must be an RFC 3339 time or seconds since 1970, not `{raw}`")
        }),
        Err(_) => Ok(time::OffsetDateTime::now_utc().unix_timestamp()),
    }
}

/// RFC 3339 (`2025-12-24T08:00:00Z`, `2025-12-24T09:00:00+01:00`) or whole seconds since 1970.
fn parse_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Ok(seconds) = raw.parse::<i64>() {
        return Some(seconds);
    }
    time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// `45s`, `12m 5s`, `3h 0m`: how long, for a person.
fn duration(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        s => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

/// One line per problem, then one summary line: short enough for a monitoring log.
fn text(r: &Verification, extras: &Extras) -> String {
    let mut out = String::new();
    write_text(&mut out, r, extras).ok();
    out
}

/// One line per file compared with a rebuild, one for the signature (unless the bundle is simply
/// unsigned); the summary's suffix.
fn write_extras(out: &mut String, extras: &Extras) -> Result<String, std::fmt::Error> {
    let mut suffix = String::new();
    if let Some(rebuild) = extras.rebuild {
        if let Some(note) = &rebuild.note {
            writeln!(out, "note     {note}")?;
        }
        for f in &rebuild.files {
            let label = match (f.status, f.reason) {
                (RebuildStatus::Identical, _) => "rebuilt identical".to_string(),
                (RebuildStatus::Differs, _) => "differs from a rebuild".to_string(),
                (RebuildStatus::NotComparable, reason) => {
                    format!("not comparable: {}", reason.unwrap_or("unknown"))
                }
            };
            match &f.detail {
                Some(detail) => writeln!(out, "{label:<26} {} ({detail})", f.file)?,
                None => writeln!(out, "{label:<26} {}", f.file)?,
            }
        }
        let identical = rebuild
            .files
            .iter()
            .filter(|f| f.status == RebuildStatus::Identical)
            .count();
        write!(suffix, ", {identical} files identical to a rebuild")?;
    }
    if let Some(lock) = &extras.share.lock {
        match &lock.why {
            Some(why) => writeln!(
                out,
                "lock     stale: {}: {why}; the next publish takes it over (or delete {}/{})",
                lock.holder,
                verify::PUBLISH_DIR,
                crate::publish::lock::LOCK_FILE
            )?,
            None => writeln!(out, "lock     a publish is running: {}", lock.holder)?,
        }
    }
    for a in extras.archived.into_iter().flatten() {
        if a.ok {
            writeln!(
                out,
                "archive  {}: intact ({} files, snapshot {})",
                a.folder, a.files, a.snapshot
            )?;
        }
        for p in &a.problems {
            writeln!(out, "archive  {}: {p}", a.folder)?;
        }
    }
    if !extras.share.running() {
        for l in &extras.share.leftovers {
            writeln!(
                out,
                "leftover {} ({}): {}; the next publish removes it",
                l.path,
                crate::publish::space::for_people(l.bytes),
                l.what
            )?;
        }
    }
    let s = extras.signature;
    let fingerprint = s.fingerprint.as_deref().unwrap_or("");
    match s.status {
        SignatureStatus::Unsigned => {}
        SignatureStatus::Valid => {
            writeln!(out, "signed   {} by the key given (fingerprint {fingerprint})", s.file)?;
            write!(suffix, ", signature valid")?;
        }
        SignatureStatus::Present => writeln!(
            out,
            "signed   {} by a key with fingerprint {fingerprint} (not checked against a trusted key: add --public-key)",
            s.file
        )?,
        SignatureStatus::Missing | SignatureStatus::Bad => writeln!(
            out,
            "{:<8} {} ({})",
            if s.status == SignatureStatus::Missing { "unsigned" } else { "badsig" },
            s.file,
            s.detail.as_deref().unwrap_or("")
        )?,
    }
    Ok(suffix)
}

fn write_text(out: &mut String, r: &Verification, extras: &Extras) -> std::fmt::Result {
    for f in &r.files {
        let label = match (f.status, f.version) {
            // During a publish, which bundle each file is: old (the new one is staged) or new.
            (FileStatus::Ok | FileStatus::Pending, Some(Side::Old)) => "old",
            (FileStatus::Ok | FileStatus::Pending, Some(Side::New)) => "new",
            (FileStatus::Ok | FileStatus::Pending, None) => continue,
            (FileStatus::Changed, _) => "changed",
            (FileStatus::Missing, _) => "missing",
            (FileStatus::Extra, _) => "extra",
        };
        match &f.detail {
            Some(detail) => writeln!(out, "{label:<8} {} ({detail})", f.file)?,
            None => writeln!(out, "{label:<8} {}", f.file)?,
        }
    }
    if r.stale.future {
        writeln!(
            out,
            "future   the snapshot {} is dated after now: check the build machine's clock or SOURCE_DATE_EPOCH",
            r.snapshot
        )?;
    }
    if r.stale.stale {
        writeln!(out, "stale    {}", r.stale.sentence(&r.snapshot))?;
    }
    if let Some(changes) = &r.changes {
        writeln!(out, "changes  {}", changes.line())?;
    }
    for b in r.behind.iter().flatten() {
        let why = match b.status {
            BehindStatus::Changed => "sources changed since the snapshot",
            BehindStatus::Added => "entry point in the sources, not in the bundle",
            BehindStatus::Removed => "entry point in the bundle, no longer in the sources",
        };
        writeln!(out, "behind   {}: {why}", b.entry)?;
    }
    if let Some(p) = r
        .publishing
        .as_ref()
        .filter(|p| p.phase == Phase::Finishing)
    {
        let state = if p.overdue {
            format!(
                "stopped before it finished: in progress for {} (longer than --in-progress-max {})",
                duration(p.age_seconds),
                duration(p.max_seconds)
            )
        } else {
            format!(
                "finishing or interrupted: in progress for {}",
                duration(p.age_seconds)
            )
        };
        writeln!(
            out,
            "publish  {state}; the {} files of snapshot {} are in place, withdrawing old copies of locked entry points from archive/ or clearing {} is left; rerun `lifeboat publish` to finish it",
            p.total, p.snapshot, verify::PUBLISH_DIR
        )?;
    } else if let Some(p) = &r.publishing {
        if p.overdue {
            writeln!(
                out,
                "publish  stopped half-way: in progress for {} (longer than --in-progress-max {}), {} of {} files of snapshot {} in place, the others still the previous bundle's (each file is complete); rerun `lifeboat publish` to finish it",
                duration(p.age_seconds), duration(p.max_seconds), p.done, p.total, p.snapshot
            )?;
        } else {
            writeln!(
                out,
                "publish  in progress or interrupted: {} of {} files of snapshot {} in place, for {} (each file is complete; rerun `lifeboat publish` if it stopped)",
                p.done, p.total, p.snapshot, duration(p.age_seconds)
            )?;
        }
    }
    if let Some(n) = &r.notice {
        // Read from the share: control characters are shown escaped, never sent to the terminal.
        let shown = verify::drill::shown;
        let by =
            n.by.as_deref()
                .map(|by| format!(" by {}", shown(by)))
                .unwrap_or_default();
        writeln!(
            out,
            "notice   {} since {}{by}: \"{}\" (on the launcher; `lifeboat notice {} --clear` removes it)",
            n.kind.name(),
            shown(&n.time),
            shown(&n.text),
            r.dir
        )?;
    }
    let suffix = write_extras(out, extras)?;
    let checked = r
        .files
        .iter()
        .filter(|f| f.status != FileStatus::Extra)
        .count();
    let sources = match &r.behind {
        Some(b) if b.is_empty() => ", in step with the sources",
        _ => "",
    };
    if r.ok {
        writeln!(
            out,
            "OK {}: {}, snapshot {}, {checked} files intact, renew by {}{sources}{suffix}",
            r.dir, r.site, r.snapshot, r.stale.next_due
        )?;
    } else {
        let n = r.problems() + extras.problems();
        writeln!(
            out,
            "FAILED {}: {n} problem{} ({}, snapshot {})",
            r.dir,
            if n == 1 { "" } else { "s" },
            r.site,
            r.snapshot
        )?;
    }
    Ok(())
}
