//! `lifeboat serve`: builds the content in memory with the same pipeline as `lifeboat build`, serves the
//! result on 127.0.0.1, rebuilds when the content changes and makes open pages reload.
//!
//! State lives in one [`Shared`] value behind an `Arc`, owned by the server and the watcher: the last good
//! build (with the reload hook put into its pages), its generation number, and the errors of the last
//! build attempt. A failed rebuild keeps the last good build; the pages show its errors in an overlay.

pub mod csp;
pub mod hook;
pub mod http;
pub mod watch;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::bundle;
use crate::diagnostics::{summary, Severity};
use crate::package::cache::Previous;
use crate::snapshot::Snapshot;

/// One problem of a build attempt, as the status endpoint and the overlay show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Path as `lifeboat check` prints it (relative to the content folder's parent).
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    fn general(message: impl Into<String>) -> Problem {
        Problem {
            file: None,
            line: None,
            message: message.into(),
        }
    }

    /// `file:line message`, for people.
    pub fn to_text(&self) -> String {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{file}:{line} {}", self.message),
            (Some(file), None) => format!("{file} {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// A good build as it is served: the files as `lifeboat build` writes them; an HTML page gets the reload
/// hook the first time it is asked for, and the zip archive is made then too. Both are kept for the
/// build's life, so a reload copies nothing (an entry point file can be 100 MB; putting the hook in
/// takes about 70 ms at that size).
pub struct Site {
    build: bundle::InMemory,
    generation: u64,
    zip: OnceLock<Result<Body, String>>,
    /// Served copies of the HTML pages, by file name, each made once.
    pages: HashMap<String, OnceLock<Body>>,
}

/// The bytes of a served file: pieces of shared buffers, sent one after the other. A served page is the
/// built file with its head and the reload hook spliced in ([`hook::serve`]), not a copy of it; a
/// clone shares the buffers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    parts: Vec<(Arc<Vec<u8>>, std::ops::Range<usize>)>,
}

impl Body {
    /// All of `bytes`.
    pub fn whole(bytes: Arc<Vec<u8>>) -> Body {
        let range = 0..bytes.len();
        Body {
            parts: vec![(bytes, range)],
        }
    }

    /// `bytes` as its own piece (small: a rewritten head, a script, an error page).
    pub fn owned(bytes: Vec<u8>) -> Body {
        Body::whole(Arc::new(bytes))
    }

    /// Adds `range` of `bytes` after what is there.
    pub fn push(&mut self, bytes: &Arc<Vec<u8>>, range: std::ops::Range<usize>) {
        if !range.is_empty() {
            self.parts.push((Arc::clone(bytes), range));
        }
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|(_, r)| r.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pieces, in order.
    pub fn slices(&self) -> impl Iterator<Item = &[u8]> {
        self.parts
            .iter()
            .map(|(bytes, range)| &bytes[range.clone()])
    }

    /// The whole body in one buffer (tests, small bodies).
    pub fn to_vec(&self) -> Vec<u8> {
        self.slices().flatten().copied().collect()
    }

    /// Whether some piece of it is `bytes` itself (not a copy).
    pub fn shares(&self, bytes: &Arc<Vec<u8>>) -> bool {
        self.parts.iter().any(|(b, _)| Arc::ptr_eq(b, bytes))
    }
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("generation", &self.generation)
            .field("files", &self.build.files.keys().collect::<Vec<_>>())
            .field("archive", &self.build.archive_name)
            .finish()
    }
}

impl Site {
    fn new(build: bundle::InMemory, generation: u64) -> Site {
        let pages = build
            .files
            .keys()
            .filter(|name| name.ends_with(".html"))
            .map(|name| (name.clone(), OnceLock::new()))
            .collect();
        Site {
            build,
            generation,
            zip: OnceLock::new(),
            pages,
        }
    }

    /// What is served for file `name`: `None` when the bundle has no such file, an error when the zip
    /// could not be made.
    pub fn body(&self, name: &str) -> Option<Result<Body, String>> {
        if name == self.build.archive_name {
            let zip = self
                .zip
                .get_or_init(|| self.build.zip().map(Body::owned).map_err(|e| e.to_string()));
            return Some(zip.clone());
        }
        let bytes = self.build.files.get(name)?;
        let Some(page) = self.pages.get(name) else {
            return Some(Ok(Body::whole(Arc::clone(bytes))));
        };
        Some(Ok(page
            .get_or_init(|| {
                hook::serve(bytes, self.generation)
                    .unwrap_or_else(|| Body::whole(Arc::clone(bytes)))
            })
            .clone()))
    }

    /// The same build, for the next one to reuse its unchanged entry points.
    fn previous(&self) -> Previous {
        Previous::in_memory(self.build.entries.clone(), self.build.files.clone())
    }
}

/// What the status endpoint reports.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Number of the build being served: 0 before the first good build, then 1, 2, …
    pub generation: u64,
    /// Number of build attempts so far, good or not.
    pub revision: u64,
    /// Errors of the last attempt; empty when it was good.
    pub errors: Vec<Problem>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    revision: u64,
    site: Option<Arc<Site>>,
    errors: Vec<Problem>,
}

