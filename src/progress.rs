//! A progress bar on stderr while files are read and parsed.
//!
//! Drawn only when stderr is a terminal and the run is long: more than
//! [`MANY_FILES`] files, or still going after [`SLOW`]. A short audit, a pipe,
//! a CI log or a redirected stderr never see it, and stdout is never touched.
//! It is cleared when extraction ends, so the report prints on a clean line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Above this many files the bar is drawn from the start.
pub const MANY_FILES: usize = 2_000;
/// A run still extracting after this long gets a bar.
pub const SLOW: Duration = Duration::from_secs(1);

/// Progress over a known number of files.
pub struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// A bar over `total` files; `wanted` is false under `--quiet`. Hidden unless
    /// stderr is a terminal.
    pub fn new(total: usize, wanted: bool) -> Self {
        Self::with_terminal(total, wanted && std::io::stderr().is_terminal())
    }

    fn with_terminal(total: usize, terminal: bool) -> Self {
        let bar = terminal.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} reading {pos}/{len} files [{bar:30}] {percent}% {elapsed}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        });
        let p = Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        };
        if total > MANY_FILES {
            p.show();
        }
        p
    }

    /// Whether the bar is (or will be) drawn.
    pub fn visible(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    fn show(&self) {
        if let Some(bar) = &self.bar {
            if !self.shown.swap(true, Ordering::Relaxed) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }
    }

    /// One more file done.
    pub fn inc(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.load(Ordering::Relaxed) && self.start.elapsed() > SLOW {
            self.show();
        }
    }

    /// Clear the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_drawn_without_a_terminal() {
        let p = Progress::with_terminal(10_000, false);
        p.inc();
        assert!(!p.visible());
        p.finish();
    }

    #[test]
    fn drawn_at_once_for_many_files_on_a_terminal() {
        assert!(Progress::with_terminal(MANY_FILES + 1, true).visible());
    }

    #[test]
    fn short_runs_stay_hidden_until_slow() {
        let p = Progress::with_terminal(10, true);
        p.inc();
        assert!(!p.visible());
        std::thread::sleep(SLOW + Duration::from_millis(50));
        p.inc();
        assert!(p.visible());
        p.finish();
    }
}
