//! Durations as written in model files: a number and a unit, `"250us"`,
//! `"1.5ms"`, `"2s"`, `"5m"`. The only unitless value accepted is zero (`"0"`
//! or the integer `0`), because a bare `5` is ambiguous between units.
//!
//! Invariants: results are whole nanoseconds (fractions round to nearest);
//! negative, NaN, infinite or out-of-range (> ~584 years) inputs are errors,
//! never clamped. Integer amounts are converted exactly, without `f64`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::engine::SimDuration;

/// Accepted units and their size in nanoseconds (`µ` is U+00B5, `μ` U+03BC).
const UNITS: [(&str, u64); 9] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const EXPECTED: &str =
    "expected a number and a unit (ns, us, ms, s, m, h), like \"250us\" or \"1.5s\"";

/// Parses `"<number><unit>"` (optional spaces between) into a duration.
pub fn parse_duration(s: &str) -> Result<SimDuration, String> {
    let text = s.trim();
    let unit_start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (number, unit) = (text[..unit_start].trim_end(), &text[unit_start..]);
    if number.is_empty() {
        return Err(format!("invalid duration \"{s}\": {EXPECTED}"));
    }
    if number.starts_with('-') {
        return Err(format!(
            "invalid duration \"{s}\": durations cannot be negative"
        ));
    }
    let value: f64 = number.parse().map_err(|_| {
        format!("invalid duration \"{s}\": \"{number}\" is not a number; {EXPECTED}")
    })?;
    if unit.is_empty() {
        return if value == 0.0 {
            Ok(SimDuration::ZERO)
        } else {
            Err(format!(
                "invalid duration \"{s}\": missing unit; write e.g. \"{number}ms\" or \"{number}s\""
            ))
        };
    }
    let Some(&(_, ns_per_unit)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!(
            "invalid duration \"{s}\": unknown unit \"{unit}\"; expected one of ns, us, ms, s, m, h"
        ));
    };
    let too_large =
        || format!("invalid duration \"{s}\": too large (the limit is about 584 years)");
    if number.bytes().all(|b| b.is_ascii_digit()) {
        // Exact integer path: "18446744073709551615ns" must not go through f64.
        let n: u64 = number.parse().map_err(|_| too_large())?;
        return n
            .checked_mul(ns_per_unit)
            .map(SimDuration)
            .ok_or_else(too_large);
    }
    let ns = value * ns_per_unit as f64;
    if !ns.is_finite() || ns >= u64::MAX as f64 {
        return Err(too_large());
    }
    Ok(SimDuration::from_nanos_f64(ns))
}

/// A duration field of a model file: a unit string, or the integer 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DurationSpec(pub SimDuration);

