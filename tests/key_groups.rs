//! Key groups and the recovery key end to end with the real binary, on tests/fixtures/key-groups
//! (`factures`: groups facturation and direction; `fraude`: fraude and direction; both: the recovery
//! key; `accueil` open): one key per group, taken from LIFEBOAT_KEY_<GROUP> or `--key-file GROUP=PATH`,
//! refused when missing, the same for two groups, or written in the content; each locked file holds
//! exactly its slots and none of its plaintext; the manifest records the slots' groups and key
//! identifiers; the contingency document names the groups and the recovery key's holders, never a key.
//! The viewer side: tests/browser/keygroups.test.js, keyslots.test.js. Rotation and the share's archive:
//! tests/continuity/key_group_rotation.rs.

mod common;

use std::fs;
use std::path::Path;

use common::{copy_dir, fixture, read_tree, unpacked, Run};
use lifeboat::access::key_id::KeyIds;
use lifeboat::access::seal::SealError;
use lifeboat::access::slots;
use lifeboat::access::AccessKey;

/// Test-only keys (made with `lifeboat key new`; the same as in tests/browser.rs).
const FACTURATION: &str = "Y8S5M-VRV4Y-23E1G-RZNJX-6YZHN-H8";
const FRAUDE: &str = "7680Z-9Y8WM-V02XH-E8W6K-ASJA4-Q7";
const DIRECTION: &str = "W7N8P-T3DCK-P2127-0P2HV-RAEND-0D";
const RECOVERY: &str = "QRQX8-3NJTR-HJB01-Q23Y1-05XMR-FN";
const FACTURATION_NEW: &str = "D01RK-SFHJM-5XB18-0NESM-29KKG-A8";

/// What each locked entry point is made of: none may be readable outside its sealed payload.
const PLAINTEXT: &[&str] = &[
    "Facture contestée",
    "Vérifier le montant contesté",
    "GIRAFE-318",
    "PELICAN-27",
    "Émettre un avoir",
    "Appel suspect",
    "Contrôler l'identité de l'appelant",
    "LOUTRE-655",
    "HERMINE-90",
    "Bloquer le paiement",
    "Procédures réservées",
];

/// Every key variable a build may read, unset unless given.
const VARS: &[&str] = &[
    "LIFEBOAT_ACCESS_KEY",
    "LIFEBOAT_KEY_FACTURATION",
    "LIFEBOAT_KEY_FRAUDE",
    "LIFEBOAT_KEY_DIRECTION",
    "LIFEBOAT_RECOVERY_KEY",
];

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lifeboat"));
    cmd.args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", common::EPOCH)
        .env("NO_COLOR", "1");
    for var in VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run lifeboat");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.transcript());
    run
}

fn site() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("key-groups"), &temp.path().join("content"));
    temp
}

const BUILD: &[&str] = &["build", "content", "--out", "dist"];

fn all_keys() -> Vec<(&'static str, &'static str)> {
    vec![
        ("LIFEBOAT_KEY_FACTURATION", FACTURATION),
        ("LIFEBOAT_KEY_FRAUDE", FRAUDE),
        ("LIFEBOAT_KEY_DIRECTION", DIRECTION),
        ("LIFEBOAT_RECOVERY_KEY", RECOVERY),
    ]
}

fn key(text: &str) -> AccessKey {
    AccessKey::parse(text).unwrap()
}

fn manifest_entry(dir: &Path, id: &str) -> toml::Value {
    let m: toml::Value =
        toml::from_str(&fs::read_to_string(dir.join("dist/bcp-manifest.toml")).unwrap()).unwrap();
    m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_str() == Some(id))
        .unwrap()
        .clone()
}

