//! `stacksim plan`: the capacity planner. It searches one knob of an
//! experiment (servers behind a balancer, app workers per server, or the
//! open rate) for the smallest value (largest, for the rate) whose
//! simulated point meets the SLOs of `[plan]`.
//!
//! Search: the SLOs are taken as monotone in the knob (more servers or
//! workers never hurt; more load never helps), so the planner bisects the
//! knob's grid: first the end that should pass, then halves the bracket
//! between the last failing and the first passing value. Every evaluated
//! point is kept and reused (a value is never simulated twice), and all
//! points share random numbers (the experiment's seed), which keeps the
//! measure monotone from point to point far better than independent runs.
//!
//! Decision (`decide.rs`): a point passes only if the upper bound of its
//! 95% confidence interval meets each SLO; it fails as soon as a lower
//! bound breaks one; while an interval straddles an SLO the point gets more
//! replications (the first batch's size at a time) up to `max_replications`;
//! a point still straddling at the cap is *undecided* and counts as not
//! passing (the recommendation stays on the safe side and says so).
//! With `n_plus_one`, every point is also run without its biggest server
//! (the same load on the rest), and passes only if both runs do.
//!
//! Beside each run, `analytic.rs` gives the queueing-theory estimate of the
//! same stations (from `experiment::capacity`) and a note on why the
//! simulation may part from it.
//!
//! Ctrl-C ([`plan_until`] with a cancel flag): the point being evaluated is
//! abandoned, the points before it are kept, and the result is marked
//! incomplete, with no answer (a bisection cut short has none).

pub mod analytic;
pub mod decide;
mod run;

use crate::Error;
use crate::experiment::availability as av;
use crate::input::plan::PlanInput;
use crate::input::validate::plan::{Knob, PlanSpec};
use crate::stats::Estimate;
pub use decide::Verdict;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// One simulated design (the full fleet, or the fleet without one server).
#[derive(Clone, Debug)]
pub struct Run {
    pub scenario: String,
    /// The server taken out (N+1), if any.
    pub without: Option<String>,
    pub replications: usize,
    /// The SLO measure (ms) and the failed share, across replications.
    pub latency_ms: Estimate,
    pub errors: Estimate,
    pub mean_ms: Estimate,
    pub latency: Verdict,
    pub error_verdict: Verdict,
    pub verdict: Verdict,
    pub analytic: analytic::Analytic,
    pub why: String,
}

/// The long-run availability of a point's full fleet.
#[derive(Clone, Debug)]
pub struct AvailabilityCheck {
    /// Simulated over years: mean and 95% half width of the availability.
    pub simulated: Estimate,
    /// The exact figure, when the components are few enough to enumerate.
    pub analytic: Option<f64>,
    pub verdict: Verdict,
}

/// One value of the knob, with its runs.
#[derive(Clone, Debug)]
pub struct Point {
    pub value: f64,
    pub runs: Vec<Run>,
    pub availability: Option<AvailabilityCheck>,
    pub verdict: Verdict,
    /// Its place in the search order (1 = evaluated first).
    pub order: usize,
}

/// What the planner found.
#[derive(Clone, Debug)]
pub struct PlanResult {
    pub name: String,
    pub spec: PlanSpec,
    /// Every evaluated point, in knob order.
    pub points: Vec<Point>,
    /// The smallest passing value (largest for the rate), if any.
    pub answer: Option<f64>,
    /// False when Ctrl-C stopped the search: `points` are those evaluated
    /// before it and `answer` is `None`.
    pub complete: bool,
}

impl PlanResult {
    /// Points left undecided at the replication cap.
    pub fn undecided(&self) -> Vec<&Point> {
        (self.points.iter())
            .filter(|p| p.verdict == Verdict::Undecided)
            .collect()
    }
}

/// Runs the search on `threads` threads (`None`: one per core); `progress`
/// is called after each evaluated point.
pub fn plan(
    input: &PlanInput,
    threads: Option<usize>,
    progress: &dyn Fn(&Point),
) -> Result<PlanResult, Error> {
    plan_until(input, threads, progress, None)
}

