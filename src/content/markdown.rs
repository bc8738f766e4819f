//! Markdown -> nodes: each `##` heading starts a node; a node's trailing list of node links is its answers.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::links;

/// An owned Markdown event with its byte range in the original file.
pub type Ev = (Event<'static>, Range<usize>);

/// Markdown elements nested deeper than this (lists in lists, quotes in quotes, emphasis in emphasis…) are
/// refused: no procedure needs it, and the HTML sanitizer's work grows with the square of the depth.
/// Elements opened by raw HTML count too, added to the Markdown levels around them (see [`nesting`]).
pub const MAX_NESTING_DEPTH: usize = 100;

pub mod nesting;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub label: String,
    pub dest: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// `{#id}` as written, if any.
    pub explicit_id: Option<String>,
    pub title: String,
    pub heading_span: Range<usize>,
    /// Content events, without the heading and without the answer list.
    pub events: Vec<Ev>,
    pub answers: Vec<Answer>,
    /// Problems noticed while splitting (reported as warnings by the caller).
    pub notes: Vec<(Range<usize>, SectionNote)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SectionNote {
    /// A list holds node links next to other items, so it is not read as answers.
    MixedAnswerList,
    /// A list of node links is followed by more content, so it is not read as answers.
    AnswersNotLast,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub intro: Vec<Ev>,
    pub sections: Vec<Section>,
    /// Footnote definitions by label, wherever they were written; shown with every node that cites them.
    pub footnotes: BTreeMap<String, Vec<Ev>>,
    /// Where the nesting first went deeper than [`MAX_NESTING_DEPTH`], if it did.
    pub too_deep: Option<Range<usize>>,
    /// The nesting went too deep with elements opened by raw HTML, not by Markdown alone.
    pub too_deep_in_html: bool,
}

/// Parses substituted Markdown; `to_file` maps a range in `text` to a range in the original file.
pub fn parse(text: &str, to_file: &dyn Fn(&Range<usize>) -> Range<usize>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut depth = 0usize;
    let mut footnote: Option<(String, Vec<Ev>)> = None;
    let mut heading: Option<(Option<String>, Range<usize>, Vec<Ev>)> = None;
    let mut body: Vec<Ev> = Vec::new();
    let mut in_intro = true;
    // Elements raw HTML left open: in the current node, and in footnote definitions (shown with every
    // node that cites them, so they never start again from none).
    let mut html_open = nesting::OpenElements::default();
    let mut html_open_in_notes = nesting::OpenElements::default();

    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        let range = to_file(&range);
        let event = event.into_static();
        let top = depth == 0;
        if top
            && matches!(
                event,
                Event::Start(Tag::Heading {
                    level: HeadingLevel::H2,
                    ..
                })
            )
        {
            html_open.clear();
        }
        let in_notes =
            footnote.is_some() || matches!(event, Event::Start(Tag::FootnoteDefinition(_)));
        let html = if in_notes {
            &mut html_open_in_notes
        } else {
            &mut html_open
        };
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Html(raw) | Event::InlineHtml(raw) => html.feed(raw),
            _ => {}
        }
        if matches!(
            event,
            Event::Start(_) | Event::Html(_) | Event::InlineHtml(_)
        ) && depth + html.len() > MAX_NESTING_DEPTH
            && parsed.too_deep.is_none()
        {
            parsed.too_deep = Some(range.clone());
            parsed.too_deep_in_html = depth <= MAX_NESTING_DEPTH;
        }
        if let Some((_, ref mut events)) = footnote {
            let done = matches!(event, Event::End(TagEnd::FootnoteDefinition)) && depth == 0;
            events.push((event, range));
            if done {
                let (label, events) = footnote.take().unwrap_or_default();
                parsed.footnotes.insert(label, events);
            }
            continue;
        }
        if let Some((_, _, ref mut events)) = heading {
            if matches!(event, Event::End(TagEnd::Heading(HeadingLevel::H2))) && depth == 0 {
                let (id, span, events) = heading.take().unwrap_or_default();
                finish_section(&mut parsed, &mut body, &mut in_intro);
                parsed.sections.push(Section {
                    explicit_id: id,
                    title: plain_text(&events),
                    heading_span: span,
                    events: Vec::new(),
                    answers: Vec::new(),
                    notes: Vec::new(),
                });
            } else {
                events.push((event, range));
            }
            continue;
        }
        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) if top => {
                footnote = Some((label.to_string(), vec![(event.clone(), range)]));
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                id,
                ..
            }) if top => {
                heading = Some((id.as_ref().map(|i| i.to_string()), range, Vec::new()));
            }
            _ => body.push((event, range)),
        }
    }
    finish_section(&mut parsed, &mut body, &mut in_intro);
    parsed
}

