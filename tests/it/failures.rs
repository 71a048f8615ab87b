//! Failures against computed expectations: HAProxy's health-check
//! scheduling (detection and recovery windows), the requests lost while a
//! crash goes undetected, a balancer's loss, a slow-down against M/M/1, and
//! the balancing algorithms with one slow backend.
//!
//! Every test describes its system in the model language (a TOML
//! experiment with an inline model), runs replications, and compares with a
//! figure computed from HAProxy's rules or from queueing theory: windows are
//! checked per replication (every detection must fall inside its window),
//! means against a Student-t 99% interval over the replications, which must
//! also be narrow (≤ 5% of the mean) so that a test cannot pass by noise.

use stacksim::analytic::Queue;
use stacksim::experiment::ScenarioResult;
use stacksim::input::Overrides;
use stacksim::stack::ReplicationResult;
use stacksim::stats::{Estimate, t_quantile};

/// Loads `toml` as an experiment and runs every scenario.
fn run_toml(toml: &str, name: &str) -> Vec<ScenarioResult> {
    let dir = std::env::temp_dir().join(format!("stacksim-failures-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml).expect("write experiment");
    let exp = stacksim::input::load_experiment(&path, &Overrides::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    stacksim::experiment::run(&exp, None, &|| {}).expect("run")
}

/// Two single-station servers behind one balancer, no network, no DNS.
/// `lb` is extra balancer configuration, `tail` extra experiment text.
fn two_servers(lb: &str, rate: f64, duration_s: u32, reps: u32, tail: &str) -> String {
    format!(
        r#"
duration = "{duration_s}s"
warmup = "5s"
drain = "60s"
replications = {reps}
seed = 11

[model.balancers.lb1]
backends = ["web1", "web2"]
{lb}

[model.servers.web1.app]
workers = 8
service = {{ dist = "exponential", mean = "2ms" }}

[model.servers.web2.app]
workers = 8
service = {{ dist = "exponential", mean = "2ms" }}

[workload]
kind = "open"
rate = {rate}
clients = 1

{tail}
"#
    )
}

/// The first time `event` appears in a replication's timeline, after `after`.
fn when(r: &ReplicationResult, event: &str, after: f64) -> f64 {
    r.timeline
        .iter()
        .find(|(t, what)| *t >= after && what == event)
        .unwrap_or_else(|| panic!("no `{event}` after {after} s in {:?}", r.timeline))
        .0
}

/// Asserts `expected` is inside the 99% t interval of `xs` and the interval is narrow.
fn assert_mean(what: &str, xs: &[f64], expected: f64) {
    let e = Estimate::from_samples(xs);
    let hw = t_quantile(0.995, (xs.len() - 1) as u64) * e.std_dev / (xs.len() as f64).sqrt();
    println!(
        "{what}: {:.4} ± {:.4} (99%), expected {expected:.4}",
        e.mean, hw
    );
    assert!(
        hw <= 0.05 * e.mean.abs(),
        "{what}: interval too wide: {:.4} ± {hw:.4}",
        e.mean
    );
    assert!(
        (e.mean - expected).abs() <= hw,
        "{what}: {:.4} ± {hw:.4} does not contain {expected:.4}",
        e.mean
    );
}

fn failures(r: &ReplicationResult, reason: &str) -> u64 {
    r.failures
        .iter()
        .filter(|f| f.reason.as_str() == reason)
        .map(|f| f.count)
        .sum()
}

/// Detection and recovery times of web2 in every replication: each must
/// lie in its window, and the mean detection in the window's middle (the
/// check phase is uniform in [0, inter)). The mean recovery is checked only
/// when the checks of a down server take no time (a refusing process): it
/// is then the middle of its window too. Against a silent host each check
/// takes its timeout, the cycle is timeout + downinter, and where the
/// recovery falls in that cycle depends on the outage's length.
fn check_windows(lb: &str, mode: &str, detect: (f64, f64), recover: (f64, f64)) {
    let fault = format!(
        "[[faults]]\nat = \"20s\"\ntarget = \"web2\"\nkind = \"crash\"\nmode = \"{mode}\"\nduration = \"20s\"\n"
    );
    let res = run_toml(
        &two_servers(lb, 100.0, 50, 200, &fault),
        &format!("windows-{mode}"),
    );
    let (mut downs, mut ups) = (vec![], vec![]);
    for r in &res[0].replications {
        let down = when(r, "lb1: web2 is DOWN", 20.0) - 20.0;
        let up = when(r, "lb1: web2 is UP", 40.0) - 40.0;
        assert!(
            down >= detect.0 - 1e-9 && down <= detect.1 + 1e-9,
            "{mode}: detection {down} s outside {detect:?}"
        );
        assert!(
            up >= recover.0 - 1e-9 && up <= recover.1 + 1e-9,
            "{mode}: recovery {up} s outside {recover:?}"
        );
        downs.push(down);
        ups.push(up);
    }
    assert_mean(
        &format!("{mode} detection s"),
        &downs,
        (detect.0 + detect.1) / 2.0,
    );
    if mode == "process" {
        assert_mean(
            &format!("{mode} recovery s"),
            &ups,
            (recover.0 + recover.1) / 2.0,
        );
    }
}

#[test]
fn refused_connections_are_detected_in_haproxy_time() {
    // Defaults inter 2 s, fall 3, rise 2: detection (fall−1)·fastinter + U(0, inter)
    // = [4, 6] s; recovery (rise−1)·fastinter + U(0, downinter) = [2, 4] s.
    check_windows("check = {}", "process", (4.0, 6.0), (2.0, 4.0));
}

#[test]
fn a_silent_host_is_detected_only_at_check_timeouts() {
    // fall·timeout + (fall−1)·fastinter + U(0, inter) = 6 + 4 + [0, 2] = [10, 12] s;
    // recovery (rise−1)·fastinter + [0, timeout + downinter] = [2, 6] s.
    check_windows("check = {}", "host", (10.0, 12.0), (2.0, 6.0));
}

#[test]
fn check_parameters_move_the_windows() {
    // inter 1 s, fastinter 300 ms, downinter 700 ms, fall 2, rise 3, timeout 400 ms:
    // silent detection 2·0.4 + 1·0.3 + U(0, 1) = [1.1, 2.1];
    // recovery 2·0.3 + [0, 0.4 + 0.7] = [0.6, 1.7].
    let lb = r#"check = { inter = "1s", fastinter = "300ms", downinter = "700ms", fall = 2, rise = 3, timeout = "400ms" }"#;
    check_windows(lb, "host", (1.1, 2.1), (0.6, 1.7));
}

#[test]
fn requests_lost_while_a_crash_is_undetected() {
    // No retries, a refused connection: every request sent to web2 between
    // the crash and its detection fails at once. Round robin sends web2
    // half of them, so the failures equal rate × ½ × the detection window.
    let fault =
        "[[faults]]\nat = \"20s\"\ntarget = \"web2\"\nkind = \"crash\"\nmode = \"process\"\n";
    let res = run_toml(
        &two_servers("check = {}\nretries = 0", 400.0, 30, 40, fault),
        "lost",
    );
    let ratios: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| {
            let window = when(r, "lb1: web2 is DOWN", 20.0) - 20.0;
            failures(r, "connect_refused") as f64 / (400.0 * 0.5 * window)
        })
        .collect();
    assert_mean("failed / (rate × ½ × detection)", &ratios, 1.0);
    // Requests inside web2 at the crash are lost too, as resets.
    assert!(
        res[0]
            .replications
            .iter()
            .all(|r| failures(r, "server_crash") <= 40)
    );
}

#[test]
fn redispatch_saves_the_requests_that_retries_alone_lose() {
    // With `option redispatch` the last retry goes to web1: nothing fails.
    let fault =
        "[[faults]]\nat = \"20s\"\ntarget = \"web2\"\nkind = \"crash\"\nmode = \"process\"\n";
    let res = run_toml(
        &two_servers("check = {}\nredispatch = true", 400.0, 30, 5, fault),
        "redispatch",
    );
    for r in &res[0].replications {
        assert_eq!(failures(r, "connect_refused"), 0, "{:?}", r.failures);
    }
}

#[test]
fn losing_the_only_balancer_fails_every_request_until_it_returns() {
    // A refusing balancer down for 10 s: the clients' requests in that time
    // fail (rate × 10 s), and nothing else does beyond those in flight.
    let fault = "[[faults]]\nat = \"20s\"\ntarget = \"lb1\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"10s\"\n";
    let res = run_toml(&two_servers("", 300.0, 40, 40, fault), "lb-down");
    let ratios: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| failures(r, "lb_down") as f64 / (300.0 * 10.0))
        .collect();
    assert_mean("lb_down / (rate × outage)", &ratios, 1.0);
}

#[test]
fn a_slow_down_behaves_like_the_slower_queue() {
    // One server, one worker, service exponential 1 ms, slowed × 2 from the
    // start: M/M/1 with mean service 2 ms at 300 req/s, W = 2 / (1 − 0.6) = 5 ms.
    let toml = r#"
duration = "60s"
warmup = "5s"
replications = 30
seed = 3
[model]
entry = "web1"
[model.servers.web1.app]
workers = 1
service = { dist = "exponential", mean = "1ms" }
[workload]
kind = "open"
rate = 300
clients = 1
[[faults]]
at = "0s"
target = "web1.app"
kind = "slow"
factor = 2.0
"#;
    let res = run_toml(toml, "slow");
    let means: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| r.latency.mean() / 1e6)
        .collect();
    assert_mean("slowed M/M/1 mean sojourn ms", &means, 5.0);
}

