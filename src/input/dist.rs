//! Distributions as written in model files, and their conversion into
//! `crate::dist::Dist`. A value is either a duration string (a constant,
//! `service = "4ms"`) or a table naming the distribution and its
//! parameters, durations as unit strings and shapes as numbers:
//! `{ dist = "lognormal", median = "5ms", p99 = "40ms" }`.
//!
//! Invariants: everything except reading an empirical file is checked while
//! deserializing, and each problem is a single `de::Error::custom` message
//! that names the parameter but not the field path (the caller adds it).
//! Unknown keys are errors. Tables are read into a `BTreeMap`, so which of
//! several problems is reported is deterministic.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::duration::{bare_number_message, parse_duration};
use super::read::{Kind, MAX_SAMPLES, ReadError, read_text};
use crate::dist::Dist;

/// Every `dist` name, the keys it takes, and an example for messages.
const KINDS: [(&str, &[&str], &str); 10] = [
    (
        "constant",
        &["value"],
        r#"{ dist = "constant", value = "50us" }"#,
    ),
    (
        "exponential",
        &["mean"],
        r#"{ dist = "exponential", mean = "4ms" }"#,
    ),
    (
        "uniform",
        &["min", "max"],
        r#"{ dist = "uniform", min = "1ms", max = "3ms" }"#,
    ),
    (
        "normal",
        &["mean", "sd"],
        r#"{ dist = "normal", mean = "4ms", sd = "1ms" }"#,
    ),
    (
        "lognormal",
        &["mean", "cv", "median", "p99"],
        r#"{ dist = "lognormal", mean = "4ms", cv = 1.5 }"#,
    ),
    (
        "gamma",
        &["mean", "shape"],
        r#"{ dist = "gamma", mean = "4ms", shape = 2.0 }"#,
    ),
    (
        "erlang",
        &["mean", "k"],
        r#"{ dist = "erlang", mean = "4ms", k = 3 }"#,
    ),
    (
        "weibull",
        &["shape", "scale", "mean"],
        r#"{ dist = "weibull", shape = 1.5, scale = "4ms" }"#,
    ),
    (
        "pareto",
        &["alpha", "min", "max"],
        r#"{ dist = "pareto", alpha = 1.5, min = "1ms", max = "1s" }"#,
    ),
    (
        "empirical",
        &["file", "column", "unit"],
        r#"{ dist = "empirical", file = "latency.csv", column = "latency_ms" }"#,
    ),
];

/// Units an empirical column may be in, by name or column-name suffix.
const COLUMN_UNITS: [(&str, f64); 5] = [
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
];

/// A distribution field of a model file.
#[derive(Clone, Debug)]
pub enum DistSpec {
    /// Fully given in the model file and already validated.
    Inline(Dist),
    /// Samples in column `column` of the CSV `file` (relative to the model
    /// file's folder), multiplied by `ns_per_unit`; read by `resolve`.
    Empirical {
        file: PathBuf,
        column: String,
        ns_per_unit: f64,
    },
}

impl DistSpec {
    /// The runtime distribution; reads empirical files relative to `base_dir`.
    pub fn resolve(&self, base_dir: &Path) -> Result<Dist, String> {
        match self {
            DistSpec::Inline(d) => Ok(d.clone()),
            DistSpec::Empirical {
                file,
                column,
                ns_per_unit,
            } => {
                let path = base_dir.join(file);
                let text = read_text(&path, Kind::Samples).map_err(|e| {
                    let shown = path.display();
                    match e {
                        ReadError::Io(why) => format!("cannot read empirical file {shown}: {why}"),
                        ReadError::NotAFile(what) => format!(
                            "cannot read empirical file {shown}: it is {what}, not a regular file"
                        ),
                        ReadError::NotUtf8 { line, column, .. } => {
                            format!("{shown}:{line}:{column}: {e}")
                        }
                        ReadError::TooLarge { .. } => format!("{shown}: {e}"),
                    }
                })?;
                let samples =
                    read_column(&text, &path.display().to_string(), column, *ns_per_unit)?;
                Dist::empirical(samples)
            }
        }
    }
}