fn finish_section(parsed: &mut Parsed, body: &mut Vec<Ev>, in_intro: &mut bool) {
    let events = std::mem::take(body);
    if *in_intro {
        *in_intro = false;
        parsed.intro = events;
        return;
    }
    if let Some(section) = parsed.sections.last_mut() {
        split_answers(section, events);
    }
}

/// One top-level block: the index range of its events.
fn blocks(events: &[Ev]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push(start..i + 1);
                }
            }
            _ if depth == 0 => out.push(i..i + 1),
            _ => {}
        }
    }
    out
}

fn split_answers(section: &mut Section, events: Vec<Ev>) {
    let blocks = blocks(&events);
    for (n, block) in blocks.iter().enumerate() {
        let is_last = n + 1 == blocks.len();
        let Some(items) = list_items(&events[block.clone()]) else {
            continue;
        };
        let links: Vec<Option<Answer>> = items.iter().map(|item| single_link(item)).collect();
        let node_links = links
            .iter()
            .flatten()
            .filter(|a| links::is_diagram_link(&a.dest))
            .count();
        if node_links == 0 {
            continue;
        }
        let span = events[block.start].1.clone();
        if node_links < links.len() {
            section.notes.push((span, SectionNote::MixedAnswerList));
        } else if !is_last {
            section.notes.push((span, SectionNote::AnswersNotLast));
        } else {
            section.answers = links.into_iter().flatten().collect();
            let mut events = events;
            events.truncate(block.start);
            section.events = events;
            return;
        }
    }
    section.events = events;
}

/// The items of a bullet list block (each item's inner events), or `None` if the block is not one.
fn list_items(block: &[Ev]) -> Option<Vec<&[Ev]>> {
    if !matches!(block.first(), Some((Event::Start(Tag::List(None)), _))) {
        return None;
    }
    let inner = &block[1..block.len().saturating_sub(1)];
    Some(blocks(inner).into_iter().map(|r| &inner[r]).collect())
}

/// The answer an item stands for, if the item is exactly one link and nothing else.
fn single_link(item: &[Ev]) -> Option<Answer> {
    let mut inner = match item {
        [(Event::Start(Tag::Item), _), rest @ .., (Event::End(TagEnd::Item), _)] => rest,
        _ => return None,
    };
    if let [(Event::Start(Tag::Paragraph), _), rest @ .., (Event::End(TagEnd::Paragraph), _)] =
        inner
    {
        inner = rest;
    }
    match inner {
        [(Event::Start(Tag::Link { dest_url, .. }), span), label @ .., (Event::End(TagEnd::Link), _)]
            if !label
                .iter()
                .any(|(e, _)| matches!(e, Event::End(TagEnd::Link))) =>
        {
            Some(Answer {
                label: plain_text(label).trim().to_string(),
                dest: dest_url.to_string(),
                span: span.clone(),
            })
        }
        _ => None,
    }
}

/// A link or image destination written in Markdown text (answers are kept apart), for `check`.
#[derive(Debug, Clone)]
pub struct TextRef {
    pub dest: String,
    pub span: Range<usize>,
    pub is_image: bool,
}

/// The links and images of some events, in order.
pub fn text_refs(events: &[Ev]) -> Vec<TextRef> {
    events
        .iter()
        .filter_map(|(event, span)| {
            let (dest, is_image) = match event {
                Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
                Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
                _ => return None,
            };
            Some(TextRef {
                dest: dest.to_string(),
                span: span.clone(),
                is_image,
            })
        })
        .collect()
}

/// The raw HTML of some events (block and inline), in order.
pub fn raw_html(events: &[Ev]) -> impl Iterator<Item = (String, Range<usize>)> + '_ {
    events.iter().filter_map(|(event, span)| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some((raw.to_string(), span.clone())),
        _ => None,
    })
}

/// Whether some events hold a `> [!CAUTION]` alert (the map marks such nodes).
pub fn has_caution(events: &[Ev]) -> bool {
    events.iter().any(|(e, _)| {
        matches!(
            e,
            Event::Start(Tag::BlockQuote(Some(BlockQuoteKind::Caution)))
        )
    })
}

/// The visible text of inline events (for titles and labels).
pub fn plain_text(events: &[Ev]) -> String {
    let mut out = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The text of block content, one line per block (for the search index and word counts).
pub fn block_text(events: &[Ev]) -> String {
    let mut out = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::Image,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// Lowercase, accents folded, runs of other characters as one hyphen: "Redémarrer le modem" -> "redemarrer-le-modem".
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in fold(text).chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Lowercase with diacritics removed (NFD, combining marks dropped): the search index's form.
pub fn fold(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Text of a `CowStr` as an owned string (helper for callers matching on events).
pub fn cow(s: &CowStr<'_>) -> String {
    s.to_string()
}

#[cfg(test)]
mod tests;
