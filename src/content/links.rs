//! What a link in a diagram points at, worked out from its text alone (no file system access).

use std::fmt;

/// A link destination, split into its file part and its `#fragment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramLink {
    /// Entry folder and diagram stem after normalising `..` and `.`; `None` when the link is `#node` only.
    pub diagram: Option<(String, String)>,
    pub node: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The path climbs above the content folder.
    OutsideContent,
    /// Absolute paths cannot be resolved inside a bundle.
    Absolute,
    /// The path does not have the shape `x.md` or `../entry/x.md`.
    NotADiagramPath,
    EmptyFragment,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkError::OutsideContent => "this path leads outside the content folder",
            LinkError::Absolute => {
                "absolute paths are not allowed; write a path relative to this file"
            }
            LinkError::NotADiagramPath => {
                "a diagram link must be `diagram.md` (same entry point) or `../entry/diagram.md`"
            }
            LinkError::EmptyFragment => "`#` must be followed by a node id",
        })
    }
}

/// The only schemes a content link may use to leave the offline copy (the sanitizer removes others).
pub const WEB_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Why a link that leaves the bundle is refused, if it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalError {
    /// `//host/x` or `\\host\x`: opened from a share, it is `file://host/x`, a UNC path.
    HostRelative,
    /// `file:`, `javascript:`, `data:`, `ftp:` and every scheme but [`WEB_SCHEMES`].
    Scheme(String),
}

impl fmt::Display for ExternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternalError::HostRelative => f.write_str(
                "a link starting with `//` or `\\\\` opens another machine's files (`file://host/…`) from a share",
            ),
            ExternalError::Scheme(s) => write!(
                f,
                "`{s}:` links are not allowed in the offline copy: only http(s), mailto and tel links leave it"
            ),
        }
    }
}

/// Checks a link that leaves the bundle ([`is_external`]): a full web address, mail or phone link.
pub fn check_external(dest: &str) -> Result<(), ExternalError> {
    let trimmed: String = dest.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed.starts_with("//") || trimmed.starts_with("\\\\") {
        return Err(ExternalError::HostRelative);
    }
    let end = trimmed.find(['/', '#', '?']).unwrap_or(trimmed.len());
    let scheme = trimmed[..end]
        .split_once(':')
        .map_or("", |(s, _)| s)
        .to_ascii_lowercase();
    if WEB_SCHEMES.contains(&scheme.as_str()) {
        Ok(())
    } else {
        Err(ExternalError::Scheme(scheme))
    }
}

/// Whether an `href` without a scheme stays within the bundle: a fragment of this page, or a page of
/// the bundle (`entry.html`, `entry.html#/d/n`, as rendering writes cross-entry links). Everything else
/// relative (`/etc/passwd`, `//host/x`, `\\host\share`, `../../x`) would open a file of the desk or of
/// another machine from a share; the sanitizer removes it.
pub fn is_bundle_href(href: &str) -> bool {
    if href.starts_with('#') {
        return true;
    }
    let file = href.split_once('#').map_or(href, |(file, _)| file);
    file.strip_suffix(".html").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '%'))
    })
}

/// True for `http:`, `mailto:`, `//host` and other links that leave the bundle.
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let end = dest.find(['/', '#', '?']).unwrap_or(dest.len());
    dest[..end].contains(':')
}

/// True when a link points at a node or diagram (`#node`, `x.md`, `x.md#node`, `../e/x.md#node`).
pub fn is_diagram_link(dest: &str) -> bool {
    if dest.is_empty() || is_external(dest) {
        return false;
    }
    let path = dest.split('#').next().unwrap_or("");
    path.is_empty() || path.ends_with(".md")
}

