//! Progress of a long sweep on standard error: a bar with the rate and the
//! time left, drawn only when standard error is a terminal (indicatif hides
//! it otherwise), so logs and pipes stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `total` units (`seeds`, `schedules`); 0: a counter with no end.
    pub fn new(total: u64, unit: &str) -> Progress {
        let bar = if total > 1 {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let template = format!("  [{{bar:30}}] {{pos}}/{{len}} {unit}, {{per_sec}}, {{eta}} left");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("#>-"));
        }
        Progress { bar }
    }

    pub fn set(&mut self, done: u64) {
        self.bar.set_position(done);
    }

    /// Runs `f` with the bar cleared from the screen (to print a line).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    pub fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}
