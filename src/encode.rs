//! Text encodings every stage uses: HTML escaping and lowercase hex. One of each, so that an attribute
//! escaped by the renderer and one escaped by the contingency document never differ.

/// Escapes text for HTML element content or a quoted attribute value (double or single quotes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Lowercase hexadecimal of `bytes`, two digits a byte (as `sha256sum` prints a digest).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, hex};

    #[test]
    fn escapes_every_character_that_ends_text_or_an_attribute() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>Q&A</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Q&amp;A&lt;/a&gt;"
        );
        assert_eq!(escape("déjà vu"), "déjà vu");
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }
}
