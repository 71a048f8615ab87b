//! A request's journey, one step function per stage:
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

use super::balancer::Pick;
use super::config::Entry;
use super::metrics::FailReason;
use super::world::{Event, NONE, Phase, World};
use crate::engine::{Scheduler, SimDuration};
use rand::RngExt;

type Sched = Scheduler<Event>;

impl World {
    /// Continues request `id` where its phase says, after an event.
    pub(super) fn resume(&mut self, s: &mut Sched, id: u32) {
        match self.reqs[id as usize].phase {
            Phase::Start => self.start(s, id),
            Phase::Connect => self.connect(s, id),
            Phase::AtEntry => self.at_entry(s, id),
            Phase::LbDone => self.lb_done(s, id),
            Phase::AtServer => self.at_server(s, id),
            Phase::AtApp => self.at_app(s, id),
            Phase::AppCpuDone | Phase::NextQuery => self.next_query(s, id),
            Phase::AtDb => {
                let db = self.reqs[id as usize].db;
                self.query(s, id, db);
            }
            Phase::DbDone => self.db_done(s, id),
            Phase::RespAtLb => self.resp_at_lb(s, id),
            Phase::RespAtClient => self.complete(s, id),
            Phase::Retry => self.retry(s, id),
            Phase::AppDone => self.app_done(s, id),
            Phase::Free => unreachable!("an event for a free request slot"),
            Phase::LbQueued => {
                unreachable!("a queued request resumes by drain_queue or queue_timeout")
            }
        }
    }

    /// Where failures at server `sv` are counted.
    pub(super) fn server_place(&self, sv: usize) -> u16 {
        self.n_stations + sv as u16
    }

    /// Where failures at balancer `b` are counted.
    pub(super) fn lb_place(&self, b: usize) -> u16 {
        self.n_stations + self.servers.len() as u16 + b as u16
    }

    /// The request fails where the client is: it learns after `delay`.
    fn fail_at_client(
        &mut self,
        s: &mut Sched,
        id: u32,
        reason: FailReason,
        place: u16,
        delay: SimDuration,
    ) {
        let r = &mut self.reqs[id as usize];
        r.fail = Some((reason, place));
        r.backend = NONE;
        if self.wait(s, id, delay, Phase::RespAtClient) {
            return;
        }
        self.complete(s, id);
    }

    /// If `delay` is not zero, schedules the request to resume at `then`
    /// after it and returns true; otherwise the caller goes on at once.
    #[inline]
    fn wait(&mut self, s: &mut Sched, id: u32, delay: SimDuration, then: Phase) -> bool {
        if delay.is_zero() {
            return false;
        }
        self.reqs[id as usize].phase = then;
        s.schedule(delay, Event::Step(id));
        true
    }

    /// Offers the request to station `st`; it resumes at `then` when served.
    #[inline]
    fn station(&mut self, s: &mut Sched, id: u32, st: u16, kind: u8, then: Phase) {
        self.reqs[id as usize].phase = then;
        if !self.enter(s, st, id, kind) {
            self.fail(s, id, FailReason::QueueFull, st);
        }
    }

    /// The request fails at station `st`: no more queries, and the error
    /// goes back through whatever it came through.
    fn fail(&mut self, s: &mut Sched, id: u32, reason: FailReason, st: u16) {
        let r = &mut self.reqs[id as usize];
        r.fail = Some((reason, st));
        r.reads_left = 0;
        r.writes_left = 0;
        if r.server == NONE || matches!(r.phase, Phase::LbDone | Phase::LbQueued) {
            self.resp_at_lb(s, id);
        } else {
            self.app_done(s, id);
        }
    }

    pub(super) fn start(&mut self, s: &mut Sched, id: u32) {
        if let Some((ttl, latency)) = &self.dns {
            let client = self.reqs[id as usize].client as usize;
            if s.now() >= self.clients[client].0 {
                let lookup = latency.sample(&mut self.rng_dns);
                let pick = if self.entries.len() > 1 {
                    self.rng_dns.random_range(0..self.entries.len()) as u16
                } else {
                    0
                };
                self.clients[client] = (s.now() + lookup + *ttl, pick);
                if self.wait(s, id, lookup, Phase::Connect) {
                    return;
                }
            }
        }
        self.connect(s, id);
    }

    fn connect(&mut self, s: &mut Sched, id: u32) {
        let r = &mut self.reqs[id as usize];
        r.entry = if self.dns.is_some() {
            self.clients[r.client as usize].1
        } else {
            0
        };
        let d = self.net(0);
        if self.wait(s, id, d, Phase::AtEntry) {
            return;
        }
        self.at_entry(s, id);
    }

