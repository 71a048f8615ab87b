//! Unit tests of the offered-load table against hand-computed figures: the
//! closed workload's MVA and bound (database demand included), Erlang-n
//! arrivals behind a round robin, a sinusoid's peak, and the overload guard
//! keeping its meaning (ρ ≥ 1 at the mean rate).

use super::*;
use crate::input::Overrides;

/// The first scenario of an experiment with two single-worker backends `a`
/// and `b` (app exp `service`) behind a round robin `lb`; `workload` is the
/// `[workload]` body after `kind = "open"`, `extra` is appended.
pub(crate) fn scenario(workload: &str, service: &str, extra: &str) -> Scenario {
    let text = format!(
        r#"
name = "t"
duration = "60s"
[model]
entry = "lb"
[model.balancers.lb]
algorithm = "roundrobin"
backends = ["a", "b"]
[model.servers.a.app]
workers = 1
service = {{ dist = "exponential", mean = "{service}" }}
[model.servers.b.app]
workers = 1
service = {{ dist = "exponential", mean = "{service}" }}
[workload]
kind = "open"
{workload}
{extra}"#
    );
    load(&text)
}

/// The first scenario of the experiment `text`.
pub(crate) fn load(text: &str) -> Scenario {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "stacksim-capacity-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("e.toml");
    std::fs::write(&file, text).unwrap();
    let exp = crate::input::load_experiment(&file, &Overrides::default());
    std::fs::remove_dir_all(&dir).unwrap();
    match exp {
        Ok(mut e) => e.scenarios.remove(0),
        Err(e) => panic!("{e}"),
    }
}

fn close(actual: f64, expected: f64, rel: f64) {
    assert!(
        (actual - expected).abs() <= rel * expected.abs(),
        "actual {actual} expected {expected}"
    );
}

#[test]
fn round_robin_feeds_erlang_2() {
    // λ = 100/s split over 2: each sees E2 arrivals of 50/s (phase rate
    // kλ = 100/s), exponential service μ = 1/13 ms, ρ = 0.65. GI/M/1:
    // σ = (100/(100 + μu))² with u = 1 − σ; multiplying out and dividing
    // by u leaves the quadratic −μ²u² + (μ² − 200μ)u + (200μ − 10⁴) = 0,
    // whose root in (0, 1) is u = 0.4450 (σ = 0.5550, Wq = 16.2 ms).
    let sc = scenario("rate = 100", "13ms", "");
    let r = report(&sc);
    let a = r.stations.iter().find(|s| s.station == "a.app").unwrap();
    assert_eq!(a.model, "E2/M/1");
    close(a.rho, 0.65, 1e-12);
    let mu: f64 = 1.0 / 0.013;
    let (qa, qb, qc) = (-mu * mu, mu * mu - 200.0 * mu, 200.0 * mu - 1e4);
    let u = (-qb - (qb * qb - 4.0 * qa * qc).sqrt()) / (2.0 * qa);
    let sigma = 1.0 - u;
    close(sigma, 0.555, 1e-3);
    close(a.wait_s, sigma / (mu * u), 1e-9);
    // M/M/1 would say ρ/(μ − λ) = 0.65/(76.923 − 50) = 24.14 ms.
    close(a.mmc_wait_s, 0.65 / (mu - 50.0), 1e-12);
    assert!(a.wait_s < 0.7 * a.mmc_wait_s);
}

#[test]
fn closed_async_includes_the_database() {
    // N = 10, Z = 1 s, async app 10 ms, db 90 ms (one query per request,
    // single servers): D = 0.1 s, bound N/(Z + D) = 9.0909 req/s. Exact
    // MVA, two single-server queues of 10 and 90 ms, N = 10: computed by the
    // recursion (Lazowska et al. ch. 6) in the test below.
    let sc = load(
        r#"
name = "c"
duration = "60s"
[model]
entry = "s"
[model.servers.s]
reads_from = "db"
app = { workers = 1, mode = "async", service = { dist = "exponential", mean = "10ms" } }
[model.databases.db]
role = "primary"
connections = 1
read = { dist = "exponential", mean = "90ms" }
write = { dist = "exponential", mean = "90ms" }
[workload]
kind = "closed"
users = 10
think = { dist = "exponential", mean = "1s" }
classes = [{ name = "page", probability = 1.0, reads = 1, writes = 0 }]
"#,
    );
    let c = report(&sc).closed.unwrap();
    close(c.demand_s, 0.1, 1e-9);
    close(c.bound_per_s, 10.0 / 1.1, 1e-9);
    // The MVA recursion written out: Q_k(0) = 0; R_k = D_k(1 + Q_k);
    // X = n/(Z + ΣR); Q_k = X·R_k.
    let (d, mut q) = ([0.01, 0.09], [0.0, 0.0]);
    let (mut x, mut rt) = (0.0, 0.0);
    for n in 1..=10 {
        let r = [d[0] * (1.0 + q[0]), d[1] * (1.0 + q[1])];
        rt = r[0] + r[1];
        x = f64::from(n) / (1.0 + rt);
        q = [x * r[0], x * r[1]];
    }
    close(c.throughput_per_s, x, 1e-9);
    close(c.response_s, rt, 1e-9);
    assert!(c.throughput_per_s <= c.bound_per_s);
    assert_eq!(c.bottleneck, "db");
}

#[test]
fn sinusoid_peak() {
    // rate 60 × (1 + 0.5 sin): mean 60 over whole periods, peak 90.
    // ρ at the mean 30·0.013 = 0.39, at the peak 45·0.013 = 0.585.
    let sc = scenario(
        "rate = 60\nprofile = { shape = \"sinusoidal\", amplitude = 0.5, period = \"30s\" }",
        "13ms",
        "",
    );
    let r = report(&sc);
    close(r.lambda_per_s, 60.0, 1e-9);
    let p = r.peak.unwrap();
    close(p.lambda_per_s, 90.0, 1e-12);
    let a = p.stations.iter().find(|s| s.station == "a.app").unwrap();
    close(a.rho, 0.585, 1e-12);
}

#[test]
fn the_guard_keeps_its_meaning() {
    // ρ 0.85 at the mean, 1.275 at the peak: not refused (the mean decides).
    let sc = scenario(
        "rate = 100\nprofile = { shape = \"sinusoidal\", amplitude = 0.5, period = \"30s\" }",
        "17ms",
        "",
    );
    assert!(unbounded_overloads(&sc).is_empty());
    let peak = report(&sc).peak.unwrap();
    assert!(peak.stations.iter().all(|s| s.rho > 1.2));
}
