//! Twine reader unit tests: every link form, macros of each story format dropped at their line,
//! Twee headers, archives.

use super::passage::{self, Piece};
use super::*;

fn links(text: &str) -> Vec<(String, String)> {
    let read = passage::read(text, 1);
    read.answers
        .iter()
        .map(|l| (l.text.clone(), l.target.clone()))
        .collect()
}

#[test]
fn every_link_form_and_the_answer_rule() {
    assert_eq!(
        links("Intro [[in text]] here.\n\n[[Plain]]\n[[Text|Target]] [[Go->There]]\n[[Back<-Return]]\n"),
        [
            ("Plain".to_string(), "Plain".to_string()),
            ("Text".into(), "Target".into()),
            ("Go".into(), "There".into()),
            ("Return".into(), "Back".into()),
        ]
    );
    // Harlowe's rightmost `->`, SugarCube's setter, link macros.
    assert_eq!(
        links("[[a->b->c]]"),
        [("a->b".to_string(), "c".to_string())]
    );
    assert_eq!(
        links("[[Go|There][$x to 1]]"),
        [("Go".to_string(), "There".to_string())]
    );
    assert_eq!(
        links("<<link \"Call back\" \"Callback\">><</link>>\n(link-goto: \"Next\", \"Step 2\")\n(goto: \"End\")"),
        [
            ("Call back".to_string(), "Callback".to_string()),
            ("Next".into(), "Step 2".into()),
            ("End".into(), "End".into()),
        ]
    );
    // A link followed by text is not an answer.
    let read = passage::read("[[A]] then talk.\n", 1);
    assert!(read.answers.is_empty());
    assert!(matches!(read.lines[0][0], Piece::Link(_)));
}

#[test]
fn story_format_code_is_dropped_at_its_line() {
    let read = passage::read(
        "(set: $a to 1)(if: $a)[Kept text]\n<<set $b to 2>><<if $b>>shown<</if>>\n{back link}\n[if x]\n<% s.x = 1 %>$name left\n|hook>[inside]\n",
        10,
    );
    let dropped: Vec<(usize, &str)> = read.dropped.iter().map(|(l, w)| (*l, w.as_str())).collect();
    assert_eq!(
        dropped,
        [
            (10, "Harlowe macro `(set:)`"),
            (10, "Harlowe macro `(if:)`"),
            (11, "SugarCube macro `<<set>>`"),
            (11, "SugarCube macro `<<if>>`"),
            (12, "Chapbook insert `{back link}`"),
            (13, "Chapbook modifier `[if x]`"),
            (14, "a Snowman script `<% … %>`"),
            (14, "variable `$name`"),
        ]
    );
    let text: Vec<String> = read
        .lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|p| match p {
                    Piece::Text(t) => t.clone(),
                    Piece::Link(l) => format!("<{}>", l.target),
                })
                .collect()
        })
        .collect();
    assert_eq!(text, ["Kept text", "shown", "", " left", "inside"]);
    // Chapbook's variables section.
    let read = passage::read("count: 1\nname (x): 'a'\n--\nHello\n", 1);
    assert_eq!(read.dropped.len(), 3);
    assert_eq!(read.lines.len(), 1);
}

#[test]
fn prose_keeps_emphasis_and_escapes_the_rest() {
    assert_eq!(
        passage::prose("''bold'' and //it// at http://x.y [1]"),
        "**bold** and *it* at http://x.y \\[1\\]"
    );
}

#[test]
fn twee_headers_start_and_special_passages() {
    let story = read(
        ":: StoryTitle\nT\n\n:: StoryData\n{\"start\": \"B\"}\n\n:: A \\[x\\] [t1 t2] {\"position\":\"1,1\"}\nText\n[[B]]\n\n:: B [t2]\nEnd\n\n:: css [stylesheet]\nbody {}\n",
        "s.twee",
    )
    .unwrap();
    assert_eq!(story.title.as_deref(), Some("T"));
    let names: Vec<String> = story.chart.nodes.iter().map(|n| n.label.joined()).collect();
    assert_eq!(names, ["A [x]", "B"]);
    assert_eq!(story.chart.start, Some(1));
    assert_eq!(story.chart.tags, ["t1", "t2"]);
    assert_eq!(story.chart.nodes[0].line, 7);
    assert!(story.chart.warnings[0]
        .message
        .contains("tagged `stylesheet`"));
}

#[test]
fn archives_and_refusals() {
    let html = "<tw-storydata name=\"S\" startnode=\"2\"><script>x = \"<tw-passagedata name='no'>\"</script>\n<tw-passagedata pid=\"1\" name=\"One\" tags=\"\">\nA &amp; B\n[[Two]]</tw-passagedata><tw-passagedata pid=\"2\" name=\"Two\">Hi</tw-passagedata></tw-storydata>";
    let story = read(html, "s.html").unwrap();
    assert_eq!(story.title.as_deref(), Some("S"));
    assert_eq!(story.chart.start, Some(1));
    let names: Vec<String> = story.chart.nodes.iter().map(|n| n.label.joined()).collect();
    assert_eq!(names, ["One", "Two"]);
    assert_eq!(story.chart.nodes[0].body, "A & B\n\n");
    assert_eq!(story.chart.nodes[0].line, 2);
    let err = |t: &str| read(t, "s.twee").unwrap_err().to_string();
    assert_eq!(
        err("hello\n:: A\n"),
        "s.twee:1: text before the first passage header (`:: Name`): is this a Twee file?"
    );
    assert_eq!(
        err(":: \n"),
        "s.twee:1: a passage header `::` without a name"
    );
    assert_eq!(
        err(":: x [script]\ny\n"),
        "s.twee:1: the story has no passages to import"
    );
}

#[test]
fn nothing_panics_on_odd_input() {
    for input in [
        "",
        "::",
        ":: A\n[[",
        ":: A\n[[]]",
        ":: A\n[[|]]",
        ":: A\n<<",
        ":: A\n<<link>>",
        ":: A\n(a:",
        ":: A\n(a: \"x)",
        ":: A\n|x>",
        ":: A\n]<x|",
        ":: A\n{",
        ":: A\n$",
        ":: A\n<%",
        ":: A\n''",
        ":: A\n//",
        ":: A \\",
        "<tw-storydata",
        "<tw-storydata><tw-passagedata>",
        ":: A\n[[a<-]]",
        ":: A\n[[->b]]",
    ] {
        let _ = read(input, "t");
    }
}
