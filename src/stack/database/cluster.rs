//! A replication set as the database component owns it: the replication
//! component (`stack::replication`), which databases its nodes are, the
//! keys queries touch, the failover policy's state, and what the set
//! measured — per run and per time window.
//!
//! Knows nothing of `World` or its events: `stack/replicated.rs` drives it.
//! Measures follow the run's warm-up like everything else (`reset`);
//! the window rows cover the whole run, as `timeseries.csv` does.

use crate::engine::rng::{Rng, Streams};
use crate::engine::{SimDuration, SimTime};
use crate::stack::ids::DbId;
use crate::stack::repl_config::{Failover, ReplSetConfig};
use crate::stack::replication::{
    Effects, FailoverReport, KeySampler, LagSummary, NodeId, ReplEvent, Replication,
};
use crate::stats::Histogram;
use rand::RngExt;

/// What the owner schedules for a set: the component's events and the end
/// of a failover (`epoch` tells a cancelled one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::stack) enum ClusterEvent {
    Repl(ReplEvent),
    Promote { epoch: u32 },
}

/// One time-series window of a set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplWindowRow {
    pub t_s: f64,
    pub reads: u64,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    pub commits: u64,
    /// Writes refused: no primary (or a primary that is down).
    pub failed_writes: u64,
    /// `Seconds_Behind_Source` of the laggiest replica, mean and max of
    /// the window's samples (every 100 ms), seconds; NaN (no sample) when
    /// no replica reported one all window — every replica NULL, as while
    /// the primary is down.
    pub lag_mean_s: f64,
    pub lag_max_s: f64,
    /// True staleness of the stalest replica, mean of the samples.
    pub staleness_mean_s: f64,
}

/// Everything a set measured in one replication.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplSetResult {
    /// The set's name: its first primary's.
    pub name: String,
    pub reads: u64,
    pub stale_reads: u64,
    /// How long the version a stale read returned had been superseded.
    pub stale_age_mean_ms: f64,
    pub stale_age_p99_ms: f64,
    pub ryw_violations: u64,
    pub commits: u64,
    pub failed_writes: u64,
    /// Commit time added by semi-sync waits (0 for asynchronous), ms.
    pub write_wait_mean_ms: f64,
    pub write_wait_p99_ms: f64,
    pub semi_sync_fallbacks: u64,
    pub lost_writes: u64,
    pub lost_acknowledged: u64,
    /// The largest data-loss window of the run's failovers, seconds.
    pub rpo_s: f64,
    pub failovers: u64,
    /// Measured time without a primary (writes impossible), seconds.
    pub read_only_s: f64,
    /// `Seconds_Behind_Source` and true staleness of the laggiest replica,
    /// sampled every 100 ms (mean, p99); the max is exact (every replica's
    /// lag is integrated as ramps). Lag samples exist only where some
    /// replica reports a number: NULL is left out, not counted as 0.
    pub lag: LagSummary,
    pub staleness: LagSummary,
    pub windows: Vec<ReplWindowRow>,
}

pub(in crate::stack) struct Cluster {
    pub(in crate::stack) name: String,
    pub(in crate::stack) repl: Replication,
    /// The database of each node.
    pub(in crate::stack) members: Vec<DbId>,
    pub(in crate::stack) fx: Effects,
    keys: KeySampler,
    key_rng: Rng,
    failover: Failover,
    failover_rng: Rng,
    /// Bumped to cancel a pending promotion (the primary came back).
    pub(in crate::stack) promote_epoch: u32,
    /// orchestrator's anti-flapping block: no automatic failover before.
    blocked_until: Option<SimTime>,
    no_primary_since: Option<SimTime>,
    measure_from: SimTime,
    // Measures since `measure_from`.
    failed_writes: u64,
    lost_acknowledged: u64,
    rpo: SimDuration,
    failovers: u64,
    read_only: SimDuration,
    fallbacks_at_reset: u64,
    /// The laggiest replica's lag and staleness at each sample (ns).
    lag_samples: Histogram,
    stale_samples: Histogram,
    lag_sum_s: f64,
    stale_sum_s: f64,
    // The current window.
    window: SimDuration,
    window_end: SimTime,
    series_end: SimTime,
    w: ReplWindowRow,
    w_samples: u64,
    /// Samples of the window in which some replica reported a lag.
    w_lag_samples: u64,
    pub(in crate::stack) rows: Vec<ReplWindowRow>,
}

