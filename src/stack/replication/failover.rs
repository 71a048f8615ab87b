//! Failures and failover of a replication set (its measures: `status.rs`).
//!
//! When the primary dies, everything in flight on its links is lost, so
//! each replica keeps exactly the position it had *received*; commits
//! waiting for a semi-sync acknowledgement fail. `promote` makes a replica
//! the primary: the writes committed after its received position are
//! **lost** (counted, with the data-loss window as RPO), the primary's
//! versions revert past them, and other replicas that had received more are
//! cut back (what they had applied beyond it is reverted and counted as
//! errant). The promoted replica applies its relay log before taking
//! writes; the time that takes is the owner's failover delay
//! (`FailoverReport::catch_up_events` says how much there was). Sequence
//! numbers continue from the promoted replica's position.

use super::measures::FailoverReport;
use super::node::{Replication, Role};
use super::routing::NodeId;
use super::{CommitResult, Effects, ReplEvent};
use crate::engine::{SimDuration, SimTime};
use std::cmp::Reverse;

impl Replication {
    /// The primary dies at `now`, `silent`ly (its host: the replicas
    /// notice at their `replica_net_timeout`) or not (its process: the
    /// connection is reset, they notice at once and start retrying).
    /// Waiting semi-sync commits come back as `CommitResult::Failed`;
    /// writes are rejected until `promote`.
    pub fn fail_primary(&mut self, now: SimTime, silent: bool, fx: &mut Effects) {
        let Some(p) = self.primary.take() else { return };
        self.nodes[p].role = Role::Detached;
        self.nodes[p].up = false;
        self.died_at = now;
        self.source_silent = silent;
        for i in self.replicas().collect::<Vec<_>>() {
            if silent {
                self.silence(now, i, fx);
                continue;
            }
            let n = &mut self.nodes[i];
            n.link.clear();
            n.acks.clear();
            n.link_epoch += 1;
            if n.up && n.connected {
                self.try_connect(now, i, fx);
            }
        }
        if let Some(semi) = &mut self.semi {
            semi.abort(&mut self.released);
            self.semi_epoch += 1;
        }
        self.release_commits(now, CommitResult::Failed, fx);
    }

    /// Promotes replica `node` after the primary died; `None` if there is
    /// a primary or `node` is not a replica that is up.
    pub fn promote(
        &mut self,
        now: SimTime,
        node: NodeId,
        fx: &mut Effects,
    ) -> Option<FailoverReport> {
        let r = node.idx();
        if self.primary.is_some()
            || self
                .nodes
                .get(r)
                .is_none_or(|n| n.role != Role::Replica || !n.up)
        {
            return None;
        }
        let new_head = self.nodes[r].applier.received;
        let old_head = self.binlog.head();
        let mut report = FailoverReport {
            lost_writes: old_head - new_head,
            lost_acknowledged: self.visible.saturating_sub(new_head),
            catch_up_events: new_head - self.nodes[r].applier.applied,
            ..FailoverReport::default()
        };
        if report.lost_writes > 0 {
            report.rpo = self.died_at - self.binlog.event(new_head + 1).committed_at;
        }
        for s in (new_head + 1..=old_head).rev() {
            let e = *self.binlog.event(s);
            if self.latest[e.key as usize] == s {
                self.latest[e.key as usize] = e.prev;
            }
        }
        for i in self.replicas().filter(|&i| i != r).collect::<Vec<_>>() {
            let n = &mut self.nodes[i];
            if n.applier.received > new_head {
                report.reverted_on_replicas += n.applier.truncate_after(new_head, &self.binlog);
                n.apply_epoch += 1;
            }
        }
        self.binlog.truncate_after(new_head);
        let n = &mut self.nodes[r];
        n.role = Role::Primary;
        n.applier.reset_to(new_head, &self.latest);
        n.apply_epoch += 1;
        self.primary = Some(r);
        self.visible = new_head;
        if let Some(semi) = &mut self.semi {
            semi.active = true;
        }
        self.recent.forget_after(new_head);
        for i in 0..self.nodes.len() {
            // Parked reads re-read (their write may be gone); replicas
            // fetch what they miss from the new primary.
            let n = &mut self.nodes[i];
            fx.ready_reads
                .extend(n.parked.drain().map(|Reverse((_, t))| t));
            if n.role == Role::Replica && n.up {
                // Re-pointed at the new primary by the failover tool: a
                // new connection (unless a partition cuts them).
                n.attempts = 0;
                self.try_connect(now, i, fx);
                self.dispatch(now, i, fx);
            }
            self.refresh_lags(now, i);
        }
        self.trim();
        self.counts.lost_writes += report.lost_writes;
        Some(report)
    }

    /// Sends replica `i` every event after its received position.
    pub(super) fn resend(&mut self, now: SimTime, i: usize, fx: &mut Effects) {
        let n = &mut self.nodes[i];
        for seq in n.applier.received + 1..=self.binlog.head() {
            n.last_sent = now;
            let at = now + n.network.sample(&mut n.net_rng);
            if let Some(t) = n.link.send(at, seq) {
                let ev = ReplEvent::Receipt {
                    node: i as u16,
                    epoch: n.link_epoch,
                };
                fx.schedule.push((t, ev));
            }
        }
    }

