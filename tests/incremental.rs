//! Incremental builds: the previous output folder is the cache. Unchanged entry points and zip members
//! are reused, and the result is always byte-identical to a full build (`--no-cache`) of the same content.

mod common;

use std::fs;
use std::path::Path;

use common::*;

const CACHE: &str = ".lifeboat-cache.toml";

fn site(fixture_name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(fixture_name), &dir.path().join("content"));
    dir
}

/// Builds with `--no-previous`: these tests compare an incremental build with a full build into
/// another folder, which has no previous build to say what changed since (tests/changes.rs holds the
/// cache to the comparison with a previous copy).
fn build(dir: &Path, out: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec!["build", "content", "--out", out, "--no-previous"];
    args.extend_from_slice(extra);
    let run = lifeboat_env(dir, &args, env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run
}

/// The `reused N of M entry points` line of a build.
fn reused(run: &Run) -> &str {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("reused "))
        .unwrap_or_else(|| panic!("no `reused` line:\n{}", run.stdout));
    let end = line.find(" entry point").unwrap_or(line.len());
    &line[..end]
}

/// The incremental output in `dist` is byte for byte the full build of the same content (same options).
fn assert_same_as_full_build(dir: &Path, extra: &[&str], env: &[(&str, &str)]) {
    fs::remove_dir_all(dir.join("full")).ok();
    let mut args = extra.to_vec();
    args.push("--no-cache");
    let run = build(dir, "full", &args, env);
    assert_eq!(reused(&run), "reused 0 of 2");
    let (incremental, full) = (read_tree(&dir.join("dist")), read_tree(&dir.join("full")));
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &incremental {
        assert!(bytes == &full[name], "{name} differs from a full build");
    }
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join("content").join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    fs::write(&path, text.replace(from, to)).unwrap();
}

fn zip_chunks_reused(run: &Run) -> &str {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("reused "))
        .unwrap();
    let start = line.find(" and ").map_or(0, |i| i + 5);
    let end = line.find(" zip chunks").unwrap_or(line.len());
    &line[start..end]
}

#[test]
fn unchanged_entry_points_are_reused_and_the_result_is_a_full_builds() {
    let site = site("basic");
    let dir = site.path();
    let first = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&first), "reused 0 of 2");
    assert!(dir.join("dist").join(CACHE).is_file());

    let again = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&again), "reused 2 of 2");
    #[cfg(unix)]
    {
        // A reused file is linked from the previous output, not written again.
        use std::os::unix::fs::MetadataExt;
        let inode = |dir: &Path| fs::metadata(dir.join("dist/support.html")).unwrap().ino();
        let before = inode(dir);
        build(dir, "dist", &[], &[]);
        assert_eq!(inode(dir), before);
    }
    assert_eq!(zip_chunks_reused(&again), "6 of 6");
    assert_same_as_full_build(dir, &[], &[]);

    // An edit of the escalation entry that support's file does not show (its description: not in
    // the bundle index, nor in support's answers into it).
    edit(
        dir,
        "escalation/entry.toml",
        "When level 1 cannot solve it",
        "When level 1 cannot solve it alone",
    );
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 1 of 2");
    let html = unpacked(&fs::read_to_string(dir.join("dist/escalation.html")).unwrap());
    assert!(html.contains("When level 1 cannot solve it alone"));
    // support.html is the same; the manifest, contingency documents, the launcher (it shows the
    // description) and escalation.html are new.
    assert_eq!(zip_chunks_reused(&run), "1 of 6");
    assert_same_as_full_build(dir, &[], &[]);

    // The output folder still verifies: the cache file is not an extra file.
    let verify = lifeboat(dir, &["verify", "dist", "--now", "2025-11-23T00:00:00Z"]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
}

#[test]
fn a_siblings_changed_text_rebuilds_the_files_that_index_it() {
    // Each file carries the search index of every other open entry point (#lb-bundle): a body edit
    // in escalation changes support's file too, although support shows none of that text.
    let site = site("basic");
    let dir = site.path();
    build(dir, "dist", &[], &[]);
    let before = fs::read_to_string(dir.join("dist/support.html")).unwrap();
    assert_eq!(indexed_siblings(&before), ["escalation"]);
    edit(
        dir,
        "escalation/level-2.md",
        "Thank the customer.",
        "Thank the customer warmly.",
    );
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
    // support's file is not rendered again: only its #lb-bundle element is replaced.
    assert!(
        run.stdout
            .contains("(1 more with only the other entry points' search index replaced)"),
        "{}",
        run.stdout
    );
    let support = unpacked(&fs::read_to_string(dir.join("dist/support.html")).unwrap());
    assert!(
        support.contains("Thank the customer warmly."),
        "support's index of escalation is the new one"
    );
    assert_same_as_full_build(dir, &[], &[]);
    // Its new element's place is recorded: a second edit replaces it again, still a full build's bytes.
    edit(
        dir,
        "escalation/level-2.md",
        "Thank the customer warmly.",
        "Thank the customer.",
    );
    let run = build(dir, "dist", &[], &[]);
    assert!(run.stdout.contains("(1 more with only"), "{}", run.stdout);
    assert_eq!(
        fs::read(dir.join("dist/support.html")).unwrap(),
        before.as_bytes()
    );
    assert_same_as_full_build(dir, &[], &[]);
    assert_eq!(reused(&build(dir, "dist", &[], &[])), "reused 2 of 2");
}