impl From<DurationSpec> for SimDuration {
    fn from(d: DurationSpec) -> SimDuration {
        d.0
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The message for a unitless number where a duration was expected.
pub(crate) fn bare_number_message(n: impl fmt::Display) -> String {
    let n = n.to_string();
    if n.parse::<f64>().is_ok_and(f64::is_finite) {
        format!(
            "found the number {n}, but a duration needs a unit: write e.g. \"{n}ms\" or \"{n}s\""
        )
    } else {
        format!(
            "found the number {n}, but a duration is a finite time with a unit, e.g. \"10ms\" or \"2s\""
        )
    }
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor)
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = DurationSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration string like \"250us\" or \"1.5s\"")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<DurationSpec, E> {
        parse_duration(s).map(DurationSpec).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<DurationSpec, E> {
        match n {
            0 => Ok(DurationSpec(SimDuration::ZERO)),
            n if n < 0 => Err(E::custom(format!(
                "found {n}, but durations cannot be negative"
            ))),
            n => Err(E::custom(bare_number_message(n))),
        }
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<DurationSpec, E> {
        self.visit_i64(i64::try_from(n).unwrap_or(i64::MAX))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<DurationSpec, E> {
        Err(E::custom(bare_number_message(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> u64 {
        parse_duration(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .as_nanos()
    }

    #[test]
    fn accepts_every_unit() {
        assert_eq!(ok("100ns"), 100);
        assert_eq!(ok("250us"), 250_000);
        assert_eq!(ok("250µs"), 250_000);
        assert_eq!(ok("250μs"), 250_000);
        assert_eq!(ok("4ms"), 4_000_000);
        assert_eq!(ok("1.5ms"), 1_500_000);
        assert_eq!(ok("0.1ms"), 100_000);
        assert_eq!(ok("2s"), 2_000_000_000);
        assert_eq!(ok("5m"), 300_000_000_000);
        assert_eq!(ok("1h"), 3_600_000_000_000);
        assert_eq!(ok(" 4 ms "), 4_000_000);
        assert_eq!(ok("1e3us"), 1_000_000);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("0s"), 0);
        assert_eq!(ok("0.0"), 0);
        assert_eq!(ok("18446744073709551615ns"), u64::MAX);
    }

    #[test]
    fn rejects_with_a_message_naming_the_input() {
        let err = |s: &str| parse_duration(s).unwrap_err();
        assert_eq!(
            err("-5ms"),
            "invalid duration \"-5ms\": durations cannot be negative"
        );
        assert_eq!(
            err("5"),
            "invalid duration \"5\": missing unit; write e.g. \"5ms\" or \"5s\""
        );
        assert_eq!(
            err("5sec"),
            "invalid duration \"5sec\": unknown unit \"sec\"; expected one of ns, us, ms, s, m, h"
        );
        assert_eq!(err("NaN"), format!("invalid duration \"NaN\": {EXPECTED}"));
        assert_eq!(
            err("nanms"),
            format!("invalid duration \"nanms\": {EXPECTED}")
        );
        assert_eq!(err(""), format!("invalid duration \"\": {EXPECTED}"));
        assert_eq!(
            err("1.2.3ms"),
            format!("invalid duration \"1.2.3ms\": \"1.2.3\" is not a number; {EXPECTED}")
        );
        assert_eq!(
            err("fast"),
            format!("invalid duration \"fast\": {EXPECTED}")
        );
        let big = "invalid duration \"{}\": too large (the limit is about 584 years)";
        assert_eq!(
            err("18446744073709551616ns"),
            big.replace("{}", "18446744073709551616ns")
        );
        assert_eq!(err("20000000000s"), big.replace("{}", "20000000000s"));
        assert_eq!(err("1e300h"), big.replace("{}", "1e300h"));
    }

    #[derive(serde::Deserialize, Debug)]
    struct Wrapper {
        timeout: DurationSpec,
    }

    fn from_toml(src: &str) -> Result<SimDuration, String> {
        toml::from_str::<Wrapper>(src)
            .map(|w| w.timeout.into())
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn deserializes_from_strings_and_integer_zero() {
        assert_eq!(
            from_toml("timeout = \"2.5s\""),
            Ok(SimDuration::from_millis(2500))
        );
        assert_eq!(from_toml("timeout = 0"), Ok(SimDuration::ZERO));
        assert_eq!(
            from_toml("timeout = 5").unwrap_err(),
            bare_number_message(5)
        );
        assert_eq!(
            from_toml("timeout = 1.5").unwrap_err(),
            bare_number_message(1.5)
        );
        // No "write e.g. \"nanms\"" for a number that is not finite.
        assert_eq!(
            from_toml("timeout = nan").unwrap_err(),
            "found the number NaN, but a duration is a finite time with a unit, e.g. \"10ms\" or \"2s\""
        );
        assert!(
            from_toml("timeout = inf")
                .unwrap_err()
                .contains("a finite time")
        );
        assert_eq!(
            from_toml("timeout = -3").unwrap_err(),
            "found -3, but durations cannot be negative"
        );
        assert_eq!(
            from_toml("timeout = \"3 parsecs\"").unwrap_err(),
            "invalid duration \"3 parsecs\": unknown unit \"parsecs\"; expected one of ns, us, ms, s, m, h"
        );
        let wrong = from_toml("timeout = true").unwrap_err();
        assert!(
            wrong.contains("expected a duration string like \"250us\""),
            "{wrong}"
        );
    }
}
