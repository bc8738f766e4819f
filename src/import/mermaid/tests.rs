//! Parser and writer unit tests.

use super::write::{self, diagram, escape};
use super::*;
use crate::content::config::Language;

fn chart(text: &str) -> Flowchart {
    match parse(text, 0, "t.mmd") {
        Ok(chart) => chart,
        Err(e) => panic!("{e}"),
    }
}

fn err(text: &str) -> String {
    match parse(text, 0, "t.mmd") {
        Ok(chart) => panic!("parsed: {chart:?}"),
        Err(e) => e.to_string(),
    }
}

/// Edges as `from -label-> to` with Mermaid ids.
fn edges(chart: &Flowchart) -> Vec<String> {
    chart
        .edges
        .iter()
        .map(|e| {
            format!(
                "{}-{}->{}",
                chart.nodes[e.from].id,
                e.label.as_ref().map(Label::joined).unwrap_or_default(),
                chart.nodes[e.to].id
            )
        })
        .collect()
}

fn shape_of(chart: &Flowchart, id: &str) -> (Shape, String) {
    let node = chart.nodes.iter().find(|n| n.id == id).expect(id);
    (node.shape, node.label.joined())
}

#[test]
fn every_shape() {
    let c = chart(
        "flowchart TD\n a[rect] --> b(round) --> c([stadium]) --> d[[sub]] --> e[(cyl)]\n\
         f((circle)) --> g(((double))) --> h>flag] --> i{rhombus} --> j{{hex}}\n\
         k[/para/] --> l[\\alt\\] --> m[/trap\\] --> n[\\inv/] --> o\n p[\"quoted ] here\"]\n",
    );
    let expected = [
        ("a", Shape::Rect, "rect"),
        ("b", Shape::Round, "round"),
        ("c", Shape::Stadium, "stadium"),
        ("d", Shape::Subroutine, "sub"),
        ("e", Shape::Cylinder, "cyl"),
        ("f", Shape::Circle, "circle"),
        ("g", Shape::DoubleCircle, "double"),
        ("h", Shape::Asymmetric, "flag"),
        ("i", Shape::Rhombus, "rhombus"),
        ("j", Shape::Hexagon, "hex"),
        ("k", Shape::Parallelogram, "para"),
        ("l", Shape::Parallelogram, "alt"),
        ("m", Shape::Trapezoid, "trap"),
        ("n", Shape::TrapezoidAlt, "inv"),
        ("o", Shape::Bare, ""),
        ("p", Shape::Rect, "quoted ] here"),
    ];
    for (id, shape, label) in expected {
        assert_eq!(shape_of(&c, id), (shape, label.to_string()), "{id}");
    }
}

#[test]
fn mermaid_11_shape_data_and_ids_with_dashes() {
    let c =
        chart("flowchart TD\nq-1@{ shape: diamond, label: \"Ok?\" } -->|no| db-x@{ shape: cyl }\n");
    assert_eq!(shape_of(&c, "q-1"), (Shape::Rhombus, "Ok?".to_string()));
    assert_eq!(shape_of(&c, "db-x"), (Shape::Cylinder, String::new()));
    assert_eq!(edges(&c), ["q-1-no->db-x"]);
}

#[test]
fn shape_data_values_keep_quoted_commas_and_braces() {
    let c = chart("flowchart TD\nA@{ shape: diamond, label: \"Yes, call back {soon}\" } --> B\n");
    assert_eq!(
        shape_of(&c, "A"),
        (Shape::Rhombus, "Yes, call back {soon}".to_string())
    );
    assert_eq!(edges(&c), ["A-->B"]);
}

#[test]
fn arrows_and_labels() {
    let c = chart(
        "graph LR\nA-->B\nB---C\nC-.->D\nD==>E\nE--oF\nF--xG\nG<-->H\nH--->I\n\
         I-->|yes|J\nJ -- some text --> K\nK -. dotted .-> L\nL == thick ==> M\nM -->|\"q\"| N\nN ~~~ A\n",
    );
    assert_eq!(
        edges(&c),
        [
            "A-->B",
            "B-->C",
            "C-->D",
            "D-->E",
            "E-->F",
            "F-->G",
            "G-->H",
            "H-->G",
            "H-->I",
            "I-yes->J",
            "J-some text->K",
            "K-dotted->L",
            "L-thick->M",
            "M-q->N",
        ]
    );
}

#[test]
fn chains_ampersands_and_semicolons() {
    let c = chart("graph TD; A & B --> C --> D & E; E --> A\n");
    assert_eq!(edges(&c), ["A-->C", "B-->C", "C-->D", "C-->E", "E-->A"]);
}

