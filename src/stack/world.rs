//! The web stack as a simulation model: the component arenas (client side,
//! balancers, servers, databases, stations, network), the request slab,
//! the events and their dispatch, and `simulate()`.
//!
//! A request is a small record in the slab (`slab.rs`), moved through its
//! journey by the step functions of `flow.rs` — the one place where a
//! request crosses components: DNS lookup if the client's cached answer
//! has expired → network to the entry → balancer → network → nginx → app
//! → each database query → response back through the balancer to the
//! client. Hops with zero latency are direct calls, not heap round trips.
//! Faults are applied by `faults.rs`, health and passive checks by
//! `checks.rs`; each component keeps its own state and knows nothing of
//! `World` or of events.
//!
//! A synchronous app worker stays busy from taking the request until the
//! response leaves the app, database queries included; an asynchronous one
//! only for the CPU time. A full queue fails the request (503), which then
//! travels back to the client like any response and is counted there with
//! its reason.

#[cfg(test)]
mod tests;

use super::balancer::Balancer;
use super::client::Clients;
use super::config::{AppMode, Scenario};
use super::database::Database;
use super::database::cluster::{Cluster, ClusterEvent};
use super::fault_plan::{Planned, RandomComponent};
use super::guards::{MAX_REQUESTS_IN_FLIGHT, SimError};
use super::ids::{LbId, ReqId, StationId, TimeoutSide};
use super::metrics::{FailReason, FailureCount, Metrics, WindowRow};
use super::network::Network;
use super::replication::NodeId;
use super::server::Server;
use super::slab::{NO_PLACE, Phase, Place, Slab};
use super::station::{OnDone, Station, StationStats};
use super::timeline::Timeline;
use crate::engine::rng::Streams;
use crate::engine::{Model, RunError, Scheduler, SimDuration, SimTime};
use crate::stats::Histogram;

/// Events of the web stack: ids only, no payloads.
///
/// `repr(u32, align(8))`: a word-sized tag and 8-byte alignment make every
/// copy of an event (into the engine's slot, out of it, into `handle`)
/// aligned whole words. The default layout (a byte tag, 12 bytes, align 4)
/// was copied through odd offsets, and the loads that followed stalled on
/// store forwarding: 16% of model C's time was spent moving events (perf).
#[derive(Clone, Copy, Debug)]
#[repr(u32, align(8))]
pub enum Event {
    /// The next open-workload arrival.
    Arrival,
    /// A closed-workload user finished thinking.
    Think {
        user: u32,
    },
    /// A request's delay (network, DNS) is over: continue its journey.
    Step(ReqId),
    /// A station finished serving a request; it goes on where its phase says.
    Done {
        station: StationId,
        req: ReqId,
    },
    /// A station finished serving a request whose next step is one of the
    /// four every request takes — after the balancer's processing, nginx,
    /// the app's CPU work, a query — named by the event itself, so that one
    /// dispatch picks the step (a second one, on the request's phase, was
    /// the commonest mispredicted branch: perf). `Event::served` builds them.
    ServedAtLb {
        station: StationId,
        req: ReqId,
    },
    ServedAtNginx {
        station: StationId,
        req: ReqId,
    },
    ServedAtApp {
        station: StationId,
        req: ReqId,
    },
    ServedAtDb {
        station: StationId,
        req: ReqId,
    },
    /// Fault number n of the scenario starts.
    FaultStart(u16),
    /// Fault number n ends (recovery).
    FaultEnd(u16),
    /// A balancer starts a health check of one of its backends.
    Check {
        lb: LbId,
        backend: u16,
    },
    /// That check ends, successfully or not.
    CheckEnd {
        lb: LbId,
        backend: u16,
        ok: bool,
    },
    /// A request has waited `timeout queue` in its balancer's queue. The
    /// slot's generation tells a timer left by an earlier occupant.
    QueueTimeout {
        slot: ReqId,
        generation: u32,
    },
    /// The client's timeout for a request expired (generation as above).
    ClientTimeout {
        slot: ReqId,
        generation: u32,
    },
    /// nginx's `fail_timeout` is over: the balancer uses the backend again.
    Revive {
        lb: LbId,
        backend: u16,
    },
    /// A balancer's earliest deadline of one side has come.
    LbTimer {
        lb: LbId,
        side: TimeoutSide,
    },
    /// Random failure number n of a component with a `reliability`.
    RandomFail(u16),
    /// Its repair is done.
    RandomRepair(u16),
    /// A replication set's event, kept in `World::repl_events[slot]` (an
    /// event of the replication component is too big to carry here).
    Repl {
        slot: u32,
    },
}

