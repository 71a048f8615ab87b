//! The file structs of an experiment, and of the workload a model or an
//! experiment gives, exactly as a user writes them in TOML. Like
//! `model.rs`: every struct rejects unknown keys, nothing is checked beyond
//! its type (that is `validate`'s job), and every default is a constant
//! right after its struct.

use super::dist::DistSpec;
use super::duration::DurationSpec;
use super::model::ModelFile;
use super::stats_spec::{ReplicationsSpec, WarmupSpec};
use crate::engine::SimDuration;
use serde::Deserialize;

/// What load to offer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with kind, and rate or users and think")]
pub struct WorkloadFile {
    /// `open` (arrivals at a rate, whatever the response time) or `closed`
    /// (a fixed population of users who wait for each answer, then think).
    pub kind: String,
    /// Open: mean arrivals per second.
    pub rate: Option<f64>,
    /// Open: how the rate varies over time; left out = constant.
    pub profile: Option<ProfileFile>,
    /// Closed: the number of users.
    pub users: Option<u32>,
    /// Closed: think time between a response and the user's next request.
    pub think: Option<DistSpec>,
    /// Open: distinct clients, each with its own DNS cache. Default 1000.
    pub clients: Option<u32>,
    /// Request classes; left out = one class with no database queries.
    #[serde(default)]
    pub classes: Vec<ClassFile>,
    /// How long a client waits to connect to a silent host (default 10 s).
    pub connect_timeout: Option<DurationSpec>,
    /// With several DNS addresses, a client whose connection fails tries
    /// the next one (default false).
    #[serde(default)]
    pub try_next_address: bool,
    /// The client gives up waiting for an answer after this (default: never).
    pub timeout: Option<DurationSpec>,
    /// Retries of a request that timed out or failed (default 0); the
    /// request counts once, with its total latency.
    #[serde(default)]
    pub retries: u32,
}