/// The values of `column` in CSV `text` (header row first, blank lines
/// skipped), times `ns_per_unit`. `name` is the file for messages.
fn read_column(text: &str, name: &str, column: &str, ns_per_unit: f64) -> Result<Vec<f64>, String> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = rows.next() else {
        return Err(format!(
            "{name} is empty; expected a header row naming the columns, then one value per row"
        ));
    };
    let fields = |line: &str| -> Vec<String> {
        line.split(',')
            .map(|f| f.trim().trim_matches('"').to_string())
            .collect()
    };
    let names = fields(header.trim_start_matches('\u{feff}'));
    let Some(index) = names.iter().position(|n| n == column) else {
        let known = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(format!(
            "{name}:1: no column `{column}` in the header; the columns are {known}"
        ));
    };
    let mut samples = Vec::new();
    for (line_no, line) in rows {
        let row = fields(line);
        let Some(cell) = row.get(index) else {
            return Err(format!(
                "{name}:{line_no}: has {} field(s), but `{column}` is field {}",
                row.len(),
                index + 1
            ));
        };
        let value: f64 = cell.parse().map_err(|_| {
            format!("{name}:{line_no}: \"{cell}\" in column `{column}` is not a number")
        })?;
        if !(value.is_finite() && value >= 0.0) {
            return Err(format!(
                "{name}:{line_no}: \"{cell}\" in column `{column}` is not a finite value ≥ 0"
            ));
        }
        if samples.len() == MAX_SAMPLES {
            return Err(format!(
                "{name}:{line_no}: more than {MAX_SAMPLES} samples, the most an empirical distribution takes (they are kept in memory); take a random subset of the rows"
            ));
        }
        samples.push(value * ns_per_unit);
    }
    if samples.is_empty() {
        return Err(format!("{name} has a header but no data rows"));
    }
    Ok(samples)
}

/// A parameter value as found, before its type is checked.
enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Other(&'static str),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "the string \"{s}\""),
            Value::Int(n) => write!(f, "the number {n}"),
            Value::Float(x) => write!(f, "the number {x}"),
            Value::Other(what) => f.write_str(what),
        }
    }
}

/// The parameters of one table, consumed as they are read.
struct Params {
    dist: &'static str,
    example: &'static str,
    map: BTreeMap<String, Value>,
}

impl Params {
    fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
    fn missing(&self, key: &str) -> String {
        format!("{} needs `{key}`; e.g. {}", self.dist, self.example)
    }
    /// A duration in nanoseconds, if present.
    fn duration(&mut self, key: &str) -> Result<Option<f64>, String> {
        let parsed = match self.map.remove(key) {
            None => return Ok(None),
            Some(Value::Str(s)) => parse_duration(&s),
            Some(Value::Int(0)) => Ok(crate::engine::SimDuration::ZERO),
            Some(Value::Int(n)) => Err(bare_number_message(n)),
            Some(Value::Float(x)) => Err(bare_number_message(x)),
            Some(other) => Err(format!(
                "found {other}, but a duration is a string like \"4ms\""
            )),
        };
        parsed
            .map(|d| Some(d.as_nanos() as f64))
            .map_err(|e| format!("`{key}`: {e}"))
    }
    fn number(&mut self, key: &str) -> Result<Option<f64>, String> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Int(n)) => Ok(Some(n as f64)),
            Some(Value::Float(x)) => Ok(Some(x)),
            Some(other) => Err(format!("`{key}` must be a number, found {other}")),
        }
    }
    fn string(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(other) => Err(format!("`{key}` must be a string, found {other}")),
        }
    }
    fn req_duration(&mut self, key: &str) -> Result<f64, String> {
        self.duration(key)?.ok_or_else(|| self.missing(key))
    }
    fn req_number(&mut self, key: &str) -> Result<f64, String> {
        self.number(key)?.ok_or_else(|| self.missing(key))
    }
    fn req_string(&mut self, key: &str) -> Result<String, String> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }
}