#[test]
fn power_of_two_beats_round_robin_with_one_slow_backend() {
    // web2 is twice as slow; round robin still gives it half the load
    // (ρ = 0.7 there), random(2) moves load to web1. Same arrivals for both
    // (common random numbers); the p99 intervals must not overlap.
    let toml = |algorithm: &str| {
        format!(
            r#"
duration = "40s"
warmup = "5s"
replications = 10
seed = 5
[model.balancers.lb1]
algorithm = "{algorithm}"
backends = ["web1", "web2"]
[model.servers.web1.app]
workers = 4
service = {{ dist = "exponential", mean = "4ms" }}
[model.servers.web2.app]
workers = 4
service = {{ dist = "exponential", mean = "8ms" }}
[workload]
kind = "open"
rate = 700
clients = 1
"#
        )
    };
    let p99 = |algorithm: &str| {
        let res = run_toml(
            &toml(algorithm),
            &format!("p2c-{}", algorithm.replace(['(', ')'], "")),
        );
        let xs: Vec<f64> = res[0]
            .replications
            .iter()
            .map(|r| r.latency.quantile(0.99) as f64 / 1e6)
            .collect();
        Estimate::from_samples(&xs)
    };
    let rr = p99("roundrobin");
    let p2 = p99("random(2)");
    println!(
        "p99 roundrobin {:.2} ± {:.2} ms, random(2) {:.2} ± {:.2} ms",
        rr.mean, rr.half_width_95, p2.mean, p2.half_width_95
    );
    assert!(
        p2.upper_95() < rr.lower_95(),
        "random(2) p99 {p2:?} is not below roundrobin's {rr:?}"
    );
}

