//! One minimal flowchart per Mermaid defect of issue 23 (numbered as there), and what Mermaid refuses:
//! each is imported with the real binary into a copy of tests/fixtures/basic, and the written diagram,
//! the warnings and `check` are read as a user would.

use std::fs;
use std::path::Path;

use super::common::*;

/// The result of importing one flowchart.
struct Imported {
    run: Run,
    /// The written diagram ("" when nothing was written).
    text: String,
    dir: tempfile::TempDir,
}

fn import_text(mermaid: &str) -> Imported {
    let dir = super::basic();
    let file = dir.path().join("flow.mmd");
    fs::write(&file, mermaid).unwrap();
    let run = lifeboat(
        dir.path(),
        &["import", "mermaid", "flow.mmd", "--into", "support/flow"],
    );
    let text = fs::read_to_string(dir.path().join("content/support/flow.md")).unwrap_or_default();
    Imported { run, text, dir }
}

/// Imports a flowchart that must import, and checks that `check` finds no error and no node that
/// cannot be reached in it.
fn imported(mermaid: &str) -> Imported {
    let imported = import_text(mermaid);
    assert_eq!(imported.run.code, 0, "{}", imported.run.transcript());
    let check = lifeboat(imported.dir.path(), &["check", "content"]);
    assert_eq!(check.code, 0, "{}\n{}", check.transcript(), imported.text);
    assert!(
        check.stderr.contains("\n0 errors"),
        "{}",
        check.transcript()
    );
    assert!(
        !check
            .stderr
            .contains("cannot be reached: no answer or link leads to it"),
        "{}\n{}",
        check.transcript(),
        imported.text
    );
    imported
}

/// Imports a flowchart that must be refused (exit 1, nothing written) with `message` at `line`.
fn refused(mermaid: &str, line: usize, message: &str) {
    let imported = import_text(mermaid);
    assert_eq!(imported.run.code, 1, "{}", imported.run.transcript());
    let expected = format!("error: flow.mmd:{line}: ");
    assert!(
        imported.run.stderr.contains(&expected) && imported.run.stderr.contains(message),
        "expected `{expected}…{message}` in\n{}",
        imported.run.transcript()
    );
    assert!(!Path::new(&imported.dir.path().join("content/support/flow.md")).exists());
}

fn has(text: &str, part: &str) {
    assert!(text.contains(part), "`{part}` not in\n{text}");
}

fn has_not(text: &str, part: &str) {
    assert!(!text.contains(part), "`{part}` in\n{text}");
}

#[test]
fn defect_7_a_shape_only_redeclaration_keeps_the_label() {
    // What Mermaid Live Editor and Mermaid Chart export: the label first, the shape after.
    let i = imported(
        "flowchart TD\n    A[\"Check the modem\"] --> B[Done]\n    A@{ shape: diamond }\n",
    );
    has(&i.text, "## Check the modem {#a}");
    has_not(&i.text, "## A {#a}");
    // The shape given afterwards still counts: a cylinder gets its callout, label kept.
    let i = imported("flowchart TD\n    C[Customer file] --> D\n    C@{ shape: cyl }\n");
    has(
        &i.text,
        "## Customer file {#c}\n\n> [!IMPORTANT]\n> Customer file\n",
    );
}

#[test]
fn defect_1_markdown_edge_labels_keep_their_emphasis() {
    let i =
        imported("flowchart LR\n    A -- \"`**Yes**, it works`\" --> B\n    A -->|\"`_No_`\"| C\n");
    has(&i.text, "- [**Yes**, it works](#b)");
    has(&i.text, "- [_No_](#c)");
    has_not(&i.text, "\\*");
    has_not(&i.text, "\\_");
}

