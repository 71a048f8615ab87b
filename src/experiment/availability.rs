//! `stacksim availability`: the site's availability over years, from the
//! components' failures and repairs alone (no requests are simulated).
//!
//! Components: every balancer, server (its host) and database (its
//! process) with a `reliability`; the others never fail. Each alternates
//! up ~ Exp(mean MTBF) and down for detection + Exp(mean MTTR), where
//! detection is `monitoring.detection()` (`alert_delay` with monitoring,
//! `notice_delay` without) or 0 with `--no-detection` (then a component's
//! availability is MTBF/(MTBF + MTTR)). Components fail independently; all
//! start up at time 0.
//!
//! The site is up at an instant iff:
//! 1. the entry is reachable and usable. Every DNS address must be (clients
//!    holding a dead address fail), or — when the workload's clients
//!    `try_next_address` — any one suffices. A server address is reachable
//!    when the server is up; a balancer address when the balancer is up,
//!    or when it is a VRRP master whose backup is up and the takeover delay
//!    (`vrrp.takeover(true)`, the master-down interval) has passed since
//!    the master failed — so every master failure costs that gap. The
//!    balancer holding the address serves it.
//! 2. a usable address has at least one backend (or is itself a server)
//!    that is up and whose `reads_from` database is effectively up (when
//!    any class reads), and
//! 3. whose `writes_to` database is effectively up (when any class writes)
//!    — in a replication set, whichever database is the set's primary:
//!    when the primary stops answering, its failover policy promotes the
//!    first database of the set that answers after the policy's mean delay
//!    (manual: detection + decision; orchestrator: half a poll + confirm +
//!    recovery; MHA: half a ping + 3 pings + the mean failover time), or
//!    the first to come back if none answers then; the primary answering
//!    first cancels it. So with automatic failover a primary's failure
//!    costs the failover delay, not its repair.
//!
//! A database is effectively up when its process and its `host` server are
//! both up. Health checks are taken as instant: a balancer never sends to
//! a dead backend, so the site is up while one working path remains (a
//! partial outage, e.g. a replica down behind a live server, counts as up).
//! A model without a workload counts reads and writes, one address at a time.
//!
//! Figures per scenario: availability A = mean over replications of the
//! up-time share, with a Student-t 95% half width; nines −log10(1 − A);
//! downtime minutes per 365.25-day year; per component, failures per year
//! and the share of the site's downtime during which it was down (shares
//! can sum past 100% when failures overlap). The analytic figure
//! ([`exact`]) enumerates the 2ⁿ states of independent components
//! (n ≤ 20) and ignores the VRRP gap, whose expected cost (failures/year ×
//! gap) is reported beside it.
//!
//! Determinism: each component draws from its own stream named after it
//! (common random numbers across scenarios); replications run in parallel
//! and are collected in order. Time is integer nanoseconds, so a
//! replication lasts at most [`MAX_YEARS`].

pub mod exact;
pub mod renewal;
pub mod structure;

use crate::engine::SimDuration;
use crate::stack::config::{ModelConfig, Workload};
use crate::stats::Estimate;
use rayon::prelude::*;
pub use structure::Structure;

/// Nanoseconds in a 365.25-day year.
pub const NS_PER_YEAR: u64 = 31_557_600 * 1_000_000_000;
/// Minutes in a 365.25-day year.
pub const MIN_PER_YEAR: f64 = 525_960.0;
/// The longest replication integer nanoseconds hold (u64: 584 years).
pub const MAX_YEARS: u32 = 500;

/// Why an availability study cannot run: its settings or a model are out
/// of range (bad input).
#[derive(Debug, thiserror::Error)]
pub enum AvailabilityError {
    #[error(
        "--years must be between 1 and {MAX_YEARS} (time is integer nanoseconds); use more --replications for a longer total"
    )]
    Years,
    #[error("--replications must be from 1 to {most}, found {found}")]
    Replications { found: u32, most: u32 },
    #[error(
        "model {model}: {count} components have a `reliability`; `availability` handles at most {}",
        structure::MAX_COMPONENTS
    )]
    TooManyComponents { model: String, count: usize },
}

/// One model to assess (a scenario of an experiment, or a model file).
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub model: ModelConfig,
    pub workload: Option<Workload>,
}

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub years: u32,
    pub replications: u32,
    pub seed: u64,
    /// false: `--no-detection` (repair starts at the failure).
    pub detection: bool,
}

/// The figures of one component.
#[derive(Clone, Debug)]
pub struct ComponentAvailability {
    pub name: String,
    pub kind: &'static str,
    pub failures_per_year: f64,
    /// Share of the site's downtime during which it was down (pooled over replications).
    pub downtime_share: f64,
    /// 1 year / (MTBF + detection + MTTR).
    pub analytic_failures_per_year: f64,
    /// P(down | site down), when enumerated.
    pub analytic_downtime_share: Option<f64>,
}

/// The figures of one scenario.
#[derive(Clone, Debug)]
pub struct ScenarioAvailability {
    pub scenario: String,
    pub replications: u32,
    pub years: u32,
    pub detection: SimDuration,
    /// 1 − A over replications (its half width is A's).
    pub unavailability: Estimate,
    /// `None` when there are too many components to enumerate.
    pub analytic_unavailability: Option<f64>,
    /// Expected downtime of VRRP takeovers, minutes per year (not in the analytic figure).
    pub vrrp_gap_min_per_year: f64,
    pub components: Vec<ComponentAvailability>,
}

