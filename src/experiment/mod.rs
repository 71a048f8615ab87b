//! Running an experiment: every scenario × replication as an independent
//! simulation, in parallel with rayon, and the replications of each scenario
//! summarised as means with Student-t 95% confidence intervals.
//!
//! Determinism: a replication's random numbers depend only on the
//! experiment's seed and the replication number, never on the thread that
//! runs it, and results are collected in input order (rayon's indexed
//! `collect`), so the output is byte-identical whatever the thread count.

pub mod availability;
pub mod bench;
pub mod capacity;
pub mod summary;

use crate::input::expand::Experiment;
use crate::stack::{ReplicationResult, SimError, simulate};
use rayon::prelude::*;

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
/// each finished replication (from any thread).
pub fn run(
    exp: &Experiment,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<ScenarioResult>, RunFailure> {
    let jobs: Vec<(usize, u32)> = exp
        .scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, sc)| (0..sc.run.replications).map(move |r| (i, r)))
        .collect();
    let work = || -> Vec<Result<ReplicationResult, SimError>> {
        jobs.par_iter()
            .map(|&(i, r)| {
                let res = simulate(&exp.scenarios[i], r);
                progress();
                res
            })
            .collect()
    };
    let results = match threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|source| ThreadsError::Pool { threads: n, source })?
            .install(work),
        None => work(),
    };
    let mut out: Vec<ScenarioResult> = exp
        .scenarios
        .iter()
        .map(|sc| ScenarioResult {
            name: sc.name.clone(),
            replications: Vec::with_capacity(sc.run.replications as usize),
        })
        .collect();
    for (&(i, r), res) in jobs.iter().zip(results) {
        let res = res.map_err(|source| RunFailure::Model {
            scenario: exp.scenarios[i].name.clone(),
            replication: r,
            source,
        })?;
        out[i].replications.push(res);
    }
    Ok(out)
}
