//! One replica's copy of the data and its applier (MySQL's SQL thread and
//! its workers).
//!
//! Events arrive in commit order (`received`, the I/O thread's position).
//! The coordinator hands them, in order, to `workers` workers
//! (`replica_parallel_workers`: 4 by default since MySQL 8.0.27; 0 or 1 =
//! one thread, the older default). A worker takes a time drawn from the
//! apply distribution, then waits for every earlier event to commit before
//! committing its own (`replica_preserve_commit_order = ON`, the 8.0.27+
//! default), so events become *visible* strictly in commit order and a
//! worker is busy until its event is visible. Two events that write the
//! same key never apply at once (they could not commit concurrently on the
//! source either): the coordinator waits until the earlier one is visible
//! before it hands out the later — head-of-line, as MySQL's does.
//!
//! Positions: applied ≤ dispatched ≤ received. `versions[k]` is the
//! sequence number of the version of key k this replica shows.

use super::binlog::Binlog;
use crate::dist::Dist;
use crate::engine::rng::Rng;
use crate::engine::{SimDuration, SimTime};
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct Applier {
    workers: u32,
    apply: Dist,
    rng: Rng,
    pub received: u64,
    pub dispatched: u64,
    pub applied: u64,
    /// For events applied+1 ..= dispatched: has its worker finished?
    finished: VecDeque<bool>,
    /// Workers holding an event (applying, or waiting for commit order).
    busy: u32,
    /// The visible version of each key.
    pub versions: Vec<u64>,
}

impl Applier {
    pub fn new(keys: u32, workers: u32, apply: Dist, rng: Rng) -> Self {
        Applier {
            workers: workers.max(1),
            apply,
            rng,
            received: 0,
            dispatched: 0,
            applied: 0,
            finished: VecDeque::new(),
            busy: 0,
            versions: vec![0; keys as usize],
        }
    }

    /// Effective workers (0 means 1).
    pub fn workers(&self) -> u32 {
        self.workers
    }

    /// Events received but not yet visible.
    pub fn backlog(&self) -> u64 {
        self.received - self.applied
    }

    /// The I/O thread received every event up to `seq`.
    pub fn receive(&mut self, seq: u64) {
        debug_assert!(seq >= self.received, "receipts come in order");
        self.received = self.received.max(seq);
    }

    /// Hands events to free workers; pushes (sequence number, finish time)
    /// for each one started.
    pub fn dispatch(&mut self, now: SimTime, log: &Binlog, started: &mut Vec<(u64, SimTime)>) {
        while self.busy < self.workers && self.dispatched < self.received {
            let seq = self.dispatched + 1;
            if log.event(seq).prev > self.applied {
                break; // the previous write of this key is not visible yet
            }
            self.dispatched = seq;
            self.busy += 1;
            self.finished.push_back(false);
            let t: SimDuration = self.apply.sample(&mut self.rng);
            started.push((seq, now + t));
        }
    }

    /// A worker finished `seq`; makes visible every event whose turn came.
    /// Returns how many became visible.
    pub fn finish(&mut self, seq: u64, log: &Binlog) -> u64 {
        let idx = (seq - self.applied - 1) as usize;
        self.finished[idx] = true;
        let before = self.applied;
        while self.finished.front() == Some(&true) {
            self.finished.pop_front();
            self.applied += 1;
            self.busy -= 1;
            let key = log.event(self.applied).key;
            self.versions[key as usize] = self.applied;
        }
        self.applied - before
    }

    /// Forgets work in progress beyond `seq` (a failover truncated the
    /// log): the relay log after it is discarded and events already
    /// *applied* after it are reverted to their previous versions. Returns
    /// how many applied events were reverted (errant transactions).
    pub fn truncate_after(&mut self, seq: u64, log: &Binlog) -> u64 {
        let mut reverted = 0;
        for s in (seq + 1..=self.applied).rev() {
            let e = log.event(s);
            if self.versions[e.key as usize] == s {
                self.versions[e.key as usize] = e.prev;
            }
            reverted += 1;
        }
        self.received = self.received.min(seq);
        self.applied = self.applied.min(seq);
        self.dispatched = self.applied;
        self.finished.clear();
        self.busy = 0;
        reverted
    }

    /// Becomes a copy of a database at position `seq` with `versions`
    /// (a clone, or a promotion once the relay log is applied).
    pub fn reset_to(&mut self, seq: u64, versions: &[u64]) {
        self.received = seq;
        self.applied = seq;
        self.versions.copy_from_slice(versions);
        self.abandon_in_progress();
    }

    /// Drops in-progress work (the applier restarts from `applied`); the
    /// caller voids the pending finish events.
    pub fn abandon_in_progress(&mut self) {
        self.dispatched = self.applied;
        self.finished.clear();
        self.busy = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Streams;

    fn applier(workers: u32, apply_ns: f64) -> Applier {
        let dist = Dist::constant(apply_ns).unwrap();
        Applier::new(10, workers, dist, Streams::new(1).stream("apply"))
    }

    #[test]
    fn parallel_workers_commit_in_order() {
        // Keys 0, 1, 2: three independent writes, two workers.
        let mut log = Binlog::new();
        for k in 0..3 {
            log.append(k, 0, SimTime(0));
        }
        let mut a = applier(2, 100.0);
        a.receive(3);
        let mut started = vec![];
        a.dispatch(SimTime(0), &log, &mut started);
        assert_eq!(started, vec![(1, SimTime(100)), (2, SimTime(100))]);
        // Event 2 finishes first: nothing is visible, no worker is free.
        assert_eq!(a.finish(2, &log), 0);
        started.clear();
        a.dispatch(SimTime(100), &log, &mut started);
        assert!(started.is_empty());
        assert_eq!(a.finish(1, &log), 2);
        assert_eq!((a.applied, a.versions[0], a.versions[1]), (2, 1, 2));
        a.dispatch(SimTime(100), &log, &mut started);
        assert_eq!(started, vec![(3, SimTime(200))]);
    }

    #[test]
    fn writes_to_one_key_never_apply_together() {
        let mut log = Binlog::new();
        log.append(5, 0, SimTime(0));
        log.append(5, 1, SimTime(0));
        let mut a = applier(4, 100.0);
        a.receive(2);
        let mut started = vec![];
        a.dispatch(SimTime(0), &log, &mut started);
        assert_eq!(started.len(), 1, "the second write waits for the first");
        a.finish(1, &log);
        a.dispatch(SimTime(100), &log, &mut started);
        assert_eq!(started[1], (2, SimTime(200)));
    }

    #[test]
    fn truncation_reverts_applied_writes() {
        let mut log = Binlog::new();
        log.append(3, 0, SimTime(0));
        log.append(3, 1, SimTime(0));
        let mut a = applier(1, 1.0);
        a.receive(2);
        let mut started = vec![];
        for s in 1..=2 {
            a.dispatch(SimTime(0), &log, &mut started);
            a.finish(s, &log);
        }
        assert_eq!(a.versions[3], 2);
        assert_eq!(a.truncate_after(1, &log), 1);
        assert_eq!((a.versions[3], a.applied, a.received), (1, 1, 1));
    }
}
