//! Time average of a piecewise-constant quantity (busy servers, queue
//! length, connections in use) over simulated time.
//!
//! The quantity holds `value` from `last_change` until the next `set`/`add`.
//! Invariants: `start <= last_change`; `area_value_ns` is the exact integral
//! (up to `f64` rounding) of the quantity over `[start, last_change]`, in
//! value × nanoseconds. Calls must come in non-decreasing time order; an
//! out-of-order `now` counts as zero elapsed time (it never subtracts area).
//! `reset` discards the history but keeps the current value, which is how the
//! warm-up period is dropped.

use crate::engine::time::{SimDuration, SimTime};

/// Integral and time average of a piecewise-constant quantity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWeighted {
    value: f64,
    last_change: SimTime,
    start: SimTime,
    area_value_ns: f64,
}

impl TimeWeighted {
    /// Start observing at `now` with the quantity equal to `value`.
    pub fn new(now: SimTime, value: f64) -> Self {
        TimeWeighted {
            value,
            last_change: now,
            start: now,
            area_value_ns: 0.0,
        }
    }

    /// The quantity changes to `value` at `now`.
    #[inline]
    pub fn set(&mut self, now: SimTime, value: f64) {
        let dt_ns = (now - self.last_change).0;
        self.area_value_ns += self.value * dt_ns as f64;
        // `max` keeps last_change monotone without a branch.
        self.last_change = self.last_change.max(now);
        self.value = value;
    }

    /// The quantity changes by `delta` at `now` (e.g. +1 on arrival).
    #[inline]
    pub fn add(&mut self, now: SimTime, delta: f64) {
        self.set(now, self.value + delta);
    }

    /// Current value of the quantity.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Time observed since construction or the last `reset`.
    pub fn elapsed(&self, now: SimTime) -> SimDuration {
        now - self.start
    }

    /// Integral of the quantity from the last reset up to `now`, in
    /// value × seconds (e.g. server-seconds of busy time).
    pub fn area_value_secs(&self, now: SimTime) -> f64 {
        self.area_up_to_ns(now) * 1e-9
    }

    /// Time average since the last reset; the current value if no time has
    /// elapsed.
    pub fn mean(&self, now: SimTime) -> f64 {
        let elapsed_ns = (now - self.start).0;
        if elapsed_ns == 0 {
            self.value
        } else {
            self.area_up_to_ns(now) / elapsed_ns as f64
        }
    }

    /// Forget the history before `now`; the current value carries on.
    pub fn reset(&mut self, now: SimTime) {
        self.start = now;
        self.last_change = now;
        self.area_value_ns = 0.0;
    }

    fn area_up_to_ns(&self, now: SimTime) -> f64 {
        self.area_value_ns + self.value * (now - self.last_change).0 as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn piecewise_average_by_hand() {
        let mut tw = TimeWeighted::new(SimTime(0), 0.0);
        tw.set(SimTime(S), 2.0);
        tw.set(SimTime(3 * S), 1.0);
        // 0 for 1 s, 2 for 2 s, 1 for 1 s: area 5, over 4 s.
        assert_eq!(tw.mean(SimTime(4 * S)), 1.25);
        assert_eq!(tw.area_value_secs(SimTime(4 * S)), 5.0);
        assert_eq!(tw.value(), 1.0);
        assert_eq!(tw.elapsed(SimTime(4 * S)), SimDuration(4 * S));
    }

    #[test]
    fn no_elapsed_time_gives_current_value() {
        let mut tw = TimeWeighted::new(SimTime(10), 3.0);
        assert_eq!(tw.mean(SimTime(10)), 3.0);
        tw.add(SimTime(10), 4.0);
        assert_eq!(tw.mean(SimTime(10)), 7.0);
    }

    #[test]
    fn reset_drops_warm_up_but_keeps_value() {
        let mut tw = TimeWeighted::new(SimTime(0), 100.0);
        tw.set(SimTime(5 * S), 2.0);
        tw.reset(SimTime(6 * S));
        assert_eq!(tw.value(), 2.0);
        tw.add(SimTime(7 * S), 2.0); // 2 for 1 s, then 4
        assert_eq!(tw.mean(SimTime(8 * S)), 3.0);
    }

    #[test]
    fn matches_per_nanosecond_sampling() {
        // Random-ish queue-length changes at integer nanoseconds, checked
        // against averaging a value sampled at every nanosecond.
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut tw = TimeWeighted::new(SimTime(0), 0.0);
        let end = 20_000u64;
        let mut per_ns = vec![0.0f64; end as usize];
        let (mut t, mut v) = (0u64, 0.0f64);
        while t < end {
            let dt = 1 + next() % 97;
            let t_next = (t + dt).min(end);
            per_ns[t as usize..t_next as usize].fill(v);
            t = t_next;
            let delta = if next() % 2 == 0 { 1.0 } else { -1.0 };
            v = (v + delta).max(0.0);
            tw.set(SimTime(t), v);
        }
        let expected = per_ns.iter().sum::<f64>() / end as f64;
        assert!(expected > 0.5, "test data should not be trivially zero");
        assert!((tw.mean(SimTime(end)) - expected).abs() < 1e-12);
    }

    #[test]
    fn out_of_order_time_adds_no_area() {
        let mut tw = TimeWeighted::new(SimTime(100), 1.0);
        tw.set(SimTime(200), 5.0);
        tw.set(SimTime(150), 2.0); // late call: no negative area
        assert_eq!(tw.mean(SimTime(300)), (100.0 + 2.0 * 100.0) / 200.0);
    }
}
