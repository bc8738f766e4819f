//! The bundle's zip, checked without extracting anything: on its own (`lifeboat verify bundle.zip`,
//! against the manifest it holds) or as a file of a bundle folder (against the folder's manifest).
//!
//! A zip is as untrusted as a share: its member names are checked with `package::names` before they
//! are reported, a member is never written to disk, the manifest member is size-limited, and no member
//! is inflated past the size its manifest records (a zip bomb stops there and is `changed`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::Path;

use super::{share, FileCheck, FileStatus, Found, Verification, VerifyError, Version};
use crate::package::manifest;
use crate::package::names;
use crate::package::sink::Hashing;

/// The zip's `bcp-manifest.toml`, read up to `share::MAX_RECORD_BYTES`.
pub fn read_manifest_member<R: Read + io::Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<Vec<u8>, String> {
    let limit = share::MAX_RECORD_BYTES;
    let member = match zip.by_name(manifest::FILE_NAME) {
        Ok(member) => member,
        Err(zip::result::ZipError::FileNotFound) => return Err("is missing".into()),
        Err(e) => return Err(format!("is unreadable: {e}")),
    };
    let mut data = Vec::new();
    member
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("is unreadable: {e}"))?;
    if data.len() as u64 > limit {
        return Err(format!(
            "is larger than the {} MiB limit for a manifest",
            limit >> 20
        ));
    }
    Ok(data)
}

fn check(file: String, status: FileStatus, detail: Option<String>) -> FileCheck {
    FileCheck {
        file,
        status,
        version: None,
        detail,
    }
}

/// One check per member of `zip` but the manifest (`ok`, `changed`, or `extra` when `version` does not
/// list it), then `missing` for each listed file the zip lacks; in member order.
pub fn check_members<R: Read + io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    version: &Version,
) -> Vec<FileCheck> {
    let mut checks = Vec::new();
    let mut seen = BTreeSet::new();
    for i in 0..zip.len() {
        let mut member = match zip.by_index(i) {
            Ok(member) => member,
            Err(e) => {
                let detail = Some(format!("unreadable: {e}"));
                checks.push(check(format!("member #{i}"), FileStatus::Changed, detail));
                continue;
            }
        };
        let name = member.name().to_string();
        let shown = name.escape_debug().to_string();
        // The manifest, and its signature (which it cannot list: `verify::signature` checks it).
        let own = name == manifest::FILE_NAME || name == crate::package::signing::SIGNATURE_FILE;
        if own && seen.insert(name.clone()) {
            continue;
        }
        if let Err(why) = names::check_file_name(&name) {
            let detail = Some(format!("not a file name of a bundle: {why}"));
            checks.push(check(shown, FileStatus::Extra, detail));
            continue;
        }
        let Some((sha, bytes)) = version.record(&name) else {
            checks.push(check(shown, FileStatus::Extra, None));
            continue;
        };
        if !seen.insert(name.clone()) {
            let detail = Some("it is in the zip twice".into());
            checks.push(check(shown, FileStatus::Changed, detail));
            continue;
        }
        // One byte more than recorded is enough to know it is not the file.
        let mut hashing = Hashing::new(io::sink());
        let copied = io::copy(&mut (&mut member).take(bytes + 1), &mut hashing);
        let record = hashing.finish(&name).1;
        let problem = match copied {
            Err(e) => Some(format!("unreadable: {e}")),
            Ok(n) if n > bytes => Some(format!(
                "inflates past its recorded {bytes} bytes; not decompressed further"
            )),
            Ok(_) if record.sha256 != sha => {
                Some(format!("sha256 {}, expected {sha}", record.sha256))
            }
            Ok(_) => None,
        };
        match problem {
            None => checks.push(check(shown, FileStatus::Ok, None)),
            Some(why) => checks.push(check(shown, FileStatus::Changed, Some(why))),
        }
    }
    for name in version.listed() {
        if !seen.contains(name) {
            checks.push(check(name.to_string(), FileStatus::Missing, None));
        }
    }
    checks
}

fn unusable(path: &Path, e: impl std::fmt::Display) -> VerifyError {
    VerifyError::BadZip(path.display().to_string(), e.to_string())
}

