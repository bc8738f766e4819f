//! What monitoring sees after a publish that stopped before its end (issue 20, items 4 and 8): a publish
//! stopped after its manifest was in place, the share's lock held or stale, and what a stopped publish
//! left on the share; and what the rerun says.

use std::fs;
use std::path::Path;
use std::process::Command;

use lifeboat::publish::lock::{Holder, LOCK_FILE};

use super::publish::{publish, snapshot_of, two_bundles};
use super::{epoch, verify_at, DAY};

const OLD: &str = "2025-11-22T08:26:40Z";
const NEW: &str = "2025-11-23T08:26:40Z";

/// When the publishes of these tests run (`publish` sets this time).
fn started() -> i64 {
    epoch() + DAY
}

fn json(run: &crate::common::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.transcript()))
}

/// Publishes `old` to a new share, then `new` stopped after step k, for each k until `pick` says the
/// share is in the state wanted; returns that share's folder name.
fn stopped_when(root: &Path, name: &str, pick: impl Fn(&Path) -> bool) -> String {
    for k in 1..500 {
        let share = format!("{name}-{k}");
        assert_eq!(publish(root, "old", &share, &[], &[]).code, 0);
        let k = k.to_string();
        let run = publish(
            root,
            "new",
            &share,
            &[],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &k)],
        );
        assert_ne!(
            run.code, 0,
            "the publish completed before the state was seen"
        );
        if pick(&root.join(&share)) {
            return share;
        }
        fs::remove_dir_all(root.join(&share)).unwrap();
    }
    panic!("no interruption left the state wanted");
}

#[test]
fn a_publish_stopped_after_its_manifest_fails_verify_past_the_limit_and_its_rerun_says_so() {
    let dir = two_bundles();
    let root = dir.path();
    // The new manifest is in place, the journal is still there: withdrawing and clearing were left.
    let share = stopped_when(root, "finishing", |share| {
        share.join(".lifeboat-publish/journal.toml").exists() && snapshot_of(share) == NEW
    });
    let at = root.join(&share);

    let run = verify_at(&at, &["."], started() + 60);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains(&format!("publish  finishing or interrupted: in progress for 1m 0s; the 6 files of snapshot {NEW} are in place, withdrawing old copies of locked entry points from archive/ or clearing .lifeboat-publish is left; rerun `lifeboat publish` to finish it\n")),
        "{}",
        run.stdout
    );

    // Past --in-progress-max it is a problem: before, verify passed silently, whatever its age.
    let run = verify_at(&at, &["."], started() + 601);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("publish  stopped before it finished: in progress for 10m 1s (longer than --in-progress-max 10m 0s); the 6 files"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAILED .: 1 problem ("),
        "{}",
        run.stdout
    );
    let value = json(&verify_at(&at, &[".", "--format", "json"], started() + 601));
    assert_eq!(value["status"], "problems");
    assert_eq!(value["publishing"]["phase"], "finishing");
    assert_eq!(value["publishing"]["overdue"], true);
    assert_eq!(value["publishing"]["done"], 6);

    // The rerun says it completed the interrupted publish, not "nothing to do".
    let rerun = publish(root, "new", &share, &[], &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.transcript());
    assert_eq!(
        rerun.stdout,
        format!("completed an interrupted publish of snapshot {NEW} to {share}\n"),
        "{}",
        rerun.transcript()
    );
    assert!(!at.join(".lifeboat-publish").exists());
    assert_eq!(verify_at(&at, &["."], started() + 601).code, 0);
    // Once complete, a rerun has nothing to do.
    let again = publish(root, "new", &share, &[], &[]);
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}