impl ScenarioAvailability {
    pub fn availability(&self) -> f64 {
        1.0 - self.unavailability.mean
    }
    pub fn nines(&self) -> f64 {
        -self.unavailability.mean.log10()
    }
    pub fn downtime_min_per_year(&self) -> f64 {
        self.unavailability.mean * MIN_PER_YEAR
    }
    pub fn downtime_ci95_min_per_year(&self) -> f64 {
        self.unavailability.half_width_95 * MIN_PER_YEAR
    }
    pub fn analytic_availability(&self) -> Option<f64> {
        self.analytic_unavailability.map(|u| 1.0 - u)
    }
    pub fn analytic_nines(&self) -> Option<f64> {
        self.analytic_unavailability.map(|u| -u.log10())
    }
    pub fn analytic_downtime_min_per_year(&self) -> Option<f64> {
        self.analytic_unavailability.map(|u| u * MIN_PER_YEAR)
    }
}

/// Runs every target's replications (in parallel, collected in order) and
/// computes the analytic figures. `Err` means the settings or a model are
/// out of range.
pub fn run(
    targets: &[Target],
    settings: &Settings,
) -> Result<Vec<ScenarioAvailability>, AvailabilityError> {
    if !(1..=MAX_YEARS).contains(&settings.years) {
        return Err(AvailabilityError::Years);
    }
    let most = crate::input::limits::MAX_REPLICATIONS;
    if !(1..=most).contains(&settings.replications) {
        return Err(AvailabilityError::Replications {
            found: settings.replications,
            most,
        });
    }
    let detections: Vec<SimDuration> = targets
        .iter()
        .map(|t| {
            if settings.detection {
                t.model.monitoring.detection()
            } else {
                SimDuration::ZERO
            }
        })
        .collect();
    let structures: Vec<Structure> = (targets.iter().zip(&detections))
        .map(|(t, &d)| Structure::new(&t.model, t.workload.as_ref(), d))
        .collect::<Result<_, _>>()?;
    let horizon = u64::from(settings.years) * NS_PER_YEAR;
    let jobs: Vec<(usize, u32)> = (0..targets.len())
        .flat_map(|i| (0..settings.replications).map(move |r| (i, r)))
        .collect();
    let reps: Vec<renewal::RepResult> = jobs
        .par_iter()
        .map(|&(i, r)| renewal::replicate(&structures[i], detections[i], horizon, settings.seed, r))
        .collect();
    let exacts: Vec<Option<exact::Exact>> = structures
        .par_iter()
        .zip(detections.par_iter())
        .map(|(s, &d)| exact::enumerate(s, d))
        .collect();
    let per = settings.replications as usize;
    Ok(targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let s = &structures[i];
            let rs = &reps[i * per..(i + 1) * per];
            summarise(t, s, detections[i], rs, exacts[i].as_ref(), settings)
        })
        .collect())
}

fn summarise(
    t: &Target,
    s: &Structure,
    detection: SimDuration,
    rs: &[renewal::RepResult],
    ex: Option<&exact::Exact>,
    settings: &Settings,
) -> ScenarioAvailability {
    let samples: Vec<f64> = rs
        .iter()
        .map(|r| r.site_down_ns as f64 / r.horizon_ns as f64)
        .collect();
    let site_down: f64 = rs.iter().map(|r| r.site_down_ns as f64).sum();
    let total_years = f64::from(settings.years) * rs.len() as f64;
    let year = NS_PER_YEAR as f64;
    let components = (s.components.iter().enumerate())
        .map(|(i, c)| {
            let failures: u64 = rs.iter().map(|r| r.failures[i]).sum();
            let overlap: f64 = rs.iter().map(|r| r.overlap_ns[i] as f64).sum();
            let cycle = c.mtbf.0 as f64 + detection.0 as f64 + c.mttr.0 as f64;
            ComponentAvailability {
                name: c.name.clone(),
                kind: c.part.kind(),
                failures_per_year: failures as f64 / total_years,
                downtime_share: if site_down > 0.0 {
                    overlap / site_down
                } else {
                    f64::NAN
                },
                analytic_failures_per_year: year / cycle,
                analytic_downtime_share: ex.map(|e| e.down_share[i]),
            }
        })
        .collect::<Vec<_>>();
    let vrrp_gap_min_per_year = (0..s.vrrp.len())
        .filter_map(|b| {
            let (_, gap) = s.vrrp[b]?;
            let i = s.balancer_bit(b)? as usize;
            Some(components[i].analytic_failures_per_year * gap.as_secs_f64() / 60.0)
        })
        .sum();
    ScenarioAvailability {
        scenario: t.name.clone(),
        replications: settings.replications,
        years: settings.years,
        detection,
        unavailability: Estimate::from_samples(&samples),
        analytic_unavailability: ex.map(|e| e.unavailability),
        vrrp_gap_min_per_year,
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_constants_agree() {
        assert_eq!(NS_PER_YEAR as f64 / 60e9, MIN_PER_YEAR);
        assert!(u64::from(MAX_YEARS).checked_mul(NS_PER_YEAR).is_some());
    }
}
