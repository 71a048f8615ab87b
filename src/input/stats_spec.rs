//! The statistics spellings of an experiment file, as written:
//! `warmup = "auto"` or a duration, and `replications = 10` or
//! `replications = { target = 0.03, confidence = 0.99, measure = "p99",
//! min = 5, max = 200, step = 5 }`. Like the other file structs, nothing is
//! checked beyond its type here (ranges are `validate::run`'s job).

use super::duration::{DurationSpec, parse_duration};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// `warmup`: a duration, or `"auto"` (MSER-5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WarmupSpec {
    Auto,
    Fixed(DurationSpec),
}

impl<'de> Deserialize<'de> for WarmupSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = WarmupSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"auto\" or a duration like \"30s\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<WarmupSpec, E> {
                if s.trim() == "auto" {
                    return Ok(WarmupSpec::Auto);
                }
                parse_duration(s)
                    .map(|d| WarmupSpec::Fixed(DurationSpec(d)))
                    .map_err(|e| E::custom(format!("{e} (or \"auto\": found by MSER-5)")))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<WarmupSpec, E> {
                let d = DurationSpec::deserialize(de::value::I64Deserializer::<E>::new(n))?;
                Ok(WarmupSpec::Fixed(d))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<WarmupSpec, E> {
                self.visit_i64(i64::try_from(n).unwrap_or(i64::MAX))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<WarmupSpec, E> {
                DurationSpec::deserialize(de::value::F64Deserializer::<E>::new(n))
                    .map(WarmupSpec::Fixed)
            }
        }
        d.deserialize_any(V)
    }
}

/// `replications`: a count, or a table asking for sequential stopping.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplicationsSpec {
    Count(i64),
    Sequential(SequentialFile),
}

/// `replications = { … }`: every key optional (defaults in
/// `stats::settings::Sequential`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with target, confidence, measure, min, max, step")]
pub struct SequentialFile {
    /// Stop when the CI half width is at most this share of the mean.
    pub target: Option<f64>,
    /// Confidence level of that interval.
    pub confidence: Option<f64>,
    /// `mean`, `p50`, `p90`, `p95`, `p99` (default), `p999` or `throughput`.
    pub measure: Option<String>,
    /// Replications before the first check.
    pub min: Option<u32>,
    /// The most replications to run.
    pub max: Option<u32>,
    /// Replications added between checks (default: `min`).
    pub step: Option<u32>,
}

impl<'de> Deserialize<'de> for ReplicationsSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ReplicationsSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a number of replications, or a table like { target = 0.03, confidence = 0.99 }",
                )
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<ReplicationsSpec, E> {
                Ok(ReplicationsSpec::Count(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<ReplicationsSpec, E> {
                Ok(ReplicationsSpec::Count(
                    i64::try_from(n).unwrap_or(i64::MAX),
                ))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ReplicationsSpec, A::Error> {
                SequentialFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ReplicationsSpec::Sequential)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        warmup: Option<WarmupSpec>,
        replications: Option<ReplicationsSpec>,
    }

    fn parse(s: &str) -> Result<T, String> {
        toml::from_str(s).map_err(|e| e.to_string())
    }

    #[test]
    fn both_spellings_parse() {
        let t = parse("warmup = \"auto\"\nreplications = 7").unwrap();
        assert_eq!(t.warmup, Some(WarmupSpec::Auto));
        assert_eq!(t.replications, Some(ReplicationsSpec::Count(7)));
        let t =
            parse("warmup = \"2s\"\nreplications = { target = 0.01, measure = \"mean\" }").unwrap();
        assert!(matches!(t.warmup, Some(WarmupSpec::Fixed(d)) if d.0.as_secs_f64() == 2.0));
        let Some(ReplicationsSpec::Sequential(s)) = t.replications else {
            panic!()
        };
        assert_eq!((s.target, s.measure.as_deref()), (Some(0.01), Some("mean")));
        assert_eq!(parse("warmup = 0").unwrap().warmup.map(|_| ()), Some(()));
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse("warmup = \"soon\"").err().unwrap();
        assert!(e.contains("\"auto\""), "{e}");
        let e = parse("replications = { traget = 0.1 }").err().unwrap();
        assert!(e.contains("traget"), "{e}");
        let e = parse("replications = \"many\"").err().unwrap();
        assert!(e.contains("a number of replications, or a table"), "{e}");
        let e = parse("warmup = 5").err().unwrap();
        assert!(e.contains("needs a unit"), "{e}");
    }
}
