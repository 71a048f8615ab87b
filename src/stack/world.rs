//! The web stack as a simulation model: clients, DNS, balancers, servers
//! (nginx → application) and databases, driven by the event engine.
//!
//! A request is a small record in a slab, moved through its journey by the
//! step functions of `flow.rs` (its `Phase` says where to resume after an
//! event): DNS lookup if the client's cached answer has
//! expired → network to the entry → balancer → network → nginx → app →
//! each database query (network there and back when the database is on
//! another host) → response back through the balancer to the client.
//! Hops with zero latency are direct calls, not heap round trips.
//!
//! A synchronous app worker stays busy from taking the request until the
//! response leaves the app, database queries included; an asynchronous one
//! only for the CPU time. A full queue fails the request (503), which then
//! travels back to the client like any response and is counted there with
//! its reason.

use super::balancer::Balancer;
use super::config::{AppMode, Arrivals, DbRole, Entry, Scenario};
use super::guards::SimError;
use super::metrics::{FailReason, FailureCount, Metrics, WindowRow};
use super::station::{Admit, Station, StationStats};
use crate::dist::Dist;
use crate::engine::rng::{Rng, Streams};
use crate::engine::{Model, Scheduler, SimDuration, SimTime};
use crate::stats::Histogram;
use rand::RngExt;

pub(super) const NONE: u16 = u16::MAX;

/// Where a request is in its journey; the next step to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Start,
    Connect,
    AtEntry,
    LbDone,
    AtServer,
    AtApp,
    AppCpuDone,
    NextQuery,
    AtDb,
    DbDone,
    RespAtLb,
    RespAtClient,
    /// A connection attempt failed; retry (or give up) now.
    Retry,
    /// Waiting in a balancer's backend queue (every backend at `maxconn`).
    LbQueued,
    /// A failed query or a killed request continues at the app's exit.
    AppDone,
    /// The slot is free (not a live request).
    Free,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Req {
    pub(super) start: SimTime,
    pub(super) client: u32,
    pub(super) phase: Phase,
    pub(super) entry: u16,
    /// The balancer serving the request (`NONE` when it went straight to a server).
    pub(super) lb: u16,
    /// DNS addresses tried so far (with `try_next_address`).
    pub(super) tries: u8,
    pub(super) server: u16,
    pub(super) backend: u16,
    pub(super) db: u16,
    pub(super) reads_left: u16,
    pub(super) writes_left: u16,
    pub(super) holds_app: bool,
    pub(super) fail: Option<(FailReason, u16)>,
    /// Connection retries left at the balancer.
    pub(super) retries_left: u8,
    /// A crash took this request over into a new slot; this slot only
    /// waits for its pending event to give back what it holds.
    pub(super) zombie: bool,
    /// The client gave up on this attempt (its timeout): the server side
    /// goes on, but its answer is thrown away.
    pub(super) abandoned: bool,
    /// The request's class (to start a retry afresh).
    pub(super) class: u8,
    /// The client's attempts so far after the first.
    pub(super) attempt: u8,
    /// The client's timeout for this attempt, if one is set.
    pub(super) timer: Option<(SimTime, crate::engine::EventKey)>,
    /// Distinguishes the requests that use this slot in turn, so that a
    /// timer meant for an earlier one is recognised and ignored.
    pub(super) generation: u32,
}

impl Phase {
    /// The request is at its server — in nginx or the app, or in a query the
    /// app is making — so the server's fate (or the path to it) is its own.
    pub(super) fn at_server(self) -> bool {
        matches!(
            self,
            Phase::AtApp
                | Phase::AppCpuDone
                | Phase::NextQuery
                | Phase::AtDb
                | Phase::DbDone
                | Phase::AppDone
        )
    }
}

