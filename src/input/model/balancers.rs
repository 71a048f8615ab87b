//! A model's `[balancers.NAME]` tables as a user writes them: the
//! balancer (HAProxy's settings), its backends with weights, its active
//! health checks, its passive checks (HAProxy `observe`, nginx
//! `max_fails`) and keepalived's VRRP pair, each followed by its defaults
//! with their source, as in `model.rs`, which re-exports them.

use super::ReliabilityFile;
use crate::engine::SimDuration;
use crate::input::dist::DistSpec;
use crate::input::duration::DurationSpec;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with backends, algorithm, check, retries")]
pub struct BalancerFile {
    /// HAProxy `balance`; roundrobin is HAProxy's default before 3.3.
    #[serde(default = "default_algorithm")]
    pub algorithm: String,
    /// Parallel processing threads (HAProxy `nbthread`).
    #[serde(default = "default_threads")]
    pub threads: u32,
    /// Processing time per request in the balancer; left out = zero.
    pub overhead: Option<DistSpec>,
    /// Requests waiting for a thread beyond this fail (503).
    pub queue_limit: Option<u32>,
    pub backends: Vec<BackendFile>,
    /// Active health checks (HAProxy `check`); left out or `false` = none:
    /// every backend is believed up whatever happens to it. `true` or `{}`
    /// takes HAProxy's defaults; a table sets some parameters.
    pub check: Option<CheckSetting>,
    /// HAProxy `retries`: connection retries after a failed connect (default 3).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// HAProxy `option redispatch`: the last retry goes to another server.
    #[serde(default)]
    pub redispatch: bool,
    /// HAProxy `timeout connect` (no default in HAProxy; 5 s is the usual setting).
    pub timeout_connect: Option<DurationSpec>,
    /// HAProxy `timeout server` (30 s is a usual setting).
    pub timeout_server: Option<DurationSpec>,
    /// HAProxy `timeout client` (default: not set).
    pub timeout_client: Option<DurationSpec>,
    /// HAProxy `timeout queue` (default: `timeout connect`).
    pub timeout_queue: Option<DurationSpec>,
    /// HAProxy `slowstart` for every backend (default: none).
    pub slowstart: Option<DurationSpec>,
    /// HAProxy `hash-type`: `map-based` (default) or `consistent`.
    pub hash_type: Option<String>,
    /// For `uri`: how many distinct URIs requests ask for (default 10000).
    pub keys: Option<u32>,
    /// keepalived: this balancer holds a virtual IP that a backup takes over.
    pub vrrp: Option<VrrpFile>,
    /// HAProxy passive checks: `{ error_limit = 10, on_error = "fail-check" | "mark-down" }`.
    pub observe: Option<ObserveFile>,
    /// nginx passive checks: `{ max_fails = 1, fail_timeout = "10s" }`.
    pub max_fails: Option<MaxFailsFile>,
    /// Failures of the balancer's host.
    pub reliability: Option<ReliabilityFile>,
}

impl BalancerFile {
    /// HAProxy `balance`: roundrobin is the default before HAProxy 3.3
    /// (random(2) since).
    pub const ALGORITHM: &str = "roundrobin";
    /// One processing thread (HAProxy `nbthread`; HAProxy ≥ 2.5 starts one
    /// per CPU, a model says how many it means).
    pub const THREADS: u32 = 1;
    /// HAProxy `retries`: 3.
    pub const RETRIES: u32 = 3;
    /// HAProxy `timeout connect` has no default; 5 s is the usual setting.
    /// `timeout queue` defaults to it (HAProxy manual).
    pub const TIMEOUT_CONNECT: SimDuration = SimDuration::from_secs(5);
    /// HAProxy `timeout server` has no default; 30 s is the usual setting.
    pub const TIMEOUT_SERVER: SimDuration = SimDuration::from_secs(30);
    /// For `uri`: distinct URIs requests ask for (stacksim's choice).
    pub const KEYS: u32 = 10_000;
}

/// HAProxy `observe layer7`, `error-limit` (default 10), `on-error`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with error_limit and on_error")]
pub struct ObserveFile {
    pub error_limit: Option<u32>,
    pub on_error: Option<String>,
}

impl ObserveFile {
    /// HAProxy `error-limit`: 10.
    pub const ERROR_LIMIT: u32 = 10;
    /// HAProxy `on-error`: `fail-check`.
    pub const ON_ERROR: &str = "fail-check";
}