/// A zip read into memory.
pub type Zip = zip::ZipArchive<io::Cursor<Vec<u8>>>;

/// The manifest a bundle's zip holds, checked like a folder's (format version, names).
pub fn manifest_of(path: &Path) -> Result<(Version, Zip), VerifyError> {
    let shown = path.display().to_string();
    let bytes = match share::read(path, None)? {
        Found::File(bytes) => bytes,
        Found::Missing => return Err(VerifyError::NoManifestInZip(shown)),
        Found::NotAFile(why) => return Err(VerifyError::NotOurs { path: shown, why }),
    };
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| unusable(path, e))?;
    let raw = match read_manifest_member(&mut zip) {
        Ok(raw) => raw,
        Err(why) if why == "is missing" => return Err(VerifyError::NoManifestInZip(shown)),
        Err(why) => return Err(unusable(path, format!("its {} {why}", manifest::FILE_NAME))),
    };
    let member = format!("{shown} ({})", manifest::FILE_NAME);
    let manifest = super::parse_manifest(&member, &raw)?;
    Ok((Version::new(manifest, raw), zip))
}

/// Verifies the zip at `path` on its own, against the manifest it holds.
pub fn verify(
    path: &Path,
    now: i64,
    sources: Option<&BTreeMap<String, String>>,
) -> Result<Verification, VerifyError> {
    let (version, mut zip) = manifest_of(path)?;
    let mut files = check_members(&mut zip, &version);
    files.sort_by(|a, b| a.file.cmp(&b.file));
    let m = &version.manifest;
    let mut result = Verification {
        dir: path.display().to_string(),
        ok: false,
        site: m.site.clone(),
        snapshot: m.snapshot.clone(),
        files,
        stale: super::staleness(m, now),
        behind: sources.map(|s| super::behind(m, s)),
        publishing: None,
        changes: super::changes::summary(m),
        notice: m.notice.clone(),
    };
    result.ok = result.problems() == 0;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::{self, Read, Seek};
    use std::rc::Rc;

    use super::*;
    use crate::package::archive;

    /// Counts the bytes read from the zip file itself.
    struct Counting<R> {
        inner: R,
        read: Rc<Cell<u64>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }

    impl<R: Seek> Seek for Counting<R> {
        fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    const MANIFEST: &str = r#"format_version = 1
site = "S"
online_url = "https://example.com"
snapshot = "2025-11-22T08:26:40Z"
snapshot_epoch = 1763800000
entries = []

[generator]
name = "lifeboat"
version = "0"

[source]
dirty = false

[environment]

[backup]
frequency_days = 30
next_due = "2025-12-22"

[backup.owner]
name = "A"

[[documents]]
file = "index.html"
bytes = 5
sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
"#;

    #[test]
    fn a_member_is_never_inflated_past_its_recorded_size() {
        let manifest = super::super::parse_manifest("test", MANIFEST.as_bytes()).unwrap();
        let version = Version::new(manifest, MANIFEST.as_bytes().to_vec());
        let ok = archive::zip(&[("index.html".into(), b"hello".to_vec())], 0).unwrap();
        let checks = check_members(
            &mut zip::ZipArchive::new(io::Cursor::new(ok)).unwrap(),
            &version,
        );
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, FileStatus::Ok, "{checks:?}");

        // 64 MiB that deflate to about 64 KiB, recorded as 5 bytes: reading stops in the first
        // compressed block, far from the end of the member's data.
        let bomb = archive::zip(&[("index.html".into(), vec![b'h'; 64 << 20])], 0).unwrap();
        let compressed = bomb.len() as u64;
        let read = Rc::new(Cell::new(0));
        let counting = Counting {
            inner: io::Cursor::new(bomb),
            read: read.clone(),
        };
        let mut zip = zip::ZipArchive::new(counting).unwrap();
        read.set(0);
        let checks = check_members(&mut zip, &version);
        assert_eq!(checks[0].status, FileStatus::Changed);
        let detail = checks[0].detail.as_deref().unwrap_or_default();
        assert!(
            detail.contains("inflates past its recorded 5 bytes"),
            "{detail}"
        );
        assert!(
            read.get() < compressed / 4,
            "read {} of {compressed} bytes of the zip",
            read.get()
        );
    }
}
