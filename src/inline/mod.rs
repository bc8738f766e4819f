//! Assembling one self-contained file: minified shell, inlined CSS and script, the payload, each image
//! once, and a Content-Security-Policy that allows exactly what is inlined and nothing from the network.

use std::io::{self, Write};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::check::images::ImageStore;
use crate::render::RenderedEntry;

pub const STYLE_MARKER: &str = "@@LB_STYLE@@";
pub const DATA_MARKER: &str = "@@LB_DATA@@";
pub const IMAGES_MARKER: &str = "@@LB_IMAGES@@";
pub const SCRIPT_MARKER: &str = "@@LB_SCRIPT@@";

#[derive(Debug, thiserror::Error)]
pub enum InlineError {
    #[error("theme stylesheet: {0}")]
    Css(String),
    #[error("the page template must contain `{0}` exactly once (found {1})")]
    Marker(&'static str, usize),
    #[error("the page template could not be minified: {0}")]
    Minify(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The theme's style and script as they go into every page, with the policy that admits them.
#[derive(Debug, Clone)]
pub struct Assets {
    pub css: String,
    pub js: String,
    pub csp: String,
}

impl Assets {
    pub fn new(css: &str, js: &str) -> Result<Assets, InlineError> {
        let css = minify_css(css)?;
        // `</script` inside the script would end the element early.
        let js = js.replace("</script", "<\\/script");
        let csp = format!(
            "default-src 'none'; script-src '{}'; style-src '{}'; img-src data: blob:; base-uri 'none'; form-action 'none'",
            hash(&js),
            hash(&css)
        );
        Ok(Assets { css, js, csp })
    }
}

/// `sha256-…` source expression of an inline element's exact text.
pub fn hash(text: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The stylesheet as it goes into a page (`theme::minify_css`).
pub fn minify_css(css: &str) -> Result<String, InlineError> {
    crate::theme::minify_css(css).map_err(InlineError::Css)
}

/// A JSON payload packed as it goes into `#lb-nodes` and `#lb-more` of an open entry point: zlib
/// (RFC 1950, DEFLATE at the fastest level), then base64. The JSON of a 5,000-node entry point takes about four times less
/// room; the viewer unpacks it with the browser's `DecompressionStream` (docs/viewer-contract.md).
pub fn pack(json: &str) -> io::Result<String> {
    pack_at(json, flate2::Compression::fast())
}

/// [`pack`] at zlib's default level, for a text packed once and carried by many files (the bundle
/// index's segments, `render::search_index`): about half the size of the fastest level on a
/// 5,000-node entry point's segment, for a few tens of milliseconds once per build.
pub fn pack_shared(json: &str) -> io::Result<String> {
    pack_at(json, flate2::Compression::default())
}

fn pack_at(json: &str, level: flate2::Compression) -> io::Result<String> {
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::with_capacity(json.len() / 4), level);
    deflate.write_all(json.as_bytes())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(deflate.finish()?))
}

/// Writes an open entry point's file into `w`: the page with its packed payload, then each image it
/// shows, read from the content folder one at a time and written as base64. Returns where its
/// `#lb-bundle` element is (first byte, byte after it; the same twice when it has none), so that the
/// next build can replace just that element (`package::cache`).
pub fn assemble(
    entry: &RenderedEntry,
    assets: &Assets,
    images: &ImageStore,
    w: &mut dyn Write,
) -> Result<[u64; 2], InlineError> {
    let nodes = entry.nodes_json.as_deref().map(pack).transpose()?;
    let more = entry.more_json.as_deref().map(pack).transpose()?;
    let written = std::cell::Cell::new(0u64);
    let mut siblings_at = [0u64; 2];
    let mut write_images = |w: &mut dyn Write| -> io::Result<()> {
        if let Some(nodes) = &nodes {
            w.write_all(b"<script id=\"lb-nodes\" type=\"application/json\">")?;
            w.write_all(nodes.as_bytes())?;
            w.write_all(b"</script>")?;
        }
        if let Some(more) = &more {
            w.write_all(b"<script id=\"lb-more\" type=\"application/json\">")?;
            w.write_all(more.as_bytes())?;
            w.write_all(b"</script>")?;
        }
        siblings_at[0] = written.get();
        w.write_all(siblings_element(&entry.siblings).as_bytes())?;
        siblings_at[1] = written.get();
        let mut text = String::new();
        for id in &entry.images {
            if let Some(image) = images.get(id) {
                let bytes = image.read()?;
                text.clear();
                text.push_str(&format!(
                    "<script type=\"application/octet-stream\" id=\"lb-img-{}\" data-mime=\"{}\">",
                    image.id, image.mime
                ));
                base64::engine::general_purpose::STANDARD.encode_string(&bytes, &mut text);
                text.push_str("</script>");
                w.write_all(text.as_bytes())?;
            }
        }
        Ok(())
    };
    // With its nodes in `#lb-nodes`, the payload is small and stays plain JSON: the viewer parses it
    // and shows the home page inside its own script, before the browser reads on (a packed one is
    // unpacked by a stream, whose tasks the parsing of the rest of the file holds back in WebKit and
    // Firefox).
    let data = &entry.data_json;
    let mut counted = Counted {
        inner: w,
        written: &written,
    };
    write_page(&entry.shell, assets, data, &mut write_images, &mut counted)?;
    Ok(siblings_at)
}

/// A writer that counts the bytes written through it.
struct Counted<'a> {
    inner: &'a mut dyn Write,
    written: &'a std::cell::Cell<u64>,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.set(self.written.get() + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `#lb-bundle`, the packed bundle index of the other open entry points (none: no element). Base64
/// and spaces only, so nothing in it can end the element.
pub fn siblings_element(siblings: &str) -> String {
    if siblings.is_empty() {
        return String::new();
    }
    format!("<script id=\"lb-bundle\" type=\"application/json\">{siblings}</script>")
}

/// Puts the style, the payload, what stands for the images and the script into the minified shell.
/// A locked entry point (`crate::access`) passes its public payload and its `#lb-locked` element.
pub fn fill(
    shell: &str,
    assets: &Assets,
    data_json: &str,
    image_html: &str,
) -> Result<Vec<u8>, InlineError> {
    let mut out = Vec::with_capacity(shell.len() + data_json.len() + image_html.len() + 65536);
    let mut images = |w: &mut dyn Write| w.write_all(image_html.as_bytes());
    write_page(shell, assets, data_json, &mut images, &mut out)?;
    Ok(out)
}

/// Writes the minified shell with its four markers replaced; `images` writes what stands for the images.
fn write_page(
    shell: &str,
    assets: &Assets,
    data_json: &str,
    images: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    w: &mut dyn Write,
) -> Result<(), InlineError> {
    let shell = minify_shell(shell)?;
    let parts: [(&str, Option<&str>); 4] = [
        (STYLE_MARKER, Some(&assets.css)),
        (DATA_MARKER, Some(data_json)),
        (IMAGES_MARKER, None),
        (SCRIPT_MARKER, Some(&assets.js)),
    ];
    let mut found = Vec::new();
    for (marker, value) in parts {
        let positions: Vec<usize> = shell.match_indices(marker).map(|(i, _)| i).collect();
        if positions.len() != 1 {
            return Err(InlineError::Marker(marker, positions.len()));
        }
        found.push((positions[0], marker.len(), value));
    }
    found.sort_by_key(|f| f.0);
    let mut pos = 0;
    for (at, len, value) in found {
        w.write_all(&shell.as_bytes()[pos..at])?;
        match value {
            Some(text) => w.write_all(text.as_bytes())?,
            None => images(w)?,
        }
        pos = at + len;
    }
    w.write_all(&shell.as_bytes()[pos..])?;
    Ok(())
}

fn minify_shell(shell: &str) -> Result<String, InlineError> {
    let mut cfg = minify_html::Cfg::new();
    cfg.minify_css = false;
    cfg.minify_js = false;
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.do_not_minify_doctype = true;
    cfg.keep_spaces_between_attributes = true;
    cfg.ensure_spec_compliant_unquoted_attribute_values = true;
    let out = minify_html::minify(shell.as_bytes(), &cfg);
    String::from_utf8(out).map_err(|e| InlineError::Minify(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_is_minified_and_hashed_exactly() {
        let assets = Assets::new("body {  color : red ; }\n", "console.log(1)").unwrap();
        assert_eq!(assets.css, "body{color:red}");
        assert!(assets.csp.contains(&hash("body{color:red}")));
        assert!(assets.csp.starts_with("default-src 'none';"));
        assert!(!assets.csp.contains("unsafe-inline"));
    }

    #[test]
    fn packed_payloads_inflate_to_the_same_json() {
        use std::io::Read;
        let json = r#"{"diagrams":[{"id":"a","nodes":[{"id":"x","html":"<p>Bonjour \u003c/script></p>"}]}]}"#
            .repeat(50);
        let packed = pack(&json).unwrap();
        assert!(
            !packed.starts_with('{') && packed.len() < json.len() / 4,
            "{packed}"
        );
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&packed)
            .unwrap();
        let mut back = String::new();
        flate2::read::ZlibDecoder::new(&bytes[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, json);
    }

    #[test]
    fn markers_survive_minification() {
        let shell = "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n  <style>@@LB_STYLE@@</style>\n</head>\n<body>\n  <p>  Hi  </p>\n<script id=\"lb-data\" type=\"application/json\">@@LB_DATA@@</script>\n@@LB_IMAGES@@\n<script>@@LB_SCRIPT@@</script>\n</body></html>";
        let min = minify_shell(shell).unwrap();
        for m in [STYLE_MARKER, DATA_MARKER, IMAGES_MARKER, SCRIPT_MARKER] {
            assert_eq!(min.matches(m).count(), 1, "{m} in {min}");
        }
    }
}
