//! `stacksim availability` against closed forms and itself:
//! - with `--no-detection`, the simulated availability's 95% CI contains
//!   the analytic figure (and the CI is tight: half width ≤ 10% of 1 − A)
//!   for a single server, the seed model, the seed with a keepalived pair
//!   (plus the expected cost of the takeover gaps) and a read-only seed
//!   (a true series/parallel diagram, so the enumeration equals the RBD);
//! - a VRRP master failure costs E[min(gap, downtime)] when the gap is long;
//! - detection: without monitoring (notice 4 h) a component is down longer
//!   than with it (alert 5 min) by failures/year × (notice − alert);
//! - the same seed gives the same bytes; bad settings exit 2.

use super::common::TempDir;
use stacksim::analytic::rbd::Block;
use std::path::Path;
use std::process::{Command, Output};

const MIN_PER_YEAR: f64 = 525_960.0;

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

fn stacksim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .output()
        .expect("run stacksim")
}

/// One row of `availability.csv`.
#[derive(Debug)]
struct Row {
    scenario: String,
    availability: f64,
    ci95: f64,
    analytic: f64,
}

impl Row {
    fn unavailability(&self) -> f64 {
        1.0 - self.availability
    }
}

/// Runs `stacksim availability FILE --out <tmp> ARGS…`, asserts success and
/// returns the rows of `availability.csv` and the components' file text.
fn availability(file: &str, args: &[&str]) -> (Vec<Row>, String) {
    let out = TempDir::new("out");
    let o = out.path().to_str().unwrap();
    let mut all = vec!["availability", file, "--out", o];
    all.extend(args);
    let res = stacksim(&all);
    assert_eq!(
        res.status.code(),
        Some(0),
        "stacksim {}\nstderr: {}",
        all.join(" "),
        String::from_utf8_lossy(&res.stderr)
    );
    let text = std::fs::read_to_string(out.path().join("availability.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,replications,years,availability,availability_ci95,nines,downtime_min_per_year,analytic_availability,analytic_downtime_min_per_year"
    );
    let rows = lines
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            let num = |i: usize| v[i].parse::<f64>().unwrap_or(f64::NAN);
            Row {
                scenario: v[0].to_string(),
                availability: num(3),
                ci95: num(4),
                analytic: num(7),
            }
        })
        .collect();
    let comps = std::fs::read_to_string(out.path().join("availability_components.csv")).unwrap();
    (rows, comps)
}

