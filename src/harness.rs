//! The `share` fuzz harness (fuzz/fuzz_targets/share.rs), in the library so that `cargo test` runs the
//! very same function over the committed seeds and mutations of them (tests/fuzz_smoke.rs): CI
//! exercises it on every run, without libFuzzer.
//!
//! One input is one hostile record of a bundle folder or a share: its first byte picks which (see
//! [`Slot`]), the rest is the file. [`run`] lays out a scratch folder — a small valid signed bundle, a
//! share already holding it, a folder of "victim" files beside them standing for the rest of the
//! disk — writes the input in its slot, then runs `verify` on both folders, the signature check, and a
//! `publish` of the bundle to the share. It asserts that none of them panics (the fuzzer sees a panic
//! as a crash) and that nothing outside the scratch root was touched: the victim folder is byte for byte
//! and name for name what it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::bundle::{self, BuildOptions};
use crate::package::manifest;
use crate::package::signing::{self, Signer, SIGNATURE_FILE};
use crate::package::sink::MemorySink;
use crate::progress::Progress;
use crate::snapshot::Snapshot;
use crate::verify::{self, JOURNAL, PUBLISH_DIR};

/// Snapshot time of the harness's bundle (2025-11-22).
pub const EPOCH: i64 = 1_763_800_000;
/// The staging folder the harness's share holds (and its valid journal names).
pub const STAGING: &str = "s";
const SIGNING_SEED: [u8; 32] = [42; 32];

/// Where the input is written, by its first byte (modulo the number of slots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `bundle/bcp-manifest.toml`: the bundle to verify and publish.
    BundleManifest = 0,
    /// `share/.lifeboat-publish/journal.toml`, beside a complete staging folder `s/`.
    Journal = 1,
    /// `share/.lifeboat-publish/s/bcp-manifest.toml`, with a valid journal naming `s`.
    StagedManifest = 2,
    /// `share/bcp-manifest.toml`: the bundle in place on the share.
    ShareManifest = 3,
    /// `bundle/bcp-manifest.toml.sig`.
    Signature = 4,
}

const SLOTS: [Slot; 5] = [
    Slot::BundleManifest,
    Slot::Journal,
    Slot::StagedManifest,
    Slot::ShareManifest,
    Slot::Signature,
];

impl Slot {
    pub fn of(byte: u8) -> Slot {
        SLOTS[usize::from(byte) % SLOTS.len()]
    }
}

const SITE: &str = r#"name = "Harness"
language = "en"
online_url = "https://app.example.com"

[backup]
frequency_days = 30
owner = { name = "O" }

[signing]
"#;

/// The harness's valid bundle, by file name (signed; built once per process).
pub fn bundle_files() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| build().expect("the harness's own content builds"))
}

fn build() -> Result<BTreeMap<String, Vec<u8>>, String> {
    let scratch = Scratch::new(&std::env::temp_dir()).map_err(|e| e.to_string())?;
    let content = scratch.root.join("content");
    let write = |rel: &str, text: &str| -> Result<(), String> {
        let path = content.join(rel);
        fs::create_dir_all(path.parent().unwrap_or(&content)).map_err(|e| e.to_string())?;
        fs::write(path, text).map_err(|e| e.to_string())
    };
    write("site.toml", SITE)?;
    write("e/entry.toml", "title = \"E\"\nstart = \"start\"\n")?;
    write(
        "e/start.md",
        "+++\ntitle = \"Start\"\n+++\n\n## Start {#begin}\n\nHello.\n\n- [Done](#done)\n\n## Done {#done}\n\nBye.\n",
    )?;
    let (report, loaded) = crate::pipeline::load_and_check(&content, None);
    let Some((project, checked)) = loaded.filter(|_| !report.has_errors()) else {
        return Err(format!("{:?}", report.to_json()));
    };
    let signer = Signer::from_secret(ed25519_dalek::SigningKey::from_bytes(&SIGNING_SEED));
    let progress = Progress::hidden();
    let options = BuildOptions {
        previous: None,
        progress: &progress,
        signing: Some(&signer),
        locked_files: None,
        timings: None,
        basis: None,
    };
    let snapshot = Snapshot::at(EPOCH, None, false);
    let sink = MemorySink::new();
    let unzipped = bundle::build_files(
        &sink,
        &project,
        &checked,
        &snapshot,
        &crate::access::groups::KeyRing::default(),
        options,
    )
    .map_err(|e| e.to_string())?;
    bundle::zip_into(&sink, unzipped, &snapshot, options).map_err(|e| e.to_string())?;
    Ok(sink
        .into_files()
        .into_iter()
        .map(|(name, bytes)| (name, bytes.as_ref().clone()))
        .collect())
}

/// The public key that signed [`bundle_files`].
pub fn public_key() -> ed25519_dalek::VerifyingKey {
    ed25519_dalek::SigningKey::from_bytes(&SIGNING_SEED).verifying_key()
}