#[test]
fn the_rerun_of_a_publish_stopped_half_way_says_it_completed_it() {
    let dir = two_bundles();
    let root = dir.path();
    let share = stopped_when(root, "mixed", |share| {
        share.join(".lifeboat-publish/journal.toml").exists() && snapshot_of(share) == OLD
    });
    let rerun = publish(root, "new", &share, &[], &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.transcript());
    assert!(
        rerun.stdout.starts_with(&format!(
            "completed an interrupted publish of snapshot {NEW} to {share}\n"
        )),
        "{}",
        rerun.transcript()
    );
    assert!(!rerun.stdout.contains("nothing to do"), "{}", rerun.stdout);

    // Interrupted by a newer bundle: the old publish is completed first, then the newer one installs.
    let share = stopped_when(root, "overtaken", |share| {
        share.join(".lifeboat-publish/journal.toml").exists() && snapshot_of(share) == OLD
    });
    let newer = root.join("newer");
    let run = crate::common::lifeboat_env(
        root,
        &["build", "content", "--out", "newer"],
        &[("SOURCE_DATE_EPOCH", &(epoch() + 2 * DAY).to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(newer.exists());
    let rerun = publish(root, "newer", &share, &[], &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.transcript());
    assert!(
        rerun.stdout.starts_with(&format!(
            "completed an interrupted publish of snapshot {NEW} to {share}\npublished snapshot 2025-11-24T08:26:40Z to {share} ("
        )),
        "{}",
        rerun.transcript()
    );
}

fn plant_lock(share: &Path, holder: &Holder) {
    let work = share.join(".lifeboat-publish");
    fs::create_dir_all(&work).unwrap();
    fs::write(work.join(LOCK_FILE), holder.to_toml()).unwrap();
}

#[test]
fn verify_reports_the_shares_lock_held_or_stale() {
    let dir = two_bundles();
    let root = dir.path();
    assert_eq!(publish(root, "old", "share", &[], &[]).code, 0);
    let share = root.join("share");

    // Held by a live process (this test): reported, not a problem.
    let holder = Holder::this_process(NEW, started() - 65);
    plant_lock(&share, &holder);
    let run = verify_at(&share, &["."], started());
    assert_eq!(run.code, 0, "{}", run.transcript());
    let pid = std::process::id();
    assert!(
        run.stdout.contains(&format!(
            "lock     a publish is running: {} (pid {pid}, publishing snapshot {NEW}) since 2025-11-23T08:25:35Z (1m 5s ago)\n",
            holder.host
        )),
        "{}",
        run.stdout
    );
    let value = json(&verify_at(&share, &[".", "--format", "json"], started()));
    assert_eq!(value["status"], "ok");
    assert_eq!(value["lock"]["stale"], false);
    assert_eq!(value["lock"]["pid"], pid);
    assert_eq!(value["lock"]["age_seconds"], 65);

    // Its process gone, on this machine: stale, a problem (a crash or kill -9 left it).
    if cfg!(target_os = "linux") {
        let mut child = Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let mut gone = holder.clone();
        gone.pid = dead;
        gone.process_start = None;
        plant_lock(&share, &gone);
        let run = verify_at(&share, &["."], started());
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stdout.contains(&format!(
                "lock     stale: {} (pid {dead}, publishing snapshot {NEW}) since 2025-11-23T08:25:35Z (1m 5s ago): it was taken on this machine by process {dead}, which no longer exists; the next publish takes it over (or delete .lifeboat-publish/lock.toml)\n",
                gone.host
            )),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("FAILED .: 1 problem ("),
            "{}",
            run.stdout
        );
    }

    // Another machine's: held for up to an hour, stale after.
    let mut other = holder.clone();
    other.host = "ci-runner-3".into();
    other.machine = Some("another machine".into());
    other.pid = 1;
    other.started_epoch = started() - 3599;
    plant_lock(&share, &other);
    assert_eq!(verify_at(&share, &["."], started()).code, 0);
    other.started_epoch = started() - 3601;
    plant_lock(&share, &other);
    let run = verify_at(&share, &["."], started());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("lock     stale: ci-runner-3 (pid 1, ")
            && run.stdout.contains(": it is older than 1 hour;"),
        "{}",
        run.stdout
    );
    let value = json(&verify_at(&share, &[".", "--format", "json"], started()));
    assert_eq!(value["status"], "problems");
    assert_eq!(value["lock"]["stale"], true);
    assert_eq!(value["lock"]["host"], "ci-runner-3");
}

#[test]
fn verify_reports_what_a_stopped_publish_left_on_the_share() {
    let dir = two_bundles();
    let root = dir.path();
    // Stopped while staging: the share is the old bundle, a staging folder beside it.
    let share = stopped_when(root, "staging", |share| {
        let staging = share.join(".lifeboat-publish").join(NEW.replace(':', "-"));
        staging.join("support.html").exists()
            && !share.join(".lifeboat-publish/journal.toml").exists()
    });
    let at = root.join(&share);
    let run = verify_at(&at, &["."], started());
    assert_eq!(run.code, 1, "{}", run.transcript());
    let staging = format!(".lifeboat-publish/{}", NEW.replace(':', "-"));
    assert!(
        run.stdout.contains(&format!("leftover {staging} (")) && run.stdout.contains(" KiB): the staging folder of a publish that stopped before it replaced any file; the next publish removes it\n"),
        "{}",
        run.stdout
    );
    let value = json(&verify_at(&at, &[".", "--format", "json"], started()));
    assert_eq!(value["leftovers"][0]["path"], staging.as_str());
    assert!(value["leftovers"][0]["bytes"].as_u64().unwrap() > 1000);
    // Every file of the bundle is intact: only the leftover is a problem.
    assert!(value["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "ok"));

    // While a publish holds the lock, its staging folder is its own, not a leftover.
    plant_lock(&at, &Holder::this_process(NEW, started()));
    assert_eq!(verify_at(&at, &["."], started()).code, 0);
    fs::remove_file(at.join(".lifeboat-publish").join(LOCK_FILE)).unwrap();

    // An archive copy or a prune that did not finish.
    fs::create_dir_all(at.join("archive/.2025-11-20T08-26-40Z.partial")).unwrap();
    fs::write(at.join("archive/.2025-11-20T08-26-40Z.partial/x.html"), "x").unwrap();
    fs::create_dir_all(at.join("archive/.2025-11-19T08-26-40Z.deleting")).unwrap();
    let run = verify_at(&at, &["."], started());
    for line in [
        "leftover archive/.2025-11-19T08-26-40Z.deleting (0 bytes): an archived bundle whose pruning did not finish; the next publish removes it\n",
        "leftover archive/.2025-11-20T08-26-40Z.partial (1 bytes): an archive copy of a publish that stopped before it was complete; the next publish removes it\n",
        "FAILED .: 3 problems (",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }

    // The rerun removes them all.
    let rerun = publish(root, "new", &share, &[], &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.transcript());
    let run = verify_at(&at, &["."], started());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stdout.contains("leftover"), "{}", run.stdout);
}

#[test]
fn a_share_without_room_is_refused_before_staging_and_left_as_it_was() {
    let dir = two_bundles();
    let root = dir.path();
    assert_eq!(publish(root, "old", "share", &[], &[]).code, 0);
    let before = super::publish::state(&root.join("share"));
    // A full disk is hard to make in a test: the test-only hook says how much room the share has.
    let run = publish(
        root,
        "new",
        "share",
        &[],
        &[("LIFEBOAT_PUBLISH_FREE_BYTES", "200000")],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: `share` has 195.3 KiB free; this publish needs about ")
            && run.stderr.contains("(the new bundle staged, ")
            && run
                .stderr
                .contains(", a copy of the bundle in place for archive/, ")
            && run
                .stderr
                .contains("No file of the bundle on the share was replaced. Free some space"),
        "{}",
        run.stderr
    );
    assert!(
        before == super::publish::state(&root.join("share")),
        "the share changed"
    );
    assert!(!root.join("share/.lifeboat-publish").exists());
    assert_eq!(verify_at(&root.join("share"), &["."], started()).code, 0);
    // With room, the same publish goes through.
    let run = publish(
        root,
        "new",
        "share",
        &[],
        &[("LIFEBOAT_PUBLISH_FREE_BYTES", "100000000")],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
}

#[test]
fn verify_archive_checks_the_rollback_source_too() {
    let dir = two_bundles();
    let root = dir.path();
    assert_eq!(publish(root, "old", "share", &[], &[]).code, 0);
    assert_eq!(publish(root, "new", "share", &[], &[]).code, 0);
    let share = root.join("share");
    let folder = format!("archive/{}", OLD.replace(':', "-"));
    let run = verify_at(&share, &[".", "--archive"], started());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains(&format!(
            "archive  {folder}: intact (6 files, snapshot {OLD})\n"
        )),
        "{}",
        run.stdout
    );
    // A damaged archived copy: plain verify does not look there, --archive does.
    fs::write(share.join(&folder).join("support.html"), "rotted").unwrap();
    assert_eq!(verify_at(&share, &["."], started()).code, 0);
    let run = verify_at(&share, &[".", "--archive"], started());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains(&format!("archive  {folder}: changed support.html (sha256 ")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAILED .: 1 problem ("),
        "{}",
        run.stdout
    );
    let value = json(&verify_at(
        &share,
        &[".", "--archive", "--format", "json"],
        started(),
    ));
    assert_eq!(value["archive"][0]["folder"], folder.as_str());
    assert_eq!(value["archive"][0]["ok"], false);
    assert_eq!(value["archive"][0]["snapshot"], OLD);
}
