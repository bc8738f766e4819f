//! What changed since the previous copy (issue 18): two builds of tests/fixtures/changes (`before`,
//! then `after` with two steps edited, one added, a diagram deleted, an image renamed, two steps
//! reordered and a locked step edited) report exactly those changes, in the manifest, each file's
//! payload (sealed for the locked one), the contingency document, `verify` and `publish`.

mod common;

use std::fs;
use std::path::Path;

use common::{fixture, lifeboat_env, payload, read_tree, Run};
use lifeboat::access::seal;
use lifeboat::access::AccessKey;

const KEY_A: &str = "QNTN6-7SMQW-QXER1-4VSNH-SF871-SS";
const KEY_B: &str = "3SA7T-GN1HE-6B4Y7-PRHP8-2HD58-0K";
/// The `before` copy's snapshot, and the `after` one's a week later.
const BEFORE: &str = "1763800000";
const AFTER: &str = "1764400000";

/// Builds `dir/content/CONTENT` (a copy of tests/fixtures/changes: see [`two_builds`]).
fn build(dir: &Path, content: &str, out: &str, epoch: &str, extra: &[&str], key: &str) -> Run {
    if !dir.join("content").exists() {
        common::copy_dir(&fixture("changes"), &dir.join("content"));
    }
    let content = dir.join("content").join(content);
    let mut args = vec!["build", content.to_str().unwrap(), "--out", out, "-q"];
    args.extend_from_slice(extra);
    lifeboat_env(
        dir,
        &args,
        &[("SOURCE_DATE_EPOCH", epoch), ("LIFEBOAT_ACCESS_KEY", key)],
    )
}

/// `before` built into `prev`, then `after` into `out` compared with it. The content is copied out of
/// the repository first, so that no git revision (which changes with every commit) is in the output.
fn two_builds() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("changes"), &temp.path().join("content"));
    let run = build(temp.path(), "before", "prev", BEFORE, &[], KEY_A);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = build(
        temp.path(),
        "after",
        "out",
        AFTER,
        &["--previous", "prev"],
        KEY_A,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    temp
}

fn manifest(dir: &Path) -> toml::Value {
    toml::from_str(&fs::read_to_string(dir.join("bcp-manifest.toml")).unwrap()).unwrap()
}

fn entry<'a>(m: &'a toml::Value, id: &str) -> &'a toml::Value {
    m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_str() == Some(id))
        .unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// The locked entry point's payload, opened with `key`.
fn sealed_payload(html: &str, key: &str) -> serde_json::Value {
    let (params, ciphertext) = seal::read_element(html).expect("sealed element");
    let key = AccessKey::parse(key).unwrap();
    let plain = seal::open(&key, &params, &ciphertext, &seal::associated_data("vault"))
        .expect("opens with the key");
    let plain: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    plain["data"].clone()
}

