//! The future-event list: a binary heap ordered by (time, insertion sequence).
//!
//! Ties in time are broken by the order in which events were scheduled, never
//! by chance, so simultaneous events always run in the same order and a run is
//! reproducible. The heap holds 16-byte keys only; each event waits in a slot
//! named by its key. Cancellation is lazy: `cancel` marks the slot and the
//! entry is dropped when it reaches the top of the heap (by `pop` or
//! `peek_time`), so the heap itself is never searched. The top an event was
//! taken from stays in place, and so does its slot, until the next `push`
//! reuses both (one sift instead of two, no trip through the free list:
//! most events schedule another).
//!
//! An entry keeps its sequence number from `push` until it is popped (unless
//! 2³⁸ numbers run out, when all are renumbered in order): its place among
//! simultaneous events never changes, and its [`EventKey`] (slot and
//! generation) stays valid; a key whose event already ran is ignored.
//! Memory: when cancelled entries outnumber live ones (and there are more
//! than [`COMPACT_MIN`]), the heap is rebuilt without them, so the cancelled
//! timers of a long run cannot pile up; the heap holds at most twice its live
//! entries plus `COMPACT_MIN`.

use super::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Cancelled entries tolerated before a compaction is considered.
pub const COMPACT_MIN: usize = 4096;

/// Bits of a heap key's low word that name the entry's slot; the rest hold
/// its sequence number. 2²⁶ slots bound the entries pending at once (a
/// replication is stopped long before: `stack::guards`); 2³⁸ sequence
/// numbers last ~2.7·10¹¹ events, after which they are renumbered in order.
const SLOT_BITS: u32 = 26;
const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;
const MAX_SEQ: u64 = 1 << (64 - SLOT_BITS);

/// Identifies one scheduled event, so that it can be cancelled (a timer):
/// its slot and the slot's generation when it was scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKey {
    slot: u32,
    generation: u32,
}

/// Where a pending event's payload waits while its key is in the heap.
#[derive(Clone, Copy)]
struct Slot<E> {
    event: Option<E>,
    generation: u32,
    cancelled: bool,
}

/// A priority queue of events of type `E`.
///
/// The heap holds only 16-byte keys, `time << 64 | seq << SLOT_BITS | slot`,
/// compared as one `u128`: ordering by key is ordering by (time, seq), as
/// the sequence numbers are unique and sit above the slot bits. The events
/// themselves wait in `slots`, so sifting moves keys only.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<u128>>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    next_seq: u64,
    scheduled: u64,
    cancelled: usize,
    /// The heap's top was handed out by `pop_due` but is still in place:
    /// the next `push` overwrites it and sifts once (most handlers schedule
    /// an event right after taking one), anything else removes it first.
    spent_top: bool,
    /// The slot of that top's event (free, but not in `free` yet).
    spent_slot: u32,
    /// The most entries the heap has held (kept where the heap grows).
    peak: usize,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

#[inline]
fn key(time: SimTime, seq: u64, slot: u32) -> u128 {
    (u128::from(time.0) << 64) | u128::from(seq << SLOT_BITS | u64::from(slot))
}

