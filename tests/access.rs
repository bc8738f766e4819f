//! Locked entry points end to end with the real binary, on tests/fixtures/locked-site (`coffre` is locked,
//! `accueil` is open): the key is required, refused in the content, and nothing of the procedures is in
//! the locked file; rotation changes the sealed element; the manifest and contingency document name the
//! key holders, never the key. The viewer side is tests/browser/locked.test.js.

mod common;

use std::fs;
use std::path::Path;

use base64::Engine;
use common::{copy_dir, fixture, indexed_siblings, lifeboat_env, read_tree, unpacked, Run};
use lifeboat::access::seal::{self, SealError};
use lifeboat::access::AccessKey;

/// Test-only keys (made with `lifeboat key new`; the same as in tests/browser.rs).
const KEY_A: &str = "QNTN6-7SMQW-QXER1-4VSNH-SF871-SS";
const KEY_B: &str = "3SA7T-GN1HE-6B4Y7-PRHP8-2HD58-0K";

/// What the sealed entry point is made of (tests/fixtures/locked-site/coffre): diagram and node titles,
/// node text, descriptions and the folded search text. None may be readable in coffre.html.
const PLAINTEXT: &[&str] = &[
    "Suspicion de fraude",
    "Opposition sur carte",
    "Contrôler l'identité du client",
    "Contr\\u00f4ler",
    "Vérifier le virement demandé",
    "Bloquer le compte immédiatement",
    "Faire opposition à la carte",
    "ZEBRE-742",
    "OURS-913",
    "CASTOR",
    "liste des mules connues",
    "Un appel semble frauduleux",
    "Procédures sensibles du service fraude",
    "controler l'identite du client",
    "verifier le virement demande",
    "identite",
    "virement",
    "opposition",
    "Face avant du modem",
    "Référence du dossier fraude",
    "R\\u00e9f\\u00e9rence du dossier",
    "reference_fraude",
];

/// Builds the fixture (copied to a temporary folder, so tests may edit it) into `<temp>/dist`.
fn build(dir: &Path, key: Option<&str>) -> Run {
    let args = ["build", "content", "--out", "dist"];
    match key {
        Some(key) => lifeboat_env(dir, &args, &[("LIFEBOAT_ACCESS_KEY", key)]),
        None => {
            // The variable may be set in the environment running the tests: build without it.
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lifeboat"));
            cmd.args(args)
                .current_dir(dir)
                .env("SOURCE_DATE_EPOCH", common::EPOCH)
                .env("NO_COLOR", "1")
                .env_remove("LIFEBOAT_ACCESS_KEY");
            let out = cmd.output().expect("run lifeboat");
            Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        }
    }
}

fn site() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("locked-site"), &temp.path().join("content"));
    temp
}

fn built(key: &str) -> (tempfile::TempDir, String) {
    let temp = site();
    let run = build(temp.path(), Some(key));
    assert_eq!(run.code, 0, "{}", run.transcript());
    let html = fs::read_to_string(temp.path().join("dist/coffre.html")).unwrap();
    (temp, html)
}

#[test]
fn a_locked_entry_needs_a_key_and_nothing_is_written_without_it() {
    let temp = site();
    let run = build(temp.path(), None);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "entry point `coffre` is locked (access = \"key\") but no access key was given"
        ),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("LIFEBOAT_ACCESS_KEY"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("--key-file"), "{}", run.transcript());
    assert!(!temp.path().join("dist").exists(), "output written");
}

#[test]
fn keys_written_in_the_content_are_refused() {
    for (file, line, message) in [
        (
            "site.toml",
            "access_key = \"anything\"\n".to_string(),
            "`access_key`: access keys and passwords must never be written in the content",
        ),
        (
            "coffre/entry.toml",
            format!("description = \"{KEY_B}\"\n"),
            "this text holds a Lifeboat access key: keys must never be written in the content",
        ),
    ] {
        let temp = site();
        let path = temp.path().join("content").join(file);
        let mut text = fs::read_to_string(&path).unwrap();
        if file == "coffre/entry.toml" {
            text = text.replace(
                "description = \"Procédures sensibles du service fraude.\"\n",
                "",
            );
        }
        // Top-level settings go before the first table.
        let at = text.find("\n[").map_or(text.len(), |i| i + 1);
        text.insert_str(at, &line);
        fs::write(&path, text).unwrap();
        let run = build(temp.path(), Some(KEY_A));
        assert_ne!(run.code, 0, "{file}: {}", run.transcript());
        assert!(run.stderr.contains(message), "{file}: {}", run.transcript());
        assert!(
            run.stderr.contains("lifeboat key new"),
            "{file}: {}",
            run.transcript()
        );
        assert!(!temp.path().join("dist").exists(), "{file}: output written");
    }
}

