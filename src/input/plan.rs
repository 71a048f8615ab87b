//! The `[plan]` table of an experiment (what `stacksim plan` searches and
//! the SLOs a point must meet), as written, with its defaults; and the
//! planner's way into the input pipeline: [`load_plan`] reads and checks an
//! experiment with a `[plan]`, and [`PlanInput::point`] builds the scenario
//! of one knob value — through the same overrides, validation and located
//! errors as any scenario.
//!
//! The `servers` knob grows or cuts the balancer's backend list. Growing
//! copies the template backend's `[servers.X]` table under a new name (the
//! template's trailing number counted on: web2 → web5, web6…; else
//! `X-2`, `X-3`…); each database *replica* hosted on the template gets a
//! copy hosted on the new server (same source, numbered the same way), and
//! the new server reads from or writes to its own copy wherever the
//! template used that replica. A primary (or any other database) the
//! template uses is shared, not copied. Cutting keeps the list's first n.

use super::duration::DurationSpec;
use super::error::SpecError;
use super::expand::{Experiment, Overrides, load_experiment_from};
use super::load::{Loaded, load};
use super::locate::Seg;
use super::validate::plan::{Knob, PlanSpec, check_plan};
use crate::stack::config::Scenario;
use serde::Deserialize;
use std::path::Path;
use toml::{Table, Value};

/// `[plan]`: the knob to search, its bounds and the SLOs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with search, from, to and max_latency")]
pub struct PlanFile {
    /// `servers` (behind `balancer`), `workers` (app workers of every
    /// server behind `balancer`; of every server in a model without a
    /// balancer) or `rate` (the open workload's rate).
    pub search: String,
    /// The balancer whose backends are counted (default: the only one).
    pub balancer: Option<String>,
    /// `servers`: the backend each added server copies (default: the
    /// balancer's last backend).
    pub template: Option<String>,
    /// The knob's bounds, both included.
    pub from: f64,
    pub to: f64,
    /// `rate` only: the resolution of the answer (default: (to − from)/100).
    pub step: Option<f64>,
    /// The latency measure of the SLO: `mean`, `p50`, `p90`, `p95`, `p99`, `p99.9`.
    pub measure: Option<String>,
    /// The SLO: the measure at most this.
    pub max_latency: DurationSpec,
    /// The SLO: the share of failed requests at most this.
    pub max_errors: Option<f64>,
    /// The SLOs still hold with the biggest server out of the balancer.
    #[serde(default)]
    pub n_plus_one: bool,
    /// Long-run availability (failures and repairs, `stacksim
    /// availability`) at least this.
    pub min_availability: Option<f64>,
    /// Replications a point may grow to while its CI straddles an SLO.
    pub max_replications: Option<u32>,
}

impl PlanFile {
    /// The default measure: the 99th percentile.
    pub const MEASURE: &'static str = "p99";
    /// At most 0.1% of requests failed (stacksim's choice: "three nines"
    /// of successful requests, a common web SLO).
    pub const MAX_ERRORS: f64 = 0.001;
    /// Replications a point may grow to: enough for the Student-t interval
    /// to narrow about 3× from a first batch of 3 (stacksim's choice).
    pub const MAX_REPLICATIONS: u32 = 30;
    /// `rate`: the answer's resolution as a share of the range.
    pub const RATE_STEPS: f64 = 100.0;
    /// Simulated years per replication of the availability SLO, and the
    /// replications (the `availability` command's defaults are 100 and 10).
    pub const AVAILABILITY_YEARS: u32 = 100;
    pub const AVAILABILITY_REPLICATIONS: u32 = 10;
}

/// An experiment with a checked `[plan]`, ready to build points.
#[derive(Clone, Debug)]
pub struct PlanInput {
    /// The experiment as written (its one scenario is the base).
    pub experiment: Experiment,
    pub spec: PlanSpec,
    loaded: Loaded,
    overrides: Overrides,
}

