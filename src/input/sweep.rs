//! An experiment's `[sweep]`: its axes (each a `--set` path with a list of
//! values or a range, see `range.rs`), expanded into sweep points — every
//! combination (`combine = "product"`, the default) or value by value
//! (`"zip"`). A field that takes only whole numbers gets each value of a
//! range rounded. Every problem points at the axis in the file.

use super::error::Problem;
use super::experiment::{ExperimentFile, RangeFile, SweepFile};
use super::limits;
use super::load::Loaded;
use super::locate::{Seg, parse_path, render_path};
use super::range::{expand_range, number, shown};
use toml::Value;

/// The columns of `summary.csv`: an axis may not take one's name.
pub use crate::report::csv_out::SUMMARY_COLUMNS;

/// The axes of a sweep and each scenario's value on them: the extra
/// columns of `summary.csv`.
#[derive(Clone, Debug, Default)]
pub struct SweepColumns {
    /// One name per axis (its label).
    pub columns: Vec<String>,
    /// (scenario name, its value on each axis as shown), in scenario order.
    pub rows: Vec<(String, Vec<String>)>,
}

impl SweepColumns {
    /// The values of the scenario named `scenario`.
    pub fn values(&self, scenario: &str) -> Option<&[String]> {
        (self.rows.iter().find(|(n, _)| n == scenario)).map(|(_, v)| v.as_slice())
    }
}

/// One value of an axis.
#[derive(Clone, Debug)]
pub struct AxisValue {
    pub value: Value,
    /// As scenario names and summary.csv show it.
    pub shown: String,
    /// Where it is written (a list element, or the range).
    pub at: Vec<Seg>,
}

/// One axis: a parameter and its values.
#[derive(Clone, Debug)]
pub struct Axis {
    pub param: String,
    pub label: String,
    pub values: Vec<AxisValue>,
}

/// A sweep read from its file: the axes and how they combine.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub axes: Vec<Axis>,
    pub zip: bool,
}

impl Sweep {
    /// Every point, each the index of its value on every axis, the first
    /// axis varying slowest.
    pub fn points(&self) -> Vec<Vec<usize>> {
        let lens: Vec<usize> = self.axes.iter().map(|a| a.values.len()).collect();
        combine(&lens, self.zip)
    }
}

/// The points of axes of `lens` values: every combination, or value by
/// value (the lengths are then equal).
pub fn combine(lens: &[usize], zip: bool) -> Vec<Vec<usize>> {
    if zip {
        let n = lens.first().copied().unwrap_or(0);
        return (0..n).map(|i| vec![i; lens.len()]).collect();
    }
    let mut out = vec![vec![]];
    for &n in lens {
        out = (out.into_iter())
            .flat_map(|p: Vec<usize>| {
                (0..n).map(move |j| {
                    let mut q = p.clone();
                    q.push(j);
                    q
                })
            })
            .collect();
    }
    out
}

/// Whether the field at `param` takes only whole numbers: it accepts 2
/// but not 2.5.
fn takes_whole_numbers(loaded: &Loaded, param: &str) -> bool {
    let accepts = |v: Value| {
        let mut l = loaded.clone();
        l.apply(param, v, "", None).is_ok() && l.typed::<ExperimentFile>(&[]).is_ok()
    };
    accepts(Value::Integer(2)) && !accepts(Value::Float(2.5))
}

/// The values of one axis written at `at` (`values` is a list or a range).
fn axis_values(
    loaded: &Loaded,
    param: &str,
    values: &Value,
    at: &[Seg],
) -> Result<Vec<AxisValue>, Problem> {
    let one = |value: Value, at: Vec<Seg>| AxisValue {
        shown: shown(&value),
        value,
        at,
    };
    match values {
        Value::Array(list) if list.is_empty() => Err(loaded.problem(at, "the list is empty: a sweep needs at least one value, e.g. values = [100, 200]")),
        Value::Array(list) => Ok((list.iter().enumerate())
            .map(|(j, v)| one(v.clone(), [at, &[Seg::Index(j)]].concat()))
            .collect()),
        Value::Table(_) => {
            let range: RangeFile = loaded
                .typed(at)
                .map_err(|mut e| e.problems.swap_remove(0))?;
            let mut xs = expand_range(&range).map_err(|m| loaded.problem(at, m))?;
            if xs.iter().any(|x| x.fract() != 0.0) && takes_whole_numbers(loaded, param) {
                xs = xs.iter().map(|x| x.round()).collect();
                if let Some(w) = xs.windows(2).find(|w| w[0] == w[1]) {
                    return Err(loaded.problem(
                        at,
                        format!(
                            "`{param}` takes whole numbers and this range's values, rounded, repeat ({} twice): use fewer steps",
                            w[0]
                        ),
                    ));
                }
            }
            Ok(xs.into_iter().map(|x| one(number(x), at.to_vec())).collect())
        }
        other => Err(loaded.problem(
            at,
            format!(
                "expected a list of values or a range such as {{ from = 100, to = 2000, step = 100 }}, found {}",
                other.type_str()
            ),
        )),
    }
}

