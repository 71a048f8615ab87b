//! What an experiment asks of its output analysis, beyond a fixed run:
//! warm-up found by MSER-5, sequential stopping at a target precision, and
//! whether the scenarios of a sweep share random numbers, batch means. Plain data, set by
//! `input::validate` and read by `experiment`; the defaults reproduce a
//! fixed warm-up, a fixed replication count and common random numbers.

/// The figure whose confidence interval decides when to stop adding
/// replications (each replication gives one value; see `experiment::summary`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Mean,
    P50,
    P90,
    P95,
    P99,
    P999,
    Throughput,
}

impl Measure {
    /// Every measure with its spelling in an experiment file.
    pub const ALL: [(&'static str, Measure); 7] = [
        ("mean", Measure::Mean),
        ("p50", Measure::P50),
        ("p90", Measure::P90),
        ("p95", Measure::P95),
        ("p99", Measure::P99),
        ("p999", Measure::P999),
        ("throughput", Measure::Throughput),
    ];

    /// The measure spelled `s`, if any.
    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.iter().find(|(n, _)| *n == s).map(|&(_, m)| m)
    }

    /// Its spelling in an experiment file and in the output.
    pub fn name(self) -> &'static str {
        Measure::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("?", |(n, _)| n)
    }
}

/// `replications = { target, confidence, measure, min, max, step }`: add
/// replications, `step` at a time after the first `min`, until the CI
/// half width of `measure` at `confidence` is at most `target` × its mean,
/// or `max` replications have run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sequential {
    pub target: f64,
    pub confidence: f64,
    pub measure: Measure,
    pub min: u32,
    pub max: u32,
    pub step: u32,
}

impl Sequential {
    /// JMT's default precision: a half width of 3% of the mean…
    pub const TARGET: f64 = 0.03;
    /// …at 99% confidence.
    pub const CONFIDENCE: f64 = 0.99;
    /// The tail is what a capacity question is about.
    pub const MEASURE: Measure = Measure::P99;
    /// Replications before the first check (enough for a t interval).
    pub const MIN: u32 = 5;
    /// The cap, whatever the precision reached.
    pub const MAX: u32 = 200;
}

/// The output-analysis settings of one scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Statistics {
    /// `warmup = "auto"`: the warm-up is found by MSER-5 from the first
    /// replications' time series (`RunConfig::warmup` is then ignored).
    pub auto_warmup: bool,
    /// `replications = { target = … }`: sequential stopping.
    pub sequential: Option<Sequential>,
    /// Scenarios of a sweep share random numbers (replication r of every
    /// scenario draws the same streams); false folds the scenario's index
    /// into its seed.
    pub common_random_numbers: bool,
    /// `batches = N` (with one replication): confidence intervals from N
    /// batch means of the one long run (`stats::batch_means`).
    pub batches: Option<u32>,
}

impl Default for Statistics {
    fn default() -> Self {
        Statistics {
            auto_warmup: false,
            sequential: None,
            common_random_numbers: true,
            batches: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_spells_back() {
        for (name, m) in Measure::ALL {
            assert_eq!(Measure::parse(name), Some(m));
            assert_eq!(m.name(), name);
        }
        assert_eq!(Measure::parse("p42"), None);
    }

    #[test]
    fn defaults_change_nothing() {
        let s = Statistics::default();
        assert!(!s.auto_warmup && s.sequential.is_none() && s.common_random_numbers);
        const { assert!(Sequential::MIN >= 2 && Sequential::MAX >= Sequential::MIN) };
    }
}
