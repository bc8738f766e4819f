//! The HTML allow-list shared by rendering (which cleans every node) and checking (which warns about raw
//! HTML that cleaning will remove).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Tag, TagKind, Token, TokenSink, TokenSinkResult};

/// The allow-list every piece of content HTML goes through: no script, handler, frame, form, style or
/// remote resource survives.
pub fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["aside", "section", "input"]);
        b.rm_tags(["img"]).add_tags(["img"]);
        let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
        attrs.insert(
            "img",
            ["alt", "title", "data-lb-img", "width", "height"].into(),
        );
        attrs.insert("input", ["type", "checked", "disabled"].into());
        attrs.insert("a", ["href", "title"].into());
        attrs.insert("aside", ["role"].into());
        attrs.insert("ol", ["start"].into());
        attrs.insert("th", ["colspan", "rowspan"].into());
        attrs.insert("td", ["colspan", "rowspan"].into());
        b.tag_attributes(attrs);
        let classes: BTreeMap<&str, Vec<&str>> = [
            (
                "aside",
                vec![
                    "callout",
                    "callout-caution",
                    "callout-note",
                    "callout-important",
                    "callout-tip",
                    "callout-warning",
                ],
            ),
            ("p", vec!["callout-label", "footnotes-label"]),
            ("sup", vec!["footnote-ref"]),
            ("section", vec!["footnotes"]),
            ("ul", vec!["contains-task-list"]),
            ("li", vec!["task-list-item"]),
        ]
        .into();
        for (tag, list) in classes {
            b.add_allowed_classes(tag, list);
        }
        b.url_schemes(crate::content::links::WEB_SCHEMES.into());
        // Relative links that are not the bundle's own would open files of the desk, or of another
        // machine (`//host`, `\\host`), from a share: removed.
        b.url_relative(ammonia::UrlRelative::Custom(Box::new(bundle_relative)));
        b.link_rel(Some("noopener noreferrer"));
        b.attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") if value != "checkbox" => None,
            ("aside", "role") if value != "note" => None,
            _ => Some(value.into()),
        });
        b
    })
}

fn bundle_relative(href: &str) -> Option<std::borrow::Cow<'_, str>> {
    crate::content::links::is_bundle_href(href).then_some(href.into())
}

/// What raw HTML written by an author loses to the allow-list: tag names, attribute names and URL
/// schemes, in order of appearance. Empty when the snippet survives as written.
///
/// The snippet is read by html5ever's tokenizer, the one ammonia parses with, so a quoted `>` or a
/// character reference in an attribute is read as the sanitizer reads it.
pub fn removed_by_sanitizer(raw: &str) -> Vec<String> {
    let builder = sanitizer();
    let tags = builder.clone_tags();
    let tag_attributes = builder.clone_tag_attributes();
    let generic = builder.clone_generic_attributes();
    let schemes = builder.clone_url_schemes();
    let mut removed = Vec::new();
    for tag in start_tags(raw) {
        let name: &str = &tag.name;
        if !tags.contains(name) {
            removed.push(format!("<{name}>"));
            continue;
        }
        for attribute in &tag.attrs {
            let attr: &str = &attribute.name.local;
            let value: &str = &attribute.value;
            let allowed = generic.contains(attr)
                || tag_attributes
                    .get(name)
                    .is_some_and(|set| set.contains(attr));
            if !allowed {
                removed.push(format!("{attr}= on <{name}>"));
            } else if matches!(attr, "href" | "src" | "cite") {
                let scheme: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let has_scheme = scheme
                    .split_once(':')
                    .filter(|(s, _)| !s.contains('/') && !s.contains('#'));
                match has_scheme {
                    Some((s, _)) if !schemes.contains(s) => removed.push(format!("{s}: link")),
                    Some(_) => {}
                    None if !crate::content::links::is_bundle_href(value.trim()) => {
                        removed.push(format!("link to `{}`", value.trim()));
                    }
                    None => {}
                }
            }
        }
    }
    removed
}

/// The start tags of `html`, in order, with their attributes (names lowercase, values decoded).
fn start_tags(html: &str) -> Vec<Tag> {
    use html5ever::tokenizer::{BufferQueue, Tokenizer};
    let input = BufferQueue::default();
    input.push_back(html.into());
    let tokenizer = Tokenizer::new(StartTags::default(), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.tags.take()
}

/// Collects start tags, and switches the tokenizer to raw text inside the elements whose content is
/// not markup (`<script>`, `<style>`, `<textarea>`…), as the tree builder does.
#[derive(Default)]
struct StartTags {
    tags: RefCell<Vec<Tag>>,
}

impl TokenSink for StartTags {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let next = match &*tag.name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        };
        self.tags.borrow_mut().push(tag);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_what_the_allow_list_drops() {
        assert!(
            removed_by_sanitizer("<b>bold</b> <a href=\"https://example.com\">x</a>").is_empty()
        );
        assert_eq!(
            removed_by_sanitizer("<script>alert(1)</script>"),
            ["<script>"]
        );
        assert_eq!(
            removed_by_sanitizer("<img src=x onerror=alert(1)>"),
            ["src= on <img>", "onerror= on <img>"]
        );
        assert_eq!(
            removed_by_sanitizer("<a href=\"javascript:alert(1)\">x</a>"),
            ["javascript: link"]
        );
        assert_eq!(
            removed_by_sanitizer("<div style=\"color:red\">x</div>"),
            ["style= on <div>"]
        );
    }

    #[test]
    fn a_quoted_greater_than_sign_does_not_end_the_tag() {
        assert_eq!(
            removed_by_sanitizer("<a title=\"a>b\" onclick=\"x()\">x</a>"),
            ["onclick= on <a>"]
        );
        assert_eq!(
            removed_by_sanitizer("<b title='1 > 0' onclick=x()>x</b>"),
            ["onclick= on <b>"]
        );
    }

    #[test]
    fn attribute_values_are_read_as_the_sanitizer_reads_them() {
        // A character reference hides nothing: `&#58;` is the colon of `javascript:`.
        assert_eq!(
            removed_by_sanitizer("<a href=\"javascript&#58;alert(1)\">x</a>"),
            ["javascript: link"]
        );
        // Markup inside a script is its text, not tags.
        assert_eq!(
            removed_by_sanitizer("<script>document.write('<iframe>')</script>"),
            ["<script>"]
        );
    }
}

#[cfg(test)]
mod link_tests {
    #[test]
    fn relative_links_outside_the_bundle_are_removed() {
        let clean = |html: &str| super::sanitizer().clean(html).to_string();
        for bad in [
            "/etc/passwd",
            "//host/x",
            "\\\\host\\share",
            "../../../../etc/shadow",
            "file:///etc/passwd",
            "FILE:x",
        ] {
            let out = clean(&format!("<a href=\"{bad}\">x</a>"));
            assert!(!out.contains("href"), "{bad}: {out}");
        }
        for good in [
            "#/d/n",
            "support.html#/d/n",
            "https://a.example/",
            "tel:+331",
        ] {
            let out = clean(&format!("<a href=\"{good}\">x</a>"));
            assert!(out.contains(&format!("href=\"{good}\"")), "{good}: {out}");
        }
    }
}