    /// The dead primary restarts before any replica was promoted: MySQL
    /// recovers its binary log (every commit it made is still there) and
    /// it takes writes again. Nothing is lost. Each replica fetches what it
    /// had not received once its I/O thread reconnects — at its next
    /// attempt (`link.rs`: after a reset it retries every
    /// `SOURCE_CONNECT_RETRY`, default 60 s, MySQL Reference Manual, CHANGE
    /// REPLICATION SOURCE TO; after a silence it first waits out
    /// `replica_net_timeout`). Until then it copies nothing and its
    /// `Seconds_Behind_Source` stays NULL once its relay log is applied —
    /// or 0, if it has not noticed the death yet.
    pub fn restore_primary(&mut self, now: SimTime, node: NodeId) {
        let p = node.idx();
        if self.primary.is_some() || self.nodes[p].role != Role::Detached {
            return;
        }
        let n = &mut self.nodes[p];
        n.role = Role::Primary;
        n.up = true;
        self.primary = Some(p);
        if let Some(semi) = &mut self.semi {
            semi.active = true;
        }
        for i in self.replicas().collect::<Vec<_>>() {
            self.refresh_lags(now, i);
        }
    }

    /// Whether `node` is a dead primary waiting to rejoin.
    pub fn is_detached(&self, node: NodeId) -> bool {
        self.nodes[node.idx()].role == Role::Detached
    }

    /// Whether `node` is a replica (up or not).
    pub fn is_replica(&self, node: NodeId) -> bool {
        self.nodes[node.idx()].role == Role::Replica
    }

    /// True staleness of a replica at `now` (0 when caught up).
    pub fn staleness_now(&self, now: SimTime, node: NodeId) -> SimDuration {
        self.nodes[node.idx()].staleness.value(now)
    }

    /// The replica that is up and has received the most (ties: the
    /// lowest index): the one a failover tool promotes.
    pub fn most_advanced_replica(&self) -> Option<NodeId> {
        self.replicas()
            .filter(|&i| self.nodes[i].up)
            .max_by_key(|&i| (self.nodes[i].applier.received, Reverse(i)))
            .map(|i| NodeId(i as u16))
    }

    /// A dead primary (or a failed replica) comes back as a replica of the
    /// current primary, re-cloned from it at its newest position.
    pub fn rejoin_as_replica(&mut self, now: SimTime, node: NodeId, fx: &mut Effects) {
        let i = node.idx();
        if self.nodes[i].role == Role::Primary {
            return;
        }
        let head = self.binlog.head();
        let n = &mut self.nodes[i];
        n.role = Role::Replica;
        n.up = true;
        n.applier.reset_to(head, &self.latest);
        n.link.clear();
        n.acks.clear();
        n.link_epoch += 1;
        n.apply_epoch += 1;
        // Pointed at the new primary as it rejoins.
        n.attempts = 0;
        self.try_connect(now, i, fx);
    }

    /// Replica `node` stops (its host or mysqld died): its links and work in
    /// progress are dropped, its relay log (received events) kept. Reads
    /// parked on it come back as ready; the owner re-routes them.
    pub fn fail_replica(&mut self, node: NodeId, fx: &mut Effects) {
        let n = &mut self.nodes[node.idx()];
        if n.role != Role::Replica {
            return;
        }
        n.up = false;
        n.link.clear();
        n.acks.clear();
        n.link_epoch += 1;
        n.io_epoch += 1;
        n.apply_epoch += 1;
        n.applier.abandon_in_progress();
        fx.ready_reads
            .extend(n.parked.drain().map(|Reverse((_, t))| t));
    }