/// nginx `max_fails` (default 1) and `fail_timeout` (default 10 s).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with max_fails and fail_timeout")]
pub struct MaxFailsFile {
    pub max_fails: Option<u32>,
    pub fail_timeout: Option<DurationSpec>,
}

impl MaxFailsFile {
    /// nginx upstream `server … max_fails`: 1.
    pub const MAX_FAILS: u32 = 1;
    /// nginx upstream `server … fail_timeout`: 10 s.
    pub const FAIL_TIMEOUT: SimDuration = SimDuration::from_secs(10);
}

/// keepalived's VRRP settings of an active-passive balancer pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with backup, advert_int, backup_priority")]
pub struct VrrpFile {
    /// The backup balancer (listed under `[balancers]` too, not in DNS).
    pub backup: String,
    /// `advert_int` (keepalived default 1 s).
    pub advert_int: Option<DurationSpec>,
    /// The backup's `priority` (keepalived default 100).
    pub backup_priority: Option<u8>,
    /// A `vrrp_script` checking HAProxy (default true): `interval` (1 s) and `fall` (1).
    pub track_haproxy: Option<bool>,
    pub track_interval: Option<DurationSpec>,
    pub track_fall: Option<u32>,
}

impl VrrpFile {
    /// keepalived `advert_int`: 1 s.
    pub const ADVERT_INT: SimDuration = SimDuration::from_secs(1);
    /// keepalived `priority`: 100.
    pub const BACKUP_PRIORITY: u8 = 100;
    /// A `vrrp_script` checks HAProxy (the usual keepalived setup).
    pub const TRACK_HAPROXY: bool = true;
    /// keepalived `vrrp_script` `interval`: 1 s.
    pub const TRACK_INTERVAL: SimDuration = SimDuration::from_secs(1);
    /// keepalived `vrrp_script` `fall`: 1.
    pub const TRACK_FALL: u32 = 1;
}

/// `check = true | false | { … }` (deserialized in `words.rs`).
#[derive(Debug, Clone)]
pub enum CheckSetting {
    Enabled(bool),
    Params(CheckFile),
}

/// HAProxy's health-check parameters; each defaults as HAProxy does.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with inter, fastinter, rise, fall, timeout")]
pub struct CheckFile {
    /// Interval between checks (default 2 s).
    pub inter: Option<DurationSpec>,
    /// Interval while the state is changing (default: `inter`).
    pub fastinter: Option<DurationSpec>,
    /// Interval while the server is down (default: `inter`).
    pub downinter: Option<DurationSpec>,
    /// Consecutive successes to come back up (default 2).
    pub rise: Option<u32>,
    /// Consecutive failures to go down (default 3).
    pub fall: Option<u32>,
    /// `timeout check` (default: `inter`).
    pub timeout: Option<DurationSpec>,
}

impl CheckFile {
    /// HAProxy `inter`: 2 s; `fastinter`, `downinter` and (without
    /// `timeout check`) the check's timeout default to it.
    pub const INTER: SimDuration = SimDuration::from_secs(2);
    /// HAProxy `rise`: 2.
    pub const RISE: u32 = 2;
    /// HAProxy `fall`: 3.
    pub const FALL: u32 = 3;
}

/// A backend is either a bare server name or `{ server = "web1", weight = 2 }`
/// (deserialized in `words.rs`).
#[derive(Debug, Clone)]
pub enum BackendFile {
    Name(String),
    Weighted(WeightedBackendFile),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with server, weight and maxconn")]
pub struct WeightedBackendFile {
    pub server: String,
    /// HAProxy `weight`: default 1, at most 256.
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// HAProxy `maxconn`: default 0 = unlimited.
    #[serde(default)]
    pub maxconn: u32,
}

impl WeightedBackendFile {
    /// HAProxy `weight`: 1 (also a bare name's weight).
    pub const WEIGHT: u32 = 1;
}

fn default_threads() -> u32 {
    BalancerFile::THREADS
}
fn default_weight() -> u32 {
    WeightedBackendFile::WEIGHT
}
fn default_algorithm() -> String {
    BalancerFile::ALGORITHM.into()
}
fn default_retries() -> u32 {
    BalancerFile::RETRIES
}
