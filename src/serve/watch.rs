//! Watching the content folder: a burst of saves (an editor writing a file in steps, a `git checkout`)
//! becomes one rebuild once the folder has been quiet for [`QUIET`].
//!
//! Only changes count: the watcher also reports files being opened and read, which the build itself
//! does, so those events are dropped (else every build would start the next one).

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::Shared;

/// How long the folder must be quiet before a rebuild.
pub const QUIET: Duration = Duration::from_millis(250);

/// Starts watching `content_dir` (recursively) and rebuilding on a thread of its own. Watching stops
/// when the returned watcher is dropped.
pub fn spawn(
    shared: Arc<Shared>,
    content_dir: PathBuf,
    env: Option<String>,
) -> anyhow::Result<RecommendedWatcher> {
    let (sender, receiver) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(sender)?;
    watcher.watch(&content_dir, RecursiveMode::Recursive)?;
    std::thread::Builder::new()
        .name("lifeboat-watch".into())
        .spawn(move || {
            while let Ok(first) = receiver.recv() {
                if !matters(&first) {
                    continue;
                }
                // Wait for a quiet period; events that do not matter do not restart it.
                let mut deadline = Instant::now() + QUIET;
                loop {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match receiver.recv_timeout(left) {
                        Ok(event) if matters(&event) => deadline = Instant::now() + QUIET,
                        Ok(_) => {}
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                shared.rebuild(&content_dir, env.as_deref());
            }
        })?;
    Ok(watcher)
}

/// Whether an event is a change that should cause a rebuild: not a mere open or read, and not inside
/// version-control internals (the build's own `git status` may write `.git/index`).
fn matters(result: &notify::Result<Event>) -> bool {
    match result {
        Ok(event) => is_change(&event.kind) && event.paths.iter().any(|p| !in_vcs(p)),
        Err(e) => {
            eprintln!("warning: watching the content folder: {e}");
            false
        }
    }
}

fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

fn in_vcs(path: &Path) -> bool {
    path.components().any(|c| match c {
        Component::Normal(name) => name == ".git" || name == ".hg" || name == ".svn",
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::ModifyKind;

    #[test]
    fn version_control_internals_are_ignored() {
        assert!(in_vcs(Path::new("/c/.git/index")));
        assert!(!in_vcs(Path::new("/c/support/power.md")));
        assert!(!in_vcs(Path::new("/c/.github-notes.md")));
    }

    #[test]
    fn reads_are_not_changes() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Other
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
    }
}