#[test]
fn every_algorithm_is_deterministic_for_a_seed() {
    for algorithm in [
        "roundrobin",
        "static-rr",
        "leastconn",
        "random",
        "random(2)",
        "source",
    ] {
        let toml = two_servers(
            &format!("algorithm = \"{algorithm}\"\ncheck = {{}}"),
            500.0,
            10,
            2,
            "",
        )
        .replace("clients = 1", "clients = 500");
        let a = run_toml(&toml, "det-a");
        let b = run_toml(&toml, "det-b");
        for (x, y) in a[0].replications.iter().zip(&b[0].replications) {
            assert_eq!(
                (x.ok, x.failed, x.events),
                (y.ok, y.failed, y.events),
                "{algorithm}"
            );
            assert_eq!(
                x.latency.quantile(0.99),
                y.latency.quantile(0.99),
                "{algorithm}"
            );
            assert_eq!(x.stations, y.stations, "{algorithm}");
        }
    }
}

/// Two balancers over the two servers; `extra` configures the pair.
fn two_balancers(extra: &str, tail: &str) -> String {
    two_servers("", 300.0, 40, 40, tail).replace(
        "[model.balancers.lb1]\nbackends = [\"web1\", \"web2\"]\n",
        &format!("[model.balancers.lb1]\nbackends = [\"web1\", \"web2\"]\n{extra}\n[model.balancers.lb2]\nbackends = [\"web1\", \"web2\"]\n"),
    )
}

