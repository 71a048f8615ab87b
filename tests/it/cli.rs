//! The command line as a user runs it: `stacksim run` on the bundled seed
//! experiment (shortened to 20 s of simulated time, 5 s of warm-up) prints a
//! table and writes the five CSVs with their documented columns; `--set`
//! changes what is simulated; `check` prints the offered load of every
//! station and the topology as mermaid; `--help` works; and writing twice
//! into the same folder leaves no temporary files behind.

use super::common::TempDir;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shortening every run here uses.
const SHORT: [&str; 4] = ["--set", "duration=\"20s\"", "--set", "warmup=\"5s\""];
const DURATION_S: f64 = 20.0;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn stacksim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .output()
        .expect("run stacksim")
}

/// Runs and asserts exit code 0; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = stacksim(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stacksim {}\nstderr: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

/// Runs the seed experiment, shortened, into `out`, with extra arguments.
fn run_seed(out: &Path, extra: &[&str]) -> String {
    let exp = repo("experiments/seed.toml");
    let exp = exp.to_str().unwrap();
    let out = out.to_str().unwrap();
    let mut args = vec!["run", exp, "--out", out];
    args.extend(SHORT);
    args.extend(extra);
    ok(&args)
}

/// A CSV file as a header and rows of fields (no field here holds a comma).
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Csv {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut lines = text.lines();
        let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
        let header = split(lines.next().expect("a header row"));
        let rows: Vec<Vec<String>> = lines.map(split).collect();
        for r in &rows {
            assert_eq!(
                r.len(),
                header.len(),
                "{}: ragged row {r:?}",
                path.display()
            );
        }
        Csv { header, rows }
    }
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.header))
    }
    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }
    fn num(&self, row: &[String], name: &str) -> f64 {
        let v = self.get(row, name);
        v.parse()
            .unwrap_or_else(|_| panic!("`{name}` = {v:?} is not a number"))
    }
}

/// Scenario names of an experiment file: the `name` after each `[[scenarios]]`.
fn scenario_names(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut names = vec![];
    let mut in_scenario = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_scenario = line == "[[scenarios]]";
        } else if in_scenario && let Some(rest) = line.strip_prefix("name") {
            let value = rest.trim_start().trim_start_matches('=').trim();
            names.push(value.trim_matches('"').to_string());
            in_scenario = false;
        }
    }
    names
}

const CSVS: [&str; 6] = [
    "summary.csv",
    "replications.csv",
    "stations.csv",
    "failures.csv",
    "timeseries.csv",
    "timeline.csv",
];