/// Builds a spec from a table's entries (`dist` included).
fn from_table(mut map: BTreeMap<String, Value>) -> Result<DistSpec, String> {
    let names = KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ");
    let name = match map.remove("dist") {
        Some(Value::Str(s)) => s,
        Some(other) => {
            return Err(format!(
                "`dist` must be a string naming the distribution ({names}), found {other}"
            ));
        }
        None => {
            return Err(format!(
                "a distribution table needs `dist` naming the distribution ({names}); e.g. {}",
                KINDS[1].2
            ));
        }
    };
    let Some(&(dist, allowed, example)) = KINDS.iter().find(|k| k.0 == name) else {
        return Err(format!("unknown distribution \"{name}\"; known: {names}"));
    };
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| format!("`{k}`"))
        .collect();
    if !unknown.is_empty() {
        let takes = allowed
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(format!(
            "{dist} does not take {}; it takes {takes}",
            unknown.join(", ")
        ));
    }
    let mut p = Params { dist, example, map };
    let d = match dist {
        "constant" => Dist::constant(p.req_duration("value")?),
        "exponential" => Dist::exponential(p.req_duration("mean")?),
        "uniform" => Dist::uniform(p.req_duration("min")?, p.req_duration("max")?),
        "normal" => Dist::normal(p.req_duration("mean")?, p.req_duration("sd")?),
        "lognormal" => match (
            p.has("mean") && p.has("cv"),
            p.has("median") && p.has("p99"),
            p.map.len(),
        ) {
            (true, false, 2) => {
                Dist::lognormal_mean_cv(p.req_duration("mean")?, p.req_number("cv")?)
            }
            (false, true, 2) => {
                Dist::lognormal_median_p99(p.req_duration("median")?, p.req_duration("p99")?)
            }
            _ => {
                let found = p.map.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>();
                let found = if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                };
                return Err(format!(
                    "lognormal needs either `mean` and `cv`, or `median` and `p99`; found {found}"
                ));
            }
        },
        "gamma" => Dist::gamma(p.req_duration("mean")?, p.req_number("shape")?),
        "erlang" => {
            let mean = p.req_duration("mean")?;
            let k = p.req_number("k")?;
            if !(k >= 1.0 && k.fract() == 0.0 && k <= f64::from(u32::MAX)) {
                return Err(format!(
                    "erlang needs `k` to be a whole number ≥ 1 (the number of phases), found {k}"
                ));
            }
            Dist::erlang(mean, k as u32)
        }
        "weibull" => {
            let shape = p.req_number("shape")?;
            match (p.duration("scale")?, p.duration("mean")?) {
                (Some(scale), None) => Dist::weibull(shape, scale),
                (None, Some(mean)) => Dist::weibull_mean(shape, mean),
                (Some(_), Some(_)) => {
                    return Err("weibull takes either `scale` or `mean`, not both".into());
                }
                (None, None) => {
                    return Err(format!("weibull needs `scale` or `mean`; e.g. {example}"));
                }
            }
        }
        "pareto" => Dist::bounded_pareto(
            p.req_number("alpha")?,
            p.req_duration("min")?,
            p.req_duration("max")?,
        ),
        _ => return empirical(p),
    };
    d.map(DistSpec::Inline)
}

