//! A request's journey, one step function per stage — the one place where
//! a request crosses components:
//!
//! `start` (DNS lookup if the client's answer expired) → `connect` (client
//! → entry network) → `at_entry` (balancer processing, if modelled) →
//! `lb_done` (choose a backend; LB → server network) → `at_server` (nginx)
//! → `at_app` (the app's CPU work) → `next_query` / `query` / `db_done`
//! (each database query, with the network there and back when the database
//! is on another host) → `app_done` (free a synchronous worker; server →
//! LB network) → `resp_at_lb` (LB → client network) → `complete`.
//!
//! Each step calls the next one directly when nothing has to wait, so a hop
//! with zero latency costs a function call, not a heap round trip. When a
//! step must wait — a network delay, a DNS lookup, a station's queue or
//! service — it records in the request's `Phase` where to resume and
//! returns; `resume` dispatches on it when the event comes.
//!
//! A full queue fails the request (`fail`): it stops making queries, frees
//! what it holds, and the error travels back to the client like a response.
//! The client's side of a request — its start, timeout, retries and the
//! end — is in `requests.rs`; its database queries in `queries.rs`; the
//! balancer's timeouts in `lb_timeouts.rs`.

use super::balancer::Pick;
use super::config::Entry;
use super::ids::{LbId, Link, ReqId, StationId};
use super::metrics::FailReason;
use super::network::Cut;
use super::slab::{Phase, Place};
use super::station::Admit;
use super::world::{Event, World};
use crate::engine::{Scheduler, SimDuration, SimTime};

type Sched = Scheduler<Event>;

impl World {
    /// Continues request `id` where its phase says, after an event.
    #[inline(always)]
    pub(super) fn resume(&mut self, s: &mut Sched, id: ReqId) {
        match self.reqs[id].phase {
            Phase::Start => self.start(s, id),
            Phase::Connect => self.connect(s, id),
            Phase::AtEntry => self.at_entry(s, id),
            Phase::LbDone => self.lb_done(s, id),
            Phase::AtServer => self.at_server(s, id),
            Phase::AtApp => self.at_app(s, id),
            Phase::AppCpuDone | Phase::NextQuery => self.next_query(s, id),
            Phase::AtDb => match self.reqs[id].query {
                Some(q) => self.query(s, id, q),
                None => self.app_done(s, id),
            },
            Phase::DbDone => self.db_done(s, id),
            Phase::RespAtLb => self.resp_at_lb(s, id),
            Phase::RespAtClient => self.complete(s, id),
            Phase::Retry => self.retry(s, id),
            Phase::AppDone => self.app_done(s, id),
            // No event names a free slot (zombies are buried first), and a
            // queued request resumes by `drain_queue` or `queue_timeout`.
            // …and a commit or a parked read by the replication set.
            Phase::Free | Phase::LbQueued | Phase::Committing | Phase::ParkedRead => {
                debug_assert!(false, "an event for a {:?} slot", self.reqs[id].phase)
            }
        }
    }

    /// Offers request `id` to station `st`; false if the queue was full.
    #[inline(always)]
    pub(super) fn enter(
        &mut self,
        s: &mut Sched,
        st: StationId,
        id: ReqId,
        kind: u8,
        then: Phase,
    ) -> bool {
        let station = &mut self.stations[st.index()];
        match station.admit(s.now(), id.0, kind) {
            Admit::Started => {
                let t = station.service_time(kind);
                s.schedule(t, Event::served(st, id, then));
                true
            }
            Admit::Queued => true,
            Admit::Rejected => false,
        }
    }

    /// Frees a worker of station `st`, starting the next waiting job.
    /// (With nobody waiting — the common case — a few instructions inline;
    /// handing the worker on is out of line.)
    #[inline(always)]
    pub(super) fn release(&mut self, s: &mut Sched, st: StationId) {
        let station = &mut self.stations[st.index()];
        if station.queue_len() == 0 {
            station.release(s.now());
            return;
        }
        self.hand_on(s, st);
    }

    /// Frees a worker of station `st`, whose queue is not empty: the next
    /// live job takes it.
    #[inline(never)]
    fn hand_on(&mut self, s: &mut Sched, st: StationId) {
        loop {
            let station = &mut self.stations[st.index()];
            let Some((next, kind)) = station.release(s.now()) else {
                return;
            };
            let next = ReqId(next);
            if self.reqs[next].zombie {
                // Taken over by a crash while it waited: it has no event
                // pending, so give back what it holds and try the next.
                self.bury(s, next);
                continue;
            }
            let t = station.service_time(kind);
            let then = self.reqs[next].phase;
            s.schedule(t, Event::served(st, next, then));
            return;
        }
    }