#[test]
fn run_seed_prints_a_table_and_writes_the_csvs() {
    let dir = TempDir::new("seed");
    let out = dir.path().join("out");
    let stdout = run_seed(&out, &["--replications", "2"]);
    let names = scenario_names(&repo("experiments/seed.toml"));
    assert!(names.contains(&"base".to_string()), "{names:?}");
    assert!(names.contains(&"peak-650rps".to_string()), "{names:?}");
    for n in &names {
        assert!(
            stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(n)),
            "no table row for scenario `{n}`:\n{stdout}"
        );
    }
    for f in CSVS {
        assert!(out.join(f).is_file(), "{f} was not written");
        let stem = f.trim_end_matches(".csv");
        assert!(
            stdout.contains(&format!("{{{stem},")) || stdout.contains(&format!(",{stem},")),
            "stdout does not mention {f}:\n{stdout}"
        );
    }

    let required: [(&str, &[&str]); 5] = [
        (
            "summary.csv",
            &[
                "scenario",
                "replications",
                "requests",
                "ok",
                "failed",
                "availability",
                "throughput_rps",
                "mean_ms",
                "mean_ms_ci95",
                "p50_ms",
                "p90_ms",
                "p95_ms",
                "p99_ms",
                "p99_ms_ci95",
                "p999_ms",
                "max_ms",
            ],
        ),
        (
            "stations.csv",
            &[
                "scenario",
                "replication",
                "station",
                "utilisation",
                "mean_queue",
                "mean_wait_ms",
            ],
        ),
        (
            "timeseries.csv",
            &[
                "scenario",
                "replication",
                "t_s",
                "requests",
                "ok",
                "failed",
                "mean_ms",
                "p50_ms",
                "p99_ms",
            ],
        ),
        ("replications.csv", &["scenario", "replication", "seed"]),
        ("failures.csv", &["scenario", "replication"]),
    ];
    for (file, cols) in required {
        let csv = Csv::read(&out.join(file));
        for c in cols {
            assert!(
                csv.header.iter().any(|h| h == c),
                "{file} lacks column `{c}`: {:?}",
                csv.header
            );
        }
    }

    // One summary row per scenario, in the file's order, 2 replications each.
    let summary = Csv::read(&out.join("summary.csv"));
    let rows: Vec<&str> = summary
        .rows
        .iter()
        .map(|r| summary.get(r, "scenario"))
        .collect();
    assert_eq!(rows, names, "summary rows");
    for r in &summary.rows {
        assert_eq!(summary.get(r, "replications"), "2");
        let (req, ok, failed) = (
            summary.num(r, "requests"),
            summary.num(r, "ok"),
            summary.num(r, "failed"),
        );
        assert!(req > 0.0 && ok + failed == req, "{r:?}");
        let (p50, p99, max) = (
            summary.num(r, "p50_ms"),
            summary.num(r, "p99_ms"),
            summary.num(r, "max_ms"),
        );
        assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{r:?}");
    }

    // Replications: one row per scenario and replication. Within a scenario
    // each replication has its own seed; across scenarios replication i has
    // the same seed (common random numbers, for a fair comparison).
    let reps = Csv::read(&out.join("replications.csv"));
    assert_eq!(reps.rows.len(), names.len() * 2);
    let mut by_replication: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for r in &reps.rows {
        let s = reps.get(r, "seed");
        let seed = s
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("seed {s:?} is not a u64"));
        by_replication
            .entry(reps.get(r, "replication"))
            .or_default()
            .push(seed);
    }
    assert_eq!(by_replication.len(), 2, "replication numbers");
    let firsts: Vec<u64> = by_replication.values().map(|v| v[0]).collect();
    assert_ne!(firsts[0], firsts[1], "two replications share a seed");
    for (rep, seeds) in &by_replication {
        assert!(
            seeds.iter().all(|s| *s == seeds[0]),
            "replication {rep} has different seeds across scenarios: {seeds:?}"
        );
    }

    // Stations: utilisation in [0, 1] for every station of every replication.
    let st = Csv::read(&out.join("stations.csv"));
    assert!(!st.rows.is_empty());
    for r in &st.rows {
        let u = st.num(r, "utilisation");
        assert!((0.0..=1.0).contains(&u), "utilisation {u} in {r:?}");
    }

    // Time series: for each replication, windows 0, 1, 2, … s up to the duration.
    let ts = Csv::read(&out.join("timeseries.csv"));
    let mut windows: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for r in &ts.rows {
        windows
            .entry((
                ts.get(r, "scenario").into(),
                ts.get(r, "replication").into(),
            ))
            .or_default()
            .push(ts.num(r, "t_s"));
    }
    assert_eq!(
        windows.len(),
        names.len() * 2,
        "replications in timeseries.csv"
    );
    for (key, t) in &windows {
        assert_eq!(t.first(), Some(&0.0), "{key:?}: first window {t:?}");
        for pair in t.windows(2) {
            assert!(
                (pair[1] - pair[0] - 1.0).abs() < 1e-9,
                "{key:?}: windows not 1 s apart: {t:?}"
            );
        }
        let last = *t.last().unwrap();
        assert!(
            last < DURATION_S && last + 1.0 >= DURATION_S,
            "{key:?}: windows end at {last} s, the run lasts {DURATION_S} s"
        );
    }
}

#[test]
fn set_rate_changes_the_throughput() {
    for rate in [150.0, 300.0] {
        let dir = TempDir::new("rate");
        let out = dir.path().join("out");
        let set = format!("workload.rate={rate}");
        run_seed(&out, &["--replications", "4", "--quiet", "--set", &set]);
        let summary = Csv::read(&out.join("summary.csv"));
        assert!(!summary.rows.is_empty());
        for r in &summary.rows {
            let name = summary.get(r, "scenario");
            let (x, hw) = (
                summary.num(r, "throughput_rps"),
                summary.num(r, "throughput_rps_ci95"),
            );
            assert_eq!(
                summary.num(r, "failed"),
                0.0,
                "{name}: failures at low load"
            );
            assert!(
                (x - rate).abs() <= hw,
                "{name}: throughput {x} ± {hw} does not contain the offered {rate} req/s"
            );
            assert!(
                (x - rate).abs() <= 0.1 * rate,
                "{name}: throughput {x} is more than 10% from {rate}"
            );
        }
    }
}

