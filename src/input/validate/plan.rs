//! Checks a `[plan]` table against the experiment's model and converts it
//! into [`PlanSpec`], the plain settings the planner runs on: every problem
//! collected, each located at its key of `[plan]` (or at `replications`).

use crate::input::error::{Problem, SpecError};
use crate::input::expand::Experiment;
use crate::input::limits;
use crate::input::load::Loaded;
use crate::input::locate::Seg;
use crate::input::plan::PlanFile;
use crate::stack::config::Arrivals;
use crate::stats::settings::Measure;

/// What the planner turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// Servers behind the balancer (copies of a template backend).
    Servers,
    /// App workers of every server behind the balancer.
    Workers,
    /// The open workload's rate (the highest sustainable rate).
    Rate,
}

impl Knob {
    pub const ALL: [(&'static str, Knob); 3] = [
        ("servers", Knob::Servers),
        ("workers", Knob::Workers),
        ("rate", Knob::Rate),
    ];
    /// Its spelling in `[plan] search` and in the output.
    pub fn word(self) -> &'static str {
        Knob::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(w, _)| w)
    }
    /// More of it helps (servers, workers) or hurts (rate): the planner
    /// looks for the smallest passing value, or the largest.
    pub fn more_helps(self) -> bool {
        self != Knob::Rate
    }
}

/// A checked `[plan]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanSpec {
    pub knob: Knob,
    pub balancer: String,
    /// `servers`: the backend copied.
    pub template: String,
    /// The balancer's backends as written (the `workers` knob's servers).
    pub backend_names: Vec<String>,
    pub from: f64,
    pub to: f64,
    /// The grid: from, from + step, …, to (1 for servers and workers).
    pub step: f64,
    pub measure: Measure,
    pub max_latency_ms: f64,
    pub max_errors: f64,
    pub n_plus_one: bool,
    pub min_availability: Option<f64>,
    /// The first batch of replications of every point (the experiment's
    /// `replications`) and the cap it may grow to.
    pub first_replications: u32,
    pub max_replications: u32,
}

impl PlanSpec {
    /// The grid's values, from `from` to `to`.
    pub fn grid(&self) -> Vec<f64> {
        let n = ((self.to - self.from) / self.step + 1e-9).floor() as u64;
        (0..=n)
            .map(|i| {
                let x = self.from + i as f64 * self.step;
                // 12 significant digits, as sweep ranges are.
                let scale = 10f64.powi(11 - x.abs().max(1e-300).log10().floor() as i32);
                (x * scale).round() / scale
            })
            .collect()
    }
}

/// Servers or workers the planner may try at most (each point is a whole
/// simulation; a bigger fleet is a different question).
pub const MAX_KNOB: f64 = 1000.0;
/// Points on a `rate` grid at most (a bisection visits about log2 of them).
pub const MAX_GRID: f64 = 100_000.0;

