//! The chooser's tests: each algorithm against its definition (nginx's
//! documented smooth round robin, differential checks against naive scans).

use super::*;

fn lb(weights: &[u32]) -> Chooser {
    lb_with(Algorithm::RoundRobin, weights)
}

fn rng() -> Rng {
    crate::engine::rng::Streams::new(7).stream("routing")
}

fn lb_with(algorithm: Algorithm, weights: &[u32]) -> Chooser {
    // The balancer's test configuration, with this algorithm and weights.
    let mut cfg = crate::stack::balancer::tests::config(weights.len());
    cfg.name = "lb".into();
    cfg.algorithm = algorithm;
    cfg.check = None;
    for (b, &w) in cfg.backends.iter_mut().zip(weights) {
        b.weight = w;
    }
    Chooser::new(&cfg, rng())
}

#[test]
fn equal_weights_rotate() {
    let mut b = lb(&[1, 1, 1]);
    let picks: Vec<usize> = (0..6)
        .map(|_| b.pick(0, SimTime::ZERO).chosen().unwrap())
        .collect();
    assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    assert_eq!(b.in_flight, [2, 2, 2]);
}

#[test]
fn weights_are_smooth_like_nginx() {
    // nginx's documented example: weights 5, 1, 1 give a a b a c a a.
    let mut b = lb(&[5, 1, 1]);
    let picks: Vec<usize> = (0..7)
        .map(|_| b.pick(0, SimTime::ZERO).chosen().unwrap())
        .collect();
    assert_eq!(picks, [0, 0, 1, 0, 2, 0, 0]);
}

#[test]
fn shares_follow_weights_over_many_picks() {
    let mut b = lb(&[3, 1, 2]);
    let mut counts = [0; 3];
    for _ in 0..600 {
        counts[b.pick(0, SimTime::ZERO).chosen().unwrap()] += 1;
    }
    assert_eq!(counts, [300, 100, 200]);
}

#[test]
fn leastconn_picks_the_least_loaded_relative_to_weight() {
    let mut b = lb_with(Algorithm::LeastConn, &[1, 1, 2]);
    b.in_flight = vec![3, 1, 3];
    // 1/1 < 3/2 < 3/1: backend 1.
    assert_eq!(b.pick(0, SimTime::ZERO).chosen().unwrap(), 1);
    // Now 3, 2, 3 → loads 3, 2, 1.5: backend 2.
    assert_eq!(b.pick(0, SimTime::ZERO).chosen().unwrap(), 2);
    // Never the most loaded, whatever the history: differential check
    // against a naive minimum over many random states.
    let mut x = 1u64;
    for _ in 0..1000 {
        for f in b.in_flight.iter_mut() {
            x = mix64(x);
            *f = (x % 7) as u32;
        }
        let before = b.in_flight.clone();
        let chosen = b.pick(0, SimTime::ZERO).chosen().unwrap();
        let load = |i: usize| f64::from(before[i]) / b.weights[i] as f64;
        let min = (0..3).map(load).fold(f64::INFINITY, f64::min);
        assert_eq!(load(chosen), min);
    }
}

#[test]
fn equal_loads_rotate_under_leastconn() {
    let mut b = lb_with(Algorithm::LeastConn, &[1, 1, 1]);
    let mut picks = vec![];
    for _ in 0..6 {
        let i = b.pick(0, SimTime::ZERO).chosen().unwrap();
        picks.push(i);
        b.done(i);
    }
    assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
}

#[test]
fn power_of_two_never_takes_the_worse_of_its_draws() {
    // With two backends and in-flight 0 vs 5, random(2) picks the busy
    // one only when both draws hit it: probability 1/4.
    let mut b = lb_with(Algorithm::Random { draws: 2 }, &[1, 1]);
    let mut busy = 0;
    for _ in 0..40_000 {
        b.in_flight = vec![0, 5];
        if b.pick(0, SimTime::ZERO).chosen().unwrap() == 1 {
            busy += 1;
        }
    }
    // Binomial(40000, 1/4): sd = 86.6; 4 sd either side.
    assert!(
        (busy as f64 - 10_000.0).abs() < 4.0 * 86.6,
        "busy picked {busy} times"
    );
}