impl Event {
    /// The completion of `req`'s service at `station`, whose next step is
    /// `then` (a constant where the step functions call it).
    #[inline(always)]
    pub(super) fn served(station: StationId, req: ReqId, then: Phase) -> Event {
        match then {
            Phase::LbDone => Event::ServedAtLb { station, req },
            Phase::AtApp => Event::ServedAtNginx { station, req },
            Phase::AppCpuDone => Event::ServedAtApp { station, req },
            Phase::DbDone => Event::ServedAtDb { station, req },
            _ => Event::Done { station, req },
        }
    }
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
    /// Each replication set's measures (none without a replica).
    pub repl_sets: Vec<super::ReplSetResult>,
}

impl ReplicationResult {
    pub fn requests(&self) -> u64 {
        self.ok + self.failed
    }
}

pub struct World {
    /// Every station, in the report's order: balancers' processing, each
    /// server's nginx and app, the databases (`config::station_names`).
    pub(super) stations: Vec<Station>,
    pub(super) balancers: Vec<Balancer>,
    pub(super) servers: Vec<Server>,
    pub(super) dbs: Vec<Database>,
    /// The replication sets (`database/cluster.rs`), driven by `replicated.rs`.
    pub(super) clusters: Vec<Cluster>,
    /// Pending replication events: (set, event); freed slots are reused.
    pub(super) repl_events: Vec<(u16, ClusterEvent)>,
    pub(super) repl_free: Vec<u32>,
    /// The key of each slot's read in a replication set, by slot.
    pub(super) read_keys: Vec<u32>,
    pub(super) clients: Clients,
    pub(super) net: Network,
    pub(super) reqs: Slab,
    pub(super) stopped: bool,
    pub(super) metrics: Metrics,
    pub(super) faults: Vec<Planned>,
    /// Components that fail at random (`random_failures`).
    pub(super) random: Vec<RandomComponent>,
    /// Time from a failure to the start of its repair (monitoring).
    pub(super) detection: SimDuration,
    pub(super) timeline: Timeline,
    /// When the slab passed its cap (the run stops: overloaded).
    pub(super) overloaded_at: Option<SimTime>,
    /// The deadlines a balancer timer found due (kept to reuse its memory).
    pub(super) due: Vec<(u32, u32)>,
}

