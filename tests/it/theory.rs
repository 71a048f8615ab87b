//! The simulator against queueing theory. Each test describes a system in the
//! model language (a TOML experiment with an inline `[model]`, written to a
//! temporary file and loaded by `input::load_experiment`, so the parser and
//! validator are exercised too), runs independent replications with
//! `experiment::run`, and reduces each replication to one figure (a mean
//! sojourn, a p99, a utilisation, a mean wait, a throughput…) measured after
//! a warm-up that discards the empty-and-idle start. The replications are
//! independent and identically distributed, so their figures give a Student-t
//! confidence interval for the simulator's expectation; the test then asserts
//! two things about every figure: the closed form from `stacksim::analytic`
//! (M/M/1, Erlang C, Pollaczek–Khinchine, Jackson, exact MVA, E_k/M/1,
//! Little's law) lies inside the interval, and the interval is informative —
//! its half width is at most 5% of the mean — so that a test cannot pass by
//! being too noisy to fail. There are no hand-picked tolerances: run lengths
//! and replication counts are chosen so that the second condition holds with
//! room to spare, and the first one is then a genuine statistical test.
//!
//! Intervals are 99% rather than 95%: this module makes thirteen comparisons,
//! and with 95% intervals a correct simulator would fail at least one of them
//! for about half of all seeds; with 99% intervals, for about one seed in eight.
//! Every experiment uses the same fixed master seed (2), so runs are
//! reproducible. To check that the tests are not tuned to their seed, run
//! them with another: `STACKSIM_THEORY_SEED=7 cargo test --release --test it
//! theory`. When this was written, seeds 2–5 passed everything; seed 1 failed
//! one comparison (M/D/1, its 40 arrival streams running 0.06% fast), and
//! over 30 further seeds the M/D/1 deviations averaged +0.07 standard errors
//! and fell outside the 99% interval once, as chance predicts.
//!
//! Measured figures and theory are printed (`-- --nocapture` shows them).

use stacksim::analytic::{self, Centre, MG1, MMc, Queue};
use stacksim::input::Overrides;
use stacksim::stack::ReplicationResult;
use stacksim::stats::{Estimate, t_quantile};
use std::sync::OnceLock;

/// Largest acceptable CI half width, relative to the mean (the brief's 5%).
const MAX_RELATIVE_HALF_WIDTH: f64 = 0.05;
/// Two-sided confidence level of every interval (see the module docs).
const CONFIDENCE: f64 = 0.99;

