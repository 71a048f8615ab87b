//! A model's `[databases.NAME]` tables as a user writes them: a MySQL
//! primary or replica with its connections and query times, and the
//! replication settings a primary carries (keyspace, semi-sync, failover
//! policy) or a replica (applier, link to its source), each followed by
//! its defaults with their source, as in `model.rs`, which re-exports them.

use super::ReliabilityFile;
use crate::engine::SimDuration;
use crate::input::dist::DistSpec;
use crate::input::duration::DurationSpec;
use serde::Deserialize;

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
    /// A replica: `SOURCE_CONNECT_RETRY`, how often its I/O thread retries
    /// the connection to a source it lost.
    pub connect_retry: Option<DurationSpec>,
    /// A replica: `replica_net_timeout`, how long its I/O thread waits for
    /// data or a heartbeat from its source before it calls the connection
    /// dead (and how long each connection attempt to a silent source lasts).
    pub net_timeout: Option<DurationSpec>,
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
    /// MySQL `SOURCE_CONNECT_RETRY` (CHANGE REPLICATION SOURCE TO) default:
    /// 60 seconds between reconnection attempts.
    pub const CONNECT_RETRY: SimDuration = SimDuration::from_secs(60);
    /// MySQL `replica_net_timeout` (system variable) default: 60 seconds;
    /// the source's heartbeat period defaults to half of it
    /// (`SOURCE_HEARTBEAT_PERIOD`, CHANGE REPLICATION SOURCE TO).
    pub const NET_TIMEOUT: SimDuration = SimDuration::from_secs(60);
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

fn default_db_connections() -> u32 {
    DatabaseFile::CONNECTIONS
}