impl World {
    pub fn new(sc: &Scenario, streams: &Streams) -> Self {
        let m = &sc.model;
        let mut stations = vec![];
        let mut add = |name: String, workers, limit, services: Vec<crate::dist::Dist>| {
            let rng = streams.stream(&format!("service/{name}"));
            stations.push(Station::new(name, workers, limit, services, rng));
            StationId::new(stations.len() - 1)
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
            let rng = streams.stream(&format!("balancer/{}", b.name));
            balancers.push(Balancer::new(b, st, rng));
        }
        let mut servers = vec![];
        for s in &m.servers {
            let nginx = s.nginx.as_ref().map(|n| {
                let name = format!("{}.nginx", s.name);
                add(name, n.workers, n.queue_limit, vec![n.service.clone()])
            });
            let a = &s.app;
            let app = add(
                format!("{}.app", s.name),
                a.workers,
                a.queue_limit,
                vec![a.service.clone()],
            );
            servers.push(Server::new(s, nginx, app));
        }
        let mut dbs = vec![];
        for d in &m.databases {
            let services = vec![d.read.clone(), d.write.clone()];
            let station = add(d.name.clone(), d.connections, d.queue_limit, services);
            dbs.push(Database::new(d, station));
        }
        for sv in servers.iter().filter(|sv| sv.mode == AppMode::Sync) {
            stations[sv.app.index()].on_done = OnDone::KeepWorker;
        }
        let end = SimTime::ZERO + sc.run.duration;
        let mut clusters = vec![];
        for (c, set) in m.replication.iter().enumerate() {
            let name = &m.databases[set.members[0]].name;
            let cl = Cluster::new(set, name, streams, sc.run.window, end);
            for (i, &d) in set.members.iter().enumerate() {
                dbs[d].node = Some((c as u16, NodeId(i as u16)));
                stations[dbs[d].station.index()].on_done = OnDone::Commit;
            }
            clusters.push(cl);
        }
        let mut w = World {
            stations,
            balancers,
            servers,
            dbs,
            clusters,
            repl_events: vec![],
            repl_free: vec![],
            read_keys: vec![],
            clients: Clients::new(sc, streams),
            net: Network::new(&m.network, streams.stream("network")),
            reqs: Slab::new(),
            stopped: false,
            metrics: Metrics::new(SimTime::ZERO + sc.run.warmup, sc.run.window, end),
            faults: vec![],
            random: if sc.random_failures {
                super::fault_plan::random_components(m, streams)
            } else {
                vec![]
            },
            detection: m.monitoring.detection(),
            timeline: Timeline::default(),
            overloaded_at: None,
            due: vec![],
        };
        let faults = super::fault_plan::plan(m, &sc.faults, |t| w.stations_of(t));
        w.faults = faults;
        w
    }

    /// Schedules the first arrival (open) or every user's first request (closed).
    pub fn prime(&mut self, s: &mut Scheduler<Event>) {
        match self.clients.users() {
            None => {
                let gap = self.clients.interarrival();
                s.schedule(gap, Event::Arrival);
            }
            Some(users) => {
                for user in 0..users {
                    let t = self.clients.think_time();
                    s.schedule(t, Event::Think { user });
                }
            }
        }
    }

    /// Where failures at station `st` are counted.
    #[inline]
    pub(super) fn station_place(st: StationId) -> Place {
        st.index() as Place
    }

    /// Where failures at server `sv` are counted.
    pub(super) fn server_place(&self, sv: super::ids::ServerId) -> Place {
        (self.stations.len() + sv.index()) as Place
    }

    /// Where failures at balancer `b` are counted.
    pub(super) fn lb_place(&self, b: LbId) -> Place {
        (self.stations.len() + self.servers.len() + b.index()) as Place
    }

    pub(super) fn log(&mut self, s: &Scheduler<Event>, what: String) {
        self.timeline.log(s.now(), what);
    }

    /// Called after each event: stops the run once the slab passes its cap.
    #[inline]
    fn check_slab(&mut self, s: &mut Scheduler<Event>) {
        if self.reqs.len() > MAX_REQUESTS_IN_FLIGHT && self.overloaded_at.is_none() {
            self.overloaded_at = Some(s.now());
            s.halt();
        }
    }

    /// The error a run that stopped early ends with.
    fn run_error(&self, e: RunError) -> SimError {
        match (e, self.overloaded_at) {
            (RunError::Halted { at }, _) | (_, Some(at)) => SimError::Overloaded {
                at,
                limit: MAX_REQUESTS_IN_FLIGHT,
            },
            (e, None) => SimError::Stalled(e),
        }
    }

