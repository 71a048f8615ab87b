//! A replica's I/O thread and its link to the source: what it notices of a
//! lost source, when, and how it reconnects — MySQL's semantics.
//!
//! A source that *resets* the connection (its mysqld died, the host stays
//! up and answers with RST) is noticed at once. A source that goes
//! *silent* — its host died (no FIN, no RST) or a partition cuts the link —
//! is not: the I/O thread waits for data or a heartbeat until
//! `replica_net_timeout` has passed since it last heard anything (the
//! source sends a heartbeat after each `SOURCE_HEARTBEAT_PERIOD` without
//! data: half the timeout by default), and until then it believes it is
//! connected, so a caught-up replica reports `Seconds_Behind_Source` 0
//! while its source is gone. Once it notices, the value is NULL and the
//! thread tries to connect: at once, then after each failure it sleeps
//! `SOURCE_CONNECT_RETRY`; an attempt against a refusing source fails at
//! once, against a silent one at its connect timeout, which MySQL sets to
//! `replica_net_timeout` too (`connect_to_master` in
//! sql/rpl_replica.cc: `MYSQL_OPT_CONNECT_TIMEOUT`, then
//! `slave_sleep(connect_retry)` after each failure, giving up after
//! `SOURCE_RETRY_COUNT` failures). So attempts follow each other every
//! `connect_retry` (refused) or `net_timeout + connect_retry` (silent). An
//! attempt succeeds if it starts while the source is reachable; one that
//! started before the source came back fails at its timeout (a
//! simplification: a real one may get through on a SYN retransmission).
//! A partition that heals before the replica noticed leaves the connection
//! as it was: the source's backlog flows again at once.

use super::node::{Replication, Role};
use super::{Effects, ReplEvent, SOURCE_RETRY_COUNT};
use crate::engine::{SimDuration, SimTime};

impl Replication {
    /// Whether nodes `a` and `b` are partitioned from each other.
    pub(super) fn is_cut(&self, a: usize, b: usize) -> bool {
        self.cuts.iter().any(|&(x, y)| {
            let (x, y) = (usize::from(x), usize::from(y));
            (x, y) == (a, b) || (x, y) == (b, a)
        })
    }

    /// Whether the binlog can flow from the current primary to node `i`.
    pub(super) fn reachable(&self, i: usize) -> bool {
        self.primary.is_some_and(|p| !self.is_cut(p, i))
    }

    /// Replica `i`'s link goes silent at `now` (its source's host died,
    /// or a partition cut it): what was in flight is lost, and the I/O
    /// thread, still believing it is connected, will notice at
    /// `replica_net_timeout` after it last heard from the source — data,
    /// or the last heartbeat the source sent (every half timeout of idle
    /// link since its last data).
    pub(super) fn silence(&mut self, now: SimTime, i: usize, fx: &mut Effects) {
        let n = &mut self.nodes[i];
        n.link.clear();
        n.acks.clear();
        n.link_epoch += 1;
        if n.role != Role::Replica || !n.up || !n.connected {
            return;
        }
        n.dead_link = true;
        n.io_epoch += 1;
        // `SOURCE_HEARTBEAT_PERIOD` default: half `replica_net_timeout`
        // (MySQL Reference Manual, CHANGE REPLICATION SOURCE TO).
        let beat = (n.net_timeout.as_nanos() / 2).max(1);
        let idle = (now - n.last_sent).as_nanos();
        let heartbeat = n.last_sent + SimDuration(idle / beat * beat);
        let heard = n.last_heard.max(heartbeat);
        let at = (heard + n.net_timeout).max(now);
        let ev = ReplEvent::NetTimeout {
            node: i as u16,
            epoch: n.io_epoch,
        };
        fx.schedule.push((at, ev));
    }

    /// Replica `i`'s I/O thread tries to connect now: it succeeds if the
    /// source is reachable (and fetches what it misses), else it tries
    /// again after the attempt's failure and `SOURCE_CONNECT_RETRY`.
    pub(super) fn try_connect(&mut self, now: SimTime, i: usize, fx: &mut Effects) {
        let reachable = self.reachable(i);
        // A refusing source fails an attempt at once; a silent one (its
        // host is down, or the link is cut) at the connect timeout.
        let silent = self.primary.is_some() || self.source_silent;
        let n = &mut self.nodes[i];
        n.io_epoch += 1;
        n.dead_link = false;
        if reachable {
            n.connected = true;
            n.attempts = 0;
            n.last_heard = now;
            n.last_sent = now;
            self.resend(now, i, fx);
            self.dispatch(now, i, fx);
        } else {
            n.connected = false;
            n.attempts = n.attempts.saturating_add(1);
            if n.attempts < SOURCE_RETRY_COUNT {
                let fails_after = if silent {
                    n.net_timeout
                } else {
                    SimDuration::ZERO
                };
                let ev = ReplEvent::Reconnect {
                    node: i as u16,
                    epoch: n.io_epoch,
                };
                fx.schedule.push((now + fails_after + n.connect_retry, ev));
            }
        }
        self.refresh_lags(now, i);
    }

