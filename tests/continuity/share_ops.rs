//! Operating a share: a publish that stopped half-way is reported once it has been in progress for too
//! long, with which files are old and which new; and the zip of a bundle verifies on its own.

use std::fs;
use std::path::Path;

use super::publish::{publish, two_bundles};
use super::{epoch, verify_at, DAY};

/// When the publishes of these tests start (`publish` runs at this time).
fn started() -> i64 {
    epoch() + DAY
}

/// Publishes `old`, then stops a publish of `new` half-way through its replacements: some files are
/// new, others still old. Returns the share's folder name.
fn half_published(dir: &Path) -> String {
    for k in 1..500 {
        let share = format!("share-{k}");
        assert_eq!(publish(dir, "old", &share, &[], &[]).code, 0);
        let k = k.to_string();
        publish(
            dir,
            "new",
            &share,
            &[],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &k)],
        );
        let report = verify_at(&dir.join(&share), &["."], started()).stdout;
        if report.contains("\nold ") && report.contains("\nnew ") {
            return share;
        }
        fs::remove_dir_all(dir.join(&share)).unwrap();
    }
    panic!("no interruption left old and new files side by side");
}

#[test]
fn verify_fails_a_publish_in_progress_for_too_long_and_says_which_files_are_old_and_new() {
    let dir = two_bundles();
    let share = dir.path().join(half_published(dir.path()));

    // A minute in: a publish may be running; each file is complete.
    let run = verify_at(&share, &["."], started() + 60);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("publish  in progress or interrupted: "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(", for 1m 0s"), "{}", run.stdout);
    let old: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("old "))
        .collect();
    let new: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("new "))
        .collect();
    assert!(!old.is_empty() && !new.is_empty(), "{}", run.stdout);

    // Past the default ten minutes, it has stopped: monitoring must hear of it.
    let run = verify_at(&share, &["."], started() + 601);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains(
            "publish  stopped half-way: in progress for 10m 1s (longer than --in-progress-max 10m 0s)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("rerun `lifeboat publish`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("FAILED .: 1 problem"), "{}", run.stdout);
    assert!(run.stdout.contains(old[0]) && run.stdout.contains(new[0]));

    // The limit is the caller's: seconds, or a number with s, m or h.
    for (max, at, code) in [
        ("90s", 91, 1),
        ("90", 90, 0),
        ("2m", 121, 1),
        ("1h", 601, 0),
        ("1h", 3601, 1),
    ] {
        let run = verify_at(&share, &[".", "--in-progress-max", max], started() + at);
        assert_eq!(run.code, code, "{max} at +{at}s: {}", run.transcript());
    }
    let run = verify_at(&share, &[".", "--in-progress-max", "10 minutes"], started());
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("not a duration"), "{}", run.stderr);

    // JSON: each file says which bundle it is; the publish says how long and whether that is too long.
    let json = verify_at(&share, &[".", "--format", "json"], started() + 601);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["ok"], false);
    let publishing = &value["publishing"];
    assert_eq!(publishing["overdue"], true);
    assert_eq!(publishing["age_seconds"], 601);
    assert_eq!(publishing["max_seconds"], 600);
    let files = value["files"].as_array().unwrap();
    let with = |version: &str, status: &str| {
        files
            .iter()
            .filter(|f| f["version"] == version && f["status"] == status)
            .count()
    };
    assert!(
        with("old", "pending") > 0 && with("new", "ok") > 0,
        "{}",
        json.stdout
    );
    assert_eq!(
        with("old", "pending") + with("new", "ok"),
        files.len(),
        "{}",
        json.stdout
    );

    // A rerun finishes the publish; the report is back to one line, no version field.
    assert_eq!(
        publish(dir.path(), "new", share.to_str().unwrap(), &[], &[]).code,
        0
    );
    let json = verify_at(&share, &[".", "--format", "json"], started() + 601);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(
        value["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f.get("version").is_none()),
        "{}",
        json.stdout
    );
    assert_eq!(verify_at(&share, &["."], started() + 601).code, 0);
}

const ZIP: &str = "example-contact-centre-offline-2025-11-22.zip";

/// Rewrites the zip of `dist` with `edit` applied to its members.
fn edit_zip(dist: &Path, edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) {
    let path = dist.join(ZIP);
    let mut files = lifeboat::package::archive::read(&fs::read(&path).unwrap()).unwrap();
    edit(&mut files);
    fs::write(
        &path,
        lifeboat::package::archive::zip(&files, epoch()).unwrap(),
    )
    .unwrap();
}