    /// The balancer answering at entry balancer `b`'s address now: `b`
    /// itself, or — once keepalived has moved the virtual IP — its backup.
    fn vip_holder(&self, now: crate::engine::SimTime, b: usize) -> Option<usize> {
        if self.lb_state[b].0 {
            return Some(b);
        }
        let v = self.lb_cfg[b].vrrp?;
        let takeover = v.takeover(self.lb_state[b].1)?;
        (now >= self.lb_down_since[b] + takeover && self.lb_state[v.backup].0).then_some(v.backup)
    }

    fn at_entry(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        match self.entries[r.entry as usize] {
            Entry::Balancer(b) => match self.vip_holder(s.now(), b) {
                Some(lb) => {
                    self.reqs[id as usize].lb = lb as u16;
                    if let Some(d) = self.client_deadlines[lb].as_mut()
                        && let Some(at) = d.push(s.now(), id, r.generation)
                    {
                        s.schedule_at(at, Event::LbTimer(lb as u16, true));
                    }
                    match self.balancers[lb].station {
                        Some(st) => self.station(s, id, st, 0, Phase::LbDone),
                        None => self.lb_done(s, id),
                    }
                }
                None => {
                    // Nobody answers: refused at once, or the client's
                    // connect times out against a silent host.
                    let delay = if self.lb_state[b].1 {
                        self.connect_timeout
                    } else {
                        SimDuration::ZERO
                    };
                    let place = self.lb_place(b);
                    self.entry_failed(s, id, FailReason::LbDown, place, delay);
                }
            },
            Entry::Server(sv) if !self.servers[sv].up => {
                let (reason, delay) = if self.servers[sv].silent {
                    (FailReason::ConnectTimeout, self.connect_timeout)
                } else {
                    (FailReason::ConnectRefused, SimDuration::ZERO)
                };
                let place = self.server_place(sv);
                self.entry_failed(s, id, reason, place, delay);
            }
            Entry::Server(sv) => {
                self.reqs[id as usize].server = sv as u16;
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
        id: u32,
        reason: FailReason,
        place: u16,
        delay: SimDuration,
    ) {
        let n = self.entries.len();
        let r = &mut self.reqs[id as usize];
        if self.try_next_address && usize::from(r.tries) + 1 < n {
            r.tries += 1;
            r.entry = ((usize::from(r.entry) + 1) % n) as u16;
            let d = delay + self.net(0);
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
    fn lb_done(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        let b = r.lb as usize;
        match self.balancers[b].pick(r.client, s.now()) {
            Pick::Chosen(backend) => self.dispatch(s, id, backend),
            Pick::NoneUp => {
                // HAProxy answers 503 when no server is up.
                let place = self.lb_place(b);
                self.fail(s, id, FailReason::NoServer, place);
            }
            Pick::Full => {
                // Wait in the backend queue, at most `timeout queue`.
                self.reqs[id as usize].phase = Phase::LbQueued;
                let generation = self.reqs[id as usize].generation;
                let key = s.schedule(
                    self.lb_cfg[b].timeout_queue,
                    Event::QueueTimeout {
                        slot: id,
                        generation,
                    },
                );
                self.balancers[b].queue.push_back((id, key));
            }
        }
    }

    /// Sends request `id` to backend `backend` of its balancer.
    fn dispatch(&mut self, s: &mut Sched, id: u32, backend: usize) {
        let r = &mut self.reqs[id as usize];
        let b = r.lb as usize;
        r.backend = backend as u16;
        r.server = self.balancers[b].servers[backend] as u16;
        r.retries_left = self.lb_cfg[b].retries.min(255) as u8;
        let d = self.net(1);
        if self.wait(s, id, d, Phase::AtServer) {
            return;
        }
        self.at_server(s, id);
    }

    /// A backend of balancer `b` has room again (a response came back, a
    /// backend came up): dispatch queued requests, oldest first, while a
    /// backend below its `maxconn` is there.
    pub(super) fn drain_queue(&mut self, s: &mut Sched, b: usize) {
        while let Some(&(id, key)) = self.balancers[b].queue.front() {
            let client = self.reqs[id as usize].client;
            match self.balancers[b].pick(client, s.now()) {
                Pick::Chosen(backend) => {
                    self.balancers[b].queue.pop_front();
                    s.cancel(key);
                    self.dispatch(s, id, backend);
                }
                Pick::Full | Pick::NoneUp => break,
            }
        }
    }

    /// A queued request waited `timeout queue`: HAProxy's 503.
    pub(super) fn queue_timeout(&mut self, s: &mut Sched, id: u32) {
        let b = self.reqs[id as usize].lb as usize;
        let queue = &mut self.balancers[b].queue;
        if let Some(pos) = queue.iter().position(|&(q, _)| q == id) {
            queue.remove(pos);
        }
        let place = self.lb_place(b);
        self.fail(s, id, FailReason::QueueTimeout, place);
    }

    fn at_server(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        let sv = r.server as usize;
        if !self.servers[sv].up {
            self.connect_failed(s, id, self.servers[sv].silent);
            return;
        }
        if r.lb != NONE && self.lb_cut_off(usize::from(r.lb), sv) {
            self.connect_failed(s, id, true);
            return;
        }
        if r.lb != NONE {
            // Connected: the balancer waits at most `timeout server` for the answer.
            let b = usize::from(r.lb);
            if let Some(at) = self.server_deadlines[b].push(s.now(), id, r.generation) {
                s.schedule_at(at, Event::LbTimer(b as u16, false));
            }
        }
        match self.servers[sv].nginx {
            Some(st) => self.station(s, id, st, 0, Phase::AtApp),
            None => self.at_app(s, id),
        }
    }

    fn at_app(&mut self, s: &mut Sched, id: u32) {
        let st = self.servers[self.reqs[id as usize].server as usize].app;
        self.station(s, id, st, 0, Phase::AppCpuDone);
    }

    /// After the app's CPU work or a query: the next query, or the response.
    fn next_query(&mut self, s: &mut Sched, id: u32) {
        let r = &mut self.reqs[id as usize];
        let srv = &self.servers[r.server as usize];
        if r.reads_left > 0 {
            r.reads_left -= 1;
            r.db = srv.reads_from;
        } else if r.writes_left > 0 {
            r.writes_left -= 1;
            r.db = srv.writes_to | 0x8000; // high bit: a write
        } else {
            self.app_done(s, id);
            return;
        }
        let (server, db) = (r.server, r.db);
        let d = self.db_hop(server, db);
        if self.wait(s, id, d, Phase::AtDb) {
            return;
        }
        self.query(s, id, db);
    }

    /// The request reaches database `db` (high bit: a write query).
    fn query(&mut self, s: &mut Sched, id: u32, db: u16) {
        let kind = u8::from(db & 0x8000 != 0);
        let dbi = (db & 0x7FFF) as usize;
        let st = self.dbs[dbi].station;
        let r = self.reqs[id as usize];
        let host_down = self.dbs[dbi].host.is_some_and(|h| !self.servers[h].up) || !self.db_up[dbi];
        let cut_off = self.db_cut_off(usize::from(r.server), dbi);
        if host_down || cut_off {
            // A refused connection fails at once; a silent host (or one
            // behind a partition) holds the app and its worker until its
            // `db_timeout`.
            let silent = cut_off
                || self.dbs[dbi]
                    .host
                    .is_some_and(|h| !self.servers[h].up && self.servers[h].silent);
            let (reason, delay) = if silent {
                (
                    FailReason::DbTimeout,
                    self.servers[r.server as usize].db_timeout,
                )
            } else {
                (FailReason::DbError, SimDuration::ZERO)
            };
            let req = &mut self.reqs[id as usize];
            req.fail = Some((reason, st));
            req.reads_left = 0;
            req.writes_left = 0;
            if self.wait(s, id, delay, Phase::AppDone) {
                return;
            }
            self.app_done(s, id);
            return;
        }
        self.station(s, id, st, kind, Phase::DbDone);
    }

    /// A connection from the balancer to the request's server failed: the
    /// server is down. HAProxy retries (`retries`) after a turn-around of
    /// min(`timeout connect`, 1 s); a silent host first costs the whole
    /// `timeout connect`. With `option redispatch` the last retry goes to
    /// another server.
    fn connect_failed(&mut self, s: &mut Sched, id: u32, silent: bool) {
        let r = self.reqs[id as usize];
        let sv = r.server as usize;
        let b = r.lb as usize;
        self.observe(s, b, r.backend as usize, false);
        let cfg = &self.lb_cfg[b];
        let lost = if silent {
            cfg.timeout_connect
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
            let req = &mut self.reqs[id as usize];
            req.fail = Some((reason, place));
            req.server = NONE;
            if self.wait(s, id, lost, Phase::RespAtLb) {
                return;
            }
            self.resp_at_lb(s, id);
            return;
        }
        let turnaround = cfg.timeout_connect.min(SimDuration::from_secs(1));
        self.reqs[id as usize].retries_left -= 1;
        self.reqs[id as usize].phase = Phase::Retry;
        s.schedule(lost + turnaround, Event::Step(id));
    }

    /// The next connection attempt: the same server, or on the last retry
    /// with `option redispatch` another one believed up.
    fn retry(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        let b = r.lb as usize;
        if r.retries_left == 0 && self.lb_cfg[b].redispatch {
            let lb = &mut self.balancers[b];
            if let Pick::Chosen(other) = lb.pick_excluding(r.client, r.backend as usize, s.now()) {
                lb.done(r.backend as usize);
                let req = &mut self.reqs[id as usize];
                req.backend = other as u16;
                req.server = lb.servers[other] as u16;
            }
        }
        let d = self.net(1);
        if self.wait(s, id, d, Phase::AtServer) {
            return;
        }
        self.at_server(s, id);
    }

    fn db_done(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        let d = self.db_hop(r.server, r.db);
        if self.wait(s, id, d, Phase::NextQuery) {
            return;
        }
        self.next_query(s, id);
    }

    /// The response leaves the app: a synchronous worker is freed now.
    fn app_done(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        if r.holds_app {
            self.reqs[id as usize].holds_app = false;
            let st = self.servers[r.server as usize].app;
            self.release(s, st);
        }
        if r.backend != NONE {
            let d = self.net(1);
            if self.wait(s, id, d, Phase::RespAtLb) {
                return;
            }
            self.resp_at_lb(s, id);
        } else {
            let d = self.net(0);
            if self.wait(s, id, d, Phase::RespAtClient) {
                return;
            }
            self.complete(s, id);
        }
    }

    /// Balancer `b`'s earliest deadline has come: expire every due one
    /// (see `deadlines.rs`), then wait for the next.
    pub(super) fn lb_timer(&mut self, s: &mut Sched, b: usize, client: bool) {
        let mut due = vec![];
        let next = if client {
            self.client_deadlines[b]
                .as_mut()
                .and_then(|d| d.expire(s.now(), &mut due))
        } else {
            self.server_deadlines[b].expire(s.now(), &mut due)
        };
        if let Some(at) = next {
            s.schedule_at(at, Event::LbTimer(b as u16, client));
        }
        for (id, generation) in due {
            if client {
                self.client_side_timeout(s, id, generation, b);
            } else {
                self.server_timeout(s, id, generation);
            }
        }
    }

    /// HAProxy's `timeout client` expired before the answer went out: the
    /// balancer closes the client's connection (the client sees an error at
    /// once); the request goes on server-side and its answer is dropped.
    fn client_side_timeout(&mut self, s: &mut Sched, id: u32, generation: u32, b: usize) {
        let r = self.reqs[id as usize];
        let answered = matches!(r.phase, Phase::RespAtClient | Phase::Free);
        if r.generation != generation
            || r.zombie
            || r.abandoned
            || answered
            || usize::from(r.lb) != b
        {
            return;
        }
        let mut failed = r;
        failed.fail = Some((FailReason::LbClientTimeout, self.lb_place(b)));
        failed.backend = NONE;
        failed.holds_app = false;
        failed.timer = None;
        failed.phase = Phase::RespAtClient;
        self.reqs[id as usize].abandoned = true;
        let new_id = self.alloc(failed);
        self.move_timer(s, id, new_id);
        self.complete(s, new_id);
    }

    /// The balancer's `timeout server` expired: if the answer is not back,
    /// it answers 504 and frees the backend's slot; the server goes on with
    /// the request, whose late answer is thrown away.
    fn server_timeout(&mut self, s: &mut Sched, id: u32, generation: u32) {
        let r = self.reqs[id as usize];
        let waiting = r.phase.at_server();
        if r.generation != generation || r.zombie || r.abandoned || r.backend == NONE || !waiting {
            return;
        }
        let mut failed = r;
        failed.fail = Some((
            FailReason::ServerTimeout,
            self.server_place(usize::from(r.server)),
        ));
        failed.phase = Phase::RespAtLb;
        failed.holds_app = false;
        failed.reads_left = 0;
        failed.writes_left = 0;
        failed.timer = None;
        let old = &mut self.reqs[id as usize];
        old.abandoned = true;
        old.backend = NONE;
        let new_id = self.alloc(failed);
        self.move_timer(s, id, new_id);
        self.resp_at_lb(s, new_id);
    }

    /// The response (or an error) passes the balancer on its way to the client.
    fn resp_at_lb(&mut self, s: &mut Sched, id: u32) {
        let r = self.reqs[id as usize];
        if r.backend != NONE && r.lb != NONE {
            // Passive checks see the answer; failed connections were
            // already seen attempt by attempt.
            match r.fail {
                None => self.observe(s, r.lb as usize, r.backend as usize, true),
                Some((FailReason::ConnectRefused | FailReason::ConnectTimeout, _)) => {}
                Some((reason, _)) if reason.is_server_error() => {
                    self.observe(s, r.lb as usize, r.backend as usize, false)
                }
                Some(_) => {}
            }
            self.balancers[r.lb as usize].done(r.backend as usize);
            if !self.balancers[r.lb as usize].queue.is_empty() {
                self.drain_queue(s, r.lb as usize);
            }
        }
        let d = self.net(0);
        if self.wait(s, id, d, Phase::RespAtClient) {
            return;
        }
        self.complete(s, id);
    }
}