/// Reads an experiment with a `[plan]` and checks the plan against its model.
pub fn load_plan(path: &Path, overrides: &Overrides) -> Result<PlanInput, SpecError> {
    let mut loaded = load(path)?;
    if loaded.model_only {
        return Err(loaded
            .problem(
                &[],
                "this is a model; `stacksim plan` needs an experiment with a [plan] table",
            )
            .into());
    }
    let key = |k: &str| vec![Seg::Key("plan".into()), Seg::Key(k.into())];
    let file: super::experiment::ExperimentFile = loaded.typed(&[])?;
    let Some(plan) = file.plan.clone() else {
        return Err(loaded
            .problem(
                &[],
                "no [plan] table: `stacksim plan` needs one (search, from, to, max_latency; see the README's planner section)",
            )
            .into());
    };
    let mut early = vec![];
    if !file.scenarios.is_empty() {
        early.push(loaded.problem(
            &[Seg::Key("scenarios".into())],
            "a plan searches one design: [[scenarios]] cannot go with [plan] (make one experiment per design)",
        ));
    }
    if file.sweep.is_some() {
        early.push(loaded.problem(
            &[Seg::Key("sweep".into())],
            "a plan searches its own knob: [sweep] cannot go with [plan]",
        ));
    }
    if !early.is_empty() {
        return Err(SpecError { problems: early });
    }
    // Points past capacity are the planner's to judge (it fails them
    // without simulating when a queue would grow without bound).
    set(&mut loaded, "allow_overload", Value::Boolean(true))?;
    let experiment = load_experiment_from(loaded.clone(), path, overrides)?;
    let spec = check_plan(&loaded, &plan, &experiment, &key)?;
    Ok(PlanInput {
        experiment,
        spec,
        loaded,
        overrides: overrides.clone(),
    })
}

fn set(l: &mut Loaded, path: &str, v: Value) -> Result<(), SpecError> {
    l.apply(path, v, "the plan", None).map_err(SpecError::from)
}

/// The latency SLO an experiment file states in its `[plan]`, if any:
/// (measure, bound in ms), for the charts of a run (a sweep draws it).
/// A file that does not read or type states none (the run has checked it).
pub fn stated_slo(path: &Path) -> Option<(String, f64)> {
    let loaded = load(path).ok()?;
    let file: super::experiment::ExperimentFile = loaded.typed(&[]).ok()?;
    let plan = file.plan?;
    let measure = plan.measure.unwrap_or_else(|| PlanFile::MEASURE.into());
    Some((measure, plan.max_latency.0.as_secs_f64() * 1e3))
}

/// `web2` → (`web`, Some(2)); `edge` → (`edge`, None).
fn split_number(name: &str) -> (&str, Option<u64>) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits == name.len() {
        return (name, None);
    }
    let (stem, n) = name.split_at(name.len() - digits);
    (stem, n.parse().ok())
}

/// The next free name after `template`'s pattern.
fn next_name(template: &str, taken: &mut Vec<String>) -> String {
    let (stem, n) = split_number(template);
    let mut k = n.map_or(2, |n| n + 1);
    loop {
        let name = match n {
            Some(_) => format!("{stem}{k}"),
            None => format!("{template}-{k}"),
        };
        if !taken.contains(&name) {
            taken.push(name.clone());
            return name;
        }
        k += 1;
    }
}

fn model_map<'a>(t: &'a Table, kind: &str) -> Option<&'a Table> {
    t.get("model")?.as_table()?.get(kind)?.as_table()
}

impl PlanInput {
    /// The scenario at knob value `value`; `down`: without the named
    /// server in the balancer's backend list (N+1).
    pub fn point(&self, value: f64, down: Option<&str>) -> Result<Scenario, SpecError> {
        let mut l = self.loaded.clone();
        // Checked once, against the experiment as written: a point's
        // changed fleet is not the plan's to check again.
        l.table.remove("plan");
        let spec = &self.spec;
        let backends_path = format!("balancers.{}.backends", spec.balancer);
        let mut backends: Vec<Value> = match model_map(&l.table, "balancers")
            .and_then(|b| b.get(&spec.balancer))
            .and_then(|b| b.get("backends"))
            .and_then(Value::as_array)
        {
            Some(a) => a.clone(),
            None => vec![],
        };
        match spec.knob {
            Knob::Servers => {
                let n = value.round() as usize;
                if n <= backends.len() {
                    backends.truncate(n);
                } else {
                    self.grow(&mut l, &mut backends, n)?;
                }
            }
            Knob::Workers => {
                for name in &spec.backend_names {
                    let path = format!("servers.{name}.app.workers");
                    set(&mut l, &path, Value::Integer(value.round() as i64))?;
                }
            }
            Knob::Rate => set(&mut l, "workload.rate", super::range::number(value))?,
        }
        if let Some(gone) = down {
            backends.retain(|b| backend_name(b) != Some(gone));
        }
        if spec.knob == Knob::Servers || down.is_some() {
            set(&mut l, &backends_path, Value::Array(backends))?;
        }
        let mut exp = load_experiment_from(l, &self.experiment.file, &self.overrides)?;
        let mut sc = exp.scenarios.remove(0);
        sc.name = point_name(spec.knob, value, down);
        Ok(sc)
    }