#[test]
fn keepalived_moves_the_address_after_the_master_down_interval() {
    // The master's host dies: the backup takes the virtual IP after
    // 3 × advert_int + (256 − priority)/256 s = 3 + 0.609 = 3.609 s; the
    // requests of that gap fail (rate × 3.609 s), with a client connect
    // timeout of 10 s they fail only later, but they fail.
    let fault = "[[faults]]\nat = \"20s\"\ntarget = \"lb1\"\nkind = \"crash\"\nmode = \"host\"\nduration = \"10s\"\n";
    let toml = two_balancers("vrrp = { backup = \"lb2\" }", fault).replace(
        "[model.balancers.lb1]",
        "[model]\nentry = \"lb1\"\n[model.balancers.lb1]",
    );
    let res = run_toml(&toml, "vrrp");
    let ratios: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| failures(r, "lb_down") as f64 / (300.0 * 3.609375))
        .collect();
    assert_mean("lb_down / (rate × master-down interval)", &ratios, 1.0);
}

#[test]
fn a_dead_address_in_dns_fails_its_share_until_clients_try_the_next() {
    // Two balancers in DNS, each client caching its answer for longer than
    // the outage: half the requests (those of clients holding the dead
    // address) fail while it is down. Clients that try the next address
    // after a refused connect lose only the few in flight through lb1 when
    // it died (rate × a 2 ms mean sojourn: about one).
    let dns = "[model.dns]\nrecord = \"x\"\nttl = \"5m\"\nresolver_latency = \"1ms\"\naddresses = [\"lb1\", \"lb2\"]\n";
    let fault = format!(
        "{dns}\n[[faults]]\nat = \"20s\"\ntarget = \"lb1\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"10s\"\n"
    );
    let toml = two_balancers("", &fault).replace("clients = 1", "clients = 5000");
    let res = run_toml(&toml, "dns-two");
    let ratios: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| failures(r, "lb_down") as f64 / (300.0 * 0.5 * 10.0))
        .collect();
    assert_mean("lb_down / (rate × ½ × outage)", &ratios, 1.0);
    let retry = toml.replace("clients = 5000", "clients = 5000\ntry_next_address = true");
    let res = run_toml(&retry, "dns-two-retry");
    let lost: Vec<u64> = res[0]
        .replications
        .iter()
        .map(|r| failures(r, "lb_down"))
        .collect();
    assert!(lost.iter().all(|&n| n <= 10), "{lost:?}");
}

#[test]
fn maxconn_at_the_pool_size_makes_one_central_queue() {
    // Two backends of 4 workers each, `maxconn = 4` on both: the balancer
    // never sends a backend more than it can serve, so nothing waits in the
    // app queues and every wait happens in the balancer's queue — a single
    // queue in front of 8 servers: M/M/8. λ = 1,500/s, service 4 ms (ρ = 0.75).
    let toml = r#"
duration = "60s"
warmup = "5s"
replications = 30
seed = 9
[model.balancers.lb1]
algorithm = "leastconn"
backends = [{ server = "web1", maxconn = 4 }, { server = "web2", maxconn = 4 }]
timeout_queue = "1h"
[model.servers.web1.app]
workers = 4
service = { dist = "exponential", mean = "4ms" }
[model.servers.web2.app]
workers = 4
service = { dist = "exponential", mean = "4ms" }
[workload]
kind = "open"
rate = 1500
clients = 1
"#;
    let res = run_toml(toml, "maxconn");
    let theory = stacksim::analytic::MMc {
        lambda_per_s: 1500.0,
        mean_service_s: 0.004,
        servers: 8,
    }
    .mean_sojourn_s()
        * 1e3;
    let means: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| r.latency.mean() / 1e6)
        .collect();
    assert_mean("maxconn M/M/8 mean sojourn ms", &means, theory);
    for r in &res[0].replications {
        assert!(
            r.stations.iter().all(|s| s.mean_queue == 0.0),
            "an app queue was used: {:?}",
            r.stations
        );
        assert_eq!(r.failed, 0);
    }
}

