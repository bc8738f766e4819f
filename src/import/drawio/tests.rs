//! draw.io reader unit tests: labels, shapes, edges and their label cells, containers, pages,
//! compression, and that nothing panics.

use std::io::Write;

use base64::Engine;

use super::html::{self, Item};
use super::*;
use crate::content::config::Language;
use crate::import::mermaid::{write, Shape};

fn model_xml(cells: &str) -> String {
    format!("<mxGraphModel><root><mxCell id=\"0\"/><mxCell id=\"1\" parent=\"0\"/>{cells}</root></mxGraphModel>")
}

fn one_page(cells: &str) -> Flowchart {
    match read(&model_xml(cells), "t.xml") {
        Ok(mut pages) => pages.remove(0).chart,
        Err(e) => panic!("{e}"),
    }
}

fn compress(xml: &str) -> String {
    let encoded: String =
        percent_encoding::utf8_percent_encode(xml, percent_encoding::NON_ALPHANUMERIC).to_string();
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(encoded.as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(deflate.finish().unwrap())
}

#[test]
fn html_labels_become_markdown() {
    let lines = html::lines(
        "<b>Check </b>the <i>modem</i><br>Ask:<ul><li>power</li><li><div>the <strong>lights</strong></div></li></ul>\
         <ol><li>one</li><li>two</li></ol><a href=\"https://e.com/x\">help</a> <a href=\"javascript:x()\">bad</a>\
         <script>alert(1)</script><div style=\"color:red\">a [b] #c</div>",
    );
    let md: Vec<(&str, Option<Item>)> = lines
        .iter()
        .map(|l| (l.markdown.as_str(), l.item))
        .collect();
    assert_eq!(
        md,
        [
            ("**Check** the *modem*", None),
            ("Ask:", None),
            ("power", Some(Item::Bullet)),
            ("the **lights**", Some(Item::Bullet)),
            ("one", Some(Item::Numbered(1))),
            ("two", Some(Item::Numbered(2))),
            ("[help](https://e.com/x) bad", None),
            ("a \\[b\\] \\#c", None),
        ]
    );
    assert_eq!(lines[0].plain, "Check the modem");
    assert_eq!(html::plain("one\n  two  three\n\n").len(), 2);
}

#[test]
fn shapes_edges_and_edge_label_cells() {
    let c = one_page(
        "<mxCell id=\"a\" value=\"Start\" style=\"ellipse;html=1;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"b\" value=\"OK?\" style=\"rhombus;whiteSpace=wrap;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"c\" value=\"Customer file\" style=\"shape=cylinder3;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"d\" value=\"Form\" style=\"shape=mxgraph.flowchart.document;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"e\" value=\"End\" style=\"shape=mxgraph.flowchart.terminator;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"x1\" edge=\"1\" source=\"a\" target=\"b\" parent=\"1\"/>\
         <mxCell id=\"x2\" value=\"yes\" edge=\"1\" source=\"b\" target=\"c\" parent=\"1\"/>\
         <mxCell id=\"x3\" edge=\"1\" source=\"b\" target=\"d\" parent=\"1\"/>\
         <mxCell id=\"x3l\" value=\"no\" style=\"edgeLabel;html=1;\" vertex=\"1\" connectable=\"0\" parent=\"x3\"/>\
         <mxCell id=\"x4\" edge=\"1\" source=\"d\" target=\"e\" parent=\"1\"/>\
         <mxCell id=\"x5\" edge=\"1\" source=\"c\" parent=\"1\"/>",
    );
    let shapes: Vec<Shape> = c.nodes.iter().map(|n| n.shape).collect();
    assert_eq!(
        shapes,
        [
            Shape::Circle,
            Shape::Rhombus,
            Shape::Cylinder,
            Shape::Named("doc"),
            Shape::Stadium
        ]
    );
    let text = write::diagram(&c, "T", Language::En).text;
    assert!(
        text.contains("## OK? {#ok}\n\n- [yes](#customer-file)\n- [no](#form)\n"),
        "{text}"
    );
    assert!(
        text.contains("## Form {#form}\n\n> [!IMPORTANT]\n> Form\n"),
        "{text}"
    );
    let messages: Vec<&str> = c.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages, ["edge `x5` has no target: dropped"]);
}

