//! Semi-synchronous replication on the source, wait point AFTER_SYNC (the
//! default since MySQL 5.7).
//!
//! A commit is written and synced to the binary log, then waits for one
//! replica to acknowledge *receipt* of it (not its apply) before the storage
//! engine commits it and the client gets its answer; other sessions see the
//! write only then. An acknowledgement of position p covers every commit up
//! to p. If the oldest waiting commit has waited `rpl_semi_sync_source_timeout`
//! (10 s by default), the source switches semi-sync off (one *fallback*) and
//! every waiting commit returns; while off, commits return at once. The
//! source switches back on when a replica acknowledges the newest event,
//! i.e. has caught up.
//!
//! Waiting commits are in sequence order and share one timeout, so one
//! timer stands for all (as `deadlines.rs`).

use crate::engine::{SimDuration, SimTime};
use std::collections::VecDeque;

/// MySQL's default `rpl_semi_sync_source_timeout`: 10 000 ms.
pub const DEFAULT_TIMEOUT: SimDuration = SimDuration::from_secs(10);

/// A commit waiting for an acknowledgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub seq: u64,
    pub token: u64,
    pub since: SimTime,
}

#[derive(Clone, Debug)]
pub struct SemiSync {
    timeout: SimDuration,
    /// Semi-sync is on (not fallen back to asynchronous).
    pub active: bool,
    waiting: VecDeque<Waiting>,
    timer_armed: bool,
    pub fallbacks: u64,
    /// Position acknowledged by some replica.
    pub acked: u64,
}

impl SemiSync {
    pub fn new(timeout: SimDuration) -> Self {
        SemiSync {
            timeout,
            active: true,
            waiting: VecDeque::new(),
            timer_armed: false,
            fallbacks: 0,
            acked: 0,
        }
    }

    /// A commit of `seq` at `now`: true if it must wait. When it waits,
    /// `timer` is set to when to schedule the timeout event, if none is
    /// pending.
    pub fn commit(
        &mut self,
        now: SimTime,
        seq: u64,
        token: u64,
        timer: &mut Option<SimTime>,
    ) -> bool {
        if !self.active {
            return false;
        }
        self.waiting.push_back(Waiting {
            seq,
            token,
            since: now,
        });
        if !self.timer_armed {
            self.timer_armed = true;
            *timer = Some(now + self.timeout);
        }
        true
    }

    /// A replica acknowledged receipt of everything up to `seq`; `head` is
    /// the newest committed sequence number. Moves the commits it releases
    /// into `done`.
    pub fn ack(&mut self, seq: u64, head: u64, done: &mut Vec<Waiting>) {
        self.acked = self.acked.max(seq);
        if !self.active && seq >= head {
            self.active = true; // the replica caught up
        }
        while let Some(w) = self.waiting.front() {
            if w.seq > seq {
                break;
            }
            done.push(*w);
            self.waiting.pop_front();
        }
    }

    /// The timeout event: if the oldest commit has waited the full timeout,
    /// falls back to asynchronous and releases every waiting commit into
    /// `done`. Returns when to schedule the next timeout event, if any.
    pub fn expire(&mut self, now: SimTime, done: &mut Vec<Waiting>) -> Option<SimTime> {
        self.timer_armed = false;
        let oldest = self.waiting.front()?;
        let deadline = oldest.since + self.timeout;
        if deadline > now {
            self.timer_armed = true;
            return Some(deadline);
        }
        self.active = false;
        self.fallbacks += 1;
        done.extend(self.waiting.drain(..));
        None
    }

    /// Releases every waiting commit (the source died: their clients get an
    /// error); the pending timeout event must be voided by the caller.
    pub fn abort(&mut self, done: &mut Vec<Waiting>) {
        done.extend(self.waiting.drain(..));
        self.timer_armed = false;
    }

    /// Commits waiting for an acknowledgement.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_releases_every_commit_up_to_its_position() {
        let mut s = SemiSync::new(SimDuration::from_secs(10));
        let mut timer = None;
        assert!(s.commit(SimTime(0), 1, 100, &mut timer));
        assert_eq!(timer, Some(SimTime(10_000_000_000)));
        timer = None;
        assert!(s.commit(SimTime(5), 2, 200, &mut timer));
        assert!(s.commit(SimTime(6), 3, 300, &mut timer));
        assert_eq!(timer, None, "one timer for all");
        let mut done = vec![];
        s.ack(2, 3, &mut done);
        assert_eq!(done.iter().map(|w| w.token).collect::<Vec<_>>(), [100, 200]);
        // The timer finds the remaining commit not yet due and re-arms.
        done.clear();
        assert_eq!(
            s.expire(SimTime(10_000_000_000), &mut done),
            Some(SimTime(10_000_000_006))
        );
        assert!(done.is_empty() && s.active);
    }

    #[test]
    fn timeout_falls_back_and_a_caught_up_replica_restores() {
        let timeout = SimDuration::from_secs(10);
        let mut s = SemiSync::new(timeout);
        let mut timer = None;
        s.commit(SimTime(0), 1, 1, &mut timer);
        s.commit(SimTime(1), 2, 2, &mut timer);
        let mut done = vec![];
        assert_eq!(s.expire(SimTime(0) + timeout, &mut done), None);
        assert_eq!((done.len(), s.active, s.fallbacks), (2, false, 1));
        assert!(!s.commit(SimTime(20), 3, 3, &mut timer), "async while off");
        done.clear();
        s.ack(2, 3, &mut done);
        assert!(!s.active, "behind the head: still off");
        s.ack(3, 3, &mut done);
        assert!(s.active && done.is_empty());
    }
}
