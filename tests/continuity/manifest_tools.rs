//! The manifest for other tools (issue 20, item 11): fields a newer lifeboat (or another tool) added are
//! a warning, not exit 2; `verify --format json` carries the whole manifest; the manifest holds a
//! bundle id, and the share's copy where and when it was published and the zip's SHA-256; its JSON
//! Schema comes from `lifeboat schema manifest` and accepts real manifests, rejects broken ones.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::common::*;

use super::{build_at, epoch, text, verify_at, DAY};

const ZIP: &str = "example-contact-centre-offline-2025-11-22.zip";

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.transcript()))
}

/// Rewrites the manifest of `dist`, in the folder and in its zip alike, with `edit`.
fn edit_manifest(dist: &Path, edit: impl Fn(&str) -> String) {
    let path = dist.join("bcp-manifest.toml");
    let edited = edit(&text(&path));
    fs::write(&path, &edited).unwrap();
    let zip = dist.join(ZIP);
    let mut files = lifeboat::package::archive::read(&fs::read(&zip).unwrap()).unwrap();
    for f in files.iter_mut().filter(|f| f.0 == "bcp-manifest.toml") {
        f.1 = edited.clone().into_bytes();
    }
    fs::write(
        &zip,
        lifeboat::package::archive::zip(&files, epoch()).unwrap(),
    )
    .unwrap();
}

