//! `verify --rebuild`: build the content again, at the manifest's snapshot time and environment, with
//! the same pipeline as `lifeboat build` (in memory: nothing is written), and compare every file of the
//! bundle byte for byte with the rebuild's.
//!
//! A copy whose HTML, manifest and zip were edited together passes every checksum; it does not pass
//! this. Locked entry points are sealed with a random salt and nonce, so they cannot be compared: the
//! rebuild takes the bundle's locked files as they are (so the manifest, documents and zip that list
//! them stay comparable) and says so for each. The signature file cannot be rebuilt without the secret
//! key: `--public-key` checks it.

use std::collections::BTreeSet;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::read_manifest;
use super::share::{self, Found};
use crate::bundle::{self, BuildOptions};
use crate::check::Checked;
use crate::content::Project;
use crate::package::manifest::{self, sha256_hex};
use crate::package::signing::{self, Signer, SIGNATURE_FILE};
use crate::package::sink::MemorySink;
use crate::progress::Progress;
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RebuildStatus {
    /// The bundle's file is byte for byte the rebuild's.
    Identical,
    /// It is not (or one of them lacks it): a problem.
    Differs,
    /// It cannot be compared (a locked entry point, the signature); `detail` says why.
    NotComparable,
}

#[derive(Debug, Clone, Serialize)]
pub struct RebuildCheck {
    pub file: String,
    pub status: RebuildStatus,
    /// For `not_comparable`: `locked` or `signature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rebuild {
    /// The content folder rebuilt.
    pub content: String,
    /// Set when this lifeboat is not the version that built the bundle (its output may differ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub files: Vec<RebuildCheck>,
}

impl Rebuild {
    pub fn problems(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.status == RebuildStatus::Differs)
            .count()
    }
}

/// Puts `notice` into the rebuilt launcher and manifest.
fn with_notice(
    rebuilt: &mut std::collections::BTreeMap<String, std::sync::Arc<Vec<u8>>>,
    notice: &crate::package::notice::Notice,
) -> Result<(), String> {
    use crate::package::notice::{apply, LAUNCHER};
    let (Some(raw), Some(launcher)) = (rebuilt.get(manifest::FILE_NAME), rebuilt.get(LAUNCHER))
    else {
        return Ok(());
    };
    let text = std::str::from_utf8(raw).map_err(|e| e.to_string())?;
    let built = manifest::Manifest::from_toml(text).map_err(|e| e.to_string())?;
    let applied = apply(&built, raw, launcher, Some(notice.clone()))
        .map_err(|e| format!("the share's notice cannot be put into the rebuild: {e}"))?;
    rebuilt.insert(manifest::FILE_NAME.into(), applied.manifest_raw.into());
    rebuilt.insert(LAUNCHER.into(), applied.launcher.into());
    Ok(())
}