/// `file`, `column`, and the unit from `unit` or the column's name suffix.
fn empirical(mut p: Params) -> Result<DistSpec, String> {
    let file = PathBuf::from(p.req_string("file")?);
    let column = p.req_string("column")?;
    let unit_of = |u: &str| COLUMN_UNITS.iter().find(|c| c.0 == u).map(|c| c.1);
    let suffix = column
        .rsplit_once('_')
        .and_then(|(_, s)| unit_of(s).map(|f| (s.to_string(), f)));
    let ns_per_unit = match (p.string("unit")?, suffix) {
        (Some(u), suffix) => {
            let f = unit_of(&u)
                .ok_or_else(|| format!("unknown `unit` \"{u}\"; expected one of ns, us, ms, s"))?;
            if let Some((s, _)) = suffix.filter(|(_, g)| *g != f) {
                return Err(format!(
                    "column `{column}` says {s} but `unit` says {u}; keep one"
                ));
            }
            f
        }
        (None, Some((_, f))) => f,
        (None, None) => {
            return Err(format!(
                "empirical needs the unit of column `{column}`: end its name with _ns, _us, _ms or _s \
                 (e.g. `latency_ms`), or add `unit = \"ms\"`"
            ));
        }
    };
    Ok(DistSpec::Empirical {
        file,
        column,
        ns_per_unit,
    })
}

impl<'de> Deserialize<'de> for DistSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SpecVisitor)
    }
}