#[test]
fn fields_a_newer_lifeboat_added_are_a_warning_not_an_unusable_manifest() {
    let dir = tempfile::tempdir().unwrap();
    build_at(dir.path(), "basic", "dist", epoch());
    let dist = dir.path().join("dist");
    edit_manifest(&dist, |m| {
        m.replacen("site = ", "cmdb_ci = \"CI0042\"\nsite = ", 1)
            .replacen("[[entries]]\n", "[[entries]]\nowner_team = \"Tier 2\"\n", 1)
    });
    for target in [".", ZIP] {
        let run = verify_at(&dist, &[target], epoch() + DAY);
        assert_eq!(run.code, 0, "{target}: {}", run.transcript());
        assert!(
            run.stdout.starts_with("warning  the manifest has fields this lifeboat does not know, ignored: cmdb_ci, entries.0.owner_team (written by a newer lifeboat or another tool)\n"),
            "{target}: {}",
            run.stdout
        );
        let value = json(&verify_at(
            &dist,
            &[target, "--format", "json"],
            epoch() + DAY,
        ));
        assert_eq!(value["status"], "ok");
        assert_eq!(
            value["unknown_fields"],
            serde_json::json!(["cmdb_ci", "entries.0.owner_team"])
        );
    }
    // publish takes it as it is, and the share verifies with the same warning.
    let run = lifeboat_env(
        dir.path(),
        &["publish", "dist", "--to", "share"],
        &[("LIFEBOAT_NOW", &(epoch() + DAY).to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = verify_at(&dir.path().join("share"), &["."], epoch() + DAY);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("cmdb_ci"), "{}", run.stdout);
    // An unknown format version is still unusable: the meaning of known fields may have changed.
    edit_manifest(&dist, |m| {
        m.replacen("format_version = 1", "format_version = 2", 1)
    });
    assert_eq!(verify_at(&dist, &["."], epoch()).code, 2);
}

#[test]
fn verify_json_carries_the_whole_manifest_with_the_share_s_own_record() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_at(root, "basic", "dist", epoch());
    build_at(root, "basic", "again", epoch());
    let built: toml::Table = toml::from_str(&text(&root.join("dist/bcp-manifest.toml"))).unwrap();
    let id = built["bundle_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 16, "{id}");
    // The same bundle, the same id.
    assert_eq!(
        text(&root.join("dist/bcp-manifest.toml")),
        text(&root.join("again/bcp-manifest.toml"))
    );
    let run = lifeboat_env(
        root,
        &["publish", "dist", "--to", "share"],
        &[("LIFEBOAT_NOW", &(epoch() + DAY).to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let value = json(&verify_at(
        &root.join("share"),
        &[".", "--format", "json"],
        epoch() + DAY,
    ));
    let m = &value["manifest"];
    assert_eq!(m["bundle_id"], id.as_str());
    assert_eq!(m["site"], "Example Contact Centre");
    assert_eq!(m["entries"].as_array().unwrap().len(), 2);
    let published = &m["published"];
    assert_eq!(published["at"], "2025-11-23T08:26:40Z");
    assert_eq!(published["confirmed_epoch"], epoch() + DAY);
    let location = std::path::absolute(root.join("share")).unwrap();
    assert_eq!(
        published["location"],
        location.display().to_string().as_str()
    );
    let zip = fs::read(root.join("share").join(ZIP)).unwrap();
    assert_eq!(
        published["archive_sha256"],
        format!("{:x}", Sha256::digest(&zip)).as_str()
    );

    // A zip replaced by another one with the same members (recompressed) is not the one published.
    let files = lifeboat::package::archive::read(&zip).unwrap();
    fs::write(
        root.join("share").join(ZIP),
        lifeboat::package::archive::zip(&files, epoch() + DAY).unwrap(),
    )
    .unwrap();
    let run = verify_at(&root.join("share"), &["."], epoch() + DAY);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains(&format!("changed  {ZIP} (sha256 "))
            && run.stdout.contains("the share's manifest records "),
        "{}",
        run.stdout
    );
}

/// TOML as the JSON a schema validator reads.
fn as_json(text: &str) -> serde_json::Value {
    serde_json::to_value(toml::from_str::<toml::Value>(text).unwrap()).unwrap()
}

#[test]
fn the_manifest_schema_accepts_real_manifests_and_rejects_broken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let run = lifeboat(root, &["schema", "manifest"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stdout,
        fs::read_to_string(repo().join("docs/bcp-manifest.schema.json")).unwrap()
    );
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");

    build_at(root, "basic", "dist", epoch());
    let run = lifeboat_env(
        root,
        &["publish", "dist", "--to", "share"],
        &[("LIFEBOAT_NOW", &(epoch() + DAY).to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let built = text(&root.join("dist/bcp-manifest.toml"));
    let shared = text(&root.join("share/bcp-manifest.toml"));
    for (what, manifest) in [("built", &built), ("on the share", &shared)] {
        let errors: Vec<String> = validator
            .iter_errors(&as_json(manifest))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:?}");
    }
    for broken in [
        built.replacen("site = ", "cmdb_ci = \"CI0042\"\nsite = ", 1),
        built.replacen("format_version = 1\n", "", 1),
        built.replacen("bundle_id = \"", "bundle_id = \"zz", 1),
        shared.replacen("location = ", "where = ", 1),
    ] {
        assert!(
            !validator.is_valid(&as_json(&broken)),
            "accepted:\n{broken}"
        );
    }
}

/// The contingency document (issue 20, item 10), in French, HTML and Markdown alike: one snapshot per
/// printout, who holds each key (and what Lifeboat does not know of them), who monitors, browsers and
/// desk policy, how to make and check an off-share copy, and how to roll back.
#[test]
fn the_contingency_document_says_how_to_copy_check_and_roll_back_and_who_holds_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&fixture("locked-site"), &content);
    // A valid key (tests/continuity/key_rotation.rs); never in the documents.
    let key = "QNTN6-7SMQW-QXER1-4VSNH-SF871-SS";
    let run = lifeboat_env(
        dir.path(),
        &["build", "content", "--out", "dist"],
        &[("LIFEBOAT_ACCESS_KEY", key)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let manifest: toml::Table =
        toml::from_str(&text(&dir.path().join("dist/bcp-manifest.toml"))).unwrap();
    let key_id = manifest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e.get("key_id").and_then(|k| k.as_str()))
        .expect("a locked entry point's key_id")
        .to_string();
    let md = text(&dir.path().join("dist/contingency.md"));
    // As a reader sees it: the apostrophes are escaped in the HTML.
    let html = text(&dir.path().join("dist/contingency.html"))
        .replace("&#x27;", "'")
        .replace("&#39;", "'");
    for doc in [&md, &html] {
        for needle in [
            "Cet imprimé ne décrit qu'un seul instantané",
            "Surveillance\u{a0}: le partage est contrôlé par",
            "Clés d'accès",
            "Dernier renouvellement",
            key_id.as_str(),
            "Navigateurs et politique des postes",
            "Chrome 80",
            "Firefox 113",
            "JavaScriptAllowedForUrls",
            "Copies hors du partage",
            "robocopy SHARE E:\\procedures /E /XD archive .lifeboat-publish",
            "rsync -a --exclude archive/ --exclude .lifeboat-publish/ SHARE/ /media/usb/procedures/",
            "Remettre la copie précédente",
            "--to SHARE --allow-older",
        ] {
            assert!(doc.contains(needle), "missing {needle:?}");
        }
    }
    assert!(md.contains("lifeboat publish SHARE/archive/<snapshot> --to SHARE --allow-older"));
    assert!(
        html.contains("lifeboat publish SHARE/archive/&lt;snapshot&gt; --to SHARE --allow-older")
    );
    // The key itself is in neither.
    assert!(!md.contains(key) && !html.contains(key));
}
