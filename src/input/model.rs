//! The file structs of a model and an experiment, exactly as a user writes
//! them in TOML. Every struct rejects unknown keys. Nothing here is checked
//! beyond its type: cross-references and ranges are checked in `validate.rs`,
//! which turns these structs into the domain types of `crate::stack`.
//!
//! Every default named here is the real software's default, with its source,
//! so that a model that leaves a field out behaves like the real thing.

use super::dist::DistSpec;
use super::duration::DurationSpec;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A model file: one infrastructure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a model file's path in quotes, or a model table")]
pub struct ModelFile {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Where clients connect when there is no `[dns]`: a balancer or a server.
    pub entry: Option<String>,
    pub dns: Option<DnsFile>,
    #[serde(default)]
    pub network: NetworkFile,
    #[serde(default)]
    pub balancers: BTreeMap<String, BalancerFile>,
    #[serde(default)]
    pub servers: BTreeMap<String, ServerFile>,
    #[serde(default)]
    pub databases: BTreeMap<String, DatabaseFile>,
    /// A design load, used by `check` when the model is checked on its own;
    /// an experiment's `[workload]` replaces it.
    pub workload: Option<WorkloadFile>,
    /// Whether anything watches the servers (default: nothing does).
    pub monitoring: Option<MonitoringFile>,
}

/// `[monitoring]`: how soon a failure is known, so that repair starts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with enabled, alert_delay and notice_delay")]
pub struct MonitoringFile {
    #[serde(default)]
    pub enabled: bool,
    /// With monitoring: from a failure to the alert (default 5 min).
    pub alert_delay: Option<DurationSpec>,
    /// Without: until someone notices (default 4 h).
    pub notice_delay: Option<DurationSpec>,
}

/// `reliability = { mtbf = "2000h", mttr = "2h" }`: exponential times
/// between failures and to repair, with these means.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table like { mtbf = \"2000h\", mttr = \"2h\" }")]
pub struct ReliabilityFile {
    pub mtbf: DurationSpec,
    pub mttr: DurationSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with record, ttl, resolver_latency, addresses")]
pub struct DnsFile {
    /// The record clients resolve, e.g. `www.foobar.com`.
    pub record: String,
    /// How long a client keeps the answer.
    pub ttl: DurationSpec,
    /// Time for a lookup whose answer is not in the client's cache.
    pub resolver_latency: DistSpec,
    /// Names of the balancers (or servers) the record points at (A records).
    pub addresses: Vec<String>,
}

/// One-way network latencies between tiers. Left out = zero.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with client_lb, lb_server and server_db")]
pub struct NetworkFile {
    pub client_lb: Option<DistSpec>,
    pub lb_server: Option<DistSpec>,
    pub server_db: Option<DistSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with backends, algorithm, check, retries")]
pub struct BalancerFile {
    /// HAProxy `balance`; roundrobin is HAProxy's default before 3.3.
    #[serde(default = "default_algorithm")]
    pub algorithm: String,
    /// Parallel processing threads (HAProxy `nbthread`).
    #[serde(default = "one")]
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

/// HAProxy `observe layer7`, `error-limit` (default 10), `on-error`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with error_limit and on_error")]
pub struct ObserveFile {
    pub error_limit: Option<u32>,
    pub on_error: Option<String>,
}

/// nginx `max_fails` (default 1) and `fail_timeout` (default 10 s).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with max_fails and fail_timeout")]
pub struct MaxFailsFile {
    pub max_fails: Option<u32>,
    pub fail_timeout: Option<DurationSpec>,
}

/// keepalived's VRRP settings of an active-passive balancer pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with backup, advert_int, backup_priority")]
pub struct VrrpFile {
    /// The backup balancer (listed under [balancers] too, not in DNS).
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
    #[serde(default = "one")]
    pub weight: u32,
    /// HAProxy `maxconn`: default 0 = unlimited.
    #[serde(default)]
    pub maxconn: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with app, nginx, reads_from and writes_to")]
pub struct ServerFile {
    /// The web server in front of the application; left out = none.
    pub nginx: Option<StationFile>,
    pub app: AppFile,
    /// The database this server's reads go to.
    pub reads_from: Option<String>,
    /// The database this server's writes go to.
    pub writes_to: Option<String>,
    /// How long the app waits on a database whose host went silent (PHP
    /// `default_socket_timeout`, 60 s).
    pub db_timeout: Option<DurationSpec>,
    /// Failures of the server's host (and so of everything on it).
    pub reliability: Option<ReliabilityFile>,
}

/// A service station: `workers` parallel servers and a FIFO queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with workers, queue_limit and service")]
pub struct StationFile {
    pub workers: u32,
    /// Requests waiting beyond this fail (503); left out = unbounded.
    pub queue_limit: Option<u32>,
    pub service: DistSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with workers, service, queue_limit and mode")]
pub struct AppFile {
    pub workers: u32,
    pub queue_limit: Option<u32>,
    /// CPU time per request, not counting database queries.
    pub service: DistSpec,
    /// `sync` (default: a worker is held through the database queries, like
    /// PHP-FPM) or `async` (the worker is freed while the queries run).
    #[serde(default = "default_app_mode")]
    pub mode: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with role, connections, read and write")]
pub struct DatabaseFile {
    /// The server this database runs on; queries from other servers cross
    /// the network (`network.server_db`). Left out = a host of its own.
    pub host: Option<String>,
    /// `primary` or `replica`.
    pub role: String,
    /// For a replica: the primary it copies.
    pub source: Option<String>,
    /// Queries served in parallel. MySQL's `max_connections` default is 151.
    #[serde(default = "default_db_connections")]
    pub connections: u32,
    pub queue_limit: Option<u32>,
    /// Service time of a read query.
    pub read: DistSpec,
    /// Service time of a write query (a replica takes none).
    pub write: Option<DistSpec>,
    /// Failures of the database process itself.
    pub reliability: Option<ReliabilityFile>,
}

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
    /// Initial period whose requests are not measured.
    pub warmup: Option<DurationSpec>,
    /// After `duration`, how long requests still in flight may take to finish.
    pub drain: Option<DurationSpec>,
    /// Independent replications (different random numbers) per scenario.
    pub replications: Option<u32>,
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
    /// One parameter over a list of values (crossed with `scenarios`).
    pub sweep: Option<SweepFile>,
    /// Faults injected at given times.
    #[serde(default)]
    pub faults: Vec<FaultFile>,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with param and values")]
pub struct SweepFile {
    pub param: String,
    pub values: Vec<toml::Value>,
}

fn one() -> u32 {
    1
}
fn default_algorithm() -> String {
    "roundrobin".into()
}
fn default_app_mode() -> String {
    "sync".into()
}
fn default_retries() -> u32 {
    3
}
fn default_db_connections() -> u32 {
    151
}
