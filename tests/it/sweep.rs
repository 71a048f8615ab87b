//! A two-axis sweep as a user runs it: rate × PHP-FPM workers on the
//! single-server model, a few simulated seconds. Scenario names are
//! `rate=…/workers=…` in product order (first axis slowest), summary.csv has
//! one column per axis right after `scenario` with the row's values, the
//! other CSVs keep their columns, a log range gives integers to an integer
//! field, `zip` pairs the axes, and the bytes are the same for 1 and 2 threads;
//! the sweep chart has a line per other-axis value, the stated SLO, and is
//! rebuilt byte for byte by `stacksim report`.

use super::common::{TempDir, assert_report_rebuilds_the_same, stacksim_cmd, succeed};

const EXPERIMENT: &str = r#"model = "MODEL"
duration = "4s"
replications = 2
seed = 7

[workload]
kind = "open"
rate = 100

[[sweep.axes]]
param = "workload.rate"
values = { from = 100, to = 300, step = 100 }

[[sweep.axes]]
param = "servers.web1.app.workers"
values = { from = 2, to = 8, steps = 3, scale = "log" }
"#;

fn experiment(dir: &TempDir, text: &str) -> String {
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/single-server.toml");
    dir.write("e.toml", &text.replace("MODEL", model))
}

fn run(exp: &str, out: &std::path::Path, threads: &str) -> String {
    succeed(
        stacksim_cmd()
            .args(["run", exp, "--quiet", "--no-charts", "--threads", threads])
            .arg("--out")
            .arg(out),
    );
    std::fs::read_to_string(out.join("summary.csv")).expect("summary.csv")
}

#[test]
fn a_two_axis_sweep_names_its_scenarios_and_adds_a_column_per_axis() {
    let dir = TempDir::new("sweep");
    let exp = experiment(&dir, EXPERIMENT);
    let one = run(&exp, &dir.path().join("t1"), "1");
    let two = run(&exp, &dir.path().join("t2"), "2");
    assert_eq!(one, two, "summary.csv differs between 1 and 2 threads");
    for f in ["replications.csv", "stations.csv", "timeseries.csv"] {
        let a = std::fs::read(dir.path().join("t1").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("t2").join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between 1 and 2 threads");
        assert!(
            a.starts_with(b"scenario,replication,"),
            "{f} changed its columns"
        );
    }
    let mut lines = one.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[..4], ["scenario", "rate", "workers", "replications"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // 2 → 8 in 3 log steps is 2, 4, 8: whole numbers for a whole-number field.
    let mut expected = vec![];
    for rate in ["100", "200", "300"] {
        for workers in ["2", "4", "8"] {
            expected.push((format!("rate={rate}/workers={workers}"), rate, workers));
        }
    }
    assert_eq!(rows.len(), expected.len());
    for (row, (name, rate, workers)) in rows.iter().zip(&expected) {
        assert_eq!((row[0], row[1], row[2]), (name.as_str(), *rate, *workers));
        let throughput: f64 = row[header.iter().position(|h| *h == "throughput_rps").unwrap()]
            .parse()
            .unwrap();
        let offered: f64 = rate.parse().unwrap();
        assert!((throughput - offered).abs() < 0.25 * offered, "{row:?}");
    }
}

#[test]
fn zip_pairs_the_axes_and_scenarios_cross_the_sweep() {
    let dir = TempDir::new("sweep-zip");
    let text = EXPERIMENT
        .replace(
            "[[sweep.axes]]\nparam = \"workload.rate\"",
            "[sweep]\ncombine = \"zip\"\n\n[[sweep.axes]]\nparam = \"workload.rate\"",
        )
        .replace(
            "seed = 7\n",
            "seed = 7\n\n[[scenarios]]\nname = \"a\"\n\n[[scenarios]]\nname = \"b\"\n",
        );
    let exp = experiment(&dir, &text);
    let summary = run(&exp, &dir.path().join("out"), "2");
    let names: Vec<&str> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "a/rate=100/workers=2",
            "a/rate=200/workers=4",
            "a/rate=300/workers=8",
            "b/rate=100/workers=2",
            "b/rate=200/workers=4",
            "b/rate=300/workers=8"
        ]
    );
}

/// The sweep chart: latency against the first axis with one line per value
/// of the other (its legend holds exactly `workers=2`, `workers=4`,
/// `workers=8`), rebuilt byte for byte by `stacksim report DIR` from the
/// folder's files.
#[test]
fn the_sweep_chart_draws_a_line_per_other_axis_value_and_rebuilds_the_same() {
    let dir = TempDir::new("sweep-chart");
    let exp = experiment(&dir, EXPERIMENT);
    let out = dir.path().join("t");
    succeed(
        stacksim_cmd()
            .args(["run", &exp, "--quiet", "--out"])
            .arg(&out),
    );
    let svg = std::fs::read_to_string(out.join("sweep.svg")).expect("sweep.svg");
    let texts = super::charts::svg_texts(&svg);
    for label in [
        "Latency against rate",
        "workers=2",
        "workers=4",
        "workers=8",
    ] {
        assert!(
            texts.iter().any(|t| t == label),
            "no `{label}` in sweep.svg"
        );
    }
    assert!(
        !svg.contains(">rate=100"),
        "the first axis is the x axis, not a line"
    );
    assert_report_rebuilds_the_same(
        &out,
        &["sweep.svg", "sweep.png", "report.html", "report.md"],
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<h2>Sweep</h2>"),
        "report.html has no sweep section"
    );
}
