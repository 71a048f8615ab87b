//! Validation of an experiment's run parameters: duration, warm-up (fixed
//! or `"auto"`), drain, time-series window, replications (a count, or
//! sequential stopping), seed, common random numbers and batch means.

use super::super::experiment::*;
use super::super::limits;
use super::super::stats_spec::{ReplicationsSpec, SequentialFile, WarmupSpec};
use super::Checker;
use crate::engine::SimDuration;
use crate::stack::config::*;
use crate::stats::mser;
use crate::stats::settings::{Measure, Sequential, Statistics};

impl Checker<'_> {
    /// Converts the run parameters of an experiment.
    pub fn run(&mut self, e: &ExperimentFile) -> Option<RunConfig> {
        let duration = e.duration.0;
        if duration.is_zero() {
            self.err("duration", "must be positive");
        }
        let auto_warmup = e.warmup == Some(WarmupSpec::Auto);
        let warmup = match e.warmup {
            Some(WarmupSpec::Fixed(w)) => w.0,
            _ => ExperimentFile::WARMUP,
        };
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
        if auto_warmup && !window.is_zero() {
            let need = (mser::MIN_BATCHES * mser::BATCH_SIZE) as u64;
            if limits::windows(duration, window) < need {
                self.err(
                    "warmup",
                    format!(
                        "\"auto\" needs at least {need} time-series windows (MSER-5 averages them in batches of {} and needs {} batches); {duration} in windows of {window} makes {}: use a window of at most {}",
                        mser::BATCH_SIZE,
                        mser::MIN_BATCHES,
                        limits::windows(duration, window),
                        SimDuration(duration.0 / need)
                    ),
                );
            }
        }
        let (replications, sequential) = match &e.replications {
            None => (ExperimentFile::REPLICATIONS, None),
            Some(ReplicationsSpec::Count(n)) => (self.replication_count("replications", *n), None),
            Some(ReplicationsSpec::Sequential(f)) => {
                let s = self.sequential(f);
                (s.min, Some(s))
            }
        };
        if let Some(b) = e.batches {
            let measured_time = SimDuration(duration.0.saturating_sub(warmup.0));
            // Windows that start at or after the warm-up's end.
            let measured = if window.is_zero() {
                0
            } else {
                limits::windows(duration, window).saturating_sub(warmup.0.div_ceil(window.0))
            };
            if b < 2 {
                self.err(
                    "batches",
                    format!(
                        "must be at least 2 (a confidence interval needs two batches), found {b}"
                    ),
                );
            } else if replications != 1 || sequential.is_some() {
                self.err(
                    "batches",
                    "batch means replace replications: give `replications = 1` with `batches` (one long run cut into batches)",
                );
            } else if !window.is_zero() && measured < u64::from(b) {
                self.err(
                    "batches",
                    format!(
                        "{b} batches need at least {b} time-series windows after the warm-up; {measured_time} in windows of {window} makes {measured}: use a shorter window or fewer batches"
                    ),
                );
            }
        }
        Some(RunConfig {
            duration,
            warmup,
            drain: e.drain.map_or(ExperimentFile::DRAIN, |d| d.0),
            window,
            replications,
            seed: e.seed.unwrap_or(ExperimentFile::SEED),
            stats: Statistics {
                auto_warmup,
                sequential,
                common_random_numbers: e.common_random_numbers.unwrap_or(true),
                batches: e.batches,
            },
        })
    }

    /// A fixed number of replications, within 1..=MAX_REPLICATIONS.
    fn replication_count(&mut self, path: &str, n: i64) -> u32 {
        if n < 1 {
            self.err(path, format!("must be at least 1, found {n}"));
            return 1;
        }
        if n > i64::from(limits::MAX_REPLICATIONS) {
            self.err(
                path,
                format!(
                    "at most {} per scenario (confidence intervals narrow as 1/√n: 100 already give a tenth of one replication's spread), found {n}",
                    limits::MAX_REPLICATIONS
                ),
            );
            return 1;
        }
        n as u32
    }

    /// `replications = { target, confidence, measure, min, max, step }`.
    fn sequential(&mut self, f: &SequentialFile) -> Sequential {
        let target = f.target.unwrap_or(Sequential::TARGET);
        if !(target > 0.0 && target < 1.0) {
            self.err(
                "replications.target",
                format!("must be a share of the mean between 0 and 1 (0.03 = ±3%), found {target}"),
            );
        }
        let confidence = f.confidence.unwrap_or(Sequential::CONFIDENCE);
        if !(0.5..=0.9999).contains(&confidence) {
            self.err(
                "replications.confidence",
                format!("must be between 0.5 and 0.9999 (0.99 = 99%), found {confidence}"),
            );
        }
        let measure = match f.measure.as_deref() {
            None => Sequential::MEASURE,
            Some(m) => Measure::parse(m).unwrap_or_else(|| {
                let names: Vec<&str> = Measure::ALL.iter().map(|(n, _)| *n).collect();
                self.err(
                    "replications.measure",
                    format!(
                        "unknown measure \"{m}\"; expected one of {}",
                        names.join(", ")
                    ),
                );
                Sequential::MEASURE
            }),
        };
        let min = f.min.unwrap_or(Sequential::MIN);
        if min < 2 {
            self.err(
                "replications.min",
                format!(
                    "must be at least 2 (a confidence interval needs two replications), found {min}"
                ),
            );
        }
        let max = f.max.unwrap_or(Sequential::MAX.max(min));
        if max < min {
            self.err(
                "replications.max",
                format!("must be at least `min` ({min}), found {max}"),
            );
        } else if max > limits::MAX_REPLICATIONS {
            self.err(
                "replications.max",
                format!(
                    "at most {} per scenario, found {max}",
                    limits::MAX_REPLICATIONS
                ),
            );
        }
        let step = f.step.unwrap_or(min.max(1));
        if step == 0 {
            self.err("replications.step", "must be at least 1, found 0");
        }
        Sequential {
            target,
            confidence,
            measure,
            min: min.clamp(2, limits::MAX_REPLICATIONS),
            max: max.clamp(2, limits::MAX_REPLICATIONS),
            step: step.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;
    use crate::stats::settings::{Measure, Statistics};

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
    fn statistics_spellings_convert() {
        let r = scenario(&format!(
            "warmup = \"auto\"\nwindow = \"100ms\"\ncommon_random_numbers = false\nreplications = {{ target = 0.05, measure = \"mean\", min = 4, max = 40 }}\n{BASE}"
        ))
        .run;
        assert!(r.stats.auto_warmup && !r.stats.common_random_numbers);
        let s = r.stats.sequential.unwrap();
        assert_eq!((s.target, s.confidence), (0.05, 0.99));
        assert_eq!((s.measure, s.min, s.max, s.step), (Measure::Mean, 4, 40, 4));
        assert_eq!(r.replications, 4);
        assert!(scenario(BASE).run.stats == Statistics::default());
    }

    #[test]
    fn statistics_settings_are_checked() {
        let p = problems(&format!(
            "warmup = \"auto\"\nreplications = {{ target = 1.5, confidence = 0.2, measure = \"p42\", min = 1, max = 20000, step = 0 }}\n{BASE}"
        ));
        for want in [
            "\"auto\" needs at least 50 time-series windows",
            "between 0 and 1 (0.03 = ±3%), found 1.5",
            "between 0.5 and 0.9999",
            "unknown measure \"p42\"; expected one of mean, p50",
            "at least 2 (a confidence interval",
            "at most 10000 per scenario, found 20000",
            "must be at least 1, found 0",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
    }

    #[test]
    fn batch_means_need_one_replication_and_enough_windows() {
        let ok = scenario(&format!("replications = 1\nbatches = 5\n{BASE}")).run;
        assert_eq!((ok.replications, ok.stats.batches), (1, Some(5)));
        for (lines, want) in [
            (
                "replications = 1\nbatches = 1",
                "must be at least 2 (a confidence interval needs two batches)",
            ),
            (
                "replications = 3\nbatches = 5",
                "batch means replace replications: give `replications = 1`",
            ),
            (
                "replications = 1\nbatches = 50",
                "50 batches need at least 50 time-series windows after the warm-up; 10s in windows of 1s makes 10",
            ),
        ] {
            let p = problems(&format!("{lines}\n{BASE}"));
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
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
