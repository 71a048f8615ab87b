//! The scenarios an experiment expands into, before they are built: each
//! named scenario (or the experiment itself when it has none) crossed with
//! every point of the sweep, with the overrides that make it and where each
//! override is written in the file (so a problem with it points there).
//! Names are `scenario/axis=value/axis=value`.

use super::experiment::ExperimentFile;
use super::locate::Seg;
use super::sweep::Sweep;

/// One override: (path, value, where it came from, where it is written in
/// the input file).
pub type Override = (String, toml::Value, String, Option<Vec<Seg>>);

/// One scenario to build: a named scenario, a sweep value, or both.
pub struct Variant {
    pub name: String,
    pub sets: Vec<Override>,
    /// Where its name (or sweep value) is written, for a duplicate name.
    pub name_at: Option<Vec<Seg>>,
    /// Its value on each sweep axis, as shown.
    pub axis_values: Vec<String>,
}

/// The variants of `base` crossed with `sweep`, in order: scenarios in file
/// order, and within each the sweep's points (its first axis slowest).
pub fn variants(base: &ExperimentFile, sweep: Option<&Sweep>) -> Vec<Variant> {
    let mut variants: Vec<Variant> = vec![];
    let key = |k: &str| Seg::Key(k.into());
    // (scenario name, its `set` entries, where its name is written)
    let scenario_list: Vec<(String, Vec<Override>, Option<Vec<Seg>>)> = if base.scenarios.is_empty()
    {
        vec![(String::new(), vec![], None)]
    } else {
        base.scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let origin = format!("scenario `{}`", crate::text::clip(&s.name, 60));
                let at = |k: &str| vec![key("scenarios"), Seg::Index(i), key(k)];
                let sets = s
                    .set
                    .iter()
                    .map(|(k, v)| {
                        let mut written = at("set");
                        written.push(key(k));
                        (k.clone(), v.clone(), origin.clone(), Some(written))
                    })
                    .collect();
                (s.name.clone(), sets, Some(at("name")))
            })
            .collect()
    };
    for (sname, sets, name_at) in &scenario_list {
        let Some(sw) = sweep else {
            variants.push(Variant {
                name: sname.clone(),
                sets: sets.clone(),
                name_at: name_at.clone(),
                axis_values: vec![],
            });
            continue;
        };
        for point in sw.points() {
            let mut name = sname.clone();
            let mut s = sets.clone();
            let mut name_at = None;
            let mut axis_values = vec![];
            for (axis, &j) in sw.axes.iter().zip(&point) {
                let v = &axis.values[j];
                let label = format!("{}={}", axis.label, v.shown);
                name = if name.is_empty() {
                    label
                } else {
                    format!("{name}/{label}")
                };
                s.push((
                    axis.param.clone(),
                    v.value.clone(),
                    format!("sweep value {}", crate::text::clip(&v.shown, 60)),
                    Some(v.at.clone()),
                ));
                name_at = Some(v.at.clone());
                axis_values.push(v.shown.clone());
            }
            variants.push(Variant {
                name,
                sets: s,
                name_at,
                axis_values,
            });
        }
    }
    variants
}