impl Cluster {
    pub(in crate::stack) fn new(
        cfg: &ReplSetConfig,
        name: &str,
        streams: &Streams,
        window: SimDuration,
        series_end: SimTime,
    ) -> Self {
        let repl = Replication::new(&cfg.repl, streams, name)
            .expect("validated: a replication set has at least one key");
        let keys = KeySampler::new(cfg.repl.keys, cfg.popularity)
            .expect("validated: keys ≥ 1 and a finite Zipf exponent ≥ 0");
        Cluster {
            name: name.to_string(),
            repl,
            members: cfg.members.iter().map(|&d| DbId::new(d)).collect(),
            fx: Effects::default(),
            keys,
            key_rng: streams.stream(&format!("replication/{name}/keys")),
            failover: cfg.failover,
            failover_rng: streams.stream(&format!("replication/{name}/failover")),
            promote_epoch: 0,
            blocked_until: None,
            no_primary_since: None,
            measure_from: SimTime::ZERO,
            failed_writes: 0,
            lost_acknowledged: 0,
            rpo: SimDuration::ZERO,
            failovers: 0,
            read_only: SimDuration::ZERO,
            fallbacks_at_reset: 0,
            lag_samples: Histogram::new(),
            stale_samples: Histogram::new(),
            lag_sum_s: 0.0,
            stale_sum_s: 0.0,
            window,
            window_end: SimTime::ZERO + window,
            series_end,
            w: ReplWindowRow::default(),
            w_samples: 0,
            w_lag_samples: 0,
            rows: vec![],
        }
    }

    /// The key a query touches.
    #[inline]
    pub(in crate::stack) fn key(&mut self) -> u32 {
        self.keys.sample(&mut self.key_rng)
    }

    /// Closes the windows that end at or before `now`.
    pub(in crate::stack) fn roll(&mut self, now: SimTime) {
        while now >= self.window_end && self.window_end <= self.series_end {
            let n = self.w_samples.max(1) as f64;
            let mut row = std::mem::take(&mut self.w);
            row.t_s = SimTime(self.window_end.0 - self.window.0).as_secs_f64();
            if self.w_lag_samples > 0 {
                row.lag_mean_s /= self.w_lag_samples as f64;
            } else {
                (row.lag_mean_s, row.lag_max_s) = (f64::NAN, f64::NAN);
            }
            row.staleness_mean_s /= n;
            self.rows.push(row);
            self.w_samples = 0;
            self.w_lag_samples = 0;
            self.window_end += self.window;
        }
    }

    pub(in crate::stack) fn count_read(&mut self, now: SimTime, stale: bool, ryw: bool) {
        self.roll(now);
        self.w.reads += 1;
        self.w.stale_reads += u64::from(stale);
        self.w.ryw_violations += u64::from(ryw);
    }

    pub(in crate::stack) fn count_commit(&mut self, now: SimTime) {
        self.roll(now);
        self.w.commits += 1;
    }

    /// A write that found no primary to take it.
    pub(in crate::stack) fn count_failed_write(&mut self, now: SimTime) {
        self.roll(now);
        self.w.failed_writes += 1;
        if now >= self.measure_from {
            self.failed_writes += 1;
        }
    }

    /// A lag sample (the component's `Sample` event): the laggiest
    /// running replica's true staleness (0 with none running) and the
    /// largest `Seconds_Behind_Source` reported. A replica reporting NULL
    /// (not running, or its source down and its relay log applied: see
    /// `Replication::seconds_behind_source`) has no lag to take the maximum
    /// of; when every replica reports NULL there is no lag sample at all,
    /// so an outage of the primary leaves a gap in the lag, not zeros.
    pub(in crate::stack) fn sample(&mut self, now: SimTime) {
        self.roll(now);
        let (mut lag, mut stale) = (None::<f64>, 0.0f64);
        for i in 0..self.members.len() {
            let n = NodeId(i as u16);
            if !self.repl.is_running_replica(n) {
                continue;
            }
            stale = stale.max(self.repl.staleness_now(now, n).as_secs_f64());
            if let Some(l) = self.repl.seconds_behind_source(now, n) {
                lag = Some(lag.unwrap_or(0.0).max(l.as_secs_f64()));
            }
        }
        self.w.staleness_mean_s += stale;
        self.w_samples += 1;
        if let Some(lag) = lag {
            self.w.lag_mean_s += lag;
            self.w.lag_max_s = self.w.lag_max_s.max(lag);
            self.w_lag_samples += 1;
        }
        if now >= self.measure_from {
            self.stale_samples.record((stale * 1e9) as u64);
            self.stale_sum_s += stale;
            if let Some(lag) = lag {
                self.lag_samples.record((lag * 1e9) as u64);
                self.lag_sum_s += lag;
            }
        }
    }

