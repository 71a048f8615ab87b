//! What keeps one replication bounded, and the error when it cannot be.
//!
//! Memory must not grow with simulated time, nor without bound with the
//! load: the request slab is capped at [`MAX_REQUESTS_IN_FLIGHT`] slots (an
//! open workload that outpaces its servers ends with
//! [`SimError::Overloaded`] instead of exhausting memory), and the timeline
//! keeps the first [`TIMELINE_MAX`] entries of a replication and then one
//! line counting the rest. A run whose clock stops advancing (the engine's
//! stall guard) ends with [`SimError::Stalled`], naming the kind of event
//! that dominated, in the model's words ([`World::describe_event`]).
//!
//! These are errors of the *model* (the input), not simulated failures:
//! the results of such a run would mean nothing, so none are returned.

use super::world::{Event, World};
use crate::engine::{RunError, Scheduler, SimTime};

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

impl World {
    /// Called after each event: stops the run once the slab passes its cap.
    #[inline]
    pub(super) fn check_slab(&mut self, s: &mut Scheduler<Event>) {
        if self.reqs.len() > MAX_REQUESTS_IN_FLIGHT && self.overloaded_at.is_none() {
            self.overloaded_at = Some(s.now());
            s.halt();
        }
    }

    /// The error a run that stopped early ends with.
    pub(super) fn run_error(&self, e: RunError) -> SimError {
        match (e, self.overloaded_at) {
            (RunError::Halted { at }, _) | (_, Some(at)) => SimError::Overloaded {
                at,
                limit: MAX_REQUESTS_IN_FLIGHT,
            },
            (e, None) => SimError::Stalled(e),
        }
    }

    /// Records a timeline entry, up to [`TIMELINE_MAX`] per replication.
    pub(super) fn log_at(&mut self, now: SimTime, what: String) {
        if self.timeline.len() < TIMELINE_MAX {
            self.timeline.push((now, what));
        } else {
            let (first, n) = &mut self.timeline_dropped;
            if *n == 0 {
                *first = now;
            }
            *n += 1;
        }
    }

    /// The timeline as reported: the kept entries, then one counting the rest.
    pub(super) fn timeline_rows(&self) -> Vec<(f64, String)> {
        let mut rows: Vec<(f64, String)> = self
            .timeline
            .iter()
            .map(|(t, what)| (t.as_secs_f64(), what.clone()))
            .collect();
        let (first, n) = self.timeline_dropped;
        if n > 0 {
            rows.push((
                first.as_secs_f64(),
                format!(
                    "… {} more events not recorded (the timeline keeps the first {} of a replication)",
                    thousands(n),
                    thousands(TIMELINE_MAX as u64)
                ),
            ));
        }
        rows
    }