#[test]
fn each_file_holds_its_slots_only_each_key_opens_its_files_only_and_no_plaintext_leaks() {
    let temp = site();
    let built = run(temp.path(), BUILD, &all_keys());
    assert_eq!(built.code, 0, "{}", built.transcript());
    let dist = temp.path().join("dist");
    let open = unpacked(&fs::read_to_string(dist.join("accueil.html")).unwrap());
    assert!(open.contains("Saluer le client"), "the open file is plain");

    let expected = [
        (
            "factures",
            ["facturation", "direction", "recovery"],
            "GIRAFE-318",
        ),
        ("fraude", ["fraude", "direction", "recovery"], "LOUTRE-655"),
    ];
    let keys = [
        ("facturation", FACTURATION),
        ("fraude", FRAUDE),
        ("direction", DIRECTION),
        ("recovery", RECOVERY),
    ];
    for (id, slot_names, secret) in expected {
        let html = fs::read_to_string(dist.join(format!("{id}.html"))).unwrap();
        let sealed = slots::read_element(&html).unwrap_or_else(|| panic!("{id}: no slots"));
        let names: Vec<&str> = sealed.slots.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, slot_names, "{id}: exactly its slots");
        assert!(sealed.iterations >= 600_000);
        for (name, text) in keys {
            match slots::open(&key(text), &sealed, id) {
                Ok((slot, plain)) => {
                    assert!(slot_names.contains(&name), "{name} opens {id}");
                    assert_eq!(slot, name, "{name} opens its own slot");
                    assert!(String::from_utf8(plain).unwrap().contains(secret));
                }
                Err(SealError::WrongKey) => {
                    assert!(!slot_names.contains(&name), "{name} does not open {id}")
                }
                Err(e) => panic!("{id} with {name}: {e}"),
            }
        }
        // The manifest: the slots' groups (names only) and key identifiers, no implicit-group key_id.
        let record = manifest_entry(temp.path(), id);
        assert!(record.get("key_id").is_none(), "{record}");
        let recorded: Vec<(String, String)> = record["key_slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["group"].as_str().unwrap().to_string(),
                    s["key_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let computed: Vec<(String, String)> = slot_names
            .iter()
            .map(|g| {
                let text = keys.iter().find(|(n, _)| n == g).unwrap().1;
                (g.to_string(), KeyIds::new(&key(text)).of(id))
            })
            .collect();
        assert_eq!(recorded, computed, "{id}");
        // Public payload: the groups' labels for the prompt, the holders, nothing of the procedures.
        let public = common::payload(&html);
        assert_eq!(public["locked"], true);
        assert!(public.get("diagrams").is_none());
        let labels = &public["entry"]["key_groups"];
        assert_eq!(labels[1], "Direction", "{public}");
    }

    // Nothing of either locked entry point in any file but its own, zips and their members included,
    // and no key in any spelling anywhere.
    let mut files: Vec<(String, Vec<u8>)> = read_tree(&dist).into_iter().collect();
    let zip = files
        .iter()
        .find(|(n, _)| n.ends_with(".zip"))
        .unwrap()
        .clone();
    files.extend(
        lifeboat::package::archive::read(&zip.1)
            .unwrap()
            .into_iter()
            .map(|(n, b)| (format!("{}/{n}", zip.0), b)),
    );
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let text = if name.ends_with(".html") {
            unpacked(&text)
        } else {
            text.into_owned()
        };
        for secret in PLAINTEXT {
            assert!(!text.contains(secret), "`{secret}` is readable in {name}");
        }
        for (_, k) in keys {
            for form in [k.to_string(), key(k).canonical(), k.to_lowercase()] {
                assert!(!text.contains(&form), "a key is in {name}");
            }
        }
    }

    // `verify --rebuild` takes the locked files as they are, with their slots' identifiers: the rest,
    // the manifest included, rebuilds byte for byte.
    let now = (common::EPOCH.parse::<i64>().unwrap() + 86_400).to_string();
    let verified = run(
        temp.path(),
        &["verify", "dist", "--rebuild", "content"],
        &[("LIFEBOAT_NOW", now.as_str())],
    );
    assert_eq!(verified.code, 0, "{}", verified.transcript());
    assert!(
        verified
            .stdout
            .contains("rebuilt identical          bcp-manifest.toml"),
        "{}",
        verified.transcript()
    );

    // The contingency documents name the groups, their holders and the recovery key's, never a key.
    for doc in ["contingency.md", "contingency.html"] {
        let text = fs::read_to_string(dist.join(doc)).unwrap();
        for said in [
            "Chaque groupe a sa propre clé",
            "Facturation — ouvre",
            "factures.html",
            "Responsable facturation",
            "Direction — ouvre",
            "Une clé de secours ouvre aussi chacun des fichiers verrouillés",
            "Responsable continuité",
        ] {
            assert!(text.contains(said), "{doc} lacks `{said}`:\n{text}");
        }
    }
}