    /// An event in the model's words, for the stall error.
    pub(crate) fn describe_event(&self, ev: &Event) -> String {
        let backend = |lb: LbId, i: u16| {
            let b = &self.balancers[lb.index()];
            let sv = b.server(usize::from(i));
            format!("{}→{}", b.name(), self.servers[sv.index()].name)
        };
        match *ev {
            Event::Arrival => "arrivals".into(),
            Event::Think { .. } => "users' think times".into(),
            Event::Step(_) => "requests' network or DNS delays".into(),
            Event::Done { station, .. }
            | Event::ServedAtLb { station, .. }
            | Event::ServedAtNginx { station, .. }
            | Event::ServedAtApp { station, .. }
            | Event::ServedAtDb { station, .. } => {
                format!("service ends at {}", self.stations[station.index()].name)
            }
            Event::FaultStart(i) | Event::FaultEnd(i) => {
                self.faults[usize::from(i)].start_text.clone()
            }
            Event::Check { lb, backend: i } => format!("health checks of {}", backend(lb, i)),
            Event::CheckEnd { lb, backend: i, .. } => {
                format!("health-check timeouts of {}", backend(lb, i))
            }
            Event::QueueTimeout { .. } => "`timeout queue` expiries".into(),
            Event::ClientTimeout { .. } => "client timeouts".into(),
            Event::Revive { lb, backend: i } => {
                format!("passive-check revivals of {}", backend(lb, i))
            }
            Event::LbTimer { lb, side } => {
                let which = match side {
                    TimeoutSide::Server => "server",
                    TimeoutSide::Client => "client",
                };
                let name = self.balancers[lb.index()].name();
                format!("`timeout {which}` timers of {name}")
            }
            Event::RandomFail(i) | Event::RandomRepair(i) => {
                format!("random failures of {}", self.random[usize::from(i)].name)
            }
            Event::Repl { .. } => "replication".into(),
        }
    }
}

impl Model for World {
    type Event = Event;

    fn describe(&self, ev: &Event) -> String {
        self.describe_event(ev)
    }

    // The dispatch is inlined into the scheduler's loop: no call, no
    // saving and restoring of registers per event (M/M/1 −10% CPU time).
    #[inline(always)]
    fn handle(&mut self, s: &mut Scheduler<Event>, ev: Event) {
        self.dispatch_event(s, ev);
        self.check_slab(s);
    }
}

impl World {
    #[inline(always)]
    fn dispatch_event(&mut self, s: &mut Scheduler<Event>, ev: Event) {
        match ev {
            Event::Arrival => {
                if self.stopped {
                    return;
                }
                let gap = self.clients.interarrival();
                s.schedule(gap, Event::Arrival);
                if let Some(client) = self.clients.arrival(s.now()) {
                    self.new_request(s, client);
                }
            }
            Event::Think { user } => {
                if !self.stopped {
                    self.new_request(s, user);
                }
            }
            Event::Step(id) if self.reqs[id].zombie => self.bury(s, id),
            Event::Step(id) => self.resume(s, id),
            Event::ServedAtLb { station, req } => {
                if self.served(s, station, req) {
                    self.lb_done(s, req);
                }
            }
            Event::ServedAtNginx { station, req } => {
                if self.served(s, station, req) {
                    self.at_app(s, req);
                }
            }
            Event::ServedAtApp { station, req } => {
                if self.served(s, station, req) {
                    self.next_query(s, req);
                }
            }
            Event::ServedAtDb { station, req } => {
                if self.served(s, station, req) {
                    self.db_done(s, req);
                }
            }
            Event::Done { station, req } => {
                if self.served(s, station, req) {
                    self.resume(s, req);
                }
            }
            Event::ClientTimeout { slot, generation } => {
                // A timer whose request has left the slot is stale: a cancel
                // missed it; it must not touch the slot's next occupant.
                let r = &self.reqs[slot];
                let live = r.phase != Phase::Free && r.timer.is_some() && !r.abandoned;
                if r.generation == generation && live {
                    self.client_timeout(s, slot);
                }
            }
            Event::Revive { lb, backend } => self.revive(s, lb, backend),
            Event::LbTimer { lb, side } => self.lb_timer(s, lb, side),
            Event::RandomFail(i) => self.random_fail(s, i),
            Event::RandomRepair(i) => self.random_repair(s, i),
            Event::Repl { slot } => self.repl_event(s, slot),
            Event::QueueTimeout { slot, generation }
                if self.reqs[slot].generation != generation => {}
            Event::QueueTimeout { slot, .. } if self.reqs[slot].zombie => self.bury(s, slot),
            Event::QueueTimeout { slot, .. } => self.queue_timeout(s, slot),
            Event::FaultStart(i) => self.fault_start(s, i),
            Event::FaultEnd(i) => self.fault_end(s, i),
            Event::Check { lb, backend } => self.check_start(s, lb, backend),
            Event::CheckEnd { lb, backend, ok } => self.check_end(s, lb, backend, ok),
        }
    }

