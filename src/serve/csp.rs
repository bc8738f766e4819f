//! Adjusting the Content-Security-Policy `<meta>` of a page so that it admits one more inline script
//! (by hash) and lets scripts connect to their own origin; see `super::hook` for why.
//!
//! The markup is read just enough to find the `<meta>` tags of the head and their attributes (quoted or
//! not, with character references); only the `content` value of a CSP tag is rewritten.

/// Rewrites the `content` of every CSP `<meta>` in the head so that the policy admits `hash` as a script
/// and lets scripts connect to their own origin.
pub fn adjust_policies(html: &str, hash: &str) -> String {
    let head_end = find_ignore_case(html, "</head")
        .or_else(|| find_ignore_case(html, "<body"))
        .unwrap_or(html.len());
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut from = 0;
    while from < head_end {
        let Some(found) = find_ignore_case(&html[from..head_end], "<meta") else {
            break;
        };
        let start = from + found + "<meta".len();
        let (attributes, end) = parse_attributes(html, start);
        let is_csp = attributes.iter().any(|a| {
            a.name.eq_ignore_ascii_case("http-equiv")
                && decode_entities(a.raw_value(html))
                    .eq_ignore_ascii_case("content-security-policy")
        });
        if is_csp {
            if let Some(content) = attributes
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case("content"))
            {
                let policy = allow_hook(&decode_entities(content.raw_value(html)), hash);
                edits.push((
                    content.value_span.clone(),
                    format!("\"{}\"", escape(&policy)),
                ));
            }
        }
        from = end.max(start);
    }
    let mut out = html.to_string();
    for (span, text) in edits.into_iter().rev() {
        out.replace_range(span, &text);
    }
    out
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

/// One attribute of a tag: its name and where its value is (quotes included).
struct Attribute {
    name: String,
    value_span: std::ops::Range<usize>,
}

impl Attribute {
    fn raw_value<'a>(&self, html: &'a str) -> &'a str {
        let raw = html.get(self.value_span.clone()).unwrap_or("");
        let unquoted = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')));
        unquoted.unwrap_or(raw)
    }
}

/// Reads the attributes of a tag from just after its name; returns them and the offset after the `>`.
fn parse_attributes(html: &str, mut i: usize) -> (Vec<Attribute>, usize) {
    let bytes = html.as_bytes();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attributes, i);
        }
        if bytes[i] == b'>' {
            return (attributes, i + 1);
        }
        let name_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = html.get(name_start..i).unwrap_or("").to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            attributes.push(Attribute {
                name,
                value_span: i..i,
            });
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value_start = i;
        match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
            }
            _ => {
                while i < bytes.len() && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
        }
        attributes.push(Attribute {
            name,
            value_span: value_start..i,
        });
    }
}

/// Decodes the character references an attribute value may hold.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    match name {
                        "amp" => Some(u32::from('&')),
                        "quot" => Some(u32::from('"')),
                        "apos" => Some(u32::from('\'')),
                        "lt" => Some(u32::from('<')),
                        "gt" => Some(u32::from('>')),
                        _ => None,
                    }
                };
            Some((char::from_u32(code?)?, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for a double-quoted attribute value or element content.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(crate) fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    if n == 0 {
        return None;
    }
    haystack
        .as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

pub(crate) fn rfind_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    if n == 0 {
        return None;
    }
    haystack
        .as_bytes()
        .windows(n)
        .rposition(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
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

    #[test]
    fn attribute_values_are_read_quoted_or_not() {
        let tag = "<meta a=1 b='two' c=\"3 &amp; 4\" d>";
        let (attributes, end) = parse_attributes(tag, "<meta".len());
        assert_eq!(end, tag.len());
        let values: Vec<(String, String)> = attributes
            .iter()
            .map(|a| (a.name.clone(), decode_entities(a.raw_value(tag))))
            .collect();
        assert_eq!(
            values,
            [("a", "1"), ("b", "two"), ("c", "3 & 4"), ("d", "")]
                .map(|(n, v)| (n.to_string(), v.to_string()))
        );
    }

    #[test]
    fn a_meta_outside_the_head_is_left_alone() {
        let page = "<head></head><body><meta http-equiv=content-security-policy content=\"default-src 'none'\"></body>";
        let served = adjust_policies(page, "sha256-X");
        assert_eq!(served, page);
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
            let _ = adjust_policies(page, "sha256-X");
        }
        assert_eq!(decode_entities("&#x27;a&amp;b&zz;&"), "'a&b&zz;&");
    }
}