#[test]
fn the_build_key_is_refused_anywhere_in_content_and_theme_in_any_spacing() {
    let spaced = KEY_A.to_lowercase().replace('-', " ");
    let squashed = KEY_A.replace('-', "");
    for (file, text) in [
        // In a comment of site.toml: not a value at all.
        ("site.toml", format!("# clé du coffre : {KEY_A}\n")),
        // Inside a longer string.
        ("coffre/entry.toml", format!("# {spaced}\n")),
        // In body text, broken up as someone would dictate it.
        (
            "accueil/bonjour.md",
            format!(
                "\nLe code du coffre est {} {}.\n",
                &squashed[..13],
                &squashed[13..]
            ),
        ),
        // In a user theme file.
        ("_theme/custom.css", format!("/* key {squashed} */\n")),
    ] {
        let temp = site();
        let path = temp.path().join("content").join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut old = fs::read_to_string(&path).unwrap_or_default();
        old.push_str(&text);
        fs::write(&path, old).unwrap();
        let run = build(temp.path(), Some(KEY_A));
        assert_eq!(run.code, 1, "{file}: {}", run.transcript());
        assert!(
            run.stderr.contains("this text holds a Lifeboat access key")
                && run.stderr.contains(&format!("content/{file}:")),
            "{file}: {}",
            run.transcript()
        );
        assert!(!temp.path().join("dist").exists(), "{file}: output written");
    }
}

#[test]
fn the_locked_file_holds_none_of_the_plaintext() {
    let (temp, html) = built(KEY_A);
    // The open entry point beside it is plain, so the words below would be found if they were there.
    let open = unpacked(&fs::read_to_string(temp.path().join("dist/accueil.html")).unwrap());
    assert!(open.contains("Saluer le client"));
    assert!(html.contains("Coffre des procédures"), "public title");
    assert!(html.contains("Centre de test verrouillé"), "site name");
    for text in PLAINTEXT {
        assert!(!html.contains(text), "`{text}` is readable in coffre.html");
    }
    for element in ["id=\"lb-img-", "id=lb-img-", "data-lb-img=\""] {
        assert!(!html.contains(element), "`{element}` in the locked file");
    }

    // The sealed element opens with the key and holds all of it, images included.
    let (params, ciphertext) = seal::read_element(&html).expect("sealed element");
    assert!(params.iterations >= 600_000);
    let key = AccessKey::parse(KEY_A).unwrap();
    let aad = seal::associated_data("coffre");
    let plain = seal::open(&key, &params, &ciphertext, &aad).expect("opens with key A");
    let plain: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let diagrams = plain["data"]["diagrams"].as_array().unwrap();
    assert_eq!(diagrams.len(), 2);
    let sealed_text = plain.to_string();
    for text in ["ZEBRE-742", "OURS-913", "CASTOR", "liste des mules connues"] {
        assert!(
            sealed_text.contains(text),
            "`{text}` is not in the sealed payload"
        );
    }
    // The call fields travel inside the seal only.
    let call = &plain["data"]["call"];
    assert_eq!(call["fields"][0]["name"], "reference_fraude", "{call}");
    assert_eq!(call["fields"][0]["label"], "Référence du dossier fraude");
    assert!(sealed_text.contains("data-lb-ask=\\\"reference_fraude\\\""));
    let images = plain["images"].as_object().unwrap();
    assert_eq!(images.len(), 1, "the one image is sealed");
    for (id, image) in images {
        let b64 = image[1].as_str().unwrap();
        assert!(!html.contains(id.as_str()), "image id {id} in the file");
        assert!(
            !html.contains(&b64[..64.min(b64.len())]),
            "image bytes in the file"
        );
        assert!(!html.contains(&b64[b64.len() / 2..b64.len() / 2 + 40]));
    }
    // The source image, as a plain file would carry it.
    let png = fs::read(temp.path().join("content/coffre/images/modem.png")).unwrap();
    let png_b64 = base64::engine::general_purpose::STANDARD.encode(png);
    assert!(!html.contains(&png_b64[..64]));
    // Search text and diagram ids are not in the public payload either.
    let public = common::payload(&html);
    assert_eq!(public["locked"], true);
    assert!(public.get("diagrams").is_none(), "{public}");
    assert!(!public.to_string().contains("fraude\""), "{public}");
}

