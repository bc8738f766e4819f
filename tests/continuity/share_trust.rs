//! A share is written to by many people: a planted manifest, journal, link or folder there must never
//! make `publish` delete, move or copy anything outside the share, nor `verify` read it
//! (docs/hostile-input.md, "Shares and manifests").

use std::fs;
use std::path::Path;

use super::publish::{assert_verifies, publish, snapshot_of, two_bundles};
use super::{epoch, sha, text, verify_at, DAY};
use crate::common::*;

/// A file outside the share, and what it held.
fn victim(dir: &Path, name: &str) -> (std::path::PathBuf, &'static [u8]) {
    let path = dir.join(name);
    fs::write(&path, b"precious, not lifeboat's").unwrap();
    (path, b"precious, not lifeboat's")
}

/// Rewrites one `file = "..."` line of the share's manifest.
fn plant_name(share: &Path, from: &str, to: &str) {
    let path = share.join("bcp-manifest.toml");
    let edited = text(&path).replace(
        &format!("file = \"{from}\""),
        &format!("file = {}", toml_string(to)),
    );
    assert_ne!(
        edited,
        text(&path),
        "no `file = \"{from}\"` in the manifest"
    );
    fs::write(&path, edited).unwrap();
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn a_planted_manifest_cannot_make_publish_delete_outside_the_share() {
    let dir = two_bundles();
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let share = dir.path().join("share");
    let (relative, held) = victim(dir.path(), "victim.txt");
    let (absolute, _) = victim(dir.path(), "absolute.txt");
    // The new bundle has neither planted name, so the code before the fix deleted both files.
    for (from, to) in [
        ("escalation.html", "../victim.txt".to_string()),
        ("contingency.md", absolute.display().to_string()),
    ] {
        let before = text(&share.join("bcp-manifest.toml"));
        plant_name(&share, from, &to);
        let run = publish(dir.path(), "new", "share", &[], &[]);
        assert_eq!(run.code, 2, "{to}: {}", run.transcript());
        assert!(
            run.stderr.contains("share/bcp-manifest.toml")
                && run.stderr.contains(&to)
                && run.stderr.contains("not a file of a bundle"),
            "{}",
            run.stderr
        );
        assert_eq!(fs::read(&relative).unwrap(), held);
        assert_eq!(fs::read(&absolute).unwrap(), held);
        assert_eq!(snapshot_of(&share), "2025-11-22T08:26:40Z", "{to}");
        fs::write(share.join("bcp-manifest.toml"), before).unwrap();
    }
    // With its own manifest back, the share takes the new bundle.
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_verifies(dir.path(), "share", "after the manifest is restored");
}

#[test]
fn verify_never_reads_a_file_a_manifest_or_link_points_outside() {
    let dir = two_bundles();
    let bundle = dir.path().join("old");
    let secret = dir.path().join("secret.txt");
    fs::write(&secret, b"the payroll").unwrap();
    let digest = sha(b"the payroll");

    let manifest = bundle.join("bcp-manifest.toml");
    let good = text(&manifest);
    for name in [
        secret.display().to_string(),
        "../secret.txt".to_string(),
        "..\\secret.txt".to_string(),
        "C:secret.txt".to_string(),
        ".lifeboat-publish".to_string(),
    ] {
        plant_name(&bundle, "index.html", &name);
        let run = verify_at(&bundle, &["."], epoch());
        assert_eq!(run.code, 2, "{name}: {}", run.transcript());
        assert!(
            run.stderr.contains("documents[0].file")
                && run.stderr.contains("not a file of a bundle"),
            "{name}: {}",
            run.stderr
        );
        assert!(!run.transcript().contains(&digest));
        fs::write(&manifest, &good).unwrap();
    }

    // A link in place of a bundle's file is not followed, and a folder is damage, not "unusable".
    fs::remove_file(bundle.join("index.html")).unwrap();
    std::os::unix::fs::symlink(&secret, bundle.join("index.html")).unwrap();
    fs::remove_file(bundle.join("contingency.md")).unwrap();
    fs::create_dir(bundle.join("contingency.md")).unwrap();
    let run = verify_at(&bundle, &["--format", "json", "."], epoch());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(!run.transcript().contains(&digest), "{}", run.stdout);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let detail = |file: &str| {
        value["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == file)
            .map(|f| (f["status"].clone(), f["detail"].clone()))
            .unwrap()
    };
    let (status, why) = detail("index.html");
    assert_eq!(status, "changed");
    assert!(why.as_str().unwrap().contains("symbolic link"), "{why}");
    let (status, why) = detail("contingency.md");
    assert_eq!(status, "changed");
    assert!(why.as_str().unwrap().contains("folder"), "{why}");

    // The manifest itself as a link: not read either.
    fs::remove_file(&manifest).unwrap();
    std::os::unix::fs::symlink(&secret, &manifest).unwrap();
    let run = verify_at(&bundle, &["."], epoch());
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(!run.transcript().contains("payroll"));
}

/// A journal as a crashed publish of `new` would leave it, pointing at `staging`.
fn plant_journal(share: &Path, staging: &str) {
    let work = share.join(".lifeboat-publish");
    fs::create_dir_all(&work).unwrap();
    fs::write(
        work.join("journal.toml"),
        format!(
            "staging = {}\nsnapshot = \"2025-11-23T08:26:40Z\"\nstarted_epoch = {}\n",
            toml_string(staging),
            epoch() + DAY
        ),
    )
    .unwrap();
}

#[test]
fn a_planted_journal_is_refused_and_never_followed() {
    let dir = two_bundles();
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let share = dir.path().join("share");
    let before = read_tree(&share);

    // A "staging folder" outside the share, made to look like a staged bundle: the old code moved its
    // files over the share's (and so out of where the planter put them).
    let evil = dir.path().join("evil");
    copy_dir(&dir.path().join("new"), &evil);
    let evil_files = read_tree(&evil);
    for staging in [
        "../../evil".to_string(),
        evil.display().to_string(),
        "..".to_string(),
    ] {
        plant_journal(&share, &staging);
        for run in [
            publish(dir.path(), "new", "share", &[], &[]),
            verify_at(&share, &["."], epoch() + DAY),
        ] {
            assert_eq!(run.code, 2, "{staging}: {}", run.transcript());
            assert!(
                run.stderr.contains("journal.toml")
                    && run.stderr.contains("will not follow it")
                    && run.stderr.contains("remove the folder"),
                "{}",
                run.stderr
            );
        }
        assert_eq!(read_tree(&evil), evil_files, "{staging}");
    }

    // Inside `.lifeboat-publish/`, but staged files that do not verify against the staged manifest.
    let work = share.join(".lifeboat-publish");
    let staging = work.join("2025-11-23T08-26-40Z");
    copy_dir(&dir.path().join("new"), &staging);
    fs::write(staging.join("support.html"), "<script>planted</script>").unwrap();
    plant_journal(&share, "2025-11-23T08-26-40Z");
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("staged `support.html` that does not verify"),
        "{}",
        run.stderr
    );
    let mut now = read_tree(&share);
    now.retain(|name, _| !name.starts_with(".lifeboat-publish"));
    let mut was = before.clone();
    was.retain(|name, _| !name.starts_with(".lifeboat-publish"));
    assert!(now == was, "a refused journal changed the share");

    // A staged manifest naming a file outside the share.
    copy_dir(&dir.path().join("new"), &staging);
    plant_name(&staging, "support.html", "../../victim.txt");
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("not a file of a bundle"),
        "{}",
        run.stderr
    );

    // Cleared as the message says, the share publishes again.
    fs::remove_dir_all(&work).unwrap();
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_verifies(dir.path(), "share", "after clearing the journal");
}

