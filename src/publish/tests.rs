//! Publish on a file share that refuses to replace or delete a file a reader has open, as a Windows
//! share does: retries with back-off, then a rollback to the previous bundle (never a mixed share).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fs::{Backoff, RealFs, ShareFs};
use super::{publish, Ops, Options, PublishError, Steps};
use crate::package::manifest::sha256_hex;
use crate::verify::{self, Side, DEFAULT_IN_PROGRESS_MAX, PUBLISH_DIR};

const OLD: &str = "2025-11-22T08:26:40Z";
const NEW: &str = "2025-11-23T08:26:40Z";
const NOW: i64 = 1_763_900_000;

/// The real file system, but files "open in a reader" cannot be renamed over or deleted.
#[derive(Default)]
struct LockingFs {
    /// Open files, with how many more refusals before the reader closes them.
    open: RefCell<BTreeMap<PathBuf, usize>>,
    /// Files a reader opens as soon as a rename puts them in place.
    opened_once_replaced: RefCell<BTreeSet<PathBuf>>,
    refused: RefCell<Vec<PathBuf>>,
    /// Writes that succeed before the disk is full (none are refused when `None`).
    writes_before_full: std::cell::Cell<Option<usize>>,
}

impl LockingFs {
    fn lock(&self, path: PathBuf, refusals: usize) {
        self.open.borrow_mut().insert(path, refusals);
    }

    fn refuse_if_open(&self, path: &Path) -> io::Result<()> {
        let mut open = self.open.borrow_mut();
        match open.get_mut(path) {
            Some(0) => {
                open.remove(path);
                Ok(())
            }
            Some(left) => {
                *left -= 1;
                self.refused.borrow_mut().push(path.to_path_buf());
                Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "Access is denied. (os error 5)",
                ))
            }
            None => Ok(()),
        }
    }
}

impl ShareFs for LockingFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        RealFs.create_dir_all(dir)
    }
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        match self.writes_before_full.get() {
            Some(0) => {
                // What a full disk does: the file is created, its bytes do not fit.
                std::fs::write(path, &bytes[..bytes.len().min(1)])?;
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device (os error 28)",
                ));
            }
            Some(n) => self.writes_before_full.set(Some(n - 1)),
            None => {}
        }
        RealFs.write_synced(path, bytes)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.refuse_if_open(to)?;
        RealFs.rename(from, to)?;
        if self.opened_once_replaced.borrow_mut().remove(to) {
            self.lock(to.to_path_buf(), usize::MAX);
        }
        Ok(())
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.refuse_if_open(path)?;
        RealFs.remove_file(path)
    }
    fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
        RealFs.remove_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) {
        RealFs.sync_dir(dir)
    }
}

/// Writes a bundle folder of `files` with its manifest.
fn bundle(dir: &Path, snapshot: &str, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = format!(
        "format_version = 1\nsite = \"S\"\nonline_url = \"https://example.com\"\nsnapshot = \"{snapshot}\"\nsnapshot_epoch = 0\nentries = []\n\n[generator]\nname = \"lifeboat\"\nversion = \"0\"\n\n[source]\ndirty = false\n\n[environment]\n\n[backup]\nfrequency_days = 30\nnext_due = \"2099-01-01\"\n\n[backup.owner]\nname = \"A\"\n"
    );
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
        manifest.push_str(&format!(
            "\n[[documents]]\nfile = \"{name}\"\nbytes = {}\nsha256 = \"{}\"\n",
            text.len(),
            sha256_hex(text.as_bytes())
        ));
    }
    std::fs::write(dir.join("bcp-manifest.toml"), manifest).unwrap();
}

/// The old bundle published to `share`; a new one that changes a.html and b.html, drops c.html and
/// adds d.html (replaced in this order: a, b, d; then c is deleted).
fn setup() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    bundle(
        &root.path().join("old"),
        OLD,
        &[
            ("a.html", "old a"),
            ("b.html", "old b"),
            ("c.html", "old c"),
        ],
    );
    bundle(
        &root.path().join("new"),
        NEW,
        &[
            ("a.html", "new a"),
            ("b.html", "new b"),
            ("d.html", "new d"),
        ],
    );
    let share = root.path().join("share");
    let mut ops = Ops::real(Steps::default());
    publish(
        &root.path().join("old"),
        &share,
        &Options::new(3, NOW),
        &mut ops,
    )
    .unwrap();
    (root, share)
}

fn read(share: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(share.join(name)).ok()
}

