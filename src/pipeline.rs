//! The front of the one pipeline that `build`, `serve` and `verify --content` share: load the content
//! folder, check it (every rule, the secret scan included), and, for a build, take the access key and
//! look for that very key in the content and theme (which `check` alone cannot know).

use std::path::Path;

use crate::access::{self, AccessError, AccessKey};
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

/// The key for locked entry points, from `--key-file` or the environment; an error when one is needed
/// and missing, or given but not a valid key (a typo is caught by its check symbol).
pub fn access_key(
    key_file: Option<&Path>,
    project: &Project,
) -> Result<Option<AccessKey>, AccessError> {
    let key = access::key_for_build(key_file, std::env::var(access::KEY_ENV).ok(), &project.root)?;
    let locked: Vec<String> = project
        .entries
        .iter()
        .filter(|e| e.is_locked())
        .map(|e| e.id.clone())
        .collect();
    if key.is_none() && !locked.is_empty() {
        return Err(AccessError::NoKey(locked));
    }
    Ok(key)
}

/// What a build starts from: the checked content and the access key.
pub struct Prepared {
    pub report: Report,
    /// `None` when the folder could not be loaded.
    pub loaded: Option<(Project, Checked)>,
    /// The key, or why there is none; only asked for when the content loaded.
    pub key: Result<Option<AccessKey>, AccessError>,
}

/// Loads and checks `dir`, then takes the build's key and refuses it wherever it is written in the
/// content or theme, in any spacing or case (an error in `report`, at its file and line).
pub fn prepare(dir: &Path, env: Option<&str>, key_file: Option<&Path>) -> Prepared {
    prepare_timed(dir, env, key_file, &Timings::default())
}

/// [`prepare`], adding the time of loading and checking to `timings`.
pub fn prepare_timed(
    dir: &Path,
    env: Option<&str>,
    key_file: Option<&Path>,
    timings: &Timings,
) -> Prepared {
    let (mut report, loaded) = load_and_check_timed(dir, env, timings);
    let key = match &loaded {
        Some((project, _)) => access_key(key_file, project),
        None => Ok(None),
    };
    if let Ok(Some(key)) = &key {
        timings.time(Stage::Check, || {
            crate::check::secrets::scan_texts(&mut report, Some(key));
            report.sort();
        });
    }
    Prepared {
        report,
        loaded,
        key,
    }
}
