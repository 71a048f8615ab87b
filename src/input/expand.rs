//! The entry points of `input`: read a model or an experiment file, apply
//! overrides, expand scenarios and sweeps, and return validated domain
//! types — or every problem found.

use super::error::{Problem, SpecError};
use super::experiment::{ExperimentFile, WorkloadFile};
use super::limits;
use super::load::{Loaded, load};
use super::locate::Seg;
use super::model::ModelFile;
use super::overrides::parse_set;
use super::sweep::{self, SweepColumns};
use super::validate::Checker;
use super::variants::{Variant, variants};
use crate::stack::config::{ModelConfig, Scenario, Workload};
use std::path::{Path, PathBuf};

/// Overrides given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `PATH=VALUE` strings, applied last, to every scenario.
    pub sets: Vec<String>,
    pub seed: Option<u64>,
    pub replications: Option<u32>,
}

/// A validated experiment: one or more scenarios to simulate.
#[derive(Clone, Debug)]
pub struct Experiment {
    pub name: String,
    /// The question the experiment asks (`description`), if it says.
    pub description: Option<String>,
    pub file: PathBuf,
    pub scenarios: Vec<Scenario>,
    pub allow_overload: bool,
    /// With a `[sweep]`: its axes and each scenario's values on them.
    pub sweep: Option<SweepColumns>,
}

/// What a file turned out to be. (Made once per command: its size does not matter.)
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Input {
    Experiment(Experiment),
    Model {
        name: String,
        model: ModelConfig,
        workload: Option<Workload>,
    },
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "experiment".into(), |s| s.to_string_lossy().into_owned())
}

/// The stations an open workload overloads with an unbounded queue, each as
/// a problem at the workload's rate: such a run never reaches a steady state.
fn overloads(l: &Loaded, sc: &Scenario) -> Vec<Problem> {
    let at = [Seg::Key("workload".into()), Seg::Key("rate".into())];
    crate::experiment::capacity::unbounded_overloads(sc)
        .into_iter()
        .map(|st| {
            l.problem(
                &at,
                format!(
                    "scenario `{}`: station {} is offered ρ = {:.2} ≥ 1 ({:.1} req/s × {:.3} ms / {} workers) and its queue has no limit, so the run would never reach a steady state\n  help: add workers, lower the rate, set a `queue_limit`, or set `allow_overload = true` to run it anyway",
                    crate::text::clip(&sc.name, 60),
                    st.station,
                    st.rho,
                    st.lambda_per_s,
                    st.mean_hold_s * 1e3,
                    st.workers
                ),
            )
        })
        .collect()
}

/// Why `name` cannot be an experiment's (`folder`: it names the output
/// folder) or a scenario's name, if it cannot.
fn bad_label(name: &str, folder: bool) -> Option<String> {
    const MOST: usize = 100;
    if name.trim().is_empty() {
        return Some("must not be empty".into());
    }
    if name.chars().count() > MOST {
        return Some(format!(
            "a name of {} characters; at most {MOST} (it labels tables and charts)",
            name.chars().count()
        ));
    }
    if name.chars().any(char::is_control) {
        return Some("must not contain control characters (a tab or a line break)".into());
    }
    if folder && (name.contains(['/', '\\']) || name.starts_with('.')) {
        return Some(format!(
            "`{name}` names the output folder (output/{name}): it must not contain `/` or `\\` nor start with `.`"
        ));
    }
    None
}

fn apply_overrides(loaded: &mut Loaded, o: &Overrides) -> Result<(), SpecError> {
    let mut problems = vec![];
    let mut sets = vec![];
    for arg in &o.sets {
        match parse_set(arg) {
            Ok(kv) => sets.push((arg.clone(), kv)),
            Err(e) => problems.push(Problem::new("", e)),
        }
    }
    if let Some(seed) = o.seed {
        sets.push((
            "--seed".into(),
            ("seed".into(), toml::Value::Integer(seed as i64)),
        ));
    }
    if let Some(r) = o.replications {
        sets.push((
            "--replications".into(),
            ("replications".into(), toml::Value::Integer(i64::from(r))),
        ));
    }
    for (arg, (path, value)) in sets {
        let origin = if arg.starts_with("--") {
            arg
        } else {
            format!("--set {arg}")
        };
        if let Err(p) = loaded.apply(&path, value, &origin, None) {
            problems.push(p);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SpecError { problems })
    }
}

