//! The replications of an experiment, planned in rounds so that warm-up
//! detection and sequential stopping stay deterministic for any thread count.
//!
//! - **Warm-up by MSER-5** (`warmup = "auto"`): the scenario's first batch
//!   of replications runs once as a pilot with nothing truncated. Their
//!   per-window mean latencies are averaged across the replications
//!   (weighted by the requests of each window) into one series, and MSER-5
//!   on that series gives the truncation point, in whole windows. Averaging
//!   across replications first (Welch's ensemble average, as Hoad, Robinson
//!   & Davies 2010 use for MSER-5) removes most of the within-run noise, so
//!   the point found is where the *mean* stops drifting rather than an
//!   accident of one path, and one point per scenario applies to all its
//!   replications. The pilot replications then run again, same seeds, with
//!   that warm-up: a replication's path does not depend on its warm-up, so
//!   this is exactly the pilot data truncated.
//! - **Sequential stopping** (`replications = { target = … }`): after each
//!   round, a scenario whose CI half width (Student-t at the asked
//!   confidence, over its replications' values of the measure) is at most
//!   `target` × |mean| stops; otherwise it gets `step` more replications,
//!   up to `max`. Each round runs all its (scenario, replication) cells in
//!   parallel and is collected in input order, so which replications run
//!   depends only on the results, never on the threads.

use super::summary::headline;
use crate::engine::SimDuration;
use crate::stack::{ReplicationResult, config::Scenario};
use crate::stats::mser::BATCH_SIZE;
use crate::stats::settings::{Measure, Sequential};
use crate::stats::{Estimate, mser5, t_quantile};

/// What sequential stopping reached for one scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stopping {
    pub rule: Sequential,
    /// Replications run.
    pub replications: u32,
    /// The mean of the measure over them.
    pub mean: f64,
    /// The CI half width at `rule.confidence`, relative to |mean|.
    pub relative_half_width: f64,
    /// Whether `relative_half_width ≤ rule.target` (else the cap stopped it).
    pub met: bool,
}

/// One replication's value of `m` (NaN when undefined, e.g. no request).
pub fn value(m: Measure, r: &ReplicationResult) -> f64 {
    let h = headline(r);
    match m {
        Measure::Mean => h.mean_ms,
        Measure::P50 => h.p50_ms,
        Measure::P90 => h.p90_ms,
        Measure::P95 => h.p95_ms,
        Measure::P99 => h.p99_ms,
        Measure::P999 => h.p999_ms,
        Measure::Throughput => h.throughput_rps,
    }
}

/// The criterion after the replications in `reps`: mean, relative half
/// width at `rule.confidence`, and whether the target is met.
pub fn check(rule: &Sequential, reps: &[ReplicationResult]) -> Stopping {
    let xs: Vec<f64> = reps
        .iter()
        .map(|r| value(rule.measure, r))
        .filter(|x| x.is_finite())
        .collect();
    let e = Estimate::from_samples(&xs);
    let rel = if e.n < 2 {
        f64::NAN
    } else {
        let t = t_quantile((1.0 + rule.confidence) / 2.0, (e.n - 1) as u64);
        t * e.std_dev / (e.n as f64).sqrt() / e.mean.abs()
    };
    Stopping {
        rule: *rule,
        replications: reps.len() as u32,
        mean: e.mean,
        relative_half_width: rel,
        met: rel <= rule.target,
    }
}

/// How many replications a scenario should have run after a round in which
/// it reached `done`: `None` when it is finished (and what it reached).
pub fn next_count(rule: &Sequential, reps: &[ReplicationResult]) -> Result<u32, Stopping> {
    let s = check(rule, reps);
    let done = reps.len() as u32;
    if s.met || done >= rule.max {
        Err(s)
    } else {
        Ok(done.saturating_add(rule.step).min(rule.max))
    }
}

/// The replication-averaged per-window mean latency of `pilot` over the
/// first `duration` of the run (windows without a request carry the
/// previous value forward; the series starts at 0 ms if the first is empty).
pub fn averaged_series(sc: &Scenario, pilot: &[ReplicationResult]) -> Vec<f64> {
    let windows = (sc.run.duration.0 / sc.run.window.0.max(1)) as usize;
    let mut last = 0.0;
    (0..windows)
        .map(|w| {
            let (mut sum, mut n) = (0.0, 0u64);
            for row in pilot.iter().filter_map(|r| r.windows.get(w)) {
                sum += row.mean_ms * row.ok as f64;
                n += row.ok;
            }
            if n > 0 {
                last = sum / n as f64;
            }
            last
        })
        .collect()
}

/// The warm-up MSER-5 finds in the pilot replications, in whole windows
/// (zero when the series is too short, which validation prevents), and
/// whether it lies at MSER-5's search limit (half the run): there the
/// statistic found no end to the drift, which says the run is too short for
/// its autocorrelation rather than that the transient ends there.
pub fn detect_warmup(sc: &Scenario, pilot: &[ReplicationResult]) -> (SimDuration, bool) {
    let series = averaged_series(sc, pilot);
    let d = mser5(&series).unwrap_or(0);
    let limit = series.len() / BATCH_SIZE / 2 * BATCH_SIZE;
    let at_limit = d > 0 && d >= limit;
    (
        SimDuration(sc.run.window.0.saturating_mul(d as u64)),
        at_limit,
    )
}

/// The seed scenario `index` runs under: the experiment's own with common
/// random numbers, else one folded with the index.
pub fn scenario_seed(seed: u64, index: usize, common: bool) -> u64 {
    use crate::engine::rng::mix64;
    if common {
        seed
    } else {
        mix64(seed ^ mix64(0x5CE0_A210 ^ index as u64))
    }
}