/// Events of the web stack: ids only, no payloads.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// The next open-workload arrival.
    Arrival,
    /// A closed-workload user finished thinking.
    Think(u32),
    /// A request's delay (network, DNS) is over: continue its journey.
    Step(u32),
    /// A station finished serving a request.
    Done(u16, u32),
    /// Fault number n of the scenario starts.
    FaultStart(u16),
    /// Fault number n ends (recovery).
    FaultEnd(u16),
    /// Balancer `lb` starts a health check of its backend `b`.
    Check(u16, u16),
    /// That check ends, successfully or not.
    CheckEnd(u16, u16, bool),
    /// A request has waited `timeout queue` in its balancer's queue. The
    /// slot's generation tells a timer left by an earlier occupant.
    QueueTimeout { slot: u32, generation: u32 },
    /// The client's timeout for a request expired (generation as above).
    ClientTimeout { slot: u32, generation: u32 },
    /// nginx's `fail_timeout` is over: balancer `lb` uses backend `b` again.
    Revive(u16, u16),
    /// Balancer `lb`'s earliest `timeout server` (false) or `timeout
    /// client` (true) deadline has come.
    LbTimer(u16, bool),
    /// Random failure number n of a component with a `reliability`.
    RandomFail(u16),
    /// Its repair is done.
    RandomRepair(u16),
}

pub(super) struct ServerRt {
    pub(super) name: String,
    /// Really up (not what the balancers believe).
    pub(super) up: bool,
    /// When down: true for a silent host, false for a refusing process.
    pub(super) silent: bool,
    pub(super) db_timeout: SimDuration,
    pub(super) nginx: Option<u16>,
    pub(super) app: u16,
    pub(super) mode: AppMode,
    pub(super) reads_from: u16,
    pub(super) writes_to: u16,
}

pub(super) struct DbRt {
    pub(super) station: u16,
    pub(super) host: Option<usize>,
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    pub replication: u32,
    pub seed: u64,
    pub ok: u64,
    pub failed: u64,
    pub failures: Vec<FailureCount>,
    /// End-to-end latency of successful measured requests (ns).
    pub latency: Histogram,
    /// Length of the measured period (duration − warm-up), seconds.
    pub measured_s: f64,
    pub stations: Vec<StationStats>,
    pub windows: Vec<WindowRow>,
    pub events: u64,
    pub peak_in_flight: usize,
    /// What happened when: faults, recoveries, health-check verdicts.
    pub timeline: Vec<(f64, String)>,
}

impl ReplicationResult {
    pub fn requests(&self) -> u64 {
        self.ok + self.failed
    }
}

pub struct World {
    pub(super) stations: Vec<Station>,
    pub(super) balancers: Vec<Balancer>,
    pub(super) servers: Vec<ServerRt>,
    pub(super) dbs: Vec<DbRt>,
    pub(super) entries: Vec<Entry>,
    // Network and DNS.
    pub(super) client_lb: Option<Dist>,
    pub(super) lb_server: Option<Dist>,
    pub(super) server_db: Option<Dist>,
    pub(super) dns: Option<(SimDuration, Dist)>,
    /// Per client: when its cached DNS answer expires, and which entry it holds.
    pub(super) clients: Vec<(SimTime, u16)>,
    // Workload.
    pub(super) arrivals: Arrivals,
    pub(super) peak_rate: f64,
    /// 1 / peak_rate, in nanoseconds.
    pub(super) mean_gap_ns: f64,
    pub(super) class_cdf: Vec<f64>,
    pub(super) class_queries: Vec<(u16, u16)>,
    pub(super) think: Option<Dist>,
    // Random streams by purpose.
    pub(super) rng_arrivals: Rng,
    pub(super) rng_routing: Rng,
    pub(super) rng_network: Rng,
    pub(super) rng_dns: Rng,
    pub(super) rng_think: Rng,
    // Requests.
    pub(super) reqs: Vec<Req>,
    pub(super) free: Vec<u32>,
    pub(super) in_flight: usize,
    pub(super) peak_in_flight: usize,
    pub(super) stopped: bool,
    pub(super) metrics: Metrics,
    // Faults and what happened, for the timeline.
    pub(super) faults: Vec<super::config::Fault>,
    /// Per balancer: (up, silent when down).
    pub(super) lb_state: Vec<(bool, bool)>,
    /// Per balancer: when it went down (for VRRP takeover).
    pub(super) lb_down_since: Vec<SimTime>,
    pub(super) try_next_address: bool,
    pub(super) client_timeout: Option<SimDuration>,
    /// Per fault: what to log when it starts and when it ends.
    pub(super) fault_text: Vec<(String, String)>,
    /// Active partitions: (target, peer) pairs that cannot reach each other.
    pub(super) partitions: Vec<(super::config::FaultTarget, super::config::FaultTarget)>,
    /// Per link (client↔lb, lb↔server, server↔db): extra latency and loss.
    pub(super) link_faults: [(SimDuration, f64); 3],
    /// Components that fail at random (`random_failures`).
    pub(super) random: Vec<super::faults::RandomComponent>,
    /// Time from a failure to the start of its repair (monitoring).
    pub(super) detection: SimDuration,
    /// Per database: its process is up.
    pub(super) db_up: Vec<bool>,
    /// The last generation handed to a request slot.
    pub(super) next_gen: u32,
    /// Per balancer: the `timeout server` deadlines of the requests it
    /// waits for, and the `timeout client` ones when that is set.
    pub(super) server_deadlines: Vec<super::deadlines::Deadlines>,
    pub(super) client_deadlines: Vec<Option<super::deadlines::Deadlines>>,
    /// Per balancer, per backend: passive-check state.
    pub(super) passive: Vec<Vec<super::passive::PassiveState>>,
    pub(super) client_retries: u8,
    pub(super) lb_cfg: Vec<super::config::BalancerConfig>,
    pub(super) connect_timeout: SimDuration,
    pub(super) timeline: Vec<(SimTime, String)>,
    /// Timeline entries past the cap: when the first came, how many.
    pub(super) timeline_dropped: (SimTime, u64),
    /// When the slab passed its cap (the run stops: overloaded).
    pub(super) overloaded_at: Option<SimTime>,
    /// Places failures are counted at: stations, then servers, then balancers.
    pub(super) n_stations: u16,
}

