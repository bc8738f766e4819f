//! Snapshots only move forward unless asked: `publish` refuses to put an older bundle over a newer
//! one (CI jobs that run in any order would otherwise do it by themselves), and the documented rollback,
//! `lifeboat publish SHARE/archive/<snapshot> --to SHARE --allow-older`, works as written.

use super::publish::{assert_verifies, publish, state, two_bundles};
use super::{epoch, verify_at, DAY};
use crate::common::*;

const OLD: &str = "2025-11-22T08:26:40Z";
const NEW: &str = "2025-11-23T08:26:40Z";

#[test]
fn an_older_snapshot_is_refused_and_a_rollback_is_a_publish_from_the_archive_with_allow_older() {
    let dir = two_bundles();
    let root = dir.path();
    let share = root.join("share");
    assert_eq!(publish(root, "old", "share", &[], &[]).code, 0);
    assert_eq!(publish(root, "new", "share", &[], &[]).code, 0);
    assert_eq!(assert_verifies(root, "share", "published"), NEW);

    // A job that built the older snapshot and runs last: refused, nothing changes.
    let before = state(&share);
    let run = publish(root, "old", "share", &[], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        format!("error: `old` holds snapshot {OLD}, older than snapshot {NEW} on `share`: refusing to replace a newer bundle with an older one. To roll back on purpose, add --allow-older (`lifeboat publish share/archive/<snapshot> --to share --allow-older`)\n")
    );
    assert!(
        before == state(&share),
        "a refused publish changed the share"
    );

    // The rollback, exactly as docs/continuity.md and `publish --help` write it.
    let run = lifeboat_env(
        root,
        &[
            "publish",
            "share/archive/2025-11-22T08-26-40Z",
            "--to",
            "share",
            "--allow-older",
        ],
        &[("LIFEBOAT_NOW", &(epoch() + DAY).to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.starts_with(&format!(
            "published snapshot {OLD} to share (6 files)\n  against what the share held: 2 steps added, 3 changed, 2 removed (1 entry point(s) added, 1 removed)\n  rolled back from snapshot {NEW} (--allow-older)\n  previous bundle kept in share/archive/2025-11-23T08-26-40Z\n"
        )),
        "{}",
        run.transcript()
    );
    assert_eq!(assert_verifies(root, "share", "rolled back"), OLD);
    assert!(share.join("escalation.html").exists() && !share.join("escalade.html").exists());
    for archived in ["2025-11-22T08-26-40Z", "2025-11-23T08-26-40Z"] {
        let run = verify_at(&share.join("archive").join(archived), &["."], epoch() + DAY);
        assert_eq!(run.code, 0, "archive/{archived}: {}", run.transcript());
    }

    // And forward again, with no flag.
    let run = publish(root, "new", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(assert_verifies(root, "share", "forward again"), NEW);
}