/// Splits `dest` as seen from a diagram in entry folder `from_entry`.
pub fn parse_diagram_link(dest: &str, from_entry: &str) -> Result<DiagramLink, LinkError> {
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let node = match fragment {
        Some("") => return Err(LinkError::EmptyFragment),
        Some(f) => Some(f.to_string()),
        None => None,
    };
    if path.is_empty() {
        return Ok(DiagramLink {
            diagram: None,
            node,
        });
    }
    let parts = normalize(from_entry, path)?;
    match parts.as_slice() {
        [entry, file] if file.ends_with(".md") && file.len() > 3 => Ok(DiagramLink {
            diagram: Some((entry.clone(), file.trim_end_matches(".md").to_string())),
            node,
        }),
        _ => Err(LinkError::NotADiagramPath),
    }
}

/// Resolves `path` relative to the folder `base` (itself relative to the content root), lexically.
/// Returns the path's components from the content root.
pub fn normalize(base: &str, path: &str) -> Result<Vec<String>, LinkError> {
    if path.starts_with('/') || path.starts_with('\\') || path.get(1..2) == Some(":") {
        return Err(LinkError::Absolute);
    }
    let mut parts: Vec<String> = base
        .split('/')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or(LinkError::OutsideContent)?;
            }
            other => parts.push(other.to_string()),
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(dest: &str) -> Result<DiagramLink, LinkError> {
        parse_diagram_link(dest, "depannage")
    }

    #[test]
    fn classifies_links() {
        assert!(is_diagram_link("#redemarrer"));
        assert!(is_diagram_link("alimentation.md"));
        assert!(is_diagram_link("../escalade/niveau-2.md#debut"));
        assert!(!is_diagram_link("https://example.com/a.md"));
        assert!(!is_diagram_link("mailto:a@example.com"));
        assert!(!is_diagram_link("images/modem.png"));
        assert!(is_external("//evil.example/x"));
    }

    #[test]
    fn only_web_mail_and_phone_links_leave_the_bundle() {
        for ok in ["https://a.example/", "HTTP://a", "mailto:a@b.c", "tel:+331"] {
            assert_eq!(check_external(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_external("//host/x"), Err(ExternalError::HostRelative));
        assert_eq!(check_external(" //host"), Err(ExternalError::HostRelative));
        for (bad, scheme) in [
            ("file:///etc/passwd", "file"),
            ("FILE:x", "file"),
            ("javascript:alert(1)", "javascript"),
            ("java\tscript:x", "javascript"),
            ("data:text/html,x", "data"),
            ("ftp://x", "ftp"),
        ] {
            assert_eq!(
                check_external(bad),
                Err(ExternalError::Scheme(scheme.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn bundle_hrefs_are_fragments_and_pages_of_the_bundle() {
        for ok in [
            "#/d/n",
            "#",
            "support.html",
            "esc-2_b.html#/d/n",
            "%C3%A9.html#x",
        ] {
            assert!(is_bundle_href(ok), "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "//host/x",
            "\\\\host\\share",
            "../../../../etc/shadow",
            "sub/a.html",
            ".html",
            "a.htm",
            "C:a.html",
        ] {
            assert!(!is_bundle_href(bad), "{bad}");
        }
    }

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            link("#a").unwrap(),
            DiagramLink {
                diagram: None,
                node: Some("a".into())
            }
        );
        assert_eq!(
            link("./alimentation.md").unwrap().diagram,
            Some(("depannage".into(), "alimentation".into()))
        );
        assert_eq!(
            link("../escalade/niveau-2.md#debut").unwrap(),
            DiagramLink {
                diagram: Some(("escalade".into(), "niveau-2".into())),
                node: Some("debut".into())
            }
        );
    }

    #[test]
    fn rejects_paths_that_leave_or_do_not_fit() {
        assert_eq!(link("../../etc/passwd.md"), Err(LinkError::OutsideContent));
        assert_eq!(link("/etc/x.md"), Err(LinkError::Absolute));
        assert_eq!(link("sub/dir/x.md"), Err(LinkError::NotADiagramPath));
        assert_eq!(link("x.md#"), Err(LinkError::EmptyFragment));
    }
}
