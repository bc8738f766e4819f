//! `lifeboat calls merge` over the agents' exports in tests/fixtures/calls/: two agents' exports with
//! overlapping ids (one CSV with a byte order mark and CRLF, one JSON, one CSV with LF and no BOM), and
//! broken ones (damaged, foreign, wrong header, a spreadsheet's re-save, wrong values, another site).
//! The merged files and every diagnostic are snapshotted; a failed merge writes nothing.

mod common;

use std::fs;
use std::path::Path;

use common::*;

const GOOD: [&str; 3] = ["agent-a.json", "agent-b.csv", "agent-c-lf.csv"];

/// The broken exports, each merged after agent-a.json.
const BROKEN: [&str; 8] = [
    "damaged.json",
    "foreign.json",
    "wrong-header.csv",
    "semicolons.csv",
    "windows-1252.csv",
    "bad-values.json",
    "bad-records.csv",
    "other-site.json",
];

/// A scratch folder holding a copy of every fixture export, so that names in messages are short.
fn exports() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("calls"), dir.path());
    dir
}

fn merge(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["calls", "merge"];
    all.extend_from_slice(args);
    lifeboat_env(dir, &all, &[("LIFEBOAT_NOW", "2026-12-02T18:00:00Z")])
}

/// The CSV as text with what is invisible shown: the byte order mark, and `⏎` before each CRLF (a
/// bare LF inside a quoted cell stays a plain line break).
fn visible(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .replace('\u{feff}', "<BOM>")
        .replace("\r\n", "⏎\n")
}

#[test]
fn two_agents_exports_merge_into_one_csv() {
    let dir = exports();
    let mut args = GOOD.to_vec();
    args.extend(["--out", "appels.csv"]);
    let run = merge(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!("merge-csv-run", run.transcript());
    let bytes = fs::read(dir.path().join("appels.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}id,started,".as_bytes()));
    insta::assert_snapshot!("merge-csv", visible(&bytes));
    assert!(
        run.stderr
            .ends_with("merged 6 records from 3 files (2 duplicates dropped) -> appels.csv\n"),
        "{}",
        run.stderr
    );

    // The same to standard output, byte for byte.
    let mut args = GOOD.to_vec();
    args.extend(["--out", "-"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lifeboat"))
        .args(["calls", "merge"])
        .args(&args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, bytes);
    assert!(String::from_utf8_lossy(&out.stderr).contains("-> standard output"));
}

#[test]
fn json_output_merges_back_into_the_same_csv() {
    let dir = exports();
    let mut args = GOOD.to_vec();
    args.extend(["--out", "appels.json"]);
    let run = merge(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let json = fs::read_to_string(dir.path().join("appels.json")).unwrap();
    insta::assert_snapshot!("merge-json", json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "lifeboat-calls");
    assert_eq!(value["site_id"], "3f9a0c1d2e4b5a67");
    assert_eq!(value["exported"], "2026-12-02T18:00:00.000Z");

    // --format wins over the name; the JSON merged again gives the CSV merged directly.
    let run = merge(
        dir.path(),
        &["appels.json", "--out", "again.txt", "--format", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let mut args = GOOD.to_vec();
    args.extend(["--out", "appels.csv"]);
    assert_eq!(merge(dir.path(), &args).code, 0);
    assert_eq!(
        fs::read(dir.path().join("again.txt")).unwrap(),
        fs::read(dir.path().join("appels.csv")).unwrap()
    );
}

#[test]
fn a_broken_export_is_named_with_its_line_and_nothing_is_written() {
    let dir = exports();
    fs::write(dir.path().join("appels.csv"), "previous merge\r\n").unwrap();
    let before = read_tree(dir.path());
    for broken in BROKEN {
        let run = merge(dir.path(), &["agent-a.json", broken, "--out", "appels.csv"]);
        assert_eq!(run.code, 1, "{broken}: {}", run.transcript());
        assert!(
            run.stderr.contains(&format!("┌─ {broken}:"))
                || run.stderr.contains(&format!("in {broken}")),
            "{broken}: the file is not named:\n{}",
            run.stderr
        );
        assert!(
            run.stderr
                .ends_with("error: the exports have problems; `appels.csv` was not written\n"),
            "{}",
            run.stderr
        );
        insta::assert_snapshot!(format!("broken-{broken}"), run.transcript());
        assert_eq!(read_tree(dir.path()), before, "{broken} changed the folder");
    }
}

#[test]
fn the_output_never_replaces_an_export() {
    let dir = exports();
    let before = read_tree(dir.path());
    for out in ["agent-b.csv", "./agent-b.csv"] {
        let run = merge(dir.path(), &["agent-a.json", "agent-b.csv", "--out", out]);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr.contains("is one of the exports to merge"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(read_tree(dir.path()), before);
}

#[test]
fn a_folder_stands_for_its_exports_less_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("drop");
    fs::create_dir(&drop).unwrap();
    for name in GOOD {
        fs::copy(fixture("calls").join(name), drop.join(name)).unwrap();
    }
    fs::write(drop.join("notes.txt"), "not an export").unwrap();
    let first = merge(dir.path(), &["drop", "--out", "drop/appels.csv"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let merged = fs::read(drop.join("appels.csv")).unwrap();
    // Again, with the previous merge in the folder: it is the output, not an input.
    let second = merge(dir.path(), &["drop", "--out", "drop/appels.csv"]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert!(second.stderr.contains("from 3 files"), "{}", second.stderr);
    assert_eq!(fs::read(drop.join("appels.csv")).unwrap(), merged);
    // Same as naming the files; no temporary file left behind.
    let mut names: Vec<String> = fs::read_dir(&drop)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "agent-a.json",
            "agent-b.csv",
            "agent-c-lf.csv",
            "appels.csv",
            "notes.txt"
        ]
    );
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let dir = exports();
    let none = merge(dir.path(), &["--out", "appels.csv"]);
    assert_eq!(none.code, 2, "{}", none.transcript());
    assert!(none.stderr.contains("<FILES>"), "{}", none.stderr);
    let no_out = merge(dir.path(), &["agent-a.json"]);
    assert_eq!(no_out.code, 2, "{}", no_out.transcript());
    assert!(no_out.stderr.contains("--out <PATH>"), "{}", no_out.stderr);
    let missing = merge(
        dir.path(),
        &["agent-a.json", "absent.csv", "--out", "appels.csv"],
    );
    assert_eq!(missing.code, 2, "{}", missing.transcript());
    insta::assert_snapshot!("missing-file", missing.transcript());
    let empty = tempfile::tempdir().unwrap();
    let folder = merge(
        dir.path(),
        &[empty.path().to_str().unwrap(), "--out", "appels.csv"],
    );
    assert_eq!(folder.code, 2, "{}", folder.transcript());
    assert!(folder.stderr.contains("holds no .csv or .json file"));
    assert!(!dir.path().join("appels.csv").exists());
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let dir = exports();
    // Sparse: 65 MiB on disk costs nothing; no more than the limit is read.
    let big = fs::File::create(dir.path().join("huge.csv")).unwrap();
    big.set_len(65 << 20).unwrap();
    drop(big);
    let run = merge(
        dir.path(),
        &["agent-a.json", "huge.csv", "--out", "appels.csv"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("huge-file", run.transcript());
    assert!(!dir.path().join("appels.csv").exists());
}
