//! The entry points of `spec`: read a model or an experiment file, apply
//! overrides, expand scenarios and sweeps, and return validated domain
//! types — or every problem found.

use super::error::{Problem, SpecError};
use super::load::{Loaded, load, parse_set};
use super::locate::Seg;
use super::model::{ExperimentFile, ModelFile, WorkloadFile};
use super::validate::Checker;
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
    pub file: PathBuf,
    pub scenarios: Vec<Scenario>,
    pub allow_overload: bool,
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

/// One override: (path, value, where it came from).
type Override = (String, toml::Value, String);

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "experiment".into(), |s| s.to_string_lossy().into_owned())
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
        if let Err(p) = loaded.apply(&path, value, &origin) {
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
        return Err(Problem::new(
            "",
            "this is a model, not an experiment: an experiment names its model (`model = \"../models/x.toml\"`) and gives `duration` and a [workload]",
        )
        .in_file(path)
        .into());
    }
    load_experiment_from(loaded, path, overrides)
}

fn load_experiment_from(
    loaded: Loaded,
    path: &Path,
    overrides: &Overrides,
) -> Result<Experiment, SpecError> {
    // Type the file as written first: that checks the scenarios and sweep too.
    let base: ExperimentFile = loaded.typed(&[])?;
    let name = base.name.clone().unwrap_or_else(|| stem(path));
    let mut variants: Vec<(String, Vec<Override>)> = vec![];
    let scenario_list: Vec<(String, Vec<(String, toml::Value)>)> = if base.scenarios.is_empty() {
        vec![(String::new(), vec![])]
    } else {
        base.scenarios
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.set.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                )
            })
            .collect()
    };
    for (sname, sets) in &scenario_list {
        let origin = format!("scenario `{sname}`");
        let sets: Vec<_> = sets
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), origin.clone()))
            .collect();
        match &base.sweep {
            None => variants.push((sname.clone(), sets)),
            Some(sw) => {
                for v in &sw.values {
                    let shown = match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let label = format!(
                        "{}={shown}",
                        sw.param.rsplit('.').next().unwrap_or(&sw.param)
                    );
                    let vname = if sname.is_empty() {
                        label
                    } else {
                        format!("{sname}/{label}")
                    };
                    let mut s = sets.clone();
                    s.push((sw.param.clone(), v.clone(), format!("sweep value {shown}")));
                    variants.push((vname, s));
                }
            }
        }
    }
    let mut problems: Vec<Problem> = vec![];
    let mut scenarios = vec![];
    let mut seen = std::collections::BTreeSet::new();
    let mut allow_overload = false;
    for (vname, sets) in variants {
        let vname = if vname.is_empty() {
            name.clone()
        } else {
            vname
        };
        if !seen.insert(vname.clone()) {
            problems.push(
                Problem::new("scenarios", format!("two scenarios are named `{vname}`"))
                    .in_file(path),
            );
            continue;
        }
        let mut l = loaded.clone();
        for (k, v, origin) in sets {
            if let Err(p) = l.apply(&k, v, &origin) {
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
            Ok(s) => scenarios.push(s),
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
    Ok(Experiment {
        name,
        file: path.to_path_buf(),
        scenarios,
        allow_overload,
    })
}
