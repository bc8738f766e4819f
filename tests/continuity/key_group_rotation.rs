//! Rotating one key group's key (tests/fixtures/key-groups): `publish` withdraws from the share's archive
//! the copies of the entry points that group's old key opens, and only those; the other groups' files
//! stay, and every bundle on the share still verifies. The single-key case: key_rotation.rs.

use std::fs;
use std::path::Path;

use lifeboat::access::seal::SealError;
use lifeboat::access::{slots, AccessKey};

use super::publish::publish;
use super::{epoch, text, verify_at, DAY};
use crate::common::*;

const FACTURATION: &str = "Y8S5M-VRV4Y-23E1G-RZNJX-6YZHN-H8";
const FRAUDE: &str = "7680Z-9Y8WM-V02XH-E8W6K-ASJA4-Q7";
const DIRECTION: &str = "W7N8P-T3DCK-P2127-0P2HV-RAEND-0D";
const RECOVERY: &str = "QRQX8-3NJTR-HJB01-Q23Y1-05XMR-FN";
const FACTURATION_NEW: &str = "D01RK-SFHJM-5XB18-0NESM-29KKG-A8";

fn folder(day: i64) -> String {
    format!("2025-11-{}T08-26-40Z", 22 + day)
}

/// Builds the fixture at day `day` into `b<day>`, facturation's key being `facturation`.
fn build(dir: &Path, day: i64, facturation: &str) {
    let content = dir.join("content");
    if !content.exists() {
        copy_dir(&fixture("key-groups"), &content);
    }
    let at = (epoch() + day * DAY).to_string();
    let out = format!("b{day}");
    let run = lifeboat_env(
        dir,
        &["build", "content", "--out", &out],
        &[
            ("SOURCE_DATE_EPOCH", at.as_str()),
            ("LIFEBOAT_KEY_FACTURATION", facturation),
            ("LIFEBOAT_KEY_FRAUDE", FRAUDE),
            ("LIFEBOAT_KEY_DIRECTION", DIRECTION),
            ("LIFEBOAT_RECOVERY_KEY", RECOVERY),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
}

fn opens(file: &Path, id: &str, key: &str) -> bool {
    let sealed = slots::read_element(&text(file)).expect("a file with key slots");
    match slots::open(&AccessKey::parse(key).unwrap(), &sealed, id) {
        Ok(_) => true,
        Err(SealError::WrongKey) => false,
        Err(e) => panic!("{}: {e}", file.display()),
    }
}

#[test]
fn rotating_one_group_withdraws_what_its_old_key_opens_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let share = root.join("share");
    let zip0 = "centre-de-test-des-groupes-offline-2025-11-22.zip";

    build(root, 0, FACTURATION);
    let run = publish(root, "b0", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());

    // Day 1: facturation's key is rotated; the other groups keep theirs.
    build(root, 1, FACTURATION_NEW);
    let run = publish(root, "b1", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let archived = share.join("archive").join(folder(0));
    assert!(
        run.stdout.contains(&format!(
            "  withdrew share/archive/{}/factures.html (opens there with a key that does not open it now (`facturation`))\n",
            folder(0)
        )),
        "{}",
        run.transcript()
    );
    assert!(
        !run.stdout.contains("fraude.html"),
        "fraude's keys did not change: {}",
        run.transcript()
    );
    assert!(!archived.join("factures.html").exists());
    assert!(!archived.join(zip0).exists(), "the zip held the old copy");
    assert!(archived.join("fraude.html").exists(), "fraude's copy stays");
    assert!(opens(&archived.join("fraude.html"), "fraude", FRAUDE));

    // On the share: the old facturation key opens nothing of facturation's any more; the other keys work.
    let current = share.join("factures.html");
    assert!(!opens(&current, "factures", FACTURATION));
    assert!(opens(&current, "factures", FACTURATION_NEW));
    assert!(opens(&current, "factures", DIRECTION));
    assert!(opens(&share.join("fraude.html"), "fraude", FRAUDE));
    for bundle in [share.clone(), archived.clone()] {
        let run = verify_at(&bundle, &["."], epoch() + 2 * DAY);
        assert_eq!(run.code, 0, "{}: {}", bundle.display(), run.transcript());
    }
    let listed = fs::read_to_string(archived.join("bcp-manifest.toml")).unwrap();
    assert!(!listed.contains("factures.html") && listed.contains("fraude.html"));

    // Day 2: the same keys again withdraw nothing.
    build(root, 2, FACTURATION_NEW);
    let run = publish(root, "b2", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stdout.contains("withdrew"), "{}", run.transcript());
}
