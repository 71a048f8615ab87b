//! Timeouts that share one duration, kept without a heap timer each.
//!
//! Every request a balancer waits for gets the same `timeout server` (or
//! `timeout client`), so their deadlines come in the order they were set:
//! a FIFO queue holds them, and one heap event — at the earliest deadline —
//! stands for all. The event fires up to a slack of 0.1% of the timeout (at
//! most 10 ms) late, so that one event serves every deadline due by then;
//! HAProxy's own timers tick in milliseconds. A deadline carries the slot's
//! generation, so that one left by a request that has since finished (its
//! slot reused) is recognised and ignored by the caller.

use crate::engine::{SimDuration, SimTime};
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub(crate) struct Deadlines {
    timeout: SimDuration,
    slack: SimDuration,
    queue: VecDeque<(SimTime, u32, u32)>,
    armed: bool,
}

impl Deadlines {
    pub fn new(timeout: SimDuration) -> Self {
        Deadlines {
            timeout,
            slack: SimDuration((timeout.as_nanos() / 1000).clamp(1_000, 10_000_000)),
            queue: VecDeque::new(),
            armed: false,
        }
    }

    /// Sets a deadline `timeout` from `now` for request `id` of generation
    /// `generation`; returns when to schedule the timer event, if none is
    /// pending.
    #[inline]
    pub fn push(&mut self, now: SimTime, id: u32, generation: u32) -> Option<SimTime> {
        let deadline = now + self.timeout;
        self.queue.push_back((deadline, id, generation));
        if self.armed {
            return None;
        }
        self.armed = true;
        Some(deadline + self.slack)
    }

    /// At the timer event: moves every deadline due by `now` whose request
    /// is still `live` (most are long answered) into `due`, drops the
    /// others, and returns when to schedule the next timer event, if any
    /// deadline is left.
    pub fn expire(
        &mut self,
        now: SimTime,
        due: &mut Vec<(u32, u32)>,
        live: impl Fn(u32, u32) -> bool,
    ) -> Option<SimTime> {
        self.armed = false;
        while let Some(&(deadline, id, generation)) = self.queue.front() {
            if deadline > now {
                self.armed = true;
                return Some(deadline + self.slack);
            }
            self.queue.pop_front();
            if live(id, generation) {
                due.push((id, generation));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_expire_in_order_with_one_timer() {
        let mut d = Deadlines::new(SimDuration::from_secs(1));
        let slack = SimDuration::from_millis(1);
        assert_eq!(
            d.push(SimTime(0), 1, 10),
            Some(SimTime(1_000_000_000) + slack)
        );
        assert_eq!(
            d.push(SimTime(500_000), 2, 11),
            None,
            "one timer stands for all"
        );
        assert_eq!(d.push(SimTime(900_000_000), 3, 12), None);
        let mut due = vec![];
        // At the first timer both early deadlines (1.0 s and 1.0005 s) are due.
        let next = d.expire(SimTime(1_001_000_000), &mut due, |_, _| true);
        assert_eq!(due, vec![(1, 10), (2, 11)]);
        assert_eq!(next, Some(SimTime(1_900_000_000) + slack));
        due.clear();
        assert_eq!(
            d.expire(SimTime(1_901_000_000), &mut due, |_, _| true),
            None
        );
        assert_eq!(due, vec![(3, 12)]);
    }

    #[test]
    fn deadlines_of_requests_no_longer_live_are_dropped_unreported() {
        let mut d = Deadlines::new(SimDuration::from_secs(1));
        for id in 0..6 {
            d.push(SimTime(id * 1_000), id as u32, 7);
        }
        let mut due = vec![];
        let next = d.expire(SimTime(2_000_000_000), &mut due, |id, _| id % 3 == 0);
        assert_eq!(due, vec![(0, 7), (3, 7)]);
        assert_eq!(next, None, "the dropped ones leave no timer behind");
    }
}