#[test]
fn a_missing_group_key_is_refused_naming_the_group_and_how_to_give_it() {
    let temp = site();
    let mut env = all_keys();
    env.retain(|(var, _)| *var != "LIFEBOAT_KEY_FRAUDE" && *var != "LIFEBOAT_RECOVERY_KEY");
    let built = run(temp.path(), BUILD, &env);
    assert_eq!(built.code, 2, "{}", built.transcript());
    insta::assert_snapshot!("missing-group-key", built.stderr);
    assert!(!temp.path().join("dist").exists(), "nothing written");
}

#[test]
fn keys_are_refused_when_given_twice_the_same_for_two_groups_or_for_an_unknown_group() {
    let temp = site();
    let key_file = temp.path().join("fraude.key");
    fs::write(&key_file, format!("{FRAUDE}\n")).unwrap();
    let file_arg = format!("fraude={}", key_file.display());
    // Extra arguments, environment, what the error says.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--key-file", &file_arg],
            all_keys(),
            "the key of group `fraude` was given twice",
        ),
        (
            vec!["--key-file", "fraud=x.key"],
            all_keys(),
            "--key-file names key group `fraud`, which site.toml does not declare\n  help: did you mean `fraude`?",
        ),
        (
            vec![],
            vec![
                ("LIFEBOAT_KEY_FACTURATION", FACTURATION),
                ("LIFEBOAT_KEY_FRAUDE", FACTURATION),
                ("LIFEBOAT_KEY_DIRECTION", DIRECTION),
                ("LIFEBOAT_RECOVERY_KEY", RECOVERY),
            ],
            "the key of group `facturation` and the key of group `fraude` are the same key",
        ),
    ];
    for (extra, env, message) in cases {
        let mut args = BUILD.to_vec();
        args.extend(extra);
        let built = run(temp.path(), &args, &env);
        assert_eq!(built.code, 2, "{message}: {}", built.transcript());
        assert!(
            built.stderr.contains(message),
            "{message}: {}",
            built.transcript()
        );
        assert!(
            !temp.path().join("dist").exists(),
            "{message}: output written"
        );
    }
}

#[test]
fn every_group_key_is_refused_where_the_content_holds_it() {
    for (file, key_text) in [("accueil/bonjour.md", FRAUDE), ("site.toml", RECOVERY)] {
        let temp = site();
        let path = temp.path().join("content").join(file);
        // Squashed (no dashes) and split: not key-shaped, found only because the build knows the key.
        let squashed = key_text.replace('-', "");
        let mut text = fs::read_to_string(&path).unwrap();
        text.push_str(&format!("\n# {} {}\n", &squashed[..13], &squashed[13..]));
        fs::write(&path, text).unwrap();
        let built = run(temp.path(), BUILD, &all_keys());
        assert_eq!(built.code, 1, "{file}: {}", built.transcript());
        assert!(
            built
                .stderr
                .contains("this text holds a Lifeboat access key")
                && built.stderr.contains(&format!("content/{file}:")),
            "{file}: {}",
            built.transcript()
        );
        assert!(!temp.path().join("dist").exists(), "{file}: output written");
    }
}