#[test]
fn source_hashing_is_sticky_and_spreads_by_weight() {
    let mut b = lb_with(Algorithm::Source, &[1, 3]);
    let first = b.pick(42, SimTime::ZERO).chosen().unwrap();
    assert!((0..10).all(|_| b.pick(42, SimTime::ZERO).chosen().unwrap() == first));
    let mut counts = [0u32; 2];
    for c in 0..40_000 {
        counts[b.pick(c, SimTime::ZERO).chosen().unwrap()] += 1;
    }
    // Share 1/4 for backend 0: binomial sd = 86.6.
    assert!(
        (f64::from(counts[0]) - 10_000.0).abs() < 4.0 * 86.6,
        "{counts:?}"
    );
}

#[test]
fn algorithm_names_round_trip() {
    for name in [
        "roundrobin",
        "static-rr",
        "leastconn",
        "random",
        "random(2)",
        "random(3)",
        "source",
    ] {
        assert_eq!(
            Algorithm::parse(name).map(|a| a.name()),
            Some(name.to_string())
        );
    }
    assert_eq!(Algorithm::parse("random(0)"), None);
    assert_eq!(Algorithm::parse("fastest"), None);
}

#[test]
fn only_backends_believed_up_are_chosen() {
    for algorithm in [
        Algorithm::RoundRobin,
        Algorithm::LeastConn,
        Algorithm::Random { draws: 2 },
        Algorithm::Source,
    ] {
        let mut b = lb_with(algorithm, &[1, 2, 1]);
        b.up[1] = false;
        for c in 0..200 {
            let i = b.pick(c, SimTime::ZERO).chosen().unwrap();
            assert_ne!(i, 1, "{algorithm:?} chose a backend believed down");
            b.done(i);
        }
        assert_eq!(
            b.pick_excluding(0, 0, SimTime::ZERO).chosen(),
            Some(2),
            "{algorithm:?}: redispatch away from 0"
        );
        b.up = vec![false; 3];
        assert_eq!(b.pick(0, SimTime::ZERO), Pick::NoneUp);
    }
}

#[test]
fn no_algorithm_routes_to_a_backend_at_its_maxconn() {
    for algorithm in [
        Algorithm::RoundRobin,
        Algorithm::LeastConn,
        Algorithm::Random { draws: 2 },
        Algorithm::Source,
        Algorithm::First,
    ] {
        let mut b = lb_with(algorithm, &[1, 1, 1]);
        b.set_maxconn(vec![2, 3, 1]);
        let mut x = 7u64;
        for c in 0..2000u32 {
            match b.pick(c, SimTime::ZERO) {
                Pick::Chosen(i) => assert!(
                    b.in_flight[i] <= b.maxconn[i],
                    "{algorithm:?} overfilled {i}"
                ),
                Pick::Full => {
                    assert_eq!(b.in_flight, b.maxconn, "{algorithm:?}: Full with room left")
                }
                Pick::NoneUp => panic!("all are up"),
            }
            // Responses come back at random.
            x = mix64(x);
            let i = (x % 3) as usize;
            if x.is_multiple_of(2) && b.in_flight[i] > 0 {
                b.done(i);
            }
        }
    }
}

#[test]
fn first_fills_the_first_backend_before_the_next() {
    let mut b = lb_with(Algorithm::First, &[1, 1]);
    b.set_maxconn(vec![2, 2]);
    let picks: Vec<Pick> = (0..5).map(|c| b.pick(c, SimTime::ZERO)).collect();
    assert_eq!(
        picks,
        [
            Pick::Chosen(0),
            Pick::Chosen(0),
            Pick::Chosen(1),
            Pick::Chosen(1),
            Pick::Full
        ]
    );
}

