//! `lifeboat build` over fixture folders: what lands in the output folder.

mod common;

use std::fs;

use common::*;
use sha2::{Digest, Sha256};

fn build_basic(extra: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    let mut args = vec!["build", "content", "--out", "dist"];
    args.extend_from_slice(extra);
    let run = lifeboat(dir.path(), &args);
    (dir, run)
}

fn read(dir: &tempfile::TempDir, name: &str) -> String {
    fs::read_to_string(dir.path().join("dist").join(name)).unwrap()
}

#[test]
fn one_self_contained_file_per_entry_point() {
    let (dir, run) = build_basic(&[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let tree = read_tree(&dir.path().join("dist"));
    for entry in ["support.html", "escalation.html"] {
        assert!(
            tree.contains_key(entry),
            "{entry} missing from {:?}",
            tree.keys()
        );
        let html = unpacked(&read(&dir, entry));
        assert!(html.starts_with("<!doctype html>"), "{entry}");
        for outside in [
            "src=\"http",
            "src=http",
            "src=\"//",
            "<link",
            "@import",
            "url(http",
            "url(//",
        ] {
            assert!(
                !html.contains(outside),
                "{entry} loads something from outside: {outside}"
            );
        }
        // Content variables are all substituted; the UI strings may hold the wrap-up note's template,
        // filled in by the call assistant.
        let mut data = payload(&read(&dir, entry));
        data.as_object_mut().unwrap().remove("strings");
        assert!(
            !data.to_string().contains("{{"),
            "{entry} still holds a {{ variable }}"
        );
    }
}

#[test]
fn csp_forbids_the_network_and_admits_exactly_the_inline_script_and_style() {
    let (dir, _) = build_basic(&[]);
    let html = read(&dir, "support.html");
    let csp_start = html
        .find("Content-Security-Policy")
        .map(|_| html.find("default-src").unwrap())
        .unwrap();
    let csp = &html[csp_start..csp_start + html[csp_start..].find('"').unwrap()];
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(csp.contains("img-src data: blob:"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    let hash = |text: &str| {
        use base64::Engine;
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        )
    };
    let style = between(&html, "<style>", "</style>");
    assert!(
        csp.contains(&format!("style-src {}", hash(style))),
        "style hash does not match"
    );
    let script_start = html.rfind("<script>").unwrap() + "<script>".len();
    let script =
        &html[script_start..script_start + html[script_start..].find("</script>").unwrap()];
    assert!(
        csp.contains(&format!("script-src {}", hash(script))),
        "script hash does not match"
    );
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "exactly one executable script"
    );
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let s = text.find(start).unwrap() + start.len();
    &text[s..s + text[s..].find(end).unwrap()]
}

#[test]
fn each_distinct_image_is_stored_once() {
    let (dir, _) = build_basic(&[]);
    let html = unpacked(&read(&dir, "support.html"));
    use base64::Engine;
    let png = fs::read(fixture("basic/support/images/modem.png")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    // Used by two nodes of one diagram, and under another file name with the same bytes.
    assert_eq!(html.matches(&b64).count(), 1);
    assert_eq!(
        html.matches("data-lb-img=").count(),
        3,
        "three references to it"
    );
    assert!(
        !read(&dir, "escalation.html").contains(&b64),
        "only where it is used"
    );
}

#[test]
fn variables_take_the_chosen_environment() {
    let (dir, _) = build_basic(&[]);
    let bcp = unpacked(&read(&dir, "support.html"));
    assert!(
        bcp.contains("1 800 555-0199") && bcp.contains("https://crm-backup.example.com/tickets")
    );
    assert!(!bcp.contains("1 800 555-0100"));
    let (dir, run) = build_basic(&["--env", "primary"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let primary = unpacked(&read(&dir, "support.html"));
    assert!(
        primary.contains("1 800 555-0100") && primary.contains("https://crm.example.com/tickets")
    );
    assert_eq!(payload(&primary)["environment"], "primary");
}

#[test]
fn unknown_environment_on_the_command_line_is_refused() {
    let (dir, run) = build_basic(&["--env", "prod"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("unknown environment `prod`; site.toml defines `bcp`, `primary`"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn payloads_of_an_open_entry_point_are_packed_but_what_the_home_page_needs() {
    let (dir, _) = build_basic(&[]);
    let html = read(&dir, "support.html");
    for id in ["lb-nodes", "lb-more"] {
        let packed = script_text(&html, id).unwrap();
        // zlib, then base64: nothing of the JSON shows, and it takes less room than the JSON.
        assert!(
            packed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "{id} is not base64"
        );
        let json = unpack(packed);
        assert!(json.starts_with('{'), "{id}: {json}");
        assert!(
            packed.len() < json.len(),
            "{id}: {} >= {}",
            packed.len(),
            json.len()
        );
    }
    // #lb-data is plain JSON the viewer reads at once: the home page, without any node.
    let home = script_text(&html, "lb-data").unwrap();
    assert!(home.starts_with('{'), "{home}");
    assert!(!home.contains("\"answers\""), "{home}");
    let data = payload(&html);
    assert_eq!(data["entry"]["id"], "support");
    // Dates the first view shows come in words, as the documents write them: no formatter needed.
    let date = data["snapshot"]["date"].as_str().unwrap();
    let words = data["snapshot"]["date_long"].as_str().unwrap();
    let (year, day) = (&date[..4], date[8..].trim_start_matches('0'));
    assert!(
        words.ends_with(year) && words.starts_with(day),
        "{date} -> {words}"
    );
}

#[test]
fn nodes_search_texts_and_maps_come_after_the_viewer_script() {
    let (dir, _) = build_basic(&[]);
    let html = read(&dir, "support.html");
    // What the home page needs is parsed first; the nodes, then search texts and maps follow the
    // script, then the images.
    let data = script_json(&html, "lb-data").unwrap();
    assert_eq!(data["nodes_later"], true);
    let nodes = script_json(&html, "lb-nodes").expect("#lb-nodes");
    let diagrams = data["diagrams"].as_array().unwrap();
    assert_eq!(nodes["nodes"].as_array().unwrap().len(), diagrams.len());
    for (i, d) in diagrams.iter().enumerate() {
        assert!(d.get("map").is_none(), "map in #lb-data: {}", d["id"]);
        assert!(d.get("nodes").is_none(), "nodes in #lb-data: {}", d["id"]);
        for n in nodes["nodes"][i].as_array().unwrap() {
            assert!(
                n.get("search").is_none(),
                "search in #lb-nodes: {}",
                n["id"]
            );
        }
    }
    let more = script_json(&html, "lb-more").expect("#lb-more");
    let at = |what: &str| html.find(what).unwrap();
    let script = at("<script>");
    assert!(script < at("id=\"lb-nodes\""));
    assert!(at("id=\"lb-nodes\"") < at("id=\"lb-more\""));
    assert!(at("id=\"lb-more\"") < at("id=\"lb-img-"));
    assert_eq!(more["map"].as_array().unwrap().len(), diagrams.len());
    for (i, _) in diagrams.iter().enumerate() {
        let search = more["search"][i].as_array().unwrap();
        assert_eq!(
            search.len(),
            nodes["nodes"][i].as_array().unwrap().len(),
            "a text per node"
        );
        assert!(search
            .iter()
            .all(|s| s.as_str().is_some_and(|s| !s.is_empty())));
    }
}

#[test]
fn answers_and_links_point_at_viewer_urls() {
    let (dir, _) = build_basic(&[]);
    let data = payload(&read(&dir, "support.html"));
    let internet = &data["diagrams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "internet")
        .unwrap();
    let lights = &internet["nodes"][0];
    assert_eq!(lights["id"], "lights");
    // The viewer makes each link from entry (absent for this file), diagram and node.
    let targets: Vec<String> = lights["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert!(a.get("href").is_none(), "no href in the payload: {a}");
            format!(
                "{}#/{}/{}",
                a.get("entry")
                    .map_or(String::new(), |e| format!("{}.html", e.as_str().unwrap())),
                a["diagram"].as_str().unwrap(),
                a["node"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            "#/internet/restart",
            "#/power/cable",
            "escalation.html#/level-2/start"
        ]
    );
    assert_eq!(lights["answers"][2]["entry"], "escalation");
    assert!(
        lights["answers"][0].get("entry").is_none(),
        "no `entry: null`"
    );
    // The map is a JSON text, parsed by the viewer when the map opens: a box per node, an edge per answer.
    let map: serde_json::Value =
        serde_json::from_str(internet["map"].as_str().expect("map as a JSON text")).unwrap();
    let nodes = internet["nodes"].as_array().unwrap();
    assert_eq!(map["boxes"].as_array().unwrap().len(), nodes.len());
    let answers: usize = nodes
        .iter()
        .map(|n| n["answers"].as_array().unwrap().len())
        .sum();
    assert_eq!(map["edges"].as_array().unwrap().len(), answers);
    let restart = &internet["nodes"][1];
    assert_eq!(restart["title"], "Redémarrer le modem");
    // Its search text: the text as written (the viewer folds it and matches the title apart), then
    // the answers' labels, so that a search finds a step by its answers.
    let search = restart["search"].as_str().unwrap();
    assert!(search.starts_with("Call 1 800 555-0199"), "{search}");
    assert!(search.ends_with("\nIt works now\nStill broken"), "{search}");
    assert!(lights["html"].as_str().unwrap().contains(
        "<aside class=\"callout callout-caution\" role=\"note\"><p class=\"callout-label\">Critical step</p>"
    ));
    assert_eq!(
        internet["nodes"][2]["answers"].as_array().unwrap().len(),
        0,
        "end point"
    );
}

#[test]
fn same_input_gives_byte_identical_output() {
    let (a, _) = build_basic(&[]);
    let (b, _) = build_basic(&[]);
    let (ta, tb) = (
        read_tree(&a.path().join("dist")),
        read_tree(&b.path().join("dist")),
    );
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (name, bytes) in &ta {
        assert!(bytes == &tb[name], "{name} differs between two builds");
    }
    let data = payload(&read(&a, "support.html"));
    assert_eq!(data["snapshot"]["epoch"], 1763800000);
    assert_eq!(data["snapshot"]["date"], "2025-11-22");
}

#[test]
fn a_foreign_output_folder_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    fs::create_dir(dir.path().join("docs")).unwrap();
    fs::write(dir.path().join("docs/thesis.txt"), "precious").unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "docs"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("was not made by lifeboat"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("docs/thesis.txt")).unwrap(),
        "precious"
    );
    let run = lifeboat(dir.path(), &["build", "content", "--out", "content/dist"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("inside the content folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_shipped_example_builds_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let content = repo().join("content");
    let run = lifeboat(
        dir.path(),
        &["build", content.to_str().unwrap(), "--out", "dist"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        !run.stderr.contains("warning"),
        "the example should have no warnings:\n{}",
        run.stderr
    );
    let html: Vec<_> = read_tree(&dir.path().join("dist"))
        .into_keys()
        .filter(|k| k.ends_with(".html"))
        .collect();
    assert!(html.len() >= 2, "{html:?}");
}

/// The names listed under `Commands:` in a `--help` text (clap's own `help` left out).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

#[test]
fn help_is_stable() {
    // Every command and subcommand, found by walking the `Commands:` lists from the top-level help, so a
    // new command gets its snapshot without anyone remembering to list it here.
    let dir = tempfile::tempdir().unwrap();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = lifeboat(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.transcript());
        insta::assert_snapshot!(
            format!(
                "help-{}",
                args.join("-").trim_start_matches('-').replace("--", "")
            ),
            run.stdout
        );
        seen += 1;
        for name in subcommands(&run.stdout) {
            let mut child = path.clone();
            child.push(name);
            queue.push(child);
        }
    }
    // The top level, its 15 commands, and `new entry`, `new diagram`, `import mermaid`,
    // `import drawio`, `import twine`, `key new`, `key new-signing`, `calls merge`.
    assert_eq!(seen, 24, "commands with a --help snapshot");
}

#[test]
fn hostile_html_is_sanitized_in_every_node() {
    let dir = tempfile::tempdir().unwrap();
    let run = lifeboat(
        dir.path(),
        &["build", fixture("xss").to_str().unwrap(), "--out", "dist"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let html = fs::read_to_string(dir.path().join("dist/attack.html")).unwrap();
    let data = payload(&html);
    let nodes = data["diagrams"][0]["nodes"].as_array().unwrap();
    assert!(nodes.len() > 30, "{} vectors", nodes.len());
    for node in nodes {
        let body = node["html"].as_str().unwrap().to_lowercase();
        for banned in [
            "<script",
            "<iframe",
            "<object",
            "<embed",
            "<form",
            "<base",
            "<meta",
            "<link",
            "<style",
            "<svg",
            "<math",
            "<template",
            "<body",
            "<input autofocus",
            "=\"javascript:",
            "=\"vbscript:",
            "=\"data:",
            "evil.example",
            " on",
            "style=",
            "srcset",
            "srcdoc",
        ] {
            assert!(
                !body.contains(banned),
                "node {} keeps `{banned}`: {body}",
                node["id"]
            );
        }
        // v21 opens a <style> inside <math> that is never closed: it swallows the rest of its node.
        let swallowed = node["id"] == "vectors" || node["id"] == "v21";
        assert!(
            body.contains("after the vector") || swallowed,
            "text around {} survives: {body}",
            node["id"]
        );
    }
    // Exactly one executable script element in the whole file: the viewer.
    assert_eq!(html.matches("<script>").count(), 1);
}

#[test]
fn a_user_theme_script_that_reads_the_payload_as_plain_json_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&fixture("basic"), &content);
    fs::create_dir_all(content.join("_theme")).unwrap();
    let old = "var more = JSON.parse(document.getElementById('lb-more').textContent);\n";
    fs::write(content.join("_theme/unlock.js"), old).unwrap();
    let run = lifeboat(dir.path(), &["check", "content"]);
    assert!(
        run.stderr.contains(
            "_theme/unlock.js reads `#lb-nodes` or `#lb-more` without `lbLater` or `lbUnpack`"
        ),
        "{}",
        run.transcript()
    );
    // The same script reading it with lbLater is fine; so is reading the plain #lb-data.
    let new =
        "lbLater('lb-more', start);\nJSON.parse(document.getElementById('lb-data').textContent);\n";
    fs::write(content.join("_theme/unlock.js"), new).unwrap();
    let run = lifeboat(dir.path(), &["check", "content"]);
    assert!(!run.stderr.contains("lbUnpack"), "{}", run.transcript());
    // A viewer that never reads the steps, and a payload.js without lbLater, would show none.
    fs::write(
        content.join("_theme/viewer.js"),
        "function lbViewer(data) {}\n",
    )
    .unwrap();
    fs::write(
        content.join("_theme/payload.js"),
        "function lbUnpack(t, done) {}\n",
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["check", "content"]);
    assert!(
        run.stderr
            .contains("_theme/viewer.js never reads `#lb-nodes`")
            && run
                .stderr
                .contains("_theme/payload.js defines no `lbLater`"),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_user_theme_that_runs_code_needs_trust_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&fixture("basic"), &content);
    let builtin = fs::read_to_string(repo().join("themes/default/templates/entry.html")).unwrap();
    fs::create_dir_all(content.join("_theme/templates")).unwrap();
    // Markup and style only: allowed, and recorded.
    fs::write(
        content.join("_theme/templates/entry.html"),
        builtin.replace("<main class=\"lb-main\"", "<main class=\"lb-main lb-wide\""),
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let manifest = fs::read_to_string(dir.path().join("dist/bcp-manifest.toml")).unwrap();
    assert!(
        manifest.contains("[theme]\ntrusted = false\ncode_files = []\nsha256 = \""),
        "{manifest}"
    );
    let before = read_tree(&dir.path().join("dist"));

    // Code: a replaced script, a template that adds a script, one that drops the CSP.
    fs::write(
        content.join("_theme/viewer.js"),
        "lbViewer = function () {};\n",
    )
    .unwrap();
    fs::write(
        content.join("_theme/templates/entry.html"),
        builtin.replace(
            "</body>",
            "<script>fetch('https://evil.example/')</script></body>",
        ),
    )
    .unwrap();
    fs::write(
        content.join("_theme/templates/index.html"),
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{{ d.site }}</body></html>",
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    for expected in [
        "`_theme/viewer.js` replaces a script of the viewer: a theme may not run code in the pages",
        "`_theme/templates/entry.html` adds a script element (`<script>fetch('https://evil.example/')`)",
        "`_theme/templates/index.html` changes the page's head before or in its Content-Security-Policy",
        "add `[theme]` with `trusted = true` to site.toml",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.transcript());
    }
    assert!(
        read_tree(&dir.path().join("dist")) == before,
        "a refused build changed the output"
    );

    // Trusted: each file is named in a warning, and the manifest says so.
    let site = content.join("site.toml");
    let text = fs::read_to_string(&site).unwrap() + "\n[theme]\ntrusted = true\n";
    fs::write(&site, text).unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stderr
            .matches("the theme is trusted in site.toml")
            .count(),
        3,
        "{}",
        run.stderr
    );
    let manifest = fs::read_to_string(dir.path().join("dist/bcp-manifest.toml")).unwrap();
    assert!(
        manifest.contains(
            "[theme]\ntrusted = true\ncode_files = [\n    \"viewer.js\",\n    \"templates/entry.html\",\n    \"templates/index.html\",\n]\n"
        ),
        "{manifest}"
    );
}

#[test]
fn user_theme_and_branding_reach_the_built_files() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&fixture("basic"), &content);
    let site = fs::read_to_string(content.join("site.toml")).unwrap();
    let site = site.replacen(
        "environment = \"bcp\"\n",
        "environment = \"bcp\"\nlogo = \"support/images/modem.png\"\naccent = \"#0b57d0\"\n",
        1,
    );
    fs::write(content.join("site.toml"), site).unwrap();
    // A user theme overrides one file and one string, and adds CSS, without copying the rest.
    fs::create_dir_all(content.join("_theme/i18n")).unwrap();
    fs::write(
        content.join("_theme/custom.css"),
        ".lb-brand-site{letter-spacing:.0625em}\n",
    )
    .unwrap();
    fs::write(
        content.join("_theme/i18n/en.toml"),
        "home = \"Start page\"\n",
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let html = unpacked(&fs::read_to_string(dir.path().join("dist/support.html")).unwrap());
    assert!(
        html.contains("letter-spacing:.0625em"),
        "custom.css is missing"
    );
    assert!(html.contains("#0b57d0"), "the accent colour is missing");
    assert!(html.contains(".lb-brand-logo{"), "the logo rule is missing");
    assert!(
        html.contains("\"home\":\"Start page\""),
        "the string override is missing"
    );
    // Everything else is still the built-in theme.
    assert!(
        html.contains("\"search_label\":"),
        "built-in strings are kept"
    );
    // The user theme is not an entry point.
    assert!(!dir.path().join("dist/_theme.html").exists());
}

#[test]
fn a_linked_output_folder_is_followed_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("share/offline")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("share/offline"), dir.path().join("dist")).unwrap();
    let basic = fixture("basic");
    for _ in 0..2 {
        let run = lifeboat(
            dir.path(),
            &["build", basic.to_str().unwrap(), "--out", "dist"],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stderr
                .contains("`dist` is a symbolic link; building into the folder it points at"),
            "{}",
            run.stderr
        );
    }
    let link = fs::symlink_metadata(dir.path().join("dist")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert!(dir.path().join("share/offline/index.html").exists());
}

#[test]
fn an_os_error_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("file.txt"), "not a folder").unwrap();
    let basic = fixture("basic");
    let run = lifeboat(
        dir.path(),
        &["build", basic.to_str().unwrap(), "--out", "file.txt/dist"],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(run.stderr.matches("(os error").count(), 1, "{}", run.stderr);
}

#[test]
fn check_refuses_a_theme_stylesheet_the_build_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&fixture("basic"), &content);
    fs::create_dir_all(content.join("_theme")).unwrap();
    fs::write(
        content.join("_theme/custom.css"),
        "@import \"fonts.css\";\nbody { color: #222 }\n",
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["check", "content"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "`_theme/custom.css` uses `@import`: an offline file loads no other stylesheet"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_ui_string_the_theme_uses_and_nothing_defines_stops_the_build() {
    // A user theme's script asks for a string no strings file has: the build stops and names it, instead
    // of showing agents the key.
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&fixture("basic"), &content);
    fs::create_dir_all(content.join("_theme")).unwrap();
    let viewer = fs::read_to_string(repo().join("themes/default/viewer.js")).unwrap();
    let viewer = viewer.replacen("S('home')", "S('home_page')", 1);
    fs::write(content.join("_theme/viewer.js"), viewer).unwrap();
    // A theme that replaces a script must be trusted (check::theme_trust).
    let site = content.join("site.toml");
    let text = fs::read_to_string(&site).unwrap() + "\n[theme]\ntrusted = true\n";
    fs::write(&site, text).unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "UI string `home_page` is missing: `_theme/viewer.js` uses it, and no strings file defines \
             it; add `home_page = \"…\"` to `_theme/i18n/en.toml`"
        ),
        "{}",
        run.transcript()
    );
    assert!(!dir.path().join("dist").exists(), "nothing is written");
    // Defining it in the user theme's strings is enough.
    fs::create_dir_all(content.join("_theme/i18n")).unwrap();
    fs::write(
        content.join("_theme/i18n/en.toml"),
        "home_page = \"Home\"\n",
    )
    .unwrap();
    let run = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
}

#[test]
fn timings_name_every_stage_of_the_build() {
    let (dir, run) = build_basic(&["--timings", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.is_empty(), "--quiet: {}", run.stdout);
    for stage in [
        "load",
        "check",
        "render",
        "inline + write",
        "seal + write",
        "documents",
        "zip",
        "fsync + commit",
        "total",
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(stage) && l.contains(" ms")),
            "{stage} missing:\n{}",
            run.stderr
        );
    }
    // Without the flag, nothing of it.
    let again = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert!(!again.stderr.contains("fsync + commit"), "{}", again.stderr);
}

/// `lifeboat build` of content in git without SOURCE_DATE_EPOCH (the snapshot is its last commit), at
/// `now` (LIFEBOAT_NOW); returns stderr.
fn build_committed_at(now: i64) -> String {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_DATE", "2025-11-22T08:26:40Z")
            .env("GIT_COMMITTER_DATE", "2025-11-22T08:26:40Z")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "procedures"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lifeboat"))
        .args(["build", "content", "--out", "dist", "--quiet"])
        .current_dir(dir.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .env("LIFEBOAT_NOW", now.to_string())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn a_build_of_content_whose_last_commit_is_older_than_the_policy_warns_in_the_one_stale_sentence() {
    // Committed 2025-11-22, renewed every 30 days: fresh on the 30th day, stale on the 31st.
    let day = 86_400;
    assert_eq!(build_committed_at(1_763_800_000 + 30 * day), "");
    insta::assert_snapshot!(
        "build-stale-revision",
        build_committed_at(1_763_800_000 + 40 * day)
    );
}