fn opt_dist(d: &Option<Dist>) -> Option<Dist> {
    d.as_ref().filter(|d| !d.is_zero()).cloned()
}

impl World {
    pub fn new(sc: &Scenario, streams: &Streams) -> Self {
        let m = &sc.model;
        let mut stations = vec![];
        let mut add = |name: String, workers, limit, services: Vec<Dist>| -> u16 {
            let rng = streams.stream(&format!("service/{name}"));
            stations.push(Station::new(name, workers, limit, services, rng));
            (stations.len() - 1) as u16
        };
        let mut balancers = vec![];
        for b in &m.balancers {
            let st = b.station.as_ref().map(|s| {
                add(
                    b.name.clone(),
                    s.workers,
                    s.queue_limit,
                    vec![s.service.clone()],
                )
            });
            balancers.push(Balancer::new(
                b,
                st,
                streams.stream(&format!("balancer/{}", b.name)),
            ));
        }
        let mut servers = vec![];
        for s in &m.servers {
            let nginx = s.nginx.as_ref().map(|n| {
                add(
                    format!("{}.nginx", s.name),
                    n.workers,
                    n.queue_limit,
                    vec![n.service.clone()],
                )
            });
            let app = add(
                format!("{}.app", s.name),
                s.app.workers,
                s.app.queue_limit,
                vec![s.app.service.clone()],
            );
            servers.push(ServerRt {
                name: s.name.clone(),
                up: true,
                silent: false,
                db_timeout: s.db_timeout,
                nginx,
                app,
                mode: s.app_mode,
                reads_from: s.reads_from.map_or(NONE, |d| d as u16),
                writes_to: s.writes_to.map_or(NONE, |d| d as u16),
            });
        }
        let mut dbs = vec![];
        for d in &m.databases {
            let station = add(
                d.name.clone(),
                d.connections,
                d.queue_limit,
                vec![d.read.clone(), d.write.clone()],
            );
            debug_assert!(matches!(d.role, DbRole::Primary | DbRole::Replica { .. }));
            dbs.push(DbRt {
                station,
                host: d.host,
            });
        }
        let n_stations = stations.len();
        let w = &sc.workload;
        let mut acc = 0.0;
        let mut class_cdf: Vec<f64> = w
            .classes
            .iter()
            .map(|c| {
                acc += c.probability;
                acc
            })
            .collect();
        if let Some(last) = class_cdf.last_mut() {
            *last = f64::INFINITY; // rounding never makes a draw fall off the end
        }
        let (n_clients, think) = match &w.arrivals {
            Arrivals::Open { clients, .. } => (*clients, None),
            Arrivals::Closed { users, think } => (*users, Some(think.clone())),
        };
        let end = SimTime::ZERO + sc.run.duration;
        World {
            stations,
            balancers,
            servers,
            dbs,
            entries: m.entries.clone(),
            client_lb: opt_dist(&m.network.client_lb),
            lb_server: opt_dist(&m.network.lb_server),
            server_db: opt_dist(&m.network.server_db),
            dns: m.dns.as_ref().map(|d| (d.ttl, d.resolver_latency.clone())),
            clients: vec![(SimTime::ZERO, 0); n_clients as usize],
            peak_rate: w.arrivals.peak_rate(),
            mean_gap_ns: 1e9 / w.arrivals.peak_rate(),
            arrivals: w.arrivals.clone(),
            class_cdf,
            class_queries: w
                .classes
                .iter()
                .map(|c| (c.reads as u16, c.writes as u16))
                .collect(),
            think,
            rng_arrivals: streams.stream("arrivals"),
            rng_routing: streams.stream("routing"),
            rng_network: streams.stream("network"),
            rng_dns: streams.stream("dns"),
            rng_think: streams.stream("think"),
            reqs: Vec::with_capacity(1024),
            free: vec![],
            in_flight: 0,
            peak_in_flight: 0,
            stopped: false,
            metrics: Metrics::new(SimTime::ZERO + sc.run.warmup, sc.run.window, end),
            faults: sc.faults.clone(),
            fault_text: sc
                .faults
                .iter()
                .map(|f| {
                    let end = match f.kind {
                        super::config::FaultKind::Partition { peer } => {
                            format!(
                                "{} reaches {} again",
                                m.target_name(f.target),
                                m.target_name(peer)
                            )
                        }
                        super::config::FaultKind::Network { .. } => {
                            format!("link {} is healthy again", m.target_name(f.target))
                        }
                        _ => format!("{} recovers", m.target_name(f.target)),
                    };
                    (m.describe(f), end)
                })
                .collect(),
            partitions: vec![],
            random: if sc.random_failures {
                super::faults::random_components(m, streams)
            } else {
                vec![]
            },
            detection: m.monitoring.detection(),
            db_up: vec![true; m.databases.len()],
            next_gen: 0,
            server_deadlines: m
                .balancers
                .iter()
                .map(|b| super::deadlines::Deadlines::new(b.timeout_server))
                .collect(),
            client_deadlines: m
                .balancers
                .iter()
                .map(|b| b.timeout_client.map(super::deadlines::Deadlines::new))
                .collect(),
            link_faults: [(SimDuration::ZERO, 0.0); 3],
            lb_state: vec![(true, false); m.balancers.len()],
            lb_down_since: vec![SimTime::ZERO; m.balancers.len()],
            try_next_address: w.try_next_address,
            client_timeout: w.client_timeout,
            passive: m
                .balancers
                .iter()
                .map(|b| vec![Default::default(); b.backends.len()])
                .collect(),
            client_retries: w.client_retries.min(255) as u8,
            lb_cfg: m.balancers.clone(),
            connect_timeout: w.connect_timeout,
            timeline: vec![],
            timeline_dropped: (SimTime::ZERO, 0),
            overloaded_at: None,
            n_stations: n_stations as u16,
        }
    }