    /// Frees a zombie slot, giving back the app worker it may hold.
    pub(super) fn bury(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        if r.holds_app {
            self.reqs[id].holds_app = false;
            if let Some(sv) = r.server {
                let app = self.servers[sv.index()].app;
                self.release(s, app);
            }
        }
        self.reqs[id].zombie = false;
        self.reqs.free(id);
    }

    /// The request fails where the client is: it learns after `delay`.
    fn fail_at_client(
        &mut self,
        s: &mut Sched,
        id: ReqId,
        reason: FailReason,
        place: Place,
        delay: SimDuration,
    ) {
        let r = &mut self.reqs[id];
        r.fail = Some((reason, place));
        r.backend = None;
        if self.wait(s, id, delay, Phase::RespAtClient) {
            return;
        }
        self.complete(s, id);
    }

    /// If `delay` is not zero, schedules the request to resume at `then`
    /// after it and returns true; otherwise the caller goes on at once.
    /// (The test inline, the scheduling out of line: a zero hop costs a
    /// compare, not a call.)
    #[inline(always)]
    pub(super) fn wait(
        &mut self,
        s: &mut Sched,
        id: ReqId,
        delay: SimDuration,
        then: Phase,
    ) -> bool {
        if delay.is_zero() {
            return false;
        }
        self.wait_for(s, id, delay, then);
        true
    }

    #[inline(never)]
    fn wait_for(&mut self, s: &mut Sched, id: ReqId, delay: SimDuration, then: Phase) {
        self.reqs[id].phase = then;
        s.schedule(delay, Event::Step(id));
    }

    /// Offers the request to station `st`; it resumes at `then` when served.
    #[inline(always)]
    pub(super) fn station(
        &mut self,
        s: &mut Sched,
        id: ReqId,
        st: StationId,
        kind: u8,
        then: Phase,
    ) {
        self.reqs[id].phase = then;
        if !self.enter(s, st, id, kind, then) {
            self.fail(s, id, FailReason::QueueFull, World::station_place(st));
        }
    }

    /// The request fails at `place`: no more queries, and the error goes
    /// back through whatever it came through.
    pub(super) fn fail(&mut self, s: &mut Sched, id: ReqId, reason: FailReason, place: Place) {
        let r = &mut self.reqs[id];
        r.fail = Some((reason, place));
        r.reads_left = 0;
        r.writes_left = 0;
        if r.server.is_none() || matches!(r.phase, Phase::LbDone | Phase::LbQueued) {
            self.resp_at_lb(s, id);
        } else {
            self.app_done(s, id);
        }
    }

    #[inline(always)]
    pub(super) fn start(&mut self, s: &mut Sched, id: ReqId) {
        let client = self.reqs[id].client;
        if let Some(lookup) = self.clients.resolve(client, s.now())
            && self.wait(s, id, lookup, Phase::Connect)
        {
            return;
        }
        self.connect(s, id);
    }

    #[inline(always)]
    fn connect(&mut self, s: &mut Sched, id: ReqId) {
        self.reqs[id].entry = self.clients.entry_of(self.reqs[id].client);
        let d = self.net.delay(Link::ClientLb);
        if self.wait(s, id, d, Phase::AtEntry) {
            return;
        }
        self.at_entry(s, id);
    }

    /// The balancer answering at entry balancer `b`'s address now: `b`
    /// itself, or — once keepalived has moved the virtual IP — its backup.
    /// (Up, the common case, is tested inline.)
    #[inline(always)]
    fn vip_holder(&self, now: SimTime, b: LbId) -> Option<LbId> {
        if self.balancers[b.index()].up {
            return Some(b);
        }
        self.vip_backup(now, b)
    }

    /// Entry balancer `b` is down: its backup, if keepalived has moved the
    /// virtual IP to it and it is up.
    fn vip_backup(&self, now: SimTime, b: LbId) -> Option<LbId> {
        let backup = self.balancers[b.index()].vip_moved_to(now)?;
        self.balancers[backup.index()].up.then_some(backup)
    }

    #[inline(always)]
    fn at_entry(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        match self.clients.entries[usize::from(r.entry)] {
            Entry::Balancer(b) => match self.vip_holder(s.now(), LbId::new(b)) {
                Some(lb) => {
                    self.reqs[id].lb = Some(lb);
                    let balancer = &mut self.balancers[lb.index()];
                    if let Some(d) = balancer.client_deadlines.as_mut()
                        && let Some(at) = d.push(s.now(), id.0, r.generation)
                    {
                        let side = super::ids::TimeoutSide::Client;
                        s.schedule_at(at, Event::LbTimer { lb, side });
                    }
                    match balancer.station {
                        Some(st) => self.station(s, id, st, 0, Phase::LbDone),
                        None => self.lb_done(s, id),
                    }
                }
                None => {
                    // Nobody answers: refused at once, or the client's
                    // connect times out against a silent host.
                    let b = LbId::new(b);
                    let delay = if self.balancers[b.index()].silent {
                        self.clients.connect_timeout
                    } else {
                        SimDuration::ZERO
                    };
                    let place = self.lb_place(b);
                    self.entry_failed(s, id, FailReason::LbDown, place, delay);
                }
            },
            Entry::Server(sv) if !self.servers[sv].up => {
                let (reason, delay) = if self.servers[sv].is_silent() {
                    (FailReason::ConnectTimeout, self.clients.connect_timeout)
                } else {
                    (FailReason::ConnectRefused, SimDuration::ZERO)
                };
                let place = self.server_place(super::ids::ServerId::new(sv));
                self.entry_failed(s, id, reason, place, delay);
            }
            Entry::Server(sv) => {
                self.reqs[id].server = Some(super::ids::ServerId::new(sv));
                self.at_server(s, id);
            }
        }
    }

