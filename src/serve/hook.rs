//! The live-reload hook put into every HTML page `lifeboat serve` hands out.
//!
//! A built page carries a strict Content-Security-Policy in a `<meta>` tag: `default-src 'none'`, inline
//! script admitted only by its SHA-256 hash, no `connect-src`. The hook is one more inline `<script>`
//! that asks the server about new builds, so the served copy (never the built file) gets a policy that
//! admits exactly that: the hook's hash is added to `script-src`, and `connect-src 'self'` is added so it
//! may reach the server it came from. Nothing else of the page changes.
//!
//! The hook's text is fixed, so its hash is too; the build generation it was served with travels in a
//! `data-generation` attribute, which the hash does not cover.

use std::sync::Arc;

use super::{csp, Body};
use crate::inline;

/// The script, as it goes between `<script …>` and `</script>`. It builds the error overlay with DOM
/// calls and `textContent` only, and styles it through the CSSOM (which the policy does not restrict).
pub const HOOK_JS: &str = r#"(function () {
  'use strict';
  var me = document.currentScript;
  var gen = Number(me && me.getAttribute('data-generation')) || 0;
  var rev = -1;
  var box = null;
  function hide() {
    if (box) { box.remove(); box = null; }
  }
  function show(errors) {
    hide();
    box = document.createElement('section');
    box.id = 'lifeboat-serve-overlay';
    box.setAttribute('role', 'alert');
    var s = box.style;
    s.position = 'fixed'; s.left = '0'; s.right = '0'; s.bottom = '0'; s.zIndex = '2147483647';
    s.maxHeight = '50vh'; s.overflow = 'auto'; s.margin = '0'; s.padding = '12px 16px';
    s.background = '#fdecea'; s.color = '#7a0d06'; s.borderTop = '4px solid #b3261e';
    s.font = '14px/1.4 system-ui, sans-serif'; s.textAlign = 'left';
    var title = document.createElement('strong');
    title.textContent = 'Lifeboat: ' + errors.length + (errors.length === 1 ? ' error' : ' errors') +
      ' in the content. This page is the last good build; it reloads once the errors are fixed.';
    box.appendChild(title);
    var list = document.createElement('ul');
    errors.forEach(function (e) {
      var item = document.createElement('li');
      var where = e.file ? e.file + (e.line ? ':' + e.line : '') : '';
      if (where) {
        var code = document.createElement('code');
        code.textContent = where;
        item.appendChild(code);
        item.appendChild(document.createTextNode(' '));
      }
      item.appendChild(document.createTextNode(String(e.message)));
      list.appendChild(item);
    });
    box.appendChild(list);
    (document.body || document.documentElement).appendChild(box);
  }
  function apply(status) {
    if (status.generation !== gen) {
      location.reload();
      return false;
    }
    rev = status.revision;
    if (status.errors && status.errors.length) { show(status.errors); } else { hide(); }
    return true;
  }
  function poll(delay) {
    setTimeout(function () {
      var url = rev < 0 ? '/__lifeboat/status'
        : '/__lifeboat/events?since=' + gen + '&rev=' + rev;
      fetch(url, { cache: 'no-store' })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (status) { if (apply(status)) { poll(0); } },
              function () { rev = -1; poll(1000); });
    }, delay);
  }
  poll(0);
})();
"#;

/// Attribute that marks the hook's element.
pub const HOOK_ATTRIBUTE: &str = "data-lifeboat-serve";

/// `sha256-…` of the hook, as it appears in the served policy.
pub fn hook_hash() -> String {
    inline::hash(HOOK_JS)
}

fn element(generation: u64) -> String {
    format!("<script {HOOK_ATTRIBUTE} data-generation=\"{generation}\">{HOOK_JS}</script>")
}

/// The served copy of a built HTML page: the policy adjusted to admit the hook, and the hook put just
/// before the end tag of the body (or at the end when there is none).
pub fn inject(html: &str, generation: u64) -> String {
    csp::rewrite(html, &hook_hash(), &element(generation))
}

