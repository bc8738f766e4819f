//! The front of the one pipeline that `build`, `serve` and `verify --content` share: load the content
//! folder, check it (every rule, the secret scan included), and, for a build, take the access key and
//! look for that very key in the content and theme (which `check` alone cannot know).

use std::path::Path;

use crate::access::groups::{self, KeyRing};
use crate::access::AccessError;
use crate::check::Checked;
use crate::content::{self, Project};
use crate::diagnostics::Report;
use crate::timings::{Stage, Timings};

/// Loads and checks a content folder; every problem found is in the report, sorted.
pub fn load_and_check(dir: &Path, env: Option<&str>) -> (Report, Option<(Project, Checked)>) {
    load_and_check_timed(dir, env, &Timings::default())
}

/// [`load_and_check`], adding the time of each stage to `timings`.
pub fn load_and_check_timed(
    dir: &Path,
    env: Option<&str>,
    timings: &Timings,
) -> (Report, Option<(Project, Checked)>) {
    let mut report = Report::default();
    let project = timings.time(Stage::Load, || content::load(dir, env, &mut report));
    let result = timings.time(Stage::Check, || {
        if let Some(files) = project.as_ref().and_then(|p| p.theme_files.as_ref()) {
            crate::check::secrets::add_theme_files(&mut report, files, dir);
        }
        crate::check::secrets::scan(&mut report);
        let result = project.map(|project| {
            let checked = crate::check::check(&project, &mut report);
            (project, checked)
        });
        report.sort();
        result
    });
    (report, result)
}

/// The keys for locked entry points, from `--key-file` values and the environment
/// (`access::groups::keys_for_build`); an error when one is needed and missing, or given but not a valid
/// key (a typo is caught by its check symbol).
pub fn access_keys(key_files: &[String], project: &Project) -> Result<KeyRing, AccessError> {
    groups::keys_for_build(key_files, &|var| std::env::var(var).ok(), project)
}

/// What a build starts from: the checked content and the access keys.
pub struct Prepared {
    pub report: Report,
    /// `None` when the folder could not be loaded.
    pub loaded: Option<(Project, Checked)>,
    /// The keys (empty when none was given and none is needed), or why they cannot be used; only asked
    /// for when the content loaded.
    pub keys: Result<KeyRing, AccessError>,
}

/// Loads and checks `dir`, then takes the build's keys and refuses each wherever it is written in the
/// content or theme, in any spacing or case (an error in `report`, at its file and line).
pub fn prepare(dir: &Path, env: Option<&str>, key_files: &[String]) -> Prepared {
    prepare_timed(dir, env, key_files, &Timings::default())
}

/// [`prepare`], adding the time of loading and checking to `timings`.
pub fn prepare_timed(
    dir: &Path,
    env: Option<&str>,
    key_files: &[String],
    timings: &Timings,
) -> Prepared {
    let (mut report, loaded) = load_and_check_timed(dir, env, timings);
    let keys = match &loaded {
        Some((project, _)) => access_keys(key_files, project),
        None => Ok(KeyRing::default()),
    };
    if let Ok(ring) = &keys {
        if !ring.is_empty() {
            timings.time(Stage::Check, || {
                // Every key of the build: a group's key leaks as much as the one key of before.
                for (_, key) in ring.iter() {
                    crate::check::secrets::scan_texts(&mut report, Some(key));
                }
                report.sort();
            });
        }
    }
    Prepared {
        report,
        loaded,
        keys,
    }
}