    /// A failed replica restarts: it fetches what it misses and applies
    /// its relay log.
    pub fn restore_replica(&mut self, now: SimTime, node: NodeId, fx: &mut Effects) {
        let i = node.idx();
        if self.nodes[i].role != Role::Replica || self.nodes[i].up {
            return;
        }
        self.nodes[i].up = true;
        // Its I/O thread starts: it connects at once if its source is
        // reachable, else it retries (`link.rs`).
        self.nodes[i].attempts = 0;
        self.try_connect(now, i, fx);
        self.dispatch(now, i, fx);
        self.refresh_lags(now, i);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::engine::rng::Streams;
    use crate::stack::replication::{ReplicaConfig, ReplicationConfig};

    pub(in crate::stack::replication) const REPLICA: NodeId = NodeId(1);

    pub(in crate::stack::replication) fn ms(x: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_millis(x)
    }

    /// Hands every scheduled event due by `until` back, in time order.
    pub(in crate::stack::replication) fn run_until(
        r: &mut Replication,
        fx: &mut Effects,
        until: SimTime,
    ) {
        loop {
            let Some(k) = (0..fx.schedule.len())
                .filter(|&k| fx.schedule[k].0 <= until)
                .min_by_key(|&k| fx.schedule[k].0)
            else {
                return;
            };
            let (t, ev) = fx.schedule.remove(k);
            r.handle(t, ev, fx);
        }
    }

    /// One replica 10 ms from its primary applying one event per 100 ms
    /// on one worker, retrying a lost source every second, calling a
    /// silent one dead after 3 s (`replica_net_timeout`).
    pub(in crate::stack::replication) fn one_replica() -> Replication {
        Replication::new(&config(), &Streams::new(1), "t").unwrap()
    }

    pub(in crate::stack::replication) fn config() -> ReplicationConfig {
        ReplicationConfig {
            keys: 10,
            replicas: vec![ReplicaConfig {
                network: Dist::constant(10e6).unwrap(),
                apply: Dist::constant(100e6).unwrap(),
                workers: 1,
                connect_retry: SimDuration::from_secs(1),
                net_timeout: SimDuration::from_secs(3),
            }],
            semi_sync: None,
            ryw_window: SimDuration::ZERO,
            sample_every: SimDuration::ZERO,
        }
    }

    /// Three writes at t = 0 reach the replica at 10 ms and are applied at
    /// 110, 210 and 310 ms. The primary dies at 50 ms: while the relay log
    /// still holds events the replica reports their age (t − 0); once it
    /// has applied them all, NULL, since its I/O thread has no source;
    /// still NULL when the primary is back (400 ms) until the I/O thread's
    /// next retry (50 ms + 1 s) connects it; then 0.
    #[test]
    fn lag_is_null_once_the_relay_log_is_applied_while_the_source_is_down() {
        let mut r = one_replica();
        let mut fx = Effects::default();
        for key in 0..3 {
            r.commit(ms(0), key, None, u64::from(key), &mut fx);
        }
        let sbs = |r: &Replication, t: u64| r.seconds_behind_source(ms(t), REPLICA);
        run_until(&mut r, &mut fx, ms(50));
        assert_eq!(r.positions(REPLICA), (3, 0));
        assert_eq!(sbs(&r, 50), Some(SimDuration::from_millis(50)));
        r.fail_primary(ms(50), false, &mut fx);
        run_until(&mut r, &mut fx, ms(150));
        assert_eq!(r.positions(REPLICA), (3, 1));
        assert_eq!(sbs(&r, 150), Some(SimDuration::from_millis(150)));
        run_until(&mut r, &mut fx, ms(350));
        assert_eq!(r.positions(REPLICA), (3, 3));
        assert_eq!(sbs(&r, 350), None, "caught up with no source: NULL, not 0");
        assert!(r.is_running_replica(REPLICA));
        r.restore_primary(ms(400), NodeId(0));
        assert_eq!(sbs(&r, 400), None, "not reconnected before its retry");
        run_until(&mut r, &mut fx, ms(1_049));
        assert_eq!(sbs(&r, 1_049), None);
        run_until(&mut r, &mut fx, ms(1_050));
        assert_eq!(sbs(&r, 1_050), Some(SimDuration::ZERO), "reconnected");
        r.fail_replica(REPLICA, &mut fx);
        assert_eq!(sbs(&r, 1_100), None, "a replica that is down: NULL");
    }

    /// Writes the restored primary takes before the replica's retry wait
    /// on the primary: the replica receives them only once its I/O thread
    /// reconnects, at the first retry (every second from the death at
    /// 100 ms) after the restart at 2.5 s — 3.1 s — and 10 ms later they
    /// are there.
    #[test]
    fn a_replica_copies_nothing_until_its_retry_finds_the_source() {
        let mut r = one_replica();
        let mut fx = Effects::default();
        r.fail_primary(ms(100), false, &mut fx);
        run_until(&mut r, &mut fx, ms(2_500));
        r.restore_primary(ms(2_500), NodeId(0));
        for key in 0..2 {
            r.commit(ms(2_600), key, None, u64::from(key), &mut fx);
        }
        run_until(&mut r, &mut fx, ms(3_099));
        assert_eq!(r.positions(REPLICA), (0, 0), "no connection yet");
        assert!(
            r.staleness_now(ms(3_099), REPLICA) > SimDuration::ZERO,
            "its reads are stale meanwhile"
        );
        run_until(&mut r, &mut fx, ms(3_110));
        assert_eq!(r.positions(REPLICA).0, 2, "received once reconnected");
        // A later death and return: the retry counts from the new death.
        r.fail_primary(ms(5_000), false, &mut fx);
        run_until(&mut r, &mut fx, ms(5_200));
        r.restore_primary(ms(5_200), NodeId(0));
        r.commit(ms(5_300), 3, None, 9, &mut fx);
        run_until(&mut r, &mut fx, ms(5_999));
        assert_eq!(r.positions(REPLICA).0, 2);
        run_until(&mut r, &mut fx, ms(6_010));
        assert_eq!(r.positions(REPLICA).0, 3);
    }
}
