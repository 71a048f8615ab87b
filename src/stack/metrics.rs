//! What one replication measures at the client: every request's outcome and
//! end-to-end latency (DNS, network, queues, service — everything), failures
//! by reason and place, and a time series by window.
//!
//! Memory does not grow with simulated time beyond one small row per window:
//! latencies go into streaming histograms, one for the run and one for the
//! current window. A success is recorded once, in the window's histogram,
//! which is folded into the run's when the window closes.

use crate::engine::{SimDuration, SimTime};
use crate::stats::Histogram;

/// Why a request failed. Simulated failures are data, never `Err`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailReason {
    /// A station's queue was at its limit (HTTP 503).
    QueueFull,
    /// Still in flight when the run's drain period ended.
    Unfinished,
    /// The client's timeout expired (after its retries).
    ClientTimeout,
    /// The balancer's `timeout client` expired before the answer went out.
    LbClientTimeout,
    /// Every connection attempt was refused (a crashed process).
    ConnectRefused,
    /// Every connection attempt timed out (a silent host).
    ConnectTimeout,
    /// The server's process died with the request in it (connection reset).
    ServerCrash,
    /// The server's host went silent with the request in it; the balancer
    /// gave up at `timeout server`.
    ServerTimeout,
    /// The balancer believed no backend up (HAProxy's 503).
    NoServer,
    /// Every backend stayed at its `maxconn` for `timeout queue` (503).
    QueueTimeout,
    /// The balancer the client connects to is down.
    LbDown,
    /// The database refused the query (its process is down).
    DbError,
    /// The database's host went silent; the app gave up at `db_timeout`.
    DbTimeout,
}

impl FailReason {
    /// A failure a balancer's passive checks count against the backend
    /// (a 5xx answer or a broken connection), not one of its own making.
    pub fn is_server_error(self) -> bool {
        matches!(
            self,
            FailReason::QueueFull
                | FailReason::ConnectRefused
                | FailReason::ConnectTimeout
                | FailReason::ServerCrash
                | FailReason::ServerTimeout
                | FailReason::DbError
                | FailReason::DbTimeout
        )
    }

    /// Every reason, in declaration order (a unit test's exhaustive match
    /// keeps the list complete).
    pub const ALL: [FailReason; 13] = {
        use FailReason::*;
        [
            QueueFull,
            Unfinished,
            ClientTimeout,
            LbClientTimeout,
            ConnectRefused,
            ConnectTimeout,
            ServerCrash,
            ServerTimeout,
            NoServer,
            QueueTimeout,
            LbDown,
            DbError,
            DbTimeout,
        ]
    };

    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::QueueFull => "queue_full",
            FailReason::Unfinished => "unfinished",
            FailReason::ClientTimeout => "client_timeout",
            FailReason::LbClientTimeout => "lb_client_timeout",
            FailReason::ConnectRefused => "connect_refused",
            FailReason::ConnectTimeout => "connect_timeout",
            FailReason::ServerCrash => "server_crash",
            FailReason::ServerTimeout => "server_timeout",
            FailReason::NoServer => "no_server",
            FailReason::QueueTimeout => "queue_timeout",
            FailReason::LbDown => "lb_down",
            FailReason::DbError => "db_error",
            FailReason::DbTimeout => "db_timeout",
        }
    }
}

/// One time-series window.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowRow {
    pub t_s: f64,
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The window's failures by reason (only reasons that occurred), in
    /// the reasons' order.
    pub failed_by: Vec<(FailReason, u64)>,
}

/// Failures of one reason at one place.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureCount {
    pub reason: FailReason,
    /// The station or component where it happened.
    pub at: String,
    pub count: u64,
}

pub struct Metrics {
    /// Requests that start before this are not measured (warm-up).
    measure_from: SimTime,
    pub ok: u64,
    pub failed: u64,
    /// Latency of the measured successes: complete after [`Metrics::finish`].
    pub latency: Histogram,
    /// (reason, place index) → count; few entries, searched linearly.
    failures: Vec<(FailReason, u16, u64)>,
    window: SimDuration,
    window_end: SimTime,
    series_end: SimTime,
    w_ok: u64,
    w_failed: u64,
    /// The current window's failures by reason; few entries, searched linearly.
    w_failed_by: Vec<(FailReason, u64)>,
    /// The current window's measured successes (started after the
    /// warm-up); folded into `latency` when the window closes, so that a
    /// request is recorded once, not in two histograms.
    w_hist: Histogram,
    /// The current window's successes that started in the warm-up (only
    /// around its end): in the window's row, not in `latency`.
    w_early: Histogram,
    pub rows: Vec<WindowRow>,
}

impl Metrics {
    pub fn new(measure_from: SimTime, window: SimDuration, series_end: SimTime) -> Self {
        Metrics {
            measure_from,
            ok: 0,
            failed: 0,
            latency: Histogram::new(),
            failures: vec![],
            window,
            window_end: SimTime::ZERO + window,
            series_end,
            w_ok: 0,
            w_failed: 0,
            w_failed_by: vec![],
            w_hist: Histogram::new(),
            w_early: Histogram::new(),
            rows: vec![],
        }
    }

    /// Closes every window that ends at or before `now`.
    #[inline]
    fn roll(&mut self, now: SimTime) {
        while now >= self.window_end && self.window_end <= self.series_end {
            self.close_window();
        }
    }

