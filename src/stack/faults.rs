//! Faults applied to the `World`: crashes of a server's host (silent) or
//! process (refusing), of a balancer or a database process, slow-downs,
//! partitions and degraded links, each starting at a given time and
//! optionally ending (recovery); and random failures (`random_failures`).
//! What a fault is lives in `fault_plan.rs`; this file does it.
//!
//! A crash kills the requests that were inside: the balancer learns at once
//! of a dead process (connection reset) and at `timeout server` of a silent
//! host; an app whose query was at a crashed database learns at once
//! (refused) or after its `db_timeout` (silent), holding its worker
//! meanwhile. A killed request continues in a fresh slot as a failure on
//! its way back; its old slot becomes a *zombie* that only waits for the
//! event it still has pending (a service completion, a network hop) to
//! give back the worker it held — so no event ever reaches a reused slot.

use super::config::FaultTarget;
use super::fault_plan::{Action, Part};
use super::ids::{DbId, LbId, ReqId, ServerId, StationId};
use super::metrics::FailReason;
use super::network::Cut;
use super::slab::{Phase, Place};
use super::world::{Event, World};
use crate::engine::rng::Rng;
use crate::engine::{Scheduler, SimDuration};

type Sched = Scheduler<Event>;

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
        let (part, name) = (c.part, c.name.clone());
        let detection = self.detection;
        self.log(
            s,
            format!(
                "{name} fails at random (repaired after {repair}, detection {detection} included)"
            ),
        );
        s.schedule(repair, Event::RandomRepair(i));
        match part {
            Part::Server(sv) => self.crash_server(s, sv, true),
            Part::Balancer(b) => self.crash_balancer(s, b, true),
            Part::Database(d) => self.crash_database(s, d),
        }
    }

    pub(super) fn random_repair(&mut self, s: &mut Sched, i: u16) {
        let c = &mut self.random[i as usize];
        let next = exp(&mut c.rng, c.mtbf);
        let (part, name) = (c.part, c.name.clone());
        self.log(s, format!("{name} is repaired"));
        s.schedule(next, Event::RandomFail(i));
        match part {
            Part::Server(sv) => {
                self.servers[sv.index()].up = true;
                self.host_up(s, sv);
            }
            Part::Balancer(b) => self.balancers[b.index()].restart(),
            Part::Database(d) => self.db_process_up(s, d),
        }
    }

    pub(super) fn fault_start(&mut self, s: &mut Sched, i: u16) {
        let f = &self.faults[usize::from(i)];
        if let Some(d) = f.duration {
            s.schedule(d, Event::FaultEnd(i));
        }
        let (text, action) = (f.start_text.clone(), f.action.clone());
        self.log(s, text);
        match action {
            Action::Slow { stations, factor } => {
                for st in stations {
                    self.stations[st.index()].scale = factor;
                }
            }
            Action::CrashServer { server, silent } => self.crash_server(s, server, silent),
            Action::CrashBalancer { lb, silent } => self.crash_balancer(s, lb, silent),
            Action::CrashDatabase(d) => self.crash_database(s, d),
            Action::Partition(Cut::DbDb(a, b)) => self.repl_partition(s, a, b, true),
            Action::Partition(cut) => {
                self.net.cut(cut);
                self.partition_in_flight(s, cut);
            }
            Action::Network { link, extra, loss } => self.net.degrade(link, Some((extra, loss))),
        }
    }

    pub(super) fn fault_end(&mut self, s: &mut Sched, i: u16) {
        let f = &self.faults[usize::from(i)];
        let (text, action) = (f.end_text.clone(), f.action.clone());
        self.log(s, text);
        match action {
            Action::Slow { stations, .. } => {
                for st in stations {
                    self.stations[st.index()].scale = 1.0;
                }
            }
            Action::Partition(Cut::DbDb(a, b)) => self.repl_partition(s, a, b, false),
            Action::Partition(cut) => self.net.heal(cut),
            Action::Network { link, .. } => self.net.degrade(link, None),
            Action::CrashServer { server, .. } => {
                self.servers[server.index()].up = true;
                self.host_up(s, server);
            }
            Action::CrashDatabase(d) => self.db_process_up(s, d),
            // A restarted HAProxy starts afresh: nothing in flight.
            Action::CrashBalancer { lb, .. } => self.balancers[lb.index()].restart(),
        }
    }

    /// A partition starts: what was crossing it is lost as if the far side
    /// had gone silent — the balancer waits `timeout server` for answers
    /// that will not come, the app its `db_timeout`.
    fn partition_in_flight(&mut self, s: &mut Sched, cut: Cut) {
        for id in self.reqs.ids() {
            let r = self.reqs[id];
            let Some(server) = r.server else { continue };
            if r.phase == Phase::Free || r.zombie {
                continue;
            }
            match cut {
                Cut::LbServer(lb, sv)
                    if r.lb == Some(lb) && server == sv && r.phase.at_server() =>
                {
                    let place = self.server_place(sv);
                    let delay = self.balancers[lb.index()].cfg.timeout_server;
                    let reason = FailReason::ServerTimeout;
                    self.kill(s, id, reason, place, delay, Phase::RespAtLb, false);
                }
                Cut::ServerDb(sv, d)
                    if server == sv && r.phase.in_db() && r.query.is_some_and(|q| q.db() == d) =>
                {
                    let st = World::station_place(self.dbs[d.index()].station);
                    let delay = self.servers[sv.index()].db_timeout;
                    let reason = FailReason::DbTimeout;
                    self.kill(s, id, reason, st, delay, Phase::AppDone, true);
                }
                _ => {}
            }
        }
    }

    /// The stations a slow-down applies to: a station itself, or every
    /// station on a server's host (nginx, app, co-located databases), or a
    /// balancer's processing.
    pub(super) fn stations_of(&self, t: FaultTarget) -> Vec<StationId> {
        match t {
            FaultTarget::Station(st) => vec![StationId::new(st)],
            FaultTarget::Balancer(b) => self.balancers[b].station.into_iter().collect(),
            FaultTarget::Database(d) => vec![self.dbs[d].station],
            FaultTarget::Link(_) => vec![],
            FaultTarget::Server(sv) => {
                let id = ServerId::new(sv);
                let mut v: Vec<StationId> = self.servers[sv].stations().collect();
                v.extend(self.dbs.iter().filter(|d| d.on_host(id)).map(|d| d.station));
                v
            }
        }
    }

    /// A database's process dies: the queries in it fail at once (the app
    /// gets an error and answers 500).
    fn crash_database(&mut self, s: &mut Sched, d: DbId) {
        self.dbs[d.index()].up = false;
        let st = World::station_place(self.dbs[d.index()].station);
        let victims: Vec<ReqId> = self
            .reqs
            .ids()
            .filter(|&id| {
                let r = &self.reqs[id];
                r.phase.in_db() && !r.zombie && r.query.is_some_and(|q| q.db() == d)
            })
            .collect();
        for id in victims {
            let reason = FailReason::DbError;
            self.kill(s, id, reason, st, SimDuration::ZERO, Phase::AppDone, true);
        }
        self.db_down(s, d, false);
    }

    /// Server `sv` (and every database on its host) dies.
    fn crash_server(&mut self, s: &mut Sched, sv: ServerId, silent: bool) {
        self.servers[sv.index()].crash(silent);
        let place = self.server_place(sv);
        // Decide on every victim first: `kill` allocates slots.
        for id in self.reqs.ids() {
            let r = self.reqs[id];
            if r.phase == Phase::Free || r.zombie {
                continue;
            }
            let inside = r.server == Some(sv) && r.phase.at_server();
            let its_db = r
                .query
                .map(|q| q.db())
                .filter(|d| self.dbs[d.index()].on_host(sv));
            let at_its_db = !inside && r.server.is_some() && r.phase.in_db();
            if inside {
                // The balancer learns of a reset at once, of a silent host
                // only when `timeout server` expires.
                let (reason, delay) = match (silent, r.lb) {
                    (true, None) => (FailReason::ServerTimeout, self.clients.connect_timeout),
                    (true, Some(lb)) => (
                        FailReason::ServerTimeout,
                        self.balancers[lb.index()].cfg.timeout_server,
                    ),
                    (false, _) => (FailReason::ServerCrash, SimDuration::ZERO),
                };
                let then = if r.backend.is_some() {
                    Phase::RespAtLb
                } else {
                    Phase::RespAtClient
                };
                self.kill(s, id, reason, place, delay, then, false);
            } else if let (true, Some(d), Some(asking)) = (at_its_db, its_db, r.server) {
                let st = World::station_place(self.dbs[d.index()].station);
                let (reason, delay) = if silent {
                    (
                        FailReason::DbTimeout,
                        self.servers[asking.index()].db_timeout,
                    )
                } else {
                    (FailReason::DbError, SimDuration::ZERO)
                };
                self.kill(s, id, reason, st, delay, Phase::AppDone, true);
            }
        }
        for d in self.dbs_on(sv) {
            self.db_down(s, d, silent);
        }
    }

    /// Balancer `b` dies: every request that came through it is lost (the
    /// client's connection dies with it).
    fn crash_balancer(&mut self, s: &mut Sched, b: LbId, silent: bool) {
        let place = self.lb_place(b);
        let victims: Vec<ReqId> = self
            .reqs
            .ids()
            .filter(|&id| {
                let r = &self.reqs[id];
                let before_or_after = matches!(
                    r.phase,
                    Phase::Free | Phase::Start | Phase::Connect | Phase::RespAtClient
                );
                !before_or_after && !r.zombie && r.lb == Some(b)
            })
            .collect();
        self.balancers[b.index()].crash(s.now(), silent);
        for id in victims {
            let reason = FailReason::LbDown;
            self.kill(
                s,
                id,
                reason,
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
        id: ReqId,
        reason: FailReason,
        place: Place,
        delay: SimDuration,
        then: Phase,
        keep_worker: bool,
    ) {
        let old = self.reqs[id];
        let mut new = old;
        new.fail = Some((reason, place));
        new.reads_left = 0;
        new.writes_left = 0;
        new.phase = then;
        new.zombie = false;
        new.holds_app = keep_worker && old.holds_app;
        if then == Phase::RespAtClient {
            new.backend = None;
        }
        if keep_worker {
            self.reqs[id].holds_app = false;
        }
        self.reqs[id].zombie = true;
        // The client's timer follows the request into its new slot.
        new.timer = None;
        let new_id = self.reqs.alloc(new);
        self.move_timer(s, id, new_id);
        s.schedule(delay, Event::Step(new_id));
    }
}
