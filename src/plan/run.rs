//! Simulating a point's scenarios until each is decided: the first batch
//! through `experiment::run_each` (warm-up detection, seeds and all), then more
//! replications, `first_replications` at a time, for the scenarios whose
//! interval still straddles an SLO — each new replication with the same
//! seed and warm-up `experiment::run` gave the batch, so a grown point is
//! exactly the point run with more replications. A scenario whose open
//! workload overloads an unbounded queue is failed without simulating it.
//! A raised cancel flag (Ctrl-C) abandons the point: no new replication
//! starts, and the point is not reported.

use super::analytic;
use super::decide::{self, Verdict};
use super::{Run, analytic::Analytic};
use crate::Error;
use crate::experiment::sequential::scenario_seed;
use crate::experiment::{self, RunFailure, ScenarioResult, ThreadsError, capacity};
use crate::input::Experiment;
use crate::input::validate::plan::PlanSpec;
use crate::stack::config::Scenario;
use crate::stack::{ReplicationResult, simulate};
use crate::stats::Estimate;
use crate::stats::settings::Measure;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// The thread pool of the added replications.
pub struct Pool {
    threads: Option<usize>,
    pool: Option<rayon::ThreadPool>,
}

impl Pool {
    pub fn new(threads: Option<usize>) -> Result<Pool, ThreadsError> {
        let pool = match threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build()
                    .map_err(|source| ThreadsError::Pool { threads: n, source })?,
            ),
            None => None,
        };
        Ok(Pool { threads, pool })
    }

    fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}

/// The backend of `balancer` with the most app capacity (workers / mean
/// service time); the first such in the list on a tie.
pub fn biggest_server(sc: &Scenario, balancer: &str) -> Option<String> {
    let m = &sc.model;
    let b = m.balancers.iter().find(|b| b.name == balancer)?;
    let capacity = |s: usize| {
        let app = &m.servers[s].app;
        f64::from(app.workers) / app.service.mean_ns().max(1e-9)
    };
    let mut best: Option<usize> = None;
    for be in &b.backends {
        if best.is_none_or(|x| capacity(be.server) > capacity(x)) {
            best = Some(be.server);
        }
    }
    best.map(|s| m.servers[s].name.clone())
}

/// A replication's value of the SLO measure, ms (NaN without a request).
fn measure_ms(m: Measure, h: &experiment::summary::Headline) -> f64 {
    match m {
        Measure::Mean => h.mean_ms,
        Measure::P50 => h.p50_ms,
        Measure::P90 => h.p90_ms,
        Measure::P95 => h.p95_ms,
        Measure::P999 => h.p999_ms,
        Measure::P99 | Measure::Throughput => h.p99_ms,
    }
}

/// The latency, errors and mean estimates of the replications so far.
fn estimates(spec: &PlanSpec, reps: &[ReplicationResult]) -> (Estimate, Estimate, Estimate) {
    let heads: Vec<_> = reps.iter().map(experiment::summary::headline).collect();
    let est = |f: &dyn Fn(&experiment::summary::Headline) -> f64| {
        let xs: Vec<f64> = heads.iter().map(f).filter(|x| x.is_finite()).collect();
        Estimate::from_samples(&xs)
    };
    // A replication without a successful request has no latency: the
    // measure is then unknown, which fails the point.
    let latency = if heads
        .iter()
        .any(|h| !measure_ms(spec.measure, h).is_finite())
    {
        Estimate::from_samples(&[])
    } else {
        est(&|h| measure_ms(spec.measure, h))
    };
    let errors = est(&|h| {
        if h.requests == 0 {
            f64::NAN
        } else {
            h.failed as f64 / h.requests as f64
        }
    });
    (latency, errors, est(&|h| h.mean_ms))
}

fn verdicts(spec: &PlanSpec, reps: &[ReplicationResult]) -> (Verdict, Verdict) {
    let (latency, errors, _) = estimates(spec, reps);
    (
        decide::at_most(&latency, spec.max_latency_ms),
        decide::at_most(&errors, spec.max_errors),
    )
}