impl WorkloadFile {
    /// Open workload: distinct clients, each with its own DNS cache
    /// (stacksim's choice: enough that DNS caching is realistic).
    pub const CLIENTS: u32 = 1000;
    /// A client's wait to connect to a silent host (stacksim's choice;
    /// browsers wait longer, an API client often less).
    pub const CONNECT_TIMEOUT: SimDuration = SimDuration::from_secs(10);
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with shape, and amplitude and period, or steps")]
pub struct ProfileFile {
    /// `sinusoidal` or `steps`.
    pub shape: String,
    /// Sinusoidal: relative amplitude in [0, 1]: rate·(1 + a·sin(2πt/period)).
    pub amplitude: Option<f64>,
    pub period: Option<DurationSpec>,
    /// Steps: from `at` on, the rate is `rate`.
    #[serde(default)]
    pub steps: Vec<StepFile>,
}

impl ProfileFile {
    /// Sinusoidal: no variation unless an amplitude is given.
    pub const AMPLITUDE: f64 = 0.0;
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with at and rate")]
pub struct StepFile {
    pub at: DurationSpec,
    pub rate: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with name, probability, reads and writes")]
pub struct ClassFile {
    pub name: String,
    /// Share of requests in this class; the shares must add up to 1.
    pub probability: f64,
    /// Read queries, run one after the other (to the server's `reads_from`).
    #[serde(default)]
    pub reads: u32,
    /// Write queries, after the reads (to the server's `writes_to`).
    #[serde(default)]
    pub writes: u32,
}

/// An experiment file: which model, what load, how long, how many times.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with model, workload, duration")]
pub struct ExperimentFile {
    pub name: Option<String>,
    pub description: Option<String>,
    /// The model, inlined (the loader replaces a path by the file's content).
    pub model: ModelFile,
    pub workload: Option<WorkloadFile>,
    /// Simulated time of one replication, warm-up included.
    pub duration: DurationSpec,
    /// Initial period whose requests are not measured, or `"auto"` (MSER-5).
    pub warmup: Option<WarmupSpec>,
    /// After `duration`, how long requests still in flight may take to finish.
    pub drain: Option<DurationSpec>,
    /// Independent replications (different random numbers) per scenario:
    /// a count, or a table asking for sequential stopping.
    pub replications: Option<ReplicationsSpec>,
    /// Scenarios share random numbers (default true).
    pub common_random_numbers: Option<bool>,
    /// Batch means: with `replications = 1`, confidence intervals from this
    /// many batches of the one long run (none by default: replications).
    pub batches: Option<u32>,
    pub seed: Option<u64>,
    /// Width of a time-series window (default 1 s).
    pub window: Option<DurationSpec>,
    /// Run even when an open workload exceeds some station's capacity and
    /// nothing bounds its queue (the queue then grows without limit).
    #[serde(default)]
    pub allow_overload: bool,
    /// Components with a `reliability` also fail at random during the run
    /// (exponential times with their MTBF), and are repaired after the
    /// model's monitoring detection delay plus an exponential MTTR.
    #[serde(default)]
    pub random_failures: bool,
    /// Variants of the model or workload, each a set of overrides.
    #[serde(default)]
    pub scenarios: Vec<ScenarioFile>,
    /// Parameters over lists or ranges of values (crossed with `scenarios`).
    pub sweep: Option<SweepFile>,
    /// Faults injected at given times.
    #[serde(default)]
    pub faults: Vec<FaultFile>,
    /// What `stacksim plan` searches, and the SLOs (`input/plan.rs`).
    pub plan: Option<super::plan::PlanFile>,
}

impl ExperimentFile {
    /// No warm-up: every request is measured.
    pub const WARMUP: SimDuration = SimDuration::ZERO;
    /// Time for requests in flight at the end to finish.
    pub const DRAIN: SimDuration = SimDuration::from_secs(30);
    /// Width of a time-series window.
    pub const WINDOW: SimDuration = SimDuration::from_secs(1);
    /// Replications per scenario: enough for a Student-t interval.
    pub const REPLICATIONS: u32 = 5;
    /// The experiment's random seed.
    pub const SEED: u64 = 1;
}

/// `[[faults]]`: something breaks at `at` (and recovers after `duration`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with at, target, kind and its parameters")]
pub struct FaultFile {
    pub at: DurationSpec,
    /// A server or balancer (crash, slow) or a station such as `web2.app` or `db1` (slow).
    pub target: String,
    /// `crash`, `slow`, `partition` or `network`.
    pub kind: String,
    /// For a crash: `host` (silent: connections time out; the default) or
    /// `process` (connections refused at once).
    pub mode: Option<String>,
    /// For a slow-down: service times × this factor.
    pub factor: Option<f64>,
    /// For a partition: the component the target can no longer reach.
    pub peer: Option<String>,
    /// For kind = "network" (target `client_lb`, `lb_server` or `server_db`):
    /// latency added to each one-way hop…
    pub extra_latency: Option<DurationSpec>,
    /// …and the probability that a hop's packet is lost (then resent).
    pub loss: Option<f64>,
    /// Recovery after this long; left out = never during the run.
    pub duration: Option<DurationSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with name and set")]
pub struct ScenarioFile {
    pub name: String,
    /// `"dotted.path" = value` overrides, as on the command line.
    #[serde(default)]
    pub set: toml::Table,
}

/// `[sweep]`: one axis written at its top (`param`, `values`), or several
/// under `axes`; read and expanded by `sweep.rs`.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table with param and values, or axes"
)]
pub struct SweepFile {
    pub param: Option<String>,
    /// A list of values, or a range table (`{ from, to, step }`).
    pub values: Option<toml::Value>,
    pub label: Option<String>,
    #[serde(default)]
    pub axes: Vec<AxisFile>,
    /// `product` (every combination, the default) or `zip` (value by value).
    pub combine: Option<String>,
}

/// `[[sweep.axes]]`: one parameter and its values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with param and values")]
pub struct AxisFile {
    /// A `--set` path: a model path or an experiment key.
    pub param: String,
    /// A list of values, or a range table (`{ from, to, step }`).
    pub values: toml::Value,
    /// The axis's name in scenario names and summary.csv (default: the
    /// path's last segment).
    pub label: Option<String>,
}

/// A range of numbers: `{ from, to, step }`, `{ from, to, steps }`, or
/// `{ from, to, steps, scale = "log" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table with from, to and step or steps"
)]
pub struct RangeFile {
    pub from: f64,
    pub to: f64,
    pub step: Option<f64>,
    pub steps: Option<u64>,
    /// `linear` (the default) or `log`.
    pub scale: Option<String>,
}
