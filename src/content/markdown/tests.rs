use super::*;

fn parse_plain(text: &str) -> Parsed {
    parse(text, &|r| r.clone())
}

#[test]
fn headings_split_nodes_and_trailing_links_are_answers() {
    let md = "Intro.\n\n## Vérifier {#voyants}\n\nTexte.\n\n- [Vert](#redemarrer)\n- [Rien](alimentation.md)\n\n## Redémarrer le modem\n\nFin.\n";
    let p = parse_plain(md);
    assert_eq!(plain_text(&p.intro), "Intro.");
    assert_eq!(p.sections.len(), 2);
    assert_eq!(p.sections[0].explicit_id.as_deref(), Some("voyants"));
    let answers: Vec<_> = p.sections[0]
        .answers
        .iter()
        .map(|a| (a.label.as_str(), a.dest.as_str()))
        .collect();
    assert_eq!(
        answers,
        [("Vert", "#redemarrer"), ("Rien", "alimentation.md")]
    );
    assert_eq!(plain_text(&p.sections[0].events), "Texte.");
    assert_eq!(p.sections[1].title, "Redémarrer le modem");
    assert!(p.sections[1].answers.is_empty());
}

#[test]
fn a_list_mixing_tips_and_links_is_not_answers() {
    let md = "## A\n\n- Astuce : vérifier le câble\n- [Suite](#b)\n\n## B\n";
    let p = parse_plain(md);
    assert!(p.sections[0].answers.is_empty());
    assert_eq!(p.sections[0].notes[0].1, SectionNote::MixedAnswerList);
}

#[test]
fn answers_followed_by_text_are_flagged() {
    let md = "## A\n\n- [Suite](#b)\n\nEncore du texte.\n\n## B\n";
    let p = parse_plain(md);
    assert!(p.sections[0].answers.is_empty());
    assert_eq!(p.sections[0].notes[0].1, SectionNote::AnswersNotLast);
}

#[test]
fn external_link_lists_are_plain_lists() {
    let md = "## A\n\n- [Site](https://example.com)\n";
    let p = parse_plain(md);
    assert!(p.sections[0].answers.is_empty());
    assert!(p.sections[0].notes.is_empty());
}

#[test]
fn footnotes_are_collected_per_diagram() {
    let md = "## A\n\nVoir[^1].\n\n## B\n\n[^1]: La note.\n";
    let p = parse_plain(md);
    assert!(p.footnotes.contains_key("1"));
    assert!(plain_text(&p.sections[1].events).is_empty());
}

#[test]
fn slugs_fold_accents_and_punctuation() {
    assert_eq!(slug("Redémarrer le modem !"), "redemarrer-le-modem");
    assert_eq!(slug("Étape 2 : «Appeler»"), "etape-2-appeler");
    assert_eq!(slug("???"), "");
}

#[test]
fn nesting_deeper_than_the_limit_is_flagged_where_it_starts() {
    let ok = format!("## A\n\n{}x\n", "> ".repeat(MAX_NESTING_DEPTH - 1));
    assert!(parse_plain(&ok).too_deep.is_none());
    let deep = format!("## A\n\n{}x\n", "- ".repeat(MAX_NESTING_DEPTH + 1));
    let span = parse_plain(&deep).too_deep.expect("too deep");
    assert!(span.start >= "## A\n\n".len(), "{span:?}");
}

#[test]
fn fold_gives_the_listed_form_of_every_tricky_word() {
    // The same list tests/browser/fold.test.js checks the viewer's `fold` against: both sides agree.
    let list: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/fold-words.json")).unwrap();
    let words = list["words"].as_array().unwrap();
    assert!(words.len() >= 20);
    for w in words {
        let (text, expected) = (w["text"].as_str().unwrap(), w["fold"].as_str().unwrap());
        assert_eq!(fold(text), expected, "{text:?} ({})", w["why"]);
    }
}
