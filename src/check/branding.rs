//! `site.toml` branding: the accent colours must keep text readable (WCAG AA, 4.5:1) on the theme's
//! backgrounds, and the logo must be a small image inside the content folder.

use toml::Spanned;

use crate::content::branding::{parse_hex, Rgb};
use crate::content::Project;
use crate::diagnostics::{Diagnostic, FileId, Report};

/// WCAG 2.x AA contrast for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// Colours of the built-in theme (themes/default/viewer.css) the accent is drawn on or under.
/// Each: (what, colour, accent is the text colour?).
const LIGHT_PAIRS: &[(&str, &str, bool)] = &[
    ("the light background #ffffff", "#ffffff", true),
    ("the light hover background #e8f0fe", "#e8f0fe", true),
    ("white button text #ffffff", "#ffffff", false),
];
const DARK_PAIRS: &[(&str, &str, bool)] = &[
    ("the dark background #141518", "#141518", true),
    ("the dark hover background #1d2a40", "#1d2a40", true),
    ("dark button text #0b1b33", "#0b1b33", false),
];

pub fn check(project: &Project, report: &mut Report) {
    let site = &project.site;
    let file = project.site_file;
    let branding = &project.branding;
    if let Some(accent) = &site.accent {
        check_accent(file, "accent", accent, branding.accent, LIGHT_PAIRS, report);
    }
    if let Some(accent) = &site.accent_dark {
        check_accent(
            file,
            "accent_dark",
            accent,
            branding.accent_dark,
            DARK_PAIRS,
            report,
        );
    }
    if let Some(files) = &project.theme_files {
        check_user_scripts(files, report);
    }
    if let (Some(logo), Some(Err(problem))) = (&site.logo, &branding.logo) {
        report.push(
            Diagnostic::error(format!("logo `{}`: {problem}", logo.get_ref()))
                .at(file, logo.span())
                .label("cannot use this logo")
                .hint("give a path inside the content folder to an SVG, PNG, JPEG or WebP file of at most 256 KiB"),
        );
    }
}

/// What a user theme's own scripts must do to read an open entry point, whose `#lb-data` is what the
/// home page needs and whose steps, search texts and maps follow the viewer script packed, in `#lb-nodes`
/// and `#lb-more` (docs/viewer-contract.md): warned about, since the file would say "damaged" or lose them.
fn check_user_scripts(files: &crate::content::theme_files::ThemeFiles, report: &mut Report) {
    let dir = crate::theme::USER_THEME_DIR;
    let hint = "read them with `lbLater(id, done)` or `lbUnpack(element.textContent, done)` (payload.js; docs/viewer-contract.md)";
    // A file that cannot be read, or leads outside the content folder, is the theme loader's error.
    let text = |name: &str| files.text(name).ok().flatten();
    for name in ["unlock.js", "viewer.js"] {
        let Some(text) = text(name) else {
            continue;
        };
        let reads = text.contains("lb-nodes") || text.contains("lb-more");
        if reads && !text.contains("lbUnpack") && !text.contains("lbLater") {
            report.push(
                Diagnostic::warning(format!(
                    "{dir}/{name} reads `#lb-nodes` or `#lb-more` without `lbLater` or `lbUnpack`: open entry points hold them packed, so it would show an error or lose steps, search and maps"
                ))
                .hint(hint),
            );
        }
        if name == "viewer.js" && !text.contains("lb-nodes") && !text.contains("nodes_later") {
            report.push(
                Diagnostic::warning(format!(
                    "{dir}/viewer.js never reads `#lb-nodes`: an open entry point keeps its steps there (`nodes_later` in `#lb-data`), so it would show none of them"
                ))
                .hint(hint),
            );
        }
    }
    if text("payload.js").is_some_and(|t| !t.contains("lbLater")) {
        report.push(
            Diagnostic::warning(format!(
                "{dir}/payload.js defines no `lbLater`: the viewer reads an open entry point's steps with it, so every open entry point would say the file is damaged"
            ))
            .hint("keep the default payload.js's `lbLater(id, done)` (docs/viewer-contract.md)"),
        );
    }
}

fn check_accent(
    file: FileId,
    key: &str,
    value: &Spanned<String>,
    parsed: Option<Rgb>,
    pairs: &[(&str, &str, bool)],
    report: &mut Report,
) {
    let Some(rgb) = parsed else {
        report.push(
            Diagnostic::error(format!("{key} `{}` is not a colour", value.get_ref()))
                .at(file, value.span())
                .label("expected #rrggbb")
                .hint("write the colour as #rrggbb, e.g. \"#0b57d0\""),
        );
        return;
    };
    let failing: Vec<String> = pairs
        .iter()
        .filter_map(|(what, other, accent_is_text)| {
            let ratio = contrast(rgb, parse_hex(other)?);
            (ratio < MIN_CONTRAST).then(|| {
                if *accent_is_text {
                    format!("{} on {what}: {ratio:.2}:1", value.get_ref())
                } else {
                    format!("{what} on {}: {ratio:.2}:1", value.get_ref())
                }
            })
        })
        .collect();
    if !failing.is_empty() {
        let scheme = if key == "accent" {
            "a darker"
        } else {
            "a lighter"
        };
        report.push(
            Diagnostic::error(format!(
                "{key} `{}` is too low in contrast (WCAG AA needs 4.5:1): {}",
                value.get_ref(),
                failing.join("; ")
            ))
            .at(file, value.span())
            .label("not readable enough")
            .hint(format!("choose {scheme} shade of this colour")),
        );
    }
}

/// WCAG relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// WCAG contrast ratio, 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_colours() {
        assert_eq!(parse_hex("#0b57d0"), Some([0x0b, 0x57, 0xd0]));
        assert_eq!(parse_hex("#fff"), Some([255, 255, 255]));
        assert_eq!(parse_hex("0b57d0"), None);
        assert_eq!(parse_hex("#0b57d"), None);
        assert_eq!(parse_hex("#gggggg"), None);
        assert_eq!(parse_hex("#éé"), None);
    }

    #[test]
    fn computes_wcag_contrast() {
        let white = [255, 255, 255];
        let black = [0, 0, 0];
        assert!((contrast(white, black) - 21.0).abs() < 1e-9);
        assert!((contrast(white, white) - 1.0).abs() < 1e-9);
        // the theme's own accents pass where they are used
        assert!(contrast(parse_hex("#0b57d0").unwrap(), white) >= MIN_CONTRAST);
        assert!(
            contrast(parse_hex("#8ab4f8").unwrap(), parse_hex("#141518").unwrap()) >= MIN_CONTRAST
        );
        // one colour cannot pass on both backgrounds: hence accent and accent_dark
        assert!(
            contrast(parse_hex("#0b57d0").unwrap(), parse_hex("#141518").unwrap()) < MIN_CONTRAST
        );
    }

    #[test]
    fn every_pair_colour_parses() {
        for (_, c, _) in LIGHT_PAIRS.iter().chain(DARK_PAIRS) {
            assert!(parse_hex(c).is_some(), "{c}");
        }
    }
}