#[test]
fn styling_comments_and_subgraphs_are_dropped() {
    let c = chart(
        "%%{init: {}}%%\nflowchart TD\n  %% a comment\n  A[Go]:::hot --> B\n  classDef hot fill:#f00;\n\
         class A hot\n  style B fill:#bbf\n  linkStyle 0 stroke:#ff3\n  click A \"https://x\"\n\
         subgraph S [Group]\n direction LR\n  B --> C\n end\n  C --> S\n",
    );
    let ids: Vec<&str> = c.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C"]);
    assert_eq!(edges(&c), ["A-->B", "B-->C", "C-->B"]);
}

#[test]
fn front_matter_title_entities_and_br() {
    let c = chart("---\ntitle: \"My flow\"\nconfig: {}\n---\ngraph\nA[\"one<br/>two #quot;x#quot; &amp; <b>y</b>\"]\n");
    assert_eq!(c.title.as_deref(), Some("My flow"));
    assert_eq!(c.nodes[0].label.lines, ["one", "two \"x\" & y"]);
}

#[test]
fn markdown_strings_keep_emphasis_and_span_lines() {
    let c = chart("flowchart LR\nA[\"`**Bold**\n  second`\"] --> B\n");
    assert!(c.nodes[0].label.markdown);
    assert_eq!(c.nodes[0].label.joined(), "**Bold** second");
    assert_eq!(edges(&c), ["A-->B"]);
}

#[test]
fn errors_name_the_line() {
    assert_eq!(
        err("sequenceDiagram\nA->>B: hi\n"),
        "t.mmd:1: `sequenceDiagram` diagrams cannot be imported; only flowcharts (`flowchart` or `graph`) can"
    );
    assert!(err("graph TD\nA --> B\nA ?? B\n").starts_with("t.mmd:3: expected an arrow"));
    assert!(
        err("graph TD\n\nA[open\n").starts_with("t.mmd:3: node `A`: the node label opened by `[`")
    );
    assert!(err("graph TD\nsubgraph X\nA\n").starts_with("t.mmd:2: this `subgraph`"));
    assert!(err("graph TD\nend\n").starts_with("t.mmd:2: `end` without"));
    assert!(err("graph XY\n").starts_with("t.mmd:1: unknown direction"));
    assert!(err("hello world\n").starts_with("t.mmd:1: a flowchart starts with"));
    assert_eq!(
        err("graph TD\n%% nothing\n"),
        "t.mmd:1: the flowchart has no nodes"
    );
    assert!(err("graph TD\nA -- no end B\n").starts_with("t.mmd:2: the arrow `--` is not closed"));
    assert!(err("graph TD\nA -->|open B\n").starts_with("t.mmd:2: the edge label"));
}

#[test]
fn markdown_files_hold_one_block() {
    let md = "# Doc\n\n```js\nx\n```\n\n```mermaid\ngraph TD\n  A --> B{\n```\n";
    let e = read(md, true, "doc.md").expect_err("bad label");
    assert!(e.to_string().starts_with("doc.md:9: "), "{e}");
    assert!(matches!(
        read("no block\n", true, "d.md"),
        Err(ImportError::NoBlock { .. })
    ));
    let two = "```mermaid\ngraph TD\nA\n```\n~~~mermaid\ngraph TD\nB\n~~~\n";
    assert!(matches!(
        read(two, true, "d.md"),
        Err(ImportError::SeveralBlocks { line: 5, .. })
    ));
    assert!(matches!(
        read("```mermaid\ngraph TD\n", true, "d.md"),
        Err(ImportError::Unclosed { line: 1, .. })
    ));
}

#[test]
fn nothing_panics_on_odd_input() {
    let inputs = [
        "",
        "graph",
        "graph TD\n-->",
        "graph TD\nA-",
        "graph TD\nA--",
        "graph TD\nA-.",
        "graph TD\nA==",
        "graph TD\nA[",
        "graph TD\nA@{",
        "graph TD\nA@{ label: \"x\" }",
        "graph TD\nA<-",
        "graph TD\nA[\"",
        "graph TD\nA[\"é\"",
        "graph TD\nA[é#9999999999;]",
        "---\n",
        "graph TD\nA & ",
        "graph TD\nA|x|",
        "graph TD\nA -->|é",
        "graph TD\nA(((é",
        "graph TD\nA>",
        "graph TD\nA:::",
        "\u{feff}graph TD\nA",
        "graph TD\nA[<br<b>>]",
        "graph TD\nA[&#;#;&;]",
        "graph TD\nsubgraph\nend",
        "graph TD\nA e1@",
        "graph TD\nA e1@-->",
        "graph TD\nA -- \"x",
        "graph TD\nA -- \"x\" y -->",
        "graph TD\nA -. x",
        "graph TD\nA <.",
        "graph TD\nA .",
        "graph TD\nA -->\n",
        "graph TD\nA\n-->",
        "graph TD\nA -->|\"x",
        "graph TD\nA[\"$$x\"]",
        "graph TD\nA[$$]",
        "graph TD\nA[<img alt=>]",
        "graph TD\nA[<img alt='x]",
        "graph TD\nA@{ shape: }",
        "graph TD\nA@{ label: 'x }",
        "graph TD\nA@{ icon: \"\" }",
        "graph TD\nclick",
        "graph TD\nA\nclick A",
        "graph TD\nA\nclick A href",
        "graph TD\nA\nclick A \"x",
        "graph TD\nA\nclick A call f(",
        "graph TD\nsubgraph \"",
        "graph TD\nsubgraph S [",
        "graph TD\nA[\\n]",
        "graph TD\nA[<<<<<<<<]",
    ];
    for input in inputs {
        let _ = parse(input, 0, "t");
        let _ = read(input, true, "t.md");
    }
}