#[test]
fn a_full_backend_queue_times_out_with_503s() {
    // One backend, maxconn 1, service 10 ms constant, 200 req/s: twice what
    // it can take. `timeout queue` 50 ms: requests that cannot start within
    // 50 ms fail as queue_timeout, and the backend serves at its capacity.
    let toml = r#"
duration = "30s"
warmup = "5s"
replications = 5
seed = 4
allow_overload = true
[model.balancers.lb1]
backends = [{ server = "web1", maxconn = 1 }]
timeout_queue = "50ms"
[model.servers.web1.app]
workers = 1
service = "10ms"
[workload]
kind = "open"
rate = 200
clients = 1
"#;
    let res = run_toml(toml, "queue-timeout");
    for r in &res[0].replications {
        let served = r.ok as f64 / r.measured_s;
        assert!(
            (served - 100.0).abs() < 2.0,
            "served {served}/s, capacity 100/s"
        );
        assert!(failures(r, "queue_timeout") > 0);
        // Nobody waits longer than the timeout plus one service.
        assert!(
            r.latency.max() as f64 / 1e6 <= 60.0 * 1.004,
            "max {} ms",
            r.latency.max() as f64 / 1e6
        );
    }
}

#[test]
fn client_retries_rescue_fast_failures_but_storm_on_timeouts() {
    // Retries help when a failure is quick and independent of the next
    // attempt: web2's process is dead, there are no health checks and no
    // balancer retries, so half the requests fail at once with a refused
    // connection; a client that retries once is sent to web1 by round robin.
    let fault =
        "[[faults]]\nat = \"0s\"\ntarget = \"web2\"\nkind = \"crash\"\nmode = \"process\"\n";
    let plain = run_toml(
        &two_servers("retries = 0", 100.0, 30, 3, fault),
        "no-client-retry",
    );
    let retry = run_toml(
        &two_servers("retries = 0", 100.0, 30, 3, fault)
            .replace("clients = 1", "clients = 1\nretries = 1"),
        "client-retry",
    );
    for (a, b) in plain[0].replications.iter().zip(&retry[0].replications) {
        assert_eq!(
            a.requests(),
            b.requests(),
            "a request counts once, however many attempts"
        );
        let share = |r: &ReplicationResult| r.failed as f64 / r.requests() as f64;
        assert!(
            (share(a) - 0.5).abs() < 0.02,
            "without retries half fail: {}",
            share(a)
        );
        assert!(
            share(b) < 0.02,
            "one retry rescues almost all: {}",
            share(b)
        );
    }
    // Retries on timeouts that queueing causes are a retry storm: one
    // worker, constant 30 ms service, 10 req/s (ρ = 0.3), the client gives
    // up after 40 ms. The abandoned attempts keep loading the server, the
    // retries add more, and retrying fails more requests than giving up.
    let base = |extra: &str| {
        format!(
            r#"
duration = "60s"
warmup = "5s"
replications = 5
seed = 8
allow_overload = true
[model]
entry = "web1"
[model.servers.web1.app]
workers = 1
service = "30ms"
[workload]
kind = "open"
rate = 10
clients = 1
timeout = "40ms"
{extra}
"#
        )
    };
    let once = run_toml(&base(""), "storm-once");
    let storm = run_toml(&base("retries = 2"), "storm");
    for (a, b) in once[0].replications.iter().zip(&storm[0].replications) {
        assert!(
            failures(a, "client_timeout") > 0,
            "no timeouts at all: the test says nothing"
        );
        assert_eq!(a.requests(), b.requests());
        // Without retries every success came within the timeout; with them
        // some succeed on a later attempt, counted with their total latency.
        assert!(a.latency.max() as f64 / 1e6 <= 40.0 * 1.004);
        assert!(b.latency.max() as f64 / 1e6 > 40.0);
        assert!(failures(b, "client_timeout") > failures(a, "client_timeout"));
        assert!(b.stations[0].utilisation > 2.0 * a.stations[0].utilisation);
    }
}

