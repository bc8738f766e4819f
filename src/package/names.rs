//! Names read back from files lifeboat did not necessarily write (a share's manifest, a publish journal,
//! a zip) are untrusted: someone with write access to a share can plant any of them. Every such name is
//! checked here before it is joined to a path (docs/hostile-input.md, "Shares and manifests").
//!
//! A bundle is flat: every file of it is one plain file name in the bundle folder. So a name is accepted
//! only when it is a single path component that means the same on every system the share is opened
//! from: no separator (`/` or `\`), no `..` or `.`, no drive (`C:`) or UNC (`\\host`) prefix, no NUL or
//! other control character, not hidden (lifeboat's own bookkeeping starts with a dot), and not one of
//! the names lifeboat keeps for itself beside the bundle's files.

use std::fmt;

/// Why a name read from a manifest, journal or zip is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadName {
    Empty,
    Separator,
    Parent,
    Drive,
    Control,
    Hidden,
    Reserved,
    TooLong,
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BadName::Empty => "it is empty",
            BadName::Separator => {
                "it holds a path separator (`/` or `\\`): a bundle has no folders"
            }
            BadName::Parent => "it is `.` or `..`",
            BadName::Drive => "it holds `:` (a drive letter or stream name)",
            BadName::Control => "it holds a control character",
            BadName::Hidden => "it starts with `.`",
            BadName::Reserved => "it is a name lifeboat keeps for itself",
            BadName::TooLong => "it is longer than 255 bytes",
        })
    }
}

/// Folder of a share holding the previous bundles, one folder per snapshot.
pub const ARCHIVE_DIR: &str = "archive";

/// Names beside a bundle's files that are never files of the bundle: a manifest listing one of them
/// would make publish replace or delete lifeboat's own bookkeeping.
const RESERVED: [&str; 3] = [
    super::manifest::FILE_NAME,
    crate::package::signing::SIGNATURE_FILE,
    ARCHIVE_DIR,
];

/// Checks that `name` is a plain file name of a bundle folder (see the module comment).
pub fn check_file_name(name: &str) -> Result<(), BadName> {
    if name.is_empty() {
        return Err(BadName::Empty);
    }
    if name.len() > 255 {
        return Err(BadName::TooLong);
    }
    if name.contains(['/', '\\']) {
        return Err(BadName::Separator);
    }
    if name == "." || name == ".." {
        return Err(BadName::Parent);
    }
    if name.contains(':') {
        return Err(BadName::Drive);
    }
    if name.chars().any(char::is_control) {
        return Err(BadName::Control);
    }
    if name.starts_with('.') {
        return Err(BadName::Hidden);
    }
    if RESERVED
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(name))
    {
        return Err(BadName::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass() {
        for name in [
            "depannage.html",
            "index.html",
            "contingency.md",
            "acme-offline-2026-12-02.zip",
            "écoute_2.html",
        ] {
            assert_eq!(check_file_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn every_way_out_of_the_folder_is_refused() {
        let cases = [
            ("", BadName::Empty),
            ("../../etc/important", BadName::Separator),
            ("/home/x/.bashrc", BadName::Separator),
            ("sub/a.html", BadName::Separator),
            ("..\\..\\boot.ini", BadName::Separator),
            ("\\\\host\\share\\x", BadName::Separator),
            ("C:\\Windows\\win.ini", BadName::Separator),
            ("C:win.ini", BadName::Drive),
            ("a.html:stream", BadName::Drive),
            ("..", BadName::Parent),
            (".", BadName::Parent),
            ("a\0.html", BadName::Control),
            ("a\n.html", BadName::Control),
            (".lifeboat-publish", BadName::Hidden),
            (".bashrc", BadName::Hidden),
            ("bcp-manifest.toml", BadName::Reserved),
            ("ARCHIVE", BadName::Reserved),
        ];
        for (name, why) in cases {
            assert_eq!(check_file_name(name), Err(why), "{name:?}");
        }
        assert_eq!(check_file_name(&"a".repeat(256)), Err(BadName::TooLong));
    }
}
