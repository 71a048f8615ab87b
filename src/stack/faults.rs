//! Faults: crashes of a server's host (silent) or process (refusing), of a
//! balancer, and slow-downs, each starting at a given time and optionally
//! ending (recovery).
//!
//! A crash kills the requests that were inside: the balancer learns at once
//! of a dead process (connection reset) and at `timeout server` of a silent
//! host; an app whose query was at a crashed database learns at once
//! (refused) or after its `db_timeout` (silent), holding its worker
//! meanwhile. A killed request continues in a fresh slot as a failure on
//! its way back; its old slot becomes a *zombie* that only waits for the
//! event it still has pending (a service completion, a network hop) to
//! give back the worker it held — so no event ever reaches a reused slot.

use super::config::{FaultKind, FaultTarget, ModelConfig};
use super::metrics::FailReason;
use super::world::{Event, NONE, Phase, World};
use crate::engine::rng::{Rng, Streams};
use crate::engine::{Scheduler, SimDuration};

type Sched = Scheduler<Event>;

/// A component that fails at random: host crashes for servers and
/// balancers, process crashes for databases.
pub(super) struct RandomComponent {
    pub target: FaultTarget,
    pub name: String,
    pub mtbf: SimDuration,
    pub mttr: SimDuration,
    pub rng: Rng,
}

/// The components of `m` with a `reliability`, each with its own stream.
pub(super) fn random_components(m: &ModelConfig, streams: &Streams) -> Vec<RandomComponent> {
    let mut v = vec![];
    let mut add = |target: FaultTarget, name: &str, r: &Option<super::config::Reliability>| {
        if let Some(r) = r {
            v.push(RandomComponent {
                target,
                name: name.to_string(),
                mtbf: r.mtbf,
                mttr: r.mttr,
                rng: streams.stream(&format!("reliability/{name}")),
            });
        }
    };
    for (i, b) in m.balancers.iter().enumerate() {
        add(FaultTarget::Balancer(i), &b.name, &b.reliability);
    }
    for (i, sv) in m.servers.iter().enumerate() {
        add(FaultTarget::Server(i), &sv.name, &sv.reliability);
    }
    for (i, d) in m.databases.iter().enumerate() {
        add(FaultTarget::Database(i), &d.name, &d.reliability);
    }
    v
}

fn exp(rng: &mut Rng, mean: SimDuration) -> SimDuration {
    SimDuration::from_nanos_f64(crate::dist::exponential_ns(rng, mean.as_nanos() as f64))
}

impl World {
    /// Schedules every random component's first failure.
    pub(super) fn prime_random_failures(&mut self, s: &mut Sched) {
        for i in 0..self.random.len() {
            let c = &mut self.random[i];
            let t = exp(&mut c.rng, c.mtbf);
            s.schedule(t, Event::RandomFail(i as u16));
        }
    }

    pub(super) fn random_fail(&mut self, s: &mut Sched, i: u16) {
        let c = &mut self.random[i as usize];
        let repair = self.detection + exp(&mut c.rng, c.mttr);
        let (target, name) = (c.target, c.name.clone());
        self.log(
            s,
            format!(
                "{name} fails at random (repaired after {repair}, detection {} included)",
                self.detection
            ),
        );
        s.schedule(repair, Event::RandomRepair(i));
        match target {
            FaultTarget::Server(sv) => self.crash_server(s, sv, true),
            FaultTarget::Balancer(b) => self.crash_balancer(s, b, true),
            FaultTarget::Database(d) => self.crash_database(s, d),
            _ => {}
        }
    }

    pub(super) fn random_repair(&mut self, s: &mut Sched, i: u16) {
        let c = &mut self.random[i as usize];
        let next = exp(&mut c.rng, c.mtbf);
        let (target, name) = (c.target, c.name.clone());
        self.log(s, format!("{name} is repaired"));
        s.schedule(next, Event::RandomFail(i));
        match target {
            FaultTarget::Server(sv) => self.servers[sv].up = true,
            FaultTarget::Balancer(b) => {
                self.lb_state[b] = (true, false);
                self.balancers[b].in_flight.iter_mut().for_each(|n| *n = 0);
            }
            FaultTarget::Database(d) => self.db_up[d] = true,
            _ => {}
        }
    }

    /// A database's process dies: the queries in it fail at once (the app
    /// gets an error and answers 500).
    fn crash_database(&mut self, s: &mut Sched, d: usize) {
        self.db_up[d] = false;
        let st = self.dbs[d].station;
        let victims: Vec<u32> = (0..self.reqs.len() as u32)
            .filter(|&id| {
                let r = &self.reqs[id as usize];
                r.phase == Phase::DbDone && !r.zombie && usize::from(r.db & 0x7FFF) == d
            })
            .collect();
        for id in victims {
            self.kill(
                s,
                id,
                FailReason::DbError,
                st,
                SimDuration::ZERO,
                Phase::AppDone,
                true,
            );
        }
    }