#[test]
fn quiet_prints_nothing() {
    let dir = TempDir::new("quiet");
    let out = dir.path().join("out");
    let stdout = run_seed(&out, &["--replications", "1", "--quiet"]);
    assert_eq!(stdout, "");
    assert!(out.join("summary.csv").is_file());
}

#[test]
fn check_prints_every_station_with_its_load() {
    let exp = repo("experiments/seed.toml");
    let stdout = ok(&["check", exp.to_str().unwrap()]);
    assert!(stdout.contains("ok, 2 scenario(s)"), "{stdout}");
    let stations = [
        "lb1",
        "web1.nginx",
        "web1.app",
        "web2.nginx",
        "web2.app",
        "db1",
        "db2",
    ];
    // One load table per scenario, each with a header naming ρ.
    let headers: Vec<usize> = stdout
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("station") && l.contains('ρ'))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(headers.len(), 2, "load tables:\n{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    for &h in &headers {
        // The column of ρ in a row: header words before it, but `hold ms` is one column.
        let header: Vec<&str> = lines[h].split_whitespace().collect();
        let rho_at = header.iter().position(|c| *c == "ρ").expect("a ρ column");
        let rho_col = header[..rho_at].iter().filter(|w| **w != "ms").count();
        for s in stations {
            let row = lines[h + 1..]
                .iter()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with("warning"))
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|c| c.first() == Some(&s))
                .unwrap_or_else(|| panic!("no load row for {s}:\n{stdout}"));
            let rho: f64 = row[rho_col]
                .parse()
                .unwrap_or_else(|_| panic!("ρ of {s} is {:?}", row[rho_col]));
            assert!(
                rho > 0.0 && rho < 1.0,
                "{s}: ρ = {rho} (the seed is sized for ρ < 1)"
            );
        }
    }
}

#[test]
fn check_a_model_prints_its_topology() {
    let model = repo("models/seed.toml");
    let stdout = ok(&["check", model.to_str().unwrap()]);
    assert!(stdout.contains("model seed"), "{stdout}");
    for s in ["lb1", "web1", "web2", "db1", "db2"] {
        assert!(stdout.contains(s), "{s} missing:\n{stdout}");
    }
}

#[test]
fn mermaid_graph_of_the_seed() {
    let model = repo("models/seed.toml");
    let stdout = ok(&["check", "--mermaid", model.to_str().unwrap()]);
    assert_eq!(stdout.lines().next(), Some("graph LR"), "{stdout}");
    for node in ["lb1", "web1", "web2", "db1", "db2"] {
        assert!(stdout.contains(node), "{node} missing:\n{stdout}");
    }
    assert!(stdout.contains("lb1 --> web1"), "{stdout}");
    assert!(stdout.contains("lb1 --> web2"), "{stdout}");
    let replication = stdout
        .lines()
        .find(|l| l.contains("replication"))
        .unwrap_or_else(|| panic!("no replication edge:\n{stdout}"));
    let (from, to) = (
        replication.find("db1").expect("the primary"),
        replication.find("db2").expect("the replica"),
    );
    assert!(from < to, "replication goes db1 → db2: {replication}");

    // An experiment's graph is its (first scenario's) model's.
    let exp = repo("experiments/seed.toml");
    assert_eq!(ok(&["check", "--mermaid", exp.to_str().unwrap()]), stdout);
}