#[test]
fn nothing_of_the_locked_entry_is_in_any_other_file_even_when_linked_to() {
    let temp = site();
    // The open entry point links into the locked one: by answers, by a link in its text, and so in
    // its map and whole-diagram view.
    let open = temp.path().join("content/accueil/bonjour.md");
    let mut text = fs::read_to_string(&open).unwrap();
    text.push_str(
        "\n- [Appel suspect](#suspect)\n\n## Orienter un appel suspect {#suspect}\n\n\
         Voir [la procédure à suivre](../coffre/opposition.md#carte).\n\n\
         - [Virement douteux](../coffre/fraude.md#virement)\n\
         - [Perte de carte](../coffre/opposition.md)\n",
    );
    fs::write(&open, text).unwrap();
    let run = build(temp.path(), Some(KEY_A));
    assert_eq!(run.code, 0, "{}", run.transcript());
    let dist = temp.path().join("dist");
    // Ids of the locked entry's diagrams and nodes read as words; a payload would quote them.
    let ids = [
        "\"identite\"",
        "\"virement\"",
        "\"bloquer\"",
        "\"carte\"",
        "\"fraude\"",
        "\"opposition\"",
    ];
    let mut checked = 0;
    for (name, bytes) in read_tree(&dist) {
        if name == "coffre.html" || name.ends_with(".zip") {
            continue;
        }
        let mut text = String::from_utf8(bytes).unwrap();
        if name.ends_with(".html") {
            text = unpacked(&text);
        }
        for secret in PLAINTEXT.iter().chain(&ids) {
            assert!(!text.contains(secret), "`{secret}` is readable in {name}");
            // The map is JSON inside the payload's JSON: its quotes are escaped.
            let nested = secret.replace('"', "\\\"");
            assert!(!text.contains(&nested), "`{nested}` is readable in {name}");
        }
        for route in [
            "coffre.html#/fraude",
            "coffre.html#/opposition",
            "/virement",
            "/carte",
        ] {
            assert!(!text.contains(route), "`{route}` is readable in {name}");
        }
        checked += 1;
    }
    assert!(checked >= 5, "{checked} files checked");
    // The links still lead into the locked file, by position, with a neutral label on the map.
    let accueil = unpacked(&fs::read_to_string(dist.join("accueil.html")).unwrap());
    assert!(accueil.contains("\"at\":[0,1]"), "answer by position");
    assert!(
        accueil.contains("coffre.html#/~at/1/0"),
        "text link by position"
    );
    assert!(accueil.contains("Procédure protégée"), "neutral label");
    // The bundle-wide search index (#lb-bundle, unpacked above too): the open file indexes no
    // sibling (its only one is locked); the locked file carries the open one's, outside its seal.
    let raw = |name: &str| fs::read_to_string(dist.join(name)).unwrap();
    assert_eq!(indexed_siblings(&raw("accueil.html")), Vec::<String>::new());
    assert_eq!(indexed_siblings(&raw("coffre.html")), ["accueil"]);
}

#[test]
fn rotation_changes_the_sealed_element_and_the_old_key_stops_working() {
    let (temp_a, html_a) = built(KEY_A);
    let (temp_b, html_b) = built(KEY_B);
    let (params_a, ct_a) = seal::read_element(&html_a).unwrap();
    let (params_b, ct_b) = seal::read_element(&html_b).unwrap();
    assert_ne!(params_a.salt, params_b.salt);
    assert_ne!(params_a.nonce, params_b.nonce);
    assert_ne!(params_a.key_check, params_b.key_check);
    assert_ne!(ct_a, ct_b);
    let aad = seal::associated_data("coffre");
    let key_a = AccessKey::parse(KEY_A).unwrap();
    let key_b = AccessKey::parse(KEY_B).unwrap();
    assert!(matches!(
        seal::open(&key_a, &params_b, &ct_b, &aad),
        Err(SealError::WrongKey)
    ));
    assert!(seal::open(&key_b, &params_b, &ct_b, &aad).is_ok());
    // A flipped byte is damage, not a wrong key.
    let mut flipped = ct_b.clone();
    flipped[ct_b.len() / 2] ^= 0x10;
    assert!(matches!(
        seal::open(&key_b, &params_b, &flipped, &aad),
        Err(SealError::Decrypt)
    ));

    // Not byte-reproducible (fresh salt and nonce), but the manifest's source hash is stable.
    let manifest = |dir: &Path| -> toml::Value {
        let tree = read_tree(&dir.join("dist"));
        let (_, bytes) = tree
            .iter()
            .find(|(name, _)| name.ends_with("manifest.toml"))
            .expect("manifest");
        toml::from_str(std::str::from_utf8(bytes).unwrap()).unwrap()
    };
    let coffre = |m: &toml::Value| -> toml::Value {
        m["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"].as_str() == Some("coffre"))
            .unwrap()
            .clone()
    };
    let (ma, mb) = (
        coffre(&manifest(temp_a.path())),
        coffre(&manifest(temp_b.path())),
    );
    assert_ne!(ma["sha256"], mb["sha256"]);
    assert_eq!(ma["source_sha256"], mb["source_sha256"]);
    // The key identifier tells the keys apart, and is the same for every build with the same key.
    let expected = lifeboat::access::key_id::KeyIds::new(&key_a).of("coffre");
    assert_eq!(ma["key_id"].as_str(), Some(expected.as_str()));
    assert_ne!(ma["key_id"], mb["key_id"]);
    let (temp_a2, html_a2) = built(KEY_A);
    assert_ne!(html_a, html_a2, "same key, new salt and nonce");
    let ma2 = coffre(&manifest(temp_a2.path()));
    assert_eq!(ma2["source_sha256"], ma["source_sha256"]);
    assert_eq!(ma2["key_id"], ma["key_id"], "same key, same identifier");
    // Nothing of the key in it, in any spelling.
    let shown = toml::to_string(&ma).unwrap();
    for spelling in [
        KEY_A.to_string(),
        key_a.canonical(),
        key_a.canonical().to_lowercase(),
    ] {
        assert!(!shown.contains(&spelling[..10]), "{shown}");
    }
}

