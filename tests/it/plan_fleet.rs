//! The capacity planner on fleets of servers: the smallest fleet of
//! randomly fed M/M/1 servers that meets a mean-latency target with and
//! without one server down (N+1), and the servers an availability target
//! needs (1 − uⁿ, exact by enumeration). The targets are placed as
//! `plan.rs` explains, at least 10% from theory on either side.

use super::plan::{first_passing, plan_toml, summary};

/// `n` single-worker servers behind a random balancer: each an M/M/1 with
/// λ/n (a random split of a Poisson stream is Poisson).
pub(super) fn fleet(n_plus_one: bool) -> String {
    format!(
        r#"
name = "plan-fleet"
duration = "100s"
warmup = "2s"
replications = 3
seed = 4

[model]
entry = "lb"
[model.balancers.lb]
algorithm = "random"
backends = ["s1"]
[model.servers.s1.app]
workers = 1
service = {{ dist = "exponential", mean = "10ms" }}

[workload]
kind = "open"
rate = 250
clients = 1

[plan]
search = "servers"
template = "s1"
from = 2
to = 12
measure = "mean"
max_latency = "23ms"
max_errors = 0
n_plus_one = {n_plus_one}
"#
    )
}

fn mm1_mean_ms(servers: u32) -> f64 {
    let rho = 250.0 * 0.010 / f64::from(servers);
    if rho < 1.0 {
        10.0 / (1.0 - rho)
    } else {
        f64::INFINITY
    }
}

/// M/M/1 at λ/n: 26.7 ms for 4 servers, 20 ms for 5; so 5 meet 23 ms, and
/// with N+1 the fleet must meet it with n − 1 servers: 6.
#[test]
fn n_plus_one_needs_exactly_one_more_server_where_theory_says_so() {
    let n = first_passing(2..=12, mm1_mean_ms, 23.0);
    let n1 = first_passing(2..=12, |k| mm1_mean_ms(k - 1), 23.0);
    assert_eq!(n1, n + 1, "theory: N+1 adds one server here");
    let plain = plan_toml(&fleet(false));
    assert_eq!(plain.answer, Some(f64::from(n)), "{:#?}", summary(&plain));
    let res = plan_toml(&fleet(true));
    assert_eq!(res.answer, Some(f64::from(n1)), "{:#?}", summary(&res));
    // The answer's point ran twice: with every server, and without s1.
    let best = res
        .points
        .iter()
        .find(|p| Some(p.value) == res.answer)
        .unwrap();
    let runs: Vec<Option<&str>> = best.runs.iter().map(|r| r.without.as_deref()).collect();
    assert_eq!(runs, [None, Some("s1")]);
    // The analytic mean beside the run is the M/M/1 figure of the fleet.
    let theory = mm1_mean_ms(n1);
    assert!((best.runs[0].analytic.mean_ms - theory).abs() < 1e-6 * theory);
}

/// Servers that fail (MTBF 90 h, repaired 6 h after a 4 h alert: down a
/// share u = 10/100 of the time, independently) behind a balancer that
/// does not: the site is up while one server is, A(n) = 1 − uⁿ. At least
/// 99.95% needs 4 servers (3 give 99.9%); latency is no constraint here.
#[test]
fn an_availability_slo_adds_servers_until_the_exact_figure_meets_it() {
    let toml = r#"
name = "plan-availability"
duration = "20s"
warmup = "1s"
replications = 2
seed = 6

[model]
entry = "lb"
[model.monitoring]
enabled = true
alert_delay = "4h"
[model.balancers.lb]
algorithm = "random"
backends = ["s1"]
[model.servers.s1]
reliability = { mtbf = "90h", mttr = "6h" }
[model.servers.s1.app]
workers = 4
service = { dist = "exponential", mean = "1ms" }

[workload]
kind = "open"
rate = 50
clients = 1

[plan]
search = "servers"
from = 1
to = 8
measure = "mean"
max_latency = "10s"
min_availability = 0.9995
"#;
    let u: f64 = 10.0 / 100.0;
    let expected = (1..=8).find(|&n| 1.0 - u.powi(n) >= 0.9995).unwrap();
    assert_eq!(expected, 4);
    let res = plan_toml(toml);
    assert_eq!(
        res.answer,
        Some(f64::from(expected)),
        "{:#?}",
        summary(&res)
    );
    for p in &res.points {
        let a = p.availability.as_ref().expect("an availability check");
        let exact = a.analytic.expect("two to eight components are enumerated");
        let n = p.value as i32;
        assert!((exact - (1.0 - u.powi(n))).abs() < 1e-9, "{n}: {exact}");
    }
}
