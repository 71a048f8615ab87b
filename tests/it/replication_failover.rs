//! Replication's failures through the whole stack and in `stacksim
//! availability`, against computed expectations: writes lost in a
//! failover, a dead replica's reads, orchestrator's block, a lag that is
//! NULL (no sample) while the primary is down, and failover counted in
//! long-run availability. The model and helpers are
//! `replication_wired`'s.

use super::common::{TempDir, run_quietly};
use super::replication_wired::{assert_in_ci, experiment, model, run, set};
use std::process::Command;

/// The primary dies at t = 40 s; orchestrator promotes the replica. With
/// asynchronous replication and a binlog delay L, the writes lost are
/// those committed in the last L before the death (not yet received):
/// Poisson with mean λL. Under semi-sync (no fallback before the death)
/// no acknowledged write is lost.
#[test]
fn failover_loses_the_writes_the_replica_had_not_received() {
    let (lambda, l_s) = (100.0, 0.05);
    let fault = r#"[[faults]]
at = "40s"
target = "db1"
kind = "crash"
mode = "process""#;
    let link = "source_latency = \"50ms\"\napply = \"1ms\"";
    let policy = "failover = { policy = \"orchestrator\" }";
    let exp = |semi: &str| {
        experiment(
            &model(&format!("{policy}\n{semi}"), link),
            lambda,
            1.0,
            50,
            20,
            fault,
        )
    };
    let reps = run(&exp(""), "lost-async");
    let lost: Vec<f64> = reps.iter().map(|r| set(r).lost_writes as f64).collect();
    for r in &reps {
        let s = set(r);
        assert_eq!(s.failovers, 1, "{s:?}");
        // Asynchronous: every lost write had been acknowledged.
        assert_eq!(s.lost_acknowledged, s.lost_writes);
        assert!(s.read_only_s >= 8.0 && s.read_only_s <= 18.0, "{s:?}");
    }
    assert_in_ci("lost writes (async)", &lost, lambda * l_s);
    for r in &run(&exp("semi_sync = {}"), "lost-semi") {
        let s = set(r);
        assert_eq!((s.failovers, s.lost_acknowledged), (1, 0), "{s:?}");
    }
}