/// Publishes the new bundle on `fs`, with back-off `delays` recorded instead of slept.
fn publish_new(
    root: &Path,
    share: &Path,
    fs: &LockingFs,
    delays: &[u64],
) -> (Result<super::Published, PublishError>, Vec<Duration>) {
    let slept = RefCell::new(Vec::new());
    let sleep = |d: Duration| slept.borrow_mut().push(d);
    let mut ops = Ops {
        fs,
        backoff: Backoff {
            delays: delays.iter().map(|ms| Duration::from_millis(*ms)).collect(),
            sleep: &sleep,
        },
        steps: Steps::default(),
    };
    let result = publish(&root.join("new"), share, &Options::new(3, NOW), &mut ops);
    (result, slept.into_inner())
}

/// The share verifies as the bundle `snapshot`, with no publish in progress.
fn assert_is(share: &Path, snapshot: &str) {
    let v = verify::verify(share, NOW, None, DEFAULT_IN_PROGRESS_MAX).unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.snapshot, snapshot);
    assert!(v.publishing.is_none(), "{v:?}");
    assert!(!share.join(PUBLISH_DIR).exists());
}

#[test]
fn a_file_in_use_is_retried_with_back_off_until_it_can_be_replaced() {
    let (root, share) = setup();
    let fs = LockingFs::default();
    fs.lock(share.join("b.html"), 2);
    let (result, slept) = publish_new(root.path(), &share, &fs, &[1, 2, 4, 8]);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(slept, [Duration::from_millis(1), Duration::from_millis(2)]);
    assert_eq!(fs.refused.borrow().len(), 2);
    assert_is(&share, NEW);
    assert_eq!(read(&share, "b.html").as_deref(), Some("new b"));
}

