//! The HTML allow-list shared by rendering (which cleans every node) and checking (which warns about raw
//! HTML that cleaning will remove).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

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
pub fn removed_by_sanitizer(raw: &str) -> Vec<String> {
    let builder = sanitizer();
    let tags = builder.clone_tags();
    let tag_attributes = builder.clone_tag_attributes();
    let generic = builder.clone_generic_attributes();
    let schemes = builder.clone_url_schemes();
    let mut removed = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let inside = &rest[name_end..tag_end];
        if !tags.contains(name.as_str()) {
            removed.push(format!("<{name}>"));
            rest = &rest[tag_end..];
            continue;
        }
        for (attr, value) in attributes(inside) {
            let allowed = generic.contains(attr.as_str())
                || tag_attributes
                    .get(name.as_str())
                    .is_some_and(|set| set.contains(attr.as_str()));
            if !allowed {
                removed.push(format!("{attr}= on <{name}>"));
            } else if matches!(attr.as_str(), "href" | "src" | "cite") {
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
        rest = &rest[tag_end..];
    }
    removed
}

/// Attribute names (lowercase) and raw values of the inside of a start tag.
fn attributes(inside: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let bytes = inside.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && bytes[i] != b'='
            && bytes[i] != b'/'
        {
            i += 1;
        }
        if start == i {
            break;
        }
        let name = inside[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let v_start = i + 1;
                i = v_start;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = inside[v_start..i.min(inside.len())].to_string();
                i += 1;
            } else {
                let v_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = inside[v_start..i].to_string();
            }
        }
        out.push((name, value));
    }
    out
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