    /// An event in the model's words, for the stall error.
    pub(crate) fn describe_event(&self, ev: &Event) -> String {
        let lb = |b: u16| self.balancers[usize::from(b)].name.clone();
        let backend = |b: u16, i: u16| {
            let balancer = &self.balancers[usize::from(b)];
            let sv = balancer.servers[usize::from(i)];
            format!("{}→{}", balancer.name, self.servers[sv].name)
        };
        match *ev {
            Event::Arrival => "arrivals".into(),
            Event::Think(_) => "users' think times".into(),
            Event::Step(_) => "requests' network or DNS delays".into(),
            Event::Done(st, _) => {
                format!("service ends at {}", self.stations[usize::from(st)].name)
            }
            Event::FaultStart(i) | Event::FaultEnd(i) => self.fault_text[usize::from(i)].0.clone(),
            Event::Check(b, i) => format!("health checks of {}", backend(b, i)),
            Event::CheckEnd(b, i, _) => format!("health-check timeouts of {}", backend(b, i)),
            Event::QueueTimeout { .. } => "`timeout queue` expiries".into(),
            Event::ClientTimeout { .. } => "client timeouts".into(),
            Event::Revive(b, i) => format!("passive-check revivals of {}", backend(b, i)),
            Event::LbTimer(b, false) => format!("`timeout server` timers of {}", lb(b)),
            Event::LbTimer(b, true) => format!("`timeout client` timers of {}", lb(b)),
            Event::RandomFail(i) | Event::RandomRepair(i) => {
                format!("random failures of {}", self.random[usize::from(i)].name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;
    use crate::engine::rng::Streams;
    use crate::stack::config::{Arrivals, Scenario};
    use crate::stack::world::Phase;

    /// The first scenario of a bundled experiment, measured from t = 0.
    fn scenario(file: &str) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let exp = crate::input::load_experiment(&path, &Default::default()).expect("bundled");
        let mut sc = exp.scenarios[0].clone();
        sc.run.warmup = SimDuration::ZERO;
        sc
    }

    /// A world of the seed experiment with a 1 s client timeout, no retry.
    fn seed_world() -> (World, Scheduler<Event>) {
        let mut sc = scenario("experiments/seed.toml");
        sc.workload.client_timeout = Some(SimDuration::from_secs(1));
        sc.workload.client_retries = 0;
        (World::new(&sc, &Streams::new(7)), Scheduler::new())
    }

    /// Runs one request to its end from `at`; returns its slot and generation.
    fn one_request(w: &mut World, s: &mut Scheduler<Event>, at: SimTime) -> (u32, u32) {
        s.run_until(w, at).unwrap();
        let slot = w.free.last().copied().unwrap_or(w.reqs.len() as u32);
        w.new_request(s, 0);
        let generation = w.reqs[slot as usize].generation;
        s.run_until(w, at + SimDuration::from_millis(500)).unwrap();
        assert_eq!(w.reqs[slot as usize].phase, Phase::Free, "answered by now");
        (slot, generation)
    }

    #[test]
    fn a_stale_client_timeout_spares_the_slots_next_request() {
        let (mut w, mut s) = seed_world();
        let (slot, old) = one_request(&mut w, &mut s, SimTime::ZERO);
        // The timer of the finished request fires anyway (a missed cancel)
        // while its slot is free: nothing may happen (it used to take the
        // in-flight count below zero).
        s.schedule(
            SimDuration(1),
            Event::ClientTimeout {
                slot,
                generation: old,
            },
        );
        s.run_until(&mut w, SimTime(600_000_000)).unwrap();
        assert_eq!((w.in_flight, w.metrics.failed), (0, 0));
        // Then once the slot serves the next request.
        w.new_request(&mut s, 0);
        assert_eq!(
            w.reqs[slot as usize].generation,
            old + 1,
            "the slot is reused"
        );
        s.schedule(
            SimDuration::from_millis(1),
            Event::ClientTimeout {
                slot,
                generation: old,
            },
        );
        s.run_until(&mut w, SimTime(1_100_000_000)).unwrap();
        assert_eq!(w.in_flight, 0);
        assert_eq!(
            (w.metrics.ok, w.metrics.failed),
            (2, 0),
            "both answered in time"
        );
    }

    #[test]
    fn a_stale_queue_timeout_spares_the_slots_next_request() {
        let (mut w, mut s) = seed_world();
        let (slot, old) = one_request(&mut w, &mut s, SimTime::ZERO);
        s.schedule(
            SimDuration(1),
            Event::QueueTimeout {
                slot,
                generation: old,
            },
        );
        w.new_request(&mut s, 0);
        s.schedule(
            SimDuration(2),
            Event::QueueTimeout {
                slot,
                generation: old,
            },
        );
        s.run_until(&mut w, SimTime(1_100_000_000)).unwrap();
        assert_eq!((w.in_flight, w.metrics.ok, w.metrics.failed), (0, 2, 0));
    }

    #[test]
    fn a_live_client_timeout_still_fires() {
        // The guard lets the real timer through: a timeout shorter than any
        // answer fails the request once.
        let mut sc = scenario("experiments/seed.toml");
        sc.workload.client_timeout = Some(SimDuration::from_micros(10));
        sc.workload.client_retries = 0;
        let (mut w, mut s) = (World::new(&sc, &Streams::new(7)), Scheduler::new());
        w.new_request(&mut s, 0);
        s.run_until(&mut w, SimTime(1_000_000_000)).unwrap();
        assert_eq!((w.in_flight, w.metrics.ok, w.metrics.failed), (0, 0, 1));
    }

    #[test]
    fn the_timeline_keeps_its_first_entries_and_counts_the_rest() {
        let (mut w, _) = seed_world();
        let extra = 1234;
        for i in 0..TIMELINE_MAX + extra {
            w.log_at(SimTime(i as u64), format!("entry {i}"));
        }
        let rows = w.timeline_rows();
        assert_eq!(rows.len(), TIMELINE_MAX + 1);
        assert_eq!(
            rows[TIMELINE_MAX - 1].1,
            format!("entry {}", TIMELINE_MAX - 1)
        );
        let last = &rows[TIMELINE_MAX];
        assert_eq!(
            last.0,
            TIMELINE_MAX as f64 * 1e-9,
            "at the first one not kept"
        );
        assert_eq!(
            last.1,
            "… 1,234 more events not recorded (the timeline keeps the first 10,000 of a replication)"
        );
    }

    #[test]
    fn an_overloaded_model_ends_with_an_error_not_an_abort() {
        let mut sc = scenario("experiments/seed.toml");
        if let Arrivals::Open { rate_per_s, .. } = &mut sc.workload.arrivals {
            *rate_per_s = 1e12;
        }
        let err = crate::stack::simulate(&sc, 0).unwrap_err();
        let SimError::Overloaded { at, limit } = err else {
            panic!("expected an overload, got {err}");
        };
        assert_eq!(limit, MAX_REQUESTS_IN_FLIGHT);
        // A million arrivals 1 ps apart, rounded to whole nanoseconds.
        assert!(at <= SimTime(2_000), "{at}");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "the model is overloaded: more than 1,000,000 requests in flight at t="
            ),
            "{text}"
        );
    }

    #[test]
    fn a_stall_is_reported_in_the_models_words() {
        // 300 checks of lb1→web1 at one instant under a limit of 100: the
        // run stops with the instant and the kind of event.
        let sc = scenario("experiments/seed.toml");
        let mut w = World::new(&sc, &Streams::new(1));
        let mut s = Scheduler::new().with_instant_limit(100);
        for _ in 0..300 {
            s.schedule(SimDuration::from_millis(3), Event::Check(0, 0));
        }
        let e = s.run_until(&mut w, SimTime(10_000_000)).unwrap_err();
        let err = w.run_error(e);
        assert_eq!(
            err.to_string(),
            "the simulation stopped advancing at t=3ms: more than 100 events at that one instant, mostly health checks of lb1→web1 (200 of 200 sampled): the model repeats events without time passing (a delay of zero, or a few nanoseconds, in a loop?)"
        );
    }

    #[test]
    fn a_check_storm_names_the_check() {
        let sc = scenario("experiments/seed.toml");
        let w = World::new(&sc, &Streams::new(1));
        assert_eq!(
            w.describe_event(&Event::Check(0, 1)),
            "health checks of lb1→web2"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }
}
