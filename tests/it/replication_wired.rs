//! Replication through the whole stack (`World` driving the replication
//! sets of `database/`), against computed expectations: requests arrive,
//! the app writes to the primary and reads from the replica, and the
//! measures come back in `ReplicationResult::repl_sets`.
//!
//! The model is built so that theory applies exactly: one server with
//! plenty of app workers and database connections (no queueing), constant
//! service times and no network inside the site, so a Poisson stream of
//! requests gives Poisson commits on the primary and Poisson reads on the
//! replica, shifted by constants. Theory tests compare a mean over
//! replications with a closed form inside a 99% Student-t interval.

use super::common::TempDir;
use stacksim::input::Overrides;
use stacksim::stack::{ReplSetResult, ReplicationResult};
use stacksim::stats::{Estimate, t_quantile};
use std::process::Command;

const CONFIDENCE: f64 = 0.99;

/// A site of one server whose app reads from `db2` (a replica of `db1`)
/// and writes to `db1`; `primary` and `replica` are extra lines for each
/// database's table.
pub(super) fn model(primary: &str, replica: &str) -> String {
    format!(
        r#"[model]
name = "wired"
[model.dns]
record = "x"
ttl = "1h"
resolver_latency = "1ms"
addresses = ["web1"]
[model.servers.web1]
reads_from = "db2"
writes_to = "db1"
[model.servers.web1.app]
workers = 2000
service = "1ms"
[model.databases.db1]
role = "primary"
connections = 2000
read = "1ms"
write = "1ms"
{primary}
[model.databases.db2]
role = "replica"
source = "db1"
connections = 2000
read = "1ms"
{replica}
"#
    )
}

/// An experiment: `rate` requests/s, a share `write_share` of which make
/// one write (the others one read), run `duration` after a 10 s warm-up.
pub(super) fn experiment(
    model: &str,
    rate: f64,
    write_share: f64,
    duration_s: u32,
    reps: u32,
    extra: &str,
) -> String {
    format!(
        r#"name = "wired"
duration = "{d}s"
warmup = "10s"
replications = {reps}
seed = 7
window = "1s"
{extra}
[workload]
kind = "open"
rate = {rate}
clients = 100000
{reads}[[workload.classes]]
name = "write"
probability = {write_share}
writes = 1
{model}"#,
        d = duration_s + 10,
        reads = if write_share < 1.0 {
            format!(
                "[[workload.classes]]\nname = \"read\"\nprobability = {}\nreads = 1\n",
                1.0 - write_share
            )
        } else {
            String::new()
        },
    )
}

pub(super) fn run(toml: &str, tag: &str) -> Vec<ReplicationResult> {
    let dir = TempDir::new(tag);
    let path = dir.write("wired.toml", toml);
    let exp = stacksim::input::load_experiment(std::path::Path::new(&path), &Overrides::default())
        .unwrap_or_else(|e| panic!("{tag}: the experiment does not load: {e}"));
    let mut results = stacksim::experiment::run(&exp, None, &|| {}).expect("run");
    results.remove(0).replications
}

pub(super) fn set(r: &ReplicationResult) -> &ReplSetResult {
    &r.repl_sets[0]
}

/// Asserts that `theory` lies in the 99% t interval of the mean of `samples`.
pub(super) fn assert_in_ci(what: &str, samples: &[f64], theory: f64) {
    let e = Estimate::from_samples(samples);
    let half =
        t_quantile(0.5 + CONFIDENCE / 2.0, (e.n - 1) as u64) * e.std_dev / (e.n as f64).sqrt();
    let report = format!(
        "{what}: simulated {:.6} ± {:.6} (99% t, {} replications), theory {:.6}",
        e.mean, half, e.n, theory
    );
    eprintln!("{report}");
    assert!(
        half.is_finite() && (e.mean - theory).abs() <= half,
        "{report}: outside the interval"
    );
}

/// One key, Poisson commits at λ, every write visible on the replica a
/// constant L after its commit (binlog delay L, apply 0): a read at t is
/// stale iff a commit fell in (t − L, t], so the stale share of the
/// (Poisson) reads is 1 − e^(−λL).
#[test]
fn stale_share_through_the_stack_is_one_minus_exp_minus_lambda_l() {
    let (rate, write_share, lag_s) = (20.0, 0.1, 0.5);
    let m = model("keys = 1", "source_latency = \"500ms\"\napply = \"0s\"");
    let reps = run(&experiment(&m, rate, write_share, 300, 16, ""), "stale");
    let shares: Vec<f64> = reps
        .iter()
        .map(|r| set(r).stale_reads as f64 / set(r).reads as f64)
        .collect();
    let lambda = rate * write_share;
    assert_in_ci("stale share", &shares, 1.0 - (-lambda * lag_s).exp());
}

