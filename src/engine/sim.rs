//! The run loop.
//!
//! A [`Model`] owns all of its state and handles one event at a time through
//! `&mut self`; the [`Scheduler`] owns the clock and the future-event list.
//! There is no shared ownership (`Rc<RefCell<…>>`) anywhere, so a whole
//! simulation is `Send` and independent runs can go to different threads.
//! The clock only moves forward: an event is always scheduled at `now` plus
//! a non-negative [`SimDuration`].
//!
//! A run ends with an error instead of hanging when the clock stops
//! advancing: more than [`MAX_EVENTS_AT_ONE_INSTANT`] events at the same
//! instant can only come from a loop of zero delays in the model
//! ([`RunError::Stalled`]). A model can also stop a run itself
//! ([`Scheduler::halt`], e.g. when it grows past a memory bound).

use super::queue::{EventKey, EventQueue};
use super::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// The most events a run may handle at one simulated instant.
///
/// Why ten million: events at one instant come from things simultaneous by
/// construction — requests in flight (at most a handful of events each: a
/// step, a service end, a timer; a model caps its requests in flight, the web
/// stack at a million), health checks, faults — so a legitimate instant holds
/// at most a few million. Only a loop that reschedules itself with zero delay
/// goes past it. Ten million events take about a second of CPU, so a stalled
/// run is reported promptly.
pub const MAX_EVENTS_AT_ONE_INSTANT: u64 = 10_000_000;

/// Events sampled after a stall to name what dominated it.
const STALL_SAMPLE: u64 = 10_000;

/// Why a run stopped before its end time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The clock stopped advancing: more than `events` events at `at`.
    /// `busiest` is the kind of event most frequent among a sample taken
    /// then (as the model describes it), with its count and the sample size.
    #[error("{}", stalled_text(*.at, *.events, .busiest))]
    Stalled {
        at: SimTime,
        events: u64,
        busiest: Option<(String, u64, u64)>,
    },
    /// The model called [`Scheduler::halt`]; it knows why.
    #[error("the model stopped the run at {at}")]
    Halted { at: SimTime },
}

fn stalled_text(at: SimTime, events: u64, busiest: &Option<(String, u64, u64)>) -> String {
    let mut s = format!(
        "the simulation stopped advancing at {at}: more than {events} events at that one instant"
    );
    if let Some((what, n, of)) = busiest {
        s += &format!(", mostly {what} ({n} of {of} sampled)");
    }
    s
}

/// The clock and the future-event list handed to a model's handler.
pub struct Scheduler<E: Copy> {
    now: SimTime,
    queue: EventQueue<E>,
    handled: u64,
    /// Events handled at `now` so far (the stall guard).
    at_instant: u64,
    instant_limit: u64,
    halted: bool,
}

impl<E: Copy> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Scheduler<E> {
    pub fn new() -> Self {
        Scheduler {
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            handled: 0,
            at_instant: 0,
            instant_limit: MAX_EVENTS_AT_ONE_INSTANT,
            halted: false,
        }
    }

    /// Overrides [`MAX_EVENTS_AT_ONE_INSTANT`] (tests).
    pub fn with_instant_limit(mut self, limit: u64) -> Self {
        self.instant_limit = limit;
        self
    }