    /// A station ended `req`'s service: frees the worker (or keeps it, or
    /// starts a commit) and says whether the request goes on now — not
    /// for a zombie (buried here) nor a commit (it goes on when done).
    #[inline(always)]
    fn served(&mut self, s: &mut Scheduler<Event>, station: StationId, req: ReqId) -> bool {
        if self.reqs[req].zombie {
            self.release(s, station);
            self.bury(s, req);
            return false;
        }
        match self.stations[station.index()].on_done {
            OnDone::Release => self.release(s, station),
            OnDone::KeepWorker => self.reqs[req].holds_app = true,
            OnDone::Commit => match self.reqs[req].query {
                // A commit in a replication set: semi-sync may hold the
                // connection until a replica acknowledges.
                Some(super::ids::Query::Write(d)) => {
                    self.commit(s, station, req, d);
                    return false;
                }
                _ => self.release(s, station),
            },
        }
        true
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
    world.prime_replication(&mut s);
    let warmup_end = SimTime::ZERO + sc.run.warmup;
    let end = SimTime::ZERO + sc.run.duration;
    let fail = |world: &World, e| world.run_error(e);
    if let Err(e) = s.run_until(&mut world, warmup_end) {
        return Err(fail(&world, e));
    }
    for st in &mut world.stations {
        st.reset_stats(warmup_end);
    }
    for c in &mut world.clusters {
        c.reset(warmup_end);
    }
    if let Err(e) = s.run_until(&mut world, end) {
        return Err(fail(&world, e));
    }
    let stations = world.stations.iter().map(|st| st.stats(end)).collect();
    let repl_sets = world.clusters.iter_mut().map(|c| c.result(end)).collect();
    world.stopped = true;
    if let Err(e) = s.run_until(&mut world, end + sc.run.drain) {
        return Err(fail(&world, e));
    }
    // Requests still in flight after the drain count as failed.
    let now = s.now();
    let live: Vec<ReqId> = world
        .reqs
        .ids()
        .filter(|&i| world.reqs[i].awaited())
        .collect();
    for id in live {
        let start = world.reqs[id].start;
        let (at, reason) = (now.max(end), FailReason::Unfinished);
        world.metrics.failed(start, at, reason, NO_PLACE);
    }
    world.metrics.finish(end);
    let names: Vec<String> = world
        .stations
        .iter()
        .map(|st| st.name.clone())
        .chain(world.servers.iter().map(|sv| sv.name.clone()))
        .chain(world.balancers.iter().map(|b| b.name().to_string()))
        .collect();
    let failures = world
        .metrics
        .failure_counts(|p| names.get(p as usize).cloned().unwrap_or_else(|| "-".into()));
    let timeline = world.timeline.rows();
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
        peak_in_flight: world.reqs.peak_in_flight,
        timeline,
        repl_sets,
    })
}