/// One valid input per slot: what the harness's folders hold there when nothing is hostile. The
/// committed seeds in fuzz/seeds/share/ are these.
pub fn valid_inputs() -> Vec<(Slot, Vec<u8>)> {
    let files = bundle_files();
    let manifest = files.get(manifest::FILE_NAME).cloned().unwrap_or_default();
    let sig = files.get(SIGNATURE_FILE).cloned().unwrap_or_default();
    let journal = valid_journal();
    let with = |slot: Slot, bytes: &[u8]| {
        let mut input = vec![slot as u8];
        input.extend_from_slice(bytes);
        (slot, input)
    };
    vec![
        with(Slot::BundleManifest, &manifest),
        with(Slot::Journal, journal.as_bytes()),
        with(Slot::StagedManifest, &manifest),
        with(Slot::ShareManifest, &manifest),
        with(Slot::Signature, &sig),
    ]
}

fn valid_journal() -> String {
    format!(
        "staging = \"{STAGING}\"\nsnapshot = \"2025-11-22T08:26:40Z\"\nstarted_epoch = {EPOCH}\n"
    )
}

/// A folder removed when dropped.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(base: &Path) -> std::io::Result<Scratch> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let root = base.join(format!("lifeboat-harness-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root)?;
        Ok(Scratch { root })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn write_all(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    fs::create_dir_all(dir).expect("scratch folder");
    for (name, bytes) in files {
        fs::write(dir.join(name), bytes).expect("scratch file");
    }
}

/// Every path under `dir` (links not followed) with its bytes (files) or link target.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let content = if meta.file_type().is_symlink() {
            fs::read_link(&path)
                .map(|t| t.to_string_lossy().as_bytes().to_vec())
                .unwrap_or_default()
        } else if meta.is_dir() {
            for item in fs::read_dir(&path).into_iter().flatten().flatten() {
                stack.push(item.path());
            }
            b"<dir>".to_vec()
        } else {
            fs::read(&path).unwrap_or_default()
        };
        out.insert(path, content);
    }
    out
}

/// Runs the harness on one input in a scratch folder under the system's temporary folder.
pub fn run(data: &[u8]) {
    run_in(&std::env::temp_dir(), data);
}

/// Runs the harness on one input in a scratch folder under `base`.
pub fn run_in(base: &Path, data: &[u8]) {
    let Some((&slot, input)) = data.split_first() else {
        return;
    };
    let slot = Slot::of(slot);
    let scratch = Scratch::new(base).expect("scratch folder");
    // The rest of the disk, as far as this run can tell: the bundle and share sit in `root/`, so a
    // name such as `../victim/victim.txt` or `../../victim` reaches here.
    let victim = scratch.root.join("victim");
    fs::create_dir_all(victim.join("d")).expect("victim folder");
    fs::write(victim.join("victim.txt"), b"precious").expect("victim file");
    fs::write(victim.join("d/bcp-manifest.toml"), b"not yours").expect("victim file");
    let root = scratch.root.join("root");
    let bundle = root.join("bundle");
    let share = root.join("share");
    let files = bundle_files();
    write_all(&bundle, files);
    write_all(&share, files);
    let work = share.join(PUBLISH_DIR);
    match slot {
        Slot::BundleManifest => fs::write(bundle.join(manifest::FILE_NAME), input),
        Slot::Journal => {
            write_all(&work.join(STAGING), files);
            fs::write(work.join(JOURNAL), input)
        }
        Slot::StagedManifest => {
            write_all(&work.join(STAGING), files);
            fs::write(work.join(JOURNAL), valid_journal())
                .and_then(|()| fs::write(work.join(STAGING).join(manifest::FILE_NAME), input))
        }
        Slot::ShareManifest => fs::write(share.join(manifest::FILE_NAME), input),
        Slot::Signature => fs::write(bundle.join(SIGNATURE_FILE), input),
    }
    .expect("scratch input");
    let before = tree(&victim);
    let now = EPOCH + 86_400;
    let key = public_key();
    for dir in [&bundle, &share] {
        let _ = verify::verify(dir, now, None, i64::MAX);
        let _ = verify::signature::check_dir(dir, Some(&key));
        let _ = verify::signature::check_dir(dir, None);
    }
    let mut ops = crate::publish::Ops::real(crate::publish::Steps::default());
    let _ = crate::publish::publish(
        &bundle,
        &share,
        &crate::publish::Options::new(1, now),
        &mut ops,
    );
    let _ = verify::verify(&share, now, None, i64::MAX);
    assert_eq!(
        tree(&victim),
        before,
        "a {slot:?} input made lifeboat touch files outside the bundle and the share"
    );
    let outside: Vec<_> = fs::read_dir(&scratch.root)
        .expect("scratch folder")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        outside.len(),
        2,
        "a {slot:?} input made lifeboat write {outside:?} beside the share"
    );
    // The key is what signed the bundle: a sanity check of the harness itself.
    debug_assert_eq!(
        signing::claimed_key(files.get(SIGNATURE_FILE).map_or(&[][..], Vec::as_slice)),
        Some(key)
    );
}