    /// Writes the current window's row and starts the next window.
    #[cold]
    fn close_window(&mut self) {
        let start = SimTime(self.window_end.0 - self.window.0);
        let ms = |ns: u64| ns as f64 / 1e6;
        // Every success of the window, measured or not.
        let all;
        let w_hist = if self.w_early.is_empty() {
            &self.w_hist
        } else {
            let mut h = self.w_hist.clone();
            h.merge(&self.w_early);
            all = h;
            &all
        };
        self.rows.push(WindowRow {
            t_s: start.as_secs_f64(),
            requests: self.w_ok + self.w_failed,
            ok: self.w_ok,
            failed: self.w_failed,
            mean_ms: if w_hist.is_empty() {
                0.0
            } else {
                w_hist.mean() / 1e6
            },
            p50_ms: ms(w_hist.quantile(0.5)),
            p99_ms: ms(w_hist.quantile(0.99)),
            failed_by: {
                let mut by = std::mem::take(&mut self.w_failed_by);
                by.sort_by_key(|&(reason, _)| reason);
                by
            },
        });
        self.w_ok = 0;
        self.w_failed = 0;
        self.latency.merge(&self.w_hist);
        self.w_hist.reset();
        self.w_early.reset();
        self.window_end += self.window;
    }

    /// A request that started at `start` completed successfully now.
    #[inline]
    pub fn ok(&mut self, start: SimTime, now: SimTime) {
        let ns = (now - start).as_nanos();
        self.roll(now);
        self.w_ok += 1;
        if start >= self.measure_from {
            self.ok += 1;
            self.w_hist.record(ns);
        } else {
            self.w_early.record(ns);
        }
    }

    /// A request that started at `start` failed now, for `reason` at `place`.
    pub fn failed(&mut self, start: SimTime, now: SimTime, reason: FailReason, place: u16) {
        self.roll(now);
        self.w_failed += 1;
        match self.w_failed_by.iter_mut().find(|f| f.0 == reason) {
            Some(f) => f.1 += 1,
            None => self.w_failed_by.push((reason, 1)),
        }
        if start >= self.measure_from {
            self.failed += 1;
            match self
                .failures
                .iter_mut()
                .find(|f| f.0 == reason && f.1 == place)
            {
                Some(f) => f.2 += 1,
                None => self.failures.push((reason, place, 1)),
            }
        }
    }

    /// Closes the remaining windows up to the end of the series; from now
    /// on `latency` holds every measured success (those of a window not
    /// closed — after the series, in the drain — included).
    pub fn finish(&mut self, end: SimTime) {
        self.roll(end);
        self.latency.merge(&self.w_hist);
        self.w_hist.reset();
        self.w_early.reset();
    }

    /// Failure counts, with places named by `name_of`, in a stable order.
    pub fn failure_counts(&self, name_of: impl Fn(u16) -> String) -> Vec<FailureCount> {
        let mut v: Vec<FailureCount> = self
            .failures
            .iter()
            .map(|&(reason, place, count)| FailureCount {
                reason,
                at: name_of(place),
                count,
            })
            .collect();
        v.sort_by(|a, b| (a.reason, &a.at).cmp(&(b.reason, &b.at)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The position of a reason in [`FailReason::ALL`]: an exhaustive
    /// match, so a new reason cannot be left out of the list.
    fn index(r: FailReason) -> usize {
        use FailReason::*;
        match r {
            QueueFull => 0,
            Unfinished => 1,
            ClientTimeout => 2,
            LbClientTimeout => 3,
            ConnectRefused => 4,
            ConnectTimeout => 5,
            ServerCrash => 6,
            ServerTimeout => 7,
            NoServer => 8,
            QueueTimeout => 9,
            LbDown => 10,
            DbError => 11,
            DbTimeout => 12,
        }
    }

    /// The run's histogram and every window row are what recording each
    /// success twice (run and window, as a naive version would) gives:
    /// successes in the warm-up, across windows, after the series' end.
    #[test]
    fn one_record_per_success_equals_the_naive_two() {
        use rand::{RngExt, SeedableRng};
        let (from, window, end) = (SimTime(3_000), SimDuration(1_000), SimTime(9_000));
        let mut m = Metrics::new(from, window, end);
        let mut run = Histogram::new();
        let mut windows: Vec<Histogram> = (0..9).map(|_| Histogram::new()).collect();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut now = 0;
        while now < 11_000 {
            now += rng.random_range(0..40);
            let start = now - rng.random_range(0..now.min(2_500) + 1);
            let (start, at) = (SimTime(start), SimTime(now));
            m.ok(start, at);
            if start >= from {
                run.record(now - start.0);
            }
            if let Some(w) = windows.get_mut((now / 1_000) as usize) {
                w.record(now - start.0);
            }
        }
        m.finish(end);
        assert_eq!(m.latency.buckets(), run.buckets());
        assert_eq!(
            (m.latency.count(), m.latency.min(), m.latency.max()),
            (run.count(), run.min(), run.max())
        );
        assert_eq!(m.rows.len(), 9);
        for (row, w) in m.rows.iter().zip(&windows) {
            assert_eq!(row.ok, w.count());
            assert_eq!(row.p99_ms, w.quantile(0.99) as f64 / 1e6);
            assert_eq!(row.mean_ms, w.mean() / 1e6);
        }
    }

    #[test]
    fn every_reason_is_listed_once_with_its_own_name() {
        for (i, r) in FailReason::ALL.iter().enumerate() {
            assert_eq!(index(*r), i);
        }
        let mut names: Vec<_> = FailReason::ALL.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FailReason::ALL.len());
    }
}
