//! The primary's binary log, and the FIFO links that carry it.
//!
//! A commit appends one event (sequence number = GTID order, from 1) with
//! its key, its commit time and the sequence number of the previous version
//! of the same key (0 = the initial, never-written version). Those `prev`
//! links let the log answer, without a per-write history: which version of a
//! key a database at position p sees, when a replica's version of a key was
//! superseded (for the staleness age of a read), and which versions revert
//! when the writes after a position are lost in a failover.
//!
//! Memory: only the events some replica has not yet applied are kept
//! (`trim`), so it is O(lag), not O(writes); every question above only ever
//! looks at events after some replica's applied position.
//!
//! `Fifo` is a link whose messages arrive in the order they were sent (a
//! TCP stream: the binlog dump to a replica, the acknowledgements back),
//! held without a heap event each: one armed event stands for all, as in
//! `deadlines.rs`.

use crate::engine::SimTime;
use std::collections::VecDeque;

/// One binlog event: a committed write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub key: u32,
    /// Sequence number of the previous version of `key` (0: none).
    pub prev: u64,
    pub committed_at: SimTime,
}

/// The retained tail of the binary log.
#[derive(Clone, Debug, Default)]
pub struct Binlog {
    /// Sequence number of `events[0]`.
    base: u64,
    events: VecDeque<Event>,
}

impl Binlog {
    pub fn new() -> Self {
        Binlog {
            base: 1,
            events: VecDeque::new(),
        }
    }

    /// The newest sequence number (0 before any write).
    pub fn head(&self) -> u64 {
        self.base + self.events.len() as u64 - 1
    }

    /// Appends a write; returns its sequence number.
    pub fn append(&mut self, key: u32, prev: u64, committed_at: SimTime) -> u64 {
        self.events.push_back(Event {
            key,
            prev,
            committed_at,
        });
        self.head()
    }

    /// The event `seq`, if still retained.
    #[inline]
    pub fn get(&self, seq: u64) -> Option<&Event> {
        seq.checked_sub(self.base)
            .and_then(|i| self.events.get(i as usize))
    }

    /// The event `seq`; it must be retained (a logic error otherwise).
    #[inline]
    pub fn event(&self, seq: u64) -> &Event {
        self.get(seq)
            .unwrap_or_else(|| panic!("binlog event {seq} not retained (base {})", self.base))
    }

    /// Drops the events up to and including `seq` (every replica applied them).
    pub fn trim(&mut self, seq: u64) {
        while self.base <= seq && !self.events.is_empty() {
            self.events.pop_front();
            self.base += 1;
        }
    }

    /// Drops the events after `seq` (lost in a failover); later appends
    /// continue from `seq + 1`.
    pub fn truncate_after(&mut self, seq: u64) {
        let keep = seq.saturating_sub(self.base - 1) as usize;
        self.events.truncate(keep);
    }

    /// Retained events (for memory checks).
    pub fn retained(&self) -> usize {
        self.events.len()
    }

    /// The version of a key visible at position `pos`, given `latest`, the
    /// key's newest version: walks the `prev` links back from `latest`
    /// until at or below `pos`.
    pub fn version_at(&self, latest: u64, pos: u64) -> u64 {
        let mut v = latest;
        while v > pos {
            v = self.event(v).prev;
        }
        v
    }

    /// The version that superseded `old` of the key whose newest version is
    /// `latest` (> `old`): the first version after `old`.
    pub fn successor(&self, latest: u64, old: u64) -> u64 {
        let mut v = latest;
        loop {
            let prev = self.event(v).prev;
            if prev <= old {
                return v;
            }
            v = prev;
        }
    }
}

/// A first-in, first-out link: messages arrive in sending order, each no
/// earlier than its own delay allows (a later message never overtakes).
#[derive(Clone, Debug)]
pub struct Fifo<T> {
    queue: VecDeque<(SimTime, T)>,
    last_arrival: SimTime,
    armed: bool,
}

impl<T: Copy> Default for Fifo<T> {
    fn default() -> Self {
        Fifo {
            queue: VecDeque::new(),
            last_arrival: SimTime::ZERO,
            armed: false,
        }
    }
}

impl<T: Copy> Fifo<T> {
    /// Sends `msg` to arrive at `at` (or after the previous message);
    /// returns when to schedule the link's event, if none is pending.
    pub fn send(&mut self, at: SimTime, msg: T) -> Option<SimTime> {
        let at = at.max(self.last_arrival);
        self.last_arrival = at;
        self.queue.push_back((at, msg));
        if self.armed {
            return None;
        }
        self.armed = true;
        Some(at)
    }

    /// At the link's event: moves every message due by `now` into `due`;
    /// returns when to schedule the next event, if any message is left.
    pub fn arrive(&mut self, now: SimTime, due: &mut Vec<T>) -> Option<SimTime> {
        self.armed = false;
        while let Some(&(at, msg)) = self.queue.front() {
            if at > now {
                self.armed = true;
                return Some(at);
            }
            self.queue.pop_front();
            due.push(msg);
        }
        None
    }

    /// Drops every message in flight (the sender died); the link's pending
    /// event, if any, must be voided by the caller.
    pub fn clear(&mut self) {
        self.queue.clear();
        self.armed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_walk_back_along_prev_links() {
        // Key 7 written at seq 1, 3, 4; key 2 at seq 2.
        let mut log = Binlog::new();
        assert_eq!(log.head(), 0);
        assert_eq!(log.append(7, 0, SimTime(10)), 1);
        assert_eq!(log.append(2, 0, SimTime(20)), 2);
        assert_eq!(log.append(7, 1, SimTime(30)), 3);
        assert_eq!(log.append(7, 3, SimTime(40)), 4);
        assert_eq!(log.version_at(4, 4), 4);
        assert_eq!(log.version_at(4, 2), 1);
        assert_eq!(log.version_at(4, 0), 0);
        assert_eq!(log.successor(4, 1), 3);
        assert_eq!(log.successor(4, 0), 1);
        assert_eq!(log.successor(4, 3), 4);
        log.trim(2);
        assert_eq!(log.retained(), 2);
        assert!(log.get(2).is_none());
        assert_eq!(log.event(3).committed_at, SimTime(30));
        log.truncate_after(3);
        assert_eq!(log.head(), 3);
        assert_eq!(log.append(9, 0, SimTime(50)), 4);
    }

    #[test]
    fn fifo_keeps_order_with_one_event() {
        let mut link = Fifo::default();
        assert_eq!(link.send(SimTime(100), 1u64), Some(SimTime(100)));
        // A shorter delay does not overtake: it arrives with the first.
        assert_eq!(link.send(SimTime(50), 2), None);
        assert_eq!(link.send(SimTime(300), 3), None);
        let mut due = vec![];
        assert_eq!(link.arrive(SimTime(100), &mut due), Some(SimTime(300)));
        assert_eq!(due, vec![1, 2]);
        due.clear();
        assert_eq!(link.arrive(SimTime(300), &mut due), None);
        assert_eq!(due, vec![3]);
        assert_eq!(link.send(SimTime(200), 4), Some(SimTime(300)));
    }
}