    /// Schedules the first arrival (open) or every user's first request (closed).
    pub fn prime(&mut self, s: &mut Scheduler<Event>) {
        match &self.arrivals {
            Arrivals::Open { .. } => {
                let gap = self.interarrival();
                s.schedule(gap, Event::Arrival);
            }
            Arrivals::Closed { users, .. } => {
                for u in 0..*users {
                    let t = self.think_time();
                    s.schedule(t, Event::Think(u));
                }
            }
        }
    }

    #[inline]
    fn interarrival(&mut self) -> SimDuration {
        // Exponential gaps at the envelope rate (ziggurat: no logarithm).
        let x: f64 = self.rng_arrivals.sample(rand_distr::Exp1);
        SimDuration::from_nanos_f64(x * self.mean_gap_ns)
    }

    pub(super) fn think_time(&mut self) -> SimDuration {
        match &self.think {
            Some(d) => d.sample(&mut self.rng_think),
            None => SimDuration::ZERO,
        }
    }

    #[inline]
    pub(super) fn net(&mut self, which: u8) -> SimDuration {
        let d = match which {
            0 => &self.client_lb,
            1 => &self.lb_server,
            _ => &self.server_db,
        };
        let base = match d {
            Some(d) => d.sample(&mut self.rng_network),
            None => SimDuration::ZERO,
        };
        let (extra, loss) = self.link_faults[usize::from(which)];
        if extra.is_zero() && loss == 0.0 {
            return base;
        }
        // A lost segment is resent after TCP's retransmission timeout:
        // 200 ms (Linux's minimum RTO), doubling on each further loss.
        let mut delay = base + extra;
        let mut rto = SimDuration::from_millis(200);
        while loss > 0.0
            && self.rng_network.random::<f64>() < loss
            && rto <= SimDuration::from_secs(60)
        {
            delay = delay + rto;
            rto = rto + rto;
        }
        delay
    }

