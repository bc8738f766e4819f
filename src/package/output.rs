//! The output folder is built beside its final place and swapped in only when complete, so a failed
//! build leaves the previous output as it was.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, SyncSender};
use std::thread::{self, JoinHandle};

use crate::package::manifest::FileRecord;
use crate::package::sink::{Fill, Hashing, Sink};

/// Files written and not yet synced, at most (see [`Syncer`]).
const QUEUED_FILES: usize = 32;

/// Written in every output folder: its presence allows a later build to replace the folder.
pub const MARKER: &str = ".lifeboat-output";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("output folder `{0}` is the content folder or contains it; choose another --out")]
    ContainsContent(String),
    #[error("output folder `{0}` is inside the content folder; choose a folder outside it (e.g. `dist`)")]
    InsideContent(String),
    #[error("`{0}` exists, is not empty and was not made by lifeboat; refusing to replace it (remove it or choose another --out)")]
    Foreign(String),
    #[error("`{0}` exists and is not a folder")]
    NotADirectory(String),
    #[error("cannot write `{path}`: {source}")]
    Io { path: String, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Refuses output folders that would destroy content or foreign files.
pub fn check_target(out: &Path, content_root: &Path) -> Result<(), OutputError> {
    let shown = out.display().to_string();
    let absolute = absolute(out);
    if content_root.starts_with(&absolute) {
        return Err(OutputError::ContainsContent(shown));
    }
    if absolute.starts_with(content_root) {
        return Err(OutputError::InsideContent(shown));
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(OutputError::NotADirectory(shown));
        }
        let empty = fs::read_dir(out).map_err(io_err(out))?.next().is_none();
        if !empty && !out.join(MARKER).exists() {
            return Err(OutputError::Foreign(shown));
        }
    }
    Ok(())
}

/// `path` made absolute with symlinks in its existing part resolved.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let full = cwd.join(path);
    match (full.parent(), full.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => full,
    }
}

/// Writes `files` (relative names) as the folder `out`, replacing a previous output in one step.
pub fn write_folder(out: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let staging = Staging::new(out)?;
    for (name, bytes) in files {
        staging
            .write(name, bytes)
            .map_err(io_err(&staging.tmp.join(name)))?;
    }
    staging.commit()
}

/// A new output folder being written beside `out`, which it replaces in one step on [`Staging::commit`];
/// dropped without a commit, it is removed and `out` stays as it was. Every file is synced to disk
/// before the swap: by a thread of its own as soon as the file is written, so the build goes on while
/// the disk catches up (the zip reads the entry points back from the page cache meanwhile).
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    committed: bool,
    syncer: Option<Syncer>,
}

/// Files written and waiting for `fsync`, and the thread that syncs them in order; it keeps the first
/// error, which fails the commit. The queue is bounded: each waiting file holds a descriptor, so a
/// writer faster than the disk waits instead of running out of them (a bundle of thousands of entry
/// points written to a slow share).
struct Syncer {
    queue: SyncSender<(PathBuf, File)>,
    thread: JoinHandle<Result<(), (PathBuf, io::Error)>>,
}

impl Syncer {
    fn start() -> Option<Syncer> {
        let (queue, written) = mpsc::sync_channel::<(PathBuf, File)>(QUEUED_FILES);
        let thread = thread::Builder::new()
            .name("lifeboat-fsync".into())
            .spawn(move || {
                let mut first = Ok(());
                for (path, file) in written {
                    if first.is_ok() {
                        first = file.sync_all().map_err(|e| (path, e));
                    }
                }
                first
            })
            .ok()?;
        Some(Syncer { queue, thread })
    }

    /// Waits until every queued file is on disk.
    fn finish(self) -> Result<(), (PathBuf, io::Error)> {
        drop(self.queue);
        self.thread
            .join()
            .unwrap_or_else(|_| Err((PathBuf::new(), io::Error::other("the fsync thread failed"))))
    }
}

