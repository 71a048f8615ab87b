//! Validation of an experiment's run parameters: duration, warm-up,
//! drain, time-series window, replications and seed.

use super::super::experiment::*;
use super::super::limits;
use super::Checker;
use crate::engine::SimDuration;
use crate::stack::config::*;

impl Checker<'_> {
    /// Converts the run parameters of an experiment.
    pub fn run(&mut self, e: &ExperimentFile) -> Option<RunConfig> {
        let duration = e.duration.0;
        if duration.is_zero() {
            self.err("duration", "must be positive");
        }
        let warmup = e.warmup.map_or(ExperimentFile::WARMUP, |w| w.0);
        if warmup >= duration && !duration.is_zero() {
            self.err(
                "warmup",
                format!("must be shorter than `duration` ({duration})"),
            );
        }
        let window = e.window.map_or(ExperimentFile::WINDOW, |w| w.0);
        if window < limits::MIN_WINDOW {
            self.err(
                "window",
                format!("must be at least {} (a shorter window holds too few requests for a percentile), found {window}", limits::MIN_WINDOW),
            );
        } else if limits::windows(duration, window) > limits::MAX_WINDOWS_PER_RUN {
            self.err(
                if e.window.is_some() { "window" } else { "duration" },
                format!(
                    "{duration} in windows of {window} makes {} windows; at most {} per replication (one row of timeseries.csv each): use a window of at least {}",
                    limits::windows(duration, window),
                    limits::MAX_WINDOWS_PER_RUN,
                    SimDuration(duration.0.div_ceil(limits::MAX_WINDOWS_PER_RUN))
                ),
            );
        }
        let replications = self.at_least_one(
            "replications",
            e.replications.unwrap_or(ExperimentFile::REPLICATIONS),
        );
        if replications > limits::MAX_REPLICATIONS {
            self.err(
                "replications",
                format!(
                    "at most {} per scenario (confidence intervals narrow as 1/√n: 100 already give a tenth of one replication's spread), found {replications}",
                    limits::MAX_REPLICATIONS
                ),
            );
        }
        Some(RunConfig {
            duration,
            warmup,
            drain: e.drain.map_or(ExperimentFile::DRAIN, |d| d.0),
            window,
            replications,
            seed: e.seed.unwrap_or(ExperimentFile::SEED),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;

    #[test]
    fn run_defaults_apply() {
        let r = scenario(BASE).run;
        assert_eq!(r.duration, SimDuration::from_secs(10));
        assert_eq!(r.warmup, SimDuration::ZERO);
        assert_eq!(r.drain, SimDuration::from_secs(30));
        assert_eq!(r.window, SimDuration::from_secs(1));
        assert_eq!((r.replications, r.seed), (5, 1));
    }

    #[test]
    fn run_parameters_are_checked() {
        let p = problems(&format!(
            "warmup = \"20s\"\nreplications = 0\nwindow = \"1ns\"\n{BASE}"
        ));
        for want in [
            "must be shorter than `duration`",
            "must be at least 1, found 0",
            "a shorter window holds too few requests",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
    }
}