    pub(super) fn new_request(&mut self, s: &mut Scheduler<Event>, client: u32) {
        let class = if self.class_cdf.len() > 1 {
            let u: f64 = self.rng_routing.random();
            self.class_cdf.iter().position(|&c| u < c).unwrap_or(0)
        } else {
            0
        };
        let req = self.fresh(s.now(), client, class as u8, 0);
        let id = self.alloc(req);
        self.in_flight += 1;
        self.peak_in_flight = self.peak_in_flight.max(self.in_flight);
        self.begin_attempt(s, id);
    }

    /// Starts the client's (next) attempt of request `id`, arming its timeout.
    fn begin_attempt(&mut self, s: &mut Scheduler<Event>, id: u32) {
        if let Some(t) = self.client_timeout {
            let generation = self.reqs[id as usize].generation;
            let key = s.schedule(
                t,
                Event::ClientTimeout {
                    slot: id,
                    generation,
                },
            );
            self.reqs[id as usize].timer = Some((s.now() + t, key));
        }
        self.start(s, id);
    }

    /// A request at its start: attempt `attempt` of class `class`.
    fn fresh(&self, start: SimTime, client: u32, class: u8, attempt: u8) -> Req {
        let (reads, writes) = self.class_queries[usize::from(class)];
        Req {
            start,
            client,
            phase: Phase::Start,
            entry: 0,
            lb: NONE,
            tries: 0,
            server: NONE,
            backend: NONE,
            db: NONE,
            reads_left: reads,
            writes_left: writes,
            holds_app: false,
            fail: None,
            retries_left: 0,
            zombie: false,
            abandoned: false,
            class,
            attempt,
            timer: None,
            generation: 0,
        }
    }

    /// A fresh attempt of the same request (same start, client and class)
    /// in a new slot.
    fn retry_attempt(&mut self, s: &mut Scheduler<Event>, r: Req) {
        let req = self.fresh(r.start, r.client, r.class, r.attempt + 1);
        let id = self.alloc(req);
        self.begin_attempt(s, id);
    }

    /// The client's timeout of request `id` expired: it abandons the
    /// attempt (which goes on server-side, answer ignored) and retries, or
    /// records the failure.
    fn client_timeout(&mut self, s: &mut Scheduler<Event>, id: u32) {
        let r = self.reqs[id as usize];
        self.reqs[id as usize].abandoned = true;
        self.reqs[id as usize].timer = None;
        if r.attempt < self.client_retries {
            self.retry_attempt(s, r);
        } else {
            self.metrics
                .failed(r.start, s.now(), FailReason::ClientTimeout, NONE);
            self.finish_request(s, r.client);
        }
    }

    /// The client's timer of the request in slot `from` moves to slot `to`
    /// (the request continues there): same deadline.
    pub(super) fn move_timer(&mut self, s: &mut Scheduler<Event>, from: u32, to: u32) {
        if let Some((at, key)) = self.reqs[from as usize].timer.take() {
            s.cancel(key);
            let generation = self.reqs[to as usize].generation;
            let key = s.schedule_at(
                at,
                Event::ClientTimeout {
                    slot: to,
                    generation,
                },
            );
            self.reqs[to as usize].timer = Some((at, key));
        }
    }

    /// A slot for `req`: a free one, or a new one.
    pub(super) fn alloc(&mut self, mut req: Req) -> u32 {
        self.next_gen = self.next_gen.wrapping_add(1);
        req.generation = self.next_gen;
        match self.free.pop() {
            Some(id) => {
                self.reqs[id as usize] = req;
                id
            }
            None => {
                self.reqs.push(req);
                (self.reqs.len() - 1) as u32
            }
        }
    }