#[test]
fn slowstart_ramps_a_recovered_backend() {
    // Weights 1:1; backend 1 comes back at t = 0 with slowstart 10 s: at
    // 2.5 s it has a quarter of its weight, so 1 pick in 5; after 10 s, half.
    let mut b = lb_with(Algorithm::RoundRobin, &[4, 4]);
    b.slowstart = Some(SimDuration::from_secs(10));
    b.came_up(1, SimTime::ZERO);
    let at = SimTime(2_500_000_000);
    let mut counts = [0; 2];
    for c in 0..500 {
        let i = b.pick(c, at).chosen().unwrap();
        counts[i] += 1;
        b.done(i);
    }
    assert_eq!(counts, [400, 100]);
    let later = SimTime(10_000_000_000);
    let mut counts = [0; 2];
    for c in 0..500 {
        let i = b.pick(c, later).chosen().unwrap();
        counts[i] += 1;
        b.done(i);
    }
    assert_eq!(counts, [250, 250]);
}

#[test]
fn consistent_hashing_moves_only_the_dead_backends_keys() {
    let owner = |b: &mut Chooser, client: u32| b.pick(client, SimTime::ZERO).chosen().unwrap();
    let mut ring_lb = lb_with(Algorithm::Source, &[1, 1, 1, 1]);
    ring_lb.ring = Some(ring(&[1, 1, 1, 1]));
    let mut map_lb = lb_with(Algorithm::Source, &[1, 1, 1, 1]);
    let clients = 0..4000u32;
    let before_ring: Vec<usize> = clients.clone().map(|c| owner(&mut ring_lb, c)).collect();
    let before_map: Vec<usize> = clients.clone().map(|c| owner(&mut map_lb, c)).collect();
    ring_lb.up[2] = false;
    map_lb.up[2] = false;
    let mut moved_ring = 0;
    let mut moved_map = 0;
    for c in clients {
        let (r, m) = (owner(&mut ring_lb, c), owner(&mut map_lb, c));
        let (br, bm) = (before_ring[c as usize], before_map[c as usize]);
        if br != 2 {
            assert_eq!(
                r, br,
                "consistent hashing moved a key that was not on the dead backend"
            );
        } else {
            moved_ring += 1;
        }
        moved_map += usize::from(m != bm);
    }
    // The ring moves only the quarter on backend 2; map-based moves
    // most keys (3 of 4 slots' owners change).
    assert!((800..1200).contains(&moved_ring), "{moved_ring}");
    assert!(moved_map > 2000, "{moved_map}");
}

#[test]
fn ring_lookup_matches_a_naive_scan() {
    // Differential test: binary search + walk vs the smallest point
    // at or after the hash among eligible backends (wrapping).
    let weights = [1, 3, 2];
    let mut b = lb_with(Algorithm::Source, &weights);
    let r = ring(&weights);
    b.ring = Some(r.clone());
    b.up[1] = false;
    let mut h = 99u64;
    for _ in 0..2000 {
        h = mix64(h);
        let naive = r
            .iter()
            .filter(|&&(p, i)| p >= h && b.up[i])
            .min()
            .or_else(|| r.iter().filter(|&&(_, i)| b.up[i]).min())
            .unwrap()
            .1;
        assert_eq!(b.by_hash(h, usize::MAX, 3), naive);
    }
}

/// The fast path for an unrestricted pick chooses as the general scan:
/// two choosers with the same weights, one always through each, agree
/// pick for pick (ties included: equal weights).
#[test]
fn unrestricted_round_robin_fast_path_equals_the_general_scan() {
    for weights in [&[1, 1][..], &[5, 1, 1], &[3, 3, 2, 7, 1], &[2, 2, 2, 2]] {
        let mut fast = lb(weights);
        let mut scan = lb(weights);
        for _ in 0..200 {
            let total = scan.total_weight;
            let a = fast.smooth_rr_all();
            let b = scan.smooth_weighted_rr(usize::MAX, total);
            assert_eq!(a, b, "weights {weights:?}");
        }
        assert_eq!(fast.scores, scan.scores);
    }
}