    /// A retry of replica `i`'s I/O thread is due.
    pub(super) fn on_reconnect(&mut self, now: SimTime, i: usize, epoch: u32, fx: &mut Effects) {
        let n = &self.nodes[i];
        if epoch == n.io_epoch && n.role == Role::Replica && n.up && !n.connected {
            self.try_connect(now, i, fx);
        }
    }

    /// Replica `i` has heard nothing for `replica_net_timeout`: it calls
    /// the connection dead (NULL lag from now once its relay log is
    /// applied) and tries to connect at once.
    pub(super) fn on_net_timeout(&mut self, now: SimTime, i: usize, epoch: u32, fx: &mut Effects) {
        let n = &self.nodes[i];
        if epoch == n.io_epoch && n.role == Role::Replica && n.up && n.connected {
            self.try_connect(now, i, fx);
        }
    }

    /// A partition between databases `a` and `b` starts: if one is the
    /// primary and the other its replica, the replica's link goes silent.
    /// The primary does not notice anything it acts on (it keeps taking
    /// writes; semi-sync waits its timeout as for a dead replica).
    pub fn cut_link(&mut self, now: SimTime, a: super::NodeId, b: super::NodeId, fx: &mut Effects) {
        let (a, b) = (a.idx(), b.idx());
        let new = !self.is_cut(a, b);
        self.cuts.push((a as u16, b as u16));
        for (r, s) in [(a, b), (b, a)] {
            if new && self.primary == Some(s) && self.nodes[r].role == Role::Replica {
                self.silence(now, r, fx);
            }
        }
    }

