//! Simulated time: integer nanoseconds.
//!
//! `SimTime` is an instant since the start of a run, `SimDuration` a span
//! between two instants. Both are `u64` nanoseconds, so arithmetic is exact
//! and identical on every platform; `f64` seconds or milliseconds appear only
//! at the edges (input parsing, statistics, output). Because `SimDuration` is
//! unsigned, "schedule an event in the past" cannot be expressed.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds per unit, for conversions at the edges.
pub const NS_PER_US: u64 = 1_000;
pub const NS_PER_MS: u64 = 1_000_000;
pub const NS_PER_S: u64 = 1_000_000_000;

/// 2⁶³ ns (292 years): below it a duration converts through `i64`.
const TWO_POW_63: f64 = (1u64 << 63) as f64;

/// An instant of simulated time, in nanoseconds since the run started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A non-negative span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn as_nanos(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
    /// Time elapsed since `earlier`; zero if `earlier` is in the future.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_nanos(ns: u64) -> Self {
        SimDuration(ns)
    }
    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us * NS_PER_US)
    }
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * NS_PER_MS)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * NS_PER_S)
    }
    /// From (non-negative, finite) seconds, rounded to the nearest nanosecond.
    /// Negative or NaN input gives zero; huge input saturates.
    pub fn from_secs_f64(s: f64) -> Self {
        Self::from_nanos_f64(s * NS_PER_S as f64)
    }
    /// From nanoseconds as `f64`, rounded; negative or NaN gives zero.
    #[inline]
    pub fn from_nanos_f64(ns: f64) -> Self {
        // Below 2⁶³ the signed conversion is one instruction; Rust's `as`
        // maps NaN and negatives to 0, as the unsigned one would.
        if ns < TWO_POW_63 {
            SimDuration(((ns + 0.5) as i64).max(0) as u64)
        } else {
            SimDuration((ns + 0.5) as u64)
        }
    }
    pub fn as_nanos(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / NS_PER_MS as f64
    }
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    #[inline]
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    #[inline]
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    #[inline]
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Saturating: a later instant minus an earlier one; zero otherwise.
    #[inline]
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

impl fmt::Display for SimDuration {
    /// Human form with the largest unit that keeps the value ≥ 1: `250us`, `4ms`, `2.5s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        let (v, unit) = if ns >= 3600 * NS_PER_S && ns.is_multiple_of(3600 * NS_PER_S) {
            (ns as f64 / (3600 * NS_PER_S) as f64, "h")
        } else if ns >= 60 * NS_PER_S && ns.is_multiple_of(60 * NS_PER_S) {
            (ns as f64 / (60 * NS_PER_S) as f64, "m")
        } else if ns >= NS_PER_S {
            (ns as f64 / NS_PER_S as f64, "s")
        } else if ns >= NS_PER_MS {
            (ns as f64 / NS_PER_MS as f64, "ms")
        } else if ns >= NS_PER_US {
            (ns as f64 / NS_PER_US as f64, "us")
        } else {
            (ns as f64, "ns")
        };
        write!(f, "{}{}", trim_float(v), unit)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}", SimDuration(self.0))
    }
}

/// `2.500` → `2.5`, `4.0` → `4`; at most 3 decimals.
fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_and_saturating() {
        let t = SimTime(5) + SimDuration(7);
        assert_eq!(t, SimTime(12));
        assert_eq!(SimTime(3) - SimTime(10), SimDuration::ZERO);
        assert_eq!(SimTime(u64::MAX) + SimDuration(1), SimTime::MAX);
    }

    #[test]
    fn float_conversion_rounds_and_clamps() {
        assert_eq!(SimDuration::from_secs_f64(0.25e-6), SimDuration(250));
        assert_eq!(SimDuration::from_nanos_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(1.49), SimDuration(1));
        assert_eq!(SimDuration::from_nanos_f64(-0.2), SimDuration::ZERO);
        assert_eq!(
            SimDuration::from_nanos_f64(f64::NEG_INFINITY),
            SimDuration::ZERO
        );
        assert_eq!(SimDuration::from_nanos_f64(1e30), SimDuration(u64::MAX));
        assert_eq!(
            SimDuration::from_nanos_f64(f64::INFINITY),
            SimDuration(u64::MAX)
        );
        let big = (1u64 << 63) as f64;
        assert_eq!(SimDuration::from_nanos_f64(big), SimDuration(1 << 63));
        assert_eq!(
            SimDuration::from_nanos_f64(big - 1024.0),
            SimDuration((1 << 63) - 1024)
        );
    }

    #[test]
    fn display_picks_a_readable_unit() {
        assert_eq!(SimDuration::from_micros(250).to_string(), "250us");
        assert_eq!(SimDuration::from_millis(4).to_string(), "4ms");
        assert_eq!(SimDuration::from_millis(2500).to_string(), "2.5s");
        assert_eq!(SimDuration::from_secs(300).to_string(), "5m");
        assert_eq!(SimDuration::from_secs(3600).to_string(), "1h");
    }
}
