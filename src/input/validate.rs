//! Checks typed file structs and converts them into the domain types of
//! `crate::stack::config`. Every problem is collected (with its field path,
//! which the loader locates in the right file), so one run reports all of
//! them. After this, the simulator never meets an invalid reference, a zero
//! worker count or shares that do not add up.

use super::dist::DistSpec;
use super::duration::DurationSpec;
use super::error::{Problem, SpecError};
use super::experiment::*;
use super::limits;
use super::load::Loaded;
use super::locate::parse_path;
use super::model::*;
use crate::dist::Dist;
use crate::engine::SimDuration;
use crate::stack::config::*;
use std::collections::BTreeMap;

/// Collects problems while converting.
pub struct Checker<'a> {
    loaded: &'a Loaded,
    /// Path prefix of the model in the merged table (`model.`).
    pub problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    pub fn new(loaded: &'a Loaded) -> Self {
        Checker {
            loaded,
            problems: vec![],
        }
    }

    /// Records a problem at `path` (a path in the merged table).
    pub fn err(&mut self, path: &str, message: impl Into<String>) {
        let p = self.loaded.problem(&parse_path(path), message);
        self.problems.push(p);
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, SpecError> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => Err(SpecError {
                problems: if self.problems.is_empty() {
                    vec![Problem::new("", "invalid input")]
                } else {
                    self.problems
                },
            }),
        }
    }

    fn dist(&mut self, path: &str, spec: &DistSpec) -> Option<Dist> {
        match spec.resolve(&self.loaded.model_dir) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e);
                None
            }
        }
    }

    /// A timer of HAProxy, nginx, keepalived or MySQL: positive and at least
    /// `floor`. The real software counts these in milliseconds (keepalived's
    /// advertisement in centiseconds at best); a shorter timer makes no
    /// physical sense and would flood the simulation with events.
    fn timer(&mut self, path: &str, d: SimDuration, floor: SimDuration, unit: &str) -> SimDuration {
        if d < floor {
            self.err(
                path,
                format!("must be at least {floor} (the software counts it in {unit}), found {d}"),
            );
        }
        d.max(floor)
    }

    /// [`Self::timer`] with a 1 ms floor, for timers counted in milliseconds.
    fn ms_timer(&mut self, path: &str, d: SimDuration) -> SimDuration {
        self.timer(path, d, SimDuration::from_millis(1), "milliseconds")
    }

    /// An optional timer where 0 (or absence) means "off"; otherwise ≥ 1 ms.
    fn optional_ms_timer(&mut self, path: &str, d: Option<SimDuration>) -> Option<SimDuration> {
        d.filter(|d| !d.is_zero()).map(|d| self.ms_timer(path, d))
    }

    /// `n`, refused past `most` with the reason `why`.
    fn at_most(&mut self, path: &str, n: u32, most: u32, why: &str) -> u32 {
        if n > most {
            self.err(path, format!("at most {most} ({why}), found {n}"));
        }
        n.min(most)
    }

    fn at_least_one(&mut self, path: &str, n: u32) -> u32 {
        if n == 0 {
            self.err(path, "must be at least 1, found 0");
        }
        n.max(1)
    }

    fn station(
        &mut self,
        path: &str,
        workers: u32,
        limit: Option<u32>,
        service: &DistSpec,
    ) -> Option<StationConfig> {
        let workers = self.at_least_one(&format!("{path}.workers"), workers);
        let service = self.dist(&format!("{path}.service"), service)?;
        Some(StationConfig {
            workers,
            queue_limit: limit,
            service,
        })
    }

    /// Converts a model; paths are under `prefix` (`model`).
    pub fn model(&mut self, prefix: &str, m: &ModelFile) -> Option<ModelConfig> {
        let p = |rest: &str| format!("{prefix}.{rest}");
        if m.servers.is_empty() {
            self.err(prefix, "a model needs at least one server ([servers.NAME])");
        }
        let server_idx: BTreeMap<&str, usize> = m
            .servers
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let lb_idx: BTreeMap<&str, usize> = m
            .balancers
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let db_idx: BTreeMap<&str, usize> = m
            .databases
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        for name in m.balancers.keys() {
            if server_idx.contains_key(name.as_str()) {
                self.err(
                    &p(&format!("balancers.{name}")),
                    format!("`{name}` names both a balancer and a server; names must be unique"),
                );
            }
        }
        let names = |map: &BTreeMap<&str, usize>| -> String {
            if map.is_empty() {
                "none are defined".to_string()
            } else {
                format!(
                    "defined: {}",
                    map.keys().copied().collect::<Vec<_>>().join(", ")
                )
            }
        };
        let entry_of = |this: &mut Self, path: &str, name: &str| -> Option<Entry> {
            if let Some(&i) = lb_idx.get(name) {
                Some(Entry::Balancer(i))
            } else if let Some(&i) = server_idx.get(name) {
                Some(Entry::Server(i))
            } else {
                this.err(
                    path,
                    format!(
                        "`{name}` is not a balancer or a server (balancers {}; servers {})",
                        names(&lb_idx),
                        names(&server_idx)
                    ),
                );
                None
            }
        };

        // DNS and entry points.
        let mut entries = vec![];
        let dns = match &m.dns {
            Some(d) => {
                if d.addresses.is_empty() {
                    self.err(
                        &p("dns.addresses"),
                        "a DNS record needs at least one address",
                    );
                }
                for (i, a) in d.addresses.iter().enumerate() {
                    if let Some(e) = entry_of(self, &p(&format!("dns.addresses[{i}]")), a) {
                        entries.push(e);
                    }
                }
                let lat = self.dist(&p("dns.resolver_latency"), &d.resolver_latency);
                lat.map(|resolver_latency| DnsConfig {
                    record: d.record.clone(),
                    ttl: d.ttl.0,
                    resolver_latency,
                })
            }
            None => None,
        };
        if m.dns.is_some() && m.entry.is_some() {
            self.err(
                &p("entry"),
                "give either [dns] addresses or `entry`, not both",
            );
        }
        if m.dns.is_none() {
            match &m.entry {
                Some(name) => {
                    if let Some(e) = entry_of(self, &p("entry"), name) {
                        entries.push(e);
                    }
                }
                None if m.balancers.len() == 1 => entries.push(Entry::Balancer(0)),
                None if m.balancers.is_empty() && m.servers.len() == 1 => entries.push(Entry::Server(0)),
                None if !m.servers.is_empty() => self.err(prefix, "say where clients connect: add a [dns] record with `addresses`, or `entry = \"NAME\"`"),
                None => {}
            }
        }

        let network = NetworkConfig {
            client_lb: m
                .network
                .client_lb
                .as_ref()
                .and_then(|d| self.dist(&p("network.client_lb"), d)),
            lb_server: m
                .network
                .lb_server
                .as_ref()
                .and_then(|d| self.dist(&p("network.lb_server"), d)),
            server_db: m
                .network
                .server_db
                .as_ref()
                .and_then(|d| self.dist(&p("network.server_db"), d)),
        };

        let mut balancers = vec![];
        for (name, b) in &m.balancers {
            let bp = p(&format!("balancers.{name}"));
            let algorithm = Algorithm::parse(&b.algorithm);
            if algorithm.is_none() {
                self.err(
                    &format!("{bp}.algorithm"),
                    format!(
                        "unknown algorithm `{}`; known: {}",
                        b.algorithm,
                        Algorithm::known()
                    ),
                );
            }
            let threads = self.at_least_one(&format!("{bp}.threads"), b.threads);
            let station = match &b.overhead {
                Some(o) => self
                    .dist(&format!("{bp}.overhead"), o)
                    .map(|service| StationConfig {
                        workers: threads,
                        queue_limit: b.queue_limit,
                        service,
                    }),
                None => None,
            };
            if b.backends.is_empty() {
                self.err(
                    &format!("{bp}.backends"),
                    "a balancer needs at least one backend",
                );
            }
            let mut backends: Vec<BackendConfig> = vec![];
            for (i, be) in b.backends.iter().enumerate() {
                let path = format!("{bp}.backends[{i}]");
                let (server, weight, maxconn) = match be {
                    BackendFile::Name(s) => (s.as_str(), WeightedBackendFile::WEIGHT, None),
                    BackendFile::Weighted(w) => (
                        w.server.as_str(),
                        w.weight,
                        (w.maxconn > 0).then_some(w.maxconn),
                    ),
                };
                if !(1..=256).contains(&weight) {
                    self.err(
                        &path,
                        format!("weight must be from 1 to 256 (HAProxy's range), found {weight}"),
                    );
                }
                match server_idx.get(server) {
                    Some(&s) if backends.iter().any(|x| x.server == s) => {
                        self.err(&path, format!("`{server}` is listed twice"))
                    }
                    Some(&s) => backends.push(BackendConfig {
                        server: s,
                        weight,
                        maxconn,
                    }),
                    None => self.err(
                        &path,
                        format!("`{server}` is not a server ({})", names(&server_idx)),
                    ),
                }
            }
            if let Some(algorithm) = algorithm {
                if algorithm == Algorithm::First && !backends.iter().any(|x| x.maxconn.is_some()) {
                    self.err(&format!("{bp}.algorithm"), "`first` needs `maxconn` on the backends (HAProxy: without it, every request goes to the first server)");
                }
                let check = match &b.check {
                    None | Some(CheckSetting::Enabled(false)) => None,
                    Some(CheckSetting::Enabled(true)) => {
                        Some(self.health_check(&format!("{bp}.check"), &CheckFile::default()))
                    }
                    Some(CheckSetting::Params(c)) => {
                        Some(self.health_check(&format!("{bp}.check"), c))
                    }
                };
                let timeout_connect = self.ms_timer(
                    &format!("{bp}.timeout_connect"),
                    b.timeout_connect
                        .map_or(BalancerFile::TIMEOUT_CONNECT, |d| d.0),
                );
                let timeout_server = self.ms_timer(
                    &format!("{bp}.timeout_server"),
                    b.timeout_server
                        .map_or(BalancerFile::TIMEOUT_SERVER, |d| d.0),
                );
                let timeout_queue = self.ms_timer(
                    &format!("{bp}.timeout_queue"),
                    b.timeout_queue.map_or(timeout_connect, |d| d.0),
                );
                let timeout_client = self.optional_ms_timer(
                    &format!("{bp}.timeout_client"),
                    b.timeout_client.map(|d| d.0),
                );
                let slowstart =
                    self.optional_ms_timer(&format!("{bp}.slowstart"), b.slowstart.map(|d| d.0));
                balancers.push(BalancerConfig {
                    name: name.clone(),
                    algorithm,
                    station,
                    backends,
                    check,
                    retries: b.retries,
                    redispatch: b.redispatch,
                    timeout_connect,
                    timeout_server,
                    timeout_queue,
                    timeout_client,
                    slowstart,
                    consistent: match b.hash_type.as_deref() {
                        None | Some("map-based") => false,
                        Some("consistent") => true,
                        Some(other) => {
                            self.err(&format!("{bp}.hash_type"), format!("unknown hash type `{other}`; expected `map-based` (HAProxy's default) or `consistent`"));
                            false
                        }
                    },
                    keys: self.at_least_one(&format!("{bp}.keys"), b.keys.unwrap_or(BalancerFile::KEYS)),
                    vrrp: None,
                    passive: self.passive(&bp, b),
                    reliability: self.reliability(&format!("{bp}.reliability"), &b.reliability),
                });
            }
        }

        for (i, (name, b)) in m.balancers.iter().enumerate() {
            let Some(v) = &b.vrrp else { continue };
            let vp = p(&format!("balancers.{name}.vrrp"));
            let Some(&backup) = lb_idx.get(v.backup.as_str()) else {
                self.err(
                    &format!("{vp}.backup"),
                    format!("`{}` is not a balancer ({})", v.backup, names(&lb_idx)),
                );
                continue;
            };
            if backup == i {
                self.err(
                    &format!("{vp}.backup"),
                    "a balancer cannot be its own backup",
                );
                continue;
            }
            let centis = SimDuration::from_millis(10);
            let advert_int = self.timer(
                &format!("{vp}.advert_int"),
                v.advert_int.map_or(VrrpFile::ADVERT_INT, |d| d.0),
                centis,
                "centiseconds",
            );
            let track = match v.track_haproxy.unwrap_or(VrrpFile::TRACK_HAPROXY) {
                true => Some((
                    self.timer(
                        &format!("{vp}.track_interval"),
                        v.track_interval.map_or(VrrpFile::TRACK_INTERVAL, |d| d.0),
                        centis,
                        "centiseconds",
                    ),
                    self.at_least_one(
                        &format!("{vp}.track_fall"),
                        v.track_fall.unwrap_or(VrrpFile::TRACK_FALL),
                    ),
                )),
                false => None,
            };
            if let Some(cfg) = balancers.get_mut(i) {
                cfg.vrrp = Some(Vrrp {
                    backup,
                    advert_int,
                    backup_priority: v.backup_priority.unwrap_or(VrrpFile::BACKUP_PRIORITY),
                    track,
                });
            }
        }

        let db_ref = |this: &mut Self, path: &str, name: &Option<String>| -> Option<usize> {
            let n = name.as_ref()?;
            let found = db_idx.get(n.as_str()).copied();
            if found.is_none() {
                this.err(
                    path,
                    format!("`{n}` is not a database ({})", names(&db_idx)),
                );
            }
            found
        };

        let mut databases = vec![];
        for (name, d) in &m.databases {
            let dp = p(&format!("databases.{name}"));
            let host = match &d.host {
                Some(h) => match server_idx.get(h.as_str()) {
                    Some(&i) => Some(i),
                    None => {
                        self.err(
                            &format!("{dp}.host"),
                            format!("`{h}` is not a server ({})", names(&server_idx)),
                        );
                        None
                    }
                },
                None => None,
            };
            let role = match (d.role.as_str(), &d.source) {
                ("primary", None) => Some(DbRole::Primary),
                ("primary", Some(_)) => {
                    self.err(
                        &format!("{dp}.source"),
                        "a primary has no `source`; only a replica copies another database",
                    );
                    None
                }
                ("replica", None) => {
                    self.err(
                        &format!("{dp}.role"),
                        "a replica needs `source`: the primary it copies",
                    );
                    None
                }
                ("replica", Some(_)) => {
                    let s = db_ref(self, &format!("{dp}.source"), &d.source);
                    if s == db_idx.get(name.as_str()).copied() {
                        self.err(&format!("{dp}.source"), "a replica cannot copy itself");
                    }
                    s.map(|source| DbRole::Replica { source })
                }
                (other, _) => {
                    self.err(
                        &format!("{dp}.role"),
                        format!("unknown role `{other}`; expected `primary` or `replica`"),
                    );
                    None
                }
            };
            let connections = self.at_least_one(&format!("{dp}.connections"), d.connections);
            let read = self.dist(&format!("{dp}.read"), &d.read);
            let write = match (&d.write, role) {
                (Some(w), _) => self.dist(&format!("{dp}.write"), w),
                (None, Some(DbRole::Primary)) => {
                    self.err(
                        &dp,
                        "a primary needs `write`: the service time of a write query",
                    );
                    None
                }
                (None, _) => read.clone(),
            };
            if let (Some(role), Some(read), Some(write)) = (role, read, write) {
                databases.push(DatabaseConfig {
                    name: name.clone(),
                    host,
                    role,
                    connections,
                    queue_limit: d.queue_limit,
                    read,
                    write,
                    reliability: self.reliability(&format!("{dp}.reliability"), &d.reliability),
                });
            }
        }

        let mut servers = vec![];
        for (name, s) in &m.servers {
            let sp = p(&format!("servers.{name}"));
            let nginx = match &s.nginx {
                Some(n) => {
                    self.station(&format!("{sp}.nginx"), n.workers, n.queue_limit, &n.service)
                }
                None => None,
            };
            let app = self.station(
                &format!("{sp}.app"),
                s.app.workers,
                s.app.queue_limit,
                &s.app.service,
            );
            let app_mode = match s.app.mode.as_str() {
                "sync" => AppMode::Sync,
                "async" => AppMode::Async,
                other => {
                    self.err(&format!("{sp}.app.mode"), format!("unknown mode `{other}`; expected `sync` (a worker waits for its queries, like PHP-FPM) or `async`"));
                    AppMode::Sync
                }
            };
            let reads_from = db_ref(self, &format!("{sp}.reads_from"), &s.reads_from);
            let writes_to = db_ref(self, &format!("{sp}.writes_to"), &s.writes_to);
            if let Some(db) = writes_to.and_then(|w| m.databases.values().nth(w))
                && db.role == "replica"
            {
                self.err(
                    &format!("{sp}.writes_to"),
                    format!(
                        "`{}` is a replica, which is read-only (MySQL super_read_only); writes must go to a primary",
                        s.writes_to.as_deref().unwrap_or_default()
                    ),
                );
            }
            if let Some(app) = app {
                servers.push(ServerConfig {
                    name: name.clone(),
                    db_timeout: self.ms_timer(
                        &format!("{sp}.db_timeout"),
                        s.db_timeout.map_or(ServerFile::DB_TIMEOUT, |d| d.0),
                    ),
                    nginx,
                    app,
                    app_mode,
                    reads_from,
                    writes_to,
                    reliability: self.reliability(&format!("{sp}.reliability"), &s.reliability),
                });
            }
        }

        let complete = balancers.len() == m.balancers.len()
            && servers.len() == m.servers.len()
            && databases.len() == m.databases.len();
        if !complete || !self.problems.is_empty() {
            return None;
        }
        let monitoring = match &m.monitoring {
            Some(mo) => Monitoring {
                enabled: mo.enabled,
                alert_delay: mo.alert_delay.map_or(MonitoringFile::ALERT_DELAY, |d| d.0),
                notice_delay: mo
                    .notice_delay
                    .map_or(MonitoringFile::NOTICE_DELAY, |d| d.0),
            },
            None => Monitoring {
                enabled: false,
                alert_delay: MonitoringFile::ALERT_DELAY,
                notice_delay: MonitoringFile::NOTICE_DELAY,
            },
        };
        Some(ModelConfig {
            name: m.name.clone().unwrap_or_else(|| ModelFile::NAME.into()),
            monitoring,
            dns,
            entries,
            network,
            balancers,
            servers,
            databases,
        })
    }

    /// Converts a workload; `model` (when valid) is checked against it.
    pub fn workload(
        &mut self,
        path: &str,
        w: &WorkloadFile,
        model: Option<&ModelConfig>,
        model_prefix: &str,
    ) -> Option<Workload> {
        let p = |rest: &str| format!("{path}.{rest}");
        let arrivals = match w.kind.as_str() {
            "open" => {
                for (set, key) in [(w.users.is_some(), "users"), (w.think.is_some(), "think")] {
                    if set {
                        self.err(
                            &p(key),
                            format!("`{key}` is for a closed workload; an open one has `rate`"),
                        );
                    }
                }
                let rate = match w.rate {
                    None => {
                        self.err(path, "an open workload needs `rate` (requests per second)");
                        None
                    }
                    Some(r) if !(r.is_finite() && r > 0.0) => {
                        self.err(
                            &p("rate"),
                            format!("must be a positive number of requests per second, found {r}"),
                        );
                        None
                    }
                    Some(r) if r > limits::MAX_RATE_PER_S => {
                        self.err(
                            &p("rate"),
                            format!("at most {:e} requests per second (every request is simulated), found {r:e}", limits::MAX_RATE_PER_S),
                        );
                        None
                    }
                    Some(r) => Some(r),
                };
                let clients =
                    self.at_least_one(&p("clients"), w.clients.unwrap_or(WorkloadFile::CLIENTS));
                let clients = self.at_most(
                    &p("clients"),
                    clients,
                    limits::MAX_CLIENTS,
                    "each keeps its own DNS cache",
                );
                let profile = match &w.profile {
                    None => Some(RateProfile::Constant),
                    Some(pr) => self.profile(&p("profile"), pr),
                };
                match (rate, profile) {
                    (Some(rate_per_s), Some(profile)) => Some(Arrivals::Open {
                        rate_per_s,
                        profile,
                        clients,
                    }),
                    _ => None,
                }
            }
            "closed" => {
                for (set, key) in [
                    (w.rate.is_some(), "rate"),
                    (w.profile.is_some(), "profile"),
                    (w.clients.is_some(), "clients"),
                ] {
                    if set {
                        self.err(&p(key), format!("`{key}` is for an open workload; a closed one has `users` and `think` (each user is a client)"));
                    }
                }
                let users = match w.users {
                    Some(u) => {
                        let u = self.at_least_one(&p("users"), u);
                        self.at_most(
                            &p("users"),
                            u,
                            limits::MAX_CLIENTS,
                            "each is a client of its own",
                        )
                    }
                    None => {
                        self.err(path, "a closed workload needs `users`");
                        1
                    }
                };
                let think = match &w.think {
                    Some(t) => self.dist(&p("think"), t),
                    None => {
                        self.err(path, "a closed workload needs `think` (e.g. \"0s\" or { dist = \"exponential\", mean = \"1s\" })");
                        None
                    }
                };
                think.map(|think| Arrivals::Closed { users, think })
            }
            other => {
                self.err(
                    &p("kind"),
                    format!("unknown workload kind `{other}`; expected `open` or `closed`"),
                );
                None
            }
        };
        let mut classes = vec![];
        let mut total = 0.0;
        for (i, c) in w.classes.iter().enumerate() {
            let cp = p(&format!("classes[{i}]"));
            if !(c.probability.is_finite() && c.probability > 0.0 && c.probability <= 1.0) {
                self.err(
                    &format!("{cp}.probability"),
                    format!("must be in (0, 1], found {}", c.probability),
                );
            }
            if w.classes[..i].iter().any(|o| o.name == c.name) {
                self.err(
                    &format!("{cp}.name"),
                    format!("class `{}` is defined twice", c.name),
                );
            }
            total += c.probability;
            for (n, key) in [(c.reads, "reads"), (c.writes, "writes")] {
                self.at_most(
                    &format!("{cp}.{key}"),
                    n,
                    limits::MAX_QUERIES_PER_REQUEST,
                    "queries per request; a page makes 5 to 10",
                );
            }
            classes.push(ClassConfig {
                name: c.name.clone(),
                probability: c.probability,
                reads: c.reads,
                writes: c.writes,
            });
        }
        if classes.is_empty() {
            classes.push(ClassConfig {
                name: "request".into(),
                probability: 1.0,
                reads: 0,
                writes: 0,
            });
        } else if (total - 1.0).abs() > 1e-9 {
            self.err(
                &p("classes"),
                format!("the class probabilities add up to {total}, expected 1"),
            );
        }
        if let Some(model) = model {
            let reads = classes.iter().any(|c| c.reads > 0);
            let writes = classes.iter().any(|c| c.writes > 0);
            for s in &model.servers {
                if reads && s.reads_from.is_none() {
                    self.err(&format!("{model_prefix}.servers.{}", s.name), "the workload's classes make reads, but this server has no `reads_from` database");
                }
                if writes && s.writes_to.is_none() {
                    self.err(&format!("{model_prefix}.servers.{}", s.name), "the workload's classes make writes, but this server has no `writes_to` database");
                }
            }
        }
        let connect_timeout = self.ms_timer(
            &p("connect_timeout"),
            w.connect_timeout
                .map_or(WorkloadFile::CONNECT_TIMEOUT, |d| d.0),
        );
        let try_next_address = w.try_next_address;
        let client_timeout = w.timeout.map(|d| d.0);
        if client_timeout.is_some_and(|d| d.is_zero()) {
            self.err(
                &p("timeout"),
                "must be positive (leave it out for a client that waits forever)",
            );
        }
        let client_timeout = client_timeout
            .filter(|d| !d.is_zero())
            .map(|d| self.ms_timer(&p("timeout"), d));
        if w.retries > 10 {
            self.err(
                &p("retries"),
                format!("at most 10 retries, found {}", w.retries),
            );
        }
        arrivals.map(|arrivals| Workload {
            arrivals,
            classes,
            connect_timeout,
            try_next_address,
            client_timeout,
            client_retries: w.retries,
        })
    }

    /// A partition (target ↮ peer) or a degraded link.
    fn net_fault(
        &mut self,
        p: &str,
        f: &FaultFile,
        model: &ModelConfig,
        server: Option<usize>,
        lb: Option<usize>,
    ) -> Option<(FaultKind, FaultTarget)> {
        if f.mode.is_some() || f.factor.is_some() {
            self.err(p, "`mode` and `factor` are for crashes and slow-downs");
            return None;
        }
        if f.kind == "network" {
            let link = match f.target.as_str() {
                "client_lb" => 0,
                "lb_server" => 1,
                "server_db" => 2,
                other => {
                    self.err(&format!("{p}.target"), format!("`{other}` is not a link; expected `client_lb`, `lb_server` or `server_db`"));
                    return None;
                }
            };
            let loss = f.loss.unwrap_or(0.0);
            if !(0.0..1.0).contains(&loss) {
                self.err(
                    &format!("{p}.loss"),
                    format!("must be in [0, 1), found {loss}"),
                );
                return None;
            }
            let extra = f.extra_latency.map_or(SimDuration::ZERO, |d| d.0);
            if extra.is_zero() && loss == 0.0 {
                self.err(p, "a network fault needs `extra_latency` or `loss`");
                return None;
            }
            return Some((FaultKind::Network { extra, loss }, FaultTarget::Link(link)));
        }
        let Some(peer_name) = &f.peer else {
            self.err(
                p,
                "a partition needs `peer`: the component the target can no longer reach",
            );
            return None;
        };
        let peer_server = model.servers.iter().position(|s| s.name == *peer_name);
        let peer_db = model.databases.iter().position(|d| d.name == *peer_name);
        match (lb, server, peer_server, peer_db) {
            (Some(b), _, Some(s), _) => Some((
                FaultKind::Partition {
                    peer: FaultTarget::Server(s),
                },
                FaultTarget::Balancer(b),
            )),
            (_, Some(s), _, Some(d)) => Some((
                FaultKind::Partition {
                    peer: FaultTarget::Database(d),
                },
                FaultTarget::Server(s),
            )),
            _ => {
                self.err(p, format!("a partition is between a balancer and a server, or a server and a database; `{}` and `{peer_name}` are not", f.target));
                None
            }
        }
    }

    /// HAProxy's `observe` or nginx's `max_fails` (not both).
    fn passive(&mut self, bp: &str, b: &BalancerFile) -> Option<Passive> {
        match (&b.observe, &b.max_fails) {
            (Some(_), Some(_)) => {
                self.err(
                    &format!("{bp}.max_fails"),
                    "give either HAProxy's `observe` or nginx's `max_fails`, not both",
                );
                None
            }
            (Some(o), None) => {
                let error_limit = self.at_least_one(
                    &format!("{bp}.observe.error_limit"),
                    o.error_limit.unwrap_or(ObserveFile::ERROR_LIMIT),
                );
                let mark_down = match o.on_error.as_deref().unwrap_or(ObserveFile::ON_ERROR) {
                    "fail-check" => false,
                    "mark-down" => true,
                    other => {
                        self.err(&format!("{bp}.observe.on_error"), format!("unknown on-error action `{other}`; expected `fail-check` (HAProxy's default) or `mark-down`"));
                        false
                    }
                };
                Some(Passive::Observe {
                    error_limit,
                    mark_down,
                })
            }
            (None, Some(m)) => {
                let max_fails = self.at_least_one(
                    &format!("{bp}.max_fails.max_fails"),
                    m.max_fails.unwrap_or(MaxFailsFile::MAX_FAILS),
                );
                let fail_timeout = self.ms_timer(
                    &format!("{bp}.max_fails.fail_timeout"),
                    m.fail_timeout.map_or(MaxFailsFile::FAIL_TIMEOUT, |d| d.0),
                );
                Some(Passive::MaxFails {
                    max_fails,
                    fail_timeout,
                })
            }
            (None, None) => None,
        }
    }

    /// A component's failure and repair means; both must be positive.
    fn reliability(&mut self, path: &str, r: &Option<ReliabilityFile>) -> Option<Reliability> {
        let r = r.as_ref()?;
        for (v, k) in [(r.mtbf.0, "mtbf"), (r.mttr.0, "mttr")] {
            if v.is_zero() {
                self.err(&format!("{path}.{k}"), "must be positive");
            }
        }
        Some(Reliability {
            mtbf: r.mtbf.0,
            mttr: r.mttr.0,
        })
    }

    /// HAProxy's check parameters with HAProxy's defaults: inter 2 s,
    /// fastinter and downinter = inter, rise 2, fall 3, timeout = inter.
    fn health_check(&mut self, path: &str, c: &CheckFile) -> HealthCheck {
        let inter = self.ms_timer(
            &format!("{path}.inter"),
            c.inter.map_or(CheckFile::INTER, |d| d.0),
        );
        let rise = self.at_least_one(&format!("{path}.rise"), c.rise.unwrap_or(CheckFile::RISE));
        let fall = self.at_least_one(&format!("{path}.fall"), c.fall.unwrap_or(CheckFile::FALL));
        let mut timer = |k: &str, d: Option<&DurationSpec>| {
            self.ms_timer(&format!("{path}.{k}"), d.map_or(inter, |d| d.0))
        };
        let fastinter = timer("fastinter", c.fastinter.as_ref());
        let downinter = timer("downinter", c.downinter.as_ref());
        let timeout = timer("timeout", c.timeout.as_ref());
        HealthCheck {
            inter,
            fastinter,
            downinter,
            rise,
            fall,
            timeout,
        }
    }

    /// Converts the `[[faults]]` of an experiment against a valid model.
    pub fn faults(&mut self, list: &[FaultFile], model: &ModelConfig) -> Vec<Fault> {
        let stations = model.station_names();
        let mut out = vec![];
        for (i, f) in list.iter().enumerate() {
            let p = format!("faults[{i}]");
            if f.duration.is_some_and(|d| d.0.is_zero()) {
                self.err(
                    &format!("{p}.duration"),
                    "must be positive (leave it out for a fault that lasts)",
                );
            }
            let server = model.servers.iter().position(|s| s.name == f.target);
            let lb = model.balancers.iter().position(|b| b.name == f.target);
            let station = stations.iter().position(|s| *s == f.target);
            if f.kind == "partition" || f.kind == "network" {
                if let Some(kind_target) = self.net_fault(&p, f, model, server, lb) {
                    out.push(Fault {
                        at: f.at.0,
                        target: kind_target.1,
                        kind: kind_target.0,
                        duration: f.duration.map(|d| d.0),
                    });
                }
                continue;
            }
            for (set, key) in [
                (f.peer.is_some(), "peer"),
                (f.extra_latency.is_some(), "extra_latency"),
                (f.loss.is_some(), "loss"),
            ] {
                if set {
                    self.err(
                        &format!("{p}.{key}"),
                        format!("`{key}` is for kind = \"partition\" or \"network\""),
                    );
                }
            }
            let kind = match (f.kind.as_str(), f.mode.as_deref(), f.factor) {
                ("crash", mode, None) => match mode {
                    None | Some("host") => Some(FaultKind::CrashHost),
                    Some("process") => Some(FaultKind::CrashProcess),
                    Some(other) => {
                        self.err(&format!("{p}.mode"), format!("unknown crash mode `{other}`; expected `host` (silent: connections time out) or `process` (connections refused)"));
                        None
                    }
                },
                ("slow", None, Some(factor)) if factor.is_finite() && factor > 0.0 => {
                    Some(FaultKind::Slow { factor })
                }
                ("slow", None, Some(factor)) => {
                    self.err(
                        &format!("{p}.factor"),
                        format!("must be a positive number, found {factor}"),
                    );
                    None
                }
                ("slow", None, None) => {
                    self.err(
                        &p,
                        "a slow-down needs `factor` (service times are multiplied by it)",
                    );
                    None
                }
                ("crash", _, Some(_)) => {
                    self.err(&format!("{p}.factor"), "`factor` is for kind = \"slow\"");
                    None
                }
                ("slow", Some(_), _) => {
                    self.err(&format!("{p}.mode"), "`mode` is for kind = \"crash\"");
                    None
                }
                (other, _, _) => {
                    self.err(
                        &format!("{p}.kind"),
                        format!("unknown fault kind `{other}`; expected `crash`, `slow`, `partition` or `network`"),
                    );
                    None
                }
            };
            let db = model.databases.iter().position(|d| d.name == f.target);
            let target = match (kind, server, lb, station) {
                (_, Some(s), _, _) => Some(FaultTarget::Server(s)),
                (_, _, Some(b), _) => Some(FaultTarget::Balancer(b)),
                (Some(FaultKind::CrashProcess), _, _, _) if db.is_some() => {
                    db.map(FaultTarget::Database)
                }
                (Some(FaultKind::CrashHost), _, _, _) if db.is_some() => {
                    self.err(
                        &format!("{p}.mode"),
                        "a database crash is its process (`mode = \"process\"`); to take its host down, crash the server it runs on",
                    );
                    None
                }
                (Some(FaultKind::Slow { .. }), _, _, Some(st)) => Some(FaultTarget::Station(st)),
                (Some(_), _, _, Some(_)) => {
                    self.err(
                        &format!("{p}.target"),
                        format!(
                            "`{}` is a station: a crash takes a server or a balancer",
                            f.target
                        ),
                    );
                    None
                }
                _ => {
                    self.err(
                        &format!("{p}.target"),
                        format!(
                            "`{}` is not a server, balancer or station (stations: {})",
                            f.target,
                            stations.join(", ")
                        ),
                    );
                    None
                }
            };
            if let (Some(kind), Some(target)) = (kind, target) {
                out.push(Fault {
                    at: f.at.0,
                    target,
                    kind,
                    duration: f.duration.map(|d| d.0),
                });
            }
        }
        out
    }

    fn profile(&mut self, path: &str, pr: &ProfileFile) -> Option<RateProfile> {
        match pr.shape.as_str() {
            "sinusoidal" => {
                let amplitude = pr.amplitude.unwrap_or(ProfileFile::AMPLITUDE);
                if !(0.0..=1.0).contains(&amplitude) {
                    self.err(
                        &format!("{path}.amplitude"),
                        format!(
                            "must be in [0, 1] (a rate never goes negative), found {amplitude}"
                        ),
                    );
                }
                match pr.period {
                    Some(period) if !period.0.is_zero() => Some(RateProfile::Sinusoidal {
                        amplitude,
                        period: period.0,
                    }),
                    _ => {
                        self.err(path, "a sinusoidal profile needs a positive `period`");
                        None
                    }
                }
            }
            "steps" => {
                if pr.steps.is_empty() {
                    self.err(
                        &format!("{path}.steps"),
                        "a steps profile needs at least one step { at = \"60s\", rate = 1200 }",
                    );
                }
                let mut steps = vec![];
                for (i, s) in pr.steps.iter().enumerate() {
                    if !(s.rate.is_finite() && s.rate >= 0.0) {
                        self.err(
                            &format!("{path}.steps[{i}].rate"),
                            format!("must be a non-negative number, found {}", s.rate),
                        );
                    }
                    if steps
                        .last()
                        .is_some_and(|&(at, _): &(SimDuration, f64)| at >= s.at.0)
                    {
                        self.err(
                            &format!("{path}.steps[{i}].at"),
                            "steps must be in increasing time",
                        );
                    }
                    steps.push((s.at.0, s.rate));
                }
                Some(RateProfile::Steps(steps))
            }
            other => {
                self.err(
                    &format!("{path}.shape"),
                    format!("unknown profile shape `{other}`; expected `sinusoidal` or `steps`"),
                );
                None
            }
        }
    }

    /// Converts the run parameters of an experiment.
    pub fn run(&mut self, e: &ExperimentFile) -> Option<RunConfig> {
        let duration = e.duration.0;
        if duration.is_zero() {
            self.err("duration", "must be positive");
        }
        let warmup = e.warmup.map_or(ExperimentFile::WARMUP, |w| w.0);
        if warmup >= duration && !duration.is_zero() {
            self.err(
                "warmup",
                format!("must be shorter than `duration` ({duration})"),
            );
        }
        let window = e.window.map_or(ExperimentFile::WINDOW, |w| w.0);
        if window < limits::MIN_WINDOW {
            self.err(
                "window",
                format!("must be at least {} (a shorter window holds too few requests for a percentile), found {window}", limits::MIN_WINDOW),
            );
        } else if limits::windows(duration, window) > limits::MAX_WINDOWS_PER_RUN {
            self.err(
                if e.window.is_some() { "window" } else { "duration" },
                format!(
                    "{duration} in windows of {window} makes {} windows; at most {} per replication (one row of timeseries.csv each): use a window of at least {}",
                    limits::windows(duration, window),
                    limits::MAX_WINDOWS_PER_RUN,
                    SimDuration(duration.0.div_ceil(limits::MAX_WINDOWS_PER_RUN))
                ),
            );
        }
        let replications = self.at_least_one(
            "replications",
            e.replications.unwrap_or(ExperimentFile::REPLICATIONS),
        );
        if replications > limits::MAX_REPLICATIONS {
            self.err(
                "replications",
                format!(
                    "at most {} per scenario (confidence intervals narrow as 1/√n: 100 already give a tenth of one replication's spread), found {replications}",
                    limits::MAX_REPLICATIONS
                ),
            );
        }
        Some(RunConfig {
            duration,
            warmup,
            drain: e.drain.map_or(ExperimentFile::DRAIN, |d| d.0),
            window,
            replications,
            seed: e.seed.unwrap_or(ExperimentFile::SEED),
        })
    }
}
