//! Twine 2 HTML, an archive or a published story: `<tw-storydata name startnode>` holding
//! `<tw-passagedata pid name tags>` passages. Read with html5ever's tokenizer (the sanitizer's), so a
//! published story's format code (`<script>`) is read as the raw text it is and skipped.

use std::cell::RefCell;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::Passage;

pub struct Archive {
    pub name: Option<String>,
    pub start_pid: Option<String>,
    pub passages: Vec<Passage>,
}

#[derive(Default)]
struct Sink {
    story: RefCell<Option<(Option<String>, Option<String>)>>,
    passages: RefCell<Vec<Passage>>,
    /// The passage being read.
    open: RefCell<Option<Passage>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let attr = |name: &str| {
                    tag.attrs
                        .iter()
                        .find(|a| &*a.name.local == name)
                        .map(|a| a.value.to_string())
                };
                match (&*tag.name, tag.kind) {
                    ("tw-storydata", TagKind::StartTag) => {
                        let mut story = self.story.borrow_mut();
                        if story.is_none() {
                            *story = Some((attr("name"), attr("startnode")));
                        }
                    }
                    ("tw-passagedata", TagKind::StartTag) => {
                        *self.open.borrow_mut() = Some(Passage {
                            name: attr("name").unwrap_or_default(),
                            tags: attr("tags")
                                .unwrap_or_default()
                                .split_whitespace()
                                .map(str::to_string)
                                .collect(),
                            text: String::new(),
                            line: line as usize,
                            pid: attr("pid"),
                        });
                    }
                    ("tw-passagedata", TagKind::EndTag) => {
                        if let Some(p) = self.open.borrow_mut().take() {
                            self.passages.borrow_mut().push(p);
                        }
                    }
                    ("script", TagKind::StartTag) => {
                        return TokenSinkResult::RawData(RawKind::ScriptData)
                    }
                    ("style" | "xmp" | "iframe" | "noembed" | "noframes", TagKind::StartTag) => {
                        return TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    ("title" | "textarea", TagKind::StartTag) => {
                        return TokenSinkResult::RawData(RawKind::Rcdata)
                    }
                    _ => {}
                }
            }
            Token::CharacterTokens(text) => {
                if let Some(p) = self.open.borrow_mut().as_mut() {
                    p.text.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The story in some Twine 2 HTML; a problem as (line, message).
pub fn read(html: &str) -> Result<Archive, (usize, String)> {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = &tokenizer.sink;
    let Some((name, start_pid)) = sink.story.take() else {
        return Err((1, "no `<tw-storydata>` element: not a Twine 2 story".into()));
    };
    let mut passages = sink.passages.take();
    passages.extend(sink.open.take());
    // A passage's text starts on its tag's line, unless it starts with a line break.
    for p in &mut passages {
        if let Some(rest) = p.text.strip_prefix('\n') {
            p.text = rest.to_string();
            p.line += 1;
        }
    }
    Ok(Archive {
        name: name.filter(|n| !n.trim().is_empty()),
        start_pid,
        passages,
    })
}
