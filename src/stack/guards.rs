//! What keeps one replication bounded, and the error when it cannot be.
//!
//! Memory must not grow with simulated time, nor without bound with the
//! load: the request slab is capped at [`MAX_REQUESTS_IN_FLIGHT`] slots (an
//! open workload that outpaces its servers ends with
//! [`SimError::Overloaded`] instead of exhausting memory), and the timeline
//! keeps the first [`TIMELINE_MAX`] entries of a replication and then one
//! line counting the rest. A run whose clock stops advancing (the engine's
//! stall guard) ends with [`SimError::Stalled`], naming the kind of event
//! that dominated, in the model's words (`World::describe_event`). The
//! checks themselves run in `world.rs`; the timeline is `timeline.rs`.
//!
//! These are errors of the *model* (the input), not simulated failures:
//! the results of such a run would mean nothing, so none are returned.

use crate::engine::{RunError, SimTime};

/// Request slots (attempts in flight, abandoned ones included) a
/// replication may hold: about 80 MB of slab and, at a few events each,
/// well under 1 GiB with the event list. A stable model at a million
/// requests per second with a one-second latency holds a million; past
/// that the model is overloaded, not large.
pub const MAX_REQUESTS_IN_FLIGHT: usize = 1_000_000;

/// Timeline entries kept per replication; the rest are counted.
pub const TIMELINE_MAX: usize = 10_000;

/// Why a replication could not produce results: the model is at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// More than `limit` requests were in flight at `at`.
    #[error(
        "the model is overloaded: more than {} requests in flight at {at} (requests arrive faster than the stack serves them; lower the workload's rate or add capacity)",
        thousands(*limit as u64)
    )]
    Overloaded { at: SimTime, limit: usize },
    /// The clock stopped advancing (see [`RunError::Stalled`]).
    #[error(
        "{0}: the model repeats events without time passing (a delay of zero, or a few nanoseconds, in a loop?)"
    )]
    Stalled(RunError),
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }
}
