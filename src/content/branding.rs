//! The branding values of `site.toml`, parsed once at load: the accent colours as RGB and the logo as a
//! checked file of the content folder. `theme` draws them; `check::branding` reports the unusable ones.

use std::path::{Path, PathBuf};

use super::config::SiteConfig;

/// A colour, red, green and blue.
pub type Rgb = [u8; 3];

/// `accent`, `accent_dark` and `logo` of site.toml, as the pages use them.
#[derive(Debug, Clone, Default)]
pub struct Branding {
    /// `None` when site.toml has no accent, or one that is not a colour.
    pub accent: Option<Rgb>,
    pub accent_dark: Option<Rgb>,
    /// The logo file, or why it cannot be used; `None` without a logo.
    pub logo: Option<Result<Logo, String>>,
}

#[derive(Debug, Clone)]
pub struct Logo {
    /// Canonical, inside the content folder.
    pub path: PathBuf,
    pub mime: &'static str,
}

impl Branding {
    pub fn of(site: &SiteConfig, root: &Path) -> Branding {
        Branding {
            accent: site.accent.as_ref().and_then(|v| parse_hex(v.get_ref())),
            accent_dark: site
                .accent_dark
                .as_ref()
                .and_then(|v| parse_hex(v.get_ref())),
            logo: site
                .logo
                .as_ref()
                .map(|rel| logo_file(root, rel.get_ref()).map(|(path, mime)| Logo { path, mime })),
        }
    }
}

/// Logos larger than this are refused: every entry file carries it.
pub const LOGO_MAX_BYTES: u64 = 256 * 1024;
pub const LOGO_TYPES: &[(&str, &str)] = &[
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("webp", "image/webp"),
];

/// `#rgb` or `#rrggbb`.
pub fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize, n: usize| u8::from_str_radix(&hex[i..i + n], 16).ok();
    match hex.len() {
        3 => Some([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        6 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        _ => None,
    }
}

/// The logo's canonical path and MIME type, when it is usable.
pub fn logo_file(
    root: &std::path::Path,
    rel: &str,
) -> Result<(std::path::PathBuf, &'static str), String> {
    let ext = Path::new(rel)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mime = LOGO_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| *m)
        .ok_or_else(|| "not an SVG, PNG, JPEG or WebP file".to_string())?;
    let path = root
        .join(rel)
        .canonicalize()
        .map_err(|_| "file not found".to_string())?;
    if !path.starts_with(root) {
        return Err("outside the content folder".into());
    }
    let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a file".into());
    }
    if meta.len() > LOGO_MAX_BYTES {
        return Err(format!("{} KiB, more than 256 KiB", meta.len() / 1024));
    }
    Ok((path, mime))
}
