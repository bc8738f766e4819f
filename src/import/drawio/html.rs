//! draw.io label HTML as Markdown: the label goes through the content sanitizer first (no script,
//! style or handler survives), then its tags become Markdown: `<b>`/`<strong>` bold, `<i>`/`<em>`
//! italic, `<s>`/`<strike>`/`<del>` strikethrough, `<br>`, `<div>`, `<p>` and headings new lines,
//! `<ul>`/`<ol>` items list items, `<a href>` web links; other tags keep their text only.

use std::cell::RefCell;

use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::import::mermaid::write::escape;

/// One line of a label: a paragraph or a list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Markdown, escaped; for a list item without its marker.
    pub markdown: String,
    /// The same text without formatting.
    pub plain: String,
    pub item: Option<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Bullet,
    Numbered(usize),
}

/// A plain-text label (`html=0`): its lines.
pub fn plain(text: &str) -> Vec<Line> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .map(|l| Line {
            markdown: escape(&l, false),
            plain: l,
            item: None,
        })
        .collect()
}

/// An HTML label (`html=1`): its lines, sanitized.
pub fn lines(html: &str) -> Vec<Line> {
    let clean = crate::sanitize::sanitizer().clean(html).to_string();
    let mut w = Writer::default();
    for token in tokens(&clean) {
        match token {
            Token::CharacterTokens(text) => w.text(&text),
            Token::TagToken(tag) => {
                let start = tag.kind == TagKind::StartTag;
                match &*tag.name {
                    "b" | "strong" => w.mark("**"),
                    "i" | "em" => w.mark("*"),
                    "s" | "strike" | "del" => w.mark("~~"),
                    "br" => w.break_line(),
                    "div" | "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote" => {
                        w.break_line()
                    }
                    "ul" | "ol" if start => {
                        w.break_line();
                        w.lists
                            .push(if &*tag.name == "ol" { Some(0) } else { None });
                    }
                    "ul" | "ol" => {
                        w.break_line();
                        w.lists.pop();
                    }
                    "li" if start => {
                        w.break_line();
                        let item = match w.lists.last_mut() {
                            Some(Some(n)) => {
                                *n += 1;
                                Item::Numbered(*n)
                            }
                            _ => Item::Bullet,
                        };
                        w.item = Some(item);
                    }
                    "li" => w.break_line(),
                    "a" if start => {
                        let href = tag
                            .attrs
                            .iter()
                            .find(|a| &*a.name.local == "href")
                            .map(|a| a.value.to_string());
                        w.open_link(href);
                    }
                    "a" => w.close_link(),
                    "img" if start => {
                        if let Some(alt) = tag.attrs.iter().find(|a| &*a.name.local == "alt") {
                            w.text(&alt.value);
                        }
                    }
                    "td" | "th" => w.text(" "),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    w.break_line();
    w.lines
}

/// The tokens of some HTML.
fn tokens(html: &str) -> Vec<Token> {
    struct Sink(RefCell<Vec<Token>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            self.0.borrow_mut().push(token);
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Vec::new())), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

#[derive(Default)]
struct Writer {
    lines: Vec<Line>,
    markdown: String,
    plain: String,
    item: Option<Item>,
    /// Open lists: `Some(n)` numbered (n items so far), `None` bullets.
    lists: Vec<Option<usize>>,
    /// Emphasis marks open on this line, to close them at its end.
    marks: Vec<&'static str>,
    /// Emphasis marks opened, not yet written: they are written before the next word.
    pending: Vec<&'static str>,
    /// An open web link: its address and where its text starts.
    link: Option<(String, usize)>,
}

impl Writer {
    fn text(&mut self, text: &str) {
        // Spaces collapse as a browser collapses them.
        if text.starts_with(char::is_whitespace) {
            self.space();
        }
        for (i, part) in text.split_whitespace().enumerate() {
            if i > 0 {
                self.space();
            }
            for mark in self.pending.drain(..) {
                self.markdown.push_str(mark);
                self.marks.push(mark);
            }
            self.markdown.push_str(&escape(part, false));
            self.plain.push_str(part);
        }
        if text.ends_with(char::is_whitespace) {
            self.space();
        }
    }

    fn space(&mut self) {
        if !self.plain.is_empty() && !self.plain.ends_with(' ') {
            self.markdown.push(' ');
            self.plain.push(' ');
        }
    }

    /// Opens or closes an emphasis mark: opened before the next word, closed after the last one (not
    /// after a space, which Markdown would not read as emphasis); a mark around nothing vanishes.
    fn mark(&mut self, mark: &'static str) {
        if let Some(i) = self.pending.iter().rposition(|m| *m == mark) {
            self.pending.remove(i);
        } else if self.marks.last() == Some(&mark) {
            self.marks.pop();
            let at = self.markdown.trim_end().len();
            self.markdown.insert_str(at, mark);
        } else {
            self.pending.push(mark);
        }
    }

    fn open_link(&mut self, href: Option<String>) {
        let href = href.filter(|h| {
            let lower = h.trim().to_ascii_lowercase();
            ["http://", "https://", "mailto:", "tel:"]
                .iter()
                .any(|s| lower.starts_with(s))
                && !h.contains(char::is_whitespace)
        });
        if let Some(href) = href {
            self.markdown.push('[');
            self.link = Some((href, self.markdown.len()));
        }
    }

    fn close_link(&mut self) {
        if let Some((href, _)) = self.link.take() {
            let mut dest = String::new();
            for c in href.trim().chars() {
                if matches!(c, '\\' | '(' | ')' | '<' | '>' | '{' | '}') {
                    dest.push('\\');
                }
                dest.push(c);
            }
            self.markdown.push_str(&format!("]({dest})"));
        }
    }

    /// Ends the current line, closing what is open on it.
    fn break_line(&mut self) {
        if self.link.is_some() {
            self.close_link();
        }
        while let Some(mark) = self.marks.pop() {
            let at = self.markdown.trim_end().len();
            self.markdown.insert_str(at, mark);
        }
        self.pending.clear();
        let plain = self.plain.trim().to_string();
        if !plain.is_empty() {
            let markdown = self.markdown.trim().to_string();
            self.lines.push(Line {
                markdown,
                plain,
                item: self.item.take(),
            });
        } else if self.item.is_some() && self.markdown.trim().is_empty() {
            // `<li>` then a nested block: the item's text comes on the next line.
            return;
        }
        self.markdown.clear();
        self.plain.clear();
    }
}
