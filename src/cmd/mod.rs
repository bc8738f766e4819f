//! One module per command. Commands return an exit code; only `main` exits.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};

pub mod build;
pub mod calls;
pub mod check;
pub mod completions;
pub mod import;
pub mod init;
pub mod key;
pub mod new;
pub mod notice;
pub mod publish;
pub mod schema;
pub mod serve;
pub mod stats;
pub mod verify;

/// Exit code for content problems.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code when a command cannot run: bad usage, or no content folder (with its site.toml) to work on.
pub const EXIT_CANNOT_RUN: u8 = 2;

/// The exit code of a command whose content could not be loaded: 2 when there is nothing to check (the
/// path cannot be opened, or names a folder with no site.toml at all: a wrong path, an unmounted share),
/// else 1 (problems found, such as a site.toml that is broken or not a regular file).
pub fn unloaded_exit(content_dir: &Path) -> ExitCode {
    let nothing = match std::fs::metadata(content_dir) {
        Err(_) => true,
        Ok(meta) => {
            meta.is_dir() && std::fs::symlink_metadata(content_dir.join("site.toml")).is_err()
        }
    };
    ExitCode::from(if nothing {
        EXIT_CANNOT_RUN
    } else {
        EXIT_PROBLEMS
    })
}

pub use crate::pipeline::load_and_check;

pub use crate::diagnostics::print_to_stderr as print_report;

/// Writes `bytes` to a temporary file beside `dest`, synced to disk, then moves it into place in one
/// step and syncs the folder: readers see the old file or the new one, never half of one, and a crash
/// leaves one of the two. Without `replace`, an existing `dest` is kept.
pub fn write_atomic(dest: &Path, bytes: &[u8], replace: bool) -> anyhow::Result<()> {
    let folder = match dest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("creating {}", temp.display()))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", temp.display()))?;
        drop(file);
        if replace {
            return fs::rename(&temp, dest)
                .with_context(|| format!("replacing {}", dest.display()));
        }
        // A hard link fails if `dest` appeared meanwhile, where a rename would replace it.
        match fs::hard_link(&temp, dest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!(
                    "{} already exists; pass --force to replace it",
                    dest.display()
                )
            }
            // Filesystems without hard links: check, then rename.
            Err(_) if !dest.exists() => {
                fs::rename(&temp, dest).with_context(|| format!("creating {}", dest.display()))
            }
            Err(e) => Err(anyhow::Error::new(e).context(format!("creating {}", dest.display()))),
        }
    })();
    if temp.exists() {
        fs::remove_file(&temp).ok();
    }
    if result.is_ok() {
        // Makes the rename durable where the platform allows it (Windows cannot open a folder).
        if let Ok(handle) = fs::File::open(folder) {
            handle.sync_all().ok();
        }
    }
    result
}

/// The copy `--previous PATH` names (a bundle folder, its zip or a share), as the comparison's basis
/// (`crate::changes`). A share that holds no bundle yet (before its first publish) is nothing to compare
/// with: a warning, not an error; a manifest that cannot be used is an error.
pub(crate) fn previous_basis(
    path: &std::path::Path,
) -> Result<Option<crate::changes::Basis>, String> {
    match crate::verify::manifest_of(path) {
        Ok(m) => Ok(Some(m.basis())),
        Err(e @ crate::verify::VerifyError::NoManifest(_)) => {
            eprintln!(
                "warning: --previous: {e}; nothing to compare with, so the files say nothing of what changed"
            );
            Ok(None)
        }
        Err(e) => Err(format!("--previous: {e}")),
    }
}
