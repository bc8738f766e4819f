//! Broken content: every case under tests/fixtures/invalid/ is the basic fixture with a few files
//! replaced or added. Each must be reported exactly as snapshotted, exit non-zero, never panic, and
//! leave a previous good output folder byte-identical.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// Copies the basic fixture to `dir/content`, then the case's files over it.
fn content_with(dir: &Path, case: &str) {
    let content = dir.join("content");
    copy_dir(&fixture("basic"), &content);
    copy_dir(&fixture("invalid").join(case), &content);
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixture("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn there_are_at_least_forty_broken_cases() {
    assert!(cases().len() >= 40, "{} cases", cases().len());
}

#[test]
fn every_broken_case_is_reported_and_leaves_the_output_alone() {
    let mut failures = Vec::new();
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture("basic"), &dir.path().join("content"));
        let good = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
        assert_eq!(good.code, 0, "{}", good.transcript());
        let before = read_tree(&dir.path().join("dist"));

        content_with(dir.path(), &case);
        let warnings_only = case.starts_with("warn-");
        let check = lifeboat(dir.path(), &["check", "content", "--deny-warnings"]);
        insta::with_settings!({ snapshot_path => "snapshots/check", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(case.clone(), check.transcript());
        });
        if check.code != 1 {
            failures.push(format!("{case}: check exited {}", check.code));
        }
        let build = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
        if warnings_only {
            if build.code != 0 {
                failures.push(format!(
                    "{case}: warnings must not stop a build:\n{}",
                    build.transcript()
                ));
            }
        } else {
            if build.code == 0 {
                failures.push(format!("{case}: build succeeded"));
            }
            if read_tree(&dir.path().join("dist")) != before {
                failures.push(format!("{case}: failed build changed the output folder"));
            }
            if !build.stderr.contains("`dist` was not changed") {
                failures.push(format!(
                    "{case}: build did not say the output is unchanged:\n{}",
                    build.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_output_gives_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    content_with(dir.path(), "answer-missing-node");
    let run = lifeboat(dir.path(), &["check", "content", "--format", "json"]);
    assert_eq!(run.code, 1);
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let error = items
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap();
    assert_eq!(error["file"], "content/support/extra.md");
    assert_eq!(error["line"], 7);
    assert_eq!(error["column"], 3);
    assert_eq!(error["hints"][0], "did you mean `#restart`?");
}

#[test]
fn a_symlink_out_of_the_content_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    fs::write(dir.path().join("secret.png"), b"\x89PNG\r\n\x1a\nsecret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("secret.png"),
        dir.path().join("content/support/images/link.png"),
    )
    .unwrap();
    fs::write(
        dir.path().join("content/support/extra.md"),
        "+++\ntitle = \"Extra\"\n+++\n\n## A {#a}\n\n![Secret](images/link.png)\n",
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["check", "content"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("is a link to a file outside the content folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn clean_content_passes_check() {
    let run = lifeboat(&fixture("basic"), &["check", "."]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("no problems found"));
}

#[test]
fn a_path_too_long_for_the_system_is_not_called_missing() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that exists, at a path longer than the system's 4,096 (mkdir -p gets there step by step).
    let long = vec!["d".repeat(200); 22].join("/");
    let made = std::process::Command::new("mkdir")
        .args(["-p", &long])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(made.success());
    let run = lifeboat(dir.path(), &["check", &long]);
    // A content folder that cannot be opened is nothing to check: exit 2, as for a missing one.
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("cannot be opened: File name too long"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not found"), "{}", run.stderr);
    assert!(
        run.stderr.len() < 1000,
        "the whole path is not printed: {}",
        run.stderr.len()
    );
}

#[test]
fn no_content_folder_is_exit_2_and_broken_content_exit_1() {
    // The README's table: 1 when problems are found, 2 when there is nothing to check (a wrong path,
    // an unmounted share, a folder without site.toml).
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    for args in [
        &["check", "nowhere"][..],
        &["check", "empty"],
        &["build", "nowhere", "--out", "dist"],
        &["build", "empty", "--out", "dist"],
    ] {
        let run = lifeboat(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.transcript());
    }
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    fs::write(dir.path().join("content/site.toml"), "name = [").unwrap();
    for args in [
        &["check", "content"][..],
        &["build", "content", "--out", "dist"],
    ] {
        let run = lifeboat(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.transcript());
    }
}