#[test]
fn passive_checks_take_a_failing_backend_out_without_active_checks() {
    // web2's process dies at 20 s; there are no active checks. With
    // HAProxy's `observe layer7` (error-limit 10, on-error mark-down) the
    // balancer takes web2 out at its 10th consecutive error: with round
    // robin at 400 req/s, ~20 requests (10 to web2) after the crash, so
    // only those 10 fail. Without passive checks web2 keeps failing its
    // half until the end. nginx's max_fails = 1 takes it out at the first
    // error for fail_timeout (10 s), then tries it once again.
    let fault =
        "[[faults]]\nat = \"20s\"\ntarget = \"web2\"\nkind = \"crash\"\nmode = \"process\"\n";
    let observe = run_toml(
        &two_servers(
            "retries = 0\nobserve = { error_limit = 10, on_error = \"mark-down\" }",
            400.0,
            30,
            3,
            fault,
        ),
        "observe",
    );
    for r in &observe[0].replications {
        // The request inside web2 when it died (a reset) counts as an error too.
        let errors = failures(r, "connect_refused") + failures(r, "server_crash");
        assert_eq!(errors, 10, "{:?}", r.failures);
        assert!(
            r.timeline
                .iter()
                .any(|(_, w)| w.contains("web2 is DOWN (10 consecutive errors"))
        );
    }
    let nginx = run_toml(
        &two_servers(
            "retries = 0\nmax_fails = { max_fails = 1, fail_timeout = \"4s\" }",
            400.0,
            30,
            3,
            fault,
        ),
        "max-fails",
    );
    for r in &nginx[0].replications {
        // One failure when it dies, then one more each 4 s it is tried
        // again (at 24 s and 28 s; the run ends at 30 s).
        let errors = failures(r, "connect_refused") + failures(r, "server_crash");
        assert_eq!(errors, 3, "{:?}", r.failures);
    }
    let blind = run_toml(&two_servers("retries = 0", 400.0, 30, 3, fault), "blind");
    for r in &blind[0].replications {
        // Round robin alternates exactly: half the requests of the last 10 s.
        let last_10s: u64 = r
            .windows
            .iter()
            .filter(|w| w.t_s >= 20.0)
            .map(|w| w.requests)
            .sum();
        let got = failures(r, "connect_refused") + failures(r, "server_crash");
        assert!(
            (got as f64 - last_10s as f64 / 2.0).abs() <= 3.0,
            "{got} vs half of {last_10s}"
        );
    }
}

#[test]
fn a_partition_looks_like_a_silent_host_to_the_cut_off_side_only() {
    // lb1 loses its path to web2 at 20 s; web2 itself is fine. Its checks
    // time out as against a silent host: out after 10–12 s, and the
    // requests sent meanwhile fail as connect timeouts (after lb1's retries).
    // The partition lasts 40 s, longer than detection plus lb1's retries
    // (4 × 5 s timeout connect + 3 × 1 s), so no retry outlives it.
    let fault = "[[faults]]\nat = \"20s\"\ntarget = \"lb1\"\nkind = \"partition\"\npeer = \"web2\"\nduration = \"40s\"\n";
    let res = run_toml(
        &two_servers("check = {}", 200.0, 90, 20, fault),
        "partition",
    );
    let mut windows = vec![];
    for r in &res[0].replications {
        let down = when(r, "lb1: web2 is DOWN", 20.0) - 20.0;
        assert!((10.0..=12.0).contains(&down), "detection {down} s");
        windows.push(failures(r, "connect_timeout") as f64 / (200.0 * 0.5 * down));
        assert!(
            r.timeline
                .iter()
                .any(|(_, w)| w == "lb1 reaches web2 again")
        );
    }
    assert_mean("partition failures / (rate × ½ × detection)", &windows, 1.0);
}

