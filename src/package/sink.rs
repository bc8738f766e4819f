//! Where a build puts its files. A build streams each file into a [`Sink`] as it is made, so it never
//! holds the whole bundle in memory: `lifeboat build` writes into the staging folder that replaces the
//! output folder at the end (`output::Staging`), `lifeboat serve` keeps its small preview in memory
//! ([`MemorySink`]).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::package::manifest::FileRecord;

/// Fills a file: writes its bytes into the writer it is given.
pub type Fill<'a> = &'a mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

/// A set of named files being written. Files are written whole, once each; different files may be
/// written from different threads at the same time.
pub trait Sink: Sync {
    /// Writes file `name` with what `fill` writes; returns its size and SHA-256.
    fn write_with(&self, name: &str, fill: Fill) -> io::Result<FileRecord>;

    /// Adds file `name` as a link to the existing file `from` (whose record the caller knows), when the
    /// sink can; `false` when it cannot (the caller then writes it).
    fn link(&self, name: &str, from: &Path) -> bool;

    /// Adds file `name` as these bytes, already in memory, without copying them, when the sink can;
    /// `false` when it cannot (the caller then writes them).
    fn share(&self, _name: &str, _bytes: &Arc<Vec<u8>>) -> bool {
        false
    }

    /// Reads back a file written before.
    fn open(&self, name: &str) -> io::Result<Box<dyn Read + Send + '_>>;

    /// Writes file `name`, which no checksum lists (the zip archive: the manifest is inside it), without
    /// hashing it; returns its size.
    fn write_unhashed(&self, name: &str, fill: Fill) -> io::Result<u64> {
        self.write_with(name, fill).map(|record| record.bytes)
    }

    /// Writes file `name` from bytes in memory.
    fn write(&self, name: &str, bytes: &[u8]) -> io::Result<FileRecord> {
        self.write_with(name, &mut |w| w.write_all(bytes))
    }
}

/// A writer that counts and hashes what goes through it.
pub struct Hashing<W> {
    inner: W,
    sha: Sha256,
    len: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing {
            inner,
            sha: Sha256::new(),
            len: 0,
        }
    }

    /// The writer, and the record of what was written as file `name`.
    pub fn finish(self, name: &str) -> (W, FileRecord) {
        let record = FileRecord {
            file: name.to_string(),
            bytes: self.len,
            sha256: crate::encode::hex(&self.sha.finalize()),
        };
        (self.inner, record)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Files kept in memory (the preview server, tests), each shareable without a copy.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Arc<Vec<u8>>>>,
}

impl MemorySink {
    pub fn new() -> Self {
        Self::default()
    }

    /// A sink that already holds `files` (shared, not copied): the zip of a bundle built before.
    pub fn holding(files: BTreeMap<String, Arc<Vec<u8>>>) -> Self {
        MemorySink {
            files: Mutex::new(files),
        }
    }

    /// The files, by name.
    pub fn into_files(self) -> BTreeMap<String, Arc<Vec<u8>>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<Vec<u8>>>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn write_with(&self, name: &str, fill: Fill) -> io::Result<FileRecord> {
        let mut w = Hashing::new(Vec::new());
        fill(&mut w)?;
        let (bytes, record) = w.finish(name);
        self.lock().insert(name.to_string(), Arc::new(bytes));
        Ok(record)
    }

    fn write_unhashed(&self, name: &str, fill: Fill) -> io::Result<u64> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        let len = bytes.len() as u64;
        self.lock().insert(name.to_string(), Arc::new(bytes));
        Ok(len)
    }

    fn link(&self, _name: &str, _from: &Path) -> bool {
        false
    }

    fn share(&self, name: &str, bytes: &Arc<Vec<u8>>) -> bool {
        self.lock().insert(name.to_string(), Arc::clone(bytes));
        true
    }

    fn open(&self, name: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        let bytes = self
            .lock()
            .get(name)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, name.to_string()))?;
        Ok(Box::new(io::Cursor::new(Shared(bytes))))
    }
}

/// Bytes shared with the sink, read through a cursor.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// SHA-256 (hex) and size of a file, read in pieces.
pub fn hash_file(path: &Path) -> io::Result<FileRecord> {
    let mut file = std::fs::File::open(path)?;
    let mut w = Hashing::new(io::sink());
    io::copy(&mut file, &mut w)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(w.finish(&name).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sink_records_what_it_keeps() {
        let sink = MemorySink::new();
        let record = sink.write("a.txt", b"abc").unwrap();
        assert_eq!(record, FileRecord::of("a.txt", b"abc"));
        let mut back = String::new();
        sink.open("a.txt")
            .unwrap()
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, "abc");
        assert!(sink.open("b.txt").is_err());
        assert_eq!(*sink.into_files()["a.txt"], b"abc");
    }
}
