//! What a long run shows while it works, and how Ctrl-C stops it.
//!
//! [`Progress`]: an indicatif bar on stderr — cells done of all, cells per
//! second and the time left — shown only when stderr is a terminal and the
//! run is not `--quiet`, and only once the run has lasted
//! [`SHOW_AFTER`], so a short run prints nothing extra and tests (whose
//! stderr is a pipe) never see it. With warm-up by MSER-5 or sequential
//! stopping the number of cells is open: a counter with the rate instead.
//!
//! [`interrupt_flag`]: the first SIGINT (Ctrl-C) raises a flag the runner
//! polls — no new cell starts, the scenarios already finished are written,
//! marked incomplete; a second SIGINT ends the process at once (exit 130).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// How long a run lasts before its progress bar appears.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// The exit code of a process ended by SIGINT (128 + 2), by convention.
pub const INTERRUPTED_EXIT: i32 = 130;

/// A progress bar that may stay hidden.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    /// A bar for `total` cells (`None`: an open count); `show` is false
    /// for `--quiet` or when stderr is not a terminal.
    pub fn new(total: Option<u64>, show: bool) -> Progress {
        let bar = show.then(|| {
            let (bar, template) = match total {
                Some(n) => (
                    ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden()),
                    "{bar:30} {pos}/{len} cells  {rate}  ETA {eta}",
                ),
                None => (
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
                    "{spinner} {pos} cells  {rate}  {elapsed}",
                ),
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.with_key(
                    "rate",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1} cells/s", s.per_sec());
                    },
                ));
            }
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: std::cell::Cell::new(false),
        }
    }

    /// One more cell done.
    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.get() && self.started.elapsed() >= SHOW_AFTER {
            self.shown.set(true);
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A flag raised by the first SIGINT; a second one exits at once with
/// [`INTERRUPTED_EXIT`]. `None` if the handler cannot be installed (the
/// run then stops at Ctrl-C as any process does, writing nothing).
pub fn interrupt_flag() -> Option<Arc<AtomicBool>> {
    use signal_hook::consts::SIGINT;
    use signal_hook::flag;
    let raised = Arc::new(AtomicBool::new(false));
    // Registered first, so it sees the flag before the second handler sets it.
    flag::register_conditional_shutdown(SIGINT, INTERRUPTED_EXIT, raised.clone()).ok()?;
    flag::register(SIGINT, raised.clone()).ok()?;
    Some(raised)
}
