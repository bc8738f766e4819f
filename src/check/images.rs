//! Images used by diagrams: found inside the content folder, checked, stored once per content. Only what
//! identifies an image is kept in memory; its bytes are read again from the content folder when a file
//! that shows it is written (so a build holds one image at a time, not all of them).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::content::links::{self, LinkError};

/// Images larger than this are refused.
pub const MAX_IMAGE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Image {
    /// First 16 hex digits of the SHA-256 of the bytes: the same picture under two names is one image.
    pub id: String,
    pub mime: &'static str,
    /// Size in bytes.
    pub len: u64,
    /// The whole SHA-256 of the bytes (`manifest::source_hash` uses it instead of reading them again).
    pub sha256: [u8; 32],
    /// Where it was read from (canonical, inside the content folder).
    pub path: PathBuf,
}

impl Image {
    /// The image's bytes, read again from the content folder; an error if the file changed size since
    /// it was checked.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        let bytes = fs::read(&self.path).map_err(|e| {
            std::io::Error::new(e.kind(), format!("image `{}`: {e}", self.path.display()))
        })?;
        if bytes.len() as u64 != self.len {
            return Err(std::io::Error::other(format!(
                "image `{}` changed during the build; build again",
                self.path.display()
            )));
        }
        Ok(bytes)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("images must be files in the content folder, not `{0}` (the offline copy cannot load anything from outside)")]
    External(String),
    #[error("{0}")]
    Path(LinkError),
    #[error("image `{0}` not found")]
    Missing(String),
    #[error("image `{0}` is a link to a file outside the content folder")]
    Escapes(String),
    #[error("image `{path}` cannot be read: {reason}")]
    Unreadable { path: String, reason: String },
    /// A FIFO, socket or device (a folder is [`ImageError::Missing`]): never opened, a FIFO would hang.
    #[error("image `{0}` {1}; images must be regular files")]
    NotRegular(String, &'static str),
    #[error("image `{0}` is larger than the {limit} MiB limit", limit = MAX_IMAGE_BYTES / (1024 * 1024))]
    TooLarge(String),
    #[error("`{0}` is not a PNG, JPEG, GIF, WebP or SVG image")]
    UnknownFormat(String),
}

