//! `check`'s analytic estimate against the simulator where they should
//! agree and where the old estimate did not: a round robin over two equal
//! single-worker backends feeds each an Erlang-2 stream, so the E2/M/1 wait
//! (GI/M/1) must lie in the simulation's confidence interval and the M/M/1
//! wait, which `check` printed before, must not.
//!
//! The figure per replication is the two backends' mean wait in queue,
//! averaged; replications are independent, so their Student-t interval (99%,
//! as in `theory`) is a genuine test. The interval must also be narrow (≤ 5%
//! of the mean) so the test cannot pass by being noisy, and M/M/1's figure
//! (24.1 ms against E2/M/1's 16.2 ms) is far outside any such interval.
//!
//! 30 replications of 400 s at 100 req/s: 1.2 million requests, under a
//! second in release. Run with `-- --nocapture` to see the figures; when
//! this was written: simulated 16.17 ± 0.33 ms, E2/M/1 16.21, M/M/1 24.14.

use stacksim::input::Overrides;
use stacksim::stats::{Estimate, t_quantile};

/// λ = 100/s over two backends, exp 13 ms: 50/s each, ρ = 0.65.
const MODEL: &str = r#"
name = "rr-e2"
duration = "400s"
warmup = "5s"
replications = 30
seed = 2

[model]
entry = "lb"
[model.balancers.lb]
algorithm = "roundrobin"
backends = ["a", "b"]
[model.servers.a.app]
workers = 1
service = { dist = "exponential", mean = "13ms" }
[model.servers.b.app]
workers = 1
service = { dist = "exponential", mean = "13ms" }

[workload]
kind = "open"
rate = 100
clients = 1
"#;

#[test]
fn round_robin_backends_match_e2_m1_not_mm1() {
    let dir = std::env::temp_dir().join(format!("stacksim-capacity-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rr.toml");
    std::fs::write(&path, MODEL).unwrap();
    let exp = stacksim::input::load_experiment(&path, &Overrides::default()).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    let sc = &exp.scenarios[0];

    // What `check` prints for a.app.
    let r = stacksim::experiment::capacity::report(sc);
    let a = r.stations.iter().find(|s| s.station == "a.app").unwrap();
    assert_eq!(a.model, "E2/M/1");
    let (e2, mm1) = (a.wait_s, a.mmc_wait_s);
    assert!((mm1 - 0.65 / (1.0 / 0.013 - 50.0)).abs() < 1e-12);

    let mut results = stacksim::experiment::run(&exp, None, &|| {}).expect("run");
    let reps = results.remove(0).replications;
    let waits: Vec<f64> = reps
        .iter()
        .map(|r| {
            assert_eq!(r.failed, 0);
            ["a.app", "b.app"]
                .iter()
                .map(|n| {
                    r.stations
                        .iter()
                        .find(|s| s.name == *n)
                        .unwrap()
                        .mean_wait_ms
                        / 1e3
                })
                .sum::<f64>()
                / 2.0
        })
        .collect();
    let e = Estimate::from_samples(&waits);
    let half = t_quantile(0.995, (e.n - 1) as u64) * e.std_dev / (e.n as f64).sqrt();
    eprintln!(
        "mean wait: simulated {:.6} ± {:.6} s (99%, {} replications); E2/M/1 {:.6}, M/M/1 {:.6}",
        e.mean, half, e.n, e2, mm1
    );
    assert!(half <= 0.05 * e.mean, "interval too wide: ±{half}");
    assert!(
        (e.mean - e2).abs() <= half,
        "E2/M/1 {e2} outside {} ± {half}",
        e.mean
    );
    assert!(
        (e.mean - mm1).abs() > half,
        "M/M/1 {mm1} inside {} ± {half}",
        e.mean
    );
}
