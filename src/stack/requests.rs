//! The client's side of a request's life: it starts (a slab slot, the
//! client's timeout armed), may be retried afresh in a new slot (after a
//! failure or the client's timeout), and ends at the client, where it is
//! measured — then a closed user thinks before the next one.

use super::ids::ReqId;
use super::metrics::FailReason;
use super::slab::{NO_PLACE, Req};
use super::world::{Event, World};
use crate::engine::Scheduler;

type Sched = Scheduler<Event>;

impl World {
    /// A new request from `client`.
    #[inline(always)]
    pub(super) fn new_request(&mut self, s: &mut Sched, client: u32) {
        let class = self.clients.pick_class();
        let req = Req::new(s.now(), client, class, 0, self.clients.queries(class));
        let id = self.reqs.alloc(req);
        let slab = &mut self.reqs;
        slab.in_flight += 1;
        slab.peak_in_flight = slab.peak_in_flight.max(slab.in_flight);
        self.begin_attempt(s, id);
    }

    /// Starts the client's (next) attempt of request `id`, arming its timeout.
    #[inline(always)]
    fn begin_attempt(&mut self, s: &mut Sched, id: ReqId) {
        if let Some(t) = self.clients.timeout {
            let generation = self.reqs[id].generation;
            let key = s.schedule(
                t,
                Event::ClientTimeout {
                    slot: id,
                    generation,
                },
            );
            self.reqs[id].timer = Some((s.now() + t, key));
        }
        self.start(s, id);
    }

    /// A fresh attempt of the same request (same start, client and class)
    /// in a new slot.
    fn retry_attempt(&mut self, s: &mut Sched, r: Req) {
        let queries = self.clients.queries(r.class);
        let req = Req::new(r.start, r.client, r.class, r.attempt + 1, queries);
        let id = self.reqs.alloc(req);
        self.begin_attempt(s, id);
    }

    /// The client's timeout of request `id` expired: it abandons the
    /// attempt (which goes on server-side, answer ignored) and retries, or
    /// records the failure.
    pub(super) fn client_timeout(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        self.reqs[id].abandoned = true;
        self.reqs[id].timer = None;
        if r.attempt < self.clients.retries {
            self.retry_attempt(s, r);
        } else {
            let reason = FailReason::ClientTimeout;
            self.metrics.failed(r.start, s.now(), reason, NO_PLACE);
            self.finish_request(s, r.client);
        }
    }

    /// The client's timer of the request in slot `from` moves to slot `to`
    /// (the request continues there): same deadline.
    pub(super) fn move_timer(&mut self, s: &mut Sched, from: ReqId, to: ReqId) {
        if let Some((at, key)) = self.reqs[from].timer.take() {
            s.cancel(key);
            let generation = self.reqs[to].generation;
            let key = s.schedule_at(
                at,
                Event::ClientTimeout {
                    slot: to,
                    generation,
                },
            );
            self.reqs[to].timer = Some((at, key));
        }
    }

    /// The answer (or error) of request `id` reaches the client.
    pub(super) fn complete(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        self.reqs.free(id);
        if r.abandoned {
            return; // the client stopped waiting for this one
        }
        if let Some((_, key)) = r.timer {
            s.cancel(key);
        }
        match r.fail {
            Some(_) if r.attempt < self.clients.retries => {
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
    #[inline(always)]
    fn finish_request(&mut self, s: &mut Sched, client: u32) {
        self.reqs.in_flight -= 1;
        if self.clients.closed() && !self.stopped {
            let t = self.clients.think_time();
            s.schedule(t, Event::Think { user: client });
        }
    }
}
