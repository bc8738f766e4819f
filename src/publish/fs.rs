//! Every file system call that changes a share goes through [`ShareFs`], so that a test file system can
//! refuse what a Windows file server refuses: replacing or deleting a file that a reader has open (a
//! page open in a browser, a preview pane, an indexer or antivirus scan). Such a refusal is retried
//! with back-off ([`Backoff`], injectable so tests do not sleep) before publish gives up and rolls back.
//!
//! Reads are not behind the trait: they go through `verify::share::read`, which checks what it reads
//! (never a link, only regular files, size limits), and reading a file a reader has open is allowed on
//! a Windows share.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

/// The calls publish makes to change a share.
pub trait ShareFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Creates (or truncates) `path`, writes `bytes` and syncs them to disk.
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Renames `from` to `to`, replacing `to` if it exists (atomic within one filesystem).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    fn remove_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Makes the renames in `dir` durable, where the platform allows it (Windows cannot open a folder as
    /// a file; the rename itself is still atomic there).
    fn sync_dir(&self, dir: &Path);
}

/// The machine's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl ShareFs for RealFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = File::create(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::remove_dir_all(dir)
    }

    fn sync_dir(&self, dir: &Path) {
        if let Ok(handle) = File::open(dir) {
            handle.sync_all().ok();
        }
    }
}

/// Whether `e` is a file server refusing to replace or delete a file that is in use: Windows says
/// access denied or sharing/lock violation, an SMB mount on Linux or macOS says permission denied or
/// busy. Such a refusal usually ends when the reader closes the file, so it is worth retrying.
pub fn is_in_use(e: &io::Error) -> bool {
    use io::ErrorKind::{ExecutableFileBusy, PermissionDenied, ResourceBusy};
    // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
    let windows = cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33));
    windows
        || matches!(
            e.kind(),
            PermissionDenied | ResourceBusy | ExecutableFileBusy
        )
}

/// How long to wait between tries of a call the share refused because a file is in use.
pub struct Backoff<'a> {
    /// One wait before each retry: `delays.len() + 1` tries in all, `delays` summed at most.
    pub delays: Vec<Duration>,
    pub sleep: &'a dyn Fn(Duration),
}

impl Backoff<'static> {
    /// 5 retries over 7.75 s in all (0.25, 0.5, 1, 2, 4 s): long enough for a browser to finish loading
    /// a page or an antivirus to finish a scan, short enough for a CI job.
    pub fn standard() -> Backoff<'static> {
        Backoff {
            delays: [250, 500, 1000, 2000, 4000]
                .map(Duration::from_millis)
                .to_vec(),
            sleep: &std::thread::sleep,
        }
    }
}

/// Counts filesystem steps; with `fail_after`, stops the publish after that many (tests simulate a
/// crash at every point this way).
#[derive(Debug, Default)]
pub struct Steps {
    pub done: usize,
    pub fail_after: Option<usize>,
}

impl Steps {
    pub(super) fn step(&mut self) -> Result<(), super::PublishError> {
        self.done += 1;
        match self.fail_after {
            Some(limit) if self.done >= limit => Err(super::PublishError::Interrupted(self.done)),
            _ => Ok(()),
        }
    }
}
