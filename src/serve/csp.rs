//! The served copy of a page, rewritten by `lol_html`: the Content-Security-Policy `<meta>` of the head
//! admits one more inline script (by hash) and lets scripts connect to their own origin, and that
//! script is put at the end of the body; see `super::hook` for why. Only the `content` value of a CSP
//! tag changes, and the rest of the page is passed through byte for byte.

use std::cell::Cell;
use std::rc::Rc;

use lol_html::html_content::ContentType;
use lol_html::{element, end, rewrite_str, EndTagHandler, RewriteStrSettings};

/// `html` with the `content` of every CSP `<meta>` in the head rewritten so that the policy admits
/// `hash` as a script and lets scripts connect to their own origin, and with `script` (markup) put
/// before the end tag of the body, or at the end when there is none.
pub fn rewrite(html: &str, hash: &str, script: &str) -> String {
    // A `<meta>` counts until the head ends, by its end tag or by the body's start.
    let in_head = Rc::new(Cell::new(true));
    let placed = Rc::new(Cell::new(false));
    let settings = RewriteStrSettings {
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
            element!("body", |el| {
                in_head.set(false);
                if let Some(handlers) = el.end_tag_handlers() {
                    let (placed, script) = (placed.clone(), script.to_string());
                    let place: EndTagHandler<'static> = Box::new(move |end| {
                        if !placed.replace(true) {
                            end.before(&script, ContentType::Html);
                        }
                        Ok(())
                    });
                    handlers.push(place);
                }
                Ok(())
            }),
        ],
        document_content_handlers: vec![end!(|end| {
            if !placed.replace(true) {
                end.append(script, ContentType::Html);
            }
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    // Without a memory limit, rewriting a string cannot fail; should it, the page is served as built.
    rewrite_str(html, settings).unwrap_or_else(|_| format!("{html}{script}"))
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
