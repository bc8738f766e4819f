//! `lifeboat build --timings`: where a build's time goes, stage by stage, so the next bottleneck shows
//! without a profiler. Stages that run on all cores (render, inline, seal) add up the time of every
//! thread: their sum can exceed the wall-clock time of the build.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The stages of a build, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading content files into the model.
    Load,
    /// Every rule of `check`, the key scan included.
    Check,
    /// Model -> view model -> page shell and JSON payload.
    Render,
    /// Assembling an open entry point's file (CSS, script, payload, images) and writing it.
    Inline,
    /// Encrypting a locked entry point and writing it.
    Seal,
    /// The launcher, the contingency document and the manifest.
    Documents,
    /// The zip of the bundle.
    Zip,
    /// Syncing every file to disk and moving the output into place.
    Write,
}

const STAGES: [(Stage, &str); 8] = [
    (Stage::Load, "load"),
    (Stage::Check, "check"),
    (Stage::Render, "render"),
    (Stage::Inline, "inline + write"),
    (Stage::Seal, "seal + write"),
    (Stage::Documents, "documents"),
    (Stage::Zip, "zip"),
    (Stage::Write, "fsync + commit"),
];

/// Time spent per stage, added to from any thread.
#[derive(Debug, Default)]
pub struct Timings {
    nanos: [AtomicU64; 8],
}

impl Timings {
    pub fn add(&self, stage: Stage, took: Duration) {
        let i = STAGES.iter().position(|(s, _)| *s == stage).unwrap_or(0);
        let n = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.nanos[i].fetch_add(n, Ordering::Relaxed);
    }

    /// Runs `f`, adding its time to `stage`.
    pub fn time<T>(&self, stage: Stage, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let value = f();
        self.add(stage, started.elapsed());
        value
    }

    /// The time of `stage` so far.
    pub fn of(&self, stage: Stage) -> Duration {
        let i = STAGES.iter().position(|(s, _)| *s == stage).unwrap_or(0);
        Duration::from_nanos(self.nanos[i].load(Ordering::Relaxed))
    }

    /// One line per stage with its time and share of `total` (the build's wall-clock time).
    pub fn table(&self, total: Duration) -> String {
        let mut out = String::from("stage            time      share\n");
        for (stage, name) in STAGES {
            let took = self.of(stage);
            let share = if total.is_zero() {
                0.0
            } else {
                100.0 * took.as_secs_f64() / total.as_secs_f64()
            };
            out.push_str(&format!(
                "{name:<15} {:>7.1} ms  {share:>5.1} %\n",
                took.as_secs_f64() * 1000.0
            ));
        }
        out.push_str(&format!(
            "{:<15} {:>7.1} ms  (wall clock; render, inline and seal add up every core)\n",
            "total",
            total.as_secs_f64() * 1000.0
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_from_any_thread() {
        let t = Timings::default();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| t.add(Stage::Render, Duration::from_millis(5)));
            }
        });
        t.time(Stage::Zip, || ());
        assert_eq!(t.of(Stage::Render), Duration::from_millis(20));
        let table = t.table(Duration::from_millis(40));
        assert!(table.contains("render"), "{table}");
        assert!(table.contains(" 50.0 %"), "{table}");
        assert_eq!(table.lines().count(), 10, "{table}");
    }
}