#[test]
fn manifest_and_contingency_document_name_key_holders_never_the_key() {
    let (temp, _) = built(KEY_A);
    let tree = read_tree(&temp.path().join("dist"));
    let key = AccessKey::parse(KEY_A).unwrap();
    let canonical = key.canonical();
    for (name, bytes) in &tree {
        let text = String::from_utf8_lossy(bytes);
        for form in [KEY_A, canonical.as_str(), &KEY_A.to_lowercase()] {
            assert!(!text.contains(form), "the key is in {name}");
        }
    }
    let (_, manifest) = tree
        .iter()
        .find(|(name, _)| name.ends_with("manifest.toml"))
        .expect("manifest");
    let manifest: toml::Value = toml::from_str(std::str::from_utf8(manifest).unwrap()).unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    let coffre = entries
        .iter()
        .find(|e| e["id"].as_str() == Some("coffre"))
        .unwrap();
    let accueil = entries
        .iter()
        .find(|e| e["id"].as_str() == Some("accueil"))
        .unwrap();
    assert_eq!(coffre["access"].as_str(), Some("key"));
    assert_eq!(
        coffre["key_holders"],
        toml::Value::Array(vec![
            "Responsable continuité".into(),
            "Chef de plateau".into()
        ])
    );
    assert_eq!(accueil["access"].as_str(), Some("open"));
    assert!(accueil.get("key_holders").is_none());
    for doc in ["contingency.html", "contingency.md"] {
        let text = String::from_utf8_lossy(&tree[doc]);
        assert!(text.contains("verrouillés"), "{doc} says files are locked");
        assert!(
            text.contains("Responsable continuité, Chef de plateau"),
            "{doc} names the key holders"
        );
        assert!(text.contains("coffre.html"), "{doc}");
    }
}

#[test]
fn a_hidden_title_and_the_description_stay_out_of_every_file_of_the_bundle() {
    let temp = site();
    let entry = temp.path().join("content/coffre/entry.toml");
    let text = fs::read_to_string(&entry).unwrap();
    fs::write(
        &entry,
        text.replacen("access = \"key\"", "access = \"key\"\nhide_title = true", 1),
    )
    .unwrap();
    let run = build(temp.path(), Some(KEY_A));
    assert_eq!(run.code, 0, "{}", run.transcript());
    let tree = read_tree(&temp.path().join("dist"));
    let mut files: Vec<(String, Vec<u8>)> = tree.into_iter().collect();
    // The zip's members too, decompressed.
    let zip_name = files
        .iter()
        .find(|(n, _)| n.ends_with(".zip"))
        .unwrap()
        .0
        .clone();
    let zip = files
        .iter()
        .find(|(n, _)| *n == zip_name)
        .unwrap()
        .1
        .clone();
    files.extend(
        lifeboat::package::archive::read(&zip)
            .unwrap()
            .into_iter()
            .map(|(n, b)| (format!("{zip_name}/{n}"), b)),
    );
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for secret in [
            "Coffre des procédures",
            "Coffre des proc",
            "Procédures sensibles du service fraude",
        ] {
            assert!(!text.contains(secret), "{name} shows `{secret}`");
        }
    }
    // The documents still list the file, under a neutral title.
    let index = fs::read_to_string(temp.path().join("dist/index.html")).unwrap();
    assert!(
        index.contains("coffre.html"),
        "the launcher lists the locked file"
    );
    assert!(
        index.contains("Procédures protégées"),
        "under a neutral title"
    );
}
