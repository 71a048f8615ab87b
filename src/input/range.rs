//! Ranges of sweep values: `{ from, to, step }`, `{ from, to, steps }` and
//! `{ from, to, steps, scale = "log" }`.
//!
//! A range is counted before it is expanded, so a range of a billion values
//! is refused at once; values are computed as `from + i·step` (never by
//! adding steps up) and rounded to 12 significant digits, so 0.1 steps give
//! 0.3, not 0.30000000000000004. Log ranges are rounded to 3 significant
//! digits (100, 316, 1000, 3160, 10000). A whole number is written as a TOML
//! integer, so it suits integer and float fields alike.

use super::experiment::RangeFile;
use super::limits;
use toml::Value;

/// `x` rounded to `digits` significant digits.
fn clean(x: f64, digits: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{:.*e}", digits - 1, x).parse().unwrap_or(x)
}

/// The values of a range, or why it has none.
pub fn expand_range(r: &RangeFile) -> Result<Vec<f64>, String> {
    let most = limits::MAX_SCENARIOS;
    let too_many = |n: f64| {
        format!("this range expands to {n:.0} values; at most {most} scenarios in one experiment")
    };
    if !r.from.is_finite() || !r.to.is_finite() {
        return Err("`from` and `to` must be finite numbers".into());
    }
    let log = match r.scale.as_deref() {
        None | Some("linear") => false,
        Some("log") => true,
        Some(other) => return Err(format!("`scale` is `linear` or `log`, found `{other}`")),
    };
    match (r.step, r.steps) {
        (Some(_), Some(_)) => Err("give `step` or `steps`, not both".into()),
        (None, None) => {
            Err("give `step` (the distance between values) or `steps` (how many values)".into())
        }
        (Some(_), None) if log => {
            Err("a log range takes `steps` (how many values), not `step`".into())
        }
        (Some(step), None) => {
            if !step.is_finite() || step == 0.0 {
                return Err(format!(
                    "`step` must be a number other than 0, found {step}"
                ));
            }
            let span = (r.to - r.from) / step;
            if span < 0.0 {
                return Err(format!(
                    "a step of {step} from {} never reaches {}",
                    r.from, r.to
                ));
            }
            if span + 1.0 > most as f64 {
                return Err(too_many(span.floor() + 1.0));
            }
            let n = (span + 1e-9).floor() as usize + 1;
            Ok((0..n)
                .map(|i| clean(r.from + i as f64 * step, 12))
                .collect())
        }
        (None, Some(steps)) => {
            if steps < 2 {
                return Err(format!(
                    "`steps` must be at least 2, found {steps} (for one value, write a list: `[{}]`)",
                    r.from
                ));
            }
            if steps > most as u64 {
                return Err(too_many(steps as f64));
            }
            if log && (r.from <= 0.0 || r.to <= 0.0) {
                return Err(format!(
                    "a log range needs `from` and `to` above 0, found {} and {}",
                    r.from, r.to
                ));
            }
            let last = (steps - 1) as f64;
            Ok((0..steps)
                .map(|i| {
                    let t = i as f64 / last;
                    match (i, log) {
                        (0, _) => r.from,
                        (i, _) if i == steps - 1 => r.to,
                        (_, true) => clean(r.from * (r.to / r.from).powf(t), 3),
                        (_, false) => clean(r.from + t * (r.to - r.from), 12),
                    }
                })
                .collect())
        }
    }
}

/// A number as TOML: an integer when it is whole.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::Integer(x as i64)
    } else {
        Value::Float(x)
    }
}

/// How a value is shown in a scenario name and summary.csv.
pub fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: f64, to: f64, step: Option<f64>, steps: Option<u64>, log: bool) -> RangeFile {
        RangeFile {
            from,
            to,
            step,
            steps,
            scale: log.then(|| "log".to_string()),
        }
    }

    #[test]
    fn linear_ranges_count_from_the_start_without_accumulating_error() {
        let r = expand_range(&range(100.0, 2000.0, Some(100.0), None, false)).unwrap();
        assert_eq!(r.len(), 20);
        assert_eq!((r[0], r[19]), (100.0, 2000.0));
        let tenths = expand_range(&range(0.0, 1.0, Some(0.1), None, false)).unwrap();
        assert_eq!(tenths.len(), 11);
        assert_eq!(tenths[3], 0.3);
        assert_eq!(shown(&number(tenths[3])), "0.3");
        assert_eq!(shown(&number(tenths[10])), "1");
        // Downwards, and a step that does not land on `to`.
        let down = expand_range(&range(10.0, 1.0, Some(-4.0), None, false)).unwrap();
        assert_eq!(down, vec![10.0, 6.0, 2.0]);
        let even = expand_range(&range(1.0, 2.0, None, Some(5), false)).unwrap();
        assert_eq!(even, vec![1.0, 1.25, 1.5, 1.75, 2.0]);
    }

    #[test]
    fn log_ranges_are_geometric_and_rounded_to_three_digits() {
        let r = expand_range(&range(100.0, 10000.0, None, Some(5), true)).unwrap();
        assert_eq!(r, vec![100.0, 316.0, 1000.0, 3160.0, 10000.0]);
        let doubling = expand_range(&range(1.0, 64.0, None, Some(7), true)).unwrap();
        assert_eq!(doubling, vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]);
        assert!(matches!(number(doubling[1]), Value::Integer(2)));
    }

    #[test]
    fn bad_ranges_say_why_before_expanding() {
        let err = |r: RangeFile| expand_range(&r).unwrap_err();
        let huge = err(range(1.0, 1e9, Some(1.0), None, false));
        assert!(
            huge.contains("expands to 1000000000 values; at most 1000"),
            "{huge}"
        );
        assert!(err(range(1.0, 1e18, None, Some(u64::MAX), true)).contains("at most 1000"));
        assert!(err(range(1.0, 2.0, Some(0.0), None, false)).contains("other than 0"));
        assert!(err(range(1.0, 2.0, Some(-1.0), None, false)).contains("never reaches 2"));
        assert!(err(range(1.0, 2.0, Some(1.0), Some(3), false)).contains("not both"));
        assert!(err(range(1.0, 2.0, None, None, false)).contains("give `step`"));
        assert!(err(range(1.0, 2.0, Some(1.0), None, true)).contains("not `step`"));
        assert!(err(range(0.0, 2.0, None, Some(3), true)).contains("above 0"));
        assert!(err(range(1.0, 2.0, None, Some(1), false)).contains("at least 2"));
        assert!(err(range(f64::NAN, 2.0, None, Some(3), false)).contains("finite"));
        let mut odd = range(1.0, 2.0, None, Some(3), false);
        odd.scale = Some("cubic".into());
        assert!(err(odd).contains("`linear` or `log`"));
    }
}
