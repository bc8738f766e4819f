//! Tamper evidence: the manifest's Ed25519 signature (`[signing]`, `verify --public-key`) and
//! `verify --rebuild`, on bundles whose files, manifest and zip were edited together.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use super::{epoch, text, verify_at, DAY};
use crate::common::*;

const ZIP: &str = "example-contact-centre-offline-2025-11-22.zip";
const SIG: &str = "bcp-manifest.toml.sig";

pub(super) struct Keys {
    pub(super) secret: String,
    pub(super) public: String,
    pub(super) fingerprint: String,
}

pub(super) fn new_keys(dir: &Path) -> Keys {
    let run = lifeboat(dir, &["key", "new-signing"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let field = |name: &str| {
        run.stdout
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no `{name}` line:\n{}", run.stdout))
            .to_string()
    };
    Keys {
        secret: field("secret"),
        public: field("public"),
        fingerprint: field("fingerprint"),
    }
}

/// `dir/content` (fixture `name`) with `[signing]` appended to its site.toml.
pub(super) fn signed_content(dir: &Path, name: &str, signing: &str) {
    copy_dir(&fixture(name), &dir.join("content"));
    let site = dir.join("content/site.toml");
    let mut text = fs::read_to_string(&site).unwrap();
    text.push_str("\n[signing]\n");
    text.push_str(signing);
    fs::write(site, text).unwrap();
}

pub(super) fn build_signed(dir: &Path, out: &str, keys: &Keys, at: i64) -> Run {
    let run = lifeboat_env(
        dir,
        &["build", "content", "--out", out],
        &[
            ("SOURCE_DATE_EPOCH", &at.to_string()),
            ("LIFEBOAT_SIGNING_KEY", &keys.secret),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    run
}

fn now() -> i64 {
    epoch() + DAY
}

fn zip_names(path: &Path) -> Vec<String> {
    let zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    zip.file_names().map(str::to_string).collect()
}

/// Rewrites `dir`'s zip from the folder's files (what a forger who edits the bundle does).
fn rezip(dir: &Path) {
    let path = dir.join(ZIP);
    let old = zip_names(&path);
    let mut out = zip::ZipWriter::new(fs::File::create(&path).unwrap());
    for name in old {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&fs::read(dir.join(&name)).unwrap()).unwrap();
    }
    out.finish().unwrap();
}

/// Edits `support.html` and fixes its checksum and size in the manifest, then rezips: every
/// checksum of the bundle is right again.
fn forge(dir: &Path) {
    let page = dir.join("support.html");
    let old = fs::read(&page).unwrap();
    let mut new = old.clone();
    new.extend_from_slice(b"<!-- call 555-0666 instead -->");
    fs::write(&page, &new).unwrap();
    let manifest = dir.join("bcp-manifest.toml");
    let edited = text(&manifest)
        .replace(
            &format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&old)),
            &format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&new)),
        )
        .replace(
            &format!("bytes = {}\n", old.len()),
            &format!("bytes = {}\n", new.len()),
        );
    fs::write(&manifest, edited).unwrap();
    rezip(dir);
}

