//! A balancer's `timeout server` and `timeout client` as they act on the
//! requests it holds: each side keeps its deadlines in one FIFO with a
//! single heap event (`balancer/deadlines.rs`); when it fires, every due
//! deadline of a request still waiting cuts that request off — the client
//! or the balancer answers with an error in a fresh slot, and the old slot
//! goes on server-side, its late answer thrown away.

use super::ids::{LbId, ReqId, TimeoutSide};
use super::metrics::FailReason;
use super::slab::Phase;
use super::world::{Event, World};
use crate::engine::Scheduler;

type Sched = Scheduler<Event>;

impl World {
    /// Balancer `lb`'s earliest deadline of `side` has come: expire every
    /// due one, then wait for the next.
    pub(super) fn lb_timer(&mut self, s: &mut Sched, lb: LbId, side: TimeoutSide) {
        // The list is kept between timers (`World::due`): a fresh one grew
        // by reallocation at every timer, a malloc per few requests.
        let mut due = std::mem::take(&mut self.due);
        // A deadline whose slot has moved on to another request is dropped
        // at once (the handlers below would ignore it).
        let reqs = &self.reqs;
        let live = |id: u32, generation: u32| {
            reqs.get(ReqId(id))
                .is_some_and(|r| r.generation == generation)
        };
        let next = self.balancers[lb.index()]
            .deadlines(side)
            .and_then(|d| d.expire(s.now(), &mut due, live));
        if let Some(at) = next {
            s.schedule_at(at, Event::LbTimer { lb, side });
        }
        for &(id, generation) in &due {
            match side {
                TimeoutSide::Client => self.client_side_timeout(s, ReqId(id), generation, lb),
                TimeoutSide::Server => self.server_timeout(s, ReqId(id), generation),
            }
        }
        due.clear();
        self.due = due;
    }

    /// HAProxy's `timeout client` expired before the answer went out: the
    /// balancer closes the client's connection (the client sees an error at
    /// once); the request goes on server-side and its answer is dropped.
    fn client_side_timeout(&mut self, s: &mut Sched, id: ReqId, generation: u32, lb: LbId) {
        if self.reqs[id].generation != generation {
            return;
        }
        let r = self.reqs[id];
        let answered = matches!(r.phase, Phase::RespAtClient | Phase::Free);
        if r.generation != generation || r.zombie || r.abandoned || answered || r.lb != Some(lb) {
            return;
        }
        let mut failed = r;
        failed.fail = Some((FailReason::LbClientTimeout, self.lb_place(lb)));
        failed.backend = None;
        failed.holds_app = false;
        failed.timer = None;
        failed.phase = Phase::RespAtClient;
        self.reqs[id].abandoned = true;
        let new_id = self.reqs.alloc(failed);
        self.move_timer(s, id, new_id);
        self.complete(s, new_id);
    }

    /// The balancer's `timeout server` expired: if the answer is not back,
    /// it answers 504 and frees the backend's slot; the server goes on with
    /// the request, whose late answer is thrown away.
    fn server_timeout(&mut self, s: &mut Sched, id: ReqId, generation: u32) {
        // Most deadlines are of requests long answered: look before copying.
        if self.reqs[id].generation != generation {
            return;
        }
        let r = self.reqs[id];
        let waiting = r.phase.at_server();
        let (Some(sv), Some(_)) = (r.server, r.backend) else {
            return;
        };
        if r.generation != generation || r.zombie || r.abandoned || !waiting {
            return;
        }
        let mut failed = r;
        failed.fail = Some((FailReason::ServerTimeout, self.server_place(sv)));
        failed.phase = Phase::RespAtLb;
        failed.holds_app = false;
        failed.reads_left = 0;
        failed.writes_left = 0;
        failed.timer = None;
        let old = &mut self.reqs[id];
        old.abandoned = true;
        old.backend = None;
        let new_id = self.reqs.alloc(failed);
        self.move_timer(s, id, new_id);
        self.resp_at_lb(s, new_id);
    }
}
