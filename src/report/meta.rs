//! What a report needs that the result CSVs do not hold, saved beside them
//! by `run` and `availability` so that `stacksim report DIR` can rebuild
//! everything from the folder alone:
//! - `experiment.csv` (key, value): the experiment's name, its question
//!   (its `description`, or else the comment block at the top of its
//!   file), settings, workload and
//!   each scenario's faults;
//! - `model.csv` (component, parameters): the model of the first scenario,
//!   one component per row, as `check` prints it;
//! - `topology.svg`: the model as a diagram (`diagram.rs`).
//!
//! No timestamps and no absolute paths: the same command gives the same bytes.

use super::output::{OutputError, write_csv};
use super::{diagram, topology};
use crate::experiment::availability::{Settings, Target};
use crate::input::Experiment;
use crate::stack::config::ModelConfig;
use std::path::{Path, PathBuf};

/// The comment block at the top of a file, `#` and one space removed,
/// lines joined with newlines (blank comment lines kept as paragraph breaks).
pub fn question(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let lines: Vec<&str> = (text.lines())
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| {
            let l = l.trim_start().trim_start_matches('#');
            l.strip_prefix(' ').unwrap_or(l).trim_end()
        })
        .collect();
    lines.join("\n").trim().to_string()
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned())
}

fn write_pairs(
    path: &Path,
    header: [&str; 2],
    pairs: &[(String, String)],
) -> Result<(), OutputError> {
    let rows: Vec<Vec<String>> = std::iter::once(header.map(String::from).to_vec())
        .chain(pairs.iter().map(|(k, v)| vec![k.clone(), v.clone()]))
        .collect();
    write_csv(path, &rows)
}

/// `model.csv` rows: the topology lines split at their first ": ".
pub fn model_rows(m: &ModelConfig) -> Vec<(String, String)> {
    (topology::topology(m).lines())
        .map(|l| match l.split_once(": ") {
            Some((k, v)) if !k.contains('→') => (k.to_string(), v.to_string()),
            _ => ("entry".to_string(), l.to_string()),
        })
        .collect()
}

fn write_all(
    dir: &Path,
    pairs: &[(String, String)],
    model: Option<&ModelConfig>,
) -> Result<Vec<PathBuf>, OutputError> {
    std::fs::create_dir_all(dir).map_err(|e| OutputError::Io(dir.to_path_buf(), e))?;
    let exp = dir.join("experiment.csv");
    write_pairs(&exp, ["key", "value"], pairs)?;
    let mut out = vec![exp];
    if let Some(m) = model {
        let p = dir.join("model.csv");
        write_pairs(&p, ["component", "parameters"], &model_rows(m))?;
        out.push(p);
        let p = dir.join("topology.svg");
        std::fs::write(&p, diagram::svg(m)).map_err(|e| OutputError::Io(p.clone(), e))?;
        out.push(p);
    }
    Ok(out)
}

/// Saves what the report of a `run` of `exp` needs; returns the files.
pub fn write_experiment(dir: &Path, exp: &Experiment) -> Result<Vec<PathBuf>, OutputError> {
    write_all(
        dir,
        &experiment_pairs(exp, "run"),
        exp.scenarios.first().map(|s| &s.model),
    )
}

/// Saves what the report of a `plan` needs: the experiment's settings as
/// `run` saves them, then what was searched and the SLOs.
pub fn write_plan(
    dir: &Path,
    exp: &Experiment,
    search: String,
    slos: String,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut pairs = experiment_pairs(exp, "plan");
    pairs.push(("search".into(), search));
    pairs.push(("SLOs".into(), slos));
    write_all(dir, &pairs, exp.scenarios.first().map(|s| &s.model))
}

fn experiment_pairs(exp: &Experiment, command: &str) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("experiment".to_string(), exp.name.clone()),
        ("command".to_string(), command.to_string()),
        (
            "question".to_string(),
            exp.description
                .clone()
                .unwrap_or_else(|| question(&exp.file)),
        ),
        ("file".to_string(), file_name(&exp.file)),
    ];
    if let Some(sc) = exp.scenarios.first() {
        let r = &sc.run;
        pairs.push(("duration".into(), r.duration.to_string()));
        pairs.push(("warm-up".into(), r.warmup.to_string()));
        pairs.push(("replications".into(), r.replications.to_string()));
        pairs.push(("seed".into(), r.seed.to_string()));
        pairs.push((
            "workload".into(),
            topology::workload(&sc.workload)
                .trim_start_matches("workload: ")
                .to_string(),
        ));
    }
    for sc in &exp.scenarios {
        let faults = topology::faults(sc);
        let faults = faults.trim().replace("fault: ", "");
        let faults = if faults.is_empty() {
            "no faults".to_string()
        } else {
            faults.replace('\n', "; ")
        };
        pairs.push((format!("scenario {}", sc.name), faults));
    }
    // The SLO the experiment states (in `[plan]`): a sweep's chart draws it.
    if let Some((measure, ms)) = crate::input::plan::stated_slo(&exp.file) {
        pairs.push(("slo_measure".into(), measure));
        pairs.push(("slo_ms".into(), format!("{ms}")));
    }
    pairs
}

/// The `experiment.csv` key that marks an interrupted run's results.
pub const STATUS: &str = "status";

/// Marks the results in `dir` as incomplete: a `status` row at the end of
/// its `experiment.csv` saying so (the reports show it at the top).
pub fn mark_incomplete(dir: &Path, note: &str) -> Result<(), OutputError> {
    let path = dir.join("experiment.csv");
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| OutputError::Io(path.clone(), e))?;
    let mut w = csv::Writer::from_writer(file);
    let err = |e: csv::Error| OutputError::Io(path.clone(), e.into());
    w.write_record([STATUS, note]).map_err(err)?;
    w.flush().map_err(|e| OutputError::Io(path.clone(), e))
}

/// Saves what the report of an `availability` study needs.
pub fn write_availability(
    dir: &Path,
    file: &Path,
    name: &str,
    targets: &[Target],
    settings: &Settings,
) -> Result<Vec<PathBuf>, OutputError> {
    let pairs = vec![
        ("experiment".to_string(), name.to_string()),
        ("command".to_string(), "availability".to_string()),
        ("question".to_string(), question(file)),
        ("file".to_string(), file_name(file)),
        ("years".to_string(), settings.years.to_string()),
        (
            "replications".to_string(),
            settings.replications.to_string(),
        ),
        ("seed".to_string(), settings.seed.to_string()),
        (
            "detection".to_string(),
            if settings.detection {
                "alert or notice delay"
            } else {
                "none"
            }
            .to_string(),
        ),
    ];
    write_all(dir, &pairs, targets.first().map(|t| &t.model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_is_the_leading_comment() {
        let dir = std::env::temp_dir().join(format!("stacksim-meta-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("x.toml");
        std::fs::write(
            &f,
            "# Why?\n#\n#  Because.\nname = \"x\" # not this\n# nor this\n",
        )
        .unwrap();
        assert_eq!(question(&f), "Why?\n\n Because.");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