    pub(super) fn fault_start(&mut self, s: &mut Sched, i: u16) {
        let f = self.faults[i as usize].clone();
        if let Some(d) = f.duration {
            s.schedule(d, Event::FaultEnd(i));
        }
        let text = self.fault_text[i as usize].0.clone();
        self.log(s, text);
        match (f.kind, f.target) {
            (FaultKind::Slow { factor }, target) => {
                for st in self.stations_of(target) {
                    self.stations[st].scale = factor;
                }
            }
            (FaultKind::CrashHost | FaultKind::CrashProcess, FaultTarget::Server(sv)) => {
                self.crash_server(s, sv, f.kind == FaultKind::CrashHost);
            }
            (FaultKind::CrashHost | FaultKind::CrashProcess, FaultTarget::Balancer(b)) => {
                self.crash_balancer(s, b, f.kind == FaultKind::CrashHost);
            }
            (FaultKind::Partition { peer }, target) => {
                self.partitions.push((target, peer));
                self.partition_in_flight(s, target, peer);
            }
            (FaultKind::Network { extra, loss }, FaultTarget::Link(l)) => {
                self.link_faults[usize::from(l)] = (extra, loss);
            }
            (FaultKind::CrashProcess, FaultTarget::Database(d)) => self.crash_database(s, d),
            (kind, target) => unreachable!("validation rejects {kind:?} on {target:?}"),
        }
    }

    pub(super) fn fault_end(&mut self, s: &mut Sched, i: u16) {
        let f = self.faults[i as usize].clone();
        let text = self.fault_text[i as usize].1.clone();
        self.log(s, text);
        match (f.kind, f.target) {
            (FaultKind::Slow { .. }, target) => {
                for st in self.stations_of(target) {
                    self.stations[st].scale = 1.0;
                }
            }
            (FaultKind::Partition { peer }, target) => {
                if let Some(pos) = self.partitions.iter().position(|&p| p == (target, peer)) {
                    self.partitions.remove(pos);
                }
            }
            (FaultKind::Network { .. }, FaultTarget::Link(l)) => {
                self.link_faults[usize::from(l)] = (SimDuration::ZERO, 0.0);
            }
            (_, FaultTarget::Server(sv)) => self.servers[sv].up = true,
            (_, FaultTarget::Database(d)) => self.db_up[d] = true,
            (_, FaultTarget::Balancer(b)) => {
                // A restarted HAProxy starts afresh: nothing in flight.
                self.lb_state[b] = (true, false);
                self.balancers[b].in_flight.iter_mut().for_each(|n| *n = 0);
            }
            _ => {}
        }
    }

    /// True while balancer `lb` cannot reach server `sv`.
    #[inline]
    pub(super) fn lb_cut_off(&self, lb: usize, sv: usize) -> bool {
        !self.partitions.is_empty()
            && self
                .partitions
                .contains(&(FaultTarget::Balancer(lb), FaultTarget::Server(sv)))
    }

    /// True while server `sv` cannot reach database `db`.
    #[inline]
    pub(super) fn db_cut_off(&self, sv: usize, db: usize) -> bool {
        !self.partitions.is_empty()
            && self
                .partitions
                .contains(&(FaultTarget::Server(sv), FaultTarget::Database(db)))
    }

    /// A partition starts: what was crossing it is lost as if the far side
    /// had gone silent — the balancer waits `timeout server` for answers
    /// that will not come, the app its `db_timeout`.
    fn partition_in_flight(&mut self, s: &mut Sched, target: FaultTarget, peer: FaultTarget) {
        let victims: Vec<u32> = (0..self.reqs.len() as u32).collect();
        for id in victims {
            let r = self.reqs[id as usize];
            if r.phase == Phase::Free || r.zombie || r.server == NONE {
                continue;
            }
            match (target, peer) {
                (FaultTarget::Balancer(b), FaultTarget::Server(sv))
                    if usize::from(r.lb) == b
                        && usize::from(r.server) == sv
                        && r.phase.at_server() =>
                {
                    let place = self.server_place(sv);
                    let delay = self.lb_cfg[b].timeout_server;
                    self.kill(
                        s,
                        id,
                        FailReason::ServerTimeout,
                        place,
                        delay,
                        Phase::RespAtLb,
                        false,
                    );
                }
                (FaultTarget::Server(sv), FaultTarget::Database(d))
                    if usize::from(r.server) == sv
                        && r.phase == Phase::DbDone
                        && usize::from(r.db & 0x7FFF) == d =>
                {
                    let st = self.dbs[d].station;
                    let delay = self.servers[sv].db_timeout;
                    self.kill(
                        s,
                        id,
                        FailReason::DbTimeout,
                        st,
                        delay,
                        Phase::AppDone,
                        true,
                    );
                }
                _ => {}
            }
        }
    }