#[test]
fn help_exits_zero() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["check", "--help"],
        &["--version"],
    ] {
        let stdout = ok(args);
        assert!(!stdout.is_empty(), "{args:?} printed nothing");
    }
    let top = ok(&["--help"]);
    for word in ["Usage", "run", "check"] {
        assert!(top.contains(word), "{word} missing from --help:\n{top}");
    }
    let run = ok(&["run", "--help"]);
    for flag in ["--out", "--seed", "--replications", "--threads", "--set"] {
        assert!(run.contains(flag), "{flag} missing from run --help:\n{run}");
    }
    // A usage error is exit code 2.
    let out = stacksim(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rerun_into_the_same_folder_leaves_no_temporary_files() {
    let dir = TempDir::new("twice");
    let out = dir.path().join("out");
    run_seed(&out, &["--replications", "1", "--quiet", "--no-charts"]);
    let first = std::fs::read(out.join("summary.csv")).unwrap();
    run_seed(&out, &["--replications", "1", "--quiet", "--no-charts"]);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let leftovers: Vec<&String> = files.iter().filter(|f| f.contains(".tmp-")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        beside,
        vec!["out".to_string()],
        "staging folders left beside it"
    );
    // The run's CSVs and what a report needs (`--no-charts`: no chart, no report).
    let mut expected: Vec<String> = CSVS.iter().map(|s| s.to_string()).collect();
    expected.extend(
        [
            ".stacksim-results",
            "failures_over_time.csv",
            "experiment.csv",
            "model.csv",
            "percentiles.csv",
            // The seed replicates (db2 copies db1).
            "replication.csv",
            "replication_over_time.csv",
            "topology.svg",
        ]
        .map(String::from),
    );
    expected.sort();
    assert_eq!(files, expected);
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), first);
}

/// Starts `run` with `args`, sends SIGINT after `after_ms`, and waits: the
/// exit status, stdout and how long it took to stop.
fn interrupted_run(
    args: &[&str],
    out: &std::path::Path,
    after_ms: u64,
) -> (Option<i32>, String, f64) {
    let mut all = vec!["run"];
    all.extend(args);
    all.extend(["--out", out.to_str().expect("a UTF-8 temp path")]);
    super::common::interrupted(&all, after_ms)
}

#[test]
fn ctrl_c_before_any_scenario_finished_stops_at_once_and_leaves_nothing() {
    let dir = TempDir::new("sigint");
    let out = dir.path().join("out");
    let args = [
        "experiments/seed.toml",
        "--quiet",
        "--threads",
        "1",
        "--set",
        "duration=100h",
        "--set",
        "window=10s",
        "--replications",
        "1",
    ];
    let (code, _, took_s) = interrupted_run(&args, &out, 500);
    assert_eq!(code, Some(130), "interrupted, as a shell reports SIGINT");
    assert!(took_s < 5.0, "SIGINT must stop the run promptly");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn ctrl_c_keeps_the_finished_scenarios_marked_incomplete() {
    // "quick" takes milliseconds; "slow" (100 simulated hours) cannot finish.
    let dir = TempDir::new("sigint-keep");
    let exp = dir.write(
        "two.toml",
        &format!(
            "name = \"two\"\nmodel = {:?}\nduration = \"5s\"\nwarmup = \"0s\"\nwindow = \"10s\"\n\
             replications = 2\nseed = 1\n[workload]\nkind = \"open\"\nrate = 100\nclients = 100\n\
             [[scenarios]]\nname = \"quick\"\n[[scenarios]]\nname = \"slow\"\nset = {{ duration = \"100h\" }}\n",
            repo("models/seed.toml").to_str().unwrap()
        ),
    );
    let out = dir.path().join("out");
    let (code, stdout, took_s) = interrupted_run(&[&exp, "--threads", "1"], &out, 1500);
    assert_eq!(code, Some(130), "{stdout}");
    assert!(took_s < 5.0, "SIGINT must stop the run promptly");
    let note = "INCOMPLETE: interrupted (Ctrl-C) after 1 of 2 scenarios";
    assert!(stdout.contains(note), "{stdout}");
    assert!(
        stdout.contains("\nquick "),
        "the table shows the finished scenario: {stdout}"
    );
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    let summary = read("summary.csv");
    let rows: Vec<&str> = summary.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{summary}");
    assert!(rows[0].starts_with("quick,2,"), "{summary}");
    let reps = read("replications.csv");
    assert_eq!(
        reps.lines().count(),
        3,
        "header and quick's two replications: {reps}"
    );
    super::common::assert_marked_incomplete(dir.path(), &out, note);
}

#[test]
fn an_overloaded_model_exits_2_naming_the_bound_and_writes_nothing() {
    // The highest rate accepted (10⁷/s) with `allow_overload`: the request
    // slab reaches its cap (a million in flight) within 0.1 s; the run
    // ends at once with the model's error instead of exhausting memory.
    let dir = TempDir::new("overload");
    let out = dir.path().join("out");
    let exp = repo("experiments/seed.toml");
    let res = stacksim(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--set",
        "workload.rate=1e7",
        "--set",
        "allow_overload=true",
        "--replications",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("scenario base, replication 0: the model is overloaded: more than 1,000,000 requests in flight at t="),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
}