    /// Stops the run after the event being handled: `run_until` returns
    /// [`RunError::Halted`]. The model records why.
    pub fn halt(&mut self) {
        self.halted = true;
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` to happen `delay` from now.
    #[inline(always)]
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
    type Event: Copy;
    fn handle(&mut self, sched: &mut Scheduler<Self::Event>, event: Self::Event);
    /// What kind of event this is, in the model's words, for error messages
    /// (the events that dominated a stall).
    fn describe(&self, _event: &Self::Event) -> String {
        String::from("(undescribed events)")
    }
}

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    pub events: u64,
    pub end: SimTime,
    /// The most entries the event list has held at once (since the
    /// scheduler was made, cancelled entries not yet dropped included).
    pub max_pending: usize,
}

impl<E: Copy> Scheduler<E> {
    /// Runs `model` until the next event would be after `end` (events at
    /// exactly `end` run), or no event is left. The clock is left at `end`.
    /// A run may be continued by another call with a later `end`: events
    /// keep their order and their keys across the boundary.
    pub fn run_until<M: Model<Event = E>>(
        &mut self,
        model: &mut M,
        end: SimTime,
    ) -> Result<RunStats, RunError> {
        let start_events = self.handled;
        // An event after `end` stays where it is: nothing is ever pushed
        // back, so nothing is re-sequenced.
        while let Some((t, ev)) = self.queue.pop_due(end) {
            if t == self.now {
                self.at_instant += 1;
                if self.at_instant > self.instant_limit {
                    return Err(self.stalled(model, ev));
                }
            } else {
                self.now = t;
                self.at_instant = 1;
            }
            self.handled += 1;
            model.handle(self, ev);
            if self.halted {
                return Err(RunError::Halted { at: self.now });
            }
        }
        if end > self.now {
            self.now = end;
            self.at_instant = 0;
        }
        Ok(RunStats {
            events: self.handled - start_events,
            end: self.now,
            max_pending: self.queue.peak(),
        })
    }

    /// The clock is stuck: handle a sample of the events at this instant
    /// (the first is `ev`), counting them by kind, and name the commonest.
    fn stalled<M: Model<Event = E>>(&mut self, model: &mut M, ev: E) -> RunError {
        let at = self.now;
        let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
        let mut next = Some(ev);
        let mut sampled = 0;
        while let Some(ev) = next.take() {
            *kinds.entry(model.describe(&ev)).or_default() += 1;
            sampled += 1;
            self.handled += 1;
            model.handle(self, ev);
            if sampled < STALL_SAMPLE && !self.halted && self.queue.peek_time() == Some(at) {
                next = self.queue.pop().map(|(_, e)| e);
            }
        }
        // The commonest kind; the first in name order among equals.
        let busiest = kinds
            .into_iter()
            .fold(None, |best: Option<(String, u64)>, (k, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((k, n)),
            })
            .map(|(k, n)| (k, n, sampled));
        RunError::Stalled {
            at,
            events: self.instant_limit,
            busiest,
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
        let stats = s.run_until(&mut m, SimTime(30)).unwrap();
        assert_eq!(stats.events, 4);
        assert_eq!(m.seen.last(), Some(&(SimTime(30), 3)));
        assert_eq!(s.now(), SimTime(30));
        // Continuing picks up exactly where it stopped.
        s.run_until(&mut m, SimTime(50)).unwrap();
        assert_eq!(m.seen.len(), 6);
    }

    #[test]
    fn cancelled_timer_does_not_fire() {
        let mut s = Scheduler::new();
        let k = s.schedule(SimDuration(5), 1);
        s.schedule(SimDuration(6), 2);
        s.cancel(k);
        let mut m = Sink(vec![]);
        s.run_until(&mut m, SimTime(100)).unwrap();
        assert_eq!(m.0, vec![2]);
    }

    /// Records every event it sees.
    struct Sink(Vec<u32>);
    impl Model for Sink {
        type Event = u32;
        fn handle(&mut self, _: &mut Scheduler<u32>, ev: u32) {
            self.0.push(ev);
        }
    }

    #[test]
    fn ties_keep_their_order_across_segments() {
        // A cancelled entry on top at a segment boundary hid a later event;
        // it used to be pushed back with a new sequence number, behind the
        // event scheduled after it at the same time.
        let mut s = Scheduler::new();
        let hidden = s.schedule(SimDuration(5), 0);
        s.schedule(SimDuration(20), 1);
        s.schedule(SimDuration(20), 2);
        s.cancel(hidden);
        let mut m = Sink(vec![]);
        assert_eq!(s.run_until(&mut m, SimTime(10)).unwrap().events, 0);
        s.run_until(&mut m, SimTime(30)).unwrap();
        assert_eq!(m.0, vec![1, 2]);
    }

    #[test]
    fn a_key_still_cancels_after_a_segment_boundary() {
        let mut s = Scheduler::new();
        let hidden = s.schedule(SimDuration(5), 0);
        let later = s.schedule(SimDuration(20), 1);
        s.schedule(SimDuration(25), 2);
        s.cancel(hidden);
        let mut m = Sink(vec![]);
        s.run_until(&mut m, SimTime(10)).unwrap();
        s.cancel(later);
        s.run_until(&mut m, SimTime(30)).unwrap();
        assert_eq!(
            m.0,
            vec![2],
            "the event cancelled between segments did not run"
        );
        assert_eq!(s.pending(), 0);
    }

    /// Schedules itself again with zero delay: the clock never advances.
    struct Loop;
    impl Model for Loop {
        type Event = u32;
        fn handle(&mut self, s: &mut Scheduler<u32>, ev: u32) {
            s.schedule(SimDuration::ZERO, ev);
        }
        fn describe(&self, ev: &u32) -> String {
            format!("loop {ev}")
        }
    }

    #[test]
    fn a_zero_delay_loop_is_reported_with_its_instant_and_kind() {
        let mut s = Scheduler::new().with_instant_limit(999);
        s.schedule(SimDuration(7), 3);
        s.schedule(SimDuration(7), 3);
        s.schedule(SimDuration(7), 4);
        let err = s.run_until(&mut Loop, SimTime(100)).unwrap_err();
        // Events go 3, 3, 4, 3, 3, 4…; the 1000th (a 3) trips the limit and
        // starts the sample, two thirds of which are loop 3.
        let sample = STALL_SAMPLE;
        let threes = sample - sample / 3;
        assert_eq!(
            err,
            RunError::Stalled {
                at: SimTime(7),
                events: 999,
                busiest: Some(("loop 3".into(), threes, sample)),
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "the simulation stopped advancing at t=7ns: more than 999 events at that one instant, mostly loop 3 ({threes} of {sample} sampled)"
            )
        );
    }

    #[test]
    fn many_events_spread_over_time_are_no_stall() {
        // 3,000 events, at most 2 per instant, under a limit of 2.
        let mut s = Scheduler::new().with_instant_limit(2);
        for i in 0..3000 {
            s.schedule(SimDuration(i / 2), 0);
        }
        let stats = s.run_until(&mut Sink(vec![]), SimTime(10_000)).unwrap();
        assert_eq!(stats.events, 3000);
    }

    #[test]
    fn a_model_can_halt_the_run() {
        struct Stop;
        impl Model for Stop {
            type Event = u32;
            fn handle(&mut self, s: &mut Scheduler<u32>, ev: u32) {
                if ev == 2 {
                    s.halt();
                }
            }
        }
        let mut s = Scheduler::new();
        for i in 0..5 {
            s.schedule(SimDuration(u64::from(i) * 10), i);
        }
        let err = s.run_until(&mut Stop, SimTime(100)).unwrap_err();
        assert_eq!(err, RunError::Halted { at: SimTime(20) });
        assert_eq!(s.events_handled(), 3);
    }
}
