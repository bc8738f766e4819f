//! The served copy of a page, rewritten by `lol_html`: the Content-Security-Policy `<meta>` of the head
//! admits one more inline script (by hash) and lets scripts connect to their own origin, and that
//! script is put at the end of the body; see `super::hook` for why. Only the `content` value of a CSP
//! tag changes, and the rest of the page is passed through byte for byte.
//!
//! Only the head is tokenized: once the head has ended (its end tag or the body's start tag), the rest
//! of the page, which holds an entry point's payload and images (up to hundreds of MB), is left as it
//! is, and is served from the built bytes without a copy ([`Splice`]). The script goes before the
//! page's last `</body` end tag, which in a page Lifeboat builds is its own (its data never holds `</`
//! unescaped), or at the very end when there is none; an HTML parser puts anything after `</body>`
//! into the body all the same.

use std::cell::Cell;
use std::rc::Rc;

use lol_html::{element, EndTagHandler, HtmlRewriter, Settings};

/// How much of the page is handed to the tokenizer at a time while the head lasts.
const CHUNK: usize = 64 * 1024;

/// How the served copy of a page is made from the built one: `head` (the page's first `fed` bytes with
/// their policies rewritten), then the rest of the page, with the script at `script_at`.
#[derive(Debug)]
pub struct Splice {
    pub head: Vec<u8>,
    pub fed: usize,
    pub script_at: ScriptAt,
}

/// Where the script goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptAt {
    /// At this offset of [`Splice::head`] (the end tag is in the part the tokenizer saw).
    Head(usize),
    /// At this offset of the built page, at or after [`Splice::fed`].
    Page(usize),
}

/// How to serve `html` with the `content` of every CSP `<meta>` in its head rewritten so that the policy
/// admits `hash` as a script and lets scripts connect to their own origin, and with a script before the
/// end tag of the body, or at the end when there is none.
pub fn splice(html: &str, hash: &str) -> Splice {
    let mut head = Vec::new();
    // Should the rewriter fail (it cannot without a memory limit), the page is served as built.
    let fed = rewrite_head(html, hash, &mut head).unwrap_or_else(|| {
        head.clear();
        0
    });
    // The tokenized part differs from the page only inside the head's policies, before the body's end.
    let script_at = match last_body_end(html) {
        Some(at) if at >= fed => ScriptAt::Page(at),
        Some(at) => ScriptAt::Head((at + head.len()).saturating_sub(fed).min(head.len())),
        None => ScriptAt::Page(html.len()),
    };
    Splice {
        head,
        fed,
        script_at,
    }
}

/// `html` as [`splice`] serves it, with `script` (markup), in one string.
pub fn rewrite(html: &str, hash: &str, script: &str) -> String {
    let Splice {
        head,
        fed,
        script_at,
    } = splice(html, hash);
    let head = String::from_utf8_lossy(&head);
    let rest = &html[fed..];
    match script_at {
        ScriptAt::Head(at) => format!("{}{script}{}{rest}", &head[..at], &head[at..]),
        ScriptAt::Page(at) => {
            let at = at - fed;
            format!("{head}{}{script}{}", &rest[..at], &rest[at..])
        }
    }
}

