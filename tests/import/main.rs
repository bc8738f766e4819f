//! `lifeboat import mermaid`: every fixture of tests/fixtures/mermaid/ imported into a copy of
//! tests/fixtures/basic must pass `lifeboat check`; broken ones exit 1 naming the file and line.
//! defects.rs holds one minimal flowchart per defect of issue 23, corpus.rs the faithful rate over
//! tests/fixtures/mermaid-corpus.

#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod defects;
mod drawio;
mod oracle;
mod twine;

use std::fs;
use std::path::Path;

use common::*;

/// The flowcharts that import, as found in projects' docs.
const GOOD: &[&str] = &[
    "internet-troubleshooting.mmd",
    "chained.mmd",
    "ampersand.mmd",
    "subgraphs.mmd",
    "styled.mmd",
    "shapes.mmd",
    "arrows.mmd",
    "modem-fr.mmd",
    "README-flow.md",
    "live-editor.mmd",
];

fn basic() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    dir
}

fn source(name: &str) -> String {
    fixture("mermaid").join(name).display().to_string()
}

fn import(dir: &Path, name: &str, into: &str, extra: &[&str]) -> Run {
    let file = source(name);
    let mut args = vec!["import", "mermaid", file.as_str(), "--into", into];
    args.extend_from_slice(extra);
    lifeboat(dir, &args)
}

fn id_of(name: &str) -> String {
    let stem = name.split('.').next().unwrap_or(name);
    stem.to_lowercase()
}

#[test]
fn every_good_fixture_imports_and_passes_check() {
    let dir = basic();
    for name in GOOD {
        let into = format!("support/{}", id_of(name));
        let run = import(dir.path(), name, &into, &[]);
        assert_eq!(run.code, 0, "{name}: {}", run.transcript());
        assert!(
            run.stdout.starts_with("created "),
            "{name}: {}",
            run.transcript()
        );
        let written = dir.path().join("content").join(format!("{into}.md"));
        let text = fs::read_to_string(&written).unwrap();
        assert!(text.starts_with("+++\ntitle = "), "{name}:\n{text}");
    }
    let check = lifeboat(dir.path(), &["check", "content"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(check.stderr.contains("0 errors"), "{}", check.transcript());
    let files: Vec<String> = fs::read_dir(dir.path().join("content/support"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !files.iter().any(|f| f.ends_with(".tmp")),
        "temporary file left behind: {files:?}"
    );
}

#[test]
fn each_fixture_alone_passes_check_as_json_without_errors() {
    for name in GOOD {
        let dir = basic();
        let run = import(dir.path(), name, "escalation/imported", &[]);
        assert_eq!(run.code, 0, "{name}: {}", run.transcript());
        let check = lifeboat(dir.path(), &["check", "content", "--format", "json"]);
        assert_eq!(check.code, 0, "{name}: {}", check.transcript());
        assert!(
            !check.stdout.contains("\"error\""),
            "{name}: {}",
            check.stdout
        );
    }
}

fn snapshot(name: &str) {
    let dir = basic();
    let run = import(dir.path(), name, "support/imported", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let text = fs::read_to_string(dir.path().join("content/support/imported.md")).unwrap();
    insta::assert_snapshot!(format!("import-{}", id_of(name)), text);
}

#[test]
fn snapshot_troubleshooting() {
    snapshot("internet-troubleshooting.mmd");
}

#[test]
fn snapshot_shapes() {
    snapshot("shapes.mmd");
}

#[test]
fn snapshot_markdown_block() {
    snapshot("README-flow.md");
}

/// As Mermaid Live Editor exports: labels first, shapes after (`A@{ shape: stadium}`), classes.
#[test]
fn snapshot_live_editor_export() {
    snapshot("live-editor.mmd");
}

#[test]
fn bad_fixtures_exit_1_naming_file_and_line() {
    let cases = [
        (
            "bad-sequence.mmd",
            2,
            "`sequenceDiagram` diagrams cannot be imported",
        ),
        ("bad-garbage.mmd", 4, "expected a node id"),
        (
            "bad-unclosed.md",
            5,
            "node `A`: the node label opened by `[` is not closed",
        ),
    ];
    for (name, line, message) in cases {
        let dir = basic();
        let run = import(dir.path(), name, "support/bad", &[]);
        assert_eq!(run.code, 1, "{name}: {}", run.transcript());
        let expected = format!("error: {}:{line}: {message}", source(name));
        assert!(
            run.stderr.contains(&expected),
            "{name}: expected `{expected}` in\n{}",
            run.transcript()
        );
        assert!(
            !dir.path().join("content/support/bad.md").exists(),
            "{name}"
        );
    }
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = basic();
    let target = dir.path().join("content/support/internet.md");
    let before = fs::read_to_string(&target).unwrap();
    let run = import(dir.path(), "chained.mmd", "support/internet", &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("already exists; pass --force"),
        "{}",
        run.transcript()
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), before);

    let run = import(
        dir.path(),
        "chained.mmd",
        "support/internet",
        &["--force", "--title", "Replaced"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.starts_with("replaced "), "{}", run.transcript());
    let after = fs::read_to_string(&target).unwrap();
    assert!(
        after.starts_with("+++\ntitle = \"Replaced\"\n+++\n"),
        "{after}"
    );
}

#[test]
fn the_entry_point_must_exist() {
    let dir = basic();
    let run = import(dir.path(), "chained.mmd", "nowhere/flow", &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("entry point `nowhere` not found")
            && run.stderr.contains("lifeboat new entry nowhere"),
        "{}",
        run.transcript()
    );
    assert!(!dir.path().join("content/nowhere").exists());

    let run = import(dir.path(), "chained.mmd", "support/bad id", &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("invalid diagram id"),
        "{}",
        run.transcript()
    );
}

#[test]
fn title_comes_from_the_option_then_the_front_matter_then_the_id() {
    let dir = basic();
    import(dir.path(), "internet-troubleshooting.mmd", "support/a", &[]);
    import(dir.path(), "chained.mmd", "support/b-flow", &[]);
    let a = fs::read_to_string(dir.path().join("content/support/a.md")).unwrap();
    let b = fs::read_to_string(dir.path().join("content/support/b-flow.md")).unwrap();
    assert!(
        a.starts_with("+++\ntitle = \"Internet troubleshooting\"\n"),
        "{a}"
    );
    assert!(b.starts_with("+++\ntitle = \"B flow\"\n"), "{b}");
}

#[test]
fn a_missing_file_is_unusable_input() {
    let dir = basic();
    let run = lifeboat(
        dir.path(),
        &["import", "mermaid", "missing.mmd", "--into", "support/x"],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("reading missing.mmd"),
        "{}",
        run.transcript()
    );
}