#[inline]
fn parts(key: u128) -> (SimTime, usize) {
    (
        SimTime((key >> 64) as u64),
        (key as u64 & SLOT_MASK) as usize,
    )
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            slots: Vec::with_capacity(1024),
            free: Vec::with_capacity(1024),
            next_seq: 0,
            scheduled: 0,
            cancelled: 0,
            spent_top: false,
            spent_slot: 0,
            peak: 0,
        }
    }

    /// Schedules `event` at `time`; returns a key that can cancel it.
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) -> EventKey {
        if self.next_seq == MAX_SEQ {
            self.renumber();
        }
        // The event just taken left its slot and its heap entry in place:
        // the first push after it reuses both (no trip through the free
        // list, one sift instead of a pop's and a push's).
        let slot = if self.spent_top {
            self.spent_slot
        } else {
            self.free_slot()
        };
        let entry = &mut self.slots[slot as usize];
        entry.event = Some(event);
        entry.cancelled = false;
        let generation = entry.generation;
        let k = Reverse(key(time, self.next_seq, slot));
        if self.spent_top {
            self.spent_top = false;
            if let Some(mut top) = self.heap.peek_mut() {
                *top = k;
            }
        } else {
            self.heap.push(k);
            self.peak = self.peak.max(self.heap.len());
        }
        self.next_seq += 1;
        self.scheduled += 1;
        EventKey { slot, generation }
    }

    /// A free slot: one given back, or a new one.
    #[inline(always)]
    fn free_slot(&mut self) -> u32 {
        match self.free.pop() {
            Some(slot) => slot,
            None => {
                let slot = self.slots.len() as u32;
                assert!(
                    u64::from(slot) <= SLOT_MASK,
                    "more than 2^26 pending events"
                );
                self.slots.push(Slot {
                    event: None,
                    generation: 0,
                    cancelled: false,
                });
                slot
            }
        }
    }

    /// Takes the payload out of slot `slot`, moving its generation on (the
    /// caller frees the slot); `None` if the event was cancelled.
    #[inline]
    fn take(&mut self, slot: usize) -> Option<E> {
        let entry = &mut self.slots[slot];
        entry.generation = entry.generation.wrapping_add(1);
        let event = entry.event.take();
        if entry.cancelled {
            self.cancelled -= 1;
            return None;
        }
        event
    }

    /// Removes and returns the earliest live event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_due(SimTime::MAX)
    }

    /// Removes and returns the earliest live event if it is due by `end`;
    /// leaves the queue as it is (but for cancelled entries) otherwise.
    #[inline(always)]
    pub fn pop_due(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        self.drop_spent_top();
        loop {
            let Reverse(top) = *self.heap.peek()?;
            let (time, slot) = parts(top);
            if time > end {
                return None;
            }
            if let Some(event) = self.take(slot) {
                // Entry and slot left in place until the next push reuses them.
                self.spent_top = true;
                self.spent_slot = slot as u32;
                return Some((time, event));
            }
            self.free.push(slot as u32);
            self.heap.pop();
        }
    }

    /// Removes the top `pop_due` handed out, if no push replaced it.
    #[inline]
    fn drop_spent_top(&mut self) {
        if self.spent_top {
            self.spent_top = false;
            self.free.push(self.spent_slot);
            self.heap.pop();
        }
    }

    /// The time of the earliest live event. Cancelled entries on top are
    /// dropped first, so the next `pop` returns the event at this time.
    #[inline]
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.drop_spent_top();
        loop {
            let Reverse(top) = *self.heap.peek()?;
            let (time, slot) = parts(top);
            if !self.slots[slot].cancelled {
                return Some(time);
            }
            self.heap.pop();
            self.take(slot);
            self.free.push(slot as u32);
        }
    }

    /// Cancels a scheduled event. A key whose event already ran (or was
    /// cancelled) is ignored: its slot's generation has moved on.
    pub fn cancel(&mut self, key: EventKey) {
        let Some(entry) = self.slots.get_mut(key.slot as usize) else {
            return;
        };
        if entry.generation != key.generation || entry.event.is_none() || entry.cancelled {
            return;
        }
        entry.cancelled = true;
        self.cancelled += 1;
        if self.cancelled > COMPACT_MIN && 2 * self.cancelled > self.len() {
            self.compact();
        }
    }

    /// Rebuilds the heap without its cancelled entries. Order is unchanged:
    /// it depends only on each entry's key, which stays as it was.
    fn compact(&mut self) {
        // The spent top's slot is free and may hold another event now.
        self.drop_spent_top();
        let mut keys = std::mem::take(&mut self.heap).into_vec();
        keys.retain(|&Reverse(k)| {
            let slot = parts(k).1;
            if self.slots[slot].cancelled {
                let entry = &mut self.slots[slot];
                entry.generation = entry.generation.wrapping_add(1);
                entry.event = None;
                entry.cancelled = false;
                self.free.push(slot as u32);
                false
            } else {
                true
            }
        });
        self.cancelled = 0;
        self.heap = BinaryHeap::from(keys);
    }

    /// Gives the pending entries the sequence numbers 0, 1, … in their
    /// order, so that numbering can go on; order and slots are unchanged.
    fn renumber(&mut self) {
        self.drop_spent_top();
        let mut keys = std::mem::take(&mut self.heap).into_vec();
        keys.sort_unstable_by(|a, b| b.cmp(a)); // Reverse: earliest first
        for (seq, Reverse(k)) in keys.iter_mut().enumerate() {
            let (time, slot) = parts(*k);
            *k = key(time, seq as u64, slot as u32);
        }
        self.next_seq = keys.len() as u64;
        self.heap = BinaryHeap::from(keys);
    }

    /// Entries in the heap, including cancelled ones not yet dropped.
    pub fn len(&self) -> usize {
        self.heap.len() - usize::from(self.spent_top)
    }

    /// No entry at all (not even a cancelled one) is left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most entries the heap has held at once.
    pub fn peak(&self) -> usize {
        self.peak
    }

    /// Events scheduled so far.
    pub fn scheduled(&self) -> u64 {
        self.scheduled
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
        assert_eq!(q.cancelled, 0, "tombstones are dropped when popped");
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

    #[test]
    fn a_stale_key_never_cancels_the_slots_next_event() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime(1), "a");
        assert_eq!(q.pop(), Some((SimTime(1), "a")));
        let b = q.push(SimTime(2), "b"); // reuses a's slot
        assert_eq!(a.slot, b.slot);
        q.cancel(a); // a already ran: ignored
        assert_eq!(q.pop(), Some((SimTime(2), "b")));
        q.cancel(b); // b already ran, too
        assert_eq!(q.cancelled, 0);
    }

    #[test]
    fn renumbering_keeps_the_order_and_the_keys() {
        // Sequence numbers run out after 2^38 events; renumbering must not
        // change which event comes first, nor invalidate a pending key.
        let mut q = EventQueue::new();
        let mut keys = Vec::new();
        for i in 0..1_000u64 {
            keys.push(q.push(SimTime(i % 7), i));
        }
        q.cancel(keys[3]);
        q.renumber();
        assert_eq!(q.next_seq, 1_000);
        for i in 1_000..1_100u64 {
            q.push(SimTime(i % 7), i);
        }
        q.cancel(keys[10]);
        let mut expected: Vec<(u64, u64)> = (0..1_100u64)
            .filter(|&i| i != 3 && i != 10)
            .map(|i| (i % 7, i))
            .collect();
        expected.sort();
        for (t, i) in expected {
            assert_eq!(q.pop(), Some((SimTime(t), i)));
        }
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn interleaved_operations_match_a_naive_reference() {
        // Differential test: push, pop, pop_due, peek and cancel in a random
        // mix (the spent top and compaction included) against a sorted map.
        use std::collections::BTreeMap;
        let mut q = EventQueue::new();
        let mut naive: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let mut keys: Vec<(EventKey, (u64, u64))> = Vec::new();
        let (mut x, mut now, mut seq) = (0x2545_F491_4F6C_DD1Du64, 0u64, 0u64);
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 10 {
                0..=3 => {
                    let t = now + x % 50;
                    keys.push((q.push(SimTime(t), seq), (t, seq)));
                    naive.insert((t, seq), seq);
                    seq += 1;
                }
                4..=6 => {
                    let expected = naive.pop_first().map(|((t, _), v)| (SimTime(t), v));
                    let got = q.pop();
                    assert_eq!(got, expected);
                    if let Some((t, _)) = got {
                        now = t.0;
                    }
                }
                7 => {
                    let end = now + x % 20;
                    let due = naive.first_key_value().filter(|((t, _), _)| *t <= end);
                    let expected = due.map(|((t, _), v)| (SimTime(*t), *v));
                    if expected.is_some() {
                        naive.pop_first();
                    }
                    assert_eq!(q.pop_due(SimTime(end)), expected);
                }
                8 => {
                    let expected = naive.first_key_value().map(|((t, _), _)| SimTime(*t));
                    assert_eq!(q.peek_time(), expected);
                }
                _ => {
                    if !keys.is_empty() {
                        let (key, at) = keys.swap_remove((x >> 8) as usize % keys.len());
                        q.cancel(key); // ignored if it already ran
                        naive.remove(&at);
                    }
                }
            }
            assert!(q.len() >= naive.len());
        }
        let rest: Vec<_> = naive
            .into_iter()
            .map(|((t, _), v)| (SimTime(t), v))
            .collect();
        let got: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(got, rest);
    }
}