#[test]
fn verify_checks_a_zip_on_its_own() {
    let dir = super::built("basic");
    let dist = dir.path().join("dist");
    let run = verify_at(&dist, &[ZIP], epoch() + DAY);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stdout,
        format!("OK {ZIP}: Example Contact Centre, snapshot 2025-11-22T08:26:40Z, 5 files intact, renew by 2025-12-22\n")
    );
    let json = verify_at(&dist, &[ZIP, "--format", "json"], epoch());
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["ok"], true, "{}", json.stdout);
    assert_eq!(value["files"].as_array().unwrap().len(), 5);
    assert_eq!(value["files"][0]["file"], "contingency.html");
    // Stale like a folder; compared with the sources like a folder (the zip's environment).
    let run = verify_at(&dist, &[ZIP], 1_766_448_000 + 2 * DAY);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("stale    This copy is from 2025-11-22, 33 days ago;"),
        "{}",
        run.stdout
    );
    let run = verify_at(&dist, &[ZIP, "--content", "../content"], epoch());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("in step with the sources"),
        "{}",
        run.stdout
    );
    // Nothing was extracted.
    let names: Vec<String> = crate::common::read_tree(&dist).into_keys().collect();
    assert_eq!(names.len(), 9, "{names:?}");
}

#[test]
fn verify_reports_each_bad_member_of_a_zip() {
    let dir = super::built("basic");
    let dist = dir.path().join("dist");
    edit_zip(&dist, |files| {
        files.retain(|f| f.0 != "escalation.html");
        for f in files.iter_mut().filter(|f| f.0 == "index.html") {
            f.1[10] ^= 1;
        }
        files.push(("notes.txt".into(), b"mine".to_vec()));
        files.push(("../evil.html".into(), b"<script>".to_vec()));
    });
    let run = verify_at(&dist, &[ZIP], epoch());
    assert_eq!(run.code, 1, "{}", run.transcript());
    for line in [
        "extra    ../evil.html (not a file name of a bundle: it holds a path separator",
        "missing  escalation.html\n",
        "changed  index.html (sha256 ",
        "extra    notes.txt\n",
        "FAILED example-contact-centre-offline-2025-11-22.zip: 4 problems",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    assert!(!dir.path().join("evil.html").exists());
}

#[test]
fn a_zip_bomb_is_not_inflated_past_the_recorded_size() {
    let dir = super::built("basic");
    let dist = dir.path().join("dist");
    // 64 MiB of one byte deflates to a few tens of KiB.
    edit_zip(&dist, |files| {
        for f in files.iter_mut().filter(|f| f.0 == "support.html") {
            f.1 = vec![b'a'; 64 << 20];
        }
    });
    let recorded = lifeboat::package::manifest::Manifest::from_toml(
        &fs::read_to_string(dist.join("bcp-manifest.toml")).unwrap(),
    )
    .unwrap()
    .entries
    .iter()
    .find(|e| e.file == "support.html")
    .unwrap()
    .bytes;
    for target in [ZIP, "."] {
        let run = verify_at(&dist, &[target], epoch());
        assert_eq!(run.code, 1, "{target}: {}", run.transcript());
        assert!(
            run.stdout
                .contains(&format!("inflates past its recorded {recorded} bytes")),
            "{target}: {}",
            run.stdout
        );
    }
}

#[test]
fn verify_refuses_a_zip_it_cannot_use() {
    let dir = super::built("basic");
    let dist = dir.path().join("dist");
    fs::write(dist.join("notes.zip"), "not a zip at all").unwrap();
    let run = verify_at(&dist, &["notes.zip"], epoch());
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("`notes.zip` is not a usable bundle zip"),
        "{}",
        run.stderr
    );

    let manifest = fs::read_to_string(dist.join("bcp-manifest.toml")).unwrap();
    edit_zip(&dist, |files| {
        for f in files.iter_mut().filter(|f| f.0 == "bcp-manifest.toml") {
            f.1 = manifest
                .replace("file = \"support.html\"", "file = \"../victim.html\"")
                .into_bytes();
        }
    });
    let run = verify_at(&dist, &[ZIP], epoch());
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(&format!("`{ZIP} (bcp-manifest.toml)`: entries[1].file is `../victim.html`, which is not a file of a bundle")),
        "{}",
        run.stderr
    );

    edit_zip(&dist, |files| files.retain(|f| f.0 != "bcp-manifest.toml"));
    let run = verify_at(&dist, &[ZIP], epoch());
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("holds no bcp-manifest.toml: not a bundle zip"),
        "{}",
        run.stderr
    );
}
