//! The file structs of a model, exactly as a user writes
//! them in TOML. Every struct rejects unknown keys. Nothing here is checked
//! beyond its type: cross-references and ranges are checked in `validate/`,
//! which turns these structs into the domain types of `crate::stack`.
//!
//! Every default lives here, as a constant right after its struct, with its
//! source: the real software's default where it has one (HAProxy's
//! configuration manual, nginx's upstream module, keepalived.conf(5), the
//! MySQL and PHP manuals), so that a model that leaves a field out behaves
//! like the real thing; otherwise a usual setting, said as such.
//! `validate` applies them; the experiment's structs are in `experiment.rs`.

use super::dist::DistSpec;
use super::duration::DurationSpec;
use super::experiment::WorkloadFile;
use crate::engine::SimDuration;
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

impl ModelFile {
    /// The model's name when the file gives none.
    pub const NAME: &str = "model";
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

impl MonitoringFile {
    /// A usual alerting delay (checks every minute, an alert after a few
    /// failures); no software default.
    pub const ALERT_DELAY: SimDuration = SimDuration::from_secs(5 * 60);
    /// Until a user complains and someone looks: an assumption, the upper
    /// end of the usual MTTR range (5 min – 4 h).
    pub const NOTICE_DELAY: SimDuration = SimDuration::from_secs(4 * 3600);
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with app, nginx, reads_from, writes_to and read_routing")]
pub struct ServerFile {
    /// The web server in front of the application; left out = none.
    pub nginx: Option<StationFile>,
    pub app: AppFile,
    /// The database this server's reads go to.
    pub reads_from: Option<String>,
    /// The database this server's writes go to.
    pub writes_to: Option<String>,
    /// Where reads go when `reads_from` replicates: `local` (to
    /// `reads_from`), `primary`, `replicas` (round robin over the replicas
    /// up), `read-your-writes` (a key the client wrote within the window
    /// is read on the primary) or `read-your-writes-wait` (… on its local
    /// replica once that has applied the write).
    pub read_routing: Option<String>,
    /// How long the app waits on a database whose host went silent (PHP
    /// `default_socket_timeout`, 60 s).
    pub db_timeout: Option<DurationSpec>,
    /// Failures of the server's host (and so of everything on it).
    pub reliability: Option<ReliabilityFile>,
}

impl ServerFile {
    /// PHP `default_socket_timeout`: 60 s.
    pub const DB_TIMEOUT: SimDuration = SimDuration::from_secs(60);
    /// Reads go to `reads_from`, as before replication was modelled.
    pub const READ_ROUTING: &str = "local";
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

impl AppFile {
    /// `sync`: a worker is held through its queries, like PHP-FPM.
    pub const MODE: &str = "sync";
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
    /// A primary: how many keys (rows) its writes and reads touch.
    pub keys: Option<u32>,
    /// A primary: `uniform` or `zipf` (key i has weight (i+1)^−s).
    pub popularity: Option<String>,
    /// A primary with `popularity = "zipf"`: the exponent s.
    pub zipf_exponent: Option<f64>,
    /// A primary: semi-synchronous replication (AFTER_SYNC); left out =
    /// asynchronous, MySQL's default.
    pub semi_sync: Option<SemiSyncFile>,
    /// A primary: who promotes a replica when it dies.
    pub failover: Option<FailoverFile>,
    /// A primary: how long after a client's write its reads of that key
    /// count for read-your-writes (routing and violations).
    pub read_your_writes_window: Option<DurationSpec>,
    /// A replica: the time one applier worker takes per replicated write;
    /// left out = its `write` time (or `read` if it has none).
    pub apply: Option<DistSpec>,
    /// A replica: `replica_parallel_workers` (0 or 1: one applier thread).
    pub parallel_workers: Option<u32>,
    /// A replica: one-way delay of the binary log from its source (and of
    /// the semi-sync acknowledgement back); left out = `network.server_db`.
    pub source_latency: Option<DistSpec>,
}

impl DatabaseFile {
    /// MySQL `max_connections`: 151.
    pub const CONNECTIONS: u32 = 151;
    /// Keys of a replication set: an assumption (a mid-size table), to set
    /// from your own data; it decides how often reads hit recent writes.
    pub const KEYS: u32 = 10_000;
    /// YCSB's default Zipf constant (`zipfian` request distribution).
    pub const ZIPF_EXPONENT: f64 = 0.99;
    /// MySQL `replica_parallel_workers` default since 8.0.27 (1 before).
    pub const PARALLEL_WORKERS: u32 = 4;
    /// Rails' `DatabaseSelector` default: reads go to the primary for 2 s
    /// after a write (`delay: 2.seconds`).
    pub const READ_YOUR_WRITES_WINDOW: SimDuration = SimDuration::from_secs(2);
    /// Lag samples for the p99 and the time series: every 100 ms.
    pub const LAG_SAMPLE_EVERY: SimDuration = SimDuration::from_millis(100);
}

/// `semi_sync = { timeout = "10s" }` on a primary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with timeout")]
pub struct SemiSyncFile {
    /// `rpl_semi_sync_source_timeout`: how long a commit waits for a
    /// replica's acknowledgement before falling back to asynchronous.
    pub timeout: Option<DurationSpec>,
}

impl SemiSyncFile {
    /// MySQL `rpl_semi_sync_source_timeout` default: 10,000 ms.
    pub const TIMEOUT: SimDuration = SimDuration::from_secs(10);
}

/// `failover = { policy = "orchestrator" }` on a primary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a table with policy and decision")]
pub struct FailoverFile {
    /// `none`, `manual`, `orchestrator` or `mha`.
    pub policy: String,
    /// How long a person takes to decide and promote a replica by hand
    /// (`manual`, and `orchestrator` while its block holds).
    pub decision: Option<DurationSpec>,
}

impl FailoverFile {
    /// `failover` left out: nobody promotes a replica (writes wait for the
    /// primary's repair), as in the model before replication was modelled.
    pub const POLICY: &str = "none";
    /// Without automation: a usual figure (design notes §4: "often an hour
    /// or more"), not a measured one.
    pub const DECISION: SimDuration = SimDuration::from_secs(3600);
    /// orchestrator: `InstancePollSeconds` default 5 s.
    pub const ORCHESTRATOR_POLL: SimDuration = SimDuration::from_secs(5);
    /// orchestrator: confirming a dead primary through its replicas; 8 s
    /// makes detection 8–13 s, the ~10–13 s reported for a tuned setup.
    pub const ORCHESTRATOR_CONFIRM: SimDuration = SimDuration::from_secs(8);
    /// orchestrator: the recovery itself (hooks, re-pointing replicas,
    /// `read_only=0`): a few seconds — an assumption to sweep.
    pub const ORCHESTRATOR_RECOVERY: SimDuration = SimDuration::from_secs(5);
    /// orchestrator `RecoveryPeriodBlockSeconds` default: 3600.
    pub const ORCHESTRATOR_BLOCK: SimDuration = SimDuration::from_secs(3600);
    /// MHA `ping_interval` default 3 s; the primary is declared dead after
    /// 3 missed pings more (up to 12 s, design notes §4).
    pub const MHA_PING: SimDuration = SimDuration::from_secs(3);
    pub const MHA_PINGS: u32 = 4;
    /// MHA: 10–30 s to fail over once the death is declared.
    pub const MHA_MIN: SimDuration = SimDuration::from_secs(10);
    pub const MHA_MAX: SimDuration = SimDuration::from_secs(30);
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
fn default_app_mode() -> String {
    AppFile::MODE.into()
}
fn default_retries() -> u32 {
    BalancerFile::RETRIES
}
fn default_db_connections() -> u32 {
    DatabaseFile::CONNECTIONS
}
