//! Call fields in a node's sanitized HTML: each marker (`content::vars::marker`) becomes the element the
//! viewer fills in during a call (docs/call-assistant.md, "Node HTML"). Done after sanitizing, so the
//! sanitizer never has to allow these attributes, and the markers are letters and digits only, so nothing
//! from the content can forge an attribute through them.

use std::collections::HashMap;

use lol_html::{element, rewrite_str, RewriteStrSettings};

use crate::content::vars::{self, CallKind, MARKER_PREFIX};
use crate::encode::escape;

/// Field name -> label, of one entry point.
pub type Labels<'a> = HashMap<&'a str, &'a str>;

/// `html` with its markers turned into call elements: in text, `<span class="lb-ask" data-lb-ask="x">`
/// and `<span class="lb-call" data-lb-call="x">`; in a link's `href`, the value left empty there and the
/// place for it in `data-lb-href` (`{x}`); in any other attribute, the field's label.
pub fn expand(html: String, labels: &Labels) -> String {
    if !html.contains(MARKER_PREFIX) {
        return html;
    }
    let with_attributes = rewrite_str(
        &html,
        RewriteStrSettings {
            element_content_handlers: vec![element!("*", |el| {
                let marked: Vec<(String, String)> = el
                    .attributes()
                    .iter()
                    .filter(|a| a.value().contains(MARKER_PREFIX))
                    .map(|a| (a.name(), a.value()))
                    .collect();
                for (name, value) in marked {
                    if name == "href" && el.tag_name() == "a" {
                        let template =
                            replace(&value.replace('{', "%7B").replace('}', "%7D"), |m| {
                                format!("{{{}}}", m.name)
                            });
                        el.set_attribute("data-lb-href", &template)?;
                        el.set_attribute("href", &replace(&value, |_| String::new()))?;
                    } else {
                        // lol_html hands attribute values over as written and escapes only `"` on the
                        // way back: the label is escaped here.
                        let shown = replace(&value, |m| {
                            escape(labels.get(m.name.as_str()).copied().unwrap_or(""))
                        });
                        el.set_attribute(&name, &shown)?;
                    }
                }
                Ok(())
            })],
            ..RewriteStrSettings::new()
        },
    )
    // The sanitizer's output always parses; should it ever not, the markers are still replaced below.
    .unwrap_or(html);
    replace(&with_attributes, |m| match m.kind {
        CallKind::Ask => format!("<span class=\"lb-ask\" data-lb-ask=\"{}\"></span>", m.name),
        CallKind::Show => format!(
            "<span class=\"lb-call\" data-lb-call=\"{}\"></span>",
            m.name
        ),
    })
}

/// `text` with each marker replaced by `with(marker)`.
pub fn replace(text: &str, with: impl Fn(&vars::Marker) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for m in vars::markers(text) {
        out.push_str(&text[pos..m.range.start]);
        out.push_str(&with(&m));
        pos = m.range.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The search text of a node: a field's use reads as its label (`{{ call.x }}`) or as nothing (`{{ ask
/// x }}`), never as its marker.
pub fn search_text(text: &str, labels: &Labels) -> String {
    if !text.contains(MARKER_PREFIX) {
        return text.to_string();
    }
    replace(text, |m| match m.kind {
        CallKind::Ask => String::new(),
        CallKind::Show => labels
            .get(m.name.as_str())
            .copied()
            .unwrap_or("")
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::vars::marker;

    fn labels() -> Labels<'static> {
        [("compte", "N° de \"compte\" & co")].into()
    }

    #[test]
    fn markers_in_text_become_elements_the_viewer_fills() {
        let html = format!(
            "<p>Compte : {} puis {}</p>",
            marker(CallKind::Ask, "compte"),
            marker(CallKind::Show, "compte")
        );
        assert_eq!(
            expand(html, &labels()),
            "<p>Compte : <span class=\"lb-ask\" data-lb-ask=\"compte\"></span> puis <span class=\"lb-call\" data-lb-call=\"compte\"></span></p>"
        );
    }

    #[test]
    fn a_link_destination_gets_the_place_for_the_value() {
        let html = format!(
            "<p><a href=\"https://crm.example/a%7Bb%7D?id={}&amp;x=1\" title=\"Fiche {}\">Fiche</a></p>",
            marker(CallKind::Show, "compte"),
            marker(CallKind::Show, "compte")
        );
        let out = expand(html, &labels());
        assert!(
            out.contains("href=\"https://crm.example/a%7Bb%7D?id=&amp;x=1\""),
            "{out}"
        );
        assert!(
            out.contains("data-lb-href=\"https://crm.example/a%7Bb%7D?id={compte}&amp;x=1\""),
            "{out}"
        );
        assert!(
            out.contains("title=\"Fiche N° de &quot;compte&quot; &amp; co\""),
            "the label is escaped in the attribute: {out}"
        );
        assert!(!out.contains(MARKER_PREFIX), "{out}");
    }

    #[test]
    fn html_without_markers_is_returned_as_it_is() {
        let html = "<p>a &amp; b <a href=\"x\">y</a></p>".to_string();
        assert_eq!(expand(html.clone(), &labels()), html);
    }

    #[test]
    fn search_text_reads_labels_not_markers() {
        let text = format!(
            "appeler {} puis {}",
            marker(CallKind::Ask, "compte"),
            marker(CallKind::Show, "compte")
        );
        assert_eq!(
            search_text(&text, &labels()),
            "appeler  puis N° de \"compte\" & co"
        );
    }
}
