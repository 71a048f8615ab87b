//! The validated description of one simulation: the infrastructure, the
//! workload and the run parameters, as plain domain types.
//!
//! Everything here has already been checked (`crate::input::validate`):
//! references are indices into the component vectors, counts are at least
//! one, shares add up to one. `stack` code may therefore index without
//! checking. No serde here: only `input/` knows the file format.

use crate::dist::Dist;
use crate::engine::SimDuration;

/// Index of a server in [`ModelConfig::servers`].
pub type ServerIdx = usize;
/// Index of a database in [`ModelConfig::databases`].
pub type DbIdx = usize;
/// Index of a balancer in [`ModelConfig::balancers`].
pub type LbIdx = usize;

/// How often a component fails and how long its repair takes, both
/// exponentially distributed with these means (A = MTBF / (MTBF + MTTR)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reliability {
    pub mtbf: SimDuration,
    pub mttr: SimDuration,
}

/// Whether anything watches the servers. A failure is only repaired once
/// someone knows: after `alert_delay` with monitoring, after `notice_delay`
/// (a user complains, someone looks) without.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Monitoring {
    pub enabled: bool,
    pub alert_delay: SimDuration,
    pub notice_delay: SimDuration,
}

impl Monitoring {
    /// Time from a failure until its repair starts.
    pub fn detection(&self) -> SimDuration {
        if self.enabled {
            self.alert_delay
        } else {
            self.notice_delay
        }
    }
}

#[derive(Clone, Debug)]
pub struct ModelConfig {
    pub name: String,
    pub monitoring: Monitoring,
    pub dns: Option<DnsConfig>,
    /// Where clients connect: the DNS record's addresses, or the single entry.
    pub entries: Vec<Entry>,
    pub network: NetworkConfig,
    pub balancers: Vec<BalancerConfig>,
    pub servers: Vec<ServerConfig>,
    pub databases: Vec<DatabaseConfig>,
    /// Replication sets: a primary with at least one replica (none: no
    /// data moves, as in a model without a replica).
    pub replication: Vec<super::repl_config::ReplSetConfig>,
}

/// A component clients can connect to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Balancer(LbIdx),
    Server(ServerIdx),
}

#[derive(Clone, Debug)]
pub struct DnsConfig {
    pub record: String,
    pub ttl: SimDuration,
    pub resolver_latency: Dist,
}

/// One-way latencies; `None` means zero (a direct hand-off).
#[derive(Clone, Debug, Default)]
pub struct NetworkConfig {
    pub client_lb: Option<Dist>,
    pub lb_server: Option<Dist>,
    pub server_db: Option<Dist>,
}

#[derive(Clone, Debug)]
pub struct StationConfig {
    pub workers: u32,
    /// Waiting requests beyond this fail; `None` = unbounded.
    pub queue_limit: Option<u32>,
    pub service: Dist,
}

/// How a balancer chooses a backend (HAProxy's `balance` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `roundrobin`: smooth weighted round robin.
    RoundRobin,
    /// `static-rr`: weighted round robin with weights fixed at start
    /// (without dynamic weights it picks exactly like `roundrobin`).
    StaticRr,
    /// `leastconn`: the fewest requests in flight relative to weight.
    LeastConn,
    /// `random(n)`: draw `n` backends at random (by weight), take the one
    /// with the fewest in flight; `random` is `random(1)`… HAProxy's
    /// default draw count is 2 ("power of two choices").
    Random { draws: u8 },
    /// `source`: a hash of the client's address picks the backend
    /// (map-based: the client keeps its backend while the set is unchanged).
    Source,
    /// `first`: the first backend (in order) below its `maxconn`: packs
    /// load onto as few servers as possible.
    First,
    /// `uri`: a hash of the request's URI picks the backend (each request
    /// asks for one of `workload.keys` URIs, uniformly).
    Uri,
}

/// HAProxy's spelling of each algorithm, in the order messages list them:
/// the one table that [`Algorithm::parse`], [`Algorithm::name`] and
/// [`Algorithm::known`] read. `None` marks `random(N)`, the spelling of
/// `Random { draws: N }` for N from 2 to 255 (N = 1 is written `random`).
const SPELLINGS: [(&str, Option<Algorithm>); 8] = [
    ("roundrobin", Some(Algorithm::RoundRobin)),
    ("static-rr", Some(Algorithm::StaticRr)),
    ("leastconn", Some(Algorithm::LeastConn)),
    ("random", Some(Algorithm::Random { draws: 1 })),
    ("random(N)", None),
    ("source", Some(Algorithm::Source)),
    ("uri", Some(Algorithm::Uri)),
    ("first", Some(Algorithm::First)),
];