struct SpecVisitor;

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = DistSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a duration like \"4ms\" or a table like {}", KINDS[1].2)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<DistSpec, E> {
        if let Some(kind) = KINDS.iter().find(|k| k.0 == s) {
            return Err(E::custom(format!(
                "\"{s}\" needs its parameters in a table, e.g. {}",
                kind.2
            )));
        }
        if !s
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.' || c == '+')
        {
            return Err(E::custom(format!(
                "expected a duration like \"4ms\" or a table like {}; found \"{s}\"",
                KINDS[1].2
            )));
        }
        let d = parse_duration(s).map_err(E::custom)?;
        Ok(DistSpec::Inline(Dist::Constant {
            value_ns: d.as_nanos() as f64,
        }))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<DistSpec, E> {
        match n {
            0 => Ok(DistSpec::Inline(Dist::Constant { value_ns: 0.0 })),
            n => Err(E::custom(bare_number_message(n))),
        }
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<DistSpec, E> {
        self.visit_i64(i64::try_from(n).unwrap_or(i64::MAX))
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<DistSpec, E> {
        Err(E::custom(bare_number_message(x)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<DistSpec, A::Error> {
        let mut map = BTreeMap::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value::<AnyValue>()?;
            map.insert(key, value.0);
        }
        from_table(map).map_err(de::Error::custom)
    }
}

/// Deserializes any TOML value into a `Value`, draining arrays and tables.
struct AnyValue(Value);

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = AnyValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a parameter value")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<AnyValue, E> {
        Ok(AnyValue(Value::Str(s.to_string())))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<AnyValue, E> {
        Ok(AnyValue(Value::Int(n)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<AnyValue, E> {
        Ok(AnyValue(
            i64::try_from(n).map_or(Value::Float(n as f64), Value::Int),
        ))
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<AnyValue, E> {
        Ok(AnyValue(Value::Float(x)))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<AnyValue, E> {
        Ok(AnyValue(Value::Other(if b { "true" } else { "false" })))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(AnyValue(Value::Other("an array")))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(AnyValue(Value::Other("a table or date")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct W {
        service: DistSpec,
    }

    fn spec(value: &str) -> Result<DistSpec, String> {
        toml::from_str::<W>(&format!("service = {value}"))
            .map(|w| w.service)
            .map_err(|e| e.message().to_string())
    }

    fn inline(value: &str) -> Dist {
        match spec(value) {
            Ok(DistSpec::Inline(d)) => d,
            other => panic!("{value}: {other:?}"),
        }
    }

    fn err(value: &str) -> String {
        spec(value).expect_err(value)
    }

    const MS: f64 = 1e6;

    fn close(a: f64, b: f64) -> bool {
        (a / b - 1.0).abs() < 1e-9
    }

    #[test]
    fn every_form_builds_the_intended_distribution() {
        assert!(matches!(inline(r#""4ms""#), Dist::Constant { value_ns } if value_ns == 4.0 * MS));
        assert!(inline("0").is_zero());
        assert!(
            matches!(inline(r#"{ dist = "constant", value = "50us" }"#), Dist::Constant { value_ns } if value_ns == 5e4)
        );
        assert!(
            matches!(inline(r#"{ dist = "exponential", mean = "4ms" }"#), Dist::Exponential { mean_ns } if mean_ns == 4.0 * MS)
        );
        let u = inline(r#"{ dist = "uniform", min = "1ms", max = "3ms" }"#);
        assert!(matches!(u, Dist::Uniform { lo_ns, hi_ns } if lo_ns == MS && hi_ns == 3.0 * MS));
        let n = inline(r#"{ dist = "normal", mean = "4ms", sd = "1ms" }"#);
        assert!(matches!(n, Dist::Normal { mean_ns, sd_ns } if mean_ns == 4.0 * MS && sd_ns == MS));
        let ln = inline(r#"{ dist = "lognormal", mean = "4ms", cv = 1.5 }"#);
        assert!(close(ln.mean_ns(), 4.0 * MS) && close(ln.scv(), 2.25));
        let ln = inline(r#"{ dist = "lognormal", median = "5ms", p99 = "40ms" }"#);
        let Dist::LogNormal { mu, sigma } = ln else {
            panic!("{ln:?}")
        };
        assert!(close(mu.exp(), 5.0 * MS) && close(sigma, 8f64.ln() / 2.326_347_874_040_841));
        let g = inline(r#"{ dist = "gamma", mean = "4ms", shape = 2.0 }"#);
        assert!(close(g.mean_ns(), 4.0 * MS) && close(g.scv(), 0.5));
        let e = inline(r#"{ dist = "erlang", mean = "4ms", k = 3 }"#);
        assert!(close(e.mean_ns(), 4.0 * MS) && close(e.scv(), 1.0 / 3.0));
        let w = inline(r#"{ dist = "weibull", shape = 1.5, scale = "4ms" }"#);
        assert!(
            matches!(w, Dist::Weibull { shape, scale_ns, .. } if shape == 1.5 && scale_ns == 4.0 * MS)
        );
        let w = inline(r#"{ dist = "weibull", shape = 2, mean = "4ms" }"#);
        assert!(close(w.mean_ns(), 4.0 * MS));
        let p = inline(r#"{ dist = "pareto", alpha = 1.5, min = "1ms", max = "1s" }"#);
        assert!(
            matches!(p, Dist::BoundedPareto { alpha, lo_ns, hi_ns, .. } if alpha == 1.5 && lo_ns == MS && hi_ns == 1e9)
        );
        // A standard (non-inline) TOML table works too.
        let t: W = toml::from_str("[service]\ndist = \"exponential\"\nmean = \"250us\"\n").unwrap();
        assert_eq!(
            t.service.resolve(Path::new(".")).unwrap().mean_ns(),
            250_000.0
        );
    }

    #[test]
    fn empirical_reads_a_column_relative_to_the_model_folder() {
        let dir = std::env::temp_dir().join(format!("stacksim-input-dist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("lat.csv"),
            "\u{feff}id,latency_ms\n1, 2\n\n2,0.5\r\n3,\"1.5\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("bad.csv"), "latency_ms\n1\n-2\n").unwrap();
        std::fs::write(dir.join("empty.csv"), "\n\n").unwrap();
        std::fs::write(dir.join("header.csv"), "x_us\n").unwrap();
        let resolve = |v: &str| spec(v).unwrap().resolve(&dir);
        let d =
            resolve(r#"{ dist = "empirical", file = "lat.csv", column = "latency_ms" }"#).unwrap();
        let Dist::Empirical(s) = &d else {
            panic!("{d:?}")
        };
        assert_eq!(&s[..], &[2.0 * MS, 0.5 * MS, 1.5 * MS]);
        let d = resolve(r#"{ dist = "empirical", file = "lat.csv", column = "id", unit = "us" }"#)
            .unwrap();
        assert_eq!(d.mean_ns(), 2000.0);
        let name = |f: &str| dir.join(f).display().to_string();
        let bad = |f: &str, col: &str| {
            resolve(&format!(
                r#"{{ dist = "empirical", file = "{f}", column = "{col}" }}"#
            ))
            .unwrap_err()
        };
        assert_eq!(
            bad("bad.csv", "latency_ms"),
            format!(
                "{}:3: \"-2\" in column `latency_ms` is not a finite value ≥ 0",
                name("bad.csv")
            )
        );
        assert_eq!(
            bad("lat.csv", "p50_ms"),
            format!(
                "{}:1: no column `p50_ms` in the header; the columns are `id`, `latency_ms`",
                name("lat.csv")
            )
        );
        assert_eq!(
            bad("empty.csv", "x_ms"),
            format!(
                "{} is empty; expected a header row naming the columns, then one value per row",
                name("empty.csv")
            )
        );
        assert_eq!(
            bad("header.csv", "x_us"),
            format!("{} has a header but no data rows", name("header.csv"))
        );
        assert!(bad("nope.csv", "x_ms").starts_with(&format!(
            "cannot read empirical file {}: ",
            name("nope.csv")
        )));
        std::fs::write(dir.join("short.csv"), "a,b_ms\n1,2\n3\n").unwrap();
        assert_eq!(
            bad("short.csv", "b_ms"),
            format!(
                "{}:3: has 1 field(s), but `b_ms` is field 2",
                name("short.csv")
            )
        );
        std::fs::write(dir.join("text.csv"), "b_s\nfast\n").unwrap();
        assert_eq!(
            bad("text.csv", "b_s"),
            format!(
                "{}:2: \"fast\" in column `b_s` is not a number",
                name("text.csv")
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_problem_has_one_clear_message() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{ dist = "expo", mean = "4ms" }"#,
                "unknown distribution \"expo\"; known: constant, exponential, uniform, normal, lognormal, gamma, erlang, weibull, pareto, empirical",
            ),
            (
                r#"{ mean = "4ms" }"#,
                "a distribution table needs `dist` naming the distribution (constant, exponential, uniform, normal, lognormal, gamma, erlang, weibull, pareto, empirical); e.g. { dist = \"exponential\", mean = \"4ms\" }",
            ),
            (
                r#"{ dist = 3 }"#,
                "`dist` must be a string naming the distribution (constant, exponential, uniform, normal, lognormal, gamma, erlang, weibull, pareto, empirical), found the number 3",
            ),
            (
                r#"{ dist = "exponential" }"#,
                "exponential needs `mean`; e.g. { dist = \"exponential\", mean = \"4ms\" }",
            ),
            (
                r#"{ dist = "exponential", mean = "4ms", sd = "1ms", x = 1 }"#,
                "exponential does not take `sd`, `x`; it takes `mean`",
            ),
            (
                r#"{ dist = "exponential", mean = 4 }"#,
                "`mean`: found the number 4, but a duration needs a unit: write e.g. \"4ms\" or \"4s\"",
            ),
            (
                r#"{ dist = "exponential", mean = "4" }"#,
                "`mean`: invalid duration \"4\": missing unit; write e.g. \"4ms\" or \"4s\"",
            ),
            (
                r#"{ dist = "exponential", mean = [1] }"#,
                "`mean`: found an array, but a duration is a string like \"4ms\"",
            ),
            (
                r#"{ dist = "exponential", mean = "0s" }"#,
                "exponential needs `mean` > 0, found 0ns",
            ),
            (
                r#"{ dist = "uniform", min = "3ms", max = "1ms" }"#,
                "uniform needs `min` ≤ `max`, found min 3ms and max 1ms",
            ),
            (
                r#"{ dist = "lognormal", mean = "4ms", p99 = "9ms" }"#,
                "lognormal needs either `mean` and `cv`, or `median` and `p99`; found `mean`, `p99`",
            ),
            (
                r#"{ dist = "lognormal", mean = "4ms", cv = 1, median = "3ms" }"#,
                "lognormal needs either `mean` and `cv`, or `median` and `p99`; found `cv`, `mean`, `median`",
            ),
            (
                r#"{ dist = "lognormal" }"#,
                "lognormal needs either `mean` and `cv`, or `median` and `p99`; found none",
            ),
            (
                r#"{ dist = "lognormal", mean = "4ms", cv = -0.5 }"#,
                "lognormal needs `cv` ≥ 0, found -0.5",
            ),
            (
                r#"{ dist = "lognormal", mean = "4ms", cv = "1.5" }"#,
                "`cv` must be a number, found the string \"1.5\"",
            ),
            (
                r#"{ dist = "gamma", mean = "4ms", shape = 0 }"#,
                "gamma needs `shape` > 0, found 0",
            ),
            (
                r#"{ dist = "erlang", mean = "4ms", k = 2.5 }"#,
                "erlang needs `k` to be a whole number ≥ 1 (the number of phases), found 2.5",
            ),
            (
                r#"{ dist = "erlang", mean = "4ms", k = 0 }"#,
                "erlang needs `k` to be a whole number ≥ 1 (the number of phases), found 0",
            ),
            (
                r#"{ dist = "weibull", shape = 1.5 }"#,
                "weibull needs `scale` or `mean`; e.g. { dist = \"weibull\", shape = 1.5, scale = \"4ms\" }",
            ),
            (
                r#"{ dist = "weibull", shape = 1.5, scale = "1ms", mean = "1ms" }"#,
                "weibull takes either `scale` or `mean`, not both",
            ),
            (
                r#"{ dist = "pareto", alpha = -1, min = "1ms", max = "1s" }"#,
                "pareto needs `alpha` > 0, found -1",
            ),
            (
                r#"{ dist = "pareto", alpha = 1.5, min = "1ms" }"#,
                "pareto needs `max`; e.g. { dist = \"pareto\", alpha = 1.5, min = \"1ms\", max = \"1s\" }",
            ),
            (
                r#"{ dist = "empirical", file = "a.csv", column = "latency" }"#,
                "empirical needs the unit of column `latency`: end its name with _ns, _us, _ms or _s (e.g. `latency_ms`), or add `unit = \"ms\"`",
            ),
            (
                r#"{ dist = "empirical", file = "a.csv", column = "t_ms", unit = "s" }"#,
                "column `t_ms` says ms but `unit` says s; keep one",
            ),
            (
                r#"{ dist = "empirical", file = "a.csv", column = "t", unit = "days" }"#,
                "unknown `unit` \"days\"; expected one of ns, us, ms, s",
            ),
            (
                r#"{ dist = "empirical", column = "t_ms" }"#,
                "empirical needs `file`; e.g. { dist = \"empirical\", file = \"latency.csv\", column = \"latency_ms\" }",
            ),
            (
                r#""exponential""#,
                "\"exponential\" needs its parameters in a table, e.g. { dist = \"exponential\", mean = \"4ms\" }",
            ),
            (
                r#""fast""#,
                "expected a duration like \"4ms\" or a table like { dist = \"exponential\", mean = \"4ms\" }; found \"fast\"",
            ),
            (
                r#""-4ms""#,
                "invalid duration \"-4ms\": durations cannot be negative",
            ),
            (
                "4",
                "found the number 4, but a duration needs a unit: write e.g. \"4ms\" or \"4s\"",
            ),
        ];
        for (value, message) in cases {
            assert_eq!(err(value), *message, "for {value}");
        }
        assert!(err("true").contains("expected a duration like \"4ms\" or a table like"));
    }

    #[test]
    fn errors_carry_the_field_path_for_the_caller() {
        #[derive(serde::Deserialize, Debug)]
        struct App {
            #[allow(dead_code)]
            app: W,
        }
        let src = "[app]\nservice = { dist = \"lognormal\", mean = \"4ms\" }\n";
        let de = toml::Deserializer::parse(src).unwrap();
        let e = serde_path_to_error::deserialize::<_, App>(de).unwrap_err();
        assert_eq!(e.path().to_string(), "app.service");
        assert!(
            e.inner()
                .message()
                .starts_with("lognormal needs either `mean` and `cv`"),
            "{}",
            e.inner()
        );
    }
}