/// Checks `plan` against the experiment's one scenario. `key(k)` is the
/// path of `[plan]`'s key `k`.
pub fn check_plan(
    loaded: &Loaded,
    plan: &PlanFile,
    exp: &Experiment,
    key: &dyn Fn(&str) -> Vec<Seg>,
) -> Result<PlanSpec, SpecError> {
    let mut problems: Vec<Problem> = vec![];
    let mut err = |k: &str, m: String| problems.push(loaded.problem(&key(k), m));
    let Some(sc) = exp.scenarios.first() else {
        return Err(SpecError {
            problems: vec![loaded.problem(&key("search"), "the experiment has no scenario")],
        });
    };
    let m = &sc.model;
    let knob = Knob::ALL
        .iter()
        .find(|(w, _)| *w == plan.search)
        .map(|k| k.1);
    if knob.is_none() {
        err(
            "search",
            format!(
                "`{}` cannot be searched; expected servers (behind a balancer), workers (per server) or rate (the highest sustainable rate)",
                crate::text::clip(&plan.search, 40)
            ),
        );
    }
    let names: Vec<&str> = m.balancers.iter().map(|b| b.name.as_str()).collect();
    let balancer = match &plan.balancer {
        Some(b) if names.contains(&b.as_str()) => Some(b.clone()),
        Some(b) => {
            err(
                "balancer",
                format!(
                    "there is no balancer `{}` (defined: {})",
                    crate::text::clip(b, 40),
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                ),
            );
            None
        }
        None if names.len() == 1 => Some(names[0].to_string()),
        // The rate needs no balancer; workers without one: every server.
        None if knob == Some(Knob::Rate) => Some(String::new()),
        None if knob == Some(Knob::Workers) && names.is_empty() => Some(String::new()),
        None => {
            err(
                "search",
                format!(
                    "name the balancer whose servers to count: `balancer = \"…\"` ({})",
                    if names.is_empty() {
                        "the model has none".to_string()
                    } else {
                        format!("the model has {}", names.join(", "))
                    }
                ),
            );
            None
        }
    };
    let cfg = balancer
        .as_ref()
        .and_then(|b| m.balancers.iter().find(|x| &x.name == b));
    let backend_names: Vec<String> = match cfg {
        Some(c) => (c.backends.iter())
            .map(|be| m.servers[be.server].name.clone())
            .collect(),
        None => m.servers.iter().map(|s| s.name.clone()).collect(),
    };
    let template = match (&plan.template, knob) {
        (Some(t), _) if cfg.is_some() && !backend_names.contains(t) => {
            err(
                "template",
                format!(
                    "`{}` is not a backend of {}; its backends: {}",
                    crate::text::clip(t, 40),
                    balancer.clone().unwrap_or_default(),
                    backend_names.join(", ")
                ),
            );
            String::new()
        }
        (Some(t), Some(Knob::Servers)) => t.clone(),
        (Some(_), Some(_)) => {
            err(
                "template",
                "only `search = \"servers\"` copies a template".into(),
            );
            String::new()
        }
        _ => backend_names.last().cloned().unwrap_or_default(),
    };
    let whole = matches!(knob, Some(Knob::Servers | Knob::Workers));
    let (lo, hi) = (plan.from, plan.to);
    let bad_bound =
        |x: f64| !x.is_finite() || x <= 0.0 || (whole && (x.fract() != 0.0 || x > MAX_KNOB));
    for (k, x) in [("from", lo), ("to", hi)] {
        if bad_bound(x) {
            err(
                k,
                if whole {
                    format!("{x}: expected a whole number from 1 to {MAX_KNOB}")
                } else {
                    format!("{x}: expected a rate above 0 (requests per second)")
                },
            );
        }
    }
    if !bad_bound(lo) && !bad_bound(hi) && lo >= hi {
        err("to", format!("{hi}: must be above `from` ({lo})"));
    }
    if knob == Some(Knob::Rate) && hi > limits::MAX_RATE_PER_S {
        err(
            "to",
            format!("{hi}: at most {} req/s", limits::MAX_RATE_PER_S),
        );
    }
    let step = match (plan.step, knob) {
        (Some(_), Some(Knob::Servers | Knob::Workers)) => {
            err(
                "step",
                "servers and workers are counted one by one: leave `step` out".into(),
            );
            1.0
        }
        (Some(s), _) if !(s.is_finite() && s > 0.0) => {
            err("step", format!("{s}: expected a positive rate step"));
            1.0
        }
        (Some(s), _) if (hi - lo) / s > MAX_GRID => {
            err(
                "step",
                format!("{s}: the grid from `from` to `to` would have more than {MAX_GRID} points"),
            );
            1.0
        }
        (Some(s), _) => s,
        (None, Some(Knob::Rate)) => (hi - lo) / PlanFile::RATE_STEPS,
        (None, _) => 1.0,
    };
    if knob == Some(Knob::Rate) && !matches!(sc.workload.arrivals, Arrivals::Open { .. }) {
        err(
            "search",
            "searching the rate needs an open workload (`kind = \"open\"`)".into(),
        );
    }
    let measure = match plan.measure.as_deref() {
        None => Measure::parse(PlanFile::MEASURE),
        Some(s) => match Measure::parse(s).filter(|m| *m != Measure::Throughput) {
            Some(m) => Some(m),
            None => {
                err(
                    "measure",
                    format!(
                        "`{}` is not a latency measure; expected mean, p50, p90, p95, p99 or p999",
                        crate::text::clip(s, 40)
                    ),
                );
                None
            }
        },
    };
    let max_latency_ms = plan.max_latency.0.as_secs_f64() * 1e3;
    if max_latency_ms <= 0.0 {
        err("max_latency", "must be above 0 (e.g. \"250ms\")".into());
    }
    let max_errors = plan.max_errors.unwrap_or(PlanFile::MAX_ERRORS);
    if !(0.0..1.0).contains(&max_errors) {
        err(
            "max_errors",
            format!("{max_errors}: expected a share of requests from 0 to below 1 (0.001 = 0.1%)"),
        );
    }
    if let Some(a) = plan.min_availability
        && !(a > 0.0 && a < 1.0)
    {
        err(
            "min_availability",
            format!("{a}: expected a share between 0 and 1 (0.999 = three nines)"),
        );
    }
    if plan.n_plus_one {
        let too_few = match knob {
            Some(Knob::Servers) => lo < 2.0,
            _ => backend_names.len() < 2,
        };
        if balancer.as_deref().is_none_or(str::is_empty) {
            err(
                "n_plus_one",
                "N+1 takes a server out of a balancer: name it with `balancer = \"…\"`".into(),
            );
        } else if too_few {
            err(
                "n_plus_one",
                "with one server there is none left when it is down: N+1 needs at least 2 (start `from` at 2)".into(),
            );
        }
    }
    let first = sc.run.replications;
    let max_reps = plan.max_replications.unwrap_or(PlanFile::MAX_REPLICATIONS);
    if !(first..=limits::MAX_REPLICATIONS).contains(&max_reps) {
        err(
            "max_replications",
            format!(
                "{max_reps}: expected from the experiment's replications ({first}) to {}",
                limits::MAX_REPLICATIONS
            ),
        );
    }
    if first < 2 {
        problems.push(loaded.problem(
            &[Seg::Key("replications".into())],
            "a plan needs at least 2 replications per point (a confidence interval needs two)",
        ));
    }
    match (knob, balancer, measure) {
        (Some(knob), Some(balancer), Some(measure)) if problems.is_empty() => Ok(PlanSpec {
            knob,
            balancer,
            template,
            backend_names,
            from: lo,
            to: hi,
            step,
            measure,
            max_latency_ms,
            max_errors,
            n_plus_one: plan.n_plus_one,
            min_availability: plan.min_availability,
            first_replications: first,
            max_replications: max_reps,
        }),
        _ => Err(SpecError { problems }),
    }
}
