//! CI-aware decisions: an estimate passes an upper bound only when its 95%
//! interval lies wholly below it, fails when the interval lies wholly above
//! it, and is undecided while the interval straddles it (more replications
//! can then settle it). No figure at all (no successful request) fails.

use crate::stats::Estimate;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Undecided,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Undecided => "undecided",
        }
    }
}

/// The 95% interval's ends; a single replication's interval is unknown
/// (NaN half width), which decides nothing.
fn bounds(e: &Estimate) -> (f64, f64) {
    let h = if e.n >= 2 { e.half_width_95 } else { f64::NAN };
    (e.mean - h, e.mean + h)
}

/// `e` ≤ `max`, judged on its interval.
pub fn at_most(e: &Estimate, max: f64) -> Verdict {
    if !e.mean.is_finite() {
        return Verdict::Fail;
    }
    let (lo, hi) = bounds(e);
    if hi <= max {
        Verdict::Pass
    } else if lo > max {
        Verdict::Fail
    } else {
        Verdict::Undecided
    }
}

/// `e` ≥ `min`, judged on its interval.
pub fn at_least(e: &Estimate, min: f64) -> Verdict {
    if !e.mean.is_finite() {
        return Verdict::Fail;
    }
    let (lo, hi) = bounds(e);
    if lo >= min {
        Verdict::Pass
    } else if hi < min {
        Verdict::Fail
    } else {
        Verdict::Undecided
    }
}

/// Every verdict together: a failure fails, all passes pass, else undecided.
pub fn all(vs: &[Verdict]) -> Verdict {
    if vs.contains(&Verdict::Fail) {
        Verdict::Fail
    } else if vs.iter().all(|v| *v == Verdict::Pass) {
        Verdict::Pass
    } else {
        Verdict::Undecided
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(xs: &[f64]) -> Estimate {
        Estimate::from_samples(xs)
    }

    #[test]
    fn a_point_passes_only_when_its_whole_interval_meets_the_bound() {
        // Mean 100, s = 10, n = 4: half width t(0.975, 3)·10/2 = 3.182·5 = 15.9.
        let e = est(&[90.0, 100.0, 110.0, 100.0 + 0.0]);
        let h = e.half_width_95;
        assert!((h - 3.182_446 * e.std_dev / 2.0).abs() < 1e-4);
        assert_eq!(at_most(&e, e.mean + h + 1e-9), Verdict::Pass);
        assert_eq!(at_most(&e, e.mean + h - 1e-6), Verdict::Undecided);
        assert_eq!(at_most(&e, e.mean - h + 1e-6), Verdict::Undecided);
        assert_eq!(at_most(&e, e.mean - h - 1e-6), Verdict::Fail);
        assert_eq!(at_least(&e, e.mean - h), Verdict::Pass);
        assert_eq!(at_least(&e, e.mean + h + 1e-6), Verdict::Fail);
    }

    #[test]
    fn one_replication_or_no_figure_decides_nothing_or_fails() {
        assert_eq!(at_most(&est(&[1.0]), 5.0), Verdict::Undecided);
        assert_eq!(at_most(&est(&[]), 5.0), Verdict::Fail);
        // Identical replications (no failure anywhere): a zero-width interval.
        assert_eq!(at_most(&est(&[0.0, 0.0, 0.0]), 0.001), Verdict::Pass);
    }

    #[test]
    fn verdicts_combine_fail_first() {
        use Verdict::*;
        assert_eq!(all(&[Pass, Undecided, Fail]), Fail);
        assert_eq!(all(&[Pass, Undecided]), Undecided);
        assert_eq!(all(&[Pass, Pass]), Pass);
    }
}
