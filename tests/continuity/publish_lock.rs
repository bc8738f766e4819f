//! One publish at a time per share: concurrent `lifeboat publish` processes never leave a mixed share;
//! one waits (`--wait`) or is refused naming who holds the lock; a lock left by a crash is taken over
//! by the rule docs/continuity.md states.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use lifeboat::publish::lock::{Holder, LOCK_FILE};

use super::publish::{assert_verifies, big_content, publish};
use super::{epoch, DAY};
use crate::common::*;

const SNAPSHOTS: [&str; 3] = [
    "2025-11-22T08:26:40Z",
    "2025-11-23T08:26:40Z",
    "2025-11-24T08:26:40Z",
];

/// Three bundles of 40 entry points (a publish of one takes long enough to overlap another), one day
/// apart: `b0`, `b1`, `b2`.
fn three_bundles(dir: &Path) {
    for day in 0..3 {
        let content = format!("content-{day}");
        big_content(&dir.join(&content), &format!("Version {day}."));
        let at = (epoch() + day * DAY).to_string();
        let run = lifeboat_env(
            dir,
            &["build", &content, "--out", &format!("b{day}")],
            &[("SOURCE_DATE_EPOCH", &at)],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
}

struct Outcome {
    bundle: usize,
    code: i32,
    stderr: String,
}

/// Starts `lifeboat publish b<i> --to share` for each of `bundles` at once, and waits for all.
fn race(dir: &Path, bundles: [usize; 2], extra: &[&str]) -> Vec<Outcome> {
    let now = (epoch() + 3 * DAY).to_string();
    let children: Vec<_> = bundles
        .iter()
        .map(|b| {
            let mut args = vec![
                "publish".to_string(),
                format!("b{b}"),
                "--to".into(),
                "share".into(),
                "--quiet".into(),
                // Which of the two lands last is up to the race; this test is about the lock.
                "--allow-older".into(),
            ];
            args.extend(extra.iter().map(|s| s.to_string()));
            let child = Command::new(env!("CARGO_BIN_EXE_lifeboat"))
                .args(&args)
                .current_dir(dir)
                .env("LIFEBOAT_NOW", &now)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (*b, child)
        })
        .collect();
    children
        .into_iter()
        .map(|(bundle, child)| {
            let out = child.wait_with_output().unwrap();
            Outcome {
                bundle,
                code: out.status.code().unwrap_or(-1),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .collect()
}

fn verify_share(dir: &Path, context: &str) -> String {
    let run = lifeboat_env(
        &dir.join("share"),
        &["verify", "."],
        &[("LIFEBOAT_NOW", &(epoch() + 3 * DAY).to_string())],
    );
    assert_eq!(
        run.code,
        0,
        "{context}: mixed or damaged share\n{}",
        run.transcript()
    );
    super::publish::snapshot_of(&dir.join("share"))
}

/// 50 pairs of publishes started together, each pair two bundles that differ from the share's: without
/// `--wait`, exactly one of two overlapping publishes installs and the other is refused naming the
/// holder; with `--wait`, both install, one after the other. After every pair the share verifies as one
/// bundle, and no lock or staging is left.
#[test]
fn concurrent_publishes_never_mix_a_share() {
    let dir = tempfile::tempdir().unwrap();
    three_bundles(dir.path());
    let first = publish(dir.path(), "b0", "share", &[], &[]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let mut current = 0;
    let (mut refused, mut waited, mut both) = (0, 0, 0);
    for pair in 0..50 {
        let others = [(current + 1) % 3, (current + 2) % 3];
        let queue = pair % 2 == 1;
        let outcomes = race(
            dir.path(),
            others,
            if queue { &["--wait", "120"] } else { &[] },
        );
        let context = format!(
            "pair {pair} (b{} and b{}, wait: {queue})",
            others[0], others[1]
        );
        let snapshot = verify_share(dir.path(), &context);
        assert!(
            !dir.path().join("share/.lifeboat-publish").exists(),
            "{context}: lock or staging left behind"
        );
        let ok: Vec<&Outcome> = outcomes.iter().filter(|o| o.code == 0).collect();
        for o in outcomes.iter().filter(|o| o.code != 0) {
            assert!(
                !queue,
                "{context}: a publish with --wait failed: {}",
                o.stderr
            );
            assert_eq!(o.code, 1, "{context}: {}", o.stderr);
            assert!(
                o.stderr
                    .contains("error: another publish to `share` is running: ")
                    && o.stderr.contains(" (pid ")
                    && o.stderr.contains(", publishing snapshot ")
                    && o.stderr.contains(") since 2025-11-25T08:26:40Z ("),
                "{context}: the refusal names no holder: {}",
                o.stderr
            );
            refused += 1;
        }
        assert!(!ok.is_empty(), "{context}: neither publish installed");
        if ok.len() == 1 {
            // The refused one changed nothing: the share is the other's.
            assert_eq!(snapshot, SNAPSHOTS[ok[0].bundle], "{context}");
        } else {
            both += 1;
            let waiter = outcomes
                .iter()
                .find(|o| o.stderr.contains("waiting for it (up to 120s, --wait)"));
            if let Some(w) = waiter {
                waited += 1;
                // The one that waited installed after the other: its bundle is the share's.
                assert_eq!(snapshot, SNAPSHOTS[w.bundle], "{context}");
            }
        }
        current = SNAPSHOTS.iter().position(|s| *s == snapshot).unwrap();
    }
    eprintln!("{refused} refused, {waited} waited, {both} pairs where both installed");
    assert!(refused > 0, "no two publishes without --wait overlapped");
    assert!(waited > 0, "no publish with --wait queued behind another");
}

/// Writes a lock file into `share` as `holder` would have.
fn plant_lock(share: &Path, holder: &Holder) {
    let work = share.join(".lifeboat-publish");
    fs::create_dir_all(&work).unwrap();
    fs::write(work.join(LOCK_FILE), holder.to_toml()).unwrap();
}

fn bundles_on_a_share() -> tempfile::TempDir {
    let dir = super::publish::two_bundles();
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    dir
}

#[test]
fn a_live_lock_refuses_naming_its_holder_and_wait_gives_up_after_the_time_given() {
    let dir = bundles_on_a_share();
    let share = dir.path().join("share");
    // This test process is alive: its lock is held, whatever its age.
    let started = epoch() + DAY - 125;
    let mut holder = Holder::this_process("2025-11-23T08:26:40Z", started);
    holder.host = "build-agent-7".into();
    plant_lock(&share, &holder);
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let pid = std::process::id();
    assert!(
        run.stderr.contains(&format!(
            "error: another publish to `share` is running: build-agent-7 (pid {pid}, publishing snapshot 2025-11-23T08:26:40Z) since 2025-11-23T08:24:35Z (2m 5s ago). One publish at a time per share: rerun with `--wait SECONDS` to queue behind it, or rerun later."
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("delete `share/.lifeboat-publish/lock.toml`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        assert_verifies(dir.path(), "share", "refused"),
        "2025-11-22T08:26:40Z"
    );

    let run = publish(dir.path(), "new", "share", &["--wait", "1"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("note: another publish to share is running: build-agent-7"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("waited 1s (--wait) and it still runs"),
        "{}",
        run.stderr
    );
    // The other's lock is still there, untouched.
    assert_eq!(
        fs::read_to_string(share.join(".lifeboat-publish/lock.toml")).unwrap(),
        holder.to_toml()
    );
}

#[test]
fn a_lock_whose_process_is_gone_is_taken_over_with_a_warning() {
    let dir = bundles_on_a_share();
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let mut holder = Holder::this_process("2025-11-23T08:26:40Z", epoch() + DAY);
    holder.pid = dead;
    holder.process_start = None;
    plant_lock(&dir.path().join("share"), &holder);
    let run = publish(dir.path(), "new", "share", &[], &[]);
    if cfg!(target_os = "linux") {
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stderr.contains(&format!(
                "warning: took over the publish lock of {} (pid {dead}, publishing snapshot 2025-11-23T08:26:40Z) since 2025-11-23T08:26:40Z (0s ago): it was taken on this machine by process {dead}, which no longer exists, so the lock is stale"
            , holder.host)),
            "{}",
            run.stderr
        );
        assert_eq!(
            assert_verifies(dir.path(), "share", "taken over"),
            "2025-11-23T08:26:40Z"
        );
        assert!(!dir.path().join("share/.lifeboat-publish").exists());
    } else {
        // Elsewhere a pid cannot be checked: only the age rule applies.
        assert_eq!(run.code, 1, "{}", run.transcript());
    }
}

#[test]
fn a_lock_from_another_machine_is_taken_over_only_after_an_hour() {
    let dir = bundles_on_a_share();
    let share = dir.path().join("share");
    let now = epoch() + DAY;
    let mut holder = Holder::this_process("2025-11-23T08:26:40Z", now - 3599);
    holder.host = "other-host".into();
    holder.machine = Some("another machine".into());
    holder.pid = 1;
    plant_lock(&share, &holder);
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("other-host (pid 1,"), "{}", run.stderr);

    holder.started_epoch = now - 3601;
    plant_lock(&share, &holder);
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("warning: took over the publish lock of other-host (pid 1, ")
            && run
                .stderr
                .contains(": it is older than 1 hour, so the lock is stale"),
        "{}",
        run.stderr
    );
    assert_eq!(
        assert_verifies(dir.path(), "share", "taken over"),
        "2025-11-23T08:26:40Z"
    );
}
