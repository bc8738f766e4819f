//! Locking an entry point, then rotating its key, withdraws the old copies from the share's archive:
//! after each publish, every copy of the entry point left on the share (the bundle in place and every
//! archived bundle, folder and zip) opens with the current key only, and every archived bundle still
//! verifies. `--keep-old-keys` keeps them, and says so.

use std::fs;
use std::path::{Path, PathBuf};

use lifeboat::access::seal;
use lifeboat::access::AccessKey;
use lifeboat::package::manifest::Manifest;

use super::publish::publish;
use super::{epoch, text, verify_at, DAY};
use crate::common::*;

const KEY_A: &str = "QNTN6-7SMQW-QXER1-4VSNH-SF871-SS";
const KEY_B: &str = "3SA7T-GN1HE-6B4Y7-PRHP8-2HD58-0K";
/// Text of the locked entry point (tests/fixtures/locked-site/coffre).
const SECRET: &str = "Suspicion de fraude";

fn folder(snapshot_day: i64) -> String {
    format!("2025-11-{}T08-26-40Z", 22 + snapshot_day)
}

/// Builds tests/fixtures/locked-site with `coffre` locked by `key` (open when `None`) at day `day`, into
/// `b<day>`.
fn build(dir: &Path, day: i64, key: Option<&str>) {
    let content = dir.join("content");
    if !content.exists() {
        copy_dir(&fixture("locked-site"), &content);
    }
    let entry = content.join("coffre/entry.toml");
    let config = text(&entry)
        .lines()
        .filter(|l| !l.starts_with("access") && !l.starts_with("key_holders"))
        .collect::<Vec<_>>()
        .join("\n");
    let config = match key {
        Some(_) => {
            format!("access = \"key\"\nkey_holders = [\"Responsable continuité\"]\n{config}\n")
        }
        None => format!("{config}\n"),
    };
    fs::write(&entry, config).unwrap();
    let at = (epoch() + day * DAY).to_string();
    let out = format!("b{day}");
    let mut env = vec![("SOURCE_DATE_EPOCH", at.as_str())];
    if let Some(key) = key {
        env.push(("LIFEBOAT_ACCESS_KEY", key));
    }
    let run = lifeboat_env(dir, &["build", "content", "--out", &out], &env);
    assert_eq!(run.code, 0, "{}", run.transcript());
}

/// Every bundle folder on the share: the share itself and each folder of `archive/`.
fn bundles(share: &Path) -> Vec<PathBuf> {
    let mut all = vec![share.to_path_buf()];
    if let Ok(read) = fs::read_dir(share.join("archive")) {
        let mut archived: Vec<PathBuf> = read.flatten().map(|e| e.path()).collect();
        archived.sort();
        all.extend(archived);
    }
    all
}

/// Every copy of coffre.html on the share, in folders and in zips, with where it is.
fn copies(share: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for dir in bundles(share) {
        let shown = dir.strip_prefix(share).unwrap().display().to_string();
        for item in fs::read_dir(&dir).unwrap().flatten() {
            let name = item.file_name().to_string_lossy().to_string();
            if name == "coffre.html" {
                found.push((format!("{shown}/{name}"), text(&item.path())));
            } else if name.ends_with(".zip") {
                let members =
                    lifeboat::package::archive::read(&fs::read(item.path()).unwrap()).unwrap();
                for (member, bytes) in members {
                    if member == "coffre.html" {
                        found.push((
                            format!("{shown}/{name}:{member}"),
                            String::from_utf8(bytes).unwrap(),
                        ));
                    }
                }
            }
        }
    }
    found
}

/// Every copy of coffre on the share opens with `key` (so with no other: a wrong key fails the key
/// check), none is open, and every bundle on the share verifies.
fn assert_only_opens_with(share: &Path, key: &str, context: &str) {
    let key = AccessKey::parse(key).unwrap();
    let aad = seal::associated_data("coffre");
    let copies = copies(share);
    assert!(!copies.is_empty(), "{context}: no copy at all");
    // A zip holds the same bytes as its folder: one key derivation (600,000 rounds) per distinct copy.
    let mut tried = std::collections::BTreeMap::new();
    for (place, html) in &copies {
        assert!(
            !unpacked(html).contains(SECRET),
            "{context}: {place} is readable without a key"
        );
        let (params, ct) =
            seal::read_element(html).unwrap_or_else(|| panic!("{context}: {place} is not locked"));
        let opens = *tried
            .entry(params.salt)
            .or_insert_with(|| seal::open(&key, &params, &ct, &aad).is_ok());
        assert!(
            opens,
            "{context}: {place} does not open with the current key"
        );
    }
    for dir in bundles(share) {
        let run = verify_at(&dir, &["."], epoch() + 4 * DAY);
        assert_eq!(
            run.code,
            0,
            "{context}: {}: {}",
            dir.display(),
            run.transcript()
        );
    }
}

