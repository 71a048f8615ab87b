//! Reading input files into one TOML table, applying overrides, and turning
//! serde's errors into located [`Problem`]s.
//!
//! An experiment names its model by path (relative to the experiment file)
//! or inlines it; either way the loader produces one experiment-shaped table
//! with the model under `model`, and remembers which file each part came
//! from, so that a problem at `model.servers.web1.app.workers` is reported at
//! that line of the model file. Overrides (`--set`, scenarios, sweeps) are
//! applied to this table before it is typed, so they are checked exactly
//! like values written in a file.

use super::error::{Location, Problem, SpecError};
use super::locate::{Seg, locate, render_path};
use super::read::{Kind, ReadError, read_text};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// Top-level keys of an experiment file; any other `--set` path is a model path.
pub const EXPERIMENT_KEYS: &[&str] = &[
    "name",
    "description",
    "model",
    "workload",
    "duration",
    "warmup",
    "drain",
    "replications",
    "seed",
    "window",
    "allow_overload",
    "scenarios",
    "sweep",
    "faults",
    "random_failures",
    "common_random_numbers",
    "plan",
    "batches",
];

/// One file read from disk.
#[derive(Clone, Debug)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

/// The part of the merged table that came from one file.
#[derive(Clone, Debug)]
struct Mount {
    /// Path of the part in the merged table (e.g. `["model"]`).
    at: Vec<Seg>,
    source: usize,
    /// Path of the same part inside its file (e.g. `[]` for a model file).
    inner: Vec<Seg>,
}

/// One override applied to the merged table.
#[derive(Clone, Debug)]
pub(super) struct Applied {
    /// Its full path in the merged table.
    pub(super) path: Vec<Seg>,
    /// Where the value came from, as shown (`--set …`, ``scenario `x` ``).
    pub(super) origin: String,
    /// Where the value is written in the input file (a scenario's `set`
    /// entry, a sweep value); `None` for the command line.
    pub(super) written_at: Option<Vec<Seg>>,
}

/// An input file (and the model file it names), merged into one table.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub sources: Vec<Source>,
    mounts: Vec<Mount>,
    /// Experiment-shaped: the model under `model`.
    pub table: Table,
    /// True when the input was a model file, not an experiment.
    pub model_only: bool,
    /// Folder of the model file (empirical distributions are relative to it).
    pub model_dir: PathBuf,
    /// Overrides applied so far, newest last.
    pub(super) applied: Vec<Applied>,
}

/// Reads a model or experiment file (see `read.rs` for the bounds).
fn read(path: &Path) -> Result<Source, ReadError> {
    read_text(path, Kind::Toml).map(|text| Source {
        path: path.to_path_buf(),
        text,
    })
}

/// The problem of a file that cannot be read: at the first bad byte when
/// it is not UTF-8, else about the whole file.
fn read_problem(path: &Path, e: ReadError) -> Problem {
    match e {
        ReadError::NotUtf8 {
            line,
            column,
            ref source_line,
            ..
        } => {
            let mut p = Problem::new("", e.to_string());
            p.location = Some(Box::new(Location {
                file: path.to_path_buf(),
                line,
                column,
                source_line: source_line.clone(),
            }));
            p
        }
        e => Problem::new("", e.to_string()).in_file(path),
    }
}

