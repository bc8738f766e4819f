//! Call fields (docs/call-assistant.md) in the built files: the elements the viewer fills in, the
//! payload's `call`, and nothing of them at build time anywhere else.

mod common;

use std::io::Read;

use common::*;

fn build_example() -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let dir = tempfile::tempdir().unwrap();
    let content = repo().join("content");
    let run = lifeboat_env(
        dir.path(),
        &["build", content.to_str().unwrap(), "--out", "dist"],
        &[("SOURCE_DATE_EPOCH", "1763800000")],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let tree = read_tree(&dir.path().join("dist"));
    (dir, tree)
}

fn node<'a>(payload: &'a serde_json::Value, diagram: &str, node: &str) -> &'a serde_json::Value {
    payload["diagrams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == diagram)
        .and_then(|d| {
            d["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == node)
        })
        .unwrap_or_else(|| panic!("{diagram}/{node}"))
}

#[test]
fn fields_reach_the_viewer_as_elements_and_payload() {
    let (_dir, tree) = build_example();
    let text = |name: &str| String::from_utf8(tree[name].clone()).unwrap();
    let depannage = payload(&text("depannage.html"));
    let call = &depannage["call"];
    let names: Vec<&str> = call["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["numero_compte", "titulaire", "telephone_rappel"],
        "site.toml's order"
    );
    assert_eq!(call["fields"][0]["kind"], "number");
    assert_eq!(call["fields"][0]["pattern"], "^\\d{12}$");
    assert_eq!(call["fields"][1]["pattern"], serde_json::Value::Null);
    assert_eq!(call["log"]["keep_days"], 7);
    assert_eq!(call["log"]["drop"], "X:\\Continuite\\Appels");
    let site = call["site"].as_str().unwrap();
    assert!(
        site.len() == 16 && site.bytes().all(|b| b.is_ascii_hexdigit()),
        "{site}"
    );
    let escalade = payload(&text("escalade.html"));
    assert_eq!(escalade["call"]["site"], site, "one namespace per site");

    let identify = node(&depannage, "triage", "identifier")["html"]
        .as_str()
        .unwrap();
    for name in names {
        assert!(
            identify.contains(&format!(
                "<span class=\"lb-ask\" data-lb-ask=\"{name}\"></span>"
            )),
            "{identify}"
        );
    }
    let end = node(&depannage, "triage", "fin-appel")["html"]
        .as_str()
        .unwrap();
    assert!(
        end.contains("data-lb-href=\"https://crm-backup.example.com/clients/{numero_compte}\""),
        "{end}"
    );
    assert!(
        end.contains("href=\"https://crm-backup.example.com/clients/\""),
        "{end}"
    );
    let mail = node(&escalade, "niveau-2", "courriel-secours")["html"]
        .as_str()
        .unwrap();
    assert!(
        mail.contains("Compte : <span class=\"lb-call\" data-lb-call=\"numero_compte\"></span>"),
        "a field in a code block: {mail}"
    );
}

#[test]
fn nothing_of_a_field_is_written_at_build_time_outside_the_viewer() {
    let (_dir, tree) = build_example();
    let mut files: Vec<(String, Vec<u8>)> = tree.clone().into_iter().collect();
    let zip_name = tree.keys().find(|k| k.ends_with(".zip")).unwrap().clone();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(tree[&zip_name].clone())).unwrap();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        files.push((format!("zip:{}", file.name()), bytes));
    }
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let text = if name.ends_with(".html") {
            unpacked(&text)
        } else {
            text.into_owned()
        };
        assert!(!text.contains("lbcallfield"), "a marker is left in {name}");
        assert!(
            !text.contains("{{ ask") && !text.contains("{{ call."),
            "a field as written is left in {name}"
        );
        if name.ends_with("bcp-manifest.toml") {
            assert!(
                !text.contains("Numéro de rappel"),
                "the manifest names no field"
            );
        }
    }
    let md = String::from_utf8(tree["contingency.md"].clone()).unwrap();
    assert!(md.contains("## 11. Journal des appels"), "{md}");
    assert!(md.contains("`X:\\Continuite\\Appels`"));
    assert!(md.contains("Numéro de compte, Nom du titulaire, Numéro de rappel"));
}

#[test]
fn search_reads_a_fields_label_not_its_marker() {
    let (_dir, tree) = build_example();
    let html = String::from_utf8(tree["depannage.html"].clone()).unwrap();
    let more: serde_json::Value =
        serde_json::from_str(&unpack(script_text(&html, "lb-more").unwrap())).unwrap();
    let all = more["search"].to_string();
    assert!(!all.contains("lbcallfield"));
    assert!(
        all.contains("fiche du compte Numéro de compte"),
        "a shown value reads as its label"
    );
}
