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
use super::locate::{Seg, locate, parse_path, render_path};
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
struct Applied {
    /// Its full path in the merged table.
    path: Vec<Seg>,
    /// Where the value came from, as shown (`--set …`, ``scenario `x` ``).
    origin: String,
    /// Where the value is written in the input file (a scenario's `set`
    /// entry, a sweep value); `None` for the command line.
    written_at: Option<Vec<Seg>>,
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
    applied: Vec<Applied>,
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

/// Parses a command-line override `PATH=VALUE`. The value is read as TOML
/// (`900`, `true`, `"4ms"`, `{ dist = "exponential", mean = "4ms" }`); a
/// value that is not valid TOML is taken as a bare string (`leastconn`).
pub fn parse_set(arg: &str) -> Result<(String, Value), String> {
    let Some((path, raw)) = arg.split_once('=') else {
        return Err(format!(
            "--set {arg}: expected PATH=VALUE, e.g. workload.rate=900"
        ));
    };
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("--set {arg}: the path before `=` is empty"));
    }
    let raw = raw.trim();
    let value = toml::from_str::<Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()));
    Ok((path.to_string(), value))
}

impl Loaded {
    /// The full path in the merged table for a user's override path: an
    /// experiment key as it is, anything else under `model`.
    pub fn route(&self, path: &str) -> Vec<Seg> {
        let segs = parse_path(path);
        match segs.first() {
            Some(Seg::Key(k)) if EXPERIMENT_KEYS.contains(&k.as_str()) => segs,
            _ => {
                let mut full = vec![Seg::Key("model".into())];
                full.extend(segs);
                full
            }
        }
    }

    /// Sets `path` (as a user writes it) to `value`, creating tables on the
    /// way. `origin` says where the value came from, for error messages;
    /// `written_at` is the value's own place in the input file (a scenario's
    /// `set` entry), so that a problem with it points there.
    pub fn apply(
        &mut self,
        path: &str,
        value: Value,
        origin: &str,
        written_at: Option<&[Seg]>,
    ) -> Result<(), Problem> {
        let full = self.route(path);
        let Some((last, parents)) = full.split_last() else {
            return Err(self.overridden(path.into(), "empty path".into(), origin, written_at));
        };
        let mut root = Value::Table(std::mem::take(&mut self.table));
        let result = set_in(&mut root, parents, last, value);
        if let Value::Table(t) = root {
            self.table = t;
        }
        if let Err(msg) = result {
            return Err(self.overridden(path.into(), msg, origin, written_at));
        }
        self.applied.push(Applied {
            path: full,
            origin: origin.to_string(),
            written_at: written_at.map(<[Seg]>::to_vec),
        });
        Ok(())
    }

    /// A problem with an overridden value: in the input file, at the
    /// override's own entry when it is written there.
    fn overridden(
        &self,
        shown: String,
        message: String,
        origin: &str,
        written_at: Option<&[Seg]>,
    ) -> Problem {
        let src = &self.sources[0];
        let mut p = Problem::new(shown, message)
            .in_file(&src.path)
            .with_origin(origin);
        if let Some(offset) = written_at.and_then(|at| locate(&src.text, at)) {
            p.location = Some(Box::new(Location::at_offset(&src.path, &src.text, offset)));
        }
        p
    }

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

/// Sets `parents.last` inside `root` to `value`, creating tables on the way.
fn set_in(root: &mut Value, parents: &[Seg], last: &Seg, value: Value) -> Result<(), String> {
    let mut cur = root;
    for (depth, seg) in parents.iter().enumerate() {
        // A component is named by its key: a misspelt name must not create
        // a new, half-empty component.
        let in_named_map = depth == 2
            && parents[0] == Seg::Key("model".into())
            && ["servers", "balancers", "databases"]
                .iter()
                .any(|m| parents[1] == Seg::Key((*m).into()));
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Table(t)) if in_named_map && !t.contains_key(k) => {
                let known: Vec<&str> = t.keys().map(String::as_str).collect();
                return Err(format!("there is no `{k}` (defined: {})", known.join(", ")));
            }
            (Seg::Key(k), Value::Table(t)) => t
                .entry(k.clone())
                .or_insert_with(|| Value::Table(Table::new())),
            (Seg::Index(i), Value::Array(a)) => {
                let len = a.len();
                a.get_mut(*i)
                    .ok_or_else(|| format!("there is no element [{i}] (the list has {len})"))?
            }
            (seg, _) => {
                return Err(format!(
                    "cannot set {}: its parent is not a table or a list",
                    render_path(std::slice::from_ref(seg))
                ));
            }
        };
    }
    match (last, cur) {
        (Seg::Key(k), Value::Table(t)) => {
            t.insert(k.clone(), value);
            Ok(())
        }
        (Seg::Index(i), Value::Array(a)) if *i < a.len() => {
            a[*i] = value;
            Ok(())
        }
        _ => Err("the path does not lead to a field of a table".into()),
    }
}

impl Problem {
    pub fn with_origin(mut self, origin: &str) -> Self {
        self.origin = Some(origin.to_string());
        self
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

    #[test]
    fn set_values_are_read_as_toml_or_bare_strings() {
        assert_eq!(
            parse_set("workload.rate=900").unwrap().1,
            Value::Integer(900)
        );
        assert_eq!(
            parse_set("balancers.lb1.algorithm=leastconn").unwrap().1,
            Value::String("leastconn".into())
        );
        assert_eq!(
            parse_set("a.b=\"4ms\"").unwrap().1,
            Value::String("4ms".into())
        );
        assert!(parse_set("no-equals-sign").is_err());
    }
}