#[test]
fn key_files_name_their_group_and_a_rotated_group_key_leaves_the_others_working() {
    let temp = site();
    let first = run(temp.path(), BUILD, &all_keys());
    assert_eq!(first.code, 0, "{}", first.transcript());
    let before = |id: &str| manifest_entry(temp.path(), id)["key_slots"].clone();
    let (factures_before, fraude_before) = (before("factures"), before("fraude"));
    let old_html = fs::read_to_string(temp.path().join("dist/factures.html")).unwrap();

    // Rebuilt with a new facturation key, given (with the recovery key) in key files outside the content.
    let keys = tempfile::tempdir().unwrap();
    let facturation_file = keys.path().join("facturation.key");
    let recovery_file = keys.path().join("secours.key");
    fs::write(&facturation_file, FACTURATION_NEW).unwrap();
    fs::write(&recovery_file, format!("\u{feff}{RECOVERY}\r\n")).unwrap();
    let mut args = BUILD.to_vec();
    let f = format!("facturation={}", facturation_file.display());
    let r = format!("recovery={}", recovery_file.display());
    args.extend(["--key-file", &f, "--key-file", &r]);
    // A day later: a build of the same snapshot would compare with what the first one compared with.
    let later = (common::EPOCH.parse::<i64>().unwrap() + 86_400).to_string();
    let env = [
        ("LIFEBOAT_KEY_FRAUDE", FRAUDE),
        ("LIFEBOAT_KEY_DIRECTION", DIRECTION),
        ("SOURCE_DATE_EPOCH", later.as_str()),
    ];
    let second = run(temp.path(), &args, &env);
    assert_eq!(second.code, 0, "{}", second.transcript());
    let html = fs::read_to_string(temp.path().join("dist/factures.html")).unwrap();
    let sealed = slots::read_element(&html).unwrap();
    let old = slots::read_element(&old_html).unwrap();
    assert!(matches!(
        slots::open(&key(FACTURATION), &sealed, "factures"),
        Err(SealError::WrongKey)
    ));
    assert_eq!(
        slots::open(&key(FACTURATION_NEW), &sealed, "factures")
            .unwrap()
            .0,
        "facturation"
    );
    assert_eq!(
        slots::open(&key(DIRECTION), &sealed, "factures").unwrap().0,
        "direction"
    );
    assert_eq!(
        slots::open(&key(RECOVERY), &sealed, "factures").unwrap().0,
        "recovery"
    );
    // The old file still opens with the old key: only withdrawing it helps (publish does, on the share).
    assert!(slots::open(&key(FACTURATION), &old, "factures").is_ok());
    let fraude =
        slots::read_element(&fs::read_to_string(temp.path().join("dist/fraude.html")).unwrap())
            .unwrap();
    assert_eq!(
        slots::open(&key(FRAUDE), &fraude, "fraude").unwrap().0,
        "fraude"
    );
    // Only facturation's identifier changed.
    let after = manifest_entry(temp.path(), "factures")["key_slots"].clone();
    assert_ne!(after[0]["key_id"], factures_before[0]["key_id"]);
    assert_eq!(after[1], factures_before[1]);
    assert_eq!(after[2], factures_before[2]);
    assert_eq!(
        manifest_entry(temp.path(), "fraude")["key_slots"],
        fraude_before
    );
    // What changed since the previous build (in --out): a file's steps are marked with its first key's
    // identifier, so factures (first group facturation, rotated) is not compared, fraude still is.
    assert!(
        manifest_entry(temp.path(), "factures")
            .get("changes")
            .is_none(),
        "{}",
        second.transcript()
    );
    assert!(
        manifest_entry(temp.path(), "fraude")
            .get("changes")
            .is_some(),
        "{}",
        second.transcript()
    );
}

#[test]
fn the_implicit_key_and_groups_mix_and_a_recovery_key_gives_the_implicit_entry_a_slot_too() {
    let temp = site();
    // An entry point locked without key_groups: the build's one access key opens it, and the recovery key.
    let entry = temp.path().join("content/accueil/entry.toml");
    let text = fs::read_to_string(&entry).unwrap();
    fs::write(
        &entry,
        format!("{text}access = \"key\"\nkey_holders = [\"Chef de plateau\"]\n"),
    )
    .unwrap();
    let built = run(temp.path(), BUILD, &all_keys());
    assert_eq!(built.code, 2, "{}", built.transcript());
    assert!(
        built.stderr.contains(
            "error: entry point `accueil` is locked (access = \"key\") but no access key was given\n  help: pass the key in the LIFEBOAT_ACCESS_KEY environment variable or with `--key-file PATH`"
        ),
        "{}",
        built.transcript()
    );
    let mut env = all_keys();
    env.push(("LIFEBOAT_ACCESS_KEY", FACTURATION_NEW));
    let built = run(temp.path(), BUILD, &env);
    assert_eq!(built.code, 0, "{}", built.transcript());
    let html = fs::read_to_string(temp.path().join("dist/accueil.html")).unwrap();
    let sealed = slots::read_element(&html).unwrap();
    let names: Vec<&str> = sealed.slots.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["*", "recovery"]);
    assert_eq!(
        slots::open(&key(FACTURATION_NEW), &sealed, "accueil")
            .unwrap()
            .0,
        "*"
    );
    assert!(matches!(
        slots::open(&key(FACTURATION), &sealed, "accueil"),
        Err(SealError::WrongKey)
    ));
    // The implicit group's identifier stays in `key_id`; the recovery key's is a slot.
    let record = manifest_entry(temp.path(), "accueil");
    assert_eq!(
        record["key_id"].as_str(),
        Some(KeyIds::new(&key(FACTURATION_NEW)).of("accueil").as_str())
    );
    assert_eq!(record["key_slots"][0]["group"].as_str(), Some("recovery"));
}
