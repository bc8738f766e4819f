//! Progress of a long build on the terminal (indicatif): one line on stderr, only when stderr is a
//! terminal and `--quiet` is not given; invisible otherwise (pipes, CI logs, tests, `lifeboat serve`).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A handle shared by the build's threads (cheap to clone, safe to use from several).
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    /// For steps of a known size, and for the others (a spinner).
    styles: Option<(ProgressStyle, ProgressStyle)>,
}

impl Progress {
    /// Shows nothing.
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            styles: None,
        }
    }

    /// On stderr when it is a terminal and `quiet` is false; hidden otherwise.
    pub fn on_stderr(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let sized =
            ProgressStyle::with_template("{spinner} {msg:<24} [{bar:30}] {pos}/{len} {elapsed}")
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        let open = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(open.clone());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar,
            styles: Some((sized, open)),
        }
    }

    /// Starts a step of `total` units (entry points, files…); 0 for a step of unknown size.
    pub fn step(&self, what: &str, total: usize) {
        if let Some((sized, open)) = &self.styles {
            self.bar
                .set_style(if total == 0 { open } else { sized }.clone());
        }
        self.bar.set_message(what.to_string());
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
    }

    /// One unit of the current step done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Removes the line (before the summary is printed).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
