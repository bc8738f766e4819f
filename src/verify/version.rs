//! One version of a bundle: its manifest, the manifest's bytes, and its files indexed by name, so that
//! checking every file of a bundle of thousands of entry points costs one lookup per file.

use std::collections::{BTreeSet, HashMap};
use std::io;

use super::{zipfile as members, FileStatus};
use crate::package::manifest::{self, sha256_hex, Manifest};

/// A manifest and what it says of its files.
pub struct Version {
    pub manifest: Manifest,
    pub raw: Vec<u8>,
    /// SHA-256 of each file listed with a checksum.
    sha256: HashMap<String, String>,
    /// Size of each of those files, as recorded.
    bytes: HashMap<String, u64>,
}

impl Version {
    pub fn new(manifest: Manifest, raw: Vec<u8>) -> Version {
        let sha256 = manifest
            .files()
            .map(|(f, _, sha)| (f.to_string(), sha.to_string()))
            .collect();
        let bytes = manifest
            .files()
            .map(|(f, bytes, _)| (f.to_string(), bytes))
            .collect();
        Version {
            manifest,
            raw,
            sha256,
            bytes,
        }
    }

    /// The recorded SHA-256 and size of `name`, a listed file (not the zip).
    pub fn record(&self, name: &str) -> Option<(&str, u64)> {
        let sha = self.sha256.get(name)?;
        Some((sha.as_str(), self.bytes.get(name).copied().unwrap_or(0)))
    }

    /// Every listed file (not the zip), sorted.
    pub fn listed(&self) -> BTreeSet<&str> {
        self.sha256.keys().map(String::as_str).collect()
    }

    pub fn expects(&self, name: &str) -> bool {
        self.sha256.contains_key(name) || self.is_archive(name)
    }

    fn is_archive(&self, name: &str) -> bool {
        self.manifest.archive.as_deref() == Some(name)
    }

    /// Whether `bytes` is this version's `name`; the archive is checked member by member.
    pub fn matches(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        if let Some(sha) = self.sha256.get(name) {
            let actual = sha256_hex(bytes);
            return if actual == *sha {
                Ok(())
            } else {
                Err(format!("sha256 {actual}, expected {sha}"))
            };
        }
        if !self.is_archive(name) {
            return Err(format!("{name} is not a file of this bundle"));
        }
        self.archive_matches(bytes)
    }

    /// Whether `bytes` is provably this version's `name`, enough to delete it: a listed file has its
    /// checksum; the zip holds this very manifest (its members are not decompressed again).
    pub fn owns(&self, name: &str, bytes: &[u8]) -> bool {
        if self.sha256.contains_key(name) {
            return self.matches(name, bytes).is_ok();
        }
        self.is_archive(name)
            && zip::ZipArchive::new(io::Cursor::new(bytes))
                .ok()
                .and_then(|mut zip| members::read_manifest_member(&mut zip).ok())
                .is_some_and(|data| data == self.raw || self.is_built_manifest(&data))
    }

    /// With a notice set, the zip holds the manifest the build wrote (without the notice): `data` is
    /// that one when its SHA-256 is the one the notice records.
    fn is_built_manifest(&self, data: &[u8]) -> bool {
        self.manifest
            .notice
            .as_ref()
            .is_some_and(|n| sha256_hex(data) == n.built_manifest_sha256)
    }

    /// Checks each member as it is decompressed (one at a time, never all of them in memory, none
    /// inflated past its recorded size); the first problem says why the zip is not this version's.
    fn archive_matches(&self, bytes: &[u8]) -> Result<(), String> {
        let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes))
            .map_err(|e| format!("unreadable zip: {e}"))?;
        let data = members::read_manifest_member(&mut zip)
            .map_err(|e| format!("member {}: {e}", manifest::FILE_NAME))?;
        // With a notice set, the zip keeps the launcher the build wrote: its members are checked against
        // the manifest the build wrote, which the notice names by its SHA-256.
        let built;
        let reference = if data == self.raw {
            self
        } else if self.is_built_manifest(&data) {
            let shown = format!("the zip's {}", manifest::FILE_NAME);
            let m = super::parse_manifest(&shown, &data).map_err(|e| e.to_string())?;
            built = Version::new(m, data);
            &built
        } else {
            return Err(format!(
                "its {} differs from the folder's",
                manifest::FILE_NAME
            ));
        };
        let problem = members::check_members(&mut zip, reference)
            .into_iter()
            .find(|c| c.status != FileStatus::Ok);
        match problem {
            None => Ok(()),
            Some(c) => Err(match (c.status, c.detail) {
                (FileStatus::Missing, _) => format!("member {} is missing", c.file),
                (FileStatus::Extra, _) => format!("member {} is not in the manifest", c.file),
                (_, Some(why)) => format!("member {} does not match the manifest ({why})", c.file),
                (_, None) => format!("member {} does not match the manifest", c.file),
            }),
        }
    }

    /// Every file of the bundle but its manifest.
    pub fn names(&self) -> BTreeSet<String> {
        self.sha256
            .keys()
            .cloned()
            .chain(self.manifest.archive.clone())
            .collect()
    }
}