#[test]
fn writes_a_diagram_start_first_breadth_first() {
    // B is declared first, but A is the only node no edge leads to: A starts.
    let c =
        chart("graph TD\nB[Second] --> C\nA{{Start here}} -->|go| B\nA --> D((\"\"))\nC --> B\n");
    let written = diagram(&c, "T {{ x }}", Language::En);
    assert_eq!(
        written.text,
        "+++\ntitle = \"T {{ x }}\"\n+++\n\n## Start here {#a}\n\n> [!IMPORTANT]\n> Start here\n\n\
         - [go](#b)\n- [D](#d)\n\n## Second {#b}\n\n- [C](#c)\n\n## D {#d}\n\n## C {#c}\n\n- [Second](#b)\n"
    );
    assert_eq!((written.nodes, written.answers), (4, 4));
}

#[test]
fn in_a_cycle_the_first_node_starts() {
    let c = chart("graph TD\nB --> A --> B\n");
    assert!(diagram(&c, "T", Language::En)
        .text
        .starts_with("+++\ntitle = \"T\"\n+++\n\n## B {#b}"));
}

#[test]
fn ids_are_slugged_and_unique() {
    let c = chart("graph TD\nStep_1 --> step-1 --> é --> _\n");
    let text = diagram(&c, "T", Language::Fr).text;
    for id in ["{#step-1}", "{#step-1-2}", "{#e}", "{#node-4}"] {
        assert!(text.contains(id), "{id} in {text}");
    }
    assert!(text.contains("## Étape 4 {#node-4}"), "{text}");
}

#[test]
fn escaping() {
    assert_eq!(
        escape("a [b] {{c}} <d> #e *f* _g_ `h` | Q&A &amp;", false),
        "a \\[b\\] \\{\\{c\\}\\} \\<d\\> \\#e \\*f\\* \\_g\\_ \\`h\\` \\| Q&A \\&amp;"
    );
    assert_eq!(escape("**b** [x]", true), "**b** \\[x\\]");
    // A backslash in a Markdown string must not undo the escape of what follows it.
    assert_eq!(
        escape("\\[x\\](http://e)", true),
        "\\\\\\[x\\\\\\](http://e)"
    );
}

#[test]
fn deep_subgraphs_and_expanded_edges_are_bounded() {
    // Nesting: each node would be copied into every open subgraph.
    let mut deep = String::from("flowchart TD\n");
    for _ in 0..20_000 {
        deep.push_str("subgraph S\n");
    }
    deep.push_str("A --> B\n");
    let Err(err) = super::parse::flowchart(&deep, 0) else {
        panic!("too deep");
    };
    assert!(format!("{err:?}").contains("nested more than"), "{err:?}");

    // Expansion: an edge from a subgraph leaves from each of its exits.
    let mut wide = String::from("flowchart TD\nsubgraph S\n");
    for i in 0..2_000 {
        wide.push_str(&format!("n{i}\n"));
    }
    wide.push_str("end\nS --> ");
    let targets: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
    wide.push_str(&targets.join(" & "));
    wide.push('\n');
    let Err(err) = super::parse::flowchart(&wide, 0) else {
        panic!("too many edges");
    };
    assert!(
        format!("{err:?}").contains("once subgraphs are expanded"),
        "{err:?}"
    );
}

#[test]
fn every_arrow_form_mermaid_reads() {
    let c = chart(
        "graph LR\nA --lb--> B\nB <-- both --> C\nC <.-> D\nD .-> E\nE -...-> F\nF x--x G\n\
         G ====> H\nH -->|\"a|b\"| I\nI e1@--> J\nJ -- \"q -- r\" --> K\nK ---o L\nL o--o M\n",
    );
    assert_eq!(
        edges(&c),
        [
            "A-lb->B",
            "B-both->C",
            "C-both->B",
            "C-->D",
            "D-->C",
            "D-->E",
            "E-->F",
            "F-->G",
            "G-->F",
            "G-->H",
            "H-a|b->I",
            "I-->J",
            "J-q -- r->K",
            "K-->L",
            "L-->M",
            "M-->L",
        ]
    );
    assert_eq!(c.links, 12);
}