fn manifest(dir: &Path) -> Manifest {
    Manifest::from_toml(&text(&dir.join("bcp-manifest.toml"))).unwrap()
}

#[test]
fn locking_then_rotating_withdraws_every_old_copy_from_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let share = root.join("share");
    let zip = |day: i64| format!("centre-de-test-verrouille-offline-2025-11-{}.zip", 22 + day);
    let publish_at =
        |bundle: &str, extra: &[&str], _day: i64| publish(root, bundle, "share", extra, &[]);

    // Day 0: coffre is open.
    build(root, 0, None);
    assert_eq!(publish_at("b0", &[], 0).code, 0);
    assert!(unpacked(&text(&share.join("coffre.html"))).contains(SECRET));

    // Day 1: locked. The open copy archived from day 0 goes, with the zip that holds it.
    build(root, 1, Some(KEY_A));
    let ids: Vec<Option<String>> = manifest(&root.join("b1"))
        .entries
        .iter()
        .map(|e| e.key_id.clone())
        .collect();
    assert!(ids.contains(&Some(
        lifeboat::access::key_id::KeyIds::new(&AccessKey::parse(KEY_A).unwrap()).of("coffre")
    )));
    let run = publish_at("b1", &[], 1);
    assert_eq!(run.code, 0, "{}", run.transcript());
    for line in [
        format!("  withdrew share/archive/{}/coffre.html (open in that bundle, locked now)\n", folder(0)),
        format!("  removed share/archive/{}/{} (it held a withdrawn file; the folder keeps the bundle's other files)\n", folder(0), zip(0)),
        "  copies outside this share (downloads, other shares, USB keys, mail, backups and snapshots of the share) are not withdrawn: they still open as before\n".to_string(),
    ] {
        assert!(run.stdout.contains(&line), "{line}\n{}", run.transcript());
    }
    let archived0 = share.join("archive").join(folder(0));
    assert!(!archived0.join("coffre.html").exists());
    assert!(!archived0.join(zip(0)).exists());
    let m0 = manifest(&archived0);
    assert!(m0.entries.iter().all(|e| e.id != "coffre"), "{m0:?}");
    assert_eq!(m0.archive, None);
    assert!(
        archived0.join("accueil.html").exists(),
        "the open entry point stays"
    );
    assert_only_opens_with(&share, KEY_A, "after locking");

    // Day 2: a new key. The copy archived from day 1 opens with the old key: it goes too.
    build(root, 2, Some(KEY_B));
    let run = publish_at("b2", &[], 2);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains(&format!(
            "  withdrew share/archive/{}/coffre.html (locked there with another key)\n",
            folder(1)
        )),
        "{}",
        run.transcript()
    );
    assert_only_opens_with(&share, KEY_B, "after rotating");

    // Day 3: the same key again withdraws nothing.
    build(root, 3, Some(KEY_B));
    let run = publish_at("b3", &[], 3);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stdout.contains("withdrew"), "{}", run.transcript());
    assert!(share
        .join("archive")
        .join(folder(2))
        .join("coffre.html")
        .exists());
    assert_only_opens_with(&share, KEY_B, "same key");

    // Day 4: rotated back to the first key, keeping the old copies on purpose: they stay, and a
    // warning names them.
    build(root, 4, Some(KEY_A));
    let run = publish_at("b4", &["--keep-old-keys"], 4);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("(--keep-old-keys); they open with the old key or with none:")
            && run.stderr.contains(&format!(
                "share/archive/{}/coffre.html (locked there with another key)",
                folder(3)
            )),
        "{}",
        run.transcript()
    );
    assert!(!run.stdout.contains("withdrew"), "{}", run.transcript());
    assert!(share
        .join("archive")
        .join(folder(3))
        .join("coffre.html")
        .exists());
    for dir in bundles(&share) {
        let run = verify_at(&dir, &["."], epoch() + 4 * DAY);
        assert_eq!(run.code, 0, "{}: {}", dir.display(), run.transcript());
    }
}