#[test]
fn a_database_partition_holds_app_workers_until_their_timeout() {
    // web1 loses its database for the rest of the run: each query hangs
    // for db_timeout = 2 s holding a PHP worker (sync), so web1's pool of 4
    // serves at most 2 requests a second; the rest fill its queue limit.
    let toml = r#"
duration = "40s"
warmup = "5s"
replications = 3
seed = 6
allow_overload = true
[model]
entry = "web1"
[model.servers.web1]
reads_from = "db1"
writes_to = "db1"
db_timeout = "2s"
[model.servers.web1.app]
workers = 4
queue_limit = 50
service = { dist = "exponential", mean = "2ms" }
[model.databases.db1]
role = "primary"
read = { dist = "exponential", mean = "1ms" }
write = { dist = "exponential", mean = "1ms" }
[workload]
kind = "open"
rate = 100
clients = 1
classes = [{ name = "page", probability = 1.0, reads = 1 }]
[[faults]]
at = "20s"
target = "web1"
kind = "partition"
peer = "db1"
"#;
    let res = run_toml(toml, "db-partition");
    for r in &res[0].replications {
        let app = r.stations.iter().find(|s| s.name == "web1.app").unwrap();
        // Busy all of the last 20 s of the 35 measured: at least 20/35.
        assert!(app.utilisation > 0.55, "{app:?}");
        // Each worker finishes one (failed) request per 2 s: ≈ 2/s × 20 s.
        let timed_out = failures(r, "db_timeout") as f64;
        // …and the 50 queued at the end are served (and time out) in the drain.
        assert!((timed_out - 90.0).abs() <= 4.0, "db_timeout {timed_out}");
        assert!(failures(r, "queue_full") > 1500, "{:?}", r.failures);
    }
}

#[test]
fn a_degraded_link_adds_its_latency_and_retransmissions() {
    // An M/M/1 behind a client link with no latency of its own. +50 ms each
    // way delays every request by exactly 100 ms (the server sees the same
    // arrivals, shifted). 10% loss adds the retransmission timeouts: per hop
    // Σ pᵏ · 200 ms · 2ᵏ⁻¹ = 200·p/(1−2p) = 25 ms, so 50 ms per request.
    let toml = |fault: &str| {
        format!(
            r#"
duration = "60s"
warmup = "5s"
replications = 20
seed = 12
[model]
entry = "web1"
[model.servers.web1.app]
workers = 1
service = {{ dist = "exponential", mean = "2ms" }}
[workload]
kind = "open"
rate = 200
clients = 1
{fault}
"#
        )
    };
    let plain = run_toml(&toml(""), "link-plain");
    let slow = run_toml(
        &toml(
            "[[faults]]\nat = \"0s\"\ntarget = \"client_lb\"\nkind = \"network\"\nextra_latency = \"50ms\"\n",
        ),
        "link-slow",
    );
    let lossy = run_toml(
        &toml("[[faults]]\nat = \"0s\"\ntarget = \"client_lb\"\nkind = \"network\"\nloss = 0.1\n"),
        "link-lossy",
    );
    let mut added = vec![];
    for ((a, b), c) in plain[0]
        .replications
        .iter()
        .zip(&slow[0].replications)
        .zip(&lossy[0].replications)
    {
        let diff = (b.latency.mean() - a.latency.mean()) / 1e6;
        assert!(
            (diff - 100.0).abs() < 0.01,
            "+50 ms each way added {diff} ms"
        );
        added.push((c.latency.mean() - a.latency.mean()) / 1e6);
    }
    assert_mean("retransmission delay per request ms", &added, 50.0);
}