#[test]
fn containers_self_loops_loose_cells_and_user_objects() {
    let c = one_page(
        "<mxCell id=\"s\" value=\"Start\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"lane\" value=\"Level 2\" style=\"swimlane;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"k2\" value=\"Second\" vertex=\"1\" parent=\"lane\"/>\
         <mxCell id=\"k1\" value=\"First\" vertex=\"1\" parent=\"lane\"/>\
         <UserObject id=\"u\" label=\"Help\" link=\"https://e.com\"><mxCell vertex=\"1\" parent=\"1\"/></UserObject>\
         <mxCell id=\"t\" value=\"A title\" style=\"text;\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"lone\" value=\"Legend\" vertex=\"1\" parent=\"1\"/>\
         <mxCell id=\"e1\" edge=\"1\" source=\"s\" target=\"lane\" parent=\"1\"/>\
         <mxCell id=\"e2\" edge=\"1\" source=\"k1\" target=\"k2\" parent=\"1\"/>\
         <mxCell id=\"e3\" edge=\"1\" source=\"k2\" target=\"k2\" parent=\"1\"/>\
         <mxCell id=\"e4\" edge=\"1\" source=\"u\" target=\"s\" parent=\"1\"/>",
    );
    let titles: Vec<String> = c.nodes.iter().map(|n| n.label.joined()).collect();
    assert_eq!(titles, ["Start", "Second", "First", "Help", "Legend"]);
    assert_eq!(c.nodes[1].groups[0].joined(), "Level 2");
    assert_eq!(c.nodes[3].links[0].url, "https://e.com");
    // The edge to the container leads to its first child no sibling leads to.
    let pairs: Vec<(usize, usize)> = c.edges.iter().map(|e| (e.from, e.to)).collect();
    assert_eq!(pairs, [(0, 2), (2, 1), (1, 1), (3, 0)]);
    let messages: Vec<&str> = c.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "cell `t` is text connected to nothing (\"A title\"): not imported",
            "cell `lone` (\"Legend\") is connected to nothing: it is a start of its own",
            "edge `e3` leads from cell `k2` back to itself",
        ]
    );
}

#[test]
fn pages_plain_and_compressed_with_lines() {
    let plain = model_xml("\n<mxCell id=\"a\" value=\"One\" vertex=\"1\" parent=\"1\"/>");
    let packed = compress(&model_xml("<mxCell id=\"b\" value=\"Two\" vertex=\"1\" parent=\"1\"/><mxCell id=\"e\" edge=\"1\" source=\"b\" parent=\"1\"/>"));
    let file = format!(
        "<mxfile>\n<diagram id=\"p1\" name=\"First\">{plain}</diagram>\n<diagram id=\"p2\" name=\"Second\">{packed}</diagram>\n</mxfile>"
    );
    let pages = read(&file, "f.drawio").unwrap();
    let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["First", "Second"]);
    assert_eq!(pages[0].chart.nodes[0].line, 3);
    assert_eq!(pages[1].chart.nodes[0].label.joined(), "Two");
    // A compressed page's problems are at its `<diagram>` line, with the cell id.
    assert_eq!(pages[1].chart.warnings[0].line, 4);
    assert!(pages[1].chart.warnings[0].message.contains("edge `e`"));
}

#[test]
fn unreadable_files_name_the_line() {
    let err = |text: &str| read(text, "f.drawio").unwrap_err().to_string();
    assert!(
        err("<mxfile>\n<diagram name=\"P\">\n<mxGraphModel><root>\n<mxCell id=\"0\" </root>")
            .starts_with("f.drawio:4: not a draw.io file")
    );
    assert_eq!(err("<svg/>"), "f.drawio:1: not a draw.io file: it starts with `<svg>`, not `<mxfile>` or `<mxGraphModel>`");
    assert!(err("<mxfile>\n<diagram name=\"P\">!!!</diagram></mxfile>")
        .starts_with("f.drawio:2: page \"P\": the compressed page is not base64"));
    assert_eq!(
        err("<mxfile/>"),
        "f.drawio:1: the file has no page (`<diagram>`)"
    );
    assert!(err(&model_xml("")).ends_with("the page has no shapes to import"));
    assert!(err("<!DOCTYPE x [<!ENTITY a \"b\">]><mxfile/>")
        .starts_with("f.drawio:1: not a draw.io file"));
}

#[test]
fn a_page_that_inflates_too_far_is_refused() {
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&vec![b'<'; 4096]).unwrap();
    let packed = base64::engine::general_purpose::STANDARD.encode(deflate.finish().unwrap());
    assert!(inflate(&packed, 1024)
        .unwrap_err()
        .contains("inflates to more than"));
    assert!(inflate(&packed, 8192).is_ok());
}

#[test]
fn nothing_panics_on_odd_input() {
    for input in [
        "",
        "<",
        "<mxfile>",
        "<mxfile><diagram/></mxfile>",
        "<mxfile><diagram>AAAA</diagram></mxfile>",
        "<mxfile><diagram>%%%</diagram></mxfile>",
        "<mxGraphModel/>",
        "<mxGraphModel><root/></mxGraphModel>",
        "<mxGraphModel><root><UserObject/></root></mxGraphModel>",
        "<mxGraphModel><root><mxCell vertex=\"1\" value=\"&lt;b&gt;\" style=\"html=1\"/></root></mxGraphModel>",
        "<mxGraphModel><root><mxCell id=\"a\" vertex=\"1\" parent=\"a\" value=\"x\"/><mxCell id=\"b\" vertex=\"1\" parent=\"a\"/></root></mxGraphModel>",
        "<mxGraphModel><root><mxCell id=\"e\" edge=\"1\" source=\"e\" target=\"e\" parent=\"e\"/></root></mxGraphModel>",
    ] {
        let _ = read(input, "t");
    }
}
