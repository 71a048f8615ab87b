//! Overrides: a value set by `--set PATH=VALUE`, a scenario's `set` entry or
//! a sweep value, applied to the merged table before it is typed — so an
//! overridden value is checked exactly like one written in a file, and a
//! problem with it points at where it was written (the scenario's entry in
//! the input file, or the command line).
//!
//! A user's path is routed: an experiment key as it is, anything else under
//! `model`. A component is named by its key: a misspelt server, balancer or
//! database name is refused instead of creating a half-empty component.

use super::error::{Location, Problem};
use super::load::{Applied, EXPERIMENT_KEYS, Loaded};
use super::locate::{Seg, locate, parse_path, render_path};
use toml::{Table, Value};

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
    pub(super) fn overridden(
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

    #[test]
    fn a_misspelt_component_is_refused_not_created() {
        let mut root = Value::Table(
            toml::from_str::<Table>("[model.servers.web1]\nreads_from = \"db1\"").unwrap(),
        );
        let parents = parse_path("model.servers.wbe1");
        let err = set_in(
            &mut root,
            &parents,
            &Seg::Key("workers".into()),
            Value::Integer(3),
        );
        assert_eq!(err.unwrap_err(), "there is no `wbe1` (defined: web1)");
        let ok = set_in(
            &mut root,
            &parse_path("model.servers.web1"),
            &Seg::Key("x".into()),
            Value::Integer(1),
        );
        assert!(ok.is_ok());
    }
}