    /// The client could not connect to its address. With
    /// `try_next_address` it tries the record's next address (after the
    /// failed attempt's `delay`); otherwise, or when every address failed,
    /// the request fails.
    fn entry_failed(
        &mut self,
        s: &mut Sched,
        id: ReqId,
        reason: FailReason,
        place: Place,
        delay: SimDuration,
    ) {
        let n = self.clients.entries.len();
        let r = &mut self.reqs[id];
        if self.clients.try_next_address && usize::from(r.tries) + 1 < n {
            r.tries += 1;
            r.entry = ((usize::from(r.entry) + 1) % n) as u16;
            let d = delay + self.net.delay(Link::ClientLb);
            if self.wait(s, id, d, Phase::AtEntry) {
                return;
            }
            self.at_entry(s, id);
            return;
        }
        self.fail_at_client(s, id, reason, place, delay);
    }

    /// The balancer chooses a backend: dispatch, queue (every backend at its
    /// `maxconn`), or 503 (none believed up).
    pub(super) fn lb_done(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        let Some(lb) = r.lb else { return };
        let balancer = &mut self.balancers[lb.index()];
        match balancer.chooser.pick(r.client, s.now()) {
            Pick::Chosen(backend) => self.dispatch(s, id, lb, backend),
            Pick::NoneUp => {
                // HAProxy answers 503 when no server is up.
                let place = self.lb_place(lb);
                self.fail(s, id, FailReason::NoServer, place);
            }
            Pick::Full => {
                // Wait in the backend queue, at most `timeout queue`.
                self.reqs[id].phase = Phase::LbQueued;
                let generation = r.generation;
                let timeout = balancer.cfg.timeout_queue;
                let key = s.schedule(
                    timeout,
                    Event::QueueTimeout {
                        slot: id,
                        generation,
                    },
                );
                self.balancers[lb.index()].queue.push_back((id, key));
            }
        }
    }

    /// Sends request `id` to backend `backend` of balancer `lb`.
    fn dispatch(&mut self, s: &mut Sched, id: ReqId, lb: LbId, backend: usize) {
        let balancer = &self.balancers[lb.index()];
        let r = &mut self.reqs[id];
        r.backend = Some(backend as u16);
        r.server = Some(balancer.server(backend));
        r.retries_left = balancer.cfg.retries.min(255) as u8;
        let d = self.net.delay(Link::LbServer);
        if self.wait(s, id, d, Phase::AtServer) {
            return;
        }
        self.at_server(s, id);
    }

    /// A backend of balancer `lb` has room again (a response came back, a
    /// backend came up): dispatch queued requests, oldest first, while a
    /// backend below its `maxconn` is there.
    pub(super) fn drain_queue(&mut self, s: &mut Sched, lb: LbId) {
        while let Some(&(id, key)) = self.balancers[lb.index()].queue.front() {
            let client = self.reqs[id].client;
            let balancer = &mut self.balancers[lb.index()];
            match balancer.chooser.pick(client, s.now()) {
                Pick::Chosen(backend) => {
                    balancer.queue.pop_front();
                    s.cancel(key);
                    self.dispatch(s, id, lb, backend);
                }
                Pick::Full | Pick::NoneUp => break,
            }
        }
    }

    /// A queued request waited `timeout queue`: HAProxy's 503.
    pub(super) fn queue_timeout(&mut self, s: &mut Sched, id: ReqId) {
        let Some(lb) = self.reqs[id].lb else { return };
        self.balancers[lb.index()].dequeue(id);
        let place = self.lb_place(lb);
        self.fail(s, id, FailReason::QueueTimeout, place);
    }

