//! How deep raw HTML nests, for [`super::MAX_NESTING_DEPTH`]: the sanitizer's tree builder works in the
//! square of the depth whether the elements come from Markdown or from raw HTML (200,000 `<div>` took
//! 87 s), so the elements raw HTML opens count as levels too.
//!
//! Tags are read with html5ever's tokenizer (the one the sanitizer parses with), one raw HTML event at a
//! time. An element stays open until its end tag, even across Markdown blocks (the tree builder
//! reopens unclosed formatting elements such as `<b>` in the next paragraph); void elements (`<br>`,
//! `<img>`…) never open. Each event is tokenized on its own, followed by `"'>`: a tag that an event
//! leaves unfinished (`<div` at the end of an HTML block, finished by the `>` of the next rendered
//! Markdown tag) is counted as opened, which errs on the side of counting too much.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::LocalName;

use super::MAX_NESTING_DEPTH;

/// Elements opened by raw HTML and not closed yet, innermost last. Never longer than
/// `MAX_NESTING_DEPTH + 1`: past the limit the text is refused anyway, and end tags look for their
/// element from the top, so every tag costs at most that many steps.
#[derive(Debug, Default)]
pub struct OpenElements(Vec<LocalName>);

impl OpenElements {
    /// How many elements are open.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Forgets every open element (a new node starts: the sanitizer cleans each node on its own).
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Applies the tags of one piece of raw HTML.
    pub fn feed(&mut self, raw: &str) {
        for (kind, name) in tags(raw) {
            match kind {
                TagKind::StartTag if is_void(&name) => {}
                TagKind::StartTag => {
                    // `<p>a<p>b`, `<li>a<li>b`: the second one closes the first.
                    if implicitly_closes_itself(&name) && self.0.last() == Some(&name) {
                        self.0.pop();
                    }
                    if self.0.len() <= MAX_NESTING_DEPTH {
                        self.0.push(name);
                    }
                }
                TagKind::EndTag => {
                    if let Some(i) = self.0.iter().rposition(|open| *open == name) {
                        self.0.truncate(i);
                    }
                }
            }
        }
    }
}

/// Start and end tags of `raw`, in order (see the module's doc for the `"'>` that ends it).
fn tags(raw: &str) -> Vec<(TagKind, LocalName)> {
    struct Sink(RefCell<Vec<(TagKind, LocalName)>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token {
                self.0.borrow_mut().push((tag.kind, tag.name));
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Vec::new())), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(raw));
    input.push_back(StrTendril::from_slice("\"'>"));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Elements that never have content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose start tag closes an open element of the same name right above it.
fn implicitly_closes_itself(name: &str) -> bool {
    matches!(
        name,
        "p" | "li" | "dt" | "dd" | "option" | "tr" | "td" | "th" | "rt" | "rp"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(pieces: &[&str]) -> usize {
        let mut open = OpenElements::default();
        for piece in pieces {
            open.feed(piece);
        }
        open.len()
    }

    #[test]
    fn counts_the_elements_left_open() {
        assert_eq!(depth(&["<div><section>"]), 2);
        assert_eq!(depth(&["<div>", "<span>x</span>", "</div>"]), 0);
        assert_eq!(
            depth(&["<div><span><b>", "</div>"]),
            0,
            "an end tag closes what it holds"
        );
        assert_eq!(
            depth(&["</div></div><div>"]),
            1,
            "stray end tags are ignored"
        );
        assert_eq!(depth(&["<p>a<p>b<li>c<li>"]), 2);
    }

    #[test]
    fn void_elements_comments_and_text_do_not_nest() {
        assert_eq!(depth(&["<br><img src=x><hr/><input><wbr>"]), 0);
        assert_eq!(
            depth(&["<!-- <div><div> -->", "a < b > c", "<![CDATA[<div>]]>"]),
            0
        );
        assert_eq!(depth(&["<div title=\"<div><div>\">"]), 1);
    }

    #[test]
    fn a_tag_cut_by_the_end_of_a_piece_counts() {
        assert_eq!(depth(&["<div", "x", "<section class=\"a"]), 2);
    }

    #[test]
    fn the_stack_stops_growing_past_the_limit() {
        let mut open = OpenElements::default();
        open.feed(&"<div>".repeat(10_000));
        assert_eq!(open.len(), MAX_NESTING_DEPTH + 1);
    }
}