#[test]
fn a_file_in_use_for_good_rolls_the_share_back_to_the_previous_bundle() {
    let (root, share) = setup();
    let fs = LockingFs::default();
    fs.lock(share.join("b.html"), usize::MAX);
    let (result, slept) = publish_new(root.path(), &share, &fs, &[1, 2, 4]);
    let err = result.unwrap_err();
    assert!(
        matches!(err, PublishError::InUse { tries: 4, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    for part in [
        &format!(
            "`{}` could not be replaced or removed",
            share.join("b.html").display()
        ),
        "4 tries over 7ms",
        "put back: the share holds snapshot 2025-11-22T08:26:40Z again",
        "run `lifeboat publish` again",
    ] {
        assert!(message.contains(part), "{part}\n{message}");
    }
    // The wait is bounded by the back-off: no more than its delays.
    assert_eq!(slept.iter().sum::<Duration>(), Duration::from_millis(7));
    // a.html had been replaced already: it is the old one again; d.html was never placed.
    assert_is(&share, OLD);
    for (name, text) in [
        ("a.html", "old a"),
        ("b.html", "old b"),
        ("c.html", "old c"),
    ] {
        assert_eq!(read(&share, name).as_deref(), Some(text), "{name}");
    }
    assert_eq!(read(&share, "d.html"), None);

    // Once the reader closes it, the publish goes through.
    let (result, _) = publish_new(root.path(), &share, &LockingFs::default(), &[1]);
    assert!(result.is_ok(), "{result:?}");
    assert_is(&share, NEW);
}

#[test]
fn a_dropped_file_in_use_rolls_back_the_replaced_and_added_files() {
    let (root, share) = setup();
    let fs = LockingFs::default();
    fs.lock(share.join("c.html"), usize::MAX);
    let (result, _) = publish_new(root.path(), &share, &fs, &[1]);
    assert!(
        matches!(result, Err(PublishError::InUse { .. })),
        "{result:?}"
    );
    assert_is(&share, OLD);
    assert_eq!(read(&share, "a.html").as_deref(), Some("old a"));
    assert_eq!(read(&share, "b.html").as_deref(), Some("old b"));
    assert_eq!(read(&share, "d.html"), None);
}

#[test]
fn a_rollback_that_cannot_finish_leaves_a_publish_in_progress_that_verify_reports() {
    let (root, share) = setup();
    let fs = LockingFs::default();
    fs.lock(share.join("b.html"), usize::MAX);
    // Someone opens the new a.html right after it is put in place: it cannot be put back either.
    fs.opened_once_replaced
        .borrow_mut()
        .insert(share.join("a.html"));
    let (result, _) = publish_new(root.path(), &share, &fs, &[1]);
    let message = result.unwrap_err().to_string();
    assert!(message.contains("could not all be put back"), "{message}");
    assert!(
        message.contains("`lifeboat verify` reports a publish in progress"),
        "{message}"
    );
    // Each file complete, old or new: verify passes, and says which is which, until the publish
    // has been in progress for too long.
    let v = verify::verify(&share, NOW + 60, None, DEFAULT_IN_PROGRESS_MAX).unwrap();
    assert!(v.ok, "{v:?}");
    let side = |name: &str| v.files.iter().find(|f| f.file == name).unwrap().version;
    assert_eq!(side("a.html"), Some(Side::New));
    assert_eq!(side("b.html"), Some(Side::Old));
    let late = verify::verify(&share, NOW + 601, None, DEFAULT_IN_PROGRESS_MAX).unwrap();
    assert!(!late.ok, "{late:?}");
    // Closed, a rerun finishes the publish.
    let (result, _) = publish_new(root.path(), &share, &LockingFs::default(), &[1]);
    assert!(result.is_ok(), "{result:?}");
    assert_is(&share, NEW);
}

#[test]
fn an_archive_in_use_is_left_for_the_next_publish_to_prune() {
    let (root, share) = setup();
    let fs = LockingFs::default();
    // On Windows, a folder holding an open file cannot be renamed out of sight.
    let archived = share.join("archive/2025-11-22T08-26-40Z");
    fs.lock(
        share.join("archive/.2025-11-22T08-26-40Z.deleting"),
        usize::MAX,
    );
    let slept = RefCell::new(Vec::new());
    let sleep = |d: Duration| slept.borrow_mut().push(d);
    let mut ops = Ops {
        fs: &fs,
        backoff: Backoff {
            delays: vec![Duration::from_millis(1)],
            sleep: &sleep,
        },
        steps: Steps::default(),
    };
    let published = publish(
        &root.path().join("new"),
        &share,
        &Options::new(0, NOW),
        &mut ops,
    )
    .unwrap();
    assert_is(&share, NEW);
    assert!(published.pruned.is_empty(), "{published:?}");
    assert_eq!(published.unpruned.len(), 1, "{published:?}");
    assert_eq!(published.unpruned[0].0, "archive/2025-11-22T08-26-40Z");
    assert!(archived.join("bcp-manifest.toml").exists());
}

#[test]
fn a_full_disk_while_staging_leaves_the_previous_bundle_and_no_staging_folder() {
    let (root, share) = setup();
    let fs = LockingFs::default();
    fs.writes_before_full.set(Some(1));
    let (result, _) = publish_new(root.path(), &share, &fs, &[]);
    let e = result.unwrap_err().to_string();
    assert!(e.contains("No space left on device"), "{e}");
    assert_is(&share, OLD);
}

/// A bundle whose launcher has a notice slot, published to `share`.
fn setup_launcher() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let slot = crate::package::notice::Slot {
        lang: "en".into(),
        heading_set: "Notice".into(),
        heading_restored: "Restored".into(),
        meta: "{notice_date} {notice_time}".into(),
        meta_by: "{notice_date} {notice_time} {notice_by}".into(),
        back: "Back".into(),
        months: "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".into(),
        date_format: "{day} {month} {year}".into(),
        day_one: "1".into(),
    };
    let launcher = format!("<main>{}</main>", slot.html(None, "https://example.com"));
    bundle(
        &root.path().join("old"),
        OLD,
        &[("a.html", "old a"), ("index.html", &launcher)],
    );
    let share = root.path().join("share");
    let mut ops = Ops::real(Steps::default());
    publish(
        &root.path().join("old"),
        &share,
        &Options::new(3, NOW),
        &mut ops,
    )
    .unwrap();
    (root, share)
}

fn set_notice(share: &Path, fs: &LockingFs) -> Result<super::notice::Noticed, PublishError> {
    let sleep = |_: Duration| {};
    let mut ops = Ops {
        fs,
        backoff: Backoff {
            delays: vec![Duration::from_millis(1), Duration::from_millis(2)],
            sleep: &sleep,
        },
        steps: Steps::default(),
    };
    let notice = crate::package::notice::Notice {
        kind: crate::package::notice::NoticeKind::Set,
        text: "CRM down".into(),
        by: None,
        time: "2025-11-23T12:13:20Z".into(),
        epoch: NOW,
        built_manifest_sha256: String::new(),
    };
    super::notice::set(share, Some(notice), None, &Options::new(3, NOW), &mut ops)
}

#[test]
fn a_notice_whose_launcher_or_manifest_stays_in_use_puts_the_old_launcher_back() {
    for locked in ["index.html", "bcp-manifest.toml"] {
        let (_root, share) = setup_launcher();
        let before = (
            read(&share, "index.html"),
            read(&share, "bcp-manifest.toml"),
        );
        let fs = LockingFs::default();
        fs.lock(share.join(locked), usize::MAX);
        let err = set_notice(&share, &fs).unwrap_err();
        assert!(
            err.to_string().contains("The launcher was put back"),
            "{locked}: {err}"
        );
        assert_is(&share, OLD);
        let after = (
            read(&share, "index.html"),
            read(&share, "bcp-manifest.toml"),
        );
        assert_eq!(after, before, "{locked}: the share is as it was");
        // Closed, the notice goes in.
        set_notice(&share, &LockingFs::default()).unwrap();
        assert_is(&share, OLD);
        assert!(read(&share, "index.html").unwrap().contains("CRM down"));
    }
}
