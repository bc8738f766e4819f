//! `lifeboat import drawio`: the three-page fixture (plain and compressed pages, links between pages,
//! a swimlane, HTML labels, an edge label cell) into the basic fixture and into the French example,
//! which then builds; a bare mxGraphModel; `--page`; broken files exit 1 with the file and line.

use std::fs;

use super::common::*;

fn source(name: &str) -> String {
    fixture("drawio").join(name).display().to_string()
}

fn import(dir: &std::path::Path, name: &str, into: &str, extra: &[&str]) -> Run {
    let file = source(name);
    let mut args = vec!["import", "drawio", file.as_str(), "--into", into];
    args.extend_from_slice(extra);
    lifeboat(dir, &args)
}

fn read(dir: &std::path::Path, path: &str) -> String {
    fs::read_to_string(dir.join("content").join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_page_becomes_a_diagram_that_passes_check() {
    let dir = super::basic();
    let run = import(dir.path(), "arbre-internet.drawio", "support/tree", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    for page in ["tree-diagnostic", "tree-modem", "tree-escalade"] {
        assert!(
            run.stdout
                .contains(&format!("created content/support/{page}.md")),
            "{}",
            run.transcript()
        );
    }
    let file = source("arbre-internet.drawio");
    assert!(
        run.stderr.contains(&format!(
            "warning: {file}:17: cell `t1` is text connected to nothing (\"Arbre de diagnostic — version 3\"): not imported"
        )),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains(&format!(
            "warning: {file}:30: edge `g3` has no target: dropped"
        )),
        "{}",
        run.transcript()
    );

    let diagnostic = read(dir.path(), "support/tree-diagnostic.md");
    insta::assert_snapshot!("drawio-diagnostic", diagnostic);
    let modem = read(dir.path(), "support/tree-modem.md");
    assert!(
        modem.starts_with("+++\ntitle = \"Modem\"\n+++\n"),
        "{modem}"
    );
    assert!(
        modem.contains(
            "## Passer à l'escalade {#passer-a-l-escalade}\n\n- [Escalade](tree-escalade.md)\n"
        ),
        "{modem}"
    );
    assert!(
        modem.contains("> [!IMPORTANT]\n> Noter le numéro de série\n"),
        "{modem}"
    );
    let escalade = read(dir.path(), "support/tree-escalade.md");
    assert!(
        escalade.contains("## Ouvrir un ticket {#ouvrir-un-ticket}\n\n### Niveau 2\n"),
        "{escalade}"
    );

    let check = lifeboat(dir.path(), &["check", "content"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(
        check.stderr.contains("\n0 errors"),
        "{}",
        check.transcript()
    );
    assert!(
        !check.stderr.contains("cannot be reached: no answer"),
        "{}",
        check.transcript()
    );
}

#[test]
fn imported_into_the_french_example_it_builds_into_steps() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    let run = import(dir.path(), "arbre-internet.drawio", "depannage/arbre", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // The entry point's start diagram leads to the tree, as the command's message suggests.
    let entry = fs::read_to_string(dir.path().join("content/depannage/entry.toml")).unwrap();
    let start = entry
        .lines()
        .find_map(|l| l.strip_prefix("start = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap()
        .to_string();
    let start_file = dir.path().join(format!("content/depannage/{start}.md"));
    let text = fs::read_to_string(&start_file).unwrap();
    fs::write(
        &start_file,
        format!(
            "{}\n\nVoir aussi [l'arbre Internet](arbre-diagnostic.md).\n",
            text.trim_end()
        ),
    )
    .unwrap();
    let check = lifeboat(dir.path(), &["check", "content", "--deny-warnings"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    let build = lifeboat(dir.path(), &["build", "content", "--out", "dist"]);
    assert_eq!(build.code, 0, "{}", build.transcript());
    assert!(dir.path().join("dist/depannage.html").is_file());
}

#[test]
fn a_bare_graph_model_and_one_page_by_name_or_number() {
    let dir = super::basic();
    let run = import(dir.path(), "bare-model.xml", "support/bare", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let bare = read(dir.path(), "support/bare.md");
    assert!(
        bare.starts_with("+++\ntitle = \"Bare\"\n+++\n\n## Start {#start}\n\n- [Done?](#done)\n"),
        "{bare}"
    );
    assert!(
        bare.contains("## Done? {#done}\n\n- [yes](#stop)\n- [no](#start)\n"),
        "{bare}"
    );

    let run = import(
        dir.path(),
        "arbre-internet.drawio",
        "support/modem",
        &["--page", "Modem"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let modem = read(dir.path(), "support/modem.md");
    // The page it links to is not imported: the link is dropped, with a warning.
    assert!(!modem.contains("escalade.md"), "{modem}");
    assert!(
        run.stderr
            .contains("a link to page `p-escalade`, which is not imported: dropped"),
        "{}",
        run.transcript()
    );

    let run = import(
        dir.path(),
        "arbre-internet.drawio",
        "support/third",
        &["--page", "3", "--title", "Level 2"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(read(dir.path(), "support/third.md").starts_with("+++\ntitle = \"Level 2\"\n"));

    let run = import(
        dir.path(),
        "arbre-internet.drawio",
        "support/none",
        &["--page", "Nope"],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("has no page \"Nope\"; its pages: \"Diagnostic\", \"Modem\", \"Escalade\""),
        "{}",
        run.transcript()
    );
}

#[test]
fn targets_are_replaced_only_with_force() {
    let dir = super::basic();
    assert_eq!(
        import(dir.path(), "arbre-internet.drawio", "support/tree", &[]).code,
        0
    );
    let run = import(dir.path(), "arbre-internet.drawio", "support/tree", &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("already exists; pass --force"),
        "{}",
        run.transcript()
    );
    let run = import(
        dir.path(),
        "arbre-internet.drawio",
        "support/tree",
        &["--force"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("replaced content/support/tree-modem.md"),
        "{}",
        run.transcript()
    );
}

#[test]
fn broken_files_exit_1_naming_file_and_line() {
    for (name, line, message) in [
        ("bad-not-xml.drawio", 3, "not a draw.io file"),
        (
            "bad-compressed.drawio",
            2,
            "page \"Broken\": the compressed page is not base64",
        ),
    ] {
        let dir = super::basic();
        let run = import(dir.path(), name, "support/bad", &[]);
        assert_eq!(run.code, 1, "{name}: {}", run.transcript());
        let expected = format!("error: {}:{line}: {message}", source(name));
        assert!(
            run.stderr.contains(&expected),
            "{name}: `{expected}` in\n{}",
            run.transcript()
        );
        assert!(!dir.path().join("content/support/bad.md").exists());
    }
}