impl Algorithm {
    /// Parses HAProxy's spelling: `roundrobin`, `static-rr`, `leastconn`,
    /// `random`, `random(2)`, `source`, `uri`, `first`.
    pub fn parse(s: &str) -> Option<Algorithm> {
        let s = s.trim();
        if let Some(&(_, a)) = SPELLINGS.iter().find(|(name, a)| a.is_some() && *name == s) {
            return a;
        }
        let n = s
            .strip_prefix("random(")?
            .strip_suffix(')')?
            .trim()
            .parse::<u8>()
            .ok()?;
        (n > 0).then_some(Algorithm::Random { draws: n })
    }

    /// HAProxy's spelling, which [`Algorithm::parse`] reads back.
    pub fn name(self) -> String {
        match self {
            Algorithm::Random { draws } if draws != 1 => format!("random({draws})"),
            a => SPELLINGS
                .iter()
                .find(|(_, known)| *known == Some(a))
                .map_or_else(String::new, |(name, _)| (*name).to_string()),
        }
    }

    /// Every spelling, for error messages: `roundrobin, static-rr, …`.
    pub fn known() -> String {
        SPELLINGS.map(|(name, _)| name).join(", ")
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

#[derive(Clone, Debug)]
pub struct BackendConfig {
    pub server: ServerIdx,
    pub weight: u32,
    /// HAProxy `maxconn`: requests dispatched to it at once; beyond it they
    /// wait in the balancer's queue. `None`: unlimited (HAProxy's 0).
    pub maxconn: Option<u32>,
}

/// HAProxy's active health checks (`server … check inter … rise … fall …`).
///
/// The next check starts `inter` after the previous one *ends* —
/// `fastinter` while the state is changing, `downinter` while down —
/// and a check against a silent host fails only at its timeout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HealthCheck {
    pub inter: SimDuration,
    pub fastinter: SimDuration,
    pub downinter: SimDuration,
    /// Consecutive successes that bring a down server back.
    pub rise: u32,
    /// Consecutive failures that take an up server out.
    pub fall: u32,
    /// `timeout check` (HAProxy: `inter` when unset).
    pub timeout: SimDuration,
}

#[derive(Clone, Debug)]
pub struct BalancerConfig {
    pub name: String,
    pub algorithm: Algorithm,
    /// The balancer's own processing, if any (`threads` parallel workers).
    pub station: Option<StationConfig>,
    pub backends: Vec<BackendConfig>,
    /// Active health checks; `None` = every backend is always believed up.
    pub check: Option<HealthCheck>,
    /// Connection retries after a failed connect (HAProxy `retries`, default 3).
    pub retries: u32,
    /// `option redispatch`: the last retry goes to another server.
    pub redispatch: bool,
    /// `timeout connect`: how long a connect to a silent host waits.
    pub timeout_connect: SimDuration,
    /// `timeout server`: how long the balancer waits for a silent server's answer.
    pub timeout_server: SimDuration,
    /// `timeout client`: the client side's inactivity limit; a request whose
    /// answer has not gone out this long after it reached the balancer is
    /// cut off. `None`: not set (HAProxy warns; then it never expires).
    pub timeout_client: Option<SimDuration>,
    /// `timeout queue`: how long a request may wait for a backend below its
    /// `maxconn` before a 503 (HAProxy: `timeout connect` when unset).
    pub timeout_queue: SimDuration,
    /// `slowstart`: a recovered backend's weight and maxconn ramp up over this.
    pub slowstart: Option<SimDuration>,
    /// `hash-type consistent` for `source` and `uri`: a ring, so that a
    /// backend going down moves only its own keys (map-based otherwise).
    pub consistent: bool,
    /// Distinct URIs requests ask for (for `uri`).
    pub keys: u32,
    /// A keepalived (VRRP) pair: this balancer is the master of a virtual
    /// IP that `backup` takes over when it fails.
    pub vrrp: Option<Vrrp>,
    /// Passive health checking from live traffic, if any.
    pub passive: Option<Passive>,
    /// Failures of the balancer's host, for `stacksim availability`.
    pub reliability: Option<Reliability>,
}

/// Passive health checks: the balancer judges backends by the answers
/// of real requests (5xx and connection failures are errors).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Passive {
    /// HAProxy `observe layer7` + `error-limit` + `on-error`: after
    /// `error_limit` consecutive errors, `mark_down` takes the backend out
    /// at once; otherwise (`fail-check`, HAProxy's default) it counts as
    /// one failed health check.
    Observe { error_limit: u32, mark_down: bool },
    /// nginx `max_fails` / `fail_timeout`: `max_fails` errors within
    /// `fail_timeout` make the backend unavailable for `fail_timeout`.
    MaxFails {
        max_fails: u32,
        fail_timeout: SimDuration,
    },
}