#[test]
fn arrows_and_labels_may_span_lines() {
    let c = chart("graph TD\nA -->\n  %% a comment\n  B\nB\n  -->|yes| C\nC -- two\nlines --> D[\"one\n  two\"]\n");
    assert_eq!(edges(&c), ["A-->B", "B-yes->C", "C-two lines->D"]);
    assert_eq!(shape_of(&c, "D").1, "one two");
}

#[test]
fn ids_as_mermaid_reads_them() {
    let c = chart("graph TD\nv1.2 --> billing:refund --> a-b --> x&y\nn1:::hot --> n2\n");
    let ids: Vec<&str> = c.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["v1.2", "billing:refund", "a-b", "x&y", "n1", "n2"]);
}

#[test]
fn labels_break_at_written_newlines_and_keep_formulas() {
    let c = chart(
        "graph TD\nA[\"one\\ntwo\"] --> B[\"$$\\nu + \\alpha$$ speed\"] --> C[\"<img src='m.png' alt='Modem'>\"]\n",
    );
    assert_eq!(c.nodes[0].label.lines, ["one", "two"]);
    assert_eq!(c.nodes[1].label.lines, ["\\nu + \\alpha speed"]);
    assert_eq!(c.nodes[2].label.joined(), "Modem");
    let messages: Vec<&str> = c.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the label of `B` holds a KaTeX formula (`$$…$$`): kept as its TeX source",
            "the label of `C` is only an image: images are not imported; titled with its alt text",
        ]
    );
}

#[test]
fn shape_names_follow_mermaids_table() {
    let c = chart(
        "graph TD\na@{ shape: das } --> b@{ shape: manual-input } --> c@{ shape: comment }\n\
         c --> d@{ shape: trapezoid } --> e@{ shape: delay }\n",
    );
    let callouts: Vec<Option<&str>> = c.nodes.iter().map(|n| write::callout(n.shape)).collect();
    assert_eq!(
        callouts,
        [
            Some("IMPORTANT"),
            Some("IMPORTANT"),
            Some("NOTE"),
            None,
            None
        ]
    );
    assert_eq!(shape_of(&c, "d").0, Shape::Trapezoid);
    assert!(err("graph TD\nA@{ shape: lean_right }\n").contains("lowercase"));
    assert!(err("graph TD\nA@{ shape: squircle }\n").contains("no such shape `squircle`"));
}

#[test]
fn subgraph_entries_exits_and_titles() {
    let c = chart(
        "graph TD\nin --> S\nS --> out\nsubgraph S [Checks]\n  b --> c\n  a --> b\n  subgraph T\n    d\n  end\nend\n",
    );
    assert_eq!(
        edges(&c),
        ["in-->a", "c-->out", "d-->out", "b-->c", "a-->b"]
    );
    let groups: Vec<String> = c
        .nodes
        .iter()
        .map(|n| {
            let titles: Vec<String> = n.groups.iter().map(Label::joined).collect();
            format!("{}:{}", n.id, titles.join("/"))
        })
        .collect();
    assert_eq!(
        groups,
        [
            "in:",
            "out:",
            "b:Checks",
            "c:Checks",
            "a:Checks",
            "d:Checks/T"
        ]
    );
}

#[test]
fn click_links_tooltips_and_callbacks() {
    let c = chart(
        "graph TD\nA --> B --> C --> D\nclick A \"https://e.com/a\" \"Open A\" _blank\nclick B href \"mailto:x@e.com\"\n\
         click C cb \"Calls back\"\nclick D \"javascript:alert(1)\"\nclick Z \"https://e.com\"\n",
    );
    assert_eq!(
        c.nodes[0].links,
        [NodeLink {
            url: "https://e.com/a".into(),
            tooltip: Some("Open A".into())
        }]
    );
    assert_eq!(c.nodes[1].links[0].url, "mailto:x@e.com");
    assert_eq!(c.nodes[2].notes, ["Calls back"]);
    assert!(c.nodes[3].links.is_empty());
    let lines: Vec<usize> = c.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [5, 6, 7]);
}

#[test]
fn several_starts_get_a_chooser_and_one_start_none() {
    let c = chart("graph TD\nA --> C\nB --> C\nD <--> E\n");
    let text = diagram(&c, "T", Language::En).text;
    assert!(
        text.contains("## Where do you start? {#start}\n\n- [A](#a)\n- [B](#b)\n- [D](#d)\n"),
        "{text}"
    );
    let one = diagram(&chart("graph TD\nA --> B\n"), "T", Language::En).text;
    assert!(!one.contains("{#start}"), "{one}");
}