    /// The primary died at `now`: how long until a replica is promoted
    /// (`None`: never). A person first has to know (`notice`: the model's
    /// monitoring).
    pub(in crate::stack) fn failover_delay(
        &mut self,
        now: SimTime,
        notice: SimDuration,
    ) -> Option<SimDuration> {
        self.no_primary_since = Some(now);
        let u = |rng: &mut Rng| rng.random::<f64>();
        Some(match self.failover {
            Failover::None => return None,
            Failover::Manual { decision } => notice + decision,
            Failover::Orchestrator {
                poll,
                confirm,
                recovery,
                block,
                manual,
            } => {
                if self.blocked_until.is_some_and(|b| now < b) {
                    return Some(notice + manual);
                }
                self.blocked_until = Some(now + block);
                // The next poll misses the primary (polls are at a phase
                // uniform to the failure), then confirmation and recovery.
                let to_poll =
                    SimDuration::from_nanos_f64(u(&mut self.failover_rng) * poll.as_nanos() as f64);
                to_poll + confirm + recovery
            }
            Failover::Mha {
                ping,
                pings,
                min,
                max,
            } => {
                let r = &mut self.failover_rng;
                let first = SimDuration::from_nanos_f64(u(r) * ping.as_nanos() as f64);
                let detect = first + SimDuration(ping.0 * u64::from(pings.saturating_sub(1)));
                let span = (max.0 - min.0) as f64;
                detect + min + SimDuration::from_nanos_f64(u(r) * span)
            }
        })
    }

    /// A primary again at `now` (promoted or restarted).
    pub(in crate::stack) fn primary_back(&mut self, now: SimTime) {
        if let Some(since) = self.no_primary_since.take() {
            self.read_only = self.read_only + (now - since.max(self.measure_from).min(now));
        }
    }

    pub(in crate::stack) fn failed_over(&mut self, now: SimTime, report: &FailoverReport) {
        self.primary_back(now);
        if now >= self.measure_from {
            self.failovers += 1;
            self.lost_acknowledged += report.lost_acknowledged;
            self.rpo = self.rpo.max(report.rpo);
        }
    }

    /// The policy's name and whether the next failover is automatic.
    pub(in crate::stack) fn policy(&self) -> &'static str {
        self.failover.name()
    }

    /// End of the warm-up: measures start afresh.
    pub(in crate::stack) fn reset(&mut self, now: SimTime) {
        self.repl.reset_stats(now);
        self.measure_from = now;
        self.failed_writes = 0;
        self.lost_acknowledged = 0;
        self.rpo = SimDuration::ZERO;
        self.failovers = 0;
        self.read_only = SimDuration::ZERO;
        self.fallbacks_at_reset = self.repl.semi_sync().map_or(0, |s| s.1);
        self.lag_samples.reset();
        self.stale_samples.reset();
        self.lag_sum_s = 0.0;
        self.stale_sum_s = 0.0;
    }

    /// What the set measured, up to `end`.
    pub(in crate::stack) fn result(&mut self, end: SimTime) -> ReplSetResult {
        if self.no_primary_since.is_some() {
            self.primary_back(end);
        }
        self.roll(end);
        let c = self.repl.counts();
        let ms = |ns: f64| ns / 1e6;
        let q = |h: &Histogram, p: f64| {
            if h.is_empty() {
                f64::NAN
            } else {
                h.quantile(p) as f64
            }
        };
        let mean = |h: &Histogram| if h.is_empty() { f64::NAN } else { h.mean() };
        // The laggiest replica at each sample (mean, p99); the exact
        // maximum of every replica's ramps.
        let (mut lag_max, mut stale_max) = (0.0f64, 0.0f64);
        for i in 0..self.members.len() {
            // A promoted replica keeps the maximum of its time as one.
            let (l, s) = self.repl.lag(end, NodeId(i as u16));
            lag_max = lag_max.max(l.max_s);
            stale_max = stale_max.max(s.max_s);
        }
        let summary = |h: &Histogram, sum: f64, max: f64| LagSummary {
            mean_s: if h.is_empty() {
                f64::NAN
            } else {
                sum / h.count() as f64
            },
            p99_s: q(h, 0.99) / 1e9,
            max_s: max,
            now_s: f64::NAN,
        };
        let lag = summary(&self.lag_samples, self.lag_sum_s, lag_max);
        let staleness = summary(&self.stale_samples, self.stale_sum_s, stale_max);
        ReplSetResult {
            name: self.name.clone(),
            reads: c.reads,
            stale_reads: c.stale_reads,
            stale_age_mean_ms: ms(mean(&c.staleness)),
            stale_age_p99_ms: ms(q(&c.staleness, 0.99)),
            ryw_violations: c.ryw_violations,
            commits: c.commits,
            failed_writes: self.failed_writes,
            write_wait_mean_ms: ms(mean(&c.write_wait)),
            write_wait_p99_ms: ms(q(&c.write_wait, 0.99)),
            semi_sync_fallbacks: self
                .repl
                .semi_sync()
                .map_or(0, |s| s.1 - self.fallbacks_at_reset),
            lost_writes: c.lost_writes,
            lost_acknowledged: self.lost_acknowledged,
            rpo_s: self.rpo.as_secs_f64(),
            failovers: self.failovers,
            read_only_s: self.read_only.as_secs_f64(),
            lag,
            staleness,
            windows: std::mem::take(&mut self.rows),
        }
    }
}