    /// Adds copies of the template until the list holds `n` backends.
    fn grow(&self, l: &mut Loaded, backends: &mut Vec<Value>, n: usize) -> Result<(), SpecError> {
        let t = &self.spec.template;
        let servers = model_map(&l.table, "servers").cloned().unwrap_or_default();
        let dbs = model_map(&l.table, "databases")
            .cloned()
            .unwrap_or_default();
        let mut taken: Vec<String> = servers.keys().chain(dbs.keys()).cloned().collect();
        if let Some(b) = model_map(&l.table, "balancers") {
            taken.extend(b.keys().cloned());
        }
        let Some(template) = servers.get(t).cloned() else {
            return Ok(());
        };
        let entry = backends
            .iter()
            .find(|b| backend_name(b) == Some(t.as_str()))
            .cloned()
            .unwrap_or_else(|| Value::String(t.clone()));
        // The replicas living on the template, copied with each new server.
        let local: Vec<(String, Table)> = (dbs.iter())
            .filter_map(|(name, v)| {
                let d = v.as_table()?;
                let on = d.get("host").and_then(Value::as_str) == Some(t.as_str());
                let replica = d.get("role").and_then(Value::as_str) == Some("replica");
                (on && replica).then(|| (name.clone(), d.clone()))
            })
            .collect();
        let mut last_db: Vec<String> = local.iter().map(|(n, _)| n.clone()).collect();
        let mut last_server = t.clone();
        while backends.len() < n {
            let name = next_name(&last_server, &mut taken);
            let mut server = template.clone();
            if let Value::Table(s) = &mut server {
                for (i, (db, d)) in local.iter().enumerate() {
                    let copy = next_name(&last_db[i], &mut taken);
                    let mut d = d.clone();
                    d.insert("host".into(), Value::String(name.clone()));
                    set(l, &format!("databases.{copy}"), Value::Table(d))?;
                    for key in ["reads_from", "writes_to"] {
                        if s.get(key).and_then(Value::as_str) == Some(db.as_str()) {
                            s.insert(key.into(), Value::String(copy.clone()));
                        }
                    }
                    last_db[i] = copy;
                }
            }
            set(l, &format!("servers.{name}"), server)?;
            backends.push(match &entry {
                Value::Table(e) => {
                    let mut e = e.clone();
                    e.insert("server".into(), Value::String(name.clone()));
                    Value::Table(e)
                }
                _ => Value::String(name.clone()),
            });
            last_server = name;
        }
        Ok(())
    }
}

/// A backend entry's server: a bare name or `{ server = … }`.
fn backend_name(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Table(t) => t.get("server").and_then(Value::as_str),
        _ => None,
    }
}

/// `servers=7`, `servers=7/without=web1`, `rate=1250`.
pub fn point_name(knob: Knob, value: f64, down: Option<&str>) -> String {
    let v = super::range::shown(&super::range::number(value));
    match down {
        Some(d) => format!("{}={v}/without={d}", knob.word()),
        None => format!("{}={v}", knob.word()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_names_continue_the_template_number_and_skip_taken_ones() {
        let mut taken = vec!["web1".into(), "web2".into(), "web4".into()];
        assert_eq!(next_name("web2", &mut taken), "web3");
        assert_eq!(next_name("web3", &mut taken), "web5");
        let mut taken = vec!["edge".into()];
        assert_eq!(next_name("edge", &mut taken), "edge-2");
        assert_eq!(next_name("edge", &mut taken), "edge-3");
        assert_eq!(split_number("42"), ("42", None));
    }

    #[test]
    fn a_backend_is_named_bare_or_in_a_table() {
        let mut t = Table::new();
        t.insert("server".into(), Value::String("web3".into()));
        assert_eq!(backend_name(&Value::Table(t)), Some("web3"));
        assert_eq!(backend_name(&Value::String("web1".into())), Some("web1"));
    }
}