/// Archived manifests are read from a share anyone can write to: one that names a path outside its
/// folder is refused and reported, and nothing outside the share is touched.
#[test]
fn a_planted_archived_manifest_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let share = root.join("share");
    build(root, 0, None);
    assert_eq!(publish(root, "b0", "share", &[], &[]).code, 0);
    let planted = share.join("archive/2025-11-01T00-00-00Z");
    fs::create_dir_all(&planted).unwrap();
    fs::write(root.join("victim.html"), "not lifeboat's").unwrap();
    let mut m = text(&share.join("bcp-manifest.toml"));
    m = m.replace("file = \"coffre.html\"", "file = \"../../victim.html\"");
    fs::write(planted.join("bcp-manifest.toml"), m).unwrap();
    build(root, 1, Some(KEY_A));
    let run = publish(root, "b1", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "warning: `share/archive/2025-11-01T00-00-00Z` has a manifest that cannot be used ("
        ) && run
            .stderr
            .contains("`../../victim.html`, which is not a file of a bundle"),
        "{}",
        run.transcript()
    );
    assert_eq!(
        fs::read_to_string(root.join("victim.html")).unwrap(),
        "not lifeboat's"
    );
}

/// The withdrawal survives a crash at every step: stopped after step k of the publish that locks
/// coffre, the share verifies, and the rerun installs the bundle and finishes the withdrawal.
#[test]
fn a_publish_stopped_at_any_step_still_withdraws_on_the_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build(root, 0, None);
    build(root, 1, Some(KEY_A));
    let mut completed = false;
    for k in 1..200 {
        let share = format!("share-{k}");
        assert_eq!(publish(root, "b0", &share, &[], &[]).code, 0);
        let step = k.to_string();
        let stopped = publish(
            root,
            "b1",
            &share,
            &[],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &step)],
        );
        super::publish::assert_holds_a_bundle(root, &share, &format!("stopped after step {k}"));
        if stopped.code == 0 {
            completed = true;
        } else {
            let rerun = publish(root, "b1", &share, &[], &[]);
            assert_eq!(
                rerun.code,
                0,
                "rerun after step {k}: {}",
                rerun.transcript()
            );
        }
        let archived = root.join(&share).join("archive").join(folder(0));
        assert!(
            !archived.join("coffre.html").exists(),
            "step {k}: the open copy is still archived"
        );
        let run = verify_at(&archived, &["."], epoch() + DAY);
        assert_eq!(
            run.code,
            0,
            "step {k}: archived bundle: {}",
            run.transcript()
        );
        assert!(
            !root.join(&share).join(".lifeboat-publish").exists(),
            "step {k}"
        );
        fs::remove_dir_all(root.join(&share)).unwrap();
        if completed {
            break;
        }
    }
    assert!(completed, "the publish never completed");
}

/// A signed archived bundle loses its signature with the withdrawn file (it signed the manifest as it
/// was), says so, and still verifies; the bundle in place keeps its own.
#[test]
fn a_signed_archived_bundle_is_left_unsigned_and_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let keys = lifeboat(root, &["key", "new-signing"]);
    let secret = keys
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("secret "))
        .unwrap()
        .to_string();
    copy_dir(&fixture("locked-site"), &root.join("content"));
    let site = root.join("content/site.toml");
    fs::write(&site, text(&site) + "\n[signing]\n").unwrap();
    // Like `build` above, with the signing key.
    let signed = |day: i64, key: Option<&str>| {
        let entry = root.join("content/coffre/entry.toml");
        let config: String = text(&entry)
            .lines()
            .filter(|l| !l.starts_with("access") && !l.starts_with("key_holders"))
            .map(|l| format!("{l}\n"))
            .collect();
        let config = match key {
            Some(_) => {
                format!("access = \"key\"\nkey_holders = [\"Responsable continuité\"]\n{config}")
            }
            None => config,
        };
        fs::write(&entry, config).unwrap();
        let at = (epoch() + day * DAY).to_string();
        let out = format!("b{day}");
        let mut env = vec![
            ("SOURCE_DATE_EPOCH", at.as_str()),
            ("LIFEBOAT_SIGNING_KEY", secret.as_str()),
        ];
        if let Some(key) = key {
            env.push(("LIFEBOAT_ACCESS_KEY", key));
        }
        let run = lifeboat_env(root, &["build", "content", "--out", &out], &env);
        assert_eq!(run.code, 0, "{}", run.transcript());
    };
    signed(0, None);
    assert_eq!(publish(root, "b0", "share", &[], &[]).code, 0);
    signed(1, Some(KEY_A));
    let run = publish(root, "b1", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let archived = root.join("share/archive").join(folder(0));
    assert!(
        run.stdout.contains(&format!("  removed share/archive/{}/bcp-manifest.toml.sig (it signed that bundle's manifest before the withdrawal; that bundle is unsigned now)\n", folder(0))),
        "{}",
        run.transcript()
    );
    assert!(!archived.join("bcp-manifest.toml.sig").exists());
    let run = verify_at(&archived, &["."], epoch() + DAY);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(root.join("share/bcp-manifest.toml.sig").exists());
    let run = verify_at(&root.join("share"), &["."], epoch() + DAY);
    assert_eq!(run.code, 0, "{}", run.transcript());
}
