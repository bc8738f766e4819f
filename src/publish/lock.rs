//! One publish at a time per share. Two publishes writing one share at once stage into the same folder,
//! archive the same bundle and rename over each other's files: the share ends up a mix of both. So a
//! publish first takes the share's lock, `.lifeboat-publish/lock.toml`, and holds it to the end.
//!
//! The lock is a file created exclusively (`O_CREAT | O_EXCL`, [`OpenOptions::create_new`]), which SMB
//! and NFS (v3 and later) honour across machines where `flock` and `fcntl` locks may not be. It names its
//! holder (host, pid, start time, the snapshot being published) so a refusal can say who holds it and
//! since when. It is removed when the publish ends, on every path out of it ([`Lock`] is a guard that
//! removes it when dropped); a crash or `kill -9` leaves it, for the stale-lock rule to handle.
//!
//! **Stale locks.** A lock is taken over, with a warning naming its holder, when
//! 1. it was taken on this machine (same host name and, on Linux, the same boot and PID namespace) by a
//!    process that no longer exists (on Linux, a pid now used by a process started later counts as
//!    gone): whatever its age, nothing holds it any more. This is how a rerun after a crash proceeds;
//! 2. or it is older than [`STALE_AFTER_SECONDS`] (one hour), whoever holds it: a publish takes seconds
//!    to minutes, so a lock that old was left by a publish that died on another machine, which cannot be
//!    asked whether it still runs.
//!
//! Otherwise the publish waits for it (`--wait SECONDS`, polling with back-off) or is refused. Two
//! publishes that find the same stale lock do not both take it over: the takeover itself is guarded by a
//! second exclusive file (`lock.takeover`), and the lock is removed only if it is still the one judged
//! stale; after that, taking the lock is the same race every publish runs, which exactly one wins.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::PublishError;
use crate::snapshot::rfc3339;
use crate::verify::share::{self, Found};
use crate::verify::PUBLISH_DIR;

/// The lock file, inside `.lifeboat-publish/`.
pub const LOCK_FILE: &str = "lock.toml";
/// Held for the few microseconds of a stale lock's takeover.
pub const TAKEOVER_FILE: &str = "lock.takeover";
/// A lock older than this (seconds) is stale whoever holds it.
pub const STALE_AFTER_SECONDS: i64 = 3600;
/// [`STALE_AFTER_SECONDS`] for people.
const STALE_AFTER_TEXT: &str = "1 hour";
/// How long past `--wait` a publish keeps looking while another one takes a stale lock over.
const TAKEOVER_GRACE: Duration = Duration::from_secs(2);
/// A takeover file older than this (seconds) was left by a crash during a takeover.
const TAKEOVER_STALE_SECONDS: u64 = 60;
/// Largest lock file read.
const MAX_LOCK_BYTES: u64 = 64 << 10;
/// Polling while waiting: from this, doubling, up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(50);
const MAX_POLL: Duration = Duration::from_secs(2);

/// What the lock file says of its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Host name of the machine that runs the publish.
    pub host: String,
    pub pid: u32,
    /// When the lock was taken, RFC 3339 UTC.
    pub started: String,
    pub started_epoch: i64,
    /// Snapshot of the bundle being published.
    pub snapshot: String,
    /// Random: tells this holder's lock from a later one.
    pub token: String,
    /// Linux: boot id and PID namespace, so that a pid is only looked up where it means something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// Linux: the holder's start time in clock ticks since boot, which tells it from a later process
    /// that was given the same pid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_start: Option<u64>,
}

impl Holder {
    /// This process, taking the lock at `now` to publish `snapshot`.
    pub fn this_process(snapshot: &str, now: i64) -> Holder {
        let pid = std::process::id();
        Holder {
            host: host_name(),
            pid,
            started: rfc3339(now),
            started_epoch: now,
            snapshot: snapshot.to_string(),
            token: token(),
            machine: machine_id(),
            process_start: process_start(pid),
        }
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("# lifeboat publish lock: a publish to this share is running (docs/continuity.md).\n{body}")
    }
}

/// A lock file found in place.
#[derive(Debug, Clone)]
pub struct Held {
    /// `None` when the file cannot be read as a lock (being written, or damaged).
    pub holder: Option<Holder>,
    /// Its exact bytes: a takeover removes it only if it still is this file.
    raw: Vec<u8>,
    /// Seconds since it was taken.
    pub age: i64,
    path: PathBuf,
}