/// [`inject`] for a page of the build, as pieces that share the built bytes (`None`: not UTF-8).
pub fn serve(page: &Arc<Vec<u8>>, generation: u64) -> Option<Body> {
    let html = std::str::from_utf8(page).ok()?;
    let csp::Splice {
        head,
        fed,
        script_at,
    } = csp::splice(html, &hook_hash());
    let head = Arc::new(head);
    let script = Arc::new(element(generation).into_bytes());
    let mut body = Body::default();
    match script_at {
        csp::ScriptAt::Head(at) => {
            body.push(&head, 0..at);
            body.push(&script, 0..script.len());
            body.push(&head, at..head.len());
            body.push(page, fed..page.len());
        }
        csp::ScriptAt::Page(at) => {
            body.push(&head, 0..head.len());
            body.push(page, fed..at);
            body.push(&script, 0..script.len());
            body.push(page, at..page.len());
        }
    }
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::{Digest, Sha256};

    const PAGE: &str = "<!doctype html><html lang=en><head><meta charset=utf-8><meta content=\"default-src 'none'; script-src 'sha256-AAA='; style-src 'sha256-BBB='; img-src data: blob:; base-uri 'none'; form-action 'none'\" http-equiv=Content-Security-Policy><title>T</title></head><body><p>x</p><script>app()</script></body></html>";

    fn policy_of(html: &str) -> String {
        let start = html.find("<meta content=\"").unwrap() + "<meta content=\"".len();
        let end = start + html[start..].find('"').unwrap();
        html_escape::decode_html_entities(&html[start..end]).into_owned()
    }

    #[test]
    fn hash_is_the_sha256_of_the_hook_text() {
        let digest = Sha256::digest(HOOK_JS.as_bytes());
        let expected = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert_eq!(hook_hash(), expected);
    }

    #[test]
    fn injection_adds_the_hook_and_admits_exactly_it() {
        let served = inject(PAGE, 7);
        let element = format!("<script {HOOK_ATTRIBUTE} data-generation=\"7\">{HOOK_JS}</script>");
        assert!(served.ends_with(&format!("{element}</body></html>")));
        assert_eq!(
            policy_of(&served),
            format!(
                "default-src 'none'; script-src 'sha256-AAA=' '{}'; style-src 'sha256-BBB='; img-src data: blob:; base-uri 'none'; form-action 'none'; connect-src 'self'",
                hook_hash()
            )
        );
        // Apart from the policy and the hook, the page is the same.
        let back = served
            .replace(&element, "")
            .replace(&format!(" '{}'", hook_hash()), "");
        assert_eq!(back.replace("; connect-src 'self'", ""), PAGE);
    }

    #[test]
    fn policy_without_script_src_gets_one_from_default_src() {
        let page = "<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;; style-src &#x27;sha256-S=&#x27;\"></head><body></body></html>";
        let served = inject(page, 1);
        let start = served.find("content=").unwrap() + "content=".len();
        let end = served[start + 1..].find('"').unwrap() + start + 2;
        assert_eq!(
            html_escape::decode_html_entities(&served[start + 1..end - 1]),
            format!(
                "default-src 'none'; style-src 'sha256-S='; script-src '{}'; connect-src 'self'",
                hook_hash()
            )
        );
    }

    #[test]
    fn pages_without_a_policy_or_body_still_get_the_hook() {
        let served = inject("<p>hello", 3);
        assert!(served.starts_with("<p>hello<script data-lifeboat-serve data-generation=\"3\">"));
        assert!(served.ends_with("</script>"));
    }

    #[test]
    fn hook_stays_inside_its_element_and_never_uses_inner_html() {
        assert!(!HOOK_JS.to_ascii_lowercase().contains("</script"));
        assert!(!HOOK_JS.contains("innerHTML"));
        assert!(!HOOK_JS.contains("insertAdjacentHTML"));
        assert!(HOOK_JS.contains("textContent"));
    }
}