/// Runs `scenarios` (a point's full fleet, and without one server) until
/// each is decided or at the cap; `None` if `cancel` was raised first.
pub fn simulate_until_decided(
    scenarios: &[Scenario],
    spec: &PlanSpec,
    pool: &Pool,
    cancel: Option<&AtomicBool>,
) -> Result<Option<Vec<Run>>, Error> {
    let stopped = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let mut scs: Vec<Scenario> = scenarios.to_vec();
    for sc in &mut scs {
        sc.run.replications = spec.first_replications;
        sc.run.stats.sequential = None;
    }
    let overloaded: Vec<Option<capacity::StationLoad>> = (scs.iter())
        .map(|sc| capacity::unbounded_overloads(sc).into_iter().next())
        .collect();
    let to_run: Vec<Scenario> = (scs.iter().zip(&overloaded))
        .filter(|(_, o)| o.is_none())
        .map(|(s, _)| s.clone())
        .collect();
    let exp = Experiment {
        name: String::new(),
        description: None,
        file: Default::default(),
        scenarios: to_run.clone(),
        allow_overload: true,
        sweep: None,
    };
    let mut results: Vec<ScenarioResult> = vec![];
    if !to_run.is_empty() {
        let opts = experiment::RunOptions {
            threads: pool.threads,
            progress: &|| {},
            cancel,
        };
        let outcome = experiment::run_each(&exp, opts, &mut |s| {
            results.push(s);
            Ok::<_, Error>(())
        })?;
        if outcome == experiment::Outcome::Interrupted {
            return Ok(None);
        }
    }
    // The scenarios as their replications ran: seed and warm-up.
    let seeded: Vec<Scenario> = (to_run.iter().enumerate())
        .map(|(i, sc)| {
            let mut sc = sc.clone();
            sc.run.seed = scenario_seed(sc.run.seed, i, sc.run.stats.common_random_numbers);
            if let Some((w, _)) = results[i].detected_warmup {
                sc.run.warmup = w;
            }
            sc
        })
        .collect();
    loop {
        let jobs: Vec<(usize, u32)> = (0..seeded.len())
            .filter(|&i| {
                let (l, e) = verdicts(spec, &results[i].replications);
                let n = results[i].replications.len() as u32;
                decide::all(&[l, e]) == Verdict::Undecided && n < spec.max_replications
            })
            .flat_map(|i| {
                let n = results[i].replications.len() as u32;
                let more = spec.first_replications.min(spec.max_replications - n);
                (n..n + more).map(move |r| (i, r))
            })
            .collect();
        if jobs.is_empty() {
            break;
        }
        if stopped() {
            return Ok(None);
        }
        // After Ctrl-C no replication starts; those running finish.
        let out: Vec<_> = pool.install(|| {
            jobs.par_iter()
                .map(|&(i, r)| (!stopped()).then(|| simulate(&seeded[i], r)))
                .collect()
        });
        let Some(out) = out.into_iter().collect::<Option<Vec<_>>>() else {
            return Ok(None);
        };
        for (&(i, r), res) in jobs.iter().zip(out) {
            let res = res.map_err(|source| RunFailure::Model {
                scenario: seeded[i].name.clone(),
                replication: r,
                source,
            })?;
            results[i].replications.push(res);
        }
    }
    let mut ran = results.into_iter();
    let mut runs = vec![];
    for (sc, over) in scs.iter().zip(overloaded) {
        let without = sc.name.split("/without=").nth(1).map(String::from);
        let a = analytic::estimate(sc);
        let run = match over {
            Some(st) => {
                let nan = Estimate::from_samples(&[]);
                Run {
                    scenario: sc.name.clone(),
                    without,
                    replications: 0,
                    latency_ms: nan,
                    errors: nan,
                    mean_ms: nan,
                    latency: Verdict::Fail,
                    error_verdict: Verdict::Fail,
                    verdict: Verdict::Fail,
                    why: format!(
                        "not simulated: {} at ρ = {:.2} with an unbounded queue never settles",
                        st.station, st.rho
                    ),
                    analytic: a,
                }
            }
            None => {
                let res = ran.next().map(|r| r.replications).unwrap_or_default();
                finished(sc, spec, &res, a)
            }
        };
        runs.push(run);
    }
    Ok(Some(runs))
}

fn finished(sc: &Scenario, spec: &PlanSpec, reps: &[ReplicationResult], a: Analytic) -> Run {
    let (latency_ms, errors, mean_ms) = estimates(spec, reps);
    let (l, e) = verdicts(spec, reps);
    Run {
        scenario: sc.name.clone(),
        without: sc.name.split("/without=").nth(1).map(String::from),
        replications: reps.len(),
        latency_ms,
        errors,
        mean_ms,
        latency: l,
        error_verdict: e,
        verdict: decide::all(&[l, e]),
        why: analytic::why(sc, &a, &mean_ms, reps),
        analytic: a,
    }
}
