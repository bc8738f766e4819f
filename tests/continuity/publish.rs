//! `lifeboat publish`: atomic, idempotent, with retention, and safe to kill at any point.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{build_at, epoch, text, verify_at, DAY};
use crate::common::*;

pub(super) fn publish(
    dir: &Path,
    bundle: &str,
    share: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let mut args = vec!["publish", bundle, "--to", share];
    args.extend_from_slice(extra);
    let mut env = env.to_vec();
    let now = (epoch() + DAY).to_string();
    env.push(("LIFEBOAT_NOW", &now));
    lifeboat_env(dir, &args, &env)
}

pub(super) fn snapshot_of(share: &Path) -> String {
    let m = text(&share.join("bcp-manifest.toml"));
    m.lines()
        .find_map(|l| l.strip_prefix("snapshot = \""))
        .map(|s| s.trim_end_matches('"').to_string())
        .unwrap()
}

/// Two bundles of the basic fixture one day apart; the second changes a diagram, adds an entry point
/// and drops one, so a publish replaces, adds and removes files.
pub(super) fn two_bundles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    build_at(dir.path(), "basic", "old", epoch());
    let content = dir.path().join("content");
    let diagram = content.join("support/power.md");
    fs::write(&diagram, text(&diagram) + "\nOne more line.\n").unwrap();
    fs::rename(content.join("escalation"), content.join("escalade")).unwrap();
    for md in [
        "support/internet.md",
        "support/power.md",
        "escalade/level-2.md",
    ] {
        let path = content.join(md);
        fs::write(&path, text(&path).replace("../escalation/", "../escalade/")).unwrap();
    }
    build_at(dir.path(), "basic", "new", epoch() + DAY);
    dir
}

pub(super) fn assert_verifies(dir: &Path, share: &str, context: &str) -> String {
    let run = verify_at(&dir.join(share), &["."], epoch() + DAY);
    assert_eq!(
        run.code,
        0,
        "{context}: share does not verify\n{}",
        run.transcript()
    );
    snapshot_of(&dir.join(share))
}

/// After a publish stopped: every file of the share is complete and the old bundle's or the new one's
/// (as `verify` checks them), the only problems being what the stopped publish left beside the bundle
/// (its stale lock, its staging folder), which `verify` reports until a rerun. Returns the snapshot.
pub(super) fn assert_holds_a_bundle(dir: &Path, share: &str, context: &str) -> String {
    assert_holds_a_bundle_with(dir, share, &[], epoch() + DAY, context)
}

/// [`assert_holds_a_bundle`] with more arguments to `verify`, at `now`.
pub(super) fn assert_holds_a_bundle_with(
    dir: &Path,
    share: &str,
    extra: &[&str],
    now: i64,
    context: &str,
) -> String {
    let mut args = vec![".", "--format", "json"];
    args.extend_from_slice(extra);
    let run = verify_at(&dir.join(share), &args, now);
    let v: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{context}: {e}\n{}", run.transcript()));
    let files_ok = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "ok" || f["status"] == "pending");
    let left =
        v["lock"]["stale"] == true || v["leftovers"].as_array().is_some_and(|l| !l.is_empty());
    let signature = v["signature"]["status"] != "bad" && v["signature"]["status"] != "missing";
    assert!(
        files_ok && signature && v["stale"]["stale"] == false && (run.code == 0 || left),
        "{context}: the share's bundle does not verify\n{}",
        run.transcript()
    );
    snapshot_of(&dir.join(share))
}

/// Files of a share with their modification times: "changes nothing" means neither moves.
pub(super) fn state(share: &Path) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    read_tree(share)
        .into_iter()
        .map(|(name, bytes)| {
            let modified = fs::metadata(share.join(&name)).unwrap().modified().unwrap();
            (name, (bytes, modified))
        })
        .collect()
}

/// The number in `publish`'s "(N files)" and in `verify`'s "N files intact".
fn count(line: &str, before: &str, after: &str) -> usize {
    let end = line
        .find(after)
        .unwrap_or_else(|| panic!("no `{after}` in {line}"));
    let start = line[..end].rfind(before).unwrap() + before.len();
    line[start..end].parse().unwrap()
}

