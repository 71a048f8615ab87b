//! The future-event list: a binary heap ordered by (time, insertion sequence).
//!
//! Ties in time are broken by the order in which events were scheduled, never
//! by chance, so simultaneous events always run in the same order and a run is
//! reproducible. Cancellation is lazy: `cancel` records the entry's sequence
//! number and the entry is dropped when it reaches the top of the heap (by
//! `pop` or `peek_time`), so the heap itself is never searched. With no
//! cancellations pending, popping costs one branch more than a plain heap.
//!
//! An entry keeps its sequence number from `push` until it is popped: it is
//! never re-sequenced, so its [`EventKey`] stays valid and its place among
//! simultaneous events never changes. Memory: when cancelled entries
//! outnumber live ones (and there are more than [`COMPACT_MIN`]), the heap is
//! rebuilt without them, so the cancelled timers of a long run cannot pile up;
//! the heap holds at most twice its live entries plus `COMPACT_MIN`.

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

/// Cancelled entries tolerated before a compaction is considered.
pub const COMPACT_MIN: usize = 4096;

/// Identifies one scheduled event, so that it can be cancelled (a timer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKey(u64);

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (time, seq) is on top.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events of type `E`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    cancelled: HashSet<u64>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            next_seq: 0,
            cancelled: HashSet::new(),
        }
    }

    /// Schedules `event` at `time`; returns a key that can cancel it.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) -> EventKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
        EventKey(seq)
    }

    /// Removes and returns the earliest live event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            let entry = self.heap.pop()?;
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq) {
                continue;
            }
            return Some((entry.time, entry.event));
        }
    }

    /// Removes and returns the earliest live event if it is due by `end`;
    /// leaves the queue as it is (but for cancelled entries) otherwise.
    #[inline]
    pub fn pop_due(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        loop {
            if self.heap.peek()?.time > end {
                return None;
            }
            let entry = self.heap.pop()?;
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq) {
                continue;
            }
            return Some((entry.time, entry.event));
        }
    }

    /// The time of the earliest live event. Cancelled entries on top are
    /// dropped first, so the next `pop` returns the event at this time.
    #[inline]
    pub fn peek_time(&mut self) -> Option<SimTime> {
        loop {
            let top = self.heap.peek()?;
            if !self.cancelled.is_empty() && self.cancelled.contains(&top.seq) {
                let seq = top.seq;
                self.heap.pop();
                self.cancelled.remove(&seq);
                continue;
            }
            return Some(top.time);
        }
    }

    /// Cancels a scheduled event. Cancelling an event that already ran, or
    /// twice, is a logic error the caller must avoid; it never misorders
    /// events, and the stray key is forgotten at the next compaction.
    pub fn cancel(&mut self, key: EventKey) {
        if key.0 < self.next_seq {
            self.cancelled.insert(key.0);
            if self.cancelled.len() > COMPACT_MIN && 2 * self.cancelled.len() > self.heap.len() {
                self.compact();
            }
        }
    }

    /// Rebuilds the heap without its cancelled entries. Order is unchanged:
    /// it depends only on each entry's (time, seq), which stay as they were.
    fn compact(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        entries.retain(|e| !self.cancelled.contains(&e.seq));
        // Every key left in the set is of an event no longer in the heap.
        self.cancelled.clear();
        self.heap = BinaryHeap::from(entries);
    }

    /// Entries in the heap, including cancelled ones not yet dropped.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// No entry at all (not even a cancelled one) is left.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Events scheduled so far (the sequence counter).
    pub fn scheduled(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_among_ties() {
        let mut q = EventQueue::new();
        q.push(SimTime(30), "c");
        q.push(SimTime(10), "a1");
        q.push(SimTime(20), "b");
        q.push(SimTime(10), "a2");
        q.push(SimTime(10), "a3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a1", "a2", "a3", "b", "c"]);
    }

    #[test]
    fn cancelled_events_never_pop() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime(5), 1);
        q.push(SimTime(6), 2);
        let c = q.push(SimTime(7), 3);
        q.cancel(a);
        q.cancel(c);
        assert_eq!(q.pop(), Some((SimTime(6), 2)));
        assert_eq!(q.pop(), None);
        assert!(q.cancelled.is_empty(), "tombstones are dropped when popped");
    }

    #[test]
    fn peeking_drops_cancelled_entries_and_keeps_keys_valid() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime(5), "a");
        let b = q.push(SimTime(20), "b");
        q.push(SimTime(20), "c");
        q.cancel(a);
        assert_eq!(
            q.peek_time(),
            Some(SimTime(20)),
            "the cancelled entry is skipped"
        );
        assert_eq!(q.len(), 2, "and dropped");
        q.cancel(b); // b's key is still the one push returned
        assert_eq!(q.pop(), Some((SimTime(20), "c")));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn pop_due_stops_at_the_end_without_disturbing_later_events() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime(5), "a");
        q.push(SimTime(20), "b");
        q.push(SimTime(20), "c");
        q.cancel(a);
        assert_eq!(q.pop_due(SimTime(10)), None, "b is later than the end");
        assert_eq!(q.len(), 2, "the cancelled entry went, b and c stayed");
        assert_eq!(q.pop_due(SimTime(20)), Some((SimTime(20), "b")));
        assert_eq!(q.pop_due(SimTime(20)), Some((SimTime(20), "c")));
        assert_eq!(q.pop_due(SimTime::MAX), None);
    }

    #[test]
    fn cancelled_timers_do_not_accumulate() {
        // A long run where every timer is cancelled: the heap stays bounded.
        let mut q = EventQueue::new();
        let mut most = 0;
        for i in 0..200_000u64 {
            let k = q.push(SimTime(1_000_000 + i), i);
            q.push(SimTime(i), u64::MAX);
            q.cancel(k);
            assert_eq!(q.pop(), Some((SimTime(i), u64::MAX)));
            most = most.max(q.len());
        }
        assert!(most <= 2 * COMPACT_MIN + 2, "heap grew to {most}");
        assert_eq!(q.pop(), None, "every timer was cancelled");
    }

    #[test]
    fn matches_a_sorted_reference_on_random_input() {
        // Differential test against sorting by (time, seq).
        let mut q = EventQueue::new();
        let mut reference = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..10_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = x % 500; // many ties
            q.push(SimTime(t), i);
            reference.push((t, i));
        }
        reference.sort();
        for (t, i) in reference {
            assert_eq!(q.pop(), Some((SimTime(t), i)));
        }
    }
}