#[test]
fn a_changed_title_of_a_link_target_rebuilds_the_entry_linking_to_it() {
    let site = site("basic");
    let dir = site.path();
    build(dir, "dist", &[], &[]);
    // support/internet.md links to `../escalation/level-2.md#start`: its map names the target node.
    edit(
        dir,
        "escalation/level-2.md",
        "## Transfer to level 2 {#start}",
        "## Hand over to level 2 {#start}",
    );
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
    // The map of support names the target node: support is rendered again, not just refreshed.
    assert!(!run.stdout.contains("more with only"), "{}", run.stdout);
    let support = unpacked(&fs::read_to_string(dir.join("dist/support.html")).unwrap());
    assert!(support.contains("Hand over to level 2"));
    assert_same_as_full_build(dir, &[], &[]);
}

#[test]
fn a_new_environment_or_snapshot_rebuilds_everything() {
    let site = site("basic");
    let dir = site.path();
    build(dir, "dist", &[], &[]);
    let run = build(dir, "dist", &["--env", "primary"], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
    assert_same_as_full_build(dir, &["--env", "primary"], &[]);

    let later = [("SOURCE_DATE_EPOCH", "1763900000")];
    let run = build(dir, "dist", &["--env", "primary"], &later);
    assert_eq!(reused(&run), "reused 0 of 2");
    assert_eq!(zip_chunks_reused(&run), "0 of 6");
    assert_same_as_full_build(dir, &["--env", "primary"], &later);

    let run = build(dir, "dist", &["--env", "primary"], &later);
    assert_eq!(reused(&run), "reused 2 of 2");
}

#[test]
fn a_theme_change_rebuilds_everything() {
    let site = site("basic");
    let dir = site.path();
    build(dir, "dist", &[], &[]);
    fs::create_dir_all(dir.join("content/_theme")).unwrap();
    fs::write(
        dir.join("content/_theme/custom.css"),
        ".lb-brand{font-weight:700}\n",
    )
    .unwrap();
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
    assert_same_as_full_build(dir, &[], &[]);
}

#[test]
fn tampered_previous_files_are_not_reused() {
    let site = site("basic");
    let dir = site.path();
    build(dir, "dist", &[], &[]);
    let support = dir.join("dist/support.html");
    let mut bytes = fs::read(&support).unwrap();
    bytes.extend_from_slice(b"<!-- changed on the share -->");
    fs::write(&support, bytes).unwrap();
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 1 of 2");
    assert_same_as_full_build(dir, &[], &[]);

    // A damaged zip: whatever of it can still be trusted is reused, and the result is still exact.
    let zip = fs::read_dir(dir.join("dist"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
        .unwrap();
    let mut bytes = fs::read(&zip).unwrap();
    let middle = bytes.len() / 3;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0x5a;
    }
    fs::write(&zip, bytes).unwrap();
    build(dir, "dist", &[], &[]);
    assert_same_as_full_build(dir, &[], &[]);

    // A cache file that is not ours (or garbage) is ignored.
    fs::write(
        dir.join("dist").join(CACHE),
        "format = 1\ngenerator = \"x\"\n",
    )
    .unwrap();
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
    fs::write(dir.join("dist").join(CACHE), "\u{0}not toml[[").unwrap();
    let run = build(dir, "dist", &[], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
}

#[test]
fn no_cache_forces_a_full_build() {
    let site = site("basic");
    let dir = site.path();
    build(dir, "dist", &[], &[]);
    let run = build(dir, "dist", &["--no-cache"], &[]);
    assert_eq!(reused(&run), "reused 0 of 2");
    assert!(run.stdout.contains("(--no-cache)"));
}

#[test]
fn locked_entry_points_are_never_reused() {
    let site = site("locked-site");
    let dir = site.path();
    let key = [("LIFEBOAT_ACCESS_KEY", "QNTN6-7SMQW-QXER1-4VSNH-SF871-SS")];
    build(dir, "dist", &[], &key);
    let before = fs::read(dir.join("dist/coffre.html")).unwrap();
    let run = build(dir, "dist", &[], &key);
    // accueil (open) is reused; coffre (locked) is sealed again with a fresh salt and nonce.
    assert_eq!(reused(&run), "reused 1 of 2");
    assert_ne!(fs::read(dir.join("dist/coffre.html")).unwrap(), before);
    let cache = fs::read_to_string(dir.join("dist").join(CACHE)).unwrap();
    assert!(!cache.contains("coffre"), "{cache}");
}