#[test]
fn defect_4_an_edge_to_a_subgraph_leads_to_its_entry_node_under_its_title() {
    // q2 is declared first, but q1 is the node no edge from inside the subgraph leads to.
    let i = imported(
        "flowchart TD\n    call[Incoming call] --> triage\n    subgraph triage [Triage]\n        \
         q2{Billing?} --> done[Send to billing]\n        q1[Ask the reason] --> q2\n    end\n",
    );
    has(
        &i.text,
        "## Incoming call {#call}\n\n- [Ask the reason](#q1)\n",
    );
    for node in [
        "## Ask the reason {#q1}",
        "## Billing? {#q2}",
        "## Send to billing {#done}",
    ] {
        has(&i.text, &format!("{node}\n\n### Triage\n"));
    }
    // Nested subgraphs: outer title first; a subgraph without brackets is titled by its id.
    let i = imported(
        "flowchart TD\n    subgraph Outer\n        subgraph inner [\"Inner part\"]\n            x --> y\n        end\n    end\n",
    );
    has(&i.text, "## X {#x}\n\n### Outer › Inner part\n");
}

#[test]
fn defect_10_several_roots_get_a_first_step_that_chooses_one() {
    let i = imported(
        "flowchart TD\n    A[Internet down] --> C[Restart the modem]\n    B[TV down] --> C\n",
    );
    assert!(
        i.text.starts_with(
            "+++\ntitle = \"Flow\"\n+++\n\n## Where do you start? {#start}\n\n- [Internet down](#a)\n- [TV down](#b)\n"
        ),
        "{}",
        i.text
    );
    // A node called `start` keeps its id; the chooser takes the next one. French sites get French.
    let dir = super::basic();
    let site = dir.path().join("content/site.toml");
    let toml = fs::read_to_string(&site).unwrap();
    fs::write(
        &site,
        toml.replace("language = \"en\"", "language = \"fr\""),
    )
    .unwrap();
    fs::write(
        dir.path().join("f.mmd"),
        "graph TD\n start --> x\n other --> x\n",
    )
    .unwrap();
    let run = lifeboat(
        dir.path(),
        &["import", "mermaid", "f.mmd", "--into", "support/f"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let text = fs::read_to_string(dir.path().join("content/support/f.md")).unwrap();
    has(
        &text,
        "## Par où commencer ? {#start-2}\n\n- [Start](#start)\n- [Other](#other)\n",
    );
}

#[test]
fn defect_2_edge_ids_and_statements_continued_on_the_next_line() {
    let i = imported(
        "flowchart LR\n    A e1@--> B\n    e1@{ animate: true }\n    B e2@-- \"go on\" --> C\n    \
         e2@{ curve: linear }\n    C -->\n        D\n    D\n    --> E\n",
    );
    has(&i.text, "## A {#a}\n\n- [B](#b)\n");
    has(&i.text, "## B {#b}\n\n- [go on](#c)\n");
    has(&i.text, "## C {#c}\n\n- [D](#d)\n");
    has(&i.text, "## D {#d}\n\n- [E](#e)\n");
    has_not(&i.text, "{#e1}");
    has_not(&i.text, "{#e2}");
    // A statement that really is cut off names what was found instead of empty backticks.
    refused(
        "flowchart LR\n    A &\n    B\n",
        2,
        "expected a node id, found the end of the line",
    );
}

#[test]
fn defect_6_ids_with_dots_and_colons_dotted_arrows_and_quoted_pipe_labels() {
    let i = imported("flowchart LR\n    a.b --> c:d\n    c:d .-> e\n    e -->|\"yes | no\"| f\n");
    has(&i.text, "## A.b {#a-b}\n\n- [C:d](#c-d)\n");
    has(&i.text, "## C:d {#c-d}\n\n- [E](#e)\n");
    has(&i.text, "## E {#e}\n\n- [yes \\| no](#f)\n");
}

#[test]
fn defect_5_a_written_backslash_n_breaks_the_line() {
    let i = imported("flowchart TD\n    A[\"Restart\\nthe modem\"] -->|wait\\n2 minutes| B\n");
    has(&i.text, "## Restart the modem {#a}");
    has(&i.text, "- [wait 2 minutes](#b)");
    has_not(&i.text, "\\n");
}

#[test]
fn defect_3_storage_shapes_get_the_write_this_down_callout() {
    let shapes = [
        "datastore",
        "bow-rect",
        "lin-cyl",
        "das",
        "win-pane",
        "manual-input",
        "doc",
        "docs",
        "stored-data",
        "disk",
        "h-cyl",
    ];
    let mut flow = String::from("flowchart TD\n");
    for (i, shape) in shapes.iter().enumerate() {
        flow.push_str(&format!(
            "    n{i}@{{ shape: {shape}, label: \"Data {i}\" }}\n"
        ));
        if i > 0 {
            flow.push_str(&format!("    n{} --> n{i}\n", i - 1));
        }
    }
    let i = imported(&flow);
    for (n, shape) in shapes.iter().enumerate() {
        let expected = format!("## Data {n} {{#n{n}}}\n\n> [!IMPORTANT]\n> Data {n}\n");
        assert!(
            i.text.contains(&expected),
            "{shape}: {expected} not in\n{}",
            i.text
        );
    }
}

#[test]
fn defect_8_icon_and_image_only_labels_are_titled_with_words_and_a_warning() {
    let i = imported(
        "flowchart TD\n    A[Call] --> B[fa:fa-phone]\n    B --> C[\"<img src='front.png' alt='Modem front'>\"]\n    \
         C --> D@{ icon: \"fa:user-tie\" }\n    D --> E[fab:fa-github Repository]\n",
    );
    has(&i.text, "## phone {#b}");
    has(&i.text, "## Modem front {#c}");
    has(&i.text, "## user tie {#d}");
    has(&i.text, "## Repository {#e}");
    has(
        &i.run.stderr,
        "warning: flow.mmd:2: the label of `B` is only an icon: titled \"phone\"",
    );
    has(&i.run.stderr, "warning: flow.mmd:3: the label of `C` is only an image: images are not imported; titled with its alt text");
    has(
        &i.run.stderr,
        "warning: flow.mmd:4: node `D` is only an icon (`fa:user-tie`): titled \"user tie\"",
    );
}

#[test]
fn defect_9_katex_is_kept_as_tex_with_a_warning_and_click_links_are_kept() {
    let i = imported(
        "flowchart TD\n    A[\"$$x^2$$ bytes\"] --> B[Help]\n    B --> C[Script]\n    \
         click B \"https://example.com/help\" \"Help page\" _blank\n    click C callback \"Runs a script\"\n    \
         click A href \"https://example.com/a\"\n",
    );
    has(
        &i.text,
        "## x^2 bytes {#a}\n\n[https://example.com/a](https://example.com/a)\n",
    );
    has(
        &i.text,
        "## Help {#b}\n\n[Help page](https://example.com/help)\n",
    );
    has(&i.text, "## Script {#c}\n\nRuns a script\n");
    has_not(&i.text, "$$");
    has(
        &i.run.stderr,
        "warning: flow.mmd:2: the label of `A` holds a KaTeX formula",
    );
    has(&i.run.stderr, "warning: flow.mmd:5: `click C callback`: callbacks cannot run in the offline copy; dropped");
}

#[test]
fn what_mermaid_refuses_is_refused_naming_the_feature_and_the_line() {
    refused(
        "flowchart TD\n    A --> B@{ shape: nosuch }\n",
        2,
        "no such shape `nosuch`",
    );
    refused(
        "flowchart TD\n    A@{ shape: Diamond }\n",
        2,
        "no such shape `Diamond`: Mermaid shape names are lowercase",
    );
    refused(
        "flowchart TD\n    A --> B\n    B[Call (work) phone]\n",
        3,
        "`(` inside the unquoted label `Call…`: Mermaid refuses it",
    );
    refused(
        "flowchart TD\n    A -->|yes (default)| B\n",
        2,
        "`(` inside the unquoted edge label",
    );
    refused(
        "flowchart TD\n    A[say \"hi\"] --> B\n",
        2,
        "`\"` inside the unquoted label",
    );
    refused(
        "flowchart TD\n    A --> end\n",
        2,
        "`end` cannot be a node id",
    );
    refused(
        "flowchart TD\n    A -- one -- two --> B\n",
        2,
        "the arrow `--` is not closed",
    );
}