    /// The partition between `a` and `b` heals. A replica that had not
    /// noticed it is still connected: the source's backlog reaches it
    /// now. One that had noticed reconnects at its next attempt.
    pub fn heal_link(
        &mut self,
        now: SimTime,
        a: super::NodeId,
        b: super::NodeId,
        fx: &mut Effects,
    ) {
        let (a, b) = (a.idx(), b.idx());
        let Some(pos) = self.cuts.iter().position(|&(x, y)| {
            let (x, y) = (usize::from(x), usize::from(y));
            (x, y) == (a, b) || (x, y) == (b, a)
        }) else {
            return;
        };
        self.cuts.remove(pos);
        if self.is_cut(a, b) {
            return;
        }
        for (r, s) in [(a, b), (b, a)] {
            let n = &self.nodes[r];
            if self.primary == Some(s) && n.role == Role::Replica && n.up && n.connected {
                self.try_connect(now, r, fx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::failover::tests::{REPLICA, config, ms, one_replica, run_until};
    use super::super::{CommitOutcome, Effects, NodeId, Replication};
    use crate::engine::SimDuration;
    use crate::engine::rng::Streams;

    const PRIMARY: NodeId = NodeId(0);

    fn secs(ms: u64) -> Option<SimDuration> {
        Some(SimDuration::from_millis(ms))
    }

    /// The replica (10 ms away, 100 ms per event, `connect_retry` 1 s,
    /// `replica_net_timeout` 3 s, so heartbeats every 1.5 s) has applied
    /// three writes of t = 0 by 310 ms. The primary's host dies silently
    /// at 5 s: the link was idle since 0, so the last heartbeat left at
    /// 4.5 s, and the replica notices at 4.5 + 3 = 7.5 s. Until then it
    /// reports 0 — caught up, source gone — then NULL. Its first attempt
    /// (7.5 s) runs into the silent host for its 3 s connect timeout, it
    /// sleeps 1 s: the next at 11.5 s finds the primary back (since 8 s)
    /// and the write of 9 s arrives 10 ms later. A process death instead
    /// (at 20 s) is NULL at once and retried every second: 21 s finds
    /// the primary back (20.5 s).
    #[test]
    fn a_silent_source_reads_zero_lag_until_the_net_timeout() {
        let mut r = one_replica();
        let mut fx = Effects::default();
        for key in 0..3 {
            r.commit(ms(0), key, None, u64::from(key), &mut fx);
        }
        let sbs = |r: &Replication, t: u64| r.seconds_behind_source(ms(t), REPLICA);
        run_until(&mut r, &mut fx, ms(5_000));
        assert_eq!(r.positions(REPLICA), (3, 3));
        r.fail_primary(ms(5_000), true, &mut fx);
        run_until(&mut r, &mut fx, ms(7_499));
        assert_eq!(sbs(&r, 7_499), secs(0), "not noticed yet: 0, not NULL");
        run_until(&mut r, &mut fx, ms(7_500));
        assert_eq!(sbs(&r, 7_500), None, "noticed at the net timeout");
        run_until(&mut r, &mut fx, ms(8_000));
        r.restore_primary(ms(8_000), PRIMARY);
        run_until(&mut r, &mut fx, ms(9_000));
        r.commit(ms(9_000), 5, None, 9, &mut fx);
        run_until(&mut r, &mut fx, ms(11_499));
        assert_eq!(sbs(&r, 11_499), None, "its attempt of 7.5 s timed out");
        assert_eq!(r.positions(REPLICA).0, 3);
        run_until(&mut r, &mut fx, ms(11_500));
        assert_eq!(sbs(&r, 11_500), secs(0), "reconnected");
        run_until(&mut r, &mut fx, ms(11_510));
        assert_eq!(r.positions(REPLICA).0, 4);
        run_until(&mut r, &mut fx, ms(20_000));
        r.fail_primary(ms(20_000), false, &mut fx);
        assert_eq!(sbs(&r, 20_000), None, "a reset is noticed at once");
        run_until(&mut r, &mut fx, ms(20_500));
        r.restore_primary(ms(20_500), PRIMARY);
        run_until(&mut r, &mut fx, ms(20_999));
        assert_eq!(sbs(&r, 20_999), None);
        run_until(&mut r, &mut fx, ms(21_000));
        assert_eq!(sbs(&r, 21_000), secs(0));
        // A host dead at 24.5 s and back at 25 s, before the replica
        // noticed (connected at 21 s, heartbeats at 22.5 and 24 s: it
        // notices at 27 s): the restarted mysqld does not know the dead
        // connection, so the write of 25.5 s waits for the replica's
        // timeout, whose immediate attempt finds the source: received at
        // 27.01 s, and never NULL meanwhile.
        run_until(&mut r, &mut fx, ms(24_500));
        r.fail_primary(ms(24_500), true, &mut fx);
        run_until(&mut r, &mut fx, ms(25_000));
        r.restore_primary(ms(25_000), PRIMARY);
        run_until(&mut r, &mut fx, ms(25_500));
        r.commit(ms(25_500), 6, None, 10, &mut fx);
        run_until(&mut r, &mut fx, ms(27_009));
        assert_eq!((r.positions(REPLICA).0, sbs(&r, 27_009)), (4, secs(0)));
        run_until(&mut r, &mut fx, ms(27_010));
        assert_eq!(r.positions(REPLICA).0, 5);
    }

    /// A partition cuts the replica from its primary at 1 s (last data at
    /// 10 ms, no heartbeat yet: noticed at 3.01 s). Writes at 2 s reach
    /// the primary only: the replica reads them stale and reports 0 lag,
    /// then NULL from 3.01 s. Its attempt at 3.01 s times out (3 s), it
    /// sleeps 1 s; the partition heals at 5 s and the attempt of 7.01 s
    /// connects: the backlog arrives at 7.02 s (lag 5.02 s) and is applied
    /// at 7.12 and 7.22 s. A cut healed before the timeout (10–11 s)
    /// leaves the connection up: the write of 10.5 s arrives at 11.01 s.
    #[test]
    fn a_partition_stops_the_copy_until_a_retry_after_the_heal() {
        let mut r = one_replica();
        let mut fx = Effects::default();
        for key in 0..3 {
            r.commit(ms(0), key, None, u64::from(key), &mut fx);
        }
        let sbs = |r: &Replication, t: u64| r.seconds_behind_source(ms(t), REPLICA);
        run_until(&mut r, &mut fx, ms(1_000));
        r.cut_link(ms(1_000), REPLICA, PRIMARY, &mut fx);
        run_until(&mut r, &mut fx, ms(2_000));
        for key in 3..5 {
            let done = r.commit(ms(2_000), key, None, u64::from(key), &mut fx);
            assert!(
                matches!(done, CommitOutcome::Done { .. }),
                "the primary takes writes"
            );
        }
        run_until(&mut r, &mut fx, ms(3_009));
        assert_eq!(r.positions(REPLICA), (3, 3), "nothing crosses the cut");
        assert_eq!(sbs(&r, 3_009), secs(0));
        assert_eq!(
            r.staleness_now(ms(3_009), REPLICA),
            SimDuration::from_millis(1_009)
        );
        run_until(&mut r, &mut fx, ms(3_010));
        assert_eq!(sbs(&r, 3_010), None);
        run_until(&mut r, &mut fx, ms(5_000));
        r.heal_link(ms(5_000), PRIMARY, REPLICA, &mut fx);
        run_until(&mut r, &mut fx, ms(7_009));
        assert_eq!((r.positions(REPLICA), sbs(&r, 7_009)), ((3, 3), None));
        run_until(&mut r, &mut fx, ms(7_020));
        assert_eq!(r.positions(REPLICA), (5, 3));
        assert_eq!(sbs(&r, 7_020), secs(5_020));
        run_until(&mut r, &mut fx, ms(7_220));
        assert_eq!((r.positions(REPLICA), sbs(&r, 7_220)), ((5, 5), secs(0)));
        run_until(&mut r, &mut fx, ms(10_000));
        r.cut_link(ms(10_000), PRIMARY, REPLICA, &mut fx);
        run_until(&mut r, &mut fx, ms(10_500));
        r.commit(ms(10_500), 6, None, 6, &mut fx);
        run_until(&mut r, &mut fx, ms(11_000));
        r.heal_link(ms(11_000), REPLICA, PRIMARY, &mut fx);
        run_until(&mut r, &mut fx, ms(11_009));
        assert_eq!((r.positions(REPLICA).0, sbs(&r, 11_009)), (5, secs(0)));
        run_until(&mut r, &mut fx, ms(11_010));
        assert_eq!(r.positions(REPLICA).0, 6);
    }

    /// Semi-sync (500 ms timeout) across a cut: the commit of 1.5 s waits
    /// its timeout and semi-sync falls back to asynchronous, as for a dead
    /// replica; once the replica is back and acknowledges, it returns.
    #[test]
    fn semi_sync_times_out_across_a_partition() {
        let mut cfg = config();
        cfg.semi_sync = Some(SimDuration::from_millis(500));
        let mut r = Replication::new(&cfg, &Streams::new(1), "t").unwrap();
        let mut fx = Effects::default();
        r.cut_link(ms(1_000), PRIMARY, REPLICA, &mut fx);
        run_until(&mut r, &mut fx, ms(1_500));
        assert!(matches!(
            r.commit(ms(1_500), 0, None, 7, &mut fx),
            CommitOutcome::Waiting { .. }
        ));
        run_until(&mut r, &mut fx, ms(1_999));
        assert!(fx.commits.is_empty());
        run_until(&mut r, &mut fx, ms(2_000));
        assert_eq!(fx.commits.len(), 1);
        assert_eq!(fx.commits[0].waited, SimDuration::from_millis(500));
        assert_eq!(r.semi_sync(), Some((false, 1)), "fallen back");
        run_until(&mut r, &mut fx, ms(2_500));
        r.heal_link(ms(2_500), PRIMARY, REPLICA, &mut fx);
        run_until(&mut r, &mut fx, ms(2_600));
        assert_eq!(r.semi_sync(), Some((true, 1)), "back after the ack");
    }

    /// `SOURCE_RETRY_COUNT`: after 86,400 failed attempts in a row — at
    /// the death (0 s), then every second, the last at 86,399 s — the I/O
    /// thread stops: a primary back at 86,399.5 s is never found again,
    /// while one back half a second earlier is, at 86,399 s.
    #[test]
    fn the_io_thread_gives_up_after_source_retry_count_attempts() {
        let last = u64::from(super::SOURCE_RETRY_COUNT - 1) * 1_000;
        for (back, found) in [(last - 500, true), (last + 500, false)] {
            let mut r = one_replica();
            let mut fx = Effects::default();
            r.fail_primary(ms(0), false, &mut fx);
            run_until(&mut r, &mut fx, ms(back));
            r.restore_primary(ms(back), PRIMARY);
            run_until(&mut r, &mut fx, ms(last + 10_000));
            let sbs = r.seconds_behind_source(ms(last + 10_000), REPLICA);
            assert_eq!(sbs.is_some(), found, "back at {back} ms");
            assert!(fx.schedule.is_empty());
        }
    }
}