/// [`plan`], stopped when `cancel` is raised (Ctrl-C): the result then
/// holds the points evaluated before, `complete` false.
pub fn plan_until(
    input: &PlanInput,
    threads: Option<usize>,
    progress: &dyn Fn(&Point),
    cancel: Option<&AtomicBool>,
) -> Result<PlanResult, Error> {
    let spec = &input.spec;
    let grid = spec.grid();
    let pool = run::Pool::new(threads)?;
    let mut done: BTreeMap<usize, Point> = BTreeMap::new();
    // Whether the value at `i` passes; `None`: interrupted first.
    let eval = |i: usize, done: &mut BTreeMap<usize, Point>| -> Result<Option<bool>, Error> {
        if let Some(p) = done.get(&i) {
            return Ok(Some(p.verdict == Verdict::Pass));
        }
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Ok(None);
        }
        let order = done.len() + 1;
        let Some(p) = evaluate(input, &pool, grid[i], order, cancel)? else {
            return Ok(None);
        };
        progress(&p);
        let pass = p.verdict == Verdict::Pass;
        done.insert(i, p);
        Ok(Some(pass))
    };
    // Indices ordered so that "passes" is false…false true…true.
    let at = |k: usize| {
        if spec.knob.more_helps() {
            k
        } else {
            grid.len() - 1 - k
        }
    };
    let n = grid.len();
    // `None`: interrupted; `Some(answer)` otherwise.
    let mut search = || -> Result<Option<Option<f64>>, Error> {
        match eval(at(n - 1), &mut done)? {
            None => return Ok(None),
            Some(false) => return Ok(Some(None)),
            Some(true) => {}
        }
        // Invariant: at(hi) passes; every k < lo is known (or assumed,
        // for k = 0 before it is tried) to fail.
        let (mut lo, mut hi) = (0usize, n - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match eval(at(mid), &mut done)? {
                None => return Ok(None),
                Some(true) => hi = mid,
                Some(false) => lo = mid + 1,
            }
        }
        Ok(Some(Some(grid[at(hi)])))
    };
    let found = search()?;
    Ok(PlanResult {
        name: input.experiment.name.clone(),
        spec: spec.clone(),
        points: done.into_values().collect(),
        answer: found.flatten(),
        complete: found.is_some(),
    })
}

/// Simulates the point at `value` (and without its biggest server for N+1)
/// until every run is decided or at the cap; then its availability.
/// `None` if `cancel` was raised before its runs were decided.
fn evaluate(
    input: &PlanInput,
    pool: &run::Pool,
    value: f64,
    order: usize,
    cancel: Option<&AtomicBool>,
) -> Result<Option<Point>, Error> {
    let spec = &input.spec;
    let full = input.point(value, None)?;
    let mut scenarios = vec![full];
    if spec.n_plus_one {
        let gone = run::biggest_server(&scenarios[0], &spec.balancer);
        if let Some(gone) = gone {
            scenarios.push(input.point(value, Some(&gone))?);
        }
    }
    let Some(runs) = run::simulate_until_decided(&scenarios, spec, pool, cancel)? else {
        return Ok(None);
    };
    let availability = match spec.min_availability {
        Some(min) => Some(availability(&scenarios[0], min)?),
        None => None,
    };
    let mut verdicts: Vec<Verdict> = runs.iter().map(|r| r.verdict).collect();
    verdicts.extend(availability.as_ref().map(|a| a.verdict));
    Ok(Some(Point {
        value,
        verdict: decide::all(&verdicts),
        runs,
        availability,
        order,
    }))
}

/// The full fleet's long-run availability against `min`: decided by the
/// exact figure when the components can be enumerated, else CI-aware on
/// the simulated years.
fn availability(sc: &crate::stack::config::Scenario, min: f64) -> Result<AvailabilityCheck, Error> {
    let target = av::Target {
        name: sc.name.clone(),
        model: sc.model.clone(),
        workload: Some(sc.workload.clone()),
    };
    let settings = av::Settings {
        years: crate::input::plan::PlanFile::AVAILABILITY_YEARS,
        replications: crate::input::plan::PlanFile::AVAILABILITY_REPLICATIONS,
        seed: sc.run.seed,
        detection: true,
    };
    let res = av::run(&[target], &settings)?;
    let a = &res[0];
    let simulated = Estimate {
        mean: a.availability(),
        ..a.unavailability
    };
    let analytic = a.analytic_availability();
    let verdict = match analytic {
        Some(x) if x >= min => Verdict::Pass,
        Some(_) => Verdict::Fail,
        None => decide::at_least(&simulated, min),
    };
    Ok(AvailabilityCheck {
        simulated,
        analytic,
        verdict,
    })
}

/// `servers = 7`, `rate = 1250 req/s`, … as the recommendation says it.
pub fn knob_phrase(knob: Knob, value: f64) -> String {
    let v = crate::input::range::shown(&crate::input::range::number(value));
    match knob {
        Knob::Servers => format!("{v} servers"),
        Knob::Workers => format!("{v} app workers per server"),
        Knob::Rate => format!("{v} req/s"),
    }
}