/// State shared by the HTTP workers and the watcher.
#[derive(Debug, Default)]
pub struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
    /// Held for the whole of a rebuild, so that two never overlap.
    building: Mutex<()>,
    /// Requests being answered (long polls hold one each), to bound the worker threads.
    pub in_flight: AtomicUsize,
    /// The copy the pages say what changed since (`serve --previous`), read once at start.
    basis: Option<crate::changes::Basis>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking worker cannot leave `Inner` half-updated (every update is one assignment block).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn status(&self) -> Status {
        let inner = self.lock();
        Status {
            generation: inner.generation,
            revision: inner.revision,
            errors: inner.errors.clone(),
        }
    }

    /// The status once it differs from `generation` (and `revision`, when given), or after `timeout`.
    pub fn wait_for_change(
        &self,
        generation: u64,
        revision: Option<u64>,
        timeout: Duration,
    ) -> Status {
        let inner = self.lock();
        let (inner, _) = self
            .changed
            .wait_timeout_while(inner, timeout, |i| {
                i.generation == generation && revision.map_or(true, |r| i.revision == r)
            })
            .unwrap_or_else(|e| e.into_inner());
        Status {
            generation: inner.generation,
            revision: inner.revision,
            errors: inner.errors.clone(),
        }
    }

    /// The last good build (if any) and the errors of the last attempt.
    pub fn site(&self) -> (Option<Arc<Site>>, Vec<Problem>) {
        let inner = self.lock();
        (inner.site.clone(), inner.errors.clone())
    }

    /// Builds the content once and records the outcome; wakes the long polls.
    pub fn rebuild(&self, content_dir: &Path, env: Option<&str>) {
        let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let next_generation = self.lock().generation + 1;
        let last = self.lock().site.clone();
        let outcome = build_files(content_dir, env, last.as_deref(), self.basis.as_ref());
        drop(last);
        let mut inner = self.lock();
        inner.revision += 1;
        match outcome {
            Ok(build) => {
                // Rebuilds never overlap (`building`), so this is the generation computed above.
                inner.generation = next_generation;
                let generation = inner.generation;
                let (reused, entries) = build.reused;
                inner.site = Some(Arc::new(Site::new(build, generation)));
                inner.errors.clear();
                println!(
                    "built generation {generation} in {:.2} s (reused {reused} of {entries} entry point{} unchanged)",
                    started.elapsed().as_secs_f64(),
                    if entries == 1 { "" } else { "s" }
                );
            }
            Err(problems) => {
                let kept = if inner.site.is_some() {
                    format!("still serving generation {}", inner.generation)
                } else {
                    "serving an error page".to_string()
                };
                eprintln!(
                    "build failed ({} problem{}); {kept} until the content is fixed",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                inner.errors = problems;
            }
        }
        drop(inner);
        self.changed.notify_all();
    }
}

/// The server: a bound listener, the content it builds, and the shared state.
pub struct Server {
    http: tiny_http::Server,
    shared: Arc<Shared>,
    content_dir: PathBuf,
    env: Option<String>,
}

impl Server {
    /// Takes a listener bound to 127.0.0.1; builds nothing yet.
    pub fn new(
        listener: TcpListener,
        content_dir: PathBuf,
        env: Option<String>,
        basis: Option<crate::changes::Basis>,
    ) -> anyhow::Result<Server> {
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow::anyhow!("cannot serve: {e}"))?;
        Ok(Server {
            http,
            shared: Arc::new(Shared {
                basis,
                ..Shared::default()
            }),
            content_dir,
            env,
        })
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Starts watching the content folder, builds once, then answers requests until the process ends.
    /// Watching starts first so that a save during the first build is not missed.
    pub fn run(self) {
        // Keep the watcher alive for as long as the server runs.
        let _watcher = match watch::spawn(
            Arc::clone(&self.shared),
            self.content_dir.clone(),
            self.env.clone(),
        ) {
            Ok(watcher) => Some(watcher),
            Err(e) => {
                eprintln!(
                    "warning: cannot watch {}: {e}; pages will not rebuild or reload",
                    self.content_dir.display()
                );
                None
            }
        };
        self.shared.rebuild(&self.content_dir, self.env.as_deref());
        for request in self.http.incoming_requests() {
            http::dispatch(request, Arc::clone(&self.shared));
        }
    }
}

