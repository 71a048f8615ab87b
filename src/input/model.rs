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
//!
//! This file holds the model's top level, DNS, network, monitoring and
//! servers; the balancers' tables are in `model/balancers.rs` and the
//! databases' (with replication) in `model/databases.rs`, re-exported here.

use super::dist::DistSpec;
use super::duration::DurationSpec;
use super::experiment::WorkloadFile;
use crate::engine::SimDuration;
use serde::Deserialize;
use std::collections::BTreeMap;

mod balancers;
mod databases;

pub use balancers::{
    BackendFile, BalancerFile, CheckFile, CheckSetting, MaxFailsFile, ObserveFile, VrrpFile,
    WeightedBackendFile,
};
pub use databases::{DatabaseFile, FailoverFile, SemiSyncFile};

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

fn default_app_mode() -> String {
    AppFile::MODE.into()
}