#[test]
fn exactly_the_edited_added_and_removed_steps_are_reported() {
    let temp = two_builds();
    let out = temp.path().join("out");
    let html = fs::read_to_string(out.join("desk.html")).unwrap();
    let changes = &payload(&html)["changes"];
    assert_eq!(changes["previous"], "2025-11-22");
    assert_eq!(strings(&changes["added"]), ["cards/replacement"]);
    // cards/stolen: its text; cards/lost: an answer added; pins/done: its image renamed (same bytes).
    // pins/reset and pins/other only swapped places: not marked.
    assert_eq!(
        strings(&changes["changed"]),
        ["cards/lost", "cards/stolen", "pins/done"]
    );
    assert_eq!(
        strings(&changes["removed"]),
        ["Old offer", "Old offer, part two"]
    );
    assert_eq!(strings(&changes["diagrams_removed"]), ["Old card offers"]);
    assert_eq!(changes["new_entry"], false);

    let m = manifest(&out);
    assert_eq!(
        m["compared_with"]["snapshot"].as_str(),
        Some("2025-11-22T08:26:40Z")
    );
    let desk = &entry(&m, "desk")["changes"];
    assert_eq!(desk["added"].as_integer(), Some(1));
    assert_eq!(desk["changed"].as_integer(), Some(3));
    assert_eq!(desk["removed"].as_integer(), Some(2));
    assert_eq!(desk["diagrams_removed"].as_integer(), Some(1));
    let touched: Vec<&str> = desk["diagrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(touched, ["Cards", "PIN codes"]);

    // The locked entry point: its one edited step, inside its seal; counts only in the manifest.
    let vault = &entry(&m, "vault")["changes"];
    assert_eq!(vault["changed"].as_integer(), Some(1));
    assert_eq!(vault["added"].as_integer(), Some(0));
    assert!(vault.get("diagrams").is_none());
    let locked = fs::read_to_string(out.join("vault.html")).unwrap();
    let sealed = sealed_payload(&locked, KEY_A);
    assert_eq!(strings(&sealed["changes"]["changed"]), ["fraud/confirmed"]);
}

#[test]
fn nothing_of_a_locked_entry_point_reaches_the_manifest_or_the_documents() {
    let temp = two_builds();
    let out = temp.path().join("out");
    let m = fs::read_to_string(out.join("bcp-manifest.toml")).unwrap();
    let steps = entry(&manifest(&out), "vault")["steps"].clone();
    assert_eq!(steps.as_array().unwrap().len(), 2, "one line per step");
    for (name, text) in [
        ("bcp-manifest.toml", m),
        (
            "contingency.md",
            fs::read_to_string(out.join("contingency.md")).unwrap(),
        ),
        (
            "contingency.html",
            fs::read_to_string(out.join("contingency.html")).unwrap(),
        ),
        (
            "desk.html",
            common::unpacked(&fs::read_to_string(out.join("desk.html")).unwrap()),
        ),
    ] {
        for secret in [
            "fraud/",
            "Suspected fraud",
            "Identity confirmed",
            "Check the caller",
            "note the time",
        ] {
            assert!(!text.contains(secret), "`{secret}` is in {name}");
        }
    }
}

#[test]
fn without_a_previous_copy_nothing_is_said() {
    let temp = tempfile::tempdir().unwrap();
    let run = build(temp.path(), "before", "out", BEFORE, &[], KEY_A);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let out = temp.path().join("out");
    let html = fs::read_to_string(out.join("desk.html")).unwrap();
    assert!(payload(&html).get("changes").is_none());
    let m = manifest(&out);
    assert!(m.get("compared_with").is_none());
    assert!(entry(&m, "desk").get("changes").is_none());
    assert!(
        !entry(&m, "desk")["steps"].as_array().unwrap().is_empty(),
        "the steps are recorded for the next build"
    );
    let md = fs::read_to_string(out.join("contingency.md")).unwrap();
    assert!(!md.contains("What changed"));
    // --no-previous: the previous build in --out is not used either.
    let run = build(
        temp.path(),
        "after",
        "out",
        AFTER,
        &["--no-previous"],
        KEY_A,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(manifest(&out).get("compared_with").is_none());
}

#[test]
fn the_previous_build_in_out_is_the_default_and_the_cache_follows_the_comparison() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    assert_eq!(
        build(temp.path(), "before", "out", BEFORE, &[], KEY_A).code,
        0
    );
    let run = build(temp.path(), "after", "out", AFTER, &[], KEY_A);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let desk = payload(&fs::read_to_string(out.join("desk.html")).unwrap());
    assert_eq!(strings(&desk["changes"]["added"]), ["cards/replacement"]);
    // The same snapshot again (a rebuild, or edits not committed yet): compared with what the last
    // build was compared with, so it says the same, and the unchanged open file is reused.
    let full = lifeboat_env(
        temp.path(),
        &[
            "build",
            temp.path().join("content/after").to_str().unwrap(),
            "--out",
            "out",
        ],
        &[("SOURCE_DATE_EPOCH", AFTER), ("LIFEBOAT_ACCESS_KEY", KEY_A)],
    );
    assert!(
        full.stdout.contains("reused 1 of 2 entry points"),
        "{}",
        full.transcript()
    );
    let desk = payload(&fs::read_to_string(out.join("desk.html")).unwrap());
    assert_eq!(strings(&desk["changes"]["added"]), ["cards/replacement"]);
    // A later snapshot: now compared with the build just made, in which nothing changed. A file reused
    // from the cache would still say what changed against `before`.
    let run = build(temp.path(), "after", "out", "1764500000", &[], KEY_A);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let desk = payload(&fs::read_to_string(out.join("desk.html")).unwrap());
    assert!(desk["changes"]["added"].as_array().unwrap().is_empty());
    assert!(desk["changes"]["changed"].as_array().unwrap().is_empty());
    assert_eq!(
        entry(&manifest(&out), "desk")["changes"]["changed"].as_integer(),
        Some(0)
    );
    // --no-cache gives the same bytes as the incremental build (the comparison does not depend on it).
    let run = build(
        temp.path(),
        "after",
        "out",
        "1764500000",
        &["--no-cache"],
        KEY_A,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let again = payload(&fs::read_to_string(out.join("desk.html")).unwrap());
    assert_eq!(again, desk);
}

#[test]
fn the_same_content_and_previous_copy_give_the_same_bytes() {
    let temp = two_builds();
    let run = build(
        temp.path(),
        "after",
        "again",
        AFTER,
        &["--previous", "prev", "--no-cache"],
        KEY_A,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let (mut a, mut b) = (
        read_tree(&temp.path().join("out")),
        read_tree(&temp.path().join("again")),
    );
    for tree in [&mut a, &mut b] {
        // The locked file is sealed with a fresh salt and nonce (documented); the cache is not the bundle.
        tree.remove("vault.html");
        tree.remove(".lifeboat-cache.toml");
        tree.retain(|name, _| !name.ends_with(".zip"));
    }
    // The documents list the locked file's checksum, which differs (its size does not), and the
    // manifest lists theirs; everything else is the same, the locked entry point's marks included.
    let vault_sha = |dir: &str| {
        entry(&manifest(&temp.path().join(dir)), "vault")["sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (sha_a, sha_b) = (vault_sha("out"), vault_sha("again"));
    assert_ne!(sha_a, sha_b);
    assert_eq!(a.len(), b.len());
    let without_checksums = |dir: &str| {
        let mut m = manifest(&temp.path().join(dir));
        // The bundle id hashes every file's checksum, the locked one's too.
        m.as_table_mut().unwrap().remove("bundle_id");
        for list in ["entries", "documents"] {
            for item in m[list].as_array_mut().unwrap() {
                item.as_table_mut().unwrap().remove("sha256");
            }
        }
        m
    };
    assert_eq!(without_checksums("out"), without_checksums("again"));
    for (name, bytes) in &a {
        if name == "bcp-manifest.toml" {
            continue;
        }
        let text = |bytes: &[u8], sha: &str| String::from_utf8_lossy(bytes).replace(sha, "VAULT");
        assert!(
            text(bytes, &sha_a) == text(&b[name], &sha_b),
            "{name} differs between two builds"
        );
    }
}

#[test]
fn a_locked_entry_point_with_another_key_is_not_compared() {
    let temp = tempfile::tempdir().unwrap();
    assert_eq!(
        build(temp.path(), "before", "prev", BEFORE, &[], KEY_A).code,
        0
    );
    let run = build(
        temp.path(),
        "after",
        "out",
        AFTER,
        &["--previous", "prev"],
        KEY_B,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let out = temp.path().join("out");
    let m = manifest(&out);
    assert!(entry(&m, "vault").get("changes").is_none());
    assert!(entry(&m, "desk").get("changes").is_some());
    let sealed = sealed_payload(&fs::read_to_string(out.join("vault.html")).unwrap(), KEY_B);
    assert!(sealed.get("changes").is_none());
    let verify = lifeboat_env(
        temp.path(),
        &["verify", "out"],
        &[("LIFEBOAT_NOW", "2025-12-01T00:00:00Z")],
    );
    assert!(
        verify
            .stdout
            .contains("not compared (locked with another key than then): vault"),
        "{}",
        verify.transcript()
    );
}

#[test]
fn what_users_read_of_the_changes() {
    let temp = two_builds();
    let dir = temp.path();
    let mut seen = String::new();
    let loud = lifeboat_env(
        dir,
        &[
            "build",
            temp.path().join("content/after").to_str().unwrap(),
            "--out",
            "loud",
            "--previous",
            "prev",
        ],
        &[("SOURCE_DATE_EPOCH", AFTER), ("LIFEBOAT_ACCESS_KEY", KEY_A)],
    );
    let line = loud
        .stdout
        .lines()
        .find(|l| l.starts_with("changes: "))
        .unwrap_or("(no line)");
    seen.push_str(&format!("build: {line}\n"));
    let verify = lifeboat_env(
        dir,
        &["verify", "out"],
        &[("LIFEBOAT_NOW", "2025-12-01T00:00:00Z")],
    );
    seen.push_str(&format!("verify:\n{}", verify.stdout));
    let json = lifeboat_env(
        dir,
        &["verify", "out", "--format", "json"],
        &[("LIFEBOAT_NOW", "2025-12-01T00:00:00Z")],
    );
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    seen.push_str(&format!(
        "verify --format json, changes:\n{}\n",
        serde_json::to_string_pretty(&json["changes"]).unwrap()
    ));
    // The share held `before`; publishing `after` says what it changed against it.
    let now = [("LIFEBOAT_NOW", "2025-11-29T00:00:00Z")];
    let first = lifeboat_env(dir, &["publish", "prev", "--to", "share"], &now);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let second = lifeboat_env(dir, &["publish", "out", "--to", "share"], &now);
    assert_eq!(second.code, 0, "{}", second.transcript());
    let against = second
        .stdout
        .lines()
        .find(|l| l.contains("against what the share held"))
        .unwrap_or("(no line)");
    seen.push_str(&format!("publish: {}\n", against.trim()));
    let md = fs::read_to_string(dir.join("out/contingency.md")).unwrap();
    let start = md.find("### What changed").expect("the section");
    let end = start + md[start..].find("\n## ").unwrap();
    seen.push_str(&format!("contingency.md:\n{}\n", &md[start..end]));
    insta::assert_snapshot!(seen);
}

#[test]
fn verify_rebuild_needs_the_previous_copy_the_bundle_was_compared_with() {
    let temp = two_builds();
    let content = temp.path().join("content/after");
    let content = content.to_str().unwrap();
    let env = [
        ("SOURCE_DATE_EPOCH", AFTER),
        ("LIFEBOAT_NOW", "2025-12-01T00:00:00Z"),
    ];
    let without = lifeboat_env(temp.path(), &["verify", "out", "--rebuild", content], &env);
    assert_eq!(without.code, 2, "{}", without.transcript());
    assert!(
        without.stderr.contains("give that copy with --previous"),
        "{}",
        without.transcript()
    );
    let with = lifeboat_env(
        temp.path(),
        &["verify", "out", "--rebuild", content, "--previous", "prev"],
        &env,
    );
    assert_eq!(with.code, 0, "{}", with.transcript());
    assert!(
        with.stdout.contains("rebuilt identical"),
        "{}",
        with.transcript()
    );
    assert!(!with.stdout.contains("differs"), "{}", with.transcript());
}

#[test]
fn an_unusable_or_hostile_previous_copy() {
    let temp = two_builds();
    // No bundle there (a share before its first publish): a warning, and nothing compared.
    let run = build(
        temp.path(),
        "after",
        "x",
        AFTER,
        &["--previous", "nowhere"],
        KEY_A,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("warning: --previous: `nowhere` is not reachable or holds no bundle"),
        "{}",
        run.transcript()
    );
    assert!(manifest(&temp.path().join("x"))
        .get("compared_with")
        .is_none());
    // A manifest that is not one: the build stops (exit 2), naming it, and writes nothing.
    fs::create_dir_all(temp.path().join("broken")).unwrap();
    fs::write(
        temp.path().join("broken/bcp-manifest.toml"),
        "format_version = \"x\"",
    )
    .unwrap();
    let run = build(
        temp.path(),
        "after",
        "w",
        AFTER,
        &["--previous", "broken"],
        KEY_A,
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("error: --previous: `broken"),
        "{}",
        run.transcript()
    );
    assert!(!temp.path().join("w").exists());
    // A manifest whose step lines are garbage is read as far as it makes sense, never trusted further.
    let prev = temp.path().join("prev/bcp-manifest.toml");
    let text = fs::read_to_string(&prev).unwrap();
    let first = text.find("steps = [").unwrap();
    // Garbage lines, a 10,000-character title, and the real line of cards/start with another
    // fingerprint: only that one counts, as a changed step.
    let start = text.find(" cards/start ").unwrap();
    let line_start = text[..start].rfind('"').unwrap() + 1;
    let mut lines_only = format!(
        "{}{}{}",
        &text[..line_start],
        "f".repeat(16),
        &text[start..]
    );
    lines_only.insert_str(
        first + "steps = [".len(),
        &format!(
            "\"\", \"zz\", \"0123456789abcdef\", \"0123456789abcdef nowhere/x {}\", ",
            "x".repeat(10_000)
        ),
    );
    fs::write(&prev, lines_only).unwrap();
    let run = build(
        temp.path(),
        "after",
        "z",
        AFTER,
        &["--previous", "prev"],
        KEY_A,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let desk = payload(&fs::read_to_string(temp.path().join("z/desk.html")).unwrap());
    assert!(strings(&desk["changes"]["changed"]).contains(&"cards/start".to_string()));
}