/// keepalived's VRRP failover of a virtual IP from a master to a backup.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vrrp {
    pub backup: LbIdx,
    /// `advert_int` (keepalived default 1 s).
    pub advert_int: SimDuration,
    /// The backup's `priority` (default 100): its skew time is
    /// (256 − priority)/256 s (VRRPv2).
    pub backup_priority: u8,
    /// A `vrrp_script` tracking HAProxy on the master (`interval`, `fall`):
    /// when HAProxy's process dies the master gives up the address after
    /// interval × fall. `None`: only a dead host moves the address.
    pub track: Option<(SimDuration, u32)>,
}

impl Vrrp {
    /// How long after the master's failure the backup holds the address:
    /// a dead host is noticed after the master-down interval
    /// (3 × advert_int + skew); a dead HAProxy process after the tracking
    /// script fails, then the backup takes over at once (priority-0 advert)
    /// — after its skew time.
    pub fn takeover(&self, host_died: bool) -> Option<SimDuration> {
        let skew =
            SimDuration::from_secs_f64(f64::from(256 - u32::from(self.backup_priority)) / 256.0);
        if host_died {
            Some(SimDuration(3 * self.advert_int.0) + skew)
        } else {
            self.track
                .map(|(interval, fall)| SimDuration(interval.0 * u64::from(fall)) + skew)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppMode {
    /// A worker is held from the start of the request until its response
    /// leaves, database queries included (PHP-FPM, a sync gunicorn worker).
    Sync,
    /// A worker is held only for the request's CPU time (an event loop).
    Async,
}

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub name: String,
    /// How long the app waits for a database whose host went silent before
    /// it gives up on the query (PHP `default_socket_timeout`, 60 s).
    pub db_timeout: SimDuration,
    pub nginx: Option<StationConfig>,
    pub app: StationConfig,
    pub app_mode: AppMode,
    pub reads_from: Option<DbIdx>,
    pub writes_to: Option<DbIdx>,
    /// Where reads go when `reads_from` is part of a replication set
    /// (`Local`: to `reads_from`).
    pub read_routing: super::replication::ReadRouting,
    /// Failures of the server's host (and so of everything on it).
    pub reliability: Option<Reliability>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbRole {
    Primary,
    Replica { source: DbIdx },
}

#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    pub name: String,
    /// The server it runs on; `None` = a host of its own.
    pub host: Option<ServerIdx>,
    pub role: DbRole,
    pub connections: u32,
    pub queue_limit: Option<u32>,
    pub read: Dist,
    pub write: Dist,
    /// Failures of the database itself (its host's come from the server).
    pub reliability: Option<Reliability>,
}

/// How the arrival rate of an open workload changes over time.
#[derive(Clone, Debug, PartialEq)]
pub enum RateProfile {
    Constant,
    /// rate·(1 + amplitude·sin(2πt/period)).
    Sinusoidal {
        amplitude: f64,
        period: SimDuration,
    },
    /// (from, rate) pairs in increasing time; before the first, the base rate.
    Steps(Vec<(SimDuration, f64)>),
}

#[derive(Clone, Debug)]
pub enum Arrivals {
    Open {
        rate_per_s: f64,
        profile: RateProfile,
        clients: u32,
    },
    Closed {
        users: u32,
        think: Dist,
    },
}

#[derive(Clone, Debug)]
pub struct ClassConfig {
    pub name: String,
    pub probability: f64,
    pub reads: u32,
    pub writes: u32,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub arrivals: Arrivals,
    pub classes: Vec<ClassConfig>,
    /// How long a client waits for a connection to a silent host before it
    /// gives up (default 10 s).
    pub connect_timeout: SimDuration,
    /// With several DNS addresses, a client whose connection fails tries
    /// the next address (browsers do; many API clients do not).
    pub try_next_address: bool,
    /// The client gives up waiting after this (and retries if it may).
    pub client_timeout: Option<SimDuration>,
    /// How many times a client retries a request that timed out or failed.
    pub client_retries: u32,
}

impl Workload {
    /// Mean read and write queries per request.
    pub fn mean_queries(&self) -> (f64, f64) {
        self.classes.iter().fold((0.0, 0.0), |(r, w), c| {
            (
                r + c.probability * f64::from(c.reads),
                w + c.probability * f64::from(c.writes),
            )
        })
    }
}

impl Arrivals {
    /// The arrival rate at time `t` (open workloads; 0 for closed).
    pub fn rate_at(&self, t: SimDuration) -> f64 {
        match self {
            Arrivals::Closed { .. } => 0.0,
            Arrivals::Open {
                rate_per_s,
                profile,
                ..
            } => match profile {
                RateProfile::Constant => *rate_per_s,
                RateProfile::Sinusoidal { amplitude, period } => {
                    let phase = t.as_secs_f64() / period.as_secs_f64();
                    rate_per_s * (1.0 + amplitude * (std::f64::consts::TAU * phase).sin())
                }
                RateProfile::Steps(steps) => steps
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= t)
                    .map_or(*rate_per_s, |&(_, r)| r),
            },
        }
    }

    /// The highest rate the profile ever reaches (the thinning envelope).
    pub fn peak_rate(&self) -> f64 {
        match self {
            Arrivals::Closed { .. } => 0.0,
            Arrivals::Open {
                rate_per_s,
                profile,
                ..
            } => match profile {
                RateProfile::Constant => *rate_per_s,
                RateProfile::Sinusoidal { amplitude, .. } => rate_per_s * (1.0 + amplitude),
                RateProfile::Steps(steps) => steps.iter().map(|s| s.1).fold(*rate_per_s, f64::max),
            },
        }
    }
}

/// How long and how often to run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub duration: SimDuration,
    pub warmup: SimDuration,
    pub drain: SimDuration,
    pub window: SimDuration,
    pub replications: u32,
    pub seed: u64,
    /// Warm-up detection, sequential stopping, common random numbers.
    pub stats: crate::stats::settings::Statistics,
}

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaultKind {
    /// The host dies silently: connections and checks time out.
    CrashHost,
    /// The process dies: connections are refused at once.
    CrashProcess,
    /// Service times are multiplied by `factor`.
    Slow { factor: f64 },
    /// The target can no longer reach `peer` (a balancer and a server, or a
    /// server and a database): packets are dropped, so connections and
    /// checks time out, as against a silent host — for that pair only.
    Partition { peer: FaultTarget },
    /// Every one-way hop on the link gets `extra` latency, and each is lost
    /// with probability `loss` — a lost segment is resent after TCP's
    /// retransmission timeout (200 ms on Linux, doubling each time).
    Network { extra: SimDuration, loss: f64 },
}