/// What reading an image file found: its type (if an image), SHA-256 and size.
type Read = (Option<&'static str>, [u8; 32], u64);

#[derive(Debug, Default)]
pub struct ImageStore {
    images: Vec<Image>,
    by_path: HashMap<PathBuf, usize>,
    by_id: HashMap<String, usize>,
    /// Files already read by [`ImageStore::prefetch`], by canonical path.
    read: HashMap<PathBuf, Read>,
    /// Canonical paths already looked up, by path as written (joined to the root); `None` when missing.
    /// Many nodes show the same image: each path is resolved once.
    canonical: HashMap<PathBuf, Option<PathBuf>>,
}

impl ImageStore {
    /// Reads and hashes, on all cores, the files that the images `(base, dest)` name, so that
    /// [`ImageStore::load`] does not read them again. Anything that cannot be read here is left for
    /// `load`, which reports it.
    pub fn prefetch(&mut self, root: &Path, images: &[(&str, &str)]) {
        use rayon::prelude::*;
        let mut paths: Vec<PathBuf> = images
            .iter()
            .filter(|(_, dest)| !links::is_external(dest))
            .filter_map(|(base, dest)| {
                let path = dest.split(['#', '?']).next().unwrap_or(dest);
                let parts = links::normalize(base, path).ok()?;
                let full = parts
                    .iter()
                    .fold(root.to_path_buf(), |p, part| p.join(part));
                self.canonical(full).filter(|real| real.starts_with(root))
            })
            .collect();
        paths.sort();
        paths.dedup();
        let read: Vec<(PathBuf, Read)> = paths
            .into_par_iter()
            .filter_map(|real| {
                let meta = fs::metadata(&real).ok()?;
                if !meta.is_file() || meta.len() > MAX_IMAGE_BYTES {
                    return None;
                }
                let bytes = fs::read(&real).ok()?;
                let found = (
                    sniff(&bytes),
                    Sha256::digest(&bytes).into(),
                    bytes.len() as u64,
                );
                Some((real, found))
            })
            .collect();
        self.read.extend(read);
    }

    /// Finds, checks and reads the image `dest` used by a file in folder `base` (relative to `root`).
    pub fn load(&mut self, root: &Path, base: &str, dest: &str) -> Result<&Image, ImageError> {
        if links::is_external(dest) {
            return Err(ImageError::External(dest.to_string()));
        }
        let path = dest.split(['#', '?']).next().unwrap_or(dest);
        let parts = links::normalize(base, path).map_err(ImageError::Path)?;
        let full = parts
            .iter()
            .fold(root.to_path_buf(), |p, part| p.join(part));
        let real = self
            .canonical(full)
            .ok_or_else(|| ImageError::Missing(dest.to_string()))?;
        if !real.starts_with(root) {
            return Err(ImageError::Escapes(dest.to_string()));
        }
        if let Some(&i) = self.by_path.get(&real) {
            return Ok(&self.images[i]);
        }
        let meta = fs::metadata(&real).map_err(|e| ImageError::Unreadable {
            path: dest.to_string(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            return Err(ImageError::Missing(dest.to_string()));
        }
        if let Some(why) = crate::content::not_regular(&meta) {
            return Err(ImageError::NotRegular(dest.to_string(), why));
        }
        if meta.len() > MAX_IMAGE_BYTES {
            return Err(ImageError::TooLarge(dest.to_string()));
        }
        let (mime, sha256, len) = match self.read.remove(&real) {
            Some(found) => found,
            None => {
                let bytes = fs::read(&real).map_err(|e| ImageError::Unreadable {
                    path: dest.to_string(),
                    reason: e.to_string(),
                })?;
                (
                    sniff(&bytes),
                    Sha256::digest(&bytes).into(),
                    bytes.len() as u64,
                )
            }
        };
        let id = crate::encode::hex(&sha256[..8]);
        let mime = mime.ok_or_else(|| ImageError::UnknownFormat(dest.to_string()))?;
        let index = match self.by_id.get(&id) {
            Some(&i) => i,
            None => {
                self.images.push(Image {
                    id: id.clone(),
                    mime,
                    len,
                    sha256,
                    path: real.clone(),
                });
                self.by_id.insert(id, self.images.len() - 1);
                self.images.len() - 1
            }
        };
        self.by_path.insert(real, index);
        Ok(&self.images[index])
    }

    /// Every image is loaded: lets go of what only loading needed (the prefetched reads, the resolved
    /// paths), which would otherwise stay for the whole build.
    pub fn loaded(&mut self) {
        self.read = HashMap::new();
        self.canonical = HashMap::new();
    }

    /// `full` with symlinks resolved (`canonicalize`), looked up once per path.
    fn canonical(&mut self, full: PathBuf) -> Option<PathBuf> {
        self.canonical
            .entry(full)
            .or_insert_with_key(|full| full.canonicalize().ok())
            .clone()
    }

    /// The image read from `path` (canonical), if a diagram shows it.
    pub fn at(&self, path: &Path) -> Option<&Image> {
        self.by_path.get(path).map(|&i| &self.images[i])
    }

    pub fn get(&self, id: &str) -> Option<&Image> {
        self.by_id.get(id).map(|&i| &self.images[i])
    }
}

/// The image type from its first bytes (never from the file name alone).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(512)];
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else if looks_like_svg(head) {
        Some("image/svg+xml")
    } else {
        None
    }
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with("<?xml")
        || text.starts_with("<svg")
        || text.starts_with("<!--")
        || text.starts_with("<!DOCTYPE"))
        && text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_from_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff(b"hello"), None);
    }
}
