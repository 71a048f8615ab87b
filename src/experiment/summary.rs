//! Summaries across replications. Each replication gives one value of a
//! metric (its mean latency, its p99…); the summary is the mean of those
//! values with a Student-t 95% confidence half-width. Percentiles are
//! therefore averaged per replication, which is what makes a CI on a p99
//! meaningful (replications are independent; requests within one are not).
//! With batch means (`batches = N`, one replication) the availability,
//! throughput and mean latency come from the batches of the one run
//! instead (`stats::batch_means`); percentiles have no interval then.

use super::ScenarioResult;
use super::sequential::Stopping;
use crate::stack::ReplicationResult;
use crate::stats::Estimate;
use crate::stats::batch_means::{BatchMeans, WindowTotals, batch_means};

/// One replication's headline figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub availability: f64,
    pub throughput_rps: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

pub fn headline(r: &ReplicationResult) -> Headline {
    let h = &r.latency;
    let ms = |ns: u64| ns as f64 / 1e6;
    let requests = r.requests();
    Headline {
        requests,
        ok: r.ok,
        failed: r.failed,
        availability: if requests == 0 {
            f64::NAN
        } else {
            r.ok as f64 / requests as f64
        },
        throughput_rps: if r.measured_s > 0.0 {
            r.ok as f64 / r.measured_s
        } else {
            f64::NAN
        },
        mean_ms: if h.is_empty() {
            f64::NAN
        } else {
            h.mean() / 1e6
        },
        p50_ms: ms(h.quantile(0.5)),
        p90_ms: ms(h.quantile(0.9)),
        p95_ms: ms(h.quantile(0.95)),
        p99_ms: ms(h.quantile(0.99)),
        p999_ms: ms(h.quantile(0.999)),
        max_ms: ms(h.max()),
    }
}

/// A scenario's figures across replications.
#[derive(Clone, Debug)]
pub struct ScenarioSummary {
    pub scenario: String,
    pub replications: usize,
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub availability: Estimate,
    pub throughput_rps: Estimate,
    pub mean_ms: Estimate,
    pub p50_ms: Estimate,
    pub p90_ms: Estimate,
    pub p95_ms: Estimate,
    pub p99_ms: Estimate,
    pub p999_ms: Estimate,
    /// The largest latency seen in any replication.
    pub max_ms: f64,
    /// The warm-up MSER-5 found, seconds (`warmup = "auto"` only).
    pub warmup_s: Option<f64>,
    /// That warm-up is at MSER-5's search limit (the run is too short).
    pub warmup_at_limit: bool,
    /// What sequential stopping reached (`replications = { … }` only).
    pub stopping: Option<Stopping>,
    /// Batch means (`batches = N`): the batches and a batch's length, s;
    /// the CIs of availability, throughput and mean latency are theirs.
    pub batches: Option<(usize, f64)>,
}

/// The batch means of a scenario's one run, when it asked for them.
fn batch_estimates(s: &ScenarioResult) -> Option<BatchMeans> {
    let plan = s.batches?;
    let [r] = s.replications.as_slice() else {
        return None;
    };
    let windows: Vec<WindowTotals> = (r.windows.iter().skip(plan.first_window))
        .map(|w| WindowTotals {
            requests: w.requests,
            ok: w.ok,
            mean_ms: w.mean_ms,
        })
        .collect();
    batch_means(&windows, plan.window_s, plan.batches as usize)
}

pub fn summarise(s: &ScenarioResult) -> ScenarioSummary {
    let heads: Vec<Headline> = s.replications.iter().map(headline).collect();
    let est = |f: fn(&Headline) -> f64| {
        let xs: Vec<f64> = heads.iter().map(f).filter(|x| x.is_finite()).collect();
        Estimate::from_samples(&xs)
    };
    let bm = batch_estimates(s);
    let mut sum = ScenarioSummary {
        scenario: s.name.clone(),
        replications: heads.len(),
        requests: heads.iter().map(|h| h.requests).sum(),
        ok: heads.iter().map(|h| h.ok).sum(),
        failed: heads.iter().map(|h| h.failed).sum(),
        availability: est(|h| h.availability),
        throughput_rps: est(|h| h.throughput_rps),
        mean_ms: est(|h| h.mean_ms),
        p50_ms: est(|h| h.p50_ms),
        p90_ms: est(|h| h.p90_ms),
        p95_ms: est(|h| h.p95_ms),
        p99_ms: est(|h| h.p99_ms),
        p999_ms: est(|h| h.p999_ms),
        max_ms: heads.iter().map(|h| h.max_ms).fold(0.0, f64::max),
        warmup_s: s.detected_warmup.map(|d| d.0.as_secs_f64()),
        warmup_at_limit: s.detected_warmup.is_some_and(|d| d.1),
        stopping: s.stopping,
        batches: None,
    };
    if let Some(bm) = bm {
        sum.batches = Some((
            bm.batches,
            bm.windows_per_batch as f64 * s.batches.map_or(0.0, |p| p.window_s),
        ));
        sum.availability = bm.availability;
        sum.throughput_rps = bm.throughput_rps;
        sum.mean_ms = bm.mean_ms;
    }
    sum
}