    /// The stations a slow-down applies to: a station itself, or every
    /// station on a server's host (nginx, app, co-located databases), or a
    /// balancer's processing.
    fn stations_of(&self, t: FaultTarget) -> Vec<usize> {
        match t {
            FaultTarget::Station(st) => vec![st],
            FaultTarget::Balancer(b) => self.balancers[b]
                .station
                .map(usize::from)
                .into_iter()
                .collect(),
            FaultTarget::Database(d) => vec![usize::from(self.dbs[d].station)],
            FaultTarget::Link(_) => vec![],
            FaultTarget::Server(sv) => {
                let srv = &self.servers[sv];
                let mut v: Vec<usize> = srv.nginx.map(usize::from).into_iter().collect();
                v.push(usize::from(srv.app));
                v.extend(
                    self.dbs
                        .iter()
                        .filter(|d| d.host == Some(sv))
                        .map(|d| usize::from(d.station)),
                );
                v
            }
        }
    }

    pub(super) fn log(&mut self, s: &Sched, what: String) {
        self.log_at(s.now(), what);
    }

    /// Server `sv` (and every database on its host) dies.
    fn crash_server(&mut self, s: &mut Sched, sv: usize, silent: bool) {
        self.servers[sv].up = false;
        self.servers[sv].silent = silent;
        let place = self.server_place(sv);
        // Decide on every victim first: `kill` allocates slots.
        let victims: Vec<u32> = (0..self.reqs.len() as u32).collect();
        for id in victims {
            let r = self.reqs[id as usize];
            if r.phase == Phase::Free || r.zombie {
                continue;
            }
            let inside = r.server as usize == sv && r.phase.at_server();
            let at_its_db = !inside
                && r.server != NONE
                && r.phase == Phase::DbDone
                && self.dbs[(r.db & 0x7FFF) as usize].host == Some(sv);
            if inside {
                // The balancer learns of a reset at once, of a silent host
                // only when `timeout server` expires.
                let (reason, delay) = match (silent, r.lb) {
                    (true, NONE) => (FailReason::ServerTimeout, self.connect_timeout),
                    (true, lb) => (
                        FailReason::ServerTimeout,
                        self.lb_cfg[lb as usize].timeout_server,
                    ),
                    (false, _) => (FailReason::ServerCrash, SimDuration::ZERO),
                };
                let then = if r.backend != NONE {
                    Phase::RespAtLb
                } else {
                    Phase::RespAtClient
                };
                self.kill(s, id, reason, place, delay, then, false);
            } else if at_its_db {
                let st = self.dbs[(r.db & 0x7FFF) as usize].station;
                let (reason, delay) = if silent {
                    (
                        FailReason::DbTimeout,
                        self.servers[r.server as usize].db_timeout,
                    )
                } else {
                    (FailReason::DbError, SimDuration::ZERO)
                };
                self.kill(s, id, reason, st, delay, Phase::AppDone, true);
            }
        }
    }

    /// Balancer `b` dies: every request that came through it is lost (the
    /// client's connection dies with it).
    fn crash_balancer(&mut self, s: &mut Sched, b: usize, silent: bool) {
        self.lb_state[b] = (false, silent);
        self.lb_down_since[b] = s.now();
        let place = self.lb_place(b);
        let victims: Vec<u32> = (0..self.reqs.len() as u32)
            .filter(|&id| {
                let r = &self.reqs[id as usize];
                !matches!(
                    r.phase,
                    Phase::Free | Phase::Start | Phase::Connect | Phase::RespAtClient
                ) && !r.zombie
                    && usize::from(r.lb) == b
            })
            .collect();
        self.balancers[b].in_flight.iter_mut().for_each(|n| *n = 0);
        for id in victims {
            self.kill(
                s,
                id,
                FailReason::LbDown,
                place,
                SimDuration::ZERO,
                Phase::RespAtClient,
                false,
            );
        }
    }

    /// Request `id` fails for `reason` at `place`: it continues in a fresh
    /// slot at `then` after `delay` (taking over the app worker it holds
    /// when `keep_worker`), and its old slot becomes a zombie.
    #[allow(clippy::too_many_arguments)]
    fn kill(
        &mut self,
        s: &mut Sched,
        id: u32,
        reason: FailReason,
        place: u16,
        delay: SimDuration,
        then: Phase,
        keep_worker: bool,
    ) {
        let old = self.reqs[id as usize];
        let mut new = old;
        new.fail = Some((reason, place));
        new.reads_left = 0;
        new.writes_left = 0;
        new.phase = then;
        new.zombie = false;
        new.holds_app = keep_worker && old.holds_app;
        if then == Phase::RespAtClient {
            new.backend = NONE;
        }
        if keep_worker {
            self.reqs[id as usize].holds_app = false;
        }
        self.reqs[id as usize].zombie = true;
        // The client's timer follows the request into its new slot.
        new.timer = None;
        let new_id = self.alloc(new);
        self.move_timer(s, id, new_id);
        s.schedule(delay, Event::Step(new_id));
    }
}