#[test]
fn publish_and_verify_count_the_same_files() {
    // Issue 24: publish said 7 where verify said 6 for the same bundle (publish counted the manifest).
    let dir = two_bundles();
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let published = count(&run.stdout, "(", " files)");
    let verified = verify_at(&dir.path().join("share"), &["."], epoch() + DAY);
    assert_eq!(verified.code, 0, "{}", verified.transcript());
    assert_eq!(published, count(&verified.stdout, ", ", " files intact"));
    // The files the manifest lists: two entry points, the launcher, two documents and the zip.
    assert_eq!(published, 6);
}

#[test]
fn publish_twice_changes_nothing() {
    let dir = two_bundles();
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run
        .stdout
        .starts_with("published snapshot 2025-11-22T08:26:40Z to share"));
    assert_verifies(dir.path(), "share", "after publish");
    assert!(!dir.path().join("share/.lifeboat-output").exists());
    let before = state(&dir.path().join("share"));
    std::thread::sleep(Duration::from_millis(20));
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);
    assert!(
        before == state(&dir.path().join("share")),
        "second publish changed the share"
    );
}

#[test]
fn publish_archives_the_previous_bundle_and_prunes_to_keep() {
    let dir = tempfile::tempdir().unwrap();
    let days = 5;
    for day in 0..days {
        let out = format!("b{day}");
        build_at(dir.path(), "basic", &out, epoch() + day * DAY);
        let run = publish(dir.path(), &out, "share", &["--keep", "2"], &[]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        if day == 1 {
            // A Mac browsing the share leaves this behind; it must neither stop nor be pruned.
            fs::write(dir.path().join("share/archive/.DS_Store"), b"finder").unwrap();
        }
    }
    let share = dir.path().join("share");
    assert_eq!(snapshot_of(&share), "2025-11-26T08:26:40Z");
    assert_eq!(
        fs::read(share.join("archive/.DS_Store")).unwrap(),
        b"finder"
    );
    let mut archived: Vec<String> = fs::read_dir(share.join("archive"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| name != ".DS_Store")
        .collect();
    archived.sort();
    assert_eq!(archived, ["2025-11-24T08-26-40Z", "2025-11-25T08-26-40Z"]);
    for a in &archived {
        // At the last publish's time: a snapshot dated after now is a problem.
        let run = verify_at(&share.join("archive").join(a), &["."], epoch() + 4 * DAY);
        assert_eq!(run.code, 0, "archive {a}: {}", run.transcript());
    }
    let run = verify_at(&share, &["."], epoch() + 4 * DAY);
    assert_eq!(run.code, 0, "after pruning: {}", run.transcript());
}

#[test]
fn publish_refuses_a_damaged_bundle() {
    let dir = two_bundles();
    fs::write(dir.path().join("new/support.html"), "broken").unwrap();
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("changed support.html"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("share/support.html").exists());
}

/// Stops the publish after every possible number of filesystem steps; after each stop the share
/// verifies (as the old bundle or the new one) and a rerun completes.
#[test]
fn publish_interrupted_at_every_step_leaves_a_share_that_verifies() {
    let dir = two_bundles();
    let mut completed = false;
    let mut mixed_states = 0;
    for k in 1..500 {
        let share = format!("share-{k}");
        let run = publish(dir.path(), "old", &share, &[], &[]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        let k_text = k.to_string();
        let run = publish(
            dir.path(),
            "new",
            &share,
            &[],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &k_text)],
        );
        let snapshot =
            assert_holds_a_bundle(dir.path(), &share, &format!("stopped after step {k}"));
        let report = verify_at(&dir.path().join(&share), &["."], epoch() + DAY).stdout;
        mixed_states += usize::from(report.contains("publish  in progress or interrupted"));
        assert!(
            ["2025-11-22T08:26:40Z", "2025-11-23T08:26:40Z"].contains(&snapshot.as_str()),
            "{snapshot}"
        );
        if run.code == 0 {
            completed = true;
            break;
        }
        assert!(
            run.stderr.contains("LIFEBOAT_PUBLISH_FAIL_AFTER"),
            "{}",
            run.transcript()
        );
        let rerun = publish(dir.path(), "new", &share, &[], &[]);
        assert_eq!(
            rerun.code,
            0,
            "rerun after step {k}: {}",
            rerun.transcript()
        );
        assert_eq!(
            assert_verifies(dir.path(), &share, "after rerun"),
            "2025-11-23T08:26:40Z"
        );
        let share_dir = dir.path().join(&share);
        assert!(
            !share_dir.join("escalation.html").exists(),
            "step {k}: dropped entry left behind"
        );
        assert!(
            !share_dir.join(".lifeboat-publish").exists(),
            "step {k}: staging left behind"
        );
        let archived = share_dir.join("archive/2025-11-22T08-26-40Z");
        let run = verify_at(&archived, &["."], epoch());
        assert_eq!(
            run.code,
            0,
            "step {k}: archive of the old bundle: {}",
            run.transcript()
        );
        fs::remove_dir_all(&share_dir).unwrap();
    }
    assert!(completed, "publish never completed");
    // The steps between the journal and the manifest were among those interrupted.
    assert!(
        mixed_states >= 6,
        "{mixed_states} interruptions while files were being replaced"
    );
}

/// A bundle big enough for a publish to take a while: 40 entry points of 150 steps each.
pub(super) fn big_content(root: &Path, marker: &str) {
    fs::create_dir_all(root).unwrap();
    fs::write(
        root.join("site.toml"),
        "name = \"Big Centre\"\nlanguage = \"en\"\nonline_url = \"https://app.example.com\"\n\n[backup]\nfrequency_days = 30\nowner = { name = \"Ada\" }\n",
    )
    .unwrap();
    for e in 0..40 {
        let dir = root.join(format!("entry-{e:02}"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("entry.toml"),
            format!("title = \"Entry {e}\"\nstart = \"flow\"\n"),
        )
        .unwrap();
        let mut md = String::from("+++\ntitle = \"Flow\"\n+++\n\n");
        for n in 0..150 {
            md.push_str(&format!(
                "## Step {n} {{#s{n}}}\n\n{marker} Ask the customer for detail number {n}, then check it in the list.\n\n- [Next](#s{})\n\n",
                (n + 1) % 150
            ));
        }
        fs::write(dir.join("flow.md"), md).unwrap();
    }
}

#[test]
fn publish_killed_at_random_moments_leaves_a_share_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    for (name, marker, day) in [("a", "First.", 0), ("b", "Second.", 1)] {
        let content = dir.path().join(format!("content-{name}"));
        big_content(&content, marker);
        let at = (epoch() + day * DAY).to_string();
        let run = lifeboat_env(
            dir.path(),
            &["build", &format!("content-{name}"), "--out", name],
            &[("SOURCE_DATE_EPOCH", &at)],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let spawn = |bundle: &str| {
        Command::new(env!("CARGO_BIN_EXE_lifeboat"))
            // The rounds alternate between the two bundles, the older one over the newer every other time.
            .args([
                "publish",
                bundle,
                "--to",
                "share",
                "--quiet",
                "--allow-older",
            ])
            .current_dir(dir.path())
            .env("LIFEBOAT_NOW", (epoch() + DAY).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    assert!(spawn("a").wait().unwrap().success());
    // How long a whole publish takes here, to spread the kills over it.
    let started = Instant::now();
    assert!(spawn("b").wait().unwrap().success());
    let full = started.elapsed().as_micros().max(1000) as u64;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut bundle = "a";
    for round in 0..24 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % full);
        let mut child = spawn(bundle);
        std::thread::sleep(delay);
        child.kill().ok();
        child.wait().unwrap();
        let snapshot = assert_holds_a_bundle(
            dir.path(),
            "share",
            &format!("killed after {delay:?} (round {round})"),
        );
        assert!(
            ["2025-11-22T08:26:40Z", "2025-11-23T08:26:40Z"].contains(&snapshot.as_str()),
            "{snapshot}"
        );
        assert!(
            spawn(bundle).wait().unwrap().success(),
            "rerun after round {round}"
        );
        let expected = if bundle == "a" {
            "2025-11-22T08:26:40Z"
        } else {
            "2025-11-23T08:26:40Z"
        };
        assert_eq!(
            assert_verifies(dir.path(), "share", "after rerun"),
            expected
        );
        bundle = if bundle == "a" { "b" } else { "a" };
    }
}
