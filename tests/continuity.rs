//! The continuity kit: what `build` writes beside the entry points (manifest, contingency document,
//! launcher, zip), `verify` on good and broken bundles, and `publish` under interruption.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use lifeboat::package::manifest::Manifest;
use sha2::{Digest, Sha256};

const DAY: i64 = 86_400;

fn epoch() -> i64 {
    EPOCH.parse().unwrap()
}

/// Copies fixture `name` to `dir/content` and builds it into `dir/<out>` at snapshot `at`.
fn build_at(dir: &Path, name: &str, out: &str, at: i64) -> Run {
    if !dir.join("content").exists() {
        copy_dir(&fixture(name), &dir.join("content"));
    }
    let run = lifeboat_env(
        dir,
        &["build", "content", "--out", out],
        &[("SOURCE_DATE_EPOCH", &at.to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    run
}

fn built(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    build_at(dir.path(), name, "dist", epoch());
    dir
}

/// [`built`], then made a copy of the bundle rather than a build output (the marker `lifeboat build`
/// writes removed): its staleness counts from the snapshot, as a zip's or a USB key's copy does.
fn copied(name: &str) -> tempfile::TempDir {
    let dir = built(name);
    fs::remove_file(dir.path().join("dist/.lifeboat-output")).unwrap();
    dir
}

fn text(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Runs `lifeboat verify` at time `now`.
fn verify_at(dir: &Path, args: &[&str], now: i64) -> Run {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    lifeboat_env(dir, &all, &[("LIFEBOAT_NOW", &now.to_string())])
}

/// Hashes and sizes of built files change with every theme edit; the snapshots keep the structure and
/// the wording, and `checksums_in_manifest_and_documents_are_the_files` checks the values.
fn redact(text: &str) -> String {
    text.lines()
        .map(|line| {
            let hex64 = |w: &str| w.len() >= 64 && w.chars().all(|c| c.is_ascii_hexdigit());
            let mut out: Vec<String> = Vec::new();
            for word in line.split(' ') {
                let core = word.trim_matches(|c: char| !c.is_ascii_hexdigit());
                out.push(if hex64(core) {
                    word.replace(core, "[sha256]")
                } else {
                    word.to_string()
                });
            }
            let line = out.join(" ");
            if line.starts_with("bytes = ") {
                "bytes = [bytes]".to_string()
            } else if line.starts_with("bundle_id = ") {
                // Derived from the files' hashes.
                "bundle_id = [bundle_id]".to_string()
            } else if line.starts_with("commit = ") {
                "commit = [commit]".to_string()
            } else if line.starts_with("| `") {
                // Size columns of the contingency document's tables.
                line.split(" | ")
                    .map(|cell| {
                        if !cell.is_empty()
                            && cell.chars().all(|c| c.is_ascii_digit())
                            && cell.len() > 3
                        {
                            "[bytes]"
                        } else {
                            cell
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn build_writes_the_whole_kit() {
    let dir = built("basic");
    let names: Vec<String> = read_tree(&dir.path().join("dist")).into_keys().collect();
    assert_eq!(
        names,
        [
            ".lifeboat-cache.toml",
            ".lifeboat-output",
            "bcp-manifest.toml",
            "contingency.html",
            "contingency.md",
            "escalation.html",
            "example-contact-centre-offline-2025-11-22.zip",
            "index.html",
            "support.html",
        ]
    );
}

#[test]
fn contingency_document_snapshot() {
    let dir = built("basic");
    insta::assert_snapshot!(
        "contingency-md",
        redact(&text(&dir.path().join("dist/contingency.md")))
    );
}

#[test]
fn manifest_snapshot() {
    let dir = built("basic");
    let manifest = text(&dir.path().join("dist/bcp-manifest.toml"));
    assert!(
        !manifest.contains("1 800 555-0199"),
        "a variable value leaked"
    );
    assert!(
        !manifest.contains("crm-backup.example.com"),
        "a variable value leaked"
    );
    insta::assert_snapshot!("manifest", redact(&manifest));
}

#[test]
fn checksums_in_manifest_and_documents_are_the_files() {
    let dir = built("basic");
    let dist = dir.path().join("dist");
    let m = Manifest::from_toml(&text(&dist.join("bcp-manifest.toml"))).unwrap();
    let md = text(&dist.join("contingency.md"));
    for e in &m.entries {
        let bytes = fs::read(dist.join(&e.file)).unwrap();
        assert_eq!(e.sha256, sha(&bytes), "{}", e.file);
        assert_eq!(e.bytes, bytes.len() as u64);
        assert!(
            md.contains(&format!("{}  {}", e.sha256, e.file)),
            "sha256sum line for {}",
            e.file
        );
    }
    let documents: Vec<&str> = m.documents.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(
        documents,
        ["index.html", "contingency.html", "contingency.md"]
    );
    for d in &m.documents {
        assert_eq!(
            d.sha256,
            sha(&fs::read(dist.join(&d.file)).unwrap()),
            "{}",
            d.file
        );
    }
    assert_eq!(m.backup.next_due, "2025-12-22");
    assert_eq!(m.environment.variables, ["crm_url", "support_phone"]);
}

#[test]
fn documents_are_self_contained_with_an_exact_csp() {
    let dir = built("basic");
    for (name, script) in [("contingency.html", false), ("index.html", true)] {
        let html = text(&dir.path().join("dist").join(name));
        let csp_at = html.find("default-src").expect("CSP");
        let csp = &html[csp_at..csp_at + html[csp_at..].find('"').unwrap()];
        let csp = csp.replace("&#x27;", "'").replace("&#x2F;", "/");
        let style = between(&html, "<style>", "</style>");
        assert!(
            csp.contains(&format!("style-src '{}'", lifeboat::inline::hash(style))),
            "{name}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        if script {
            let js = between(&html, "<script>", "</script>");
            assert!(
                csp.contains(&format!("script-src '{}'", lifeboat::inline::hash(js))),
                "{name}"
            );
        } else {
            assert!(!html.contains("<script"), "{name} needs no script");
            assert!(!csp.contains("script-src"));
        }
        for outside in ["src=\"http", "<link", "@import", "url("] {
            assert!(!html.contains(outside), "{name} loads {outside}");
        }
    }
    let index = text(&dir.path().join("dist/index.html"));
    assert!(index.contains("role=\"alert\""));
    assert!(index.contains("Copy of 22 November 2025, to be renewed by 22 December 2025."));
    assert!(index.contains("href=\"support.html\"") && index.contains("href=\"escalation.html\""));
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let s = text.find(start).unwrap() + start.len();
    &text[s..s + text[s..].find(end).unwrap()]
}

#[test]
fn zip_is_deterministic_and_sorted() {
    let a = built("basic");
    let b = built("basic");
    let name = "example-contact-centre-offline-2025-11-22.zip";
    let zip_a = fs::read(a.path().join("dist").join(name)).unwrap();
    let zip_b = fs::read(b.path().join("dist").join(name)).unwrap();
    assert!(zip_a == zip_b, "two builds made different zips");
    assert_eq!(
        read_tree(&a.path().join("dist")),
        read_tree(&b.path().join("dist"))
    );
    let members = lifeboat::package::archive::read(&zip_a).unwrap();
    let names: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "bcp-manifest.toml",
            "contingency.html",
            "contingency.md",
            "escalation.html",
            "index.html",
            "support.html",
        ]
    );
    for (member, bytes) in &members {
        assert_eq!(
            *bytes,
            fs::read(a.path().join("dist").join(member)).unwrap(),
            "{member}"
        );
    }
}

#[test]
fn french_site_gets_a_french_document_listing_every_entry_point() {
    let dir = built("browser-site");
    let md = text(&dir.path().join("dist/contingency.md"));
    assert!(md.starts_with("# Plan de secours informatique"), "{md}");
    assert!(md.contains("Messages prêts à envoyer"));
    assert!(md.contains("22\u{a0}novembre 2025") || md.contains("22 novembre 2025"));
    let m = Manifest::from_toml(&text(&dir.path().join("dist/bcp-manifest.toml"))).unwrap();
    for e in &m.entries {
        assert!(md.contains(&format!("`{}`", e.file)), "{} missing", e.file);
    }
}

/// The shipped example content: the contingency document lists each of its entry points.
#[test]
fn example_content_contingency_lists_every_entry_point() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    build_at(dir.path(), "basic", "dist", epoch());
    let dist = dir.path().join("dist");
    let m = Manifest::from_toml(&text(&dist.join("bcp-manifest.toml"))).unwrap();
    assert!(!m.entries.is_empty());
    for doc in ["contingency.md", "contingency.html", "index.html"] {
        let body = text(&dist.join(doc));
        for e in &m.entries {
            assert!(body.contains(&e.file), "{doc} does not list {}", e.file);
        }
    }
    assert_eq!(verify_at(&dist, &["."], epoch()).code, 0);
}

#[test]
fn schema_file_is_generated_from_the_types() {
    let path = repo().join("docs/bcp-manifest.schema.json");
    let generated = Manifest::json_schema() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        fs::write(&path, &generated).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/bcp-manifest.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test --test continuity schema`"
    );
}

// ---- verify ----------------------------------------------------------------------------------------

#[test]
fn verify_good_bundle() {
    let dir = built("basic");
    // A build output is renewed by publishing it: due 30 days after now, not after the snapshot.
    let run = verify_at(&dir.path().join("dist"), &["."], epoch() + DAY);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stdout,
        "OK .: Example Contact Centre, snapshot 2025-11-22T08:26:40Z, 6 files intact, renew by 2025-12-23\n"
    );
    let json = verify_at(
        &dir.path().join("dist"),
        &[".", "--format", "json"],
        epoch(),
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["ok"], true);
    assert_eq!(value["stale"]["stale"], false);
}

#[test]
fn verify_reports_a_corrupted_file() {
    let dir = built("basic");
    let path = dir.path().join("dist/support.html");
    let mut bytes = fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    fs::write(&path, bytes).unwrap();
    let run = verify_at(&dir.path().join("dist"), &["."], epoch());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.starts_with("changed  support.html (sha256 "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with(
        "FAILED .: 1 problem (Example Contact Centre, snapshot 2025-11-22T08:26:40Z)\n"
    ));
}

#[test]
fn verify_reports_missing_and_extra_files() {
    let dir = built("basic");
    let dist = dir.path().join("dist");
    fs::remove_file(dist.join("escalation.html")).unwrap();
    let run = verify_at(&dist, &["."], epoch());
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("missing  escalation.html\n"),
        "{}",
        run.stdout
    );

    let dir = built("basic");
    let dist = dir.path().join("dist");
    fs::write(dist.join("notes.txt"), "hello").unwrap();
    let run = verify_at(&dist, &["."], epoch());
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("extra    notes.txt\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_reports_a_tampered_zip() {
    let dir = built("basic");
    let dist = dir.path().join("dist");
    let name = "example-contact-centre-offline-2025-11-22.zip";
    let mut files = lifeboat::package::archive::read(&fs::read(dist.join(name)).unwrap()).unwrap();
    files.retain(|f| f.0 != "escalation.html");
    fs::write(
        dist.join(name),
        lifeboat::package::archive::zip(&files, epoch()).unwrap(),
    )
    .unwrap();
    let run = verify_at(&dist, &["."], epoch());
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("member escalation.html is missing"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_reports_a_stale_bundle() {
    let dir = copied("basic");
    let dist = dir.path().join("dist");
    // Due 2025-12-22: still fresh that day, stale from the next.
    assert_eq!(verify_at(&dist, &["."], 1_766_447_999).code, 0);
    let run = verify_at(&dist, &["."], 1_766_448_000 + 2 * DAY);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with(
            "stale    This copy is from 2025-11-22, 33 days ago; it is renewed every 30 days, so it is 3 day(s) out of date. It was due by 2025-12-22.\n"
        ),
        "{}",
        run.stdout
    );
    // `--now` does the same as LIFEBOAT_NOW.
    let run = lifeboat(&dist, &["verify", ".", "--now", "1900000000"]);
    assert_eq!(run.code, 1);
    // RFC 3339, with any offset: the last fresh second, then the first stale one.
    let run = lifeboat(
        &dist,
        &["verify", ".", "--now", "2025-12-23T00:59:59+01:00"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = lifeboat(&dist, &["verify", ".", "--now", "2025-12-23T00:00:00Z"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let run = lifeboat(&dist, &["verify", ".", "--now", "next monday"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("RFC 3339"), "{}", run.stderr);
}

#[test]
fn verify_reports_a_bundle_behind_its_sources() {
    let dir = built("basic");
    let dist = dir.path().join("dist");
    let run = verify_at(&dist, &[".", "--content", "../content"], epoch());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("in step with the sources"));

    let diagram = dir.path().join("content/escalation/level-2.md");
    fs::write(
        &diagram,
        text(&diagram).replace("Thank the customer.", "Thank the customer warmly."),
    )
    .unwrap();
    let run = verify_at(&dist, &[".", "--content", "../content"], epoch());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("behind   escalation: sources changed since the snapshot\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("behind   support"), "{}", run.stdout);

    let json = verify_at(
        &dist,
        &[".", "--content", "../content", "--format", "json"],
        epoch(),
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["behind"][0]["entry"], "escalation");
    assert_eq!(value["behind"][0]["status"], "changed");
}

#[test]
fn verify_refuses_unusable_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = verify_at(dir.path(), &["."], epoch());
    assert_eq!(run.code, 2, "{}", run.transcript());
    // An unmounted share looks like this: say so, not "build one".
    assert!(
        run.stderr.contains(
            "is not reachable or holds no bundle (no bcp-manifest.toml): is the share mounted?"
        ),
        "{}",
        run.stderr
    );
    // Monitoring that reads the JSON sees this failure too.
    let json = verify_at(dir.path(), &[".", "--format", "json"], epoch());
    assert_eq!(json.code, 2, "{}", json.transcript());
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON on stdout");
    assert_eq!(value["status"], "unusable");
    assert!(value["error"]
        .as_str()
        .unwrap()
        .contains("is the share mounted?"));

    let dir = built("basic");
    let path = dir.path().join("dist/bcp-manifest.toml");
    fs::write(
        &path,
        text(&path).replace("format_version = 1", "format_version = 99"),
    )
    .unwrap();
    let run = verify_at(&dir.path().join("dist"), &["."], epoch());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("format_version 99"), "{}", run.stderr);

    fs::write(&path, "this is = not [ toml").unwrap();
    assert_eq!(verify_at(&dir.path().join("dist"), &["."], epoch()).code, 2);
}

#[path = "continuity/manifest_tools.rs"]
mod manifest_tools;
#[path = "continuity/notice.rs"]
mod notice;
#[path = "continuity/publish.rs"]
mod publish;

#[path = "continuity/share_trust.rs"]
mod share_trust;

#[path = "continuity/confirmed.rs"]
mod confirmed;
#[path = "continuity/interrupted.rs"]
mod interrupted;
#[path = "continuity/key_group_rotation.rs"]
mod key_group_rotation;
#[path = "continuity/key_rotation.rs"]
mod key_rotation;
#[path = "continuity/publish_lock.rs"]
mod publish_lock;
#[path = "continuity/rollback.rs"]
mod rollback;
#[path = "continuity/several.rs"]
mod several;
#[path = "continuity/share_ops.rs"]
mod share_ops;
#[path = "continuity/tamper.rs"]
mod tamper;

#[test]
fn verify_warns_before_the_due_date_and_refuses_a_snapshot_from_the_future() {
    // Snapshot 2025-11-22, every 30 days: due by 2025-12-22, stale from the 23rd.
    let dir = copied("basic");
    let dist = dir.path().join("dist");
    let day = 86_400;
    let early = verify_at(&dist, &[".", "--warn-days", "7"], epoch() + day);
    assert_eq!(early.code, 0, "{}", early.transcript());
    assert!(!early.stdout.contains("warning"), "{}", early.stdout);
    let soon = verify_at(&dist, &[".", "--warn-days", "7"], epoch() + 26 * day);
    assert_eq!(
        soon.code,
        0,
        "a warning is not a failure: {}",
        soon.transcript()
    );
    assert!(
        soon.stdout
            .starts_with("warning  the copy goes stale in 5 day(s): renew it by 2025-12-22"),
        "{}",
        soon.stdout
    );
    let json = verify_at(
        &dist,
        &[".", "--warn-days", "7", "--format", "json"],
        epoch() + 26 * day,
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["status"], "ok");
    assert_eq!(value["stale"]["days_left"], 5);
    assert!(value["warning"].as_str().unwrap().contains("5 day(s)"));

    // Verified a day before its own snapshot: a wrong clock, never "fresh for ever".
    let future = verify_at(&dist, &["."], epoch() - day);
    assert_eq!(future.code, 1, "{}", future.transcript());
    assert!(
        future.stdout.contains("is dated after now"),
        "{}",
        future.stdout
    );
    let skew = verify_at(&dist, &["."], epoch() - 60);
    assert_eq!(
        skew.code,
        0,
        "a minute of clock skew is tolerated: {}",
        skew.transcript()
    );
}