/// Writes the page, with the policies of its head rewritten, to `out` up to where the head ended (or the
/// whole page), and says how much of `html` that covers; `None` if the rewriter failed.
fn rewrite_head(html: &str, hash: &str, out: &mut Vec<u8>) -> Option<usize> {
    // A `<meta>` counts until the head ends, by its end tag or by the body's start.
    let in_head = Rc::new(Cell::new(true));
    let settings = Settings {
        element_content_handlers: vec![
            element!("head", |el| {
                if let Some(handlers) = el.end_tag_handlers() {
                    let in_head = in_head.clone();
                    let ended: EndTagHandler<'static> = Box::new(move |_| {
                        in_head.set(false);
                        Ok(())
                    });
                    handlers.push(ended);
                }
                Ok(())
            }),
            element!("meta", |el| {
                if !in_head.get() {
                    return Ok(());
                }
                let is_csp = el
                    .get_attribute("http-equiv")
                    .is_some_and(|v| decode(&v).eq_ignore_ascii_case("content-security-policy"));
                if let Some(content) = el.get_attribute("content").filter(|_| is_csp) {
                    let policy = allow_hook(&decode(&content), hash);
                    el.set_attribute(
                        "content",
                        &html_escape::encode_double_quoted_attribute(&policy),
                    )?;
                }
                Ok(())
            }),
            element!("body", |_| {
                in_head.set(false);
                Ok(())
            }),
        ],
        ..Settings::new()
    };
    let bytes = html.as_bytes();
    let mut fed = 0;
    let mut rewriter = HtmlRewriter::new(settings, |chunk: &[u8]| out.extend_from_slice(chunk));
    while fed < bytes.len() && in_head.get() {
        // Chunks end on character boundaries, so that the rest stays text.
        let mut end = (fed + CHUNK).min(bytes.len());
        while !html.is_char_boundary(end) {
            end += 1;
        }
        rewriter.write(&bytes[fed..end]).ok()?;
        fed = end;
    }
    rewriter.end().ok()?;
    Some(fed)
}

/// Where the last `</body` end tag (any case) starts, looking from the end of the page.
fn last_body_end(html: &str) -> Option<usize> {
    html.rmatch_indices("</").map(|(at, _)| at).find(|&at| {
        html.as_bytes()[at..]
            .get(..6)
            .is_some_and(|tag| tag.eq_ignore_ascii_case(b"</body"))
    })
}

fn decode(value: &str) -> String {
    html_escape::decode_html_entities(value).into_owned()
}