fn parse_table(src: &Source) -> Result<Table, SpecError> {
    toml::from_str::<Table>(&src.text).map_err(|e| {
        let mut p = Problem::new("", format!("invalid TOML: {}", e.message().trim_end()));
        match e.span() {
            Some(span) => {
                p.location = Some(Box::new(Location::at_offset(
                    &src.path, &src.text, span.start,
                )))
            }
            None => p.file = Some(src.path.clone()),
        }
        SpecError::one(p)
    })
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Reads a model or experiment file. A file with a `model` key is an
/// experiment; one without is a model.
pub fn load(path: &Path) -> Result<Loaded, SpecError> {
    let first = read(path).map_err(|e| read_problem(path, e))?;
    let mut table = parse_table(&first)?;
    let mut sources = vec![first];
    let mut mounts = vec![Mount {
        at: vec![],
        source: 0,
        inner: vec![],
    }];
    let dir = folder_of(path);
    let model_key = Seg::Key("model".into());
    let (model_only, model_dir) = match table.get("model") {
        None => {
            // A model file: mount it under `model`.
            let model = std::mem::take(&mut table);
            table.insert("model".into(), Value::Table(model));
            mounts[0].at = vec![model_key];
            (true, dir)
        }
        Some(Value::String(rel)) => {
            let model_path = dir.join(rel);
            let src = read(&model_path).map_err(|e| match e {
                ReadError::NotUtf8 { .. } => read_problem(&model_path, e),
                // Point at the `model` key of the experiment.
                e => {
                    let message = format!(
                        "{}: {e} (named by `model` in {})",
                        model_path.display(),
                        path.display()
                    );
                    let mut p = Problem::new("model", message).in_file(path);
                    if let Some(at) = locate(&sources[0].text, std::slice::from_ref(&model_key)) {
                        p.location =
                            Some(Box::new(Location::at_offset(path, &sources[0].text, at)));
                    }
                    p
                }
            })?;
            let model = parse_table(&src)?;
            table.insert("model".into(), Value::Table(model));
            sources.push(src);
            mounts.push(Mount {
                at: vec![model_key],
                source: 1,
                inner: vec![],
            });
            (false, folder_of(&model_path))
        }
        Some(_) => (false, dir),
    };
    let mut loaded = Loaded {
        sources,
        mounts,
        table,
        model_only,
        model_dir,
        applied: vec![],
    };
    // A model's design load serves an experiment that gives none.
    if !loaded.table.contains_key("workload") {
        let from_model = loaded
            .table
            .get_mut("model")
            .and_then(Value::as_table_mut)
            .and_then(|m| m.remove("workload"));
        if let Some(w) = from_model {
            loaded.table.insert("workload".into(), w);
            let model_mount = loaded.mounts.last().expect("a model mount").source;
            loaded.mounts.push(Mount {
                at: vec![Seg::Key("workload".into())],
                source: model_mount,
                inner: vec![Seg::Key("workload".into())],
            });
        }
    }
    Ok(loaded)
}

impl Loaded {
    /// Types the merged table (or the part at `at`) as `T`, turning serde's
    /// error into a located problem.
    pub fn typed<T: DeserializeOwned>(&self, at: &[Seg]) -> Result<T, SpecError> {
        let mut value = Value::Table(self.table.clone());
        for seg in at {
            value = match (seg, value) {
                (Seg::Key(k), Value::Table(mut t)) => {
                    t.remove(k).unwrap_or(Value::Table(Table::new()))
                }
                (Seg::Index(i), Value::Array(mut a)) if *i < a.len() => a.swap_remove(*i),
                _ => Value::Table(Table::new()),
            };
        }
        serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
            let mut path: Vec<Seg> = at.to_vec();
            for seg in e.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Map { key } => path.push(Seg::Key(key.clone())),
                    serde_path_to_error::Segment::Seq { index } => path.push(Seg::Index(*index)),
                    _ => {}
                }
            }
            let message = clean_serde_message(e.inner().message());
            // Point an unknown key at itself, not at its table.
            let mut at_path = path.clone();
            if let Some(k) = unknown_field(&message)
                && !matches!(path.last(), Some(Seg::Key(last)) if last == k)
            {
                at_path.push(Seg::Key(k.to_string()));
            }
            SpecError::one(self.problem(&at_path, message))
        })
    }

    /// A problem at `path` in the merged table, located in its file.
    pub fn problem(&self, path: &[Seg], message: impl Into<String>) -> Problem {
        let message = message.into();
        if let Some(a) =
            self.applied.iter().rev().find(|a| {
                path.starts_with(&a.path) || (!path.is_empty() && a.path.starts_with(path))
            })
        {
            return self.overridden(
                self.shown_path(path),
                message,
                &a.origin,
                a.written_at.as_deref(),
            );
        }
        let (source, inner) = self.in_file(path);
        let src = &self.sources[source];
        let mut p = Problem::new(render_path(&inner), message).in_file(&src.path);
        // A problem of the whole file (a missing key or table, an empty
        // file) points at its first line: there is nowhere better.
        let offset = locate(&src.text, &inner).unwrap_or(0);
        p.location = Some(Box::new(Location::at_offset(&src.path, &src.text, offset)));
        p
    }

    /// How a path is shown to the user: without the `model.` prefix when
    /// the model is a file of its own.
    fn shown_path(&self, path: &[Seg]) -> String {
        render_path(&self.in_file(path).1)
    }

    /// The file (index in `sources`) and the path within it of `path` in
    /// the merged table. A path no file mounts (a table that only an
    /// override created, like `workload` for a model without one) stays whole.
    fn in_file(&self, path: &[Seg]) -> (usize, Vec<Seg>) {
        let mount = self
            .mounts
            .iter()
            .filter(|m| path.starts_with(&m.at))
            .max_by_key(|m| m.at.len());
        match mount {
            Some(m) => {
                let mut inner = m.inner.clone();
                inner.extend_from_slice(&path[m.at.len()..]);
                (m.source, inner)
            }
            None => (0, path.to_vec()),
        }
    }

    /// The input file's path.
    pub fn path(&self) -> &Path {
        &self.sources[0].path
    }
}

/// serde's message in the user's words (`words.rs`).
fn clean_serde_message(m: &str) -> String {
    super::words::user_words(m)
}

/// The key named in serde's "unknown field `k`, expected …".
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An experiment and the model it names, in a fresh folder.
    fn files(tag: &str, experiment: &str, model: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("stacksim-load-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("m.toml"), model).unwrap();
        std::fs::write(dir.join("e.toml"), experiment).unwrap();
        dir.join("e.toml")
    }

    #[test]
    fn a_model_path_is_located_in_the_model_file() {
        let e = files(
            "locate",
            "model = \"m.toml\"\nduration = \"1s\"\n",
            "\n[servers.web1]\nworkers = 3\n",
        );
        let loaded = load(&e).unwrap();
        let path = [
            Seg::Key("model".into()),
            Seg::Key("servers".into()),
            Seg::Key("web1".into()),
            Seg::Key("workers".into()),
        ];
        let p = loaded.problem(&path, "too many");
        let at = p.location.as_ref().unwrap();
        assert_eq!(
            (at.file.file_name().unwrap().to_str(), at.line, at.column),
            (Some("m.toml"), 3, 1)
        );
        assert_eq!(p.path, "servers.web1.workers", "shown without `model.`");
        let _ = std::fs::remove_dir_all(e.parent().unwrap());
    }

    #[test]
    fn an_unknown_key_is_located_at_itself() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Run {
            model: toml::Value,
            duration: String,
        }
        let e = files(
            "unknown",
            "model = \"m.toml\"\nduration = \"1s\"\n\nreplicatoins = 3\n",
            "",
        );
        let loaded = load(&e).unwrap();
        let err = loaded.typed::<Run>(&[]).map(|_| ()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(":4:1:"), "{text}");
        assert!(text.contains("replicatoins"), "{text}");
        assert_eq!(
            unknown_field("unknown field `x`, expected one of"),
            Some("x")
        );
        let _ = std::fs::remove_dir_all(e.parent().unwrap());
    }
}