/// Rebuilds the checked `project` (which must have no errors; load it with the manifest's environment)
/// and compares it with the bundle in `dir`. `public` is the key the contingency document names when
/// the content signs its bundles; without it, the key the bundle's signature file names is used.
/// `previous`: the copy the bundle was compared with, when it was (`Manifest::compared_with`).
pub fn rebuild(
    dir: &Path,
    project: &Project,
    checked: &Checked,
    public: Option<&VerifyingKey>,
    previous: Option<&crate::changes::Basis>,
) -> Result<Rebuild, String> {
    let (m, _) = read_manifest(&dir.join(manifest::FILE_NAME)).map_err(|e| e.to_string())?;
    if let (Some(compared), None) = (&m.compared_with, previous) {
        return Err(format!(
            "the bundle says what changed since the copy of {}: give that copy with --previous to rebuild it",
            compared.snapshot.get(..10).unwrap_or(&compared.snapshot)
        ));
    }
    let snapshot = Snapshot::take(&project.root, Some(m.snapshot_epoch.to_string()))
        .map_err(|e| e.to_string())?;
    let locked: BTreeSet<String> = project
        .entries
        .iter()
        .filter(|e| e.is_locked())
        .map(|e| format!("{}.html", e.id))
        .collect();
    let read = |name: &str| match share::read(&dir.join(name), None) {
        Ok(Found::File(bytes)) => Some(bytes),
        _ => None,
    };
    let take_locked = |name: &str| {
        let record = m.entries.iter().find(|e| e.file == name);
        let key_ids = record.map(|e| e.identifiers()).unwrap_or_default();
        let steps = record
            .map(|e| crate::changes::Record {
                steps: e.steps.clone(),
                diagram_titles: e.diagram_titles.clone(),
                counts: e.changes.clone(),
            })
            .unwrap_or_default();
        read(name).map(|bytes| (bytes, key_ids, steps))
    };
    let bundle_sig = match share::read(
        &dir.join(SIGNATURE_FILE),
        Some(signing::MAX_SIGNATURE_BYTES),
    ) {
        Ok(Found::File(bytes)) => Some(bytes),
        _ => None,
    };
    let signer = project.site.signing.as_ref().and_then(|_| {
        public
            .copied()
            .or_else(|| bundle_sig.as_deref().and_then(signing::claimed_key))
            .map(|key| Signer::public_only(key, bundle_sig.clone()))
    });
    let progress = Progress::hidden();
    let options = BuildOptions {
        previous: None,
        progress: &progress,
        signing: signer.as_ref(),
        locked_files: Some(&take_locked),
        timings: None,
        basis: previous,
    };
    let sink = MemorySink::new();
    let unzipped = bundle::build_files(
        &sink,
        project,
        checked,
        &snapshot,
        &crate::access::groups::KeyRing::default(),
        options,
    )
    .map_err(|e| format!("the rebuild failed: {e}"))?;
    bundle::zip_into(&sink, unzipped, &snapshot, options)
        .map_err(|e| format!("the rebuild failed: {e}"))?;
    let mut rebuilt = sink.into_files();
    // A notice set on the share (`lifeboat notice`) goes into the rebuilt launcher and manifest the way
    // it went into the share's: with it, they are what a build with that notice gives.
    if let Some(n) = &m.notice {
        with_notice(&mut rebuilt, n)?;
    }

    let mut names: BTreeSet<String> = rebuilt.keys().cloned().collect();
    names.extend(m.files().map(|(f, _, _)| f.to_string()));
    names.extend(m.archive.clone());
    names.insert(manifest::FILE_NAME.to_string());
    // The bundle's own signature went into the rebuilt zip; it is checked below, not compared.
    names.remove(SIGNATURE_FILE);
    let mut files = Vec::new();
    for name in names {
        let check = |status, reason, detail: Option<String>| RebuildCheck {
            file: name.clone(),
            status,
            reason,
            detail,
        };
        if locked.contains(&name) {
            files.push(check(
                RebuildStatus::NotComparable,
                Some("locked"),
                Some("a locked entry point is sealed with a random salt and nonce; its checksum is in the manifest, which is compared".into()),
            ));
            continue;
        }
        let ours = rebuilt.get(&name);
        let theirs = share::read(&dir.join(&name), None).map_err(|e| e.to_string());
        files.push(match (ours, theirs) {
            (Some(ours), Ok(Found::File(theirs))) if **ours == theirs => {
                check(RebuildStatus::Identical, None, None)
            }
            (Some(ours), Ok(Found::File(theirs))) => check(
                RebuildStatus::Differs,
                None,
                Some(format!(
                    "sha256 {}, a rebuild gives {}",
                    sha256_hex(&theirs),
                    sha256_hex(ours)
                )),
            ),
            (Some(_), Ok(Found::Missing)) => check(
                RebuildStatus::Differs,
                None,
                Some("missing from the bundle".into()),
            ),
            (Some(_), Ok(Found::NotAFile(why))) => {
                check(RebuildStatus::Differs, None, Some(why.to_string()))
            }
            (Some(_), Err(why)) => check(RebuildStatus::Differs, None, Some(why)),
            (None, _) => check(
                RebuildStatus::Differs,
                None,
                Some("listed in the bundle's manifest, but not in a rebuild of the content".into()),
            ),
        });
    }
    match (&bundle_sig, &project.site.signing) {
        (Some(_), _) => files.push(RebuildCheck {
            file: SIGNATURE_FILE.into(),
            status: RebuildStatus::NotComparable,
            reason: Some("signature"),
            detail: Some(
                "made with the secret key, which a rebuild does not have; check it with --public-key"
                    .into(),
            ),
        }),
        (None, Some(config)) => files.push(RebuildCheck {
            file: SIGNATURE_FILE.into(),
            status: RebuildStatus::Differs,
            reason: None,
            detail: Some(format!(
                "missing from the bundle: the content signs its bundles ([signing] in site.toml, key in {})",
                config.key_env()
            )),
        }),
        (None, None) => {}
    }
    files.sort_by(|a, b| a.file.cmp(&b.file));
    let version = env!("CARGO_PKG_VERSION");
    let note = (m.generator.name != env!("CARGO_PKG_NAME") || m.generator.version != version)
        .then(|| {
            format!(
                "the bundle was built by {} {}, the rebuild by lifeboat {version}: differences may come from the generator",
                m.generator.name, m.generator.version
            )
        });
    Ok(Rebuild {
        content: project.dir.display().to_string(),
        note,
        files,
    })
}