/// `stacksim availability` with a replication set: writes only, two
/// databases on hosts of their own, each failing at MTBF 1000 h with MTTR
/// 1 h (no detection), u = MTTR/(MTBF + MTTR). Each failure of the current
/// primary while the other database answers costs the failover delay or
/// the repair, whichever is shorter, and both down costs their overlap:
/// U = u² + (1 − u)·E[min(R, D)]/(MTBF + MTTR), R ~ Exp(MTTR). Manual
/// (decision D = 1 h): E[min(R, D)] = MTTR(1 − e^(−D/MTTR)); orchestrator
/// (D = 2.5 + 8 + 5 = 15.5 s ≪ MTTR): ≈ D.
#[test]
fn availability_counts_failover_instead_of_the_repair() {
    let dir = TempDir::new("repl-availability");
    let db = |extra: &str| format!("reliability = {{ mtbf = \"1000h\", mttr = \"1h\" }}\n{extra}");
    let exp = experiment(
        &model(&db(""), &db("")),
        10.0,
        1.0,
        10,
        20,
        "[[scenarios]]\nname = \"manual\"\nset = { \"databases.db1.failover\" = { policy = \"manual\" } }\n[[scenarios]]\nname = \"orchestrator\"\nset = { \"databases.db1.failover\" = { policy = \"orchestrator\" } }",
    );
    let path = dir.write("avail.toml", &exp);
    let out = dir.path().join("out");
    let st = Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args([
            "availability",
            &path,
            "--years",
            "500",
            "--no-detection",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run stacksim");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let text = std::fs::read_to_string(out.join("availability.csv")).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let u_of = |r: &[String]| -> (f64, f64) {
        (
            1.0 - r[3].parse::<f64>().unwrap(),
            r[4].parse::<f64>().unwrap(),
        )
    };
    let (mtbf_s, mttr_s, d_s) = (1000.0 * 3600.0, 3600.0, 15.5);
    let u = mttr_s / (mtbf_s + mttr_s);
    let cost = |min_r_d: f64| u * u + (1.0 - u) * min_r_d / (mtbf_s + mttr_s);
    let manual = mttr_s * (1.0 - (-3600.0f64 / mttr_s).exp());
    let orchestrator = mttr_s * (1.0 - (-d_s / mttr_s).exp());
    for (row, theory) in [(&rows[0], cost(manual)), (&rows[1], cost(orchestrator))] {
        let (sim, half) = u_of(row);
        eprintln!(
            "{}: U simulated {sim:.3e} ± {half:.1e}, theory {theory:.3e}",
            row[0]
        );
        assert!(
            (sim - theory).abs() <= half,
            "{}: {sim} ± {half} vs {theory}",
            row[0]
        );
    }
}

/// A replica dies at t = 20 s for 10 s. Reads routed `replicas` move to
/// the other replica (only those in service at the crash fail); reads
/// routed `local` to it fail
/// (refused) while it is down: about the read rate × 10 s of them.
#[test]
fn a_dead_replica_fails_local_reads_and_moves_replica_reads() {
    let two = |routing: &str| {
        let m = model("", "").replace(
            "reads_from = \"db2\"",
            &format!("reads_from = \"db2\"\nread_routing = \"{routing}\""),
        ) + "[model.databases.db3]\nrole = \"replica\"\nsource = \"db1\"\nconnections = 2000\nread = \"1ms\"\n";
        let fault = "[[faults]]\nat = \"20s\"\ntarget = \"db2\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"10s\"";
        run(&experiment(&m, 100.0, 0.2, 30, 12, fault), routing)
    };
    // Only the reads in service on db2 when it dies fail: 40 reads/s ×
    // 1 ms = 0.04 per replication, 0.48 over 12 (P(more than 5) ≈ 1e-5).
    let moved = two("replicas");
    let failed: u64 = moved.iter().map(|r| r.failed).sum();
    assert!(failed <= 5, "{failed} failed reads");
    assert!(moved.iter().all(|r| set(r).reads > 0));
    let failed: Vec<f64> = two("local").iter().map(|r| r.failed as f64).collect();
    // Reads at 80/s for 10 s: Poisson with mean 800 per replication.
    assert_in_ci("failed local reads", &failed, 800.0);
}

/// orchestrator fails over once, then blocks automatic failover on the
/// cluster for an hour: db1 dies at 20 s (back as a replica at 50 s), db2
/// — now the primary — at 60 s. The first failover takes half a poll +
/// confirmation + recovery on average (2.5 + 8 + 5 s); the second waits
/// for a person (4 h without monitoring), past the run's end at 90 s.
#[test]
fn orchestrator_blocks_a_second_failover_for_an_hour() {
    let faults = "[[faults]]\nat = \"20s\"\ntarget = \"db1\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"30s\"\n[[faults]]\nat = \"60s\"\ntarget = \"db2\"\nkind = \"crash\"\nmode = \"process\"";
    let m = model("failover = { policy = \"orchestrator\" }", "");
    let reps = run(&experiment(&m, 50.0, 0.5, 80, 12, faults), "block");
    for r in &reps {
        assert_eq!(set(r).failovers, 1, "{:?}", set(r));
    }
    let read_only: Vec<f64> = reps.iter().map(|r| set(r).read_only_s).collect();
    assert_in_ci("time without a primary (s)", &read_only, 15.5 + 30.0);
}

/// While the primary is down, MySQL reports a replica's
/// `Seconds_Behind_Source` as NULL once its relay log is applied (its I/O
/// thread has no source), and stacksim leaves such samples out: an empty
/// cell in `replication_over_time.csv`, not 0. db1 dies at t = 20 s and
/// restarts at 30 s (no failover policy: it takes writes again); db2's I/O
/// thread retries every 4 s (`connect_retry`) from the death — 24, 28,
/// 32 s — so it reconnects at 32 s and fetches what it missed. db2 applies
/// 1 ms events on 4 workers, 4,000/s, against 50 writes/s arriving with no
/// delay: when db1 dies its relay log holds the few events of the last
/// millisecond or so, applied well within the crash's own window. So, in
/// every replication, each window wholly before the crash has a lag, each
/// window from 21 s to 31 s none (the primary back at 30 s changes
/// nothing until the retry), and each window wholly after the reconnection
/// one again; and the lag chart breaks there instead of drawing zeros.
#[test]
fn lag_is_null_not_zero_while_the_primary_is_down() {
    let dir = TempDir::new("repl-null-lag");
    let fault = "[[faults]]\nat = \"20s\"\ntarget = \"db1\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"10s\"";
    let replica = "apply = \"1ms\"\nconnect_retry = \"4s\"";
    let exp = experiment(&model("", replica), 100.0, 0.5, 30, 4, fault);
    let out = run_quietly(&dir, "null-lag.toml", &exp);
    let text = std::fs::read_to_string(out.join("replication_over_time.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (rep, t, lag) = (col("replication"), col("t_s"), col("lag_mean_s"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut seen = [0usize; 3];
    for row in &rows {
        let t_s: f64 = row[t].parse().unwrap();
        let expect_null = match t_s as u32 {
            0..=19 | 33..=39 => false,
            21..=31 => true,
            _ => continue, // the windows of the crash and of the reconnection
        };
        seen[usize::from(expect_null)] += 1;
        seen[2] += usize::from(row[lag].is_empty());
        assert_eq!(
            row[lag].is_empty(),
            expect_null,
            "replication {}, window at {t_s} s: lag `{}`",
            row[rep],
            row[lag]
        );
    }
    // 4 replications × (27 windows with a lag, 11 without).
    assert_eq!(seen, [4 * 27, 4 * 11, 4 * 11]);
    // The chart: one line before the outage and one after, for the one
    // scenario (in its colour, Okabe–Ito blue, 2 px wide: the legend's sample is wider).
    let svg = std::fs::read_to_string(out.join("replication-lag.svg")).unwrap();
    let lines = svg.matches("stroke=\"#0072B2\" stroke-width=\"2\"");
    assert_eq!(lines.count(), 2, "the lag line is not broken at the outage");
    // Under it, the NULL strip: one bar in the scenario's colour per
    // window where no replication has a lag (21–31 s, and the crash's or
    // the reconnection's window if it is NULL in all four).
    let mut null_in: std::collections::BTreeMap<&str, bool> = Default::default();
    for row in &rows {
        *null_in.entry(row[t]).or_insert(true) &= row[lag].is_empty();
    }
    let all_null = null_in.values().filter(|&&v| v).count();
    assert!(
        (11..=13).contains(&all_null),
        "{all_null} windows NULL in every replication"
    );
    let bars = (svg.split("<rect").skip(1))
        .filter(|r| {
            r.split('>')
                .next()
                .unwrap_or("")
                .contains("fill=\"#0072B2\"")
        })
        .count();
    assert_eq!(bars, all_null, "one NULL bar per window without a lag");
}