/// Writes `toml` as an experiment file in the temp dir, loads it through the
/// model language and runs all its replications (one scenario expected).
/// Also checks that nothing failed: every queue here is unbounded.
fn run_toml(toml: &str, name: &str) -> Vec<ReplicationResult> {
    let dir = std::env::temp_dir().join(format!("stacksim-theory-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml).expect("write experiment");
    let overrides = Overrides {
        seed: std::env::var("STACKSIM_THEORY_SEED")
            .ok()
            .map(|s| s.parse().expect("STACKSIM_THEORY_SEED must be an integer")),
        ..Overrides::default()
    };
    let exp = stacksim::input::load_experiment(&path, &overrides)
        .unwrap_or_else(|e| panic!("{name}: the experiment does not load: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(exp.scenarios.len(), 1, "{name}: one scenario expected");
    let mut results = stacksim::experiment::run(&exp, None, &|| {}).expect("run");
    let reps = results.remove(0).replications;
    assert_eq!(reps.len() as u32, exp.scenarios[0].run.replications);
    for r in &reps {
        assert!(
            r.failed == 0 && r.ok > 0,
            "{name}: replication {} had {} ok and {} failed requests ({:?})",
            r.replication,
            r.ok,
            r.failed,
            r.failures
        );
    }
    reps
}

/// The statistics of the station called `name` in one replication.
fn station<'a>(r: &'a ReplicationResult, name: &str) -> &'a stacksim::stack::station::StationStats {
    r.stations
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no station `{name}` in {:?}", r.stations))
}

/// Mean end-to-end latency of a replication, seconds.
fn mean_latency_s(r: &ReplicationResult) -> f64 {
    r.latency.mean() / 1e9
}

/// Asserts that `theory` lies in the `CONFIDENCE` Student-t interval of the
/// mean of `samples` (one per replication) and that the interval's half
/// width is at most `MAX_RELATIVE_HALF_WIDTH` of the mean.
fn assert_theory_in_ci(what: &str, samples: &[f64], theory: f64) {
    let e = Estimate::from_samples(samples);
    let t = t_quantile(0.5 + CONFIDENCE / 2.0, (e.n - 1) as u64);
    let half = t * e.std_dev / (e.n as f64).sqrt();
    let rel = half / e.mean.abs();
    let report = format!(
        "{what}: simulated {:.6} ± {:.6} ({:.0}% t interval over {} replications, ±{:.2}%), theory {:.6} ({:+.2}%)",
        e.mean,
        half,
        CONFIDENCE * 100.0,
        e.n,
        rel * 100.0,
        theory,
        (e.mean - theory) / theory * 100.0
    );
    eprintln!("{report}");
    assert!(theory.is_finite(), "{report}: theory is not finite");
    assert!(
        rel <= MAX_RELATIVE_HALF_WIDTH,
        "{report}: the interval is too wide to mean anything (> {}% of the mean)",
        MAX_RELATIVE_HALF_WIDTH * 100.0
    );
    assert!(
        (e.mean - theory).abs() <= half,
        "{report}: theory is outside the interval"
    );
}

fn figures(reps: &[ReplicationResult], f: impl Fn(&ReplicationResult) -> f64) -> Vec<f64> {
    reps.iter().map(f).collect()
}

/// M/M/1, λ = 750/s, E[S] = 1 ms (ρ = 0.75): the sojourn time is
/// Exp(μ − λ), mean 4 ms and p99 ln(100)/(μ − λ) = 18.42 ms; utilisation ρ.
#[test]
fn mm1_sojourn_mean_p99_and_utilisation() {
    let (lambda, s) = (750.0, 0.001);
    let reps = run_toml(
        r#"
name = "mm1"
duration = "400s"
warmup = "2s"
replications = 40
seed = 2

[model]
entry = "server"
[model.servers.server.app]
workers = 1
service = { dist = "exponential", mean = "1ms" }

[workload]
kind = "open"
rate = 750
clients = 1
"#,
        "mm1",
    );
    let q = MMc {
        lambda_per_s: lambda,
        mean_service_s: s,
        servers: 1,
    };
    let mu = 1.0 / s;
    assert_theory_in_ci(
        "M/M/1 mean sojourn (s)",
        &figures(&reps, mean_latency_s),
        q.mean_sojourn_s(),
    );
    let p99 = 100f64.ln() / (mu - lambda);
    assert!((p99 - q.sojourn_quantile_s(0.99)).abs() < 1e-12 * p99);
    assert_theory_in_ci(
        "M/M/1 p99 sojourn (s)",
        &figures(&reps, |r| r.latency.quantile(0.99) as f64 / 1e9),
        p99,
    );
    assert_theory_in_ci(
        "M/M/1 utilisation",
        &figures(&reps, |r| station(r, "server.app").utilisation),
        q.utilisation(),
    );
}

/// The M/M/4 runs, shared by the Erlang C test and the Little's law test.
/// λ = 750/s, E[S] = 4 ms exponential, 4 workers: a = 3 Erlangs, ρ = 0.75.
const MMC_LAMBDA: f64 = 750.0;
const MMC_SERVICE_S: f64 = 0.004;
fn mmc_runs() -> &'static [ReplicationResult] {
    static RUNS: OnceLock<Vec<ReplicationResult>> = OnceLock::new();
    RUNS.get_or_init(|| {
        run_toml(
            r#"
name = "mmc"
duration = "400s"
warmup = "2s"
replications = 40
seed = 2

[model]
entry = "server"
[model.servers.server.app]
workers = 4
service = { dist = "exponential", mean = "4ms" }

[workload]
kind = "open"
rate = 750
clients = 1
"#,
            "mmc",
        )
    })
}

/// M/M/4: mean wait in queue Wq = C(4, 3)/(cμ − λ) (Erlang C) from the
/// station's own waiting times, and the mean sojourn Wq + E[S] at the client.
#[test]
fn mmc_erlang_c_wait_and_sojourn() {
    let reps = mmc_runs();
    let q = MMc {
        lambda_per_s: MMC_LAMBDA,
        mean_service_s: MMC_SERVICE_S,
        servers: 4,
    };
    assert_theory_in_ci(
        "M/M/4 mean wait in queue (s)",
        &figures(reps, |r| station(r, "server.app").mean_wait_ms / 1e3),
        q.mean_wait_s(),
    );
    assert_theory_in_ci(
        "M/M/4 mean sojourn (s)",
        &figures(reps, mean_latency_s),
        q.mean_sojourn_s(),
    );
}

/// Little's law on the M/M/4 runs: the time-averaged number in the station
/// (waiting + busy workers, from the station's statistics) equals the
/// measured throughput times the mean sojourn measured at the client. Each
/// replication gives the ratio L / (λ̂·W), whose expectation is 1 (the
/// requests present at the start and at the end of the measured period
/// contribute equally in steady state); the two sides come from independent
/// instruments, so this checks the station statistics against the latencies.
/// A separate figure compares L with the M/M/c closed form.
#[test]
fn littles_law_on_mmc() {
    let reps = mmc_runs();
    let in_system = |r: &ReplicationResult| {
        let st = station(r, "server.app");
        st.mean_queue + st.utilisation * f64::from(st.workers)
    };
    assert_theory_in_ci(
        "Little's law L / (λ·W) on M/M/4",
        &figures(reps, |r| {
            let throughput = r.ok as f64 / r.measured_s;
            in_system(r) / (throughput * mean_latency_s(r))
        }),
        1.0,
    );
    let q = MMc {
        lambda_per_s: MMC_LAMBDA,
        mean_service_s: MMC_SERVICE_S,
        servers: 4,
    };
    assert_theory_in_ci(
        "M/M/4 mean number in system",
        &figures(reps, in_system),
        q.mean_in_system(),
    );
}

/// M/D/1 (constant 1 ms service) and M/G/1 with lognormal service of mean
/// 1 ms and cv 1.5, λ = 750/s: the Pollaczek–Khinchine mean sojourn
/// E[S] + ρE[S](1 + cv²)/(2(1 − ρ)) = 2.5 ms and 5.875 ms.
#[test]
fn mg1_pollaczek_khinchine() {
    let experiment = |service: &str, name: &str| {
        format!(
            r#"
name = "{name}"
duration = "400s"
warmup = "2s"
replications = 40
seed = 2

[model]
entry = "server"
[model.servers.server.app]
workers = 1
service = {service}

[workload]
kind = "open"
rate = 750
clients = 1
"#
        )
    };
    let md1 = run_toml(&experiment(r#""1ms""#, "md1"), "md1");
    assert_theory_in_ci(
        "M/D/1 mean sojourn (s)",
        &figures(&md1, mean_latency_s),
        MG1::md1(750.0, 0.001).mean_sojourn_s(),
    );
    let mg1 = run_toml(
        &experiment(
            r#"{ dist = "lognormal", mean = "1ms", cv = 1.5 }"#,
            "mg1-lognormal",
        ),
        "mg1-lognormal",
    );
    assert_theory_in_ci(
        "M/G/1 (lognormal cv 1.5) mean sojourn (s)",
        &figures(&mg1, mean_latency_s),
        MG1 {
            lambda_per_s: 750.0,
            mean_service_s: 0.001,
            service_scv: 1.5 * 1.5,
        }
        .mean_sojourn_s(),
    );
}

/// Jackson tandem: nginx (1 worker, exp 0.9 ms) → app (1 worker, exp 1 ms),
/// λ = 800/s (ρ = 0.72 and 0.8). Each station behaves as an independent
/// M/M/1, so the mean end-to-end sojourn is the sum of the two.
#[test]
fn jackson_tandem_mean_sojourn() {
    let reps = run_toml(
        r#"
name = "tandem"
duration = "400s"
warmup = "2s"
replications = 40
seed = 2

[model]
entry = "server"
[model.servers.server]
nginx = { workers = 1, service = { dist = "exponential", mean = "0.9ms" } }
app = { workers = 1, service = { dist = "exponential", mean = "1ms" } }

[workload]
kind = "open"
rate = 800
clients = 1
"#,
        "tandem",
    );
    assert_theory_in_ci(
        "tandem mean sojourn (s)",
        &figures(&reps, mean_latency_s),
        analytic::tandem_mm1_mean_sojourn_s(800.0, &[0.0009, 0.001]),
    );
}

/// A closed network: N = 12 users thinking Exp(20 ms) between requests, each
/// request visiting nginx (exp 1 ms) → async app (exp 2 ms; the worker is
/// released after the CPU) → one read on a one-connection database on the
/// same host (exp 1.5 ms). Three single-server FCFS exponential queues and a
/// delay: a product-form network, solved exactly by MVA. Throughput is the
/// measured requests per second, response time the mean latency.
#[test]
fn closed_network_exact_mva() {
    let users = 12;
    let reps = run_toml(
        &r#"
name = "closed"
duration = "400s"
warmup = "2s"
replications = 40
seed = 2

[model]
entry = "web"
[model.servers.web]
reads_from = "db"
nginx = { workers = 1, service = { dist = "exponential", mean = "1ms" } }
app = { workers = 1, mode = "async", service = { dist = "exponential", mean = "2ms" } }
[model.databases.db]
host = "web"
role = "primary"
connections = 1
read = { dist = "exponential", mean = "1.5ms" }
write = { dist = "exponential", mean = "1.5ms" } # required of a primary; unused

[workload]
kind = "closed"
users = USERS
think = { dist = "exponential", mean = "20ms" }
classes = [{ name = "query", probability = 1.0, reads = 1 }]
"#
        .replace("USERS", &users.to_string()),
        "closed",
    );
    let m = analytic::mva(
        &[
            Centre::Queue { demand_s: 0.001 },
            Centre::Queue { demand_s: 0.002 },
            Centre::Queue { demand_s: 0.0015 },
        ],
        0.020,
        users,
    );
    assert_theory_in_ci(
        "closed network throughput (req/s)",
        &figures(&reps, |r| r.ok as f64 / r.measured_s),
        m.throughput_per_s,
    );
    assert_theory_in_ci(
        "closed network mean response time (s)",
        &figures(&reps, mean_latency_s),
        m.response_s,
    );
}

/// GI/M/1 with Erlang-3 arrivals: a round-robin balancer without overhead
/// splits a Poisson stream of 2250/s over three single-worker backends
/// (exp 1 ms), so each backend sees every third arrival: Erlang-3
/// interarrivals of rate 750/s, ρ = 0.75. Each replication's figure is the
/// backends' mean wait in queue (averaged over the three identical
/// backends), compared with Wq = σ/(μ(1 − σ)).
#[test]
fn ek_m1_behind_round_robin() {
    let k = 3;
    let reps = run_toml(
        r#"
name = "ek-m1"
duration = "400s"
warmup = "2s"
replications = 40
seed = 2

[model]
entry = "lb"
[model.balancers.lb]
backends = ["a", "b", "c"]
[model.servers.a.app]
workers = 1
service = { dist = "exponential", mean = "1ms" }
[model.servers.b.app]
workers = 1
service = { dist = "exponential", mean = "1ms" }
[model.servers.c.app]
workers = 1
service = { dist = "exponential", mean = "1ms" }

[workload]
kind = "open"
rate = 2250
clients = 1
"#,
        "ek-m1",
    );
    assert_theory_in_ci(
        "E3/M/1 mean wait in queue (s)",
        &figures(&reps, |r| {
            ["a.app", "b.app", "c.app"]
                .iter()
                .map(|n| station(r, n).mean_wait_ms / 1e3)
                .sum::<f64>()
                / f64::from(k)
        }),
        analytic::ek_m1_mean_wait_s(k, 2250.0 / f64::from(k), 0.001),
    );
}
