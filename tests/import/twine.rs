//! `lifeboat import twine`: a Twee 3 story (SugarCube) and a Twine 2 archive (Harlowe) into the basic
//! fixture and into the French example, which then builds; warnings name their line.

use std::fs;

use super::common::*;

fn source(name: &str) -> String {
    fixture("twine").join(name).display().to_string()
}

fn import(dir: &std::path::Path, name: &str, into: &str) -> Run {
    let file = source(name);
    lifeboat(dir, &["import", "twine", file.as_str(), "--into", into])
}

#[test]
fn twee_and_archive_stories_import_and_pass_check() {
    let dir = super::basic();
    let run = import(dir.path(), "modem.twee", "support/modem-story");
    assert_eq!(run.code, 0, "{}", run.transcript());
    let file = source("modem.twee");
    for warning in [
        format!("warning: {file}:15: passage \"StoryInit\" is story set-up: not imported"),
        format!("warning: {file}:19: passage \"Story JavaScript\" (tagged `script`) is story code or set-up: not imported"),
        format!("warning: {file}:33: SugarCube macro `<<if>>` dropped: story-format code is not imported"),
        format!("warning: {file}:49: the link \"Callback\" leads to \"Callback\", which is no passage: dropped"),
    ] {
        assert!(run.stderr.contains(&warning), "`{warning}` in\n{}", run.transcript());
    }
    let twee = fs::read_to_string(dir.path().join("content/support/modem-story.md")).unwrap();
    insta::assert_snapshot!("twine-twee", twee);

    let run = import(dir.path(), "archive.html", "support/billing-story");
    assert_eq!(run.code, 0, "{}", run.transcript());
    let archive = fs::read_to_string(dir.path().join("content/support/billing-story.md")).unwrap();
    insta::assert_snapshot!("twine-archive", archive);
    assert!(
        !archive.contains("window.x") && !archive.contains("font-size"),
        "{archive}"
    );

    let check = lifeboat(dir.path(), &["check", "content"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(
        check.stderr.contains("\n0 errors"),
        "{}",
        check.transcript()
    );
    assert!(
        !check.stderr.contains("cannot be reached: no answer"),
        "{}",
        check.transcript()
    );
}

#[test]
fn a_twine_2_story_builds_in_the_french_example() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    let run = import(dir.path(), "archive.html", "facturation/questions");
    assert_eq!(run.code, 0, "{}", run.transcript());
    let entry = fs::read_to_string(dir.path().join("content/facturation/entry.toml")).unwrap();
    let start = entry
        .lines()
        .find_map(|l| l.strip_prefix("start = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap()
        .to_string();
    let start_file = dir.path().join(format!("content/facturation/{start}.md"));
    let text = fs::read_to_string(&start_file).unwrap();
    fs::write(
        &start_file,
        format!(
            "{}\n\nVoir aussi [les questions de facturation](questions.md).\n",
            text.trim_end()
        ),
    )
    .unwrap();
    let check = lifeboat(dir.path(), &["check", "content", "--deny-warnings"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    let build = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(build.code, 0, "{}", build.transcript());
}

#[test]
fn a_story_that_cannot_be_read_exits_1_at_its_line() {
    let dir = super::basic();
    fs::write(dir.path().join("bad.twee"), "Some notes\n:: A\ntext\n").unwrap();
    let run = lifeboat(
        dir.path(),
        &["import", "twine", "bad.twee", "--into", "support/bad"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: bad.twee:1: text before the first passage header"),
        "{}",
        run.transcript()
    );
    assert!(!dir.path().join("content/support/bad.md").exists());
}