#[test]
fn a_signed_build_signs_the_manifest_in_the_folder_and_the_zip_and_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = new_keys(dir.path());
    assert_eq!(keys.secret.len(), 44);
    assert_eq!(keys.public.len(), 44);
    signed_content(dir.path(), "basic", "");
    let run = build_signed(dir.path(), "dist", &keys, epoch());
    assert!(
        run.stdout.contains(&format!(
            "signed bcp-manifest.toml (key fingerprint {})",
            keys.fingerprint
        )),
        "{}",
        run.transcript()
    );
    let dist = dir.path().join("dist");
    let sig = text(&dist.join(SIG));
    assert!(
        sig.contains(&format!("public_key = \"{}\"", keys.public)),
        "{sig}"
    );
    assert!(!sig.contains(&keys.secret), "the secret key leaked");
    assert!(zip_names(&dist.join(ZIP)).contains(&SIG.to_string()));
    for doc in ["contingency.md", "contingency.html"] {
        let doc = text(&dist.join(doc));
        assert!(doc.contains(&format!("lifeboat verify . --public-key {}", keys.public)));
        assert!(doc.contains(&keys.fingerprint));
        assert!(doc.contains(SIG));
    }
    // Ed25519 is deterministic: a signed bundle is still byte-reproducible.
    build_signed(dir.path(), "again", &keys, epoch());
    let tree = |out: &str| {
        let mut files = read_tree(&dir.path().join(out));
        files.remove(".lifeboat-cache.toml");
        files
    };
    assert_eq!(tree("dist"), tree("again"));

    // Without a key, verify says a signature is there, and whose it claims to be.
    let run = verify_at(dir.path(), &["dist"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains(&format!("by a key with fingerprint {}", keys.fingerprint)),
        "{}",
        run.stdout
    );
    let run = verify_at(dir.path(), &["dist", "--format", "json"], now());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["signature"]["status"], "present");
    assert_eq!(json["ok"], true);

    // With the key, or a file holding it.
    let run = verify_at(dir.path(), &["dist", "--public-key", &keys.public], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("signature valid"), "{}", run.stdout);
    fs::write(
        dir.path().join("owner.pub"),
        format!("# from the owner\n{}\n", keys.public),
    )
    .unwrap();
    let run = verify_at(
        dir.path(),
        &["dist", "--public-key", "owner.pub", "--format", "json"],
        now(),
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["signature"]["status"], "valid");
    assert_eq!(json["signature"]["fingerprint"], keys.fingerprint.as_str());

    // Someone else's key: exit 1. A key that is no key: exit 2.
    let other = new_keys(dir.path());
    let run = verify_at(dir.path(), &["dist", "--public-key", &other.public], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("signed by another key"),
        "{}",
        run.stdout
    );
    for bad in ["not-a-key", "AAAA", &keys.public[..40]] {
        let run = verify_at(dir.path(), &["dist", "--public-key", bad], now());
        assert_eq!(run.code, 2, "{bad}: {}", run.transcript());
        assert!(run.stderr.contains("--public-key"), "{}", run.stderr);
    }

    // An unsigned bundle, checked with a key: the signature is missing.
    let plain = tempfile::tempdir().unwrap();
    super::build_at(plain.path(), "basic", "dist", epoch());
    let run = verify_at(plain.path(), &["dist", "--public-key", &keys.public], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stdout.contains("it is not signed"), "{}", run.stdout);
    let run = verify_at(plain.path(), &["dist", "--format", "json"], now());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["signature"]["status"], "unsigned");
}