    /// Offers request `id` to station `st`; false if the queue was full.
    #[inline]
    pub(super) fn enter(&mut self, s: &mut Scheduler<Event>, st: u16, id: u32, kind: u8) -> bool {
        let station = &mut self.stations[st as usize];
        match station.admit(s.now(), id, kind) {
            Admit::Started => {
                let t = station.service_time(kind);
                s.schedule(t, Event::Done(st, id));
                true
            }
            Admit::Queued => true,
            Admit::Rejected => false,
        }
    }

    /// Frees a worker of station `st`, starting the next waiting job.
    #[inline]
    pub(super) fn release(&mut self, s: &mut Scheduler<Event>, st: u16) {
        loop {
            let station = &mut self.stations[st as usize];
            let Some((next, kind)) = station.release(s.now()) else {
                return;
            };
            if self.reqs[next as usize].zombie {
                // Taken over by a crash while it waited: it has no event
                // pending, so give back what it holds and try the next.
                self.bury(s, next);
                continue;
            }
            let t = station.service_time(kind);
            s.schedule(t, Event::Done(st, next));
            return;
        }
    }

    /// Frees a zombie slot, giving back the app worker it may hold.
    pub(super) fn bury(&mut self, s: &mut Scheduler<Event>, id: u32) {
        let r = self.reqs[id as usize];
        if r.holds_app {
            self.reqs[id as usize].holds_app = false;
            let app = self.servers[r.server as usize].app;
            self.release(s, app);
        }
        self.reqs[id as usize].phase = Phase::Free;
        self.reqs[id as usize].zombie = false;
        self.free.push(id);
    }

    /// Network delay between a server and a database (zero if co-located).
    #[inline]
    pub(super) fn db_hop(&mut self, server: u16, db: u16) -> SimDuration {
        let host = self.dbs[(db & 0x7FFF) as usize].host;
        if host == Some(server as usize) {
            SimDuration::ZERO
        } else {
            self.net(2)
        }
    }

    /// The answer (or error) of request `id` reaches the client.
    pub(super) fn complete(&mut self, s: &mut Scheduler<Event>, id: u32) {
        let r = self.reqs[id as usize];
        self.reqs[id as usize].phase = Phase::Free;
        self.free.push(id);
        if r.abandoned {
            return; // the client stopped waiting for this one
        }
        if let Some((_, key)) = r.timer {
            s.cancel(key);
        }
        match r.fail {
            Some(_) if r.attempt < self.client_retries => {
                // The client retries a failed request at once.
                self.retry_attempt(s, r);
                return;
            }
            None => self.metrics.ok(r.start, s.now()),
            Some((reason, place)) => self.metrics.failed(r.start, s.now(), reason, place),
        }
        self.finish_request(s, r.client);
    }

    /// A request is over for its client: the next one of a closed user.
    fn finish_request(&mut self, s: &mut Scheduler<Event>, client: u32) {
        self.in_flight -= 1;
        if self.think.is_some() && !self.stopped {
            let t = self.think_time();
            s.schedule(t, Event::Think(client));
        }
    }
}

impl Model for World {
    type Event = Event;

    fn describe(&self, ev: &Event) -> String {
        self.describe_event(ev)
    }

    fn handle(&mut self, s: &mut Scheduler<Event>, ev: Event) {
        self.dispatch_event(s, ev);
        self.check_slab(s);
    }
}