/// Reads and checks a `[sweep]`, crossed with `scenarios` scenarios.
pub fn read(loaded: &Loaded, file: &SweepFile, scenarios: usize) -> Result<Sweep, Vec<Problem>> {
    let key = |k: &str| Seg::Key(k.into());
    let top = vec![key("sweep")];
    let at = |k: &str| vec![key("sweep"), key(k)];
    let mut problems = vec![];
    let zip = match file.combine.as_deref() {
        None | Some("product") => false,
        Some("zip") => true,
        Some(other) => {
            problems.push(loaded.problem(
                &at("combine"),
                format!("`combine` is `product` (every combination) or `zip` (value by value), found `{other}`"),
            ));
            false
        }
    };
    // (param, values, label, where the axis is written)
    let raw: Vec<(&String, &Value, Option<&String>, Vec<Seg>)> = match (
        &file.param,
        &file.values,
        file.axes.is_empty(),
    ) {
        (Some(p), Some(v), true) => vec![(p, v, file.label.as_ref(), top.clone())],
        (None, None, false) if file.label.is_none() => (file.axes.iter().enumerate())
            .map(|(i, a)| {
                let place = vec![key("sweep"), key("axes"), Seg::Index(i)];
                (&a.param, &a.values, a.label.as_ref(), place)
            })
            .collect(),
        (_, _, false) => {
            problems.push(loaded.problem(&top, "give either `param` and `values` (one axis) or [[sweep.axes]] (one or more), not both"));
            vec![]
        }
        (Some(_), None, true) => {
            problems.push(loaded.problem(&at("param"), "`values` is missing: a list, or a range such as { from = 100, to = 2000, step = 100 }"));
            vec![]
        }
        (None, _, true) => {
            problems.push(loaded.problem(&top, "`param` is missing: a [sweep] needs `param` and `values`, or [[sweep.axes]] entries with them"));
            vec![]
        }
    };
    let mut axes = vec![];
    for (param, values, label, place) in &raw {
        let here = |k: &str| [place.as_slice(), &[key(k)]].concat();
        if param.trim().is_empty() {
            problems.push(loaded.problem(&here("param"), "the path is empty"));
            continue;
        }
        if axes.iter().any(|a: &Axis| &a.param == *param) {
            problems.push(loaded.problem(
                &here("param"),
                format!("`{param}` is swept twice: give it one axis"),
            ));
            continue;
        }
        match axis_values(loaded, param, values, &here("values")) {
            Ok(vs) => axes.push(Axis {
                param: (*param).clone(),
                label: label.cloned().unwrap_or_default(),
                values: vs,
            }),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    name_axes(
        loaded,
        &mut axes,
        &raw.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
    )?;
    let lens: Vec<usize> = axes.iter().map(|a| a.values.len()).collect();
    if zip && let Some(i) = lens.iter().position(|&n| n != lens[0]) {
        let place = [raw[i].3.as_slice(), &[key("values")]].concat();
        return Err(vec![loaded.problem(
            &place,
            format!(
                "`combine = \"zip\"` pairs the axes value by value, but `{}` has {} values and `{}` has {}: give every axis as many",
                axes[0].param, lens[0], axes[i].param, lens[i]
            ),
        )]);
    }
    let points = if zip {
        lens[0]
    } else {
        lens.iter().fold(1usize, |a, &n| a.saturating_mul(n))
    };
    let total = scenarios.max(1).saturating_mul(points);
    if total > limits::MAX_SCENARIOS {
        return Err(vec![loaded.problem(
            &top,
            format!(
                "{} scenario(s) × {points} sweep point(s) make {total} scenarios; at most {} in one experiment (each is a row of every table and a curve of every chart)",
                scenarios.max(1),
                limits::MAX_SCENARIOS
            ),
        )]);
    }
    Ok(Sweep { axes, zip })
}

/// Gives every axis its label: the one written, else the path's last
/// segment, else (when two axes share it) the whole path.
fn name_axes(loaded: &Loaded, axes: &mut [Axis], places: &[Vec<Seg>]) -> Result<(), Vec<Problem>> {
    let short = |p: &str| {
        let segs = parse_path(p);
        match segs.last() {
            Some(Seg::Key(k)) => k.clone(),
            _ => render_path(&segs),
        }
    };
    let defaults: Vec<String> = axes.iter().map(|a| short(&a.param)).collect();
    for (i, a) in axes.iter_mut().enumerate() {
        if a.label.is_empty() {
            let shared = defaults.iter().filter(|d| **d == defaults[i]).count() > 1;
            a.label = if shared {
                a.param.clone()
            } else {
                defaults[i].clone()
            };
        }
    }
    let mut problems = vec![];
    for (i, a) in axes.iter().enumerate() {
        let at = [places[i].as_slice(), &[Seg::Key("label".into())]].concat();
        let why = if a.label.trim().is_empty() || a.label.contains(['/', '=', ',']) {
            Some(format!(
                "`{}`: a label must not be empty nor contain `/`, `=` or `,` (scenario names are `axis=value/axis=value`)",
                a.label
            ))
        } else if SUMMARY_COLUMNS.contains(&a.label.as_str()) {
            Some(format!(
                "the axis would be the column `{}`, which summary.csv has already: give the axis a `label`",
                a.label
            ))
        } else if axes[..i].iter().any(|b| b.label == a.label) {
            Some(format!(
                "two axes are labelled `{}`: give one a `label`",
                a.label
            ))
        } else {
            None
        };
        if let Some(why) = why {
            problems.push(loaded.problem(&at, why));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_combine_as_a_product_or_value_by_value() {
        assert_eq!(
            combine(&[2, 3], false),
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(
            combine(&[3, 3], true),
            vec![vec![0, 0], vec![1, 1], vec![2, 2]]
        );
        assert_eq!(combine(&[4], false).len(), 4);
        assert_eq!(combine(&[2, 0], false).len(), 0);
    }
}