/// Builds every file of the bundle in memory, exactly as `lifeboat build` would write it (the zip
/// when it is asked for), reusing the unchanged entry points of the `last` good build.
pub fn build_files(
    content_dir: &Path,
    env: Option<&str>,
    last: Option<&Site>,
    basis: Option<&crate::changes::Basis>,
) -> Result<bundle::InMemory, Vec<Problem>> {
    let crate::pipeline::Prepared {
        report,
        loaded,
        keys,
    } = crate::pipeline::prepare(content_dir, env, &[]);
    crate::diagnostics::print_to_stderr(&report);
    let problems: Vec<Problem> = report
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| Problem {
            file: d.file.map(|f| report.file_name(f).to_string()),
            line: d
                .file
                .zip(d.span.as_ref())
                .and_then(|(f, s)| report.line_col(f, s.start))
                .map(|(line, _)| line),
            message: d.message.clone(),
        })
        .collect();
    let Some((project, checked)) = loaded.filter(|_| problems.is_empty()) else {
        if problems.is_empty() {
            return Err(vec![Problem::general(
                "the content folder could not be loaded",
            )]);
        }
        eprintln!(
            "build stopped ({})",
            summary(problems.len(), report.count(Severity::Warning))
        );
        return Err(problems);
    };
    let keys = keys.map_err(|e| vec![Problem::general(e.to_string())])?;
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let mut snapshot = Snapshot::take(&project.root, source_date_epoch.clone())
        .map_err(|e| vec![Problem::general(e.to_string())])?;
    // Outside git and without SOURCE_DATE_EPOCH the snapshot time is "now": keep the first build's, so
    // that the preview's date holds still and the entry points a save did not touch are reused.
    if let (None, None, Some(last)) = (&source_date_epoch, &snapshot.commit, last) {
        snapshot = Snapshot::at(last.build.epoch(), None, false);
    }
    let previous = last.map(Site::previous);
    bundle::build_in_memory(
        &project,
        &checked,
        &snapshot,
        &keys,
        previous.as_ref(),
        basis,
    )
    .map_err(|e| vec![Problem::general(e.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let build = build_files(&dir, None, None, None).expect("the basic fixture builds");
        Site::new(build, 3)
    }

    #[test]
    fn a_page_gets_the_hook_once_per_build_and_every_request_shares_it() {
        let site = site();
        // An entry point's file: longer than the part of a page that is tokenized.
        let (name, built) = site
            .build
            .files
            .iter()
            .filter(|(name, _)| name.ends_with(".html"))
            .max_by_key(|(_, bytes)| bytes.len())
            .unwrap();
        assert!(built.len() > 128 * 1024, "{name}: {}", built.len());
        let first = site.body(name).unwrap().unwrap();
        let again = site.body(name).unwrap().unwrap();
        // The same pieces, made once; the built page is one of them, not copied.
        assert_eq!(first, again);
        assert!(first
            .parts
            .iter()
            .zip(&again.parts)
            .all(|(a, b)| Arc::ptr_eq(&a.0, &b.0)));
        assert!(first.shares(built));
        let text = String::from_utf8(first.to_vec()).unwrap();
        assert_eq!(text, hook::inject(std::str::from_utf8(built).unwrap(), 3));
        assert!(text.contains(&format!("{} data-generation=\"3\"", hook::HOOK_ATTRIBUTE)));
        assert_eq!(text.matches(hook::HOOK_ATTRIBUTE).count(), 1);
        // A short page is served whole too.
        let index = site.body("index.html").unwrap().unwrap().to_vec();
        let built = std::str::from_utf8(&site.build.files["index.html"]).unwrap();
        assert_eq!(String::from_utf8(index).unwrap(), hook::inject(built, 3));
    }

    #[test]
    fn other_files_are_served_as_built_without_a_copy() {
        let site = site();
        let (name, built) = site
            .build
            .files
            .iter()
            .find(|(name, _)| !name.ends_with(".html"))
            .expect("a file that is not a page");
        let served = site.body(name).unwrap().unwrap();
        assert_eq!(served, Body::whole(Arc::clone(built)));
        assert!(served.shares(built));
        assert!(site.body("no-such-file.html").is_none());
    }
}