impl Held {
    /// Who holds it, since when: for messages.
    pub fn describe(&self) -> String {
        match &self.holder {
            Some(h) => format!(
                "{} (pid {}, publishing snapshot {}) since {} ({} ago)",
                h.host,
                h.pid,
                h.snapshot,
                h.started,
                for_people(self.age)
            ),
            None => format!(
                "an unknown publisher (`{}` cannot be read as a lock) for {}",
                self.path.display(),
                for_people(self.age)
            ),
        }
    }

    /// Why the lock is stale, if it is (see the module comment).
    fn stale(&self, me: &Holder) -> Option<String> {
        if self.age > STALE_AFTER_SECONDS {
            return Some(format!("it is older than {}", STALE_AFTER_TEXT));
        }
        let h = self.holder.as_ref()?;
        let here = h.host == me.host && h.machine == me.machine;
        (here && process_alive(h.pid, h.process_start) == Some(false)).then(|| {
            format!(
                "it was taken on this machine by process {}, which no longer exists",
                h.pid
            )
        })
    }
}

/// Something a publish waiting for the lock, or taking over a stale one, tells the person running it.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Another publish holds the lock; this one waits for up to `wait`.
    Waiting { holder: String, wait: Duration },
    /// A stale lock was taken over.
    TookOver { holder: String, why: String },
}