/// The CI contains `expected` and is tight (half width ≤ 10% of 1 − A).
fn assert_ci(row: &Row, expected: f64) {
    assert!(
        (row.availability - expected).abs() <= row.ci95,
        "{}: simulated {} ± {} does not contain {expected}",
        row.scenario,
        row.availability,
        row.ci95
    );
    assert!(
        row.ci95 <= 0.1 * (1.0 - expected),
        "{}: half width {} is not ≤ 10% of 1 − A = {}",
        row.scenario,
        row.ci95,
        1.0 - expected
    );
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

/// One server, no balancer, no database.
const SINGLE: &str = r#"
name = "one"
[monitoring]
alert_delay = "5m"
notice_delay = "4h"
[servers.web1]
reliability = { mtbf = "1000h", mttr = "10h" }
[servers.web1.app]
workers = 1
service = { dist = "exponential", mean = "10ms" }
"#;

#[test]
fn single_server_matches_mtbf_over_mtbf_plus_mttr() {
    let dir = TempDir::new("single");
    let model = dir.write("one.toml", SINGLE);
    let (rows, comps) = availability(&model, &["--no-detection"]);
    let expected = Block::component("web1", 1000.0, 10.0).availability();
    close(rows[0].analytic, expected, 1e-9, "analytic");
    assert_ci(&rows[0], expected);
    // 8766 h / 1010 h per cycle = 8.68 failures a year; web1 is down whenever the site is.
    let line = comps.lines().nth(1).unwrap();
    let v: Vec<&str> = line.split(',').collect();
    assert_eq!(v[1], "web1");
    close(
        v[2].parse().unwrap(),
        8766.0 / 1010.0,
        0.15,
        "failures/year",
    );
    assert_eq!(v[3], "1.000000");
}

#[test]
fn seed_model_matches_enumeration_and_series_rbd() {
    // Writes go to db1 on web1, so the seed is up iff lb1, web1 and db1 are.
    let (rows, _) = availability(&repo("models/seed.toml"), &["--no-detection"]);
    let rbd = Block::Series(vec![
        Block::component("lb1", 8760.0, 1.0),
        Block::component("web1", 4380.0, 2.0),
        Block::component("db1", 8760.0, 1.0),
    ]);
    close(
        rows[0].analytic,
        rbd.availability(),
        1e-9,
        "analytic vs RBD",
    );
    assert_ci(&rows[0], rbd.availability());
    // With detection (4 h: no monitoring) every repair takes 4 h longer.
    let (rows, _) = availability(&repo("models/seed.toml"), &[]);
    let rbd = Block::Series(vec![
        Block::component("lb1", 8760.0, 5.0),
        Block::component("web1", 4380.0, 6.0),
        Block::component("db1", 8760.0, 5.0),
    ]);
    close(
        rows[0].analytic,
        rbd.availability(),
        1e-9,
        "analytic vs RBD",
    );
    assert_ci(&rows[0], rbd.availability());
}

/// The seed's workload without writes (and an experiment around the seed).
fn seed_experiment(dir: &TempDir, classes: &str, scenarios: &str) -> String {
    let text = format!(
        r#"
model = "{}"
duration = "10s"
seed = 3
[workload]
kind = "open"
rate = 100
{classes}
{scenarios}
"#,
        repo("models/seed.toml")
    );
    dir.write("exp.toml", &text)
}

#[test]
fn read_only_seed_is_a_series_parallel_diagram() {
    let dir = TempDir::new("reads");
    let exp = seed_experiment(
        &dir,
        "[[workload.classes]]\nname = \"page\"\nprobability = 1.0\nreads = 3\n",
        "",
    );
    let (rows, _) = availability(&exp, &["--no-detection"]);
    let rbd = Block::Series(vec![
        Block::component("lb1", 8760.0, 1.0),
        Block::Parallel(vec![
            Block::Series(vec![
                Block::component("web1", 4380.0, 2.0),
                Block::component("db1", 8760.0, 1.0),
            ]),
            Block::Series(vec![
                Block::component("web2", 4380.0, 2.0),
                Block::component("db2", 8760.0, 1.0),
            ]),
        ]),
    ]);
    close(
        rows[0].analytic,
        rbd.availability(),
        1e-9,
        "analytic vs RBD",
    );
    // lb1 is almost all of the downtime: the CI is still ≤ 10% of it.
    assert_ci(&rows[0], rbd.availability());
}

const LB2: &str = r#"{ threads = 2, overhead = "50us", backends = ["web1", "web2"], check = {}, reliability = { mtbf = "8760h", mttr = "1h" } }"#;

#[test]
fn keepalived_pair_matches_parallel_balancers_plus_gaps() {
    let dir = TempDir::new("pair");
    let exp = seed_experiment(
        &dir,
        "[[workload.classes]]\nname = \"update\"\nprobability = 1.0\nreads = 1\nwrites = 1\n",
        &format!(
            "[[scenarios]]\nname = \"pair\"\nset = {{ \"balancers.lb2\" = {LB2}, \"balancers.lb1.vrrp\" = {{ backup = \"lb2\" }} }}\n"
        ),
    );
    let (rows, _) = availability(&exp, &["--no-detection", "--replications", "20"]);
    let rbd = Block::Series(vec![
        Block::Parallel(vec![
            Block::component("lb1", 8760.0, 1.0),
            Block::component("lb2", 8760.0, 1.0),
        ]),
        Block::component("web1", 4380.0, 2.0),
        Block::component("db1", 8760.0, 1.0),
    ]);
    close(
        rows[0].analytic,
        rbd.availability(),
        1e-9,
        "analytic vs RBD",
    );
    // Each lb1 failure (1 a year) costs the master-down interval 3.61 s.
    let gap_h = (3.0 + 156.0 / 256.0) / 3600.0;
    let gap_share = gap_h / 8761.0;
    assert_ci(&rows[0], rbd.availability() - gap_share);
}

#[test]
fn long_vrrp_gap_costs_the_shorter_of_gap_and_downtime() {
    // lb1 fails every 10 h for Exp(1 h); lb2 and web1 never fail. The
    // takeover takes 3 × 20 min + 1/256 s ≈ 1 h, so each failure costs
    // E[min(G, D)] = MTTR·(1 − e^(−G/MTTR)) and U = that / (MTBF + MTTR).
    let dir = TempDir::new("gap");
    let model = dir.write(
        "gap.toml",
        r#"
name = "gap"
[dns]
record = "x"
ttl = "60s"
resolver_latency = { dist = "constant", value = "1ms" }
addresses = ["lb1"]
[balancers.lb1]
backends = ["web1"]
reliability = { mtbf = "10h", mttr = "1h" }
vrrp = { backup = "lb2", advert_int = "20m", backup_priority = 255 }
[balancers.lb2]
backends = ["web1"]
[servers.web1.app]
workers = 1
service = { dist = "exponential", mean = "10ms" }
"#,
    );
    let (rows, _) = availability(&model, &["--no-detection"]);
    close(rows[0].analytic, 1.0, 0.0, "analytic ignores the gap");
    let g: f64 = 1.0 + 1.0 / 256.0 / 3600.0;
    let u = (1.0 - (-g).exp()) / 11.0;
    assert_ci(&rows[0], 1.0 - u);
}

#[test]
fn detection_costs_failures_per_year_times_the_delay() {
    let dir = TempDir::new("detect");
    let model = dir.write("one.toml", SINGLE);
    let (notice, _) = availability(&model, &[]);
    let (alert, _) = availability(&model, &["--set", "monitoring.enabled=true"]);
    let (notice, alert) = (&notice[0], &alert[0]);
    // Exact: U = (detection + MTTR)/(MTBF + detection + MTTR).
    let u = |det_h: f64| (det_h + 10.0) / (1000.0 + det_h + 10.0);
    assert_ci(notice, 1.0 - u(4.0));
    assert_ci(alert, 1.0 - u(5.0 / 60.0));
    // About failures/year × (notice − alert): 8.7/year × 3 h 55 min.
    let per_year = 8766.0 / 1010.0;
    let approx_min = per_year * (240.0 - 5.0);
    let exact_min = (u(4.0) - u(5.0 / 60.0)) * MIN_PER_YEAR;
    assert!(
        (approx_min - exact_min).abs() < 0.02 * exact_min,
        "{approx_min} vs {exact_min}"
    );
    let diff_min = (notice.unavailability() - alert.unavailability()) * MIN_PER_YEAR;
    let hw_min = (notice.ci95.powi(2) + alert.ci95.powi(2)).sqrt() * MIN_PER_YEAR;
    assert!(
        (diff_min - exact_min).abs() <= hw_min,
        "monitoring saves {diff_min} ± {hw_min} min/year, expected {exact_min}"
    );
}

#[test]
fn same_seed_same_bytes_and_bad_settings_exit_2() {
    let exp = repo("experiments/seed-limitations.toml");
    let run = |seed: &str| {
        let out = TempDir::new("det");
        let o = out.path().to_str().unwrap();
        let res = stacksim(&["availability", &exp, "--out", o, "--seed", seed]);
        assert_eq!(res.status.code(), Some(0));
        let stdout = String::from_utf8(res.stdout).unwrap();
        // The first line has the wall time; the rest is the table.
        let table: String = stdout
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("wrote"))
            .collect();
        let a = std::fs::read(out.path().join("availability.csv")).unwrap();
        let c = std::fs::read(out.path().join("availability_components.csv")).unwrap();
        (table, a, c)
    };
    let first = run("5");
    assert_eq!(first, run("5"));
    assert_ne!(first.1, run("6").1);
    // Scenarios in the experiment's order, one row each.
    let text = String::from_utf8(first.1).unwrap();
    let names: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "seed",
            "monitoring",
            "keepalived-pair",
            "both",
            "db-failover",
            "all"
        ]
    );
    for bad in [
        ["--years", "0"],
        ["--years", "501"],
        ["--replications", "0"],
    ] {
        let out = TempDir::new("bad");
        let o = out.path().to_str().unwrap();
        let res = stacksim(&["availability", &exp, "--out", o, bad[0], bad[1]]);
        assert_eq!(res.status.code(), Some(2), "{bad:?}");
        assert!(!out.path().join("availability.csv").exists());
    }
}
