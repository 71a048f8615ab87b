//! Running an experiment: every scenario × replication as an independent
//! simulation, in parallel with rayon, and the replications of each scenario
//! summarised as means with Student-t 95% confidence intervals; warm-up by
//! MSER-5 and sequential stopping run in deterministic rounds (`sequential`).
//!
//! Determinism: a replication's random numbers depend only on the
//! experiment's seed, the replication number and (without common random
//! numbers) the scenario's index, never on the thread that
//! runs it, and results are delivered in input order (`stream`), so the
//! output is byte-identical whatever the thread count — or the machines,
//! with `--shard` (`shard`). `runner` hands each scenario over as soon as
//! it is finished, so a long sweep's memory stays flat.

pub mod availability;
pub mod bench;
pub mod capacity;
pub mod progress;
pub mod runner;
pub mod sequential;
pub mod shard;
pub mod stream;
pub mod summary;

use crate::engine::SimDuration;
use crate::stack::{ReplicationResult, SimError};
use sequential::Stopping;

pub use runner::{Outcome, RunOptions, run, run_each, run_shard};
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
    /// Batch means asked (`batches = N`): how to cut the one run.
    pub batches: Option<BatchPlan>,
}

/// How a scenario's one long run is cut into batches (`batches = N`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchPlan {
    pub batches: u32,
    /// The first time-series window after the warm-up.
    pub first_window: usize,
    /// A window's length, seconds.
    pub window_s: f64,
}

impl BatchPlan {
    /// The plan of scenario `sc` (with its warm-up as it will run).
    pub fn of(sc: &crate::stack::config::Scenario) -> Option<BatchPlan> {
        let w = sc.run.window.0.max(1);
        sc.run.stats.batches.map(|batches| BatchPlan {
            batches,
            first_window: sc.run.warmup.0.div_ceil(w) as usize,
            window_s: sc.run.window.as_secs_f64(),
        })
    }
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
    /// `--shard` asked of an experiment that cannot be sharded.
    #[error(transparent)]
    Shard(#[from] shard::ShardError),
}

impl RunFailure {
    /// True when the model (the user's input) is at fault.
    pub fn is_model_error(&self) -> bool {
        matches!(self, RunFailure::Model { .. } | RunFailure::Shard(_))
    }
}