/// The share's lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    work: PathBuf,
    token: String,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Only our own lock: one taken over after an hour belongs to its new holder now.
        let ours = matches!(read(&self.path), Ok(Some(LockFile { holder: Some(h), .. })) if h.token == self.token);
        if ours {
            fs::remove_file(&self.path).ok();
        }
        // Empty now unless another publish is taking the lock (then this fails, as it should).
        fs::remove_dir(&self.work).ok();
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Takes the lock of `share` to publish `snapshot`, at `now` (seconds since 1970): at once, or within
/// `wait` while another publish holds it, or not at all (`PublishError::Locked`). `sleep` waits between
/// polls; `notify` hears of the wait and of a stale lock taken over.
pub fn acquire(
    share: &Path,
    snapshot: &str,
    now: i64,
    wait: Duration,
    sleep: &dyn Fn(Duration),
    notify: &dyn Fn(Notice),
) -> Result<Lock, PublishError> {
    let work = share.join(PUBLISH_DIR);
    let path = work.join(LOCK_FILE);
    let started = Instant::now();
    let mut me = Holder::this_process(snapshot, now);
    let mut poll = FIRST_POLL;
    let mut told = false;
    let mut unreadable = 0;
    loop {
        let elapsed = started.elapsed();
        let now = now.saturating_add(i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX));
        fs::create_dir_all(&work).map_err(io_err(&work))?;
        // Lifeboat writes into this folder: a link would send the lock (and the staging) elsewhere.
        share::real_dir(&work)?;
        me.started_epoch = now;
        me.started = rfc3339(now);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let written = file
                    .write_all(me.to_toml().as_bytes())
                    .and_then(|()| file.sync_all());
                if let Err(e) = written {
                    drop(file);
                    fs::remove_file(&path).ok();
                    return Err(io_err(&path)(e));
                }
                return Ok(Lock {
                    path,
                    work,
                    token: me.token,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            // The folder was removed by a publish that just released the lock: try again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&path)(e)),
        }
        let Some(held) = found(&path, now)? else {
            continue;
        };
        // Created an instant ago, its holder not yet written (create, then write): look again.
        if held.holder.is_none() && held.age < 2 && unreadable < 50 {
            unreadable += 1;
            sleep(Duration::from_millis(10));
            continue;
        }
        let stale = held.stale(&me);
        if let Some(why) = &stale {
            if take_over(&work, &held)? {
                notify(Notice::TookOver {
                    holder: held.describe(),
                    why: why.clone(),
                });
                continue;
            }
        }
        // Another publish is taking a stale lock over: a moment more to see who got it.
        let deadline = if stale.is_some() {
            wait + TAKEOVER_GRACE
        } else {
            wait
        };
        if elapsed >= deadline {
            let advice = if wait.is_zero() {
                "rerun with `--wait SECONDS` to queue behind it, or rerun later".to_string()
            } else {
                format!(
                    "waited {} (--wait) and it still runs; rerun later",
                    for_people(i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
                )
            };
            return Err(PublishError::Locked {
                share: share.display().to_string(),
                holder: held.describe(),
                waited: elapsed,
                path: path.display().to_string(),
                advice: format!(
                    "{advice}. The lock is taken over when its process is gone (same machine) or it is older than {}; if you know that no publish is running, delete `{}`",
                    STALE_AFTER_TEXT,
                    path.display()
                ),
            });
        } else if !told && stale.is_none() {
            told = true;
            notify(Notice::Waiting {
                holder: held.describe(),
                wait,
            });
        }
        // Back-off with a little jitter, so that publishes queued together do not poll in step.
        let left = wait.saturating_sub(elapsed);
        let jitter = Duration::from_millis(u64::from(std::process::id() % 17));
        sleep((poll + jitter).min(left.max(FIRST_POLL)));
        poll = (poll * 2).min(MAX_POLL);
    }
}

/// The lock of `share` as `verify` sees it, at `now`: who holds it since when, and why it is stale if it
/// is (the rule a publish applies before taking it over); `None` when no publish holds it.
pub fn inspect(share: &Path, now: i64) -> Result<Option<(Held, Option<String>)>, PublishError> {
    let work = share.join(PUBLISH_DIR);
    if !share::real_dir(&work)? {
        return Ok(None);
    }
    let Some(held) = found(&work.join(LOCK_FILE), now)? else {
        return Ok(None);
    };
    let stale = held.stale(&Holder::this_process("", now));
    Ok(Some((held, stale)))
}

/// The lock file in place, with its holder and age; `None` when there is none (any more).
fn found(path: &Path, now: i64) -> Result<Option<Held>, PublishError> {
    let Some(LockFile { holder, raw }) = read(path)? else {
        return Ok(None);
    };
    let age = match &holder {
        Some(h) => now.saturating_sub(h.started_epoch),
        // Unreadable (being written, or damaged): its age is the file's.
        None => fs::symlink_metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
    };
    Ok(Some(Held {
        holder,
        raw,
        age: age.max(0),
        path: path.to_path_buf(),
    }))
}

/// A lock file as read: its holder (`None` if it does not parse) and its bytes.
struct LockFile {
    holder: Option<Holder>,
    raw: Vec<u8>,
}

/// The lock file at `path`; `None` when there is none.
fn read(path: &Path) -> Result<Option<LockFile>, PublishError> {
    match share::read(path, Some(MAX_LOCK_BYTES)) {
        Ok(Found::Missing) => Ok(None),
        Ok(Found::File(raw)) => {
            let holder = std::str::from_utf8(&raw)
                .ok()
                .and_then(|text| toml::from_str(text).ok());
            Ok(Some(LockFile { holder, raw }))
        }
        // A folder or link where the lock should be, or a huge file: not a lock of ours, and not
        // something to remove; it blocks publishing until someone looks at it.
        Ok(Found::NotAFile(why)) => Err(crate::verify::VerifyError::NotOurs {
            path: path.display().to_string(),
            why,
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Removes the stale lock `held` if it is still in place and no other publish is taking it over;
/// says whether it did.
fn take_over(work: &Path, held: &Held) -> Result<bool, PublishError> {
    let guard = work.join(TAKEOVER_FILE);
    match OpenOptions::new().write(true).create_new(true).open(&guard) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Another publish is taking it over; unless a crash left this file long ago.
            let old = fs::symlink_metadata(&guard)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|d| d.as_secs() > TAKEOVER_STALE_SECONDS);
            if old {
                fs::remove_file(&guard).ok();
            }
            return Ok(false);
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err(&guard)(e)),
    }
    let still = matches!(read(&held.path), Ok(Some(file)) if file.raw == held.raw);
    let removed = still && fs::remove_file(&held.path).is_ok();
    fs::remove_file(&guard).ok();
    Ok(removed)
}

/// Whether process `pid` of this machine is running (and, when `start` is known, is the one that
/// started then); `None` when this platform cannot tell.
fn process_alive(pid: u32, start: Option<u64>) -> Option<bool> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    match proc_stat(pid) {
        // A zombie has exited: it holds nothing.
        Some((state, started)) => {
            Some(!matches!(state, 'Z' | 'X') && start.map_or(true, |s| started == Some(s)))
        }
        None => Some(false),
    }
}

/// Linux: a process's state letter and start time (clock ticks since boot) from `/proc/PID/stat`.
fn proc_stat(pid: u32) -> Option<(char, Option<u64>)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last `)`.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // starttime is field 22 of the line; `state` was field 3.
    let started = fields.nth(18).and_then(|f| f.parse().ok());
    Some((state, started))
}

