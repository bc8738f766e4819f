//! Staleness counts from the later of the content's revision time (the snapshot, deterministic, in the
//! build) and the last publish that confirmed the share holds the bundle (`[published] confirmed`, on
//! the share only): content left unchanged for more than `frequency_days` stays fresh as long as the
//! job publishes it, and a build output never fails `verify` for staleness (issue 20, item 6).

use std::fs;
use std::path::Path;

use crate::common::*;

use super::publish::state;
use super::{build_at, epoch, text, verify_at, DAY};

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.transcript()))
}

/// `lifeboat publish BUNDLE --to share` at `now`.
fn publish_at(root: &Path, bundle: &str, now: i64) -> Run {
    lifeboat_env(
        root,
        &["publish", bundle, "--to", "share"],
        &[("LIFEBOAT_NOW", &now.to_string())],
    )
}

#[test]
fn unchanged_content_published_every_day_never_goes_stale() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The recipe, run on days 0 to 60 of content last edited on day 0 (the snapshot stays day 0).
    for day in [0, 20, 40, 60] {
        let now = epoch() + day * DAY + 3600;
        build_at(root, "basic", "dist", epoch());
        let dist = verify_at(&root.join("dist"), &["."], now);
        assert_eq!(
            dist.code,
            0,
            "day {day}: verify dist: {}",
            dist.transcript()
        );
        let value = json(&verify_at(
            &root.join("dist"),
            &[".", "--format", "json"],
            now,
        ));
        assert_eq!(value["stale"]["counted_from"], "build", "day {day}");
        let run = publish_at(root, "dist", now);
        assert_eq!(run.code, 0, "day {day}: {}", run.transcript());
        let share = verify_at(&root.join("share"), &["."], now);
        assert_eq!(
            share.code,
            0,
            "day {day}: verify share: {}",
            share.transcript()
        );
        // Monitoring the next day, and up to the due date the confirmation set.
        let due = verify_at(&root.join("share"), &["."], now + 29 * DAY);
        assert_eq!(due.code, 0, "day {day}: {}", due.transcript());
    }
    let value = json(&verify_at(
        &root.join("share"),
        &[".", "--format", "json"],
        epoch() + 61 * DAY,
    ));
    assert_eq!(value["stale"]["counted_from"], "confirmed");
    assert_eq!(value["stale"]["confirmed"], "2026-01-21T09:26:40Z");
    assert_eq!(value["stale"]["next_due"], "2026-02-20");
    // Without a publish for longer than the policy, it goes stale, and says since when it was confirmed.
    let run = verify_at(&root.join("share"), &["."], epoch() + 95 * DAY);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.starts_with("stale    This copy is from 2025-11-22; a publish last confirmed it at 2026-01-21T09:26:40Z, and it is renewed every 30 days, so it is 5 day(s) out of date. It was due by 2026-02-20.\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_publish_with_nothing_else_to_do_confirms_the_share_in_its_manifest_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_at(root, "basic", "dist", epoch());
    let run = publish_at(root, "dist", epoch() + DAY);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let share = root.join("share");
    // publish and verify count the files the same way: those the manifest lists, and the zip.
    assert!(
        run.stdout
            .starts_with("published snapshot 2025-11-22T08:26:40Z to share (6 files)\n"),
        "{}",
        run.stdout
    );
    let run = verify_at(&share, &["."], epoch() + DAY);
    assert!(run.stdout.contains(", 6 files intact,"), "{}", run.stdout);
    let manifest = text(&share.join("bcp-manifest.toml"));
    let built = text(&root.join("dist/bcp-manifest.toml"));
    // The build's manifest, as it is (deterministic, what the zip holds and a signature covers),
    // then the share's own table.
    assert!(!built.contains("[published]"), "{built}");
    let location = std::path::absolute(&share).unwrap();
    assert_eq!(
        manifest,
        format!("{built}\n[published]\nat = \"2025-11-23T08:26:40Z\"\nat_epoch = 1763886400\nconfirmed = \"2025-11-23T08:26:40Z\"\nconfirmed_epoch = 1763886400\nlocation = {}\narchive_sha256 = \"{}\"\n", toml_string(&location.display().to_string()), zip_sha256(&share))
    );
    // 40 days on, no edit: stale, then a publish confirms it.
    let later = epoch() + 40 * DAY;
    assert_eq!(verify_at(&share, &["."], later).code, 1);
    let before = state(&share);
    let run = publish_at(root, "dist", later);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stdout,
        "share already holds snapshot 2025-11-22T08:26:40Z: nothing to do but confirm it (confirmed 2026-01-01T08:26:40Z)\n"
    );
    let after = state(&share);
    let changed: Vec<&String> = after
        .keys()
        .filter(|name| before.get(*name) != after.get(*name))
        .collect();
    assert_eq!(changed, ["bcp-manifest.toml"], "only the manifest moves");
    let manifest = text(&share.join("bcp-manifest.toml"));
    assert!(manifest.starts_with(&built), "{manifest}");
    assert!(
        manifest.contains("at = \"2025-11-23T08:26:40Z\"\n")
            && manifest.contains("confirmed = \"2026-01-01T08:26:40Z\"\n"),
        "installed then, confirmed now: {manifest}"
    );
    let run = verify_at(&share, &["."], later);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("renew by 2026-01-31"), "{}", run.stdout);
    // The zip in the share still holds the build's manifest, and verifies with the folder.
    let value = json(&verify_at(&share, &[".", "--format", "json"], later));
    assert!(value["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "ok"));
    // The zip alone carries only the build's manifest: counted from the snapshot.
    let zip = "example-contact-centre-offline-2025-11-22.zip";
    assert_eq!(verify_at(&share, &[zip], later).code, 1);
}

#[test]
fn nothing_may_follow_the_published_table() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_at(root, "basic", "dist", epoch());
    assert_eq!(publish_at(root, "dist", epoch() + DAY).code, 0);
    let path = root.join("share/bcp-manifest.toml");
    let good = text(&path);
    // An entry slipped in after the share's table would escape the signature, which covers the build's
    // part: refused.
    fs::write(
        &path,
        format!("{good}\n[[entries]]\nid = \"x\"\ntitle = \"x\"\nfile = \"x.html\"\nbytes = 1\nsha256 = \"00\"\naccess = \"open\"\ndiagrams = 1\nnodes = 1\nsource_sha256 = \"00\"\n"),
    )
    .unwrap();
    let run = verify_at(&root.join("share"), &["."], epoch() + DAY);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("[published]: "), "{}", run.stderr);
    // Two `[published]` tables: refused too.
    fs::write(
        &path,
        good.replace(
            "\n[published]\n",
            "\n[published]\nat = \"x\"\n\n[published]\n",
        ),
    )
    .unwrap();
    let run = verify_at(&root.join("share"), &["."], epoch() + DAY);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

/// SHA-256 of the share's zip, in hex.
fn zip_sha256(share: &Path) -> String {
    use sha2::{Digest, Sha256};
    let zip = fs::read(share.join("example-contact-centre-offline-2025-11-22.zip")).unwrap();
    format!("{:x}", Sha256::digest(zip))
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