#[test]
fn publish_keeps_out_of_linked_folders_and_prunes_only_its_bundles() {
    let dir = two_bundles();
    let share = dir.path().join("share");
    fs::create_dir_all(&share).unwrap();
    let elsewhere = dir.path().join("home");
    fs::create_dir_all(elsewhere.join("0-thesis")).unwrap();
    fs::write(elsewhere.join("0-thesis/chapter.doc"), "years").unwrap();
    for linked in ["archive", ".lifeboat-publish"] {
        std::os::unix::fs::symlink(&elsewhere, share.join(linked)).unwrap();
        let run = publish(dir.path(), "old", "share", &[], &[]);
        assert_eq!(run.code, 2, "{linked}: {}", run.transcript());
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
        fs::remove_file(share.join(linked)).unwrap();
    }
    assert_eq!(
        fs::read(elsewhere.join("0-thesis/chapter.doc")).unwrap(),
        b"years"
    );

    // A folder someone keeps in archive/ is not a bundle: never pruned, whatever its name.
    let run = publish(dir.path(), "old", "share", &["--keep", "1"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    fs::create_dir_all(share.join("archive/0-notes")).unwrap();
    fs::write(share.join("archive/0-notes/minutes.txt"), "kept").unwrap();
    let run = publish(dir.path(), "new", "share", &["--keep", "1"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        fs::read(share.join("archive/0-notes/minutes.txt")).unwrap(),
        b"kept"
    );
}

#[test]
fn publish_leaves_a_dropped_file_that_is_no_longer_the_one_it_published() {
    let dir = two_bundles();
    let run = publish(dir.path(), "old", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let share = dir.path().join("share");
    // Someone saved their own page over the old escalation file, which the new bundle drops.
    fs::write(share.join("escalation.html"), "my notes").unwrap();
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr.contains("left `") && run.stderr.contains("escalation.html` in place"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read(share.join("escalation.html")).unwrap(),
        b"my notes"
    );
    assert_eq!(snapshot_of(&share), "2025-11-23T08:26:40Z");
}