fn process_start(pid: u32) -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    proc_stat(pid).and_then(|(_, started)| started)
}

/// Linux: the boot id and PID namespace, which two containers or two boots of one host do not share.
fn machine_id() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let ns = fs::read_link("/proc/self/ns/pid").ok()?;
    Some(format!("{} {}", boot.trim(), ns.display()))
}

/// This machine's host name.
pub fn host_name() -> String {
    let from_proc = fs::read_to_string("/proc/sys/kernel/hostname").ok();
    let from_env = || {
        ["COMPUTERNAME", "HOSTNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok())
    };
    let from_command = || {
        std::process::Command::new("hostname")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
    };
    from_proc
        .or_else(from_env)
        .or_else(from_command)
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".to_string())
}

fn token() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        // Unique enough among the publishes of one share without the system's generator.
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos as u64 ^ u64::from(std::process::id())).to_le_bytes();
    }
    crate::encode::hex(&bytes)
}

/// `45s`, `12m 5s`, `3h 0m`.
fn for_people(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        s => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        let me = Holder::this_process("s", 0);
        assert_eq!(me.pid, std::process::id());
        if cfg!(target_os = "linux") {
            assert_eq!(process_alive(me.pid, me.process_start), Some(true));
            // Same pid, another start time: a later process given the pid.
            let other = me.process_start.map(|s| s + 1);
            assert_eq!(process_alive(me.pid, other), Some(false));
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let pid = child.id();
            child.wait().unwrap();
            assert_eq!(process_alive(pid, None), Some(false));
        }
    }

    /// Two publishes that find the same stale lock at once: one takes it over and holds it, the other
    /// is refused naming the new holder; never both.
    #[test]
    fn a_stale_lock_found_by_two_publishes_at_once_goes_to_one() {
        for round in 0..20 {
            let share = tempfile::tempdir().unwrap();
            let work = share.path().join(PUBLISH_DIR);
            fs::create_dir_all(&work).unwrap();
            let mut old = Holder::this_process("old", 1_000);
            old.host = "gone-host".into();
            old.machine = None;
            fs::write(work.join(LOCK_FILE), old.to_toml()).unwrap();
            let barrier = std::sync::Barrier::new(2);
            // Each holds what it got until both have tried: a slow thread must not find the lock free
            // because the other one already let it go (that would be one publish after the other).
            let tried = std::sync::Barrier::new(2);
            let took_over = std::sync::atomic::AtomicUsize::new(0);
            let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
                let runs: Vec<_> = (0..2)
                    .map(|_| {
                        scope.spawn(|| {
                            barrier.wait();
                            let notify = |n: Notice| {
                                if matches!(n, Notice::TookOver { .. }) {
                                    took_over.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                }
                            };
                            let got = acquire(
                                share.path(),
                                "new",
                                1_000 + 2 * STALE_AFTER_SECONDS,
                                Duration::ZERO,
                                &std::thread::sleep,
                                &notify,
                            );
                            tried.wait();
                            got.map(drop).map_err(|e| e.to_string())
                        })
                    })
                    .collect();
                runs.into_iter().map(|r| r.join().unwrap()).collect()
            });
            let won = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(won, 1, "round {round}: {results:?}");
            let refusal = results.iter().find_map(|r| r.clone().err()).unwrap();
            assert!(
                refusal.contains(&format!(
                    "(pid {}, publishing snapshot new)",
                    std::process::id()
                )),
                "round {round}: {refusal}"
            );
            assert_eq!(took_over.into_inner(), 1, "round {round}");
            assert!(!work.exists(), "round {round}: the lock was not released");
        }
    }

    #[test]
    fn the_lock_file_reads_back() {
        let me = Holder::this_process("2025-11-22T08:26:40Z", 1_763_800_000);
        let text = me.to_toml();
        assert!(text.starts_with("# lifeboat publish lock"), "{text}");
        let back: Holder = toml::from_str(&text).unwrap();
        assert_eq!(back, me);
        assert_eq!(back.started, "2025-11-22T08:26:40Z");
    }
}