#[test]
fn random_failures_cost_their_unavailability_in_requests() {
    // One server failing at random (MTBF 6 s, MTTR 1 s, exponential: short,
    // so that a run sees hundreds of cycles). With instant detection the
    // share of requests lost is its unavailability, MTTR / (MTBF + MTTR) =
    // 1/7; when nobody watches and a failure is noticed only after 2 s,
    // (2 + 1) / (6 + 2 + 1) = 1/3.
    let toml = |monitoring: &str| {
        format!(
            r#"
duration = "4000s"
warmup = "10s"
replications = 20
seed = 21
random_failures = true
[model]
entry = "web1"
[model.monitoring]
{monitoring}
[model.servers.web1]
reliability = {{ mtbf = "6s", mttr = "1s" }}
[model.servers.web1.app]
workers = 2
service = {{ dist = "exponential", mean = "2ms" }}
[workload]
kind = "open"
rate = 20
clients = 1
"#
        )
    };
    let watched = run_toml(
        &toml("enabled = true\nalert_delay = \"0s\""),
        "random-watched",
    );
    let lost: Vec<f64> = watched[0]
        .replications
        .iter()
        .map(|r| r.failed as f64 / r.requests() as f64)
        .collect();
    assert_mean("share lost, instant detection", &lost, 1.0 / 7.0);
    let unwatched = run_toml(
        &toml("enabled = false\nnotice_delay = \"2s\""),
        "random-unwatched",
    );
    let lost: Vec<f64> = unwatched[0]
        .replications
        .iter()
        .map(|r| r.failed as f64 / r.requests() as f64)
        .collect();
    assert_mean("share lost, noticed after 2 s", &lost, 1.0 / 3.0);
}

#[test]
fn timeout_server_answers_504_while_the_server_keeps_working() {
    // The app takes a constant 100 ms; lb1's `timeout server` is 50 ms: it
    // answers every request with a 504 (server_timeout) at 50 ms, yet the
    // server still does all the work — utilisation λ × 100 ms = 0.5.
    let toml = r#"
duration = "60s"
warmup = "5s"
replications = 3
seed = 14
[model.balancers.lb1]
backends = ["web1"]
timeout_server = "50ms"
[model.servers.web1.app]
workers = 1
service = "100ms"
[workload]
kind = "open"
rate = 5
clients = 1
"#;
    let res = run_toml(toml, "timeout-server");
    for r in &res[0].replications {
        assert_eq!(r.ok, 0);
        assert_eq!(failures(r, "server_timeout"), r.requests());
        let app = &r.stations[0];
        assert!((app.utilisation - 0.5).abs() < 0.05, "{app:?}");
    }
    // With a generous timeout nothing fails.
    let res = run_toml(
        &toml.replace("timeout_server = \"50ms\"", "timeout_server = \"10s\""),
        "timeout-server-ok",
    );
    assert!(res[0].replications.iter().all(|r| r.failed == 0));
}

#[test]
fn a_crashed_database_process_fails_its_queries_at_once() {
    // db1's MySQL process dies for 10 s; every request makes one read, so
    // every request of those 10 s fails at once with db_error: rate × 10 s.
    let toml = r#"
duration = "40s"
warmup = "5s"
replications = 20
seed = 17
[model]
entry = "web1"
[model.servers.web1]
reads_from = "db1"
writes_to = "db1"
[model.servers.web1.app]
workers = 8
service = { dist = "exponential", mean = "2ms" }
[model.databases.db1]
host = "web1"
role = "primary"
read = { dist = "exponential", mean = "1ms" }
write = { dist = "exponential", mean = "1ms" }
[workload]
kind = "open"
rate = 200
clients = 1
classes = [{ name = "page", probability = 1.0, reads = 1 }]
[[faults]]
at = "20s"
target = "db1"
kind = "crash"
mode = "process"
duration = "10s"
"#;
    let res = run_toml(toml, "db-crash");
    let ratios: Vec<f64> = res[0]
        .replications
        .iter()
        .map(|r| failures(r, "db_error") as f64 / (200.0 * 10.0))
        .collect();
    assert_mean("db_error / (rate × outage)", &ratios, 1.0);
}