impl Staging {
    pub fn new(out: &Path) -> Result<Staging, OutputError> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "dist".into());
        let pid = std::process::id();
        let tmp = parent.join(format!(".{name}.tmp-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        remove_leftovers(&parent, &name);
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            old,
            committed: false,
            syncer: Syncer::start(),
        })
    }

    /// Marks the folder as lifeboat's and puts it in place of the output folder.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let marker =
            "This folder was generated by lifeboat; the next build replaces it as a whole.\n";
        self.write(MARKER, marker.as_bytes())
            .map_err(io_err(&self.tmp.join(MARKER)))?;
        if let Some(syncer) = self.syncer.take() {
            syncer
                .finish()
                .map_err(|(path, source)| io_err(&path)(source))?;
        }
        if let Ok(dir) = File::open(&self.tmp) {
            dir.sync_all().ok();
        }
        swap_in(&self.tmp, &self.out, &self.old)?;
        self.committed = true;
        Ok(())
    }

    /// A new file of the folder, buffered.
    fn create(&self, name: &str) -> io::Result<(PathBuf, BufWriter<File>)> {
        let path = self.tmp.join(name);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p)?;
        }
        let file = File::create(&path)?;
        Ok((path, BufWriter::with_capacity(1 << 20, file)))
    }

    /// Flushes a file written with [`Staging::create`] and queues it for `fsync`; returns its size.
    fn close(&self, path: PathBuf, buffered: BufWriter<File>) -> io::Result<u64> {
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        let bytes = file.metadata()?.len();
        match &self.syncer {
            Some(syncer) => {
                if let Err(mpsc::SendError((_, file))) = syncer.queue.send((path, file)) {
                    file.sync_all()?;
                }
            }
            None => file.sync_all()?,
        }
        Ok(bytes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(syncer) = self.syncer.take() {
            syncer.finish().ok();
        }
        if !self.committed {
            fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

impl Sink for Staging {
    fn write_with(&self, name: &str, fill: Fill) -> io::Result<FileRecord> {
        let (path, file) = self.create(name)?;
        let mut w = Hashing::new(file);
        fill(&mut w)?;
        let (buffered, record) = w.finish(name);
        self.close(path, buffered)?;
        Ok(record)
    }

    fn write_unhashed(&self, name: &str, fill: Fill) -> io::Result<u64> {
        let (path, mut file) = self.create(name)?;
        fill(&mut file)?;
        self.close(path, file)
    }

    fn link(&self, name: &str, from: &Path) -> bool {
        fs::hard_link(from, self.tmp.join(name)).is_ok()
    }

    fn open(&self, name: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        let file = File::open(self.tmp.join(name))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
    }
}

fn swap_in(tmp: &Path, out: &Path, old: &Path) -> Result<(), OutputError> {
    let had_previous = out.exists();
    if had_previous {
        fs::rename(out, old).map_err(io_err(out))?;
    }
    if let Err(e) = fs::rename(tmp, out) {
        if had_previous {
            fs::rename(old, out).ok();
        }
        return Err(io_err(out)(e));
    }
    if had_previous {
        fs::remove_dir_all(old).ok();
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(parent) {
            dir.sync_all().ok();
        }
    }
    Ok(())
}

/// Removes temporary folders left by builds that were killed.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(read) = fs::read_dir(parent) else {
        return;
    };
    for item in read.flatten() {
        let file_name = item.file_name().to_string_lossy().to_string();
        if file_name.starts_with(&format!(".{name}.tmp-"))
            || file_name.starts_with(&format!(".{name}.old-"))
        {
            fs::remove_dir_all(item.path()).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staging_folder_dropped_before_its_commit_goes_with_its_queued_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        write_folder(&out, &[("a.html".into(), b"one".to_vec())]).unwrap();
        let staging = Staging::new(&out).unwrap();
        for i in 0..20 {
            staging.write(&format!("f{i}.html"), &[b'x'; 4096]).unwrap();
        }
        let tmp = staging.tmp.clone();
        assert!(tmp.join("f19.html").exists());
        drop(staging);
        assert!(!tmp.exists());
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"one");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "only dist is left: {names:?}");

        let staging = Staging::new(&out).unwrap();
        let record = staging.write("b.html", b"two").unwrap();
        assert_eq!(record, FileRecord::of("b.html", b"two"));
        staging.commit().unwrap();
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"two");
        assert!(out.join(MARKER).exists() && !out.join("a.html").exists());
    }

    #[test]
    fn replaces_previous_output_and_refuses_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir(&content).unwrap();
        let out = dir.path().join("dist");
        write_folder(&out, &[("a.html".into(), b"one".to_vec())]).unwrap();
        check_target(&out, &content.canonicalize().unwrap()).unwrap();
        write_folder(&out, &[("b.html".into(), b"two".to_vec())]).unwrap();
        assert!(!out.join("a.html").exists());
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"two");

        let foreign = dir.path().join("home");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("thesis.doc"), "precious").unwrap();
        assert!(matches!(
            check_target(&foreign, &content),
            Err(OutputError::Foreign(_))
        ));
        let root = content.canonicalize().unwrap();
        assert!(matches!(
            check_target(&content.join("dist"), &root),
            Err(OutputError::InsideContent(_))
        ));
        assert!(matches!(
            check_target(dir.path(), &root),
            Err(OutputError::ContainsContent(_))
        ));
    }
}