    fn at_server(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        let Some(sv) = r.server else { return };
        let server = &self.servers[sv.index()];
        if !server.up {
            self.connect_failed(s, id, server.silent);
            return;
        }
        if let Some(lb) = r.lb {
            if self.net.is_cut(Cut::LbServer(lb, sv)) {
                self.connect_failed(s, id, true);
                return;
            }
            // Connected: the balancer waits at most `timeout server` for the answer.
            if let Some(at) =
                self.balancers[lb.index()]
                    .server_deadlines
                    .push(s.now(), id.0, r.generation)
            {
                let side = super::ids::TimeoutSide::Server;
                s.schedule_at(at, Event::LbTimer { lb, side });
            }
        }
        match self.servers[sv.index()].nginx {
            Some(st) => self.station(s, id, st, 0, Phase::AtApp),
            None => self.at_app(s, id),
        }
    }

    #[inline(always)]
    pub(super) fn at_app(&mut self, s: &mut Sched, id: ReqId) {
        let Some(sv) = self.reqs[id].server else {
            return;
        };
        let st = self.servers[sv.index()].app;
        self.station(s, id, st, 0, Phase::AppCpuDone);
    }

    /// A connection from the balancer to the request's server failed: the
    /// server is down. HAProxy retries (`retries`) after a turn-around of
    /// min(`timeout connect`, 1 s); a silent host first costs the whole
    /// `timeout connect`. With `option redispatch` the last retry goes to
    /// another server.
    fn connect_failed(&mut self, s: &mut Sched, id: ReqId, silent: bool) {
        let r = self.reqs[id];
        let (Some(sv), Some(lb), Some(backend)) = (r.server, r.lb, r.backend) else {
            return;
        };
        self.observe(s, lb, backend, false);
        let timeout_connect = self.balancers[lb.index()].cfg.timeout_connect;
        let lost = if silent {
            timeout_connect
        } else {
            SimDuration::ZERO
        };
        if r.retries_left == 0 {
            let reason = if silent {
                FailReason::ConnectTimeout
            } else {
                FailReason::ConnectRefused
            };
            let place = self.server_place(sv);
            // The 503 leaves the balancer after the last attempt's wait.
            let req = &mut self.reqs[id];
            req.fail = Some((reason, place));
            req.server = None;
            if self.wait(s, id, lost, Phase::RespAtLb) {
                return;
            }
            self.resp_at_lb(s, id);
            return;
        }
        let turnaround = timeout_connect.min(SimDuration::from_secs(1));
        self.reqs[id].retries_left -= 1;
        self.reqs[id].phase = Phase::Retry;
        s.schedule(lost + turnaround, Event::Step(id));
    }

    /// The next connection attempt: the same server, or on the last retry
    /// with `option redispatch` another one believed up.
    fn retry(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        if let (Some(lb), Some(backend)) = (r.lb, r.backend) {
            let balancer = &mut self.balancers[lb.index()];
            if r.retries_left == 0 && balancer.cfg.redispatch {
                let old = usize::from(backend);
                if let Pick::Chosen(other) = balancer.chooser.pick_excluding(r.client, old, s.now())
                {
                    balancer.chooser.done(old);
                    let req = &mut self.reqs[id];
                    req.backend = Some(other as u16);
                    req.server = Some(balancer.server(other));
                }
            }
        }
        let d = self.net.delay(Link::LbServer);
        if self.wait(s, id, d, Phase::AtServer) {
            return;
        }
        self.at_server(s, id);
    }

    /// The response leaves the app: a synchronous worker is freed now.
    #[inline(always)]
    pub(super) fn app_done(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        if r.holds_app {
            self.reqs[id].holds_app = false;
            if let Some(sv) = r.server {
                let st = self.servers[sv.index()].app;
                self.release(s, st);
            }
        }
        if r.backend.is_some() {
            let d = self.net.delay(Link::LbServer);
            if self.wait(s, id, d, Phase::RespAtLb) {
                return;
            }
            self.resp_at_lb(s, id);
        } else {
            let d = self.net.delay(Link::ClientLb);
            if self.wait(s, id, d, Phase::RespAtClient) {
                return;
            }
            self.complete(s, id);
        }
    }

    /// The response (or an error) passes the balancer on its way to the client.
    pub(super) fn resp_at_lb(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        if let (Some(backend), Some(lb)) = (r.backend, r.lb) {
            // Passive checks see the answer; failed connections were
            // already seen attempt by attempt.
            match r.fail {
                None => self.observe(s, lb, backend, true),
                Some((FailReason::ConnectRefused | FailReason::ConnectTimeout, _)) => {}
                Some((reason, _)) if reason.is_server_error() => {
                    self.observe(s, lb, backend, false)
                }
                Some(_) => {}
            }
            let balancer = &mut self.balancers[lb.index()];
            balancer.chooser.done(usize::from(backend));
            if !balancer.queue.is_empty() {
                self.drain_queue(s, lb);
            }
        }
        let d = self.net.delay(Link::ClientLb);
        if self.wait(s, id, d, Phase::RespAtClient) {
            return;
        }
        self.complete(s, id);
    }
}