/// The slope of `Seconds_Behind_Source` over the measured windows (s/s),
/// from the first and last thirds' means.
fn lag_slope(r: &ReplicationResult) -> f64 {
    let w: Vec<_> = set(r).windows.iter().filter(|w| w.t_s >= 10.0).collect();
    let third = w.len() / 3;
    let mean = |ws: &[&stacksim::stack::ReplWindowRow]| {
        let n = ws.len() as f64;
        (
            ws.iter().map(|x| x.t_s).sum::<f64>() / n,
            ws.iter().map(|x| x.lag_mean_s).sum::<f64>() / n,
        )
    };
    let (t1, l1) = mean(&w[..third]);
    let (t2, l2) = mean(&w[w.len() - third..]);
    (l2 - l1) / (t2 - t1)
}

/// Four applier workers at μ = 250 events/s each (constant 4 ms), many
/// keys: below their capacity (λ = 600/s) the lag does not grow; above it
/// (λ = 1200/s) the oldest unapplied event ages at 1 − cμ/λ s/s, the relay
/// log growing at λ − cμ events/s.
#[test]
fn lag_is_bounded_below_applier_capacity_and_grows_linearly_above() {
    let m = model(
        "keys = 100000",
        "apply = \"4ms\"\nparallel_workers = 4\nsource_latency = \"1ms\"",
    );
    for (lambda, theory) in [(600.0, 0.0), (1200.0, 1.0 - 1000.0 / 1200.0)] {
        let reps = run(&experiment(&m, lambda, 1.0, 30, 8, ""), "capacity");
        let slopes: Vec<f64> = reps.iter().map(lag_slope).collect();
        if theory == 0.0 {
            // Bounded: the mean lag stays below one apply time plus the
            // binlog delay's worth of queueing, far from growing.
            for r in &reps {
                assert!(
                    set(r).lag.max_s < 0.2,
                    "lag {:?} at λ = {lambda}",
                    set(r).lag
                );
            }
        }
        assert_in_ci(&format!("lag slope at λ = {lambda}/s"), &slopes, theory);
    }
}

/// Semi-sync with a constant binlog delay d: each commit waits for the
/// replica's receipt and its acknowledgement, 2d, and a write request's
/// latency grows by exactly that (the app worker and the connection are
/// held meanwhile). Without fallback (d ≪ timeout) none is timed out.
#[test]
fn semi_sync_adds_the_round_trip_to_every_write() {
    let d_ms = 5.0;
    let link = format!("source_latency = \"{d_ms}ms\"\napply = \"1ms\"");
    let lat = |semi: &str, tag| {
        let reps = run(&experiment(&model(semi, &link), 50.0, 1.0, 20, 4, ""), tag);
        let mean_ms = |r: &ReplicationResult| r.latency.mean() / 1e6;
        (reps.iter().map(mean_ms).collect::<Vec<_>>(), reps)
    };
    let (async_ms, _) = lat("", "async");
    let (semi_ms, reps) = lat("semi_sync = {}", "semi");
    for r in &reps {
        let s = set(r);
        assert_eq!(s.semi_sync_fallbacks, 0);
        // The histogram's relative error is at most 0.39%.
        assert!(
            (s.write_wait_mean_ms - 2.0 * d_ms).abs() < 0.01 * 2.0 * d_ms,
            "{s:?}"
        );
    }
    let diff: Vec<f64> = semi_ms.iter().zip(&async_ms).map(|(s, a)| s - a).collect();
    // Every request writes once: the difference is 2d exactly.
    for x in &diff {
        assert!((x - 2.0 * d_ms).abs() < 0.01 * 2.0 * d_ms, "{diff:?}");
    }
}

/// The same experiment gives the same replication CSVs run after run and
/// whatever the number of threads.
#[test]
fn replication_outputs_are_deterministic_across_threads() {
    let dir = TempDir::new("repl-threads");
    let fault = "[[faults]]\nat = \"15s\"\ntarget = \"db1\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"5s\"";
    let m = model(
        "keys = 50\nsemi_sync = { timeout = \"1s\" }\nfailover = { policy = \"mha\" }",
        "",
    );
    let path = dir.write("det.toml", &experiment(&m, 200.0, 0.3, 20, 4, fault));
    let out = |t: &str| {
        let o = dir.path().join(format!("out{t}"));
        let st = Command::new(env!("CARGO_BIN_EXE_stacksim"))
            .args([
                "run",
                &path,
                "--quiet",
                "--no-charts",
                "--threads",
                t,
                "--out",
            ])
            .arg(&o)
            .status()
            .expect("run stacksim");
        assert!(st.success());
        [
            "replication.csv",
            "replication_over_time.csv",
            "summary.csv",
            "timeline.csv",
        ]
        .map(|f| std::fs::read(o.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
    };
    let (one, two, again) = (out("1"), out("2"), out("2"));
    assert_eq!(one, two, "--threads 1 and 2 differ");
    assert_eq!(two, again, "two runs differ");
}