/// What a fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultTarget {
    Server(ServerIdx),
    Balancer(LbIdx),
    /// One station by its global index (`web2.app`, `db1`), for slow-downs.
    Station(usize),
    /// A database, as the far side of a partition.
    Database(DbIdx),
    /// A network link: 0 client↔balancer, 1 balancer↔server, 2 server↔database.
    Link(u8),
}

/// A fault at a given time, optionally ending (recovery) after `duration`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub at: SimDuration,
    pub target: FaultTarget,
    pub kind: FaultKind,
    pub duration: Option<SimDuration>,
}

/// One fully specified simulation: a model, a workload and run parameters.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub model: ModelConfig,
    pub workload: Workload,
    pub run: RunConfig,
    pub faults: Vec<Fault>,
    /// Components with a `reliability` fail and are repaired at random.
    pub random_failures: bool,
}

impl ModelConfig {
    /// The name of a fault's target or peer.
    pub fn target_name(&self, t: FaultTarget) -> String {
        match t {
            FaultTarget::Server(s) => self.servers[s].name.clone(),
            FaultTarget::Balancer(b) => self.balancers[b].name.clone(),
            FaultTarget::Station(st) => self.station_names()[st].clone(),
            FaultTarget::Database(d) => self.databases[d].name.clone(),
            FaultTarget::Link(l) => {
                ["client_lb", "lb_server", "server_db"][usize::from(l).min(2)].to_string()
            }
        }
    }

    /// What a fault does, in words: `web2 crashes (host: silent)`.
    pub fn describe(&self, f: &Fault) -> String {
        let target = self.target_name(f.target);
        match f.kind {
            FaultKind::CrashHost => format!("{target} crashes (host: silent)"),
            FaultKind::CrashProcess => format!("{target} crashes (process: refused)"),
            FaultKind::Slow { factor } => format!("{target} slows down: service times × {factor}"),
            FaultKind::Partition { peer } => {
                format!("{target} cannot reach {}", self.target_name(peer))
            }
            FaultKind::Network { extra, loss } => {
                format!(
                    "link {target}: +{extra} each way, {:.2}% packet loss",
                    loss * 100.0
                )
            }
        }
    }

    /// The names of the stations in the order the simulator creates them:
    /// balancers (with processing), then each server's nginx and app, then
    /// the databases. Fault targets and reports use these names.
    pub fn station_names(&self) -> Vec<String> {
        let mut names = vec![];
        for b in &self.balancers {
            if b.station.is_some() {
                names.push(b.name.clone());
            }
        }
        for s in &self.servers {
            if s.nginx.is_some() {
                names.push(format!("{}.nginx", s.name));
            }
            names.push(format!("{}.app", s.name));
        }
        for d in &self.databases {
            names.push(d.name.clone());
        }
        names
    }
}
