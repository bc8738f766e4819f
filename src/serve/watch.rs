//! Watching the content folder: a burst of saves (an editor writing a file in steps, a `git checkout`)
//! becomes one rebuild once the folder has been quiet for [`QUIET`] (`notify-debouncer-full`, which also
//! stitches an editor's write-to-temporary-then-rename into one change).
//!
//! Only changes count: the watcher also reports files being opened and read, which the build itself
//! does, so those events are dropped (else every build would start the next one).

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::Shared;

/// How long the folder must be quiet before a rebuild: an editor's save (a write, or a write to a
/// temporary file and a rename) is over well within it. A longer burst (a `git checkout` of many files)
/// may start a rebuild half-way; the changes that arrive while it runs make one more rebuild, so the
/// last build sees the final state (the page may show a passing error in between).
pub const QUIET: Duration = Duration::from_millis(50);

/// What keeps the folder watched: watching stops when it is dropped.
pub type ContentWatcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Starts watching `content_dir` (recursively) and rebuilding on a thread of its own. Watching stops
/// when the returned watcher is dropped.
pub fn spawn(
    shared: Arc<Shared>,
    content_dir: PathBuf,
    env: Option<String>,
) -> anyhow::Result<ContentWatcher> {
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(QUIET, None, sender)?;
    debouncer.watch(&content_dir, RecursiveMode::Recursive)?;
    std::thread::Builder::new()
        .name("lifeboat-watch".into())
        .spawn(move || {
            while let Ok(batch) = receiver.recv() {
                let mut changed = matters(&batch);
                // Batches that arrived while the last build ran make one rebuild, not one each.
                while let Ok(more) = receiver.try_recv() {
                    changed |= matters(&more);
                }
                if changed {
                    shared.rebuild(&content_dir, env.as_deref());
                }
            }
        })?;
    Ok(debouncer)
}

/// Whether a batch of quiet-period events holds a change that should cause a rebuild.
fn matters(batch: &DebounceEventResult) -> bool {
    match batch {
        Ok(events) => events.iter().any(|e| is_rebuild(&e.event)),
        Err(errors) => {
            for e in errors {
                eprintln!("warning: watching the content folder: {e}");
            }
            false
        }
    }
}

/// Whether an event is a change that should cause a rebuild: not a mere open or read, and not inside
/// version-control internals (the build's own `git status` may write `.git/index`).
fn is_rebuild(event: &Event) -> bool {
    is_change(&event.kind) && event.paths.iter().any(|p| !in_vcs(p))
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