#[test]
fn a_build_that_must_sign_refuses_without_its_key() {
    let dir = tempfile::tempdir().unwrap();
    signed_content(dir.path(), "basic", "key_env = \"BCP_SIGNING\"\n");
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("BCP_SIGNING"), "{}", run.stderr);
    assert!(
        run.stderr.contains("lifeboat key new-signing"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("dist").exists());
    let run = lifeboat_env(
        dir.path(),
        &["build", "content", "--out", "dist"],
        &[("BCP_SIGNING", "not a key")],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the secret signing key in BCP_SIGNING is not base64"),
        "{}",
        run.stderr
    );
    // Like every table of site.toml, [signing] refuses keys it does not know.
    let dir = tempfile::tempdir().unwrap();
    signed_content(dir.path(), "basic", "env = \"BCP_SIGNING\"\n");
    let run = lifeboat(dir.path(), &["check", "content"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("unknown field `env`"), "{}", run.stderr);
}

#[test]
fn html_manifest_and_zip_edited_together_are_caught_by_a_rebuild_and_by_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let keys = new_keys(dir.path());
    signed_content(dir.path(), "basic", "");
    build_signed(dir.path(), "dist", &keys, epoch());
    let ok = verify_at(
        dir.path(),
        &["dist", "--rebuild", "content", "--public-key", &keys.public],
        now(),
    );
    assert_eq!(ok.code, 0, "{}", ok.transcript());
    for file in ["support.html", "bcp-manifest.toml", ZIP, "contingency.md"] {
        assert!(
            ok.stdout
                .contains(&format!("rebuilt identical          {file}\n")),
            "{}",
            ok.stdout
        );
    }
    assert!(
        ok.stdout
            .contains("not comparable: signature  bcp-manifest.toml.sig"),
        "{}",
        ok.stdout
    );

    forge(&dir.path().join("dist"));
    // Every checksum is consistent again: checksums alone cannot tell.
    let run = verify_at(dir.path(), &["dist"], now());
    assert!(
        !run.stdout.lines().any(|l| l.starts_with("changed")),
        "{}",
        run.stdout
    );
    // The signature can.
    let run = verify_at(dir.path(), &["dist", "--public-key", &keys.public], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("does not match bcp-manifest.toml"),
        "{}",
        run.stdout
    );
    // Even without a key: the signature no longer vouches for the manifest.
    assert_eq!(verify_at(dir.path(), &["dist"], now()).code, 1);
    // So can a rebuild, file by file.
    let run = verify_at(dir.path(), &["dist", "--rebuild", "content"], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    for file in ["support.html", "bcp-manifest.toml", ZIP] {
        assert!(
            run.stdout
                .contains(&format!("differs from a rebuild     {file} (")),
            "{file}: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("rebuilt identical          escalation.html"),
        "{}",
        run.stdout
    );
    let run = verify_at(
        dir.path(),
        &["dist", "--rebuild", "content", "--format", "json"],
        now(),
    );
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ok"], false);
    let status = |file: &str| {
        json["rebuild"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == file)
            .map(|f| f["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("support.html").as_deref(), Some("differs"));
    assert_eq!(status("index.html").as_deref(), Some("identical"));

    // The forger re-signs with their own key: only the trusted key tells.
    let forger = new_keys(dir.path());
    let forged = tempfile::tempdir().unwrap();
    copy_dir(&dir.path().join("content"), &forged.path().join("content"));
    build_signed(forged.path(), "dist", &forger, epoch());
    let run = verify_at(forged.path(), &["dist"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = verify_at(
        forged.path(),
        &["dist", "--public-key", &keys.public],
        now(),
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("signed by another key"),
        "{}",
        run.stdout
    );
    // ... and a rebuild with the trusted key: the documents name another key.
    let run = verify_at(
        forged.path(),
        &["dist", "--rebuild", "content", "--public-key", &keys.public],
        now(),
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("differs from a rebuild     contingency.md"),
        "{}",
        run.stdout
    );

    // A stripped signature: missing for the key, and for a rebuild of content that signs.
    fs::remove_file(dir.path().join("dist").join(SIG)).unwrap();
    let run = verify_at(dir.path(), &["dist", "--public-key", &keys.public], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    let run = verify_at(dir.path(), &["dist", "--rebuild", "content"], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stdout.contains("differs from a rebuild     bcp-manifest.toml.sig (missing from the bundle: the content signs its bundles"), "{}", run.stdout);
}

#[test]
fn a_rebuild_uses_the_manifests_snapshot_and_environment_and_skips_locked_entry_points() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    let at = epoch() - 3 * DAY;
    let run = lifeboat_env(
        dir.path(),
        &["build", "content", "--out", "dist", "--env", "primary"],
        &[("SOURCE_DATE_EPOCH", &at.to_string())],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    // lifeboat_env sets SOURCE_DATE_EPOCH to another time: the rebuild takes the manifest's.
    let run = verify_at(dir.path(), &["dist", "--rebuild", "content"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stdout.contains("differs"), "{}", run.stdout);
    assert!(
        run.stdout.contains("files identical to a rebuild"),
        "{}",
        run.stdout
    );

    // Sources edited since: the rebuild differs.
    let diagram = dir.path().join("content/support/internet.md");
    let edited = text(&diagram).replacen("\n\n", "\n\nEdited since the build.\n\n", 1);
    fs::write(&diagram, edited).unwrap();
    let run = verify_at(dir.path(), &["dist", "--rebuild", "content"], now());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("differs from a rebuild     support.html"),
        "{}",
        run.stdout
    );

    // Content with errors is reported as for --content: exit 2, with the diagnostics.
    fs::write(
        dir.path().join("content/support/internet.md"),
        "+++\ntitle = 3\n+++\n",
    )
    .unwrap();
    let run = verify_at(dir.path(), &["dist", "--rebuild", "content"], now());
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("has errors; it cannot be rebuilt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("internet.md"), "{}", run.stderr);

    // Locked entry points are sealed with a random salt and nonce: not comparable, said so; the rest
    // (manifest, documents, zip, which list the locked file) still is.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("locked-site"), &dir.path().join("content"));
    let key = lifeboat(dir.path(), &["key", "new"])
        .stdout
        .trim()
        .to_string();
    let run = lifeboat_env(
        dir.path(),
        &["build", "content", "--out", "dist"],
        &[("LIFEBOAT_ACCESS_KEY", &key)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = verify_at(dir.path(), &["dist", "--rebuild", "content"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("not comparable: locked     coffre.html ("),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("rebuilt identical          bcp-manifest.toml"),
        "{}",
        run.stdout
    );
    let run = verify_at(
        dir.path(),
        &["dist", "--rebuild", "content", "--format", "json"],
        now(),
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let coffre = json["rebuild"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "coffre.html")
        .unwrap()
        .clone();
    assert_eq!(coffre["status"], "not_comparable");
    assert_eq!(coffre["reason"], "locked");
}

#[test]
fn publish_carries_the_signature_archives_it_and_removes_it_for_an_unsigned_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let keys = new_keys(dir.path());
    signed_content(dir.path(), "basic", "");
    build_signed(dir.path(), "old", &keys, epoch());
    build_signed(dir.path(), "new", &keys, epoch() + DAY / 2);
    let publish = |bundle: &str| super::publish::publish(dir.path(), bundle, "share", &[], &[]);
    for bundle in ["old", "new"] {
        let run = publish(bundle);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert_eq!(
            fs::read(dir.path().join("share").join(SIG)).unwrap(),
            fs::read(dir.path().join(bundle).join(SIG)).unwrap()
        );
        let run = verify_at(dir.path(), &["share", "--public-key", &keys.public], now());
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    // Publishing the same signed bundle again changes nothing.
    let run = publish("new");
    assert!(run.stdout.contains("nothing to do"), "{}", run.transcript());
    let archived = dir.path().join("share/archive/2025-11-22T08-26-40Z");
    assert!(archived.join(SIG).is_file());
    let run = verify_at(
        dir.path(),
        &[archived.to_str().unwrap(), "--public-key", &keys.public],
        now(),
    );
    assert_eq!(run.code, 0, "{}", run.transcript());

    // A bundle whose signature does not match its manifest is not published.
    copy_dir(&dir.path().join("new"), &dir.path().join("broken"));
    fs::write(
        dir.path().join("broken").join(SIG),
        text(&dir.path().join("old").join(SIG)),
    )
    .unwrap();
    let run = publish("broken");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("refusing to publish"), "{}", run.stderr);

    // An unsigned bundle replaces a signed one: the old signature goes (it is provably the old one's).
    let site = dir.path().join("content/site.toml");
    fs::write(&site, text(&site).replace("\n[signing]\n", "\n")).unwrap();
    super::build_at(dir.path(), "basic", "unsigned", epoch() + DAY / 2 + 60);
    let run = publish("unsigned");
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!dir.path().join("share").join(SIG).exists());
    let run = verify_at(dir.path(), &["share"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
}

#[test]
fn a_signed_share_verifies_with_its_key_after_a_publish_stopped_at_any_step() {
    let dir = tempfile::tempdir().unwrap();
    let keys = new_keys(dir.path());
    signed_content(dir.path(), "basic", "");
    build_signed(dir.path(), "old", &keys, epoch());
    build_signed(dir.path(), "new", &keys, epoch() + DAY / 2);
    let share = dir.path().join("share");
    for k in 1.. {
        let _ = fs::remove_dir_all(&share);
        let run = super::publish::publish(dir.path(), "old", "share", &[], &[]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        let k_text = k.to_string();
        let stopped = super::publish::publish(
            dir.path(),
            "new",
            "share",
            &[],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &k_text)],
        );
        let run = verify_at(dir.path(), &["share", "--public-key", &keys.public], now());
        assert_eq!(run.code, 0, "stopped after step {k}: {}", run.transcript());
        let rerun = super::publish::publish(dir.path(), "new", "share", &[], &[]);
        assert_eq!(rerun.code, 0, "{}", rerun.transcript());
        assert_eq!(
            fs::read(share.join(SIG)).unwrap(),
            fs::read(dir.path().join("new").join(SIG)).unwrap()
        );
        if stopped.code == 0 {
            break;
        }
    }
}

#[test]
fn a_signed_zip_verifies_on_its_own_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = new_keys(dir.path());
    signed_content(dir.path(), "basic", "");
    build_signed(dir.path(), "dist", &keys, epoch());
    let zip = dir.path().join("dist").join(ZIP);
    let run = verify_at(
        dir.path(),
        &[zip.to_str().unwrap(), "--public-key", &keys.public],
        now(),
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    // Another key: the zip's signature is not that key's.
    let other = new_keys(dir.path());
    let run = verify_at(
        dir.path(),
        &[zip.to_str().unwrap(), "--public-key", &other.public],
        now(),
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
}