impl World {
    #[inline]
    fn dispatch_event(&mut self, s: &mut Scheduler<Event>, ev: Event) {
        match ev {
            Event::Arrival => {
                if self.stopped {
                    return;
                }
                let gap = self.interarrival();
                s.schedule(gap, Event::Arrival);
                let accept = match &self.arrivals {
                    Arrivals::Open { profile, .. }
                        if *profile != super::config::RateProfile::Constant =>
                    {
                        let rate = self.arrivals.rate_at(s.now() - SimTime::ZERO);
                        self.rng_arrivals.random::<f64>() * self.peak_rate < rate
                    }
                    _ => true,
                };
                if accept {
                    let client = match &self.arrivals {
                        Arrivals::Open { clients, .. } if *clients > 1 => {
                            self.rng_routing.random_range(0..*clients)
                        }
                        _ => 0,
                    };
                    self.new_request(s, client);
                }
            }
            Event::Think(user) => {
                if !self.stopped {
                    self.new_request(s, user);
                }
            }
            Event::Step(id) if self.reqs[id as usize].zombie => self.bury(s, id),
            Event::Step(id) => self.resume(s, id),
            Event::Done(st, id) if self.reqs[id as usize].zombie => {
                self.release(s, st);
                self.bury(s, id);
            }
            Event::ClientTimeout { slot, generation } => {
                // A timer whose request has left the slot is stale: a cancel
                // missed it; it must not touch the slot's next occupant.
                let r = &self.reqs[slot as usize];
                let live = r.phase != Phase::Free && r.timer.is_some() && !r.abandoned;
                if r.generation == generation && live {
                    self.client_timeout(s, slot);
                }
            }
            Event::Revive(lb, b) => self.revive(s, lb, b),
            Event::LbTimer(lb, client) => self.lb_timer(s, lb as usize, client),
            Event::RandomFail(i) => self.random_fail(s, i),
            Event::RandomRepair(i) => self.random_repair(s, i),
            Event::QueueTimeout { slot, generation }
                if self.reqs[slot as usize].generation != generation => {}
            Event::QueueTimeout { slot, .. } if self.reqs[slot as usize].zombie => {
                self.bury(s, slot)
            }
            Event::QueueTimeout { slot, .. } => self.queue_timeout(s, slot),
            Event::FaultStart(i) => self.fault_start(s, i),
            Event::FaultEnd(i) => self.fault_end(s, i),
            Event::Check(lb, b) => self.check_start(s, lb, b),
            Event::CheckEnd(lb, b, ok) => self.check_end(s, lb, b, ok),
            Event::Done(st, id) => {
                if self.reqs[id as usize].phase == Phase::AppCpuDone
                    && self.servers[self.reqs[id as usize].server as usize].mode == AppMode::Sync
                {
                    self.reqs[id as usize].holds_app = true;
                } else {
                    self.release(s, st);
                }
                self.resume(s, id);
            }
        }
    }
}

/// Runs one replication of a scenario; an error when the model overloads
/// its memory bound or stops the clock (see `guards.rs`).
pub fn simulate(sc: &Scenario, replication: u32) -> Result<ReplicationResult, SimError> {
    let seed = crate::engine::rng::replication_seed(sc.run.seed, replication);
    let streams = Streams::new(seed);
    let mut world = World::new(sc, &streams);
    let mut s = Scheduler::new();
    world.prime(&mut s);
    world.prime_faults_and_checks(&mut s, &streams);
    let warmup_end = SimTime::ZERO + sc.run.warmup;
    let end = SimTime::ZERO + sc.run.duration;
    let fail = |world: &World, e| world.run_error(e);
    if let Err(e) = s.run_until(&mut world, warmup_end) {
        return Err(fail(&world, e));
    }
    for st in &mut world.stations {
        st.reset_stats(warmup_end);
    }
    if let Err(e) = s.run_until(&mut world, end) {
        return Err(fail(&world, e));
    }
    let stations = world.stations.iter().map(|st| st.stats(end)).collect();
    world.stopped = true;
    if let Err(e) = s.run_until(&mut world, end + sc.run.drain) {
        return Err(fail(&world, e));
    }
    // Requests still in flight after the drain count as failed.
    let now = s.now();
    let live: Vec<u32> = (0..world.reqs.len() as u32)
        .filter(|&i| {
            let r = &world.reqs[i as usize];
            r.phase != Phase::Free && !r.zombie && !r.abandoned
        })
        .collect();
    for id in live {
        let start = world.reqs[id as usize].start;
        world
            .metrics
            .failed(start, now.max(end), FailReason::Unfinished, NONE);
    }
    world.metrics.finish(end);
    let names: Vec<String> = world
        .stations
        .iter()
        .map(|st| st.name.clone())
        .chain(world.servers.iter().map(|sv| sv.name.clone()))
        .chain(world.balancers.iter().map(|b| b.name.clone()))
        .collect();
    let failures = world
        .metrics
        .failure_counts(|p| names.get(p as usize).cloned().unwrap_or_else(|| "-".into()));
    let timeline = world.timeline_rows();
    let m = world.metrics;
    Ok(ReplicationResult {
        replication,
        seed,
        ok: m.ok,
        failed: m.failed,
        failures,
        latency: m.latency,
        measured_s: (sc.run.duration.as_secs_f64() - sc.run.warmup.as_secs_f64()).max(0.0),
        stations,
        windows: m.rows,
        events: s.events_handled(),
        peak_in_flight: world.peak_in_flight,
        timeline,
    })
}
