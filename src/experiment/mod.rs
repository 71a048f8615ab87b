//! Running an experiment: every scenario × replication as an independent
//! simulation, in parallel with rayon, and the replications of each scenario
//! summarised as means with Student-t 95% confidence intervals; warm-up by
//! MSER-5 and sequential stopping run in deterministic rounds (`sequential`).
//!
//! Determinism: a replication's random numbers depend only on the
//! experiment's seed, the replication number and (without common random
//! numbers) the scenario's index, never on the thread that
//! runs it, and results are collected in input order (rayon's indexed
//! `collect`), so the output is byte-identical whatever the thread count.

pub mod availability;
pub mod bench;
pub mod capacity;
pub mod sequential;
pub mod summary;

use crate::engine::SimDuration;
use crate::input::expand::Experiment;
use crate::stack::config::Scenario;
use crate::stack::{ReplicationResult, SimError, simulate};
use rayon::prelude::*;
use sequential::{Stopping, scenario_seed};

pub use summary::{ScenarioSummary, summarise};

/// Why replications could not run on the threads asked for.
#[derive(Debug, thiserror::Error)]
pub enum ThreadsError {
    #[error("--threads must be at least 1")]
    Zero,
    #[error(
        "--threads {asked} is more than this machine can use: at most {most} (4 per core, {cores} core(s) here); results do not depend on the thread count"
    )]
    TooMany {
        asked: usize,
        most: usize,
        cores: usize,
    },
    #[error("cannot start {threads} threads: {source}")]
    Pool {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
}

impl ThreadsError {
    /// Whether the command line asked for it (rather than the system refusing).
    pub fn is_input(&self) -> bool {
        matches!(self, ThreadsError::Zero | ThreadsError::TooMany { .. })
    }
}

/// Refuses a thread count that cannot help: results never depend on it, and
/// past a few threads per core only memory and start-up time grow.
pub fn check_threads(threads: Option<usize>) -> Result<(), ThreadsError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = (4 * cores).max(16);
    match threads {
        Some(0) => Err(ThreadsError::Zero),
        Some(asked) if asked > most => Err(ThreadsError::TooMany { asked, most, cores }),
        _ => Ok(()),
    }
}

/// The results of one scenario: its replications, in order.
#[derive(Clone, Debug)]
pub struct ScenarioResult {
    pub name: String,
    pub replications: Vec<ReplicationResult>,
    /// The warm-up MSER-5 found (`warmup = "auto"` only), and whether it
    /// lies at the search limit (half the run: the run is too short).
    pub detected_warmup: Option<(SimDuration, bool)>,
    /// What sequential stopping reached (`replications = { … }` only).
    pub stopping: Option<Stopping>,
}

/// Why an experiment produced no results.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    /// The thread pool could not start (the machine, not the input).
    #[error(transparent)]
    Threads(#[from] ThreadsError),
    /// A replication cannot be run as modelled (the input's fault): the
    /// first such replication in input order, whatever the thread count.
    #[error("scenario {scenario}, replication {replication}: {source}")]
    Model {
        scenario: String,
        replication: u32,
        source: SimError,
    },
}

impl RunFailure {
    /// True when the model (the user's input) is at fault.
    pub fn is_model_error(&self) -> bool {
        matches!(self, RunFailure::Model { .. })
    }
}

/// Runs every scenario and replication of `exp` on `threads` threads
/// (`None` = rayon's default, one per core). `progress` is called after
/// each finished replication (from any thread). With `warmup = "auto"` or
/// sequential stopping the replications run in rounds (see `sequential`).
pub fn run(
    exp: &Experiment,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<ScenarioResult>, RunFailure> {
    let pool = match threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|source| ThreadsError::Pool { threads: n, source })?,
        ),
        None => None,
    };
    let mut scs: Vec<Scenario> = exp.scenarios.clone();
    for (i, sc) in scs.iter_mut().enumerate() {
        sc.run.seed = scenario_seed(sc.run.seed, i, sc.run.stats.common_random_numbers);
    }
    // Runs one round of cells, in parallel, results in input order.
    let round = |scs: &[Scenario], jobs: &[(usize, u32)]| {
        let work = || -> Vec<Result<ReplicationResult, SimError>> {
            jobs.par_iter()
                .map(|&(i, r)| {
                    let res = simulate(&scs[i], r);
                    progress();
                    res
                })
                .collect()
        };
        let results = match &pool {
            Some(p) => p.install(work),
            None => work(),
        };
        let mut out: Vec<Vec<ReplicationResult>> = vec![Vec::new(); scs.len()];
        for (&(i, r), res) in jobs.iter().zip(results) {
            let res = res.map_err(|source| RunFailure::Model {
                scenario: scs[i].name.clone(),
                replication: r,
                source,
            })?;
            out[i].push(res);
        }
        Ok::<_, RunFailure>(out)
    };
    let mut out: Vec<ScenarioResult> = scs
        .iter()
        .map(|sc| ScenarioResult {
            name: sc.name.clone(),
            replications: Vec::with_capacity(sc.run.replications as usize),
            detected_warmup: None,
            stopping: None,
        })
        .collect();
    // The pilot: the first batch of every auto-warm-up scenario, untruncated.
    let pilot_jobs: Vec<(usize, u32)> = (scs.iter().enumerate())
        .filter(|(_, sc)| sc.run.stats.auto_warmup)
        .flat_map(|(i, sc)| (0..sc.run.replications).map(move |r| (i, r)))
        .collect();
    if !pilot_jobs.is_empty() {
        let mut pilot_scs = scs.clone();
        for sc in &mut pilot_scs {
            sc.run.warmup = SimDuration::ZERO;
        }
        let pilot = round(&pilot_scs, &pilot_jobs)?;
        for (i, sc) in scs.iter_mut().enumerate() {
            if sc.run.stats.auto_warmup {
                let found = sequential::detect_warmup(sc, &pilot[i]);
                sc.run.warmup = found.0;
                out[i].detected_warmup = Some(found);
            }
        }
    }
    // Rounds: each scenario runs up to `target[i]` replications.
    let mut target: Vec<u32> = scs.iter().map(|sc| sc.run.replications).collect();
    loop {
        let jobs: Vec<(usize, u32)> = (0..scs.len())
            .flat_map(|i| (out[i].replications.len() as u32..target[i]).map(move |r| (i, r)))
            .collect();
        if jobs.is_empty() {
            break;
        }
        for (i, reps) in round(&scs, &jobs)?.into_iter().enumerate() {
            out[i].replications.extend(reps);
        }
        for (i, sc) in scs.iter().enumerate() {
            if let (Some(rule), None) = (&sc.run.stats.sequential, &out[i].stopping) {
                match sequential::next_count(rule, &out[i].replications) {
                    Ok(n) => target[i] = n,
                    Err(reached) => out[i].stopping = Some(reached),
                }
            }
        }
    }
    Ok(out)
}
