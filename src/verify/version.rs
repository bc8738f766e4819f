//! One version of a bundle: its manifest, the manifest's bytes, and its files indexed by name, so that
//! checking every file of a bundle of thousands of entry points costs one lookup per file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

use crate::package::manifest::{self, sha256_hex, Manifest};
use crate::package::sink::Hashing;

/// A manifest and what it says of its files.
pub struct Version {
    pub manifest: Manifest,
    pub raw: Vec<u8>,
    /// SHA-256 of each file listed with a checksum.
    sha256: HashMap<String, String>,
}

impl Version {
    pub fn new(manifest: Manifest, raw: Vec<u8>) -> Version {
        let sha256 = manifest
            .files()
            .map(|(f, _, sha)| (f.to_string(), sha.to_string()))
            .collect();
        Version {
            manifest,
            raw,
            sha256,
        }
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
                .and_then(|mut zip| {
                    let mut member = zip.by_name(manifest::FILE_NAME).ok()?;
                    let mut data = Vec::new();
                    io::Read::read_to_end(&mut member, &mut data).ok()?;
                    Some(data == self.raw)
                })
                .unwrap_or(false)
    }

    /// Checks each member as it is decompressed (one at a time, never all of them in memory).
    fn archive_matches(&self, bytes: &[u8]) -> Result<(), String> {
        let unreadable = |e: &dyn std::fmt::Display| format!("unreadable zip: {e}");
        let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
        let mut expected: BTreeMap<&str, &str> = self
            .sha256
            .iter()
            .map(|(f, sha)| (f.as_str(), sha.as_str()))
            .collect();
        let mut manifest_seen = false;
        for i in 0..zip.len() {
            let mut member = zip.by_index(i).map_err(|e| unreadable(&e))?;
            let name = member.name().to_string();
            if name == manifest::FILE_NAME {
                manifest_seen = true;
                let mut data = Vec::new();
                io::Read::read_to_end(&mut member, &mut data).map_err(|e| unreadable(&e))?;
                if data != self.raw {
                    return Err(format!("its {name} differs from the folder's"));
                }
                continue;
            }
            // The manifest's signature cannot be listed in it; `verify::signature` checks it.
            if name == crate::signing::SIGNATURE_FILE {
                continue;
            }
            let Some(sha) = expected.remove(name.as_str()) else {
                return Err(format!(
                    "member {} is not in the manifest",
                    name.escape_debug()
                ));
            };
            let mut hashing = Hashing::new(io::sink());
            io::copy(&mut member, &mut hashing).map_err(|e| unreadable(&e))?;
            if hashing.finish(&name).1.sha256 != sha {
                return Err(format!("member {name} does not match the manifest"));
            }
        }
        if let Some(name) = expected.keys().next() {
            return Err(format!("member {name} is missing"));
        }
        if !manifest_seen {
            return Err(format!("member {} is missing", manifest::FILE_NAME));
        }
        Ok(())
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