/// The policy with `hash` added to the script sources and `'self'` to the connect sources. A directive
/// that was absent but would have fallen back to `default-src` is added; with no `default-src` there is
/// nothing to loosen.
pub fn allow_hook(policy: &str, hash: &str) -> String {
    let mut directives: Vec<(String, Vec<String>)> = policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_ascii_whitespace();
            let name = words.next()?.to_string();
            Some((name, words.map(str::to_string).collect()))
        })
        .collect();
    let default = directives
        .iter()
        .find(|d| d.0.eq_ignore_ascii_case("default-src"))
        .map(|d| d.1.clone());
    let hash_source = format!("'{hash}'");
    for (name, added, fallback) in [
        ("script-src", &hash_source, true),
        ("script-src-elem", &hash_source, false),
        ("connect-src", &"'self'".to_string(), true),
    ] {
        match directives
            .iter_mut()
            .find(|d| d.0.eq_ignore_ascii_case(name))
        {
            Some((_, sources)) => add_source(sources, added),
            None if fallback && default.is_some() => {
                let mut sources = if name == "script-src" {
                    default.clone().unwrap_or_default()
                } else {
                    Vec::new()
                };
                add_source(&mut sources, added);
                directives.push((name.to_string(), sources));
            }
            None => {}
        }
    }
    directives
        .iter()
        .map(|(name, sources)| {
            std::iter::once(name.as_str())
                .chain(sources.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn add_source(sources: &mut Vec<String>, source: &str) {
    sources.retain(|s| !s.eq_ignore_ascii_case("'none'"));
    if !sources.iter().any(|s| s == source) {
        sources.push(source.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_extended_not_replaced() {
        assert_eq!(
            allow_hook(
                "default-src 'none'; script-src 'sha256-A='; connect-src 'none'",
                "sha256-H="
            ),
            "default-src 'none'; script-src 'sha256-A=' 'sha256-H='; connect-src 'self'"
        );
        assert_eq!(
            allow_hook("script-src 'sha256-A='", "sha256-H="),
            "script-src 'sha256-A=' 'sha256-H='"
        );
        assert_eq!(allow_hook("img-src data:", "sha256-H="), "img-src data:");
    }

    fn policies(html: &str) -> Vec<String> {
        html.match_indices("content=\"")
            .map(|(at, found)| {
                let value = &html[at + found.len()..];
                decode(&value[..value.find('"').unwrap()])
            })
            .collect()
    }

    #[test]
    fn attribute_values_are_read_quoted_or_not() {
        let page = "<head><meta content='script-src a' http-equiv=\"content-security-policy\"><meta http-equiv=Content-Security-Policy content=script-src&#x20;&#x27;b&#x27;&amp;></head>";
        assert_eq!(
            policies(&rewrite(page, "sha256-X", "")),
            ["script-src a 'sha256-X'", "script-src 'b'& 'sha256-X'"]
        );
    }

    #[test]
    fn markup_in_scripts_comments_and_quotes_is_not_a_tag() {
        let page = "<head><script>var s = \"<meta http-equiv=content-security-policy content='x'>\";</script><!-- <meta http-equiv=content-security-policy content=y> --><meta title=\"a>b\" http-equiv=content-security-policy content=\"script-src 'self'\"></head><body></body>";
        let served = rewrite(page, "sha256-X", "");
        assert_eq!(served, page.replace("'self'\"", "'self' 'sha256-X'\""));
    }

    #[test]
    fn a_meta_outside_the_head_is_left_alone() {
        for page in [
            "<head></head><body><meta http-equiv=content-security-policy content=\"default-src 'none'\"></body>",
            "<body><meta http-equiv=content-security-policy content=\"default-src 'none'\"></body>",
        ] {
            assert_eq!(rewrite(page, "sha256-X", ""), page);
        }
    }

    #[test]
    fn a_long_page_is_passed_through_after_its_head() {
        // A head that ends in the second chunk, then a body of many chunks: the policy is rewritten and
        // every byte after it is the same.
        let filler = "x".repeat(CHUNK - 20);
        let body = "<p>é</p>".repeat(CHUNK);
        let page = format!("<!doctype html><html><head><title>{filler}</title><meta http-equiv=content-security-policy content=\"script-src 'self'\"></head><body>{body}</body></html>");
        let plan = splice(&page, "sha256-X");
        assert!(plan.fed < 3 * CHUNK, "the body is not tokenized");
        assert!(matches!(plan.script_at, ScriptAt::Page(_)));
        let served = rewrite(&page, "sha256-X", "<script>hook()</script>");
        let expected = page
            .replace("'self'\"", "'self' 'sha256-X'\"")
            .replace("</body></html>", "<script>hook()</script></body></html>");
        assert_eq!(served, expected);
    }

    #[test]
    fn the_script_goes_before_the_last_body_end_tag_or_at_the_end() {
        assert_eq!(
            rewrite("<body><p>a</p></BODY>\n</html>\n", "h", "<s>"),
            "<body><p>a</p><s></BODY>\n</html>\n"
        );
        assert_eq!(rewrite("<p>hello", "h", "<s>"), "<p>hello<s>");
        assert_eq!(rewrite("", "h", "<s>"), "<s>");
        // The end tag across the end of the tokenized part.
        let across = format!(
            "<head><title>{}</title></head><body></body>",
            "x".repeat(CHUNK - 37)
        );
        let at = across.find("</body>").unwrap();
        assert!(at < CHUNK && at + 7 > CHUNK);
        assert_eq!(
            rewrite(&across, "h", "<s>"),
            across.replace("</body>", "<s></body>")
        );
        let short = "<head><meta http-equiv=content-security-policy content=\"script-src a\"></head><body>b</body>";
        assert_eq!(
            rewrite(short, "h", "<s>"),
            short
                .replace("a\"", "a 'h'\"")
                .replace("</body>", "<s></body>")
        );
    }

    #[test]
    fn odd_markup_does_not_panic() {
        for page in [
            "<head><meta",
            "<head><meta http-equiv=content-security-policy content=",
            "<head><meta http-equiv=content-security-policy content=\"x",
            "<head><meta http-equiv='content-security-policy' content='&#xFFFFFFFF; &#;&' >",
            "<head><META HTTP-EQUIV=CONTENT-SECURITY-POLICY CONTENT=é>",
        ] {
            let _ = rewrite(page, "sha256-X", "<script></script>");
        }
    }
}