/// Reads a model or experiment file and validates it.
pub fn load_input(path: &Path, overrides: &Overrides) -> Result<Input, SpecError> {
    let loaded = load(path)?;
    if loaded.model_only {
        let mut loaded = loaded;
        apply_overrides(&mut loaded, overrides)?;
        let file: ModelFile = loaded.typed(&[Seg::Key("model".into())])?;
        let workload_file: Option<WorkloadFile> = match loaded.table.get("workload") {
            Some(_) => Some(loaded.typed(&[Seg::Key("workload".into())])?),
            None => None,
        };
        let mut c = Checker::new(&loaded);
        let model = c.model("model", &file);
        let workload =
            workload_file.and_then(|w| c.workload("workload", &w, model.as_ref(), "model"));
        let name = file.name.clone().unwrap_or_else(|| stem(path));
        if let Some(why) = file.name.as_deref().and_then(|n| bad_label(n, true)) {
            c.err("model.name", why);
        }
        let model = c.finish(model)?;
        return Ok(Input::Model {
            name,
            model,
            workload,
        });
    }
    load_experiment_from(loaded, path, overrides).map(Input::Experiment)
}

/// Reads an experiment file; a model file is an error here.
pub fn load_experiment(path: &Path, overrides: &Overrides) -> Result<Experiment, SpecError> {
    let loaded = load(path)?;
    if loaded.model_only {
        // The whole file is the problem: point at its first line.
        return Err(loaded
            .problem(
                &[],
                "this is a model, not an experiment: an experiment names its model (`model = \"../models/x.toml\"`) and gives `duration` and a [workload]",
            )
            .into());
    }
    load_experiment_from(loaded, path, overrides)
}

