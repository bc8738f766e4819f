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
