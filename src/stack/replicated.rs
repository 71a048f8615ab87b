//! Replication sets driven from `World`: their events (kept in a side
//! table, so `Event::Repl` stays a slot number), a write's commit at the
//! end of its service on the primary (under semi-sync the connection and
//! a synchronous app worker stay held until the acknowledgement or the
//! timeout), a read's routing before it leaves the app and what it saw
//! when served, and a database's death and return: failover by the set's
//! policy, lost writes, `writes_to` following the promotion, the old
//! primary rejoining as a replica.
//!
//! A model without a replica has no set: none of this runs, no random
//! number is drawn, and its results keep their bytes. A request waiting on
//! a set (a commit, a parked read) is named by a token, its slot and
//! generation; a token whose slot became a zombie (a crash took the
//! request over) only gives back what the slot holds.

use super::database::cluster::ClusterEvent;
use super::ids::{DbId, Query, ReqId, ServerId, StationId};
use super::metrics::FailReason;
use super::replication::{CommitDone, CommitOutcome, CommitResult, NodeId, ReplEvent, Route};
use super::slab::Phase;
use super::world::{Event, World};
use crate::engine::{Scheduler, SimTime};

type Sched = Scheduler<Event>;

fn token(id: ReqId, generation: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(id.0)
}

impl World {
    /// Starts every set's lag sampling.
    pub(super) fn prime_replication(&mut self, s: &mut Sched) {
        for c in 0..self.clusters.len() {
            let cl = &mut self.clusters[c];
            cl.repl.start(s.now(), &mut cl.fx);
            self.repl_flush(s, c);
        }
    }

    /// Remembers the key of slot `id`'s read (kept beside the slab, so
    /// that requests of models without replication stay small).
    fn set_read_key(&mut self, id: ReqId, key: u32) {
        let i = id.index();
        if self.read_keys.len() <= i {
            self.read_keys.resize(i + 1, 0);
        }
        self.read_keys[i] = key;
    }

    /// The request a token names, if it still holds its slot.
    fn by_token(&self, t: u64) -> Option<ReqId> {
        let id = ReqId(t as u32);
        let r = self.reqs.get(id)?;
        (r.generation == (t >> 32) as u32 && r.phase != Phase::Free).then_some(id)
    }

    fn schedule_repl(&mut self, s: &mut Sched, c: usize, at: SimTime, ev: ClusterEvent) {
        let entry = (c as u16, ev);
        let slot = match self.repl_free.pop() {
            Some(i) => {
                self.repl_events[i as usize] = entry;
                i
            }
            None => {
                self.repl_events.push(entry);
                (self.repl_events.len() - 1) as u32
            }
        };
        s.schedule_at(at, Event::Repl { slot });
    }

    /// Schedules the end of set `c`'s failover (`epoch` cancels it if bumped).
    pub(super) fn schedule_promotion(&mut self, s: &mut Sched, c: usize, at: SimTime, epoch: u32) {
        self.schedule_repl(s, c, at, ClusterEvent::Promote { epoch });
    }

    /// Does what set `c`'s last calls asked: schedule its events, end the
    /// commits that waited, resume the reads that may go on.
    #[inline(never)]
    pub(super) fn repl_flush(&mut self, s: &mut Sched, c: usize) {
        loop {
            let fx = &mut self.clusters[c].fx;
            if fx.schedule.is_empty() && fx.commits.is_empty() && fx.ready_reads.is_empty() {
                return;
            }
            let schedule = std::mem::take(&mut fx.schedule);
            let commits = std::mem::take(&mut fx.commits);
            let ready = std::mem::take(&mut fx.ready_reads);
            for &(at, ev) in &schedule {
                self.schedule_repl(s, c, at, ClusterEvent::Repl(ev));
            }
            for done in &commits {
                self.commit_done(s, *done);
            }
            for &t in &ready {
                self.ready_read(s, t);
            }
            // Give the buffers back (their capacity is reused).
            let fx = &mut self.clusters[c].fx;
            if fx.schedule.is_empty() {
                fx.schedule = schedule;
                fx.schedule.clear();
            }
        }
    }

    #[inline(never)]
    pub(super) fn repl_event(&mut self, s: &mut Sched, slot: u32) {
        let (c, ev) = self.repl_events[slot as usize];
        self.repl_free.push(slot);
        let c = usize::from(c);
        let now = s.now();
        match ev {
            ClusterEvent::Repl(e) => {
                let cl = &mut self.clusters[c];
                cl.repl.handle(now, e, &mut cl.fx);
                if e == ReplEvent::Sample {
                    cl.sample(now);
                }
            }
            ClusterEvent::Promote { epoch } => {
                if epoch == self.clusters[c].promote_epoch {
                    self.promote(s, c);
                }
            }
        }
        self.repl_flush(s, c);
    }