pub(crate) fn load_experiment_from(
    loaded: Loaded,
    path: &Path,
    overrides: &Overrides,
) -> Result<Experiment, SpecError> {
    // Type the file as written first: that checks the scenarios and sweep too.
    let base: ExperimentFile = loaded.typed(&[])?;
    let name = base.name.clone().unwrap_or_else(|| stem(path));
    let mut early = vec![];
    if let Some(n) = &base.name
        && let Some(why) = bad_label(n, true)
    {
        early.push(loaded.problem(&[Seg::Key("name".into())], why));
    }
    for (i, sc) in base.scenarios.iter().enumerate() {
        if let Some(why) = bad_label(&sc.name, false) {
            let at = [
                Seg::Key("scenarios".into()),
                Seg::Index(i),
                Seg::Key("name".into()),
            ];
            early.push(loaded.problem(&at, why));
        }
    }
    let sweep = match &base.sweep {
        Some(sw) => match sweep::read(&loaded, sw, base.scenarios.len()) {
            Ok(sw) => Some(sw),
            Err(ps) => {
                early.extend(ps);
                None
            }
        },
        None if base.scenarios.len() > limits::MAX_SCENARIOS => {
            early.push(loaded.problem(
                &[Seg::Key("scenarios".into())],
                format!(
                    "{} scenarios; at most {} in one experiment (each is a row of every table and a curve of every chart)",
                    base.scenarios.len(),
                    limits::MAX_SCENARIOS
                ),
            ));
            None
        }
        None => None,
    };
    if !early.is_empty() {
        return Err(SpecError { problems: early });
    }
    let variants = variants(&base, sweep.as_ref());
    let mut problems: Vec<Problem> = vec![];
    let mut scenarios = vec![];
    let mut seen = std::collections::BTreeSet::new();
    let mut allow_overload = false;
    let mut last_loaded = None;
    let mut sweep_rows = vec![];
    for Variant {
        name: vname,
        sets,
        name_at,
        axis_values,
    } in variants
    {
        let vname = if vname.is_empty() {
            name.clone()
        } else {
            vname
        };
        if !seen.insert(vname.clone()) {
            let at = name_at.unwrap_or_else(|| vec![Seg::Key("scenarios".into())]);
            problems.push(loaded.problem(
                &at,
                format!(
                    "two scenarios are named `{}`: give each scenario its own name",
                    crate::text::clip(&vname, 60)
                ),
            ));
            continue;
        }
        let mut l = loaded.clone();
        for (k, v, origin, written_at) in sets {
            if let Err(p) = l.apply(&k, v, &origin, written_at.as_deref()) {
                problems.push(p);
            }
        }
        if let Err(e) = apply_overrides(&mut l, overrides) {
            problems.extend(e.problems);
            break;
        }
        let file: ExperimentFile = match l.typed(&[]) {
            Ok(f) => f,
            Err(e) => {
                problems.extend(e.problems);
                continue;
            }
        };
        allow_overload |= file.allow_overload;
        let mut c = Checker::new(&l);
        let model = c.model("model", &file.model);
        let workload = match &file.workload {
            Some(w) => c.workload("workload", w, model.as_ref(), "model"),
            None => {
                c.err(
                    "",
                    "an experiment needs a [workload] (or its model must give one)",
                );
                None
            }
        };
        let run = c.run(&file);
        last_loaded = Some(l.clone());
        let faults = match &model {
            Some(m) => c.faults(&file.faults, m),
            None => vec![],
        };
        let mut model_name = model.as_ref().map(|m| m.name.clone());
        if let (Some(m), Some(n)) = (&mut model_name, &file.model.name) {
            m.clone_from(n);
        }
        let scenario = match (model, workload, run) {
            (Some(model), Some(workload), Some(run)) => Some(Scenario {
                name: vname.clone(),
                model,
                workload,
                run,
                faults,
                random_failures: file.random_failures,
            }),
            _ => None,
        };
        match c.finish(scenario) {
            Ok(s) if !file.allow_overload && !overloads(&l, &s).is_empty() => {
                problems.extend(overloads(&l, &s));
            }
            Ok(s) => {
                sweep_rows.push((s.name.clone(), axis_values));
                scenarios.push(s);
            }
            Err(e) => {
                for p in e.problems {
                    if !problems.contains(&p) {
                        problems.push(p);
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        // Scenarios share most of their input: report each problem once.
        let mut unique: Vec<Problem> = vec![];
        for p in problems {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        return Err(SpecError { problems: unique });
    }
    if let Some(l) = last_loaded {
        let total: u64 = scenarios
            .iter()
            .map(|sc| {
                let windows = limits::windows(sc.run.duration, sc.run.window);
                let per = limits::result_bytes(windows, sc.model.station_names().len());
                u64::from(sc.run.replications).saturating_mul(per)
            })
            .fold(0, u64::saturating_add);
        if total > limits::MAX_RESULT_BYTES {
            let reps: u64 = scenarios
                .iter()
                .map(|s| u64::from(s.run.replications))
                .sum();
            return Err(l
                .problem(
                    &[Seg::Key("replications".into())],
                    format!(
                        "{} scenario(s), {reps} replications in all, would keep about {} of results in memory; the limit is {}: use fewer replications or scenarios, or a longer `window`",
                        scenarios.len(),
                        limits::bytes(total),
                        limits::bytes(limits::MAX_RESULT_BYTES)
                    ),
                )
                .into());
        }
    }
    let exp = Experiment {
        name,
        description: base.description.clone(),
        file: path.to_path_buf(),
        scenarios,
        allow_overload,
        sweep: sweep.map(|sw| SweepColumns {
            columns: sw.axes.into_iter().map(|a| a.label).collect(),
            rows: sweep_rows,
        }),
    };
    // A `[plan]` is checked against the model by every command (`check`
    // too), not only by `plan`.
    if let Some(plan) = &base.plan {
        let key = |k: &str| vec![Seg::Key("plan".into()), Seg::Key(k.into())];
        super::validate::plan::check_plan(&loaded, plan, &exp, &key)?;
    }
    Ok(exp)
}
