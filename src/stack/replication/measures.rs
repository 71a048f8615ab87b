//! What replication is measured by: lag over time, stale reads,
//! read-your-writes violations, write latency, fallbacks and lost writes.
//!
//! A lag is `now − origin` while the replica is behind (origin = the commit
//! time of the oldest event it has not applied) and 0 when it is not: a
//! ramp, not a step, so `stats::TimeWeighted` (piecewise constant) does not
//! fit. `Lag` integrates the ramp exactly in integer nanoseconds², keeps the
//! exact maximum (a ramp peaks just before its origin changes) and records
//! a sample into a `stats::Histogram` at every sampling tick, whose p99 is
//! the time-weighted p99 up to the sampling grid. Memory is fixed.
//! Everything resets at the end of the warm-up.

use crate::engine::{SimDuration, SimTime};
use crate::stats::Histogram;

/// A lag sampled over time: time-weighted mean (exact), max (exact), p99
/// (from periodic samples).
#[derive(Clone, Debug)]
pub struct Lag {
    origin: Option<SimTime>,
    last: SimTime,
    start: SimTime,
    area_ns2: u128,
    max_ns: u64,
    samples: Histogram,
}

/// A lag's summary, in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LagSummary {
    pub mean_s: f64,
    pub p99_s: f64,
    pub max_s: f64,
    /// The lag at the moment of the summary.
    pub now_s: f64,
}

impl Lag {
    pub fn new(now: SimTime) -> Self {
        Lag {
            origin: None,
            last: now,
            start: now,
            area_ns2: 0,
            max_ns: 0,
            samples: Histogram::new(),
        }
    }

    /// The lag at `now`.
    pub fn value(&self, now: SimTime) -> SimDuration {
        self.origin.map_or(SimDuration::ZERO, |o| now - o)
    }

    fn accumulate(&mut self, now: SimTime) {
        if let Some(o) = self.origin {
            let (a, b) = (u128::from((self.last - o).0), u128::from((now - o).0));
            // ∫ (t − o) dt over [last, now] = (b² − a²) / 2, kept doubled.
            self.area_ns2 += b * b - a * a;
            self.max_ns = self.max_ns.max((now - o).0);
        }
        self.last = self.last.max(now);
    }

    /// From `now` on, the lag is `t − origin` (or 0 for `None`).
    pub fn set_origin(&mut self, now: SimTime, origin: Option<SimTime>) {
        if self.origin != origin {
            self.accumulate(now);
            self.origin = origin;
        }
    }

    /// Records the current lag as one sample of the time grid.
    pub fn sample(&mut self, now: SimTime) {
        self.samples.record(self.value(now).0);
    }

    pub fn reset(&mut self, now: SimTime) {
        self.accumulate(now);
        self.start = now;
        self.area_ns2 = 0;
        self.max_ns = self.value(now).0;
        self.samples.reset();
    }

    pub fn summary(&self, now: SimTime) -> LagSummary {
        let mut copy = self.clone();
        copy.accumulate(now);
        let elapsed = (now - self.start).0 as f64;
        LagSummary {
            mean_s: if elapsed > 0.0 {
                copy.area_ns2 as f64 / 2.0 / elapsed / 1e9
            } else {
                0.0
            },
            p99_s: if self.samples.is_empty() {
                f64::NAN
            } else {
                self.samples.quantile(0.99) as f64 / 1e9
            },
            max_s: copy.max_ns as f64 / 1e9,
            now_s: self.value(now).as_secs_f64(),
        }
    }
}

/// Counters of reads and writes.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub reads: u64,
    /// Reads that returned an older version than the newest visible on the
    /// primary at the time of the read.
    pub stale_reads: u64,
    /// How long the returned version had been superseded, per stale read (ns).
    pub staleness: Histogram,
    /// Reads by a client of a key it wrote within the window, that returned
    /// an older version than its write.
    pub ryw_violations: u64,
    pub commits: u64,
    /// Commits refused: no primary.
    pub rejected_writes: u64,
    /// Commit latency added by replication (semi-sync waits), ns.
    pub write_wait: Histogram,
    /// Semi-sync waits that ended in the fallback timeout.
    pub timed_out_commits: u64,
    /// Writes lost in failovers.
    pub lost_writes: u64,
}

impl Counts {
    pub fn reset(&mut self) {
        *self = Counts {
            staleness: std::mem::take(&mut self.staleness),
            write_wait: std::mem::take(&mut self.write_wait),
            ..Counts::default()
        };
        self.staleness.reset();
        self.write_wait.reset();
    }

    /// Share of reads that were stale (NaN without reads).
    pub fn stale_share(&self) -> f64 {
        self.stale_reads as f64 / self.reads as f64
    }
}

/// What a failover cost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FailoverReport {
    /// Writes committed on the old primary after the promoted replica's
    /// last received position.
    pub lost_writes: u64,
    /// The data-loss window: from the oldest lost write's commit to the
    /// primary's death (0 when nothing is lost).
    pub rpo: SimDuration,
    /// Of the lost writes, those whose commit had returned to the client.
    pub lost_acknowledged: u64,
    /// Events the promoted replica had received but not yet applied: its
    /// relay log, applied before it takes writes.
    pub catch_up_events: u64,
    /// Events other replicas had applied beyond the new primary's
    /// position, reverted (errant transactions).
    pub reverted_on_replicas: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_integrates_exactly() {
        // Behind from t = 1 s (origin 1 s) to 3 s, then from 4 s (origin
        // 3.5 s) to 5 s: area = 2²/2 + (1.5² − 0.5²)/2 = 2 + 1 = 3 s², over 5 s.
        let s = |x: f64| SimTime((x * 1e9) as u64);
        let mut lag = Lag::new(s(0.0));
        lag.set_origin(s(1.0), Some(s(1.0)));
        lag.sample(s(2.0));
        lag.set_origin(s(3.0), None);
        lag.set_origin(s(4.0), Some(s(3.5)));
        lag.set_origin(s(5.0), None);
        let sum = lag.summary(s(5.0));
        assert!((sum.mean_s - 3.0 / 5.0).abs() < 1e-12, "{sum:?}");
        assert!((sum.max_s - 2.0).abs() < 1e-12);
        assert!((sum.p99_s - 1.0).abs() < 0.005);
        assert_eq!(sum.now_s, 0.0);
        lag.reset(s(5.0));
        assert_eq!(lag.summary(s(6.0)).mean_s, 0.0);
    }

    #[test]
    fn counts_reset_keeps_nothing() {
        let mut c = Counts {
            reads: 4,
            stale_reads: 1,
            ..Counts::default()
        };
        c.staleness.record(5);
        assert_eq!(c.stale_share(), 0.25);
        c.reset();
        assert_eq!((c.reads, c.staleness.count()), (0, 0));
    }
}