    /// A write's service on database `d` ended: it commits there.
    #[inline(never)]
    pub(super) fn commit(&mut self, s: &mut Sched, st: StationId, id: ReqId, d: DbId) {
        let Some((c, node)) = self.dbs[d.index()].node else {
            return;
        };
        let c = usize::from(c);
        let now = s.now();
        let r = self.reqs[id];
        let cl = &mut self.clusters[c];
        let outcome = if cl.repl.primary() == Some(node) {
            let key = cl.key();
            let t = token(id, r.generation);
            cl.repl.commit(now, key, Some(r.client), t, &mut cl.fx)
        } else {
            CommitOutcome::Rejected
        };
        match outcome {
            CommitOutcome::Done { .. } => {
                self.clusters[c].count_commit(now);
                self.release(s, st);
                self.repl_flush(s, c);
                self.resume(s, id);
            }
            CommitOutcome::Waiting { .. } => {
                self.clusters[c].count_commit(now);
                self.reqs[id].phase = Phase::Committing;
                self.repl_flush(s, c);
            }
            CommitOutcome::Rejected => {
                // A database that is not (or no longer) the primary: MySQL's
                // read-only error.
                self.clusters[c].count_failed_write(now);
                self.release(s, st);
                self.fail(s, id, FailReason::DbError, World::station_place(st));
            }
        }
    }

    /// A commit that waited for semi-sync ended.
    #[inline(never)]
    fn commit_done(&mut self, s: &mut Sched, done: CommitDone) {
        let Some(id) = self.by_token(done.token) else {
            return;
        };
        let r = self.reqs[id];
        let Some(q) = r.query else { return };
        let st = self.dbs[q.db().index()].station;
        if r.phase != Phase::Committing {
            return;
        }
        self.release(s, st);
        if r.zombie {
            self.bury(s, id);
        } else if done.result == CommitResult::Failed {
            // The primary died while the commit waited: the client gets
            // an error (the write may still be on the old primary).
            self.fail(s, id, FailReason::DbError, World::station_place(st));
        } else {
            self.reqs[id].phase = Phase::DbDone;
            self.resume(s, id);
        }
    }

    /// Where a read of server `sv` whose `reads_from` is `d` (in a set)
    /// goes; continues the request there, parks it, or fails it.
    #[inline(never)]
    pub(super) fn route_read(&mut self, s: &mut Sched, id: ReqId, sv: ServerId, d: DbId) {
        let Some((c, local)) = self.dbs[d.index()].node else {
            return;
        };
        let c = usize::from(c);
        let policy = self.servers[sv.index()].read_routing;
        let r = self.reqs[id];
        let cl = &mut self.clusters[c];
        let key = cl.key();
        self.set_read_key(id, key);
        let cl = &mut self.clusters[c];
        let route = cl.repl.route(s.now(), policy, Some(r.client), key, local);
        let go = |w: &mut World, s: &mut Sched, n: NodeId| {
            let q = Query::Read(w.clusters[c].members[n.idx()]);
            w.query_at(s, id, sv, q);
        };
        match route {
            Route::Node(n) => go(self, s, n),
            Route::AfterApplied { node, seq } => {
                let t = token(id, r.generation);
                if self.clusters[c].repl.wait_applied(node, seq, t) {
                    go(self, s, node);
                } else {
                    let q = Query::Read(self.clusters[c].members[node.idx()]);
                    let req = &mut self.reqs[id];
                    req.query = Some(q);
                    req.phase = Phase::ParkedRead;
                }
            }
            // Local reads go to their database whatever its state (what
            // the app finds there decides); other policies fail at once.
            Route::Unavailable if policy == super::replication::ReadRouting::Local => {
                go(self, s, local)
            }
            Route::Unavailable => {
                self.clusters[c].count_read(s.now(), false, false);
                let place = World::station_place(self.dbs[d.index()].station);
                self.fail(s, id, FailReason::DbError, place);
            }
        }
    }

    /// A read parked for read-your-writes may go on (its replica applied
    /// the write, failed, or a failover happened): it is routed afresh.
    #[inline(never)]
    fn ready_read(&mut self, s: &mut Sched, t: u64) {
        let Some(id) = self.by_token(t) else { return };
        let r = self.reqs[id];
        if r.phase != Phase::ParkedRead {
            return;
        }
        if r.zombie {
            self.bury(s, id);
            return;
        }
        let (Some(sv), Some(q)) = (r.server, r.query) else {
            return;
        };
        let Some((c, node)) = self.dbs[q.db().index()].node else {
            return;
        };
        let cl = &self.clusters[usize::from(c)];
        if cl.repl.is_running_replica(node) {
            self.query_at(s, id, sv, q);
        } else if let Some(local) = self.servers[sv.index()].reads_from {
            self.route_read(s, id, sv, local);
        }
    }

    /// A read served by database `d` (in a set): what it saw.
    #[inline(never)]
    pub(super) fn read_served(&mut self, now: SimTime, id: ReqId, d: DbId) {
        let Some((c, node)) = self.dbs[d.index()].node else {
            return;
        };
        let r = self.reqs[id];
        let key = self.read_keys[id.index()];
        let cl = &mut self.clusters[usize::from(c)];
        let seen = cl.repl.read(now, node, key, Some(r.client));
        cl.count_read(now, seen.stale, seen.ryw_violation);
    }

    /// A write that could not reach its database (down, silent, cut off).
    #[inline(never)]
    pub(super) fn write_failed(&mut self, now: SimTime, d: DbId) {
        if let Some((c, _)) = self.dbs[d.index()].node {
            self.clusters[usize::from(c)].count_failed_write(now);
        }
    }
}
