//! The run loop.
//!
//! A [`Model`] owns all of its state and handles one event at a time through
//! `&mut self`; the [`Scheduler`] owns the clock and the future-event list.
//! There is no shared ownership (`Rc<RefCell<…>>`) anywhere, so a whole
//! simulation is `Send` and independent runs can go to different threads.
//! The clock only moves forward: an event is always scheduled at `now` plus
//! a non-negative [`SimDuration`].

use super::queue::{EventKey, EventQueue};
use super::time::{SimDuration, SimTime};

/// The clock and the future-event list handed to a model's handler.
pub struct Scheduler<E> {
    now: SimTime,
    queue: EventQueue<E>,
    handled: u64,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Scheduler<E> {
    pub fn new() -> Self {
        Scheduler {
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            handled: 0,
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` to happen `delay` from now.
    #[inline]
    pub fn schedule(&mut self, delay: SimDuration, event: E) -> EventKey {
        self.queue.push(self.now + delay, event)
    }

    /// Schedules `event` at an absolute time, which must not be in the past
    /// (earlier times are moved to `now`).
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> EventKey {
        self.queue.push(at.max(self.now), event)
    }

    /// Cancels a scheduled event (a timer that is no longer needed).
    pub fn cancel(&mut self, key: EventKey) {
        self.queue.cancel(key);
    }

    /// Events handled so far.
    pub fn events_handled(&self) -> u64 {
        self.handled
    }

    /// Entries currently in the future-event list.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

/// A simulation model: reacts to one event, possibly scheduling more.
pub trait Model {
    type Event;
    fn handle(&mut self, sched: &mut Scheduler<Self::Event>, event: Self::Event);
}

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    pub events: u64,
    pub end: SimTime,
    pub max_pending: usize,
}

impl<E> Scheduler<E> {
    /// Runs `model` until the next event would be after `end` (events at
    /// exactly `end` run), or no event is left. The clock is left at `end`.
    pub fn run_until<M: Model<Event = E>>(&mut self, model: &mut M, end: SimTime) -> RunStats {
        let start_events = self.handled;
        let mut max_pending = self.queue.len();
        while let Some(t) = self.queue.peek_time() {
            if t > end {
                break;
            }
            let Some((t, ev)) = self.queue.pop() else {
                break;
            };
            if t > end {
                // A cancelled entry hid a later one: put it back and stop.
                self.queue.push(t, ev);
                break;
            }
            self.now = t;
            self.handled += 1;
            model.handle(self, ev);
            max_pending = max_pending.max(self.queue.len());
        }
        self.now = self.now.max(end);
        RunStats {
            events: self.handled - start_events,
            end: self.now,
            max_pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ping-pong model: each event schedules the next one 10 ns later.
    struct Ticker {
        seen: Vec<(SimTime, u32)>,
    }
    impl Model for Ticker {
        type Event = u32;
        fn handle(&mut self, s: &mut Scheduler<u32>, ev: u32) {
            self.seen.push((s.now(), ev));
            s.schedule(SimDuration(10), ev + 1);
        }
    }

    #[test]
    fn runs_up_to_and_including_the_end_time() {
        let mut s = Scheduler::new();
        let mut m = Ticker { seen: vec![] };
        s.schedule(SimDuration(0), 0);
        let stats = s.run_until(&mut m, SimTime(30));
        assert_eq!(stats.events, 4);
        assert_eq!(m.seen.last(), Some(&(SimTime(30), 3)));
        assert_eq!(s.now(), SimTime(30));
        // Continuing picks up exactly where it stopped.
        s.run_until(&mut m, SimTime(50));
        assert_eq!(m.seen.len(), 6);
    }

    #[test]
    fn cancelled_timer_does_not_fire() {
        struct Sink(Vec<u32>);
        impl Model for Sink {
            type Event = u32;
            fn handle(&mut self, _: &mut Scheduler<u32>, ev: u32) {
                self.0.push(ev);
            }
        }
        let mut s = Scheduler::new();
        let k = s.schedule(SimDuration(5), 1);
        s.schedule(SimDuration(6), 2);
        s.cancel(k);
        let mut m = Sink(vec![]);
        s.run_until(&mut m, SimTime(100));
        assert_eq!(m.0, vec![2]);
    }
}
