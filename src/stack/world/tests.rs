//! World-level tests: stale timers, the overload and stall guards, and what
//! a completion does (each station's `OnDone`, the step a `Served…` event names).

use super::*;
use crate::engine::SimDuration;
use crate::engine::rng::Streams;
use crate::stack::config::{Arrivals, Scenario};
use crate::stack::guards::thousands;

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
fn one_request(w: &mut World, s: &mut Scheduler<Event>, at: SimTime) -> (ReqId, u32) {
    s.run_until(w, at).unwrap();
    let slot = w.reqs.next_slot();
    w.new_request(s, 0);
    let generation = w.reqs[slot].generation;
    s.run_until(w, at + SimDuration::from_millis(500)).unwrap();
    assert_eq!(w.reqs[slot].phase, Phase::Free, "answered by now");
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
    assert_eq!((w.reqs.in_flight, w.metrics.failed), (0, 0));
    // Then once the slot serves the next request.
    w.new_request(&mut s, 0);
    assert_eq!(w.reqs[slot].generation, old + 1, "the slot is reused");
    s.schedule(
        SimDuration::from_millis(1),
        Event::ClientTimeout {
            slot,
            generation: old,
        },
    );
    s.run_until(&mut w, SimTime(1_100_000_000)).unwrap();
    assert_eq!(w.reqs.in_flight, 0);
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
    assert_eq!(
        (w.reqs.in_flight, w.metrics.ok, w.metrics.failed),
        (0, 2, 0)
    );
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
    assert_eq!(
        (w.reqs.in_flight, w.metrics.ok, w.metrics.failed),
        (0, 0, 1)
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
        text.starts_with("the model is overloaded: more than 1,000,000 requests in flight at t="),
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
        s.schedule(
            SimDuration::from_millis(3),
            Event::Check {
                lb: LbId::new(0),
                backend: 0,
            },
        );
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
        w.describe_event(&Event::Check {
            lb: LbId::new(0),
            backend: 1
        }),
        "health checks of lb1→web2"
    );
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(10_000_000), "10,000,000");
}

#[test]
fn the_event_stays_small_and_copy() {
    fn copy<T: Copy>() {}
    copy::<Event>();
    // 16 bytes, aligned to 8, its tag a whole word: the engine's slots
    // copy it in aligned pieces (see `Event`).
    assert_eq!((size_of::<Event>(), align_of::<Event>()), (16, 8));
}

/// Each station's `OnDone` follows from the model: the seed's synchronous
/// apps keep their worker, the databases of its replication set commit,
/// everything else frees the worker at once.
#[test]
fn each_station_knows_what_a_completion_does() {
    let (w, _) = seed_world();
    let mut want = vec![OnDone::Release; w.stations.len()];
    for sv in w.servers.iter().filter(|sv| sv.mode == AppMode::Sync) {
        want[sv.app.index()] = OnDone::KeepWorker;
    }
    for db in w.dbs.iter().filter(|d| d.node.is_some()) {
        want[db.station.index()] = OnDone::Commit;
    }
    let got: Vec<OnDone> = w.stations.iter().map(|st| st.on_done).collect();
    assert_eq!(got, want);
    assert!(got.contains(&OnDone::KeepWorker) && got.contains(&OnDone::Commit));
}

/// A completion names the step its request takes next; any other phase
/// goes through `Done` and the request's phase.
#[test]
fn a_completion_names_the_next_step() {
    let (st, req) = (StationId::new(0), ReqId(3));
    let name = |then| format!("{:?}", Event::served(st, req, then));
    assert!(name(Phase::LbDone).starts_with("ServedAtLb"));
    assert!(name(Phase::AtApp).starts_with("ServedAtNginx"));
    assert!(name(Phase::AppCpuDone).starts_with("ServedAtApp"));
    assert!(name(Phase::DbDone).starts_with("ServedAtDb"));
    for other in [Phase::NextQuery, Phase::AppDone, Phase::RespAtLb] {
        assert!(name(other).starts_with("Done"), "{other:?}");
    }
}
